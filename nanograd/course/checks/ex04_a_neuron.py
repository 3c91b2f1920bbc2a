"""Checks of exercise 04, a neuron: tanh from the sigmoid, the sigmoid from exp, the sigmoid's slopes, a neuron and its
gradients."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from nanograd import activations
from nanograd.nn import Neuron
from nanograd.walk import topological_order

from .answers import Mistakes, expect_close, items, number_text, numbers_text, value, wrong
from .graphs import random_number
from .harness import call, task

NeuronValue = activations.Value


def _check_built_from(
    function: Callable, name: str, activation: str, parts: str, mistakes: Callable[[float], Mistakes],
    otherwise: str, seed: int,
) -> int:
    """Check that ``function(x)`` is the package's ``activation`` (its data and its slope), built from Value
    operations (``parts``) without calling that activation itself; ``mistakes(x)`` are the known wrong formulas
    at x. Returns how many points were tried."""
    rng = random.Random(seed)
    points = [0.5, -1.2, 0.0] + [random_number(rng) for _ in range(3)]
    for point in points:
        x = NeuronValue(point, label="x")
        out = value(call(function, x), f"what {name}(x) returned for x={number_text(point)}")
        made = topological_order(out)
        if any(node.op == activation for node in made):
            wrong(f"{name} calls .{activation}() itself: build it from {parts}")
        if not any(node is x for node in made):
            wrong(
                f"the result of {name}(x) does not depend on x: build it from x with Value operations, "
                f"not from math.* on x.data"
            )
        expected = getattr(NeuronValue(point), activation)()
        expect_close(
            f"{name}(x) at x={number_text(point)}", out.data, expected.data, mistakes(point), otherwise,
            rel=1e-9, abs_tol=1e-12,
        )
        out.backward()
        expect_close(
            f"after backward(), x.grad at x={number_text(point)}", x.grad, expected.local_grads[0], {},
            "every step must be a Value operation: a number taken out with .data is a constant to backward()",
            rel=1e-7, abs_tol=1e-9,
        )
    return len(points)


@task("04_a_neuron", "1", "tanh from the sigmoid")
def task_04_1(tanh_via_sigmoid: Callable) -> str:
    """tanh_via_sigmoid(x) builds tanh(x) = 2 * sigmoid(2x) - 1 from Value operations and .sigmoid()."""

    def mistakes(x: float) -> Mistakes:
        s2x = NeuronValue(2 * x).sigmoid().data
        return {
            "that is 2σ(x) - 1, which is tanh(x/2): the sigmoid's input is 2x, i.e. (2 * x).sigmoid()":
                math.tanh(x / 2),
            "the sign is flipped": -math.tanh(x),
            "that is σ(2x) - 1: multiply the sigmoid by 2 before you take 1 away": s2x - 1,
            "that is 2σ(2x): take 1 away": 2 * s2x,
        }

    otherwise = "tanh(x) = 2σ(2x) - 1: twice the sigmoid of 2x, minus 1"
    parts = ".sigmoid(), + - * and numbers"
    tried = _check_built_from(tanh_via_sigmoid, "tanh_via_sigmoid", "tanh", parts, mistakes, otherwise, seed=401)
    return f"tanh_via_sigmoid matches tanh and its slope 1 - tanh(x)**2 at {tried} points."


@task("04_a_neuron", "2", "sigmoid through exp")
def task_04_2(sigmoid_via_exp: Callable) -> str:
    """sigmoid_via_exp(x) builds 1 / (1 + e**-x) from Value operations."""

    def mistakes(x: float) -> Mistakes:
        return {"that is sigmoid(-x); the exponent is -x, i.e. (-x).exp()": NeuronValue(-x).sigmoid().data}

    otherwise = "sigmoid(x) = 1 / (1 + e**-x), where e**-x is (-x).exp()"
    parts = ".exp(), + - * / and numbers"
    tried = _check_built_from(sigmoid_via_exp, "sigmoid_via_exp", "sigmoid", parts, mistakes, otherwise, seed=402)
    return f"sigmoid_via_exp matches the sigmoid and its slope at {tried} points."


def _sigmoid_slope_at(x: float) -> float:
    """The sigmoid's slope at x, as the package stores it on a sigmoid node."""
    return NeuronValue(x).sigmoid().local_grads[0]


@task("04_a_neuron", "3", "The sigmoid's slopes by hand")
def task_04_3(sigmoid_slopes: Callable) -> str:
    """sigmoid_slopes(s) returns (σ'(x), σ''(x)) from s = σ(x) alone, by formulas worked out by hand."""
    rng = random.Random(403)
    # 2.0 first: there every mistake below gives a different number (at 0, 1 - s is s, and s*(1 + s) is 1 - s**2)
    for x in [2.0, -1.0, 0.0] + [random_number(rng, -4.0, 4.0) for _ in range(3)]:
        s = NeuronValue(x).sigmoid().data
        given = f"s = σ({number_text(x)}) = {number_text(s)}"
        got = items(call(sigmoid_slopes, s), f"what sigmoid_slopes({number_text(s)}) returned", 2)
        slope = _sigmoid_slope_at(x)
        first = {
            "1 - s**2 is tanh's slope, not the sigmoid's": 1 - s * s,
            "that is the sigmoid itself, not its slope": s,
            "that is 1 - s alone: a factor is missing": 1 - s,
            "mind the minus: from s = 1 / (1 + e**-x), e**-x = 1/s - 1": s * (1 + s),
            "check the sign: the slope of e**-x is -e**-x, and the outer power gives another minus": -s * (1 - s),
            "s is the sigmoid's output already: do not apply the sigmoid to it again": _sigmoid_slope_at(s),
        }
        expect_close(
            f"with {given}: σ'(x)", got[0], slope, first,
            "differentiate (1 + e**-x)**-1 with the chain rule, then write e**-x as 1/s - 1",
        )
        h = 1e-5
        curvature = (_sigmoid_slope_at(x + h) - _sigmoid_slope_at(x - h)) / (2 * h)  # independent of any formula
        second = {
            "that is the slope's rate of change per unit of s: multiply it by ds/dx, the slope you found first":
                1 - 2 * s,
            "that is only the share through the factor s; the factor 1 - s moves with x too: add its share":
                slope * (1 - s),
            "that is only the share through the factor 1 - s; the factor s moves with x too: add its share": -s * slope,
            "check the sign of the slope's rate of change per unit of s": -curvature,
        }
        expect_close(
            f"with {given}: σ''(x)", got[1], curvature, second,
            "σ'(x) is a function of s, and s a function of x: differentiate it by s, then multiply by ds/dx",
            rel=1e-6, abs_tol=1e-7,  # the truth comes from a central difference
        )
    return "sigmoid_slopes matches the sigmoid's slope and the slope of that slope at 6 points, from s alone."


