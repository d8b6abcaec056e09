"""The scalar engine, the per-example loop and the vectorised layers agree to 1e-10."""

import numpy as np
import pytest

import bp
from bp.scalar import Value


def small_network(activation, seed=0):
    rng = np.random.default_rng(seed)
    return bp.Sequential(bp.Linear(3, 4, rng=rng), activation(), bp.Linear(4, 2, rng=rng))


def scalar_gradients(model, X, labels):
    """Rebuild the network from scalar Values and backpropagate through the graph of every operation."""
    W1 = [[Value(w) for w in row] for row in model[0].W.data]
    b1 = [Value(b) for b in model[0].b.data]
    W2 = [[Value(w) for w in row] for row in model[2].W.data]
    b2 = [Value(b) for b in model[2].b.data]
    activate = {bp.Tanh: Value.tanh, bp.Sigmoid: Value.sigmoid, bp.ReLU: Value.relu}[type(model[1])]
    total = Value(0.0)
    for x, label in zip(X, labels):
        hidden = [activate(sum((x[i] * W1[i][j] for i in range(3)), b1[j])) for j in range(4)]
        logits = [sum((hidden[i] * W2[i][k] for i in range(4)), b2[k]) for k in range(2)]
        log_sum = sum((z.exp() for z in logits), Value(0.0)).log()   # logits are small here: no shift needed
        total = total + (log_sum - logits[label])                     # ell_i = logsumexp(z) - z_y
    cost = total / len(X)
    cost.backward()
    grads = {"0.W": [[w.grad for w in row] for row in W1], "0.b": [b.grad for b in b1],
             "2.W": [[w.grad for w in row] for row in W2], "2.b": [b.grad for b in b2]}
    return cost.data, {name: np.array(g) for name, g in grads.items()}


@pytest.mark.parametrize("activation", [bp.Tanh, bp.Sigmoid, bp.ReLU])
def test_scalar_naive_and_vectorised_gradients_agree(activation):
    rng = np.random.default_rng(1)
    X, labels = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    model = small_network(activation)
    loss = bp.SoftmaxCrossEntropy()
    value = bp.loss_and_gradients(model, loss, X, labels)
    vectorised = {name: p.grad for name, p in model.named_parameters()}
    naive = bp.naive_gradients(model, loss, X, labels)
    scalar_value, scalar = scalar_gradients(model, X, labels)
    assert scalar_value == pytest.approx(value, abs=1e-12)
    for name in vectorised:
        np.testing.assert_allclose(naive[name], vectorised[name], rtol=0, atol=1e-10)
        np.testing.assert_allclose(scalar[name], vectorised[name], rtol=0, atol=1e-10)


def test_naive_gradients_leave_the_model_grads_alone():
    rng = np.random.default_rng(2)
    model = small_network(bp.Tanh)
    before = [p.grad.copy() for p in model.parameters()]
    bp.naive_gradients(model, bp.MSE(), rng.normal(size=(4, 3)), rng.normal(size=(4, 2)))
    for a, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, p.grad)
