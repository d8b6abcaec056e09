"""Gradient checking: compare backpropagation with centred finite differences.

The centred difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` has an error
of order ``eps^2`` (the first-order terms of the two Taylor expansions
cancel), against order ``eps`` for the one-sided difference. In float64 with
``eps = 1e-6`` a correct backward pass typically agrees to a relative error
of 1e-10 to 1e-8; a wrong one is off by far more than 1e-6. The docstring of
:func:`check_gradients` says how to read its numbers.
"""

import numpy as np

from ._checks import as_float_array, check_positive
from .training import loss_and_gradients


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred finite-difference gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It is called with ``x`` itself, one entry nudged at
        a time, so it may also ignore its argument and read ``x`` through a
        closure (e.g. a model's weight array).
    x : ndarray of float64
        The point; every entry is put back exactly as it was.
    eps : float, default 1e-6
        Step size.

    Returns
    -------
    ndarray, same shape as ``x``
        ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every entry ``i``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 numpy array (finite differences need the precision), "
                        f"got {type(x).__name__} of dtype {getattr(x, 'dtype', None)}")
    check_positive(eps, "eps")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x)
        x[i] = original - eps
        f_minus = f(x)
        x[i] = original                                # restore exactly
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """``||a - b|| / (||a|| + ||b||)``, Euclidean norms; 0 when both are zero.

    Scale-free, so it reads the same for large and small gradients; at most 1.
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def check_gradients(model, loss, X, y, eps: float = 1e-6) -> dict:
    """Relative error between backprop's and finite differences' gradient, per parameter.

    Reading the result (float64, ``eps = 1e-6``, the relative error of
    :func:`relative_error`):

    - **below 1e-7: correct.** Typical values for a correct backward pass are
      1e-10 to 1e-8; they are the finite difference's own error (about
      ``eps**2`` from truncation plus about ``1e-16 / eps`` from rounding),
      not a bug, so 3e-9 is as good as 3e-11.
    - **1e-7 to 1e-4: look closer.** Often a kink: a ReLU (or max) input
      within ``eps`` of 0 makes the difference straddle the corner. Check
      again with other data or a smaller ``eps``; a real bug stays.
    - **above 1e-4, and certainly near 1: a bug** (a missing factor, a
      transposed matrix, a gradient overwritten instead of added).

    Run it on a few examples (N around 10 to 20): it calls the loss twice
    per parameter entry.

    Parameters
    ----------
    model : Layer
        With float64 parameters.
    loss : Loss
    X : ndarray, shape (N, D)
    y : ndarray
        Targets for ``loss``.
    eps : float, default 1e-6

    Returns
    -------
    dict
        ``{name: relative_error}`` with names as in ``model.named_parameters()``:
        ``"0.W"`` is the ``W`` of ``model[0]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = bp.make_spirals(20, noise=0.1, rng=rng)
    >>> model = bp.Sequential(bp.Linear(2, 16, rng=rng), bp.Tanh(), bp.Linear(16, 3, rng=rng))
    >>> errors = bp.check_gradients(model, bp.SoftmaxCrossEntropy(), X, y)
    >>> sorted(errors)
    ['0.W', '0.b', '2.W', '2.b']
    >>> max(errors.values()) < 1e-7      # each is about 1e-9: correct
    True
    """
    X = as_float_array(X, "X", ndim=2)
    named = model.named_parameters()
    for name, p in named:
        if p.data.dtype != np.float64:
            raise TypeError(f"check_gradients needs float64 parameters, {name} is {p.data.dtype}")
    loss_and_gradients(model, loss, X, y)
    analytic = {name: p.grad.copy() for name, p in named}

    def loss_at(_):
        return loss(model.forward(X), y)

    return {name: relative_error(analytic[name], numerical_gradient(loss_at, p.data, eps))
            for name, p in named}
