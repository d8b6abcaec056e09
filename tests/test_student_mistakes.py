"""The mistakes students make with bp, each met by an error that says how to fix it.

The first group is the review of Part I, section B (``../shared/reviews/part1.md``);
the second is the mistakes we expect next. Every test asserts the four parts
of the message (the argument, what was received, what was expected, the
usual fix) and that the failed call changed nothing: parameters, gradients
and optimizer state are as they were.
"""

import re

import numpy as np
import pytest

import bp


def spirals_setup():
    """The student's homework: spirals, a 2-32-3 tanh network, softmax cross-entropy."""
    X, y = bp.make_spirals(450, noise=0.1, rng=np.random.default_rng(0))
    model = bp.Sequential(bp.Linear(2, 32, rng=np.random.default_rng(1)), bp.Tanh(),
                          bp.Linear(32, 3, rng=np.random.default_rng(2)))
    loss = bp.SoftmaxCrossEntropy()
    optimizer = bp.Adam(model.parameters(), lr=0.01)
    bp.fit(model, loss, optimizer, X, y, epochs=2, batch_size=64, rng=np.random.default_rng(3))
    return X, y, model, loss, optimizer


def state(model, optimizer=None):
    """Copies of everything a failed call must leave alone."""
    arrays = [p.data.copy() for p in model.parameters()] + [p.grad.copy() for p in model.parameters()]
    if optimizer is not None:
        arrays += [a.copy() for a in optimizer.state_arrays()] + [np.array(optimizer.t)]
    return arrays


