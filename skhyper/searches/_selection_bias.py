"""How much does ``best_score_`` flatter the configuration it selected?

The best of many cross-validated scores is biased upward: part of its lead is
the luck of the folds, and picking the maximum picks that luck too. Two
estimates of the bias, both from the per-split scores already in
``cv_results_`` (no refitting):

* ``"tibshirani"`` (Tibshirani & Tibshirani, 2009): on each split, how much
  the best configuration *for that split* beats the overall best there,
  averaged over the splits. Zero when one configuration wins every split.
* ``"bootstrap"``: the split-level form of the bootstrap bias-corrected CV of
  Tsamardinos, Greasidou & Borboudakis (2018, BBC-CV): resample the splits
  with replacement, select the best configuration on the resampled splits and
  score it on the splits left out; the mean of those out-of-sample scores is
  the corrected estimate.
"""

import numbers
import re
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from skhyper.searches._rescore import COLUMN as RESCORED

__all__ = ["SelectionBias", "SelectionBiasWarning", "selection_bias"]

METHODS = ("tibshirani", "bootstrap")
#: The best's lead over the runner-up is "inside the noise" below this many
#: standard errors of their paired per-split differences.
NOISE_SE = 2.0


class SelectionBiasWarning(UserWarning):
    """The best configuration's lead over the runner-up is within the CV noise.

    Emitted by a fitted search with ``verbose >= 1``; filter it with
    ``warnings.filterwarnings("ignore", category=SelectionBiasWarning)``.
    """


@dataclass
class SelectionBias:
    """An estimate of the selection bias of a search's best score.

    Attributes
    ----------
    best_score : float
        Mean CV score of the selected configuration (``best_score_``).
    bias : float
        Estimated optimism of ``best_score``, in score units (>= 0 for
        ``"tibshirani"``).
    corrected : float
        ``best_score - bias``: an estimate of the selected configuration's
        score on new data of the same kind.
    lead : float
        Mean CV score of the best configuration minus the runner-up's
        (``nan`` with a single candidate).
    lead_se : float
        Standard error of that lead from the paired per-split differences.
    within_noise : bool
        Whether ``lead < 2 * lead_se``: another configuration could as well
        be the best.
    method : str
        ``"tibshirani"`` or ``"bootstrap"``.
    n_candidates : int
        Configurations compared (rows with a finite score on every split and,
        for halving searches, the best's resource).
    n_splits : int
        CV splits.
    """

    best_score: float
    bias: float
    corrected: float
    lead: float
    lead_se: float
    within_noise: bool
    method: str
    n_candidates: int
    n_splits: int


