"""Checks of exercise 02, the chain rule by hand: gradients by hand, one chain-rule step, and gradients by nudging."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from nanograd import activations, chain_rule

from .answers import close, expect_close, items, number, number_text, numbers_text, wrong
from .graphs import COURSE_DATA, COURSE_GRAPH, nonzero_number, op_cases, random_number, slope, twin_grads
from .harness import call, task

ChainValue = chain_rule.Value


def _backward_grads(build: Callable, *data: float) -> list[float]:
    """The gradients of ``build(*leaves)`` with respect to each leaf, by the package's backward()."""
    leaves = [activations.Value(x) for x in data]
    build(*leaves).backward()
    return [leaf.grad for leaf in leaves]


@task("02_chain_rule_by_hand", "1", "Gradients by hand")
def task_02_1(grads_by_hand: Callable) -> str:
    """grads_by_hand(a, b, c) returns (dL/da, dL/db, dL/dc) for L = (a - b) * c**2, from formulas."""
    rng = random.Random(201)
    cases = [(2.0, -3.0, 4.0)] + [(random_number(rng), random_number(rng), nonzero_number(rng)) for _ in range(3)]
    for a, b, c in cases:
        given = f"a={number_text(a)}, b={number_text(b)}, c={number_text(c)}"
        got = items(call(grads_by_hand, a, b, c), f"what grads_by_hand({given}) returned", 3)
        da, db, dc = _backward_grads(lambda a, b, c: (a - b) * c**2, a, b, c)
        expect_close(
            f"with {given}: dL/da", got[0], da, {}, "L grows with a at the rate c**2: dL/da = d(a - b)/da * c**2 = c**2"
        )
        expect_close(
            f"with {given}: dL/db", got[1], db,
            {"check the sign: b enters L through a - b, and d(a - b)/db = -1": -db},
            "dL/db = d(a - b)/db * c**2, and d(a - b)/db = -1",
        )
        expect_close(
            f"with {given}: dL/dc", got[2], dc,
            {"that is half of it: d(c**2)/dc = 2*c, did you forget the 2?": dc / 2},
            "dL/dc = (a - b) * d(c**2)/dc, and d(c**2)/dc = 2*c",
        )
    return "all three gradients of L = (a - b) * c**2 match backward() on 4 inputs."


@task("02_chain_rule_by_hand", "2", "One chain-rule step")
def task_02_2(chain_rule_step: Callable) -> str:
    """chain_rule_step(node): with node.grad known, add to each child's grad its local derivative times node.grad."""
    rng = random.Random(202)
    for text, children, node in op_cases(rng, ChainValue, ("+", "-", "*", "/", "neg", "**2", "**3")):
        g = nonzero_number(rng, 1.5, 3.0)  # never ±1, so that n.grad, the local derivative and their product differ
        node.grad = g
        held = [nonzero_number(rng, 0.5, 1.0) for _ in children]  # a share from another use, already there
        for child, share in zip(children, held, strict=True):
            child.grad = share
        data_before = node.data
        call(chain_rule_step, node)
        if node.grad != g or node.data != data_before:
            wrong(
                f"for {text}: chain_rule_step changed n itself (n.grad or n.data); it should change only n's children"
            )
        for i, (child, share) in enumerate(zip(children, held, strict=True)):
            local = slope(node.op, [c.data for c in children], i)
            name = child.label
            mistakes = {
                f"chain_rule_step left it as it was: add {name}'s share to its grad": share,
                f"`=` replaced the {number_text(share)} that {name}.grad already held (a share from another node "
                f"that uses {name}): add yours to it with +=, because a Value used more than once collects a share "
                f"from each use (notebook 03, section 5)": local * g,
                f"you added n.grad itself; multiply it by the local derivative dn/d{name} first": share + g,
                "you added the local derivative alone; multiply it by n.grad": share + local,
            }
            expect_close(
                f"for {text}, n.grad = {number_text(g)} and {name}.grad = {number_text(share)} before the step: "
                f"{name}.grad", child.grad, share + local * g, mistakes,
                f"add (dn/d{name}) * n.grad to {name}.grad, where n.local_grads holds each dn/dchild in the order of "
                f"n.children",
                rel=1e-5, abs_tol=1e-6,  # the truth comes from a central difference
            )
    nodes = COURSE_GRAPH.build(ChainValue, COURSE_DATA)
    nodes[-1].grad = 1.0
    for node in reversed(nodes[len(COURSE_GRAPH.leaves) :]):  # L, d, e: each node after everything that uses it
        call(chain_rule_step, node)
    for node, expected in zip(nodes, twin_grads(COURSE_GRAPH, COURSE_DATA), strict=True):
        expect_close(
            f"on the course's graph, after stepping from L through d and e, {node.label}.grad", node.grad, expected, {},
            "a step must work wherever the node sits in a graph: read only the node, its grad and its children",
        )
    return (
        "chain_rule_step adds the right share for + - * / neg **2 **3, keeps the share a child already held, "
        "and stepping through the course's graph gives dL/db = -4.0."
    )


