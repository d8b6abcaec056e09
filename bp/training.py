"""One training loop for batch, stochastic and mini-batch gradient descent.

The three variants of gradient descent differ only in how many examples each
gradient is averaged over before an update (the batch size ``B``):

===========================  ================  =====================
variant                      ``batch_size``    updates per epoch
===========================  ================  =====================
batch gradient descent       ``None`` (= N)    1
stochastic gradient descent  ``1``             N
mini-batch gradient descent  ``k``             ceil(N / k)
===========================  ================  =====================
"""

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_positive, check_rng
from .layers import Layer, Linear, Sequential, Sigmoid, all_sublayers, transpose_hint
from .losses import BinaryCrossEntropy, Loss, SoftmaxCrossEntropy
from .optim import Optimizer
from .schedules import Schedule
from .training_pass import TrainingPass


class DivergenceError(RuntimeError):
    """Training diverged: the loss exploded, or a loss or gradient became NaN or infinite.

    ``fit`` raises it on either of two signs (see ``fit``'s ``divergence_factor``):

    - a batch's loss or gradient is not finite (the update is not made);
    - an epoch's mean training loss is more than ``divergence_factor`` times
      its yardstick, the larger of the loss at the start of the call (on the
      first batch) and the loss of the best constant prediction
      (``loss.baseline_loss``). This catches losses that grow without ever
      overflowing, such as the cross-entropies, which grow only linearly in
      the logits.

    Either way the parameters and the optimizer's state are put back as they
    were at the start of the epoch with the lowest training loss (the start
    of the call, if it happened in the first epoch), so nothing learned
    before the divergence is lost.

    Attributes
    ----------
    epoch : int
        The epoch (counted from 1) in which it happened.
    lr : float
        The learning rate in use.
    history : History
        The record of the completed epochs, including, when the loss
        exploded, the epoch whose loss tripped the rule.
    """

    def __init__(self, message: str, *, epoch: int, lr: float, history: "History"):
        super().__init__(message)
        self.epoch, self.lr, self.history = epoch, lr, history


@dataclass
class History:
    """What ``fit`` measured, one entry per completed epoch.

    Attributes
    ----------
    loss : list of float
        Training loss of the epoch: the mean of the batch losses met during
        it, weighted by batch size (for batch gradient descent, the loss at
        the start of the epoch).
    val_loss, val_accuracy : list of float
        Loss and accuracy on ``validation_data`` after the epoch (empty when
        none was given; accuracy is NaN for ``MSE``).
    updates : list of int
        Parameter updates made in the epoch.
    examples : list of int
        Examples processed in the epoch (each costs one per-example gradient).
    time : list of float
        Wall-clock seconds spent on the epoch's updates.
    grad_norm : list of float
        Mean over the epoch's updates of the Euclidean norm of the gradient
        (all parameters taken together as one vector).
    lr : list of float
        The learning rate of the epoch's last update (it changes within an
        epoch only under a ``schedule``).
    converged : bool
        True if training stopped because the loss stopped falling (``tol``).
    converged_epoch : int or None
        The epoch at which that was detected.
    stopped_by_callback : bool
        True if a callback asked to stop.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    examples: list = field(default_factory=list)
    time: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    converged: bool = False
    converged_epoch: int | None = None
    stopped_by_callback: bool = False

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.loss)


def loss_and_gradients(model, loss, X, y) -> float:
    """One forward and one backward pass: return ``L`` and leave ``dL/dtheta`` in every ``.grad``.

    Parameters
    ----------
    model : Layer
        For example a ``Sequential``.
    loss : Loss
    X : ndarray, shape (N, D)
    y : ndarray
        Targets in any form ``loss`` accepts.

    It does exactly what ``fit`` does for each batch: the backward pass stops
    at the first layer's parameters and skips ``dL/dX``, which training never
    uses (see ``Layer.backward_parameters``).
    """
    output = model.forward(X)                          # forward pass: A^(0) = X -> ... -> output
    value = loss(output, y)                            # L, the mean over the batch
    model.backward_parameters(loss.backward())         # backward pass, starting from delta^(L)
    return value


def batches(X, y, batch_size: int | None, rng: np.random.Generator | None = None, *, replacement: bool = False):
    """Yield ``(X_batch, y_batch)`` pairs: one epoch's batches, in ``fit``'s order.

    Parameters
    ----------
    X : ndarray, shape (N, D)
    y : ndarray, shape (N, ...)
    batch_size : int or None
        Examples per batch, in ``[1, N]``; ``None`` means one batch of all N.
        The last batch is smaller when ``batch_size`` does not divide N.
    rng : numpy.random.Generator or None
        If given, the examples are shuffled first, so the batches together
        cover every example once; if None, they come in order.
    replacement : bool, default False
        If True, draw the N examples of the epoch independently and uniformly
        (sampling with replacement: some examples come twice, some not at
        all); needs ``rng``.

    Raises
    ------
    ValueError, TypeError
        If ``X`` and ``y`` differ in length, ``batch_size`` is not in
        ``[1, N]``, ``rng`` is not a Generator, or ``replacement`` is True
        without ``rng``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    batch_size = _check_batch_size(batch_size, len(X))
    check_rng(rng, allow_none=True)
    _check_replacement(replacement, rng)
    for rows in _batch_rows(len(X), batch_size, rng, replacement):
        yield X[rows], y[rows]


