"""Layers: shapes, gradients against finite differences, the gradient convention."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bp

ACTIVATIONS = [bp.Sigmoid, bp.Tanh, bp.ReLU, bp.Identity]


def regression_targets(rng, n, k):
    return rng.normal(size=(n, k))


def make_problem(loss_name, rng, n, n_out):
    """A loss and matching targets of the right kind for ``n`` examples."""
    if loss_name == "mse":
        return bp.MSE(), rng.normal(size=(n, n_out)), n_out
    if loss_name == "bce":
        return bp.BinaryCrossEntropy(), rng.integers(0, 2, size=n), 1
    return bp.SoftmaxCrossEntropy(), rng.integers(0, n_out, size=n), n_out


def assert_gradients_match(model, loss, X, y):
    """Relative error below 1e-6 for every parameter.

    When a gradient is almost exactly zero (a dead ReLU unit, a saturated
    sigmoid) the relative error compares rounding noise with rounding noise;
    there we ask instead that the absolute difference be below 1e-9.
    """
    errors = bp.check_gradients(model, loss, X, y)
    bp.loss_and_gradients(model, loss, X, y)
    for name, p in model.named_parameters():
        if errors[name] >= 1e-6:
            numeric = bp.numerical_gradient(lambda _: loss(model.forward(X), y), p.data)
            assert np.max(np.abs(numeric - p.grad)) < 1e-9, (name, errors[name])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_name", ["mse", "bce", "softmax"])
def test_every_activation_and_loss_pass_the_gradient_check(activation, loss_name):
    rng = np.random.default_rng(1)
    loss, y, n_out = make_problem(loss_name, rng, 7, 3)
    model = bp.Sequential(bp.Linear(4, 5, rng=rng), activation(), bp.Linear(5, n_out, rng=rng))
    X = rng.normal(size=(7, 4))
    errors = bp.check_gradients(model, loss, X, y)
    assert max(errors.values()) < 1e-6, errors


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       widths=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       activations=st.lists(st.sampled_from(ACTIVATIONS), min_size=3, max_size=3),
       n=st.integers(1, 6), n_in=st.integers(1, 4), n_out=st.integers(1, 4),
       loss_name=st.sampled_from(["mse", "bce", "softmax"]))
def test_random_networks_pass_the_gradient_check(seed, widths, activations, n, n_in, n_out, loss_name):
    rng = np.random.default_rng(seed)
    loss, y, n_out = make_problem(loss_name, rng, n, n_out)
    sizes = [n_in] + widths + [n_out]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(bp.Linear(sizes[i], sizes[i + 1], rng=rng))
        if i < len(sizes) - 2:
            layers.append(activations[i]())
    model = bp.Sequential(*layers)
    # Random biases: with the default zero biases a dead ReLU feeding the next layer puts z at
    # exactly 0, the kink where relu has no derivative and finite differences see a one-sided slope.
    for layer in model.layers[::2]:
        layer.b.data[:] = rng.normal(scale=0.5, size=layer.b.data.shape)
    assert_gradients_match(model, loss, rng.normal(size=(n, n_in)), y)


class ForgetfulSigmoid(bp.Sigmoid):
    """A deliberately wrong backward: drops the (1 - a) factor of sigma'."""

    def backward(self, da):
        return da * self.a


def test_gradient_check_catches_a_wrong_backward():
    rng = np.random.default_rng(2)
    model = bp.Sequential(bp.Linear(3, 4, rng=rng), ForgetfulSigmoid(), bp.Linear(4, 1, rng=rng))
    errors = bp.check_gradients(model, bp.MSE(), rng.normal(size=(5, 3)), rng.normal(size=(5, 1)))
    assert errors["0.W"] > 1e-2                        # caught: far above the 1e-6 threshold
    assert errors["2.W"] < 1e-6                        # layers after the bug are still right


def test_backward_overwrites_so_calling_it_twice_gives_the_same_gradient():
    rng = np.random.default_rng(3)
    model = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    loss = bp.SoftmaxCrossEntropy()
    bp.loss_and_gradients(model, loss, X, y)
    first = [p.grad.copy() for p in model.parameters()]
    bp.loss_and_gradients(model, loss, X, y)
    for g, p in zip(first, model.parameters()):
        np.testing.assert_array_equal(g, p.grad)


def test_linear_shapes_and_initialisation_scale():
    rng = np.random.default_rng(4)
    layer = bp.Linear(400, 300, rng=rng)
    assert layer.W.data.shape == (400, 300) and layer.b.data.shape == (300,)
    assert np.all(layer.b.data == 0)
    # Xavier: std sqrt(2 / (400 + 300)) = 0.0535; He: sqrt(2 / 400) = 0.0707
    assert layer.W.data.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    he = bp.Linear(400, 300, rng=rng, init="he")
    assert he.W.data.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert bp.Linear(400, 300, rng=rng, init="normal").W.data.std() == pytest.approx(0.01, rel=0.02)
    assert layer(np.ones((5, 400))).shape == (5, 300)


