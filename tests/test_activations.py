"""Stage 4, nanograd.activations: tanh, sigmoid, relu, exp, log, Value.sum and Value.weighted_sum.

Each value and local derivative is checked at points where it is known by hand (tanh(ln 2) = 3/5,
sigmoid(ln 3) = 3/4, ...), and each activation's gradient against the same function built from
arithmetic and exp, a second route through the engine.
"""

import math

import pytest

from nanograd import chain_rule
from nanograd.activations import Value

LN2, LN3 = math.log(2.0), math.log(3.0)


# --- each function: its value and its local derivative


@pytest.mark.parametrize(
    "x, value, slope",
    [
        (0.0, 0.0, 1.0),
        (LN2, 0.6, 0.64),  # tanh(ln 2) = (4 - 1) / (4 + 1) = 3/5; 1 - (3/5)**2 = 16/25
        (-LN2, -0.6, 0.64),
        (1000.0, 1.0, 0.0),  # saturated: exactly 1.0, no overflow
        (-1000.0, -1.0, 0.0),
    ],
)
def test_tanh(x, value, slope):
    out = Value(x, label="x").tanh()
    assert out.op == "tanh"
    assert out.data == pytest.approx(value, rel=1e-15, abs=1e-300)
    assert out.local_grads == pytest.approx((slope,), rel=1e-14, abs=1e-300)


def test_tanh_of_a_thousand_is_exactly_one_with_derivative_exactly_zero():
    out = Value(1000).tanh()
    assert out.data == 1.0
    assert out.local_grads == (0.0,)


@pytest.mark.parametrize(
    "x, value, slope",
    [
        (0.0, 0.5, 0.25),
        (LN3, 0.75, 0.1875),  # 1 / (1 + 1/3) = 3/4; s (1 - s) = 3/16
        (-LN3, 0.25, 0.1875),  # 1 / (1 + 3) = 1/4
    ],
)
def test_sigmoid(x, value, slope):
    out = Value(x).sigmoid()
    assert out.op == "sigmoid"
    assert out.data == pytest.approx(value, rel=1e-15)
    assert out.local_grads == pytest.approx((slope,), rel=1e-14)


def test_sigmoid_stays_finite_far_out():
    high, low = Value(1000.0).sigmoid(), Value(-1000.0).sigmoid()
    assert (high.data, high.local_grads) == (1.0, (0.0,))
    assert (low.data, low.local_grads) == (0.0, (0.0,))
    # just inside the float range, a tiny positive number rather than a crash
    edge = Value(-745.0).sigmoid()
    assert 0.0 < edge.data < 1e-300 and math.isfinite(edge.local_grads[0])


@pytest.mark.parametrize("x, value, slope", [(-2.0, 0.0, 0.0), (3.0, 3.0, 1.0), (0.0, 0.0, 0.0), (1e-300, 1e-300, 1.0)])
def test_relu(x, value, slope):
    out = Value(x).relu()
    assert out.op == "relu"
    assert out.data == value and type(out.data) is float
    assert out.local_grads == (slope,)


@pytest.mark.parametrize(
    "x, value",
    [(0.0, 1.0), (LN2, 2.0), (1.0, math.e), (-LN3, 1.0 / 3.0)],
)
def test_exp_is_its_own_derivative(x, value):
    out = Value(x).exp()
    assert out.op == "exp"
    assert out.data == pytest.approx(value, rel=1e-15)
    assert out.local_grads == (out.data,)


def test_exp_up_to_the_float_limit():
    assert math.isfinite(Value(709.0).exp().data)


def test_exp_overflow_names_the_value_and_label():
    x = Value(1000, label="x")
    with pytest.raises(OverflowError) as caught:
        x.exp()
    message = str(caught.value)
    assert "exp(1000.0)" in message
    assert "'x'" in message
    assert "too large" in message


@pytest.mark.parametrize(
    "x, value, slope",
    [(1.0, 0.0, 1.0), (4.0, 2.0 * LN2, 0.25), (math.e, 1.0, 1.0 / math.e), (0.5, -LN2, 2.0)],
)
def test_log(x, value, slope):
    out = Value(x).log()
    assert out.op == "log"
    assert out.data == pytest.approx(value, rel=1e-15)
    assert out.local_grads == pytest.approx((slope,), rel=1e-15)


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_a_number_that_is_not_positive_names_op_value_and_label(x):
    v = Value(x, label="p")
    with pytest.raises(ValueError) as caught:
        v.log()
    message = str(caught.value)
    assert message.startswith("log")
    assert repr(x) in message
    assert "'p'" in message


# --- each activation against the same function made of arithmetic and exp


def backward_grad(build, x):
    v = Value(x)
    build(v).backward()
    return v.grad


@pytest.mark.parametrize("x", [-2.5, -0.3, 0.0, 0.7, 3.0])
def test_tanh_matches_its_formula_in_exponentials(x):
    direct = backward_grad(Value.tanh, x)
    via_exp = backward_grad(lambda v: ((2 * v).exp() - 1) / ((2 * v).exp() + 1), x)
    assert direct == pytest.approx(via_exp, rel=1e-12, abs=1e-15)
    assert direct == pytest.approx(1.0 / math.cosh(x) ** 2, rel=1e-12)  # d tanh = sech**2


