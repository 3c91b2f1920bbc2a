"""Stage 1, nanograd.graph: a Value is a node that remembers its number, its children and its op.

Every expected number here is worked out by hand (and chosen to be exact in binary floating point).
"""

import re

import pytest

from nanograd import chain_rule
from nanograd.graph import Value, as_count, is_whole_number

# --- making a Value


def test_a_leaf_holds_a_float_its_label_and_no_history():
    a = Value(2, label="a")
    assert a.data == 2.0 and type(a.data) is float
    assert a.label == "a"
    assert a.children == ()
    assert a.op == ""


def test_label_defaults_to_empty_and_can_be_set_later():
    a = Value(1.5)
    assert a.label == ""
    a.label = "a"
    assert a.label == "a"
    e = a * 2
    e.label = "e"
    assert e.label == "e"
    assert "label='e'" in repr(e)


@pytest.mark.parametrize(
    "bad, shown",
    [("3", "'3'"), (None, "None"), ([1.0], "[1.0]"), (True, "True"), (1 + 2j, "(1+2j)")],
)
def test_a_value_refuses_what_is_not_a_real_number(bad, shown):
    with pytest.raises(TypeError) as caught:
        Value(bad)
    message = str(caught.value)
    assert shown in message  # names the bad value
    assert type(bad).__name__ in message  # and its type
    assert "int or float" in message  # and says what is accepted


# --- coerce: what every op does to its other operand


def test_coerce_passes_a_value_of_any_stage_through_as_it_is():
    a, later = Value(2.0, label="a"), chain_rule.Value(3.0, label="later")
    assert Value.coerce(a) is a
    assert Value.coerce(later) is later
    assert chain_rule.Value.coerce(a) is a


@pytest.mark.parametrize("number", [2, 2.5, -0.0])
def test_coerce_makes_a_plain_number_a_constant_leaf_of_the_class_it_is_called_on(number):
    leaf = Value.coerce(number)
    assert type(leaf) is Value and type(chain_rule.Value.coerce(number)) is chain_rule.Value
    assert leaf.data == float(number) and type(leaf.data) is float
    assert (leaf.children, leaf.op, leaf.label) == ((), "", "")
    later = Value(1.0) + chain_rule.Value(number)  # an op on a Value of another stage keeps it as it is
    assert type(later.children[1]) is chain_rule.Value


@pytest.mark.parametrize("bad", ["3", None, [1.0], True, 1 + 2j])
def test_coerce_refuses_anything_else_and_says_what_to_pass(bad):
    with pytest.raises(TypeError) as caught:
        Value.coerce(bad)
    message = str(caught.value)
    assert repr(bad) in message and type(bad).__name__ in message
    assert "a number (int or float) or another Value" in message


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_coerce_refuses_a_number_that_is_not_finite(bad):
    with pytest.raises(ValueError, match=f"a Value holds a finite number, not {bad!r}"):
        Value.coerce(bad)


# --- as_count: a size, a number of points


def test_as_count_gives_back_a_whole_number_at_or_above_its_minimum():
    assert as_count("nin", 1, minimum=1) == 1
    assert as_count("n", 7, minimum=2) == 7 and type(as_count("n", 7, minimum=2)) is int
    assert is_whole_number(3) and is_whole_number(-3)
    assert not is_whole_number(3.0) and not is_whole_number(True) and not is_whole_number("3")


@pytest.mark.parametrize("bad", [2.5, 2.0, True, "3", None])
def test_as_count_refuses_what_is_not_a_whole_number_with_a_type_error(bad):
    with pytest.raises(TypeError) as caught:
        as_count("nin", bad, minimum=1)
    assert str(caught.value) == f"nin must be a whole number of at least 1, got {bad!r} of type {type(bad).__name__}"


@pytest.mark.parametrize("bad", [1, 0, -3])
def test_as_count_refuses_a_count_below_its_minimum_with_a_value_error(bad):
    with pytest.raises(ValueError) as caught:
        as_count("n (the number of points)", bad, minimum=2)
    assert str(caught.value) == f"n (the number of points) must be a whole number of at least 2, got {bad}"


