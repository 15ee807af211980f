"""Normalized scores, Markdown tables and figures from recorded runs.

Normalization (Bayesmark style), per task and per budget ``k``:

    normalized(k) = 100 * (best_k - median_random_k) / (best_ever - median_random_k)

* ``best_k``: the best mean CV score among a run's first ``k`` evaluations, in
  the order the method made them (failed evaluations count as -inf).
* ``median_random_k``: the median, over random-search runs of ``k``
  evaluations, of their best CV score. The runs are bootstrap resamples of
  the task's cached random baseline (``results/baseline/``: ``N`` = 500 by
  default random evaluations, same distributions as RandomizedSearchCV, same
  train split and folds). We use the exact value of that median for infinitely
  many bootstrap runs (sampling with replacement) rather than a Monte Carlo
  estimate: with ``F`` the empirical CDF of the ``N`` baseline scores, the best
  of ``k`` draws is ``<= x`` with probability ``F(x)**k``, so its median is the
  smallest baseline score ``s`` with ``F(s) >= 2**(-1/k)``, i.e. the
  ``ceil(N * 2**(-1/k))``-th smallest score. :func:`median_random_bootstrap`
  computes the Monte Carlo version; ``--self-check`` compares the two.
* ``best_ever``: the best CV score ever seen on the task by anything: the
  baseline and every run loaded into the report (all methods, seeds and
  configurations whose runs share the task's signature, i.e. the same
  objective function).

So 100 means "found the best score known for this task", 0 means "as good as
a typical random search with the same budget", negative is worse than that.
If ``best_ever == median_random_k`` (random search with ``k`` evaluations
typically already hits the best known value) the score is undefined; it is
reported as NaN and left out of means.

Aggregation: the median over seeds for each (task, method, configuration);
the "mean" row is the mean over tasks of those medians.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

from benchmarks.tasks import TASKS

# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------


def load_records(paths, kind="run"):
    """Records of one kind from result directories or .jsonl files."""
    files = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += sorted(p.glob("runs.jsonl" if kind == "run" else "overhead.jsonl"))
        elif p.exists():
            files.append(p)
    out = []
    for f in files:
        with open(f) as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if rec.get("kind", "run") == kind:
                    rec["_file"] = str(f)
                    out.append(rec)
    return out


def config_label(rec):
    return (
        f"n_iter={rec['n_iter']}, n_jobs={rec['n_jobs']}, "
        f"n_points={rec['n_points']}, cv={rec.get('cv_folds', '?')}"
    )


# --------------------------------------------------------------------------
# normalization
# --------------------------------------------------------------------------


def _clean(scores):
    a = np.array([-np.inf if s is None else s for s in scores], dtype=float)
    a[np.isnan(a)] = -np.inf
    return a


def median_random(baseline_scores, k):
    """Exact median of the best of ``k`` bootstrap draws from the baseline."""
    s = np.sort(_clean(baseline_scores))
    n = len(s)
    idx = math.ceil(n * 2.0 ** (-1.0 / k) - 1e-12)  # 1-based rank
    return float(s[min(max(idx, 1), n) - 1])


def median_random_bootstrap(baseline_scores, k, n_runs=20_000, seed=0):
    """Monte Carlo version of :func:`median_random` (for checking)."""
    s = _clean(baseline_scores)
    rng = np.random.default_rng(seed)
    draws = s[rng.integers(0, len(s), size=(n_runs, k))]
    return float(np.median(draws.max(axis=1)))


def best_so_far(scores):
    return np.maximum.accumulate(_clean(scores)) if len(scores) else np.array([])


def normalized(best_k, med_k, best_ever):
    denom = best_ever - med_k
    if not np.isfinite(best_k):
        return -math.inf
    if denom <= 1e-12 * max(1.0, abs(best_ever)):
        return math.nan
    return 100.0 * (best_k - med_k) / denom


def finish_times(rec):
    """Seconds to the end of each evaluation of a run, or ``None`` if unrecorded.

    An evaluation with no time of its own (runs made before the last batch
    got one) is given the end of the search.
    """
    times = rec.get("finish_times")
    if not times:
        return None
    return [t if t is not None and math.isfinite(t) else rec["search_time"]
            for t in times]


class Normalizer:
    """Per-task normalization, shared by all runs in a report."""

    def __init__(self, records, baselines):
        self.baselines = baselines  # task -> list of scores
        self.best_ever = {}
        for task, base in baselines.items():
            finite = [s for s in base if s is not None]
            self.best_ever[task] = max(finite) if finite else -math.inf
        for r in records:
            if r.get("status") != "ok" or r["task"] not in baselines:
                continue
            finite = [s for s in r["scores"] if s is not None]
            if finite:
                self.best_ever[r["task"]] = max(self.best_ever[r["task"]], max(finite))
        self._med = {}

    def med(self, task, k):
        key = (task, k)
        if key not in self._med:
            self._med[key] = median_random(self.baselines[task], k)
        return self._med[key]

    def curve(self, rec, n=None):
        """Normalized best-so-far after 1..n evaluations (NaN past the run's end)."""
        task = rec["task"]
        n = n or rec["n_iter"]
        if task not in self.baselines:
            return np.full(n, np.nan)
        bsf = best_so_far(rec["scores"])
        out = np.full(n, np.nan)
        for k in range(1, n + 1):
            b = bsf[min(k, len(bsf)) - 1] if len(bsf) else -np.inf
            out[k - 1] = normalized(b, self.med(task, k), self.best_ever[task])
        return out

    def at(self, rec, k):
        if rec["task"] not in self.baselines:
            return math.nan
        bsf = best_so_far(rec["scores"])
        if not len(bsf):
            return math.nan
        b = bsf[min(k, len(bsf)) - 1]
        return normalized(b, self.med(rec["task"], k), self.best_ever[rec["task"]])

    def at_time(self, rec, seconds, k):
        """Normalized best score of the evaluations finished within ``seconds``.

        Scaled as :meth:`at` scales the best of ``k`` evaluations, so that
        runs compared at one wall time share a yardstick. ``nan`` if the run
        did not record when its evaluations finished.
        """
        times = finish_times(rec)
        if rec["task"] not in self.baselines or times is None:
            return math.nan
        done = [s for s, t in zip(rec["scores"], times)
                if s is not None and t <= seconds]
        b = max(done) if done else -math.inf
        return normalized(b, self.med(rec["task"], k), self.best_ever[rec["task"]])


# --------------------------------------------------------------------------
# aggregation
# --------------------------------------------------------------------------


def _median(xs):
    xs = [
        x for x in xs if x is not None and not (isinstance(x, float) and math.isnan(x))
    ]
    return float(np.median(xs)) if xs else math.nan


def _mean(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return float(np.mean(xs)) if xs else math.nan


def checkpoints_for(n_iter, wanted):
    cps = [k for k in wanted if k <= n_iter]
    if n_iter not in cps and (not cps or cps[-1] < n_iter):
        cps.append(n_iter)
    return cps


def summarize(records, normalizer, checkpoints):
    """rows[(config, task, method)] -> dict of medians over seeds."""
    groups = defaultdict(list)
    for r in records:
        if r.get("status") == "ok":
            groups[(config_label(r), r["task"], r["method"])].append(r)
    rows = {}
    for key, recs in groups.items():
        row = {"n_seeds": len(recs), "seeds": sorted(r["seed"] for r in recs)}
        for k in checkpoints:
            row[f"norm@{k}"] = _median([normalizer.at(r, k) for r in recs])
        row["test_score"] = _median([r["test_score"] for r in recs])
        row["best_cv_score"] = _median([r["best_cv_score"] for r in recs])
        row["wall_time"] = _median([r["wall_time"] for r in recs])
        row["overhead_ms"] = _median([1000 * r["overhead_per_eval"] for r in recs])
        row["evals_per_sec"] = _median([r["evals_per_sec"] for r in recs])
        row["total_evals"] = sum(r["n_evals"] for r in recs)
        row["total_search_time"] = sum(r["search_time"] for r in recs)
        row["fit_ms_per_eval"] = _median(
            [1000 * r["sum_fit_score_time"] / r["n_evals"] for r in recs if r["n_evals"]]
        )
        row["n_duplicates"] = _median([r.get("n_duplicates", 0) for r in recs])
        row["n_failed"] = _median([r.get("n_failed", 0) for r in recs])
        rows[key] = row
    return rows


# --------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------


def _fmt(x, nd=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, float) and math.isinf(x):
        return "-inf" if x < 0 else "inf"
    return f"{x:.{nd}f}"


def _table(header, rows):
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _ranks(values):
    """Average ranks, 1 = largest; NaN stays NaN."""
    idx = [i for i, v in enumerate(values) if not math.isnan(v)]
    out = [math.nan] * len(values)
    order = sorted(idx, key=lambda i: -values[i])
    pos = 0
    while pos < len(order):
        end = pos
        while end + 1 < len(order) and values[order[end + 1]] == values[order[pos]]:
            end += 1
        for j in range(pos, end + 1):
            out[order[j]] = (pos + end) / 2 + 1
        pos = end + 1
    return out


def markdown_report(records, normalizer, checkpoints, methods_order, unavailable):
    rows = summarize(records, normalizer, checkpoints)
    configs = sorted({c for c, _, _ in rows}, key=lambda c: (len(c), c))
    out = []
    if unavailable:
        out.append(
            "Unavailable methods: "
            + "; ".join(f"`{m}` ({why})" for m, why in sorted(unavailable.items()))
            + "\n"
        )
    for cfg in configs:
        tasks = [t for t in TASKS if any((cfg, t, m) in rows for m in methods_order)]
        tasks += sorted({t for c, t, _ in rows if c == cfg} - set(tasks))
        methods = [m for m in methods_order if any((cfg, t, m) in rows for t in tasks)]
        n_seeds = sorted(
            {
                rows[(cfg, t, m)]["n_seeds"]
                for t in tasks
                for m in methods
                if (cfg, t, m) in rows
            }
        )
        n_iter = int(cfg.split(",")[0].split("=")[1])
        cps = [k for k in checkpoints if k <= n_iter]
        out.append(
            f"### Configuration: {cfg}; seeds per cell: {', '.join(map(str, n_seeds))}\n"
        )

        def cell(t, m, key, nd=1):
            r = rows.get((cfg, t, m))
            return _fmt(r[key], nd) if r else "-"

        # normalized scores
        for k in cps:
            body = []
            means = defaultdict(list)
            for t in tasks:
                line = [t]
                for m in methods:
                    r = rows.get((cfg, t, m))
                    v = r[f"norm@{k}"] if r else math.nan
                    means[m].append(v)
                    line.append(_fmt(v))
                body.append(line)
            body.append(
                ["**mean**"] + [f"**{_fmt(_mean(means[m]))}**" for m in methods]
            )
            body.append(
                ["**median**"] + [f"**{_fmt(_median(means[m]))}**" for m in methods]
            )
            out.append(
                f"Normalized score after {k} evaluations (median over seeds; "
                f"100 = best ever seen, 0 = median random search of {k}):\n"
            )
            out.append(_table(["task"] + methods, body) + "\n")

        # test score
        body, ranks = [], defaultdict(list)
        for t in tasks:
            vals = [
                rows[(cfg, t, m)]["test_score"] if (cfg, t, m) in rows else math.nan
                for m in methods
            ]
            for m, rk in zip(methods, _ranks(vals)):
                ranks[m].append(rk)
            scoring = TASKS[t].scoring if t in TASKS else "?"
            body.append([f"{t} ({scoring})"] + [_fmt(v, 4) for v in vals])
        body.append(
            ["**mean rank** (1 = best)"]
            + [f"**{_fmt(_mean(ranks[m]), 2)}**" for m in methods]
        )
        out.append("Held-out test score of the refit best model (median over seeds):\n")
        out.append(_table(["task"] + methods, body) + "\n")

        # time
        for key, title, nd in (
            ("wall_time", "Wall time of `fit` incl. refit (s, median over seeds)", 2),
            (
                "overhead_ms",
                "Optimizer overhead per evaluation (ms, median over seeds): "
                "(search wall time - sum of CV fit and score times / parallelism) / evaluations",
                1,
            ),
            (
                "evals_per_sec",
                "Evaluations per second of search wall time (median over seeds)",
                2,
            ),
        ):
            body, means = [], defaultdict(list)
            for t in tasks:
                line = [t]
                for m in methods:
                    r = rows.get((cfg, t, m))
                    v = r[key] if r else math.nan
                    means[m].append(v)
                    line.append(_fmt(v, nd))
                body.append(line)
            body.append(
                ["**mean**"] + [f"**{_fmt(_mean(means[m]), nd)}**" for m in methods]
            )
            out.append(title + ":\n")
            out.append(_table(["task"] + methods, body) + "\n")

        dups = [
            (t, m, rows[(cfg, t, m)]["n_duplicates"])
            for t in tasks
            for m in methods
            if (cfg, t, m) in rows and rows[(cfg, t, m)]["n_duplicates"] > 0
        ]
        if dups:
            out.append(
                "Repeated candidates (median count per run of evaluations whose parameters "
                "equal an earlier one): "
                + ", ".join(f"{m} on {t}: {_fmt(d, 1)}" for t, m, d in dups)
                + "\n"
            )
    if len(configs) > 1:
        out.append(parallel_comparison(rows, configs, methods_order, checkpoints))
    return "\n".join(out)


def parallel_comparison(rows, configs, methods_order, checkpoints):
    """Evaluations per second and final normalized score across configurations."""
    out = ["### Configurations compared (mean over tasks of per-task medians)\n"]
    header = ["method"]
    for cfg in configs:
        short = (
            cfg.replace("n_iter=", "it=")
            .replace("n_jobs=", "j=")
            .replace("n_points=", "p=")
        )
        header += [f"evals/s ({short})", f"norm@final ({short})"]
    body = []
    for m in methods_order:
        line = [m]
        any_val = False
        for cfg in configs:
            n_iter = int(cfg.split(",")[0].split("=")[1])
            k = (
                [c for c in checkpoints if c <= n_iter][-1]
                if any(c <= n_iter for c in checkpoints)
                else n_iter
            )
            eps = [
                r["evals_per_sec"]
                for (c, t, mm), r in rows.items()
                if c == cfg and mm == m
            ]
            nrm = [
                r.get(f"norm@{k}", math.nan)
                for (c, t, mm), r in rows.items()
                if c == cfg and mm == m
            ]
            any_val |= bool(eps)
            line += [_fmt(_mean(eps), 2), _fmt(_mean(nrm))]
        if any_val:
            body.append(line)
    out.append(_table(header, body) + "\n")
    out.append(_speedup_by_task(rows, configs, methods_order))
    return "\n".join(out)


def _speedup_by_task(rows, configs, methods_order):
    """Evaluations per second of each configuration relative to the first.

    Tasks are sorted by the cost of one evaluation's fits, because that cost
    decides whether handing fits to worker processes pays. The last line is
    the whole suite's throughput: all evaluations over all search time.
    """
    base, others = configs[0], configs[1:]
    out = []
    for m in methods_order:
        tasks = sorted(
            {t for (c, t, mm) in rows if mm == m and c == base},
            key=lambda t: rows[(base, t, m)]["fit_ms_per_eval"],
        )
        tasks = [t for t in tasks if all((c, t, m) in rows for c in others)]
        if not tasks or not others:
            continue
        out.append(f"### {m}: evaluations per second relative to {base}\n")
        header = ["task", "fit+score ms per eval (first config)"] + [
            f"speed-up ({c})" for c in others
        ]
        body = []
        for t in tasks:
            first = rows[(base, t, m)]
            body.append(
                [t, _fmt(first["fit_ms_per_eval"])]
                + [_fmt(rows[(c, t, m)]["evals_per_sec"] / first["evals_per_sec"], 2)
                   for c in others]
            )

        def throughput(c):
            keys = [(c, t, m) for t in tasks]
            return sum(rows[k]["total_evals"] for k in keys) / sum(
                rows[k]["total_search_time"] for k in keys
            )

        body.append(
            ["**whole suite** (all evaluations / all search time)", ""]
            + [_fmt(throughput(c) / throughput(base), 2) for c in others]
        )
        out.append(_table(header, body) + "\n")
    return "\n".join(out)


# --------------------------------------------------------------------------
# CSV + figures
# --------------------------------------------------------------------------


def write_csvs(records, normalizer, checkpoints, out_dir):
    out_dir = Path(out_dir)
    rows = summarize(records, normalizer, checkpoints)
    with open(out_dir / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        keys = [f"norm@{k}" for k in checkpoints] + [
            "test_score",
            "best_cv_score",
            "wall_time",
            "overhead_ms",
            "evals_per_sec",
            "n_duplicates",
            "n_failed",
        ]
        w.writerow(["config", "task", "method", "n_seeds"] + keys)
        for (cfg, t, m), r in sorted(rows.items()):
            w.writerow([cfg, t, m, r["n_seeds"]] + [r.get(k, "") for k in keys])
    with open(out_dir / "runs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "task",
                "method",
                "seed",
                "n_iter",
                "n_jobs",
                "n_points",
                "cv_folds",
                "status",
                "n_evals",
                "best_cv_score",
                "test_score",
                "wall_time",
                "refit_time",
                "overhead_per_eval",
                "evals_per_sec",
                "n_duplicates",
            ]
            + [f"norm@{k}" for k in checkpoints]
        )
        for r in records:
            ok = r.get("status") == "ok"
            w.writerow(
                [
                    r["task"],
                    r["method"],
                    r["seed"],
                    r["n_iter"],
                    r["n_jobs"],
                    r["n_points"],
                    r.get("cv_folds"),
                    r.get("status"),
                ]
                + (
                    [
                        r["n_evals"],
                        r["best_cv_score"],
                        r["test_score"],
                        r["wall_time"],
                        r["refit_time"],
                        r["overhead_per_eval"],
                        r["evals_per_sec"],
                        r.get("n_duplicates"),
                    ]
                    + [normalizer.at(r, k) for k in checkpoints]
                    if ok
                    else [""] * (8 + len(checkpoints))
                )
            )


# Optuna's TPE and GP samplers share their random start-up trials (same seed),
# so their curves coincide early on: draw one dashed to keep both visible.
_STYLE = {"optuna-gp": "--", "random": ":"}


def plot_convergence(records, normalizer, methods_order, path, title=""):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [
        r
        for r in records
        if r.get("status") == "ok" and r["task"] in normalizer.baselines
    ]
    if not ok:
        return None
    tasks = [t for t in TASKS if any(r["task"] == t for r in ok)]
    methods = [m for m in methods_order if any(r["method"] == m for r in ok)]
    n = max(r["n_iter"] for r in ok)
    curves = defaultdict(list)
    for r in ok:
        curves[(r["task"], r["method"])].append(normalizer.curve(r, n))
    med = {key: np.nanmedian(np.vstack(v), axis=0) for key, v in curves.items()}
    panels = tasks + ["mean over tasks"]
    ncol = min(4, len(panels))
    nrow = math.ceil(len(panels) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 3.1 * nrow), squeeze=False)
    x = np.arange(1, n + 1)
    colors = dict(zip(methods, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    for ax, panel in zip(axes.flat, panels):
        for m in methods:
            if panel == "mean over tasks":
                ys = [med[(t, m)] for t in tasks if (t, m) in med]
                if not ys:
                    continue
                arr = np.vstack(ys)
                arr[np.isinf(arr)] = np.nan
                y = np.nanmean(arr, axis=0)
            elif (panel, m) in med:
                y = med[(panel, m)]
            else:
                continue
            ax.plot(
                x,
                np.where(np.isinf(y), np.nan, y),
                label=m,
                color=colors[m],
                lw=2.0 if m == "skhyper" else 1.3,
                ls=_STYLE.get(m, "-"),
            )
        ax.axhline(0, color="grey", lw=0.6, ls=":")
        ax.axhline(100, color="grey", lw=0.6, ls=":")
        ax.set_ylim(-60, 105)
        ax.set_title(panel, fontsize=9)
        ax.set_xlabel("evaluations", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].set_ylabel("normalized best-so-far", fontsize=8)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if not handles:
        handles, labels = axes.flat[len(panels) - 1].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=len(methods),
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(
        title or "Best-so-far normalized score (median over seeds)", fontsize=10
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------
# overhead mode
# --------------------------------------------------------------------------


def overhead_gaps(rec):
    """Per-evaluation wall-clock gap between consecutive fit calls (s)."""
    t = np.asarray(rec["fit_timestamps"][: rec["n_evals"]], dtype=float)
    if not len(t):
        return np.array([])
    return np.diff(np.concatenate([[0.0], t]))


def overhead_report(records, methods_order, out_dir=None):
    ok = [r for r in records if r.get("status") == "ok"]
    bad = [r for r in records if r.get("status") != "ok"]
    methods = [m for m in methods_order if any(r["method"] == m for r in ok)]
    n = max((r["n_evals"] for r in ok), default=0)
    out = [
        f"### Optimizer overhead on the free 10-d synthetic problem ({n} evaluations, n_jobs=1)\n",
        "Per evaluation: wall-clock gap between consecutive `fit` calls of an estimator whose "
        "fit and score cost microseconds, so the gap is what the search machinery spends to "
        "propose, dispatch and record one candidate. Median over seeds.\n",
    ]
    bands = [(0, min(n, 20))]
    if n > 40:
        bands.append((n // 2 - 10, n // 2 + 10))
    if n > 20:
        bands.append((n - 20, n))
    header = (
        ["method", "seeds", "total wall (s)", "mean ms/eval"]
        + [f"ms/eval, evals {a + 1}-{b}" for a, b in bands]
        + ["best score (0 = optimum)"]
    )
    body = []
    random_floor = None
    for m in methods:
        recs = [r for r in ok if r["method"] == m]
        gaps = [overhead_gaps(r) for r in recs]
        line = [
            m,
            str(len(recs)),
            _fmt(_median([r["wall_time"] for r in recs]), 2),
            _fmt(_median([1000 * r["overhead_per_eval"] for r in recs]), 2),
        ]
        for a, b in bands:
            line.append(
                _fmt(
                    _median(
                        [1000 * float(np.mean(g[a:b])) for g in gaps if len(g) >= b]
                    ),
                    2,
                )
            )
        line.append(_fmt(_median([r["best_cv_score"] for r in recs]), 4))
        body.append(line)
        if m == "random":
            random_floor = _median([1000 * r["overhead_per_eval"] for r in recs])
    out.append(_table(header, body) + "\n")
    if random_floor is not None:
        out.append(
            f"`random` is the floor: scikit-learn's own per-candidate machinery (clone, "
            f"fit/score calls, scorer, bookkeeping), {random_floor:.2f} ms per evaluation here.\n"
        )
    if bad:
        out.append(
            "Not run: "
            + "; ".join(
                f"{r['method']} seed {r['seed']}: {r['status']} ({r.get('error', '')[:120]})"
                for r in bad
            )
            + "\n"
        )
    if out_dir is not None and ok:
        _plot_overhead(ok, methods, Path(out_dir) / "overhead.png")
        out.append(
            "Figure: `overhead.png` (ms per evaluation vs evaluation index, median over seeds).\n"
        )
    return "\n".join(out)


def _plot_overhead(ok, methods, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for m in methods:
        gaps = [overhead_gaps(r) for r in ok if r["method"] == m]
        n = min(len(g) for g in gaps)
        if n == 0:
            continue
        y = 1000 * np.median(np.vstack([g[:n] for g in gaps]), axis=0)
        w = 5
        if n > w:
            y = np.convolve(y, np.ones(w) / w, mode="valid")
        ax.plot(
            np.arange(1, len(y) + 1) + (w - 1) / 2 if n > w else np.arange(1, n + 1),
            y,
            label=m,
        )
    ax.set_yscale("log")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("ms per evaluation (median of seeds, 5-point moving mean)")
    ax.set_title(
        "Optimizer overhead, free 10-d synthetic objective, n_jobs=1", fontsize=10
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
