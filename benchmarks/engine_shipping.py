"""Data shipped to cluster workers, their peak memory and wall time, per engine.

A search of ``--candidates`` candidates x ``--folds`` folds of a cheap fit
(``NearestCentroid``, its ``shrink_threshold`` searched) on an ``X`` of
``--mb`` megabytes, on a local cluster of ``--workers`` worker processes of
each engine:

* ``dask``: a ``distributed.LocalCluster`` (one thread per worker);
* ``ray``: a local Ray instance of ``--workers`` CPUs;
* ``spark``: a local Spark (``local[N]``) through ``joblibspark``.

Methods: ``random`` (scikit-learn's ``RandomizedSearchCV``),
``skhyper-sync`` (``BayesSearchCV``, batches through scikit-learn's
``evaluate_candidates``) and ``skhyper-async`` (``asynchronous=True``).

Measured per run:

* bytes moved: the growth of the loopback interface's received bytes
  (``/proc/net/dev``) during ``fit``: every byte any process of the machine
  sent to another over TCP (the cluster listens on 127.0.0.1 only; other
  programs' traffic is noise), compared with "X once per worker";
* X sent: how many times this process pickled ``X`` to send it
  (``benchmarks/arrivals.py``); 1 is "X stored once";
* X's arrivals per worker (dask, Spark): how many times ``X`` was
  unpickled in a worker process (``benchmarks/arrivals.py``), whatever route
  it took; 1.0 is "X once per worker", the issue's floor. Not on Ray, whose
  workers read the node's one stored copy in place;
* peak memory of the engine's worker processes (dask workers, Ray's
  ``ray::`` processes, Spark's Python workers, not its JVM), sampled every 0.2 s: the
  largest ``VmHWM`` of one worker, reset at each run's start;
* wall time of ``fit`` (``refit=False``).

Ray's object store is shared memory: a worker on the node of ``ray.put``
reads ``X`` in place, so nothing of ``X`` moves over the network there.

Usage (from the repository root; Linux, for ``/proc``)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/engine_shipping.py --engines dask,ray,spark \\
        --mb 400 --candidates 64 --folds 5 --out benchmarks/results/engine-shipping
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
import tempfile
import threading
import time
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # workers import benchmarks.arrivals from here too

from benchmarks.arrivals import arrivals, counted, sends  # noqa: E402
METHODS = ("random", "skhyper-sync", "skhyper-async")


def data(mb, seed=0):
    """``X`` of ``mb`` megabytes (50 float64 columns) and binary ``y``."""
    rng = np.random.RandomState(seed)
    n = int(mb * 1e6 / 8 / 50)
    X = rng.standard_normal((n, 50))
    y = (X[:, 0] + 0.5 * rng.standard_normal(n) > 0).astype(int)
    X[y == 1, :5] += 0.3
    return X, y


def build(method, n_candidates, n_folds, seed=0):
    from scipy.stats import loguniform
    from sklearn.neighbors import NearestCentroid

    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            NearestCentroid(), {"shrink_threshold": loguniform(1e-3, 10)},
            n_iter=n_candidates, cv=n_folds, n_jobs=-1, refit=False,
            random_state=seed,
        )
    from skhyper import BayesSearchCV, Real

    return BayesSearchCV(
        NearestCentroid(), {"shrink_threshold": Real(1e-3, 10, prior="log-uniform")},
        n_iter=n_candidates, cv=n_folds, n_jobs=-1, refit=False, random_state=seed,
        asynchronous=method == "skhyper-async",
    )


# -- engines ----------------------------------------------------------------------


@contextlib.contextmanager
def engine(name, n_workers):
    """The engine started locally on 127.0.0.1; yields a function listing
    its worker processes' pids."""
    import psutil

    if name == "dask":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None,
        )
        client = Client(cluster)
        try:
            yield lambda: list(client.run(os.getpid).values())
        finally:
            client.close()
            cluster.close()
        return
    me = psutil.Process()
    if name == "ray":
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback
        import ray
        from ray.util.joblib import register_ray

        ray.init(num_cpus=n_workers, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
        register_ray()
        try:
            yield lambda: _descendants(me, lambda p: p.name().startswith("ray::"))
        finally:
            ray.shutdown()
        return
    import joblibspark
    from pyspark.sql import SparkSession

    os.environ.update(
        SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    session = (
        SparkSession.builder.master(f"local[{n_workers}]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.driver.maxResultSize", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    joblibspark.register_spark()
    try:
        # Spark's Python workers; the JVM, in local mode the driver's too,
        # holds the broadcast blocks and keeps its heap once grown.
        yield lambda: _descendants(me, lambda p: "pyspark.daemon" in " ".join(p.cmdline()))
    finally:
        session.stop()


def _descendants(process, keep):
    import psutil

    found = []
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if keep(child):
                found.append(child.pid)
    return found


# -- measurement ------------------------------------------------------------------


def _loopback_bytes():
    """Bytes received so far on the loopback interface."""
    for line in pathlib.Path("/proc/net/dev").read_text().splitlines():
        name, _, counters = line.partition(":")
        if name.strip() == "lo":
            return int(counters.split()[0])
    raise RuntimeError("no loopback interface in /proc/net/dev")


def _peak(pid):
    """VmHWM of a process in bytes, or ``None`` once it is gone."""
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    peaks = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")]
    return int(peaks[0]) * 1024 if peaks else None  # none for a zombie


class Sampler(threading.Thread):
    """Samples the workers' peak memory, and the bytes moved, until stopped."""

    def __init__(self, workers):
        super().__init__(daemon=True)
        self.workers = workers
        self.last = {}
        self._done = threading.Event()
        for pid in workers():
            with contextlib.suppress(OSError):  # peak memory counts from now
                pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.start_bytes = _loopback_bytes()

    def run(self):
        while not self._done.wait(0.2):
            self.sample()

    def sample(self):
        for pid in self.workers():
            peak = _peak(pid)
            if peak:
                self.last[pid] = peak

    def stop(self):
        moved = _loopback_bytes() - self.start_bytes
        self._done.set()
        self.join()
        self.sample()
        peaks = list(self.last.values())
        return {"bytes_moved": moved, "peak_worker": max(peaks, default=0),
                "peak_sum": sum(peaks), "n_processes": len(self.last)}


def run_one(engine_name, method, workers, X, y, a):
    import joblib

    search = build(method, a.candidates, a.folds)
    # New content per run: dask names scattered data by a hash of it, and a
    # copy left on the workers by the previous run would be reused.
    X[0, 0] = time.perf_counter()
    log = pathlib.Path(tempfile.mkdtemp()) / "arrivals"
    X = counted(X, log)
    sampler = Sampler(workers)
    sampler.start()
    with warnings.catch_warnings(), joblib.parallel_config(backend=engine_name):
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - t0
    rec = sampler.stop()
    rec.update(engine=engine_name, method=method, wall=wall, mb=a.mb,
               candidates=a.candidates, folds=a.folds, workers=a.workers,
               x_bytes=int(X.nbytes), n_rows=len(search.cv_results_["params"]))
    rec["moved_per_x_per_worker"] = rec["bytes_moved"] / (X.nbytes * a.workers)
    here = os.getpid()
    rec["x_sends"] = sends(log)[here]
    if engine_name != "ray":  # Ray's workers read X in place, once per task
        rec["x_arrivals"] = sum(n for pid, n in arrivals(log).items() if pid != here)
        rec["x_arrivals_per_worker"] = rec["x_arrivals"] / a.workers
    return rec


def cmd_run(a):
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    X, y = data(a.mb)
    for engine_name in a.engines.split(","):
        with engine(engine_name, a.workers) as workers:
            small = data(1)
            for method in ("random", "skhyper-async"):  # workers start, import
                run_one(engine_name, method, workers, *small,
                        argparse.Namespace(**{**vars(a), "candidates": 4, "folds": 2}))
            for _ in range(a.repeats):
                for method in a.methods.split(","):
                    rec = run_one(engine_name, method, workers, X, y, a)
                    with open(out / "runs.jsonl", "a") as f:
                        f.write(json.dumps(rec) + "\n")
                    print(
                        f"{engine_name:6s} {method:14s} wall={rec['wall']:.1f}s "
                        f"moved={rec['bytes_moved'] / 1e6:.0f} MB "
                        f"({rec['moved_per_x_per_worker']:.2f} x X per worker) "
                        f"peak={rec['peak_worker'] / 1e6:.0f} MB "
                        f"X arrivals per worker={rec.get('x_arrivals_per_worker', '-')} "
                        f"X sent={rec['x_sends']}",
                        flush=True,
                    )


def cmd_report(a):
    recs = [json.loads(line) for line in open(pathlib.Path(a.report) / "runs.jsonl")]
    lines = ["| engine | method | wall (s) | moved (MB) | x (X once per worker) "
             "| X sent | X arrivals per worker | peak worker (MB) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for rec in recs:
        lines.append(
            f"| {rec['engine']} | {rec['method']} | {rec['wall']:.1f} | "
            f"{rec['bytes_moved'] / 1e6:.0f} | {rec['moved_per_x_per_worker']:.2f} | "
            f"{rec.get('x_sends', '-')} | {rec.get('x_arrivals_per_worker', '-')} | "
            f"{rec['peak_worker'] / 1e6:.0f} |"
        )
    print("\n".join(lines))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--engines", default="dask,ray,spark")
    p.add_argument("--methods", default=",".join(METHODS))
    p.add_argument("--mb", type=float, default=400)
    p.add_argument("--candidates", type=int, default=64)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--out", default="benchmarks/results/engine-shipping")
    p.add_argument("--report", help="a table of recorded runs, no rerun")
    a = p.parse_args(argv)
    return cmd_report(a) if a.report else cmd_run(a)


if __name__ == "__main__":
    main()
