"""fit's forward and backward pass, run in memory reused from batch to batch.

The layers' own ``forward`` and ``backward`` (``layers.py``) are written as
the book writes the equations, and each returns a new array. ``fit`` runs
them on batch after batch of the same shape. On a wide network part of each
epoch then goes to memory rather than arithmetic: each new array is fetched
from the operating system and written for the first time, and ``ReLU``
makes a copy of an array it could change in place (``bench/train_digits.py``
measures the time).

``TrainingPass`` does the same arithmetic, operation for operation and in
the same order, so its results equal the layers' own bit for bit
(``tests/test_training_pass.py`` checks this). It differs in two ways:

- ``Linear`` and ``ReLU`` write their outputs, and ``Linear`` its
  gradients, into arrays allocated at the first batch and reused for every
  batch after it;
- ``ReLU`` overwrites its input, forward and backward, when that input is an
  array of the pass's own (the output of a ``Linear``), which nothing else
  reads. It never changes an array the caller passed in, or one made by
  another layer.

Any other layer (``Sigmoid``, ``Tanh``, ``Identity``, a layer of your own, or
a subclass of ``Linear``) is run by its own ``forward`` and ``backward``.

One consequence for a ``fit`` callback: within one call of ``fit``, a
``Linear`` layer's ``.grad`` is the same array at every update, overwritten
in place, so a callback that wants to keep a gradient must copy it
(``layer.W.grad.copy()``). A ``.grad`` taken before the call is never
written into.
"""

import numpy as np

from .layers import Linear, ReLU, Sequential


class TrainingPass:
    """A model's forward and backward pass for training, into reused arrays.

    Parameters
    ----------
    model : Layer
        A layer or a ``Sequential`` (nested ones are run layer by layer).

    Its two methods mean what they mean on the model: ``forward(X)`` returns
    the output, and ``backward_parameters(dY)`` sets every parameter's
    ``.grad``. An array it returns is overwritten by its next forward pass, so
    only ``fit``, which uses each output once, works with it.
    """

    def __init__(self, model):
        self.steps = [step_for(layer) for layer in leaf_layers(model)]

    def forward(self, x):
        ours = False                                   # is x an array of this pass's own? X is the caller's
        for step in self.steps:
            x, ours = step.forward(x, ours)
        return x

    def backward_parameters(self, dy):
        ours = False                                   # dL/d(output) belongs to the loss
        for step in reversed(self.steps[1:]):          # the chain rule from the loss inwards
            dy, ours = step.backward(dy, ours)
        if self.steps:
            self.steps[0].backward_parameters(dy)      # dL/dX is not needed


def leaf_layers(model) -> list:
    """The layers of ``model`` in forward order, a nested ``Sequential`` replaced by its layers."""
    if type(model) is Sequential:                      # exactly Sequential: a subclass may run its own way
        return [leaf for layer in model.layers for leaf in leaf_layers(layer)]
    return [model]


def step_for(layer):
    """The step that runs ``layer``: a reused-memory one for ``Linear`` and ``ReLU`` themselves."""
    if type(layer) is Linear:                          # not a subclass, which may compute differently
        return LinearStep(layer)
    if type(layer) is ReLU:
        return ReLUStep(layer)
    return LayerStep(layer)


class Reused:
    """An array kept from batch to batch. ``like(shape, dtype)`` returns it, or, for a
    smaller batch, its first rows (still one contiguous block); it is replaced only
    when a batch needs more rows, other columns or another dtype."""

    def __init__(self):
        self.whole = self.view = np.empty((0, 0))

    def like(self, shape: tuple, dtype) -> np.ndarray:
        if self.view.shape != shape or self.view.dtype != dtype:
            whole = self.whole
            if whole.dtype != dtype or whole.shape[1:] != shape[1:] or len(whole) < shape[0]:
                self.whole = np.empty(shape, dtype)
            self.view = self.whole[:shape[0]]
        return self.view


class LayerStep:
    """Any layer, run by its own methods. Its outputs are not the pass's to overwrite."""

    def __init__(self, layer):
        self.layer = layer

    def forward(self, x, ours):
        return self.layer.forward(x), False

    def backward(self, dy, ours):
        return self.layer.backward(dy), False

    def backward_parameters(self, dy):
        self.layer.backward_parameters(dy)


class LinearStep:
    """``Linear``'s forward and backward pass (same operations), into reused arrays."""

    def __init__(self, layer: Linear):
        self.layer = layer
        self.x = None                                  # the input of the last forward pass
        self.z, self.dx = Reused(), Reused()           # the outputs of forward and backward
        self.dW = np.empty_like(layer.W.data)          # the gradients are written here, then handed to .grad
        self.db = np.empty_like(layer.b.data)

    def forward(self, x, ours):                        # A^(l-1) (N, n_in) -> Z^(l) (N, n_out)
        W, b = self.layer.W.data, self.layer.b.data
        self.x = np.asarray(x, dtype=W.dtype)          # kept for dL/dW; nothing changes it before backward
        z = self.z.like((len(x), W.shape[1]), W.dtype)
        np.matmul(self.x, W, out=z)                    # (N, n_in) @ (n_in, n_out) -> (N, n_out)
        z += b                                         # + b, broadcast to every row
        return z, True

    def backward(self, dz, ours):                      # delta^(l) (N, n_out) -> dL/dA^(l-1) (N, n_in)
        self.backward_parameters(dz)
        W = self.layer.W.data
        dx = self.dx.like((len(dz), W.shape[0]), W.dtype)
        np.matmul(dz, W.T, out=dx)                     # (N, n_out) @ (n_out, n_in) -> (N, n_in)
        return dx, True

    def backward_parameters(self, dz):
        np.matmul(self.x.T, dz, out=self.dW)           # dL/dW = A^T delta: (n_in, N) @ (N, n_out) -> (n_in, n_out)
        np.add.reduce(dz, axis=0, out=self.db)         # dL/db = dz.sum(axis=0): the sum of delta's rows
        self.layer.W.grad, self.layer.b.grad = self.dW, self.db


class ReLUStep:
    """``ReLU``'s forward and backward pass (same operations), in place on the pass's own arrays."""

    def __init__(self, layer: ReLU):
        self.layer = layer
        self.active = None                             # where the last forward pass was positive
        self.mask, self.a, self.dz = Reused(), Reused(), Reused()

    def forward(self, z, ours):                        # (N, D) -> (N, D)
        self.active = self.mask.like(z.shape, bool)
        np.greater(z, 0, out=self.active)              # where the unit passes its input on
        a = z if ours else self.a.like(z.shape, z.dtype)
        np.maximum(z, 0.0, out=a)                      # max(z, 0), over z itself when z is ours
        return a, True

    def backward(self, da, ours):                      # dL/da (N, D) -> dL/dz (N, D)
        dz = da if ours else self.dz.like(da.shape, da.dtype)
        np.multiply(da, self.active, out=dz)           # relu'(z) = 1 if z > 0 else 0
        return dz, True

    def backward_parameters(self, da):
        """A ReLU has no parameters: nothing to do."""
