"""Wall time of an asynchronous search of HistGradientBoosting on a dask
cluster, with and without the per-fit thread limit.

``BayesSearchCV(asynchronous=True)`` of ``HistGradientBoostingClassifier``
(its OpenMP threads) on a ``distributed.LocalCluster`` of ``--workers``
single-threaded worker processes, nothing else limiting threads:

* ``limited``: the default, each fit limited to ``cpu_count() // workers``
  threads (:func:`skhyper.fit_threads`);
* ``unlimited``: inside ``fit_threads(None)``, each fit starts as many
  threads as the machine has cores.

The two run alternately, ``--repeats`` times each, same seed.

Usage (from the repository root)::

    python benchmarks/oversubscription.py --workers 2 --repeats 3 \\
        --out benchmarks/results/oversubscription
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import time
import warnings

import numpy as np


def search(n_iter, seed=0):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skhyper import BayesSearchCV, Integer, Real

    return BayesSearchCV(
        HistGradientBoostingClassifier(max_iter=100, early_stopping=False),
        {"learning_rate": Real(0.01, 0.3, prior="log-uniform"),
         "max_leaf_nodes": Integer(8, 63)},
        n_iter=n_iter, cv=3, n_jobs=-1, asynchronous=True, refit=False,
        random_state=seed,
    )


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--n-iter", type=int, default=12)
    p.add_argument("--rows", type=int, default=40000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default="benchmarks/results/oversubscription")
    a = p.parse_args(argv)

    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import make_classification

    from skhyper import fit_threads

    X, y = make_classification(n_samples=a.rows, n_features=40, random_state=0)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    modes = {"limited": contextlib.nullcontext, "unlimited": lambda: fit_threads(None)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(
            n_workers=a.workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None,
        )
    with cluster, Client(cluster), joblib.parallel_config(backend="dask"):
        search(2).fit(X[:500], y[:500])  # workers start and import
        for repeat in range(a.repeats):
            for mode, context in modes.items():
                with context():
                    t0 = time.perf_counter()
                    fitted = search(a.n_iter).fit(X, y)
                    wall = time.perf_counter() - t0
                rec = {"mode": mode, "repeat": repeat, "wall": wall,
                       "workers": a.workers, "cpu_count": os.cpu_count(),
                       "best": float(np.max(fitted.cv_results_["mean_test_score"]))}
                with open(out / "runs.jsonl", "a") as f:
                    f.write(json.dumps(rec) + "\n")
                print(f"{mode:9s} repeat={repeat} wall={wall:.1f}s", flush=True)


if __name__ == "__main__":
    main()