@pytest.mark.parametrize("x", [-4.0, -0.5, 0.0, 1.2, 6.0])
def test_sigmoid_matches_its_formula_in_exponentials(x):
    direct = backward_grad(Value.sigmoid, x)
    via_exp = backward_grad(lambda v: 1 / (1 + (-v).exp()), x)
    assert direct == pytest.approx(via_exp, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("x", [0.25, 1.0, 7.5])
def test_log_undoes_exp(x):
    v = Value(x)
    out = v.exp().log()
    assert out.data == pytest.approx(x, rel=1e-15)
    out.backward()
    assert v.grad == pytest.approx(1.0, rel=1e-15)  # (1 / e**x) * e**x


# --- many-input sums


def test_value_sum_is_one_node_with_a_child_per_term():
    a, b = Value(1.5, label="a"), Value(-4.0, label="b")
    total = Value.sum([a, b, 2, a])
    assert total.op == "sum"
    assert total.data == 1.5 - 4.0 + 2.0 + 1.5
    assert total.children[0] is a and total.children[1] is b and total.children[3] is a
    assert total.children[2].data == 2.0 and total.children[2].children == ()
    assert total.local_grads == (1.0, 1.0, 1.0, 1.0)
    total.backward()
    assert (a.grad, b.grad) == (2.0, 1.0)  # a is counted twice


def test_value_sum_takes_any_iterable_and_an_empty_one():
    assert Value.sum(Value(float(i)) for i in range(5)).data == 10.0
    empty = Value.sum([])
    assert (empty.data, empty.children, empty.local_grads) == (0.0, (), ())


def test_value_sum_of_a_hundred_thousand_is_one_node():
    xs = [Value(float(i)) for i in range(100_000)]
    total = Value.sum(xs)
    assert total.data == 99_999 * 100_000 / 2
    total.backward()
    assert all(x.grad == 1.0 for x in xs)


def test_value_sum_refuses_what_is_not_a_number():
    with pytest.raises(TypeError, match="not '3' of type str"):
        Value.sum([Value(1.0), "3"])


def test_value_sum_and_weighted_sum_take_values_of_an_earlier_stage_as_a_plus_b_does():
    a, s = Value(1.5, label="a"), chain_rule.Value(-4.0, label="s")
    assert (a + s).children == (a, s)
    total = Value.sum([a, s, 2])
    assert total.data == 1.5 - 4.0 + 2.0
    assert total.children[:2] == (a, s) and total.children[1] is s
    n = Value.weighted_sum([s], [a], s)  # -4.0 * 1.5 + -4.0
    assert n.data == -10.0 and n.children == (s, a, s)
    n.backward()
    assert (s.grad, a.grad) == (1.5 + 1.0, -4.0)


def test_weighted_sum_value_children_and_local_grads():
    w1, w2 = Value(2.0, label="w1"), Value(-3.0, label="w2")
    x1 = Value(0.5, label="x1")
    b = Value(1.0, label="b")
    n = Value.weighted_sum([w1, w2], [x1, 4.0], b)
    assert n.data == 1.0 + 2.0 * 0.5 + -3.0 * 4.0
    assert n.children[:3] == (w1, w2, x1) and n.children[4] is b
    assert n.children[3].data == 4.0
    # d/dw = the inputs, d/dx = the weights, d/db = 1
    assert n.local_grads == (0.5, 4.0, 2.0, -3.0, 1.0)
    n.backward()
    assert (w1.grad, w2.grad, x1.grad, b.grad) == (0.5, 4.0, 2.0, 1.0)


def test_weighted_sum_equals_the_same_sum_in_arithmetic():
    ws = [Value(0.3), Value(-1.1), Value(2.0)]
    xs = [Value(1.5), Value(0.25), Value(-0.75)]
    b = Value(0.1)
    one_node = Value.weighted_sum(ws, xs, b)
    one_node.backward()
    grads = [v.grad for v in (*ws, *xs, b)]
    for v in (*ws, *xs, b):
        v.grad = 0.0
    chain = b + ws[0] * xs[0] + ws[1] * xs[1] + ws[2] * xs[2]
    chain.backward()
    assert one_node.data == pytest.approx(chain.data, rel=1e-15)
    assert grads == [v.grad for v in (*ws, *xs, b)]


def test_weighted_sum_with_a_value_used_as_weight_and_input():
    w = Value(3.0)
    n = Value.weighted_sum([w], [w], Value(0.0))  # w * w
    n.backward()
    assert n.data == 9.0 and w.grad == 6.0


def test_weighted_sum_takes_plain_numbers_for_weights_and_bias():
    x = Value(2.0, label="x")
    n = Value.weighted_sum([0.5, -1.0], [x, 3.0], 0.25)
    assert n.data == 0.25 + 1.0 - 3.0
    n.backward()
    assert x.grad == 0.5


def test_weighted_sum_with_mismatched_lengths_says_how_many():
    with pytest.raises(ValueError) as caught:
        Value.weighted_sum([Value(1.0), Value(2.0)], [Value(1.0)], Value(0.0))
    message = str(caught.value)
    assert "1 inputs" in message and "2 weights" in message


# --- a neuron, the walk-through's example, by hand


@pytest.mark.parametrize("by", ["arithmetic", "weighted_sum"])
def test_the_walkthrough_neuron(by):
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.0 + math.log(1.0 + math.sqrt(2.0)), label="b")  # 6.8813735870195432: makes n = atanh(1/sqrt 2)
    n = x1 * w1 + x2 * w2 + b if by == "arithmetic" else Value.weighted_sum([w1, w2], [x1, x2], b)
    o = n.tanh()
    o.backward()
    # o = 1/sqrt(2), do/dn = 1 - o**2 = 1/2; then each grad is the other factor times 1/2
    assert o.data == pytest.approx(1.0 / math.sqrt(2.0), rel=1e-15)
    assert n.grad == pytest.approx(0.5, rel=1e-15)
    assert b.grad == pytest.approx(0.5, rel=1e-15)
    assert x1.grad == pytest.approx(-1.5, rel=1e-15)
    assert w1.grad == pytest.approx(1.0, rel=1e-15)
    assert x2.grad == pytest.approx(0.5, rel=1e-15)
    assert w2.grad == 0.0
