"""nanograd.core: the complete engine runs the course's reference walk-through exactly as written."""

from pathlib import Path

import pytest

from nanograd.core import Value

WALKTHROUGH = Path(__file__).resolve().parents[2] / "shared" / "reference" / "backprop-walkthrough.txt"


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
