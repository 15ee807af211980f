"""The search methods under comparison, behind one small adapter interface.

Each method is a :class:`Method` with

* ``check()``: ``(True, version)`` if it can run here, ``(False, reason)`` if
  not (missing package, missing class, ...). A missing method is reported as
  unavailable; it never stops the run;
* ``build(...)``: an unfitted search object with the common settings
  (same estimator, same space, same precomputed CV splits, same budget,
  same scorer, ``refit=True``, ``error_score=nan``);
* ``evaluations(search)``: the evaluations in the order they were made, each
  as ``(mean_cv_score, sum_fit_time, sum_score_time, params)``;
* ``finish_times(search, search_time)``: seconds from the start of the
  search to the end of each evaluation, in the same order, or ``None``
  where the method does not say (for comparing best scores at a fixed wall
  time); ``search_time`` is the search's wall time without the refit.

Every peer runs with its *default* optimizer settings (initial design size,
acquisition function, kernel, ...): the benchmark compares what a user gets
from a one-line change, not a tuned configuration.
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks.spaces import plain, to_optuna, to_scipy, to_skhyper, to_skopt

__all__ = ["METHODS", "DEFAULT_METHODS", "Method", "get_method"]


def _version(dist):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _from_cv_results(search):
    """Evaluations of a BaseSearchCV, in the order they were made.

    ``cv_results_`` rows are appended in evaluation order by
    ``evaluate_candidates``; per-candidate totals are ``mean * n_splits``.
    """
    r = search.cv_results_
    n_splits = getattr(search, "n_splits_", None)
    if n_splits is None:
        n_splits = sum(
            1 for k in r if k.startswith("split") and k.endswith("_test_score")
        )
    out = []
    for i, score in enumerate(r["mean_test_score"]):
        out.append(
            (
                float(score),
                float(r["mean_fit_time"][i]) * n_splits,
                float(r["mean_score_time"][i]) * n_splits,
                plain(r["params"][i]),
            )
        )
    return out


def _effective_jobs(n_jobs):
    if n_jobs is None:
        return 1
    if n_jobs < 0:
        import joblib

        return max(1, joblib.cpu_count() + 1 + n_jobs)
    return max(1, n_jobs)


def _int_points(n_points, n_jobs):
    """``n_points="auto"`` means one candidate per joblib worker (skhyper's rule)."""
    if n_points == "auto":
        return _effective_jobs(n_jobs)
    return max(1, int(n_points))


class Method:
    name = None
    description = ""
    #: how many evaluations can run at once for a given n_jobs/n_points/n_folds;
    #: used to turn summed fit times into wall-clock time (see overhead docs).
    batch_parallel = True

    def check(self):
        raise NotImplementedError

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        raise NotImplementedError

    def evaluations(self, search):
        return _from_cv_results(search)

    def finish_times(self, search, search_time):
        return None

    def parallelism(self, n_jobs, n_points, n_folds):
        """Fits that can run at the same time (upper bound used for overhead)."""
        n_jobs = _effective_jobs(n_jobs)
        return max(1, min(n_jobs, _int_points(n_points, n_jobs) * n_folds))


class RandomSearch(Method):
    name = "random"
    description = "scikit-learn RandomizedSearchCV"

    def check(self):
        import sklearn

        return True, f"scikit-learn {sklearn.__version__}"

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            estimator,
            to_scipy(space),
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            cv=cv,
            refit=True,
            random_state=seed,
            error_score=np.nan,
        )

    def parallelism(self, n_jobs, n_points, n_folds):
        # all candidates are dispatched at once
        return _effective_jobs(n_jobs)


class _Timeline:
    """A skhyper callback noting when each evaluation finished; never stops.

    Called after every batch (every evaluation, asynchronously) with the
    number evaluated so far and the seconds since the search started.
    """

    def __init__(self):
        self.marks = []

    def __call__(self, progress):
        self.marks.append((progress.n_evaluated, progress.elapsed))
        return False

    def finish_times(self, n, end):
        """Per evaluation; those after the last call (the last batch) get ``end``."""
        times, done = [], 0
        for n_evaluated, elapsed in self.marks:
            times.extend([elapsed] * (min(n_evaluated, n) - done))
            done = max(done, min(n_evaluated, n))
        return times + [end] * (n - len(times))