def _check_batch_size(batch_size, n):
    if batch_size is None:
        return n
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(f"batch_size must be an int in [1, {n}] or None, got {batch_size!r}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be in [1, N] = [1, {n}], got {batch_size}")
    return int(batch_size)


def _check_replacement(replacement, rng):
    if not isinstance(replacement, bool):
        raise TypeError(f"replacement must be True or False, got {replacement!r}")
    if replacement and rng is None:
        raise ValueError("replacement=True draws examples at random, so it needs rng, "
                         "e.g. rng=np.random.default_rng(0)")


def _batch_rows(n, batch_size, rng, replacement=False):
    """Index objects selecting each batch: slices (views) in order, or index arrays drawn with ``rng``."""
    if rng is None:
        order = None
    elif replacement:
        order = rng.integers(n, size=n)                # N independent draws: with replacement
    else:
        order = rng.permutation(n)                     # a fresh order: every example once
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield slice(start, stop) if order is None else order[start:stop]


def fit(model, loss, optimizer, X, y, *, epochs: int, batch_size: int | None = None,
        rng: np.random.Generator | None = None, validation_data: tuple | None = None,
        tol: float | None = None, patience: int = 5, callbacks=(), verbose: bool = False,
        divergence_factor: float | None = 10.0, schedule: Schedule | None = None,
        replacement: bool = False) -> History:
    """Train ``model`` by gradient descent on the mean ``loss`` over ``(X, y)``.

    Each update is: forward pass on a batch, loss, backward pass, one
    ``optimizer.step()``. Batch, stochastic and mini-batch gradient descent
    are this same loop with ``batch_size`` None, 1 or k.

    Parameters
    ----------
    model : Layer
        The network, e.g. ``Sequential(Linear(...), ReLU(), Linear(...))``.
    loss : Loss
        ``MSE``, ``BinaryCrossEntropy`` or ``SoftmaxCrossEntropy``.
    optimizer : Optimizer
        Built on ``model.parameters()``.
    X : ndarray, shape (N, D)
        Inputs, one example per row; converted to the model's float type.
    y : ndarray
        Targets, in a form ``loss`` accepts (values, labels or one-hot rows).
    epochs : int
        Passes over the data, at least 1.
    batch_size : int or None, default None
        ``None``: batch gradient descent; ``1``: stochastic; ``k``: mini-batch.
    rng : numpy.random.Generator or None
        If given, the data are shuffled at the start of every epoch with it;
        if None the batches come in the data's order. The same generator state
        gives bit-identical results.
    validation_data : (X_val, y_val), optional
        Evaluated after every epoch into ``val_loss`` and ``val_accuracy``.
    tol : float or None
        Convergence test: stop when the training loss has not fallen below
        its best value so far by more than ``tol`` for ``patience``
        consecutive epochs; the history then has ``converged = True``.
    patience : int, default 5
        Epochs without such progress before stopping (used with ``tol``).
    callbacks : sequence of callables
        Each is called as ``callback(epoch, history)`` after every epoch;
        returning True (a Python or numpy bool, such as ``loss < 0.1``)
        stops training; returning None or False goes on. A callback that
        needs the model (to copy the best weights for early stopping, say)
        refers to it directly, as a variable it can see, or as an
        attribute of a callable object. Within one call, a ``Linear``
        layer's ``.grad`` is overwritten in place (see
        ``bp/training_pass.py``): copy it to keep it.
    verbose : bool
        Print one line per epoch.
    divergence_factor : float or None, default 10.0
        The divergence rule: stop with ``DivergenceError`` when an epoch's
        mean training loss exceeds ``divergence_factor`` times the larger of
        (a) the loss of the first batch, at the parameters the call started
        from, and (b) ``loss.baseline_loss(y)``, the loss of the best constant
        prediction (the targets' variance for ``MSE``, the entropy of the
        class frequencies for the cross-entropies). Gradient descent with a
        workable learning rate keeps the loss near or below both, so a loss
        ten times above them means the steps are too large. ``None`` turns the
        rule off (to watch a divergence on purpose); a NaN or infinite loss or
        gradient always stops training.
    schedule : Schedule or None
        A learning-rate schedule from ``bp.schedules``: before every update
        ``fit`` sets ``optimizer.lr = schedule(optimizer.t + 1)``. ``t``
        counts updates over all calls; a call that would run past the end of
        the schedule (``Cosine``'s ``total``) is refused before training.
        None keeps ``optimizer.lr`` as it is.
    replacement : bool, default False
        How each epoch's examples are drawn (needs ``rng``). False: a fresh
        random order of all N, so each example is used exactly once per epoch
        (sampling without replacement, also called reshuffling). True: N
        independent uniform draws, as the textbook analysis of stochastic
        gradient descent assumes (sampling with replacement). Either way an
        epoch is N examples in ``ceil(N / batch_size)`` updates.

    Returns
    -------
    History

    Raises
    ------
    ValueError, TypeError
        On bad input, before anything is changed.
    DivergenceError
        If training diverges (see ``divergence_factor``). Parameters and
        optimizer state are restored to the start of the epoch with the
        lowest training loss, and the history is attached to the error.
    """
    _check_parts(model, loss, optimizer)
    params = model.parameters()
    if not {id(p) for p in params} <= {id(p) for p in optimizer.params}:
        raise ValueError("optimizer must be built on the model's parameters: Optimizer(model.parameters(), ...)")
    X, target = _checked_data(model, loss, X, y, params, "X", "y")
    n = len(X)
    check_positive(epochs, "epochs", integer=True)
    batch_size = _check_batch_size(batch_size, n)
    check_rng(rng, allow_none=True)
    if tol is not None and (not isinstance(tol, numbers.Real) or not tol >= 0 or not math.isfinite(tol)):
        raise ValueError(f"tol must be a non-negative finite number or None, got {tol!r}")
    check_positive(patience, "patience", integer=True)
    check_positive(divergence_factor, "divergence_factor", allow_none=True)
    _check_replacement(replacement, rng)
    _check_schedule(schedule, optimizer, epochs * math.ceil(n / batch_size))
    if validation_data is not None:
        if not (isinstance(validation_data, tuple) and len(validation_data) == 2):
            raise TypeError("validation_data must be a tuple (X_val, y_val)")
        validation_data = _checked_data(model, loss, *validation_data, params, "X_val", "y_val")
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(f"callbacks must be callables, got {type(callback).__name__}")

    history = History()
    model_pass = TrainingPass(model)                   # the model, run in memory reused from batch to batch
    best_start = _Snapshot(params, optimizer)          # start of the epoch with the lowest loss so far
    epoch_start = None                                 # start of the current epoch, from epoch 2 on
    lowest, starting_loss = math.inf, None
    best, epochs_without_progress = math.inf, 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if epoch == 2:
            epoch_start = _Snapshot(params, optimizer)
        elif epoch > 2:
            epoch_start.save()
        with np.errstate(over="ignore", invalid="ignore"):      # overflow is caught as non-finite
            loss_sum, norm_sum, n_updates, first_loss, problem = _run_epoch(
                model_pass, loss, optimizer, params, X, target, batch_size, rng, schedule, replacement)
        if problem:
            best_start.restore()
            raise DivergenceError(
                f"training diverged in epoch {epoch} (update {n_updates + 1} of the epoch) with "
                f"lr={optimizer.lr}: {problem}. {_RESTORED} Try a smaller learning rate.",
                epoch=epoch, lr=optimizer.lr, history=history)
        history.time.append(time.perf_counter() - start)
        history.loss.append(loss_sum / n)
        history.updates.append(n_updates)
        history.examples.append(n)
        history.grad_norm.append(norm_sum / n_updates)
        history.lr.append(optimizer.lr)
        if starting_loss is None:
            starting_loss = first_loss                 # the first batch's loss, at the starting parameters
        if history.loss[-1] < lowest:
            lowest = history.loss[-1]
            if epoch > 1:                              # (epoch 1 started where best_start was taken)
                best_start, epoch_start = epoch_start, best_start   # keep this epoch's start (no copy)
        if _diverged(history.loss[-1], divergence_factor, starting_loss, loss, target):
            best_start.restore()
            yardstick = max(starting_loss, loss.baseline_loss(target))
            raise DivergenceError(
                f"training diverged in epoch {epoch} with lr={optimizer.lr}: the epoch's mean training loss "
                f"{history.loss[-1]:.4g} is more than divergence_factor={divergence_factor:g} times "
                f"{yardstick:.4g}, the larger of the starting loss and the loss of the best constant "
                f"prediction. {_RESTORED} Try a smaller learning rate.",
                epoch=epoch, lr=optimizer.lr, history=history)
        if validation_data is not None:
            _evaluate(model, loss, *validation_data, history)
        if verbose:
            print(_epoch_line(epoch, epochs, history))
        if tol is not None:
            if history.loss[-1] < best - tol:
                best, epochs_without_progress = history.loss[-1], 0
            else:
                epochs_without_progress += 1
            if epochs_without_progress >= patience:
                history.converged, history.converged_epoch = True, epoch
        if any([_asks_to_stop(callback(epoch, history)) for callback in callbacks]):
            history.stopped_by_callback = True
        if history.converged or history.stopped_by_callback:
            break
    return history


