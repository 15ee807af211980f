"""Worker utilisation of parallel searches whose fits take uneven times.

Every fit sleeps 0.02-0.6 s (``--sleep``), longer as the parameter ``x0`` grows, and costs
no CPU, so many workers fit on a small machine: what is measured is how well
each search keeps its workers busy, not how fast the machine fits. The score
is a smooth closed-form function of the four parameters (best 0.0, at
``x0=0.7``: the good configurations are the slow ones, as for an SVC with a
large ``C``).

Methods, side by side in one run, same space, same 3 folds, same budget:

* ``skhyper-async``: ``BayesSearchCV(asynchronous=True)``;
* ``skhyper-sync``: ``BayesSearchCV(asynchronous=False)``, batches of
  ``n_points="auto"`` (one candidate per worker);
* ``random``: scikit-learn's ``RandomizedSearchCV`` (everything at once);
* ``optuna-tpe``: ``OptunaSearchCV(n_jobs=...)`` with a seeded TPE sampler
  (``n_jobs`` trials in threads, each trial's folds one after the other).

Configurations: ``thread-N`` runs on joblib's threading backend with ``N``
workers and ``8 N`` evaluations; ``dask-8`` on a ``distributed.LocalCluster``
with 8 single-threaded worker processes (Optuna runs its trials in threads
in the main process there, as it does everywhere); ``ray-8`` on a local Ray
instance of 8 CPUs (``ray.init(num_cpus=8)``, listening on 127.0.0.1 only).

Measured per run: utilisation = total fit time / (wall time x workers),
where the total fit time is the sum of every fold's fit time reported by the
search (``cv_results_`` or Optuna's trial attributes) and the wall time is
``fit`` with ``refit=False``. On the threading backend every fit's end is
also logged in-process, which gives the best score after a fixed wall time
and after a fixed number of finished evaluations.

Usage (from the repository root)::

    python benchmarks/async_benchmark.py --configs thread-8,thread-16,thread-64,dask-8 \\
        --seeds 3 --out benchmarks/results/async
    python benchmarks/async_benchmark.py --report benchmarks/results/async
    python benchmarks/async_benchmark.py --configs ray-8 --sleep 0.1,3 \
        --methods skhyper-async,skhyper-sync,random --out benchmarks/results/ray-long
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
import threading
import time
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.spaces import to_optuna, to_scipy, to_skhyper  # noqa: E402
from benchmarks.tasks import Real  # noqa: E402

SPACE = tuple(Real(f"x{i}", 0.0, 1.0) for i in range(4))
OPTIMUM = (0.7, 0.3, 0.5, 0.2)
WEIGHTS = (1.0, 1.0, 0.5, 0.2)
N_FOLDS = 3
METHODS = ("skhyper-async", "skhyper-sync", "random", "optuna-tpe")
CONFIGS = ("thread-8", "thread-16", "thread-64", "dask-8", "ray-8")
#: Shortest and longest sleep of a fit, in seconds (read by the workers too).
SLEEP_VAR = "SKHYPER_BENCH_SLEEP"

#: (perf_counter at the end of a fit, parameters) of every fit in this process.
FIT_LOG: list = []
_LOG_LOCK = threading.Lock()


def objective(params):
    return -sum(
        w * (params[f"x{i}"] - c) ** 2 for i, (c, w) in enumerate(zip(OPTIMUM, WEIGHTS))
    )


class SleepingFit(RegressorMixin, BaseEstimator):
    """``fit`` sleeps from ``lo`` to ``hi`` seconds as ``x0`` goes from 0 to 1
    (``SKHYPER_BENCH_SLEEP="lo,hi"``, default 0.02,0.6); ``score`` is
    ``objective``."""

    def __init__(self, x0=0.5, x1=0.5, x2=0.5, x3=0.5):
        self.x0, self.x1, self.x2, self.x3 = x0, x1, x2, x3

    def fit(self, X, y):
        lo, hi = (float(v) for v in os.environ.get(SLEEP_VAR, "0.02,0.6").split(","))
        time.sleep(lo + (hi - lo) * self.x0)
        with _LOG_LOCK:
            FIT_LOG.append((time.perf_counter(), self._key()))
        return self

    def _key(self):
        return (self.x0, self.x1, self.x2, self.x3)

    def predict(self, X):
        return np.full(len(X), objective(self.get_params()))

    def score(self, X, y):
        return float(objective(self.get_params()))


def _data():
    X = np.zeros((3 * N_FOLDS, 1))
    y = np.zeros(3 * N_FOLDS)
    return X, y


def build(method, n_jobs, n_iter, seed):
    if method.startswith("skhyper"):
        from skhyper import BayesSearchCV

        return BayesSearchCV(
            SleepingFit(), to_skhyper(SPACE), n_iter=n_iter, cv=N_FOLDS,
            n_jobs=n_jobs, refit=False, random_state=seed,
            asynchronous=method == "skhyper-async",
        )
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            SleepingFit(), to_scipy(SPACE), n_iter=n_iter, cv=N_FOLDS,
            n_jobs=n_jobs, refit=False, random_state=seed,
        )
    import optuna
    from optuna_integration import OptunaSearchCV

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed)
    )
    return OptunaSearchCV(
        SleepingFit(), to_optuna(SPACE), n_trials=n_iter, cv=N_FOLDS,
        n_jobs=n_jobs, refit=False, random_state=seed, study=study,
    )


def evaluations(search):
    """[(params, mean score, total fit time)] in the search's own order."""
    if hasattr(search, "study_"):
        out = []
        for trial in sorted(search.study_.trials, key=lambda t: t.number):
            a = trial.user_attrs
            out.append((
                {k: float(v) for k, v in trial.params.items()},
                float(a.get("mean_test_score", np.nan)),
                float(a.get("mean_fit_time", np.nan)) * N_FOLDS,
            ))
        return out
    r = search.cv_results_
    return [
        ({k: float(v) for k, v in p.items()}, float(s), float(t) * N_FOLDS)
        for p, s, t in zip(r["params"], r["mean_test_score"], r["mean_fit_time"])
    ]


