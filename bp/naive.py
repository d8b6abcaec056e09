"""Backpropagation the textbook way: one example at a time, one layer at a time.

This is the algorithm as it is first written on paper, a loop over the
examples with vector operations inside. It computes exactly the same
gradients as the vectorised ``Sequential.backward`` (the tests check it to
1e-10) but makes ``N`` small matrix-vector products where the vectorised
form makes one matrix-matrix product, which is why it is slower. The
complexity chapter races the two.

Notation: for one example, ``a^(0) = x`` (a row), ``z^(l) = a^(l-1) W^(l) + b^(l)``,
``a^(l) = sigma(z^(l))``, and ``delta^(l) = d ell / d z^(l)``.
"""

import numpy as np

from .layers import Identity, Linear, ReLU, Sequential, Sigmoid, Tanh, sigmoid


def _activation_derivative(layer, z):
    """sigma'(z) for the element-wise activation ``layer``."""
    if isinstance(layer, Sigmoid):
        s = sigmoid(z)
        return s * (1.0 - s)
    if isinstance(layer, Tanh):
        return 1.0 - np.tanh(z) ** 2
    if isinstance(layer, ReLU):
        return (z > 0).astype(z.dtype)
    if isinstance(layer, Identity):
        return np.ones_like(z)
    raise TypeError(f"naive backprop knows Sigmoid, Tanh, ReLU and Identity, got {type(layer).__name__}")


def naive_gradients(model: Sequential, loss, X, y) -> dict:
    """Gradients of the mean loss by per-example backpropagation.

    Parameters
    ----------
    model : Sequential
        Alternating ``Linear`` layers and element-wise activations, starting
        with a ``Linear`` (an activation may be left out between two Linears).
    loss : Loss
        Any ``bp`` loss; it is applied to one example at a time.
    X : ndarray, shape (N, D)
    y : ndarray
        Targets for ``loss``, one per row of ``X``.

    Returns
    -------
    dict
        ``{name: dL/dtheta}`` with the names of ``model.named_parameters()``.
        The model's own ``.grad`` arrays are not touched.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    grads = {name: np.zeros_like(p.data) for name, p in model.named_parameters()}
    for i in range(len(X)):                            # loop over examples
        a = X[i]                                       # a^(0) = x_i, shape (D,)
        inputs = []                                    # each layer's input, kept for the backward pass
        for layer in model.layers:                     # forward pass, one layer at a time
            inputs.append(a)
            if isinstance(layer, Linear):
                a = a @ layer.W.data + layer.b.data    # (n_in,) @ (n_in, n_out) -> (n_out,)
            else:
                a = layer.forward(a[None, :])[0]       # element-wise sigma(z)
        loss(a[None, :], y[i:i + 1])                   # ell_i, a batch of one
        grad_out = loss.backward()[0]                  # d ell_i / d(output), shape (n_L,)
        for index in range(len(model.layers) - 1, -1, -1):   # backward pass, last layer first
            layer = model.layers[index]
            if isinstance(layer, Linear):              # grad_out is delta^(l) here
                grads[f"{index}.W"] += np.outer(inputs[index], grad_out)   # dW = a^(l-1)T delta^(l)
                grads[f"{index}.b"] += grad_out                            # db = delta^(l)
                grad_out = layer.W.data @ grad_out     # (n_in, n_out) @ (n_out,) -> (n_in,): d ell/d a^(l-1)
            else:
                z = inputs[index]
                grad_out = grad_out * _activation_derivative(layer, z)     # delta^(l) = d ell/da ⊙ sigma'(z)
    return {name: g / len(X) for name, g in grads.items()}     # L is the mean of the ell_i
