"""Worker utilisation of the halving searches, synchronous and asynchronous.

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
* ``skhyper-hyperband-async``: the same with ``asynchronous=True`` (brackets
  do not wait for each other; a rung's promotions wait for the rung);
* ``skhyper-hyperband-asha``: the same with ``asynchronous="asha"``;
* ``skhyper-halving``: ``SuccessiveHalvingSearchCV`` with the same
  resources and ``n_candidates=27`` (``--halving-candidates``);
* ``skhyper-halving-async``, ``skhyper-halving-asha``: the same with
  ``asynchronous=True`` and ``"asha"``;
* ``sklearn-halving``: scikit-learn's ``HalvingRandomSearchCV``, the same;
* ``random``: ``RandomizedSearchCV`` with ``steps=27`` and as many
  evaluations as Hyperband makes: the utilisation of a search without
  barriers.

Utilisation = total fit time (from ``cv_results_``, every rung) / (wall time
x workers. On threads, each run also records when each configuration's
last fold at the top resource ended: the seconds to the first
top-resource result, and the best objective at the top resource in the end.
``thread-N`` runs on joblib's threading backend with ``N``
workers, ``dask-N`` on a ``distributed.LocalCluster`` of ``N`` single-thread
worker processes. Usage (from the repository root)::

    python benchmarks/halving_utilisation.py --configs thread-8,thread-16 \\
        --seeds 3 --out benchmarks/results/halving-utilisation
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

from benchmarks.async_benchmark import (  # noqa: E402
    N_FOLDS,
    SPACE,
    _backend,
    cluster_for,
    _data,
    _finish_times,
    objective,
)
from benchmarks.spaces import to_scipy, to_skhyper  # noqa: E402
from skhyper._compat import search_history  # noqa: E402

METHODS = (
    "skhyper-hyperband", "skhyper-hyperband-async", "skhyper-hyperband-asha",
    "skhyper-halving", "skhyper-halving-async", "skhyper-halving-asha",
    "sklearn-halving", "random",
)
#: ``asynchronous=`` of each skhyper method.
ASYNCHRONOUS = {"async": True, "asha": "asha"}
MAX_STEPS = 27
#: (time, configuration) of every fit at the top resource, on threads.
TOP_FITS = []


class SteppedFit(RegressorMixin, BaseEstimator):
    """``fit`` sleeps ``0.02 + 0.58 * x0 * steps / 27`` s; ``score`` is ``objective``."""

    def __init__(self, x0=0.5, x1=0.5, x2=0.5, x3=0.5, steps=MAX_STEPS):
        self.x0, self.x1, self.x2, self.x3 = x0, x1, x2, x3
        self.steps = steps

    def fit(self, X, y):
        time.sleep(0.02 + 0.58 * self.x0 * self.steps / MAX_STEPS)
        if self.steps == MAX_STEPS:
            params = self.get_params()
            TOP_FITS.append((time.perf_counter(), tuple(sorted(params.items()))))
        return self

    def predict(self, X):
        return np.full(len(X), objective(self.get_params()))

    def score(self, X, y):
        return float(objective(self.get_params()))


def _top_curve(log, t0):
    """``[seconds, best score]`` each time a configuration's last fold at the
    top resource ends (threads only: the fits log in this process)."""
    curve, best = [], -np.inf
    for key, end in sorted(_finish_times(log, t0).items(), key=lambda item: item[1]):
        best = max(best, float(objective(dict(key))))
        curve.append([end, best])
    return curve


def build(method, n_jobs, seed, n_iter, n_candidates=27):
    common = dict(cv=N_FOLDS, n_jobs=n_jobs, refit=False, random_state=seed)
    halving = dict(resource="steps", max_resources=MAX_STEPS, min_resources=1, factor=3)
    if method.startswith("skhyper-"):
        halving["asynchronous"] = ASYNCHRONOUS.get(method.split("-")[-1], False)
    if method.startswith("skhyper-hyperband"):
        from skhyper import HyperbandSearchCV

        return HyperbandSearchCV(SteppedFit(), to_skhyper(SPACE), **halving, **common)
    if method.startswith("skhyper-halving"):
        from skhyper import SuccessiveHalvingSearchCV

        return SuccessiveHalvingSearchCV(
            SteppedFit(), to_skhyper(SPACE), n_candidates=n_candidates, **halving,
            **common,
        )
    if method == "sklearn-halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(
            SteppedFit(), to_scipy(SPACE), n_candidates=n_candidates, **halving,
            **common,
        )
    from sklearn.model_selection import RandomizedSearchCV

    return RandomizedSearchCV(SteppedFit(), to_scipy(SPACE), n_iter=n_iter, **common)


def run_one(config, method, seed, n_iter, n_candidates=27):
    backend, n_jobs = config.split("-")
    n_jobs = int(n_jobs)
    search = build(method, n_jobs, seed, n_iter, n_candidates)
    TOP_FITS.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _backend(backend):
            t0 = time.perf_counter()
            search.fit(*_data())
            wall = time.perf_counter() - t0
    curve = _top_curve(list(TOP_FITS), t0) if backend == "thread" else []
    rows = search_history(search)
    fit_total = float(np.nansum(rows["mean_fit_time"]) * N_FOLDS)
    return {
        "config": config, "n_jobs": n_jobs, "method": method, "seed": seed,
        "n_candidates": n_candidates if "halving" in method else None,
        "n_evals": len(rows["params"]), "wall": wall, "fit_total": fit_total,
        "utilisation": fit_total / (wall * n_jobs),
        "best": float(np.nanmax(rows["mean_test_score"])),
        "top_curve": curve,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--configs", default="thread-8,thread-16")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--halving-candidates", type=int, default=27)
    p.add_argument("--out", default="benchmarks/results/halving-utilisation")
    a = p.parse_args(argv)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    methods = a.methods.split(",")
    n_iter = build("skhyper-hyperband", 1, 0, 0).schedule().n_evaluations
    recs = []
    for config in a.configs.split(","):
        with cluster_for(config):
            if config.startswith("dask"):
                for method in methods:  # workers import everything before any clock
                    run_one(config, method, 0, n_iter, a.halving_candidates)
            for seed in range(a.seeds):
                for method in methods:
                    rec = run_one(config, method, seed, n_iter, a.halving_candidates)
                    recs.append(rec)
                    with open(out / "runs.jsonl", "a") as f:
                        f.write(json.dumps(rec) + "\n")
                    print(f"{config:9s} {method:24s} seed={seed} "
                          f"evals={rec['n_evals']} wall={rec['wall']:.2f}s "
                          f"utilisation={rec['utilisation']:.3f}", flush=True)
    print("\n| configuration | " + " | ".join(methods) + " |")
    print("|---|" + "---:|" * len(methods))
    for config in a.configs.split(","):
        cells = [np.median([r["utilisation"] for r in recs
                            if r["config"] == config and r["method"] == m])
                 for m in methods]
        print(f"| {config} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    print_top_results(recs, methods)


def print_top_results(recs, methods):
    """Seconds to the first top-resource result, and the best objective at the
    top resource in the end (threads only; medians over seeds)."""
    configs = [c for c in dict.fromkeys(r["config"] for r in recs) if c.startswith("thread")]
    for title, cell in [
        ("First top-resource result, s", lambda r: r["top_curve"][0][0]),
        ("Best objective at the top resource", lambda r: r["top_curve"][-1][1]),
    ]:
        print(f"\n{title} (median over seeds)\n")
        print("| configuration | " + " | ".join(methods) + " |")
        print("|---|" + "---:|" * len(methods))
        for config in configs:
            cells = [np.median([cell(r) if r["top_curve"] else np.nan for r in recs
                                if r["config"] == config and r["method"] == m])
                     for m in methods]
            print(f"| {config} | " + " | ".join(f"{c:.4g}" for c in cells) + " |")


if __name__ == "__main__":
    from benchmarks.halving_utilisation import main as _main

    _main()
