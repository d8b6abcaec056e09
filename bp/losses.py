"""Losses: the cost ``L`` of a batch and its gradient with respect to the network's output.

Every loss is the *mean* over the ``N`` examples of a batch,
``L = (1/N) sum_i ell_i``, so a learning rate means the same thing for every
batch size. ``forward`` (or calling the loss) returns ``L`` as a float;
``backward`` returns ``dL/d(output)``, shape ``(N, K)``, which is the error
signal ``delta^(L)`` that starts backpropagation.

The two cross-entropies take *logits* (the raw outputs ``Z^(L)`` of the last
``Linear`` layer), not probabilities: computing the loss straight from logits
is numerically stable and makes the gradient the simple ``(P - Y) / N``.

Like a layer, a loss remembers its last forward pass, which its ``backward``
differentiates; calling ``backward`` before any forward raises ``ValueError``.
"""

import numpy as np

from ._checks import as_array, as_float_array
from .layers import sigmoid, transpose_hint


class Loss:
    """Base class. Subclasses define ``prepare_target``, ``forward`` and ``backward``."""

    def __call__(self, output: np.ndarray, target: np.ndarray) -> float:
        """Check ``output`` and ``target``, then return the mean loss (see ``forward``)."""
        output = np.asarray(output)
        if output.ndim == 1:
            raise ValueError(f"output must be 2-D, shape (N, K), got shape {output.shape}. The network's "
                             f"output comes first and the targets second: loss(model(X), y)")
        dtype = output.dtype if output.dtype.kind == "f" else np.float64
        output = as_float_array(output, "output", ndim=2, dtype=dtype)
        return self.forward(output, self.prepare_target(target, output.shape[1]))

    def prepare_target(self, target, n_outputs: int) -> np.ndarray:
        """Check ``target`` and convert it to the form ``forward`` uses."""
        raise NotImplementedError

    def forward(self, output: np.ndarray, target: np.ndarray) -> float:
        """The mean loss ``L`` of a batch, keeping what ``backward`` needs.

        Parameters
        ----------
        output : ndarray, shape (N, K)
            The network's output (logits for the cross-entropies).
        target : ndarray
            Targets already checked by ``prepare_target`` (calling the loss
            object does both steps).

        Returns
        -------
        float
        """
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """``dL/d(output)`` of the last ``forward``, shape (N, K): the error signal that starts backprop."""
        raise NotImplementedError

    def predict(self, output: np.ndarray) -> np.ndarray:
        """Turn network outputs into predictions in the targets' own terms."""
        return output

    def baseline_loss(self, target: np.ndarray) -> float:
        """The loss of the best *constant* prediction for ``target``: what a model that ignores X reaches.

        ``target`` is in the form ``prepare_target`` returns. ``fit`` uses it
        as a yardstick when it decides that training has diverged.
        """
        raise NotImplementedError

    def check_forward_done(self, memory) -> None:
        """Raise ValueError if ``memory``, what ``backward`` needs from the last forward pass, is missing."""
        if memory is None:
            raise ValueError(f"{self!r}.backward() was called before any forward pass: the loss differentiates "
                             f"its last forward pass. Compute the loss first, loss(model(X), y), then "
                             f"model.backward(loss.backward()).")

    @staticmethod
    def _check_rows(output, target):
        if output.shape[0] != target.shape[0]:
            raise ValueError(
                f"output and target must have the same number of rows (examples), "
                f"got output {output.shape} and target {target.shape}"
            )


