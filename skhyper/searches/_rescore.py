"""Re-scoring the best candidates on fresh folds before the refit.

The configuration with the best mean CV score is partly the one luckiest on
those folds: among many configurations that tie within the fold noise, the
winner is the one the folds flattered most. Cross-validating the few best
again on the same splitter reshuffled, and keeping the best by the mean over
all their folds, picks a configuration that does better on new data
(``benchmarks/final_choice.py``: better held-out scores in 46 of 130 runs,
worse in 15, for three more evaluations). This module chooses the rows,
makes the fresh folds and reads the result; the search runs the fits.
"""

import inspect

import numpy as np

from skhyper.scheduling._fold_stopping import COLUMN as FOLDS_RUN
from skhyper.scheduling._fold_stopping import split_scores, stopped_rows
from skhyper.scheduling._streaming import TIME_COLUMNS

__all__ = [
    "COLUMN", "best_row", "check", "columns", "combined_score", "pairs", "reshuffled",
    "top_rows",
]

#: The ``cv_results_`` column: for a re-scored row, the row it re-scores.
COLUMN = "rescore_of"


def check(rescore, refit, checkpoint, cv):
    """Reject settings where re-scoring cannot work, before any fit."""
    if rescore is None:
        return
    if refit is False or callable(refit):
        raise ValueError(
            f"rescore={rescore} chooses the configuration to refit: it needs "
            f"refit=True or a metric name, got refit={refit!r}."
        )
    if checkpoint is not None:
        raise ValueError(
            f"rescore={rescore} cannot be combined with checkpoint yet: its "
            "re-scored rows are not resumable. Pass rescore=None or "
            "checkpoint=None."
        )
    reshuffled(cv, 0)


def reshuffled(cv, seed):
    """``cv``'s splitter again, shuffled with ``seed``: fresh folds of one kind.

    Raises
    ------
    ValueError
        If the splitter has no ``random_state`` to reshuffle with (a list of
        splits, ``PredefinedSplit``, ``TimeSeriesSplit``, ``LeaveOneOut``...).
    """
    try:
        names = list(inspect.signature(type(cv).__init__).parameters)[1:]
    except (TypeError, ValueError):
        names = []
    stored = {**getattr(cv, "cvargs", {}), **vars(cv)} if hasattr(cv, "__dict__") else {}
    if "random_state" not in names or not all(
        n in stored for n in names if n not in ("random_state", "shuffle")
    ):
        raise ValueError(
            "rescore needs a cv splitter it can reshuffle for fresh folds (an "
            "int, KFold, StratifiedKFold, GroupKFold, ShuffleSplit or another "
            f"splitter with a random_state parameter); got cv={cv!r}."
        )
    params = {n: stored[n] for n in names if n in stored}
    params["random_state"] = seed
    if "shuffle" in names:
        params["shuffle"] = True
    return type(cv)(**params)


def top_rows(results, metric, k):
    """The rows of the ``k`` best distinct configurations by mean score.

    Failed and fold-stopped rows are left out; ties keep the order of
    evaluation.
    """
    scores = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    ok = np.isfinite(scores) & ~stopped_rows(results)
    order = np.argsort(-np.where(ok, scores, -np.inf), kind="stable")
    rows, seen = [], set()
    for row in order[ok[order]]:
        key = repr(sorted(results["params"][row].items()))
        if key not in seen:
            seen.add(key)
            rows.append(int(row))
        if len(rows) == k:
            break
    return rows


def columns(results, rows, n_splits):
    """The search's own ``cv_results_`` columns for the re-scoring of ``rows``.

    Every column the earlier rows have is given (a row without one would drop
    it from ``cv_results_``): the next batch, no start and finish times (the
    re-scoring runs after the search), every fold run.
    """
    n = len(rows)
    out = {COLUMN: list(rows)}
    if "batch" in results:
        out["batch"] = [int(np.max(results["batch"])) + 1] * n
    for key in TIME_COLUMNS:
        if key in results:
            out[key] = [np.nan] * n
    if FOLDS_RUN in results:
        out[FOLDS_RUN] = [n_splits] * n
    return out


def combined_score(results, metric, row, again):
    """Mean of ``row``'s fold scores and those of its re-scoring ``again``."""
    return float(np.mean(
        split_scores(results, metric, row) + split_scores(results, metric, again)
    ))


def pairs(results):
    """``[(row, re-scored row)]`` of a search that re-scored, else ``[]``."""
    if COLUMN not in results:
        return []
    of = np.asarray(results[COLUMN], dtype=float)
    return [(int(of[j]), j) for j in np.flatnonzero(np.isfinite(of))]


def best_row(results, metric):
    """The re-scored row with the best combined score, and that score, or
    ``(None, nan)`` if nothing was re-scored (or every combined score failed)."""
    best, best_score = None, -np.inf
    for row, again in pairs(results):
        score = combined_score(results, metric, row, again)
        if score > best_score:
            best, best_score = row, score
    return (best, best_score) if best is not None else (None, np.nan)
