"""Run one (task, method, seed) search, build random baselines, and time overhead.

Everything here returns plain JSON-serializable dicts; ``bayes_benchmark.py``
writes them one per line to ``runs.jsonl`` (or ``overhead.jsonl``), from which
``--report`` regenerates every table and figure without rerunning anything.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import re
import socket
import time
import traceback
import warnings
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from benchmarks.methods import get_method
from benchmarks.spaces import plain, to_scipy
from benchmarks.tasks import get_task

#: seed of the cached random baseline (distinct from the methods' seeds 0, 1, ...)
BASELINE_SEED = 987_654
BASELINE_VERSION = 1


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def versions():
    """Versions of everything that can change the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in (
        "numpy",
        "scipy",
        "scikit-learn",
        "joblib",
        "scikit-optimize",
        "optuna",
        "optuna-integration",
        "torch",
        "skhyper",
    ):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    try:
        import skhyper

        out["skhyper_imported"] = getattr(skhyper, "__version__", "?")
        out["skhyper_path"] = str(Path(skhyper.__file__).parent)
    except Exception:  # noqa: BLE001
        out["skhyper_imported"] = None
    repo = Path(__file__).resolve().parent.parent
    head = repo / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref:"):
            ref = (repo / ".git" / ref.split()[1]).read_text().strip()
        out["repo_commit"] = ref[:12]
    except OSError:
        out["repo_commit"] = None
    return out


def _canonical(params):
    def c(v):
        if isinstance(v, float):
            return float(f"{v:.10g}")
        return v

    return json.dumps(
        {k: c(v) for k, v in sorted(params.items())}, sort_keys=True, default=str
    )


def _warning_summary(caught):
    counts = Counter(w.category.__name__ for w in caught)
    first = {}
    for w in caught:
        first.setdefault(w.category.__name__, str(w.message)[:200])
    return {k: {"count": n, "first": first[k]} for k, n in counts.most_common()}


