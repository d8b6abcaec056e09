"""Optimizers: turn the gradients in each ``Parameter.grad`` into an update of ``Parameter.data``.

Notation: ``theta`` is a parameter, ``g_t`` its gradient at step ``t``
(``t = 1, 2, ...``), ``eta`` the learning rate. Each class writes its update
one equation per line, as in the papers, and updates arrays in place.
"""

import numpy as np

from ._checks import check_fraction, check_positive
from .layers import Layer, Parameter

FIX = "pass the list of the model's parameters: model.parameters(), with the parentheses"


class Optimizer:
    """Base class holding the parameters, the learning rate and the step count ``t``.

    Parameters
    ----------
    params : iterable of Parameter
        Usually ``model.parameters()``.
    lr : float
        Learning rate ``eta``, a positive finite number. It may be changed
        between steps (a schedule); the new value is checked the same way.
    """

    def __init__(self, params, lr: float):
        self.params = checked_parameters(params)
        self.lr = lr
        self.t = 0                                     # number of steps taken

    @property
    def lr(self) -> float:
        """The learning rate ``eta``; setting it checks the new value (positive, finite)."""
        return self._lr

    @lr.setter
    def lr(self, value: float):
        self._lr = float(check_positive(value, "lr"))

    def step(self) -> None:
        """Apply one update using the current ``.grad`` of every parameter."""
        raise NotImplementedError

    def state_arrays(self) -> list:
        """The arrays of the optimizer's state (empty for plain gradient descent)."""
        return []


def checked_parameters(params) -> list:
    """Return ``params`` as a list of distinct ``Parameter`` objects, or raise naming the usual fix."""
    if isinstance(params, Layer):
        raise TypeError(f"params must be the model's parameters, got the model {type(params).__name__} itself: {FIX}")
    if callable(params):
        raise TypeError(f"params must be a list of Parameter objects, got a {type(params).__name__}, "
                        f"not called: {FIX}")
    if isinstance(params, Parameter):
        raise TypeError(f"params must be a list of Parameter objects, got one Parameter: write [p], or {FIX}")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be a list of Parameter objects, got {type(params).__name__}: {FIX}") from None
    if not params:
        raise ValueError(f"params must hold at least one Parameter, got none (a model of activations only "
                         f"has nothing to train)")
    seen = set()
    for i, p in enumerate(params):
        if isinstance(p, Layer):
            raise TypeError(f"params must hold Parameter objects, got the layer {p!r} at position {i}: {FIX}")
        if not isinstance(p, Parameter):
            raise TypeError(f"params must hold Parameter objects, got {type(p).__name__} at position {i}")
        if id(p) in seen:
            raise ValueError(f"params lists {p!r} twice (position {i}): each Parameter must appear once, "
                             f"or it would be updated twice per step")
        seen.add(id(p))
    return params


class GradientDescent(Optimizer):
    """Plain gradient descent: ``theta_t = theta_{t-1} - eta g_t``.

    With ``fit``'s ``batch_size`` this is batch, stochastic or mini-batch
    gradient descent: the rule is the same, only the batch that ``g_t`` is
    averaged over changes.
    """

    def step(self):
        self.t += 1
        for p in self.params:
            p.data -= self.lr * p.grad                 # theta <- theta - eta g

    def __repr__(self) -> str:
        return f"GradientDescent(lr={self.lr})"


class Momentum(Optimizer):
    """Gradient descent with (heavy-ball) momentum, Polyak (1964).

    The form used here is the one PyTorch uses (velocity without a
    ``(1 - beta)`` factor, learning rate applied outside)::

        v_t     = beta v_{t-1} + g_t,      v_0 = 0
        theta_t = theta_{t-1} - eta v_t

    Other common forms scale ``g_t`` by ``(1 - beta)`` or put ``eta`` inside
    the velocity; with a constant ``eta`` they give the same trajectory after
    rescaling ``eta``.

    With ``nesterov=True`` the step looks ahead along the new velocity
    (Nesterov's accelerated gradient in the form of Sutskever et al., 2013,
    as PyTorch writes it)::

        v_t     = beta v_{t-1} + g_t
        theta_t = theta_{t-1} - eta (g_t + beta v_t)

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        Learning rate ``eta``.
    beta : float, default 0.9
        Momentum coefficient in ``[0, 1)``; ``beta = 0`` is plain gradient descent.
    nesterov : bool, default False
        Use Nesterov's variant.
    """

    def __init__(self, params, lr: float, beta: float = 0.9, nesterov: bool = False):
        self.beta = check_fraction(beta, "beta")
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r} of type {type(nesterov).__name__}")
        self.nesterov = nesterov
        super().__init__(params, lr)
        self.velocity = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.t += 1
        for p, v in zip(self.params, self.velocity):
            v *= self.beta
            v += p.grad                                # v_t = beta v_{t-1} + g_t
            if self.nesterov:
                p.data -= self.lr * (p.grad + self.beta * v)   # theta_t = theta_{t-1} - eta (g_t + beta v_t)
            else:
                p.data -= self.lr * v                  # theta_t = theta_{t-1} - eta v_t

    def state_arrays(self):
        return list(self.velocity)

    def __repr__(self) -> str:
        extra = ", nesterov=True" if self.nesterov else ""
        return f"Momentum(lr={self.lr}, beta={self.beta}{extra})"


