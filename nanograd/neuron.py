"""Stage 4: a neuron, the unit that networks are built from.

A neuron weighs each input, adds a bias and bends the result with an activation function:

    out = activation(w1*x1 + w2*x2 + ... + wn*xn + b)

Its weights and bias are its *parameters*, the Values that training will change.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> len(n.parameters())
    3
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from nanograd.core import Value
from nanograd.graph import Number, as_count, is_whole_number

ACTIVATIONS = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "linear": None,
}


def make_rng(seed: int | random.Random) -> random.Random:
    """A random.Random from an int seed, or the one given (so that layers can share theirs)."""
    if isinstance(seed, random.Random):
        return seed
    if is_whole_number(seed):
        return random.Random(seed)
    raise TypeError(f"seed must be an int or a random.Random, not {seed!r}")


def check_activation(activation: str) -> str:
    """``activation`` if it names one of ``ACTIVATIONS``, else a ValueError that lists them."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(map(repr, ACTIVATIONS))}")
    return activation


class Module:
    """Anything with parameters: ``parameters()`` lists them, ``zero_grad()`` resets their gradients."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's grad back to 0.0: ``backward()`` adds to grads, it never resets them."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """``Neuron(nin, activation="tanh", seed=0)``: ``nin`` weights drawn uniformly from [-1, 1] and a bias of 0.

    ``activation`` is "tanh", "relu", "sigmoid" or "linear" (none). Calling it on ``nin``
    numbers or Values returns one Value.
    """

    def __init__(self, nin: int, activation: str = "tanh", seed: int | random.Random = 0) -> None:
        rng = make_rng(seed)
        nin = as_count("nin", nin, minimum=1)
        self.w = [Value(rng.uniform(-1.0, 1.0), label=f"w{i}") for i in range(1, nin + 1)]
        self.b = Value(0.0, label="b")
        self.activation = check_activation(activation)

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        n = Value.weighted_sum(self.w, x, self.b)
        activation = ACTIVATIONS[self.activation]
        return activation(n) if activation else n

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(nin={len(self.w)}, activation={self.activation!r})"
