"""Checks of exercise 01, the value graph: build an expression, average Values, find the shared nodes, recompute."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from nanograd import graph
from nanograd.walk import topological_order

from .answers import (
    count,
    describe,
    diagnose,
    expect_close,
    items,
    node_name,
    number_text,
    numbers_text,
    printable,
    value,
    wrong,
)
from .graphs import SHARED_B, SQUARE_PLUS, Recipe, nonzero_number, random_number, random_recipe
from .harness import call, task

GraphValue = graph.Value


def _are(found: tuple, wanted: tuple) -> bool:
    """Whether ``found`` holds the very objects ``wanted``, in order: the same Values, not equal ones."""
    return len(found) == len(wanted) and all(x is y for x, y in zip(found, wanted, strict=True))


def _expect_node(node: graph.Value, op: str, children: tuple, name: str, formula: str) -> None:
    """``node`` is ``formula``: made by ``op`` from exactly the Values ``children``, in that order."""
    if node.op != op:
        made = f"made by {node.op!r}" if node.op else "a leaf with no history"
        wrong(f"{name} should be {formula} (made by {op!r}), but it is {made}")
    if _are(node.children, children):
        return
    if _are(node.children, children[::-1]):
        wrong(f"{name}'s children are in the wrong order: write {formula}, in that order")
    wrong(
        f"{name}'s children are not {', '.join(node_name(c) for c in children)} themselves: compute {formula} "
        f"from the Values you were given, not from new Values made from their numbers"
    )


@task("01_value_graph", "1", "Build an expression")
def task_01_1(build_expression: Callable) -> str:
    """build_expression(a, b, c) returns L = (a + b) * (b - c) with s = a + b and t = b - c, labelled s, t, L."""
    rng = random.Random(101)
    cases = [(2.0, -3.0, 10.0)] + [(random_number(rng), random_number(rng), random_number(rng)) for _ in range(3)]
    for a_data, b_data, c_data in cases:
        a, b, c = GraphValue(a_data, label="a"), GraphValue(b_data, label="b"), GraphValue(c_data, label="c")
        given = f"a={number_text(a_data)}, b={number_text(b_data)}, c={number_text(c_data)}"
        L = value(call(build_expression, a, b, c), f"what build_expression({given}) returned")
        if not L.op:
            wrong(
                "L has no history (no children, no op): build it from a, b and c with + - *, "
                "not as a new Value made from a number"
            )
        if L.op != "*":
            wrong(f"L is made by {L.op!r}, expected '*': the last step multiplies s = a + b by t = b - c")
        s, t = L.children
        _expect_node(s, "+", (a, b), "s (L's first child)", "a + b")
        _expect_node(t, "-", (b, c), "t (L's second child)", "b - c")
        expected = (a_data + b_data) * (b_data - c_data)
        expect_close(
            f"with {given}: L.data", L.data, expected, {},
            "the ops compute L.data = (a + b) * (b - c) for you: do not set it by hand",
        )
        for node, label, what in ((s, "s", "the sum a + b"), (t, "t", "the difference b - c"), (L, "L", "the result")):
            if node.label != label:
                wrong(f"{what} is labelled {printable(node.label)}, expected {label!r}: set {label}.label = {label!r}")
    return (
        "L = (a + b) * (b - c) has the right data, children, ops and labels on 4 inputs; "
        "b is one node that s and t share."
    )


@task("01_value_graph", "2", "Average a list of Values")
def task_01_2(mean: Callable) -> str:
    """mean(values) returns the mean of a list of Values, as a Value built from them."""
    rng = random.Random(102)
    # 3 first: there the sum and the division by len - 1 differ from each other and from the mean, and a
    # division by len - 1 is named before one Value makes it a division by zero
    for n in (3, 2, 5, 1, rng.randint(6, 9)):
        data = [random_number(rng) for _ in range(n)]
        values = [GraphValue(x, label=f"x{i}") for i, x in enumerate(data, 1)]
        result = value(call(mean, list(values)), f"the mean of {count(n, 'Value')}")
        total = math.fsum(data)
        mistakes = {
            "that is their sum; divide it by how many there are": total if n > 1 else None,
            "divide by len(values), not len(values) - 1": total / (n - 1) if n > 1 else None,
        }
        expect_close(
            f"the mean of {numbers_text(data)}", result.data, total / n, mistakes,
            "the mean is the sum of the values divided by how many there are",
        )
        reached = set(topological_order(result))
        missing = [v for v in values if v not in reached]
        if missing:
            wrong(
                f"for {count(n, 'Value')}, the result's graph does not reach {node_name(missing[0])}: build the "
                f"mean from the Values themselves with + and / (a Value made from a plain number, such as "
                f"Value(total), forgets where the number came from)"
            )
    return "mean gives the right Value for lists of 1 to 9 Values, and its graph reaches every one of them."


DIAMOND = Recipe(("a", "b"), (("n", "*", (0, 1)), ("m", "+", (2, 2)), ("L", "*", (3, 0))))
"""m = n + n uses n twice and L = m * a uses a a second time; b is used once, though two paths lead to it."""


def _uses_and_paths(root: graph.Value) -> tuple[dict, dict]:
    """How many times each node of root's graph is used (an entry of a node's children: a + a uses a twice),
    and how many paths lead to it from root: how often a walk that forgets what it has seen would count its uses."""
    order = topological_order(root)
    uses = {node: 0 for node in order}
    paths = {node: 0 for node in order}
    paths[root] = 1
    for node in reversed(order):  # root first: every path to a node is counted before the node passes them on
        for child in node.children:
            uses[child] += 1
            paths[child] += paths[node]
    return uses, paths


@task("01_value_graph", "3", "Find the shared nodes")
def task_01_3(shared_nodes: Callable) -> str:
    """shared_nodes(root) lists every node of root's graph that is used more than once, each exactly once."""
    rng = random.Random(103)
    a = GraphValue(3.0, label="a")
    constants = 5 * a + 1
    constants.label = "y"
    twice = a + a
    twice.label = "y"
    cases = [
        ("L = (a + b) * (b - c)", SHARED_B.build(GraphValue, [2.0, -3.0, 10.0])[-1]),
        ("y = x*x + x", SQUARE_PLUS.build(GraphValue, [1.5])[-1]),
        ("y = 5 * a + 1", constants),
        ("y = a + a", twice),
        ("n = a * b, m = n + n, L = m * a", DIAMOND.build(GraphValue, [2.0, -1.5])[-1]),
        ("a single Value v", GraphValue(4.0, label="v")),
    ]
    for _ in range(2):
        recipe = random_recipe(rng)
        nodes = recipe.build(GraphValue, [nonzero_number(rng) for _ in recipe.leaves])
        cases.append(("a random graph ending in " + recipe.formula(len(nodes) - 1), nodes[-1]))
    for text, root in cases:
        uses, paths = _uses_and_paths(root)
        found = items(call(shared_nodes, root), f"what shared_nodes returned for {text}")
        for item in found:
            if not isinstance(item, graph.Value):
                wrong(f"for {text}, shared_nodes returned {describe(item)} in its list: list the Values themselves")
            times = sum(other is item for other in found)
            if times > 1:
                wrong(f"for {text}, {node_name(item)} appears {times} times: list each shared node once")
            if item not in uses:
                wrong(
                    f"for {text}, your list holds {node_name(item)}, which is not in this graph: start every call "
                    f"with nothing counted yet"
                )
            if uses[item] < 2:
                used = "which nothing uses" if uses[item] == 0 else "which is used once"
                hint = diagnose(
                    item,
                    {f"which is used once, but {count(paths[item], 'path')} lead to it, and your count took that use "
                     f"once per path: visit each node once (remember the nodes you have seen), so that its children "
                     f"are counted once": paths[item] > 1},
                    f"{used}: list only the nodes used two or more times",
                )
                wrong(f"for {text}, your list holds {node_name(item)}, {hint}")
        for node, n in uses.items():
            if n > 1 and not any(item is node for item in found):
                users = {user for user in uses if node in user.children}
                hint = diagnose(
                    node,
                    {f"{node_name(next(iter(users)))} alone uses it {n} times, so count every entry of "
                     f"node.children, not each different child": len(users) == 1},
                    "walk into every child of every node you visit, and count each time a node is a child",
                )
                wrong(f"for {text}, {node_name(node)} is missing: it is used {n} times; {hint}")
    return (
        f"shared_nodes found every node used more than once, and no other, in {len(cases)} graphs "
        f"(a + a, x*x + x and shared inner nodes included)."
    )


