#!/usr/bin/env python
"""Which evaluated configuration should a search refit: the best CV score, or
a more robust choice?

Reads runs recorded by ``bayes_benchmark.py`` with their per-split CV scores
(``benchmarks/results/selection-bias``: ``BayesSearchCV``, the 13 tasks, 10
seeds, 60 evaluations, 5 folds). For each run every rule below picks one of
the evaluated configurations; it is refitted on the task's training part and
scored on the held-out part, and compared with the configuration of the best
mean CV score (scikit-learn's ``best_index_``), run by run:

* ``best``: the highest mean CV score (the reference);
* ``model``: the highest posterior mean of skhyper's Gaussian process fitted
  on every evaluation (the mean CV scores smoothed across configurations);
* ``lcb``: the highest mean minus its standard error over the folds;
* ``rescore3``: the three best by mean CV score cross-validated again on 5
  fresh folds (another shuffle), the best by the mean over all 10 folds
  (``--rescore``; 15 more fits per run).

A rule is worth offering only if it beats ``best`` on held-out scores beyond
the noise. Differences are reported in units of the task's spread of held-out
scores over seeds, so that tasks with different metrics can be averaged.

Run::

    OPENBLAS_NUM_THREADS=1 python benchmarks/final_choice.py \\
        benchmarks/results/selection-bias --rescore --out benchmarks/results/final-choice
"""

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy.stats import binomtest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.selection_bias import load  # noqa: E402
from benchmarks.spaces import to_skhyper  # noqa: E402
from benchmarks.tasks import get_task  # noqa: E402

RULES = ("model", "lcb", "rescore3")


def _split_matrix(run):
    return np.array([[np.nan if v is None else v for v in row]
                     for row in run["split_scores"]], dtype=float)


def choose(run, task, rule):
    """Row of ``run``'s evaluations that ``rule`` keeps."""
    S = _split_matrix(run)
    means = np.where(np.isfinite(S).all(axis=1), S.mean(axis=1), -np.inf)
    if rule == "best":
        return int(np.argmax(means))
    if rule == "lcb":
        sem = S.std(axis=1, ddof=1) / np.sqrt(S.shape[1])
        return int(np.argmax(np.where(np.isfinite(means), means - sem, -np.inf)))
    if rule == "model":
        return _model_choice(run, task, means)
    if rule == "rescore3":
        return _rescored_choice(run, task, S, means)
    raise ValueError(rule)


def _model_choice(run, task, means):
    from skhyper import Optimizer
    from skhyper.space import Space

    ok = np.flatnonzero(np.isfinite(means))
    points = [run["params"][i] for i in ok]
    optimizer = Optimizer(Space(to_skhyper(task.space)), random_state=0)
    optimizer.tell(points, means[ok])
    return int(ok[np.argmax(optimizer.predict(points))])


def _rescored_choice(run, task, S, means, k=3):
    from sklearn.base import clone
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, StratifiedKFold

    X, _, y, _ = task.load()
    kind = StratifiedKFold if task.is_classification else KFold
    folds = list(kind(5, shuffle=True, random_state=task.cv_seed + 1).split(X, y))
    scorer = get_scorer(task.scoring)
    top = np.argsort(-means, kind="stable")[:k]
    totals = []
    for row in top:
        fresh = []
        for train, test in folds:
            est = clone(task.make_estimator()).set_params(**run["params"][row])
            fresh.append(scorer(est.fit(X[train], y[train]), X[test], y[test]))
        totals.append(np.mean(np.concatenate([S[row], fresh])))
    return int(top[int(np.nanargmax(totals))])


def held_out(run, task, row):
    from sklearn.metrics import get_scorer

    X_train, X_test, y_train, y_test = task.load()
    est = task.make_estimator().set_params(**run["params"][row])
    return float(get_scorer(task.scoring)(est.fit(X_train, y_train), X_test, y_test))


def evaluate(runs, rules):
    """One record per run: the row each rule keeps and its held-out score."""
    out = []
    for run in runs:
        task = get_task(run["task"])
        rec = {"task": run["task"], "seed": run["seed"]}
        cache = {}
        for rule in ("best", *rules):
            row = choose(run, task, rule)
            if row not in cache:
                cache[row] = held_out(run, task, row)
            rec[rule] = {"row": row, "test": cache[row]}
        out.append(rec)
        print(json.dumps(rec), flush=True)
    return out


def report(records, rules):
    """Markdown: paired held-out differences to ``best``, per rule."""
    by_task = {}
    for rec in records:
        by_task.setdefault(rec["task"], []).append(rec)
    lines = ["| rule | runs | same choice as best | wins / ties / losses "
             "| sign test p | mean diff (task spreads) | tasks ahead / behind |",
             "|---|---|---|---|---|---|---|"]
    per_task = ["| task | " + " | ".join(rules) + " |", "|---|" + "---|" * len(rules)]
    for task, recs in by_task.items():
        cells = []
        for rule in rules:
            d = np.array([r[rule]["test"] - r["best"]["test"] for r in recs])
            cells.append(f"{int((d > 1e-12).sum())} / {int((d < -1e-12).sum())}")
        per_task.append(f"| {task} | " + " | ".join(cells) + " |")
    for rule in rules:
        diffs, same, ahead, behind = [], 0, 0, 0
        for recs in by_task.values():
            # The spread of every rule's held-out scores over the seeds (the
            # best alone can be one value on a task every seed solves).
            tests = np.array([r[k]["test"] for r in recs for k in ("best", *rules)])
            spread = tests.std() or 1.0
            d = np.array([r[rule]["test"] - r["best"]["test"] for r in recs]) / spread
            same += sum(r[rule]["row"] == r["best"]["row"] for r in recs)
            diffs.extend(d)
            ahead += d.mean() > 1e-12
            behind += d.mean() < -1e-12
        diffs = np.array(diffs)
        wins, losses = int((diffs > 1e-12).sum()), int((diffs < -1e-12).sum())
        ties = len(diffs) - wins - losses
        p = binomtest(wins, wins + losses).pvalue if wins + losses else 1.0
        sem = diffs.std(ddof=1) / np.sqrt(len(diffs))
        lines.append(
            f"| {rule} | {len(diffs)} | {same} | {wins} / {ties} / {losses} | {p:.2f} "
            f"| {diffs.mean():+.3f} ± {sem:.3f} | {ahead} / {behind} |"
        )
    return "\n".join(lines) + "\n\nRuns ahead / behind best, per task:\n\n" + "\n".join(per_task)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="results directories or runs.jsonl files")
    parser.add_argument("--rescore", action="store_true",
                        help="also the rescore3 rule (15 more fits per run)")
    parser.add_argument("--out", default=None, help="directory for records.jsonl")
    parser.add_argument("--report", action="store_true",
                        help="only print the tables of --out's records")
    args = parser.parse_args(argv)
    rules = RULES if args.rescore else tuple(r for r in RULES if r != "rescore3")
    path = Path(args.out) / "records.jsonl" if args.out else None
    if args.report:
        records = [json.loads(line) for line in path.read_text().splitlines()]
    else:
        warnings.filterwarnings("ignore")
        records = evaluate(load(args.runs), rules)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(r) + "\n" for r in records))
    print(report(records, [r for r in rules if r in records[0]]))


if __name__ == "__main__":
    main()
