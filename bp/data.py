"""Small data sets for the chapters, and the helpers that go with them.

Conventions
-----------
- Rows are examples: ``X`` has shape ``(N, D)``; class labels ``y`` have
  shape ``(N,)`` and hold the integers ``0 .. K-1``. Arrays are float64
  (labels int64).
- Every generator takes ``rng``, a ``numpy.random.Generator`` such as
  ``np.random.default_rng(0)``, as a required keyword: no global seed, and
  the same generator state gives the same data.
- ``noise`` is always the standard deviation of Gaussian noise added to each
  coordinate (to ``y`` for :func:`make_line`, to ``X`` for the classifiers).
- Class sizes are balanced (they differ by at most one) and the rows come in
  random order, not sorted by class.
- Bad input raises ``TypeError`` (wrong type: a seed instead of a generator,
  a float ``n``) or ``ValueError`` (bad value: ``n < 1``, ``noise < 0``, NaN,
  mismatched lengths, labels out of range) naming the argument, what was
  received and what was expected.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import as_array, as_labels, check_int, check_real, check_rng


def _balanced_labels(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) labels 0..k-1 whose counts differ by at most one, in random order."""
    return rng.permutation(np.arange(n) % k)


# ---- generators ----

def make_line(n: int, *, slope: float, intercept: float, noise: float,
              x_range: tuple[float, float] = (-1.0, 1.0),
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around the line y = slope * x + intercept (linear regression chapter).

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    slope, intercept : float
        The true line.
    noise : float
        Standard deviation of the Gaussian noise added to y, >= 0.
    x_range : (float, float)
        x is drawn uniformly from [low, high).
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 1)
    y : ndarray, shape (n, 1)
    """
    n = check_int(n, "n", minimum=1)
    slope, intercept = check_real(slope, "slope"), check_real(intercept, "intercept")
    noise = check_real(noise, "noise", minimum=0.0)
    if not (isinstance(x_range, (tuple, list)) and len(x_range) == 2):
        raise TypeError(f"x_range must be a pair (low, high), got {x_range!r}")
    low, high = check_real(x_range[0], "x_range[0]"), check_real(x_range[1], "x_range[1]")
    if not low < high:
        raise ValueError(f"x_range must have low < high, got {x_range!r}")
    rng = check_rng(rng)
    X = rng.uniform(low, high, size=(n, 1))  # (n, 1)
    y = slope * X + intercept + noise * rng.standard_normal((n, 1))  # (n, 1)
    return X, y


def make_blobs(n: int, *, centers, spread: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds of points, one per class, around given centres.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    centers : int or array_like, shape (K, D)
        The class centres; an int K places K centres evenly on the circle of
        radius 2 about the origin (D = 2), the first at (2, 0).
    spread : float
        Standard deviation of each cloud, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, D)
    y : ndarray of int, shape (n,)
        Labels 0 .. K-1; example i lies around ``centers[y[i]]``.
    """
    n = check_int(n, "n", minimum=1)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = check_int(centers, "centers", minimum=1)
        angle = 2 * np.pi * np.arange(k) / k
        centers = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])  # (K, 2)
    else:
        centers = as_array(centers, "centers", ndim=(2,)).astype(np.float64)
    spread = check_real(spread, "spread", minimum=0.0)
    rng = check_rng(rng)
    y = _balanced_labels(n, len(centers), rng)
    X = centers[y] + spread * rng.standard_normal((n, centers.shape[1]))  # (n, D)
    return X, y


