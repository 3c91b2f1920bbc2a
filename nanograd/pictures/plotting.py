"""Stage 5: pictures of training: the loss going down, and where a model puts its boundary.

Both functions return a matplotlib ``Figure``; in a notebook, end the cell with ``plt.show()``.

    >>> fig = plot_loss_curve([0.9, 0.5, 0.3], title="Loss while training")
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('step', 'loss')

matplotlib is imported inside the functions, never at the top of this module, so that
importing nanograd (and ``nanograd.core``) needs nothing but the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from nanograd.graph import as_count, is_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SCORE_LIMIT = 2.0
"""The decision-boundary colours run from score -2 to +2; beyond that they stay at their darkest.

A fixed range keeps two pictures comparable (before and after training), and a hinge loss is
satisfied at |score| >= 1, so everything that matters for it lies inside."""

LABEL_STYLE = {-1: ("tab:red", "o"), 1: ("tab:blue", "s")}
"""Colour and marker of each class: red circles score below 0, blue squares above (like the shading)."""


def _curve(name: str, values: Any) -> list[float]:
    """``values`` as a list of floats, or a TypeError or ValueError that says what was wrong."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of numbers, one per training step, got {values!r}")
    if len(values) == 0:
        raise ValueError(f"{name} is empty: record one number per training step, then plot")
    for step, x in enumerate(values):
        if not is_number(x):
            hint = " (append loss.data, not the Value loss)" if hasattr(x, "data") else ""
            raise TypeError(f"{name}[{step}] is {x!r}, not a number{hint}")
    return [float(x) for x in values]


