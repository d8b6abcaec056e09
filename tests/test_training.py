"""fit: the three variants, convergence, divergence, determinism, history."""

import math

import numpy as np
import pytest

import bp


def line_problem(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 1))
    return X, 3.0 * X[:, 0] - 1.0 + 0.1 * rng.normal(size=n)


def linear_model(seed=0):
    return bp.Sequential(bp.Linear(1, 1, rng=np.random.default_rng(seed)))


def classifier(seed=0):
    rng = np.random.default_rng(seed)
    return bp.Sequential(bp.Linear(2, 8, rng=rng), bp.Tanh(), bp.Linear(8, 3, rng=rng))


@pytest.mark.parametrize("batch_size, expected", [(None, 1), (1, 10), (3, 4), (5, 2), (10, 1)])
def test_updates_per_epoch_are_1_n_and_ceil_n_over_k(batch_size, expected):
    X, y = line_problem(10)
    model = linear_model()
    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y,
                     epochs=3, batch_size=batch_size, rng=np.random.default_rng(1))
    assert history.updates == [expected] * 3
    assert history.examples == [10] * 3
    assert len(history.time) == len(history.grad_norm) == len(history.loss) == 3


def test_optimizer_step_count_matches_history():
    X, y = line_problem(10)
    model = linear_model()
    optimizer = bp.Momentum(model.parameters(), lr=0.05)
    history = bp.fit(model, bp.MSE(), optimizer, X, y, epochs=4, batch_size=3)
    assert optimizer.t == sum(history.updates) == 16


def test_batch_gradient_descent_equals_manual_loop():
    X, y = line_problem(10)
    model, manual = linear_model(), linear_model()
    bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=5)
    optimizer = bp.GradientDescent(manual.parameters(), lr=0.1)
    for _ in range(5):
        bp.loss_and_gradients(manual, bp.MSE(), X, y)
        optimizer.step()
    for a, b in zip(model.parameters(), manual.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_same_seed_gives_bit_identical_runs(batch_size):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)

    def run():
        model = classifier(seed=5)
        history = bp.fit(model, bp.SoftmaxCrossEntropy(), bp.Adam(model.parameters(), lr=0.01), X, y,
                         epochs=4, batch_size=batch_size, rng=np.random.default_rng(7), validation_data=(X, y))
        return [p.data.copy() for p in model.parameters()], history

    (params_a, hist_a), (params_b, hist_b) = run(), run()
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a, b)
    for key in ("loss", "val_loss", "val_accuracy", "updates", "examples", "grad_norm"):
        assert getattr(hist_a, key) == getattr(hist_b, key)


def test_shuffling_changes_the_run_and_no_rng_means_data_order():
    X, y = line_problem(12)
    results = []
    for rng in (None, np.random.default_rng(1), np.random.default_rng(2)):
        model = linear_model()
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y,
               epochs=2, batch_size=1, rng=rng)
        results.append(model[0].W.data.item())
    assert len(set(results)) == 3


def test_training_reduces_loss_and_reports_validation_accuracy():
    rng = np.random.default_rng(0)
    X, labels = bp.make_blobs(150, centers=3, spread=0.5, rng=rng)
    model = classifier(seed=1)
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), bp.GradientDescent(model.parameters(), lr=0.5),
                     X, labels, epochs=40, batch_size=16, rng=rng, validation_data=(X, labels))
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert history.val_accuracy[-1] > 0.9
    assert len(history.val_loss) == 40


def test_convergence_with_tol_stops_and_says_when():
    X, y = line_problem(50)
    model = linear_model()
    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.5), X, y,
                     epochs=1000, tol=1e-6, patience=3)
    assert history.converged and history.converged_epoch == history.epochs < 1000
    last = history.loss[-4:]                           # the patience window and the epoch before it
    assert min(last[1:]) > min(history.loss[:-3]) - 1e-6
    # without tol the same run goes on for all epochs
    model = linear_model()
    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.5), X, y, epochs=200)
    assert not history.converged and history.epochs == 200


def test_divergence_raises_restores_parameters_and_keeps_history():
    X, y = line_problem(20)
    X = 100 * X
    model = linear_model()
    optimizer = bp.Momentum(model.parameters(), lr=10.0, beta=0.5)
    with np.errstate(over="raise", invalid="raise", divide="raise"), pytest.raises(bp.DivergenceError) as info:
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=500, batch_size=4)
    error = info.value
    assert f"in epoch {error.epoch}" in str(error) and "lr=10.0" in str(error)
    assert error.history.epochs == error.epoch - 1
    params = [p.data for p in model.parameters()]
    assert all(np.isfinite(p).all() for p in params)
    assert all(np.isfinite(v).all() for v in optimizer.velocity)
    # the restored state is the last good one: its loss is finite and training can go on from it
    assert math.isfinite(bp.MSE()(model(X), y))


def test_divergence_restores_exactly_the_state_before_the_last_update():
    X, y = line_problem(20)
    X = 100 * X
    saved = []

    class Recorder(bp.GradientDescent):
        def step(self):
            saved.append([p.data.copy() for p in self.params])  # state the update starts from
            super().step()

    model = linear_model()
    optimizer = Recorder(model.parameters(), lr=10.0)
    with pytest.raises(bp.DivergenceError):
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=500, batch_size=4)
    for restored, expected in zip(model.parameters(), saved[-1]):
        np.testing.assert_array_equal(restored.data, expected)
    assert optimizer.t == len(saved) - 1


def test_callbacks_see_each_epoch_and_can_stop():
    X, y = line_problem(10)
    model = linear_model()
    seen = []

    def stop_at_three(epoch, history):
        seen.append((epoch, history.epochs))
        return epoch == 3

    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y,
                     epochs=10, callbacks=[stop_at_three])
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert history.stopped_by_callback and history.epochs == 3


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = line_problem(10)
    model = linear_model()
    bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=3, verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  loss")


def test_fit_is_silent_without_verbose(capsys):
    X, y = line_problem(10)
    model = linear_model()
    bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=3)
    assert capsys.readouterr().out == ""


def test_batches_cover_every_example_once():
    X = np.arange(10)[:, None].astype(float)
    y = np.arange(10)
    seen = [yb for _, yb in bp.batches(X, y, 3, np.random.default_rng(0))]
    assert [len(b) for b in seen] == [3, 3, 3, 1]
    assert sorted(np.concatenate(seen)) == list(range(10))
    in_order = [yb for _, yb in bp.batches(X, y, 4)]
    assert np.concatenate(in_order).tolist() == list(range(10))
    assert len(list(bp.batches(X, y, None))) == 1
