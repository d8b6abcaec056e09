"""Learning-rate schedules: each formula re-derived by hand, bad input refused, and fit using them."""

import math

import numpy as np
import pytest

import bp


def rates(schedule, n):
    return [schedule(t) for t in range(1, n + 1)]


# ---- the formulas, worked by hand ------------------------------------------------------------

def test_constant_is_the_same_rate_at_every_update():
    assert rates(bp.Constant(0.3), 5) == [0.3] * 5


def test_step_decay_drops_by_the_factor_every_so_many_updates():
    # eta_t = 0.8 * 0.5 ** floor((t - 1) / 3): updates 1-3 at 0.8, 4-6 at 0.4, 7 at 0.2
    assert rates(bp.StepDecay(0.8, every=3, factor=0.5), 7) == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]
    assert bp.StepDecay(1.0, every=10)(25) == pytest.approx(0.01)     # default factor 0.1, two drops


def test_inverse_time_is_one_over_t_with_decay_one():
    # eta_t = 0.6 / (1 + 1 * (t - 1)) = 0.6 / t
    np.testing.assert_allclose(rates(bp.InverseTime(0.6, decay=1.0), 4), [0.6, 0.3, 0.2, 0.15])
    # power 1/2: eta_t = 1 / sqrt(1 + 0.5 (t - 1)); t = 7 gives 1 / sqrt(4) = 0.5
    assert bp.InverseTime(1.0, decay=0.5, power=0.5)(7) == pytest.approx(0.5)
    # decay 0 is a constant rate; the rate has halved at t = 1 + 1/decay for power 1
    assert rates(bp.InverseTime(0.2, decay=0.0), 3) == [0.2] * 3
    assert bp.InverseTime(0.2, decay=0.25)(5) == pytest.approx(0.1)


def test_cosine_warms_up_linearly_then_follows_half_a_cosine():
    # warmup 4, total 8: t = 1..4 give 0.1 * t / 4; then s = (t - 5) / 4 = 0, 1/4, 1/2, 3/4
    schedule = bp.Cosine(0.1, total=8, warmup=4)
    expected = [0.025, 0.05, 0.075, 0.1] + [0.1 * (1 + math.cos(math.pi * s)) / 2 for s in (0, 0.25, 0.5, 0.75)]
    np.testing.assert_allclose(rates(schedule, 8), expected)
    assert schedule(6) == pytest.approx(0.05 * (1 + math.sqrt(0.5)))   # cos(pi/4) = sqrt(1/2)
    assert schedule(7) == pytest.approx(0.05)                          # halfway: (eta_0 + min_lr) / 2


def test_cosine_without_warmup_starts_at_the_peak_and_stays_above_the_floor():
    schedule = bp.Cosine(1.0, total=100, min_lr=0.1)
    values = np.array(rates(schedule, 100))
    assert values[0] == 1.0 and np.all(np.diff(values) < 0)
    assert 0.1 < values[-1] < 0.1 + 0.9 * 1e-3                         # s = 99/100: just above min_lr


@pytest.mark.parametrize("schedule", [bp.Constant(0.1), bp.StepDecay(0.1, every=2), bp.InverseTime(0.1, decay=0.3),
                                      bp.Cosine(0.1, total=50, warmup=5)])
def test_every_rate_is_a_valid_learning_rate(schedule):
    optimizer = bp.GradientDescent([bp.Parameter(np.zeros(1))], lr=1.0)
    for t in range(1, 51):
        optimizer.lr = schedule(t)                     # positive and finite, or the setter raises
    assert 0 < optimizer.lr <= 0.1


# ---- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("make, error, message", [
    (lambda: bp.Constant(0.0), ValueError, r"lr must be a positive finite number, got 0.0"),
    (lambda: bp.Constant("0.1"), TypeError, r"lr must be a positive number, got '0.1'"),
    (lambda: bp.StepDecay(0.1, every=0), ValueError, r"every must be an int >= 1, got 0"),
    (lambda: bp.StepDecay(0.1, every=2.5), TypeError, r"every must be an int >= 1, got 2.5 of type float"),
    (lambda: bp.StepDecay(0.1, every=5, factor=2.0), ValueError, r"factor must lie in \(0, 1\]"),
    (lambda: bp.StepDecay(0.1, every=5, factor=0.0), ValueError, r"factor must lie in \(0, 1\]"),
    (lambda: bp.InverseTime(0.1, decay=-1.0), ValueError, r"decay must be a finite number >= 0, got -1.0"),
    (lambda: bp.InverseTime(0.1, decay=1.0, power=0), ValueError, r"power must be a positive finite number"),
    (lambda: bp.Cosine(0.1, total=10, warmup=10), ValueError, r"warmup must be smaller than total, got warmup=10"),
    (lambda: bp.Cosine(0.1, total=10, min_lr=0.1), ValueError, r"min_lr must be smaller than lr"),
    (lambda: bp.Cosine(0.1, total=10, min_lr=-0.01), ValueError, r"min_lr must be a finite number >= 0"),
    (lambda: bp.Cosine(0.1, total=None), TypeError, r"total must be an int >= 1, got None"),
])
def test_bad_arguments_are_refused_with_their_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("t, error, message", [
    (0, ValueError, r"t must be the update number, an int >= 1 \(the first update is t = 1\), got 0"),
    (1.0, TypeError, r"t must be the update number, an int >= 1, got 1.0 of type float"),
    (True, TypeError, r"got True of type bool"),
    (11, ValueError, r"Cosine\(lr=0.1, total=10, .*\) is defined for updates 1 .. 10, got t = 11: make total larger"),
])
def test_bad_update_numbers_are_refused(t, error, message):
    with pytest.raises(error, match=message):
        bp.Cosine(0.1, total=10)(t)


