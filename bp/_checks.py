"""Input checks shared by the public functions of ``bp``.

Every check raises a ``TypeError`` or ``ValueError`` whose message names the
argument, what was received and what was expected, and none of them changes
its input.
"""

import math
import numbers

import numpy as np


def as_float_array(value, name: str, *, ndim=None, dtype=np.float64) -> np.ndarray:
    """Return ``value`` as a finite float array, or raise naming ``name``.

    Parameters
    ----------
    value : array_like
        The array to check.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : numpy dtype
        The float type to convert to.

    Raises
    ------
    TypeError
        If ``value`` is not numeric (strings, objects, booleans).
    ValueError
        If it has the wrong number of dimensions, is empty or holds NaN/inf.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a numeric array (ints or floats), got dtype {array.dtype}"
        )
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        wanted = " or ".join(f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {wanted}, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} must hold finite numbers, found {array[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    return array


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
    """Return ``rng`` if it is a ``numpy.random.Generator``."""
    if rng is None and allow_none:
        return None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng
