#!/usr/bin/env python
"""Offline replay of fold-stopping rules on full-CV traces.

The ``full`` runs of ``fold_stopping.py`` store every candidate's fold test
scores and mean fit time in proposal order. This script replays a rule on
them: candidates are taken in that order, the rival is the best candidate
complete so far *under the rule's own decisions*, and after each fold the
rule says whether the candidate's remaining folds would have run. Per
(task, seed) it reports the fits used, the normalized score lost (as
``fold_stopping.py`` computes it: 100 = best ever seen on the task, 0 = the
median of random search with as many candidates), whether the full search's
final best would have been kept, and how much sooner (in fit seconds) it
would have been reached.

The replay keeps the full search's proposals: it ignores that stopped
candidates change what the model is told and so what it proposes next, and
it cannot measure held-out scores or equal-time searches. Real runs
(``fold_stopping.py``) measure those.

Run::

    python benchmarks/fold_stopping_replay.py benchmarks/results/fold-stopping-v2
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from benchmarks.fold_stopping import _normalized  # noqa: E402
from skhyper.scheduling._fold_stopping import (  # noqa: E402
    MIN_FOLDS,
    RULES,
    decide,
    predicted_sd,
)


def _aggressive(scores, rival, others):
    """Mean paired difference to the rival's same folds below 0."""
    return (scores - rival[: len(scores)]).mean() < 0


def _rival_margin(c):
    """Mean paired difference below ``-c`` rival fold spreads / sqrt(k)."""
    def rule(scores, rival, others):
        k = len(scores)
        spread = rival.std(ddof=1)
        return (scores - rival[:k]).mean() < -c * spread / np.sqrt(k)
    return rule


def _diff_margin(c):
    """Mean paired difference below ``-c`` times its standard error (a paired
    t statistic), from the second fold; the first fold uses the rival's spread."""
    def rule(scores, rival, others):
        k = len(scores)
        diff = scores - rival[:k]
        spread = diff.std(ddof=1) if k > 1 else rival.std(ddof=1)
        return diff.mean() < -c * spread / np.sqrt(k)
    return rule


def _predictive(c, below=True, pooled=False):
    """``"predictive"`` with ``c`` standard deviations; without ``below``,
    whatever the mean over the folds run; with ``pooled``, one fold's spread
    is that of the fold differences between the rival and the (up to) 5
    complete candidates nearest to it in mean, once there are 2."""
    def rule(scores, rival, others):
        spread = _pooled_spread(rival, others) if pooled else None
        sd = predicted_sd(len(scores), rival, spread)
        worse = (scores - rival[: len(scores)]).mean() < -c * sd
        return worse and (not below or scores.mean() < rival.mean())
    return rule


def _pooled_spread(rival, others, nearest=5, at_least=2):
    if len(others) < at_least:
        return None
    others = sorted(others, key=lambda o: abs(o.mean() - rival.mean()))[:nearest]
    return np.sqrt(np.mean([np.var(o - rival, ddof=1) for o in others]))


def _library(rule):
    return lambda scores, rival, others: decide(rule, scores, rival)


def candidate_rules():
    """Rule name -> (decision, first fold it may stop after); a decision is
    ``f(first fold scores, rival's fold scores, other complete candidates'
    fold scores)``."""
    rules = {name: (_library(name), MIN_FOLDS[name]) for name in RULES}
    rules["aggressive-paired"] = (_aggressive, 1)
    for c in (0.5, 1.0, 2.0):
        rules[f"rival-margin c={c}"] = (_rival_margin(c), 1)
    for c in (1.0, 2.0, 3.0):
        rules[f"diff-margin c={c}"] = (_diff_margin(c), 1)
    for c in (0.5, 1.0):
        rules[f"predictive c={c}"] = (_predictive(c), 1)
    for c in (0.5, 0.6, 0.65, 0.75, 1.0, 1.5):
        rules[f"predictive c={c}, no mean condition"] = (_predictive(c, False), 1)
    for c in (1.0, 1.5, 2.0):
        rules[f"predictive c={c}, no mean condition, pooled spread"] = (
            _predictive(c, False, True), 1
        )
    return rules


def replay(splits, fit_time, decision, min_folds):
    """Fits used, the rule's best mean, and fit seconds per candidate."""
    n_splits = len(splits[0])
    best, rival, used, cost, history = -np.inf, None, [], [], []
    for scores, seconds in zip(splits, fit_time):
        scores = np.asarray(scores, dtype=float)
        ran = n_splits
        if rival is not None and np.isfinite(scores).all():
            others = [h for h in history if h is not rival]
            for k in range(min_folds, n_splits):
                if decision(scores[:k], rival, others):
                    ran = k
                    break
        used.append(ran)
        cost.append(ran * seconds)
        if ran < n_splits or not np.isfinite(scores).all():
            continue
        history.append(scores)
        if scores.mean() > best:
            best, rival = scores.mean(), scores
    return np.array(used), best, np.array(cost)


def evaluate(rec, decision, min_folds):
    """One (task, seed): fits used, normalized diff, kept best, speedup."""
    splits = rec["splits"]
    n_splits = len(splits[0])
    used, best, cost = replay(splits, rec["fit_time"], decision, min_folds)
    means = np.array([np.mean(s) for s in splits])
    target = int(np.nanargmax(means))
    k = len(splits)
    norm = _normalized({**rec, "best_cv": best}, k) - _normalized(rec, k)
    full_cost = np.cumsum(np.asarray(rec["fit_time"]) * n_splits)
    kept = used[target] == n_splits
    # the rule reaches the full search's best at the same candidate, if kept
    speedup = full_cost[target] / np.cumsum(cost)[target] if kept else 0.0
    return {
        "fits": used.sum() / (n_splits * k), "norm": norm, "kept": kept,
        "speedup": speedup, "seconds": cost.sum() / full_cost[-1],
    }


def table(records, rules):
    """Markdown table: medians (and means) over (task, seed) pairs."""
    lines = [
        f"{len(records)} (task, seed) traces\n",
        (
            "| rule | fits used (median, mean) | fit seconds used (median) "
            "| normalized diff (median, mean, worst) | full's best kept "
            "| speedup to full's best (median, fit seconds) |"
        ),
        "|---|---|---|---|---|---|",
    ]
    for name, (decision, min_folds) in rules.items():
        rows = [evaluate(rec, decision, min_folds) for rec in records]
        col = {key: np.array([r[key] for r in rows], dtype=float) for key in rows[0]}
        norm = col["norm"][np.isfinite(col["norm"])]
        lines.append(
            f"| {name} | {100 * np.median(col['fits']):.0f}%, "
            f"{100 * col['fits'].mean():.0f}% | {100 * np.median(col['seconds']):.0f}% "
            f"| {np.median(norm):+.1f}, {norm.mean():+.1f}, {norm.min():+.1f} "
            f"| {int(col['kept'].sum())}/{len(rows)} "
            f"| {np.median(col['speedup']):.2f}x |"
        )
    return "\n".join(lines)


def load(directory, cv):
    """The ``full`` records with fold scores for this ``cv``."""
    with open(Path(directory) / "runs.jsonl") as f:
        records = [json.loads(line) for line in f]
    return [
        r for r in records
        if r["variant"] == "full" and r["cv"] == cv and "splits" in r
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--cv", default="5")
    args = parser.parse_args(argv)
    print(table(load(args.directory, args.cv), candidate_rules()))


if __name__ == "__main__":
    main()