def test_float32_layers_compute_in_float32():
    rng = np.random.default_rng(5)
    model = bp.Sequential(bp.Linear(3, 4, rng=rng, dtype=np.float32), bp.ReLU(),
                          bp.Linear(4, 2, rng=rng, dtype=np.float32))
    out = model(rng.normal(size=(5, 3)))
    assert out.dtype == np.float32
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), bp.GradientDescent(model.parameters(), lr=0.1),
                     rng.normal(size=(8, 3)), rng.integers(0, 2, 8), epochs=3)
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    assert np.isfinite(history.loss).all()


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = bp.Sigmoid()(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_allclose(a, [[0.0, 0.5, 1.0]])


def test_named_parameters_are_unique_and_ordered():
    rng = np.random.default_rng(6)
    model = bp.Sequential(bp.Linear(2, 3, rng=rng), bp.ReLU(), bp.Linear(3, 1, rng=rng))
    assert [name for name, _ in model.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert len(model) == 3 and isinstance(model[1], bp.ReLU)
    assert "Linear(2 -> 3)" in repr(model)


def test_backward_parameters_gives_the_same_gradients_without_the_input_gradient():
    rng = np.random.default_rng(7)
    model = bp.Sequential(bp.Linear(3, 5, rng=rng), bp.ReLU(), bp.Linear(5, 2, rng=rng))
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    loss = bp.SoftmaxCrossEntropy()
    bp.loss_and_gradients(model, loss, X, y)
    full = [p.grad.copy() for p in model.parameters()]
    loss(model.forward(X), y)
    assert model.backward_parameters(loss.backward()) is None
    for g, p in zip(full, model.parameters()):
        np.testing.assert_array_equal(g, p.grad)


def test_a_layer_used_twice_is_refused_at_once():
    # Supporting it would need the gradients of both uses added up; bp's layers keep one input and
    # overwrite .grad, so Sequential refuses instead (the gradient used to be off by a relative 0.6).
    rng = np.random.default_rng(0)
    shared = bp.Linear(2, 2, rng=rng)
    with pytest.raises(ValueError, match=r"Linear\(2 -> 2\) appears twice \(at positions 0 and 2\).*weight tying"):
        bp.Sequential(shared, bp.Tanh(), shared)
    tanh = bp.Tanh()
    with pytest.raises(ValueError, match=r"Tanh\(\) appears twice \(at positions 1 and 3\)"):
        bp.Sequential(bp.Linear(2, 2, rng=rng), tanh, bp.Linear(2, 2, rng=rng), tanh)
    block = bp.Sequential(bp.Linear(2, 2, rng=rng), bp.Tanh())
    with pytest.raises(ValueError, match=r"appears twice"):
        bp.Sequential(block, block)                    # a nested model used twice
    with pytest.raises(ValueError, match=r"appears twice"):
        bp.Sequential(shared, bp.Sequential(bp.Tanh(), shared))   # once outside, once inside
    assert shared.x is None, "refused before any forward pass"


def test_a_parameter_shared_by_two_layers_is_refused():
    rng = np.random.default_rng(0)
    first, second = bp.Linear(2, 2, rng=rng), bp.Linear(2, 2, rng=rng)
    second.W = first.W                                 # tie the weights by hand
    with pytest.raises(ValueError, match=r"the Parameter Parameter\('W'.*is used twice \(at positions 0 and 2\)"):
        bp.Sequential(first, bp.Tanh(), second)


def test_a_layer_may_be_reused_in_a_new_model_once_the_old_one_is_dropped():
    rng = np.random.default_rng(0)
    layer = bp.Linear(2, 3, rng=rng)
    bp.Sequential(layer, bp.Tanh())
    model = bp.Sequential(layer, bp.ReLU())            # one use per model is fine
    assert model.parameters() == layer.parameters()


def test_predict_and_probabilities_are_one_line_after_training():
    X, y = bp.make_blobs(90, centers=3, spread=0.5, rng=np.random.default_rng(0))
    model = bp.Sequential(bp.Linear(2, 8, rng=np.random.default_rng(1)), bp.Tanh(),
                          bp.Linear(8, 3, rng=np.random.default_rng(2)))
    loss = bp.SoftmaxCrossEntropy()
    bp.fit(model, loss, bp.Adam(model.parameters(), lr=0.05), X, y, epochs=50)
    labels, probs = bp.predict(model, loss, X), bp.probabilities(model, loss, X)
    assert labels.shape == (90,) and probs.shape == (90, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    assert np.array_equal(labels, np.argmax(probs, axis=1))
    assert np.mean(labels == y) > 0.9
    binary = bp.Sequential(bp.Linear(2, 1, rng=np.random.default_rng(3)))
    bce = bp.BinaryCrossEntropy()
    assert np.array_equal(bp.predict(binary, bce, X), (bp.probabilities(binary, bce, X)[:, 0] > 0.5).astype(int))
    regression = bp.Sequential(bp.Linear(2, 2, rng=np.random.default_rng(4)))
    np.testing.assert_array_equal(bp.predict(regression, bp.MSE(), X), regression(X))
    with pytest.raises(TypeError, match=r"probabilities needs a classification loss.*got MSE\(\)"):
        bp.probabilities(regression, bp.MSE(), X)
    with pytest.raises(ValueError, match=r"X has shape \(2, 90\).*X\.T"):
        bp.predict(model, loss, X.T)