@task("02_chain_rule_by_hand", "3", "A central difference")
def task_02_3(central_difference: Callable) -> str:
    """central_difference(f, x, h=1e-5) returns (f(x + h) - f(x - h)) / (2h)."""
    rng = random.Random(203)
    functions = [
        ("x**3", lambda x: x**3, lambda x: 3 * x**2, round(rng.uniform(0.5, 2.0), 2), 1e-3),
        ("sin(x)", math.sin, math.cos, random_number(rng), 1e-4),
        ("exp(x)", math.exp, math.exp, random_number(rng, -2.0, 2.0), 1e-4),
        ("1/x", lambda x: 1 / x, lambda x: -1 / x**2, nonzero_number(rng, 0.5, 2.0), 1e-4),
        ("x**3", lambda x: x**3, lambda x: 3 * x**2, 2.0, None),  # with the default h
    ]
    for text, f, exact_slope, x, h in functions:
        args = (f, x) if h is None else (f, x, h)
        with_h = "with the default h" if h is None else f"with h={h:g}"
        truth = exact_slope(x)
        step = 1e-5 if h is None else h
        one_sided = (f(x + step) - f(x)) / step
        mistakes = {
            "that is the one-sided difference (f(x + h) - f(x)) / h; use f(x + h) and f(x - h)": one_sided,
            "that is twice the slope: divide by 2h, the distance from x - h to x + h": 2 * truth,
            "that is half the slope: divide by 2*h, not by 4*h": truth / 2,
        }
        expect_close(
            f"for f(x) = {text} at x={number_text(x)} {with_h}, central_difference",
            call(central_difference, *args), truth, mistakes,
            "the central difference is (f(x + h) - f(x - h)) / (2*h): mind the brackets around 2*h",
            rel=1e-5, abs_tol=1e-5,  # the central difference is off by about h**2
        )
    return "central_difference matches the exact slope of x**3, sin, exp and 1/x to within its h**2 error."


_FUNCTIONS = [  # (formula, f, its exact gradient, how many inputs)
    ("(v[0] - v[1]) * v[2]**2", lambda v: (v[0] - v[1]) * v[2] ** 2,
     lambda v: [v[2] ** 2, -v[2] ** 2, 2 * v[2] * (v[0] - v[1])], 3),
    ("v[0]*v[1] + v[1]*v[2] + v[2]*v[3]", lambda v: v[0] * v[1] + v[1] * v[2] + v[2] * v[3],
     lambda v: [v[1], v[0] + v[2], v[1] + v[3], v[2]], 4),
    ("exp(v[0]) * v[1]", lambda v: math.exp(v[0]) * v[1], lambda v: [math.exp(v[0]) * v[1], math.exp(v[0])], 2),
    ("v[0]**3", lambda v: v[0] ** 3, lambda v: [3 * v[0] ** 2], 1),
]


@task("02_chain_rule_by_hand", "4", "A numerical gradient")
def task_02_4(numerical_gradient: Callable) -> str:
    """numerical_gradient(f, inputs, h=1e-5): the partial derivative of f for each input, one nudge at a time."""
    rng = random.Random(204)
    for text, f, gradient, n in _FUNCTIONS:
        inputs = [random_number(rng, -2.0, 2.0) for _ in range(n)]
        given = list(inputs)
        got = items(call(numerical_gradient, f, inputs), f"numerical_gradient for f(v) = {text}", n)
        got = [number(x, f"an entry of numerical_gradient for f(v) = {text}") for x in got]
        # a nudge up and back down may leave a last bit changed: only a real change counts
        if len(inputs) != n or any(not close(x, y, 0.0, 1e-12) for x, y in zip(inputs, given, strict=True)):
            wrong(
                f"numerical_gradient changed the list it was given (from {numbers_text(given)} to "
                f"{numbers_text(inputs)}): nudge a copy, e.g. list(inputs)"
            )
        for i, (entry, expected) in enumerate(zip(got, gradient(given), strict=True)):
            mistakes = {
                "every entry is 0.0: f saw the same inputs twice; nudge two separate copies of inputs, one up and "
                "one down": all(x == 0.0 for x in got),
                "every entry is the same: nudge one input at a time and keep the others as they are": n > 1
                and all(math.isclose(x, got[0], rel_tol=1e-9) for x in got),
                "that is twice it: divide by 2h": 2 * expected,
            }
            expect_close(
                f"for f(v) = {text} at v = {numbers_text(given)}: entry {i}", entry, expected, mistakes,
                f"entry {i} is (f(v with v[{i}] + h) - f(v with v[{i}] - h)) / (2h), the other inputs unchanged",
                rel=1e-5, abs_tol=1e-5,
            )
    return (
        "numerical_gradient matches the exact partial derivatives of 4 functions of 1 to 4 inputs, "
        "and leaves its input alone."
    )
