"""Stage 5: losses, the single number that training makes small.

    >>> round(mean_squared_error([Value(0.5), Value(-1.0)], [1.0, -1.0]).data, 4)
    0.125
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nanograd.core import Value
from nanograd.graph import Number


def _check_pairs(predictions: Sequence, targets: Sequence) -> int:
    if len(predictions) != len(targets):
        raise ValueError(f"got {len(predictions)} predictions for {len(targets)} targets: they must pair up")
    if not predictions:
        raise ValueError("a loss needs at least one prediction")
    return len(predictions)


def sum_squared_error(predictions: Sequence[Value], targets: Sequence[Number]) -> Value:
    """Σ (prediction - target)**2."""
    _check_pairs(predictions, targets)
    return Value.sum((p - t) ** 2 for p, t in zip(predictions, targets))


def mean_squared_error(predictions: Sequence[Value], targets: Sequence[Number]) -> Value:
    """The mean of (prediction - target)**2."""
    return sum_squared_error(predictions, targets) * (1.0 / len(predictions))


def hinge_loss(scores: Sequence[Value], labels: Sequence[Number]) -> Value:
    """The mean of max(0, 1 - label * score), for labels -1 and +1.

    A point costs nothing once it is on the right side with a margin of 1; a wrong or
    unsure one costs in proportion to how far it is from that margin.
    """
    n = _check_pairs(scores, labels)
    for y in labels:
        if y not in (-1, 1):
            raise ValueError(f"hinge_loss needs labels -1 and +1, got {y!r}")
    return Value.sum((1 - y * s).relu() for s, y in zip(scores, labels)) * (1.0 / n)


def l2_penalty(parameters: Iterable[Value], alpha: float) -> Value:
    """alpha * Σ p**2: a small cost on large weights, which keeps a model's boundary smooth."""
    return alpha * Value.sum(p * p for p in parameters)