def _finish_times(log, t0):
    """Seconds from ``t0`` to each configuration's last fold end, from the log."""
    ends = {}
    for stamp, key in log:
        ends[key] = max(ends.get(key, -np.inf), stamp - t0)
    return ends


def run_one(config, method, seed):
    backend, n_jobs = config.split("-")
    n_jobs = int(n_jobs)
    n_iter = 8 * n_jobs
    search = build(method, n_jobs, n_iter, seed)
    X, y = _data()
    FIT_LOG.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with _backend(backend):
            t0 = time.perf_counter()
            search.fit(X, y)
            wall = time.perf_counter() - t0
    evals = evaluations(search)
    fit_total = float(np.nansum([e[2] for e in evals]))
    rec = {
        "config": config, "method": method, "seed": seed, "n_jobs": n_jobs,
        "n_iter": n_iter, "n_evals": len(evals), "wall": wall,
        "fit_total": fit_total, "utilisation": fit_total / (wall * n_jobs),
        "best": float(np.nanmax([e[1] for e in evals])),
    }
    if backend == "thread":
        ends = _finish_times(list(FIT_LOG), t0)
        finished = sorted(
            (ends.get(tuple(p[f"x{i}"] for i in range(4)), np.inf), s)
            for p, s, _ in evals
        )
        rec["finished"] = [[float(t), float(s)] for t, s in finished]
    return rec


class _backend:
    def __init__(self, backend):
        self.backend = backend

    def __enter__(self):
        import joblib

        name = {"thread": "threading"}.get(self.backend, self.backend)
        self._ctx = joblib.parallel_config(backend=name)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


