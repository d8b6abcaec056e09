"""Input checks shared by the public functions of ``bp``.

Every check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, what was received and what was expected, and none of them changes
its input.
"""

import math
import numbers

import numpy as np


def as_array(value, name: str, *, ndim=None, finite: bool = True) -> np.ndarray:
    """Return ``value`` as a non-empty numeric array, or raise naming ``name``.

    Parameters
    ----------
    value : array_like
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    finite : bool
        Also reject NaN and infinity.

    Raises
    ------
    TypeError
        If ``value`` is not numeric (strings, objects, booleans).
    ValueError
        If it has the wrong number of dimensions, is empty or holds NaN/inf.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a numeric array (ints or floats), got dtype {array.dtype}")
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        wanted = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {wanted}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not all_finite(array):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"{name} must hold finite numbers, got {array[bad]} at index {bad}")
    return array


def all_finite(array: np.ndarray) -> bool:
    """True if no entry of the float ``array`` is NaN or infinite.

    A finite sum settles it in one pass that writes nothing: a NaN or an
    infinity in the array would make the sum NaN or infinite. Only when the
    sum is not finite (which a sum of huge finite numbers can also be) are
    the entries checked one by one.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing sum is an answer here, not a warning
        total = array.sum()
    return bool(np.isfinite(total)) or bool(np.all(np.isfinite(array)))


def as_float_array(value, name: str, *, ndim=None, dtype=np.float64) -> np.ndarray:
    """``as_array`` with finite values, converted to the float type ``dtype``."""
    return as_array(value, name, ndim=ndim).astype(dtype, copy=False)


def as_labels(value, name: str) -> np.ndarray:
    """Return integer-valued, non-negative ``value`` (shape (N,)) as int64."""
    array = as_array(value, name, ndim=(1,))
    bad = np.flatnonzero((array != np.round(array)) | (array < 0))
    if bad.size:
        raise ValueError(f"{name} must hold non-negative integer class labels, "
                         f"got {array[bad[0]].item()!r} at index {bad[0]}")
    return array.astype(np.int64)


def check_int(value, name: str, *, minimum: int) -> int:
    """Return ``value`` as an int if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r} of type {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str, *, minimum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite real number (``>= minimum`` if given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        wanted = "a finite number" if minimum is None else f"a finite number >= {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return float(value)


def check_positive(value, name: str, *, integer=False, allow_none=False):
    """Return ``value`` if it is a positive finite number (an int if ``integer``)."""
    if value is None and allow_none:
        return None
    kind = "int" if integer else "number"
    wanted = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, wanted):
        raise TypeError(f"{name} must be a positive {kind}, got {value!r} of type {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite {kind}, got {value!r}")
    return value


def check_fraction(value, name: str, *, low_open=False):
    """Return ``value`` if it lies in [0, 1) (or (0, 1) with ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r} of type {type(value).__name__}")
    low_ok = value > 0 if low_open else value >= 0
    if not (math.isfinite(value) and low_ok and value < 1):
        interval = "(0, 1)" if low_open else "[0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return value


def check_rng(rng, name: str = "rng", *, allow_none=False):
    """Return ``rng`` if it is a ``numpy.random.Generator`` (or None, if allowed)."""
    if rng is None and allow_none:
        return None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator such as np.random.default_rng(0), "
                        f"got {rng!r} of type {type(rng).__name__}")
    return rng
