"""nanograd.nn: layers and MLPs have the shapes, parameters and gradients that their sizes say."""


import pytest

from nanograd.core import Value
from nanograd.nn import MLP, Layer, Neuron

from expected import ACTIVATIONS_BY_HAND as BY_HAND
from expected import central_difference


def count_parameters(nin: int, sizes: list[int]) -> int:
    """Each neuron has one weight per input of its layer and one bias."""
    total, fan_in = 0, nin
    for width in sizes:
        total += width * (fan_in + 1)
        fan_in = width
    return total


def forward_by_hand(model: MLP, x: list[float], hidden: str, output: str) -> list[float]:
    """The MLP's outputs from its weights' numbers, with plain floats and the math module."""
    for i, layer in enumerate(model.layers):
        f = BY_HAND[output if i == len(model.layers) - 1 else hidden]
        x = [f(sum(w.data * xi for w, xi in zip(n.w, x, strict=True)) + n.b.data) for n in layer.neurons]
    return x


# --- Layer


def test_a_layer_returns_one_value_per_neuron_also_when_it_has_one():
    assert len(Layer(3, 4)([1.0, 2.0, 3.0])) == 4
    one = Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(one, list) and len(one) == 1 and isinstance(one[0], Value)


def test_a_layer_has_nout_times_nin_plus_one_parameters():
    assert len(Layer(3, 4).parameters()) == 4 * (3 + 1)


def test_the_neurons_of_a_layer_get_different_weights():
    layer = Layer(3, 5, seed=0)
    weights = [tuple(w.data for w in n.w) for n in layer.neurons]
    assert len(set(weights)) == 5


@pytest.mark.parametrize("nout, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("3", TypeError)])
def test_a_layer_of_a_bad_size_is_a_clear_error(nout, error):
    with pytest.raises(error, match=f"nout must be a whole number of at least 1, got {nout!r}"):
        Layer(2, nout)


# --- MLP: shapes and parameters


def test_the_course_mlp_has_337_parameters():
    # By hand: (2+1)*16 + (16+1)*16 + (16+1)*1 = 48 + 272 + 17.
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337


@pytest.mark.parametrize("nin, sizes", [(2, [16, 16, 1]), (3, [4, 4, 1]), (1, [1]), (5, [3, 1, 2]), (2, [16, 1, 1])])
def test_parameter_counts_follow_the_sizes(nin, sizes):
    params = MLP(nin, sizes).parameters()
    assert len(params) == count_parameters(nin, sizes)
    assert len({id(p) for p in params}) == len(params)  # each parameter once, none shared


def test_one_output_is_a_value_and_several_are_a_list():
    assert isinstance(MLP(2, [4, 1])([0.5, -0.5]), Value)
    out = MLP(2, [4, 3])([0.5, -0.5])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(v, Value) for v in out)


def test_the_same_seed_gives_the_same_network_and_another_seed_another():
    def numbers(model):
        return [p.data for p in model.parameters()]

    assert numbers(MLP(2, [16, 16, 1], seed=3)) == numbers(MLP(2, [16, 16, 1], seed=3))
    assert numbers(MLP(2, [16, 16, 1], seed=3)) != numbers(MLP(2, [16, 16, 1], seed=4))


def test_layers_do_not_repeat_each_others_weights():
    # One random stream runs through all layers: two layers of the same shape must not start alike.
    model = MLP(4, [4, 4, 4, 1], seed=0)
    layers = [[w.data for n in layer.neurons for w in n.w] for layer in model.layers[:3]]
    assert layers[1] != layers[2]
    assert len({tuple(w.data for w in n.w) for layer in model.layers[1:3] for n in layer.neurons}) == 8


def test_weights_are_in_minus_one_to_one_and_biases_start_at_zero():
    model = MLP(2, [16, 16, 1], seed=5)
    neurons = [n for layer in model.layers for n in layer.neurons]
    assert len(neurons) == 33
    assert all(-1.0 <= w.data <= 1.0 for n in neurons for w in n.w)
    assert all(n.b.data == 0.0 for n in neurons)
    # Uniform on [-1, 1]: 320 draws cover both signs and come near both ends.
    weights = [w.data for n in neurons for w in n.w]
    assert min(weights) < -0.9 and max(weights) > 0.9