# ---- with fit, for every optimizer ------------------------------------------------------------

def classifier_problem(seed=0):
    rng = np.random.default_rng(seed)
    X, y = bp.make_moons(60, noise=0.1, rng=rng)
    model = bp.Sequential(bp.Linear(2, 8, rng=rng), bp.Tanh(), bp.Linear(8, 2, rng=rng))
    return model, X, y


OPTIMIZERS = [lambda ps: bp.GradientDescent(ps, lr=1.0), lambda ps: bp.Momentum(ps, lr=1.0),
              lambda ps: bp.Momentum(ps, lr=1.0, nesterov=True), lambda ps: bp.RMSProp(ps, lr=1.0),
              lambda ps: bp.Adam(ps, lr=1.0)]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_fit_with_a_schedule_equals_setting_the_rate_by_hand_before_each_step(make_optimizer):
    schedule = bp.Cosine(0.05, total=24, warmup=4)
    model, X, y = classifier_problem()
    optimizer = make_optimizer(model.parameters())
    history = bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=4, batch_size=10,
                     rng=np.random.default_rng(1), schedule=schedule)
    manual, _, _ = classifier_problem()
    by_hand = make_optimizer(manual.parameters())
    shuffle = np.random.default_rng(1)
    for epoch in range(4):
        for X_batch, y_batch in bp.batches(X, y, 10, shuffle):
            bp.loss_and_gradients(manual, bp.SoftmaxCrossEntropy(), X_batch, y_batch)
            by_hand.lr = schedule(by_hand.t + 1)
            by_hand.step()
    for a, b in zip(model.parameters(), manual.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert optimizer.t == 24 and history.lr == [schedule(6), schedule(12), schedule(18), schedule(24)]


def test_a_schedule_continues_across_fit_calls():
    # t counts updates over all calls: 2 epochs of 6 updates, then 2 more, use rates 1..12 then 13..24
    schedule = bp.StepDecay(0.1, every=12, factor=0.5)
    model, X, y = classifier_problem()
    optimizer = bp.GradientDescent(model.parameters(), lr=1.0)
    first = bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=2, batch_size=10, schedule=schedule)
    second = bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=2, batch_size=10, schedule=schedule)
    assert first.lr == [0.1, 0.1] and second.lr == [0.05, 0.05] and optimizer.t == 24


def test_fit_refuses_a_call_that_would_run_past_the_schedule_and_changes_nothing():
    model, X, y = classifier_problem()
    optimizer = bp.Adam(model.parameters(), lr=0.01)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"Cosine\(lr=0.1, total=20, warmup=0, min_lr=0\) covers updates 1 .. 20, "
                                         r"but this call would make updates 1 .. 30 \(30 updates after the "
                                         r"optimizer's 0\): make total at least 30"):
        bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=5, batch_size=10,
               schedule=bp.Cosine(0.1, total=20))
    assert optimizer.t == 0 and optimizer.lr == 0.01
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old)


@pytest.mark.parametrize("schedule, error, message", [
    (bp.Cosine, TypeError, r"schedule must be a Schedule object, got the class Cosine itself: write Cosine\(...\)"),
    (lambda t: 0.1, TypeError, r"schedule must be a Schedule object such as bp.StepDecay\(0.1, every=100\) "
                               r"from bp.schedules, got function"),
    (0.1, TypeError, r"schedule must be a Schedule object such as .*, got float"),
])
def test_fit_refuses_what_is_not_a_schedule(schedule, error, message):
    model, X, y = classifier_problem()
    with pytest.raises(error, match=message):
        bp.fit(model, bp.SoftmaxCrossEntropy(), bp.GradientDescent(model.parameters(), lr=0.1), X, y,
               epochs=1, schedule=schedule)


def test_divergence_under_a_schedule_rewinds_the_update_count():
    X = np.array([[-1.0], [1.0]])                      # a quadratic with curvature 2: lr > 1 diverges
    y = np.array([-1.0, 1.0])
    model = bp.Sequential(bp.Linear(1, 1, rng=np.random.default_rng(0)))
    optimizer = bp.GradientDescent(model.parameters(), lr=0.1)
    schedule = bp.Constant(3.0)                        # far too large for curvature 2
    bp.fit(model, bp.MSE(), optimizer, X, y, epochs=3)                   # 3 good updates at lr 0.1
    with pytest.raises(bp.DivergenceError) as info:
        bp.fit(model, bp.MSE(), optimizer, X, y, epochs=50, schedule=schedule)
    assert info.value.lr == 3.0
    assert optimizer.t == 3                                              # back to the best epoch's start
    assert bp.MSE()(model(X), y) < 1.0
