"""TrainingPass, fit's reused-memory pass: the same numbers as the layers' own methods, bit for bit.

Equality is exact (``assert_array_equal``), not approximate: the pass does the
same operations in the same order, so any difference at all is a bug. It
must also never change an array that is not its own: the caller's inputs,
the loss's gradient, another layer's output, or a ``.grad`` taken before fit.
"""

import tracemalloc

import numpy as np
import pytest

import bp
from bp.training_pass import LayerStep, LinearStep, ReLUStep, Reused, TrainingPass


class DoubleLinear(bp.Linear):
    """A subclass that computes differently: the pass must run it by its own methods."""

    def forward(self, x):
        return 2.0 * super().forward(x)

    def backward_parameters(self, dz):
        super().backward_parameters(2.0 * dz)

    def backward(self, dz):
        self.backward_parameters(dz)
        return 2.0 * dz @ self.W.data.T


class KeepsOutput(bp.Layer):
    """A layer of a student's own that returns an array it keeps (and its backward returns its input)."""

    def forward(self, x):
        self.out = np.array(x, dtype=float)
        return self.out

    def backward(self, dy):
        return dy


class KeepsGradientMSE(bp.MSE):
    """A loss whose backward returns an array it keeps: the pass must not write into it."""

    def backward(self):
        self.grad = super().backward()
        return self.grad


def models(dtype=np.float64):
    """Models that cover every kind of step, each with its number of inputs and outputs."""
    def rng():
        return np.random.default_rng(3)
    r = rng()
    return {
        "linear-relu-linear": (bp.Sequential(bp.Linear(4, 16, rng=r, init="he", dtype=dtype), bp.ReLU(),
                                             bp.Linear(16, 3, rng=r, dtype=dtype)), 4, 3),
        "deep relu": (bp.Sequential(*[layer for _ in range(3) for layer in (bp.Linear(4, 4, rng=r, dtype=dtype),
                                                                             bp.ReLU())],
                                    bp.Linear(4, 3, rng=r, dtype=dtype)), 4, 3),
        "tanh and sigmoid": (bp.Sequential(bp.Linear(4, 8, rng=r, dtype=dtype), bp.Tanh(),
                                           bp.Linear(8, 8, rng=r, dtype=dtype), bp.Sigmoid(),
                                           bp.Linear(8, 3, rng=r, dtype=dtype)), 4, 3),
        "nested, identity, relu twice": (bp.Sequential(
            bp.Sequential(bp.Linear(4, 8, rng=r, dtype=dtype), bp.Identity()), bp.ReLU(), bp.ReLU(),
            bp.Sequential(bp.Linear(8, 3, rng=r, dtype=dtype))), 4, 3),
        "relu first and last": (bp.Sequential(bp.ReLU(), bp.Linear(4, 3, rng=r, dtype=dtype), bp.ReLU()), 4, 3),
        "subclass of Linear": (bp.Sequential(DoubleLinear(4, 8, rng=r, dtype=dtype), bp.ReLU(),
                                             bp.Linear(8, 3, rng=r, dtype=dtype)), 4, 3),
        "a layer of one's own": (bp.Sequential(bp.Linear(4, 8, rng=r, dtype=dtype), KeepsOutput(), bp.ReLU(),
                                               bp.Linear(8, 3, rng=r, dtype=dtype)), 4, 3),
        "one Linear": (bp.Linear(4, 3, rng=r, dtype=dtype), 4, 3),
    }


def twins(name, dtype=np.float64):
    """Two identical copies of a model from ``models``."""
    return models(dtype)[name][0], models(dtype)[name][0]


def gradients(model):
    return [p.grad.copy() for p in model.parameters()]


@pytest.mark.parametrize("name", list(models()))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_gradients_equal_the_layers_own_bit_for_bit(name, dtype):
    textbook, reused = twins(name, dtype)
    model_pass = TrainingPass(reused)
    rng = np.random.default_rng(0)
    for rows in (7, 7, 3, 7, 1, 12):                   # a smaller batch, then larger ones: buffers regrow
        X = rng.standard_normal((rows, 4)).astype(dtype)
        dY = rng.standard_normal((rows, 3)).astype(dtype)
        expected = textbook.forward(X).copy()
        textbook.backward_parameters(dY)
        got = model_pass.forward(X)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype
        model_pass.backward_parameters(dY.copy())
        for a, b in zip(gradients(reused), gradients(textbook)):
            np.testing.assert_array_equal(a, b)


def test_the_pass_uses_reused_steps_for_linear_and_relu_only():
    model = models()["a layer of one's own"][0]
    kinds = [type(step) for step in TrainingPass(model).steps]
    assert kinds == [LinearStep, LayerStep, ReLUStep, LinearStep]
    subclass = models()["subclass of Linear"][0]
    assert type(TrainingPass(subclass).steps[0]) is LayerStep   # DoubleLinear runs its own methods


