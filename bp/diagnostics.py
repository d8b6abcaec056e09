"""Diagnostics: numbers to measure when a network does not learn (book Chapter 9).

Each function looks inside a model layer by layer and returns a dict, keyed
like ``named_parameters``: ``"0.W"`` is the weight matrix of ``model[0]``
(the book's ``W^(1)``), and ``"1"`` is the layer ``model[1]`` (for a nested
``Sequential``, ``"2.1"`` is layer 1 inside ``model[2]``).

- ``gradient_norms``: ``||dL/dW^(l)||`` per layer, to see gradients vanish or explode;
- ``weights`` and ``update_ratios``: ``||Delta W|| / ||W||`` per layer for one
  update (CS231n's rule of thumb: about 1e-3);
- ``dead_units``: the fraction of a ReLU layer's units that are 0 on every example;
- ``saturated_units``: the fraction of sigmoid or tanh outputs near their limits;
- ``activation_stats``: the mean and standard deviation of every layer's output.

None of them prints; the norms are Euclidean (Frobenius for a matrix).
"""

import numpy as np

from ._checks import as_float_array, check_real
from .layers import Layer, Linear, ReLU, Sequential, Sigmoid, Tanh
from .training import loss_and_gradients


def named_layers(model: Layer, prefix: str = "") -> list:
    """``(name, layer)`` for every layer that is not a ``Sequential``, in forward order."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a bp Layer such as bp.Sequential(...), got {type(model).__name__}")
    if not isinstance(model, Sequential):
        return [(prefix or "0", model)]
    return [pair for i, layer in enumerate(model.layers)
            for pair in named_layers(layer, f"{prefix}.{i}" if prefix else str(i))]


def layer_outputs(model: Layer, X) -> list:
    """``(name, layer, output)`` for every layer, from one forward pass of ``X`` (N, D)."""
    A = as_float_array(X, "X", ndim=2)
    outputs = []
    for name, layer in named_layers(model):
        A = layer.forward(A)                           # A^(l-1) -> Z^(l) (Linear), or Z^(l) -> A^(l)
        outputs.append((name, layer, A))
    return outputs


def _pick(pairs: list, kinds: tuple, what: str) -> list:
    """The pairs whose layer is one of ``kinds``; ValueError naming ``what`` if there is none."""
    picked = [pair for pair in pairs if isinstance(pair[1], kinds)]
    if not picked:
        names = " or ".join(kind.__name__ for kind in kinds)
        raise ValueError(f"the model has no {names} layer, so there is no {what} to measure")
    return picked


def gradient_norms(model: Layer, loss, X, y) -> dict:
    """``||dL/dW^(l)||`` for every ``Linear`` layer, after one forward and backward pass on ``(X, y)``.

    Parameters
    ----------
    model : Layer
    loss : Loss
    X : ndarray, shape (N, D)
    y : ndarray
        Targets in a form ``loss`` accepts.

    Returns
    -------
    dict
        ``{"0.W": norm, ...}``, first layer first. The ``.grad`` of every
        parameter is left as ``loss_and_gradients`` sets it.
    """
    linears = _pick(named_layers(model), (Linear,), "weight gradient")
    loss_and_gradients(model, loss, as_float_array(X, "X", ndim=2), y)
    return {f"{name}.W": float(np.linalg.norm(layer.W.grad)) for name, layer in linears}


def weights(model: Layer) -> dict:
    """A copy of every ``Linear`` layer's ``W``, ``{"0.W": array, ...}``: the ``before`` of ``update_ratios``."""
    linears = _pick(named_layers(model), (Linear,), "weight matrix")
    return {f"{name}.W": layer.W.data.copy() for name, layer in linears}


def update_ratios(model: Layer, before: dict) -> dict:
    """``||W_now - W_before|| / ||W_before||`` per ``Linear`` layer: how much an update changed it.

    Parameters
    ----------
    model : Layer
    before : dict
        ``weights(model)`` taken before the update(s).

    Returns
    -------
    dict
        ``{"0.W": ratio, ...}``; ``inf`` for a layer whose ``W_before`` was all zeros.

    Raises
    ------
    ValueError
        If ``before`` does not hold one array of the right shape per layer.
    """
    now = weights(model)
    if not isinstance(before, dict) or set(before) != set(now):
        got = sorted(before) if isinstance(before, dict) else type(before).__name__
        raise ValueError(f"before must be weights(model) taken before the update, with keys {sorted(now)}, "
                         f"got {got}")
    ratios = {}
    for name, W in now.items():
        old = np.asarray(before[name])
        if old.shape != W.shape:
            raise ValueError(f"before[{name!r}] has shape {old.shape}, but the model's {name} has {W.shape}")
        size = np.linalg.norm(old)
        ratios[name] = float(np.linalg.norm(W - old) / size) if size > 0 else np.inf
    return ratios


def dead_units(model: Layer, X) -> dict:
    """The fraction of each ``ReLU`` layer's units whose output is 0 for every row of ``X`` (N, D).

    Such a unit passes no gradient for any of these examples (relu'(z) = 0
    for z <= 0), so gradient descent cannot revive it with them.

    Returns
    -------
    dict
        ``{"1": fraction, ...}``, one entry per ReLU layer, each in [0, 1].
    """
    relus = _pick(layer_outputs(model, X), (ReLU,), "ReLU unit")
    return {name: float(np.mean(np.all(A == 0, axis=0))) for name, _, A in relus}   # A (N, n_l)


def saturated_units(model: Layer, X, threshold: float = 0.05) -> dict:
    """The fraction of ``Sigmoid`` and ``Tanh`` outputs within ``threshold`` of their limits.

    A sigmoid output ``a`` is saturated when ``a < threshold`` or
    ``a > 1 - threshold``; a tanh output when ``|a| > 1 - threshold``. There
    the slope ``sigma'(z)`` is small (for the sigmoid below
    ``threshold (1 - threshold)``, a fifth of its largest value 1/4 at the
    default 0.05), so little gradient flows back.

    Returns
    -------
    dict
        ``{"1": fraction, ...}`` over all N x n_l entries of each such layer.

    Raises
    ------
    ValueError
        If ``threshold`` is not in (0, 0.5), or the model has neither layer.
    """
    threshold = check_real(threshold, "threshold")
    if not 0 < threshold < 0.5:
        raise ValueError(f"threshold must lie in (0, 0.5), got {threshold}")
    squashing = _pick(layer_outputs(model, X), (Sigmoid, Tanh), "saturation")
    fractions = {}
    for name, layer, A in squashing:
        distance = np.minimum(A, 1 - A) if isinstance(layer, Sigmoid) else 1 - np.abs(A)   # to the nearest limit
        fractions[name] = float(np.mean(distance < threshold))
    return fractions


def activation_stats(model: Layer, X) -> dict:
    """``(mean, standard deviation)`` of every layer's output over all its entries, for inputs ``X`` (N, D).

    The output of a ``Linear`` layer is its pre-activation ``Z^(l)``, that of
    an activation layer ``A^(l)``.

    Returns
    -------
    dict
        ``{"0": (mean, std), "1": (mean, std), ...}``, one entry per layer.
    """
    return {name: (float(A.mean()), float(A.std())) for name, _, A in layer_outputs(model, X)}
