"""A 2-2-1 network worked out by hand: one forward, one backward, one update."""

import numpy as np

import bp


def test_small_network_by_hand():
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(2, 2, rng=rng), bp.ReLU(), bp.Linear(2, 1, rng=rng))
    model[0].W.data[:] = [[1.0, -1.0], [0.5, 1.0]]
    model[0].b.data[:] = [0.0, 0.5]
    model[2].W.data[:] = [[1.0], [-2.0]]
    model[2].b.data[:] = [0.5]
    X, y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    loss = bp.MSE()

    # Forward.  Z1 = X W1 + b1 = [1*1 + 2*0.5, 1*(-1) + 2*1] + [0, 0.5] = [2, 1.5]
    #           A1 = relu(Z1) = [2, 1.5]
    #           Z2 = A1 W2 + b2 = 2*1 + 1.5*(-2) + 0.5 = -0.5
    #           L  = (Z2 - y)^2 = (-1.5)^2 = 2.25
    np.testing.assert_allclose(model[1].forward(model[0].forward(X)), [[2.0, 1.5]])
    output = model.forward(X)
    np.testing.assert_allclose(output, [[-0.5]])
    assert loss(output, y) == 2.25

    # Backward. delta2 = dL/dZ2 = 2 (Z2 - y) / N = 2 * (-1.5) = -3
    #           dW2 = A1^T delta2 = [[2 * -3], [1.5 * -3]] = [[-6], [-4.5]];  db2 = -3
    #           dA1 = delta2 W2^T = [-3 * 1, -3 * -2] = [-3, 6]
    #           delta1 = dA1 * relu'(Z1) = [-3, 6]            (both units active)
    #           dW1 = X^T delta1 = [[1*-3, 1*6], [2*-3, 2*6]] = [[-3, 6], [-6, 12]];  db1 = [-3, 6]
    dX = model.backward(loss.backward())
    np.testing.assert_allclose(model[2].W.grad, [[-6.0], [-4.5]])
    np.testing.assert_allclose(model[2].b.grad, [-3.0])
    np.testing.assert_allclose(model[0].W.grad, [[-3.0, 6.0], [-6.0, 12.0]])
    np.testing.assert_allclose(model[0].b.grad, [-3.0, 6.0])
    # dX = delta1 W1^T = [-3*1 + 6*(-1), -3*0.5 + 6*1] = [-9, 4.5]
    np.testing.assert_allclose(dX, [[-9.0, 4.5]])

    # Update with eta = 0.01: theta <- theta - 0.01 * grad
    #           W1 = [[1.03, -1.06], [0.56, 0.88]], b1 = [0.03, 0.44], W2 = [[1.06], [-1.955]], b2 = 0.53
    bp.GradientDescent(model.parameters(), lr=0.01).step()
    np.testing.assert_allclose(model[0].W.data, [[1.03, -1.06], [0.56, 0.88]])
    np.testing.assert_allclose(model[0].b.data, [0.03, 0.44])
    np.testing.assert_allclose(model[2].W.data, [[1.06], [-1.955]])
    np.testing.assert_allclose(model[2].b.data, [0.53])

    # New forward: Z1 = [1.03 + 1.12 + 0.03, -1.06 + 1.76 + 0.44] = [2.18, 1.14]
    #              Z2 = 2.18 * 1.06 + 1.14 * (-1.955) + 0.53 = 2.3108 - 2.2287 + 0.53 = 0.6121
    #              L  = (0.6121 - 1)^2 = 0.15046641: the loss fell from 2.25
    output = model.forward(X)
    np.testing.assert_allclose(output, [[0.6121]])
    np.testing.assert_allclose(loss(output, y), 0.15046641)