class SkhyperBayes(Method):
    name = "skhyper"
    description = "skhyper BayesSearchCV"

    def check(self):
        try:
            import skhyper
        except Exception as exc:  # noqa: BLE001 - any import failure means unavailable
            return False, f"import skhyper failed: {exc!r}"
        if not hasattr(skhyper, "BayesSearchCV"):
            return (
                False,
                f"skhyper {getattr(skhyper, '__version__', '?')} has no BayesSearchCV",
            )
        return True, f"skhyper {getattr(skhyper, '__version__', '?')}"

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        from skhyper import BayesSearchCV

        return BayesSearchCV(
            estimator,
            to_skhyper(space),
            n_iter=n_iter,
            n_points=n_points,
            scoring=scoring,
            n_jobs=n_jobs,
            cv=cv,
            refit=True,
            random_state=seed,
            error_score=np.nan,
            callbacks=[_Timeline()],
        )

    def finish_times(self, search, search_time):
        n = len(search.cv_results_["params"])
        return search.callbacks[0].finish_times(n, search_time)


class SkhyperAsync(SkhyperBayes):
    """skhyper BayesSearchCV(asynchronous=True): a candidate per freed worker.

    Not among the default methods (its results depend on timing). Its
    ``cv_results_`` rows are in the order evaluations finished, so the
    checkpoints count the first evaluations to finish.
    """

    name = "skhyper-async"
    description = "skhyper BayesSearchCV(asynchronous=True)"

    def build(self, estimator, space, **kwargs):
        search = super().build(estimator, space, **kwargs)
        return search.set_params(asynchronous=True)

    def parallelism(self, n_jobs, n_points, n_folds):
        return _effective_jobs(n_jobs)


class SkhyperTPE(SkhyperBayes):
    """skhyper BayesSearchCV(surrogate="tpe"); not among the default methods."""

    name = "skhyper-tpe"
    description = "skhyper BayesSearchCV(surrogate='tpe')"

    def build(self, estimator, space, **kwargs):
        search = super().build(estimator, space, **kwargs)
        return search.set_params(surrogate="tpe")


class SkhyperRescore(SkhyperBayes):
    """skhyper BayesSearchCV(rescore=3); not among the default methods.

    Its ``cv_results_`` ends with the three re-scored rows (other folds):
    compare its held-out score, not its normalized CV curve.
    """

    name = "skhyper-rescore3"
    description = "skhyper BayesSearchCV(rescore=3)"

    def build(self, estimator, space, **kwargs):
        # rescore reshuffles a splitter: the tasks' folds as one (every task's
        # folds are the shuffled K-fold of seed 0 of its training part).
        from sklearn.base import is_classifier
        from sklearn.model_selection import KFold, StratifiedKFold

        folds = kwargs["cv"]
        kind = StratifiedKFold if is_classifier(estimator) else KFold
        kwargs["cv"] = kind(len(folds), shuffle=True, random_state=0)
        search = super().build(estimator, space, **kwargs)
        return search.set_params(rescore=3)


class SkoptBayes(Method):
    name = "skopt"
    description = "scikit-optimize BayesSearchCV (GP, gp_hedge)"

    def check(self):
        try:
            import skopt  # noqa: F401
            from skopt import BayesSearchCV  # noqa: F401
        except Exception as exc:  # noqa: BLE001
            return False, f"import skopt failed: {exc!r}"
        return True, f"scikit-optimize {_version('scikit-optimize')}"

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        from skopt import BayesSearchCV

        return BayesSearchCV(
            estimator,
            to_skopt(space),
            n_iter=n_iter,
            n_points=_int_points(n_points, n_jobs),
            scoring=scoring,
            n_jobs=n_jobs,
            cv=cv,
            refit=True,
            random_state=seed,
            error_score=np.nan,
        )


