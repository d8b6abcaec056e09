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


def test_overflow_raises_restores_parameters_and_keeps_history():
    X, y = line_problem(20)
    X = 100 * X
    model = linear_model()
    optimizer = bp.Momentum(model.parameters(), lr=10.0, beta=0.5)
    with np.errstate(over="raise", invalid="raise", divide="raise"), pytest.raises(bp.DivergenceError) as info:
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=500, batch_size=4, divergence_factor=None)
    error = info.value
    assert f"in epoch {error.epoch}" in str(error) and "lr=10.0" in str(error)
    assert "the loss became inf" in str(error) or "the gradient norm became" in str(error)
    assert error.history.epochs == error.epoch - 1     # the epoch that overflowed is not recorded
    params = [p.data for p in model.parameters()]
    assert all(np.isfinite(p).all() for p in params)
    assert all(np.isfinite(v).all() for v in optimizer.velocity)
    # the restored state is a good one: training can go on from it
    assert math.isfinite(bp.MSE()(model(X), y))


def quadratic_run(lr, epochs, start=0.0, **options):
    """Batch GD on a one-parameter quadratic: the loss above its minimum is multiplied by (1 - lr c)^2 each epoch."""
    X = np.array([[-1.0], [1.0]])                      # centred inputs: c = 2 mean(x^2) = 2; minimum at w = 1
    y = np.array([-1.0, 1.0])
    model = bp.Sequential(bp.Linear(1, 1, rng=np.random.default_rng(0)))
    model[0].W.data[...], model[0].b.data[...] = start, 0.0
    optimizer = bp.GradientDescent(model.parameters(), lr=lr)
    return model, optimizer, bp.fit(model, bp.MSE(), optimizer, X, y, epochs=epochs, **options)


@pytest.mark.parametrize("factor", [3.0, 10.0, 1000.0])
def test_divergence_rule_fires_at_the_first_epoch_over_the_factor_and_not_before(factor):
    # c = 2 and lr = 1.1: the loss is multiplied by (1 - 2.2)^2 = 1.44 every epoch. The starting loss
    # mean(y^2) and the baseline var(y) are both 1, so the yardstick is 1.
    _, _, free = quadratic_run(1.1, 40, divergence_factor=None)
    assert free.epochs == 40
    np.testing.assert_allclose(np.array(free.loss[1:]) / np.array(free.loss[:-1]), 1.44)
    expected = next(e for e, value in enumerate(free.loss, start=1) if value > factor * 1.0)
    with pytest.raises(bp.DivergenceError) as info:
        quadratic_run(1.1, 40, divergence_factor=factor)
    error = info.value
    assert error.epoch == expected
    assert error.history.loss == free.loss[:expected]  # the tripping epoch is recorded
    assert error.history.loss[-2] <= factor < error.history.loss[-1]
    assert f"divergence_factor={factor:g}" in str(error) and "lr=1.1" in str(error)


def test_divergence_yardstick_is_the_baseline_when_the_start_is_near_the_minimum():
    # Starting at w = 0.999 the starting loss is 1e-6, the baseline var(y) is 1: the yardstick is 1, so
    # the loss may grow a millionfold (x1.44 per epoch) before the rule fires, at the first loss above 10.
    _, _, free = quadratic_run(1.1, 60, start=0.999, divergence_factor=None)
    assert math.isclose(free.loss[0], 1e-6, rel_tol=1e-6)
    expected = next(e for e, value in enumerate(free.loss, start=1) if value > 10.0)
    assert expected > 40                               # far later than 10 x the starting loss (epoch 8)
    with pytest.raises(bp.DivergenceError) as info:
        quadratic_run(1.1, 60, start=0.999)
    assert info.value.epoch == expected
    assert "times 1, the larger of the starting loss and the loss of the best constant prediction" in str(info.value)


