"""bp: backpropagation and gradient descent, written out to be read.

The package behind the course book. It needs numpy only; copy the ``bp/``
folder into your own project and ``import bp`` works.

Quick start
-----------
A network that learns to tell three spirals apart, then a check that its
gradients are right::

    import numpy as np
    import bp

    rng = np.random.default_rng(0)                          # every random choice comes from here
    X, y = bp.make_spirals(600, noise=0.05, rng=rng)        # X: (600, 2) points; y: (600,) labels 0, 1, 2
    X_train, X_test, y_train, y_test = bp.train_test_split(X, y, rng=rng)

    model = bp.Sequential(bp.Linear(2, 64, rng=rng), bp.Tanh(),   # 2 inputs -> 64 hidden units
                          bp.Linear(64, 3, rng=rng))              # -> 3 logits, one per class
    loss = bp.SoftmaxCrossEntropy()                         # softmax + cross-entropy, on logits and labels
    optimizer = bp.Adam(model.parameters(), lr=0.03)

    history = bp.fit(model, loss, optimizer, X_train, y_train, epochs=200, batch_size=32, rng=rng)
    print(f"training loss {history.loss[0]:.2f} -> {history.loss[-1]:.2f}")

    accuracy = np.mean(bp.predict(model, loss, X_test) == y_test)
    print(f"test accuracy {accuracy:.2f}")

    errors = bp.check_gradients(model, loss, X_test[:10], y_test[:10])
    print(f"gradient check: largest relative error {max(errors.values()):.0e}")   # below 1e-7: correct

It prints the training loss falling, a test accuracy above 0.9 and a
gradient-check error below 1e-7. Next: ``help(bp.fit)`` (batch, stochastic
and mini-batch gradient descent, and what stops a diverging run),
``help(bp.check_gradients)`` (how to read its numbers), ``bp.probabilities``
(class probabilities), ``bp.standardize`` (scale training and test data
alike). The mistakes students make get an error that names the fix.

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
- **Layers and losses remember their last forward pass**, which their
  ``backward`` differentiates: run the model and the loss on a batch, then
  ``model.backward(loss.backward())`` before running them on anything else
  (``fit`` does this for you). A layer or ``Parameter`` may appear only once
  in a model: ``Sequential`` refuses a second use, since a layer that keeps
  one input and overwrites ``.grad`` cannot add up the gradients of two uses
  (weight tying is not supported).
- **The error signal** ``delta^(l) = dL/dZ^(l)`` is what flows backward
  between layers: ``Layer.backward`` takes ``dL/d(output)`` and returns
  ``dL/d(input)``.
- **Bad input raises** ``ValueError`` or ``TypeError`` naming the argument,
  what was received, what was expected and, for common mistakes, the fix; a
  call that raises changes nothing. A run whose loss explodes raises
  ``DivergenceError`` and gives back the best parameters it had.

Modules: ``layers``, ``losses``, ``optim``, ``schedules``, ``training`` (with
``training_pass``, which runs ``fit``'s forward and backward passes in reused
memory), ``gradcheck``, ``diagnostics``, ``scalar``, ``naive``, ``data``. Plotting (``bp.plotting``) and interactive
explorers (``bp.widgets``) need matplotlib/ipywidgets and are imported only
when you ask for them.
"""

from .data import (Standardizer, accuracy, make_blobs, make_line, make_moons, make_spirals, make_xor, one_hot,
                   standardize, train_test_split)
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .layers import Identity, Layer, Linear, Parameter, ReLU, Sequential, Sigmoid, Tanh
from .losses import MSE, BinaryCrossEntropy, Loss, SoftmaxCrossEntropy
from .naive import naive_gradients
from . import diagnostics, schedules
from .optim import Adam, GradientDescent, Momentum, Optimizer, RMSProp
from .scalar import Value
from .schedules import Constant, Cosine, InverseTime, Schedule, StepDecay
from .training import DivergenceError, History, batches, fit, loss_and_gradients, predict, probabilities

__version__ = "0.1.0"

__all__ = [
    "Parameter", "Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "Identity", "Sequential",
    "Loss", "MSE", "BinaryCrossEntropy", "SoftmaxCrossEntropy",
    "Optimizer", "GradientDescent", "Momentum", "RMSProp", "Adam",
    "schedules", "Schedule", "Constant", "StepDecay", "InverseTime", "Cosine",
    "batches", "fit", "loss_and_gradients", "History", "DivergenceError", "predict", "probabilities",
    "numerical_gradient", "relative_error", "check_gradients",
    "naive_gradients", "Value", "diagnostics",
    "make_line", "make_blobs", "make_moons", "make_spirals", "make_xor",
    "one_hot", "train_test_split", "standardize", "Standardizer", "accuracy",
]
