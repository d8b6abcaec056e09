"""Bad input: a ValueError/TypeError naming the argument, and nothing changed."""

import numpy as np
import pytest

import bp


def setup():
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.ReLU(), bp.Linear(4, 2, rng=rng))
    optimizer = bp.Adam(model.parameters(), lr=0.01)
    X, y = rng.normal(size=(8, 3)), rng.integers(0, 2, 8)
    bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=1)   # non-trivial optimizer state
    return model, optimizer, X, y


def snapshot(model, optimizer):
    return [a.copy() for a in [p.data for p in model.parameters()] + optimizer.state_arrays()], optimizer.t


def assert_unchanged(model, optimizer, before):
    arrays, t = before
    now, t_now = snapshot(model, optimizer)
    assert t_now == t
    for a, b in zip(arrays, now):
        np.testing.assert_array_equal(a, b)


NAN_X = np.full((8, 3), np.nan)
CASES = [
    # (description, changes to the fit call, error type, message pattern)
    ("X columns do not fit the first layer", dict(X=np.zeros((8, 5))), ValueError,
     r"X has shape \(8, 5\), but the model's first layer Linear\(3 -> 4\) expects 3 columns, shape \(N, 3\)$"),
    ("X is 1-D", dict(X=np.zeros(8)), ValueError, r"X must be 2-D, got shape \(8,\)"),
    ("X holds NaN", dict(X=NAN_X), ValueError, r"X must hold finite numbers, got nan at index \(0, 0\)"),
    ("X holds inf", dict(X=np.where(np.eye(8, 3) > 0, np.inf, 0.0)), ValueError, r"X must hold finite numbers, got inf"),
    ("X is text", dict(X=np.array([["a", "b", "c"]] * 8)), TypeError, r"X must be a numeric array .*got dtype <U1"),
    ("X is empty", dict(X=np.zeros((0, 3))), ValueError, r"X must not be empty, got shape \(0, 3\)"),
    ("y is shorter than X", dict(y=np.array([0, 1, 0])), ValueError, r"X and y must have the same number of rows, got 8 and 3"),
    ("labels out of range", dict(y=np.array([0, 1, 2, 0, 1, 0, 1, 0])), ValueError, r"y: labels must lie in \[0, 1\] for 2 outputs, got labels from 0 to 2"),
    ("negative labels", dict(y=-np.ones(8, dtype=int)), ValueError, r"y: labels must lie in \[0, 1\]"),
    ("float labels that are not integers", dict(y=np.full(8, 0.5)), ValueError,
     r"y: target holds class labels that are not whole numbers, such as 0.5 at index 0: labels are the integers "
     r"0 \.\. 1, shape \(N,\)"),
    ("one-hot with wrong width", dict(y=np.eye(3)[np.zeros(8, dtype=int)]), ValueError, r"y: one-hot target must have 2 columns, got shape \(8, 3\)"),
    ("y holds NaN", dict(y=np.full((8, 2), np.nan)), ValueError, r"y: target must hold finite numbers"),
    ("epochs is 0", dict(epochs=0), ValueError, r"epochs must be a positive finite int, got 0"),
    ("epochs is a float", dict(epochs=2.5), TypeError, r"epochs must be a positive int, got 2.5"),
    ("batch_size is 0", dict(batch_size=0), ValueError, r"batch_size must be in \[1, N\] = \[1, 8\], got 0"),
    ("batch_size above N", dict(batch_size=9), ValueError, r"batch_size must be in \[1, N\] = \[1, 8\], got 9"),
    ("batch_size is a float", dict(batch_size=2.0), TypeError, r"batch_size must be an int in \[1, 8\] or None, got 2.0"),
    ("rng is a seed", dict(rng=42), TypeError, r"rng must be a numpy.random.Generator .*got 42 of type int"),
    ("tol is negative", dict(tol=-1.0), ValueError, r"tol must be a non-negative finite number or None, got -1.0"),
    ("validation data of the wrong width", dict(validation_data=(np.zeros((4, 2)), np.zeros(4, dtype=int))), ValueError,
     r"X_val has shape \(4, 2\), but the model's first layer Linear\(3 -> 4\) expects 3 columns"),
    ("validation labels out of range", dict(validation_data=(np.zeros((4, 3)), np.full(4, 7))), ValueError,
     r"y_val: labels must lie in \[0, 1\] for 2 outputs, got labels from 7 to 7"),
    ("callback is not callable", dict(callbacks=[3]), TypeError, r"callbacks must be callables, got int"),
]


@pytest.mark.parametrize("description, change, error, pattern", CASES, ids=[c[0] for c in CASES])
def test_fit_rejects_bad_input_and_changes_nothing(description, change, error, pattern):
    model, optimizer, X, y = setup()
    before = snapshot(model, optimizer)
    kwargs = dict(X=X, y=y, epochs=2, batch_size=None, rng=None)
    kwargs.update(change)
    with pytest.raises(error, match=pattern):
        bp.fit(model, bp.SoftmaxCrossEntropy(), optimizer, kwargs.pop("X"), kwargs.pop("y"), **kwargs)
    assert_unchanged(model, optimizer, before)


def test_mse_prediction_and_target_shapes_must_match():
    with pytest.raises(ValueError, match=r"target must have 1 column\(s\) like the output, got shape \(4, 2\)"):
        bp.MSE()(np.zeros((4, 1)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"same number of rows .*got output \(4, 1\) and target \(3, 1\)"):
        bp.MSE()(np.zeros((4, 1)), np.zeros(3))


def test_regression_target_mismatch_in_fit_changes_nothing():
    rng = np.random.default_rng(0)
    model = bp.Sequential(bp.Linear(2, 1, rng=rng))
    optimizer = bp.Momentum(model.parameters(), lr=0.1)
    before = snapshot(model, optimizer)
    with pytest.raises(ValueError, match=r"y: target must have 1 column\(s\) like the output, got shape \(5, 3\)"):
        bp.fit(model, bp.MSE(), optimizer, np.zeros((5, 2)), np.zeros((5, 3)), epochs=1)
    assert_unchanged(model, optimizer, before)


def test_optimizer_on_other_parameters_is_refused():
    model, optimizer, X, y = setup()
    other = bp.Sequential(bp.Linear(3, 2, rng=np.random.default_rng(1)))
    with pytest.raises(ValueError, match=r"optimizer must be built on the model's parameters"):
        bp.fit(other, bp.SoftmaxCrossEntropy(), optimizer, X, y, epochs=1)


def test_binary_targets_must_be_probabilities():
    with pytest.raises(ValueError, match=r"target must lie in \[0, 1\], got values from 0.0 to 2.0"):
        bp.BinaryCrossEntropy()(np.zeros((3, 1)), [0, 1, 2])


def test_layer_constructor_errors_name_the_argument():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"n_in must be a positive finite int, got 0"):
        bp.Linear(0, 3, rng=rng)
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator"):
        bp.Linear(2, 3, rng=0)
    with pytest.raises(ValueError, match=r"init must be one of \('xavier', 'he', 'normal'\), got 'glorot'"):
        bp.Linear(2, 3, rng=rng, init="glorot")
    with pytest.raises(TypeError, match=r"Sequential expects Layer objects, got int at position 1"):
        bp.Sequential(bp.ReLU(), 3)


def test_batches_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"X and y must have the same number of rows, got 4 and 3"):
        list(bp.batches(np.zeros((4, 1)), np.zeros(3), 2))
