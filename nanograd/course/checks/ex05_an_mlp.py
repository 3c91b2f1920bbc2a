"""Checks of exercise 05, an MLP: accuracy, a gradient check by nudging, a training loop, a learning-rate experiment."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from nanograd import graph
from nanograd.core import Value
from nanograd.data import two_moons
from nanograd.nn import MLP
from nanograd.training import accuracy, classification_loss, training_step

from .answers import close, expect_close, items, number, number_text, wrong
from .harness import call, task

TRAINING_SEED = 3
"""The seed of the MLP(2, [4, 1]) that task 3 hands to train, and of the reference runs it is compared with."""

_POINTS_ON_A_LINE = [[0.0, 1.0], [0.0, -1.0], [1.5, 0.3], [-0.5, 0.2], [2.0, 1.0]]
_THEIR_LABELS = [1, -1, 1, 1, -1]
"""For a model whose score is the first coordinate: two scores of exactly 0 (labels +1 and -1), then 1.5, -0.5, 2."""


def _score_by_first_coordinate(x: list) -> Value:
    """A model in its simplest form: a function from a point to a score Value, here the point's first number."""
    return Value(x[0])


def _fraction_right(scores: list[float], labels: list, zero_as: float | None = None) -> float:
    """The fraction of points whose score has the sign of their label; a score of 0 counts as wrong, or with
    ``zero_as`` (+1 or -1) as that label."""
    right = [s * label > 0 or (s == 0 and zero_as == label) for s, label in zip(scores, labels, strict=True)]
    return sum(right) / len(right)


@task("05_an_mlp", "1", "Accuracy")
def task_05_1(accuracy_of: Callable) -> str:
    """accuracy_of(model, X, y): the fraction of the points whose score model(x).data has the sign of their label."""
    cases = []
    for seed in (2, 5, 11):
        X, y = two_moons(20, noise=0.1, seed=seed)
        cases.append((f"MLP(2, [4, 1], seed={seed}) on two_moons(20, seed={seed})", MLP(2, [4, 1], seed=seed), X, y))
    cases.append(("a model that scores a point by its first number, on 5 points", _score_by_first_coordinate,
                  _POINTS_ON_A_LINE, _THEIR_LABELS))
    for text, model, X, y in cases:
        scores = [model(x).data for x in X]
        expected = _fraction_right(scores, y)
        got = number(call(accuracy_of, model, [list(x) for x in X], list(y)), f"accuracy_of for {text}")
        zero_counted = any(close(got, _fraction_right(scores, y, zero_as=label)) for label in (1, -1))
        mistakes = {
            "a score of exactly 0 has no sign: count that point as wrong, whatever its label":
                0.0 in scores and zero_counted,
            "that is how many points are right: divide by the number of points": expected * len(X),
            "that is the fraction classified wrong": 1 - expected,
        }
        expect_close(
            f"accuracy_of for {text}", got, expected, mistakes,
            "count the points whose score model(x).data has the sign of their label (-1 or +1), then divide by "
            "how many points there are",
        )
    return "accuracy_of gives the right accuracy for three MLPs on two moons, and counts a score of exactly 0 as wrong."


def _model_and_grads(seed: int, X: list, y: list) -> tuple[MLP, list[float]]:
    """A fresh MLP(2, [4, 1], seed=seed), and the gradient of classification_loss in each of its parameters,
    by backward() on a twin of it."""
    twin = MLP(2, [4, 1], seed=seed)
    loss, _ = classification_loss(twin, X, y)
    loss.backward()
    return MLP(2, [4, 1], seed=seed), [p.grad for p in twin.parameters()]


@task("05_an_mlp", "2", "A gradient check")
def task_05_2(nudged_slope: Callable) -> str:
    """nudged_slope(model, X, y, p): the slope of classification_loss(model, X, y) in the parameter p, by a central
    difference, with p.data as it was afterwards and without backward()."""
    rng = random.Random(502)
    tried = 0
    for seed, data_seed in ((TRAINING_SEED, 2), (rng.randint(4, 99), rng.randint(4, 99))):
        X, y = two_moons(20, noise=0.1, seed=data_seed)
        model, grads = _model_and_grads(seed, X, y)
        params = model.parameters()
        for i in (0, 1, 8, len(params) - 1, rng.randrange(len(params))):
            what = f"for parameter {i} of MLP(2, [4, 1], seed={seed}) on two_moons(20, seed={data_seed})"
            before = [p.data for p in params]
            got = call(nudged_slope, model, X, y, params[i])
            moved = [j for j, p in enumerate(params) if p.data != before[j]]
            if moved:
                j = moved[0]
                whose = "p.data" if j == i else f"parameter {j}"
                wrong(
                    f"{what}, {whose} was {number_text(before[j])} before nudged_slope and "
                    f"{number_text(params[j].data)} after it: put p.data back where it was once both losses are "
                    f"computed, and nudge only p"
                )
            if any(p.grad != 0.0 for p in params):
                wrong(
                    f"{what}, the parameters have gradients after nudged_slope: it called backward(). Measure the "
                    f"slope by nudging p.data alone, so that it checks backward() instead of repeating it"
                )
            mistakes = {
                "the slope came out 0: the loss never saw the nudge; set p.data itself to its value + h, compute the "
                "loss, then to its value - h, and compute it again": 0.0,
                "that is twice the slope: divide by 2h, the distance between the two nudges": 2 * grads[i],
                "that is the slope in every parameter at once: nudge p alone": math.fsum(grads),
            }
            expect_close(
                f"{what}, nudged_slope", got, grads[i], mistakes,
                "the slope is (loss with p.data + h - loss with p.data - h) / (2h), each loss "
                "classification_loss(model, X, y)[0].data",
                rel=1e-5, abs_tol=1e-7,  # a central difference is off by about h**2
            )
            tried += 1
    return f"nudged_slope agrees with backward() in {tried} parameters of two models, and leaves every parameter alone."


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
    # The second case is one of 192 (a rate of 0.05 to 1.00, 1 or 2 steps): no table of answers covers it.
    cases = [(0.1, 3), (round(rng.uniform(0.05, 1.0), 2), rng.choice((1, 2)))]
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
