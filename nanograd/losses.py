"""Stage 5: losses, the single number that training makes small.

    >>> round(mean_squared_error([Value(0.5), Value(-1.0)], [1.0, -1.0]).data, 4)
    0.125
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from nanograd.core import Value
from nanograd.graph import Number, is_number


def check_pairs(
    predictions: Sequence,
    targets: Sequence,
    needed_by: str = "a loss",
    names: tuple[str, str] = ("prediction", "target"),
) -> int:
    """How many (prediction, target) pairs there are: at least one, with none left over on either side.

    ``needed_by`` and ``names`` (singular) say in the messages who needs the pairs and what they are,
    e.g. ``check_pairs(scores, labels, "accuracy", ("score", "label"))``.
    """
    first, second = names
    if len(predictions) != len(targets):
        raise ValueError(f"got {len(predictions)} {first}s for {len(targets)} {second}s: they must pair up")
    if not predictions:
        raise ValueError(f"{needed_by} needs at least one {first}")
    return len(predictions)


def _check_labels(labels: Iterable) -> None:
    """Refuse any label but -1 and +1: a TypeError for what is not a number (True included), a ValueError for others."""
    for y in labels:
        if not is_number(y):
            raise TypeError(f"hinge_loss needs labels -1 and +1, got {y!r} of type {type(y).__name__}")
        if y not in (-1, 1):
            raise ValueError(f"hinge_loss needs labels -1 and +1, got {y!r}")


def sum_squared_error(predictions: Sequence[Value], targets: Sequence[Number]) -> Value:
    """Σ (prediction - target)**2."""
    check_pairs(predictions, targets)
    return Value.sum((p - t) ** 2 for p, t in zip(predictions, targets, strict=True))


def mean_squared_error(predictions: Sequence[Value], targets: Sequence[Number]) -> Value:
    """The mean of (prediction - target)**2."""
    return sum_squared_error(predictions, targets) * (1.0 / len(predictions))


def hinge_loss(scores: Sequence[Value], labels: Sequence[Number]) -> Value:
    """The mean of max(0, 1 - label * score), for labels -1 and +1.

    A point costs nothing once it is on the right side with a margin of 1; a wrong or
    unsure one costs in proportion to how far it is from that margin.
    """
    n = check_pairs(scores, labels)
    _check_labels(labels)
    return Value.sum((1 - y * s).relu() for s, y in zip(scores, labels, strict=True)) * (1.0 / n)


def l2_penalty(parameters: Iterable[Value], alpha: float) -> Value:
    """alpha * Σ p**2: a small cost on large weights, which keeps a model's boundary smooth."""
    return alpha * Value.sum(p * p for p in parameters)
