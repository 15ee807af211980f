"""Searches that tests/test_restart.py runs in a subprocess, kills and runs again.

``python restart_script.py CASE CHECKPOINT SUMMARY`` (the script the tests
write) fits the search ``CASES[CASE]`` with ``checkpoint=CHECKPOINT`` and
writes :func:`summary` of the fitted search to ``SUMMARY``. Every fit
appends a line to the file named by ``$SKHYPER_TEST_FIT_LOG`` and first
sleeps ``$SKHYPER_TEST_FIT_DELAY`` seconds, so a test can tell how many fits
a run made and kill a run while a fit is running.
"""

import json
import math
import os
import signal
import sys
import time

import numpy as np
from scipy.stats import loguniform, norm, poisson, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skhyper import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Integer,
    Real,
    SuccessiveHalvingSearchCV,
)

X, y = make_classification(n_samples=120, n_features=5, random_state=0)
LOG = "SKHYPER_TEST_FIT_LOG"
DELAY = "SKHYPER_TEST_FIT_DELAY"
#: cv_results_ columns that legitimately differ between two runs.
TIMES = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")


class LoggedFit(ClassifierMixin, BaseEstimator):
    """A cheap classifier whose score is a smooth function of its parameters
    and of the fold it was fitted on; every fit is logged."""

    def __init__(self, C=1.0, gamma=1.0, degree=1, kernel="a", shift=0.0,
                 n_estimators=1):
        self.C = C
        self.gamma = gamma
        self.degree = degree
        self.kernel = kernel
        self.shift = shift
        self.n_estimators = n_estimators

    def fit(self, X, y):
        _log_fit()
        self.classes_ = np.unique(y)
        self.center_ = np.asarray(X, dtype=float).mean(axis=0)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        bowl = (
            (math.log10(self.C) - 0.5) ** 2
            + (self.gamma - 1.2) ** 2
            + 0.1 * (self.degree - 3) ** 2
            + (self.shift - 0.3) ** 2
        )
        kernel = {"a": 0.0, "b": 0.2, "c": 0.1, None: 0.3}.get(self.kernel, 0.5)
        fold = float(np.mean(np.asarray(X, dtype=float)[:, 0] > self.center_[0]))
        return -bowl - kernel + 0.05 * math.log(self.n_estimators) + 0.01 * fold


class DiesOnce(LoggedFit):
    """Kills the process fitting it (a dask worker, say) at the ``after``-th
    fit logged to ``log``, once: the first fit to remove ``token`` dies."""

    def __init__(self, C=1.0, log=None, token=None, after=0):
        super().__init__(C=C)
        self.log = log
        self.token = token
        self.after = after

    def fit(self, X, y):
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()}\n")
        with open(self.log) as f:
            n_fits = len(f.read().splitlines())
        if n_fits >= self.after:
            try:
                os.remove(self.token)
            except FileNotFoundError:
                pass
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(X, y)


class LoggedForest(RandomForestClassifier):
    """A random forest whose fits (continued ones included) are logged."""

    def fit(self, X, y, sample_weight=None):
        _log_fit()
        return super().fit(X, y, sample_weight=sample_weight)


def _log_fit():
    delay = float(os.environ.get(DELAY, "0"))
    path = os.environ.get(LOG)
    if path:
        with open(path, "a") as f:
            f.write(f"{os.getpid()}\n")
    if delay:
        time.sleep(delay)


def _pipeline():
    return Pipeline([("prep", StandardScaler()), ("clf", LoggedFit())])


def bayes_forms(checkpoint):
    """Every space form of a dict in one BayesSearchCV, on a pipeline."""
    space = {
        "prep": [None, StandardScaler(), MinMaxScaler()],  # estimators and None
        "clf__C": loguniform(1e-2, 1e2),  # scipy.stats, continuous
        "clf__gamma": uniform(loc=0.5, scale=1.5),  # ... with loc and scale
        "clf__degree": randint(0, 4, loc=1),  # ... discrete with loc
        "clf__kernel": ["a", "b", None],  # a list
        "clf__shift": (-1.0, 1.0),  # a range tuple
    }
    return BayesSearchCV(_pipeline(), space, n_iter=10, n_points=2, cv=3,
                         random_state=0, checkpoint=checkpoint)


