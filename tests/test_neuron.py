"""nanograd.neuron: a neuron computes activation(w·x + b), and its parameters are the Values it uses."""

import math

import pytest

from nanograd.core import Value
from nanograd.neuron import Module, Neuron

from expected import ACTIVATIONS_BY_HAND as BY_HAND
from expected import central_difference


def test_a_neuron_has_one_weight_per_input_and_a_bias():
    n = Neuron(3, seed=0)
    assert len(n.w) == 3
    assert len(n.parameters()) == 4
    assert n.parameters()[:3] == n.w and n.parameters()[3] is n.b


def test_weights_are_in_minus_one_to_one_and_the_bias_starts_at_zero():
    for seed in range(20):
        n = Neuron(5, seed=seed)
        assert all(-1.0 <= w.data <= 1.0 for w in n.w)
        assert n.b.data == 0.0


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    first = [w.data for w in Neuron(4, seed=7).w]
    again = [w.data for w in Neuron(4, seed=7).w]
    other = [w.data for w in Neuron(4, seed=8).w]
    assert first == again
    assert first != other
    assert len(set(first)) == 4  # four different draws, not one number repeated


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_the_activation_is_applied_to_the_weighted_sum(activation):
    n = Neuron(3, activation=activation, seed=3)
    n.b.data = 0.25
    for x in ([0.5, -1.5, 2.0], [-0.5, 1.5, -2.0]):  # z of both signs, so that relu shows both sides
        z = sum(w.data * xi for w, xi in zip(n.w, x, strict=True)) + 0.25
        assert abs(z) > 0.1
        assert n(x).data == pytest.approx(BY_HAND[activation](z), rel=1e-12, abs=1e-15)


def test_the_default_activation_is_tanh():
    n = Neuron(2, seed=1)
    z = n.w[0].data * 0.3 + n.w[1].data * -0.8
    assert n([0.3, -0.8]).data == pytest.approx(math.tanh(z), rel=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_gradients_of_every_parameter_and_input_match_central_differences(activation):
    n = Neuron(3, activation=activation, seed=4)
    n.b.data = 0.1
    # Inputs with the signs of the weights make w·x + b > 0: away from relu's kink, where slopes are one-sided.
    x = [Value(math.copysign(size, w.data)) for size, w in zip([0.7, 0.4, 1.3], n.w, strict=True)]
    out = n(x)
    out.backward()
    for v in [*n.parameters(), *x]:
        assert v.grad == pytest.approx(central_difference(lambda: n(x), v), abs=1e-7)
    assert all(p.grad != 0.0 for p in n.parameters())


def test_zero_grad_resets_every_parameter():
    n = Neuron(3, seed=2)
    n([1.0, 2.0, -1.0]).backward()
    assert all(p.grad != 0.0 for p in n.parameters())
    n.zero_grad()
    assert [p.grad for p in n.parameters()] == [0.0] * 4


def test_a_module_without_parameters_has_none():
    m = Module()
    assert m.parameters() == []
    m.zero_grad()  # nothing to do, and no error


@pytest.mark.parametrize("nin", [0, -1])
def test_too_few_inputs_is_a_value_error(nin):
    with pytest.raises(ValueError, match=rf"^nin must be a whole number of at least 1, got {nin}$"):
        Neuron(nin)


@pytest.mark.parametrize("nin", [2.5, 2.0, True, "3", None])
def test_a_number_of_inputs_that_is_not_a_whole_number_is_a_type_error(nin):
    with pytest.raises(TypeError) as caught:
        Neuron(nin)
    assert str(caught.value) == f"nin must be a whole number of at least 1, got {nin!r} of type {type(nin).__name__}"


def test_an_unknown_activation_is_a_clear_error_that_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'softmax'") as error:
        Neuron(2, activation="softmax")
    for name in ("tanh", "relu", "sigmoid", "linear"):
        assert repr(name) in str(error.value)


@pytest.mark.parametrize("x", [[1.0], [1.0, 2.0, 3.0], []])
def test_the_wrong_number_of_inputs_is_a_clear_error(x):
    with pytest.raises(ValueError, match=rf"this neuron takes 2 inputs, got {len(x)}"):
        Neuron(2)(x)


@pytest.mark.parametrize("seed", ["zero", 1.0, True, None])
def test_a_seed_that_is_not_an_int_is_a_clear_error(seed):
    with pytest.raises(TypeError, match="seed must be an int or a random.Random"):
        Neuron(2, seed=seed)


def test_repr_names_the_size_and_activation():
    assert repr(Neuron(3, activation="relu")) == "Neuron(nin=3, activation='relu')"
