"""Layers: the building blocks of a network, each with its forward and backward pass.

Every layer maps a batch ``x`` of shape ``(N, n_in)`` to ``y`` of shape
``(N, n_out)`` in ``forward`` and, in ``backward``, turns the upstream gradient
``dL/dy`` into ``dL/dx`` by the chain rule, writing the gradients of its own
parameters into their ``.grad`` on the way.

Gradient convention
-------------------
``backward`` *overwrites* each parameter's ``.grad`` with the gradient of the
current batch; it never accumulates. Calling ``backward`` twice therefore
gives the same gradients twice, and no ``zero_grad`` is needed.
"""

import numpy as np

from ._checks import check_positive, check_rng

INITIALISATIONS = ("xavier", "he", "normal")


class Parameter:
    """A learnable array and the gradient of the loss with respect to it.

    Parameters
    ----------
    data : ndarray
        The values, e.g. a weight matrix ``W`` of shape ``(n_in, n_out)``.
    name : str
        A short name used in reports such as ``check_gradients``.

    Attributes
    ----------
    data : ndarray
        The current values; optimizers update it in place.
    grad : ndarray
        ``dL/d(data)``, same shape as ``data``, overwritten by every backward pass.
    """

    def __init__(self, data: np.ndarray, name: str = ""):
        self.data = data
        self.grad = np.zeros_like(data)
        self.name = name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={self.data.shape}, dtype={self.data.dtype})"


