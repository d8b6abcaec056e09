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

State
-----
A layer remembers its last forward pass (``Linear`` its input, the
activations their output), because its backward pass needs it. So
``backward`` must follow the forward pass whose loss it differentiates:
calling ``backward`` before any ``forward``, or with a ``dy`` whose shape does
not match the last forward pass, raises ``ValueError``.

A layer or ``Parameter`` may appear only **once** in a model, and
``Sequential`` refuses one that appears twice. Using the same weights in two
places (*weight tying*, as language models do with their input and output
embeddings) needs the gradients of every use added up, and a layer that
keeps one input and overwrites ``.grad`` cannot do that.
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


def check_upstream(layer: Layer, dy, expected_shape) -> None:
    """Raise unless ``dy`` can be the gradient of ``layer``'s last forward output.

    ``expected_shape`` is the shape of that output, or None if ``forward``
    has not been called yet.
    """
    name = "the model (Sequential)" if isinstance(layer, Sequential) else repr(layer)
    if expected_shape is None:
        raise ValueError(f"backward() of {name} was called before forward(): a layer needs its last forward "
                         f"pass to compute gradients. Call forward (the model on a batch), then the loss, "
                         f"then backward: model.backward(loss.backward()).")
    if not isinstance(dy, np.ndarray):
        raise TypeError(f"dy (the gradient dL/d(output)) must be a numpy array, got {type(dy).__name__}. "
                        f"To start the backward pass from a loss, pass loss.backward(): "
                        f"model.backward(loss.backward()).")
    if dy.shape != expected_shape:
        raise ValueError(f"dy has shape {dy.shape}, but the last forward pass of {name} produced an output "
                         f"of shape {expected_shape}. backward must follow the forward pass whose loss it "
                         f"differentiates: if the model ran on other data in between (a validation set, a "
                         f"plot), run it and the loss on the batch again before backward.")


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

    def __init__(self, n_in: int, n_out: int, *, rng: np.random.Generator = None,
                 init: str = "xavier", dtype=np.float64):
        check_positive(n_in, "n_in", integer=True)
        check_positive(n_out, "n_out", integer=True)
        if rng is None:
            raise TypeError(f"Linear needs rng, a numpy.random.Generator: its initial weights are random "
                            f"and bp has no global seed. Write Linear({n_in}, {n_out}, "
                            f"rng=np.random.default_rng(0)), or pass one generator to every layer.")
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
        self.x = None                                  # the input of the last forward pass

    def forward(self, x):                              # A^(l-1) (N, n_in) -> Z^(l) (N, n_out)
        x = self.checked_input(x)                      # an (N, n_in) float array, or a clear error
        self.x = x                                     # kept for dL/dW
        z = x @ self.W.data                            # (N, n_in) @ (n_in, n_out) -> (N, n_out)
        z += self.b.data                               # + b, broadcast to every row
        return z

    def backward(self, dz):                            # delta^(l) = dL/dZ (N, n_out) -> dL/dA^(l-1) (N, n_in)
        self.backward_parameters(dz)
        return dz @ self.W.data.T                      # (N, n_out) @ (n_out, n_in) -> (N, n_in)

    def backward_parameters(self, dz):
        check_upstream(self, dz, None if self.x is None else (len(self.x), self.n_out))
        self.W.grad = self.x.T @ dz                    # dL/dW = A^T delta: (n_in, N) @ (N, n_out) -> (n_in, n_out)
        self.b.grad = dz.sum(axis=0)                   # dL/db: b is added to every row, so its grads add up

    def checked_input(self, x) -> np.ndarray:
        """``x`` as an array of the layer's float type, if it has shape ``(N, n_in)``; else ValueError."""
        x = np.asarray(x, dtype=self.W.data.dtype)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(f"{self!r} expects x of shape (N, {self.n_in}), got {x.shape}"
                             + transpose_hint(x.shape, self.n_in))
        return x

    def named_parameters(self):
        return [("W", self.W), ("b", self.b)]

    def __repr__(self) -> str:
        return f"Linear({self.n_in} -> {self.n_out})"


class Sigmoid(Layer):
    """Logistic activation ``a = 1 / (1 + exp(-z))``, element-wise."""

    def __init__(self):
        self.a = None                                  # the output of the last forward pass

    def forward(self, z):                              # (N, D) -> (N, D)
        self.a = sigmoid(z)                            # kept: the derivative is written in terms of a
        return self.a

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        check_upstream(self, da, None if self.a is None else self.a.shape)
        return da * self.a * (1.0 - self.a)            # sigma'(z) = sigma(z) (1 - sigma(z))

    def __repr__(self) -> str:
        return "Sigmoid()"


