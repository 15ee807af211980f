"""Is the selection-bias-corrected CV score closer to the held-out score?

Reads runs recorded by ``bayes_benchmark.py`` (which stores each run's
per-split CV scores) and compares, run by run, the best CV score and the
estimates of ``skhyper.selection_bias`` with the refit model's held-out
score. Prints Markdown tables for docs/benchmarks.md.

    python benchmarks/selection_bias.py benchmarks/results/selection-bias
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skhyper import selection_bias  # noqa: E402

METHODS = ("tibshirani", "bootstrap")


def load(paths):
    runs = []
    for path in paths:
        path = Path(path)
        path = path / "runs.jsonl" if path.is_dir() else path
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            if rec.get("kind") == "run" and rec.get("status") == "ok" and (
                rec.get("split_scores") and rec.get("test_score") is not None
            ):
                runs.append(rec)
    return runs


def as_results(split_scores):
    S = np.array([[np.nan if v is None else v for v in row] for row in split_scores])
    means = S.mean(axis=1)
    out = {f"split{k}_test_score": S[:, k] for k in range(S.shape[1])}
    out["mean_test_score"] = means
    order = np.argsort(-np.where(np.isfinite(means), means, -np.inf), kind="stable")
    ranks = np.empty(len(means), dtype=int)
    ranks[order] = np.arange(1, len(means) + 1)
    out["rank_test_score"] = ranks
    return out


def sign_test(wins, losses):
    if wins + losses == 0:
        return 1.0
    return float(binomtest(int(wins), int(wins + losses)).pvalue)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", help="results directories or runs.jsonl files")
    a = p.parse_args(argv)
    rows = []
    for rec in load(a.runs):
        results = as_results(rec["split_scores"])
        row = {"task": rec["task"], "seed": rec["seed"], "test": rec["test_score"]}
        for method in METHODS:
            est = selection_bias(results, method=method)
            row["best"] = est.best_score
            row[method] = est.corrected
            row["noise"] = est.within_noise
        rows.append(row)
    tasks = list(dict.fromkeys(r["task"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    print(f"{len(rows)} runs, {len(tasks)} tasks, seeds {seeds[0]}-{seeds[-1]}\n")
    print("| task | best CV − held-out | Tibshirani − held-out | bootstrap − held-out "
          "| mean abs. error: best CV / Tibshirani / bootstrap "
          "| Tibshirani closer | bootstrap closer |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = {m: [0, 0, 0] for m in METHODS}
    ratios = {m: [] for m in METHODS}
    for task in tasks:
        here = [r for r in rows if r["task"] == task]
        err = {k: np.array([r[k] - r["test"] for r in here]) for k in ("best", *METHODS)}
        cells = []
        for m in METHODS:
            closer = np.abs(err[m]) < np.abs(err["best"])
            farther = np.abs(err[m]) > np.abs(err["best"])
            totals[m][0] += closer.sum()
            totals[m][1] += farther.sum()
            totals[m][2] += len(here) - closer.sum() - farther.sum()
            cells.append(f"{closer.sum()}/{len(here)}")
            mae_best = np.mean(np.abs(err["best"]))
            if mae_best > 0:
                ratios[m].append(np.mean(np.abs(err[m])) / mae_best)
        mae = " / ".join(f"{np.mean(np.abs(err[k])):.4f}" for k in ("best", *METHODS))
        print(f"| {task} | {err['best'].mean():+.4f} | {err['tibshirani'].mean():+.4f} "
              f"| {err['bootstrap'].mean():+.4f} | {mae} | {cells[0]} | {cells[1]} |")
    print()
    for m in METHODS:
        w, l, t = totals[m]
        print(f"- {m}: closer to the held-out score in {w} runs, farther in {l}, "
              f"same in {t} (sign test p = {sign_test(w, l):.3g}); mean absolute "
              f"error relative to best CV's, mean over tasks: "
              f"{np.mean(ratios[m]):.3f} (median {np.median(ratios[m]):.3f}); "
              f"tasks where it is lower: {sum(r < 1 for r in ratios[m])}/{len(ratios[m])}")
    noisy = np.mean([r["noise"] for r in rows])
    print(f"- best within the fold noise of the runner-up: {noisy:.0%} of runs")


if __name__ == "__main__":
    main()