def bayes_per_second(checkpoint):
    """Expected improvement per second: proposals depend on measured fit times."""
    search = bayes_forms(checkpoint)
    return search.set_params(acq_func="EIps")


def bayes_dimensions(checkpoint):
    """Real / Integer / Categorical and distributions in a list of dicts."""
    space = [
        {"C": Real(1e-2, 1e2, prior="log-uniform"), "degree": Integer(1, 5),
         "kernel": Categorical(["a", "b"])},
        {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": Categorical([None, "c"]),
         "gamma": norm(loc=1.0, scale=0.3), "degree": poisson(2, loc=1)},
    ]
    return BayesSearchCV(LoggedFit(), space, n_iter=10, n_points=2, cv=3,
                         random_state=0, checkpoint=checkpoint, n_jobs=2)


def halving_samples(checkpoint):
    space = {"C": loguniform(1e-2, 1e2), "kernel": ["a", "b", "c"],
             "shift": (-1.0, 1.0)}
    return SuccessiveHalvingSearchCV(
        LoggedFit(), space, n_candidates=9, factor=3, resource="n_samples",
        min_resources=30, cv=3, random_state=0, checkpoint=checkpoint)


def halving_parameter(checkpoint):
    space = [{"prep": [None, MinMaxScaler()], "clf__C": loguniform(1e-2, 1e2)},
             {"prep": [StandardScaler()], "clf__gamma": (0.5, 2.0)}]
    return SuccessiveHalvingSearchCV(
        _pipeline(), space, n_candidates=9, factor=3, resource="clf__n_estimators",
        min_resources=1, max_resources=9, cv=3, random_state=0,
        checkpoint=checkpoint)


def halving_warm_forest(checkpoint):
    """Promoted fold models continue training (warm start) between rungs."""
    space = {"max_depth": randint(2, 8), "max_features": [0.3, 0.6, None]}
    return SuccessiveHalvingSearchCV(
        LoggedForest(random_state=0), space, n_candidates=9, factor=3,
        resource="n_estimators", min_resources=2, max_resources=18, cv=3,
        random_state=0, checkpoint=checkpoint)


def hyperband(checkpoint):
    space = {"C": Real(1e-2, 1e2, prior="log-uniform"), "degree": randint(1, 6),
             "kernel": ("a", "b")}
    return HyperbandSearchCV(
        LoggedFit(), space, factor=3, resource="n_estimators", min_resources=1,
        max_resources=9, proposer="bayes", cv=3, random_state=0,
        checkpoint=checkpoint)


def hyperband_async(checkpoint):
    """Brackets at their own pace on two loky workers, rows in finishing order."""
    space = {"C": Real(1e-2, 1e2, prior="log-uniform"), "degree": randint(1, 6),
             "kernel": ("a", "b")}
    return HyperbandSearchCV(
        LoggedFit(), space, factor=3, resource="n_estimators", min_resources=1,
        max_resources=9, proposer="random", cv=3, random_state=0, n_jobs=2,
        asynchronous=True, checkpoint=checkpoint)


CASES = {f.__name__.replace("_", "-"): f for f in (
    bayes_forms, bayes_per_second, bayes_dimensions, halving_samples, halving_parameter,
    halving_warm_forest, hyperband, hyperband_async,
)}


def summary(search):
    """What a resumed search must reproduce exactly, as JSON-able text."""
    results = {
        key: [repr(v) for v in values] + [str(getattr(values, "dtype", "list"))]
        for key, values in search.cv_results_.items()
        if key not in TIMES
    }
    return {
        "cv_results_": results,
        "best_params_": repr(search.best_params_),
        "best_score_": repr(search.best_score_),
        "best_index_": int(search.best_index_),
    }


def main(case, checkpoint, out):
    search = CASES[case](checkpoint).fit(X, y)
    result = summary(search)
    if search.get_params().get("acq_func") == "EIps":
        result["costs"] = search.optimizer_.costs.tolist()  # as the model was told
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