class Tanh(Layer):
    """Hyperbolic tangent ``a = tanh(z)``, element-wise."""

    def __init__(self):
        self.a = None                                  # the output of the last forward pass

    def forward(self, z):                              # (N, D) -> (N, D)
        self.a = np.tanh(z)
        return self.a

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        check_upstream(self, da, None if self.a is None else self.a.shape)
        return da * (1.0 - self.a ** 2)                # tanh'(z) = 1 - tanh(z)^2

    def __repr__(self) -> str:
        return "Tanh()"


class ReLU(Layer):
    """Rectified linear unit ``a = max(z, 0)``, element-wise.

    The derivative at exactly ``z = 0`` is taken to be 0 (any value in [0, 1]
    is a valid subgradient; 0 is the common choice).
    """

    def __init__(self):
        self.active = None                             # where the last forward pass was positive

    def forward(self, z):                              # (N, D) -> (N, D)
        self.active = z > 0                            # where the unit passes its input on
        return np.maximum(z, 0.0)

    def backward(self, da):                            # dL/da (N, D) -> dL/dz (N, D)
        check_upstream(self, da, None if self.active is None else self.active.shape)
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
        If an argument is not a ``Layer`` (a class such as ``Tanh`` instead of
        the layer ``Tanh()`` is named as such).
    ValueError
        If a layer or a ``Parameter`` appears twice: bp does not support
        weight tying (see the module docstring).
    """

    def __init__(self, *layers: Layer):
        for i, layer in enumerate(layers):
            if isinstance(layer, type) and issubclass(layer, Layer):
                raise TypeError(f"Sequential expects layer objects, got the class {layer.__name__} itself at "
                                f"position {i}: write {layer.__name__}() with parentheses")
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential expects Layer objects, got {type(layer).__name__} at position {i}")
        check_used_once(layers)
        self.layers = list(layers)
        self.output_shape = None                       # shape of the last forward pass's output

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        self.output_shape = np.shape(x)
        return x

    def backward(self, dy):
        check_upstream(self, dy, self.output_shape)
        for layer in reversed(self.layers):           # reverse order: the chain rule from the loss inwards
            dy = layer.backward(dy)
        return dy

    def backward_parameters(self, dy):
        check_upstream(self, dy, self.output_shape)
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


def check_used_once(layers) -> None:
    """Raise ValueError if a layer, or a Parameter, appears more than once in ``layers`` (nested ones included)."""
    seen_layers, seen_params = {}, {}
    for i, layer in enumerate(layers):
        for inner in [layer] + all_sublayers(layer):
            if id(inner) in seen_layers:
                raise ValueError(
                    f"{inner!r} appears twice (at positions {seen_layers[id(inner)]} and {i}): a bp layer remembers "
                    f"one forward pass and overwrites .grad, so a second use would silently give wrong "
                    f"gradients. Create a new {type(inner).__name__} for each place; bp does not support "
                    f"weight tying.")
            seen_layers[id(inner)] = i
        for name, p in layer.named_parameters():
            if id(p) in seen_params:
                raise ValueError(f"the Parameter {p!r} is used twice (at positions {seen_params[id(p)]} and {i}): "
                                 f"bp's layers overwrite .grad, so a shared Parameter would get the gradient of "
                                 f"one use only. Give each layer its own Parameter; bp does not support weight tying.")
            seen_params[id(p)] = i


def all_sublayers(layer: Layer) -> list:
    """Every layer nested inside ``layer`` (for a ``Sequential``, its layers and theirs), not ``layer`` itself."""
    if not isinstance(layer, Sequential):
        return []
    return [inner for child in layer.layers for inner in [child] + all_sublayers(child)]


def transpose_hint(shape: tuple, n_columns: int, name: str = "X") -> str:
    """The usual fix when an array of ``shape`` looks like the transpose of one with ``n_columns`` columns."""
    if len(shape) == 2 and shape[0] == n_columns != shape[1]:
        return f". Rows are examples: if each of your columns is an example, pass the transpose {name}.T"
    return ""


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function: never evaluates ``exp`` of a large positive number."""
    e = np.exp(-np.abs(z))                             # in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
