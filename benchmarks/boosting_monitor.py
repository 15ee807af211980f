#!/usr/bin/env python
"""What early stopping should watch: the validation loss or the search's scorer.

One candidate (fixed parameters) per task and seed, tuned by
``BayesSearchCV(cv=3 folds, early_stopping=EarlyStopping(monitor=M,
patience=P))``, the same folds for every setting; the refit model (trained
on the whole training set for the folds' median best rounds) is scored on a
held-out quarter. Also the same candidate at the cap, no early stopping
(``cap``). A setting ``M/pP/scaled`` refits on the folds' best rounds scaled
to the whole training set (``EarlyStopping(scale_rounds=True)``); a last
part ``/vF`` sets the validation fraction (``EarlyStopping(
validation_fraction=F)``, 0.1 otherwise). Tasks and
boosters are those of ``boosting_benchmark.py`` (``multi-hgb``: 4 skewed
classes, accuracy, HistGradientBoosting; ``clf-lgbm``: binary, ROC AUC,
LightGBM; ``reg-xgb``: R2, XGBoost).

Run (what docs/benchmarks.md reports)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_monitor.py \
        --tasks multi-hgb clf-lgbm --seeds 3 --out benchmarks/results/boosting-monitor

The refit rule (median rounds, scaled or not) and the cheaper scorer of
histogram gradient boosting (named scorers, fadc002)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_monitor.py \
        --tasks multi-hgb clf-lgbm reg-xgb --seeds 5 \
        --settings loss/p20 loss/p20/scaled score/p20 score/p20/scaled cap \
        --out benchmarks/results/boosting-refit-rule

Report (medians over seeds)::

    python benchmarks/boosting_monitor.py --report --out benchmarks/results/boosting-monitor
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import get_scorer

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boosting_benchmark import ROUNDS, make_task, save

from skhyper import BayesSearchCV
from skhyper.boosting import EarlyStopping

#: The candidate of each task (the learning rate of docs' multi-hgb case).
PARAMS = {"multi-hgb": {"learning_rate": 0.2}, "clf-lgbm": {"learning_rate": 0.1},
          "reg-xgb": {"learning_rate": 0.1}}
SETTINGS = (("loss", 20, False, 0.1), ("score", 20, False, 0.1), ("loss", 50, False, 0.1),
            ("score", 50, False, 0.1))


def label(setting):
    monitor, patience, scaled, fraction = setting
    return (f"{monitor}/p{patience}" + ("/scaled" if scaled else "")
            + (f"/v{fraction:g}" if fraction != 0.1 else ""))


def parse(text):
    """``"cap"`` or ``(monitor, patience, scaled, validation_fraction)`` of
    ``"score/p50[/scaled][/v0.2]"``."""
    if text == "cap":
        return text
    monitor, patience, *rest = text.split("/")
    fraction = 0.1
    if rest and rest[-1].startswith("v"):
        fraction = float(rest.pop()[1:])
    return monitor, int(patience.removeprefix("p")), rest == ["scaled"], fraction


def run(task, seed, setting, args):
    X, X_test, y, y_test, factory, kind, scoring, folds = make_task(task, args.rows, seed)
    params = PARAMS[task]
    start = time.process_time()
    if setting == "cap":
        model = factory(args.cap).set_params(**params).fit(X, y)
        rounds, fold_rounds = args.cap, []
    else:
        monitor, patience, scaled, fraction = setting
        search = BayesSearchCV(
            factory(args.cap), {name: [value] for name, value in params.items()},
            n_iter=1, cv=folds, scoring=scoring, random_state=seed,
            early_stopping=EarlyStopping(monitor=monitor, patience=patience,
                                         scale_rounds=scaled,
                                         validation_fraction=fraction),
        ).fit(X, y)
        model, rounds = search.best_estimator_, search.best_rounds_
        fold_rounds = [int(search.cv_results_[f"split{k}_best_rounds"][0])
                       for k in range(len(folds))]
    return {
        "task": task, "seed": seed,
        "setting": setting if setting == "cap" else label(setting),
        "held_out": float(get_scorer(scoring)(model, X_test, y_test)),
        "refit_rounds": int(rounds), "fold_rounds": fold_rounds,
        "cpu_s": round(time.process_time() - start, 2),
        "rows": args.rows, "cap": args.cap, "params": params,
        "rounds_param": ROUNDS[kind],
    }


def report(path):
    rows = [json.loads(line) for line in (Path(path) / "runs.jsonl").read_text().splitlines()]
    out = []
    for task in dict.fromkeys(r["task"] for r in rows):
        out += [f"**{task}** ({PARAMS[task]}; medians over seeds)", "",
                ("| setting | seeds | held-out score | refit rounds | fold best rounds "
                 "| CPU (s) |"), "|---|---|---|---|---|---|"]
        for setting in dict.fromkeys(r["setting"] for r in rows if r["task"] == task):
            runs = [r for r in rows if r["task"] == task and r["setting"] == setting]
            folds = [f for r in runs for f in r["fold_rounds"]]
            out.append(
                f"| {setting} | {len(runs)} | {np.median([r['held_out'] for r in runs]):.4f} "
                f"| {np.median([r['refit_rounds'] for r in runs]):.0f} "
                + (f"| {np.median(folds):.0f} " if folds else "| n/a ")
                + f"| {np.median([r['cpu_s'] for r in runs]):.1f} |"
            )
        out.append("")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/boosting-monitor")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cap", type=int, default=500)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--tasks", nargs="*", default=["multi-hgb", "clf-lgbm"])
    parser.add_argument("--settings", nargs="*", default=None,
                        help="settings such as loss/p20, score/p50/scaled, or cap")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    if args.report:
        print(report(args.out))
        return
    settings = list(SETTINGS) + ["cap"]
    if args.settings:
        settings = [parse(s) for s in args.settings]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore")
    for seed in range(args.seeds):
        for task in args.tasks:
            for setting in settings:
                save(out / "runs.jsonl", run(task, seed, setting, args))


if __name__ == "__main__":
    main()
