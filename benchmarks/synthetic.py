"""A 10-dimensional synthetic "estimator" whose fit is free.

Used by ``bayes_benchmark.py --overhead`` to measure what each optimizer costs
per evaluation when the model costs nothing: ``fit`` only records a
timestamp, and ``score`` is a cheap closed-form function of the parameters
(a shifted quadratic bowl on the model's natural scales, plus a categorical
offset), maximal (0.0) at a known optimum inside the box.

The space mixes the kinds a real search has: 6 linear reals, 2 log-scaled
reals, 1 integer and 1 three-way categorical.
"""

from __future__ import annotations

import math
import time

import numpy as np
from sklearn.base import BaseEstimator

from benchmarks.tasks import Cat, Int, Real

__all__ = ["SyntheticObjective", "SPACE", "FIT_TIMES", "data"]

SPACE = (
    Real("x0", 0.0, 1.0),
    Real("x1", 0.0, 1.0),
    Real("x2", 0.0, 1.0),
    Real("x3", 0.0, 1.0),
    Real("x4", 0.0, 1.0),
    Real("x5", 0.0, 1.0),
    Real("x6", 1e-4, 1e2, log=True),
    Real("x7", 1e-4, 1e2, log=True),
    Int("x8", 1, 64),
    Cat("x9", "a", "b", "c"),
)

_OPT = {
    "x0": 0.2,
    "x1": 0.35,
    "x2": 0.5,
    "x3": 0.65,
    "x4": 0.8,
    "x5": 0.1,
    "x6": 1e-2,
    "x7": 3.0,
    "x8": 20,
}
_CAT_OFFSET = {"a": 0.3, "b": 0.0, "c": 0.6}

#: perf_counter() at each fit call of this process (n_jobs=1 runs in-process).
FIT_TIMES: list[float] = []


def data(n=20):
    """Dummy data and a single fixed train/test split."""
    X = np.zeros((n, 1))
    y = np.zeros(n)
    half = n // 2
    cv = [(np.arange(half), np.arange(half, n))]
    return X, y, cv


class SyntheticObjective(BaseEstimator):
    """Trivial estimator: ``score`` = minus a quadratic distance to the optimum."""

    def __init__(
        self,
        x0=0.5,
        x1=0.5,
        x2=0.5,
        x3=0.5,
        x4=0.5,
        x5=0.5,
        x6=1.0,
        x7=1.0,
        x8=32,
        x9="a",
    ):
        self.x0, self.x1, self.x2, self.x3, self.x4 = x0, x1, x2, x3, x4
        self.x5, self.x6, self.x7, self.x8, self.x9 = x5, x6, x7, x8, x9

    def fit(self, X, y=None):
        FIT_TIMES.append(time.perf_counter())
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None):
        d = 0.0
        for k in ("x0", "x1", "x2", "x3", "x4", "x5"):
            d += (getattr(self, k) - _OPT[k]) ** 2
        for k in ("x6", "x7"):
            d += ((math.log10(getattr(self, k)) - math.log10(_OPT[k])) / 6.0) ** 2
        d += ((self.x8 - _OPT["x8"]) / 63.0) ** 2
        d += _CAT_OFFSET[self.x9] ** 2
        return -d
