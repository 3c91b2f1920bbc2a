"""Checks of exercise 06, the capstone: a Value class of the student's own, compared with nanograd's.

Each check builds the same graphs twice, once from the student's class and once from nanograd's Value: the
course's graph, x*x + x, notebook 04's tanh neuron, and random graphs of +, * and tanh with plain numbers on
either side. It compares what the student's nodes hold with their twins: the data (task 1), every grad after
one backward() (task 2), and after two (task 3). The student's nodes are read only through .data, .grad and
the operators, so the class may keep its children and local derivatives however it likes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nanograd import activations, graph
from nanograd.walk import topological_order

from .answers import Wrong, close, count, describe, expect_close, number_text, wrong
from .graphs import apply_op, nonzero_number
from .harness import call, task

NanoValue = activations.Value


@dataclass(frozen=True)
class Capstone:
    """A graph as leaf labels and data, and steps (label, op, operands): an operand is an int, the index of a
    node made before (leaves first), or a float, a plain number that the op must turn into a Value itself."""

    text: str
    leaves: tuple[str, ...]
    data: tuple[float, ...]
    steps: tuple[tuple[str, str, tuple], ...]

    def formula(self, k: int) -> str:
        """Step k as written, e.g. 'n2 = 1.5 * n1' or 'o = n.tanh()'."""
        label, op, operands = self.steps[k]
        names = [number_text(x) if isinstance(x, float) else self.label(x) for x in operands]
        return f"{label} = {names[0]}.tanh()" if op == "tanh" else f"{label} = {names[0]} {op} {names[1]}"

    def label(self, index: int) -> str:
        return self.leaves[index] if index < len(self.leaves) else self.steps[index - len(self.leaves)][0]

    def uses(self, index: int) -> int:
        """How many times the steps use node ``index``: more than once means its grad sums several shares.
        A plain number among the operands is no use of a node, even 1.0 (which equals the index 1)."""
        return sum(operand == index for _, _, operands in self.steps for operand in operands if type(operand) is int)


COURSE = Capstone(
    "the course's graph L = (a*b + c) * f", ("a", "b", "c", "f"), (2.0, -3.0, 10.0, -2.0),
    (("e", "*", (0, 1)), ("d", "+", (4, 2)), ("L", "*", (5, 3))),
)
SQUARE_PLUS = Capstone("y = x*x + x", ("x",), (1.5,), (("x*x", "*", (0, 0)), ("y", "+", (1, 0))))
NEURON = Capstone(
    "notebook 04's neuron o = tanh(x1*w1 + x2*w2 + b)", ("x1", "x2", "w1", "w2", "b"),
    (2.0, 0.0, -3.0, 1.0, 6.8813735870195432),
    (("x1*w1", "*", (0, 2)), ("x2*w2", "*", (1, 3)), ("s", "+", (5, 6)), ("n", "+", (7, 4)), ("o", "tanh", (8,))),
)


def random_capstone(rng: random.Random, n_leaves: int = 3, n_steps: int = 6) -> Capstone:
    """A random graph of +, * and tanh in which every step uses the one before (so all are reached from the
    last), often a leaf or an earlier node again (so nodes are shared), and sometimes a plain number, on
    either side."""
    leaves = tuple("abc"[:n_leaves])
    steps = []
    for k in range(n_steps):
        index = n_leaves + k
        op = rng.choice(("+", "*", "tanh", "+", "*"))
        first = index - 1 if k > 0 else rng.randrange(n_leaves)
        if op == "tanh":
            operands: tuple = (first,)
        else:
            pick = rng.random()
            other = nonzero_number(rng) if pick < 0.3 else rng.randrange(n_leaves if pick < 0.7 else index)
            operands = (first, other) if rng.random() < 0.5 else (other, first)
        steps.append((f"n{k + 1}", op, operands))
    data = tuple(nonzero_number(rng, 0.3, 1.5) for _ in leaves)
    unnamed = Capstone("", leaves, data, tuple(steps))
    text = "the random graph " + "; ".join(unnamed.formula(k) for k in range(n_steps))
    return Capstone(text, leaves, data, tuple(steps))


def capstones(seed: int, how_many: int) -> list[Capstone]:
    """The three fixed graphs and ``how_many`` random ones."""
    rng = random.Random(seed)
    return [COURSE, SQUARE_PLUS, NEURON] + [random_capstone(rng) for _ in range(how_many)]


def _made(node: Any, what: str) -> Any:
    """``node`` if it holds a number in .data and .grad; else a wrong verdict that says what it is instead."""
    if node is None:
        wrong(f"{what} gave None: it should give a MyValue (did __init__ or an op forget to store or return it?)")
    if not graph.is_number(getattr(node, "data", None)):
        wrong(f"{what} gave {describe(node)}: it should give a MyValue, whose .data holds its number")
    return node


def _leaf(my_value: Callable, x: float, label: str) -> Any:
    """A leaf of the student's class holding ``x``, checked: .data is x and .grad starts at 0.0."""
    leaf = _made(call(my_value, x, name="MyValue"), f"MyValue({number_text(x)})")
    if leaf.data != x:
        wrong(f"MyValue({number_text(x)}).data is {number_text(leaf.data)} (for {label}): store the number given")
    grad = getattr(leaf, "grad", None)
    if grad != 0.0 or not graph.is_number(grad):
        wrong(f"MyValue({number_text(x)}).grad is {describe(grad)}: every Value starts with .grad = 0.0")
    return leaf