def test_divergence_restores_the_start_of_the_epoch_with_the_lowest_loss():
    X, y = line_problem(20)
    starts = []                                        # the state at the start of every epoch
    model = linear_model()
    optimizer = bp.Momentum(model.parameters(), lr=0.5, beta=0.5)

    def record(epoch, history):
        starts.append(([p.data.copy() for p in model.parameters()], optimizer.velocity[0].copy(), optimizer.t))

    starts.append(([p.data.copy() for p in model.parameters()], optimizer.velocity[0].copy(), optimizer.t))
    bp.fit(model, bp.MSE(), optimizer, X, y, epochs=5, batch_size=5, callbacks=[record])  # some progress
    optimizer.lr = 3.0                                 # then far too large
    starts[:] = starts[-1:]
    with pytest.raises(bp.DivergenceError) as info:
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=100, batch_size=5, callbacks=[record])
    losses = info.value.history.loss
    best = int(np.argmin(losses))
    params, velocity, t = starts[best]
    for restored, expected in zip(model.parameters(), params):
        np.testing.assert_array_equal(restored.data, expected)
    np.testing.assert_array_equal(optimizer.velocity[0], velocity)
    assert optimizer.t == t


def test_the_students_diverging_spirals_run_is_caught_in_the_first_epochs():
    # review of Part I, B: lr = 50 (and 1e6) on spirals with softmax cross-entropy gave no error
    X, y = bp.make_spirals(450, noise=0.1, rng=np.random.default_rng(0))
    for lr, batch_size, within in [(50.0, None, 3), (50.0, 32, 1), (1e6, None, 2), (1e6, 32, 1)]:
        model = bp.Sequential(bp.Linear(2, 32, rng=np.random.default_rng(1)), bp.Tanh(),
                              bp.Linear(32, 3, rng=np.random.default_rng(2)))
        start = [p.data.copy() for p in model.parameters()]
        optimizer = bp.GradientDescent(model.parameters(), lr=lr)
        with pytest.raises(bp.DivergenceError) as info:
            bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=200, batch_size=batch_size,
                   rng=np.random.default_rng(3))
        assert info.value.epoch <= within, (lr, batch_size, info.value.epoch)
        assert f"lr={lr}" in str(info.value) and "Try a smaller learning rate" in str(info.value)
        if info.value.epoch == 1:                      # nothing was better than the start
            for p, p0 in zip(model.parameters(), start):
                np.testing.assert_array_equal(p.data, p0)


@pytest.mark.parametrize("batch_size, lr", [(None, 1.0), (32, 1.0), (1, 0.1)])
def test_workable_learning_rates_never_trip_the_rule(batch_size, lr):
    X, y = bp.make_spirals(300, noise=0.1, rng=np.random.default_rng(0))
    model = bp.Sequential(bp.Linear(2, 32, rng=np.random.default_rng(1)), bp.Tanh(),
                          bp.Linear(32, 3, rng=np.random.default_rng(2)))
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), bp.GradientDescent(model.parameters(), lr=lr),
                     X, y, epochs=60 if batch_size == 1 else 200, batch_size=batch_size,
                     rng=np.random.default_rng(3))
    assert history.loss[-1] < history.loss[0]


def test_continuing_sgd_from_a_trained_model_does_not_trip_on_a_tiny_first_loss():
    # SGD's first batch is one example, whose loss can be far below the epoch's mean
    X, y = bp.make_blobs(200, centers=3, spread=0.8, rng=np.random.default_rng(0))
    model = classifier()
    loss = bp.SoftmaxCrossEntropy()
    optimizer = bp.GradientDescent(model.parameters(), lr=0.05)
    bp.fit(model, loss, optimizer, X, y, epochs=30, batch_size=8, rng=np.random.default_rng(1))
    for seed in range(20):                             # one-epoch calls, as the chapters make
        history = bp.fit(model, loss, optimizer, X, y, epochs=1, batch_size=1, rng=np.random.default_rng(seed))
        assert history.epochs == 1


def test_regression_far_from_the_targets_does_not_trip_the_rule():
    # targets around 100 with spread 1: the start (mean(y^2) ~ 1e4) is far above the baseline var(y) ~ 1
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 1))
    y = 100.0 + X[:, 0] + 0.1 * rng.normal(size=50)
    model = linear_model()
    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=100)
    assert history.loss[-1] < 1e-3 * history.loss[0]


@pytest.mark.parametrize("value, error", [(0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                                          ("10", TypeError)])
def test_divergence_factor_is_checked(value, error):
    X, y = line_problem(10)
    model = linear_model()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(error, match="divergence_factor"):
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=1,
               divergence_factor=value)
    for p, p0 in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, p0)


