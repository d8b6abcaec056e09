"""Learning-rate schedules: the learning rate ``eta_t`` to use for update ``t = 1, 2, ...``.

A schedule is an object you call with the update number: ``schedule(t)``
returns ``eta_t``. Give it to ``fit(..., schedule=s)`` and ``fit`` sets
``optimizer.lr = s(optimizer.t + 1)`` before every update, so it works with
every optimizer (for ``Adam`` the learning rate is the step size, the
paper's alpha). By hand, the same is one line before each step::

    optimizer.lr = schedule(optimizer.t + 1)     # eta for the update about to be made
    optimizer.step()

``t`` counts updates, not epochs, from 1; ``optimizer.t`` counts the updates
already made and carries over from one ``fit`` call to the next, so a
schedule continues where the last call stopped. An epoch of mini-batch
gradient descent is ``ceil(N / batch_size)`` updates.

The formulas, one per class (``eta_0`` is the ``lr`` argument):

- ``Constant``:     ``eta_t = eta_0``
- ``StepDecay``:    ``eta_t = eta_0 * factor ** floor((t - 1) / every)``
- ``InverseTime``:  ``eta_t = eta_0 / (1 + decay (t - 1)) ** power``
- ``Cosine``:       a linear warm-up over the first ``warmup`` updates, then
  half a cosine wave from ``eta_0`` down towards ``min_lr`` at update ``total``.
"""

import math
import numbers

from ._checks import check_int, check_positive, check_real


class Schedule:
    """Base class: ``schedule(t)`` is the learning rate for update ``t`` (``t = 1, 2, ...``).

    Attributes
    ----------
    lr : float
        The starting learning rate ``eta_0``.
    last_update : int or None
        The last update the schedule is defined for (``Cosine``'s ``total``),
        or None if it goes on for ever. ``fit`` refuses, before training, a
        call that would run past it.
    """

    last_update = None

    def __init__(self, lr: float):
        self.lr = float(check_positive(lr, "lr"))

    def __call__(self, t: int) -> float:
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise TypeError(f"t must be the update number, an int >= 1, got {t!r} of type {type(t).__name__}")
        if t < 1:
            raise ValueError(f"t must be the update number, an int >= 1 (the first update is t = 1), got {t}")
        if self.last_update is not None and t > self.last_update:
            raise ValueError(f"{self!r} is defined for updates 1 .. {self.last_update}, got t = {t}: "
                             f"make total larger")
        return self.rate(int(t))

    def rate(self, t: int) -> float:
        """The formula, for a valid ``t``."""
        raise NotImplementedError


class Constant(Schedule):
    """The same learning rate at every update: ``eta_t = eta_0``.

    Parameters
    ----------
    lr : float
        ``eta_0``, positive.
    """

    def rate(self, t):
        return self.lr                                 # eta_t = eta_0

    def __repr__(self) -> str:
        return f"Constant(lr={self.lr:g})"