def _apply(capstone: Capstone, k: int, operands: list) -> Any:
    """The student's step k: the op applied with the student's operators, an error turned into a hint."""
    op = capstone.steps[k][1]
    formula = capstone.formula(k)
    numbers = [x for x in operands if isinstance(x, float)]
    try:
        out = call(apply_op, op, operands, name=f"`{formula}`")
    except Wrong as verdict:
        if numbers and ("has no attribute" in str(verdict) or "unsupported operand" in str(verdict)):
            if "unsupported operand" in str(verdict) and isinstance(operands[0], float):
                wrong(
                    f"in {capstone.text}, {verdict}: with the number on the left, Python asks your Value's "
                    f"__radd__ or __rmul__, so keep the line __radd__, __rmul__ = __add__, __mul__"
                )
            wrong(
                f"in {capstone.text}, {verdict}: a plain number ({number_text(numbers[0])}) must become a MyValue "
                f"before its .data is read: in __add__ and __mul__, wrap `other` when it is not a MyValue yet"
            )
        raise
    return _made(out, f"in {capstone.text}, `{formula}`")


def build_both(my_value: Callable, capstone: Capstone) -> tuple[list, list]:
    """The graph from the student's class and from nanograd's: two lists of nodes, leaves first, constants apart."""
    mine = [_leaf(my_value, x, name) for name, x in zip(capstone.leaves, capstone.data, strict=True)]
    twins = [NanoValue(x, label=name) for name, x in zip(capstone.leaves, capstone.data, strict=True)]
    for k, (label, op, operands) in enumerate(capstone.steps):
        mine.append(_apply(capstone, k, [x if isinstance(x, float) else mine[x] for x in operands]))
        twin = apply_op(op, [x if isinstance(x, float) else twins[x] for x in operands])
        twin.label = label
        twins.append(twin)
    return mine, twins


_DATA_RULES = {
    "+": "the data of a + b is a.data + b.data",
    "*": "the data of a * b is a.data * b.data",
    "tanh": "the data of x.tanh() is math.tanh(x.data)",
}


@task("06_capstone", "1", "The forward pass")
def task_06_1(MyValue: Callable) -> str:
    """MyValue(data) holds .data and .grad = 0.0; +, * (with plain numbers on either side) and tanh give new MyValues
    with the right data."""
    cases = capstones(601, 5)
    for capstone in cases:
        mine, twins = build_both(MyValue, capstone)
        for k in range(len(capstone.steps)):
            index = len(capstone.leaves) + k
            expect_close(
                f"in {capstone.text}, the data of {capstone.formula(k)}", mine[index].data, twins[index].data, {},
                _DATA_RULES[capstone.steps[k][1]],
            )
    return f"MyValue computes every node of {len(cases)} graphs of +, * and tanh as nanograd does, numbers included."


def pass_grads(twins: list, mode: str = "", forward: bool = False, start: dict | None = None) -> dict:
    """One backward pass over nanograd's twin of a graph, as a dict of grads, from zero: the right one, or with
    a known mistake (``mode`` "tanh input": tanh's slope from its input; "product swapped": each factor gets
    its own value; ``forward``: the nodes in topological order instead of reversed; ``start``: the grads it
    starts from instead of zero, with the root's set to 1 again)."""
    order = topological_order(twins[-1])
    grads = dict.fromkeys([*twins, *order], 0.0)  # a leaf that no step uses is not in the order: its grad stays 0
    grads.update(start or {})
    grads[twins[-1]] = 1.0
    for node in order if forward else reversed(order):
        local = node.local_grads
        if node.op == "tanh" and mode == "tanh input":
            local = (1 - node.children[0].data ** 2,)
        elif node.op == "*" and mode == "product swapped":
            local = tuple(child.data for child in node.children)
        for child, slope in zip(node.children, local, strict=True):
            grads[child] += slope * grads[node]
    return grads


