"""Stage 2, nanograd.chain_rule: grad, each op's local derivatives, and finite differences.

Local derivatives are checked against derivatives worked out by hand, with inputs chosen so that
every expected number is exact in binary floating point (so == is the honest comparison).
"""

import math
import re

import pytest

from nanograd.chain_rule import Value, finite_difference

# --- grad and local_grads on leaves


def test_a_leaf_starts_with_grad_zero_and_no_local_grads():
    a = Value(2, label="a")
    assert a.grad == 0.0 and type(a.grad) is float
    assert type(a.data) is float
    assert a.local_grads == ()


def test_every_result_starts_with_grad_zero_and_keeps_the_stage_2_type():
    a = Value(2.0)
    for out in (a + 1, 1 - a, a * a, a / 2, 3 / a, -a, a**2):
        assert type(out) is Value
        assert out.grad == 0.0 and type(out.grad) is float
        assert all(type(child) is Value for child in out.children)
        assert all(child.grad == 0.0 for child in out.children)


def test_repr_shows_data_and_grad_and_no_address():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    a.grad = 1.5
    assert repr(a) == "Value(data=2.0, grad=1.5, label='a')"
    e = a * 3
    assert repr(e) == "Value(data=6.0, grad=0.0)"
    assert not re.search(r"0x[0-9a-fA-F]+", repr(a) + repr(e))


# --- each op's local derivatives, d(out)/d(child) for each child in order


@pytest.mark.parametrize(
    "make, data, local_grads",
    [
        # a = 3, b = -4
        (lambda a, b: a + b, -1.0, (1.0, 1.0)),  # d/da = 1, d/db = 1
        (lambda a, b: a - b, 7.0, (1.0, -1.0)),  # d/da = 1, d/db = -1
        (lambda a, b: a * b, -12.0, (-4.0, 3.0)),  # d/da = b, d/db = a
        (lambda a, b: a / b, -0.75, (-0.25, -0.1875)),  # d/da = 1/b, d/db = -a/b**2 = -3/16
        (lambda a, b: b / a, -4.0 / 3.0, None),  # checked below with approx: 1/3 is not exact
    ],
    ids=["add", "sub", "mul", "truediv", "truediv-inexact"],
)
def test_binary_ops_local_grads(make, data, local_grads):
    a, b = Value(3.0, label="a"), Value(-4.0, label="b")
    out = make(a, b)
    assert out.data == data
    if local_grads is None:
        # out = b / a: d/db = 1/a = 1/3, d/da = -b/a**2 = 4/9
        assert out.local_grads == pytest.approx((1.0 / 3.0, 4.0 / 9.0), rel=1e-15)
    else:
        assert out.local_grads == local_grads
    assert all(type(g) is float for g in out.local_grads)


@pytest.mark.parametrize(
    "make, data, local_grads",
    [
        # a = 4; the constant is the child on its own side of the operator
        (lambda a: a + 2, 6.0, (1.0, 1.0)),
        (lambda a: 2 + a, 6.0, (1.0, 1.0)),  # __radd__
        (lambda a: a - 2, 2.0, (1.0, -1.0)),
        (lambda a: 2 - a, -2.0, (1.0, -1.0)),  # __rsub__: d(2 - a)/da = -1
        (lambda a: a * 2, 8.0, (2.0, 4.0)),
        (lambda a: 2 * a, 8.0, (4.0, 2.0)),  # __rmul__: children (2, a), so d/d2 = a = 4, d/da = 2
        (lambda a: a / 8, 0.5, (0.125, -0.0625)),  # d/da = 1/8, d/d8 = -a/64 = -1/16
        (lambda a: 6 / a, 1.5, (0.25, -0.375)),  # __rtruediv__: d/d6 = 1/a, d/da = -6/a**2 = -6/16
    ],
    ids=["add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv"],
)
def test_ops_with_a_plain_number_local_grads(make, data, local_grads):
    out = make(Value(4.0, label="a"))
    assert out.data == data
    assert out.local_grads == local_grads


def test_neg_local_grad():
    out = -Value(3.0)
    assert out.data == -3.0
    assert out.local_grads == (-1.0,)


@pytest.mark.parametrize(
    "base, exponent, data, slope",
    [
        (3.0, 2, 9.0, 6.0),  # d(x**2) = 2x
        (-2.0, 3, -8.0, 12.0),  # 3x**2
        (4.0, 0.5, 2.0, 0.25),  # 0.5 / sqrt(x)
        (2.0, -1, 0.5, -0.25),  # -1 / x**2
        (-2.0, -2, 0.25, 0.25),  # -2 / x**3 = -2 / -8
        (5.0, 0, 1.0, 0.0),  # a constant
        (7.0, 1, 7.0, 1.0),  # x itself
        (0.0, 2, 0.0, 0.0),  # 2x at 0
        (0.0, 1, 0.0, 1.0),
        (0.0, 1.5, 0.0, 0.0),  # 1.5 sqrt(x) at 0
    ],
)
def test_power_local_grad(base, exponent, data, slope):
    out = Value(base) ** exponent
    assert out.data == data
    assert out.local_grads == (slope,)


