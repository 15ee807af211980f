#!/usr/bin/env python
"""Benchmark tuning gradient boosting: skhyper's early stopping and continued rounds.

Side by side in one process, ``n_jobs=1`` and one thread per booster, on the
same train/test split, the same 3 CV folds and the same search space per
library:

* ``random`` -- scikit-learn ``RandomizedSearchCV(n_iter=N)``, the rounds
  fixed at ``CAP``;
* ``sk-halving`` -- scikit-learn ``HalvingRandomSearchCV(resource=<rounds>,
  max_resources=CAP, factor=3)``: every rung refits its rounds from scratch;
* ``optuna`` -- ``optuna_integration.OptunaSearchCV(n_trials=N)`` (TPE), the
  rounds fixed at ``CAP``;
* ``lgb-tuner`` -- Optuna's ``LightGBMTunerCV`` (LightGBM tasks only), with
  early stopping and a time budget equal to ``random``'s wall time;
* ``skh-bayes-es`` -- ``skhyper.BayesSearchCV(n_iter=N,
  early_stopping=EarlyStopping(scale_rounds=False))``, the rounds capped at
  ``CAP`` (the refit trains the folds' median rounds: ``EarlyStopping()``'s
  rule until 1a9755a, kept so that the recorded rows can be rerun);
* ``skh-halving`` -- ``skhyper.SuccessiveHalvingSearchCV(resource=
  "n_estimators", max_resources=CAP, factor=3)``: promoted fold models
  continue their rounds;
* opt-in (``--methods``): ``skh-bayes-es-score`` -- ``skh-bayes-es`` with
  ``EarlyStopping(monitor="score")``: every fold stops on the search's scorer;
  ``skh-bayes-es-scaled`` -- with ``EarlyStopping(refit_rounds="median",
  scale_rounds=True)``: the same search, its refit trains the folds' rounds
  scaled to all the data (the default from 1a9755a; since
  ``refit_rounds="auto"``, the default for regressors);
  ``skh-bayes-es-cap`` -- with ``EarlyStopping(refit_rounds="cap")``: the
  same search, its refit trains ``CAP`` rounds (what ``"auto"``, the
  default, does for the classification tasks); ``skh-bayes-es-score-scaled``
  and ``skh-bayes-es-score-cap`` -- the folds stop on the scorer, the refit
  as named; any of them with ``-eips`` appended proposes by expected
  improvement per second (``acq_func="EIps"``), and then ``-fs`` stops the
  folds of hopeless candidates (``fold_stopping="predictive"``).

Every fit counts the boosting rounds it trained (rounds a continued model
already had are not counted), so a halving run's rounds can be compared with
its schedule's arithmetic floor: every candidate of rung ``i`` trains
``r_i - r_{i-1}`` more rounds on each fold.

Tasks: ``clf-lgbm`` (binary, 30 features, ROC AUC, LightGBM), ``reg-xgb``
(Friedman #1 with 20 noise features, R2, XGBoost), ``multi-hgb`` (4 skewed
classes, covtype-like, accuracy, HistGradientBoostingClassifier), all
synthetic (scikit-learn bundles no dataset of 20k+ rows offline); and, opt-in
(``--tasks``), ``reg-diamonds-cat``: the 53,940 diamonds of ggplot2, which
plotnine's wheel bundles (``pip install plotnine``; only the CSV is read),
log price from 9 features (cut, colour and clarity as ordinal codes), R2,
CatBoost; ``clf-xgb`` and ``multi-cat``: the data of ``clf-lgbm`` and
``multi-hgb`` with XGBoost and CatBoost classifiers. Every seed draws its
own data (its ``--rows`` of the diamonds without replacement), split and
folds.

Run (the first run of docs/benchmarks.md: 3 seeds, N=5, CAP=90, 20k rows; one
process per task, side by side; every later run's command is printed above
its table there)::

    for task in clf-lgbm reg-xgb multi-hgb; do
        OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_benchmark.py \
            --seeds 3 --tasks $task --out benchmarks/results/boosting/$task &
    done; wait

Adding seeds to a finished run, two processes appending to the same ``--out``
(rows already there are skipped)::

    python benchmarks/boosting_benchmark.py --seed-ids 2 3 ... --out DIR &
    python benchmarks/boosting_benchmark.py --seed-ids 4 ... --out DIR &

Full size (5 seeds, N=20, CAP=500, 50k rows)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_benchmark.py \
        --seeds 5 --n-iter 20 --cap 500 --rows 50000 --out benchmarks/results/boosting-full

Report (Markdown medians, then skhyper's methods paired by seed with each peer)::

    python benchmarks/boosting_benchmark.py --report --out benchmarks/results/boosting

A run of variants only (``-eips``, ``-fs``) beside their base method, chained
to the peers of a recorded run of the same seeds: CPU relative to the
recorded ``random`` is (variant / base, this run) x (base / random,
recorded), so that runs under different loads compare::

    python benchmarks/boosting_benchmark.py --report --out DIR --recorded RECORDED_DIR ...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import catboost
import lightgbm as lgb
import numpy as np
import xgboost as xgb
from scipy import stats
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import get_scorer, roc_auc_score
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

METHODS = ("random", "sk-halving", "optuna", "lgb-tuner", "skh-bayes-es", "skh-halving")
# Opt-in (--methods): skh-bayes-es watching the scorer, refitting on scaled rounds or
# at the cap, or both; any with "-vF" appended holds out the fraction F of each fold (0.1
# otherwise).
EXTRA_METHODS = ("skh-bayes-es-score", "skh-bayes-es-scaled", "skh-bayes-es-scaled-v0.3",
                 "skh-bayes-es-cap", "skh-bayes-es-score-scaled", "skh-bayes-es-score-cap",
                 "skh-bayes-es-scaled-eips", "skh-bayes-es-cap-eips",
                 "skh-bayes-es-score-cap-eips", "skh-bayes-es-scaled-fs",
                 "skh-bayes-es-cap-fs", "skh-bayes-es-scaled-eips-fs",
                 "skh-bayes-es-cap-eips-fs", "skh-bayes-es-score-cap-fs")
#: Suffixes of the opt-in methods that add a setting to another method
#: (``-eips``: per second; ``-fs``: fold stopping): the report pairs each with
#: the method without it.
VARIANTS = ("-eips", "-fs")
TRAINED = [0]  # rounds trained by every fit of this process


def _count(before, after):
    TRAINED[0] += int(after) - int(before)


# -- boosters that count their rounds -------------------------------------------------


class CountingLGBMClassifier(lgb.LGBMClassifier):
    def fit(self, X, y, **kwargs):
        init = kwargs.get("init_model")
        before = init.current_iteration() if init is not None else 0
        super().fit(X, y, **kwargs)
        _count(before, self.booster_.current_iteration())
        return self


def _xgb_fit(parent):
    def fit(self, X, y, **kwargs):
        init = kwargs.get("xgb_model")
        before = init.num_boosted_rounds() if init is not None else 0
        parent.fit(self, X, y, **kwargs)
        _count(before, self.get_booster().num_boosted_rounds())
        return self
    return fit


class CountingXGBRegressor(xgb.XGBRegressor):
    fit = _xgb_fit(xgb.XGBRegressor)


class CountingXGBClassifier(xgb.XGBClassifier):
    fit = _xgb_fit(xgb.XGBClassifier)


class CountingHGB(HistGradientBoostingClassifier):
    def fit(self, X, y, **kwargs):
        before = getattr(self, "n_iter_", 0) if self.warm_start else 0
        super().fit(X, y, **kwargs)
        _count(before, self.n_iter_)
        return self


def _catboost_fit(parent):
    def fit(self, X, y=None, **kwargs):
        init = kwargs.get("init_model")
        before = init.tree_count_ if init is not None else 0
        parent.fit(self, X, y, **kwargs)
        _count(before, self.tree_count_)
        return self
    return fit


class CountingCatBoostRegressor(catboost.CatBoostRegressor):
    fit = _catboost_fit(catboost.CatBoostRegressor)


class CountingCatBoostClassifier(catboost.CatBoostClassifier):
    fit = _catboost_fit(catboost.CatBoostClassifier)


# -- tasks --------------------------------------------------------------------------


def _space(kind):
    """``[(name, low, high, log, integer)]`` of each library (scale-free names)."""
    common = [("learning_rate", 0.02, 0.3, True, False)]
    if kind == "lgbm":
        return common + [("num_leaves", 8, 128, True, True),
                         ("min_child_samples", 5, 100, True, True),
                         ("colsample_bytree", 0.5, 1.0, False, False),
                         ("reg_lambda", 1e-3, 10.0, True, False)]
    if kind == "xgb":
        return common + [("max_depth", 3, 10, False, True),
                         ("min_child_weight", 1.0, 20.0, True, False),
                         ("colsample_bytree", 0.5, 1.0, False, False),
                         ("reg_lambda", 1e-3, 10.0, True, False)]
    if kind == "cat":
        return common + [("depth", 4, 8, False, True),
                         ("l2_leaf_reg", 0.1, 30.0, True, False),
                         ("rsm", 0.5, 1.0, False, False),
                         ("bagging_temperature", 0.0, 1.0, False, False)]
    return common + [("max_leaf_nodes", 8, 128, True, True),
                     ("min_samples_leaf", 5, 100, True, True),
                     ("l2_regularization", 1e-3, 10.0, True, False)]


def scipy_space(kind):
    space = {}
    for name, low, high, log, integer in _space(kind):
        if integer:
            space[name] = stats.randint(low, high + 1) if not log else _IntLog(low, high)
        else:
            space[name] = stats.loguniform(low, high) if log else stats.uniform(low, high - low)
    return space


class _IntLog:
    """A log-uniform integer distribution with ``rvs`` (scipy has none)."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def rvs(self, size=None, random_state=None):
        rng = np.random.default_rng(random_state) if not hasattr(random_state, "uniform") \
            else random_state
        value = np.exp(rng.uniform(np.log(self.low), np.log(self.high + 1), size=size))
        return np.floor(value).astype(int) if size is not None else int(value)


