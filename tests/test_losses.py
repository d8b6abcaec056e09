"""Losses: values on hand examples, stability at |z| = 1000, label forms, gradients."""

import numpy as np
import pytest

import bp


def test_mse_by_hand():
    # residuals 1 and -2: L = (1 + 4) / 2 = 2.5; dL/dy_hat = 2 * [1, -2] / 2 = [1, -2]
    loss = bp.MSE()
    assert loss(np.array([[2.0], [0.0]]), np.array([1.0, 2.0])) == 2.5
    np.testing.assert_allclose(loss.backward(), [[1.0], [-2.0]])


def test_binary_cross_entropy_by_hand():
    # z = 0: sigma = 1/2, ell = log 2 for either label; dL/dz = (1/2 - y) / N
    loss = bp.BinaryCrossEntropy()
    assert loss(np.zeros((2, 1)), [0, 1]) == pytest.approx(np.log(2))
    np.testing.assert_allclose(loss.backward(), [[0.25], [-0.25]])


def test_softmax_cross_entropy_by_hand():
    # equal logits over 4 classes: P = 1/4 everywhere, ell = log 4
    loss = bp.SoftmaxCrossEntropy()
    assert loss(np.zeros((1, 4)), [2]) == pytest.approx(np.log(4))
    np.testing.assert_allclose(loss.backward(), [[0.25, 0.25, -0.75, 0.25]])


def test_integer_labels_and_one_hot_rows_agree():
    rng = np.random.default_rng(0)
    z, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    a, b = bp.SoftmaxCrossEntropy(), bp.SoftmaxCrossEntropy()
    assert a(z, labels) == pytest.approx(b(z, bp.one_hot(labels, 3)), abs=1e-15)
    np.testing.assert_allclose(a.backward(), b.backward(), atol=1e-15)


@pytest.mark.parametrize("z", [1000.0, -1000.0])
def test_cross_entropies_are_stable_at_huge_logits(z):
    with np.errstate(over="raise", invalid="raise", divide="raise"):                     # any overflow would raise here
        wrong = bp.SoftmaxCrossEntropy()(np.array([[z, -z]]), [1])
        right = bp.SoftmaxCrossEntropy()(np.array([[z, -z]]), [0])
        bce = bp.BinaryCrossEntropy()
        bce_value = bce(np.array([[z]]), [0])
        bce_grad = bce.backward()
    assert wrong == pytest.approx(2 * abs(z)) if z > 0 else wrong == 0.0
    assert right == 0.0 if z > 0 else right == pytest.approx(2 * abs(z))
    assert bce_value == (abs(z) if z > 0 else 0.0)
    assert np.isfinite(bce_grad).all()


def test_softmax_gradient_is_p_minus_y_over_n():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(5, 3)), rng.integers(0, 3, 5)
    loss = bp.SoftmaxCrossEntropy()
    loss(z, y)
    expected = (loss.probabilities(z) - bp.one_hot(y, 3)) / 5
    analytic = loss.backward()
    np.testing.assert_allclose(analytic, expected, atol=1e-15)
    numeric = bp.numerical_gradient(lambda zz: loss(zz, y), z.copy())
    assert bp.relative_error(analytic, numeric) < 1e-8


def test_predictions():
    assert list(bp.SoftmaxCrossEntropy().predict(np.array([[0, 2, 1], [5, 0, 0]]))) == [1, 0]
    assert list(bp.BinaryCrossEntropy().predict(np.array([[-0.1], [0.3]]))) == [0, 1]