def test_x_times_x_has_one_local_grad_per_use():
    x = Value(3.0, label="x")
    out = x * x
    assert out.children == (x, x)
    assert out.local_grads == (3.0, 3.0)  # 2x = 6 once they are added up (stage 3 does that)


def test_the_l_graph_by_hand_with_the_chain_rule():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    assert (e.data, d.data, L.data) == (-6.0, 4.0, -8.0)
    # child.grad = local derivative * the grad of the result it feeds, from the output back
    L.grad = 1.0
    d.grad, f.grad = (g * L.grad for g in L.local_grads)
    e.grad, c.grad = (g * d.grad for g in d.local_grads)
    a.grad, b.grad = (g * e.grad for g in e.local_grads)
    # By hand: dL/dd = f = -2, dL/df = d = 4, dL/de = dL/dc = -2, dL/da = -2 * b = 6, dL/db = -2 * a = -4
    assert (a.grad, b.grad, c.grad, d.grad, e.grad, f.grad) == (6.0, -4.0, -2.0, -2.0, -2.0, 4.0)

    # and the same numbers by nudging each input
    def L_of(a_=2.0, b_=-3.0, c_=10.0, f_=-2.0):
        return (a_ * b_ + c_) * f_

    assert finite_difference(lambda x: L_of(a_=x), 2.0) == pytest.approx(a.grad, abs=1e-6)
    assert finite_difference(lambda x: L_of(b_=x), -3.0) == pytest.approx(b.grad, abs=1e-6)
    assert finite_difference(lambda x: L_of(c_=x), 10.0) == pytest.approx(c.grad, abs=1e-6)
    assert finite_difference(lambda x: L_of(f_=x), -2.0) == pytest.approx(f.grad, abs=1e-6)


# --- finite_difference


def test_the_two_formulas_by_hand():
    # f(x) = x**2 at 3 with h = 0.5: forward (3.5**2 - 9) / 0.5 = 6.5; central (3.5**2 - 2.5**2) / 1 = 6
    square = lambda x: x * x  # noqa: E731
    assert finite_difference(square, 3.0, h=0.5, central=False) == 6.5
    assert finite_difference(square, 3.0, h=0.5) == 6.0
    assert finite_difference(square, 3, h=0.5, central=True) == 6.0


def test_central_is_much_more_accurate_than_forward_for_a_smooth_function():
    exact = math.cos(1.0)  # d/dx sin(x) at 1
    central = abs(finite_difference(math.sin, 1.0, h=1e-3) - exact)
    forward = abs(finite_difference(math.sin, 1.0, h=1e-3, central=False) - exact)
    # Taylor: forward error ~ sin(1)/2 * h = 4.2e-4, central error ~ cos(1)/6 * h**2 = 9.0e-8
    assert forward == pytest.approx(math.sin(1.0) / 2 * 1e-3, rel=1e-2)
    assert central == pytest.approx(math.cos(1.0) / 6 * 1e-6, rel=1e-2)
    assert central < forward / 1000


def test_errors_shrink_like_h_and_like_h_squared():
    exact = math.cos(1.0)

    def error(h, central):
        return abs(finite_difference(math.sin, 1.0, h=h, central=central) - exact)

    # halving h halves the forward error and quarters the central one
    assert error(1e-2, False) / error(5e-3, False) == pytest.approx(2.0, rel=1e-2)
    assert error(1e-2, True) / error(5e-3, True) == pytest.approx(4.0, rel=1e-3)


def test_the_default_step_is_accurate():
    assert finite_difference(lambda x: x**3, 2.0) == pytest.approx(12.0, abs=1e-8)


def test_it_accepts_functions_that_return_values():
    def f(x):
        v = Value(x)
        return v * v + 1

    assert finite_difference(f, 3.0) == pytest.approx(6.0, abs=1e-8)
    assert finite_difference(f, 3.0, h=0.5, central=False) == 6.5


@pytest.mark.parametrize("bad_h", [0, 0.0, -1e-3, math.nan, math.inf, "0.1", None, True])
def test_a_bad_step_is_refused_and_named(bad_h):
    with pytest.raises(ValueError) as caught:
        finite_difference(lambda x: x, 1.0, h=bad_h)
    assert repr(bad_h) in str(caught.value)
    assert "h" in str(caught.value)


def test_a_value_as_the_point_says_to_pass_its_data():
    a = Value(3.0, label="a")
    with pytest.raises(TypeError) as caught:
        finite_difference(lambda x: x * x, a)
    assert ".data" in str(caught.value) and "'a'" in str(caught.value)


def test_a_function_that_returns_nothing_is_named():
    def forgot_to_return(x):
        x * x

    with pytest.raises(TypeError) as caught:
        finite_difference(forgot_to_return, 2.0)
    message = str(caught.value)
    assert "returned None" in message


@pytest.mark.parametrize("x, h", [(3.0, 1e-17), (1e20, 1e-6)])
def test_a_step_too_small_to_move_x_is_refused(x, h):
    # x + h == x in floating point: the difference quotient would be a silent 0.0.
    assert x + h == x
    with pytest.raises(ValueError, match="too small to move"):
        finite_difference(lambda t: t * t, x, h)
