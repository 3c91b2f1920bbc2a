"""nanograd.pictures.plotting: the figures show what they claim (titles, labels, the model's own scores)."""

import itertools
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # no display: draw into memory

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from nanograd.core import Value  # noqa: E402
from nanograd.data import two_moons  # noqa: E402
from nanograd.neuron import Neuron  # noqa: E402
from nanograd.nn import MLP  # noqa: E402
from nanograd.pictures.plotting import plot_decision_boundary, plot_loss_curve, score_grid  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def a_line(w1: float, w2: float, b: float) -> Neuron:
    """A linear neuron whose score is w1*x1 + w2*x2 + b: its boundary is a known straight line."""
    neuron = Neuron(2, activation="linear")
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = w1, w2, b
    return neuron


# --- plot_loss_curve ---------------------------------------------------------------------------


def test_loss_curve_has_its_title_axis_labels_and_the_losses_step_by_step():
    fig = plot_loss_curve([0.9, 0.5, 0.25], title="Four examples")
    (ax,) = fig.axes
    assert ax.get_title() == "Four examples"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "loss")
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 1, 2]
    assert list(line.get_ydata()) == [0.9, 0.5, 0.25]


def test_loss_curve_with_accuracies_has_a_second_panel():
    fig = plot_loss_curve([0.9, 0.5], accuracies=[0.5, 0.75], title="Two moons")
    loss_ax, acc_ax = fig.axes
    assert fig.get_suptitle() == "Two moons"
    assert (loss_ax.get_title(), acc_ax.get_title()) == ("Loss", "Accuracy")
    assert acc_ax.get_xlabel() == "step" and "accuracy" in acc_ax.get_ylabel()
    assert list(acc_ax.get_lines()[0].get_ydata()) == [0.5, 0.75]


def test_several_runs_share_one_plot_with_a_legend():
    runs = {"lr 0.1": [1.0, 0.8, 0.7], "lr 1.0": [1.0, 0.4, 0.6]}
    fig = plot_loss_curve(runs, title="Learning rates", log_scale=True)
    (ax,) = fig.axes
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["lr 0.1", "lr 1.0"]
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[1.0, 0.8, 0.7], [1.0, 0.4, 0.6]]
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize(
    "losses, accuracies, message",
    [
        ([], None, "empty"),
        ([0.5, 0.3], [0.5], "2 losses but 1 accuracies"),
        ([0.5, 0.3], [50, 75], "fractions"),
        ({"a": [0.5]}, [0.5], "single run"),
        ({}, None, "empty dict"),
    ],
)
def test_loss_curve_rejects_bad_values_and_says_why(losses, accuracies, message):
    with pytest.raises(ValueError, match=message):
        plot_loss_curve(losses, accuracies)


@pytest.mark.parametrize(
    "losses, accuracies, message",
    [
        ([0.5, Value(0.3)], None, r"losses\[1\] is Value\(data=0\.3, grad=0\.0\), not a number \(append loss\.data"),
        ([0.5, "0.3"], None, r"losses\[1\] is '0\.3', not a number"),
        (0.5, None, "losses must be a list of numbers, one per training step, got 0.5"),
        ("0.5", None, "losses must be a list of numbers, one per training step, got '0.5'"),
        ([0.5, 0.3], [0.5, True], r"accuracies\[1\] is True, not a number"),
    ],
)
def test_loss_curve_rejects_bad_types_and_says_why(losses, accuracies, message):
    with pytest.raises(TypeError, match=message):
        plot_loss_curve(losses, accuracies)


def test_a_log_scale_needs_positive_losses():
    with pytest.raises(ValueError, match="log scale needs losses above 0"):
        plot_loss_curve([0.5, 0.0], log_scale=True)


# --- score_grid and plot_decision_boundary -----------------------------------------------------


def test_grid_scores_are_the_models_own_scores_at_those_points():
    X, _ = two_moons(20, noise=0.1, seed=3)
    model = MLP(2, [4, 1], seed=5)
    xs, ys, scores = score_grid(model, X, resolution=7)
    assert len(xs) == len(ys) == 7 and all(len(row) == 7 for row in scores)
    for i, j in [(0, 0), (0, 6), (6, 0), (6, 6), (3, 4), (5, 1)]:
        assert scores[i][j] == model([xs[j], ys[i]]).data


def test_grid_covers_every_point_with_even_steps():
    X = [[-1.0, 2.0], [3.0, 0.0], [0.5, 1.0]]
    xs, ys, _ = score_grid(a_line(1.0, 1.0, 0.0), X, resolution=5)
    assert xs[0] < -1.0 and xs[-1] > 3.0 and ys[0] < 0.0 and ys[-1] > 2.0
    x_steps = [b - a for a, b in itertools.pairwise(xs)]
    assert max(x_steps) == pytest.approx(min(x_steps))


def test_a_linear_neurons_grid_matches_its_formula():
    X = [[0.0, 0.0], [2.0, 1.0]]
    xs, ys, scores = score_grid(a_line(1.0, -2.0, 0.5), X, resolution=9)
    for i, x2 in enumerate(ys):
        for j, x1 in enumerate(xs):
            assert scores[i][j] == pytest.approx(x1 - 2.0 * x2 + 0.5, abs=1e-12)