class StepDecay(Schedule):
    """Multiply the learning rate by ``factor`` every ``every`` updates.

    ``eta_t = eta_0 * factor ** floor((t - 1) / every)``: updates ``1 .. every``
    use ``eta_0``, the next ``every`` use ``factor * eta_0``, and so on.

    Parameters
    ----------
    lr : float
        ``eta_0``, positive.
    every : int
        Updates between drops, at least 1. To drop every ``E`` epochs of
        mini-batches of size ``B``, pass ``E * ceil(N / B)``.
    factor : float, default 0.1
        In ``(0, 1]``; ``0.1`` divides the learning rate by ten at each drop.
    """

    def __init__(self, lr: float, every: int, factor: float = 0.1):
        self.every = check_int(every, "every", minimum=1)
        self.factor = check_real(factor, "factor")
        if not 0 < self.factor <= 1:
            raise ValueError(f"factor must lie in (0, 1] (a decay multiplies the rate by it), got {factor!r}")
        super().__init__(lr)

    def rate(self, t):
        return self.lr * self.factor ** ((t - 1) // self.every)    # eta_0 factor^floor((t-1)/every)

    def __repr__(self) -> str:
        return f"StepDecay(lr={self.lr:g}, every={self.every}, factor={self.factor:g})"


class InverseTime(Schedule):
    """Decay as a power of the update number: ``eta_t = eta_0 / (1 + decay (t - 1)) ** power``.

    With ``power = 1`` this is the classic ``1/t`` schedule: after many
    updates ``eta_t`` is about ``eta_0 / (decay t)``. Its rates satisfy the
    Robbins-Monro conditions (``sum eta_t`` infinite, ``sum eta_t^2``
    finite) exactly when ``1/2 < power <= 1``; those conditions are
    sufficient for stochastic gradient descent to converge on suitable
    problems, not necessary.

    Parameters
    ----------
    lr : float
        ``eta_0 = eta_1``, positive.
    decay : float
        How fast the rate falls, ``>= 0`` (``0``: constant). The rate has
        halved, for ``power = 1``, at update ``t = 1 + 1/decay``.
    power : float, default 1.0
        Positive; ``0.5`` gives the ``1/sqrt(t)`` schedule.
    """

    def __init__(self, lr: float, decay: float, power: float = 1.0):
        self.decay = check_real(decay, "decay", minimum=0)
        self.power = float(check_positive(power, "power"))
        super().__init__(lr)

    def rate(self, t):
        return self.lr / (1 + self.decay * (t - 1)) ** self.power    # eta_0 / (1 + decay (t-1))^power

    def __repr__(self) -> str:
        return f"InverseTime(lr={self.lr:g}, decay={self.decay:g}, power={self.power:g})"


class Cosine(Schedule):
    """Linear warm-up, then cosine decay over a fixed number of updates (Loshchilov and Hutter, 2017).

    With ``w = warmup`` and ``T = total``::

        eta_t = eta_0 t / w                                        for t = 1 .. w  (warm-up)
        eta_t = min_lr + (eta_0 - min_lr) (1 + cos(pi s)) / 2,      s = (t - w - 1) / (T - w),
                                                                   for t = w + 1 .. T

    so the rate climbs in equal steps to ``eta_0`` at update ``w``, starts the
    decay at ``eta_0`` (``s = 0``) and ends just above ``min_lr`` at update
    ``T`` (``s = 1 - 1/(T - w)``). It is not defined after ``T``: plan
    ``total`` as the number of updates of the whole run,
    ``epochs * ceil(N / batch_size)``.

    Parameters
    ----------
    lr : float
        The peak rate ``eta_0``, positive.
    total : int
        ``T``, the number of updates the schedule covers; more than ``warmup``.
    warmup : int, default 0
        ``w``, updates of linear warm-up (0: none).
    min_lr : float, default 0.0
        The floor the cosine decays towards, in ``[0, lr)``.
    """

    def __init__(self, lr: float, total: int, warmup: int = 0, min_lr: float = 0.0):
        self.total = check_int(total, "total", minimum=1)
        self.warmup = check_int(warmup, "warmup", minimum=0)
        if self.warmup >= self.total:
            raise ValueError(f"warmup must be smaller than total, got warmup={warmup} and total={total}")
        super().__init__(lr)
        self.min_lr = check_real(min_lr, "min_lr", minimum=0)
        if self.min_lr >= self.lr:
            raise ValueError(f"min_lr must be smaller than lr, got min_lr={min_lr!r} and lr={lr!r}")
        self.last_update = self.total

    def rate(self, t):
        w, T = self.warmup, self.total
        if t <= w:
            return self.lr * t / w                                   # warm-up: eta_0 t / w
        s = (t - w - 1) / (T - w)                                    # 0 at t = w + 1, below 1 at t = T
        return self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * s)) / 2

    def __repr__(self) -> str:
        return f"Cosine(lr={self.lr:g}, total={self.total}, warmup={self.warmup}, min_lr={self.min_lr:g})"
