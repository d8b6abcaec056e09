"""bp: backpropagation and gradient descent, written out to be read.

The package behind the course book. It needs numpy only; copy the ``bp/``
folder into your own project and ``import bp`` works.

Conventions
-----------
- **Rows are examples.** Inputs have shape ``(N, D)``: ``N`` examples of ``D``
  features. A layer computes ``Z = A W + b`` with ``W`` of shape
  ``(n_in, n_out)`` and ``b`` of shape ``(n_out,)`` added to every row
  (book notation: ``Z^(l) = A^(l-1) W^(l) + b^(l)``, ``A^(l) = sigma(Z^(l))``).
- **float64 by default**; layers take ``dtype=np.float32`` if you want it.
- **Randomness is explicit.** Everything random takes ``rng``, a
  ``numpy.random.Generator`` such as ``np.random.default_rng(0)``. There is no
  global seed.
- **Losses are means over the batch**, ``L = (1/N) sum_i ell_i``, so a
  learning rate means the same for every batch size.
- **Gradients are overwritten, not accumulated.** Each backward pass writes
  ``dL/dtheta`` into every ``Parameter.grad``; calling it twice is safe and
  there is no ``zero_grad``. (The scalar engine ``bp.scalar`` resets and
  then accumulates within one ``backward()``; see its docstring.)
- **The error signal** ``delta^(l) = dL/dZ^(l)`` is what flows backward
  between layers: ``Layer.backward`` takes ``dL/d(output)`` and returns
  ``dL/d(input)``.
- **Bad input raises** ``ValueError`` or ``TypeError`` naming the argument,
  what was received and what was expected; a call that raises changes
  nothing.

Modules: ``layers``, ``losses``, ``optim``, ``training``, ``gradcheck``,
``scalar``, ``naive``, ``data``. Plotting (``bp.plotting``) and interactive
explorers (``bp.widgets``) need matplotlib/ipywidgets and are imported only
when you ask for them.
"""

from .data import (accuracy, make_blobs, make_line, make_moons, make_spirals, make_xor, one_hot,
                   standardize, train_test_split)
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import Identity, Layer, Linear, Parameter, ReLU, Sequential, Sigmoid, Tanh
from .losses import MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy
from .naive import naive_gradients
from .optim import Adam, GradientDescent, Momentum, Optimizer
from .scalar import Value
from .training import DivergenceError, History, batches, fit, loss_and_gradients, predict, probabilities

__version__ = "0.1.0"

__all__ = [
    "Parameter", "Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "Identity", "Sequential",
    "Loss", "MSE", "BinaryCrossEntropy", "SoftmaxCrossEntropy",
    "Optimizer", "GradientDescent", "Momentum", "Adam",
    "batches", "fit", "loss_and_gradients", "History", "DivergenceError", "predict", "probabilities",
    "numerical_gradient", "relative_error", "check_gradients",
    "naive_gradients", "Value",
    "make_line", "make_blobs", "make_moons", "make_spirals", "make_xor",
    "one_hot", "train_test_split", "standardize", "accuracy",
]