class MSE(Loss):
    """Mean squared error ``L = (1/N) sum_i ||y_hat_i - y_i||^2``.

    For one output this is the familiar ``(1/N) sum_i (y_hat_i - y_i)^2``.
    There is no factor 1/2, so ``dL/dy_hat = 2 (Y_hat - Y) / N``.
    Targets have shape ``(N, K)``, or ``(N,)`` when ``K = 1``.
    """

    def __init__(self):
        self.diff = None                               # Y_hat - Y of the last forward pass

    def prepare_target(self, target, n_outputs):
        target = as_float_array(target, "target", ndim=(1, 2))
        if target.ndim == 1:
            if n_outputs > 1 and np.all(target == np.round(target)):
                raise ValueError(f"target must have {n_outputs} columns like the output, got shape "
                                 f"{target.shape}, which looks like class labels. For classification use "
                                 f"SoftmaxCrossEntropy(), which takes labels; MSE needs one-hot rows, "
                                 f"bp.one_hot(y, {n_outputs}).")
            target = target[:, None]                   # (N,) -> (N, 1)
        if target.shape[1] != n_outputs:
            raise ValueError(f"target must have {n_outputs} column(s) like the output, got shape {target.shape}"
                             + transpose_hint(target.shape, n_outputs, "y"))
        return target

    def forward(self, output, target):
        """The mean of ``||y_hat_i - y_i||^2`` over the batch; ``output`` (N, K), ``target`` (N, K)."""
        self._check_rows(output, target)
        if output.shape != target.shape:
            raise ValueError(f"output and target must have the same shape, got {output.shape} and {target.shape}")
        self.diff = output - target                    # (N, K)
        return float(np.sum(self.diff ** 2) / len(output))

    def backward(self):                                # dL/dY_hat (N, K)
        self.check_forward_done(self.diff)             # raises if no forward pass came first
        return 2.0 * self.diff / len(self.diff)

    def baseline_loss(self, target):
        """Predicting each column's mean: the sum of the columns' variances."""
        return float(np.sum(target.var(axis=0)))

    def __repr__(self) -> str:
        return "MSE()"


