"""Checks of exercise 05, an MLP: a layer, an MLP, a training loop and a learning-rate experiment."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from nanograd import graph
from nanograd.data import two_moons
from nanograd.nn import MLP, Neuron
from nanograd.training import accuracy, classification_loss, training_step

from .answers import count, describe, diagnose, expect_close, items, number, number_text, value, wrong
from .graphs import random_number
from .harness import call, task

TRAINING_SEED = 3
"""The seed of the MLP(2, [4, 1]) that task 3 hands to train, and of the reference runs it is compared with."""

_BY_HAND = {
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "sigmoid": lambda z: 0.5 * (1.0 + math.tanh(z / 2)),  # = 1 / (1 + e**-z), without overflow for large -z
    "linear": lambda z: z,
}
"""Each activation of nanograd.neuron on a plain float, written here so the truth does not call the Neuron."""


def _forward_by_hand(neuron: Neuron, x: list[float]) -> float:
    """One neuron's output from its numbers, in plain floats: independent of its __call__."""
    if neuron.activation not in _BY_HAND:
        raise ValueError(f"no forward pass by hand for the activation {neuron.activation!r}")
    z = math.fsum(w.data * xi for w, xi in zip(neuron.w, x, strict=True)) + neuron.b.data
    return _BY_HAND[neuron.activation](z)


def _neurons_of(layer: Any, what: str) -> list:
    """The Neurons a layer keeps in ``layer.neurons``; else a wrong verdict."""
    neurons = getattr(layer, "neurons", None)
    if not isinstance(neurons, (list, tuple)):
        wrong(f"{what} has no list `neurons`: keep the layer's neurons in self.neurons")
    for neuron in neurons:
        if not isinstance(neuron, Neuron):
            wrong(f"{what}.neurons holds {describe(neuron)}: it should hold Neuron objects")
    return list(neurons)


def _check_parameters(model: Any, neurons: list, what: str) -> None:
    """``model.parameters()`` lists every weight and bias of ``neurons``, each once, as Values."""
    params = items(call(model.parameters, name=f"{what}.parameters"), f"what {what}.parameters() returned")
    for p in params:
        if not isinstance(p, graph.Value):
            mistakes = {
                "flatten it into one list of Values": isinstance(p, (list, tuple)),
                "list the parameters themselves (Values), not their numbers": graph.is_number(p),
            }
            hint = diagnose(p, mistakes, "list only Values: each weight and bias once")
            wrong(f"{what}.parameters() holds {describe(p)}: {hint}")
    expected = [p for neuron in neurons for p in neuron.parameters()]
    if len(params) != len(expected) or {id(p) for p in params} != {id(p) for p in expected}:
        wrong(
            f"{what}.parameters() has {len(params)} Values, expected the {len(expected)} weights and biases "
            f"of its neurons, each once"
        )


@task("05_an_mlp", "1", "A layer")
def task_05_1(MyLayer: Callable) -> str:
    """MyLayer(nin, nout, seed=0): nout tanh neurons in self.neurons, each reading all nin inputs."""
    rng = random.Random(501)
    for nin, nout, seed in ((3, 4, 0), (2, 1, 5), (rng.randint(1, 4), rng.randint(2, 5), rng.randint(1, 99))):
        what = f"MyLayer({nin}, {nout}, seed={seed})"
        layer = call(MyLayer, nin, nout, seed)
        neurons = _neurons_of(layer, what)
        if len(neurons) != nout or any(len(n.w) != nin for n in neurons):
            wrong(
                f"{what} has {count(len(neurons), 'neuron')} with {[len(n.w) for n in neurons]} weights; "
                f"expected {count(nout, 'neuron')} with {count(nin, 'weight')} each"
            )
        if any(n.activation != "tanh" for n in neurons):
            wrong(f"{what}'s neurons use {sorted({n.activation for n in neurons})}: this layer's neurons use tanh")
        weights = [tuple(w.data for w in n.w) for n in neurons]
        if nout > 1 and len(set(weights)) == 1:
            wrong(
                f"all {nout} neurons of {what} have the same weights, so they would all learn the same thing: "
                f"make one random.Random(seed) and pass that same generator to every Neuron"
            )
        again = _neurons_of(call(MyLayer, nin, nout, seed), what)
        if [tuple(w.data for w in n.w) for n in again] != weights:
            wrong(
                f"two layers made as {what} have different weights: draw them from random.Random(seed), "
                f"not from the random module itself"
            )
        x = [random_number(rng) for _ in range(nin)]
        out = call(layer, x, name=f"{what}(x)")
        if isinstance(out, graph.Value):
            wrong(
                f"{what}(x) returned a single Value: a layer always returns a list (here of {nout}), "
                f"so that the next layer can read it"
            )
        out = items(out, f"what {what}(x) returned", nout)
        for i, (output, neuron) in enumerate(zip(out, neurons, strict=True)):
            expect_close(
                f"output {i} of {what}(x)", value(output, f"output {i} of {what}(x)").data,
                _forward_by_hand(neuron, x), {}, "output i is neurons[i](x), in the order of self.neurons",
            )
        _check_parameters(layer, neurons, what)
    return (
        "MyLayer makes distinct, reproducible neurons, returns a list of their outputs (even of one), "
        "and lists every parameter once."
    )