def _neuron_cases(seed: int) -> list[tuple[list[float], list[float], float]]:
    """Notebook 04's first neuron (x = (1, 2), w = (3, -1), b = 1), then random ones with 1, 3 and 4 inputs."""
    rng = random.Random(seed)
    cases = [([1.0, 2.0], [3.0, -1.0], 1.0)]
    for n in (1, 3, 4):
        x, w = [random_number(rng) for _ in range(n)], [random_number(rng, -1.0, 1.0) for _ in range(n)]
        cases.append((x, w, random_number(rng, -1.0, 1.0)))
    return cases


def _twin_neuron(x: list[float], w: list[float], b: float) -> tuple[Neuron, NeuronValue]:
    """The package's sigmoid Neuron with weights w and bias b, run on x and backpropagated."""
    neuron = Neuron(len(w), activation="sigmoid")
    for weight, data in zip(neuron.w, w, strict=True):
        weight.data = data
    neuron.b.data = b
    out = neuron(x)
    out.backward()
    return neuron, out


@task("04_a_neuron", "4", "A sigmoid neuron")
def task_04_4(sigmoid_neuron: Callable) -> str:
    """sigmoid_neuron(x, w, b) returns sigmoid(w1*x1 + ... + wn*xn + b) as a Value built from x, w and b."""
    for x_data, w_data, b_data in _neuron_cases(404):
        x = [NeuronValue(v, label=f"x{i}") for i, v in enumerate(x_data, 1)]
        w = [NeuronValue(v, label=f"w{i}") for i, v in enumerate(w_data, 1)]
        b = NeuronValue(b_data, label="b")
        given = f"x={numbers_text(x_data)}, w={numbers_text(w_data)}, b={number_text(b_data)}"
        out = value(call(sigmoid_neuron, x, w, b), f"what sigmoid_neuron returned for {given}")
        twin, expected = _twin_neuron(x_data, w_data, b_data)
        n = math.fsum(wi * xi for wi, xi in zip(w_data, x_data, strict=True)) + b_data
        mistakes = {
            "that is w·x + b before the activation; apply the sigmoid to it": n,
            "you left out the bias b": NeuronValue(n - b_data).sigmoid().data,
            "that is tanh; this neuron's activation is the sigmoid": math.tanh(n),
        }
        expect_close(
            f"with {given}: the output", out.data, expected.data, mistakes,
            "out = sigmoid(w1*x1 + ... + wn*xn + b), each weight times the input at the same position",
        )
        out.backward()
        for mine, truth in zip((*w, b), (*twin.w, twin.b), strict=True):
            expect_close(
                f"with {given}: after backward(), {mine.label}.grad", mine.grad, truth.grad, {},
                "build the output from the Values w, x and b themselves, with Value operations",
            )
    return (
        "sigmoid_neuron gives the package Neuron's output, and backward() reaches every weight and the bias "
        "with the same gradients, for 1 to 4 inputs."
    )


@task("04_a_neuron", "5", "A neuron's gradients by hand")
def task_04_5(neuron_grads_by_hand: Callable) -> str:
    """neuron_grads_by_hand(x, w, b) returns ([d out/d w_i], d out/d b) for a sigmoid neuron, from formulas."""
    for x, w, b in _neuron_cases(405):
        given = f"x={numbers_text(x)}, w={numbers_text(w)}, b={number_text(b)}"
        got = items(call(neuron_grads_by_hand, list(x), list(w), b), f"what neuron_grads_by_hand({given}) returned", 2)
        dw = items(got[0], f"the first item (the list of d out/d w_i) for {given}", len(w))
        twin, out = _twin_neuron(x, w, b)
        slope = out.data * (1 - out.data)
        for i, (entry, weight) in enumerate(zip(dw, twin.w, strict=True)):
            mistakes = {
                "that is dn/dw alone; multiply by the sigmoid's slope s * (1 - s), where s is the output": x[i],
                f"dn/dw{i + 1} is x{i + 1}, the input that w{i + 1} multiplies, not w{i + 1}": slope * w[i],
            }
            expect_close(
                f"with {given}: d out/d w{i + 1}", entry, weight.grad, mistakes,
                "d out/d w_i = s * (1 - s) * x_i, where s is the neuron's output",
            )
        expect_close(
            f"with {given}: d out/d b", got[1], twin.b.grad, {}, "dn/db = 1, so d out/d b = s * (1 - s)"
        )
    return "neuron_grads_by_hand matches backward() through the package's sigmoid Neuron for 1 to 4 inputs."