class BinaryCrossEntropy(Loss):
    """Logistic loss on logits ``z``: ``ell = -y log sigma(z) - (1 - y) log(1 - sigma(z))``.

    Written stably as ``ell = max(z, 0) - y z + log(1 + exp(-|z|))``, which
    never overflows (``|z| = 1000`` is fine). Targets are 0/1 (or probabilities in
    [0, 1]) of shape ``(N, 1)`` or ``(N,)``; the output has one column.
    ``dL/dz = (sigma(z) - y) / N``.
    """

    def __init__(self):
        self.z = self.target = None                    # the last forward pass

    def prepare_target(self, target, n_outputs):
        if n_outputs != 1:
            raise ValueError(f"BinaryCrossEntropy expects output with 1 column (a logit), got {n_outputs}. "
                             f"For {n_outputs} classes use SoftmaxCrossEntropy().")
        target = as_float_array(target, "target", ndim=(1, 2))
        if target.ndim == 1:
            target = target[:, None]
        if target.shape[1] != 1:
            raise ValueError(f"target must have shape (N,) or (N, 1), got {target.shape}")
        if target.min() < 0 or target.max() > 1:
            raise ValueError(f"target must lie in [0, 1], got values from {target.min()} to {target.max()}")
        return target

    def forward(self, z, target):
        """The mean logistic loss; ``z`` (N, 1) logits, ``target`` (N, 1) in [0, 1]."""
        self._check_rows(z, target)
        self.z, self.target = z, target
        ell = np.maximum(z, 0) - target * z + np.log1p(np.exp(-np.abs(z)))
        return float(ell.sum() / len(z))

    def backward(self):                                # dL/dz (N, 1)
        self.check_forward_done(self.z)                # raises if no forward pass came first
        return (sigmoid(self.z) - self.target) / len(self.z)

    def baseline_loss(self, target):
        """Predicting the fraction of class 1 for everyone: its entropy."""
        return entropy(np.array([1.0 - target.mean(), target.mean()]))

    def probabilities(self, z):
        """``sigma(z)``: the predicted probability of class 1, shape ``(N, 1)``."""
        return sigmoid(z)

    def predict(self, z):
        """Class labels 0/1, shape ``(N,)``: 1 where ``z > 0`` (probability above 1/2)."""
        return (np.asarray(z)[:, 0] > 0).astype(int)

    def __repr__(self) -> str:
        return "BinaryCrossEntropy()"


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits ``Z`` of shape ``(N, K)``.

    ``P = softmax(Z)`` row by row and ``ell_i = -sum_k Y_ik log P_ik``. It is
    computed as ``logsumexp(Z_i) - sum_k Y_ik Z_ik`` with the row maximum
    subtracted first, so no ``exp`` overflows. Targets are integer labels of
    shape ``(N,)`` in ``[0, K)`` or one-hot (probability) rows of shape ``(N, K)``.

    The gradient is ``dL/dZ = (P - Y) / N``: the derivative of the softmax
    and of the log cancel to leave "predicted minus true".
    """

    def __init__(self):
        self.p = self.labels = None                    # the last forward pass

    def prepare_target(self, target, n_outputs):
        target_array = np.asarray(target)
        if target_array.ndim == 1:                     # integer labels
            labels = as_array(target_array, "target", ndim=1)
            fractional = np.flatnonzero(labels != np.round(labels)) if labels.dtype.kind == "f" else ()
            if len(fractional):
                i = fractional[0]
                raise ValueError(f"target holds class labels that are not whole numbers, such as "
                                 f"{labels[i].item()!r} at index {i}: labels are the integers 0 .. "
                                 f"{n_outputs - 1}, shape (N,)")
            low, high = labels.min(), labels.max()
            if low < 0 or high >= n_outputs:
                raise ValueError(
                    f"labels must lie in [0, {n_outputs - 1}] for {n_outputs} outputs, got labels from {low} to {high}"
                )
            return labels.astype(np.intp)
        if target_array.ndim == 2 and target_array.shape[1] == 1 and n_outputs > 1:
            raise ValueError(f"target has shape {target_array.shape}, one column, but SoftmaxCrossEntropy "
                             f"takes integer labels of shape (N,) or one-hot rows of shape (N, {n_outputs}). "
                             f"If the column holds labels, pass y.ravel().")
        target = as_float_array(target, "target", ndim=2)
        if target.shape[1] != n_outputs:
            raise ValueError(f"one-hot target must have {n_outputs} columns, got shape {target.shape}"
                             + transpose_hint(target.shape, n_outputs, "y"))
        if target.min() < 0 or not np.allclose(target.sum(axis=1), 1.0):
            raise ValueError("one-hot target rows must be non-negative and sum to 1")
        return target

    def forward(self, z, target):
        """The mean cross-entropy of ``softmax(z)``; ``z`` (N, K) logits, ``target`` labels (N,) or rows (N, K)."""
        self._check_rows(z, target)
        shifted = z - z.max(axis=1, keepdims=True)     # softmax(z) = softmax(z - c): largest exponent is 0
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        self.p = exp / total                           # P (N, K)
        self.labels = target
        log_total = np.log(total)[:, 0]                # log P_ik = shifted_ik - log_total_i: never log(0)
        if target.ndim == 1:                           # ell_i = -log P_{i, y_i}
            return float((log_total - shifted[np.arange(len(z)), target]).sum() / len(z))
        return float((log_total - (target * shifted).sum(axis=1)).sum() / len(z))   # rows of Y sum to 1

    def backward(self):                                # dL/dZ = (P - Y) / N, shape (N, K)
        self.check_forward_done(self.p)                # raises if no forward pass came first
        n = len(self.p)
        grad = self.p / n
        if self.labels.ndim == 1:
            grad[np.arange(n), self.labels] -= 1.0 / n
        else:
            grad -= self.labels / n
        return grad

    def baseline_loss(self, target):
        """Predicting the class frequencies for everyone: their entropy."""
        if target.ndim == 1:
            return entropy(np.bincount(target) / len(target))
        return entropy(target.mean(axis=0))

    def probabilities(self, z):
        """Row-wise softmax of logits ``z`` (N, K): each row sums to 1."""
        shifted = z - z.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, z):
        """Class labels, shape ``(N,)``: the index of the largest logit in each row."""
        return np.argmax(z, axis=1)

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"


def entropy(p: np.ndarray) -> float:
    """``-sum_k p_k log p_k`` of a probability vector, with ``0 log 0 = 0``."""
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))
