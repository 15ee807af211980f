"""Tests for the tree-ensemble surrogate."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError

from skhyper.optimizer._forest import ForestSurrogate


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 3))
    X[:, 2] = rng.integers(0, 2, size=n)  # a one-hot-like categorical column
    y = np.sin(4.0 * X[:, 0]) + X[:, 2]
    return X, y


def test_mean_tracks_the_data():
    X, y = _data()
    forest = ForestSurrogate(random_state=0).fit(X, y)
    X_test, y_test = _data(n=200, seed=1)
    mean = forest.predict(X_test)
    assert np.corrcoef(mean, y_test)[0, 1] > 0.9
    # The categorical effect is learned.
    assert np.mean(mean[X_test[:, 2] == 1]) - np.mean(mean[X_test[:, 2] == 0]) > 0.7


def test_std_reflects_noise():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(80, 1))
    # Quiet on the left half, noisy on the right half.
    y = np.where(X[:, 0] < 0.5, 0.0, rng.normal(scale=1.0, size=80))
    forest = ForestSurrogate(random_state=0).fit(X, y)
    X_test = np.linspace(0.0, 1.0, 101)[:, None]
    _, std = forest.predict(X_test, return_std=True)
    quiet = X_test[:, 0] < 0.45
    noisy = X_test[:, 0] > 0.55
    assert np.mean(std[noisy]) > 2 * np.mean(std[quiet])


def test_std_includes_spread_of_repeated_points():
    # Trees cannot split identical rows: the spread must come from the leaves.
    X = np.array([[0.5, 0.5]] * 10)
    y = np.arange(10.0)
    forest = ForestSurrogate(random_state=0).fit(X, y)
    mean, std = forest.predict(X[:1], return_std=True)
    assert mean[0] == pytest.approx(4.5)
    assert std[0] == pytest.approx(np.std(y), rel=1e-6)


@settings(max_examples=20, deadline=None)
@given(arrays(np.float64, (5, 3), elements=st.floats(-0.5, 1.5)))
def test_std_is_positive_and_finite(X):
    forest = _fitted()
    mean, std = forest.predict(X, return_std=True)
    assert np.all(np.isfinite(mean))
    assert np.all(np.isfinite(std)) and np.all(std > 0)


@functools.lru_cache(maxsize=None)
def _fitted():
    return ForestSurrogate(n_estimators=20, random_state=0).fit(*_data())


@pytest.mark.parametrize("n", [1, 2, 5])
def test_tiny_and_constant_data(n):
    X = np.linspace(0, 1, n)[:, None]
    forest = ForestSurrogate(random_state=0).fit(X, np.full(n, 0.25))
    mean, std = forest.predict(np.array([[0.0], [0.5]]), return_std=True)
    np.testing.assert_allclose(mean, 0.25)
    assert np.all(std > 0) and np.all(np.isfinite(std))


def test_reproducible_with_random_state():
    X, y = _data()
    X_test, _ = _data(n=30, seed=3)
    a = ForestSurrogate(random_state=4).fit(X, y).predict(X_test, return_std=True)
    b = ForestSurrogate(random_state=4).fit(X, y).predict(X_test, return_std=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_input_validation():
    with pytest.raises(NotFittedError):
        ForestSurrogate().predict([[0.5]])
    forest = ForestSurrogate(n_estimators=5).fit([[0.1, 0.2], [0.3, 0.4]], [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        forest.predict([[0.1, 0.2, 0.3]])
