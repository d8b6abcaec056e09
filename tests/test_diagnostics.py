"""bp.diagnostics, worked out by hand on tiny networks with known weights, and its refusals."""

import numpy as np
import pytest

import bp
from bp import diagnostics


def relu_net(b1=(0.0, 0.5)):
    """The 2-2-1 network of test_hand_worked.py: Linear, ReLU, Linear with chosen weights."""
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(2, 2, rng=rng), bp.ReLU(), bp.Linear(2, 1, rng=rng))
    model[0].W.data[:] = [[1.0, -1.0], [0.5, 1.0]]
    model[0].b.data[:] = b1
    model[2].W.data[:] = [[1.0], [-2.0]]
    model[2].b.data[:] = [0.5]
    return model


def one_unit(activation, w=1.0, b=0.0):
    """Linear(1, 1) with weight w and bias b, then the activation: its output is activation(w x + b)."""
    model = bp.Sequential(bp.Linear(1, 1, rng=np.random.default_rng(0)), activation)
    model[0].W.data[:] = [[w]]
    model[0].b.data[:] = [b]
    return model


def test_gradient_norms_by_hand():
    # X = [1, 2], y = 1 (test_hand_worked.py): Z1 = [2, 1.5], A1 = [2, 1.5], Z2 = -0.5, delta2 = 2 (-0.5 - 1) = -3
    # dW2 = A1^T delta2 = [[-6], [-4.5]]            ->  ||dW2|| = sqrt(36 + 20.25) = 7.5
    # dW1 = X^T delta1, delta1 = [-3, 6]: [[-3, 6], [-6, 12]]  ->  ||dW1|| = sqrt(9 + 36 + 36 + 144) = 15
    norms = diagnostics.gradient_norms(relu_net(), bp.MSE(), np.array([[1.0, 2.0]]), np.array([[1.0]]))
    assert list(norms) == ["0.W", "2.W"]                     # first layer first, named as named_parameters
    assert norms["0.W"] == pytest.approx(15.0) and norms["2.W"] == pytest.approx(7.5)


def test_update_ratios_by_hand():
    # One step of gradient descent with eta = 0.01 moves W1 by 0.01 dW1 and W2 by 0.01 dW2:
    # ||Delta W1|| = 0.15, ||W1|| = sqrt(1 + 1 + 0.25 + 1) = sqrt(3.25)  ->  0.15 / 1.80278 = 0.083205
    # ||Delta W2|| = 0.075, ||W2|| = sqrt(1 + 4) = sqrt(5)              ->  0.075 / 2.23607 = 0.033541
    model = relu_net()
    before = diagnostics.weights(model)
    bp.loss_and_gradients(model, bp.MSE(), np.array([[1.0, 2.0]]), np.array([[1.0]]))
    bp.GradientDescent(model.parameters(), lr=0.01).step()
    ratios = diagnostics.update_ratios(model, before)
    assert ratios["0.W"] == pytest.approx(0.15 / np.sqrt(3.25))
    assert ratios["2.W"] == pytest.approx(0.075 / np.sqrt(5.0))
    assert diagnostics.update_ratios(model, diagnostics.weights(model)) == {"0.W": 0.0, "2.W": 0.0}


def test_weights_are_a_copy_and_zero_weights_give_inf():
    model = relu_net()
    before = diagnostics.weights(model)
    model[0].W.data[0, 0] = 7.0                              # an in-place change must not reach the copy
    assert before["0.W"][0, 0] == 1.0
    before["2.W"][:] = 0.0
    assert diagnostics.update_ratios(model, before)["2.W"] == np.inf


def test_dead_units_by_hand():
    X = np.array([[1.0, 2.0], [-1.0, -2.0]])
    # b1 = [0, 0.5]: Z1 = [[2, 1.5], [-2, -0.5]]: each unit is positive on the first row: none dead
    assert diagnostics.dead_units(relu_net(), X) == {"1": 0.0}
    # b1 = [-3, 0.5]: Z1 = [[-1, 1.5], [-5, -0.5]]: unit 1 is <= 0 on both rows, unit 2 is not: 1 of 2 dead
    model = relu_net(b1=(-3.0, 0.5))
    assert diagnostics.dead_units(model, X) == {"1": 0.5}
    # ... and a dead unit gets no gradient from these examples
    bp.loss_and_gradients(model, bp.MSE(), X, np.array([[1.0], [0.0]]))
    assert np.all(model[0].W.grad[:, 0] == 0) and np.any(model[0].W.grad[:, 1] != 0)


