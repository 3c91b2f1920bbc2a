"""nanograd.training: one SGD step moves each parameter by -learning_rate * grad, and steps train a classifier."""

import itertools

import pytest

from nanograd.core import Value
from nanograd.data import two_moons
from nanograd.neuron import Neuron
from nanograd.nn import MLP
from nanograd.training import accuracy, classification_loss, sgd_update, training_step


def small_linear_neuron() -> Neuron:
    """score = 0.5*x1 - 1.0*x2 + 0.25: few enough numbers to follow by hand."""
    n = Neuron(2, activation="linear")
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.25
    return n


# Two points: scores -1.25 (label +1: wrong, margin 1 + 1.25) and -0.75 (label -1: right, margin 1 - 0.75).
X = [[1.0, 2.0], [-1.0, 0.5]]
Y = [1, -1]
ALPHA = 0.1
HINGE = (2.25 + 0.25) / 2
PENALTY = ALPHA * (0.5**2 + 1.0**2 + 0.25**2)
# Both points are inside the margin, so d hinge / d w = mean of -y * x and d hinge / d b = mean of -y;
# the penalty adds 2 * alpha * p.
GRADS = [(-1.0 - 1.0) / 2 + 2 * ALPHA * 0.5, (-2.0 + 0.5) / 2 + 2 * ALPHA * -1.0, (-1 + 1) / 2 + 2 * ALPHA * 0.25]


def test_sgd_update_moves_each_parameter_by_minus_learning_rate_times_grad():
    # Numbers exact in binary, so the result is exact too.
    params = [Value(0.75), Value(-2.0), Value(0.0)]
    for p, g in zip(params, [-0.5, 0.25, 3.0], strict=True):
        p.grad = g
    sgd_update(params, 0.25)
    assert [p.data for p in params] == [0.875, -2.0625, -0.75]
    assert [p.grad for p in params] == [-0.5, 0.25, 3.0]  # the step leaves gradients alone


def test_sgd_update_with_a_learning_rate_of_zero_changes_nothing():
    params = [Value(1.5), Value(-0.5)]
    params[0].grad, params[1].grad = 4.0, -2.0
    sgd_update(params, 0.0)
    assert [p.data for p in params] == [1.5, -0.5]


def test_accuracy_counts_scores_with_the_sign_of_their_label():
    scores = [Value(0.3), Value(-0.2), Value(1.5), Value(-2.0), Value(0.01)]
    labels = [1, 1, -1, -1, 1]
    # right, wrong, wrong, right, right
    assert accuracy(scores, labels) == 3 / 5
    assert accuracy(scores, [1, -1, 1, -1, 1]) == 1.0
    assert accuracy(scores, [-1, 1, -1, 1, -1]) == 0.0


def test_a_score_of_exactly_zero_is_wrong_for_either_label():
    # A model that outputs 0 everywhere has learnt nothing: it must not score 50 %.
    assert accuracy([Value(0.0), Value(0.0)], [1, -1]) == 0.0


def test_accuracy_needs_one_score_per_label():
    with pytest.raises(ValueError, match="got 2 scores for 3 labels: they must pair up"):
        accuracy([Value(1.0), Value(-1.0)], [1, -1, 1])
    with pytest.raises(ValueError, match="accuracy needs at least one score"):
        accuracy([], [])


def test_classification_loss_is_the_mean_hinge_plus_the_l2_penalty():
    loss, acc = classification_loss(small_linear_neuron(), X, Y, alpha=ALPHA)
    assert loss.data == pytest.approx(HINGE + PENALTY)
    assert acc == 0.5


def test_training_step_returns_the_loss_before_the_update_and_takes_one_sgd_step():
    model = small_linear_neuron()
    for p in model.parameters():
        p.grad = 100.0  # stale gradients from elsewhere: the step must zero them before backward()
    loss, acc = training_step(model, X, Y, learning_rate=0.1, alpha=ALPHA)
    assert loss == pytest.approx(HINGE + PENALTY)
    assert acc == 0.5
    assert [p.grad for p in model.parameters()] == pytest.approx(GRADS)
    stepped = [p - 0.1 * g for p, g in zip([0.5, -1.0, 0.25], GRADS, strict=True)]
    assert [p.data for p in model.parameters()] == pytest.approx(stepped)


def test_a_few_steps_reduce_the_loss_on_two_moons():
    X_moons, y_moons = two_moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    losses = []
    for _ in range(5):
        before, _ = classification_loss(model, X_moons, y_moons)
        loss, _ = training_step(model, X_moons, y_moons, learning_rate=0.1)
        assert loss == before.data  # what the step reports is the loss it started from
        losses.append(loss)
    after, _ = classification_loss(model, X_moons, y_moons)
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    assert after.data < losses[-1]


def test_the_course_run_classifies_two_moons():
    # The course's recipe: ReLU MLP(2, [16, 16, 1]), 100 steps, learning rate falling from 1.0 to 0.1.
    X_moons, y_moons = two_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], activation="relu")
    first_loss = None
    for k in range(100):
        loss, _ = training_step(model, X_moons, y_moons, learning_rate=1.0 - 0.9 * k / 100)
        first_loss = first_loss if first_loss is not None else loss
    final_loss, final_accuracy = classification_loss(model, X_moons, y_moons)
    scores = [model(x).data for x in X_moons]
    assert final_accuracy == sum(s * y > 0 for s, y in zip(scores, y_moons, strict=True)) / 100  # counted a second way
    assert final_accuracy >= 0.95
    assert final_loss.data < first_loss / 10