@contextlib.contextmanager
def cluster_for(config):
    """A ``distributed.LocalCluster`` of N single-thread worker processes for
    ``dask-N`` (its workers import this repository), nothing for ``thread-N``."""
    if config.startswith("ray"):
        with ray_for(int(config.split("-")[1])):
            yield
        return
    if not config.startswith("dask"):
        yield
        return
    from distributed import Client, LocalCluster

    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]
    )
    cluster = LocalCluster(
        n_workers=int(config.split("-")[1]), threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address=None,
    )
    client = Client(cluster)
    try:
        yield
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def ray_for(n_cpus):
    """A local Ray instance of ``n_cpus`` CPUs on 127.0.0.1, joblib's ``"ray"``
    backend registered; its workers import this repository."""
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback
    import ray
    from ray.util.joblib import register_ray

    env = {"PYTHONPATH": str(ROOT), **{
        var: os.environ[var] for var in (SLEEP_VAR, "OMP_NUM_THREADS",
                                        "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        if var in os.environ
    }}
    ray.init(num_cpus=n_cpus, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": env})
    register_ray()
    try:
        yield
    finally:
        ray.shutdown()


def _warm_up(config):
    """Workers start and import this module before any clock runs."""
    backend, n_jobs = config.split("-")
    for method in ("random", "skhyper-async"):  # workers import skhyper too
        search = build(method, int(n_jobs), int(n_jobs), 0)
        with warnings.catch_warnings(), _backend(backend):
            warnings.simplefilter("ignore")
            search.fit(*_data())


def cmd_run(a):
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.jsonl"
    for config in a.configs.split(","):
        with cluster_for(config):
            _warm_up(config)
            for seed in range(a.seed_offset, a.seed_offset + a.seeds):
                for method in a.methods.split(","):
                    rec = run_one(config, method, seed)
                    with open(path, "a") as f:
                        f.write(json.dumps(rec) + "\n")
                    print(
                        f"{config:9s} {method:14s} seed={seed} evals={rec['n_evals']} "
                        f"wall={rec['wall']:.2f}s utilisation={rec['utilisation']:.3f} "
                        f"best={rec['best']:.4f}", flush=True,
                    )


def _best_by(finished, *, time_limit=None, count=None):
    scores = [s for t, s in finished if time_limit is None or t <= time_limit]
    if count is not None:
        scores = [s for _, s in finished[:count]]
    return max(scores) if scores else np.nan


def cmd_report(a):
    recs = []
    for d in a.report:
        with open(pathlib.Path(d) / "runs.jsonl") as f:
            recs += [json.loads(line) for line in f if line.strip()]
    configs = [c for c in CONFIGS if any(r["config"] == c for r in recs)]
    methods = [m for m in METHODS if any(r["method"] == m for r in recs)]

    def med(config, method, key):
        vals = [key(r) for r in recs if r["config"] == config and r["method"] == method]
        return (float(np.median(vals)), len(vals)) if vals else (np.nan, 0)

    lines = ["Worker utilisation (median over seeds; wall time in s):", ""]
    lines.append("| configuration | evaluations | " + " | ".join(methods) + " |")
    lines.append("|---|---:|" + "---:|" * len(methods))
    for c in configs:
        n_iter = next(r["n_iter"] for r in recs if r["config"] == c)
        cells = []
        for m in methods:
            u, n = med(c, m, lambda r: r["utilisation"])
            w, _ = med(c, m, lambda r: r["wall"])
            cells.append(f"{u:.2f} ({w:.1f} s)" if n else "")
        lines.append(f"| {c} | {n_iter} | " + " | ".join(cells) + " |")
    seeds = sorted({r["seed"] for r in recs})
    lines += ["", f"Seeds: {len(seeds)}.", ""]
    thread = [c for c in configs if c.startswith("thread")]
    if thread:
        lines += [
            "Best score (0 is optimal; median over seeds) after a fixed wall "
            "time T (the median wall time of `random`, and half of it) and after "
            "a fixed number of finished evaluations (a quarter and all of the "
            "budget):",
            "",
            "| configuration | method | at T/2 | at T | at n/4 | at n |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for c in thread:
            T, _ = med(c, "random", lambda r: r["wall"])
            for m in methods:
                row = [med(c, m, lambda r: _best_by(r["finished"], time_limit=T / 2))[0],
                       med(c, m, lambda r: _best_by(r["finished"], time_limit=T))[0],
                       med(c, m, lambda r: _best_by(r["finished"], count=r["n_iter"] // 4))[0],
                       med(c, m, lambda r: _best_by(r["finished"]))[0]]
                lines.append(f"| {c} | {m} | " + " | ".join(f"{v:.4f}" for v in row) + " |")
    text = "\n".join(lines)
    print(text)
    (pathlib.Path(a.report[0]) / "report.md").write_text(text + "\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--sleep", default="0.02,0.6", help="shortest,longest fit (s)")
    p.add_argument("--seed-offset", type=int, default=0)
    p.add_argument("--out", default="benchmarks/results/async")
    p.add_argument("--report", nargs="+", help="tables from recorded runs, no rerun")
    a = p.parse_args(argv)
    os.environ[SLEEP_VAR] = a.sleep
    return cmd_report(a) if a.report else cmd_run(a)


if __name__ == "__main__":
    # Run the module's own copy, so that SleepingFit pickles by reference
    # (dask workers import it) instead of by value with its lock.
    from benchmarks.async_benchmark import main as _main

    _main()
