"""nanograd.losses: each loss against numbers worked out by hand, its gradients against central differences."""

import pytest

from nanograd.core import Value
from nanograd.losses import check_pairs, hinge_loss, l2_penalty, mean_squared_error, sum_squared_error


def gradients_by_central_difference(loss, numbers: list[float], h: float = 1e-6) -> list[float]:
    """d loss(numbers) / d numbers[i] for each i, where loss takes a list of Values."""
    slopes = []
    for i in range(len(numbers)):
        up = [Value(x + h if j == i else x) for j, x in enumerate(numbers)]
        down = [Value(x - h if j == i else x) for j, x in enumerate(numbers)]
        slopes.append((loss(up).data - loss(down).data) / (2 * h))
    return slopes


def gradients_by_backward(loss, numbers: list[float]) -> list[float]:
    values = [Value(x) for x in numbers]
    loss(values).backward()
    return [v.grad for v in values]


# --- values worked out by hand


def test_sum_squared_error():
    # (0.5 - 1)**2 + (-1 - -1)**2 + (2 - 0)**2 = 0.25 + 0 + 4
    assert sum_squared_error([Value(0.5), Value(-1.0), Value(2.0)], [1.0, -1.0, 0.0]).data == 4.25


def test_mean_squared_error():
    assert mean_squared_error([Value(0.5), Value(-1.0), Value(2.0)], [1.0, -1.0, 0.0]).data == pytest.approx(4.25 / 3)
    assert mean_squared_error([Value(0.5), Value(-1.0)], [1.0, -1.0]).data == 0.125


def test_hinge_loss():
    # max(0, 1 - 1*0.5) + max(0, 1 - 1*(-2)) + max(0, 1 - (-1)*3) + max(0, 1 - (-1)*(-1.5)) = 0.5 + 3 + 4 + 0
    scores = [Value(0.5), Value(-2.0), Value(3.0), Value(-1.5)]
    assert hinge_loss(scores, [1, 1, -1, -1]).data == pytest.approx(7.5 / 4)


def test_hinge_loss_is_zero_once_every_point_has_a_margin_of_one():
    assert hinge_loss([Value(1.0), Value(-2.0), Value(5.0)], [1, -1, 1.0]).data == 0.0


def test_l2_penalty():
    # 0.1 * (1 + 4 + 9)
    assert l2_penalty([Value(1.0), Value(2.0), Value(-3.0)], 0.1).data == pytest.approx(1.4)


def test_losses_accept_plain_number_targets_and_value_targets():
    assert sum_squared_error([Value(3.0)], [Value(1.0)]).data == 4.0
    assert sum_squared_error([Value(3.0)], [1]).data == 4.0


# --- gradients


def test_squared_error_gradients_are_twice_the_errors():
    predictions, targets = [0.5, -1.2, 2.0], [1.0, -1.0, 0.0]
    def sse(values):
        return sum_squared_error(values, targets)

    def mse(values):
        return mean_squared_error(values, targets)

    by_hand = [2 * (p - t) for p, t in zip(predictions, targets, strict=True)]
    assert gradients_by_backward(sse, predictions) == pytest.approx(by_hand)
    assert gradients_by_backward(mse, predictions) == pytest.approx([g / 3 for g in by_hand])
    for loss in (sse, mse):
        by_central_difference = gradients_by_central_difference(loss, predictions)
        assert gradients_by_backward(loss, predictions) == pytest.approx(by_central_difference, abs=1e-7)


def test_hinge_gradients_push_only_the_points_inside_the_margin():
    scores, labels = [0.5, -2.0, 3.0, -1.5, 0.2], [1, 1, -1, -1, -1]
    def loss(values):
        return hinge_loss(values, labels)

    # Inside the margin (y*s < 1) the slope is -y/n; outside it is 0.
    by_hand = [-y / 5 if y * s < 1 else 0.0 for s, y in zip(scores, labels, strict=True)]
    assert by_hand == [-0.2, -0.2, 0.2, 0.0, 0.2]
    assert gradients_by_backward(loss, scores) == pytest.approx(by_hand)
    assert gradients_by_backward(loss, scores) == pytest.approx(gradients_by_central_difference(loss, scores), abs=1e-7)


def test_l2_penalty_gradients_are_two_alpha_p():
    params = [1.0, -0.5, 2.0]
    def loss(values):
        return l2_penalty(values, 0.01)

    assert gradients_by_backward(loss, params) == pytest.approx([0.02, -0.01, 0.04])
    assert gradients_by_backward(loss, params) == pytest.approx(gradients_by_central_difference(loss, params), abs=1e-7)


# --- bad input


@pytest.mark.parametrize("loss", [sum_squared_error, mean_squared_error, hinge_loss])
def test_predictions_and_targets_must_pair_up(loss):
    with pytest.raises(ValueError, match="got 2 predictions for 3 targets: they must pair up"):
        loss([Value(1.0), Value(-1.0)], [1, -1, 1])


@pytest.mark.parametrize("loss", [sum_squared_error, mean_squared_error, hinge_loss])
def test_a_loss_of_nothing_is_a_clear_error(loss):
    with pytest.raises(ValueError, match="a loss needs at least one prediction"):
        loss([], [])


@pytest.mark.parametrize("bad", [0, 2, 0.5, -2])
def test_hinge_loss_needs_labels_minus_one_and_plus_one(bad):
    with pytest.raises(ValueError, match=rf"hinge_loss needs labels -1 and \+1, got {bad!r}"):
        hinge_loss([Value(0.3), Value(0.1)], [1, bad])


@pytest.mark.parametrize("bad", ["1", True, None])
def test_a_hinge_loss_label_that_is_not_a_number_is_a_type_error(bad):
    message = rf"hinge_loss needs labels -1 and \+1, got {bad!r} of type {type(bad).__name__}"
    with pytest.raises(TypeError, match=message):
        hinge_loss([Value(0.3), Value(0.1)], [1, bad])


def test_check_pairs_counts_the_pairs_and_names_them_as_told():
    assert check_pairs([Value(1.0), Value(2.0)], [1, -1]) == 2
    with pytest.raises(ValueError, match="^got 1 scores for 2 labels: they must pair up$"):
        check_pairs([Value(1.0)], [1, -1], "accuracy", ("score", "label"))
    with pytest.raises(ValueError, match="^accuracy needs at least one score$"):
        check_pairs([], [], "accuracy", ("score", "label"))