def selection_bias(
    search, *, metric=None, method="tibshirani", n_bootstrap=1000, random_state=0
):
    """Estimate how much a search's best CV score flatters itself.

    Works on any fitted scikit-learn search (``GridSearchCV``,
    ``RandomizedSearchCV``, skhyper's searches) or on its ``cv_results_``.
    Only the per-split test scores are used: nothing is refitted.

    Parameters
    ----------
    search : fitted search or dict
        A search with ``cv_results_``, or a ``cv_results_`` dict.
    metric : str, default=None
        The metric, for multi-metric searches; ``None`` means the search's
        ``refit`` metric (``"score"`` for a single metric).
    method : {"tibshirani", "bootstrap"}, default="tibshirani"
        The Tibshirani & Tibshirani (2009) correction, or the bootstrap over
        splits of BBC-CV (Tsamardinos et al., 2018).
    n_bootstrap : int, default=1000
        Resamples of the splits for ``method="bootstrap"``.
    random_state : int, RandomState instance or None, default=0
        Seeds the bootstrap.

    Returns
    -------
    estimate : SelectionBias
        The bias, the corrected score and the best's lead over the runner-up.

    Raises
    ------
    ValueError
        If ``method`` is unknown or the results have no per-split scores.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper import selection_bias
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10, 100]}).fit(X, y)
    >>> estimate = selection_bias(grid)
    >>> estimate.corrected <= estimate.best_score
    True
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if not isinstance(n_bootstrap, numbers.Integral) or n_bootstrap < 1:
        raise ValueError(f"n_bootstrap must be an integer >= 1, got {n_bootstrap!r}.")
    results = search if isinstance(search, dict) else search.cv_results_
    metric = metric or _metric(search, results)
    scores = split_scores(results, metric)
    means = np.asarray(results[f"mean_test_{metric}"], dtype=float)
    best = _best_row(search, results, metric, means)
    rows = _comparable_rows(results, scores, best)
    S = scores[rows]
    b = int(np.flatnonzero(rows == best)[0])
    if method == "tibshirani":
        bias = float(np.mean(S.max(axis=0) - S[b]))
        corrected = float(S[b].mean()) - bias
    else:
        corrected = _bootstrap(S, n_bootstrap, check_random_state(random_state))
        bias = float(S[b].mean()) - corrected
    lead, lead_se = _lead(S, b)
    return SelectionBias(
        best_score=float(S[b].mean()),
        bias=bias,
        corrected=corrected,
        lead=lead,
        lead_se=lead_se,
        within_noise=bool(lead < NOISE_SE * lead_se),
        method=method,
        n_candidates=len(rows),
        n_splits=S.shape[1],
    )


def split_scores(results, metric="score"):
    """``split{k}_test_{metric}`` columns of ``cv_results_`` as one array.

    Returns
    -------
    scores : ndarray of shape (n_rows, n_splits)
    """
    pattern = re.compile(rf"split(\d+)_test_{re.escape(metric)}")
    keys = sorted(
        (k for k in results if pattern.fullmatch(k)),
        key=lambda k: int(pattern.fullmatch(k).group(1)),
    )
    if not keys:
        raise ValueError(
            f"cv_results_ has no per-split test scores for {metric!r} "
            "(split0_test_..., split1_test_..., ...)."
        )
    return np.column_stack([np.asarray(results[k], dtype=float) for k in keys])


def _metric(search, results):
    if "mean_test_score" in results:
        return "score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str):
        return refit
    return next(k[len("mean_test_"):] for k in results if k.startswith("mean_test_"))


def _best_row(search, results, metric, means):
    index = getattr(search, "best_index_", None)
    if isinstance(index, numbers.Integral):
        return int(index)
    ranks = np.asarray(results[f"rank_test_{metric}"])
    return int(np.argmin(ranks))


def _comparable_rows(results, scores, best):
    """Rows scored on every split (and at the best's resource, for halving)."""
    keep = np.all(np.isfinite(scores), axis=1)
    if RESCORED in results:  # re-scored rows are on other folds
        keep &= ~np.isfinite(np.asarray(results[RESCORED], dtype=float))
    if "n_resources" in results:
        resources = np.asarray(results["n_resources"])
        keep &= resources == resources[best]
    keep[best] = True
    return np.flatnonzero(keep)


def _bootstrap(S, n_bootstrap, rng):
    n_splits = S.shape[1]
    out = []
    for _ in range(n_bootstrap):
        inbag = rng.randint(n_splits, size=n_splits)
        oob = np.setdiff1d(np.arange(n_splits), inbag)
        if not len(oob):
            continue
        chosen = int(np.argmax(S[:, inbag].mean(axis=1)))
        out.append(S[chosen, oob].mean())
    return float(np.mean(out)) if out else float(S.mean(axis=1).max())


def _lead(S, b):
    if len(S) < 2:
        return np.nan, np.nan
    others = np.delete(np.arange(len(S)), b)
    runner_up = others[int(np.argmax(S[others].mean(axis=1)))]
    diff = S[b] - S[runner_up]
    se = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else np.nan
    return float(diff.mean()), se


def set_fitted_attributes(search):
    """``best_score_bias_`` and ``best_score_corrected_`` on a fitted search.

    Set only where ``best_score_`` is (not for a callable ``refit``). With
    ``verbose >= 1`` the estimate is printed and a
    :class:`SelectionBiasWarning` is emitted when the best configuration's
    lead over the runner-up is within the fold-to-fold noise.
    """
    if not hasattr(search, "best_score_") or callable(search.refit):
        return None
    try:
        estimate = selection_bias(search)
    except ValueError:  # no per-split scores (a cv with one split, say)
        return None
    search.best_score_bias_ = estimate.bias
    search.best_score_corrected_ = estimate.corrected
    if search.verbose > 0:
        name = type(search).__name__
        print(
            f"[{name}] best CV score {estimate.best_score:.4g}; selection bias "
            f"~{estimate.bias:.3g} (Tibshirani), corrected {estimate.corrected:.4g}",
            flush=True,
        )
        if estimate.within_noise:
            warnings.warn(
                f"The best configuration leads the runner-up by "
                f"{estimate.lead:.3g}, within the fold-to-fold noise "
                f"(2 x standard error {NOISE_SE * estimate.lead_se:.3g}): another "
                "configuration may be as good. best_score_corrected_ "
                f"({estimate.corrected:.4g}) is the more honest estimate.",
                SelectionBiasWarning,
                stacklevel=3,
            )
    return estimate