def _diverged(epoch_loss, divergence_factor, starting_loss, loss, target) -> bool:
    """fit's divergence rule: the epoch's loss is above ``divergence_factor`` times its yardstick.

    The yardstick is the larger of ``starting_loss`` and the loss of the best
    constant prediction. It is at least ``starting_loss``, so a loss within
    ``divergence_factor`` times that is below the rule without computing the
    second one.
    """
    if divergence_factor is None or epoch_loss <= divergence_factor * starting_loss:
        return False
    return epoch_loss > divergence_factor * max(starting_loss, loss.baseline_loss(target)) > 0


_RESTORED = ("Parameters and optimizer state were restored to the start of the epoch with the lowest "
             "training loss; the history is in .history.")


def _run_epoch(model_pass, loss, optimizer, params, X, target, batch_size, rng, schedule=None, replacement=False):
    """One pass over the data, one update per batch.

    ``model_pass`` is the model's ``TrainingPass``: its ``forward`` and
    ``backward_parameters`` give the same numbers as the model's own, in
    memory reused from batch to batch (see ``bp/training_pass.py``).

    Returns the sum of the batch losses weighted by batch size, the sum of the
    gradient norms, the number of updates, the first batch's loss, and
    ``None`` or, if the loss or the gradient stopped being finite, what
    happened (no update is made then).
    """
    loss_sum, norm_sum, n_updates, first_loss = 0.0, 0.0, 0, None
    for rows in _batch_rows(len(X), batch_size, rng, replacement):
        X_batch, y_batch = X[rows], target[rows]
        batch_loss = loss.forward(model_pass.forward(X_batch), y_batch)  # forward pass and L
        model_pass.backward_parameters(loss.backward())                  # backward pass: every .grad
        grad_norm = math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))
        if not math.isfinite(batch_loss):
            return loss_sum, norm_sum, n_updates, first_loss, f"the loss became {batch_loss}"
        if not math.isfinite(grad_norm):
            return loss_sum, norm_sum, n_updates, first_loss, f"the gradient norm became {grad_norm}"
        if first_loss is None:
            first_loss = batch_loss
        if schedule is not None:
            optimizer.lr = schedule(optimizer.t + 1)   # eta_t for the update about to be made
        optimizer.step()
        loss_sum += batch_loss * len(X_batch)
        norm_sum += grad_norm
        n_updates += 1
    return loss_sum, norm_sum, n_updates, first_loss, None