# --- each op: its value, its op name, its children in order


@pytest.mark.parametrize(
    "make, data, op",
    [
        (lambda a, b: a + b, -1.0, "+"),
        (lambda a, b: a - b, 7.0, "-"),
        (lambda a, b: a * b, -12.0, "*"),
        (lambda a, b: a / b, -0.75, "/"),
    ],
    ids=["add", "sub", "mul", "truediv"],
)
def test_binary_ops_with_two_values(make, data, op):
    a, b = Value(3.0, label="a"), Value(-4.0, label="b")
    out = make(a, b)
    assert out.data == data
    assert out.op == op
    assert out.children == (a, b)
    assert out.children[0] is a and out.children[1] is b


@pytest.mark.parametrize(
    "make, data, op, constant, number_first",
    [
        (lambda a: a + 2, 5.0, "+", 2.0, False),
        (lambda a: 2 + a, 5.0, "+", 2.0, True),
        (lambda a: a - 2, 1.0, "-", 2.0, False),
        (lambda a: 2 - a, -1.0, "-", 2.0, True),
        (lambda a: a * 2, 6.0, "*", 2.0, False),
        (lambda a: 2 * a, 6.0, "*", 2.0, True),
        (lambda a: a / 4, 0.75, "/", 4.0, False),
        (lambda a: 6 / a, 2.0, "/", 6.0, True),
        (lambda a: a + 0.5, 3.5, "+", 0.5, False),
        (lambda a: 1.5 - a, -1.5, "-", 1.5, True),
    ],
    ids=["add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "add-float", "rsub-float"],
)
def test_plain_numbers_on_either_side_become_constant_leaves_in_their_place(make, data, op, constant, number_first):
    a = Value(3.0, label="a")
    out = make(a)
    assert out.data == data
    assert out.op == op
    # The number keeps its side of the operator: 2 - a has children (2, a), a - 2 has (a, 2).
    number, value = out.children if number_first else reversed(out.children)
    assert value is a
    assert isinstance(number, Value) and number is not a
    assert number.data == constant and type(number.data) is float
    assert number.children == () and number.op == ""


def test_neg_has_one_child():
    a = Value(3.0, label="a")
    out = -a
    assert out.data == -3.0
    assert out.op == "neg"
    assert out.children == (a,)


@pytest.mark.parametrize(
    "base, exponent, data, op",
    [
        (3.0, 2, 9.0, "**2"),
        (-2.0, 3, -8.0, "**3"),
        (4.0, 0.5, 2.0, "**0.5"),
        (2.0, -1, 0.5, "**-1"),
        (-2.0, -2, 0.25, "**-2"),
        (5.0, 0, 1.0, "**0"),
        (0.0, 2, 0.0, "**2"),
    ],
)
def test_power_by_a_plain_number(base, exponent, data, op):
    x = Value(base, label="x")
    out = x**exponent
    assert out.data == data
    assert out.op == op
    assert out.children == (x,)


def test_builtin_sum_makes_a_chain_that_starts_at_zero():
    a, b, c = Value(1.0), Value(2.0), Value(4.0)
    total = sum([a, b, c])
    assert total.data == 7.0
    # sum() computes ((0 + a) + b) + c: the first node is made by a.__radd__(0).
    assert total.children[1] is c
    assert total.children[0].children[1] is b
    first = total.children[0].children[0]
    assert first.children[1] is a and first.children[0].data == 0.0


# --- reuse: a node used twice is one node, listed twice


def test_x_times_x_keeps_x_twice_in_order():
    x = Value(3.0, label="x")
    out = x * x
    assert out.data == 9.0
    assert type(out.children) is tuple
    assert out.children == (x, x)
    assert out.children[0] is out.children[1] is x


def test_a_plus_a_and_a_diamond_share_nodes():
    a = Value(2.0, label="a")
    doubled = a + a
    assert doubled.data == 4.0 and doubled.children == (a, a)
    b = a * 3
    c = a + 1
    d = b * c  # a feeds d along two paths: the diamond
    assert d.data == 6.0 * 3.0
    assert d.children == (b, c)
    assert b.children[0] is a and c.children[0] is a


# --- errors: each names the op, the value and the Value's label


def test_division_by_zero_names_op_value_and_label():
    a, b = Value(1.0, label="a"), Value(0.0, label="b")
    with pytest.raises(ZeroDivisionError) as caught:
        a / b
    message = str(caught.value)
    assert "division" in message and "1.0 / 0.0" in message
    assert "'b'" in message


def test_a_number_divided_by_a_zero_value_names_it():
    b = Value(0.0, label="b")
    with pytest.raises(ZeroDivisionError) as caught:
        3 / b
    message = str(caught.value)
    assert "3.0 / 0.0" in message and "'b'" in message


def test_an_unlabelled_value_is_called_so():
    with pytest.raises(ZeroDivisionError, match="unlabelled"):
        Value(1.0) / Value(0.0)


def test_zero_to_a_negative_power_names_op_value_and_label():
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError) as caught:
        x**-1
    message = str(caught.value)
    assert "**" in message and "0.0" in message and "-1" in message
    assert "'x'" in message


