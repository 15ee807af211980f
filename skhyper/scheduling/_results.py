"""Build, reorder and join ``cv_results_`` dicts in scikit-learn's public format.

scikit-learn formats the results of the candidates it fitted. skhyper adds rows
it did not fit in that call: batches in which every fit failed (scikit-learn
raises instead of returning them) and evaluations restored from a checkpoint
or an earlier search. These helpers work on the documented ``cv_results_``
layout only: ``params``, ``param_<name>`` masked columns, per-candidate arrays
and ``rank_test_<metric>`` columns.
"""

import numpy as np
from scipy.stats import rankdata

from skhyper import _compat
from skhyper.scheduling._fold_stopping import stopped_rows


def n_rows(results):
    return len(results["params"])


def take_rows(results, rows):
    """The results restricted to ``rows`` (a sequence of indices), in that order."""
    rows = np.asarray(rows, dtype=int)
    out = {}
    for key, value in results.items():
        if key == "params":
            out[key] = [value[i] for i in rows]
        elif not key.startswith("param_"):
            out[key] = np.asarray(value)[rows]
    return _with_param_columns(out)


def concat_results(parts):
    """Join results with the same columns, one after the other, and re-rank."""
    parts = [p for p in parts if p is not None and n_rows(p) > 0]
    if len(parts) == 1:
        return parts[0]
    keys = [k for k in parts[0] if k != "params" and not k.startswith("param_")]
    out = {"params": [p for part in parts for p in part["params"]]}
    for key in keys:
        missing = [i for i, part in enumerate(parts) if key not in part]
        if missing:
            raise ValueError(f"Results to join differ: column {key!r} is missing.")
        out[key] = np.concatenate([np.asarray(part[key]) for part in parts])
    return rank(_with_param_columns(out))


def append_rows(results, rows):
    """``results`` followed by ``rows``, re-ranked (``rows``' columns win).

    What ``concat_results([align(results, rows), rows])`` gives, without
    rebuilding every ``param_<name>`` column when both have the same columns:
    a search that adds one row at a time would otherwise pay for all rows at
    every addition.
    """
    if set(results) != set(rows):
        return concat_results([align(results, rows), rows])
    out = {}
    for key in rows:
        if key == "params":
            out[key] = list(results[key]) + list(rows[key])
        elif key.startswith("param_"):
            joined = np.ma.concatenate([results[key], rows[key]])
            mask = np.concatenate(
                [np.ma.getmaskarray(results[key]), np.ma.getmaskarray(rows[key])]
            )
            out[key] = np.ma.MaskedArray(joined.data, mask=mask)
        else:
            out[key] = np.concatenate([np.asarray(results[key]), np.asarray(rows[key])])
    return rank(out)


def align(results, template):
    """``results`` with ``template``'s columns: extra ones dropped, missing NaN.

    The score columns of the optimized metrics must be there: results scored
    otherwise cannot join.
    """
    n = n_rows(results)
    out = {"params": list(results["params"])}
    for key in template:
        if key == "params" or key.startswith("param_"):
            continue
        if key in results:
            out[key] = np.asarray(results[key])
        elif key.startswith("mean_test_"):
            raise ValueError(
                f"Earlier results lack the column {key!r}: they were scored with "
                "another scoring."
            )
        else:
            out[key] = np.full(n, np.nan)
    return _with_param_columns(out)


def failed_results(template, params, error_score, more_results=None):
    """Rows for candidates whose fits all failed, with ``template``'s columns.

    Scores are ``error_score`` on every split; columns given in
    ``more_results`` (the search's own, times) are taken from there, other
    times are ``nan``.
    """
    n = len(params)
    out = {"params": list(params)}
    more_results = more_results or {}
    for key, value in template.items():
        if key == "params" or key.startswith("param_"):
            continue
        if key in more_results:
            out[key] = np.asarray(more_results[key])
        elif key.startswith("rank_"):
            out[key] = np.ones(n, dtype=np.int32)
        elif key.startswith("std_") and "_time" not in key:
            out[key] = np.full(n, 0.0 if np.isfinite(error_score) else np.nan)
        elif "_time" in key:
            out[key] = np.full(n, np.nan)
        elif key.startswith(("split", "mean_")):
            out[key] = np.full(n, float(error_score))
        else:
            out[key] = np.full(n, None, dtype=object)
    return _with_param_columns(out)


def infinite_means_as_failures(results):
    """An infinite mean score is a failed evaluation, like NaN: ranked last.

    scikit-learn ranks ``+inf`` first, so a scorer that overflows would pick
    the best configuration; the split scores keep what the scorer returned.
    """
    changed = False
    for key in results:
        if key.startswith("mean_test_"):
            means = np.asarray(results[key], dtype=float)
            if np.isinf(means).any():
                results[key] = np.where(np.isinf(means), np.nan, means)
                changed = True
    return rank(results) if changed else results


def rank(results):
    """Recompute ``rank_test_<metric>`` as scikit-learn does: non-finite last.

    Candidates whose folds were not all run (fold stopping) come after every
    complete one, ranked among themselves by their partial means.
    """
    stopped = stopped_rows(results)
    for key in list(results):
        if not key.startswith("rank_test_"):
            continue
        means = np.asarray(results["mean_test_" + key[len("rank_test_") :]], float)
        if np.isnan(means).all():
            results[key] = np.ones(len(means), dtype=np.int32)
            continue
        if stopped.any():
            # below every complete candidate, in the same order among themselves
            span = np.nanmax(means) - np.nanmin(means) + 1
            means = np.where(stopped, means - span, means)
        means = np.where(np.isnan(means), np.nanmin(means) - 1, means)
        results[key] = rankdata(-means, method="min").astype(np.int32)
    return results


def _with_param_columns(results):
    """(Re)build the ``param_<name>`` masked columns from ``results["params"]``."""
    columns = _compat.param_columns(results["params"])
    ordered = {k: v for k, v in results.items() if not k.startswith("param_")}
    return {**columns, **ordered}
