"""Stage 3, nanograd.backprop: topological order and backward().

Gradients are compared with derivatives worked out by hand; random graphs are checked against
central differences in test_core.py.
"""

import gc
import subprocess
import sys
import textwrap

import pytest

from nanograd.backprop import Value, topological_order

DEFAULT_RECURSION_LIMIT = 1000


def reachable(root):
    """Every node of the graph that ends in root, found by a plain breadth-first walk (not the engine's)."""
    seen = {id(root): root}
    frontier = [root]
    while frontier:
        found = {id(child): child for node in frontier for child in node.children if id(child) not in seen}
        seen.update(found)
        frontier = list(found.values())
    return seen


def assert_topological(order, root):
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order), "a node appears twice"
    assert position.keys() == reachable(root).keys(), "the order misses a node or adds one"
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)], "a node comes before one of its children"
    assert order[-1] is root


# --- topological order


def test_topological_order_of_a_leaf_is_the_leaf():
    a = Value(1.0)
    assert topological_order(a) == [a]


def test_topological_order_of_a_diamond():
    a = Value(2.0, label="a")
    b = a * 3
    c = a + 1
    d = b * c
    order = topological_order(d)
    assert_topological(order, d)
    assert len(order) == 6  # a, the constants 3 and 1, b, c, d
    assert order[0] is a  # children are visited in order, so a (b's first child) comes first


def test_topological_order_lists_a_reused_node_once():
    x = Value(3.0)
    y = x * x
    z = y + y
    order = topological_order(z)
    assert order == [x, y, z]


def test_topological_order_of_a_deep_graph_with_shortcuts():
    # a chain 5,000 deep where every node also uses the node three steps back: many paths to each node
    nodes = [Value(1.0), Value(2.0), Value(3.0)]
    for _ in range(5_000):
        nodes.append((nodes[-1] + nodes[-3]) * 0.5)
    root = nodes[-1]
    order = topological_order(root)
    assert_topological(order, root)
    # each step adds the sum, the constant 0.5 and the product
    assert len(order) == 3 + 3 * 5_000


def test_the_walk_leaves_the_cycle_collector_as_it_found_it():
    root = Value(1.0) * Value(2.0) + 3.0
    assert gc.isenabled()
    topological_order(root)
    assert gc.isenabled()
    gc.disable()
    try:
        topological_order(root)
        assert not gc.isenabled()
    finally:
        gc.enable()
    # also when the walk fails: a node whose children are not a tuple of nodes
    broken = Value(1.0) * 2.0
    object.__setattr__(broken, "children", 7)
    with pytest.raises(TypeError):
        topological_order(broken + 1.0)
    assert gc.isenabled()


# --- backward on small graphs, against derivatives by hand


def test_backward_on_a_leaf_sets_its_grad_to_one():
    a = Value(5.0)
    a.backward()
    assert a.grad == 1.0


def test_backward_reaches_every_node():
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    # dL/dd = f, dL/df = d = 4, dL/de = dL/dc = f, dL/da = f * b, dL/db = f * a
    assert (L.grad, d.grad, f.grad, e.grad, c.grad, a.grad, b.grad) == (1.0, -2.0, 4.0, -2.0, -2.0, 6.0, -4.0)


def test_x_times_x_gives_two_x():
    x = Value(3.0, label="x")
    (x * x).backward()
    assert x.grad == 6.0


def test_a_plus_a_gives_two():
    a = Value(-1.5, label="a")
    (a + a).backward()
    assert a.grad == 2.0


def test_a_diamond_adds_both_paths():
    a = Value(2.0, label="a")
    b = a * 3
    c = a + 1
    d = b * c  # d = 3a(a + 1) = 3a**2 + 3a, so dd/da = 6a + 3 = 15
    d.backward()
    assert (b.grad, c.grad) == (3.0, 6.0)  # dd/db = c, dd/dc = b
    assert a.grad == 15.0


def test_every_op_passes_its_share_back():
    x = Value(2.0, label="x")
    y = Value(4.0, label="y")
    # out = (x - y) * (1 / y) + 3 * x**2 - (-x) / 2 + (1 - x)
    out = (x - y) * (1 / y) + 3 * x**2 - (-x) / 2 + (1 - x)
    out.backward()
    # d/dx = 1/y + 6x + 1/2 - 1 = 0.25 + 12 + 0.5 - 1 = 11.75
    # d/dy = -1/y + (x - y) * (-1/y**2) = -0.25 + (-2) * (-1/16) = -0.125
    assert out.data == (2.0 - 4.0) / 4.0 + 12.0 + 1.0 + (1.0 - 2.0)
    assert x.grad == 11.75
    assert y.grad == -0.125