def make_moons(n: int, *, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one.

    Class 0 lies on (cos t, sin t), class 1 on (1 - cos t, 1/2 - sin t), with t
    uniform in [0, pi]; not linearly separable.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,), labels 0 and 1
    """
    n = check_int(n, "n", minimum=1)
    noise = check_real(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    y = _balanced_labels(n, 2, rng)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])  # class 0, (n, 2)
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])  # class 1, (n, 2)
    X = np.where(y[:, None] == 0, upper, lower)  # pick each row's arc, (n, 2)
    return X + noise * rng.standard_normal((n, 2)), y


def make_spirals(n: int, *, n_classes: int = 3, noise: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class, each making one turn out from the centre.

    A point of class c at radius r (uniform in [0.05, 1]) sits at angle
    2 pi c / K + 2 pi r.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    n_classes : int
        K, the number of arms, >= 1.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,), labels 0 .. n_classes-1
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(n_classes, "n_classes", minimum=1)
    noise = check_real(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    y = _balanced_labels(n, k, rng)
    r = rng.uniform(0.05, 1.0, size=n)  # (n,)
    angle = 2 * np.pi * y / k + 2 * np.pi * r  # arm c starts at 2 pi c / K and turns once, (n,)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])  # (n, 1) * (n, 2) -> (n, 2)
    return X + noise * rng.standard_normal((n, 2)), y


def make_xor(n: int, *, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: points at the corners of the unit square, label = x1 XOR x2.

    With ``noise=0`` and ``n=4`` this is exactly the truth table (in random
    row order); the four corners get counts that differ by at most one.

    Parameters
    ----------
    n : int
        Number of examples, >= 1.
    noise : float
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,), labels 0 and 1
    """
    n = check_int(n, "n", minimum=1)
    noise = check_real(noise, "noise", minimum=0.0)
    rng = check_rng(rng)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = _balanced_labels(n, 4, rng)
    X = corners[which] + noise * rng.standard_normal((n, 2))  # (n, 2)
    y = (corners[which, 0] != corners[which, 1]).astype(np.int64)  # 0 XOR 1 = 1, etc.
    return X, y


# ---- helpers ----

def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """Turn labels (N,) into one-hot rows (N, K): row i is 1 in column labels[i], else 0.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        Integers in 0 .. K-1 (integer-valued floats such as 1.0 are accepted).
    n_classes : int, optional
        K; by default ``labels.max() + 1``.

    Returns
    -------
    ndarray, shape (N, K), float64

    Raises
    ------
    ValueError
        If a label is negative, not an integer, or >= n_classes.
    """
    labels = as_labels(labels, "labels")
    k = int(labels.max()) + 1 if n_classes is None else check_int(n_classes, "n_classes", minimum=1)
    if labels.max() >= k:
        i = int(np.argmax(labels))
        raise ValueError(f"labels must lie in 0 .. {k - 1} for n_classes={k}, got {labels[i]} at index {i}")
    Y = np.zeros((len(labels), k))
    Y[np.arange(len(labels)), labels] = 1.0
    return Y


def train_test_split(X, y, *, test_fraction: float = 0.25,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them into a training and a test part.

    Parameters
    ----------
    X : array_like, shape (N, ...)
    y : array_like, shape (N, ...)
        Same number of rows as X.
    test_fraction : float
        In (0, 1); the test part gets ``round(test_fraction * N)`` rows, which
        must leave at least one row on each side.
    rng : numpy.random.Generator

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Not stratified: class proportions may differ slightly between parts.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got shapes {X.shape} and {y.shape}")
    fraction = check_real(test_fraction, "test_fraction")
    n_test = round(fraction * len(X))
    if not (0 < fraction < 1 and 1 <= n_test <= len(X) - 1):
        raise ValueError(f"test_fraction must be in (0, 1) and leave >= 1 row on each side of the split, "
                         f"got {test_fraction!r} for N = {len(X)} rows")
    order = check_rng(rng).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


class Standardizer:
    """Shift and scale each column to mean 0 and standard deviation 1, with statistics from training data.

    Fit it on the training data only, then apply the *same* shift and scale
    to every set, so that test data are measured on the training data's
    scale (statistics taken from the test set would leak information about
    it)::

        scaler = bp.Standardizer().fit(X_train)
        X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)

    ``bp.standardize(X_train, X_test)`` does the same in one line.

    Attributes
    ----------
    mean, std : ndarray
        The training columns' means and standard deviations (``ddof=0``),
        each of shape ``(D,)``; None before ``fit``. A constant column (all values equal) gets its
        value as mean and std 1.0, so it becomes exactly 0 instead of 0/0.
    """

    def __init__(self):
        self.mean = self.std = None

    def fit(self, X) -> "Standardizer":
        """Learn each column's mean and standard deviation from ``X`` (N, D); return self."""
        X = as_array(X, "X", ndim=(2,)).astype(np.float64)
        mean, std = X.mean(axis=0), X.std(axis=0)
        constant = X.min(axis=0) == X.max(axis=0)
        mean[constant], std[constant] = X[0, constant], 1.0
        self.mean, self.std = mean, std
        return self

    def transform(self, X) -> np.ndarray:
        """``(X - mean) / std`` with the fitted statistics; ``X`` has shape (N, D) as in ``fit``."""
        if self.mean is None:
            raise ValueError("this Standardizer has not been fitted: call fit(X_train) first, "
                             "scaler = bp.Standardizer().fit(X_train)")
        X = as_array(X, "X", ndim=(2,)).astype(np.float64)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"X must have {len(self.mean)} columns like the data the Standardizer was fitted "
                             f"on, got shape {X.shape}")
        return (X - self.mean) / self.std

    def inverse_transform(self, X_std) -> np.ndarray:
        """Undo ``transform``: ``X_std * std + mean`` (e.g. to read standardized predictions in the original units)."""
        if self.mean is None:
            raise ValueError("this Standardizer has not been fitted: call fit(X_train) first")
        X_std = as_array(X_std, "X_std", ndim=(2,)).astype(np.float64)
        if X_std.shape[1] != len(self.mean):
            raise ValueError(f"X_std must have {len(self.mean)} columns, got shape {X_std.shape}")
        return X_std * self.std + self.mean

    def __repr__(self) -> str:
        return "Standardizer()" if self.mean is None else f"Standardizer(fitted on {len(self.mean)} columns)"