class Layer:
    """Base class: a differentiable map from ``x`` (N, n_in) to ``y`` (N, n_out)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output for a batch and keep what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Given ``dL/dy`` of the last forward pass, return ``dL/dx`` (and set parameter grads)."""
        raise NotImplementedError

    def backward_parameters(self, dy: np.ndarray) -> None:
        """Set the parameter gradients only, for when nobody needs ``dL/dx`` (the network's input).

        Training never needs the gradient with respect to the data, so ``fit``
        calls this; a layer may skip work here (``Linear`` skips one of its
        three matrix products).
        """
        self.backward(dy)

    def parameters(self) -> list:
        """The layer's ``Parameter`` objects (an empty list for activations)."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> list:
        """``(name, Parameter)`` pairs; names are unique within a model."""
        return []

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)


class Linear(Layer):
    """Affine layer ``Z = A W + b`` (book eq. for one layer: Z^(l) = A^(l-1) W^(l) + b^(l)).

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output units.
    rng : numpy.random.Generator
        Source of the random initial weights.
    init : {"xavier", "he", "normal"}, default "xavier"
        Weights are drawn from a normal distribution with mean 0 and standard
        deviation ``sqrt(2 / (n_in + n_out))`` ("xavier", Glorot and Bengio 2010),
        ``sqrt(2 / n_in)`` ("he", He et al. 2015, suited to ReLU) or ``0.01``
        ("normal"). Biases start at zero.
    dtype : numpy float dtype, default float64
        Type of the parameters; inputs are converted to it.

    Attributes
    ----------
    W : Parameter
        Weights, shape ``(n_in, n_out)``: column ``j`` feeds output unit ``j``.
    b : Parameter
        Biases, shape ``(n_out,)``, added to every row.

    Raises
    ------
    TypeError, ValueError
        If a size is not a positive int, ``rng`` is not a Generator or
        ``init`` is unknown.
    """

    def __init__(self, n_in: int, n_out: int, *, rng: np.random.Generator,
                 init: str = "xavier", dtype=np.float64):
        check_positive(n_in, "n_in", integer=True)
        check_positive(n_out, "n_out", integer=True)
        check_rng(rng)
        if init not in INITIALISATIONS:
            raise ValueError(f"init must be one of {INITIALISATIONS}, got {init!r}")
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a float type such as np.float64, got {dtype}")
        std = {"xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in), "normal": 0.01}[init]
        self.n_in, self.n_out, self.init = n_in, n_out, init
        self.W = Parameter((std * rng.standard_normal((n_in, n_out))).astype(dtype), "W")
        self.b = Parameter(np.zeros(n_out, dtype=dtype), "b")

    def forward(self, x):                              # A^(l-1) (N, n_in) -> Z^(l) (N, n_out)
        x = np.asarray(x, dtype=self.W.data.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"{self!r} expects x of shape (N, {self.n_in}), got {x.shape}")
        self.x = x                                     # kept for dL/dW
        z = x @ self.W.data                            # (N, n_in) @ (n_in, n_out) -> (N, n_out)
        z += self.b.data                               # + b, broadcast to every row
        return z

    def backward(self, dz):                            # delta^(l) = dL/dZ (N, n_out) -> dL/dA^(l-1) (N, n_in)
        self.backward_parameters(dz)
        return dz @ self.W.data.T                      # (N, n_out) @ (n_out, n_in) -> (N, n_in)

    def backward_parameters(self, dz):
        self.W.grad = self.x.T @ dz                    # dL/dW = A^T delta: (n_in, N) @ (N, n_out) -> (n_in, n_out)
        self.b.grad = dz.sum(axis=0)                   # dL/db: b is added to every row, so its grads add up

    def named_parameters(self):
        return [("W", self.W), ("b", self.b)]

    def __repr__(self) -> str:
        return f"Linear({self.n_in} -> {self.n_out})"


class Sigmoid(Layer):
    """Logistic activation ``a = 1 / (1 + exp(-z))``, element-wise."""

    def forward(self, z):                              # (N, D) -> (N, D)
        self.a = sigmoid(z)                            # kept: the derivative is written in terms of a
        return self.a

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        return da * self.a * (1.0 - self.a)            # sigma'(z) = sigma(z) (1 - sigma(z))

    def __repr__(self) -> str:
        return "Sigmoid()"


class Tanh(Layer):
    """Hyperbolic tangent ``a = tanh(z)``, element-wise."""

    def forward(self, z):                              # (N, D) -> (N, D)
        self.a = np.tanh(z)
        return self.a

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        return da * (1.0 - self.a ** 2)                # tanh'(z) = 1 - tanh(z)^2

    def __repr__(self) -> str:
        return "Tanh()"


class ReLU(Layer):
    """Rectified linear unit ``a = max(z, 0)``, element-wise.

    The derivative at exactly ``z = 0`` is taken to be 0 (any value in [0, 1]
    is a valid subgradient; 0 is the common choice).
    """

    def forward(self, z):                              # (N, D) -> (N, D)
        self.active = z > 0                            # where the unit passes its input on
        return np.maximum(z, 0.0)

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        return da * self.active                        # relu'(z) = 1 if z > 0 else 0

    def __repr__(self) -> str:
        return "ReLU()"


class Identity(Layer):
    """The identity ``a = z``: a linear output for regression."""

    def forward(self, z):
        return z

    def backward(self, da):
        return da                                      # d z / d z = 1

    def __repr__(self) -> str:
        return "Identity()"


class Sequential(Layer):
    """Layers applied one after another: ``forward`` left to right, ``backward`` right to left.

    Parameters
    ----------
    *layers : Layer
        For example ``Linear(2, 8, rng=rng), Tanh(), Linear(8, 1, rng=rng)``.

    Raises
    ------
    TypeError
        If an argument is not a ``Layer``.
    """

    def __init__(self, *layers: Layer):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential expects Layer objects, got {type(layer).__name__} at position {i}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy):
        for layer in reversed(self.layers):           # reverse order: the chain rule from the loss inwards
            dy = layer.backward(dy)
        return dy

    def backward_parameters(self, dy):
        for layer in reversed(self.layers[1:]):
            dy = layer.backward(dy)
        if self.layers:
            self.layers[0].backward_parameters(dy)     # dL/dX itself is not needed

    def named_parameters(self):
        return [(f"{i}.{name}", p) for i, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    def __getitem__(self, index: int) -> Layer:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n".join(f"  {layer!r}" for layer in self.layers)
        return f"Sequential(\n{inner}\n)"


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function: never evaluates ``exp`` of a large positive number."""
    e = np.exp(-np.abs(z))                             # in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
