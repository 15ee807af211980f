#!/usr/bin/env python
"""Early-stopped cross-validation (``fold_stopping``) against full CV.

Each (task, seed) runs ``BayesSearchCV`` three or more times on the same
folds and seed:

* ``full``: every fold of every candidate (``fold_stopping=None``);
* ``<rule>``: the same ``n_iter`` with ``fold_stopping=<rule>`` (equal
  candidates): fits used, wall time, best CV score, held-out score;
* ``<rule>@time``: ``fold_stopping=<rule>`` with ``--time-factor`` times the
  candidates and ``max_time`` = the full run's search time (equal wall time).

The report gives medians over (task, seed) pairs: fits used and wall time
relative to full CV, the difference in normalized score (100 = the best
score ever seen on the task, 0 = the median of random search with the same
number of candidates, from the cached random baselines of
``bayes_benchmark.py``) and in held-out score, and how much sooner the
stopped search reached the full search's final best CV score.

Run (appends to OUT/runs.jsonl; finished runs are skipped on a rerun)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/fold_stopping.py \
        --tasks all --seeds 10 --n-iter 40 --cv 5 --out benchmarks/results/fold-stopping
    python benchmarks/fold_stopping.py --report benchmarks/results/fold-stopping

``--rules`` with no rule runs only ``full``; ``--timed`` names the rules
that also get the ``@time`` variant (all of them by default). Records
also store each candidate's fold test scores (``splits``, NaN for folds not
run), folds run and mean fit time in proposal order: ``full`` records are
what ``fold_stopping_replay.py`` replays, and the report counts fits to the
full search's final best with them (``fits to full's best``, independent of
the machine's load).

``--cv repeated`` uses ``RepeatedStratifiedKFold(n_splits=5, n_repeats=2)``
(``RepeatedKFold`` for regression), ``--cv 10`` ten folds.
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
os.environ.setdefault("PYTHONWARNINGS", "ignore")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import report  # noqa: E402
from benchmarks.runner import load_baseline, versions, warm_pool  # noqa: E402
from benchmarks.spaces import to_skhyper  # noqa: E402
from benchmarks.tasks import DEFAULT_TASKS, get_task  # noqa: E402

DEFAULT_OUT = "benchmarks/results/fold-stopping"
#: Variants measured under their own names: the ``fold_stopping`` rule run
#: and the settings changed for it (each record notes them): a plain name is
#: one of ``skhyper.scheduling._fold_stopping``, a dotted one names its
#: module under ``skhyper`` (``optimizer._gp._INPUT_WARPING``).
VARIANTS = {
    "predictive-told": ("predictive", {"PREDICTIVE_MEAN_CONDITION": True}),
    "predictive-told-nomean": ("predictive", {"PREDICTIVE_MEAN_CONDITION": False}),
    "predictive-c0.5": ("predictive", {"PREDICTIVE_C": 0.5}),
    "predictive-c1.0": ("predictive", {"PREDICTIVE_C": 1.0}),
    # Never stops, through the same per-fold dispatch: must repeat full CV.
    "predictive-never": ("predictive", {"PREDICTIVE_C": 1e9}),
    "predictive-min5": ("predictive", {"MIN_COMPLETE": 5}),
    "predictive-min10": ("predictive", {"MIN_COMPLETE": 10}),
    "predictive-unwarped": ("predictive", {"optimizer._gp._INPUT_WARPING": False}),
}
BASELINE_DIR = str(_ROOT / "benchmarks" / "results" / "baseline")


class _Trace:
    """A callback noting (seconds, best complete score) after each evaluation."""

    def __init__(self):
        self.marks = []

    def __call__(self, progress):
        self.marks.append((progress.elapsed, progress.best_score))
        return False


def _splits(task, cv):
    if cv != "repeated":
        return task.cv_splits(int(cv))
    from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

    X_train, _, y_train, _ = task.load()
    kind = RepeatedStratifiedKFold if task.is_classification else RepeatedKFold
    splitter = kind(n_splits=5, n_repeats=2, random_state=task.cv_seed)
    return list(splitter.split(X_train, y_train))


class _Setting:
    """A module-level setting a variant changes, by its name in ``VARIANTS``."""

    def __init__(self, key):
        import importlib

        module, _, self.name = key.rpartition(".")
        self.module = importlib.import_module(
            f"skhyper.{module}" if module else "skhyper.scheduling._fold_stopping"
        )

    def get(self):
        return getattr(self.module, self.name)

    def set(self, value):
        setattr(self.module, self.name, value)


def run_one(task_name, seed, variant, n_iter, cv, n_jobs, max_time=None):
    """One search; a JSON-ready record."""
    from skhyper import BayesSearchCV

    task = get_task(task_name)
    X_train, X_test, y_train, y_test = task.load()
    name = variant.split("@")[0]
    rule, settings = VARIANTS.get(name, (None if name == "full" else name, {}))
    defaults = {key: _Setting(key).get() for key in settings}
    for key, value in settings.items():
        _Setting(key).set(value)
    trace = _Trace()
    search = BayesSearchCV(
        task.make_estimator(), to_skhyper(task.space), n_iter=n_iter,
        scoring=task.scoring, cv=_splits(task, cv), n_jobs=n_jobs,
        random_state=seed, error_score=np.nan, fold_stopping=rule,
        max_time=max_time, callbacks=[trace],
    )
    warm_pool(n_jobs, task.make_estimator(), search)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            search.fit(X_train, y_train)
            wall = time.perf_counter() - start
            test = float(search.score(X_test, y_test))
    finally:
        for key, value in defaults.items():
            _Setting(key).set(value)
    results = search.cv_results_
    n_splits = len(_splits(task, cv))
    folds = results.get("n_folds_run", np.full(len(results["params"]), n_splits))
    return {
        **_per_candidate(results, folds),
        "task": task_name, "seed": seed, "variant": variant, "cv": str(cv),
        "n_iter": n_iter, "n_jobs": n_jobs, "n_evals": len(results["params"]),
        "fits": int(np.sum(folds)), "planned_fits": len(folds) * n_splits,
        "n_stopped": int(np.sum(np.asarray(folds) < n_splits)),
        "search_time": wall - float(getattr(search, "refit_time_", 0.0)),
        "best_cv": float(search.best_score_), "test": test,
        "trace": trace.marks, "versions": versions(),
        **({"rule": rule, "settings": settings} if name in VARIANTS else {}),
    }


def _per_candidate(results, folds):
    """Each candidate's fold test scores (NaN for folds not run), folds run
    and mean fit time, in proposal order: rules can be replayed offline on
    ``full`` runs, and fits counted up to any candidate."""
    from skhyper.scheduling._fold_stopping import split_scores

    rows = range(len(results["params"]))
    return {
        "splits": [split_scores(results, "score", i) for i in rows],
        "folds_run": [int(n) for n in folds],
        "fit_time": [float(t) for t in results["mean_fit_time"]],
    }


def _done(path):
    if not path.exists():
        return set()
    with open(path) as f:
        return {
            (r["task"], r["seed"], r["variant"], r["cv"])
            for r in map(json.loads, f)
        }


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "runs.jsonl"
    done = _done(path)
    tasks = DEFAULT_TASKS if args.tasks == "all" else args.tasks.split(",")
    timed = args.rules if args.timed is None else args.timed
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for task in tasks:
            full = None
            for variant in ["full", *args.rules, *(f"{r}@time" for r in timed)]:
                if (task, seed, variant, str(args.cv)) in done:
                    continue
                if variant.endswith("@time"):
                    if full is None:
                        full = _record_of(path, task, seed, "full", str(args.cv))
                    rec = run_one(
                        task, seed, variant, args.n_iter * args.time_factor, args.cv,
                        args.n_jobs, max_time=full["search_time"],
                    )
                else:
                    rec = run_one(task, seed, variant, args.n_iter, args.cv, args.n_jobs)
                    if variant == "full":
                        full = rec
                with open(path, "a") as f:
                    f.write(json.dumps(rec) + "\n")
                print(
                    f"{task} seed {seed} {variant}: {rec['fits']}/{rec['planned_fits']} "
                    f"fits, {rec['search_time']:.1f} s, best {rec['best_cv']:.4f}, "
                    f"test {rec['test']:.4f}", flush=True,
                )


def load_records(directories):
    """Every record of the ``runs.jsonl`` of these results directories."""
    records = []
    for directory in directories:
        with open(Path(directory) / "runs.jsonl") as f:
            records += [json.loads(line) for line in f]
    return records


def _record_of(path, task, seed, variant, cv):
    with open(path) as f:
        for rec in map(json.loads, f):
            if (rec["task"], rec["seed"], rec["variant"], rec["cv"]) == (
                task, seed, variant, cv
            ):
                return rec
    raise KeyError((task, seed, variant, cv))


def _normalized(rec, k):
    base = load_baseline(BASELINE_DIR, get_task(rec["task"]), 5)
    if base is None:
        return np.nan
    scores = [s for s in base["scores"] if s is not None]
    best_ever = max(max(scores), rec["best_cv"])
    return report.normalized(rec["best_cv"], report.median_random(scores, k), best_ever)


def _time_to_reach(trace, target):
    for elapsed, best in trace:
        if best is not None and np.isfinite(best) and best >= target - 1e-12:
            return elapsed
    return np.inf


def _fits_to_reach(rec, target):
    """Fold fits run until the first complete candidate scoring ``target``."""
    if "splits" not in rec:
        return np.nan
    splits = np.asarray(rec["splits"], dtype=float)
    folds = np.asarray(rec.get("folds_run", [splits.shape[1]] * len(splits)))
    reached = (folds == splits.shape[1]) & (splits.mean(axis=1) >= target - 1e-12)
    return np.cumsum(folds)[np.argmax(reached)] if reached.any() else np.inf


def summarize(records):
    """Markdown tables: one per (cv, rule)."""
    by_key = {(r["task"], r["seed"], r["cv"], r["variant"]): r for r in records}
    lines = []
    rules = sorted({r["variant"] for r in records if r["variant"] != "full"
                    and "@" not in r["variant"]})
    for cv in sorted({r["cv"] for r in records}):
        lines += [
            f"\n#### cv={cv}\n",
            (
                "| rule | pairs | fits used | wall time | normalized score diff "
                "| held-out diff | speedup to full's best | fits to full's best "
                "| reached | equal time: normalized diff | equal time: held-out diff |"
            ),
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for rule in rules:
            fits, walls, dnorm, dtest, speed, ok, tnorm, ttest, fspeed = (
                [] for _ in range(9)
            )
            for (task, seed, c, variant), rec in by_key.items():
                if c != cv or variant != rule:
                    continue
                full = by_key.get((task, seed, cv, "full"))
                if full is None:
                    continue
                k = rec["n_evals"]
                fits.append(rec["fits"] / full["fits"])
                walls.append(rec["search_time"] / full["search_time"])
                dnorm.append(_normalized(rec, k) - _normalized(full, k))
                dtest.append(rec["test"] - full["test"])
                reach = _time_to_reach(rec["trace"], full["best_cv"])
                ok.append(np.isfinite(reach))
                speed.append(full["search_time"] / reach if reach > 0 else np.inf)
                fspeed.append(
                    _fits_to_reach(full, full["best_cv"])
                    / _fits_to_reach(rec, full["best_cv"])
                )
                timed = by_key.get((task, seed, cv, f"{rule}@time"))
                if timed is not None:
                    kt = timed["n_evals"]
                    tnorm.append(_normalized(timed, kt) - _normalized(full, kt))
                    ttest.append(timed["test"] - full["test"])
            if not fits:
                continue
            lines.append(
                f"| {rule} | {len(fits)} | {_pct(fits)} | {_pct(walls)} "
                f"| {_med(dnorm, '+.1f')} (mean {_mean(dnorm, '+.1f')}) "
                f"| {_med(dtest, '+.4f')} (mean {_mean(dtest, '+.4f')}) "
                f"| {_med(speed, '.2f')}x | {_med(fspeed, '.2f')}x "
                f"(reached: {_med([v for v in fspeed if v > 0], '.2f')}x) "
                f"| {sum(ok)}/{len(ok)} "
                f"| {_med(tnorm, '+.1f')} (mean {_mean(tnorm, '+.1f')}) "
                f"| {_med(ttest, '+.4f')} (mean {_mean(ttest, '+.4f')}) |"
            )
    return "\n".join(lines)


def paired(records, cv, reference):
    """Markdown table: each rule (at equal candidates, and ``<rule>@time``
    at equal time) against full CV and against ``reference`` (at equal time
    ``reference@time``) on the same (task, seed) pairs, means with standard
    errors over the pairs and over the seeds' means."""
    by_key = {(r["task"], r["seed"], r["cv"], r["variant"]): r for r in records}
    lines = [
        f"\n#### cv={cv}, paired with full CV and with {reference}\n",
        (
            "| rule | pairs (seeds) | fits used (median, mean) "
            "| normalized diff vs full | normalized diff vs " + reference + " "
            "| held-out diff vs full | held-out diff vs " + reference + " |"
        ),
        "|---|---|---|---|---|---|---|",
    ]
    rules = sorted({r["variant"] for r in records if r["cv"] == cv
                    and r["variant"] != "full"}, key=lambda v: ("@" in v, v))
    for rule in rules:
        rows = []
        ref_variant = reference + rule[rule.index("@"):] if "@" in rule else reference
        for (task, seed, c, variant), rec in by_key.items():
            full = by_key.get((task, seed, cv, "full"))
            ref = by_key.get((task, seed, cv, ref_variant))
            if (c, variant) != (cv, rule) or full is None or ref is None:
                continue
            k = rec["n_evals"]
            norm = _normalized(rec, k)
            rows.append((
                seed, rec["fits"] / full["fits"], norm - _normalized(full, k),
                norm - _normalized(ref, k), rec["test"] - full["test"],
                rec["test"] - ref["test"],
            ))
        if not rows:
            continue
        seeds = np.array([r[0] for r in rows])
        values = np.array([r[1:] for r in rows], dtype=float)
        fits = values[:, 0]
        cells = [
            _mean_se(values[:, j], seeds, fmt) for j, fmt in
            ((1, "+.1f"), (2, "+.1f"), (3, "+.4f"), (4, "+.4f"))
        ]
        lines.append(
            f"| {rule} | {len(rows)} ({len(set(seeds))}) "
            f"| {100 * np.median(fits):.0f}%, {100 * np.mean(fits):.0f}% "
            f"| {' | '.join(cells)} |"
        )
    lines.append(
        "\nMeans over pairs, standard error over pairs, then [standard error "
        "of the mean over the seeds' means]."
    )
    return "\n".join(lines)


