#!/usr/bin/env python
"""Benchmark skhyper's successive halving and Hyperband against scikit-learn.

Side by side in one run, one process, ``n_jobs=1`` everywhere:

* ``sk-halving`` -- scikit-learn ``HalvingRandomSearchCV`` (``HalvingGridSearchCV``
  on the grid task) with explicit ``factor``, ``min_resources``,
  ``max_resources``, ``n_candidates`` and ``resource``;
* ``skh-halving`` -- ``skhyper.SuccessiveHalvingSearchCV`` with the very same
  arguments (only the class changes; skhyper's default ``warm_start=True``);
* ``skh-halving-cold`` -- the same with ``warm_start=False`` (estimator-parameter
  resources only: the like-for-like fit-time reference);
* ``sk-halving-f2`` / ``skh-halving-f2`` / ``skh-halving-f2-cold`` -- the same
  three at ``factor=2`` (estimator-parameter resources only);
* ``skh-hyperband-bayes`` -- ``skhyper.HyperbandSearchCV(proposer="bayes")``,
  ``factor=3``, the main configuration's ``min_resources``/``max_resources``;
* ``random-100`` -- scikit-learn ``RandomizedSearchCV(n_iter=100)`` at the full
  resource;
* opt-in (``--methods``): ``sk-halving-same``, ``skh-halving-same`` (and
  ``-f2``) -- both libraries' halving on the very same candidates (drawn once
  per seed with ``ParameterSampler`` and given as one-point grids), the paired
  fit-time comparison of warm start on the same schedule;
* opt-in: ``skh-halving-fs``, ``skh-hyperband-bayes-fs`` -- the same searches
  with ``fold_stopping="predictive"`` (``--compare-fold-stopping`` pairs them
  by seed with the searches that run every fold);
* opt-in: ``skh-halving-asha-fs-j2``, ``skh-hyperband-bayes-async-fs-j2`` --
  fold stopping under the asynchronous drivers, two workers, paired by
  ``--compare-fold-stopping`` with ``skh-halving-asha-j2`` and
  ``skh-hyperband-bayes-async-j2``;
* opt-in: ``skh-halving-j2``, ``skh-halving-asha-j2``,
  ``skh-hyperband-bayes-j2``, ``skh-hyperband-bayes-async-j2``,
  ``skh-hyperband-bayes-asha-j2`` -- two workers, synchronous against
  ``asynchronous=True`` and ``"asha"``: the asynchronous modes' scores paired
  by seed (``--compare-async`` prints them).

Every method gets the same train/test split, the same explicit list of CV
folds, the same scorer (accuracy) and ``refit=True``. Only ``random_state``
(the seed) changes between seeds. Results are appended, one JSON object per
run, to ``OUT/runs.jsonl``; a rerun skips the runs already recorded.

Run (default: all tasks, all methods, 5 seeds; ~30 min on one core)::

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-bench/bin/python \
        benchmarks/halving_benchmark.py --seeds 5 --out benchmarks/results/halving

Report only (Markdown tables to OUT/report.md, a PNG to OUT/fit_time.png)::

    /work/venv-bench/bin/python benchmarks/halving_benchmark.py --report \
        --out benchmarks/results/halving
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shlex  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

import numpy as np  # noqa: E402

DEFAULT_OUT = "benchmarks/results/halving"

METHODS = [
    "sk-halving",
    "skh-halving",
    "skh-halving-cold",
    "sk-halving-f2",
    "skh-halving-f2",
    "skh-halving-f2-cold",
    "skh-hyperband-bayes",
    "random-100",
]
# Opt-in (``--methods``): scikit-learn and skhyper halving on the very same
# candidates (drawn once per seed, given to both as a list of one-point grids),
# so that the fit-time comparison on the same schedule is paired.
SAME_METHODS = ["sk-halving-same", "skh-halving-same", "sk-halving-same-f2",
                "skh-halving-same-f2"]
# Opt-in: two workers (loky), synchronous against asynchronous=True ("-async")
# and "asha", for the asynchronous modes' quality paired by seed.
ASYNC_METHODS = ["skh-halving-j2", "skh-halving-asha-j2", "skh-hyperband-bayes-j2",
                 "skh-hyperband-bayes-async-j2", "skh-hyperband-bayes-asha-j2"]
# Opt-in: early-stopped CV (fold_stopping="predictive"), paired by seed with
# the same search running every fold (--compare-fold-stopping prints them).
FOLD_STOPPING_METHODS = ["skh-halving-fs", "skh-hyperband-bayes-fs"]
# Opt-in: fold stopping under the asynchronous drivers, two workers, paired by
# seed with the same asynchronous search running every fold.
ASYNC_FOLD_STOPPING_METHODS = ["skh-halving-asha-fs-j2", "skh-hyperband-bayes-async-fs-j2"]
ALL_METHODS = (METHODS + SAME_METHODS + ASYNC_METHODS + FOLD_STOPPING_METHODS
               + ASYNC_FOLD_STOPPING_METHODS)
WARM_ONLY = {"skh-halving-cold", "sk-halving-f2", "skh-halving-f2",
             "skh-halving-f2-cold", *SAME_METHODS}
SCORING = "accuracy"
RANDOM_N_ITER = 100
# "equal score" for the warm-start target: medians of the held-out accuracy
# within this many points of each other
EQUAL_SCORE_TOL = 0.01


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _log(msg):
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------
# building the searches
# --------------------------------------------------------------------------


def applies(task, method):
    if method in WARM_ONLY:
        return task.warm_capable and len(task.configs) > 1
    return True


def _config(task, method):
    return task.configs[1] if "-f2" in method else task.main


def build(task, method, seed):
    """The search object of ``method`` on ``task`` with ``seed``, and its meta."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        HalvingGridSearchCV,
        HalvingRandomSearchCV,
        RandomizedSearchCV,
    )

    import skhyper
    from benchmarks.spaces import to_scipy, to_skhyper

    cv = [(tr, te) for tr, te in task.folds()]
    tokens = method.split("-")
    n_jobs = 2 if "j2" in tokens else 1
    common = dict(cv=cv, scoring=SCORING, refit=True, n_jobs=n_jobs, error_score=np.nan)
    if "fs" in tokens:
        common["fold_stopping"] = "predictive"
    asynchronous = "asha" if "asha" in tokens else "async" in tokens
    cfg = _config(task, method)
    meta = {"factor": cfg.factor, "min_resources": cfg.min_resources,
            "max_resources": cfg.max_resources, "n_candidates": cfg.n_candidates,
            "resource": task.resource}
    halving_args = dict(factor=cfg.factor, min_resources=cfg.min_resources,
                        max_resources=cfg.max_resources, resource=task.resource)
    if "-same" in method:
        from sklearn.model_selection import ParameterSampler

        points = list(ParameterSampler(to_scipy(task.space), cfg.n_candidates,
                                       random_state=seed))
        grid = [{k: [v] for k, v in pt.items()} for pt in points]
        meta["same_candidates"] = True
        if method.startswith("sk-"):
            search = HalvingGridSearchCV(task.estimator(), grid, random_state=seed,
                                         **halving_args, **common)
        else:
            search = skhyper.SuccessiveHalvingSearchCV(
                task.estimator(), param_grid=grid, warm_start=True,
                random_state=seed, **halving_args, **common)
            meta["warm_start"] = True
        return search, meta
    if method.startswith("sk-halving"):
        est = task.estimator()
        if task.grid is not None:
            search = HalvingGridSearchCV(est, task.grid, random_state=seed,
                                         **halving_args, **common)
        else:
            search = HalvingRandomSearchCV(
                est, to_scipy(task.space), n_candidates=cfg.n_candidates,
                random_state=seed, **halving_args, **common)
        return search, meta
    if method.startswith("skh-halving"):
        warm = not method.endswith("-cold")
        est = task.estimator()
        if task.grid is not None:
            search = skhyper.SuccessiveHalvingSearchCV(
                est, param_grid=task.grid, warm_start=warm, random_state=seed,
                **halving_args, **common)
        else:
            search = skhyper.SuccessiveHalvingSearchCV(
                est, to_skhyper(task.space), n_candidates=cfg.n_candidates,
                warm_start=warm, random_state=seed, **halving_args, **common)
        search.set_params(asynchronous=asynchronous)
        meta["warm_start"] = warm
        return search, meta
    if method.startswith("skh-hyperband-bayes"):
        search = skhyper.HyperbandSearchCV(
            task.estimator(), to_skhyper(task.space), proposer="bayes",
            factor=cfg.factor,
            min_resources=task.hb_min_resources or cfg.min_resources,
            max_resources=cfg.max_resources, resource=task.resource,
            random_state=seed, asynchronous=asynchronous, **common)
        meta["n_candidates"] = None
        meta["warm_start"] = True
        return search, meta
    if method == "random-100":
        search = RandomizedSearchCV(
            task.estimator(resource_value=cfg.max_resources), to_scipy(task.space),
            n_iter=RANDOM_N_ITER, random_state=seed, **common)
        meta = {"n_iter": RANDOM_N_ITER, "resource": task.resource,
                "max_resources": cfg.max_resources}
        return search, meta
    raise ValueError(method)