def _asks_to_stop(answer) -> bool:
    """True if a callback's return value asks ``fit`` to stop; raise if it is not a yes/no answer."""
    if answer is None:
        return False
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    raise TypeError(f"a callback must return True (stop), False or None (go on), got {answer!r} of type "
                    f"{type(answer).__name__}")


def _check_schedule(schedule, optimizer, n_updates):
    """Raise if ``schedule`` is not a Schedule, or would run out within the next ``n_updates`` updates."""
    if schedule is None:
        return
    _check_instance(schedule, "schedule", Schedule, "bp.StepDecay(0.1, every=100) from bp.schedules")
    last = optimizer.t + n_updates
    if schedule.last_update is not None and last > schedule.last_update:
        raise ValueError(f"{schedule!r} covers updates 1 .. {schedule.last_update}, but this call would make "
                         f"updates {optimizer.t + 1} .. {last} ({n_updates} updates after the optimizer's "
                         f"{optimizer.t}): make total at least {last}")


def _check_instance(value, name, kind, example):
    """Raise a TypeError naming the fix if ``value`` is not an object of class ``kind`` (or is the class itself)."""
    if isinstance(value, type) and issubclass(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} object, got the class {value.__name__} "
                        f"itself: write {value.__name__}(...) with parentheses")
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} object such as {example}, "
                        f"got {type(value).__name__}")


