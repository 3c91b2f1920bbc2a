"""Truths that several test files compare against: activations written out with the math module,
a central difference taken by nudging a Value's data, and the setup cell every notebook opens with."""

import math

ACTIVATIONS_BY_HAND = {
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "linear": lambda z: z,
}


def central_difference(output, value, h: float = 1e-6) -> float:
    """d output() / d value, by nudging value.data both ways and putting it back."""
    start = value.data
    value.data = start + h
    up = output().data
    value.data = start - h
    down = output().data
    value.data = start
    return (up - down) / (2 * h)


SETUP_CHECK = """\
# Setup check: can this kernel import nanograd?
try:
    import nanograd
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "This kernel cannot import nanograd. In a terminal, in the course folder, run `make lab` "
        "(it installs nanograd and opens the course), then restart this kernel."
    ) from None
nanograd.check_setup("0.1.0")"""
