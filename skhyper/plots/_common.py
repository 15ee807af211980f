"""What every display needs: matplotlib on demand, and the scores of a search."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skhyper._compat import search_history

_INSTALL_HINT = (
    "skhyper.plots needs matplotlib; install it with "
    "`pip install skhyper[plots]` (or `pip install matplotlib`)."
)


def import_pyplot():
    """``matplotlib.pyplot``, or an ImportError telling how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return plt


def axes_or_new(ax):
    """``(figure, ax)``: the given axes' figure, or a new figure with one axes."""
    if ax is None:
        _, ax = import_pyplot().subplots(layout="constrained")
    return ax.figure, ax


def check_search(search):
    """Raise if ``search`` is not a fitted scikit-learn search."""
    check_is_fitted(search, "cv_results_")


def scores(search):
    """``(metric, scores)``: the optimized metric's name and its mean CV scores.

    Scores are in evaluation order (the rows of ``cv_results_``); failed
    evaluations are ``nan``. The name is the scoring's (``"neg_log_loss"``,
    ...) when the search was given one by name, else ``"score"``.
    """
    check_search(search)
    results = search_history(search)
    metric = _optimized_metric(search.refit, results)
    values = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    return _metric_name(search, metric), values


def _metric_name(search, metric):
    """The name a reader knows the optimized metric by."""
    scoring = getattr(search, "scoring", None)
    if metric == "score" and isinstance(scoring, str):
        return scoring
    return metric


def score_label(metric):
    """Axis label of a mean CV score, e.g. ``"mean CV neg_log_loss"``."""
    return f"mean CV {metric}"


def resource_name(search):
    """The search's resource (``"n_samples"``, ``"n_estimators"``, ...)."""
    resource = getattr(search, "resource_", getattr(search, "resource", "n_samples"))
    return resource if isinstance(resource, str) and resource != "auto" else "n_samples"


def configuration_ids(params, ignore=()):
    """The same integer for equal configurations, ignoring the ``ignore`` keys.

    The resource of a halving search that is an estimator parameter
    (``n_estimators``, ...) is in every row's ``params`` with the rung's
    value; a candidate is the same across rungs without it.
    """
    ids = {}
    return np.array(
        [
            ids.setdefault(
                repr(sorted((k, v) for k, v in p.items() if k not in ignore)),
                len(ids),
            )
            for p in params
        ],
        dtype=int,
    )


def _optimized_metric(refit, results):
    """The single metric, else the one ``refit`` names, else the first."""
    if "mean_test_score" in results:
        return "score"
    if isinstance(refit, str):
        return refit
    return next(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))


def running_best(values):
    """Best value so far at each position; ``nan`` until the first finite one."""
    values = np.where(np.isfinite(values), values, -np.inf)
    best = np.maximum.accumulate(values) if len(values) else values
    return np.where(np.isfinite(best), best, np.nan)


def resources(search):
    """Share of the full resource each evaluation used, or ``None`` if all did.

    Successive-halving searches record each evaluation's resource in the
    ``n_resources`` column of ``cv_results_``.
    """
    results = search_history(search)
    if "n_resources" not in results:
        return None
    used = np.asarray(results["n_resources"], dtype=float)
    full = getattr(search, "max_resources_", None) or used.max()
    return used / float(full)


def folds_run(search):
    """Share of its CV folds each evaluation ran, or ``None`` if all ran.

    A search with ``fold_stopping`` records them in ``n_folds_run``.
    """
    results = search_history(search)
    if "n_folds_run" not in results:
        return None
    folds = np.asarray(results["n_folds_run"], dtype=float)
    n_splits = getattr(search, "n_splits_", None) or np.nanmax(folds)
    return np.nan_to_num(folds, nan=n_splits) / float(n_splits)


def best_at_top_fidelity(values, shares):
    """Best value so far among the evaluations at the largest resource so far.

    Scores on a small share of the data are noisy and not comparable to
    scores on all of it, so a new, larger rung restarts the running best.
    """
    if shares is None:
        return running_best(values)
    best = np.full(len(values), np.nan)
    top, current = -np.inf, np.nan
    for i, (value, share) in enumerate(zip(values, shares)):
        if share > top:
            top, current = share, np.nan
        if share == top and np.isfinite(value) and not value <= current:
            current = value
        best[i] = current
    return best


def label(value):
    """Short tick label: estimators by class name, everything else by str."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return type(value).__name__
    return str(value)


def search_name(search):
    return type(search).__name__
