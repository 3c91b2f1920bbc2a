"""Stage 4: the functions that make a neuron nonlinear, and the sums it is made of.

Each is one node with its value and its local derivative side by side, like the arithmetic
of stage 1. They are written so that large inputs stay finite: ``tanh`` and ``sigmoid``
never overflow, and ``exp`` and ``log`` say clearly when a result does not exist.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence

from nanograd import backprop
from nanograd.graph import Number, describe

LARGEST_EXP_INPUT = math.log(sys.float_info.max)
"""About 709.78: e to any larger number is too large for a float."""


class Value(backprop.Value):
    """A stage 3 Value with activation functions, ``exp`` and ``log``, and many-input sums."""

    __slots__ = ()

    def tanh(self) -> Value:
        """tanh(x), with derivative 1 - tanh(x)**2. ``math.tanh`` is exact at any size:
        the textbook (e**2x - 1) / (e**2x + 1) overflows for x above about 355."""
        t = math.tanh(self.data)
        return self.from_op("tanh", t, (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), with derivative s * (1 - s). e is only ever raised to -|x|, so it cannot overflow."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            ex = math.exp(x)
            s = ex / (1.0 + ex)
        return self.from_op("sigmoid", s, (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, x), with derivative 1 where x > 0 and 0 elsewhere (0 at x = 0 itself, by convention)."""
        x = self.data
        # (1.0,) and (0.0,) are constants that every relu node shares: no new tuple for the collector to count.
        return self.from_op("relu", x if x > 0.0 else 0.0, (self,), (1.0,) if x > 0.0 else (0.0,))

    def exp(self) -> Value:
        """e**x, which is its own derivative."""
        self._check_exp_input()
        ex = math.exp(self.data)
        return self.from_op("exp", ex, (self,), (ex,))

    def log(self) -> Value:
        """The natural logarithm, with derivative 1 / x; defined for x > 0 only."""
        self._check_log_input()
        return self.from_op("log", math.log(self.data), (self,), (1.0 / self.data,))

    # --- what exp and log refuse, kept apart so that each reads as its value and its local derivative

    def _check_exp_input(self) -> None:
        """Refuse an x whose e**x is too large for a float (``math.exp`` would raise a bare "math range error")."""
        if self.data > LARGEST_EXP_INPUT:
            raise OverflowError(
                f"exp({self.data!r}) is too large for a float ({describe(self)}); exp overflows "
                f"above about 709.78: scale the input down, or use tanh or sigmoid, which never overflow"
            )

    def _check_log_input(self) -> None:
        """Refuse an x of 0 or below, where log has no value."""
        if self.data <= 0.0:
            raise ValueError(
                f"log is undefined for {self.data!r} ({describe(self)}): log needs a positive number; "
                f"clip the input, e.g. log(max(x, 1e-12)), or check what made it {self.data!r}"
            )

    @classmethod
    def sum(cls, values: Iterable[Value | Number]) -> Value:
        """x1 + x2 + ... + xn as one node with n children, each with local derivative 1.

        The builtin ``sum()`` works on Values too, but makes a chain of n two-input nodes.
        """
        children = cls.coerce_all(values)
        total = 0.0
        for child in children:
            total += child.data
        return cls.from_op("sum", total, children, (1.0,) * len(children))

    @classmethod
    def weighted_sum(
        cls, weights: Sequence[Value | Number], inputs: Sequence[Value | Number], bias: Value | Number
    ) -> Value:
        """bias + w1*x1 + ... + wn*xn as one node: what a neuron computes before its activation.

        Its children are the weights, then the inputs, then the bias; d/dwi = xi, d/dxi = wi, d/dbias = 1.
        Plain numbers among them become constant leaves, as in ``sum``.
        """
        if len(weights) != len(inputs):
            raise ValueError(
                f"weighted_sum needs as many inputs as weights: got {len(inputs)} inputs for {len(weights)} weights"
            )
        weights = cls.coerce_all(weights)
        inputs = cls.coerce_all(inputs)
        bias = cls.coerce(bias)
        ws = [w.data for w in weights]
        xs = [x.data for x in inputs]
        total = bias.data
        for w, x in zip(ws, xs, strict=True):
            total += w * x
        return cls.from_op("w·x+b", total, (*weights, *inputs, bias), (*xs, *ws, 1.0))
