#!/usr/bin/env python
"""Benchmark skhyper.BayesSearchCV against its peers on Bayesmark-style tasks.

Run (results are appended to OUT/runs.jsonl; finished runs are skipped on a
rerun, so an interrupted benchmark resumes where it stopped)::

    python benchmarks/bayes_benchmark.py --tasks all --methods all \
        --seeds 5 --n-iter 60 --n-jobs 1 --out benchmarks/results/seq

Parallel mode (compare evaluations per second and normalized score)::

    python benchmarks/bayes_benchmark.py --n-jobs 2 --n-points 2 \
        --out benchmarks/results/par

Report (tables in Markdown on stdout, plus report.md, summary.csv, runs.csv
and convergence PNGs written next to the first results directory)::

    python benchmarks/bayes_benchmark.py --report benchmarks/results/seq [benchmarks/results/par]

Optimizer overhead on a free 10-d synthetic problem (200 evaluations)::

    python benchmarks/bayes_benchmark.py --overhead --seeds 3 --out benchmarks/results/overhead

See benchmarks/README.md for what every number means.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))
# Children (joblib's loky workers, our process pool) inherit these.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
)
# One BLAS/OpenMP thread per process unless the caller says otherwise: the
# machine has 2 cores, and small-matrix surrogate work is slower on many
# threads. Same for every method.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("PYTHONWARNINGS", "ignore")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

DEFAULT_OUT = "benchmarks/results/seq"
DEFAULT_BASELINE_DIR = str(_ROOT / "benchmarks" / "results" / "baseline")


def _split(value, universe, default):
    if value is None or value == "default":
        return list(default)
    if value == "all":
        return list(universe)
    names = list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in universe]
    if unknown:
        raise SystemExit(
            f"unknown: {', '.join(unknown)}; choose from {', '.join(universe)}"
        )
    return names


def _points(value):
    return "auto" if value == "auto" else int(value)


def _parse(argv):
    from benchmarks.methods import METHODS
    from benchmarks.tasks import DEFAULT_TASKS, TASKS

    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Tasks: " + ", ".join(TASKS) + "\nMethods: " + ", ".join(METHODS),
    )
    p.add_argument(
        "--tasks", default=None, help="comma list, 'all' or 'default' (default: all)"
    )
    p.add_argument("--methods", default=None, help="comma list or 'all' (default: all)")
    p.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="number of seeds, 0..N-1 (default 5; 3 with --overhead)",
    )
    p.add_argument("--seed-offset", type=int, default=0, help="first seed (default 0)")
    p.add_argument(
        "--split-per-seed",
        action="store_true",
        help="each seed also draws the task's train/test split and CV folds "
        "(split seed 100 + seed) instead of the task's fixed ones: held-out "
        "scores compared over as many splits as seeds (normalized scores are "
        "on the fixed split's scale only)",
    )
    p.add_argument(
        "--n-iter",
        type=int,
        default=None,
        help="evaluations per search (default 60; 200 with --overhead)",
    )
    p.add_argument("--n-jobs", type=int, default=1, help="n_jobs given to every search")
    p.add_argument(
        "--n-points",
        type=_points,
        default=1,
        help="n_points (candidates per batch) for skhyper and skopt: an int or "
        "'auto' (skhyper's own rule, one per joblib worker; skopt gets n_jobs)",
    )
    p.add_argument("--cv-folds", type=int, default=5, help="CV folds (default 5)")
    p.add_argument(
        "--out", default=None, help=f"results directory (default {DEFAULT_OUT})"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="independent runs at once in separate processes (default 1: "
        "cleanest timings; 2 halves the duration on 2 cores)",
    )
    p.add_argument("--baseline-dir", default=DEFAULT_BASELINE_DIR)
    p.add_argument(
        "--baseline-size",
        type=int,
        default=500,
        help="random evaluations in each task's cached baseline (default 500)",
    )
    p.add_argument(
        "--baseline-only",
        action="store_true",
        help="only build the tasks' cached random baselines, then exit",
    )
    p.add_argument(
        "--force", action="store_true", help="rerun runs already in OUT/runs.jsonl"
    )
    p.add_argument(
        "--no-report", action="store_true", help="skip the report after running"
    )
    p.add_argument(
        "--report",
        nargs="*",
        metavar="DIR",
        help="only report on these results directories (default: --out)",
    )
    p.add_argument(
        "--report-out",
        default=None,
        help="where --report writes report.md/CSVs/PNGs (default: first DIR)",
    )
    p.add_argument(
        "--checkpoints",
        default="10,30,60",
        help="budgets for the normalized-score tables (default 10,30,60)",
    )
    p.add_argument(
        "--overhead",
        action="store_true",
        help="overhead-only mode on the free 10-d synthetic problem",
    )
    p.add_argument(
        "--list", action="store_true", help="list tasks and methods, then exit"
    )
    p.add_argument(
        "--self-check",
        action="store_true",
        help="compare the closed-form median random score with a bootstrap",
    )
    a = p.parse_args(argv)
    a.tasks = _split(a.tasks, TASKS, DEFAULT_TASKS)
    # "all" is the peers of the record; skhyper-async and skhyper-tpe only when named.
    peers = [m for m in METHODS if m not in ("skhyper-async", "skhyper-tpe")]
    a.methods = _split(a.methods, METHODS, peers)
    if a.methods == list(METHODS):
        a.methods = peers
    if a.seeds is None:
        a.seeds = 3 if a.overhead else 5
    if a.n_iter is None:
        a.n_iter = 200 if a.overhead else 60
    if a.out is None:
        a.out = "benchmarks/results/overhead" if a.overhead else DEFAULT_OUT
    a.checkpoints = [int(c) for c in a.checkpoints.split(",") if c.strip()]
    return a


def _log(msg):
    print(msg, flush=True)


def _availability(method_names):
    from benchmarks.methods import get_method

    out = {}
    for name in method_names:
        ok, info = get_method(name).check()
        out[name] = (ok, info)
    return out


def _done_keys(path, kind):
    keys = set()
    if not path.exists():
        return keys
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("kind", "run") == kind and r.get("status") == "ok":
                keys.add(
                    (
                        r["task"],
                        r["method"],
                        r["seed"],
                        r["n_iter"],
                        r["n_jobs"],
                        r["n_points"],
                        r.get("cv_folds"),
                        r.get("split_seed"),
                    )
                )
    return keys


def _append(path, rec):
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


def _fmt_eta(seconds):
    seconds = int(seconds)
    return (
        f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
        if seconds >= 3600
        else f"{seconds // 60}m{seconds % 60:02d}s"
    )


def cmd_list(a):
    from benchmarks.tasks import DEFAULT_TASKS, TASKS

    _log("Tasks (model-dataset-metric):")
    for t in TASKS.values():
        X_train, X_test, *_ = t.load()
        default = "" if t.name in DEFAULT_TASKS else "  (not in default set)"
        _log(
            f"  {t.name:22s} {type(t.make_estimator()).__name__:24s} scoring={t.scoring:26s} "
            f"train={len(X_train):4d} test={len(X_test):4d} d={t.dim}{default}"
        )
        for prm in t.space:
            _log(f"      {prm.describe()}")
    _log("Methods:")
    for name, (ok, info) in _availability(a.methods).items():
        _log(f"  {name:12s} {'available  ' if ok else 'UNAVAILABLE'} {info}")


def cmd_run(a):
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from benchmarks.runner import ensure_baseline, run_one, versions

    out = Path(a.out)
    if not a.baseline_only:
        out.mkdir(parents=True, exist_ok=True)
    runs_path = out / "runs.jsonl"
    avail = _availability(a.methods)
    for name, (ok, info) in avail.items():
        _log(f"[method] {name:12s} {'ok' if ok else 'UNAVAILABLE'}: {info}")
    methods = [m for m in a.methods if avail[m][0]]
    if not a.baseline_only:
        _append(
            out / "invocations.jsonl",
            {
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "argv": sys.argv,
                "tasks": a.tasks,
                "methods": a.methods,
                "availability": {
                    k: {"ok": v[0], "info": v[1]} for k, v in avail.items()
                },
                "versions": versions(),
            },
        )
    # 1. cached random baselines (shared by every run and every results dir)
    for t in a.tasks:
        ensure_baseline(
            a.baseline_dir,
            t,
            a.cv_folds,
            a.baseline_size,
            n_jobs=max(a.n_jobs, a.workers),
            log=_log,
        )
    if a.baseline_only:
        return
    # 2. the runs
    done = set() if a.force else _done_keys(runs_path, "run")
    jobs = []
    for seed in range(a.seed_offset, a.seed_offset + a.seeds):
        split_seed = 100 + seed if a.split_per_seed else None
        for t in a.tasks:
            for m in methods:
                key = (t, m, seed, a.n_iter, a.n_jobs, a.n_points, a.cv_folds, split_seed)
                if key in done:
                    continue
                jobs.append(
                    dict(
                        task=t,
                        method=m,
                        seed=seed,
                        n_iter=a.n_iter,
                        n_jobs=a.n_jobs,
                        n_points=a.n_points,
                        cv_folds=a.cv_folds,
                        split_seed=split_seed,
                    )
                )
    _log(
        f"[run] {len(jobs)} runs to do ({len(done)} already in {runs_path}), workers={a.workers}"
    )
    t_start = time.perf_counter()

    def report_progress(i, rec):
        el = time.perf_counter() - t_start
        eta = el / i * (len(jobs) - i)
        if rec["status"] == "ok":
            detail = (
                f"best_cv={rec['best_cv_score']:.5f} test={rec['test_score']:.5f} "
                f"wall={rec['wall_time']:.1f}s overhead={1000 * rec['overhead_per_eval']:.1f}ms/eval"
            )
        else:
            detail = f"{rec['status'].upper()}: {rec.get('error', '')[:300]}"
        _log(
            f"[{i}/{len(jobs)} {_fmt_eta(el)} eta {_fmt_eta(eta)}] {rec['task']} {rec['method']} "
            f"seed={rec['seed']}: {detail}"
        )

    if a.workers <= 1:
        for i, job in enumerate(jobs, 1):
            rec = run_one(job)
            _append(runs_path, rec)
            report_progress(i, rec)
    else:
        with ProcessPoolExecutor(a.workers, mp_context=get_context("spawn")) as pool:
            futs = [pool.submit(run_one, job) for job in jobs]
            for i, fut in enumerate(as_completed(futs), 1):
                rec = fut.result()
                _append(runs_path, rec)
                report_progress(i, rec)
    _log(
        f"[run] finished {len(jobs)} runs in {_fmt_eta(time.perf_counter() - t_start)}"
    )
    if not a.no_report:
        cmd_report(a, [str(out)])


def cmd_overhead(a):
    from benchmarks.runner import run_overhead, versions

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "overhead.jsonl"
    avail = _availability(a.methods)
    for name, (ok, info) in avail.items():
        _log(f"[method] {name:12s} {'ok' if ok else 'UNAVAILABLE'}: {info}")
    _append(
        out / "invocations.jsonl",
        {
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "argv": sys.argv,
            "methods": a.methods,
            "mode": "overhead",
            "availability": {k: {"ok": v[0], "info": v[1]} for k, v in avail.items()},
            "versions": versions(),
        },
    )
    done = set() if a.force else _done_keys(path, "overhead")
    for seed in range(a.seed_offset, a.seed_offset + a.seeds):
        for m in a.methods:
            if not avail[m][0]:
                continue
            if ("synthetic-10d", m, seed, a.n_iter, 1, a.n_points, None, None) in done:
                continue
            rec = run_overhead(
                dict(method=m, seed=seed, n_iter=a.n_iter, n_points=a.n_points)
            )
            _append(path, rec)
            if rec["status"] == "ok":
                _log(
                    f"[overhead] {m} seed={seed}: {rec['n_evals']} evals in {rec['wall_time']:.2f}s, "
                    f"{1000 * rec['overhead_per_eval']:.2f} ms/eval, best {rec['best_cv_score']:.4f}"
                )
            else:
                _log(
                    f"[overhead] {m} seed={seed}: {rec['status'].upper()} {rec.get('error', '')[:300]}"
                )
    if not a.no_report:
        cmd_report(a, [str(out)])


def _unavailable(dirs):
    """Methods some invocation found unavailable and no run completed."""
    un = {}
    for d in dirs:
        p = Path(d) / "invocations.jsonl"
        if p.exists():
            for line in open(p):
                if line.strip():
                    for m, v in json.loads(line).get("availability", {}).items():
                        if not v["ok"]:
                            un[m] = v["info"]
    return un


def cmd_report(a, dirs):
    from benchmarks.methods import METHODS
    from benchmarks.report import (
        Normalizer,
        checkpoints_for,
        config_label,
        load_records,
        markdown_report,
        median_random,
        overhead_report,
        plot_convergence,
        write_csvs,
    )
    from benchmarks.runner import load_baseline
    from benchmarks.tasks import TASKS

    report_out = Path(a.report_out or dirs[0])
    report_out.mkdir(parents=True, exist_ok=True)
    order = list(METHODS)
    sections = []
    records = load_records(dirs, "run")
    ok_methods = {r["method"] for r in records if r.get("status") == "ok"}
    unavailable = {
        m: why for m, why in _unavailable(dirs).items() if m not in ok_methods
    }
    if records:
        # baselines keyed by task; every record of a task must share one signature
        baselines, sigs, missing = {}, {}, []
        for r in records:
            sigs.setdefault(r["task"], set()).add(
                (r["task_signature"], r.get("cv_folds"))
            )
        for task, s in sigs.items():
            if len(s) > 1:
                sections.append(
                    f"> WARNING: {task} has runs with different task signatures "
                    f"{sorted(s)}; they are normalized against the first baseline found."
                )
            for sig, folds in sorted(s, key=str):
                base = (
                    load_baseline(a.baseline_dir, TASKS[task], folds)
                    if task in TASKS
                    else None
                )
                if base is not None and base["task_signature"] == sig:
                    baselines[task] = base["scores"]
                    break
            else:
                missing.append(task)
        if missing:
            sections.append(
                "> Missing random baseline (run the benchmark once to build it) for: "
                + ", ".join(missing)
            )
        records = [
            r for r in records if r["task"] in baselines or r.get("status") != "ok"
        ]
        normalizer = Normalizer(records, baselines)
        max_iter = max(r["n_iter"] for r in records)
        cps = checkpoints_for(max_iter, a.checkpoints)
        sections.append(markdown_report(records, normalizer, cps, order, unavailable))

        # normalization reference
        body = []
        for task in [t for t in TASKS if t in baselines]:
            base = baselines[task]
            finite = [s for s in base if s is not None]
            body.append(
                [
                    task,
                    str(len(base)),
                    f"{max(finite):.5f}",
                    f"{normalizer.best_ever[task]:.5f}",
                ]
                + [f"{median_random(base, k):.5f}" for k in cps]
            )
        from benchmarks.report import _table

        sections.append(
            "Normalization reference (CV scores; median random = exact median of the "
            "best of k bootstrap draws from the baseline):\n"
        )
        sections.append(
            _table(
                ["task", "baseline N", "baseline best", "best ever"]
                + [f"median random @{k}" for k in cps],
                body,
            )
            + "\n"
        )
        failures = [r for r in records if r.get("status") not in ("ok", None)]
        if failures:
            sections.append("Failed or unavailable runs:\n")
            for r in failures:
                sections.append(
                    f"- {r['task']} {r['method']} seed {r['seed']}: {r['status']}: "
                    f"{r.get('error', '')[:300]}"
                )
            sections.append("")
        # warnings summary
        wsum = {}
        for r in records:
            for cat, v in (r.get("warnings") or {}).items():
                w = wsum.setdefault((r["method"], cat), [0, v["first"]])
                w[0] += v["count"]
        if wsum:
            sections.append(
                "Warnings raised in the main process during searches (total count, first message):\n"
            )
            for (m, cat), (n, first) in sorted(wsum.items()):
                sections.append(f"- {m}: {cat} x{n}: {first[:160]}")
            sections.append("")
        write_csvs(records, normalizer, cps, report_out)
        by_cfg = {}
        for r in records:
            by_cfg.setdefault(config_label(r), []).append(r)
        for cfg, recs in sorted(by_cfg.items()):
            slug = cfg.replace(", ", "_").replace("=", "")
            png = plot_convergence(
                recs,
                normalizer,
                order,
                report_out / f"convergence_{slug}.png",
                title=f"Best-so-far normalized score, median over seeds ({cfg})",
            )
            if png:
                sections.append(f"Figure: `{Path(png).name}`\n")
    over = load_records(dirs, "overhead")
    if over:
        sections.append(overhead_report(over, order, report_out))
    if not records and not over:
        sections.append(f"No results found in {', '.join(dirs)}")
    text = "\n".join(sections) + "\n"
    (report_out / "report.md").write_text(text)
    print(text)
    _log(f"[report] written to {report_out}/report.md (+ summary.csv, runs.csv, PNGs)")


def cmd_self_check(a):
    from benchmarks.report import median_random, median_random_bootstrap
    from benchmarks.runner import load_baseline
    from benchmarks.tasks import get_task

    _log("task, k: closed form vs bootstrap(20000 runs)")
    for t in a.tasks:
        base = load_baseline(a.baseline_dir, get_task(t), a.cv_folds)
        if base is None:
            _log(f"{t}: no baseline")
            continue
        for k in a.checkpoints:
            _log(
                f"{t:22s} k={k:3d}: {median_random(base['scores'], k):.6f} vs "
                f"{median_random_bootstrap(base['scores'], k):.6f}"
            )


def main(argv=None):
    a = _parse(argv)
    if a.list:
        return cmd_list(a)
    if a.self_check:
        return cmd_self_check(a)
    if a.report is not None:
        return cmd_report(a, a.report or [a.out])
    if a.overhead:
        return cmd_overhead(a)
    return cmd_run(a)


if __name__ == "__main__":
    main()
