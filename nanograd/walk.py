"""Walking an expression graph: every node after the nodes it was made from.

Both ``backward()`` (stage 3) and the pictures need the nodes of a graph in this order, so it
lives here, below every stage, and relies on one thing only: a node's ``children``.
``nanograd.backprop`` teaches it and hands it on.
"""

from __future__ import annotations

import functools
import gc


def without_cycle_collector(walk):
    """``walk`` with Python's cycle collector paused while it runs (as it was before, afterwards).

    The collector runs whenever enough new containers have been made, and then looks at every
    object alive. A walk makes two containers per node on its stack (a tuple and an iterator),
    none of which can be part of a cycle: on a graph a million nodes deep they all stay alive at
    once, and the collector would go through the whole graph again and again for nothing
    (half the walk's time). Paused, it finds any cycles made elsewhere at its next run.
    """

    @functools.wraps(walk)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return walk(*args, **kwargs)
        gc.disable()
        try:
            return walk(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@without_cycle_collector
def topological_order(root) -> list:
    """Every node of the graph that ends in ``root``, each after all of its children.

    A depth-first walk without recursion. Each stack entry is a node and an iterator over the
    children it has yet to look at, so the list plays the part of Python's call stack: the walk
    goes down to a child not visited yet, and a node is appended once it has no child left.
    """
    order = []
    visited = {root}
    stack = [(root, iter(root.children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child not in visited:
                visited.add(child)
                if not child.children:
                    # A leaf has nothing to wait for: it goes straight into the order instead of onto
                    # the stack and off again, which makes the walk about a third faster on wide graphs.
                    order.append(child)
                    continue
                stack.append((child, iter(child.children)))
                break
        else:  # no child left to look at: all of them are in order already
            stack.pop()
            order.append(node)
    return order