_OP_RULES = {
    "+": "for '+' it is the first child's data plus the second child's data",
    "-": "for '-' it is the first child's data minus the second child's data",
    "*": "for '*' it is the first child's data times the second child's data",
    "/": "for '/' it is the first child's data divided by the second child's data",
    "neg": "for 'neg' it is minus the child's data",
    "**": "for '**k' it is the child's data to the power k, where k = float(node.op[2:])",
}
"""How each op makes a node's data from its children's: the hint for a node that one op got wrong."""

EVERY_OP = Recipe(
    ("a", "b"),
    (("n1", "+", (0, 1)), ("n2", "-", (2, 1)), ("n3", "*", (3, 0)), ("n4", "/", (4, 1)), ("n5", "neg", (5,)),
     ("n6", "**2", (6,))),
)  # one node per op, so that every op is checked whatever the random graphs hold


@task("01_value_graph", "4", "Recompute after a change")
def task_01_4(recompute: Callable) -> str:
    """recompute(root): after some leaves' data changed, bring every node's data up to date."""
    rng = random.Random(104)
    cases = [(SHARED_B, [2.0, -3.0, 10.0], [1.0, -3.0, 10.0]), (EVERY_OP, [1.5, -2.0], [0.5, 1.25])]
    for _ in range(4):
        recipe = random_recipe(rng)
        before = [nonzero_number(rng) for _ in recipe.leaves]
        cases.append((recipe, before, [nonzero_number(rng) for _ in recipe.leaves]))
    for recipe, before, after in cases:
        nodes = recipe.build(GraphValue, before)
        for leaf, x in zip(nodes[: len(after)], after, strict=True):  # the leaves come first among the nodes
            leaf.data = x
        stale = [node.data for node in nodes]
        call(recompute, nodes[-1])
        truth = recipe.build(GraphValue, after)
        changed = ", ".join(f"{name}={number_text(x)}" for name, x in zip(recipe.leaves, after, strict=True))
        for index, (node, twin) in enumerate(zip(nodes, truth, strict=True)):
            if index < len(recipe.leaves):
                if node.data != twin.data:
                    wrong(
                        f"recompute changed the leaf {node_name(node)} (to {number_text(node.data)}): "
                        f"only nodes made by an op change"
                    )
                continue
            op = recipe.steps[index - len(recipe.leaves)][1]
            expect_close(
                f"after the leaves became {changed}, the data of {recipe.formula(index)}", node.data, twin.data,
                {"it still holds its old value; recompute the nodes below the root too, children first": stale[index]},
                _OP_RULES["**" if op.startswith("**") else op],
            )
    return f"recompute brought every node of {len(cases)} graphs up to date, shared nodes and all six ops included."
