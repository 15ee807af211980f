"""Acquisition functions for maximization.

Every function takes the surrogate's posterior ``mean`` and ``std`` (arrays
broadcast together) and returns the acquisition value; with
``return_grad=True`` it returns ``(value, d_value/d_mean, d_value/d_std)``,
for a gradient-based acquisition search (the optimizer's polish by
L-BFGS-B was measured and dropped, ``_effort``; the tests still check the
log forms' tails through these derivatives).

Expected improvement is computed in log form: where the improvement is tiny
(the usual case late in a search) ``EI`` underflows to zero and has a zero
gradient, while ``log EI`` stays finite, accurate and informative.
"""

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

_LOG_2PI = np.log(2.0 * np.pi)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SQRT_HALF_PI = np.sqrt(0.5 * np.pi)
_INV_SQRT2 = 1.0 / np.sqrt(2.0)
# Below this z, log h(z) uses its asymptotic series (see _log_h).
_Z_ASYMPTOTIC = -40.0
_STD_FLOOR = 1e-300


def _as_output(a):
    """Return 0-d arrays as numpy scalars, other arrays unchanged."""
    return a[()] if a.ndim == 0 else a


def _standardize(mean, std, best, xi):
    """Broadcast inputs and return ``z = (mean - best - xi) / std`` and std."""
    mean, std = np.broadcast_arrays(
        np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    )
    std = np.maximum(std, _STD_FLOOR)
    with np.errstate(over="ignore"):
        z = (mean - best - xi) / std
    return z, std


def _log_h(z):
    """``log h(z)``, ``Phi(z) / h(z)`` and ``phi(z) / h(z)``.

    ``h(z) = phi(z) + z Phi(z)``, so that ``EI = std * h(z)``; the two ratios
    are ``d log h / dz`` and ``(1 - z d log h / dz)``, the pieces of the
    gradient, computed without the cancellation of the latter form.

    Three regimes keep full accuracy:

    * ``z > -1``: the definition, free of cancellation there.
    * ``-40 < z <= -1``: ``Phi(z) = erfcx(-z / sqrt 2) phi(z) sqrt(pi / 2)``
      factors ``phi(z)`` out, so ``log h = log phi(z) + log(1 + z sqrt(pi/2)
      erfcx(-z / sqrt 2))``; the remaining cancellation costs about
      ``eps * z**2`` relative, below ``1e-12`` here.
    * ``z <= -40``: ``h(z) = phi(z) / z**2 * (1 - 3/z**2 + 15/z**4 - ...)``,
      the asymptotic series, exact to rounding with six terms.
    """
    z = np.asarray(z, dtype=float)
    value = np.empty_like(z)
    slope = np.empty_like(z)
    pdf_ratio = np.empty_like(z)

    high = z > -1.0
    low = z <= _Z_ASYMPTOTIC
    mid = ~(high | low)
    # A regime without points is skipped: most calls score a few points.
    if high.any():
        _log_h_high(z[high], high, value, slope, pdf_ratio)
    if mid.any():
        _log_h_mid(z[mid], mid, value, slope, pdf_ratio)
    if low.any():
        _log_h_low(z[low], low, value, slope, pdf_ratio)
    return value, slope, pdf_ratio


def _log_h_high(zh, rows, value, slope, pdf_ratio):
    cdf = ndtr(zh)
    pdf = np.exp(-0.5 * zh * zh) * _INV_SQRT_2PI
    h = pdf + zh * cdf
    value[rows] = np.log(h)
    slope[rows] = cdf / h
    pdf_ratio[rows] = pdf / h


def _log_h_mid(zm, rows, value, slope, pdf_ratio):
    scaled_mills = _SQRT_HALF_PI * erfcx(-zm * _INV_SQRT2)  # Phi(z) / phi(z)
    ratio = 1.0 + zm * scaled_mills  # h(z) / phi(z)
    value[rows] = -0.5 * zm * zm - 0.5 * _LOG_2PI + np.log(ratio)
    slope[rows] = scaled_mills / ratio
    pdf_ratio[rows] = 1.0 / ratio