def plot_loss_curve(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    accuracies: Sequence[float] | None = None,
    title: str = "Training loss",
    log_scale: bool = False,
) -> Figure:
    """The loss at each training step; with ``accuracies``, the accuracy in a second panel beside it.

    ``losses`` is a list of numbers (one run), or a dict from a name to such a list, to compare
    several runs in one plot (e.g. ``{"lr 0.1": [...], "lr 1.0": [...]}``). ``accuracies``
    (numbers from 0 to 1) goes with a single run only. ``log_scale=True`` puts the loss on a
    log axis, which keeps small and very large losses readable together.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if isinstance(losses, Mapping):
        if not losses:
            raise ValueError("losses is an empty dict: give at least one run, e.g. {'lr 0.1': [0.9, 0.5]}")
        runs = {str(name): _curve(f"losses[{name!r}]", curve) for name, curve in losses.items()}
        if accuracies is not None:
            raise ValueError("accuracies go with a single run: pass losses as one list to plot both")
    else:
        runs = {"loss": _curve("losses", losses)}
    if log_scale:
        for name, curve in runs.items():
            if min(curve) <= 0:
                raise ValueError(
                    f"a log scale needs losses above 0, but run {name!r} has {min(curve)!r}: use log_scale=False"
                )

    if accuracies is not None:
        accuracies = _curve("accuracies", accuracies)
        if len(accuracies) != len(runs["loss"]):
            raise ValueError(
                f"got {len(runs['loss'])} losses but {len(accuracies)} accuracies: record both at every step"
            )
        if any(not 0.0 <= a <= 1.0 for a in accuracies):
            raise ValueError("accuracies must be fractions from 0 to 1 (0.95, not 95)")
        fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
        fig.suptitle(title, fontsize=14)
        loss_ax.set_title("Loss")
        acc_ax.set_title("Accuracy")
        acc_ax.plot(range(len(accuracies)), accuracies, color="tab:green")
        acc_ax.set_xlabel("step")
        acc_ax.set_ylabel("accuracy (fraction right)")
        acc_ax.set_ylim(0.0, 1.02)
        acc_ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        acc_ax.grid(alpha=0.3)
    else:
        fig, loss_ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
        loss_ax.set_title(title, fontsize=14)

    for name, curve in runs.items():
        loss_ax.plot(range(len(curve)), curve, label=name, linewidth=1.8)
    loss_ax.set_xlabel("step")
    loss_ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    loss_ax.set_ylabel("loss (log scale)" if log_scale else "loss")
    if log_scale:
        loss_ax.set_yscale("log")
    loss_ax.grid(alpha=0.3)
    if len(runs) > 1:
        loss_ax.legend()
    return fig


def _points(X: Any) -> list[tuple[float, float]]:
    """``X`` checked: a non-empty list of [x1, x2] pairs of numbers."""
    if isinstance(X, (str, bytes)) or not isinstance(X, Sequence):
        raise TypeError(f"X must be a list of [x1, x2] points, got {X!r}")
    if not X:
        raise ValueError("X is empty: a decision boundary needs at least one point to draw around")
    points = []
    for i, point in enumerate(X):
        problem = f"X[{i}] is {point!r}: each point must be two numbers [x1, x2], to be drawn in the plane"
        if not isinstance(point, Sequence) or not all(map(is_number, point)):
            raise TypeError(problem)
        if len(point) != 2:
            raise ValueError(problem)
        points.append((float(point[0]), float(point[1])))
    return points


def _labels(y: Any, n_points: int) -> list[int]:
    """``y`` checked: one label per point, each -1 or +1."""
    if isinstance(y, (str, bytes)) or not isinstance(y, Sequence):
        raise TypeError(f"y must be a list of labels (-1 or +1), one per point, got {y!r}")
    if len(y) != n_points:
        raise ValueError(f"got {n_points} points in X but {len(y)} labels in y: each point needs exactly one label")
    for i, label in enumerate(y):
        problem = f"y[{i}] is {label!r}: labels must be -1 or +1 (the sign the model's score should have)"
        if not is_number(label):
            raise TypeError(problem)
        if label not in (-1, 1):
            raise ValueError(problem)
    return [int(label) for label in y]


def _score(model: Any, x1: float, x2: float) -> float:
    out = model([x1, x2])
    if isinstance(out, list):
        raise ValueError(
            f"the model gives {len(out)} outputs; a decision boundary needs one score per point "
            f"(an MLP whose last layer has size 1)"
        )
    score = out.data if hasattr(out, "data") else float(out)
    if not math.isfinite(score):
        raise ValueError(
            f"the model's score at ({x1:.3g}, {x2:.3g}) is {score!r}: its parameters have blown up "
            f"(a learning rate too large?); there is no boundary to draw"
        )
    return score


def score_grid(
    model: Any, X: Sequence[Sequence[float]], resolution: int = 60
) -> tuple[list[float], list[float], list[list[float]]]:
    """The model's score on a ``resolution`` x ``resolution`` grid that covers the points ``X`` with a margin.

    Returns ``(xs, ys, scores)`` where ``scores[i][j]`` is ``model([xs[j], ys[i]]).data``: one plain
    forward pass per grid point (no gradients are needed, only the numbers).
    """
    as_count("resolution (grid points per side)", resolution, minimum=2)
    points = _points(X)
    x_low, x_high = min(p[0] for p in points), max(p[0] for p in points)
    y_low, y_high = min(p[1] for p in points), max(p[1] for p in points)
    margin = 0.15 * max(x_high - x_low, y_high - y_low) or 1.0
    x_low, x_high, y_low, y_high = x_low - margin, x_high + margin, y_low - margin, y_high + margin
    xs = [x_low + (x_high - x_low) * j / (resolution - 1) for j in range(resolution)]
    ys = [y_low + (y_high - y_low) * i / (resolution - 1) for i in range(resolution)]
    scores = [[_score(model, x1, x2) for x1 in xs] for x2 in ys]
    return xs, ys, scores


def plot_decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    title: str = "Decision boundary",
    resolution: int = 60,
) -> Figure:
    """The points ``X`` coloured by their label ``y`` (-1 or +1), over the model's score in the plane.

    Blue shading is where the model scores above 0 (it says +1), red where below; the black
    line is the boundary, score = 0. ``resolution`` grid points per side are evaluated, so the
    cost is ``resolution**2`` forward passes (60 gives 3,600).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D

    points = _points(X)
    labels = _labels(y, len(points))
    xs, ys, scores = score_grid(model, X, resolution)

    fig, ax = plt.subplots(figsize=(7.5, 5), layout="constrained")
    steps = 16
    levels = [-SCORE_LIMIT + 2 * SCORE_LIMIT * k / steps for k in range(steps + 1)]
    # RdBu mixed with white: the points' full colours stand out on it, and (unlike a transparent
    # colormap) opaque bands leave no pale seams between them.
    RdBu = plt.get_cmap("RdBu")
    light_RdBu = ListedColormap(
        [tuple(0.6 * c + 0.4 for c in RdBu(k / 255)[:3]) for k in range(256)], name="light_RdBu"
    )
    shading = ax.contourf(xs, ys, scores, levels=levels, cmap=light_RdBu, extend="both")
    colorbar = fig.colorbar(shading, ax=ax, ticks=[-2, -1, 0, 1, 2])
    colorbar.set_label("model score (colours stop at ±2)")
    low, high = min(map(min, scores)), max(map(max, scores))
    has_boundary = low < 0.0 < high  # otherwise the model says one class everywhere in view
    if has_boundary:
        ax.contour(xs, ys, scores, levels=[0.0], colors="black", linewidths=2)

    for label in (-1, 1):
        colour, marker = LABEL_STYLE[label]
        chosen = [point for point, its_label in zip(points, labels, strict=True) if its_label == label]
        if chosen:
            ax.scatter(
                [p[0] for p in chosen],
                [p[1] for p in chosen],
                c=colour,
                marker=marker,
                s=36,
                edgecolors="black",
                linewidths=0.6,
                label=f"label {label:+d} ({len(chosen)} points)",
                zorder=3,
            )
    handles, _ = ax.get_legend_handles_labels()
    if has_boundary:
        handles.append(Line2D([], [], color="black", linewidth=2, label="boundary: score = 0"))
    else:
        handles.append(Line2D([], [], linestyle="none", label="no boundary in view: one sign everywhere"))
    ax.legend(handles=handles, loc="best", framealpha=0.9)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$ (first input)")
    ax.set_ylabel("$x_2$ (second input)")
    ax.set_title(title, fontsize=14)
    return fig
