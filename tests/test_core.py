"""nanograd.core, the complete engine: the walk-through's example, random graphs against central
differences, memory (no reference cycles) and imports (the standard library only)."""

import gc
import math
import re
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nanograd
from nanograd import activations, backprop, chain_rule, core
from nanograd.core import Value

REPO = Path(__file__).resolve().parents[1]


def test_the_l_graph_by_backward():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    d = e + c
    f = Value(-2.0, label="f")
    L = d * f
    L.backward()
    # By hand: dL/dd = f, dL/df = d, dL/de = dL/dc = f, dL/da = f*b, dL/db = f*a.
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, d.grad, e.grad, f.grad, L.grad) == (6.0, -4.0, -2.0, -2.0, -2.0, 4.0, 1.0)


def test_core_is_the_last_stage_and_nothing_new():
    assert core.Value is activations.Value is nanograd.Value
    assert core.topological_order is backprop.topological_order
    assert core.finite_difference is chain_rule.finite_difference
    assert set(core.__all__) == {"Value", "topological_order", "finite_difference"}


def test_repr_shows_data_and_grad_and_never_an_address():
    a = Value(0.5, label="a")
    out = a.exp()
    out.label = "out"  # labels can be set after the fact
    out.backward()
    assert repr(a) == f"Value(data=0.5, grad={math.exp(0.5)!r}, label='a')"
    assert repr(out) == f"Value(data={math.exp(0.5)!r}, grad=1.0, label='out')"
    assert "0x" not in repr(a) + repr(out) + str(out)


# --- random expression graphs: backward() against central differences
#
# A graph is a random sequence of steps over a few leaves; each step applies one op to nodes picked
# (with reuse) from everything built so far. The same steps are replayed twice: on Values, and on plain
# floats with the math module, which is the independent truth. Steps whose inputs leave an op's safe
# range (a divisor near 0, log of a small number, relu near its kink, a result above 100) are dropped
# when the graph is planned, so that the central differences are accurate.

LIMIT = 100.0
EXPONENTS = (0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5)


def split_for_weighted_sum(args, number):
    """weights, inputs, bias from the picked operands; the first input is the plain number."""
    n = (len(args) - 1) // 2
    inputs = [number, *args[n + 1 : 2 * n]][:n]
    return args[:n], inputs, args[-1]


def float_weighted_sum(weights, inputs, bias):
    return bias + sum(w * x for w, x in zip(weights, inputs, strict=True))


# each op twice: on floats (the truth) and on Values; a = the picked operands, c = a number, k = an exponent.
# Arithmetic reads the same on both, which is the point of operator overloading; the rest differs.
ARITHMETIC_OPS = {
    "add": lambda a, c, k: a[0] + a[1],
    "sub": lambda a, c, k: a[0] - a[1],
    "mul": lambda a, c, k: a[0] * a[1],
    "truediv": lambda a, c, k: a[0] / a[1],
    "neg": lambda a, c, k: -a[0],
    "add number": lambda a, c, k: a[0] + c,
    "sub number": lambda a, c, k: a[0] - c,
    "mul number": lambda a, c, k: a[0] * c,
    "truediv number": lambda a, c, k: a[0] / c,
    "radd": lambda a, c, k: c + a[0],
    "rsub": lambda a, c, k: c - a[0],
    "rmul": lambda a, c, k: c * a[0],
    "rtruediv": lambda a, c, k: c / a[0],
    "pow": lambda a, c, k: a[0] ** k,
}
ON_FLOATS = {
    **ARITHMETIC_OPS,
    "tanh": lambda a, c, k: math.tanh(a[0]),
    "sigmoid": lambda a, c, k: 1.0 / (1.0 + math.exp(-a[0])),
    "relu": lambda a, c, k: max(a[0], 0.0),
    "exp": lambda a, c, k: math.exp(a[0]),
    "log": lambda a, c, k: math.log(a[0]),
    "Value.sum": lambda a, c, k: c + sum(a),
    "Value.weighted_sum": lambda a, c, k: float_weighted_sum(*split_for_weighted_sum(a, c)),
}
ON_VALUES = {
    **ARITHMETIC_OPS,
    "tanh": lambda a, c, k: a[0].tanh(),
    "sigmoid": lambda a, c, k: a[0].sigmoid(),
    "relu": lambda a, c, k: a[0].relu(),
    "exp": lambda a, c, k: a[0].exp(),
    "log": lambda a, c, k: a[0].log(),
    "Value.sum": lambda a, c, k: type(a[0]).sum([c, *a]),
    "Value.weighted_sum": lambda a, c, k: type(a[0]).weighted_sum(*split_for_weighted_sum(a, c)),
}
assert ON_FLOATS.keys() == ON_VALUES.keys()
STAGE_4_OPS = ("tanh", "sigmoid", "relu", "exp", "log", "Value.sum", "Value.weighted_sum")
ARITHMETIC = [name for name in ON_VALUES if name not in STAGE_4_OPS]
EVERY_OP = list(ON_VALUES)
ENGINES = {"stage 3 (arithmetic)": (backprop.Value, ARITHMETIC), "core (every op)": (Value, EVERY_OP)}


