"""Stage 5: one training step, and how to score a classifier.

Training repeats four moves: forward (compute the loss), zero the gradients, backward
(compute new gradients), update (nudge every parameter against its gradient).
"""

from __future__ import annotations

from collections.abc import Sequence

from nanograd.core import Value
from nanograd.graph import Number
from nanograd.losses import check_pairs, hinge_loss, l2_penalty
from nanograd.neuron import Module


def sgd_update(parameters: Sequence[Value], learning_rate: float) -> None:
    """Move every parameter a step of ``learning_rate`` times its gradient, downhill."""
    for p in parameters:
        p.data -= learning_rate * p.grad


def accuracy(scores: Sequence[Value], labels: Sequence[Number]) -> float:
    """The fraction of points whose score has the sign of their label (-1 or +1).

    A score of exactly 0 has no sign, so it counts as wrong whatever the label.
    """
    n = check_pairs(scores, labels, "accuracy", ("score", "label"))
    right = sum(s.data * y > 0 for s, y in zip(scores, labels, strict=True))
    return right / n


def classification_loss(
    model: Module, X: Sequence[Sequence[Number]], y: Sequence[Number], alpha: float = 1e-4
) -> tuple[Value, float]:
    """Hinge loss over all of ``X`` plus ``alpha`` times the L2 penalty, and the accuracy."""
    scores = [model(x) for x in X]
    loss = hinge_loss(scores, y) + l2_penalty(model.parameters(), alpha)
    return loss, accuracy(scores, y)


def training_step(
    model: Module, X: Sequence[Sequence[Number]], y: Sequence[Number], learning_rate: float, alpha: float = 1e-4
) -> tuple[float, float]:
    """Forward, zero, backward, update, once; returns the loss and accuracy *before* the update."""
    loss, acc = classification_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    sgd_update(model.parameters(), learning_rate)
    return loss.data, acc
