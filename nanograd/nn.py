"""Stage 5: layers of neurons, and networks of layers.

A ``Layer`` is several neurons that read the same inputs; an ``MLP`` (multi-layer perceptron)
feeds each layer's outputs to the next. ``MLP(2, [16, 16, 1])`` takes 2 numbers, has two hidden
layers of 16 neurons and one output neuron.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> len(model.parameters())      # (2+1)*16 + (16+1)*16 + (16+1)*1
    337
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from nanograd.core import Value
from nanograd.graph import Number, as_count
from nanograd.neuron import Module, Neuron, check_activation, make_rng

__all__ = ["Module", "Neuron", "Layer", "MLP"]


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """``sizes`` checked: a non-empty list of layer widths, each a whole number of at least 1."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer widths, e.g. [16, 16, 1], got {sizes!r}")
    if not sizes:
        raise ValueError(f"sizes must be a non-empty list of layer widths, e.g. [16, 16, 1], got {sizes!r}")
    return [as_count("each layer size", n, minimum=1) for n in sizes]


class Layer(Module):
    """``Layer(nin, nout, activation="tanh", seed=0)``: ``nout`` neurons, each reading all ``nin`` inputs.

    Calling it returns a list of ``nout`` Values, also when ``nout`` is 1.
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", seed: int | random.Random = 0) -> None:
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(as_count("nout", nout, minimum=1))]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        if len(x) != len(self.neurons[0].w):
            raise ValueError(f"this layer takes {len(self.neurons[0].w)} inputs, got {len(x)}")
        x = Value.coerce_all(x)  # numbers become Values once for all neurons, not once in each
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer({len(self.neurons[0].w)} -> {len(self.neurons)}, activation={self.neurons[0].activation!r})"


class MLP(Module):
    """``MLP(nin, sizes, activation="tanh", output_activation="linear", seed=0)``.

    ``sizes`` lists each layer's width, the output layer last. Hidden layers use ``activation``,
    the output layer ``output_activation``. With one output it returns a single Value,
    otherwise a list.
    """

    def __init__(
        self,
        nin: int,
        sizes: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: int | random.Random = 0,
    ) -> None:
        widths = [as_count("nin", nin, minimum=1), *check_sizes(sizes)]
        rng = make_rng(seed)
        activations = [check_activation(activation)] * (len(sizes) - 1) + [check_activation(output_activation)]
        self.layers = [Layer(widths[i], widths[i + 1], activations[i], rng) for i in range(len(sizes))]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        nin = len(self.layers[0].neurons[0].w)
        if len(x) != nin:
            raise ValueError(f"this MLP takes {nin} inputs, got {len(x)}")
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