def _log_h_low(zl, rows, value, slope, pdf_ratio):
    w = 1.0 / (zl * zl)
    series = 1.0 + w * (-3.0 + w * (15.0 + w * (-105.0 + w * (945.0 - 10395.0 * w))))
    series_dw = -3.0 + w * (30.0 + w * (-315.0 + w * (3780.0 - 51975.0 * w)))
    with np.errstate(over="ignore"):
        value[rows] = (
            -0.5 * zl * zl - 0.5 * _LOG_2PI - 2.0 * np.log(-zl) + np.log(series)
        )
    # d/dz [-z^2/2 - 2 log(-z) + log S(1/z^2)], with dw/dz = -2 w / z.
    slope[rows] = -zl - 2.0 / zl + series_dw * (-2.0 * w / zl) / series
    with np.errstate(over="ignore"):
        pdf_ratio[rows] = zl * zl / series


def log_expected_improvement(mean, std, best, xi=0.0, return_grad=False):
    """Logarithm of the expected improvement over ``best`` (maximization).

    ``EI = E[max(f - best - xi, 0)]`` for ``f ~ N(mean, std**2)``. Accurate
    to about ``1e-12`` relative for any ``z = (mean - best - xi) / std``,
    including far in the tail (``z = -1e3`` gives about ``-5e5``, finite);
    strictly increasing in ``mean``.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcast together). ``std``
        should be positive; it is floored at ``1e-300``.
    best : float
        Best value observed so far.
    xi : float, default=0.0
        Improvement margin required (exploration bonus).
    return_grad : bool, default=False
        Also return the derivatives with respect to ``mean`` and ``std``.

    Returns
    -------
    value : ndarray or float
    d_mean, d_std : ndarray or float
        Only if ``return_grad``.
    """
    z, std = _standardize(mean, std, best, xi)
    log_h, slope, pdf_ratio = _log_h(z)
    value = np.log(std) + log_h
    if not return_grad:
        return _as_output(value)
    d_mean = slope / std
    d_std = pdf_ratio / std
    return _as_output(value), _as_output(d_mean), _as_output(d_std)


def expected_improvement(mean, std, best, xi=0.0, return_grad=False):
    """Expected improvement over ``best`` (maximization).

    Underflows to 0 where the improvement is very unlikely; prefer
    :func:`log_expected_improvement` for optimizing.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcast together).
    best : float
        Best value observed so far.
    xi : float, default=0.0
        Improvement margin required (exploration bonus).
    return_grad : bool, default=False
        Also return the derivatives with respect to ``mean`` (``Phi(z)``) and
        ``std`` (``phi(z)``).

    Returns
    -------
    value : ndarray or float
    d_mean, d_std : ndarray or float
        Only if ``return_grad``.
    """
    z, std = _standardize(mean, std, best, xi)
    value = std * np.exp(_log_h(z)[0])
    if not return_grad:
        return _as_output(value)
    d_mean = ndtr(z)
    d_std = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    return _as_output(value), _as_output(d_mean), _as_output(d_std)


def log_probability_of_improvement(mean, std, best, xi=0.0, return_grad=False):
    """Logarithm of the probability that ``f > best + xi`` (maximization).

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcast together).
    best : float
        Best value observed so far.
    xi : float, default=0.0
        Improvement margin required.
    return_grad : bool, default=False
        Also return the derivatives with respect to ``mean`` and ``std``.

    Returns
    -------
    value : ndarray or float
    d_mean, d_std : ndarray or float
        Only if ``return_grad``.
    """
    z, std = _standardize(mean, std, best, xi)
    value = log_ndtr(z)
    if not return_grad:
        return _as_output(value)
    # d log Phi / dz = phi / Phi, the inverse Mills ratio; through erfcx it
    # stays accurate for z -> -inf, where phi and Phi both underflow.
    slope = np.empty_like(z)
    neg = z < 0
    slope[neg] = 1.0 / (_SQRT_HALF_PI * erfcx(-z[neg] * _INV_SQRT2))
    zp = z[~neg]
    slope[~neg] = np.exp(-0.5 * zp * zp) * _INV_SQRT_2PI / ndtr(zp)
    d_mean = slope / std
    with np.errstate(over="ignore", invalid="ignore"):
        d_std = -z * slope / std
    return _as_output(value), _as_output(d_mean), _as_output(d_std)