# --------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------


def _plain(x):
    from benchmarks.spaces import plain

    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    return plain(x)


def _finite(x):
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def run_one(task, method, seed):
    from benchmarks.runner import _warning_summary, versions

    rec = {"task": task.name, "method": method, "seed": seed, "started": _now(),
           "scoring": SCORING, "cv_folds": len(task.folds()),
           "versions": versions(), "threads": {
               k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}}
    X_train, X_test, y_train, y_test = task.data()
    rec["n_train"], rec["n_test"] = int(len(y_train)), int(len(y_test))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            search, meta = build(task, method, seed)
            rec.update(meta)
            t0 = time.perf_counter()
            search.fit(X_train, y_train)
            wall = time.perf_counter() - t0
            test_score = float(search.score(X_test, y_test))
    except Exception as exc:  # noqa: BLE001 - record and go on
        rec["status"] = "error"
        rec["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        rec["traceback"] = traceback.format_exc()[-4000:]
        return rec
    res = search.cv_results_
    n_splits = int(search.n_splits_)
    # folds each row ran: all of them, or fewer under fold stopping
    folds = np.asarray(res.get("n_folds_run", np.full(len(res["params"]), n_splits)))
    fit_sum = float(np.nansum(np.asarray(res["mean_fit_time"], float) * folds))
    score_sum = float(np.nansum(np.asarray(res["mean_score_time"], float) * folds))
    refit = float(getattr(search, "refit_time_", 0.0) or 0.0)
    scores = np.asarray(res["mean_test_score"], float)
    rec.update(
        status="ok",
        wall_time=wall,
        refit_time=refit,
        sum_fit_time=fit_sum,
        sum_score_time=score_sum,
        # the fits' total time: sum over rows of mean_fit_time x folds run, + refit
        total_fit_time=fit_sum + refit,
        n_evaluations=int(len(scores)),
        n_fits=int(np.sum(folds)),
        n_splits=n_splits,
        n_resources=_plain(getattr(search, "n_resources_", None)),
        n_candidates_per_rung=_plain(getattr(search, "n_candidates_", None)),
        row_resources=_plain(res.get("n_resources")) if "n_resources" in res else None,
        row_fit_times=_plain(np.asarray(res["mean_fit_time"], float) * folds),
        row_scores=[_finite(s) for s in scores],
        best_cv_score=_finite(search.best_score_),
        best_index=int(search.best_index_),
        best_params=_plain(search.best_params_),
        test_score=_finite(test_score),
        warm_start_used=_plain(getattr(search, "warm_start_", None)),
        proposer_used=getattr(search, "proposer_", None),
        n_failed=int(np.sum(~np.isfinite(scores))),
        warnings=_warning_summary(caught),
        finished=_now(),
    )
    return rec


def _warm_up(tasks):
    """Import every module and fit each estimator once before any clock starts."""
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV  # noqa: F401

    import skhyper  # noqa: F401
    from skhyper.resources import _warm_start  # noqa: F401
    from skhyper.optimizer import _registry  # noqa: F401

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for task in tasks:
            X, _, y, _ = task.data()
            task.estimator(resource_value=3).fit(X[:300], y[:300])
            task.folds()


# --------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------


def _done(path):
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if r.get("status") == "ok":
                done.add((r["task"], r["method"], r["seed"]))
    return done


def cmd_run(a):
    from benchmarks.halving_tasks import HALVING_TASKS

    tasks = [HALVING_TASKS[t] for t in a.tasks]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = out / "runs.jsonl"
    with open(out / "invocations.jsonl", "a") as f:
        f.write(json.dumps({"argv": sys.argv, "command": shlex.join(sys.argv),
                            "started": _now(), "pid": os.getpid()}) + "\n")
    done = _done(runs)
    jobs = [(t, m, s) for s in range(a.seed_offset, a.seed_offset + a.seeds)
            for t in tasks for m in a.methods
            if applies(t, m) and (t.name, m, s) not in done]
    _log(f"{len(jobs)} runs to do ({len(done)} already recorded) -> {runs}")
    _warm_up(tasks)
    t_start = time.perf_counter()
    for i, (task, method, seed) in enumerate(jobs, 1):
        rec = run_one(task, method, seed)
        with open(runs, "a") as f:
            f.write(json.dumps(rec) + "\n")
        if rec["status"] == "ok":
            msg = (f"wall {rec['wall_time']:.1f}s fit {rec['total_fit_time']:.1f}s "
                   f"cv {rec['best_cv_score']:.4f} test {rec['test_score']:.4f}")
        else:
            msg = f"ERROR {rec['error'][:200]}"
        el = time.perf_counter() - t_start
        _log(f"{i}/{len(jobs)} {task.name} {method} seed={seed}: {msg} "
             f"[elapsed {el / 60:.1f} min]")
    if not a.no_report:
        cmd_report(a)


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------


def _median(xs):
    xs = [x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return float(np.median(xs)) if xs else math.nan


def _f(x, nd=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{nd}f}"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def load(out):
    runs = Path(out) / "runs.jsonl"
    recs = {}
    for line in runs.read_text().splitlines():
        r = json.loads(line)
        if r.get("status") == "ok":
            recs[(r["task"], r["method"], r["seed"])] = r  # the last one wins
    return list(recs.values())


def _group(recs):
    g = {}
    for r in recs:
        g.setdefault((r["task"], r["method"]), []).append(r)
    return g


def _summary(rs):
    return {k: _median([r[k] for r in rs]) for k in
            ("total_fit_time", "wall_time", "best_cv_score", "test_score",
             "n_evaluations", "n_fits", "refit_time")}


def _config_str(r):
    if r["method"] == "random-100":
        res = r["resource"]
        return f"n_iter=100, {res}={r['max_resources'] if res != 'n_samples' else 'all'}"
    nc = r.get("n_candidates")
    s = f"f={r['factor']}, r={r['min_resources']}, R={r['max_resources']}"
    if nc is not None:
        s += f", n_cand={nc}"
    elif r["method"] != "skh-hyperband-bayes":
        s += ", grid"
    return s


def cmd_report(a):
    from benchmarks.halving_tasks import HALVING_TASKS

    recs = load(a.out)
    groups = _group(recs)
    tasks = [t for t in HALVING_TASKS if any(k[0] == t for k in groups)]
    seeds = sorted({r["seed"] for r in recs})
    vers = recs[0]["versions"] if recs else {}
    inv = Path(a.out) / "invocations.jsonl"
    commands = []
    if inv.exists():
        for line in inv.read_text().splitlines():
            c = json.loads(line).get("command")
            if c and "--report" not in c and c not in commands:
                commands.append(c)
    L = []
    L.append("## Successive halving and Hyperband\n")
    L.append(
        "skhyper's `SuccessiveHalvingSearchCV` and `HyperbandSearchCV` side by side "
        "with scikit-learn's `HalvingRandomSearchCV` / `HalvingGridSearchCV` and "
        f"`RandomizedSearchCV(n_iter=100)`, seeds {seeds[0]}..{seeds[-1]} "
        f"(up to {len(seeds)} seeds), scikit-learn {vers.get('scikit-learn')}, "
        f"numpy {vers.get('numpy')}, Python {vers.get('python')}.\n")
    L.append("Commands (from the repository root). Seed counts can differ by method: "
             "each table's last column says how many seeds its medians cover.\n")
    L.append("```")
    halving = ",".join(m for m in METHODS if m not in ("skh-hyperband-bayes", "random-100"))
    L.append("OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-bench/bin/python "
             "benchmarks/halving_benchmark.py --seeds 5 --methods "
             "skh-hyperband-bayes,random-100 --out benchmarks/results/halving")
    L.append("OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-bench/bin/python "
             "benchmarks/halving_benchmark.py --seeds 5 --seed-offset 5 --tasks "
             "svm-hastie4000,mlp-digits --methods skh-hyperband-bayes,random-100 "
             "--out benchmarks/results/halving")
    L.append("OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-bench/bin/python "
             f"benchmarks/halving_benchmark.py --seeds 15 --methods {halving} "
             "--out benchmarks/results/halving")
    L.append("# then, paired fit-time check (2b): both libraries on the same candidates")
    L.append("OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /work/venv-bench/bin/python "
             "benchmarks/halving_benchmark.py --seeds 15 --tasks gb-clf2000,rf-clf3000 "
             "--methods " + ",".join(SAME_METHODS) + " --out benchmarks/results/halving")
    L.append("# tables only, from the recorded runs:")
    L.append("/work/venv-bench/bin/python benchmarks/halving_benchmark.py --report "
             "--out benchmarks/results/halving")
    L.append("```\n")
    if commands:
        L.append("Recorded invocations: " + "; ".join(f"`{c}`" for c in commands) + "\n")
    L.append(
        "**Set-up.** One process, `n_jobs=1` for every method, "
        "`OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1`, on a 2-core machine whose other "
        "core ran another benchmark during the whole run: absolute times are those of "
        "a loaded machine, but every method ran under the same load, interleaved "
        "(seed by seed, task by task), so times are comparable between methods "
        "within this run. Every method gets the same train/test split (75/25, "
        "stratified), the same explicit list of 3 stratified CV folds, "
        "`scoring='accuracy'`, `refit=True`; only `random_state` changes with the "
        "seed (the data, split and folds are fixed). All numbers are medians over "
        "seeds.\n")
    L.append(
        "- *total fit time*: the fits' total time, sum over `cv_results_` rows of "
        "`mean_fit_time x n_splits`, plus `refit_time_` (for warm-started skhyper "
        "rungs, `mean_fit_time` is the continued training plus loading the cached "
        "model).\n"
        "- *wall time*: `search.fit(X_train, y_train)` including the refit and all "
        "scoring, sampling and (Hyperband-bayes) surrogate-model work.\n"
        "- *best CV*: `best_score_` (for halving: the best of the last rung, which "
        "was scored on that rung's resource).\n"
        "- *test*: `search.score(X_test, y_test)` of the refitted best model on the "
        "held-out 25 %.\n")
    L.append("### Tasks\n")
    trows = []
    for name in tasks:
        t = HALVING_TASKS[name]
        X_train, X_test, _, _ = t.data()
        space = "; ".join(p.describe() for p in t.space)
        if t.grid:
            space = ("grid " + " x ".join(f"{k} {v}" for k, v in t.grid.items())
                     + f" (random-100 and Hyperband: {space})")
        trows.append([name, t.description, f"{len(X_train)}/{len(X_test)} x "
                      f"{X_train.shape[1]}", t.resource, space])
    L.append(_table(["task", "estimator, resource", "train/test x features",
                     "resource", "space"], trows))
    L.append("")
    L.append("Configurations: `f3` is the main one, given identically to scikit-learn "
             "and skhyper (`factor`, `min_resources`, `max_resources`, `n_candidates`, "
             "`resource`); `f2` (factor 2) only where the resource is an estimator "
             "parameter, to show where warm start can save 30 %. Hyperband uses "
             "`factor=3` and the f3 `min_resources`/`max_resources`; "
             "`random-100` evaluates 100 random candidates at the full resource.\n")

    L.append("### Results per task (median over seeds)\n")
    for name in tasks:
        L.append(f"**{name}**\n")
        rows = []
        for m in ALL_METHODS:
            rs = groups.get((name, m))
            if not rs:
                continue
            s = _summary(rs)
            rows.append([m, _config_str(rs[0]), f"{s['n_evaluations']:.0f}",
                         f"{s['n_fits']:.0f}", _f(s["total_fit_time"]),
                         _f(s["wall_time"]), _f(s["best_cv_score"], 4),
                         _f(s["test_score"], 4), len(rs)])
        L.append(_table(["method", "configuration", "evals", "fits",
                         "total fit time (s)", "wall time (s)", "best CV",
                         "test", "seeds"], rows))
        L.append("")

    # ---- targets
    L.append("### Targets\n")
    trows = []
    verdicts = {"1": [], "2a": [], "2b": [], "3": []}

    def med(name, m, key):
        rs = groups.get((name, m))
        return _median([r[key] for r in rs]) if rs else math.nan

    def paired(name, m1, m2, key):
        a_ = {r["seed"]: r[key] for r in groups.get((name, m1), [])}
        b_ = {r["seed"]: r[key] for r in groups.get((name, m2), [])}
        common = sorted(set(a_) & set(b_))
        return [(a_[s], b_[s]) for s in common]

    for name in tasks:
        # 1. same arguments: held-out >= and wall <=
        ts, tk = med(name, "skh-halving", "test_score"), med(name, "sk-halving", "test_score")
        ws, wk = med(name, "skh-halving", "wall_time"), med(name, "sk-halving", "wall_time")
        if not (math.isnan(ts) or math.isnan(tk)):
            pw = paired(name, "skh-halving", "sk-halving", "test_score")
            wins = sum(a_ >= b_ for a_, b_ in pw)
            ok = ts >= tk and ws <= wk
            verdicts["1"].append(ok)
            trows.append([
                "1 same args as sklearn halving", name, "f3",
                f"test {ts:.4f} vs {tk:.4f} (skhyper >= sklearn in {wins}/{len(pw)} "
                f"seeds); wall {ws:.2f}s vs {wk:.2f}s ({ws / wk:.2f}x)",
                "met" if ok else "not met"])
    for name in tasks:
        for suffix, label in (("", "f3"), ("-f2", "f2")):
            warm, cold, sk = (f"skh-halving{suffix}", f"skh-halving{suffix}-cold",
                              f"sk-halving{suffix}")
            if (name, cold) not in groups:
                continue
            fw, fk, fc = (med(name, warm, "total_fit_time"),
                          med(name, sk, "total_fit_time"),
                          med(name, cold, "total_fit_time"))
            tw, tk, tc = (med(name, warm, "test_score"), med(name, sk, "test_score"),
                          med(name, cold, "test_score"))
            ratios = [a_ / b_ for a_, b_ in paired(name, warm, sk, "total_fit_time")]
            ratios_c = [a_ / b_ for a_, b_ in paired(name, warm, cold, "total_fit_time")]
            same = all(a_ == b_ for a_, b_ in paired(name, warm, cold, "best_cv_score"))
            saving, saving_c = 1 - _median(ratios), 1 - _median(ratios_c)
            equal = abs(tw - tk) <= EQUAL_SCORE_TOL or tw >= tk
            ok = saving >= 0.30 and equal
            verdicts["2a"].append(ok)
            trows.append([
                "2a warm start vs sklearn halving (own random candidates)", name,
                label,
                f"fit {fw:.2f}s vs sklearn {fk:.2f}s: **saving {round(100 * saving):+d}%** "
                f"(vs skhyper cold {fc:.2f}s: saving {round(100 * saving_c):+d}%); test "
                f"{tw:.4f} vs sklearn {tk:.4f} (cold {tc:.4f}; warm and cold CV scores "
                f"{'identical' if same else 'differ'})",
                "met" if ok else "not met"])
    for name in tasks:
        for suffix, label in (("", "f3"), ("-f2", "f2")):
            warm, sk = f"skh-halving-same{suffix}", f"sk-halving-same{suffix}"
            if (name, warm) not in groups or (name, sk) not in groups:
                continue
            pr = paired(name, warm, sk, "total_fit_time")
            saving = 1 - _median([a_ / b_ for a_, b_ in pr])
            wall_saving = 1 - _median(
                [a_ / b_ for a_, b_ in paired(name, warm, sk, "wall_time")])
            tw, tk = med(name, warm, "test_score"), med(name, sk, "test_score")
            same = paired(name, warm, sk, "best_params")
            n_same = sum(a_ == b_ for a_, b_ in same)
            equal = abs(tw - tk) <= EQUAL_SCORE_TOL or tw >= tk
            ok = saving >= 0.30 and equal
            verdicts["2b"].append(ok)
            trows.append([
                "2b warm start vs sklearn halving, same candidates", name, label,
                f"fit {med(name, warm, 'total_fit_time'):.2f}s vs sklearn "
                f"{med(name, sk, 'total_fit_time'):.2f}s: **saving {round(100 * saving):+d}%** "
                f"(wall {round(100 * wall_saving):+d}%); test {tw:.4f} vs {tk:.4f}; same "
                f"best candidate in {n_same}/{len(same)} seeds",
                "met" if ok else "not met"])
    for name in tasks:
        th, tr = med(name, "skh-hyperband-bayes", "test_score"), med(name, "random-100", "test_score")
        fh, fr = med(name, "skh-hyperband-bayes", "total_fit_time"), med(name, "random-100", "total_fit_time")
        wh, wr = med(name, "skh-hyperband-bayes", "wall_time"), med(name, "random-100", "wall_time")
        if math.isnan(th) or math.isnan(tr):
            continue
        pw = paired(name, "skh-hyperband-bayes", "random-100", "test_score")
        wins = sum(a_ >= b_ for a_, b_ in pw)
        ok = th >= tr and fh <= fr / 3
        verdicts["3"].append(ok)
        trows.append([
            "3 Hyperband-bayes vs Random-100", name, "f3",
            f"test {th:.4f} vs {tr:.4f} (HB >= R100 in {wins}/{len(pw)} seeds); "
            f"fit {fh:.2f}s vs {fr:.2f}s = {fh / fr:.2f} of it (wall {wh:.2f}s vs "
            f"{wr:.2f}s)", "met" if ok else "not met"])
    L.append(_table(["target", "task", "config", "measured (medians)", "verdict"], trows))
    L.append("")
    names = {"1": "same arguments as scikit-learn's halving: held-out >=, wall <=",
             "2a": "warm start: >=30% less total fit time than scikit-learn's halving "
                   "on the same schedule, equal score (each library draws its own "
                   "candidates)",
             "2b": "the same, both libraries given the same candidates (paired)",
             "3": "Hyperband+bayes: held-out >= Random-100 at <= 1/3 of its total "
                  "fit time"}
    srows = [[k, names[k], f"{sum(v)}/{len(v)}",
              "met" if v and all(v) else ("partly met" if any(v) else "not met")]
             for k, v in verdicts.items() if v]
    L.append("**Summary of the targets** (cases met / cases):\n")
    L.append(_table(["#", "target", "cases met", "verdict"], srows))
    L.append("")
    L.append(
        f"\"Equal score\" (target 2): the median held-out accuracy of the warm-started "
        f"skhyper search is at least scikit-learn's minus {EQUAL_SCORE_TOL}. The saving "
        "is the median over seeds of the per-seed ratio of total fit times. "
        "Target 3 compares total fit times and final held-out scores only: the time "
        "at which Hyperband first reached Random-100's score is not measured.\n")
    notes = getattr(a, "notes", None) or str(Path(a.out) / "notes.md")
    if Path(notes).exists():
        L.append(Path(notes).read_text())
    text = "\n".join(L)
    (Path(a.out) / "report.md").write_text(text)
    print(text)
    try:
        _plot(groups, tasks, Path(a.out) / "fit_time.png")
    except Exception as exc:  # noqa: BLE001
        print(f"(no plot: {exc})")


def _plot(groups, tasks, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 4.2))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, tasks):
        for m in METHODS:
            rs = groups.get((name, m))
            if not rs:
                continue
            x = [r["total_fit_time"] for r in rs]
            y = [r["test_score"] for r in rs]
            ax.scatter(x, y, s=14, alpha=0.5, label=m)
            ax.scatter([np.median(x)], [np.median(y)], s=90, marker="*",
                       color=ax.collections[-1].get_facecolor()[0])
        ax.set_xscale("log")
        from matplotlib.ticker import NullFormatter, ScalarFormatter

        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(name)
        ax.set_xlabel("total fit time (s, log)")
        ax.set_ylabel("held-out accuracy")
    axes[0].legend(fontsize=7)
    fig.suptitle("Halving benchmark: each dot one seed, star = median")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def cmd_compare_async(a):
    """Asynchronous modes against the synchronous search, paired by seed."""
    _compare(a, [("skh-halving-j2", "skh-halving-asha-j2"),
                 ("skh-hyperband-bayes-j2", "skh-hyperband-bayes-async-j2"),
                 ("skh-hyperband-bayes-j2", "skh-hyperband-bayes-asha-j2")])


