"""Translate a task's neutral search space into each library's vocabulary.

Every method sees the same space with the same priors:

* real, linear: ``scipy.stats.uniform`` / ``Real(lo, hi)`` (skopt, skhyper) /
  ``FloatDistribution(lo, hi)`` (Optuna);
* real, log: ``scipy.stats.loguniform`` / ``Real(lo, hi, prior="log-uniform")``
  / ``FloatDistribution(lo, hi, log=True)``;
* int, linear: ``scipy.stats.randint(lo, hi + 1)`` / ``Integer(lo, hi)`` /
  ``IntDistribution(lo, hi)``;
* int, log: :class:`LogUniformInt` / ``Integer(lo, hi, prior="log-uniform")``
  / ``IntDistribution(lo, hi, log=True)``;
* categorical: a list / ``Categorical(list)`` / ``CategoricalDistribution``.

Pitfalls handled here:

* ``scipy.stats.randint(low, high)`` excludes ``high``; we pass ``high + 1``.
* ``scipy.stats.uniform(loc, scale)`` takes a *width*, not an upper bound.
* there is no integer log-uniform in scipy: :class:`LogUniformInt` samples a
  log-uniform real on ``[low, high + 1)`` and floors it, so each integer ``k``
  gets the mass of ``[k, k + 1)`` in log space (this is what scikit-optimize
  and Optuna do too, up to rounding conventions).
* scikit-optimize returns numpy scalars (``numpy.int64``); every library's
  values are converted to plain Python types before they are recorded.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LogUniformInt",
    "to_scipy",
    "to_skopt",
    "to_optuna",
    "to_skhyper",
    "plain",
]


class LogUniformInt:
    """Integer log-uniform distribution with a scipy-like ``rvs``."""

    def __init__(self, low, high):
        self.low, self.high = int(low), int(high)

    def rvs(self, size=None, random_state=None):
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)
        lo, hi = np.log(self.low), np.log(self.high + 1)
        v = np.floor(np.exp(rng.uniform(lo, hi, size=size))).astype(int)
        v = np.clip(v, self.low, self.high)
        return int(v) if size is None else v

    def __repr__(self):
        return f"LogUniformInt({self.low}, {self.high})"


def to_scipy(space):
    """``param_distributions`` for RandomizedSearchCV."""
    from scipy import stats

    out = {}
    for p in space:
        if p.kind == "cat":
            out[p.name] = list(p.choices)
        elif p.kind == "real":
            if p.log:
                out[p.name] = stats.loguniform(p.low, p.high)
            else:
                out[p.name] = stats.uniform(p.low, p.high - p.low)
        elif p.kind == "int":
            out[p.name] = (
                LogUniformInt(p.low, p.high)
                if p.log
                else stats.randint(p.low, p.high + 1)
            )
        else:  # pragma: no cover
            raise ValueError(p.kind)
    return out


def to_skopt(space):
    """``search_spaces`` for skopt.BayesSearchCV."""
    from skopt.space import Categorical, Integer, Real

    out = {}
    for p in space:
        prior = "log-uniform" if p.log else "uniform"
        if p.kind == "cat":
            out[p.name] = Categorical(list(p.choices))
        elif p.kind == "real":
            out[p.name] = Real(p.low, p.high, prior=prior)
        else:
            out[p.name] = Integer(p.low, p.high, prior=prior)
    return out


def to_skhyper(space):
    """``search_spaces`` for skhyper.BayesSearchCV (skopt-style vocabulary).

    Falls back to the scipy form (which a RandomizedSearchCV drop-in must
    accept) if ``skhyper.space`` lacks the classes.
    """
    try:
        from skhyper.space import Categorical, Integer, Real
    except ImportError:  # pragma: no cover - depends on skhyper's state
        return to_scipy(space)
    out = {}
    for p in space:
        prior = "log-uniform" if p.log else "uniform"
        if p.kind == "cat":
            out[p.name] = Categorical(list(p.choices))
        elif p.kind == "real":
            out[p.name] = Real(p.low, p.high, prior=prior)
        else:
            out[p.name] = Integer(p.low, p.high, prior=prior)
    return out


def to_optuna(space):
    """``param_distributions`` for optuna_integration.OptunaSearchCV."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out = {}
    for p in space:
        if p.kind == "cat":
            out[p.name] = CategoricalDistribution(list(p.choices))
        elif p.kind == "real":
            out[p.name] = FloatDistribution(p.low, p.high, log=p.log)
        else:
            out[p.name] = IntDistribution(int(p.low), int(p.high), log=p.log)
    return out


def plain(value):
    """A JSON-friendly plain Python value."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