def _mean_se(values, seeds, fmt):
    ok = np.isfinite(values)
    values, seeds = values[ok], seeds[ok]
    if len(values) < 2:
        return "n/a"
    per_seed = np.array([values[seeds == s].mean() for s in np.unique(seeds)])
    se_pairs = values.std(ddof=1) / np.sqrt(len(values))
    se_seeds = (
        per_seed.std(ddof=1) / np.sqrt(len(per_seed)) if len(per_seed) > 1 else np.nan
    )
    return (
        f"{format(values.mean(), fmt)} ({format(se_pairs, fmt[1:])}) "
        f"[{format(se_seeds, fmt[1:])}]"
    )


def per_task(records, cv, rule):
    """Markdown table: fits used and best CV score difference, per task."""
    by_key = {(r["task"], r["seed"], r["cv"], r["variant"]): r for r in records}
    lines = [
        f"\n#### cv={cv}, {rule}, per task (medians over seeds)\n",
        "| task | seeds | fits used | best CV score diff | held-out diff |",
        "|---|---|---|---|---|",
    ]
    for task in DEFAULT_TASKS:
        pairs = [
            (rec, by_key[(task, seed, cv, "full")])
            for (t, seed, c, variant), rec in by_key.items()
            if (t, c, variant) == (task, cv, rule)
            and (task, seed, cv, "full") in by_key
        ]
        if not pairs:
            continue
        lines.append(
            f"| {task} | {len(pairs)} "
            f"| {_pct([r['fits'] / f['fits'] for r, f in pairs])} "
            f"| {_med([r['best_cv'] - f['best_cv'] for r, f in pairs], '+.4f')} "
            f"| {_med([r['test'] - f['test'] for r, f in pairs], '+.4f')} |"
        )
    return "\n".join(lines)


