"""Stopping rules for skhyper's searches.

Pass them, or any callable, as the ``callbacks`` parameter of a search. After
every batch (``BayesSearchCV``) or rung (``SuccessiveHalvingSearchCV``), each
callback is called with a :class:`SearchProgress`; if any returns ``True`` the
search stops, keeps everything evaluated so far and still refits the best
configuration. ``BayesSearchCV`` also takes scikit-optimize's
``fit(X, y, callback=...)``, whose callbacks are handed scikit-optimize's
result object instead.

The rules below cover AWS SageMaker's tuning-job completion criteria: a
target value (:class:`TargetScoreStopper`), no improvement of more than a
relative tolerance over the last evaluations (:class:`NoImprovementStopper`
with ``rel_tol``) and convergence of the Bayesian model
(:class:`ConvergenceStopper`). They combine freely with each other, with
``max_time`` and with callables of your own; the first one that fires ends
the search, and the fitted search's ``stop_reason_`` says which one and why.

Examples
--------
>>> from skhyper.callbacks import DeadlineStopper, NoImprovementStopper
>>> stop_early = [DeadlineStopper(600), NoImprovementStopper(patience=20)]
>>> from skhyper.callbacks import ConvergenceStopper, TargetScoreStopper
>>> like_sagemaker = [TargetScoreStopper(0.98),
...                   NoImprovementStopper(patience=10, rel_tol=0.01),
...                   ConvergenceStopper()]

Any callable works too:

>>> def good_enough(progress):
...     return progress.best_score >= 0.99
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ConvergenceStopper",
    "DeadlineStopper",
    "NoImprovementStopper",
    "SearchProgress",
    "TargetScoreStopper",
]


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
    expected_improvement : ndarray of shape (n_evaluated,) or None
        For :class:`~skhyper.BayesSearchCV`, the improvement over the best
        score so far that the surrogate model expected from each evaluation
        when proposing it (score units); ``nan`` for configurations the model
        did not propose (the initial design). ``None`` for other searches.
    """

    n_evaluated: int
    elapsed: float
    last_batch_time: float
    scores: np.ndarray
    best_score: float
    best_params: dict
    cv_results: dict = field(repr=False)
    expected_improvement: np.ndarray = field(default=None, repr=False)


def stop_reason(stopper, progress):
    """``repr(stopper)``, followed by the stopper's own explanation if it has one."""
    message = getattr(stopper, "stop_message", None)
    if callable(message):
        return f"{stopper!r}: {message(progress)}"
    return repr(stopper)


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

    def stop_message(self, progress):
        return (
            f"{progress.elapsed:.1f} s elapsed and the next batch would end "
            f"after {self.total_time:g} s"
        )

    def __repr__(self):
        return f"DeadlineStopper(total_time={self.total_time!r})"


class NoImprovementStopper:
    """Stop when the best score has not improved for ``patience`` evaluations.

    An improvement counts only if it beats the best score before the last
    ``patience`` evaluations by more than ``tol + rel_tol * |best before|``.
    ``NoImprovementStopper(patience=10, rel_tol=0.01)`` is SageMaker's
    "best objective not improving" criterion: improvements under 1% count as
    none (SageMaker needs at least 3 evaluations of patience).

    Parameters
    ----------
    patience : int
        Number of evaluations without an improvement larger than the
        tolerance. At least 1.
    tol : float, default=0.0
        Minimal absolute improvement that counts, in score units.
    rel_tol : float, default=0.0
        Minimal improvement that counts, as a fraction of the absolute value
        of the best score before the last ``patience`` evaluations.

    Examples
    --------
    >>> from skhyper.callbacks import NoImprovementStopper, SearchProgress
    >>> stopper = NoImprovementStopper(patience=3, rel_tol=0.01)
    >>> def after(scores):
    ...     return SearchProgress(len(scores), 0.0, 0.0, scores, max(scores),
    ...                           None, {})
    >>> stopper(after([0.80, 0.90, 0.905, 0.906, 0.907]))  # +0.8% < 1%
    True
    >>> stopper(after([0.80, 0.90, 0.905, 0.906, 0.95]))   # +5.6%
    False
    """

    def __init__(self, patience, tol=0.0, rel_tol=0.0):
        if not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        _check_non_negative(tol, "tol")
        _check_non_negative(rel_tol, "rel_tol")
        self.patience = patience
        self.tol = tol
        self.rel_tol = rel_tol

    def _threshold(self, scores):
        best_before = np.nanmax(scores[: -self.patience], initial=-np.inf)
        return best_before + self.tol + self.rel_tol * abs(best_before)

    def __call__(self, progress):
        scores = np.asarray(progress.scores, dtype=float)
        if len(scores) <= self.patience or np.all(np.isnan(scores)):
            return False
        recent = scores[-self.patience :]
        return not np.any(recent > self._threshold(scores))

    def stop_message(self, progress):
        return (
            f"no improvement over {self._threshold(progress.scores):.6g} in the "
            f"last {self.patience} evaluations (best score "
            f"{progress.best_score:.6g})"
        )

    def __repr__(self):
        extra = f", rel_tol={self.rel_tol!r}" if self.rel_tol else ""
        return (
            f"NoImprovementStopper(patience={self.patience!r}, tol={self.tol!r}"
            f"{extra})"
        )


