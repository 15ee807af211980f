"""Closed-form ppf and cdf for the distributions searches use most.

A frozen scipy distribution spends 60-90 us of argument checking on every
``ppf`` or ``cdf`` call; a search of 500 millisecond fits makes thousands of
them. For ``uniform`` and ``loguniform`` the formulas are one line, so they are
computed here, but only after checking at construction that they return
exactly what the installed scipy returns; anything else keeps scipy's own.
"""

import numpy as np
import scipy
from scipy import stats

_PROBE_Q = np.concatenate([np.linspace(1e-6, 1 - 1e-6, 97), [1e-12, 0.5 - 1e-12]])


def closed_form(dist):
    """Return ``(ppf, cdf)`` equal to ``dist``'s own, or None if not known."""
    try:
        params = _parameters(dist)
    except (AttributeError, TypeError, ValueError):
        return None
    for formula in _FORMULAS.get(type(dist.dist), ()):
        pair = (_Ppf(dist, formula, params), _Cdf(dist, formula, params))
        if _agrees(dist, *pair):
            return pair
    return None


def _parameters(dist):
    names = dist.dist.shapes.split(", ") if dist.dist.shapes else []
    values = dict(zip(names + ["loc", "scale"], dist.args))
    values.update(dist.kwds)
    values.setdefault("loc", 0.0)
    values.setdefault("scale", 1.0)
    if set(values) != set(names) | {"loc", "scale"}:
        raise ValueError("unexpected arguments")
    return {k: float(v) for k, v in values.items()}


def _agrees(dist, ppf, cdf):
    with np.errstate(all="ignore"):
        quantiles = dist.ppf(_PROBE_Q)
        low, high = dist.support()
        span = high - low
        x = np.concatenate([quantiles, [low, high, low - span, high + span, np.nan]])
        return np.array_equal(ppf(_PROBE_Q), quantiles) and np.array_equal(
            cdf(x), dist.cdf(x), equal_nan=True
        )


class _Ppf:
    def __init__(self, dist, formula, params):
        self.dist, self.formula, self.params = dist, formula, params

    def __call__(self, q):
        q = np.asarray(q, dtype=float)
        if not np.all((q > 0) & (q < 1)):
            return self.dist.ppf(q)
        p = self.params
        return self.formula.ppf(q, p) * p["scale"] + p["loc"]


class _Cdf:
    def __init__(self, dist, formula, params):
        self.dist, self.formula, self.params = dist, formula, params

    def __call__(self, x):
        p = self.params
        t = (np.asarray(x, dtype=float) - p["loc"]) / p["scale"]
        low, high = self.formula.support(p)
        out = np.where(t >= high, 1.0, 0.0)
        out[np.isnan(t)] = np.nan
        inside = (low < t) & (t < high)
        out[inside] = self.formula.cdf(t[inside], p)
        return out


class _Uniform:
    support = staticmethod(lambda p: (0.0, 1.0))
    ppf = staticmethod(lambda q, p: q)
    cdf = staticmethod(lambda t, p: t)


class _LogUniform:
    """scipy >= 1.11 writes the log-uniform this way."""

    support = staticmethod(lambda p: (p["a"], p["b"]))

    @staticmethod
    def ppf(q, p):
        log_a, log_b = np.log(p["a"]), np.log(p["b"])
        return np.exp(log_a + q * (log_b - log_a))

    @staticmethod
    def cdf(t, p):
        log_a, log_b = np.log(p["a"]), np.log(p["b"])
        return (np.log(t) - log_a) / (log_b - log_a)


class _LogUniformRatio(_LogUniform):
    """scipy < 1.11 writes it through the ratio ``b / a``."""

    @staticmethod
    def ppf(q, p):
        return p["a"] * pow(p["b"] * 1.0 / p["a"], q)

    @staticmethod
    def cdf(t, p):
        return (np.log(t) - np.log(p["a"])) / np.log(p["b"] * 1.0 / p["a"])


# Only the installed scipy's own formula (through logs from 1.11, the ratio
# b / a before): the other one can agree with it on every probe quantile and
# still differ in the last bit elsewhere (on scipy 1.10 the log formula passed
# the probes for 1 log-uniform in 60 drawn at random).
_SCIPY_LOGS = tuple(int(part) for part in scipy.__version__.split(".")[:2]) >= (1, 11)
_FORMULAS = {
    type(stats.uniform): (_Uniform,),
    type(stats.loguniform): (_LogUniform,) if _SCIPY_LOGS else (_LogUniformRatio,),
}
