"""Worker utilisation of the halving searches, whose rungs wait for each other.

The fits of ``async_benchmark.py`` with a resource: ``fit`` sleeps
``0.02 + 0.58 * x0 * steps / 27`` seconds, so a fit's length grows with its
resource (``steps``, 1 to 27) and with one hyperparameter, and costs no CPU.
Successive halving evaluates a rung, waits for its slowest fit, keeps the
best third and gives them three times the resource; Hyperband runs several
such brackets (skhyper's staggered, so that rungs of different brackets at
the same resource share one call). The workers idle at every rung's end
while its slowest fits finish, and on the last rungs, which have fewer fits
than workers. Side by side, 3 folds, threading backend, ``refit=False``:

* ``skhyper-hyperband``: ``HyperbandSearchCV(resource="steps",
  max_resources=27, min_resources=1)`` (4 brackets);
* ``skhyper-halving``: ``SuccessiveHalvingSearchCV`` with the same
  resources and ``n_candidates=27``;
* ``sklearn-halving``: scikit-learn's ``HalvingRandomSearchCV``, the same;
* ``random``: ``RandomizedSearchCV`` with ``steps=27`` and as many
  evaluations as Hyperband makes: the utilisation of a search without
  barriers.

Utilisation = total fit time (from ``cv_results_``, every rung) / (wall time
x workers). Usage (from the repository root)::

    python benchmarks/halving_utilisation.py --workers 8,16 --seeds 3 \\
        --out benchmarks/results/halving-utilisation
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.async_benchmark import N_FOLDS, SPACE, _backend, _data, objective  # noqa: E402
from benchmarks.spaces import to_scipy, to_skhyper  # noqa: E402
from skhyper._compat import search_history  # noqa: E402

METHODS = ("skhyper-hyperband", "skhyper-halving", "sklearn-halving", "random")
MAX_STEPS = 27


class SteppedFit(RegressorMixin, BaseEstimator):
    """``fit`` sleeps ``0.02 + 0.58 * x0 * steps / 27`` s; ``score`` is ``objective``."""

    def __init__(self, x0=0.5, x1=0.5, x2=0.5, x3=0.5, steps=MAX_STEPS):
        self.x0, self.x1, self.x2, self.x3 = x0, x1, x2, x3
        self.steps = steps

    def fit(self, X, y):
        time.sleep(0.02 + 0.58 * self.x0 * self.steps / MAX_STEPS)
        return self

    def predict(self, X):
        return np.full(len(X), objective(self.get_params()))

    def score(self, X, y):
        return float(objective(self.get_params()))


def build(method, n_jobs, seed, n_iter):
    common = dict(cv=N_FOLDS, n_jobs=n_jobs, refit=False, random_state=seed)
    halving = dict(resource="steps", max_resources=MAX_STEPS, min_resources=1, factor=3)
    if method == "skhyper-hyperband":
        from skhyper import HyperbandSearchCV

        return HyperbandSearchCV(SteppedFit(), to_skhyper(SPACE), **halving, **common)
    if method == "skhyper-halving":
        from skhyper import SuccessiveHalvingSearchCV

        return SuccessiveHalvingSearchCV(
            SteppedFit(), to_skhyper(SPACE), n_candidates=27, **halving, **common
        )
    if method == "sklearn-halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(
            SteppedFit(), to_scipy(SPACE), n_candidates=27, **halving, **common
        )
    from sklearn.model_selection import RandomizedSearchCV

    return RandomizedSearchCV(SteppedFit(), to_scipy(SPACE), n_iter=n_iter, **common)


def run_one(n_jobs, method, seed, n_iter):
    search = build(method, n_jobs, seed, n_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _backend("thread"):
            t0 = time.perf_counter()
            search.fit(*_data())
            wall = time.perf_counter() - t0
    rows = search_history(search)
    fit_total = float(np.nansum(rows["mean_fit_time"]) * N_FOLDS)
    return {
        "n_jobs": n_jobs, "method": method, "seed": seed,
        "n_evals": len(rows["params"]), "wall": wall, "fit_total": fit_total,
        "utilisation": fit_total / (wall * n_jobs),
        "best": float(np.nanmax(rows["mean_test_score"])),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", default="8,16")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--out", default="benchmarks/results/halving-utilisation")
    a = p.parse_args(argv)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    n_iter = build("skhyper-hyperband", 1, 0, 0).schedule().n_evaluations
    recs = []
    for n_jobs in (int(w) for w in a.workers.split(",")):
        for seed in range(a.seeds):
            for method in a.methods.split(","):
                rec = run_one(n_jobs, method, seed, n_iter)
                recs.append(rec)
                with open(out / "runs.jsonl", "a") as f:
                    f.write(json.dumps(rec) + "\n")
                print(f"{n_jobs:3d} workers {method:18s} seed={seed} "
                      f"evals={rec['n_evals']} wall={rec['wall']:.2f}s "
                      f"utilisation={rec['utilisation']:.3f}", flush=True)
    print("\n| workers | " + " | ".join(a.methods.split(",")) + " |")
    print("|---:|" + "---:|" * len(a.methods.split(",")))
    for n_jobs in sorted({r["n_jobs"] for r in recs}):
        cells = [np.median([r["utilisation"] for r in recs
                            if r["n_jobs"] == n_jobs and r["method"] == m])
                 for m in a.methods.split(",")]
        print(f"| {n_jobs} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    from benchmarks.halving_utilisation import main as _main

    _main()