class RMSProp(Optimizer):
    """RMSProp: divide each gradient component by a running root mean square of its past values.

    As proposed by Tieleman and Hinton (2012), lecture 6e, with ``eps`` added
    to the denominator::

        v_t     = rho v_{t-1} + (1 - rho) g_t^2                (element-wise square), v_0 = 0
        theta_t = theta_{t-1} - eta g_t / (sqrt(v_t) + eps)

    Every parameter gets its own effective step ``eta / (sqrt(v_t) + eps)``:
    components with large gradients take smaller steps. There is no bias
    correction (compare ``Adam``), so the first steps are larger than
    ``eta``: at ``t = 1``, ``sqrt(v_1) = sqrt(1 - rho) |g_1|`` and (for ``eps`` small
    beside ``|g_1|``) each component's step is
    ``eta / sqrt(1 - rho)`` in size, 3.16 times ``eta`` for the default ``rho = 0.9``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Learning rate ``eta``.
    rho : float, default 0.9
        Decay rate of the running mean of squares, in ``[0, 1)``.
    eps : float, default 1e-8
        Added to the denominator to avoid division by zero.
    """

    def __init__(self, params, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8):
        self.rho = check_fraction(rho, "rho")
        self.eps = float(check_positive(eps, "eps"))
        super().__init__(params, lr)
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.t += 1
        for p, v in zip(self.params, self.v):
            g = p.grad
            v *= self.rho
            v += (1 - self.rho) * g * g                # v_t = rho v_{t-1} + (1 - rho) g_t^2
            p.data -= self.lr * g / (np.sqrt(v) + self.eps)    # theta_t = theta_{t-1} - eta g_t / (sqrt(v_t) + eps)

    def state_arrays(self):
        return list(self.v)

    def __repr__(self) -> str:
        return f"RMSProp(lr={self.lr}, rho={self.rho}, eps={self.eps})"


class Adam(Optimizer):
    """Adam, Kingma and Ba (2015), Algorithm 1, with bias correction written out::

        m_t     = beta1 m_{t-1} + (1 - beta1) g_t          (first moment)
        v_t     = beta2 v_{t-1} + (1 - beta2) g_t^2        (second moment, element-wise square)
        m_hat_t = m_t / (1 - beta1^t)                      (bias correction:
        v_hat_t = v_t / (1 - beta2^t)                       m_0 = v_0 = 0 pulls early averages to 0)
        theta_t = theta_{t-1} - eta m_hat_t / (sqrt(v_hat_t) + eps)

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
        Step size ``eta`` (the paper's alpha).
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates, in ``[0, 1)``.
    eps : float, default 1e-8
        Added to the denominator to avoid division by zero.
    """

    def __init__(self, params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1 = check_fraction(beta1, "beta1")
        self.beta2 = check_fraction(beta2, "beta2")
        self.eps = float(check_positive(eps, "eps"))
        super().__init__(params, lr)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            m *= self.beta1
            m += (1 - self.beta1) * g                  # m_t = beta1 m_{t-1} + (1 - beta1) g_t
            v *= self.beta2
            v += (1 - self.beta2) * g * g              # v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
            m_hat = m / (1 - self.beta1 ** self.t)     # m_hat_t = m_t / (1 - beta1^t)
            v_hat = v / (1 - self.beta2 ** self.t)     # v_hat_t = v_t / (1 - beta2^t)
            p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state_arrays(self):
        return self.m + self.v

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"