def _finite_or_none(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


# --------------------------------------------------------------------------
# one search run
# --------------------------------------------------------------------------


def _touch(obj):
    # unpickling ``obj`` in the worker imports its modules there
    return os.getpid()


def warm_pool(n_jobs, *objs):
    """Start joblib's worker processes before the clock starts.

    joblib reuses one loky executor per process; whichever search first asks
    for ``n_jobs`` workers would otherwise pay their start-up (about a second
    or more), and after a failed run the pool may be restarted. Sending the
    estimator and the (unfitted) search object, which scikit-learn >= 1.9
    also ships to the workers, imports their modules there in advance.
    """
    if n_jobs in (None, 1):
        return
    from joblib import Parallel, delayed
    from sklearn.model_selection._search import BaseSearchCV

    for obj in objs:
        if obj is not objs[0] and not isinstance(obj, BaseSearchCV):
            continue  # e.g. OptunaSearchCV: threads, and its study is not picklable
        try:
            Parallel(n_jobs=n_jobs)(
                delayed(_touch)(obj) for _ in range(4 * abs(n_jobs))
            )
        except Exception:  # noqa: BLE001 - the timed fit will report the problem
            pass


def run_one(job):
    """Run one search; never raises (failures are recorded)."""
    task = get_task(job["task"])
    if job.get("split_seed") is not None:
        # A train/test split and CV folds of this run's own (held-out scores
        # compared over many splits instead of the task's one).
        seed = job["split_seed"]
        task = dataclasses.replace(task, data_seed=seed, cv_seed=seed, _cache={})
    method = get_method(job["method"])
    rec = {
        "kind": "run",
        "task": task.name,
        "method": method.name,
        "seed": job["seed"],
        "n_iter": job["n_iter"],
        "n_jobs": job["n_jobs"],
        "n_points": job["n_points"],
        "cv_folds": job["cv_folds"],
        "task_signature": task.signature(job["cv_folds"]),
        "split_seed": job.get("split_seed"),
        "started": _now(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "versions": versions(),
    }
    ok, info = method.check()
    rec["method_info"] = info
    if not ok:
        rec["status"] = "unavailable"
        rec["error"] = info
        return rec
    X_train, X_test, y_train, y_test = task.load()
    cv = task.cv_splits(job["cv_folds"])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = method.build(
                task.make_estimator(),
                task.space,
                n_iter=job["n_iter"],
                n_points=job["n_points"],
                n_jobs=job["n_jobs"],
                cv=cv,
                scoring=task.scoring,
                seed=job["seed"],
            )
            warm_pool(job["n_jobs"], task.make_estimator(), search)
            t0 = time.perf_counter()
            search.fit(X_train, y_train)
            wall = time.perf_counter() - t0
            test_score = float(search.score(X_test, y_test))
        evals = method.evaluations(search)
    except Exception as exc:  # noqa: BLE001 - record and go on
        if job["n_jobs"] not in (None, 1):
            # a failed parallel search can leave joblib's worker pool in a bad
            # state; start the next run from a fresh one (warm_pool restarts it)
            try:
                from joblib.externals.loky import get_reusable_executor

                get_reusable_executor().shutdown(wait=True)
            except Exception:  # noqa: BLE001
                pass
        rec["status"] = "error"
        rec["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        rec["traceback"] = traceback.format_exc()[-4000:]
        return rec

    scores = [float(e[0]) for e in evals]
    fit_times = [float(e[1]) for e in evals]
    score_times = [float(e[2]) for e in evals]
    params = [e[3] for e in evals]
    seen, dups = set(), 0
    for p in params:
        key = _canonical(p)
        dups += key in seen
        seen.add(key)
    refit_time = float(getattr(search, "refit_time_", 0.0) or 0.0)
    n = len(evals)
    p = method.parallelism(job["n_jobs"], job["n_points"], job["cv_folds"])
    busy = float(np.nansum(fit_times) + np.nansum(score_times))
    search_time = wall - refit_time
    rec.update(
        status="ok",
        n_evals=n,
        scores=[_finite_or_none(s) for s in scores],
        fit_times=fit_times,
        score_times=score_times,
        params=params,
        wall_time=wall,
        refit_time=refit_time,
        search_time=search_time,
        sum_fit_score_time=busy,
        parallelism=p,
        # Wall time not explained by fitting/scoring, per evaluation. With
        # p fits running at once, fitting occupies busy / p of the wall clock
        # (perfect load balance; idle workers waiting on the optimizer or on
        # a batch's slowest fit therefore count as overhead).
        overhead_per_eval=(search_time - busy / p) / n if n else None,
        evals_per_sec=n / search_time if search_time > 0 else None,
        best_cv_score=(
            _finite_or_none(np.nanmax(scores))
            if n and not np.all(np.isnan(scores))
            else None
        ),
        best_params=plain(getattr(search, "best_params_", None)),
        test_score=_finite_or_none(test_score),
        # per-split CV scores (rows: evaluations in order), for the
        # selection-bias estimate of docs/benchmarks.md; None for Optuna
        split_scores=_split_scores(search),
        # seconds from the search's start to the end of each evaluation
        # (skhyper only), for the best score at a fixed wall time
        finish_times=method.finish_times(search, search_time),
        n_duplicates=int(dups),
        n_failed=int(np.sum(~np.isfinite(np.asarray(scores, dtype=float)))),
        warnings=_warning_summary(caught),
        finished=_now(),
    )
    return rec


def _split_scores(search):
    """``split{k}_test_score`` of a BaseSearchCV's ``cv_results_``, row by row."""
    results = getattr(search, "cv_results_", None)
    if not isinstance(results, dict):
        return None
    keys = sorted(
        (k for k in results if re.fullmatch(r"split\d+_test_score", k)),
        key=lambda k: int(k[5:-11]),
    )
    if not keys:
        return None
    columns = [np.asarray(results[k], dtype=float) for k in keys]
    return [[_finite_or_none(c[i]) for c in columns] for i in range(len(columns[0]))]


# --------------------------------------------------------------------------
# cached random baseline
# --------------------------------------------------------------------------


def baseline_path(baseline_dir, task, cv_folds):
    return (
        Path(baseline_dir) / f"{task.name}-cv{cv_folds}-{task.signature(cv_folds)}.json"
    )


def load_baseline(baseline_dir, task, cv_folds):
    path = baseline_path(baseline_dir, task, cv_folds)
    if not path.exists():
        return None
    with open(path) as f:
        return json.load(f)


def ensure_baseline(baseline_dir, task_name, cv_folds, n_evals, n_jobs=1, log=print):
    """Load the task's random baseline, building it if missing or too small.

    The baseline is ``n_evals`` candidates drawn by RandomizedSearchCV (seed
    BASELINE_SEED) from the same distributions the ``random`` method uses,
    scored on the same train split and the same CV folds. It is keyed by the
    task signature, so a changed task definition gets a fresh baseline.
    """
    task = get_task(task_name)
    existing = load_baseline(baseline_dir, task, cv_folds)
    if existing is not None and len(existing["scores"]) >= n_evals:
        return existing
    from sklearn.model_selection import RandomizedSearchCV

    X_train, _, y_train, _ = task.load()
    search = RandomizedSearchCV(
        task.make_estimator(),
        to_scipy(task.space),
        n_iter=n_evals,
        scoring=task.scoring,
        n_jobs=n_jobs,
        cv=task.cv_splits(cv_folds),
        refit=False,
        random_state=BASELINE_SEED,
        error_score=np.nan,
    )
    log(f"[baseline] {task.name}: {n_evals} random evaluations (n_jobs={n_jobs}) ...")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        search.fit(X_train, y_train)
        wall = time.perf_counter() - t0
    r = search.cv_results_
    scores = [_finite_or_none(s) for s in r["mean_test_score"]]
    data = {
        "version": BASELINE_VERSION,
        "task": task.name,
        "task_signature": task.signature(cv_folds),
        "cv_folds": cv_folds,
        "seed": BASELINE_SEED,
        "n_evals": n_evals,
        "scores": scores,
        "params": plain(list(r["params"])),
        "mean_fit_time": [float(x) for x in r["mean_fit_time"]],
        "wall_time": wall,
        "n_jobs": n_jobs,
        "created": _now(),
        "versions": versions(),
    }
    path = baseline_path(baseline_dir, task, cv_folds)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f)
    tmp.replace(path)
    finite = [s for s in scores if s is not None]
    log(
        f"[baseline] {task.name}: done in {wall:.1f}s; best {max(finite):.5f}, "
        f"median {np.median(finite):.5f}, failed {len(scores) - len(finite)} -> {path}"
    )
    return data


# --------------------------------------------------------------------------
# overhead mode
# --------------------------------------------------------------------------


def run_overhead(job):
    """One search on the free synthetic problem; records per-eval timestamps."""
    from benchmarks import synthetic

    method = get_method(job["method"])
    rec = {
        "kind": "overhead",
        "task": "synthetic-10d",
        "method": method.name,
        "seed": job["seed"],
        "n_iter": job["n_iter"],
        "n_jobs": 1,
        "n_points": job["n_points"],
        "started": _now(),
        "host": socket.gethostname(),
        "versions": versions(),
    }
    ok, info = method.check()
    rec["method_info"] = info
    if not ok:
        rec.update(status="unavailable", error=info)
        return rec
    X, y, cv = synthetic.data()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search = method.build(
                synthetic.SyntheticObjective(),
                synthetic.SPACE,
                n_iter=job["n_iter"],
                n_points=job["n_points"],
                n_jobs=1,
                cv=cv,
                scoring=None,
                seed=job["seed"],
            )
            search.set_params(refit=False)
            synthetic.FIT_TIMES.clear()
            t0 = time.perf_counter()
            search.fit(X, y)
            wall = time.perf_counter() - t0
        stamps = [t - t0 for t in synthetic.FIT_TIMES]
        evals = method.evaluations(search)
    except Exception as exc:  # noqa: BLE001
        rec.update(
            status="error",
            error=f"{type(exc).__name__}: {exc}"[:2000],
            traceback=traceback.format_exc()[-4000:],
        )
        return rec
    n = len(evals)
    busy = float(np.nansum([e[1] for e in evals]) + np.nansum([e[2] for e in evals]))
    scores = [float(e[0]) for e in evals]
    rec.update(
        status="ok",
        n_evals=n,
        scores=[_finite_or_none(s) for s in scores],
        fit_timestamps=stamps,
        wall_time=wall,
        sum_fit_score_time=busy,
        overhead_per_eval=(wall - busy) / n if n else None,
        best_cv_score=_finite_or_none(np.nanmax(scores)) if n else None,
        warnings=_warning_summary(caught),
        finished=_now(),
    )
    return rec
