"""The package is built in stages that mirror the notebooks: what each stage offers, what it must not
offer yet, and that each stage adds to the one before instead of copying it."""

import ast
import inspect
import math
from itertools import pairwise
from pathlib import Path

import pytest

import nanograd
from nanograd import activations, backprop, chain_rule, core, graph, neuron, nn
from nanograd.pictures.drawing import GraphDrawing

ENGINE_STAGES = [graph, chain_rule, backprop, activations]  # in order; core re-exports the last
ALLOWED_OVERRIDES = {"__init__", "from_op", "_repr_fields"}
ARITHMETIC = [
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__neg__",
]
ACTIVATIONS = ["tanh", "exp", "log", "relu", "sigmoid", "sum", "weighted_sum"]


def leaf_and_product(module):
    a = module.Value(2.0, label="a")
    return a, a * 3.0


# --- stage 1: the graph, and nothing about gradients


def test_stage_1_has_the_graph_and_arithmetic():
    a, out = leaf_and_product(graph)
    assert (a.data, a.label, a.children, a.op) == (2.0, "a", (), "")
    assert (out.data, out.op, out.children[0]) == (6.0, "*", a)
    for op in ARITHMETIC:
        assert callable(getattr(graph.Value, op)), op


def test_stage_1_draws_a_graph_without_gradients():
    a, out = leaf_and_product(graph)
    drawing = nanograd.draw_dot(out)
    assert isinstance(drawing, GraphDrawing)
    header, *rows = drawing.summary.splitlines()[1:]
    assert header.split() == ["value", "data", "made", "by"]  # no grad column at stage 1
    assert [row.split() for row in rows] == [["a", "2.0000"], ["v1", "3.0000"], ["v2", "6.0000", "a", "*", "v1"]]


@pytest.mark.parametrize("name", ["grad", "local_grads", "backward", *ACTIVATIONS])
def test_stage_1_has_no_gradients_no_backward_no_activations(name):
    a, out = leaf_and_product(graph)
    assert not hasattr(a, name) and not hasattr(out, name)


def test_stage_1_module_offers_no_later_tools():
    assert not hasattr(graph, "finite_difference") and not hasattr(graph, "topological_order")


# --- stage 2: gradients by hand, no backward


def test_stage_2_has_grad_local_grads_and_finite_difference():
    a, out = leaf_and_product(chain_rule)
    assert (a.grad, out.grad, out.local_grads) == (0.0, 0.0, (3.0, 2.0))
    assert chain_rule.finite_difference(lambda x: 3.0 * x, 2.0, h=0.5) == 3.0


@pytest.mark.parametrize("name", ["backward", *ACTIVATIONS])
def test_stage_2_has_no_backward_and_no_activations(name):
    a, out = leaf_and_product(chain_rule)
    assert not hasattr(a, name) and not hasattr(out, name)
    assert not hasattr(chain_rule, "topological_order")


# --- stage 3: backward, no activations


def test_stage_3_has_backward_and_topological_order():
    a, out = leaf_and_product(backprop)
    out.backward()
    assert a.grad == 3.0
    assert backprop.topological_order(out)[-1] is out


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_stage_3_has_no_activations(name):
    a, out = leaf_and_product(backprop)
    assert not hasattr(a, name) and not hasattr(out, name) and not hasattr(backprop.Value, name)


# --- stage 4: everything; core is stage 4


@pytest.mark.parametrize("module", [activations, core])
def test_stage_4_has_it_all(module):
    a, out = leaf_and_product(module)
    for name in ["data", "label", "children", "op", "grad", "local_grads", "backward", *ARITHMETIC, *ACTIVATIONS]:
        assert hasattr(out, name), name
    y = out.tanh().exp().log().relu().sigmoid()  # sigmoid(t) with t = tanh(3a) = tanh(6) > 0
    y.backward()
    t = math.tanh(6.0)
    s = 1.0 / (1.0 + math.exp(-t))
    assert a.grad == pytest.approx(s * (1.0 - s) * (1.0 - t * t) * 3.0, rel=1e-9)


def test_neuron_is_stage_4_and_layers_are_stage_5():
    assert inspect.isclass(neuron.Neuron) and inspect.isclass(neuron.Module)
    assert not hasattr(neuron, "Layer") and not hasattr(neuron, "MLP")
    assert inspect.isclass(nn.Layer) and inspect.isclass(nn.MLP)
    assert nn.Neuron is neuron.Neuron and nn.Module is neuron.Module  # re-exported, not redefined
    assert neuron.Value is core.Value


# --- each stage adds to the one before; nothing is copied


def test_each_stage_value_extends_the_previous_one():
    for earlier, later in pairwise(ENGINE_STAGES):
        assert later.Value.__bases__ == (earlier.Value,), later.__name__
    assert core.Value is activations.Value


def parse(module):
    return ast.parse(Path(module.__file__).read_text())


def value_class(tree):
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Value"]
    return cls


def names_defined_in(cls):
    names = set()
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    # every class with __slots__ must list its own new attributes: that is not a copy
    return names - {"__slots__"}


def test_no_stage_redefines_what_an_earlier_stage_defines():
    defined_by = {}
    for module in ENGINE_STAGES:
        for name in names_defined_in(value_class(parse(module))):
            if name in defined_by and name not in ALLOWED_OVERRIDES:
                pytest.fail(f"{module.__name__}.Value redefines {name}, already defined in {defined_by[name]}")
            defined_by.setdefault(name, module.__name__)
    # the check looked at the real thing: the ops are where the stages say they are
    assert defined_by["__mul__"] == "nanograd.graph"
    assert defined_by["backward"] == "nanograd.backprop"
    assert defined_by["tanh"] == "nanograd.activations"


def test_no_function_is_defined_twice_or_copied_between_stages():
    seen_names, seen_bodies = {}, {}
    for module in [*ENGINE_STAGES, core]:
        for node in ast.walk(parse(module)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = ast.dump(ast.Module(body=node.body, type_ignores=[]))
            assert body not in seen_bodies or node.name in ALLOWED_OVERRIDES, (
                f"{module.__name__}.{node.name} has the same code as {seen_bodies[body]}"
            )
            seen_bodies.setdefault(body, f"{module.__name__}.{node.name}")
            if node.name not in ALLOWED_OVERRIDES:
                seen_names.setdefault(node.name, []).append(module.__name__)
    twice = {name: modules for name, modules in seen_names.items() if len(modules) > 1}
    assert twice == {}


def test_core_defines_nothing_of_its_own():
    tree = parse(core)
    assert not [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