def assert_same(before, after):
    assert len(before) == len(after)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def raises_with(error, call, *parts):
    """Call, expect ``error``, and check that every part appears in its message."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for part in parts:
        assert re.search(part, message), f"{part!r} not in {message!r}"
    return message


# ---- the review's section B -------------------------------------------------------------------

def test_transposed_X_is_reported_with_its_own_shape_and_the_fix():
    X, y, model, loss, optimizer = spirals_setup()
    before = state(model, optimizer)
    raises_with(ValueError, lambda: bp.fit(model, loss, optimizer, X.T, y, epochs=1),
                r"^X has shape \(2, 450\)",                       # the argument and what was passed
                r"expects 2 columns, shape \(N, 2\)",             # what was expected
                r"pass the transpose X\.T")                       # the fix
    assert_same(before, state(model, optimizer))
    # calling the layer directly says the same
    raises_with(ValueError, lambda: model[0](X.T), r"got \(2, 450\)", r"X\.T")
    assert_same(before, state(model, optimizer))


def test_a_column_of_labels_is_not_taken_for_one_hot_rows():
    X, y, model, loss, optimizer = spirals_setup()
    before = state(model, optimizer)
    raises_with(ValueError, lambda: bp.fit(model, loss, optimizer, X, y[:, None], epochs=1),
                r"^y: target has shape \(450, 1\), one column",
                r"integer labels of shape \(N,\) or one-hot rows of shape \(N, 3\)",
                r"pass y\.ravel\(\)")
    assert_same(before, state(model, optimizer))


def test_fractional_labels_are_blamed_on_their_values_not_their_dtype():
    X, y, model, loss, optimizer = spirals_setup()
    before = state(model, optimizer)
    labels = y.astype(float)
    labels[7] = 1.5
    raises_with(ValueError, lambda: bp.fit(model, loss, optimizer, X, labels, epochs=1),
                r"^y: target holds class labels that are not whole numbers, such as 1\.5 at index 7",
                r"labels are the integers 0 \.\. 2, shape \(N,\)")
    assert_same(before, state(model, optimizer))
    # float labels holding whole numbers are fine, as before
    bp.fit(model, loss, bp.GradientDescent(model.parameters(), lr=0.01), X, y.astype(float), epochs=1)


def test_the_model_instead_of_its_parameters_names_the_fix():
    _, _, model, _, _ = spirals_setup()
    before = state(model)
    for wrong, received in [(model, r"got the model Sequential itself"),
                            (model.parameters, r"got a method, not called"),
                            ([model[0], model[2]], r"got the layer Linear\(2 -> 32\) at position 0")]:
        raises_with(TypeError, lambda: bp.GradientDescent(wrong, lr=0.1),
                    r"^params must", received, r"model\.parameters\(\), with the parentheses")
    assert_same(before, state(model))


def test_backward_before_any_forward_is_a_value_error_with_the_order_to_follow():
    for loss in [bp.MSE(), bp.BinaryCrossEntropy(), bp.SoftmaxCrossEntropy()]:
        raises_with(ValueError, loss.backward, r"backward\(\) was called before any forward pass",
                    r"loss\(model\(X\), y\), then model\.backward\(loss\.backward\(\)\)")
    model = bp.Sequential(bp.Linear(2, 3, rng=np.random.default_rng(0)), bp.Tanh())
    before = state(model)
    raises_with(ValueError, lambda: model.backward(np.ones((4, 3))),
                r"backward\(\) of the model \(Sequential\) was called before forward\(\)",
                r"model\.backward\(loss\.backward\(\)\)")
    for layer in [bp.Linear(2, 3, rng=np.random.default_rng(0)), bp.Sigmoid(), bp.Tanh(), bp.ReLU()]:
        raises_with(ValueError, lambda: layer.backward(np.ones((4, 3))), r"was called before forward\(\)")
    assert_same(before, state(model))


def test_a_different_forward_between_forward_and_backward_is_caught_when_shapes_differ():
    X, y, model, loss, _ = spirals_setup()
    loss(model(X[:32]), y[:32])                        # the batch
    model(X)                                           # then the model on other data (a plot, say)
    before = state(model)
    raises_with(ValueError, lambda: model.backward(loss.backward()),
                r"^dy has shape \(32, 3\)",
                r"last forward pass of the model \(Sequential\) produced an output of shape \(450, 3\)",
                r"run it and the loss on the batch again before backward")
    assert_same(before, state(model))


# ---- the mistakes we expect next ----------------------------------------------------------------

def test_a_layer_without_rng_says_why_it_needs_one():
    raises_with(TypeError, lambda: bp.Linear(2, 3),
                r"^Linear needs rng, a numpy\.random\.Generator",
                r"bp has no global seed", r"Linear\(2, 3, rng=np\.random\.default_rng\(0\)\)")


def test_a_class_instead_of_an_object_asks_for_the_parentheses():
    raises_with(TypeError, lambda: bp.Sequential(bp.Linear(2, 3, rng=np.random.default_rng(0)), bp.Tanh),
                r"got the class Tanh itself at position 1", r"write Tanh\(\) with parentheses")
    X, y, model, _, optimizer = spirals_setup()
    before = state(model, optimizer)
    raises_with(TypeError, lambda: bp.fit(model, bp.SoftmaxCrossEntropy, optimizer, X, y, epochs=1),
                r"^loss must be a Loss object, got the class SoftmaxCrossEntropy itself",
                r"write SoftmaxCrossEntropy\(\.\.\.\)")
    raises_with(TypeError, lambda: bp.fit(model, "mse", optimizer, X, y, epochs=1),
                r"^loss must be a Loss object such as bp\.MSE\(\), got str")
    assert_same(before, state(model, optimizer))


def test_the_loss_object_passed_to_backward_asks_for_its_gradient():
    X, y, model, loss, _ = spirals_setup()
    loss(model(X), y)
    before = state(model)
    raises_with(TypeError, lambda: model.backward(loss),
                r"^dy \(the gradient dL/d\(output\)\) must be a numpy array, got SoftmaxCrossEntropy",
                r"pass loss\.backward\(\): model\.backward\(loss\.backward\(\)\)")
    assert_same(before, state(model))


def test_a_final_sigmoid_before_a_cross_entropy_is_refused():
    X, y = bp.make_moons(40, noise=0.1, rng=np.random.default_rng(0))
    model = bp.Sequential(bp.Linear(2, 4, rng=np.random.default_rng(1)), bp.Tanh(),
                          bp.Linear(4, 1, rng=np.random.default_rng(2)), bp.Sigmoid())
    optimizer = bp.GradientDescent(model.parameters(), lr=0.5)
    before = state(model, optimizer)
    raises_with(ValueError, lambda: bp.fit(model, bp.BinaryCrossEntropy(), optimizer, X, y, epochs=1),
                r"^model ends with Sigmoid\(\), but BinaryCrossEntropy\(\) takes logits",
                r"remove the last Sigmoid\(\)", r"bp\.probabilities\(model, loss, X\)")
    assert_same(before, state(model, optimizer))
    # with MSE a final sigmoid is a legitimate model
    bp.fit(model, bp.MSE(), optimizer, X, y, epochs=1)


def test_swapped_loss_arguments_say_which_comes_first():
    X, y, model, loss, _ = spirals_setup()
    raises_with(ValueError, lambda: loss(y, model(X)),
                r"^output must be 2-D, shape \(N, K\), got shape \(450,\)",
                r"The network's output comes first and the targets second: loss\(model\(X\), y\)")


def test_class_labels_given_to_mse_point_to_the_classification_loss():
    X, y, model, _, optimizer = spirals_setup()
    before = state(model, optimizer)
    raises_with(ValueError, lambda: bp.fit(model, bp.MSE(), optimizer, X, y, epochs=1),
                r"^y: target must have 3 columns like the output, got shape \(450,\)",
                r"looks like class labels", r"SoftmaxCrossEntropy\(\)", r"bp\.one_hot\(y, 3\)")
    raises_with(ValueError, lambda: bp.BinaryCrossEntropy()(np.zeros((4, 3)), np.zeros(4)),
                r"expects output with 1 column \(a logit\), got 3", r"use SoftmaxCrossEntropy\(\)")
    assert_same(before, state(model, optimizer))


def test_a_parameter_listed_twice_is_refused():
    model = bp.Sequential(bp.Linear(2, 3, rng=np.random.default_rng(0)))
    raises_with(ValueError, lambda: bp.GradientDescent(model.parameters() * 2, lr=0.1),
                r"^params lists Parameter\('W'", r"twice \(position 2\)", r"updated twice per step")
