#!/usr/bin/env python
"""Compare skhyper runs with the stored peers' runs, and say how sure that is.

A results directory from ``bayes_benchmark.py --methods skhyper --out DIR``
(any seeds) is compared with the runs of a reference directory (default
``benchmarks/results/seq15``: the peers and the skhyper runs of record)::

    python benchmarks/compare.py new=/tmp/new [other=DIR,DIR ...] \\
        [--reference DIR[,DIR...]] [--checkpoints 10,30,60]

Printed, per checkpoint:

1. the Bayesmark normalized score per task, median over seeds (as in
   ``report.py``), for the reference's skhyper ("ref"), every named set of
   runs and every peer; the mean over tasks; and, for each skhyper set, the
   tasks where it is below each peer (issue 3's target: not below any peer on
   more than 2 tasks at 30 evaluations);
2. paired differences with the reference skhyper runs (or, with
   ``--against NAME``, with the named set or reference peer NAME), on the
   (task, seed) pairs both have: the mean and its bootstrap standard error,
   and the mean per task. Paired differences cancel the tasks' own spread; a
   median over 5 seeds does not;
3. for each skhyper set, the probability that a 5-seed run would meet the
   target, by resampling 5 seeds per task with replacement (the peers' seeds
   too). With more than 5 seeds per task this shows how much of a 5-seed
   verdict is the luck of the seeds;
4. with ``--at-time NAME``, paired differences with the named set at a fixed
   wall time: for each (task, seed), the seconds set NAME took to finish
   ``k`` evaluations; every set scored by what it had finished by then
   (runs that recorded ``finish_times``; skhyper's);
5. with ``--peer-matrix``, the same questions for every method of the
   reference: on how many tasks each is below each other, and its chance of
   meeting the per-task half against all the others.

``best ever`` of each task is the best score of the baseline and of every run
loaded (reference and named sets), as in ``report.py`` when all are loaded
together.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from benchmarks.report import Normalizer, finish_times, load_records  # noqa: E402
from benchmarks.tasks import TASKS  # noqa: E402

PEERS = ("skopt", "optuna-tpe", "optuna-gp", "random", "smac-gp", "smac-rf", "flaml")
_CLIP = -300.0  # a run that finds nothing scores -inf; keep means finite


@functools.lru_cache(maxsize=None)
def _current_signatures(n_folds=5):
    """task -> signature of the task as defined now (builds each estimator)."""
    return {name: task.signature(n_folds) for name, task in TASKS.items()}


def _load(paths, method=None):
    """OK records of the tasks as defined now (older task versions dropped).

    ``method``: the names of the methods kept (``None``: all).
    """
    signatures = _current_signatures()
    records = [r for r in load_records(paths) if r.get("status") == "ok"]
    return [
        r for r in records
        if (method is None or r["method"] in method)
        and r.get("task_signature") == signatures.get(r["task"])
    ]


def _baselines(directory):
    """task -> the cached random baseline of the task as defined now."""
    signatures = _current_signatures()
    out = {}
    for f in sorted(Path(directory).glob("*.json")):
        doc = json.loads(Path(f).read_text())
        if doc.get("task_signature") == signatures.get(doc["task"]):
            out[doc["task"]] = doc["scores"]
    return out


def _scores(norm, records, tasks, k):
    """task -> array of normalized scores at ``k`` evaluations, one per seed."""
    return {
        t: np.array([max(norm.at(r, k), _CLIP) for r in records if r["task"] == t])
        for t in tasks
    }


def _median(a):
    return float(np.median(a)) if len(a) else float("nan")


def _resampled_medians(scores, n_seeds, rng):
    """task -> median of ``n_seeds`` seeds drawn with replacement."""
    return {t: np.median(rng.choice(v, n_seeds)) for t, v in scores.items()}


def _n_below(a, b, tasks):
    """Tasks where the per-task value ``a[t]`` is below ``b[t]``."""
    return sum(a[t] < b[t] for t in tasks)


def table(norm, sets, tasks, k):
    names = list(sets)
    med = {n: {t: _median(v) for t, v in _scores(norm, sets[n], tasks, k).items()}
           for n in names}
    n_seeds = {
        n: {t: sum(r["task"] == t for r in sets[n]) for t in tasks} for n in names
    }
    print(f"\n## normalized score at {k} evaluations (median over seeds; seeds)")
    print(f"{'task':20s}" + "".join(f"{n:>14s}" for n in names))
    for t in tasks:
        print(f"{t:20s}" + "".join(
            f"{med[n][t]:9.1f} ({n_seeds[n][t]:2d})" if n_seeds[n][t] else f"{'-':>14s}"
            for n in names))
    print(f"{'mean':20s}" + "".join(
        f"{np.nanmean([med[n][t] for t in tasks]):14.1f}" for n in names))
    for n in names:
        if n in PEERS:
            continue
        below = {
            p: [t for t in tasks if med[n][t] < med[p][t]] for p in PEERS if p in med
        }
        print(f"  {n} below: " + "; ".join(
            f"{p} {len(v)}" + (f" ({', '.join(v)})" if v else "")
            for p, v in below.items()))


def paired(norm, ref, sets, tasks, k, rng):
    by_ref = {(r["task"], r["seed"]): r for r in ref}
    print(f"\n## paired differences at {k} evaluations "
          "(mean over task-seed pairs, bootstrap SE; mean per task)")
    for n, records in sets.items():
        pairs = [(r, by_ref[(r["task"], r["seed"])]) for r in records
                 if (r["task"], r["seed"]) in by_ref and r["task"] in tasks]
        if not pairs:
            print(f"  {n}: no seeds in common with ref")
            continue
        d = np.array([max(norm.at(a, k), _CLIP) - max(norm.at(b, k), _CLIP)
                      for a, b in pairs])
        _paired_lines(n, pairs, d, tasks, rng)


def _paired_lines(label, pairs, d, tasks, rng):
    se = np.std([rng.choice(d, len(d)).mean() for _ in range(2000)])
    per = {t: np.mean([x for (a, _), x in zip(pairs, d) if a["task"] == t])
           for t in tasks if any(a["task"] == t for a, _ in pairs)}
    print(f"  {label:12s} n={len(d):3d}  {d.mean():+6.1f} ± {se:4.1f}  "
          f"(ahead {int((d > 0).sum())}, behind {int((d < 0).sum())})   "
          + " ".join(f"{t}:{v:+.0f}" for t, v in per.items()))


def paired_at_time(norm, base, sets, tasks, k, rng):
    """Paired with ``base`` at the wall time ``base`` took for ``k`` evaluations."""
    by_base = {(r["task"], r["seed"]): r for r in base
               if finish_times(r) and len(r["finish_times"]) >= k}
    print(f"\n## paired differences at the wall time the reference set took for {k} "
          "evaluations (normalized as at k; mean, bootstrap SE; mean per task)")
    for n, records in sets.items():
        pairs = [(r, by_base[(r["task"], r["seed"])]) for r in records
                 if (r["task"], r["seed"]) in by_base and r["task"] in tasks
                 and r.get("finish_times")]
        if not pairs:
            print(f"  {n}: no timed seeds in common with the reference set")
            continue
        d, n_done = [], []
        for a, b in pairs:
            seconds = finish_times(b)[k - 1]
            d.append(max(norm.at_time(a, seconds, k), _CLIP)
                     - max(norm.at_time(b, seconds, k), _CLIP))
            n_done.append(sum(t <= seconds for t in finish_times(a)))
        _paired_lines(n, pairs, np.array(d), tasks, rng)
        print(f"  {'':12s} evaluations finished by then: median {np.median(n_done):.0f}"
              f" (range {min(n_done)}-{max(n_done)})")


def target_probability(norm, sets, peers, tasks, k, rng, n_seeds=5, n_boot=2000):
    peer_scores = {p: _scores(norm, peers[p], tasks, k) for p in PEERS if p in peers}
    print(f"\n## chance that a {n_seeds}-seed run meets the target at {k} evaluations "
          "(seeds resampled with replacement, the peers' too)")
    for n, records in sets.items():
        mine = _scores(norm, records, tasks, k)
        if any(len(v) == 0 for v in mine.values()):
            print(f"  {n}: not every task has runs")
            continue
        met = mean_lead = 0
        below = {p: [] for p in peer_scores}
        for _ in range(n_boot):
            m = _resampled_medians(mine, n_seeds, rng)
            ok, lead = True, True
            for p, sc in peer_scores.items():
                pm = _resampled_medians(sc, n_seeds, rng)
                c = _n_below(m, pm, tasks)
                below[p].append(c)
                ok &= c <= 2
                lead &= np.mean(list(m.values())) > np.mean(list(pm.values()))
            met += ok
            mean_lead += lead
        seeds = sorted({r["seed"] for r in records})
        print(f"  {n} ({len(seeds)} seeds): P(target) {met / n_boot:.2f}, "
              f"P(mean above every peer) {mean_lead / n_boot:.2f}; tasks below: "
              + ", ".join(f"{p} {np.mean(v):.1f}" for p, v in below.items()))


def peer_matrix(norm, methods, tasks, k, rng, n_seeds=5, n_boot=1000):
    """How far each method of the reference is from the per-task half.

    For every pair, the tasks where the row method's median is below the
    column's; then the chance that a ``n_seeds``-seed run of each method is
    below every other method on at most 2 tasks (all methods resampled).
    """
    scores = {m: _scores(norm, recs, tasks, k) for m, recs in methods.items()}
    med = {m: {t: _median(v) for t, v in sc.items()} for m, sc in scores.items()}
    print(f"\n## tasks where the row method is below the column method at {k} "
          "evaluations (medians over all seeds)")
    print(f"{'':12s}" + "".join(f"{m:>12s}" for m in methods))
    for m in methods:
        print(f"{m:12s}" + "".join(
            f"{'-' if p == m else _n_below(med[m], med[p], tasks):>12}"
            for p in methods))
    met = dict.fromkeys(methods, 0)
    for _ in range(n_boot):
        draw = {m: _resampled_medians(sc, n_seeds, rng) for m, sc in scores.items()}
        for m in methods:
            met[m] += all(_n_below(draw[m], draw[p], tasks) <= 2
                          for p in methods if p != m)
    print(f"  P(a {n_seeds}-seed run is below every other method on at most 2 "
          "tasks): " + ", ".join(f"{m} {met[m] / n_boot:.3f}" for m in methods))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runs", nargs="*", help="NAME=DIR[,DIR...] of skhyper runs")
    p.add_argument("--reference", default=str(_ROOT / "benchmarks/results/seq15"),
                   help="DIR[,DIR...] of the reference runs (peers and skhyper's record)")
    p.add_argument("--baseline-dir", default=str(_ROOT / "benchmarks/results/baseline"))
    p.add_argument("--checkpoints", default="10,30,60")
    p.add_argument("--tasks", default="all")
    p.add_argument("--target-at", type=int, default=30)
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstraps")
    p.add_argument("--against", metavar="NAME",
                   help="pair the named sets with set NAME (or a peer of the "
                        "reference, e.g. optuna-tpe) instead of the reference")
    p.add_argument("--at-time", metavar="NAME",
                   help="also: paired with set NAME at the wall time it took for k "
                        "evaluations")
    p.add_argument("--same-seeds", action="store_true",
                   help="keep only the reference runs whose (task, seed) every named "
                        "set has, so that medians are over the same seeds")
    p.add_argument("--peer-matrix", action="store_true",
                   help="also: how far every reference method is from the per-task half")
    a = p.parse_args(argv)
    ks = [int(x) for x in a.checkpoints.split(",")]
    names = [spec.partition("=")[0] for spec in a.runs]
    for option, name in (("--against", a.against), ("--at-time", a.at_time)):
        known = names + list(PEERS) if option == "--against" else names
        if name is not None and name not in known:
            p.error(f"{option} {name}: not one of the named sets ({', '.join(names)})")
    reference = _load(a.reference.split(","))
    sets = {}
    for spec in a.runs:
        name, _, dirs = spec.partition("=")
        sets[name] = _load(dirs.split(","), ("skhyper", "skhyper-async", "skhyper-tpe"))
    if a.same_seeds and sets:
        shared = set.intersection(
            *({(r["task"], r["seed"]) for r in runs} for runs in sets.values()))
        reference = [r for r in reference if (r["task"], r["seed"]) in shared]
    ref = [r for r in reference if r["method"] == "skhyper"]
    peers = {m: [r for r in reference if r["method"] == m] for m in PEERS}
    norm = Normalizer(reference + sum(sets.values(), []), _baselines(a.baseline_dir))
    tasks = [t for t in TASKS if a.tasks == "all" or t in a.tasks.split(",")]
    rng = np.random.default_rng(a.seed)
    present = {m: peers[m] for m in PEERS if peers[m]}
    for k in ks:
        table(norm, {"ref": ref, **sets, **present}, tasks, k)
        if sets:
            base = ref
            if a.against:
                base = sets[a.against] if a.against in sets else peers[a.against]
            paired(norm, base, sets, tasks, k, rng)
        if a.at_time:
            paired_at_time(norm, sets[a.at_time], sets, tasks, k, rng)
    if present:
        target_probability(norm, {"ref": ref, **sets}, present, tasks, a.target_at, rng)
    if a.peer_matrix:
        peer_matrix(norm, {"skhyper": ref, **present}, tasks, a.target_at, rng)


if __name__ == "__main__":
    main()
