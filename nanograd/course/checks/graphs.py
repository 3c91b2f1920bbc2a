"""The graphs the checks build, and the random numbers they build them from.

A ``Recipe`` is a graph written down as leaf labels and steps, so that a check can build it twice: once from
the Value class of the student's stage, for the student's function, and once from the package's own, for the
truth. Random inputs come from a generator that each check seeds with its own number, so that every run
sees the same inputs and an answer that only fits the first one still fails.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from nanograd import activations, backprop, graph

from .answers import number_text


def random_number(rng: random.Random, low: float = -3.0, high: float = 3.0) -> float:
    """A number between ``low`` and ``high`` with two decimals, so that messages stay readable."""
    return round(rng.uniform(low, high), 2)


def nonzero_number(rng: random.Random, low: float = 0.5, high: float = 2.5) -> float:
    """A number whose size is between ``low`` and ``high``, of either sign: safe to divide by."""
    return round(rng.uniform(low, high), 2) * rng.choice((-1.0, 1.0))


def apply_op(op: str, operands: list) -> graph.Value:
    """The node that ``op`` ("+", "neg", "**2", "tanh", ...) makes from ``operands``, by the Values' own operators."""
    first = operands[0]
    if op == "+":
        return first + operands[1]
    if op == "-":
        return first - operands[1]
    if op == "*":
        return first * operands[1]
    if op == "/":
        return first / operands[1]
    if op == "neg":
        return -first
    if op.startswith("**"):
        return first ** float(op[2:])
    return getattr(first, op)()  # tanh, exp, sigmoid


@dataclass(frozen=True)
class Recipe:
    """A graph as leaf labels and steps (label, op, operand indices); index i < len(leaves) is a leaf.

    Steps only use nodes made before them, so the nodes ``build`` returns are in topological order.
    """

    leaves: tuple[str, ...]
    steps: tuple[tuple[str, str, tuple[int, ...]], ...]

    def build(self, value_type: type, data: list[float]) -> list:
        """Every node, leaves first: the leaves are ``value_type``s holding ``data``, the rest made by the steps."""
        nodes = [value_type(x, label=name) for name, x in zip(self.leaves, data, strict=True)]
        for label, op, operands in self.steps:
            node = apply_op(op, [nodes[i] for i in operands])
            node.label = label
            nodes.append(node)
        return nodes

    def label(self, index: int) -> str:
        """The label of node ``index``."""
        return self.leaves[index] if index < len(self.leaves) else self.steps[index - len(self.leaves)][0]

    def formula(self, index: int) -> str:
        """How node ``index`` is made, e.g. 'n3 = n2 - b'."""
        if index < len(self.leaves):
            return f"{self.leaves[index]} (a leaf)"
        label, op, operands = self.steps[index - len(self.leaves)]
        names = [self.label(i) for i in operands]
        if op == "neg":
            return f"{label} = -{names[0]}"
        if op.startswith("**"):
            return f"{label} = {names[0]}{op}"
        if op in ("+", "-", "*", "/"):
            return f"{label} = {names[0]} {op} {names[1]}"
        return f"{label} = {names[0]}.{op}()"


COURSE_GRAPH = Recipe(("a", "b", "c", "f"), (("e", "*", (0, 1)), ("d", "+", (4, 2)), ("L", "*", (5, 3))))
COURSE_DATA = [2.0, -3.0, 10.0, -2.0]  # the course's L = (a*b + c) * f = -8
SHARED_B = Recipe(("a", "b", "c"), (("s", "+", (0, 1)), ("t", "-", (1, 2)), ("L", "*", (3, 4))))
SQUARE_PLUS = Recipe(("x",), (("x*x", "*", (0, 0)), ("y", "+", (1, 0))))  # x*x + x: x is used three times


def random_recipe(rng: random.Random, n_leaves: int = 3, n_steps: int = 5) -> Recipe:
    """A random graph in which every step uses the one before (so all are reached from the last)
    and often an earlier node again (so nodes are shared). Divisors are leaves, which ``nonzero_number``
    keeps away from zero; at most one square, so that numbers stay readable."""
    leaves = tuple("abcdefgh"[:n_leaves])
    steps = []
    squared = False
    for k in range(n_steps):
        index = n_leaves + k
        op = rng.choice(("+", "-", "*", "/", "neg", "**2", "+", "*"))
        if op == "**2" and squared:
            op = "*"
        squared = squared or op == "**2"
        first = index - 1 if k > 0 else rng.randrange(n_leaves)
        if op == "neg" or op.startswith("**"):
            operands: tuple[int, ...] = (first,)
        elif op == "/":
            operands = (first, rng.randrange(n_leaves))
        else:
            other = rng.randrange(n_leaves) if rng.random() < 0.6 else rng.randrange(index)
            operands = (first, other) if rng.random() < 0.5 else (other, first)
        steps.append((f"n{k + 1}", op, operands))
    return Recipe(leaves, tuple(steps))


def twin_grads(recipe: Recipe, data: list[float]) -> list[float]:
    """Every node's gradient, by the package's backward() on a fresh copy of the graph."""
    twin = recipe.build(backprop.Value, data)
    twin[-1].backward()
    return [node.grad for node in twin]


def graphs_for(rng: random.Random, value_type: type, count: int) -> list[tuple[str, Recipe, list[float], list]]:
    """The course graph, x*x + x, and ``count`` random graphs, each as (description, recipe, data, nodes)."""
    cases = [
        ("the course's graph L = (a*b + c) * f", COURSE_GRAPH, COURSE_DATA),
        ("y = x*x + x", SQUARE_PLUS, [1.5]),
    ]
    for _ in range(count):
        recipe = random_recipe(rng)
        data = [nonzero_number(rng) for _ in recipe.leaves]
        steps = range(len(recipe.leaves), len(recipe.leaves) + len(recipe.steps))
        cases.append((f"the random graph {'; '.join(recipe.formula(i) for i in steps)}", recipe, data))
    return [(text, recipe, data, recipe.build(value_type, data)) for text, recipe, data in cases]


def op_cases(rng: random.Random, value_type: type, ops: tuple[str, ...]) -> list[tuple[str, list, graph.Value]]:
    """One node n per op, made from fresh leaves a (and b): (its formula with the data, its children, n)."""
    cases = []
    for op in ops:
        if op == "**0.5":
            data = [round(rng.uniform(0.5, 3.0), 2)]  # a square root needs a positive base
        else:
            data = [nonzero_number(rng), nonzero_number(rng)] if op in ("+", "-", "*", "/") else [nonzero_number(rng)]
        children = [value_type(x, label=name) for name, x in zip("ab"[: len(data)], data, strict=True)]
        node = apply_op(op, children)
        node.label = "n"
        recipe = Recipe(("a", "b")[: len(children)], (("n", op, tuple(range(len(children)))),))
        given = ", ".join(f"{child.label}={number_text(child.data)}" for child in children)
        cases.append((f"{recipe.formula(len(children))} with {given}", children, node))
    return cases


def slope(op: str, data: list[float], i: int) -> float:
    """d(op)/d(input i) at ``data`` by a central difference: independent of the local_grads it checks."""
    h = 1e-6 * max(1.0, abs(data[i]))

    def at(x: float) -> float:
        nudged = list(data)
        nudged[i] = x
        return apply_op(op, [activations.Value(v) for v in nudged]).data

    return (at(data[i] + h) - at(data[i] - h)) / (2 * h)
