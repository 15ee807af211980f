"""Which candidates a halving rung promotes, and which row is the best.

Failed candidates never: a mean score that is not finite, or every fold
scoring a numeric ``error_score``. Equal scores are ordered by a fingerprint
of the configuration, so promotions never depend on the order candidates
were listed or finished in.
"""

import numbers

import joblib
import numpy as np

__all__ = ["all_folds_failed", "best_first", "fingerprint", "fold_test_scores"]


def fold_test_scores(results, metric):
    """Every row's ``split<k>_test_<metric>`` scores, shape ``(n_rows, n_splits)``."""
    suffix = f"_test_{metric}"
    columns = [
        np.asarray(results[k], dtype=float) for k in results
        if k.startswith("split") and k.endswith(suffix)
        and k[len("split"):-len(suffix)].isdigit()
    ]
    if not columns:
        return np.empty((len(results["params"]), 0))
    return np.column_stack(columns)


def all_folds_failed(results, metric, error_score, rows):
    """Rows whose every fold scored ``error_score`` (a number): failed fits."""
    rows = np.asarray(rows, dtype=int)
    if not isinstance(error_score, numbers.Real) or not np.isfinite(error_score):
        return np.zeros(len(rows), dtype=bool)
    scores = fold_test_scores(results, metric)[rows]
    if not scores.shape[1]:
        return np.zeros(len(rows), dtype=bool)
    return np.all(scores == error_score, axis=1)


def fingerprint(params):
    """A tie-breaker that depends on the configuration only, not on any order."""
    try:
        return joblib.hash(sorted(params.items()))
    except Exception:  # unpicklable values: their representation
        return repr(sorted((k, repr(v)) for k, v in params.items()))


def best_first(scores, failed, params):
    """Indices of the candidates that did not fail, best score first.

    Equal scores are ordered by a fingerprint of the configuration, so the
    choice never depends on the order in which candidates were listed.
    """
    ok = [i for i in range(len(scores)) if not failed[i]]
    return sorted(ok, key=lambda i: (-scores[i], fingerprint(params[i])))