def _check_parts(model, loss, optimizer):
    """Raise naming the fix if model, loss or optimizer (None: not needed) is not what fit needs."""
    parts = [(model, "model", Layer, "bp.Sequential(...)"), (loss, "loss", Loss, "bp.MSE()")]
    if optimizer is not None:
        parts.append((optimizer, "optimizer", Optimizer, "bp.GradientDescent(...)"))
    for value, name, kind, example in parts:
        _check_instance(value, name, kind, example)
    last = model.layers[-1] if isinstance(model, Sequential) and model.layers else model
    if isinstance(last, Sigmoid) and isinstance(loss, (BinaryCrossEntropy, SoftmaxCrossEntropy)):
        raise ValueError(f"model ends with Sigmoid(), but {loss!r} takes logits and applies the "
                         f"{'sigmoid' if isinstance(loss, BinaryCrossEntropy) else 'softmax'} itself: remove "
                         f"the last Sigmoid(), and use bp.probabilities(model, loss, X) for probabilities")


def _first_linear(model):
    """The first ``Linear`` layer that the data meet in ``model``, or None if that is not clear."""
    for layer in [model] + all_sublayers(model):
        if isinstance(layer, Linear):
            return layer
        if layer.parameters() and not isinstance(layer, Sequential):
            return None                                # a layer of another kind comes first
    return None


def _checked_data(model, loss, X, y, params, x_name, y_name):
    """Validate inputs and targets against the model and loss without changing any parameter."""
    X, output = _checked_inputs(model, X, params, x_name)
    try:
        target = loss.prepare_target(y, output.shape[1])
    except (ValueError, TypeError) as error:
        raise type(error)(f"{y_name}: {error}") from None
    if len(target) != len(X):
        raise ValueError(f"{x_name} and {y_name} must have the same number of rows, got {len(X)} and {len(target)}")
    if target.dtype.kind == "f":
        target = target.astype(X.dtype, copy=False)
    return X, target