def test_negative_base_to_a_fractional_power_names_op_value_and_label():
    x = Value(-8.0, label="x")
    with pytest.raises(ValueError) as caught:
        x**0.5
    message = str(caught.value)
    assert "-8.0 ** 0.5" in message
    assert "'x'" in message
    assert "not a real number" in message


def test_a_power_too_large_for_a_float_says_so():
    x = Value(10.0, label="x")
    with pytest.raises(OverflowError) as caught:
        x**400
    message = str(caught.value)
    assert "10.0 ** 400" in message and "'x'" in message


def test_a_power_whose_derivative_is_too_large_for_a_float_says_so():
    x = Value(1e-300, label="tiny")
    with pytest.raises(OverflowError) as caught:
        x**-1  # 1e300 is a float, but its derivative -x**-2 = -1e600 is not
    message = str(caught.value)
    assert "1e-300 ** -1.0 is too large for a float" in message and "'tiny'" in message


def test_value_to_a_value_power_is_refused_and_says_how():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    with pytest.raises(TypeError) as caught:
        x**y
    assert "Value ** Value is not supported" in str(caught.value)


def test_number_to_a_value_power_is_refused_and_says_how():
    x = Value(3.0, label="x")
    with pytest.raises(TypeError) as caught:
        2**x
    assert "number ** Value is not supported" in str(caught.value)


@pytest.mark.parametrize("bad", ["2", None, [1.0]])
def test_arithmetic_with_something_that_is_not_a_number_is_refused(bad):
    a = Value(1.0, label="a")
    with pytest.raises(TypeError) as caught:
        a + bad
    assert repr(bad) in str(caught.value)


# --- looking at it


def test_repr_shows_data_and_label_and_no_address():
    a = Value(2.0, label="a")
    e = a * Value(-3.0)
    assert repr(a) == "Value(data=2.0, label='a')"
    assert repr(e) == "Value(data=-6.0)"
    for shown in (repr(a), repr(e), str(e)):
        assert not re.search(r"0x[0-9a-fA-F]+", shown)


def test_values_have_slots_and_no_instance_dict():
    a = Value(1.0)
    assert not hasattr(a, "__dict__")
    with pytest.raises(AttributeError):
        a.grad = 1.0  # stage 1 has no gradient


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_non_finite_number_is_refused(bad):
    with pytest.raises(ValueError, match=f"a Value holds a finite number, not {bad!r}"):
        Value(bad)


@pytest.mark.parametrize("make, op", [
    (lambda: Value(1e308, label="big") * 10.0, "*"),
    (lambda: Value(1e308) + 1e308, "+"),
    (lambda: Value(-1e308) - 1e308, "-"),
    (lambda: Value(1e308) / 1e-10, "/"),
])
def test_an_overflowing_result_is_an_error_not_inf(make, op):
    with pytest.raises(OverflowError, match=f"the result of {re.escape(op)} is not a finite number \\(inf|-inf\\)"):
        make()
