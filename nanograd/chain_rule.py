"""Stage 2: gradients, filled in by hand with the chain rule.

Every Value now has a ``grad``: the derivative of the final output with respect to that
Value, which starts at 0.0 and which you fill in yourself, from the output back. Every
result also keeps its op's ``local_grads``: the derivative of the result with respect to
each of its ``children``. The chain rule ties them together:

    child.grad = (its local derivative) * (the grad of the result it feeds)

and ``finite_difference`` checks any gradient by nudging an input and watching the output.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> e = a * b
    >>> e.local_grads          # de/da = b, de/db = a
    (-3.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nanograd import graph
from nanograd.graph import Number


class Value(graph.Value):
    """A stage 1 Value that also carries ``grad`` and, on results, ``local_grads``."""

    __slots__ = ("grad", "local_grads")
    _repr_fields = ("data", "grad")

    def __init__(self, data: Number, label: str = "") -> None:
        # Stage 1's __init__ and the two new fields, written out like from_op below: every constant that an op
        # turns into a Value comes through here, and a super().__init__() call would add to each one.
        self.data = graph.as_number(data)
        self.label = label
        self.children: tuple[Value, ...] = ()
        self.op = ""
        self.grad = 0.0
        self.local_grads: tuple[float, ...] = ()

    @classmethod
    def from_op(cls, op: str, data: float, children: tuple, local_grads: tuple) -> Value:
        # Stage 1's from_op and the two new fields, written out rather than calling super().from_op():
        # every node that an op of any later stage makes comes from here, and that call cost a quarter of an op.
        if not math.isfinite(data):
            graph.check_result(op, data)
        out = cls.__new__(cls)
        out.data = data
        out.label = ""
        out.children = children
        out.op = op
        out.grad = 0.0
        out.local_grads = local_grads
        return out


def finite_difference(f: Callable[[float], object], x: Number, h: float = 1e-6, central: bool = True) -> float:
    """Estimate the slope of ``f`` at ``x`` by nudging ``x`` by ``h``.

    ``central=True`` uses (f(x + h) - f(x - h)) / 2h, whose error shrinks like h**2;
    ``central=False`` uses (f(x + h) - f(x)) / h, whose error shrinks like h.
    ``f`` may return a float or a Value (its ``data`` is used).

    >>> round(finite_difference(lambda x: x * x, 3.0), 6)
    6.0
    """
    x = _nudgeable(x, h)
    if central:
        return (_number_of(f, x + h) - _number_of(f, x - h)) / (2.0 * h)
    return (_number_of(f, x + h) - _number_of(f, x)) / h


def _nudgeable(x: Number, h: float) -> float:
    """``x`` as a float that a step ``h`` moves, or an error that says what to pass instead."""
    if not graph.is_number(h) or not 0.0 < h < math.inf:
        raise ValueError(f"the step h must be a small positive number such as 1e-6, got {h!r}")
    if isinstance(x, graph.Value):
        raise TypeError(
            f"finite_difference nudges a plain number: pass the .data of {graph.describe(x)}, not the Value"
        )
    x = graph.as_number(x)
    if x + h == x or x - h == x:
        raise ValueError(f"the step h={h!r} is too small to move x={x!r} at all in floating point: use a larger h")
    return x


def _number_of(f: Callable[[float], object], point: float) -> float:
    """``f(point)`` as a float: f may return a number or a Value."""
    y = f(point)
    if isinstance(y, graph.Value):
        return y.data
    if graph.is_number(y):
        return float(y)
    raise TypeError(f"f must return a number or a Value, but f({point!r}) returned {y!r}")