def _checked_inputs(model, X, params, x_name):
    """``X`` as a float array that fits the model, and the model's output for its first row."""
    dtype = params[0].data.dtype if params else np.float64
    X = as_float_array(X, x_name, ndim=2, dtype=dtype)
    first = _first_linear(model)
    if first is not None and X.shape[1] != first.n_in:
        raise ValueError(f"{x_name} has shape {X.shape}, but the model's first layer {first!r} expects "
                         f"{first.n_in} columns, shape (N, {first.n_in})" + transpose_hint(X.shape, first.n_in, x_name))
    return X, model.forward(X[:1])                     # raises if X does not fit the model


def predict(model, loss, X) -> np.ndarray:
    """The trained model's predictions for ``X``, in the targets' own terms.

    One line after training, ``bp.predict(model, loss, X_test)``: the forward
    pass, then ``loss.predict``.

    Parameters
    ----------
    model : Layer
    loss : Loss
        The loss the model was trained with; it says what the outputs mean.
    X : ndarray, shape (N, D)

    Returns
    -------
    ndarray
        Class labels of shape ``(N,)`` for ``SoftmaxCrossEntropy`` (the largest
        logit) and ``BinaryCrossEntropy`` (0/1, the logit's sign); the outputs
        themselves, shape ``(N, K)``, for ``MSE``.

    Examples
    --------
    >>> accuracy = np.mean(bp.predict(model, loss, X_test) == y_test)   # doctest: +SKIP
    """
    _check_parts(model, loss, None)
    X, _ = _checked_inputs(model, X, model.parameters(), "X")
    return loss.predict(model.forward(X))


def probabilities(model, loss, X) -> np.ndarray:
    """The trained classifier's class probabilities for ``X``.

    Parameters
    ----------
    model : Layer
    loss : SoftmaxCrossEntropy or BinaryCrossEntropy
    X : ndarray, shape (N, D)

    Returns
    -------
    ndarray
        ``softmax`` of the logits, shape ``(N, K)``, each row summing to 1
        (``SoftmaxCrossEntropy``); or ``sigmoid`` of the logit, shape
        ``(N, 1)``, the probability of class 1 (``BinaryCrossEntropy``).

    Raises
    ------
    TypeError
        For ``MSE``, whose outputs are values, not probabilities.
    """
    _check_parts(model, loss, None)
    if not isinstance(loss, (SoftmaxCrossEntropy, BinaryCrossEntropy)):
        raise TypeError(f"probabilities needs a classification loss (SoftmaxCrossEntropy or "
                        f"BinaryCrossEntropy), got {loss!r}, whose outputs are values: use bp.predict")
    X, _ = _checked_inputs(model, X, model.parameters(), "X")
    return loss.probabilities(model.forward(X))


def _evaluate(model, loss, X, target, history):
    output = model.forward(X)
    history.val_loss.append(loss.forward(output, target))
    if isinstance(loss, (SoftmaxCrossEntropy, BinaryCrossEntropy)):
        if target.ndim == 1:
            labels = target
        elif isinstance(loss, BinaryCrossEntropy):
            labels = (target[:, 0] > 0.5).astype(int)
        else:
            labels = np.argmax(target, axis=1)
        history.val_accuracy.append(float(np.mean(loss.predict(output) == labels)))
    else:
        history.val_accuracy.append(math.nan)


def _epoch_line(epoch, epochs, history):
    line = f"epoch {epoch:>{len(str(epochs))}}/{epochs}  loss {history.loss[-1]:.6g}"
    if history.val_loss:
        line += f"  val_loss {history.val_loss[-1]:.6g}  val_acc {history.val_accuracy[-1]:.4f}"
    return line + f"  updates {history.updates[-1]}  |g| {history.grad_norm[-1]:.3g}  {history.time[-1]:.3f}s"


class _Snapshot:
    """A copy of the parameters and the optimizer state, to go back to if training diverges."""

    def __init__(self, params, optimizer):
        self.optimizer = optimizer
        self.live = [p.data for p in params] + optimizer.state_arrays()
        self.saved = [a.copy() for a in self.live]
        self.saved_t = optimizer.t

    def save(self):
        for saved, live in zip(self.saved, self.live):
            np.copyto(saved, live)
        self.saved_t = self.optimizer.t

    def restore(self):
        for saved, live in zip(self.saved, self.live):
            np.copyto(live, saved)
        self.optimizer.t = self.saved_t
