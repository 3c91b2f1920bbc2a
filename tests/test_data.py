"""nanograd.data: the data sets have the sizes, labels and geometry their docstrings promise, from a seed."""

import math

import pytest

from nanograd.data import circles, four_examples, two_moons


def moons_by_label(n, **kwargs):
    X, y = two_moons(n, **kwargs)
    pairs = list(zip(X, y, strict=True))
    return [p for p, label in pairs if label == -1], [p for p, label in pairs if label == 1]


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("n", [2, 3, 100, 101])
def test_n_points_with_labels_minus_one_and_plus_one_balanced(make, n):
    X, y = make(n, seed=0)
    assert len(X) == len(y) == n
    assert all(len(point) == 2 and all(isinstance(c, float) for c in point) for point in X)
    assert set(y) == {-1, 1}
    assert abs(y.count(1) - y.count(-1)) == n % 2


@pytest.mark.parametrize("make", [two_moons, circles])
def test_the_same_seed_gives_the_same_points_and_another_seed_others(make):
    assert make(50, seed=3) == make(50, seed=3)
    assert make(50, seed=3)[0] != make(50, seed=4)[0]


@pytest.mark.parametrize("make", [two_moons, circles])
def test_the_points_come_shuffled(make):
    # Not all of one class first: a training loop that takes the first points gets both classes.
    _, y = make(100, seed=0)
    assert y[:50].count(1) not in (0, 50)


def test_without_noise_the_upper_moon_is_the_unit_half_circle_around_the_origin():
    upper, _ = moons_by_label(100, noise=0.0)
    assert len(upper) == 50
    for x1, x2 in upper:
        assert math.hypot(x1, x2) == pytest.approx(1.0, abs=1e-12)
        assert x2 >= -1e-12
    # It runs from (1, 0) over the top to (-1, 0).
    assert min(x1 for x1, _ in upper) == pytest.approx(-1.0)
    assert max(x1 for x1, _ in upper) == pytest.approx(1.0)
    assert max(x2 for _, x2 in upper) == pytest.approx(1.0, abs=1e-3)


def test_without_noise_the_lower_moon_is_the_unit_half_circle_around_one_half():
    _, lower = moons_by_label(100, noise=0.0)
    assert len(lower) == 50
    for x1, x2 in lower:
        assert math.hypot(x1 - 1.0, x2 - 0.5) == pytest.approx(1.0, abs=1e-12)
        assert x2 <= 0.5 + 1e-12
    # It runs from (0, 0.5) under the bottom to (2, 0.5): the two moons interleave.
    assert min(x1 for x1, _ in lower) == pytest.approx(0.0)
    assert max(x1 for x1, _ in lower) == pytest.approx(2.0)
    assert min(x2 for _, x2 in lower) == pytest.approx(-0.5, abs=1e-3)


def test_noise_moves_points_off_the_arcs_by_about_its_size():
    # A 2-D Gaussian nudge of standard deviation s moves a point off a unit circle by about
    # s * sqrt(2 / pi) on average (its component across the circle is a 1-D Gaussian).
    upper, lower = moons_by_label(2000, noise=0.05, seed=2)
    offsets = [abs(math.hypot(x1, x2) - 1.0) for x1, x2 in upper]
    offsets += [abs(math.hypot(x1 - 1.0, x2 - 0.5) - 1.0) for x1, x2 in lower]
    assert sum(offsets) / len(offsets) == pytest.approx(0.05 * math.sqrt(2 / math.pi), rel=0.1)


@pytest.mark.parametrize("inner_radius", [0.5, 0.3])
def test_without_noise_circles_lie_on_radius_one_and_the_inner_radius(inner_radius):
    X, y = circles(60, noise=0.0, seed=1, inner_radius=inner_radius)
    for (x1, x2), label in zip(X, y, strict=True):
        assert math.hypot(x1, x2) == pytest.approx(inner_radius if label == 1 else 1.0, abs=1e-12)


def test_circle_points_go_all_the_way_round():
    X, y = circles(400, noise=0.0, seed=0)
    quadrants = {(x1 > 0, x2 > 0, label) for (x1, x2), label in zip(X, y, strict=True)}
    assert len(quadrants) == 8  # each class in each quadrant


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("n", [0, 1, -5])
def test_too_few_points_is_a_value_error(make, n):
    message = rf"^n \(the number of points\) must be a whole number of at least 2, got {n}$"
    with pytest.raises(ValueError, match=message):
        make(n)


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("n", [2.5, 10.0, True, "10", None])
def test_a_number_of_points_that_is_not_a_whole_number_is_a_type_error(make, n):
    with pytest.raises(TypeError, match=r"^n \(the number of points\) must be a whole number of at least 2, got"):
        make(n)


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("noise", [-0.1, math.nan, math.inf])
def test_a_noise_below_zero_or_not_finite_is_a_value_error(make, noise):
    with pytest.raises(ValueError, match=f"noise must be a finite number >= 0, got {noise!r}"):
        make(10, noise=noise)


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("noise", ["0.1", None, True])
def test_a_noise_that_is_not_a_number_is_a_type_error(make, noise):
    with pytest.raises(TypeError, match=f"noise must be a finite number >= 0, got {noise!r} of type"):
        make(10, noise=noise)


@pytest.mark.parametrize("make", [two_moons, circles])
@pytest.mark.parametrize("seed", [1.0, "1", None, True])
def test_a_seed_that_is_not_a_whole_number_is_a_type_error(make, seed):
    with pytest.raises(TypeError, match="seed must be a whole number .the same seed gives the same points everywhere."):
        make(10, seed=seed)


@pytest.mark.parametrize("inner_radius", [0, 1, 1.5, -0.5])
def test_an_inner_radius_outside_the_ring_is_a_value_error(inner_radius):
    with pytest.raises(ValueError, match="inner_radius must be between 0 and 1"):
        circles(10, inner_radius=inner_radius)


@pytest.mark.parametrize("inner_radius", ["0.5", None, True])
def test_an_inner_radius_that_is_not_a_number_is_a_type_error(inner_radius):
    with pytest.raises(TypeError, match="inner_radius must be a number between 0 and 1"):
        circles(10, inner_radius=inner_radius)


def test_four_examples():
    X, y = four_examples()
    assert len(X) == len(y) == 4
    assert all(len(x) == 3 for x in X)
    assert sorted(y) == [-1.0, -1.0, 1.0, 1.0]
    assert four_examples() == (X, y) and four_examples()[0] is not X  # a fresh copy each call: safe to edit
