"""Tests for the acquisition functions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import erfcx, log_ndtr, ndtr

from skhyper.optimizer._acquisition import (
    ACQUISITION_FUNCTIONS,
    expected_improvement,
    get_acquisition,
    log_expected_improvement,
    log_probability_of_improvement,
    per_second,
    upper_confidence_bound,
)

_LOG_PHI0 = -0.5 * np.log(2.0 * np.pi)


def _naive_ei(mean, std, best):
    z = (mean - best) / std
    return std * (np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi) + z * ndtr(z))


def _reference_log_h_minus_log_phi(z):
    """log(h(z) / phi(z)) by quadrature, independent of the implementation.

    h(z) = int_{-inf}^z Phi(t) dt; substituting t = z - u and writing
    Phi(t) = phi(t) * sqrt(pi/2) * erfcx(-t / sqrt 2) keeps every factor
    representable, even for z = -1000.
    """

    def integrand(u):
        mills = np.sqrt(np.pi / 2) * erfcx((u - z) / np.sqrt(2))
        return mills * np.exp(z * u - u * u / 2)

    value, _ = quad(integrand, 0.0, np.inf, epsabs=0.0, epsrel=1e-13, limit=200)
    return np.log(value)


@pytest.mark.parametrize("z", [-5.0, -2.0, -1.0, -0.3, 0.0, 0.7, 3.0, 10.0])
def test_log_ei_equals_log_of_ei_where_representable(z):
    std, best = 0.3, 1.0
    mean = best + z * std
    expected = np.log(_naive_ei(mean, std, best))
    value = log_expected_improvement(mean, std, best)
    assert value == pytest.approx(expected, rel=1e-11)
    assert expected_improvement(mean, std, best) == pytest.approx(
        np.exp(expected), rel=1e-11
    )


@pytest.mark.parametrize("z", [-1000.0, -300.0, -60.0, -40.0, -39.5, -20.0, -5.0, -1.0])
def test_log_ei_is_accurate_in_the_tail(z):
    # Compare log(h / phi), of order log(z**-2), not log h (~ -z**2/2), which
    # would hide errors in its large leading term.
    value = log_expected_improvement(z, 1.0, 0.0)
    log_phi = -0.5 * z * z + _LOG_PHI0
    assert value - log_phi == pytest.approx(
        _reference_log_h_minus_log_phi(z), abs=1e-9
    )


def test_log_ei_finite_and_strictly_increasing_down_to_minus_1000():
    z = np.linspace(-1000.0, 10.0, 200_001)
    value, d_mean, d_std = log_expected_improvement(z, 1.0, 0.0, return_grad=True)
    assert np.all(np.isfinite(value))
    assert np.all(np.diff(value) > 0)
    assert np.all(np.isfinite(d_mean)) and np.all(d_mean > 0)
    assert np.all(np.isfinite(d_std)) and np.all(d_std > 0)
    # Far tail: log h(z) ~ log phi(z) - 2 log|z|.
    assert log_expected_improvement(-1e6, 1.0, 0.0) == pytest.approx(
        -0.5e12 + _LOG_PHI0 - 2 * np.log(1e6), rel=1e-15
    )


def _check_gradient(func, mean, std, **kwargs):
    value, d_mean, d_std = func(mean, std, return_grad=True, **kwargs)
    for analytic, step, shift in [
        (d_mean, 1e-6 * max(1.0, abs(mean)), lambda h: (mean + h, std)),
        (d_std, 1e-6 * std, lambda h: (mean, std + h)),
    ]:
        numeric = (func(*shift(step), **kwargs) - func(*shift(-step), **kwargs)) / (
            2 * step
        )
        # Central differences carry a rounding error of ~eps * |value| / step.
        rounding = 1e-12 * max(1.0, abs(value)) / step
        assert analytic == pytest.approx(numeric, rel=1e-7, abs=rounding)


_TAIL_Z = [-500.0, -40.01, -39.99, -10.0]
_BODY_Z = [-1.001, -0.999, 0.0, 2.0]


@pytest.mark.parametrize("std", [0.05, 2.0])
@pytest.mark.parametrize(
    "func, z",
    [(log_expected_improvement, z) for z in _TAIL_Z + _BODY_Z]
    + [(log_probability_of_improvement, z) for z in _TAIL_Z + _BODY_Z]
    # Plain EI underflows in the tail; that is why the log form exists.
    + [(expected_improvement, z) for z in _BODY_Z],
)
def test_gradients_match_finite_differences(func, z, std):
    best = 0.5
    _check_gradient(func, best + z * std, std, best=best)


@pytest.mark.parametrize("boundary", [-40.0, -1.0])
def test_log_ei_regimes_join_smoothly(boundary):
    # Values and slopes on both sides of a switch between formulas agree.
    z = boundary + np.array([-1e-9, 1e-9])
    value, slope, d_std = log_expected_improvement(z, 1.0, 0.0, return_grad=True)
    assert value[1] - value[0] == pytest.approx(2e-9 * slope[0], rel=1e-3)
    assert slope[1] == pytest.approx(slope[0], rel=1e-7)
    assert d_std[1] == pytest.approx(d_std[0], rel=1e-7)


def test_ucb_value_and_gradient():
    mean, std = np.array([0.1, 0.5]), np.array([0.2, 0.0])
    value, d_mean, d_std = upper_confidence_bound(
        mean, std, kappa=2.0, return_grad=True
    )
    np.testing.assert_allclose(value, [0.5, 0.5])
    np.testing.assert_allclose(d_mean, 1.0)
    np.testing.assert_allclose(d_std, 2.0)


def test_expected_improvement_limits_and_monotonicity():
    mean = np.linspace(-50.0, 50.0, 1001)
    ei = expected_improvement(mean, 1.0, 0.0)
    assert np.all(ei >= 0)
    assert np.all(np.diff(ei) >= 0)
    assert ei[0] == 0.0
    assert ei[-1] == pytest.approx(50.0)


def test_log_probability_of_improvement():
    z = np.array([-1000.0, -40.0, -3.0, 0.0, 3.0, 40.0])
    value, d_mean, d_std = log_probability_of_improvement(z, 1.0, 0.0, return_grad=True)
    np.testing.assert_allclose(value, log_ndtr(z))
    assert np.all(np.isfinite(d_mean)) and np.all(d_mean >= 0)
    assert d_mean[0] == pytest.approx(1000.0, rel=1e-5)  # inverse Mills ratio ~ -z
    assert np.all(np.diff(value) >= 0)


@settings(max_examples=200, deadline=None)
@given(
    mean=st.floats(-1e3, 1e3),
    std=st.floats(1e-3, 1e2),
    best=st.floats(-1e3, 1e3),
    xi=st.floats(0.0, 1.0),
)
def test_acquisition_properties(mean, std, best, xi):
    log_ei, d_mean, d_std = log_expected_improvement(
        mean, std, best, xi=xi, return_grad=True
    )
    assert np.isfinite(log_ei) and np.isfinite(d_mean) and np.isfinite(d_std)
    assert d_mean > 0 and d_std >= 0
    ei = expected_improvement(mean, std, best, xi=xi)
    if ei > 1e-300:
        assert log_ei == pytest.approx(np.log(ei), rel=1e-10, abs=1e-10)
    # EI is at least the improvement of the mean, and at most that plus std.
    gain = mean - best - xi
    assert ei >= max(gain, 0.0) * (1 - 1e-12)
    assert ei <= max(gain, 0.0) + std
    log_pi = log_probability_of_improvement(mean, std, best, xi=xi)
    assert np.isfinite(log_pi) and log_pi <= 0


def test_shapes_and_broadcasting():
    assert np.ndim(log_expected_improvement(0.0, 1.0, 0.0)) == 0
    mean = np.zeros((3, 4))
    std = np.ones(4)
    for name, func in ACQUISITION_FUNCTIONS.items():
        value, d_mean, d_std = func(mean, std, 0.0, return_grad=True)
        assert value.shape == d_mean.shape == d_std.shape == (3, 4), name


@pytest.mark.parametrize("name", ["EI", "ei", "Ei", "PI", "pi", "LCB", "lcb", "UCB"])
def test_registry_is_case_insensitive(name):
    func = get_acquisition(name)
    value = func(np.array([0.0, 1.0]), np.array([1.0, 1.0]), 0.5, xi=0.01, kappa=1.0)
    assert value.shape == (2,) and value[1] > value[0]


def test_registry_names_and_errors():
    assert set(ACQUISITION_FUNCTIONS) == {"ei", "pi", "lcb", "ucb", "eips", "pips"}
    assert get_acquisition("LCB") is get_acquisition("ucb")
    # per second: the same function, the optimizer divides by the cost
    assert get_acquisition("EIps") is get_acquisition("ei")
    assert [per_second(n) for n in ("EIps", "pips", "EI", "ucb", None)] == [
        True, True, False, False, False]
    value = get_acquisition("LCB")(0.5, 0.25, 0.0, kappa=2.0)
    assert value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="'EI'.*'EIps', 'PIps'"):
        get_acquisition("gp_hedge")
    with pytest.raises(ValueError):
        get_acquisition(None)


def test_log_ei_of_mixed_regimes_equals_each_alone():
    # Points of the three regimes scored together or one by one: same bits
    # (a call skips the regimes it has no points in).
    z = np.array([2.0, -0.5, -3.0, -20.0, -45.0, -1e3, 0.0, np.nan])
    together = log_expected_improvement(z, 1.0, 0.0, return_grad=True)
    for i, zi in enumerate(z):
        alone = log_expected_improvement(z[i : i + 1], 1.0, 0.0, return_grad=True)
        for a, b in zip(together, alone):
            np.testing.assert_array_equal(a[i], b[0])
    assert np.isnan(together[0][-1])  # a NaN mean gives NaN, not garbage