# --- MLP: what it computes


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("output", ["tanh", "relu", "sigmoid", "linear"])
def test_activations_are_applied_where_the_keywords_say(hidden, output):
    model = MLP(2, [5, 3], activation=hidden, output_activation=output, seed=11)
    x = [0.6, -1.2]
    assert [v.data for v in model(x)] == pytest.approx(forward_by_hand(model, x, hidden, output), rel=1e-12, abs=1e-15)


def test_by_default_hidden_layers_use_tanh_and_the_output_is_linear():
    model = MLP(2, [4, 1], seed=2)
    x = [0.9, 0.4]
    assert model(x).data == pytest.approx(forward_by_hand(model, x, "tanh", "linear")[0], rel=1e-12)
    assert model.layers[0].neurons[0].activation == "tanh"
    assert model.layers[1].neurons[0].activation == "linear"


def test_every_parameter_is_a_value_that_the_output_uses():
    # Nudging each listed parameter moves the output exactly as backward() says:
    # a copy instead of the real Value would show a gradient of 0 (checked too).
    model = MLP(2, [16, 16, 1], seed=0)
    x = [0.4, -0.7]
    out = model(x)
    out.backward()
    params = model.parameters()
    assert all(p.grad != 0.0 for p in params)
    for p in params:
        assert p.grad == pytest.approx(central_difference(lambda: model(x), p), abs=1e-7)


def test_hidden_layers_of_width_one_work_and_pass_gradients_through():
    model = MLP(2, [16, 1, 1], seed=1)
    x = [Value(0.3), Value(-0.5)]
    out = model(x)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(forward_by_hand(model, [0.3, -0.5], "tanh", "linear")[0], rel=1e-12)
    out.backward()
    first_layer_weight = model.layers[0].neurons[3].w[1]
    for v in (first_layer_weight, model.layers[1].neurons[0].b, *x):
        assert v.grad != 0.0
        assert v.grad == pytest.approx(central_difference(lambda: model(x), v), abs=1e-7)


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [4, 4, 1], seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- MLP: bad input


def test_sizes_must_be_a_non_empty_list_of_widths():
    message = r"sizes must be a non-empty list of layer widths, e\.g\. \[16, 16, 1\], got \[\]"
    with pytest.raises(ValueError, match=message):
        MLP(2, [])


@pytest.mark.parametrize("sizes", [16, None, "16"])
def test_sizes_that_are_not_a_list_are_a_type_error(sizes):
    with pytest.raises(TypeError, match=rf"sizes must be a list of layer widths, e.g. \[16, 16, 1\], got {sizes!r}"):
        MLP(2, sizes)


@pytest.mark.parametrize("sizes, error", [([16, 0, 1], ValueError), ([16, -1], ValueError), ([2.5, 1], TypeError)])
def test_each_width_must_be_a_whole_number_of_at_least_one(sizes, error):
    with pytest.raises(error, match="each layer size must be a whole number of at least 1"):
        MLP(2, sizes)


def test_the_number_of_inputs_must_be_at_least_one():
    with pytest.raises(ValueError, match="nin must be a whole number of at least 1, got 0"):
        MLP(0, [1])


@pytest.mark.parametrize("keyword", ["activation", "output_activation"])
def test_an_unknown_activation_is_a_clear_error(keyword):
    with pytest.raises(ValueError, match="unknown activation 'Tanh'"):
        MLP(2, [3, 1], **{keyword: "Tanh"})


def test_the_wrong_number_of_inputs_is_a_clear_error():
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])


def test_neuron_is_importable_from_nn_too():
    assert isinstance(MLP(2, [1]).layers[0].neurons[0], Neuron)


def test_repr_shows_the_layers():
    assert repr(MLP(2, [3, 1])) == "MLP of [Layer(2 -> 3, activation='tanh'), Layer(3 -> 1, activation='linear')]"
