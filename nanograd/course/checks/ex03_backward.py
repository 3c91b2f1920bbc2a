"""Checks of exercise 03, backward: local derivatives, backward() on a new graph, an order by counting uses, and
the chain rule carried forwards."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

from nanograd import backprop, chain_rule, graph
from nanograd.walk import topological_order

from .answers import Wrong, describe, expect_close, items, node_name, number_text, wrong
from .graphs import Recipe, graphs_for, op_cases, random_number, twin_grads
from .harness import call, task

BackpropValue = backprop.Value
ChainValue = chain_rule.Value

_LOCAL_RULES = {
    "+": "d(a + b)/da = 1 and d(a + b)/db = 1",
    "-": "d(a - b)/da = 1 and d(a - b)/db = -1",
    "*": "each factor's local derivative is the other factor: d(a*b)/da = b",
    "/": "d(a / b)/da = 1 / b and d(a / b)/db = -a / b**2",
    "neg": "d(-a)/da = -1",
    "**": "d(a**k)/da = k * a**(k - 1), where k = float(node.op[2:])",
}
"""Each op's local derivatives: the hint for a local derivative that is wrong."""


@task("03_backward", "1", "Local derivatives")
def task_03_1(local_derivatives: Callable) -> str:
    """local_derivatives(node) returns d(node)/d(child) for each child, from node.op and the children's data."""
    rng = random.Random(301)
    ops = ("+", "-", "*", "/", "neg", "**2", "**3", "**-1", "**0.5")
    cases = op_cases(rng, BackpropValue, ops) + op_cases(rng, BackpropValue, ops)
    for text, children, node in cases:
        expected = node.local_grads
        node.local_grads = ()  # hidden: the task is to work them out
        got = call(local_derivatives, node)
        node.local_grads = expected
        if isinstance(got, (tuple, list)) and not got:
            wrong(
                f"for {text}: you returned an empty {type(got).__name__}; the check hides node.local_grads, "
                f"so work each derivative out from node.op and the children's data"
            )
        got = items(got, f"what local_derivatives returned for {text}", len(children))
        rule = _LOCAL_RULES["**" if node.op.startswith("**") else node.op]
        for child, entry, truth in zip(children, got, expected, strict=True):
            expect_close(f"for {text}: dn/d{child.label}", entry, truth, {}, rule)
    return f"local_derivatives is right for every op ({', '.join(ops)}), twice each on random inputs."


@task("03_backward", "2", "Backward on a new graph")
def task_03_2(grads_of: Callable) -> str:
    """grads_of(x, y) builds f = (x*y + y)**2 - x from Values, calls backward() and returns (df/dx, df/dy)."""
    rng = random.Random(304)
    cases = [(2.0, -3.0)] + [(random_number(rng, -2.0, 2.0), random_number(rng, -2.0, 2.0)) for _ in range(3)]
    for x, y in cases:
        given = f"x={number_text(x)}, y={number_text(y)}"
        got = items(call(grads_of, x, y), f"what grads_of({given}) returned", 2)
        inner = x * y + y
        expected = [2 * inner * y - 1, 2 * inner * (x + 1)]  # worked out by hand
        for name, entry, truth in zip(("df/dx", "df/dy"), got, expected, strict=True):
            mistakes = {
                "call f.backward() before you read the grads": 0.0,
                "that is exactly twice it: every backward() call adds its gradients, so call it once": 2 * truth,
            }
            expect_close(
                f"with {given}: {name}", entry, truth, mistakes,
                "build f = (x*y + y)**2 - x from Values x and y, call f.backward(), then read x.grad and y.grad",
            )
    return "grads_of matches the hand-derived df/dx = 2(xy + y)y - 1 and df/dy = 2(xy + y)(x + 1) on 4 inputs."


def _deep_chain() -> tuple[str, BackpropValue]:
    """x0 + 1 + 1 + ...: twice as many levels as Python lets nested calls go, so a recursive walk stops."""
    depth = max(3000, 2 * sys.getrecursionlimit())
    chain = BackpropValue(0.5, label="x0")
    for _ in range(depth):
        chain = chain + 1.0
    chain.label = "y"
    return f"a chain of {depth} additions", chain


def _unlink(root: BackpropValue) -> None:
    """Take every node of ``root``'s graph off its children, so that the graph is freed one node at a time.

    Python frees a chain with one nested call per level, and in the browser (Pyodide) the stack runs out
    between 2,500 and 3,000 levels: the kernel would die for good at the end of the check.
    """
    for node in topological_order(root):
        node.children = ()


REUSED_TWICE_BY_ONE = Recipe(("a", "b"), (("p", "*", (0, 0)), ("q", "+", (0, 1)), ("r", "+", (3, 2))))
"""r = q + p, where p = a * a uses a twice and q = a + b once more: a may come only after both p and q."""