def standardize(X_train, *others):
    """Standardize ``X_train`` with its own statistics, and ``others`` with the same ones.

    ``X_train_s, X_test_s = bp.standardize(X_train, X_test)``; with one
    argument, ``X_s = bp.standardize(X)``. To keep the statistics (for new
    data later), use :class:`Standardizer`.

    Parameters
    ----------
    X_train : array_like, shape (N, D)
        The data whose column means and standard deviations are used.
    *others : array_like, shape (M, D)
        Validation or test sets, shifted and scaled like ``X_train``.

    Returns
    -------
    ndarray, or a tuple of ndarrays (one per argument, in order)
    """
    scaler = Standardizer().fit(X_train)
    if not others:
        return scaler.transform(X_train)
    return (scaler.transform(X_train),) + tuple(scaler.transform(X) for X in others)


def accuracy(y_true, y_pred, *, threshold: float = 0.5) -> float:
    """Fraction of examples whose predicted class equals the true class.

    Parameters
    ----------
    y_true : array_like, shape (N,), (N, 1) or (N, K)
        Integer labels (as a vector or one column) or one-hot rows (argmax).
    y_pred : array_like, shape (N,), (N, 1) or (N, K) with K >= 2
        - (N,): predicted integer labels;
        - (N, K): scores, probabilities or one-hot rows; the class is the argmax;
        - (N, 1): one score per example for a binary problem; class 1 where
          ``score >= threshold``, else class 0.
    threshold : float
        0.5 suits probabilities (sigmoid outputs); use 0.0 for logits, since
        sigmoid(z) >= 0.5 exactly when z >= 0.

    Returns
    -------
    float, in [0, 1]
    """
    t = as_array(y_true, "y_true", ndim=(1, 2))
    p = as_array(y_pred, "y_pred", ndim=(1, 2))
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred must have the same number of rows, got shapes {t.shape} and {p.shape}")
    true = as_labels(t.argmax(axis=1) if t.ndim == 2 and t.shape[1] > 1 else t.reshape(-1), "y_true")
    if p.ndim == 1:
        if np.any(p != np.round(p)):
            raise ValueError("y_pred of shape (N,) must hold integer labels; for one probability or score "
                             "per example pass a column of shape (N, 1), which is thresholded")
        return float(np.mean(p == true))
    n_classes = max(p.shape[1], 2)  # one column scores a binary problem: classes 0 and 1
    if true.max() >= n_classes:
        raise ValueError(f"y_true has label {true.max()} but y_pred of shape {p.shape} "
                         f"scores only classes 0 .. {n_classes - 1}")
    if p.shape[1] == 1:
        pred = (p[:, 0] >= check_real(threshold, "threshold")).astype(np.int64)
    else:
        pred = p.argmax(axis=1)
    return float(np.mean(pred == true))
