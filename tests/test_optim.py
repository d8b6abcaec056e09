"""Each optimizer's update re-derived from its formula."""

import numpy as np
import pytest

import bp


def param(values, grad):
    p = bp.Parameter(np.array(values, dtype=float), "p")
    p.grad = np.array(grad, dtype=float)
    return p


def test_gradient_descent_step():
    p = param([1.0, -2.0], [0.5, -1.0])
    bp.GradientDescent([p], lr=0.1).step()            # theta - 0.1 g = [1 - 0.05, -2 + 0.1]
    np.testing.assert_allclose(p.data, [0.95, -1.9])


def test_momentum_two_steps():
    p = param([1.0], [2.0])
    opt = bp.Momentum([p], lr=0.1, beta=0.9)
    opt.step()                                         # v1 = 2; theta1 = 1 - 0.1 * 2 = 0.8
    np.testing.assert_allclose(p.data, [0.8])
    p.grad = np.array([1.0])
    opt.step()                                         # v2 = 0.9 * 2 + 1 = 2.8; theta2 = 0.8 - 0.28 = 0.52
    np.testing.assert_allclose(opt.velocity[0], [2.8])
    np.testing.assert_allclose(p.data, [0.52])


def test_momentum_with_beta_zero_is_gradient_descent():
    a, b = param([1.0, 2.0], [0.3, -0.4]), param([1.0, 2.0], [0.3, -0.4])
    bp.Momentum([a], lr=0.5, beta=0.0).step()
    bp.GradientDescent([b], lr=0.5).step()
    np.testing.assert_array_equal(a.data, b.data)


def test_adam_bias_correction_at_steps_one_and_two():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    p = param([1.0, 1.0], [0.5, -4.0])
    opt = bp.Adam([p], lr=lr, beta1=b1, beta2=b2, eps=eps)
    opt.step()
    # Step 1: m1 = (1 - b1) g, v1 = (1 - b2) g^2, so m_hat = g and v_hat = g^2:
    # the first step is lr * g / (|g| + eps), about lr * sign(g), whatever the size of g.
    g1 = np.array([0.5, -4.0])
    np.testing.assert_allclose(opt.m[0], (1 - b1) * g1)
    np.testing.assert_allclose(opt.v[0], (1 - b2) * g1 ** 2)
    step1 = lr * g1 / (np.abs(g1) + eps)
    np.testing.assert_allclose(p.data, 1.0 - step1)
    np.testing.assert_allclose(p.data, [0.99, 1.01], atol=1e-9)
    # Step 2 with g2: m2 = b1 m1 + (1 - b1) g2, v2 = b2 v1 + (1 - b2) g2^2,
    # m_hat = m2 / (1 - b1^2), v_hat = v2 / (1 - b2^2)
    g2 = np.array([1.0, 2.0])
    p.grad = g2.copy()
    opt.step()
    m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2
    v2 = b2 * (1 - b2) * g1 ** 2 + (1 - b2) * g2 ** 2
    m_hat, v_hat = m2 / (1 - b1 ** 2), v2 / (1 - b2 ** 2)
    np.testing.assert_allclose(p.data, 1.0 - step1 - lr * m_hat / (np.sqrt(v_hat) + eps))
    assert opt.t == 2


@pytest.mark.parametrize("lr", [0, -1.0, float("nan"), float("inf")])
def test_learning_rate_must_be_positive_and_finite(lr):
    with pytest.raises(ValueError, match=r"lr must be a positive finite number, got"):
        bp.GradientDescent([param([1.0], [1.0])], lr=lr)


def test_learning_rate_type_is_checked_and_schedules_are_checked_too():
    opt = bp.GradientDescent([param([1.0], [1.0])], lr=0.1)
    with pytest.raises(TypeError, match=r"lr must be a positive number, got '0.1' of type str"):
        opt.lr = "0.1"
    assert opt.lr == 0.1                               # the failed assignment changed nothing
    opt.lr = 0.05
    assert opt.lr == 0.05


