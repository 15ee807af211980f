#!/usr/bin/env python
"""Where a LightGBM search's CPU goes: boosting rounds, binning, predictions.

Runs methods of ``boosting_benchmark.py`` on ``clf-lgbm`` under ``cProfile``
and splits each search's time into what LightGBM spends in its boosting
rounds (``Booster.update``), in building its binned ``Dataset`` (once per
fit: LightGBM's scikit-learn ``fit`` bins the data again every time, a
continued fit included), in predicting (scoring the test folds, and a
continued fit's starting scores) and the rest (scikit-learn, skhyper, the
Python side of LightGBM). The rounds' share bounds how cheap a search can
get with the same rounds: it is the floor no scheduling removes.

Run (what docs/benchmarks.md reports; one process, one thread)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python benchmarks/boosting_cost.py \
        --seeds 3 --out benchmarks/results/boosting-cost
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from boosting_benchmark import run_method, save

METHODS = ("random", "sk-halving", "skh-bayes-es", "skh-halving")
# (file suffix, function name) -> part; cumulative times, none nested in another
# (a continued fit's starting scores are predicted inside Dataset.construct,
# not inside __init_from_np2d, the binning itself)
PARTS = {
    ("lightgbm/basic.py", "update"): "rounds",
    ("lightgbm/basic.py", "__init_from_np2d"): "binning",
    ("lightgbm/basic.py", "__inner_predict_np2d"): "predicting",
}


def split_cpu(profile):
    """``{part: seconds}`` of a profile, with ``"total"``."""
    stats = pstats.Stats(profile).stats
    parts = dict.fromkeys(PARTS.values(), 0.0)
    for (path, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, function), part in PARTS.items():
            if name == function and path.endswith(suffix):
                parts[part] += cumulative
    parts["total"] = max(cumulative for *_, cumulative, _ in stats.values())
    parts["other"] = parts["total"] - sum(parts[p] for p in set(PARTS.values()))
    return parts


def run(method, seed, args):
    profile = cProfile.Profile(time.process_time)  # CPU, whatever else runs
    profile.enable()
    row = run_method(method, "clf-lgbm", args, seed)
    profile.disable()
    return {"method": method, "seed": seed, "rounds_trained": row["rounds"],
            "test_score": row["test_score"], **split_cpu(profile)}


def report(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    random = {r["seed"]: r["total"] for r in rows if r["method"] == "random"}
    header = ("| method | seeds | total (s) | rounds (s) | binning (s) | predicting (s) "
              "| other (s) | rounds / random's total | total / random's total "
              "| rounds trained | ms per round |")
    lines = [header, "|---" * 11 + "|"]
    for method in dict.fromkeys(r["method"] for r in rows):
        runs = [r for r in rows if r["method"] == method]

        def med(key, runs=runs):
            return float(np.median([r[key] for r in runs]))

        share = np.median([r["rounds"] / random[r["seed"]] for r in runs])
        total = np.median([r["total"] / random[r["seed"]] for r in runs])
        per_round = np.median([1000 * r["rounds"] / r["rounds_trained"] for r in runs])
        lines.append(
            f"| {method} | {len(runs)} | {med('total'):.1f} | {med('rounds'):.1f} "
            f"| {med('binning'):.1f} | {med('predicting'):.1f} | {med('other'):.1f} "
            f"| {share:.2f} | {total:.2f} | {med('rounds_trained'):.0f} "
            f"| {per_round:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/boosting-cost")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-iter", type=int, default=10)
    parser.add_argument("--cap", type=int, default=500)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    path = Path(args.out) / "runs.jsonl"
    if not args.report:
        args.tuner_budget = None
        path.parent.mkdir(parents=True, exist_ok=True)
        warnings.filterwarnings("ignore")
        for seed in range(args.seeds):
            for method in args.methods:
                save(path, run(method, seed, args))
    print(report(path))


if __name__ == "__main__":
    main()