def is_safe(name, a, c, k):
    x = a[0]
    if name == "truediv":
        return abs(a[1]) >= 0.25
    if name == "truediv number":
        return abs(c) >= 0.25
    if name == "rtruediv":
        return abs(x) >= 0.25
    if name == "pow":
        return not (k < 0 and abs(x) < 0.25) and not (k != int(k) and x < 0.25)
    if name == "relu":
        return abs(x) >= 0.01
    if name == "exp":
        return x <= 4.0
    if name == "log":
        return x >= 0.25
    return True


def plan(leaf_values, steps):
    """The steps that stay in their ops' safe ranges, as (op, operand positions, number, exponent).

    A step whose picked operands are unsafe for its op tries them again in rotated order (so that
    log, say, finds a positive operand if one was picked), and is dropped only if none is safe.
    """
    values = list(leaf_values)
    kept = []
    for name, picks, number, exponent in steps:
        for turn in range(len(picks)):
            operands = [pick % len(values) for pick in picks[turn:] + picks[:turn]]
            args = [values[i] for i in operands]
            if is_safe(name, args, number, exponent):
                result = ON_FLOATS[name](args, number, exponent)
                if abs(result) <= LIMIT:
                    values.append(result)
                    kept.append((name, operands, number, exponent))
                    break
    return kept


def replay(kept, leaves, ops):
    """Every node of the planned graph, leaves first; the output is the builtin sum() of them all."""
    nodes = list(leaves)
    for name, operands, number, exponent in kept:
        nodes.append(ops[name]([nodes[i] for i in operands], number, exponent))
    return nodes, sum(nodes)


@st.composite
def graphs(draw, op_names):
    leaf_values = draw(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4))
    step = st.tuples(
        st.sampled_from(op_names),
        st.lists(st.integers(0, 63), min_size=2, max_size=6),
        st.floats(-3.0, 3.0),
        st.sampled_from(EXPONENTS),
    )
    steps = draw(st.lists(step, min_size=1, max_size=20))
    return leaf_values, plan(leaf_values, steps)


def central_difference(kept, leaf_values, i, h=1e-6):
    def output(x):
        moved = list(leaf_values)
        moved[i] = x
        return replay(kept, moved, ON_FLOATS)[1]

    return (output(leaf_values[i] + h) - output(leaf_values[i] - h)) / (2.0 * h)


def check_backward_against_central_differences(Engine, leaf_values, kept):
    leaves = [Engine(x, label=f"x{i}") for i, x in enumerate(leaf_values)]
    nodes, output = replay(kept, leaves, ON_VALUES)
    truth_nodes, _ = replay(kept, leaf_values, ON_FLOATS)
    for node, truth in zip(nodes, truth_nodes, strict=True):
        assert type(node) is Engine
        assert node.data == pytest.approx(truth, rel=1e-12, abs=1e-12)
    output.backward()
    assert output.grad == 1.0
    for i, leaf in enumerate(leaves):
        expected = central_difference(kept, leaf_values, i)
        assert math.isclose(leaf.grad, expected, rel_tol=1e-5, abs_tol=1e-6), f"d output / d {leaf.label}"


@pytest.mark.parametrize("engine", sorted(ENGINES))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_backward_matches_central_differences_on_random_graphs(engine, data):
    Engine, op_names = ENGINES[engine]
    leaf_values, kept = data.draw(graphs(op_names))
    check_backward_against_central_differences(Engine, leaf_values, kept)


@pytest.mark.parametrize(
    "name, exponent", [(name, 2) for name in EVERY_OP if name != "pow"] + [("pow", k) for k in EXPONENTS]
)
def test_each_op_alone_matches_central_differences(name, exponent):
    # every op and every exponent at least once, whatever the random graphs happened to draw
    leaf_values = [0.7, -1.3, 1.9, 0.45]
    kept = plan(leaf_values, [(name, [0, 1, 2, 3, 0], 1.7, exponent), (name, [2, 3, 4, 1, 0], -0.6, exponent)])
    assert [step[0] for step in kept] == [name, name]  # both steps were in their safe ranges
    check_backward_against_central_differences(Value, leaf_values, kept)


@settings(max_examples=150, deadline=None)
@given(graphs(EVERY_OP))
def test_a_second_backward_doubles_every_grad_exactly_on_random_graphs(graph):
    leaf_values, kept = graph
    _, output = replay(kept, [Value(x) for x in leaf_values], ON_VALUES)
    order = core.topological_order(output)
    output.backward()
    first = [node.grad for node in order]
    output.backward()
    assert [node.grad for node in order] == [2.0 * g for g in first]


@settings(max_examples=150, deadline=None)
@given(graphs(EVERY_OP))
def test_topological_order_on_random_graphs(graph):
    leaf_values, kept = graph
    nodes, output = replay(kept, [Value(x) for x in leaf_values], ON_VALUES)
    order = core.topological_order(output)
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)  # each node once
    assert order[-1] is output
    used = {id(child) for node in order for child in node.children}
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node.children)  # after its children
        assert node is output or id(node) in used  # and nothing that is not in the graph
    assert all(id(node) in position for node in nodes)