def _pct(values):
    return f"{100 * np.median(values):.0f}%"


def _med(values, fmt):
    finite = [v for v in values if not np.isnan(v)]
    return format(float(np.median(finite)), fmt) if finite else "n/a"


def _mean(values, fmt):
    finite = [v for v in values if np.isfinite(v)]
    return format(float(np.mean(finite)), fmt) if finite else "n/a"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default="all", help="comma-separated, or all")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument(
        "--first-seed", type=int, default=0,
        help="seeds run are first-seed .. first-seed + seeds - 1 (to split a "
        "run over processes; concatenate their runs.jsonl to report)",
    )
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--cv", default="5", help="number of folds, or 'repeated'")
    parser.add_argument("--rules", nargs="*", default=["forgiving", "paired"])
    parser.add_argument(
        "--timed", nargs="*", help="rules also run at equal time (default: all)"
    )
    parser.add_argument("--time-factor", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--report", nargs="+", help="results directories to report")
    parser.add_argument(
        "--against", help="with --report: also pair every rule with this one"
    )
    args = parser.parse_args(argv)
    if args.report:
        records = load_records(args.report)
        print(summarize(records))
        if args.against:
            for cv in sorted({r["cv"] for r in records}):
                print(paired(records, cv, args.against))
        rules = sorted({r["variant"] for r in records} - {"full"})
        for cv in sorted({r["cv"] for r in records}):
            for rule in (r for r in rules if "@" not in r):
                print(per_task(records, cv, rule))
        return
    run(args)


if __name__ == "__main__":
    main()