def upper_confidence_bound(mean, std, kappa=1.96, return_grad=False):
    """Optimistic bound ``mean + kappa * std`` (maximization).

    This is scikit-optimize's "LCB" for a maximized objective.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcast together).
    kappa : float, default=1.96
        Weight of the uncertainty; larger explores more.
    return_grad : bool, default=False
        Also return the derivatives with respect to ``mean`` (1) and ``std``
        (``kappa``).

    Returns
    -------
    value : ndarray or float
    d_mean, d_std : ndarray or float
        Only if ``return_grad``.
    """
    mean, std = np.broadcast_arrays(
        np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    )
    value = mean + kappa * std
    if not return_grad:
        return _as_output(value)
    d_mean = np.ones_like(value)
    d_std = np.full_like(value, kappa)
    return _as_output(value), _as_output(d_mean), _as_output(d_std)


def _ei(mean, std, best, *, xi=0.0, kappa=1.96, return_grad=False):
    return log_expected_improvement(mean, std, best, xi, return_grad=return_grad)


def _pi(mean, std, best, *, xi=0.0, kappa=1.96, return_grad=False):
    return log_probability_of_improvement(mean, std, best, xi, return_grad=return_grad)


def _ucb(mean, std, best, *, xi=0.0, kappa=1.96, return_grad=False):
    return upper_confidence_bound(mean, std, kappa, return_grad=return_grad)


#: Acquisition functions by lower-case name, all with the signature
#: ``f(mean, std, best, *, xi=0.0, kappa=1.96, return_grad=False)`` and all to
#: be maximized. "ei" and "pi" are the log forms (same maximizer, better
#: numerics); "lcb" (scikit-optimize's name) and "ucb" are the same function,
#: ``mean + kappa * std``, since skhyper maximizes. Unused keywords (``xi``
#: for "lcb", ``kappa`` for "ei" and "pi") are ignored. "eips" and "pips"
#: (scikit-optimize's names) are "ei" and "pi" per second: the optimizer
#: subtracts its model of the log evaluation time (see :func:`per_second`).
ACQUISITION_FUNCTIONS = {"ei": _ei, "pi": _pi, "lcb": _ucb, "ucb": _ucb,
                         "eips": _ei, "pips": _pi}
_PER_SECOND = ("eips", "pips")
#: How the documentation and error messages spell each name.
DISPLAY_NAMES = {"ei": "EI", "pi": "PI", "lcb": "LCB", "ucb": "UCB", "eips": "EIps",
                 "pips": "PIps"}


def per_second(name):
    """Whether the acquisition ``name`` is divided by the evaluation time."""
    return isinstance(name, str) and name.lower() in _PER_SECOND


def get_acquisition(name):
    """Look up an acquisition function by name, case-insensitively.

    Parameters
    ----------
    name : str
        One of "EI", "PI", "LCB", "UCB", "EIps", "PIps" (any case); the
        per-second forms return the plain function (the caller divides).

    Returns
    -------
    callable
        ``f(mean, std, best, *, xi=0.0, kappa=1.96, return_grad=False)``,
        to be maximized.
    """
    key = name.lower() if isinstance(name, str) else None
    if key not in ACQUISITION_FUNCTIONS:
        accepted = ", ".join(repr(DISPLAY_NAMES[k]) for k in ACQUISITION_FUNCTIONS)
        raise ValueError(
            f"Unknown acquisition function {name!r}; use one of {accepted}."
        )
    return ACQUISITION_FUNCTIONS[key]
