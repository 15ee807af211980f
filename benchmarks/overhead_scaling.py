"""Wall time of a long search on fits of a millisecond: BayesSearchCV against
RandomizedSearchCV at the same number of evaluations.

scikit-learn's kernel-ridge example (a noisy sine, 100 samples, 5-fold CV):
each fit takes about a millisecond, so a search costs what its machinery
costs. ``BayesSearchCV(n_iter=N)`` is swapped in for
``RandomizedSearchCV(n_iter=N)`` with the same distributions, ``n_jobs=1``,
one BLAS thread; the two run alternately, seed by seed. Printed: the medians
over seeds of the wall and CPU time of each, their ratios, skhyper's overhead per
evaluation (its wall time minus RandomizedSearchCV's, over N) and the best CV
score of each.

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/overhead_scaling.py --n-iter 500 \\
        --seeds 3 --out benchmarks/results/overhead-scaling
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from scipy.stats import loguniform  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SPACE = {"alpha": loguniform(1e-3, 1e1), "gamma": loguniform(1e-2, 1e2)}


def data():
    # scikit-learn's plot_kernel_ridge_regression: a sine with noise on every
    # fifth target.
    rng = np.random.RandomState(42)
    X = 5 * rng.rand(100, 1)
    y = np.sin(X).ravel()
    y[::5] += 3 * (0.5 - rng.rand(X.shape[0] // 5))
    return X, y


def timed(search, X, y):
    wall, cpu = time.perf_counter(), time.process_time()
    search.fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, float(search.best_score_)


def run(n_iter, seed, methods):
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import RandomizedSearchCV

    from skhyper import BayesSearchCV

    X, y = data()
    makers = {
        "random": lambda: RandomizedSearchCV(
            KernelRidge(kernel="rbf"), SPACE, n_iter=n_iter, cv=5,
            random_state=seed,
        ),
        "skhyper": lambda: BayesSearchCV(
            KernelRidge(kernel="rbf"), SPACE, n_iter=n_iter, cv=5,
            random_state=seed,
        ),
    }
    rec = {"seed": seed, "n_iter": n_iter}
    for name in methods:
        wall, cpu, best = timed(makers[name](), X, y)
        rec[f"{name}_s"], rec[f"{name}_cpu_s"], rec[f"{name}_best"] = wall, cpu, best
    return rec


def summarize(recs):
    med = {k: float(np.median([r[k] for r in recs])) for k in recs[0] if k != "seed"}
    if "random_s" in med and "skhyper_s" in med:
        ratios = [r["skhyper_s"] / r["random_s"] for r in recs]
        extra = [(r["skhyper_s"] - r["random_s"]) / r["n_iter"] for r in recs]
        med["ratio"] = float(np.median(ratios))
        med["overhead_ms_per_eval"] = 1000 * float(np.median(extra))
        # On a shared machine the wall times are load-bound; the process's
        # CPU time (one process, one BLAS thread) is what an idle one shows.
        med["cpu_ratio"] = float(np.median(
            [r["skhyper_cpu_s"] / r["random_cpu_s"] for r in recs]))
    return med


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-iter", type=int, default=500)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--methods", default="random,skhyper")
    p.add_argument("--out", default=None, help="directory for runs.jsonl")
    a = p.parse_args(argv)
    recs = []
    for seed in range(a.seeds):
        rec = run(a.n_iter, seed, a.methods.split(","))
        recs.append(rec)
        print(json.dumps(rec), flush=True)
        if a.out:
            out = pathlib.Path(a.out)
            out.mkdir(parents=True, exist_ok=True)
            with open(out / "runs.jsonl", "a") as f:
                f.write(json.dumps(rec) + "\n")
    print("median", json.dumps(summarize(recs)), flush=True)


if __name__ == "__main__":
    main()