def test_the_caller_arrays_and_other_layers_outputs_are_never_changed():
    model = bp.Sequential(bp.ReLU(), bp.Linear(4, 6, rng=np.random.default_rng(0)), KeepsOutput(), bp.ReLU(),
                          bp.Linear(6, 2, rng=np.random.default_rng(1)), bp.ReLU())
    X = np.random.default_rng(2).standard_normal((5, 4))           # negative entries: a ReLU would zero them
    X_before = X.copy()
    loss = KeepsGradientMSE()
    model_pass = TrainingPass(model)
    loss.forward(model_pass.forward(X), np.full((5, 2), -1.0))
    kept_output = model[2].out.copy()
    model_pass.backward_parameters(loss.backward())
    np.testing.assert_array_equal(X, X_before)                      # the first ReLU wrote elsewhere
    np.testing.assert_array_equal(model[2].out, kept_output)        # so did the ReLU after KeepsOutput
    np.testing.assert_array_equal(loss.grad, 2.0 * loss.diff / 5)   # and the last ReLU's backward


def test_relu_works_in_place_on_the_pass_own_arrays():
    # The point of the pass: after a Linear, ReLU overwrites the Linear's output instead of copying it.
    model = bp.Sequential(bp.Linear(4, 6, rng=np.random.default_rng(0)), bp.ReLU())
    model_pass = TrainingPass(model)
    out = model_pass.forward(np.ones((3, 4)))
    assert out is model_pass.steps[0].z.view
    first = model_pass.forward(np.ones((3, 4)))
    assert first is out                                # the same memory, batch after batch


def test_gradients_taken_before_fit_are_not_overwritten():
    model, _ = twins("linear-relu-linear")
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = np.random.default_rng(1).integers(0, 3, 20)
    loss = bp.SoftmaxCrossEntropy()
    bp.loss_and_gradients(model, loss, X, y)
    before = [p.grad for p in model.parameters()]
    copies = [g.copy() for g in before]
    bp.fit(model, loss, bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=3)
    for g, c in zip(before, copies):
        np.testing.assert_array_equal(g, c)


@pytest.mark.parametrize("name", ["linear-relu-linear", "tanh and sigmoid", "relu first and last",
                                  "a layer of one's own"])
@pytest.mark.parametrize("batch_size", [1, 6, None])
@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_fit_equals_a_hand_loop_of_the_layers_own_methods(name, batch_size, optimizer):
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = np.random.default_rng(1).integers(0, 3, 20)
    loss_fit, loss_hand = bp.SoftmaxCrossEntropy(), bp.SoftmaxCrossEntropy()
    fitted, by_hand = twins(name)
    make = {"gd": lambda m: bp.GradientDescent(m.parameters(), lr=0.1),
            "adam": lambda m: bp.Adam(m.parameters(), lr=0.01)}[optimizer]
    bp.fit(fitted, loss_fit, make(fitted), X, y, epochs=3, batch_size=batch_size, rng=np.random.default_rng(5))
    hand_optimizer, rng = make(by_hand), np.random.default_rng(5)
    for _ in range(3):
        for X_batch, y_batch in bp.batches(X, y, batch_size, rng):
            bp.loss_and_gradients(by_hand, loss_hand, X_batch, y_batch)
            hand_optimizer.step()
    for a, b in zip(fitted.parameters(), by_hand.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.grad, b.grad)


def test_reused_array_gives_first_rows_and_grows():
    kept = Reused()
    a = kept.like((4, 3), np.float64)
    b = kept.like((2, 3), np.float64)
    assert b.base is a.base or b.base is a             # the first rows of the same block
    assert b.flags.c_contiguous and b.shape == (2, 3)
    c = kept.like((4, 3), np.float64)
    assert np.shares_memory(a, c)                      # back to four rows: no new array
    d = kept.like((5, 3), np.float64)
    assert d.shape == (5, 3) and not np.shares_memory(a, d)
    assert kept.like((5, 3), np.float32).dtype == np.float32


def peak_bytes_of_one_batch(run) -> int:
    """The most memory that ``run()`` held at once beyond what was held before it (numpy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_after_the_first_batch_the_pass_allocates_almost_nothing():
    # What the pass is for, measured without a clock: a batch of 256 through 64 -> 1024 -> 10 makes the
    # layers' own methods hold about three new (256, 1024) arrays at once (2 MiB each); the pass reuses
    # its arrays and holds only the loss's small ones.
    N, H = 256, 1024
    X = np.random.default_rng(0).standard_normal((N, 64))
    y = np.random.default_rng(1).integers(0, 10, N)
    loss = bp.SoftmaxCrossEntropy()
    one_array = N * H * 8
    peaks = {}
    for name in ("textbook", "pass"):
        r = np.random.default_rng(2)
        model = bp.Sequential(bp.Linear(64, H, rng=r), bp.ReLU(), bp.Linear(H, 10, rng=r))
        runner = model if name == "textbook" else TrainingPass(model)

        def batch():
            loss.forward(runner.forward(X), y)
            runner.backward_parameters(loss.backward())
        batch()                                        # the first batch allocates the pass's arrays
        peaks[name] = peak_bytes_of_one_batch(batch)
    assert peaks["textbook"] > 2 * one_array, peaks
    assert peaks["pass"] < 0.05 * one_array, peaks