def cmd_compare_fold_stopping(a):
    """Early-stopped CV against the same search with every fold, paired by seed."""
    _compare(a, [("skh-halving", "skh-halving-fs"),
                 ("skh-hyperband-bayes", "skh-hyperband-bayes-fs"),
                 ("skh-halving-asha-j2", "skh-halving-asha-fs-j2"),
                 ("skh-hyperband-bayes-async-j2", "skh-hyperband-bayes-async-fs-j2")])


def _compare(a, pairs):
    """Each (reference, other) pair of methods on the seeds both ran."""
    recs = [r for r in load(a.out) if r.get("status") == "ok"]
    by = {(r["task"], r["method"], r["seed"]): r for r in recs}
    print("| task | method | seeds | wall s (reference / this) | fold fits "
          "(reference / this) | held-out, paired: mean diff, better/worse/same "
          "| best CV, paired mean diff |")
    print("|---|---|---:|---|---|---|---|")
    for task in dict.fromkeys(r["task"] for r in recs):
        for ref_method, other in pairs:
            seeds = sorted(seed for (t, m, seed) in by if t == task and m == other
                           and (task, ref_method, seed) in by)
            if not seeds:
                continue
            ref = [by[task, ref_method, seed] for seed in seeds]
            new = [by[task, other, seed] for seed in seeds]
            test = np.array([n["test_score"] - r["test_score"] for r, n in zip(ref, new)])
            cv = np.array([n["best_cv_score"] - r["best_cv_score"]
                           for r, n in zip(ref, new)])
            walls = [np.median([r["wall_time"] for r in rs]) for rs in (ref, new)]
            fits = [np.median([r["n_fits"] for r in rs]) for rs in (ref, new)]
            print(f"| {task} | {other} | {len(seeds)} | {walls[0]:.2f} / {walls[1]:.2f} "
                  f"| {fits[0]:.0f} / {fits[1]:.0f} "
                  f"| {test.mean():+.4f}, {int((test > 0).sum())}/{int((test < 0).sum())}"
                  f"/{int((test == 0).sum())} | {cv.mean():+.4f} |")


def main(argv=None):
    from benchmarks.halving_tasks import HALVING_TASKS

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", default="all")
    p.add_argument("--methods", default="all")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--seed-offset", type=int, default=0)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--report", action="store_true", help="tables from recorded runs")
    p.add_argument("--no-report", action="store_true")
    p.add_argument("--compare-async", action="store_true",
                   help="asynchronous modes against synchronous, from recorded runs")
    p.add_argument("--compare-fold-stopping", action="store_true",
                   help="fold_stopping against every fold, from recorded runs")
    p.add_argument("--notes", default=None,
                   help="a Markdown file appended to the report (default OUT/notes.md)")
    a = p.parse_args(argv)
    a.tasks = list(HALVING_TASKS) if a.tasks == "all" else a.tasks.split(",")
    a.methods = METHODS if a.methods == "all" else a.methods.split(",")
    for m in a.methods:
        if m not in ALL_METHODS:
            raise SystemExit(f"unknown method {m}; choose from {ALL_METHODS}")
    if a.compare_async:
        cmd_compare_async(a)
    elif a.compare_fold_stopping:
        cmd_compare_fold_stopping(a)
    elif a.report:
        cmd_report(a)
    else:
        cmd_run(a)


if __name__ == "__main__":
    main()