def test_decision_boundary_figure_has_title_labels_points_and_the_right_boundary():
    X = [[0.0, 0.0], [2.0, 1.0], [1.0, 2.0], [2.0, 0.0]]
    y = [1, 1, -1, 1]
    fig = plot_decision_boundary(a_line(1.0, -2.0, 0.5), X, y, title="A straight boundary", resolution=21)
    ax = fig.axes[0]
    assert ax.get_title() == "A straight boundary"
    assert "x_1" in ax.get_xlabel() and "x_2" in ax.get_ylabel()
    assert len(fig.axes) == 2 and "score" in fig.axes[1].get_ylabel()  # the colorbar
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["label -1 (1 points)", "label +1 (3 points)", "boundary: score = 0"]
    # The points, each drawn in its label's group.
    red, blue = (c for c in ax.collections if not isinstance(c, ContourSet))
    assert red.get_offsets().tolist() == [[1.0, 2.0]]
    assert blue.get_offsets().tolist() == [[0.0, 0.0], [2.0, 1.0], [2.0, 0.0]]
    # The black line lies on x1 - 2*x2 + 0.5 = 0, the boundary worked out by hand.
    (boundary,) = [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.0]]
    vertices = [v for path in boundary.get_paths() for v in path.vertices]
    assert len(vertices) >= 2
    for x1, x2 in vertices:
        assert x1 - 2.0 * x2 + 0.5 == pytest.approx(0.0, abs=1e-9)


def test_a_model_with_one_sign_everywhere_draws_no_boundary_and_says_so():
    fig = plot_decision_boundary(a_line(0.0, 0.0, 1.0), [[0.0, 0.0], [1.0, 1.0]], [1, -1], resolution=5)
    ax = fig.axes[0]
    assert not [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.0]]
    assert ax.get_legend().get_texts()[-1].get_text() == "no boundary in view: one sign everywhere"


@pytest.mark.parametrize(
    "X, y, message",
    [
        ([[0.0, 0.0], [1.0, 1.0]], [1], "2 points in X but 1 labels"),
        ([[0.0, 0.0]], [1, -1], "1 points in X but 2 labels"),
        ([[0.0, 0.0], [1.0, 1.0]], [1, 0], r"y\[1\] is 0: labels must be -1 or \+1"),
        ([[0.0, 0.0, 1.0]], [1], r"X\[0\] is \[0\.0, 0\.0, 1\.0\]: each point must be two numbers"),
        ([], [], "X is empty"),
    ],
)
def test_decision_boundary_rejects_bad_values_and_says_why(X, y, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(a_line(1.0, 1.0, 0.0), X, y)


@pytest.mark.parametrize(
    "X, y, message",
    [
        ("points", [1], "X must be a list of \\[x1, x2\\] points, got 'points'"),
        ([[0.0, 0.0]], 1, "y must be a list of labels"),
        ([[0.0, "1"]], [1], r"X\[0\] is \[0\.0, '1'\]: each point must be two numbers"),
        ([1.0], [1], r"X\[0\] is 1\.0: each point must be two numbers"),
        ([[0.0, 0.0], [1.0, 1.0]], [1, True], r"y\[1\] is True: labels must be -1 or \+1"),
        ([[0.0, 0.0], [1.0, 1.0]], ["1", -1], r"y\[0\] is '1': labels must be -1 or \+1"),
    ],
)
def test_decision_boundary_rejects_bad_types_and_says_why(X, y, message):
    with pytest.raises(TypeError, match=message):
        plot_decision_boundary(a_line(1.0, 1.0, 0.0), X, y)


def test_decision_boundary_needs_one_score_per_point():
    two_outputs = MLP(2, [3, 2], seed=0)
    with pytest.raises(ValueError, match="2 outputs"):
        plot_decision_boundary(two_outputs, [[0.0, 0.0]], [1])


def test_decision_boundary_refuses_a_blown_up_model():
    # A nanograd model with an infinite weight stops in the engine, which names the op...
    with pytest.raises(OverflowError, match="w·x\\+b is not a finite number"):
        plot_decision_boundary(a_line(float("inf"), 0.0, 0.0), [[1.0, 0.0]], [1])
    # ...and any other model whose score is not finite stops in the plot.
    with pytest.raises(ValueError, match="blown up"):
        plot_decision_boundary(lambda point: float("inf"), [[1.0, 0.0]], [1])


@pytest.mark.parametrize("resolution, error", [(1, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)])
def test_resolution_must_be_a_whole_number_of_at_least_2(resolution, error):
    message = rf"resolution \(grid points per side\) must be a whole number of at least 2, got {resolution!r}"
    with pytest.raises(error, match=message):
        score_grid(a_line(1.0, 1.0, 0.0), [[0.0, 0.0]], resolution)


def test_importing_nanograd_does_not_import_matplotlib():
    code = "import sys, nanograd, nanograd.core, nanograd.pictures.plotting; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
