"""Tests for bp.data: generators, one_hot, train_test_split, standardize, accuracy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bp.data import (Standardizer, accuracy, make_blobs, make_line, make_moons, make_spirals, make_xor,
                     one_hot, standardize, train_test_split)

GENERATORS = {  # name -> (call with rng, expected X columns, number of classes or None)
    "line": (lambda n, rng: make_line(n, slope=2.0, intercept=-1.0, noise=0.1, rng=rng), 1, None),
    "blobs": (lambda n, rng: make_blobs(n, centers=4, spread=0.3, rng=rng), 2, 4),
    "blobs_array": (lambda n, rng: make_blobs(n, centers=[[0, 0, 0], [5, 5, 5]], spread=0.3, rng=rng), 3, 2),
    "moons": (lambda n, rng: make_moons(n, noise=0.1, rng=rng), 2, 2),
    "spirals": (lambda n, rng: make_spirals(n, n_classes=3, noise=0.05, rng=rng), 2, 3),
    "xor": (lambda n, rng: make_xor(n, noise=0.1, rng=rng), 2, 2),
}


# ---- generators -----------------------------------------------------------------------

@pytest.mark.parametrize("name", GENERATORS)
def test_generators_return_float64_rows_and_int_labels(name):
    make, d, k = GENERATORS[name]
    X, y = make(101, np.random.default_rng(0))
    assert X.shape == (101, d) and X.dtype == np.float64
    if k is None:
        assert y.shape == (101, 1) and y.dtype == np.float64
    else:
        assert y.shape == (101,) and y.dtype == np.int64
        counts = np.bincount(y, minlength=k)
        assert len(counts) == k and counts.max() - counts.min() <= 1  # balanced


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic_given_the_seed(name):
    make = GENERATORS[name][0]
    X1, y1 = make(50, np.random.default_rng(7))
    X2, y2 = make(50, np.random.default_rng(7))
    X3, _ = make(50, np.random.default_rng(8))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", ["blobs", "moons", "spirals", "xor"])
def test_rows_are_not_sorted_by_class(name):
    _, y = GENERATORS[name][0](200, np.random.default_rng(1))
    assert np.any(np.diff(y) < 0)


@pytest.mark.parametrize("make", [make_moons, make_xor, lambda n, **kw: make_spirals(n, n_classes=4, **kw)])
def test_noise_is_the_standard_deviation_added_to_each_coordinate(make):
    # Same seed: the clean points are drawn first, so the two runs differ only by the noise.
    X0, y0 = make(5000, noise=0.0, rng=np.random.default_rng(4))
    X1, y1 = make(5000, noise=0.2, rng=np.random.default_rng(4))
    assert np.array_equal(y0, y1)
    assert np.allclose((X1 - X0).std(axis=0), 0.2, rtol=0.05)
    assert np.allclose((X1 - X0).mean(axis=0), 0.0, atol=0.015)


def test_make_line_without_noise_lies_on_the_line_and_noise_has_the_given_spread():
    X, y = make_line(20, slope=0.5, intercept=2.0, noise=0.0, x_range=(3, 5), rng=np.random.default_rng(0))
    assert np.all((X >= 3) & (X < 5))
    assert np.allclose(y, 0.5 * X + 2.0, rtol=0, atol=1e-15)
    X, y = make_line(20000, slope=0.5, intercept=2.0, noise=0.3, rng=np.random.default_rng(0))
    assert np.std(y - (0.5 * X + 2.0)) == pytest.approx(0.3, rel=0.03)


def test_make_blobs_places_int_centres_on_a_circle_of_radius_two():
    X, y = make_blobs(12, centers=4, spread=0.0, rng=np.random.default_rng(0))
    centres = {tuple(np.round(row, 12)) for row in X}
    assert centres == {(2.0, 0.0), (0.0, 2.0), (-2.0, 0.0), (0.0, -2.0)}
    assert np.allclose(X[y == 1], [0.0, 2.0])  # centre k at angle 2 pi k / K


def test_make_blobs_clouds_centre_on_given_centres():
    centers = np.array([[1.0, -1.0], [-3.0, 4.0]])
    X, y = make_blobs(4000, centers=centers, spread=0.5, rng=np.random.default_rng(0))
    for k in range(2):
        assert np.allclose(X[y == k].mean(axis=0), centers[k], atol=0.05)
        assert np.allclose(X[y == k].std(axis=0), 0.5, rtol=0.06)


def test_make_moons_without_noise_lies_on_the_two_arcs():
    X, y = make_moons(300, noise=0.0, rng=np.random.default_rng(0))
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0) and np.all(upper[:, 1] >= 0)
    shifted = np.column_stack([1.0 - lower[:, 0], 0.5 - lower[:, 1]])  # back onto the upper arc
    assert np.allclose(np.hypot(*shifted.T), 1.0) and np.all(shifted[:, 1] >= 0)


def test_make_spirals_without_noise_follow_their_arms():
    X, y = make_spirals(300, n_classes=3, noise=0.0, rng=np.random.default_rng(0))
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all((r >= 0.05) & (r <= 1.0))
    expected = 2 * np.pi * y / 3 + 2 * np.pi * r
    gap = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))  # wrapped to (-pi, pi]
    assert np.allclose(gap, 0.0, atol=1e-9)


def test_make_xor_with_four_points_is_the_truth_table():
    X, y = make_xor(4, noise=0.0, rng=np.random.default_rng(3))
    rows = sorted(zip(map(tuple, X), y))
    assert rows == [((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0)]


def test_make_xor_labels_follow_the_nearest_corner():
    X, y = make_xor(400, noise=0.05, rng=np.random.default_rng(0))
    corner = np.round(X).astype(int)  # noise 0.05 never moves a point half-way
    assert np.array_equal(y, corner[:, 0] ^ corner[:, 1])


@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0)])
def test_generators_reject_anything_but_a_generator(rng):
    with pytest.raises(TypeError, match=rf"rng must be a numpy.random.Generator.*got .* of type {type(rng).__name__}"):
        make_moons(10, noise=0.1, rng=rng)


@pytest.mark.parametrize("call, error, message", [
    (lambda r: make_moons(0, noise=0.1, rng=r), ValueError, r"n must be an int >= 1, got 0"),
    (lambda r: make_moons(2.5, noise=0.1, rng=r), TypeError, r"n must be an int >= 1, got 2.5 of type float"),
    (lambda r: make_xor(True, noise=0.1, rng=r), TypeError, r"n must be .* got True of type bool"),
    (lambda r: make_xor(10, noise=-0.1, rng=r), ValueError, r"noise must be a finite number >= 0.0, got -0.1"),
    (lambda r: make_spirals(10, noise=float("nan"), rng=r), ValueError, r"noise must be .* got nan"),
    (lambda r: make_spirals(10, n_classes=0, noise=0.1, rng=r), ValueError, r"n_classes must be an int >= 1, got 0"),
    (lambda r: make_blobs(10, centers=[1, 2], spread=0.1, rng=r), ValueError, r"centers must be 2-D, got shape \(2,\)"),
    (lambda r: make_blobs(10, centers=0, spread=0.1, rng=r), ValueError, r"centers must be an int >= 1, got 0"),
    (lambda r: make_blobs(10, centers=2, spread="big", rng=r), TypeError, r"spread must be a real number, got 'big'"),
    (lambda r: make_line(10, slope=1, intercept=0, noise=0, x_range=(1, 1), rng=r), ValueError,
     r"x_range must have low < high, got \(1, 1\)"),
    (lambda r: make_line(10, slope=float("inf"), intercept=0, noise=0, rng=r), ValueError,
     r"slope must be a finite number, got inf"),
])
def test_generator_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call(np.random.default_rng(0))


# ---- one_hot ----------------------------------------------------------------------------

def test_one_hot_by_hand():
    assert np.array_equal(one_hot([2, 0, 1, 2]), [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert one_hot([1, 0], n_classes=4).shape == (2, 4)
    assert one_hot(np.array([1.0, 0.0])).dtype == np.float64  # integer-valued floats are fine


@settings(deadline=None)  # timing varies on a shared machine; correctness is what is checked
@given(st.lists(st.integers(0, 9), min_size=1, max_size=50))
def test_one_hot_round_trips_through_argmax(labels):
    Y = one_hot(labels, n_classes=10)
    assert Y.shape == (len(labels), 10)
    assert np.array_equal(Y.sum(axis=1), np.ones(len(labels)))
    assert np.array_equal(Y.argmax(axis=1), labels)


@pytest.mark.parametrize("labels, kwargs, error, message", [
    ([0, -1, 2], {}, ValueError, r"non-negative integer class labels, got -1 at index 1"),
    ([0, 1.5], {}, ValueError, r"got 1.5 at index 1"),
    ([0, 3, 1], {"n_classes": 3}, ValueError, r"labels must lie in 0 .. 2 for n_classes=3, got 3 at index 1"),
    (["a", "b"], {}, TypeError, r"labels must be a numeric array"),
    ([[0, 1]], {}, ValueError, r"labels must be 1-D, got shape \(1, 2\)"),
    ([], {}, ValueError, r"labels must not be empty"),
    ([0, float("nan")], {}, ValueError, r"finite numbers, got nan at index \(1,\)"),
])
def test_one_hot_rejects_bad_labels_by_value(labels, kwargs, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels, **kwargs)


# ---- train_test_split -------------------------------------------------------------------

def test_train_test_split_partitions_rows_and_keeps_pairs_together():
    X = np.arange(20.0).reshape(10, 2)  # row i is (2i, 2i + 1)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.3, rng=np.random.default_rng(0))
    assert (len(X_train), len(X_test)) == (7, 3)
    assert sorted(np.concatenate([y_train, y_test])) == list(range(10))
    assert np.array_equal(X_train[:, 0], 2 * y_train) and np.array_equal(X_test[:, 0], 2 * y_test)
    again = train_test_split(X, y, test_fraction=0.3, rng=np.random.default_rng(0))
    assert np.array_equal(again[3], y_test)
    other = train_test_split(X, y, test_fraction=0.3, rng=np.random.default_rng(1))
    assert not np.array_equal(other[3], y_test)


@pytest.mark.parametrize("X, y, fraction, message", [
    (np.zeros((5, 2)), np.zeros(4), 0.25, r"same number of rows, got shapes \(5, 2\) and \(4,\)"),
    (np.zeros((5, 2)), np.zeros(5), 0.0, r"test_fraction must be in \(0, 1\).*got 0.0 for N = 5"),
    (np.zeros((5, 2)), np.zeros(5), 1.5, r"got 1.5 for N = 5"),
    (np.zeros((1, 2)), np.zeros(1), 0.5, r"leave >= 1 row on each side.*N = 1"),
])
def test_train_test_split_bad_input(X, y, fraction, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(X, y, test_fraction=fraction, rng=np.random.default_rng(0))


# ---- standardize ----------------------------------------------------------------------

def test_standardize_gives_mean_zero_std_one_and_reuses_training_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal([3.0, -2.0], [5.0, 0.1], size=(500, 2))
    X_test = rng.normal([3.0, -2.0], [5.0, 0.1], size=(50, 2))
    Z, Z_test = standardize(X_train, X_test)
    assert np.allclose(Z.mean(axis=0), 0.0, atol=1e-12) and np.allclose(Z.std(axis=0), 1.0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    assert np.array_equal(Z_test, (X_test - mean) / std)
    assert not np.allclose(Z_test.mean(axis=0), 0.0, atol=1e-12)  # test data kept training statistics
    assert np.array_equal(standardize(X_train), Z)                  # one argument: one array
    scaler = Standardizer().fit(X_train)
    assert np.array_equal(scaler.transform(X_test), Z_test)
    assert np.allclose(scaler.inverse_transform(Z_test), X_test, atol=1e-12)
    assert np.array_equal(scaler.mean, mean) and np.array_equal(scaler.std, std)


def test_standardize_by_hand_and_constant_columns_become_exact_zeros():
    # column 0: mean (1 + 3 + 5)/3 = 3, std sqrt((4 + 0 + 4)/3) = sqrt(8/3)
    # column 1: constant 0.1, whose computed mean is not exactly 0.1 in floats
    X = np.array([[1.0, 0.1], [3.0, 0.1], [5.0, 0.1]])
    scaler = Standardizer().fit(X)
    Z = scaler.transform(X)
    assert np.allclose(Z[:, 0], np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3))
    assert np.array_equal(Z[:, 1], np.zeros(3))
    assert (scaler.mean[1], scaler.std[1]) == (0.1, 1.0)


@pytest.mark.parametrize("call, message", [
    (lambda: Standardizer().transform(np.ones((3, 2))), r"has not been fitted: call fit\(X_train\) first"),
    (lambda: Standardizer().fit(np.ones((3, 2))).transform(np.ones((3, 3))),
     r"X must have 2 columns like the data the Standardizer was fitted on, got shape \(3, 3\)"),
    (lambda: standardize(np.array([[1.0, np.nan]])), r"X must hold finite numbers, got nan at index \(0, 1\)"),
    (lambda: standardize(np.ones(3)), r"X must be 2-D, got shape \(3,\)"),
    (lambda: standardize(np.ones((3, 2)), np.ones((4, 1))), r"X must have 2 columns"),
])
def test_standardize_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- accuracy ---------------------------------------------------------------------------

def test_accuracy_on_hand_examples():
    assert accuracy([0, 1, 2, 1], [0, 2, 2, 1]) == 0.75  # 3 of 4 labels agree
    scores = [[2.0, 1.0, 0.0], [0.1, 0.3, 0.2], [0.0, 0.0, 5.0], [9.0, 0.0, 0.0]]  # argmax 0, 1, 2, 0
    assert accuracy([0, 1, 2, 1], scores) == 0.75
    assert accuracy(one_hot([0, 1, 2, 1]), scores) == 0.75  # one-hot y_true
    probs = [[0.2], [0.5], [0.9], [0.49]]  # >= 0.5 -> 0, 1, 1, 0
    assert accuracy([0, 1, 1, 1], probs) == 0.75
    assert accuracy(np.array([[0], [1], [1], [1]]), probs) == 0.75  # column of labels
    logits = [[-1.0], [0.0], [3.0], [-0.01]]  # >= 0 -> 0, 1, 1, 0
    assert accuracy([0, 1, 1, 1], logits, threshold=0.0) == 0.75
    assert accuracy([0, 1, 1, 1], logits) == 0.5  # at 0.5 the logit 0.0 counts as class 0


@pytest.mark.parametrize("y_true, y_pred, message", [
    ([0, 1, 1], [0, 1], r"same number of rows, got shapes \(3,\) and \(2,\)"),
    ([0, 1], [0.2, 0.9], r"y_pred of shape \(N,\) must hold integer labels; .* \(N, 1\)"),
    ([0, 1], [[0.2, np.nan], [0.1, 0.9]], r"y_pred must hold finite numbers, got nan at index \(0, 1\)"),
    ([0, 3], [[0.2, 0.8], [0.1, 0.9]], r"y_true has label 3 but y_pred of shape \(2, 2\) scores only classes 0 .. 1"),
    ([0, 2], [[0.2], [0.9]], r"y_true has label 2 but y_pred of shape \(2, 1\) scores only classes 0 .. 1"),
    ([0, -1], [0, 1], r"y_true must hold non-negative integer class labels, got -1 at index 1"),
])
def test_accuracy_bad_input(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        accuracy(y_true, y_pred)
