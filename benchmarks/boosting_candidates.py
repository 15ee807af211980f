#!/usr/bin/env python
"""Which candidates an early-stopped Bayesian search proposes, and what they cost.

For each task of ``boosting_benchmark.py`` and seed, runs that benchmark's
``skh-bayes-es-scaled`` search (``BayesSearchCV(n_iter=N,
early_stopping=EarlyStopping(refit_rounds="median"))``, the same split, folds and space) and
records every candidate's learning rate, tree size (``num_leaves``,
``max_depth``, ``depth`` or ``max_leaf_nodes``), its folds' best rounds and
its mean fit time per round; beside them, the candidates
``RandomizedSearchCV(n_iter=N, random_state=seed)`` samples from the same
space (sampling only: what they would cost is ``boosting_benchmark.py``'s).
It shows where an early-stopped search's CPU goes once the rounds no longer
bound it: into the candidates the model finds best.

Run (what docs/benchmarks.md reports; one process, one thread)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_candidates.py \
        --tasks clf-lgbm reg-xgb multi-hgb reg-diamonds-cat --seeds 3 --cap 2000 \
        --out benchmarks/results/boosting-candidates
    python benchmarks/boosting_candidates.py --report --out benchmarks/results/boosting-candidates
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.model_selection import ParameterSampler

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boosting_benchmark import make_task, save, scipy_space, skhyper_space

from skhyper import BayesSearchCV
from skhyper.boosting import EarlyStopping

#: The tree-size parameter of each library's space.
SIZE = {"lgbm": "num_leaves", "xgb": "max_depth", "cat": "depth", "hgb": "max_leaf_nodes"}


def run(task, seed, args):
    """One row per candidate of both searches of ``task`` and ``seed``."""
    X, _, y, _, factory, kind, scoring, folds = make_task(task, args.rows, seed)
    rows = [{"task": task, "seed": seed, "method": "random", "index": i,
             "learning_rate": float(p["learning_rate"]), "size": float(p[SIZE[kind]])}
            for i, p in enumerate(ParameterSampler(scipy_space(kind), args.n_iter,
                                                   random_state=seed))]
    search = BayesSearchCV(factory(args.cap), skhyper_space(kind), n_iter=args.n_iter,
                           cv=folds, scoring=scoring,
                           early_stopping=EarlyStopping(refit_rounds="median"),
                           random_state=seed).fit(X, y)
    results = search.cv_results_
    for i, params in enumerate(results["params"]):
        rounds = [float(results[f"split{k}_best_rounds"][i]) for k in range(len(folds))]
        rows.append({
            "task": task, "seed": seed, "method": "skh-bayes-es-scaled", "index": i,
            "learning_rate": float(params["learning_rate"]),
            "size": float(params[SIZE[kind]]), "fold_rounds": rounds,
            "ms_per_round": 1000 * float(results["mean_fit_time"][i]) / max(np.mean(rounds), 1),
            "cv_score": float(results["mean_test_score"][i]),
            "best": bool(i == search.best_index_),
        })
    return rows


def report(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    lines = [("| task (seeds) | method | learning rate (median) | tree size (median) "
              "| fold best rounds (median) | ms per round (median) | best candidate's rounds |"),
             "|---|---|---|---|---|---|---|"]
    for task in dict.fromkeys(r["task"] for r in rows):
        for method in ("random", "skh-bayes-es-scaled"):
            runs = [r for r in rows if r["task"] == task and r["method"] == method]
            seeds = len({r["seed"] for r in runs})
            rounds = [f for r in runs for f in r.get("fold_rounds", [])]
            best = [np.median(r["fold_rounds"]) for r in runs if r.get("best")]
            lines.append(
                f"| {task} ({seeds}) | {method} "
                f"| {np.median([r['learning_rate'] for r in runs]):.3f} "
                f"| {np.median([r['size'] for r in runs]):.0f} "
                + (f"| {np.median(rounds):.0f} "
                   f"| {np.median([r['ms_per_round'] for r in runs]):.1f} "
                   f"| {np.median(best):.0f} |" if rounds else "| n/a | n/a | n/a |"))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/boosting-candidates")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--cap", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--tasks", nargs="*", default=["clf-lgbm", "reg-xgb", "multi-hgb"])
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    path = Path(args.out) / "runs.jsonl"
    if args.report:
        print(report(path))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore")
    for seed in range(args.seeds):
        for task in args.tasks:
            for row in run(task, seed, args):
                save(path, row)


if __name__ == "__main__":
    main()
