"""Tests for the Gaussian-process surrogate."""

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.linalg import solve_triangular
from scipy.optimize import approx_fprime
from sklearn.exceptions import NotFittedError
from threadpoolctl import threadpool_info

from skhyper.optimizer import _gp
from skhyper.optimizer._gp import (
    GaussianProcess,
    _kumaraswamy,
    _Objective,
    _solve_lower,
    _WarpedObjective,
)
from skhyper.optimizer._threads import single_blas_thread


def _smooth(X):
    return np.sin(5.0 * X[:, 0]) + 0.5 * np.cos(3.0 * X[:, 1])


@functools.lru_cache(maxsize=None)
def _fitted_2d():
    """A GP on a noisy 2-d function, shared by the gradient property tests."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(25, 2))
    y = _smooth(X) + 0.05 * rng.normal(size=25)
    return GaussianProcess(random_state=0).fit(X, y)


def test_interpolates_noise_free_data():
    X = np.linspace(0.0, 0.5, 12)[:, None]
    y = np.sin(6.0 * X[:, 0])
    gp = GaussianProcess(random_state=0).fit(X, y)

    mean, std = gp.predict(X, return_std=True)
    np.testing.assert_allclose(mean, y, atol=1e-2 * np.ptp(y))
    assert np.all(std < 0.05 * np.std(y))

    _, std_far = gp.predict(np.array([[1.0]]), return_std=True)
    assert std_far[0] > 10 * std.max()

    mean_mid = gp.predict(np.array([[0.27]]))
    assert abs(mean_mid[0] - np.sin(6.0 * 0.27)) < 0.02


def test_recovers_relevant_dimension():
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(30, 2))
    y = np.sin(6.0 * X[:, 0])  # the second dimension is irrelevant
    gp = GaussianProcess(random_state=0).fit(X, y)
    relevant, irrelevant = gp.length_scales_
    assert relevant < 1.0
    assert irrelevant > 5.0 * relevant


def test_fitted_attributes_are_in_original_units():
    rng = np.random.default_rng(2)
    X = rng.uniform(size=(20, 2))
    y = _smooth(X)
    small = GaussianProcess(random_state=0).fit(X, y)
    big = GaussianProcess(random_state=0).fit(X, 1000.0 * y + 5.0)
    # The standardized targets agree to rounding only, and L-BFGS stops
    # within its tolerance of the optimum: on scipy 1.10 the two fits end
    # 3e-4 apart (relative) in a length scale of about 20, a direction in
    # which the likelihood is nearly flat, since the warped cold fit took
    # two L-BFGS-B stages (1e-6 before).
    np.testing.assert_allclose(big.length_scales_, small.length_scales_, rtol=2e-3)
    np.testing.assert_allclose(
        big.signal_variance_, 1e6 * small.signal_variance_, rtol=2e-3
    )
    np.testing.assert_allclose(
        big.noise_variance_, 1e6 * small.noise_variance_, rtol=1e-5
    )
    assert np.isfinite(big.log_marginal_likelihood_value_)
    Xq = rng.uniform(size=(5, 2))
    # to a millionth of the targets' scale (1000), as the fits above allow
    np.testing.assert_allclose(
        big.predict(Xq), 1000.0 * small.predict(Xq) + 5.0, rtol=0, atol=2e-3
    )


def test_single_point():
    gp = GaussianProcess(random_state=0).fit([[0.3, 0.7]], [0.8])
    mean, std = gp.predict([[0.3, 0.7], [0.9, 0.1]], return_std=True)
    np.testing.assert_allclose(mean, 0.8)
    assert np.all(np.isfinite(std)) and np.all(std > 0)
    assert std[1] > std[0]


def test_constant_targets():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(6, 3))
    gp = GaussianProcess(random_state=0).fit(X, np.full(6, 0.5))
    mean, std = gp.predict(rng.uniform(size=(10, 3)), return_std=True)
    np.testing.assert_allclose(mean, 0.5)
    assert np.all(np.isfinite(std)) and np.all(std > 0)


@pytest.mark.parametrize("noise", ["auto", 0.0])
def test_duplicate_rows(noise):
    X = np.array([[0.2, 0.2]] * 5 + [[0.8, 0.5]] * 5 + [[0.5, 0.9]])
    y = np.array([1.0, 1.1, 0.9, 1.0, 1.0, 0.0, 0.1, -0.1, 0.0, 0.0, 0.5])
    gp = GaussianProcess(noise=noise, random_state=0).fit(X, y)
    mean, std = gp.predict(X[[0, 5]], return_std=True)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std > 0)
    # Repeated noisy observations average out.
    np.testing.assert_allclose(mean, [1.0, 0.0], atol=0.1)


def test_exactly_duplicated_points_without_noise():
    X = np.tile([[0.1, 0.4, 0.9]], (8, 1))
    gp = GaussianProcess(noise=0.0, random_state=0).fit(X, np.full(8, 2.0))
    mean, std = gp.predict(X[:1], return_std=True)
    np.testing.assert_allclose(mean, 2.0)
    assert np.isfinite(std[0]) and std[0] > 0


def test_fixed_noise_is_kept():
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(15, 2))
    gp = GaussianProcess(noise=0.01, random_state=0).fit(X, 3.0 * _smooth(X))
    assert gp.noise_variance_ == pytest.approx(0.01)


def test_reproducible_with_random_state():
    rng = np.random.default_rng(5)
    X = rng.uniform(size=(20, 3))
    y = _smooth(X) + 0.1 * rng.normal(size=20)
    a = GaussianProcess(random_state=7).fit(X, y)
    b = GaussianProcess(random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.length_scales_, b.length_scales_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_warm_start_matches_cold_fit():
    rng = np.random.default_rng(6)
    X = rng.uniform(size=(40, 3))
    y = _smooth(X) + 0.05 * rng.normal(size=40)
    warm = GaussianProcess(random_state=0)
    for n in range(30, 41):
        warm.fit(X[:n], y[:n])
    cold = GaussianProcess(random_state=0).fit(X, y)
    assert warm.log_marginal_likelihood_value_ == pytest.approx(
        cold.log_marginal_likelihood_value_, abs=1.0
    )
    # A change of dimensionality starts afresh instead of failing.
    warm.fit(X[:, :2], y)
    assert warm.length_scales_.shape == (2,)


@pytest.mark.parametrize("fit_noise, fixed_noise", [(True, None), (False, 1e-3)])
def test_hyperparameter_gradient_matches_finite_differences(fit_noise, fixed_noise):
    rng = np.random.default_rng(7)
    X = rng.uniform(size=(15, 3))
    y = rng.normal(size=15)
    objective = _Objective(X - X.mean(axis=0), y, fit_noise, fixed_noise)
    theta = rng.normal(scale=0.5, size=3 + 1 + fit_noise)
    value, grad = objective(theta)
    numeric = approx_fprime(theta, lambda t: objective(t)[0], 1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (3, 2), elements=st.floats(-0.5, 1.5)))
def test_std_is_positive_and_finite(X):
    mean, std = _fitted_2d().predict(X, return_std=True)
    assert np.all(np.isfinite(mean))
    assert np.all(np.isfinite(std)) and np.all(std > 0)


def test_input_validation():
    with pytest.raises(NotFittedError):
        GaussianProcess().predict([[0.5]])
    with pytest.raises(ValueError, match="noise"):
        GaussianProcess(noise="fixed").fit([[0.1], [0.2]], [1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        GaussianProcess().fit([[0.1], [0.2]], [1.0, np.nan])
    gp = GaussianProcess().fit([[0.1, 0.2], [0.3, 0.4]], [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        gp.predict([[0.1, 0.2, 0.3]])


def test_blas_thread_limit_is_restored():
    before = [pool["num_threads"] for pool in threadpool_info()]
    X = np.random.default_rng(8).uniform(size=(10, 2))
    gp = GaussianProcess(random_state=0).fit(X, _smooth(X))
    gp.predict(X, return_std=True)
    assert [pool["num_threads"] for pool in threadpool_info()] == before


def test_condition_keeps_hyperparameters_and_shrinks_uncertainty():
    gp = _fitted_2d()
    X_new = np.array([[0.9, 0.9], [0.05, 0.95]])
    mean_before, std_before = gp.predict(X_new, return_std=True)
    length_scales = gp.length_scales_.copy()

    fantasy = gp.condition(X_new, mean_before)

    np.testing.assert_array_equal(fantasy.length_scales_, length_scales)
    assert fantasy.signal_variance_ == gp.signal_variance_
    assert fantasy.noise_variance_ == gp.noise_variance_
    mean_after, std_after = fantasy.predict(X_new, return_std=True)
    # Believed values are the model's own mean: it stays put, doubt shrinks.
    np.testing.assert_allclose(mean_after, mean_before, atol=0.05 * np.std(mean_before))
    assert np.all(std_after < std_before)
    # The conditioned copy is independent of the model it came from.
    np.testing.assert_array_equal(gp.predict(X_new, return_std=True)[1], std_before)


def test_condition_interpolates_the_new_points():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(15, 2))
    y = _smooth(X)
    gp = GaussianProcess(noise=1e-4, random_state=0).fit(X[:10], y[:10])
    fantasy = gp.condition(X[10:], y[10:])
    # Nearly noise-free: the conditioned model passes through the new points.
    mean, std = fantasy.predict(X, return_std=True)
    np.testing.assert_allclose(mean, y, atol=0.02 * np.ptp(y))
    assert np.all(std[10:] < 0.1 * np.std(y))


def test_condition_rejects_mismatched_targets():
    gp = _fitted_2d()
    with pytest.raises(ValueError, match="one value per row"):
        gp.condition(np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="n, 2"):
        gp.condition(np.zeros((2, 3)), np.zeros(2))


@pytest.mark.parametrize("prior_mean, level", [("min", np.min), ("mean", np.mean)])
def test_prediction_far_from_data_returns_to_prior_mean(prior_mean, level):
    rng = np.random.default_rng(8)
    X = rng.uniform(0.0, 0.2, size=(12, 2))
    y = _smooth(X)
    gp = GaussianProcess(prior_mean=prior_mean, noise=1e-6, random_state=0)
    # The length scales are bounded (at most 100); move far beyond them.
    far = gp.fit(X, y).predict([[1e4, 1e4]])
    np.testing.assert_allclose(far, level(y), rtol=1e-6, atol=1e-9)


def test_pessimistic_prior_mean_explores_less_far_away():
    rng = np.random.default_rng(9)
    X = rng.uniform(0.0, 0.3, size=(10, 2))
    y = _smooth(X)
    best = y.max()
    far = np.array([[0.95, 0.95]])
    pessimistic = GaussianProcess(prior_mean="min", random_state=0).fit(X, y)
    average = GaussianProcess(prior_mean="mean", random_state=0).fit(X, y)
    assert pessimistic.predict(far)[0] < average.predict(far)[0] < best


def test_prior_mean_is_validated():
    with pytest.raises(ValueError, match="prior_mean must be one of"):
        GaussianProcess(prior_mean="median").fit([[0.1], [0.2]], [1.0, 2.0])


def test_update_keeps_hyperparameters_and_refits_the_posterior():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(30, 2))
    y = np.sin(4 * X[:, 0]) + X[:, 1]
    gp = GaussianProcess(random_state=0).fit(X[:20], y[:20])
    scales = gp.length_scales_.copy()
    gp.update(X[10:], y[10:])
    np.testing.assert_array_equal(gp.length_scales_, scales)
    # The posterior is the new data's: it interpolates points never fitted on.
    np.testing.assert_allclose(gp.predict(X[20:]), y[20:], atol=0.05)


def test_update_needs_a_fitted_model_of_the_same_dimensionality():
    with pytest.raises(NotFittedError):
        GaussianProcess().update(np.zeros((2, 2)), np.zeros(2))
    gp = GaussianProcess(random_state=0).fit(np.eye(3)[:, :2], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="dimensionality"):
        gp.update(np.eye(3), [0.0, 1.0, 2.0])


def test_nested_blas_limit_holds_until_the_outermost_exits():
    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("no BLAS library reported by threadpoolctl")
    with single_blas_thread():
        with single_blas_thread():  # a model call inside a proposal
            assert set(blas_threads()) == {1}
        assert set(blas_threads()) == {1}  # the inner exit restored nothing
    assert blas_threads() == before


@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("trans", [0, 1])
def test_triangular_solve_matches_scipy(order, trans):
    # _solve_lower calls LAPACK as solve_triangular does, bit for bit, in
    # either memory layout of the factor.
    rng = np.random.RandomState(0)
    A = rng.normal(size=(6, 6))
    L = np.array(np.linalg.cholesky(A @ A.T + 6 * np.eye(6)), order=order)
    B = np.asfortranarray(rng.normal(size=(6, 4)))
    expected = solve_triangular(L, B, lower=True, trans=trans, check_finite=False)
    np.testing.assert_array_equal(_solve_lower(L, B, trans=trans), expected)


def test_triangular_solve_raises_on_a_singular_factor():
    L = np.asfortranarray(np.diag([1.0, 0.0, 1.0]))
    with pytest.raises(np.linalg.LinAlgError):
        _solve_lower(L, np.ones((3, 1)))


# -- input warping ---------------------------------------------------------


def _fit(X, y, warping, monkeypatch, **params):
    monkeypatch.setattr(_gp, "_INPUT_WARPING", warping)
    return GaussianProcess(random_state=0, **params).fit(X, y)


def test_kumaraswamy_keeps_the_ends_and_the_outside():
    X = np.array([[-0.5, 0.0, 1.0, 2.0]]).T * np.ones((1, 2))
    a, b = np.array([0.3, 4.0]), np.array([5.0, 0.2])
    U, dU = _kumaraswamy(X, a, b, with_grad=True)
    np.testing.assert_array_equal(U, X)
    np.testing.assert_array_equal(dU, 0.0)
    # Monotone inside, identity at a = b = 1.
    x = np.linspace(0.0, 1.0, 101)[:, None]
    assert np.all(np.diff(_kumaraswamy(x, a[:1], b[:1])[:, 0]) > 0)
    np.testing.assert_allclose(_kumaraswamy(x, 1.0, 1.0), x, atol=1e-15)


@pytest.mark.parametrize("fit_noise, fixed_noise", [(True, None), (False, 1e-3)])
def test_warped_gradient_matches_finite_differences(fit_noise, fixed_noise):
    rng = np.random.default_rng(10)
    X = rng.uniform(size=(15, 4))
    X[:, 3] = rng.integers(0, 2, size=15)  # a one-hot column
    X[:2, 0] = [0.0, 1.0]
    y = rng.normal(size=15)
    objective = _WarpedObjective(X, y, fit_noise, fixed_noise)
    theta = rng.normal(scale=0.5, size=4 + 1 + fit_noise + 8)
    _, grad = objective(theta)
    step = 1e-6 * np.eye(theta.size)
    numeric = np.array(
        [(objective(theta + h)[0] - objective(theta - h)[0]) / 2e-6 for h in step]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-5)
    # The warping parameters of the 0/1 column do not move the likelihood:
    # only their prior pulls them.
    np.testing.assert_allclose(
        grad[[-5, -1]], theta[[-5, -1]] / _gp._WARP_PRIOR_SIGMA**2
    )


def test_identity_warp_predicts_as_without_warping(monkeypatch):
    rng = np.random.default_rng(11)
    X = rng.uniform(size=(20, 3))
    y = _smooth(X) + 0.05 * rng.normal(size=20)
    plain = _fit(X, y, False, monkeypatch)
    warped = _fit(X, y, True, monkeypatch)
    warped._theta = np.concatenate([plain._theta, np.zeros(6)])
    warped.update(X, y)
    Xq = rng.uniform(-0.2, 1.2, size=(30, 3))
    for got, expected in zip(
        warped.predict(Xq, return_std=True), plain.predict(Xq, return_std=True)
    ):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_warping_helps_where_a_warp_makes_the_function_smooth(monkeypatch):
    def f(X):
        return np.sin(8.0 * X[:, 0] ** 0.25)  # sin(8 w) for w = x**0.25

    Xq = (np.arange(200)[:, None] + 0.5) / 200
    errors = {False: [], True: []}
    # Several designs: a single one may leave the steep start unsampled,
    # where neither model can know the function.
    for seed in range(5):
        X = np.random.default_rng(seed).uniform(size=(12, 1))
        for warping, rmse in errors.items():
            gp = _fit(X, f(X), warping, monkeypatch)
            rmse.append(np.sqrt(np.mean((gp.predict(Xq) - f(Xq)) ** 2)))
        # The warp stretches the steep start.
        assert _kumaraswamy(np.array([[0.1]]), gp.warp_a_, gp.warp_b_)[0, 0] > 0.15
    assert np.mean(errors[True]) < 0.7 * np.mean(errors[False])


def test_warped_model_refits_conditions_and_predicts(monkeypatch):
    rng = np.random.default_rng(13)
    X = rng.uniform(size=(30, 2))
    X[:5, 1] = 0.0
    y = _smooth(X) + 0.05 * rng.normal(size=30)
    gp = _fit(X[:20], y[:20], True, monkeypatch)
    for n in range(21, 31):  # warm fits
        gp.fit(X[:n], y[:n])
    gp.update(X[5:], y[5:])
    fantasy = gp.condition(X[:2], y[:2])
    Xq = np.vstack([rng.uniform(-0.5, 1.5, size=(20, 2)), [[0.0, 1.0], [1e4, -1e4]]])
    for model in (gp, fantasy):
        mean, std = model.predict(Xq, return_std=True)
        assert np.all(np.isfinite(mean))
        assert np.all(np.isfinite(std)) and np.all(std > 0)
    np.testing.assert_allclose(fantasy.predict(X[:2]), y[:2], atol=0.15)


def test_warm_refits_keep_the_warp_but_every_few(monkeypatch):
    rng = np.random.default_rng(14)
    X = rng.uniform(size=(40, 2))
    y = np.sin(8.0 * X[:, 0] ** 0.25) + 0.3 * X[:, 1]
    gp = _fit(X[:20], y[:20], True, monkeypatch)
    assert not np.allclose(gp.warp_a_, 1.0)  # the cold fit fits the warp
    warps, length_scales = [], []
    for n in range(21, 21 + 2 * _gp._WARP_REFIT_EVERY):
        previous = gp.warp_a_.copy(), gp.warp_b_.copy(), gp.length_scales_.copy()
        gp.fit(X[:n], y[:n])
        warps.append(not np.array_equal(gp.warp_a_, previous[0])
                     or not np.array_equal(gp.warp_b_, previous[1]))
        length_scales.append(not np.array_equal(gp.length_scales_, previous[2]))
    every = _gp._WARP_REFIT_EVERY
    assert warps == [(i + 1) % every == 0 for i in range(2 * every)]
    assert all(length_scales)  # refitted every time
    # below _WARP_KEPT_FROM told configurations every refit fits the warp
    gp = _fit(X[:6], y[:6], True, monkeypatch)
    for n in range(7, _gp._WARP_KEPT_FROM):
        previous = gp.warp_a_.copy(), gp.warp_b_.copy()
        gp.fit(X[:n], y[:n])
        assert not (np.array_equal(gp.warp_a_, previous[0])
                    and np.array_equal(gp.warp_b_, previous[1]))


def test_fixed_warp_objective_is_the_warped_one_with_the_warp_kept():
    rng = np.random.default_rng(15)
    X = rng.uniform(size=(12, 3))
    y = rng.normal(size=12)
    warped = _WarpedObjective(X, y, True, None)
    theta = rng.normal(scale=0.5, size=3 + 2 + 6)
    fixed = warped.with_warp_of(theta)
    assert fixed.posterior(theta[:-6])["lml"] == pytest.approx(
        warped.posterior(theta)["lml"], rel=1e-12
    )