def _listed(order: list, every_node: list, text: str) -> dict:
    """Each node of ``order`` by its position, once it is known that ``order`` lists every node of the graph
    once and nothing else; else a wrong verdict."""
    expected = set(every_node)
    position: dict = {}
    for i, item in enumerate(order):
        if not isinstance(item, graph.Value):
            wrong(f"for {text}, backward_order returned {describe(item)} in its list: list the nodes themselves")
        if item in position:
            times = sum(other is item for other in order)
            wrong(
                f"for {text}, {node_name(item)} appears {times} times: list a node once, when the last of the "
                f"nodes that use it has been listed"
            )
        if item not in expected:
            wrong(f"for {text}, your list holds {node_name(item)}, which is not in this graph: start each call "
                  f"with an empty list")
        position[item] = i
    missing = [node for node in every_node if node not in position]  # in a fixed order: the same verdict every run
    if missing:
        wrong(
            f"for {text}, {node_name(missing[0])} is missing: a node is ready when every node that uses it has "
            f"been listed, so count each node's uses once (visit every node once while counting) and take one "
            f"off for each entry of a listed node's children"
        )
    return position


@task("03_backward", "3", "An order by counting uses")
def task_03_3(backward_order: Callable) -> str:
    """backward_order(root) lists every node once, root first, each after every node that uses it, without recursion."""
    rng = random.Random(302)
    a = BackpropValue(1.5, label="a")
    twice = a + a
    twice.label = "y"
    deep_text, deep_root = _deep_chain()
    cases = [(text, nodes[-1]) for text, _, _, nodes in graphs_for(rng, BackpropValue, 3)]
    cases += [
        ("y = a + a", twice),
        ("p = a * a, q = a + b, r = q + p", REUSED_TWICE_BY_ONE.build(BackpropValue, [1.5, -2.0])[-1]),
        ("a single Value v", BackpropValue(1.0, label="v")),
        (deep_text, deep_root),
    ]
    try:
        _check_orders(backward_order, cases)
    finally:
        _unlink(deep_root)
    return (
        f"backward_order lists every node once, root first and each after all of its users, in {len(cases)} graphs "
        f"(a chain deeper than the recursion limit included)."
    )


def _check_orders(backward_order: Callable, cases: list) -> None:
    """Task 3's verdict on each (text, root) of ``cases``; returns only if every order is right."""
    for text, root in cases:
        try:
            answer = call(backward_order, root)
        except Wrong as verdict:
            if "RecursionError" not in str(verdict):
                raise
            wrong(
                f"for {text}, {verdict}: a function that calls itself goes one call deeper for each level of the "
                f"graph, and Python stops at sys.getrecursionlimit() levels; keep the nodes still to do in a list"
            )
        order = items(answer, f"what backward_order returned for {text}")
        position = _listed(order, topological_order(root), text)
        if order[0] is not root:
            wrong(
                f"for {text}, {node_name(order[0])} comes first: start with the root, the one node that nothing "
                f"uses (its gradient, 1, is complete from the start)"
            )
        for node in order:
            for child in node.children:
                if position[child] < position[node]:
                    wrong(
                        f"for {text}, {node_name(child)} comes before {node_name(node)}, which uses it: list a node "
                        f"only when every node that uses it is listed (count every use: p = a * a uses a twice)"
                    )


def _last_share_slope(twin: list, x: int) -> float:
    """The mistake of task 4: d root / d twin[x] carried forward through the nodes (in topological order, as
    Recipe.build makes them), each node keeping only its last child's share instead of adding them up."""
    slopes: dict = {}
    for i, node in enumerate(twin):
        slopes[node] = 1.0 if i == x else 0.0
        for child, local in zip(node.children, node.local_grads, strict=True):
            slopes[node] = local * slopes[child]
    return slopes[twin[-1]]


@task("03_backward", "4", "The chain rule forwards")
def task_03_4(forward_slope: Callable) -> str:
    """forward_slope(root, x) returns d root / d x by carrying each node's slope in x forward, children first."""
    rng = random.Random(303)
    course, square_plus, *others = graphs_for(rng, ChainValue, 3)  # stage 2 Values: no backward() to lean on
    cases = [square_plus, course, *others]  # x*x + x first: there a node that keeps one share is not 0
    for text, recipe, data, twin in cases:
        grads = twin_grads(recipe, data)
        leaves = range(len(recipe.leaves))
        for i in leaves:
            nodes = recipe.build(ChainValue, data)
            name = recipe.leaves[i]
            try:
                got = call(forward_slope, nodes[-1], nodes[i])
            except Wrong as verdict:
                if "has no attribute 'backward'" not in str(verdict):
                    raise
                wrong(
                    f"{verdict}: the check builds its graphs from stage 2's Value, which has no backward(); carry "
                    f"the slopes forward yourself, from node.local_grads"
                )
            other_leaves = [j for j in leaves if j != i]
            last_share_only = _last_share_slope(twin, i)
            mistakes = {
                "you gave every leaf a slope of 1: when only x is nudged, the other leaves stay put, so their "
                "slope is 0": sum(grads[j] for j in leaves) if other_leaves else None,
                "the slope came out 0: walk the nodes children first (in topological order), starting from 1 for x "
                "itself, and add up the shares of all of a node's children": 0.0,
                "a node's slope is the sum of its children's shares, (dn/dchild) * (dchild/dx): add them up (+=) "
                "instead of keeping the last one": last_share_only if last_share_only != 0.0 else None,
            }
            expect_close(
                f"for {text}: forward_slope(root, {name})", got, grads[i], mistakes,
                "for each node, children first: d node/dx = the sum over its children of "
                "(d node/d child) * (d child/dx), with dx/dx = 1 and 0 for the other leaves",
            )
    return (
        f"forward_slope gives backward()'s gradient for every leaf of {len(cases)} graphs, one forward pass per "
        f"leaf, where backward() needs one pass for all of them."
    )