def optuna_space(kind):
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        name: (IntDistribution(low, high, log=log) if integer
               else FloatDistribution(low, high, log=log))
        for name, low, high, log, integer in _space(kind)
    }


def skhyper_space(kind):
    from skhyper import Integer, Real

    return {
        name: (Integer(low, high, prior="log-uniform" if log else "uniform") if integer
               else Real(low, high, prior="log-uniform" if log else "uniform"))
        for name, low, high, log, integer in _space(kind)
    }


def _binary(rows, seed):
    """The binary task's data (30 features, 12 informative, 5 % flipped)."""
    return make_classification(rows, n_features=30, n_informative=12, n_redundant=6,
                               flip_y=0.05, class_sep=0.7, random_state=1000 + seed)


def _skewed4(rows, seed):
    """The 4-class task's data (skewed classes, covtype-like)."""
    return make_classification(rows, n_features=20, n_informative=14, n_classes=4,
                               n_clusters_per_class=2, weights=[0.45, 0.4, 0.1, 0.05],
                               random_state=1000 + seed)


def make_task(name, rows, seed):
    """``(X_train, X_test, y_train, y_test, estimator factory, kind, scoring, cv)``."""
    if name == "clf-lgbm":
        X, y = _binary(rows, seed)
        factory = lambda cap: CountingLGBMClassifier(n_estimators=cap, n_jobs=1, verbose=-1,  # noqa: E731
                                       random_state=seed)
        kind, scoring, classifier = "lgbm", "roc_auc", True
    elif name == "reg-xgb":
        X, y = make_friedman1(rows, n_features=25, noise=1.0, random_state=1000 + seed)
        factory = lambda cap: CountingXGBRegressor(n_estimators=cap, nthread=1, tree_method="hist",  # noqa: E731
                                      random_state=seed)
        kind, scoring, classifier = "xgb", "r2", False
    elif name == "multi-hgb":
        X, y = _skewed4(rows, seed)
        factory = lambda cap: CountingHGB(max_iter=cap, early_stopping=False,  # noqa: E731
                                          random_state=seed)
        kind, scoring, classifier = "hgb", "accuracy", True
    elif name == "clf-xgb":  # clf-lgbm's data, XGBoost
        X, y = _binary(rows, seed)
        factory = lambda cap: CountingXGBClassifier(  # noqa: E731
            n_estimators=cap, nthread=1, tree_method="hist", random_state=seed)
        kind, scoring, classifier = "xgb", "roc_auc", True
    elif name == "multi-cat":  # multi-hgb's data, CatBoost
        X, y = _skewed4(rows, seed)
        factory = lambda cap: CountingCatBoostClassifier(  # noqa: E731
            iterations=cap, thread_count=1, random_seed=seed, verbose=0,
            allow_writing_files=False)
        kind, scoring, classifier = "cat", "accuracy", True
    elif name == "reg-diamonds-cat":
        X, y = diamonds(rows, seed)
        factory = lambda cap: CountingCatBoostRegressor(  # noqa: E731
            iterations=cap, thread_count=1, random_seed=seed, verbose=0,
            allow_writing_files=False)
        kind, scoring, classifier = "cat", "r2", False
    else:
        raise ValueError(name)
    split = train_test_split(X, y, test_size=0.25, random_state=seed,
                             stratify=y if classifier else None)
    cv_cls = StratifiedKFold if classifier else KFold
    folds = list(cv_cls(3, shuffle=True, random_state=seed).split(split[0], split[2]))
    return (*split, factory, kind, scoring, folds)


