"""What every skhyper search shares, on top of scikit-learn's ``BaseSearchCV``.

A search subclass implements ``_search(space, evaluator, rng)``: it proposes
configurations and hands them to the :class:`Evaluator`, which runs them through
scikit-learn's ``evaluate_candidates`` on frozen CV splits, records them,
reports progress and applies the stopping rules. Fitting, scoring, refit,
``cv_results_`` and joblib parallelism stay scikit-learn's own.
"""

import numbers
import time
from abc import abstractmethod
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from skhyper import _compat, _results
from skhyper._splits import FrozenSplits
from skhyper.callbacks import DeadlineStopper, SearchProgress
from skhyper.space import Space

_SPACE_ALIASES = ("search_spaces", "param_grid", "param_distributions")


@dataclass
class Evaluation:
    """One evaluated configuration, as the proposers see it."""

    params: dict
    score: float  # mean CV score of the optimized metric; nan if it failed
    score_std: float  # fold-to-fold standard deviation of that score
    n_splits: int
    index: int  # row in cv_results_


class Evaluator:
    """Runs batches of candidates for a search and keeps track of the results.

    Parameters
    ----------
    search : BaseModelSearchCV
        The search being fitted.
    evaluate_candidates : callable
        scikit-learn's callback given to ``_run_search``.
    callback_ctx : CallbackContext or None
        scikit-learn's callback context (``None`` on releases without one).
    total : int or None
        Expected number of evaluations, for progress and time estimates.
    """

    def __init__(self, search, evaluate_candidates, callback_ctx, total=None):
        self.search = search
        self.total = total
        self.cv = FrozenSplits(search._checked_cv_orig)
        self.results = None
        self.evaluations = []
        self.first_error = None
        self._order = []  # ("fit" | "failed", _) per evaluation, in order
        self._failed = []  # (params, more_results row) of failed batches
        self.n_batches = 0
        self.stop_reason = None
        self._evaluate_candidates = evaluate_candidates
        self._task = _compat.open_task(callback_ctx, search, "search", None)
        self._metric = None
        self._start = time.perf_counter()
        self._last_batch_time = 0.0
        self._stoppers = _stoppers(search)

    @property
    def elapsed(self):
        return time.perf_counter() - self._start

    @property
    def n_evaluated(self):
        return len(self.evaluations)

    def evaluate(self, candidates, *, cv=None, more_results=None):
        """Fit and score ``candidates`` on every split; return their evaluations.

        Parameters
        ----------
        candidates : list of dict
            Parameter settings.
        cv : splitter, default=None
            Splits to use instead of the frozen ones (e.g. subsampled for a
            halving rung). Must yield the same folds on every call.
        more_results : dict of list, default=None
            Extra ``cv_results_`` columns for these candidates; a search must
            pass the same keys on every call.
        """
        candidates = list(candidates)
        if not candidates:
            return []
        started = time.perf_counter()
        n_fits = len(candidates) * self.search.n_splits_
        batch_task = _compat.open_task(
            self._task, self.search, "batch", n_fits, sequential=False
        )
        try:
            self.results = _compat.evaluate(
                self._evaluate_candidates,
                candidates,
                cv=cv or self.cv,
                more_results=more_results,
                callback_ctx=batch_task,
            )
            self._order.extend(("fit", None) for _ in candidates)
        except ValueError as exc:
            if not _compat.is_all_fits_failed_error(exc):
                raise
            self._keep_failed_batch(candidates, more_results, exc)
        finally:
            _compat.close_task(batch_task, self.search)
        self._last_batch_time = time.perf_counter() - started
        self.n_batches += 1
        new = self._record(candidates)
        self._report()
        return new

    def _keep_failed_batch(self, candidates, more_results, exc):
        """scikit-learn raises when a whole batch fails; keep its rows anyway."""
        if self.first_error is None:
            self.first_error = str(exc)
        self._failed.extend(
            (params, {k: v[i] for k, v in (more_results or {}).items()})
            for i, params in enumerate(candidates)
        )
        self._order.extend(("failed", None) for _ in candidates)
        if self.results is not None:
            self.results = self.merge(self._fitted_part(self.results))

    def _fitted_part(self, results):
        rows = [i for i, (kind, _) in enumerate(self._order[: _results.n_rows(results)])
                if kind == "fit"]
        return _results.take_rows(results, rows)

    def merge(self, fitted):
        """Insert the rows of failed batches into scikit-learn's ``fitted`` results.

        ``fitted`` holds, in order, every candidate scikit-learn fitted; the
        failed ones go back to where they were evaluated.
        """
        if not self._failed:
            return fitted
        n_fitted = _results.n_rows(fitted)
        failed = _results.failed_results(
            fitted,
            [params for params, _ in self._failed],
            self.search.error_score,
            _columns([extra for _, extra in self._failed]),
        )
        joined = _results.concat_results([fitted, failed])
        order, next_fit, next_failed = [], 0, n_fitted
        for kind, _ in self._order:
            if kind == "fit":
                order.append(next_fit)
                next_fit += 1
            else:
                order.append(next_failed)
                next_failed += 1
        # Candidates scikit-learn has just fitted are not in _order yet.
        order.extend(range(next_fit, n_fitted))
        return _results.rank(_results.take_rows(joined, order))

    def _record(self, candidates):
        start = self.n_evaluated
        if self.results is None:  # nothing has succeeded yet
            score = _failed_score(self.search.error_score)
            scores, stds = [score] * len(candidates), [np.nan] * len(candidates)
        else:
            rows = range(start, start + len(candidates))
            scores = self.results[f"mean_test_{self.metric}"][rows]
            stds = self.results[f"std_test_{self.metric}"][rows]
        new = [
            Evaluation(
                params=params,
                score=float(score),
                score_std=float(std),
                n_splits=self.search.n_splits_,
                index=start + i,
            )
            for i, (params, score, std) in enumerate(zip(candidates, scores, stds))
        ]
        self.evaluations.extend(new)
        return new

    @property
    def metric(self):
        """Name of the metric the search optimizes (``"score"`` if single)."""
        if self._metric is None and self.results is not None:
            self._metric = optimized_metric(self.search.refit, self.results)
        return self._metric

    @property
    def scores(self):
        return np.array([e.score for e in self.evaluations], dtype=float)

    def progress(self):
        """A :class:`~skhyper.callbacks.SearchProgress` snapshot for callbacks."""
        scores = self.scores
        finite = np.isfinite(scores)
        best = int(np.argmax(np.where(finite, scores, -np.inf))) if finite.any() else None
        return SearchProgress(
            n_evaluated=self.n_evaluated,
            elapsed=self.elapsed,
            last_batch_time=self._last_batch_time,
            scores=scores,
            best_score=float(scores[best]) if best is not None else np.nan,
            best_params=self.evaluations[best].params if best is not None else None,
            cv_results=self.results,
        )

    def should_stop(self):
        """Whether a stopping rule asks to end the search before the next batch."""
        if self.stop_reason is not None:
            return True
        if not self.evaluations:
            return False
        progress = self.progress()
        for stopper in self._stoppers:
            if stopper(progress):
                self.stop_reason = repr(stopper)
                if self.search.verbose > 0:
                    print(f"[{type(self.search).__name__}] stopped by {stopper!r}")
                return True
        return False

    def _report(self):
        if self.search.verbose <= 0:
            return
        progress = self.progress()
        line = (
            f"[{type(self.search).__name__}] batch {self.n_batches}: "
            f"{progress.n_evaluated}"
            + (f"/{self.total}" if self.total else "")
            + f" evaluated, best {self.metric} {progress.best_score:.4g}, "
            f"{progress.elapsed:.1f} s elapsed"
        )
        if self.total and self.n_evaluated < self.total:
            left = progress.elapsed / self.n_evaluated * (self.total - self.n_evaluated)
            line += f", ~{left:.0f} s left"
        print(line, flush=True)

    def close(self):
        _compat.close_task(self._task, self.search)


