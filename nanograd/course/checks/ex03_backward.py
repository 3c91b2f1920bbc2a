"""Checks of exercise 03, backward: local derivatives, backward() on a new graph, topological order, my_backward."""

from __future__ import annotations

import random
from collections.abc import Callable

from nanograd import backprop, graph
from nanograd.walk import topological_order

from .answers import describe, expect_close, items, node_name, number_text, wrong
from .graphs import graphs_for, op_cases, random_number, twin_grads
from .harness import call, task

BackpropValue = backprop.Value

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


@task("03_backward", "3", "Topological order")
def task_03_3(topo_order: Callable) -> str:
    """topo_order(root) lists every node of the graph once, each after all of its children."""
    rng = random.Random(302)
    chain = BackpropValue(0.5, label="x0")
    for i in range(1, 31):
        chain = chain + 1.0
        chain.label = f"x{i}"
    cases = [(text, nodes[-1]) for text, _, _, nodes in graphs_for(rng, BackpropValue, 3)]
    cases += [("a chain of 30 additions", chain), ("a single Value v", BackpropValue(1.0, label="v"))]
    for text, root in cases:
        every_node = topological_order(root)
        expected = set(every_node)
        order = items(call(topo_order, root), f"what topo_order returned for {text}")
        for item in order:
            if not isinstance(item, graph.Value):
                wrong(
                    f"for {text}, topo_order returned {describe(item)} in its list: list the nodes (Values) themselves"
                )
            times = sum(other is item for other in order)
            if times > 1:
                wrong(f"for {text}, {node_name(item)} appears {times} times: remember which nodes you have visited "
                      f"and visit each once")
            if item not in expected:
                wrong(f"for {text}, your list holds {node_name(item)}, which is not in this graph: start each call "
                      f"with an empty list")
        listed = set(order)
        missing = [node for node in every_node if node not in listed]  # in a fixed order: the same verdict every run
        if missing:
            wrong(f"for {text}, {node_name(missing[0])} is missing: visit every child of every node")
        position = {node: i for i, node in enumerate(order)}
        for node in order:
            for child in node.children:
                if position[child] > position[node]:
                    wrong(
                        f"for {text}, {node_name(node)} comes before its child {node_name(child)}: add a node to "
                        f"the list only after all of its children are in it"
                    )
    return (
        f"topo_order puts every node after its children, each once, in {len(cases)} graphs "
        f"(a 31-node chain included)."
    )


@task("03_backward", "4", "Your own backward")
def task_03_4(my_backward: Callable) -> str:
    """my_backward(root) fills in every node's grad (all start at 0.0), like root.backward()."""
    rng = random.Random(303)
    cases = graphs_for(rng, BackpropValue, 3)
    for text, recipe, data, nodes in cases:
        call(my_backward, nodes[-1])
        expected = twin_grads(recipe, data)
        expect_close(
            f"for {text}: the root's grad", nodes[-1].grad, 1.0, {}, "start with root.grad = 1.0 (d root / d root = 1)"
        )
        for index in reversed(range(len(nodes))):  # from the root down: the first wrong node is the informative one
            node, uses = nodes[index], recipe.uses(index)
            shared = f"{node.label} is used {uses} times: add each use's share (+=), do not overwrite it (=)"
            mistakes = {shared: uses > 1}
            expect_close(
                f"for {text}: {node.label}.grad", node.grad, expected[index], mistakes,
                "visit the nodes in reverse topological order (the root first), so that a node's grad is complete "
                "before it passes it on",
            )
    return f"my_backward gives every node the same grad as backward() in {len(cases)} graphs, shared nodes included."
