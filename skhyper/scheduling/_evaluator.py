"""The one door through which every search's candidates are evaluated.

The :class:`Evaluator` runs batches through scikit-learn's
``evaluate_candidates`` on frozen CV splits and keeps the single, ordered
record of results: evaluations restored from a checkpoint or an earlier search
come first, then every batch in the order it ran, including batches whose fits
all failed (which scikit-learn raises for instead of returning). It also
saves checkpoints, reports progress and applies the stopping rules.
"""

import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import FitFailedWarning

from skhyper import _compat
from skhyper.scheduling import _results
from skhyper.scheduling._splits import FrozenSplits
from skhyper.callbacks import DeadlineStopper, SearchProgress, stop_reason


@dataclass
class Evaluation:
    """One evaluated configuration, as the proposers see it."""

    params: dict
    score: float  # mean CV score of the optimized metric; nan if it failed
    index: int  # row in cv_results_; None for scores given by the user
    extra: tuple = ()  # values of the search's own cv_results_ columns


class Evaluator:
    """Runs batches of candidates for a search and keeps track of the results.

    Parameters
    ----------
    search : BaseModelSearchCV
        The search being fitted.
    cv : cross-validation splitter
        The search's checked splitter; its folds are frozen at the first batch.
    evaluate_candidates : callable
        scikit-learn's callback given to ``_run_search``.
    callback_ctx : CallbackContext or None
        scikit-learn's callback context (``None`` on releases without one).
    total : int or None
        Expected number of evaluations, for progress and time estimates.
    prior : Prior or None
        Results from a checkpoint or an earlier search.
    saver : callable or None
        ``saver(splits, results)`` writes a checkpoint after every batch.
    one_call : bool, default=False
        Whether the search evaluates everything in one batch. Then, as in
        ``GridSearchCV``, every fit is a direct sub-task of the callbacks'
        "search" task; otherwise each batch is a sub-task of its own, as a
        rung is in scikit-learn's halving searches.
    """

    def __init__(
        self, search, cv, evaluate_candidates, callback_ctx, total=None, prior=None,
        saver=None, one_call=False,
    ):
        self.search = search
        self.total = total
        self.cv = FrozenSplits(cv)
        self.results = None
        self.evaluations = []
        self.first_error = None
        self.n_batches = 0
        self.stop_reason = None
        #: Kinds of warnings already given in this fit (see ``_format_results``).
        self.warned = set()
        self._evaluate_candidates = evaluate_candidates
        self._callback_ctx = callback_ctx
        self._one_call = one_call
        # One call: the search task opens with the call, when its size is known.
        self._task = None if one_call else _compat.open_task(
            callback_ctx, search, "search", None
        )
        self._metric = None
        self._start = time.perf_counter()
        self._last_batch_time = 0.0
        self._reported_best = None
        self._stoppers = _stoppers(search)
        self._saver = saver
        self._order = []  # "fit" | "failed" | "sentinel" per batch row, in order
        self._failed = []  # (params, extra-columns row) of failed batches
        self._n_sklearn_calls = 0
        self._n_sklearn_fitted = 0  # evaluate_candidates calls that returned
        self._before_merge = None
        self._prior_results = None
        self._prior_key = None
        self._extra_keys = ()
        self._own_keys = ()  # the search's columns of rows fitted outside scikit-learn
        self._replay = {}
        self._expected_improvement = {}  # row -> the model's EI when proposed
        self.prior = []
        #: The rows scikit-learn's calls formatted so far (``_format_results``).
        self.formatted = _results.IncrementalFormat()
        #: Whether the restored rows are this search's own checkpoint, which a
        #: deterministic search can replay (same seed) rather than be told.
        self.resumed = prior is not None and prior.seed is not None
        if prior is not None:
            self._restore(prior)

    # -- restoring earlier work ----------------------------------------------

    def _restore(self, prior):
        if prior.splits is not None:
            self.cv.splits_ = prior.splits
        self.prior = list(prior.told)
        if prior.results is None or _results.n_rows(prior.results) == 0:
            return
        self._prior_results = prior.results
        self.results = prior.results
        self._metric = optimized_metric(self.search.refit, prior.results)
        extra_keys = prior.extra_keys
        for i, params in enumerate(prior.results["params"]):
            extra = tuple(_plain(prior.results[k][i]) for k in extra_keys)
            evaluation = self._evaluation(params, i, extra)
            self.evaluations.append(evaluation)
            self._replay.setdefault(prior.key(params, extra), evaluation)
            if prior.in_space(params):
                self.prior.append(evaluation)
        self._prior_key = prior.key
        self._extra_keys = extra_keys

    def _evaluation(self, params, row, extra=()):
        metric = self.metric
        return Evaluation(
            params=params,
            score=float(self.results[f"mean_test_{metric}"][row]),
            index=row,
            extra=extra,
        )

    def _replayed(self, params, more_results, i):
        if not self._replay:
            return None
        extra = tuple(_plain(more_results[k][i]) for k in self._extra_keys) if (
            more_results
        ) else ()
        try:
            return self._replay.pop(self._prior_key(params, extra), None)
        except (ValueError, TypeError):
            return None

    # -- evaluating ------------------------------------------------------------

    @property
    def callback_task(self):
        """The search's scikit-learn callback task (``None`` without callbacks)."""
        return self._task

    @property
    def elapsed(self):
        return time.perf_counter() - self._start

    @property
    def n_splits(self):
        """Number of CV splits (scikit-learn's ``n_splits_`` once fitting began)."""
        if self.cv.splits_ is not None:
            return len(self.cv.splits_)
        return getattr(self.search, "n_splits_", None)

    @property
    def n_evaluated(self):
        """Rows of ``cv_results_`` so far (restored ones included)."""
        return len(self.evaluations)

    def evaluate(self, candidates, *, cv=None, more_results=None):
        """Fit and score ``candidates`` on every split; return their evaluations.

        Candidates already evaluated in a restored checkpoint (same
        configuration and same extra columns) are not fitted again: their
        stored evaluation is returned.

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

        Returns
        -------
        evaluations : list of Evaluation
            One per candidate, in order.
        """
        candidates = list(candidates)
        out = [self._replayed(c, more_results, i) for i, c in enumerate(candidates)]
        new = [i for i, e in enumerate(out) if e is None]
        if new:
            fresh = self._run_batch(
                [candidates[i] for i in new],
                cv,
                {k: [v[i] for i in new] for k, v in (more_results or {}).items()},
            )
            for i, evaluation in zip(new, fresh):
                out[i] = evaluation
        return out

    def _run_batch(self, candidates, cv, more_results, kind="fit"):
        started = time.perf_counter()
        batch_task = self._open_batch_task(len(candidates) * (self.n_splits or 1))
        self._order.extend(kind for _ in candidates)
        try:
            self._n_sklearn_calls += 1
            with _batch_lines_only(self.search):
                self.results = _compat.evaluate(
                    self._evaluate_candidates,
                    candidates,
                    cv=cv or self.cv,
                    more_results=more_results or None,
                    callback_ctx=batch_task,
                )
            self._n_sklearn_fitted += 1
        except ValueError as exc:
            if not _compat.is_all_fits_failed_error(exc):
                raise
            self._keep_failed_batch(
                candidates, more_results, exc, time.perf_counter() - started
            )
        finally:
            if batch_task is not self._task:
                _compat.close_task(batch_task, self.search)
        self._last_batch_time = time.perf_counter() - started
        if kind == "sentinel":
            return []
        self.n_batches += 1
        new = self._record(candidates, more_results)
        self._save()
        self._report()
        return new

    def _open_batch_task(self, n_fits):
        """The callback context of one ``evaluate_candidates`` call."""
        if self._one_call and self._task is None:
            self._task = _compat.open_task(
                self._callback_ctx, self.search, "search", n_fits, sequential=False
            )
            return self._task
        return _compat.open_task(
            self._task, self.search, "batch", n_fits, sequential=False
        )

    def _keep_failed_batch(self, candidates, more_results, exc, elapsed):
        """scikit-learn raises when a whole batch fails; keep its rows anyway.

        Its fits had no score time; each is given an even share of the batch's
        wall time as its fit time. Like scikit-learn when some fits of a call
        fail, warn with :class:`~sklearn.exceptions.FitFailedWarning`.
        """
        self._run_before_merge()
        if self.first_error is None:
            self.first_error = str(exc)
        n_fits = len(candidates) * (self.n_splits or 1)
        times = {"mean_fit_time": elapsed / n_fits, "std_fit_time": 0.0,
                 "mean_score_time": 0.0, "std_score_time": 0.0}
        self._order[-len(candidates) :] = ["failed"] * len(candidates)
        self._failed.extend(
            (params, {**{k: v[i] for k, v in more_results.items()}, **times})
            for i, params in enumerate(candidates)
        )
        _warn_fits_failed(exc, n_fits, self.search.error_score)
        kind = (UserWarning, "One or more of the test scores are non-finite")
        if not np.isfinite(_failed_score(self.search.error_score)) and (
            kind not in self.warned
        ):
            # scikit-learn, which never sees these rows, would warn for them.
            self.warned.add(kind)
            warnings.warn(f"{kind[1]}: rows of failed fits.", UserWarning, stacklevel=2)
        if self.results is not None:
            self.results = self.merge(self._fitted_part(self.results))

    def _fitted_part(self, results):
        """scikit-learn's own rows, out of merged ``results``."""
        n_prior = _n_rows(self._prior_results)
        rows = [n_prior + i for i, kind in enumerate(self._visible_order()) if
                kind == "fit" and n_prior + i < _results.n_rows(results)]
        return _results.take_rows(results, rows)

    def _visible_order(self):
        return [kind for kind in self._order if kind != "sentinel"]

    def merge(self, fitted):
        """Restored rows first, then every batch in the order it ran.

        ``fitted`` holds, in order, every candidate scikit-learn fitted; rows
        of failed batches go back where they were evaluated, and the sentinel
        evaluation of a fully restored search is dropped.
        """
        self._run_before_merge()
        if self._prior_results is None and not self._failed and (
            "sentinel" not in self._order
        ):
            return fitted
        parts = [fitted]
        if self._failed:
            parts.append(
                _results.failed_results(
                    fitted,
                    [params for params, _ in self._failed],
                    self.search.error_score,
                    _columns([extra for _, extra in self._failed]),
                )
            )
        n_prior = _n_rows(self._prior_results)
        if n_prior:
            parts.insert(0, _results.align(self._prior_results, fitted))
        joined = _results.concat_results(parts)
        order = list(range(n_prior))
        next_fit, next_failed = n_prior, n_prior + _results.n_rows(fitted)
        for kind in self._order:
            if kind == "failed":
                order.append(next_failed)
                next_failed += 1
            else:
                if kind == "fit":
                    order.append(next_fit)
                next_fit += 1
        return _results.rank(_results.take_rows(joined, order))

    def _record(self, candidates, more_results):
        start = self.n_evaluated
        keys = list(more_results or {})
        new = []
        for i, params in enumerate(candidates):
            extra = tuple(_plain(more_results[k][i]) for k in keys)
            if self.results is None:  # nothing has succeeded yet
                score = _failed_score(self.search.error_score)
                new.append(Evaluation(params, score, start + i, extra))
            else:
                new.append(self._evaluation(params, start + i, extra))
        self.evaluations.extend(new)
        return new

    def _save(self):
        if self._saver is not None and self.results is not None:
            self._saver(self.cv.splits_, self.results)

    @property
    def metric(self):
        """Name of the metric the search optimizes (``"score"`` if single)."""
        if self._metric is None and self.results is not None:
            self._metric = optimized_metric(self.search.refit, self.results)
        return self._metric

    @property
    def scores(self):
        return np.array([e.score for e in self.evaluations], dtype=float)

    def best(self):
        """The best evaluation so far, or ``None`` if none succeeded."""
        scores = self.scores
        finite = np.isfinite(scores)
        if not finite.any():
            return None
        return self.evaluations[int(np.argmax(np.where(finite, scores, -np.inf)))]

    # -- progress and stopping -------------------------------------------------

    def note_expected_improvement(self, evaluations, values):
        """Record the model's expected improvement of each evaluation (Bayes)."""
        for evaluation, value in zip(evaluations, values):
            if evaluation.index is not None:
                self._expected_improvement[evaluation.index] = float(value)

    def progress(self):
        """A :class:`~skhyper.callbacks.SearchProgress` snapshot for callbacks."""
        best = self.best()
        return SearchProgress(
            n_evaluated=self.n_evaluated,
            elapsed=self.elapsed,
            last_batch_time=self._last_batch_time,
            scores=self.scores,
            best_score=best.score if best is not None else np.nan,
            best_params=best.params if best is not None else None,
            cv_results=self.results,
            expected_improvement=np.array(
                [self._expected_improvement.get(i, np.nan)
                 for i in range(self.n_evaluated)]
            ) if self._expected_improvement else None,
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
                self.stop_reason = stop_reason(stopper, progress)
                if self.search.verbose > 0:
                    print(f"[{type(self.search).__name__}] stopped by {self.stop_reason}")
                return True
        return False

    def _report(self):
        """A progress line: at ``verbose=1`` only when the best score improved
        (scikit-learn's searches print one line per call, not per batch), from
        ``verbose=2`` after every batch."""
        verbose = self.search.verbose
        if verbose <= 0:
            return
        best = self.best()
        improved = best is not None and (
            self._reported_best is None or best.score > self._reported_best
        )
        if improved:
            self._reported_best = best.score
        elif verbose == 1:
            return
        progress = self.progress()
        line = (
            f"[{type(self.search).__name__}] batch {self.n_batches}: "
            f"{progress.n_evaluated}"
            + (f"/{self.total}" if self.total else "")
            + f" evaluated, best {self.metric} {progress.best_score:.4g}, "
            f"{progress.elapsed:.1f} s elapsed"
        )
        if self.total and self._order and self.n_evaluated < self.total:
            per_evaluation = progress.elapsed / len(self._order)
            left = per_evaluation * (self.total - self.n_evaluated)
            line += f", ~{left:.0f} s left"
        print(line, flush=True)

    def close(self):
        """End the search task; re-score one restored candidate if nothing ran.

        scikit-learn's ``fit`` needs at least one evaluation of its own to set
        up ``multimetric_`` and the refit. When a checkpoint already holds the
        whole search, the best stored configuration is evaluated once more and
        that duplicate row is dropped from ``cv_results_``.
        """
        if self._n_sklearn_fitted == 0 and self._prior_results is not None:
            best = self.best() or self.evaluations[0]
            keys = dict.fromkeys((*self._extra_keys, *self._own_keys))
            extra = {
                k: [_plain(self.results[k][best.index])] for k in keys if k in self.results
            }
            self._run_batch([best.params], None, extra, kind="sentinel")
        _compat.close_task(self._task, self.search)
        self._summary()

    def _summary(self):
        """The last progress line, from ``verbose=1``."""
        if self.search.verbose <= 0 or not self.evaluations:
            return
        best = self.best()
        line = (
            f"[{type(self.search).__name__}] done: {self.n_evaluated} evaluated in "
            f"{self.n_batches} batches, {self.elapsed:.1f} s"
        )
        if best is not None:
            line += f", best {self.metric} {best.score:.4g}"
        if self.stop_reason is not None:
            line += f", stopped by {self.stop_reason}"
        print(line, flush=True)

    # -- evaluations run outside evaluate_candidates (skhyper.scheduling._streaming) ----------

    def add_finished(self, rows, duration, extra_keys=()):
        """Record a configuration whose fold fits ran outside scikit-learn.

        Its rows join the restored ones, before anything scikit-learn fitted,
        and are checkpointed and reported at once.

        Parameters
        ----------
        rows : dict
            Its ``cv_results_`` row, formatted as scikit-learn does.
        duration : float
            Seconds from its dispatch to its end (``last_batch_time`` of the
            progress the stopping rules see).
        extra_keys : tuple of str, default=()
            The search's own columns in ``rows``; a re-evaluation that ends
            the search (see :meth:`close`) gets them too, so that they stay
            in ``cv_results_``.
        """
        self._own_keys = tuple(extra_keys)
        n_prior = _n_rows(self._prior_results)
        fitted = None
        if self.results is not None and _results.n_rows(self.results) > n_prior:
            fitted = self._fitted_part(self.results)
        if self._prior_results is None:
            self._prior_results = rows
        else:
            self._prior_results = _results.append_rows(self._prior_results, rows)
        self.results = self._prior_results if fitted is None else self.merge(fitted)
        self.evaluations.append(self._evaluation(rows["params"][0], n_prior))
        self._last_batch_time = duration
        self.n_batches += 1
        self._save()
        self._report()

    def relabel(self, row, columns):
        """Set the search's own columns (``iter``, ...) of a restored ``row``.

        An earlier search's row that a rung reused takes the rung's labels.
        """
        for key, value in columns.items():
            # Both tables: the results are rebuilt from the restored rows.
            for table in (self._prior_results, self.results):
                if table is not None and key in table:
                    table[key][row] = value

    def replayed(self, params, columns):
        """The restored evaluation of ``params`` with these columns, or ``None``.

        Each restored evaluation is handed out once.
        """
        return self._replayed(params, {k: [v] for k, v in columns.items()}, 0)

    def before_merge(self, hook):
        """Call ``hook()`` once, just before the next results are merged."""
        self._before_merge = hook

    def _run_before_merge(self):
        hook, self._before_merge = self._before_merge, None
        if hook is not None:
            hook()

    def set_finish_time(self, row):
        """Stamp ``row``'s ``finish_time`` column with the time elapsed now."""
        if self.results is not None and "finish_time" in self.results:
            self.results["finish_time"][row] = self.elapsed
            self._save()


@contextmanager
def _batch_lines_only(search):
    """At ``verbose=1`` our progress line replaces scikit-learn's own per-batch
    "Fitting N folds..." line, which it prints when ``search.verbose > 0``.

    Per-fit lines (``verbose >= 2``) are unaffected: scikit-learn reads the
    verbosity for them once, when ``fit`` starts.
    """
    verbose = search.verbose
    if verbose != 1:
        yield
        return
    search.verbose = 0
    try:
        yield
    finally:
        search.verbose = verbose


def _warn_fits_failed(exc, n_fits, error_score):
    """The warning scikit-learn gives for failed fits, in its words."""
    details = str(exc).partition("Below are more details about the failures:\n")[2]
    warnings.warn(
        f"\n{n_fits} fits failed out of a total of {n_fits}.\n"
        "The score on these train-test partitions for these parameters will be "
        f"set to {error_score}.\nIf these failures are not expected, you can try "
        "to debug them by setting error_score='raise'.\n\nBelow are more details "
        f"about the failures:\n{details}",
        FitFailedWarning,
        stacklevel=2,
    )


def _n_rows(results):
    return 0 if results is None else _results.n_rows(results)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


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
        if f"mean_test_{refit}" not in results:
            # scikit-learn's words (it raises them only after the search).
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a "
                "scorer key or a callable to refit an estimator with the best "
                "parameter setting on the whole data and make the best_* "
                f"attributes available for that metric. {refit!r} is not among "
                f"the scores {_metrics(results)}."
            )
        return refit
    return next(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))


def _metrics(results):
    return sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))


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