_WHY_THIS_ACTIVATION = {
    "linear": "the output layer is linear, so that a score can go past ±1",
    "tanh": "hidden layers bend with tanh; without a bend, linear layers add up to one linear map",
}


def _layers_of(model: Any, nin: int, sizes: list[int], what: str) -> list[list[Neuron]]:
    """The neurons of each layer of ``model``, checked against ``sizes``: tanh layers, then a linear one."""
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)):
        wrong(f"{what} has no list `layers`: keep its layers in self.layers")
    if len(layers) != len(sizes):
        wrong(f"{what} has {count(len(layers), 'layer')}, expected {len(sizes)}, one per entry of sizes")
    widths = [nin, *sizes]
    every_layer = []
    for i, layer in enumerate(layers):
        neurons = _neurons_of(layer, f"layer {i} of {what}")
        if len(neurons) != widths[i + 1] or any(len(n.w) != widths[i] for n in neurons):
            wrong(
                f"layer {i} of {what} has {count(len(neurons), 'neuron')} with {sorted({len(n.w) for n in neurons})} "
                f"inputs; expected {count(widths[i + 1], 'neuron')} reading {count(widths[i], 'input')} each"
            )
        wanted = "linear" if i == len(sizes) - 1 else "tanh"
        if any(n.activation != wanted for n in neurons):
            wrong(
                f"layer {i} of {what} uses {neurons[0].activation!r}, expected {wanted!r}: "
                f"{_WHY_THIS_ACTIVATION[wanted]}"
            )
        every_layer.append(neurons)
    return every_layer


@task("05_an_mlp", "2", "An MLP")
def task_05_2(MyMLP: Callable) -> str:
    """MyMLP(nin, sizes, seed=0): layers of the given sizes in self.layers, tanh ones and a linear output layer."""
    rng = random.Random(502)
    # (2, [2, 1]) first: every layer reads 2 numbers there, so a layer fed x instead of the layer before gets a hint
    for nin, sizes, seed in ((2, [2, 1], 4), (2, [3, 1], 0), (3, [4, 4, 2], 1), (2, [16, 16, 1], 0)):
        what = f"MyMLP({nin}, {sizes}, seed={seed})"
        model = call(MyMLP, nin, list(sizes), seed)
        layers = _layers_of(model, nin, sizes, what)
        firsts = [tuple(w.data for w in neurons[0].w[:2]) for neurons in layers]
        if len(firsts) > 1 and firsts[0] == firsts[1]:
            wrong(
                f"every layer of {what} starts with the same weights: make one random.Random(seed) and pass it "
                f"to every layer"
            )
        x = [random_number(rng) for _ in range(nin)]
        expected = x
        for neurons in layers:
            expected = [_forward_by_hand(neuron, expected) for neuron in neurons]
        last = layers[-1]
        fed_x = [_forward_by_hand(neuron, x) for neuron in last] if len(last[0].w) == nin else [None] * len(last)
        out = call(model, x, name=f"{what}(x)")
        if sizes[-1] == 1:
            if isinstance(out, (list, tuple)):
                wrong(f"{what}(x) returned a list: with one output, return the Value itself (out[0])")
            got = [value(out, f"what {what}(x) returned")]
        else:
            got = [value(v, f"an output of {what}(x)") for v in items(out, f"what {what}(x) returned", sizes[-1])]
        for k, (output, truth, mistaken) in enumerate(zip(got, expected, fed_x, strict=True)):
            expect_close(
                f"output {k} of {what}(x)", output.data, truth,
                {"each layer reads the outputs of the layer before it, not x": mistaken},
                "feed each layer's outputs to the next layer, and return what the last layer gives",
            )
        _check_parameters(model, [n for neurons in layers for n in neurons], what)
    return (
        "MyMLP builds the right layers (tanh, then a linear output), computes the same outputs as a float "
        "forward pass, and lists all 337 parameters of MyMLP(2, [16, 16, 1])."
    )


