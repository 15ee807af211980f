"""Stopping rules for skhyper's searches.

Pass them, or any callable, as the ``callbacks`` parameter of a search. After
every batch (``BayesSearchCV``) or rung (``SuccessiveHalvingSearchCV``), each
callback is called with a :class:`SearchProgress`; if any returns ``True`` the
search stops, keeps everything evaluated so far and still refits the best
configuration. This is the equivalent of scikit-optimize's
``fit(X, y, callback=...)``.

Examples
--------
>>> from skhyper.callbacks import DeadlineStopper, NoImprovementStopper
>>> stop_early = [DeadlineStopper(600), NoImprovementStopper(patience=20)]

Any callable works too:

>>> def good_enough(progress):
...     return progress.best_score >= 0.99
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DeadlineStopper", "NoImprovementStopper", "SearchProgress"]


@dataclass
class SearchProgress:
    """What a callback sees after each batch of evaluations.

    Attributes
    ----------
    n_evaluated : int
        Configurations evaluated so far (rows of ``cv_results``).
    elapsed : float
        Seconds since the search started.
    last_batch_time : float
        Seconds the last batch took, a forecast of the next one.
    scores : ndarray of shape (n_evaluated,)
        Mean CV score of the optimized metric for each evaluation, in
        evaluation order; failed fits are ``nan`` (or ``error_score``).
    best_score : float
        Best score so far (``nan`` if every evaluation failed).
    best_params : dict or None
        The configuration that reached ``best_score``.
    cv_results : dict
        Results so far, in the format of ``cv_results_``.
    """

    n_evaluated: int
    elapsed: float
    last_batch_time: float
    scores: np.ndarray
    best_score: float
    best_params: dict
    cv_results: dict = field(repr=False)


def _check_positive(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return value


class DeadlineStopper:
    """Stop before a batch that would end after ``total_time`` seconds.

    The next batch is forecast to take as long as the last one, so the search
    ends within one batch of the deadline and does not overshoot it.

    Parameters
    ----------
    total_time : float
        Wall-clock budget of the search in seconds (refit not included).
    """

    def __init__(self, total_time):
        self.total_time = _check_positive(total_time, "total_time")

    def __call__(self, progress):
        return progress.elapsed + progress.last_batch_time > self.total_time

    def __repr__(self):
        return f"DeadlineStopper(total_time={self.total_time!r})"


class NoImprovementStopper:
    """Stop when the best score has not improved for ``patience`` evaluations.

    Parameters
    ----------
    patience : int
        Number of evaluations without an improvement larger than ``tol``.
    tol : float, default=0.0
        Minimal improvement that counts.
    """

    def __init__(self, patience, tol=0.0):
        if not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        if not isinstance(tol, numbers.Real) or tol < 0:
            raise ValueError(f"tol must be a non-negative number, got {tol!r}.")
        self.patience = patience
        self.tol = tol

    def __call__(self, progress):
        scores = np.asarray(progress.scores, dtype=float)
        if len(scores) <= self.patience or np.all(np.isnan(scores)):
            return False
        best_before = np.nanmax(scores[: -self.patience], initial=-np.inf)
        recent = scores[-self.patience :]
        return not np.any(recent > best_before + self.tol)

    def __repr__(self):
        return f"NoImprovementStopper(patience={self.patience!r}, tol={self.tol!r})"
