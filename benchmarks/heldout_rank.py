#!/usr/bin/env python
"""Held-out mean rank of methods recorded in different runs, on common seeds.

Reads ``runs.jsonl`` records of ``bayes_benchmark.py`` from several result
directories (for example the peers' record and a newer run of skhyper's),
keeps the (task, seed) pairs every listed method has at the same number of
evaluations, and prints, per line-up of methods, the mean over tasks of each
method's rank by its median held-out test score over those seeds (1 = best),
as ``docs/benchmarks.md`` reports it. ``--paired A B`` (repeatable) also counts
the runs in which A's held-out score is above, below or equal to B's, with
a two-sided sign test. ``--per-run`` also ranks the methods within every
(task, seed) run and averages those ranks (the measure for runs with a split
per seed, whose medians over seeds mix the splits).

Run::

    python benchmarks/heldout_rank.py benchmarks/results/seq15 \\
        benchmarks/results/rescore-heldout60 --n-iter 60 \\
        --lineup random,skopt,optuna-tpe,optuna-gp,skhyper \\
        --lineup random,skopt,optuna-tpe,optuna-gp,skhyper-rescore3 \\
        --paired skhyper-rescore3 skhyper
"""

import argparse
import os
import sys
from collections import defaultdict

import numpy as np
from scipy.stats import binomtest

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.report import _ranks, load_records


def held_out(dirs, n_iter):
    """``{(method, task, seed): test score}`` of the successful runs; a
    method recorded in several directories keeps its last record."""
    scores = {}
    for rec in load_records(dirs):
        if rec.get("status") == "ok" and rec.get("n_iter") == n_iter:
            scores[(rec["method"], rec["task"], rec["seed"])] = rec["test_score"]
    return scores


def common_pairs(scores, methods):
    """The (task, seed) pairs every method in ``methods`` has."""
    pairs = None
    for m in methods:
        mine = {(t, s) for (method, t, s) in scores if method == m}
        pairs = mine if pairs is None else pairs & mine
    return sorted(pairs or ())


def mean_ranks(scores, methods, pairs):
    """Mean over tasks of each method's rank by its median held-out score."""
    by_task = defaultdict(list)
    for task, seed in pairs:
        by_task[task].append(seed)
    ranks = defaultdict(list)
    for task, seeds in sorted(by_task.items()):
        medians = [float(np.median([scores[(m, task, s)] for s in seeds])) for m in methods]
        for m, r in zip(methods, _ranks(medians)):
            ranks[m].append(r)
    return {m: float(np.mean(ranks[m])) for m in methods}, len(by_task)


def per_run_ranks(scores, methods, pairs):
    """Each method's rank in every (task, seed) run, averaged over the runs,
    and its standard error: with a split per seed (``--split-per-seed``) the
    runs of a task are independent, and their medians mix the splits."""
    ranks = np.array([_ranks([scores[(m, t, s)] for m in methods]) for t, s in pairs])
    se = ranks.std(axis=0, ddof=1) / np.sqrt(len(ranks))
    return {m: (float(ranks[:, i].mean()), float(se[i])) for i, m in enumerate(methods)}


def sign_test(scores, a, b, pairs):
    """Runs where ``a`` is above, below and equal to ``b``, and the p-value."""
    diff = np.array([scores[(a, t, s)] - scores[(b, t, s)] for t, s in pairs])
    above, below = int(np.sum(diff > 0)), int(np.sum(diff < 0))
    p = binomtest(above, above + below).pvalue if above + below else 1.0
    return above, below, len(diff) - above - below, p


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("dirs", nargs="+", help="result directories with runs.jsonl")
    p.add_argument("--n-iter", type=int, default=60)
    p.add_argument("--lineup", action="append", required=True,
                   help="comma list of methods ranked together (repeatable)")
    p.add_argument("--paired", nargs=2, metavar=("A", "B"), action="append", default=[],
                   help="count the runs where A's held-out score is above B's (repeatable)")
    p.add_argument("--per-run", action="store_true",
                   help="also rank the methods in every (task, seed) run and average")
    a = p.parse_args(argv)
    scores = held_out(a.dirs, a.n_iter)
    lineups = [line.split(",") for line in a.lineup]
    pairs = common_pairs(scores, sorted({m for line in lineups for m in line}))
    seeds = sorted({s for _, s in pairs})
    print(f"{len(pairs)} (task, seed) pairs, seeds {seeds}, n_iter={a.n_iter}\n")
    for methods in lineups:
        ranks, n_tasks = mean_ranks(scores, methods, pairs)
        print(f"| {' | '.join(methods)} |")
        print("|" + "---:|" * len(methods))
        print("| " + " | ".join(f"{ranks[m]:.2f}" for m in methods) + " |")
        print(f"(mean rank over {n_tasks} tasks, 1 = best)\n")
        if a.per_run and len(pairs) > 1:
            per_run = per_run_ranks(scores, methods, pairs)
            print("| " + " | ".join(f"{per_run[m][0]:.2f} ({per_run[m][1]:.2f})"
                                    for m in methods) + " |")
            print(f"(mean rank over the {len(pairs)} runs (standard error))\n")
    for first, second in a.paired:
        above, below, same, pvalue = sign_test(scores, first, second, pairs)
        print(f"{first} vs {second}: held-out better in {above}, worse in "
              f"{below}, equal in {same} runs (sign test p = {pvalue:.3f})")


if __name__ == "__main__":
    main()