def _reference_losses(
    X: list, y: list, steps: int, learning_rate: float, zero_grad: bool = True, direction: float = -1.0
) -> list[float]:
    """The loss before each update of a fresh MLP(2, [4, 1], seed=TRAINING_SEED): the course's loop, or with
    ``zero_grad=False`` or ``direction=1.0`` the same loop with a known mistake."""
    model = MLP(2, [4, 1], seed=TRAINING_SEED)
    losses = []
    for _ in range(steps):
        loss, _ = classification_loss(model, X, y)
        if zero_grad:
            model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += direction * learning_rate * p.grad
        losses.append(loss.data)
    return losses


@task("05_an_mlp", "3", "A training loop")
def task_05_3(train: Callable) -> str:
    """train(model, X, y, steps, learning_rate) runs full-batch gradient descent and returns each step's loss."""
    X, y = two_moons(20, noise=0.1, seed=2)
    model = MLP(2, [4, 1], seed=TRAINING_SEED)
    losses = items(call(train, model, X, y, 4, 0.5), "what train(model, X, y, 4, 0.5) returned", 4)
    twin = MLP(2, [4, 1], seed=TRAINING_SEED)
    expected = [training_step(twin, X, y, 0.5)[0] for _ in range(4)]
    without_zero_grad = _reference_losses(X, y, 4, 0.5, zero_grad=False)
    uphill = _reference_losses(X, y, 4, 0.5, direction=1.0)
    for k, (loss, truth) in enumerate(zip(losses, expected, strict=True)):
        mistakes = {
            "the usual cause: backward() adds to every grad, so call model.zero_grad() before it, on every step":
                without_zero_grad[k],
            "the loss grows: step against the gradient, p.data -= learning_rate * p.grad": uphill[k],
            "the loss of step 1 is classification_loss(model, X, y) on the untouched model": k == 0,
        }
        expect_close(
            f"on two_moons(20) with MLP(2, [4, 1]) and learning rate 0.5, step {k + 1}'s loss",
            loss.data if isinstance(loss, graph.Value) else loss, truth, mistakes,  # a list of loss Values is fine
            "each step: loss, zero_grad(), backward(), then p.data -= learning_rate * p.grad for every parameter",
        )
    for i, (mine, theirs) in enumerate(zip(model.parameters(), twin.parameters(), strict=True)):
        expect_close(
            f"after train(model, X, y, 4, 0.5), parameter {i} of the model", mine.data, theirs.data, {},
            "the losses are right but the model you were given is not where 4 updates take it: update that "
            "model, once per step",
        )
    X, y = two_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    call(train, model, X, y, 50, 0.5)
    score = accuracy([model(point) for point in X], y)
    if score < 0.95:
        wrong(
            f"after train(model, X, y, 50, 0.5), MLP(2, [16, 16, 1]) classifies {score:.0%} of two_moons(100) "
            f"correctly; expected at least 95%: every step learns from all of X and y"
        )
    return (
        f"your loop matches training_step step for step, and 50 steps train MLP(2, [16, 16, 1]) to {score:.0%} "
        f"on two_moons(100)."
    )


def _loss_after(learning_rate: float, steps: int) -> tuple[float, float]:
    """The loss after ``steps`` updates of a fresh MLP(2, [8, 8, 1]) on two_moons(50), and the loss before the last."""
    X, y = two_moons(50, noise=0.1, seed=1)
    model = MLP(2, [8, 8, 1], seed=0)
    before_last = math.nan
    for _ in range(steps):
        before_last, _ = training_step(model, X, y, learning_rate)
    return classification_loss(model, X, y)[0].data, before_last


@task("05_an_mlp", "4", "A learning-rate experiment")
def task_05_4(loss_after: Callable) -> str:
    """loss_after(learning_rate, steps): the loss of a fresh MLP(2, [8, 8, 1]) on two_moons(50) after its updates."""
    rng = random.Random(504)
    cases = [(0.1, 3), (rng.choice((0.05, 0.3, 1.0)), 2)]
    learning_rate, steps = cases[0]
    what = f"loss_after({learning_rate:g}, {steps})"
    first, second = (number(call(loss_after, learning_rate, steps), what) for _ in range(2))
    if first != second:
        wrong(
            f"two calls of {what} gave {number_text(first)} and then {number_text(second)}: make a fresh "
            f"MLP(2, [8, 8, 1], seed=0) inside the function, so that every run starts from the same weights"
        )
    for learning_rate, steps in cases:
        what = f"loss_after({learning_rate:g}, {steps})"
        expected, before_last = _loss_after(learning_rate, steps)
        mistakes = {
            "that is the loss before the last update (what training_step returns); compute "
            "classification_loss(model, X, y) once more after the loop": before_last,
        }
        expect_close(
            what, call(loss_after, learning_rate, steps), expected, mistakes,
            "train MLP(2, [8, 8, 1], seed=0) on two_moons(50, noise=0.1, seed=1) with training_step, as the task says",
        )
    return "loss_after trains a fresh model each time and reports the loss after its last update, as the package does."