def _failed_score(error_score):
    return float(error_score) if error_score != "raise" else np.nan


def _columns(rows):
    """[{key: value}, ...] -> {key: [values]}."""
    return {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}


def optimized_metric(refit, results):
    """The metric a search optimizes: the single one, else ``refit``'s, else the first."""
    if "mean_test_score" in results:
        return "score"
    if isinstance(refit, str):
        return refit
    return next(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))


def _stoppers(search):
    callbacks = search.callbacks
    if callbacks is None:
        callbacks = []
    elif callable(callbacks):
        callbacks = [callbacks]
    stoppers = list(callbacks)
    if search.max_time is not None:
        stoppers.append(DeadlineStopper(search.max_time))
    return stoppers


class BaseModelSearchCV(BaseSearchCV):
    """Base class of skhyper's searches; not for direct use.

    Subclasses implement ``_search(space, evaluator, rng)`` and may add checks
    in ``_check_search_params(space)``. Both run inside ``fit`` before any
    estimator is fitted.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list, Space, None],
        "param_grid": [dict, list, None],
        "param_distributions": [dict, list, None],
        "random_state": ["random_state"],
        "max_time": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "callbacks": [callable, list, None],
    }

    @abstractmethod
    def __init__(self, estimator, **kwargs):
        super().__init__(estimator, **kwargs)

    def fit(self, X, y=None, **params):
        """Run the search, then refit the best configuration on all of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; ``None`` for unsupervised learning.
        **params : dict
            Parameters routed to the estimator's ``fit``, the scorer and the CV
            splitter (``groups``, ``sample_weight``, ...) as in scikit-learn's
            searches.

        Returns
        -------
        self : object
            The fitted search.

        Notes
        -----
        On ``KeyboardInterrupt`` the search keeps ``cv_results_`` and the
        ``best_*`` attributes of every evaluation that finished, then re-raises.
        """
        self._evaluator = None
        try:
            super().fit(X, y, **params)
            self._add_trailing_failures()
        except KeyboardInterrupt:
            self._keep_finished_results()
            raise
        finally:
            evaluator = self.__dict__.pop("_evaluator", None)
        self.stop_reason_ = evaluator.stop_reason
        return self

    def _add_trailing_failures(self):
        """Rows of a last batch that failed whole reach cv_results_ here.

        They come after every fitted row and score worst, so ``best_*`` stay.
        """
        results = self._evaluator.results
        if _results.n_rows(results) > _results.n_rows(self.cv_results_):
            self.cv_results_ = results

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        results = super()._format_results(candidate_params, n_splits, out, more_results)
        evaluator = getattr(self, "_evaluator", None)
        return results if evaluator is None else evaluator.merge(results)

    def _keep_finished_results(self):
        evaluator = getattr(self, "_evaluator", None)
        if evaluator is None or evaluator.results is None:
            return
        results = evaluator.results
        self.cv_results_ = results
        self.multimetric_ = "mean_test_score" not in results
        if callable(self.refit):
            self.best_index_ = self.refit(results)
        else:
            metric = evaluator.metric
            self.best_index_ = int(np.argmin(results[f"rank_test_{metric}"]))
            self.best_score_ = results[f"mean_test_{metric}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]

    def _space_spec(self):
        given = [
            (name, getattr(self, name))
            for name in _SPACE_ALIASES
            if getattr(self, name, None) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "Give the search space in exactly one of search_spaces, param_grid "
                f"or param_distributions; got {[n for n, _ in given] or 'none'}."
            )
        return given[0][1]

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        space = Space(self._space_spec())
        space.check_estimator_params(self.estimator)
        self._check_search_params(space)
        evaluator = Evaluator(
            self, evaluate_candidates, callback_ctx, total=self._budget(space)
        )
        self._evaluator = evaluator
        self._search(space, evaluator, check_random_state(self.random_state))
        evaluator.close()
        if not evaluator.evaluations:
            raise ValueError("The search evaluated no candidate.")
        if evaluator.results is None:
            raise ValueError(
                f"All {evaluator.n_evaluated} evaluated configurations failed; "
                f"the first failure was:\n{evaluator.first_error}"
            )

    def _check_search_params(self, space):
        """Checks a subclass adds to ``_parameter_constraints``, before any fit."""

    def _budget(self, space):
        """Expected number of evaluations, for progress lines (None if unknown)."""
        return None

    @abstractmethod
    def _search(self, space, evaluator, rng):
        """Propose candidates and evaluate them until done or stopped."""