def test_baseline_loss_is_the_loss_of_the_best_constant_prediction():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(30, 2))
    mse = bp.MSE()
    assert math.isclose(mse.baseline_loss(y), mse(np.tile(y.mean(axis=0), (30, 1)), y), rel_tol=1e-12)
    labels = np.array([0, 0, 1, 2, 2, 2])
    sce = bp.SoftmaxCrossEntropy()
    frequencies = np.bincount(labels) / 6
    assert math.isclose(sce.baseline_loss(labels), sce(np.tile(np.log(frequencies), (6, 1)), labels), rel_tol=1e-12)
    rows = bp.one_hot(labels, 3)
    assert math.isclose(sce.baseline_loss(rows), sce.baseline_loss(labels), rel_tol=1e-12)
    target = np.array([[0.0], [1.0], [1.0], [1.0]])
    bce = bp.BinaryCrossEntropy()
    assert math.isclose(bce.baseline_loss(target), bce(np.full((4, 1), np.log(3.0)), target), rel_tol=1e-12)
    # and no constant does better
    for shift in [-0.3, 0.3]:
        assert bce(np.full((4, 1), np.log(3.0) + shift), target) > bce.baseline_loss(target)


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


def test_replacement_draws_examples_independently_and_keeps_the_epoch_size():
    X = np.arange(12.0)[:, None]
    y = np.arange(12)
    drawn = [rows for _, rows in bp.batches(X, y, 5, np.random.default_rng(3), replacement=True)]
    assert [len(rows) for rows in drawn] == [5, 5, 2]
    expected = np.random.default_rng(3).integers(12, size=12)          # N independent uniform draws
    np.testing.assert_array_equal(np.concatenate(drawn), expected)
    assert len(set(expected)) < 12                                    # with replacement: repeats
    with pytest.raises(ValueError, match=r"replacement=True draws examples at random, so it needs rng"):
        list(bp.batches(X, y, 5, replacement=True))


def test_fit_with_replacement_makes_the_same_number_of_updates_and_differs_from_reshuffling():
    X, y = line_problem(10)
    runs = {}
    for replacement in (False, True):
        model = linear_model()
        history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=3,
                         batch_size=3, rng=np.random.default_rng(1), replacement=replacement)
        assert history.updates == [4] * 3 and history.examples == [10] * 3
        runs[replacement] = model[0].W.data.copy()
    assert not np.array_equal(runs[False], runs[True])
    model = linear_model()
    with pytest.raises(ValueError, match=r"needs rng"):
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=1, replacement=True)
    with pytest.raises(TypeError, match=r"replacement must be True or False, got 'yes'"):
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), X, y, epochs=1,
               rng=np.random.default_rng(0), replacement="yes")


def test_history_records_the_learning_rate_of_each_epoch():
    X, y = line_problem(10)
    model = linear_model()
    optimizer = bp.GradientDescent(model.parameters(), lr=0.1)
    assert bp.fit(model, bp.MSE(), optimizer, X, y, epochs=2).lr == [0.1, 0.1]


def test_a_callback_may_answer_with_a_numpy_bool_and_must_answer_yes_or_no():
    X, y = line_problem(10)
    model = linear_model()
    optimizer = bp.GradientDescent(model.parameters(), lr=0.1)
    history = bp.fit(model, bp.MSE(), optimizer, X, y, epochs=50,
                     callbacks=[lambda epoch, history: np.float64(epoch) >= 4])   # a numpy bool
    assert history.stopped_by_callback and history.epochs == 4
    with pytest.raises(TypeError, match=r"a callback must return True \(stop\), False or None \(go on\), "
                                        r"got 1 of type int"):
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=5, callbacks=[lambda epoch, history: 1])


def test_huge_finite_inputs_are_accepted_and_nan_among_them_is_refused():
    # The finite check sums X first; a sum that overflows must fall back to checking every entry.
    X = np.array([[1e308], [1e308], [-1e308], [1.0]])
    y = np.zeros(4)
    model = linear_model()
    model[0].W.data[...] = 0.0
    history = bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=1e-320), X, y, epochs=1,
                     divergence_factor=None)
    assert history.epochs == 1
    with pytest.raises(ValueError, match=r"X must hold finite numbers, got nan at index \(3, 0\)"):
        bp.fit(model, bp.MSE(), bp.GradientDescent(model.parameters(), lr=0.1), np.vstack([X[:3], [[np.nan]]]),
               y, epochs=1)