class TargetScoreStopper:
    """Stop as soon as the best score reaches ``target``.

    SageMaker's ``TargetObjectiveMetricValue``. The rule is checked after
    every batch (``BayesSearchCV``) or rung (halving searches): with
    ``n_points=1`` the search stops right after the first evaluation that
    reaches the target.

    Parameters
    ----------
    target : float
        Score to reach, in the units of the optimized metric and "greater is
        better" like every scikit-learn score (a loss ``neg_log_loss`` of at
        most 0.1 is ``target=-0.1``).

    Examples
    --------
    >>> from skhyper.callbacks import TargetScoreStopper
    >>> TargetScoreStopper(0.95)
    TargetScoreStopper(target=0.95)
    """

    def __init__(self, target):
        if not isinstance(target, numbers.Real) or isinstance(target, bool) or (
            not np.isfinite(target)
        ):
            raise ValueError(f"target must be a finite number, got {target!r}.")
        self.target = target

    def __call__(self, progress):
        return bool(np.isfinite(progress.best_score)) and (
            progress.best_score >= self.target
        )

    def stop_message(self, progress):
        scores = np.asarray(progress.scores, dtype=float)
        first = int(np.flatnonzero(np.nan_to_num(scores, nan=-np.inf) >= self.target)[0])
        return (
            f"best score {progress.best_score:.6g} reached the target at "
            f"evaluation {first + 1}"
        )

    def __repr__(self):
        return f"TargetScoreStopper(target={self.target!r})"


class ConvergenceStopper:
    """Stop when the Bayesian model expects nothing more from its proposals.

    SageMaker's "complete on convergence". After each proposal of
    :class:`~skhyper.BayesSearchCV`, the surrogate model's expected
    improvement over the best score so far is recorded (the
    ``expected_improvement`` of :class:`SearchProgress`). The search has converged
    when the last ``patience`` model-based proposals each expected less than
    ``rel_tol`` times the spread of the scores seen (largest minus smallest
    finite score; the absolute value of the best score if all are equal).

    Other searches (successive halving, Hyperband) record no expected
    improvement: there this rule never fires.

    Parameters
    ----------
    patience : int, default=5
        Consecutive negligible proposals needed. At least 1.
    rel_tol : float, default=1e-3
        What counts as negligible, as a fraction of the spread of the scores.

    Examples
    --------
    >>> from skhyper.callbacks import ConvergenceStopper
    >>> ConvergenceStopper(patience=5, rel_tol=1e-3)
    ConvergenceStopper(patience=5, rel_tol=0.001)
    """

    def __init__(self, patience=5, rel_tol=1e-3):
        if not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        _check_non_negative(rel_tol, "rel_tol")
        self.patience = patience
        self.rel_tol = rel_tol

    def _negligible(self, progress):
        scores = np.asarray(progress.scores, dtype=float)
        finite = scores[np.isfinite(scores)]
        if not len(finite):
            return np.inf
        spread = finite.max() - finite.min()
        if not spread > 0:
            spread = abs(finite.max())
        return self.rel_tol * spread

    def _recent(self, progress):
        ei = progress.expected_improvement
        if ei is None:
            return np.empty(0)
        ei = np.asarray(ei, dtype=float)
        return ei[~np.isnan(ei)][-self.patience :]

    def __call__(self, progress):
        recent = self._recent(progress)
        if len(recent) < self.patience:
            return False
        return bool(np.all(recent <= self._negligible(progress)))

    def stop_message(self, progress):
        return (
            f"the last {self.patience} proposals expected at most "
            f"{np.max(self._recent(progress)):.3g} of improvement "
            f"(negligible: <= {self._negligible(progress):.3g})"
        )

    def __repr__(self):
        return f"ConvergenceStopper(patience={self.patience!r}, rel_tol={self.rel_tol!r})"


def _check_non_negative(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not (
        value >= 0
    ):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    return value