class OptunaSearch(Method):
    """optuna_integration.OptunaSearchCV with a given sampler.

    OptunaSearchCV has no ``n_points``: with ``n_jobs > 1`` it runs ``n_jobs``
    trials at once in threads (each trial's CV folds run one after the
    other), so its parallelism is ``n_jobs`` trials.
    """

    sampler = None

    def check(self):
        try:
            import optuna
            from optuna_integration import OptunaSearchCV  # noqa: F401
        except Exception as exc:  # noqa: BLE001
            return False, f"import optuna/optuna_integration failed: {exc!r}"
        try:
            import pandas  # noqa: F401  (OptunaSearchCV needs it at fit time)
        except ImportError:
            return False, "OptunaSearchCV needs pandas (pip install pandas)"
        if self.sampler == "gp":
            if not hasattr(optuna.samplers, "GPSampler"):
                return False, f"optuna {optuna.__version__} has no GPSampler"
            try:
                import torch  # noqa: F401
            except ImportError:
                return False, "optuna GPSampler needs torch (pip install torch)"
        return True, (
            f"optuna {optuna.__version__}, optuna-integration {_version('optuna-integration')}"
        )

    def _make_sampler(self, seed):
        import optuna

        if self.sampler == "gp":
            return optuna.samplers.GPSampler(seed=seed)
        return optuna.samplers.TPESampler(seed=seed)

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize", sampler=self._make_sampler(seed)
        )
        return OptunaSearchCV(
            estimator,
            to_optuna(space),
            n_trials=n_iter,
            scoring=scoring,
            n_jobs=n_jobs or 1,
            cv=cv,
            refit=True,
            random_state=seed,
            error_score=np.nan,
            study=study,
        )

    def evaluations(self, search):
        out = []
        for trial in sorted(search.study_.trials, key=lambda t: t.number):
            a = trial.user_attrs
            score = a.get("mean_test_score", trial.value)
            score = math.nan if score is None else float(score)
            n = (
                sum(1 for k in a if k.startswith("split") and k.endswith("_test_score"))
                or 1
            )
            fit = a.get("mean_fit_time", math.nan)
            sc = a.get("mean_score_time", math.nan)
            out.append(
                (
                    score,
                    float(fit) * n if fit is not None else math.nan,
                    float(sc) * n if sc is not None else math.nan,
                    plain(trial.params),
                )
            )
        return out

    def parallelism(self, n_jobs, n_points, n_folds):
        return _effective_jobs(n_jobs)


class OptunaTPE(OptunaSearch):
    name = "optuna-tpe"
    description = "Optuna OptunaSearchCV, TPESampler (defaults)"
    sampler = "tpe"


class OptunaGP(OptunaSearch):
    name = "optuna-gp"
    description = "Optuna OptunaSearchCV, GPSampler (defaults)"
    sampler = "gp"


class _BlackBox(Method):
    """A peer that optimizes a function (``benchmarks/blackbox.py``); runs
    its evaluations one at a time, whatever ``n_jobs``."""

    package = None

    def check(self):
        try:
            __import__(self.package)
        except Exception as exc:  # noqa: BLE001
            return False, f"import {self.package} failed: {exc!r}"
        return True, f"{self.package} {_version(self.package)}"

    def driver(self):
        raise NotImplementedError

    def build(self, estimator, space, *, n_iter, n_points, n_jobs, cv, scoring, seed):
        from benchmarks.blackbox import BlackBoxSearch

        return BlackBoxSearch(self.driver(), estimator, space, n_iter=n_iter,
                              cv=cv, scoring=scoring, seed=seed)

    def parallelism(self, n_jobs, n_points, n_folds):
        return 1


class SmacGP(_BlackBox):
    name = "smac-gp"
    description = "SMAC3 BlackBoxFacade (GP, defaults)"
    package = "smac"

    def driver(self):
        from benchmarks.blackbox import run_smac

        return run_smac("BlackBoxFacade")


class SmacRF(SmacGP):
    name = "smac-rf"
    description = "SMAC3 HyperparameterOptimizationFacade (random forest, defaults)"

    def driver(self):
        from benchmarks.blackbox import run_smac

        return run_smac("HyperparameterOptimizationFacade")


class Flaml(_BlackBox):
    name = "flaml"
    description = "FLAML tune.run, BlendSearch (defaults)"
    package = "flaml"

    def driver(self):
        from benchmarks.blackbox import run_flaml

        return run_flaml


METHODS = {
    m.name: m
    for m in (SkhyperBayes(), RandomSearch(), SkoptBayes(), OptunaTPE(), OptunaGP(),
              SkhyperAsync(), SkhyperTPE(), SkhyperRescore(), SmacGP(), SmacRF(), Flaml())
}
DEFAULT_METHODS = [
    name for name in METHODS
    if name not in ("skhyper-async", "skhyper-tpe", "skhyper-rescore3")
]


def get_method(name):
    try:
        return METHODS[name]
    except KeyError:
        raise KeyError(
            f"unknown method {name!r}; known: {', '.join(METHODS)}"
        ) from None
