"""Stage 5: small 2-D data sets, generated from a seed (no download, same points on every machine).

Each returns ``(X, y)``: ``X`` a list of [x1, x2] points, ``y`` their labels, -1 or +1.

    >>> X, y = two_moons(100, noise=0.1, seed=1)
    >>> len(X), sorted(set(y))
    (100, [-1, 1])
"""

from __future__ import annotations

import math
import random

from nanograd.graph import as_count, is_number, is_whole_number


def _check(n: int, noise: float, seed: int) -> None:
    """What every data set takes: a number of points, a noise level and a seed."""
    if not is_whole_number(seed):
        raise TypeError(f"seed must be a whole number (the same seed gives the same points everywhere), got {seed!r}")
    as_count("n (the number of points)", n, minimum=2)
    if not is_number(noise):
        raise TypeError(f"noise must be a finite number >= 0, got {noise!r} of type {type(noise).__name__}")
    if not 0 <= noise < math.inf:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _shuffled(points: list[list[float]], labels: list[int], rng: random.Random) -> tuple[list[list[float]], list[int]]:
    pairs = list(zip(points, labels, strict=True))
    rng.shuffle(pairs)
    return [p for p, _ in pairs], [label for _, label in pairs]


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles: the upper one labelled -1, the lower one +1."""
    _check(n, noise, seed)
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points, labels = [], []
    for i in range(n_upper):
        t = math.pi * i / (n_upper - 1) if n_upper > 1 else 0.0
        points.append([math.cos(t), math.sin(t)])
        labels.append(-1)
    for i in range(n_lower):
        t = math.pi * i / (n_lower - 1) if n_lower > 1 else 0.0
        points.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        labels.append(1)
    points = [[x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)] for x1, x2 in points]
    return _shuffled(points, labels, rng)


def circles(
    n: int = 100, noise: float = 0.05, seed: int = 0, inner_radius: float = 0.5
) -> tuple[list[list[float]], list[int]]:
    """A ring (labelled -1) around a smaller circle (labelled +1)."""
    _check(n, noise, seed)
    if not is_number(inner_radius):
        raise TypeError(
            f"inner_radius must be a number between 0 and 1 (the outer ring has radius 1), "
            f"got {inner_radius!r} of type {type(inner_radius).__name__}"
        )
    if not 0 < inner_radius < 1:
        raise ValueError(f"inner_radius must be between 0 and 1 (the outer ring has radius 1), got {inner_radius!r}")
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        inner = i % 2 == 1
        t = 2.0 * math.pi * rng.random()
        r = inner_radius if inner else 1.0
        points.append([r * math.cos(t) + rng.gauss(0.0, noise), r * math.sin(t) + rng.gauss(0.0, noise)])
        labels.append(1 if inner else -1)
    return _shuffled(points, labels, rng)


def four_examples() -> tuple[list[list[float]], list[float]]:
    """A toy set of four 3-number inputs with targets +1 or -1: small enough to follow by eye."""
    X = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    y = [1.0, -1.0, -1.0, 1.0]
    return X, y