def diamonds(rows, seed):
    """``rows`` diamonds drawn for ``seed``: ``X`` (9 features) and log price."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("plotnine")  # finds it without importing it
    if spec is None:
        raise SystemExit("reg-diamonds-cat reads plotnine's bundled diamonds: "
                         "pip install plotnine")
    order = {"cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
             "color": list("JIHGFED"),
             "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]}
    with open(Path(spec.origin).parent / "data" / "diamonds.csv", newline="") as f:
        table = list(csv.DictReader(f))
    columns = ["carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"]
    X = np.array([[order[c].index(row[c]) if c in order else float(row[c])
                   for c in columns] for row in table])
    y = np.log(np.array([float(row["price"]) for row in table]))
    take = np.random.default_rng(1000 + seed).choice(len(y), min(rows, len(y)),
                                                     replace=False)
    return X[take], y[take]


TASKS = ("clf-lgbm", "reg-xgb", "multi-hgb")
ROUNDS = {"lgbm": "n_estimators", "xgb": "n_estimators", "hgb": "max_iter",
          "cat": "iterations"}


# -- methods ------------------------------------------------------------------------


def run_method(method, task, args, seed):
    """One run: ``dict`` of scores, wall time and rounds, or None if it does not apply."""
    X, X_test, y, y_test, factory, kind, scoring, folds = make_task(task, args.rows, seed)
    cap, n_iter = args.cap, args.n_iter
    if method == "lgb-tuner" and kind != "lgbm":
        return None
    TRAINED[0] = 0
    floor = None
    first = halving_candidates(n_iter)
    start, start_cpu = time.perf_counter(), time.process_time()
    if method == "random":
        search = RandomizedSearchCV(factory(cap), scipy_space(kind), n_iter=n_iter,
                                    cv=folds, scoring=scoring, random_state=seed).fit(X, y)
        model, cv_score = search.best_estimator_, search.best_score_
    elif method == "sk-halving":
        search = HalvingRandomSearchCV(
            factory(cap), scipy_space(kind), resource=ROUNDS[kind], max_resources=cap,
            min_resources=max(1, cap // first), factor=3, n_candidates=first, cv=folds,
            scoring=scoring, random_state=seed).fit(X, y)
        model, cv_score = search.best_estimator_, search.best_score_
        floor = _floor(search.n_resources_, search.n_candidates_, len(folds), cap,
                       continued=False)
    elif method == "optuna":
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        search = OptunaSearchCV(factory(cap), optuna_space(kind), n_trials=n_iter,
                                cv=folds, scoring=scoring, random_state=seed,
                                verbose=0).fit(X, y)
        model, cv_score = search.best_estimator_, search.best_score_
    elif method == "lgb-tuner":
        model, cv_score = _lgb_tuner(X, y, folds, cap, seed, args.tuner_budget)
        TRAINED[0] = None  # its cross-validation rounds are not counted
    elif method.startswith("skh-bayes-es"):
        from skhyper import BayesSearchCV
        from skhyper.boosting import EarlyStopping

        # skh-bayes-es keeps the rule its recorded rows were measured with
        # (the default before 1a9755a); skh-bayes-es-scaled and -cap name their rule.
        # A last part "-vF" sets the validation fraction (0.1 otherwise).
        name, _, fraction = method.partition("-v")
        # "score", "scaled", "cap", "eips" (acq_func="EIps"), "fs"
        # (fold_stopping="predictive"), in any combination
        flags = name.split("-")[3:]
        stopping = EarlyStopping(monitor="score" if "score" in flags else "loss",
                                 scale_rounds="scaled" in flags,
                                 refit_rounds="cap" if "cap" in flags else "median",
                                 validation_fraction=float(fraction or 0.1))
        search = BayesSearchCV(factory(cap), skhyper_space(kind), n_iter=n_iter, cv=folds,
                               scoring=scoring, early_stopping=stopping,
                               acq_func="EIps" if "eips" in flags else "EI",
                               fold_stopping="predictive" if "fs" in flags else None,
                               random_state=seed).fit(X, y)
        model, cv_score = search.best_estimator_, search.best_score_
    elif method == "skh-halving":
        from skhyper import SuccessiveHalvingSearchCV

        search = SuccessiveHalvingSearchCV(
            factory(cap), skhyper_space(kind), resource="n_estimators", max_resources=cap,
            min_resources=max(1, cap // first), factor=3, n_candidates=first, cv=folds,
            scoring=scoring, random_state=seed).fit(X, y)
        model, cv_score = search.best_estimator_, search.best_score_
        floor = _floor(search.n_resources_, search.n_candidates_, len(folds), cap,
                       continued=True)
    else:
        raise ValueError(method)
    wall = time.perf_counter() - start
    # One process, one thread per booster: its CPU time is the search's cost,
    # whatever else the machine runs meanwhile.
    cpu = time.process_time() - start_cpu
    if method == "lgb-tuner":
        test = roc_auc_score(y_test, model.predict(X_test))
    else:
        test = get_scorer(scoring)(model, X_test, y_test)
    return {"task": task, "method": method, "seed": seed, "test_score": float(test),
            "cv_score": float(cv_score), "wall": wall, "cpu": cpu, "rounds": TRAINED[0],
            "floor": floor}


def halving_candidates(n_iter):
    """The halving searches' first rung: the smallest power of 3 of at least
    ``n_iter`` candidates (9 for 5, 27 for 20), so that they look at no fewer
    candidates than the searches that fit every one of them at full rounds."""
    first = 3
    while first < n_iter:
        first *= 3
    return first


def _floor(resources, candidates, n_splits, cap, continued):
    """Rounds the schedule needs: every fold of every candidate, plus the refit."""
    total, done = 0, 0
    for r, n in zip(resources, candidates):
        total += n * n_splits * ((r - done) if continued else r)
        done = r
    return total + resources[-1]


def _lgb_tuner(X, y, folds, cap, seed, budget):
    import lightgbm as lgb
    import optuna
    from optuna_integration.lightgbm import LightGBMTunerCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = {"objective": "binary", "metric": "auc", "verbosity": -1,
              "num_threads": 1, "seed": seed, "learning_rate": 0.1}
    tuner = LightGBMTunerCV(
        params, lgb.Dataset(X, y), num_boost_round=cap, folds=folds,
        callbacks=[lgb.early_stopping(20, verbose=False)], time_budget=budget,
        optuna_seed=seed, show_progress_bar=False, return_cvbooster=True,
    )
    tuner.run()
    booster = tuner.get_best_booster()
    rounds = booster.best_iteration or cap
    final = lgb.train({**params, **tuner.best_params}, lgb.Dataset(X, y),
                      num_boost_round=rounds)
    return final, tuner.best_score


# -- driver and report ---------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="benchmarks/results/boosting")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed-ids", type=int, nargs="*", default=None,
                        help="run these seeds instead of 0 .. SEEDS-1 (to add seeds in "
                             "parallel processes appending to the same --out)")
    parser.add_argument("--n-iter", type=int, default=5)
    parser.add_argument("--cap", type=int, default=90)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--tuner-budget", type=int, default=None,
                        help="seconds for LightGBMTunerCV (default: random's wall time)")
    parser.add_argument("--tasks", nargs="*", default=list(TASKS))
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--recorded", nargs="*", default=None,
                        help="with --report: directories of recorded runs (the peers "
                             "and the base methods) to chain this run's variants to")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.jsonl"
    if args.report:
        print(report(path) if args.recorded is None else chained(path, args.recorded))
        return
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            done.add((row["task"], row["method"], row["seed"]))
    warnings.filterwarnings("ignore")
    for seed in args.seed_ids if args.seed_ids is not None else range(args.seeds):
        for task in args.tasks:
            random_wall = None
            for method in args.methods:
                if (task, method, seed) in done:
                    continue
                if method == "lgb-tuner" and args.tuner_budget is None:
                    args_m = argparse.Namespace(**{**vars(args),
                                                   "tuner_budget": max(1, round(random_wall or 60))})
                else:
                    args_m = args
                row = run_method(method, task, args_m, seed)
                if row is None:
                    continue
                if method == "random":
                    random_wall = row["wall"]
                row.update(rows=args.rows, cap=args.cap, n_iter=args.n_iter)
                save(path, row)


def save(path, row):
    """Append ``row`` to the JSON-lines file ``path`` and print it."""
    with Path(path).open("a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), flush=True)


def report(path):
    import pandas as pd

    runs = pd.read_json(path, lines=True)
    lines = []
    for task, group in runs.groupby("task", sort=False):
        # Seeds every method of the task finished: medians of the same seeds.
        counts = group.groupby("seed")["method"].nunique()
        group = group[group.seed.isin(counts[counts == group.method.nunique()].index)]
        lines.append(f"\n**{task}** (medians over the seeds every method finished)\n")
        lines.append("| method | seeds | held-out score | CV score | CPU (s) "
                     "| CPU / random | wall / random | rounds trained | rounds / floor |")
        lines.append("|---|---|---|---|---|---|---|---|---|")
        random_rows = group[group.method == "random"].set_index("seed")
        for method in METHODS + EXTRA_METHODS:
            rows = group[group.method == method]
            if rows.empty:
                continue
            ratio = (rows.set_index("seed")["wall"] / random_rows["wall"]).median()
            cpu = rows["cpu"].median() if "cpu" in rows else float("nan")
            cpu_ratio = (rows.set_index("seed")["cpu"] / random_rows["cpu"]).median() \
                if "cpu" in rows else float("nan")
            floor = rows["floor"].dropna()
            per_floor = (rows["rounds"] / rows["floor"]).median() if len(floor) else None
            lines.append(
                f"| {method} | {rows.seed.nunique()} | {rows.test_score.median():.4f} "
                f"| {rows.cv_score.median():.4f} "
                f"| {cpu:.1f} | {cpu_ratio:.2f} | {ratio:.2f} "
            f"| {'n/a' if rows.rounds.isna().all() else int(rows.rounds.median())} "
                f"| {'' if per_floor is None else f'{per_floor:.3f}'} |"
            )
        lines.append(paired(group))
        lines.append(variants(group))
    return "\n".join(lines)


def paired_cell(diff):
    """A report cell for held-out differences paired by seed: the mean, then
    the seeds better / worse."""
    return f"{diff.mean():+.4f} ({(diff > 0).sum()}/{(diff < 0).sum()})"


def base_of(method, present):
    """The method ``method`` adds settings to: its name without the trailing
    ``VARIANTS`` suffixes, removed one at a time until a name in ``present``
    (None if none is)."""
    name = method
    while name.endswith(VARIANTS):
        name = name[:name.rindex("-")]
        if name in present:
            return name
    return None


def variants(group):
    """Each method with added settings (``VARIANTS``) against the method
    without them, paired by seed: the held-out difference, CPU and rounds
    ratios."""
    indexed = group.set_index(["method", "seed"])
    present = set(group.method)
    lines = []
    for method in (m for m in EXTRA_METHODS if m in present):
        base = base_of(method, present)
        if base is None:
            continue
        ours, theirs = indexed.loc[method], indexed.loc[base]
        seeds = ours.index.intersection(theirs.index)
        ours, theirs = ours.loc[seeds], theirs.loc[seeds]
        diff = ours.test_score - theirs.test_score
        lines.append(
            f"| {method} | {base} | {len(seeds)} | {paired_cell(diff)} "
            f"| {(ours.cpu / theirs.cpu).median():.2f} "
            f"| {(ours.rounds / theirs.rounds).median():.2f} |"
        )
    if not lines:
        return ""
    title = ("\nAgainst the same search without the added settings (-eips: per "
             "second, -fs: fold stopping), paired by seed (held-out difference, seeds "
             "better / worse; medians of the ratios):\n")
    return "\n".join([
        title,
        "| method | against | seeds | held-out | CPU ratio | rounds ratio |",
        "|---|---|---|---|---|---|", *lines])


def chained(path, recorded):
    """This run's variants against the peers of recorded runs (directories
    ``recorded``) of the same tasks and seeds: CPU relative to the recorded
    ``random`` as (variant / base in this run) x (base / random recorded),
    so that runs under different loads compare; rounds and held-out scores,
    which do not depend on the load, directly."""
    import pandas as pd

    runs = pd.read_json(path, lines=True)
    old = pd.concat([pd.read_json(Path(d) / "runs.jsonl", lines=True) for d in recorded])
    old = old[~old.set_index(["task", "method", "seed"]).index.duplicated()]
    lines = ["| task | method | seeds | CPU / random | rounds / random | "
             + " | ".join(f"vs {p}" for p in PEERS) + " |",
             "|---|---|---|---|---|" + "---|" * len(PEERS)]
    for task, group in runs.groupby("task", sort=False):
        new = group.pivot_table(index="seed", columns="method", values=["cpu", "rounds",
                                                                         "test_score"])
        rec = old[old.task == task].pivot_table(
            index="seed", columns="method", values=["cpu", "rounds", "test_score"])
        for method in (m for m in EXTRA_METHODS if m in new["cpu"]):
            base = base_of(method, set(new["cpu"]))
            if base is None or base not in rec["cpu"] or "random" not in rec["cpu"]:
                continue
            chain = (new["cpu"][method] / new["cpu"][base]
                     * rec["cpu"][base] / rec["cpu"]["random"]).dropna()
            rounds = (new["rounds"][method] / rec["rounds"]["random"]).dropna()
            cells = []
            for peer in PEERS:
                if peer not in rec["test_score"]:
                    cells.append("")
                    continue
                diff = (new["test_score"][method] - rec["test_score"][peer]).dropna()
                cells.append(paired_cell(diff))
            lines.append(f"| {task} | {method} | {len(chain)} | {chain.median():.2f} "
                         f"| {rounds.median():.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


PEERS = ("random", "sk-halving", "optuna", "lgb-tuner")


def paired(group):
    """skhyper's methods against each peer of one task, paired by seed: the
    mean held-out difference and the seeds better / worse."""
    by_seed = group.pivot_table(index="seed", columns="method", values="test_score")
    peers = [p for p in PEERS if p in by_seed]
    if not peers:
        return ""
    lines = ["\nPaired by seed (mean held-out difference, seeds better / worse):\n",
             "| method | " + " | ".join(f"vs {p}" for p in peers) + " |",
             "|---|" + "---|" * len(peers)]
    for method in (m for m in METHODS + EXTRA_METHODS if m.startswith("skh")):
        if method not in by_seed:
            continue
        cells = []
        for peer in peers:
            diff = (by_seed[method] - by_seed[peer]).dropna()
            cells.append(paired_cell(diff))
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