def test_betas_are_checked():
    with pytest.raises(ValueError, match=r"beta must lie in \[0, 1\), got 1.0"):
        bp.Momentum([param([1.0], [1.0])], lr=0.1, beta=1.0)
    with pytest.raises(ValueError, match=r"beta2 must lie in \[0, 1\), got -0.1"):
        bp.Adam([param([1.0], [1.0])], beta2=-0.1)


def test_params_must_be_parameters():
    with pytest.raises(TypeError, match=r"params must hold Parameter objects, got ndarray at position 0"):
        bp.GradientDescent([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match=r"at least one Parameter"):
        bp.GradientDescent([], lr=0.1)


def test_nesterov_two_steps():
    p = param([1.0], [2.0])
    opt = bp.Momentum([p], lr=0.1, beta=0.5, nesterov=True)
    opt.step()                                         # v1 = 2; theta1 = 1 - 0.1 (2 + 0.5 * 2) = 0.7
    np.testing.assert_allclose(p.data, [0.7])
    p.grad = np.array([1.0])
    opt.step()                                         # v2 = 0.5 * 2 + 1 = 2; theta2 = 0.7 - 0.1 (1 + 0.5 * 2) = 0.5
    np.testing.assert_allclose(opt.velocity[0], [2.0])
    np.testing.assert_allclose(p.data, [0.5])
    assert repr(opt) == "Momentum(lr=0.1, beta=0.5, nesterov=True)"


def test_heavy_ball_form_equals_polyaks_two_step_recursion():
    # v_t = beta v_{t-1} + g_t, theta_t = theta_{t-1} - eta v_t is theta_t = theta_{t-1} - eta g_t + beta (theta_{t-1} - theta_{t-2})
    curvature, lr, beta = np.array([1.0, 10.0]), 0.05, 0.7
    p = bp.Parameter(np.array([1.0, 1.0]))
    opt = bp.Momentum([p], lr=lr, beta=beta)
    previous, current = p.data.copy(), p.data.copy()
    for _ in range(20):
        p.grad = curvature * p.data                    # gradient of sum(c x^2) / 2
        opt.step()
        previous, current = current, current - lr * curvature * current + beta * (current - previous)
        np.testing.assert_allclose(p.data, current, rtol=1e-12)


def test_rmsprop_two_steps():
    rho, eps, lr = 0.9, 1e-8, 0.01
    p = param([1.0, 1.0], [0.5, -4.0])
    opt = bp.RMSProp([p], lr=lr, rho=rho, eps=eps)
    opt.step()
    # v1 = (1 - rho) g^2, so the step is lr g / (sqrt(0.1) |g| + eps): lr / sqrt(0.1) = 3.16 lr per component
    g1 = np.array([0.5, -4.0])
    np.testing.assert_allclose(opt.v[0], 0.1 * g1 ** 2)
    np.testing.assert_allclose(p.data, 1.0 - lr * g1 / (np.sqrt(0.1) * np.abs(g1) + eps))
    np.testing.assert_allclose(np.abs(p.data - 1.0), lr / np.sqrt(0.1), rtol=1e-6)
    g2 = np.array([1.0, 2.0])
    p.grad = g2.copy()
    before = p.data.copy()
    opt.step()
    v2 = rho * 0.1 * g1 ** 2 + 0.1 * g2 ** 2
    np.testing.assert_allclose(p.data, before - lr * g2 / (np.sqrt(v2) + eps))
    assert opt.t == 2 and repr(opt) == "RMSProp(lr=0.01, rho=0.9, eps=1e-08)"


def test_nesterov_and_rho_are_checked():
    with pytest.raises(TypeError, match=r"nesterov must be True or False, got 1 of type int"):
        bp.Momentum([param([1.0], [1.0])], lr=0.1, nesterov=1)
    with pytest.raises(ValueError, match=r"rho must lie in \[0, 1\), got 1.5"):
        bp.RMSProp([param([1.0], [1.0])], rho=1.5)
