#!/usr/bin/env python
"""What early stopping should watch: the validation loss or the search's scorer.

One candidate (fixed parameters) per task and seed, tuned by
``BayesSearchCV(cv=3 folds, early_stopping=EarlyStopping(monitor=M,
patience=P, refit_rounds="median"))``, the same folds for every setting;
the refit model (trained on the whole training set for the folds' median
best rounds) is scored on a held-out quarter. Also the same candidate at
the cap, no early stopping (``cap``). A setting ``M/pP/scaled`` refits on
the folds' best rounds scaled to the whole training set
(``EarlyStopping(scale_rounds=True)``); a last
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

Refitting at the cap against the scaled median, at caps of 2,000 and
8,000 rounds and at a learning rate of 0.3 (``--against`` pairs every
setting of the directories with one, by task and seed)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_monitor.py \
        --tasks multi-hgb clf-lgbm reg-xgb --seeds 5 --cap 2000 --settings cap \
        --out benchmarks/results/boosting-cap-robust/c2000
    # the same with --cap 8000 --settings loss/p20/scaled cap --out .../c8000, and
    # --seeds 3 --cap 8000 --learning-rate 0.3 --settings loss/p20/scaled cap
    # --out .../c8000-lr0.3
    python benchmarks/boosting_monitor.py --report --against loss/p20/scaled --out \
        benchmarks/results/boosting-refit-rule benchmarks/results/boosting-cap-robust/*

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
          "reg-xgb": {"learning_rate": 0.1}, "clf-xgb": {"learning_rate": 0.1},
          "multi-cat": {"learning_rate": 0.2}}
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
    params = dict(PARAMS[task])
    if args.learning_rate is not None:
        params["learning_rate"] = args.learning_rate
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
                                         refit_rounds="median",
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


def _rows(*paths):
    """The runs recorded in the directories ``paths``."""
    return [json.loads(line) for path in paths
            for line in (Path(path) / "runs.jsonl").read_text().splitlines()]


def report(path):
    rows = _rows(path)
    out = []
    for task in dict.fromkeys(r["task"] for r in rows):
        params = next(r["params"] for r in rows if r["task"] == task)
        out += [f"**{task}** ({params}; medians over seeds)", "",
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


def paired(paths, against):
    """Each setting of the runs in ``paths`` against setting ``against``,
    paired by task and seed: the mean held-out difference and the seeds
    better / worse. ``cap`` is told apart by its cap (``cap@2000``) and
    every setting by a learning rate other than the task's (``@lr0.3``)."""
    rows = _rows(*paths)

    def name(row):
        label = f"cap@{row['cap']}" if row["setting"] == "cap" else row["setting"]
        rate = row["params"]["learning_rate"]
        return label if rate == PARAMS[row["task"]]["learning_rate"] else f"{label}@lr{rate:g}"

    scores = {(r["task"], name(r), r["seed"]): r["held_out"] for r in rows}
    out = [f"| task | setting | vs {against} |", "|---|---|---|"]
    pairs = dict.fromkeys((t, s) for t, s, _ in scores)
    tasks = list(dict.fromkeys(t for t, _ in pairs))
    for task, setting in sorted(pairs, key=lambda pair: tasks.index(pair[0])):
        base = against if "@lr" not in setting else f"{against}@lr{setting.split('@lr')[1]}"
        if setting == base:
            continue
        diffs = [value - scores[(task, base, seed)]
                 for (t, s, seed), value in scores.items()
                 if t == task and s == setting and (task, base, seed) in scores]
        if diffs:
            out.append(f"| {task} | {setting} | {np.mean(diffs):+.4f} "
                       f"({sum(d > 0 for d in diffs)}/{sum(d < 0 for d in diffs)}) |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", nargs="+", default=["benchmarks/results/boosting-monitor"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cap", type=int, default=500)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--tasks", nargs="*", default=["multi-hgb", "clf-lgbm"])
    parser.add_argument("--settings", nargs="*", default=None,
                        help="settings such as loss/p20, score/p50/scaled, or cap")
    parser.add_argument("--learning-rate", type=float, default=None,
                        help="the candidate's learning rate instead of the task's")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--against", default=None,
                        help="with --report: pair every setting of the --out directories "
                             "with this one (for instance loss/p20/scaled)")
    args = parser.parse_args(argv)
    if args.report:
        print(paired(args.out, args.against) if args.against else
              "\n".join(report(path) for path in args.out))
        return
    if len(args.out) > 1:
        parser.error("--out takes several directories with --report only")
    args.out = args.out[0]
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