def test_saturated_units_by_hand():
    X = np.array([[-4.0], [0.0], [3.0], [10.0]])
    # sigmoid(X) = 0.018, 0.5, 0.953, 0.99995: distances to the nearer limit 0.018, 0.5, 0.047, 0.00005
    sigmoid = one_unit(bp.Sigmoid())
    assert diagnostics.saturated_units(sigmoid, X) == {"1": 0.75}                  # threshold 0.05: 3 of 4
    assert diagnostics.saturated_units(sigmoid, X, threshold=0.01) == {"1": 0.25}  # only 0.99995
    # tanh(X) = -0.99933, 0, 0.99505, 1.0: distances 0.00067, 1, 0.00495, 0: 3 of 4 at both thresholds
    tanh = one_unit(bp.Tanh())
    assert diagnostics.saturated_units(tanh, X) == {"1": 0.75}
    # tanh(X / 4) = -0.762, 0, 0.635, 0.987: only 10 / 4 saturates at 0.05 (distance 0.013)
    assert diagnostics.saturated_units(one_unit(bp.Tanh(), w=0.25), X) == {"1": 0.25}


def test_activation_stats_by_hand():
    # Z = 2 x + 1 for x = -1, 0, 1, 2: [-1, 1, 3, 5], mean 2, std sqrt((9 + 1 + 1 + 9) / 4) = sqrt(5)
    # relu(Z) = [0, 1, 3, 5]: mean 2.25, std sqrt((5.0625 + 1.5625 + 0.5625 + 7.5625) / 4) = sqrt(3.6875)
    stats = diagnostics.activation_stats(one_unit(bp.ReLU(), w=2.0, b=1.0), np.array([[-1.0], [0.0], [1.0], [2.0]]))
    assert list(stats) == ["0", "1"]
    assert stats["0"] == pytest.approx((2.0, np.sqrt(5.0)))
    assert stats["1"] == pytest.approx((2.25, np.sqrt(3.6875)))


def test_nested_sequentials_are_named_by_path():
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(2, 3, rng=rng), bp.Sequential(bp.ReLU(), bp.Linear(3, 1, rng=rng)))
    assert [name for name, _ in diagnostics.named_layers(model)] == ["0", "1.0", "1.1"]
    assert list(diagnostics.weights(model)) == ["0.W", "1.1.W"]


def test_bad_input_is_refused_naming_the_argument():
    model, X = relu_net(), np.array([[1.0, 2.0]])
    with pytest.raises(TypeError, match="model must be a bp Layer"):
        diagnostics.dead_units([bp.ReLU()], X)
    with pytest.raises(ValueError, match="X must be 2-D"):
        diagnostics.dead_units(model, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"expects x of shape \(N, 2\), got \(1, 3\)"):
        diagnostics.activation_stats(model, np.ones((1, 3)))
    with pytest.raises(ValueError, match="no Sigmoid or Tanh layer"):
        diagnostics.saturated_units(model, X)
    with pytest.raises(ValueError, match="no ReLU layer"):
        diagnostics.dead_units(one_unit(bp.Tanh()), X[:, :1])
    with pytest.raises(ValueError, match="no Linear layer"):
        diagnostics.gradient_norms(bp.Sequential(bp.Tanh()), bp.MSE(), X, np.array([[1.0, 0.0]]))
    for threshold in (0.0, 0.5, 2.0):
        with pytest.raises(ValueError, match=r"threshold must lie in \(0, 0.5\)"):
            diagnostics.saturated_units(one_unit(bp.Tanh()), X[:, :1], threshold=threshold)
    with pytest.raises(TypeError, match="threshold must be a real number"):
        diagnostics.saturated_units(one_unit(bp.Tanh()), X[:, :1], threshold="0.1")


def test_update_ratios_refuses_a_before_of_another_model():
    model = relu_net()
    with pytest.raises(ValueError, match=r"keys \['0.W', '2.W'\], got \['0.W'\]"):
        diagnostics.update_ratios(model, {"0.W": np.ones((2, 2))})
    with pytest.raises(ValueError, match="before must be weights"):
        diagnostics.update_ratios(model, [np.ones((2, 2))])
    with pytest.raises(ValueError, match=r"before\['2.W'\] has shape \(1, 2\)"):
        diagnostics.update_ratios(model, {"0.W": np.ones((2, 2)), "2.W": np.ones((1, 2))})