# --- memory: a graph is freed by reference counting alone


class Probe(Value):
    """The engine's Value, plus a weak-reference slot so a test can see when a node is freed."""

    __slots__ = ("__weakref__",)


def objects_only_the_cycle_collector_frees(build):
    """Run build() with the cycle collector off, then count the unreachable objects it left behind."""
    gc.collect()
    gc.disable()
    try:
        build()
        return gc.collect()
    finally:
        gc.enable()


def build_every_op_and_drop(Engine, check_freed):
    a, b = Engine(1.5, label="a"), Engine(-0.5, label="b")
    c = a * b + a / 2.0 - b**2 + 3 - a + (-b) + 2 * a - 1 / a + 1 / (1 + b * b)
    d = c.tanh() + c.sigmoid() + c.relu() + (c * 0.1).exp() + a.log()
    e = Engine.sum([c, d, a, 1.0]) + Engine.weighted_sum([a, b], [c, 2.0], d)
    out = sum([e, a, b])
    out.backward()
    if check_freed:
        refs = [weakref.ref(node) for node in core.topological_order(out)]
        del a, b, c, d, e, out
        assert len(refs) > 30
        assert all(ref() is None for ref in refs), "a node outlived its graph"


def test_a_dropped_graph_is_freed_at_once_and_leaves_no_cycles():
    assert objects_only_the_cycle_collector_frees(lambda: build_every_op_and_drop(Probe, check_freed=True)) == 0


class ClosureNode:
    """The other common design, for contrast: each result keeps a closure that refers to the result."""

    def __init__(self, data, children=()):
        self.data, self.grad, self.children = data, 0.0, children
        self.pass_back = lambda: None

    def __mul__(self, other):
        out = ClosureNode(self.data * other.data, (self, other))

        def pass_back():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out.pass_back = pass_back
        return out


def test_the_cycle_check_does_see_the_cycles_of_a_closure_based_design():
    def build():
        x = ClosureNode(2.0)
        y = x * x * x
        y.grad = 1.0
        y.pass_back()

    assert objects_only_the_cycle_collector_frees(build) > 0


# --- imports


def test_importing_the_engine_loads_only_the_standard_library():
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import nanograd.core\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "nanograd.core" in loaded  # the check ran
    outside = [name for name in loaded if name.split(".")[0] not in sys.stdlib_module_names | {"nanograd"}]
    assert outside == []
    for heavy in ("graphviz", "matplotlib", "numpy", "IPython"):
        assert not any(name.split(".")[0] == heavy for name in loaded)


# --- the reference walk-through, run exactly as written

WALKTHROUGH = REPO.parent / "shared" / "reference" / "backprop-walkthrough.txt"


def _walkthrough_code(text: str) -> list[str]:
    """The walk-through's code lines: those that compile and are more than a bare word ("Example #1")."""
    import ast

    lines = []
    for line in text.splitlines():
        try:
            tree = ast.parse(line)
        except SyntaxError:
            continue
        if tree.body and not (isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Name)):
            lines.append(line)
    return lines


@pytest.mark.skipif(
    not WALKTHROUGH.exists(), reason=f"the course's reference text is not beside this clone ({WALKTHROUGH})"
)
def test_the_reference_walkthrough_runs_as_written():
    code = _walkthrough_code(WALKTHROUGH.read_text(encoding="utf-8"))
    assert code[0] == "from nanograd.core import Value"
    assert sum(line.strip() == "L.draw_dot()" for line in code) == 2 and "n.backward()" in code
    # The text calls a method, L.draw_dot(); nanograd draws with a function, draw_dot(L), as micrograd does.
    code = [re.sub(r"^(\s*)(\w+)\.draw_dot\(\)", r"\1draw_dot(\2)", line) for line in code]
    code.insert(1, "from nanograd import draw_dot")
    neuron_starts = code.index('x1 = Value(1.0, label="x1")')
    namespace: dict = {}
    exec("\n".join(code[:neuron_starts]), namespace)
    assert namespace["L"].data == -8.0
    # Its L graph, by hand (the text's own dL/db = 4 is wrong: dL/db = dL/de * a = -2 * 2 = -4).
    assert [namespace[k].grad for k in "abcdef"] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0]
    exec("\n".join(code[neuron_starts:]), namespace)
    n = namespace["n"]
    assert n.data == 2.0
    # The neuron n = x1*w1 + x2*w2 + b: dn/dxi = wi, dn/dwi = xi, dn/db = 1. Its b is a new Value named b.
    assert [namespace[k].grad for k in ("x1", "x2", "w1", "w2", "b")] == [3.0, -1.0, 1.0, 2.0, 1.0]
    drawing = namespace["draw_dot"](n)
    assert "x1*w1 + x2*w2" in repr(drawing) and drawing.svg().lstrip().startswith("<?xml")
