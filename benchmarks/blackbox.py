"""Peers that optimize a black-box function rather than wrap a search class.

SMAC3 and FLAML's ``tune`` maximize a function of a configuration; here that
function is the mean CV score on the task's precomputed splits, exactly as
the ``BaseSearchCV`` peers compute it (``cross_validate`` with the same
scorer, ``error_score=nan``). :class:`BlackBoxSearch` turns such an optimizer
into an object the runner treats like a fitted search: ``cv_results_`` rows
in evaluation order (``mean_test_score``, ``mean_fit_time``,
``mean_score_time``, ``split{k}_test_score``, ``params``), ``best_params_``,
the best configuration refitted on the whole training set, ``score``.

Categorical choices are handed to the optimizers as the strings ``"0"``,
``"1"``, ... (their positions), so that choices such as ``None`` pass through
ConfigSpace unchanged.
"""

from __future__ import annotations

import tempfile
import time

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import cross_validate

__all__ = ["BlackBoxSearch", "run_smac", "run_flaml"]


class BlackBoxSearch:
    """A search run by ``driver(space, objective, n_iter, seed)``.

    ``objective(params) -> mean CV score`` (higher is better, ``nan`` for a
    failed fit); the driver calls it ``n_iter`` times.
    """

    def __init__(self, driver, estimator, space, *, n_iter, cv, scoring, seed):
        self.driver = driver
        self.estimator = estimator
        self.space = space
        self.n_iter = n_iter
        self.cv = cv
        self.scoring = scoring
        self.seed = seed

    def _evaluate(self, X, y, params, rows):
        estimator = clone(self.estimator).set_params(**params)
        out = cross_validate(
            estimator, X, y, cv=self.cv, scoring=self.scorer_, error_score=np.nan
        )
        rows.append((params, out))
        score = float(np.mean(out["test_score"]))
        return score if np.isfinite(score) else np.nan

    def fit(self, X, y):
        self.scorer_ = check_scoring(self.estimator, scoring=self.scoring)
        rows = []
        self.driver(self.space, lambda p: self._evaluate(X, y, p, rows),
                    self.n_iter, self.seed)
        rows = rows[: self.n_iter]
        self.n_splits_ = len(rows[0][1]["test_score"])
        self.cv_results_ = _results(rows)
        scores = np.where(np.isfinite(self.cv_results_["mean_test_score"]),
                          self.cv_results_["mean_test_score"], -np.inf)
        self.best_index_ = int(np.argmax(scores))
        self.best_params_ = self.cv_results_["params"][self.best_index_]
        started = time.perf_counter()
        self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_)
        self.best_estimator_.fit(X, y)
        self.refit_time_ = time.perf_counter() - started
        return self

    def score(self, X, y):
        return self.scorer_(self.best_estimator_, X, y)


def _results(rows):
    tests = np.array([out["test_score"] for _, out in rows], dtype=float)
    results = {
        "mean_test_score": tests.mean(axis=1),
        "mean_fit_time": np.array([np.mean(out["fit_time"]) for _, out in rows]),
        "mean_score_time": np.array([np.mean(out["score_time"]) for _, out in rows]),
        "params": [params for params, _ in rows],
    }
    for k in range(tests.shape[1]):
        results[f"split{k}_test_score"] = tests[:, k]
    return results


def _decode(space, config):
    params = {}
    for p in space:
        value = config[p.name]
        if p.kind == "cat":
            params[p.name] = p.choices[int(value)]
        elif p.kind == "int":
            params[p.name] = int(round(value))
        else:
            params[p.name] = float(value)
    return params


# -- SMAC3 -----------------------------------------------------------------


def _configspace(space, seed):
    from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer

    cs = ConfigurationSpace(seed=seed)
    for p in space:
        if p.kind == "cat":
            cs.add(Categorical(p.name, [str(i) for i in range(len(p.choices))]))
        elif p.kind == "int":
            cs.add(Integer(p.name, (int(p.low), int(p.high)), log=p.log))
        else:
            cs.add(Float(p.name, (float(p.low), float(p.high)), log=p.log))
    return cs


def run_smac(facade_name):
    """A driver running SMAC3's ``facade_name`` facade with its defaults."""

    def driver(space, objective, n_iter, seed):
        import smac

        facade = getattr(smac, facade_name)
        with tempfile.TemporaryDirectory() as out:
            scenario = smac.Scenario(
                _configspace(space, seed), deterministic=True, n_trials=n_iter,
                seed=seed, output_directory=out,
            )

            def cost(config, seed=0):
                score = objective(_decode(space, dict(config)))
                # SMAC minimizes; a failed fit costs more than any score.
                return 1e6 if not np.isfinite(score) else -score

            facade(scenario, cost, overwrite=True, logging_level=40).optimize()

    return driver


# -- FLAML -----------------------------------------------------------------


def _flaml_config(space):
    from flaml import tune

    config = {}
    for p in space:
        if p.kind == "cat":
            config[p.name] = tune.choice([str(i) for i in range(len(p.choices))])
        elif p.kind == "int":
            make = tune.lograndint if p.log else tune.randint
            config[p.name] = make(int(p.low), int(p.high) + 1)
        else:
            make = tune.loguniform if p.log else tune.uniform
            config[p.name] = make(float(p.low), float(p.high))
    return config


def run_flaml(space, objective, n_iter, seed):
    """FLAML's ``tune.run`` with its default searcher, BlendSearch, seeded."""
    from flaml import tune
    from flaml.tune.searcher.blendsearch import BlendSearch

    config = _flaml_config(space)
    searcher = BlendSearch(metric="score", mode="max", space=config, seed=seed)

    def evaluate(cfg):
        score = objective(_decode(space, cfg))
        return {"score": score if np.isfinite(score) else -1e6}

    tune.run(evaluate, config=config, metric="score", mode="max",
             search_alg=searcher, num_samples=n_iter, verbose=0, use_ray=False)