def _backward(root: Any) -> None:
    """Call the student's root.backward()."""
    method = getattr(root, "backward", None)
    if not callable(method):
        wrong("a MyValue has no method backward(): define backward(self) in the class")
    call(method, name="backward")


def _expect_grads(
    capstone: Capstone, mine: list, twins: list, expected: dict, after: str, variants: dict[str, dict],
    root_last: bool = False,
) -> None:
    """Every held node's grad against ``expected``, from the root down (``root_last``: the root after the rest),
    so that the first that differs is the telling one. ``variants`` are the known mistakes, each as its hint and
    the grads it gives (by twin node)."""
    order = list(reversed(range(len(mine))))
    for index in order[1:] + order[:1] if root_last else order:
        node, twin, label = mine[index], twins[index], capstone.label(index)
        uses = capstone.uses(index)
        mistakes = {hint: grads[twin] for hint, grads in variants.items()}
        shared = f"{label} is used {count(uses, 'time')}: add each use's share (+=), do not overwrite it (=)"
        mistakes[shared] = uses > 1
        expect_close(
            f"in {capstone.text}, {after}, {label}.grad", getattr(node, "grad", None), expected[twin], mistakes,
            "every node's grad is d root/d node: the root's is 1, and each node passes its grad on to its children, "
            "times their local derivatives, adding up the shares",
            rel=1e-9, abs_tol=1e-12,
        )


@task("06_capstone", "2", "backward()")
def task_06_2(MyValue: Callable) -> str:
    """After root.backward() on a fresh graph, every node's .grad is d root/d node, as nanograd's backward() gives."""
    cases = capstones(602, 5)
    for capstone in cases:
        mine, twins = build_both(MyValue, capstone)
        _backward(mine[-1])
        root_left_at_0 = dict.fromkeys(twins, None) | {twins[-1]: 0.0}
        variants = {
            "start the pass with the root's own gradient, d root/d root = 1": root_left_at_0,
            "tanh's local derivative is 1 - t**2, where t is tanh's output, not its input":
                pass_grads(twins, "tanh input"),
            "each factor's local derivative is the other factor: d(a*b)/da = b": pass_grads(twins, "product swapped"),
            "visit the nodes root first, each after every node that uses it (topological order, reversed), so that a "
            "node's grad is complete before it passes it on": pass_grads(twins, forward=True),
        }
        _expect_grads(capstone, mine, twins, pass_grads(twins), "after backward()", variants)
    return f"backward() gives every node of {len(cases)} graphs nanograd's gradient, shared nodes and tanh included."


@task("06_capstone", "3", "backward() again")
def task_06_3(MyValue: Callable) -> str:
    """A second root.backward() adds one more pass, as nanograd's does: every grad doubles, the root's too."""
    cases = capstones(603, 4)
    for capstone in cases:
        mine, twins = build_both(MyValue, capstone)
        for _ in range(2):
            _backward(mine[-1])
        once = pass_grads(twins)
        twice = {node: 2 * grad for node, grad in once.items()}
        variants = {
            "the first call's gradients, still on the inner nodes, were passed on down again: compute each "
            "call's pass from zero and add it to what .grad held": pass_grads(twins, start=once),
            "that is one pass's gradient: a second call adds one more pass, like nanograd's backward() "
            "(notebook 03, section 8), so keep what .grad held and add this pass to it": once,
        }

        grads = [getattr(node, "grad", None) for node in mine]
        if all(graph.is_number(g) for g in grads) and grads[-1] == 1.0 and all(
            close(g, twice[twin], 1e-9, 1e-12)
            for g, twin in zip(grads[:-1], twins[:-1], strict=True)
        ):
            wrong(
                f"in {capstone.text}, after two calls of backward() every grad has doubled but the root's, which is "
                f"1.0: a second call adds one pass to the root as well (d root/d root = 1 each time), so its grad "
                f"is 2.0"
            )
        _expect_grads(capstone, mine, twins, twice, "after two calls of backward()", variants, root_last=True)
    return f"a second backward() doubles every gradient of {len(cases)} graphs, exactly as nanograd's does."