def test_a_constant_in_the_graph_gets_its_gradient_too():
    a = Value(3.0)
    out = 2 * a
    out.backward()
    two = out.children[0]
    assert two.data == 2.0 and two.grad == 3.0 and a.grad == 2.0


def test_a_node_whose_gradient_is_zero_passes_nothing_back_and_the_nodes_after_it_still_count():
    a, b, c, d = Value(3.0, label="a"), Value(5.0, label="b"), Value(0.0, label="c"), Value(7.0, label="d")
    ab = a * b
    out = a * d + ab * c  # d/d(ab) = c = 0: ab and b get nothing; a * d, later in the walk back, still counts
    out.backward()
    assert ab.grad == 0.0 and b.grad == 0.0
    assert a.grad == 7.0  # d + b * c
    assert d.grad == 3.0  # a
    assert c.grad == 15.0  # a * b


# --- calling backward again


def all_grads(root):
    return [node.grad for node in topological_order(root)]


def test_a_second_backward_doubles_every_grad_exactly():
    a, b = Value(0.3, label="a"), Value(-1.7, label="b")
    c = a * b + b / 3.0
    d = c * c - a
    e = d * a + c**2
    first = all_grads(e)
    assert all(isinstance(g, float) for g in first)
    e.backward()
    once = all_grads(e)
    e.backward()
    twice = all_grads(e)
    assert twice == [2.0 * g for g in once]  # leaves and interior nodes alike, to the last bit
    assert e.grad == 2.0


def test_grads_accumulate_across_roots_until_zeroed():
    x = Value(3.0, label="x")
    square = x * x
    twice = x * 2
    square.backward()
    twice.backward()
    assert x.grad == 6.0 + 2.0
    x.grad = 0.0
    twice.backward()
    assert x.grad == 2.0


def test_a_grad_already_on_an_interior_node_is_not_fed_through_the_chain():
    x = Value(3.0, label="x")
    y = x * x
    z = y * 2
    y.grad = 100.0  # something earlier left a grad on y
    z.backward()
    assert y.grad == 100.0 + 2.0  # this pass's dz/dy is added to what was there
    assert x.grad == 12.0  # dz/dx = 4x, from this pass only: the 100 is not passed on


# --- depth: no recursion, at Python's default recursion limit


def test_backward_through_a_million_chained_nodes():
    assert sys.getrecursionlimit() == DEFAULT_RECURSION_LIMIT
    x = Value(0.5, label="x")
    c = Value(2.0, label="c")
    y = x
    middle = None
    for i in range(500_000):
        y = -(y + c)  # two op nodes a step: 1,000,000 in all
        if i == 249_999:
            middle = y
    # y alternates 0.5 -> -2.5 -> 0.5, so after an even number of steps it is 0.5 again
    assert y.data == 0.5
    y.backward()
    # dy/dx is (-1) ** 500,000 = 1; c enters with sign -1, +1, -1, ... 500,000 times: they cancel
    assert x.grad == 1.0
    assert c.grad == 0.0
    assert middle.grad == 1.0  # 250,000 negations after it
    assert middle.children[0].grad == -1.0


def test_backward_through_the_builtin_sum_of_a_hundred_thousand_values():
    assert sys.getrecursionlimit() == DEFAULT_RECURSION_LIMIT
    xs = [Value(float(i)) for i in range(100_000)]
    total = sum(xs)  # a chain 100,000 nodes deep: ((0 + x0) + x1) + ...
    assert total.data == 99_999 * 100_000 / 2
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_dropping_a_deep_graph_does_not_crash():
    # In a fresh interpreter, so that a crash while freeing shows here as an exit code, not as a dead test run.
    script = textwrap.dedent(
        """
        import gc, sys
        from nanograd.backprop import Value
        assert sys.getrecursionlimit() == 1000
        x, c = Value(0.5), Value(2.0)
        y = x
        for _ in range(500_000):
            y = -(y + c)
        del y
        total = sum(Value(1.0) for _ in range(100_000))
        del total
        gc.collect()
        print("freed")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "freed\n"
