"""Stage 1: a Value is a node of an expression graph.

Every arithmetic operation on Values makes a new Value that remembers three things:
its number (``data``), the Values it was made from (``children``, in order) and the
operation that made it (``op``). Together they form a graph from the inputs to the result,
which ``nanograd.draw_dot(value)`` pictures.

    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> e = a * b
    >>> e.data, e.op, [child.label for child in e.children]
    (-6.0, '*', ['a', 'b'])

Each operation also states its *local derivatives* (how its result moves when each input
moves) right beside its value, so that each op is written in exactly one place. This stage
sets them aside; stage 2 (``nanograd.chain_rule``) keeps them on every node.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from itertools import repeat
from typing import Any

Number = int | float


def is_number(x: Any) -> bool:
    """Whether ``x`` is a real number (int, float, or the like); a ``bool`` is not taken for one."""
    if type(x) is float or type(x) is int:  # the common cases first: asking numbers.Real takes 4 times as long
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def as_number(x: Any) -> float:
    """``x`` as a finite float; a ``TypeError`` names anything that is not a real number (a ``bool``
    is not taken for one), a ``ValueError`` names inf and nan."""
    if type(x) is float and math.isfinite(x):  # the common case first: this runs for every constant
        return x
    if is_number(x):
        if not math.isfinite(x):
            raise ValueError(f"a Value holds a finite number, not {x!r}: find where the {x!r} came from")
        return float(x)
    raise TypeError(
        f"a Value holds a real number (int or float), not {x!r} of type {type(x).__name__}; "
        f"convert it first, e.g. Value(float(...))"
    )


def is_whole_number(x: Any) -> bool:
    """Whether ``x`` is a whole number of an integer type (int, or the like); 2.0 and ``True`` are not."""
    return is_number(x) and isinstance(x, numbers.Integral)


def as_count(name: str, n: Any, minimum: int) -> int:
    """``n`` as a count of something (a size, a number of points) that must be at least ``minimum``.

    ``name`` says in the messages what is counted. A ``TypeError`` names anything that is not a whole
    number (2.5, 2.0, "3" and ``True`` are not), a ``ValueError`` a count below ``minimum``.
    """
    if not is_whole_number(n):
        raise TypeError(f"{name} must be a whole number of at least {minimum}, got {n!r} of type {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, got {n!r}")
    return int(n)


def check_result(op: str, data: float) -> None:
    """Refuse the result of ``op`` if it is inf or nan: the node would pass it on, silently, to everything after it."""
    if not math.isfinite(data):
        raise OverflowError(
            f"the result of {op} is not a finite number ({data!r}): it overflowed, or an input's "
            f"data was set to inf or nan; scale the inputs down or look for where they blew up"
        )


def describe(value: Value) -> str:
    """How error messages name a Value: by its label when it has one."""
    return f"Value {value.label!r}" if value.label else "an unlabelled Value"


class Value:
    """A number that remembers how it was computed.

    ``Value(data, label="")``: ``data`` is an int or a float and is stored as a float;
    ``label`` names the value in pictures and error messages, and may be set later.
    """

    # __slots__ keeps each node small (no per-instance dict): graphs hold many thousands of them.
    __slots__ = ("data", "label", "children", "op")
    _repr_fields: tuple[str, ...] = ("data",)

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = as_number(data)
        self.label = label
        self.children: tuple[Value, ...] = ()  # a tuple, in order: x * x has the child x twice
        self.op = ""

    @classmethod
    def from_op(cls, op: str, data: float, children: tuple, local_grads: tuple) -> Value:
        """The Value that operation ``op`` computes from ``children``.

        ``local_grads[i]`` is the derivative of ``data`` with respect to ``children[i]``.
        This stage does not keep it; stage 2 does.
        """
        if not math.isfinite(data):  # tested here, explained in check_result: a call on every op costs ~10%
            check_result(op, data)
        # __new__ makes the node without running __init__, whose checks are for a number a person typed:
        # an op's result is already a float, and skipping them keeps every op fast.
        out = cls.__new__(cls)
        out.data = data
        out.label = ""
        out.children = children
        out.op = op
        return out

    @classmethod
    def coerce(cls, x: Value | Number) -> Value:
        """``x`` as a Value: a Value (of any stage) as it is, a plain number as a constant leaf of this class.

        Every op, ``sum`` and ``weighted_sum`` take their inputs through here, so all of them accept the same things.
        """
        if isinstance(x, Value):
            return x
        if is_number(x):
            return cls(x)
        raise TypeError(
            f"a Value combines with a number (int or float) or another Value, not {x!r} of type "
            f"{type(x).__name__}; convert it first, e.g. float(...)"
        )

    @classmethod
    def coerce_all(cls, xs: Iterable[Value | Number]) -> tuple[Value, ...]:
        """``coerce`` for many at once: a tuple of Values, as ``sum`` and ``weighted_sum`` need their children.

        When every one is a Value already (a network's weights and inputs), a single check over all
        of them replaces a call per item: that halves the cost of a neuron's ``weighted_sum``.
        """
        xs = tuple(xs)
        if all(map(isinstance, xs, repeat(Value))):
            return xs
        return tuple(map(cls.coerce, xs))

    # --- arithmetic: each op's value, then its local derivatives with respect to (self, other)

    def __add__(self, other: Value | Number) -> Value:
        other = self.coerce(other)
        return self.from_op("+", self.data + other.data, (self, other), (1.0, 1.0))

    def __sub__(self, other: Value | Number) -> Value:
        other = self.coerce(other)
        return self.from_op("-", self.data - other.data, (self, other), (1.0, -1.0))

    def __mul__(self, other: Value | Number) -> Value:
        other = self.coerce(other)
        return self.from_op("*", self.data * other.data, (self, other), (other.data, self.data))

    def __truediv__(self, other: Value | Number) -> Value:
        other = self.coerce(other)
        self._check_divisor(other)
        quotient = self.data / other.data
        return self.from_op("/", quotient, (self, other), (1.0 / other.data, -quotient / other.data))

    def __pow__(self, exponent: Number) -> Value:
        k = self._check_exponent(exponent)
        x = self.data
        try:  # a power too large for a float raises OverflowError (it never gives inf); x**0 is 1, of slope 0
            power, slope = x**k, (k * x ** (k - 1.0) if k != 0.0 else 0.0)
        except OverflowError:
            raise self._too_large(k) from None
        return self.from_op(f"**{k:g}", power, (self,), (slope,))

    def __neg__(self) -> Value:
        return self.from_op("neg", -self.data, (self,), (-1.0,))

    # Python tries these when the left operand is a plain number: 2 * a, 1 - a, 0 + a (sum() starts at 0).
    def __radd__(self, other: Number) -> Value:
        return self.coerce(other) + self

    def __rsub__(self, other: Number) -> Value:
        return self.coerce(other) - self

    def __rmul__(self, other: Number) -> Value:
        return self.coerce(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return self.coerce(other) / self

    def __rpow__(self, base: Number) -> Value:
        raise TypeError(
            "number ** Value is not supported: the exponent must be a plain number. "
            "For b ** x with a Value x, compute (x * math.log(b)).exp()"
        )

    # --- what the ops refuse, kept out of the ops so that each reads as its value and its local derivatives

    def _check_divisor(self, other: Value) -> None:
        """Refuse to divide by zero: the quotient and its derivatives would be infinite."""
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"division by zero in {self.data!r} / {other.data!r}: the divisor "
                f"({describe(other)}) is 0.0; make sure it cannot be zero, e.g. add a small epsilon"
            )

    def _check_exponent(self, exponent: Number) -> float:
        """``exponent`` as a float k, once ``self.data ** k`` and its derivative are sure to be real numbers."""
        if isinstance(exponent, Value):
            raise TypeError(
                "Value ** Value is not supported: the exponent must be a plain number. "
                "For a Value exponent y, compute x ** y as (y * x.log()).exp()"
            )
        k = as_number(exponent)
        x = self.data
        if x == 0.0 and k < 1.0 and k != 0.0:
            problem = "is a division by zero" if k < 0.0 else "has an infinite derivative"
            raise ZeroDivisionError(f"0.0 ** {k!r} {problem} ({describe(self)} is 0.0); keep the base away from zero")
        if x < 0.0 and not k.is_integer():
            raise ValueError(
                f"{x!r} ** {k!r} is not a real number ({describe(self)} is negative and the "
                f"exponent is not a whole number)"
            )
        return k

    def _too_large(self, k: float) -> OverflowError:
        """The error for ``self.data ** k`` or its derivative being too large for a float."""
        return OverflowError(f"{self.data!r} ** {k!r} is too large for a float ({describe(self)})")

    # --- looking at it

    def __repr__(self) -> str:
        shown = [f"{name}={getattr(self, name)!r}" for name in self._repr_fields]
        if self.label:
            shown.append(f"label={self.label!r}")
        return f"Value({', '.join(shown)})"
