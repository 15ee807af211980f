"""The one door through which every search's candidates are evaluated.

The :class:`Evaluator` runs batches through scikit-learn's
``evaluate_candidates`` on frozen CV splits, takes the rows of
configurations the streaming driver fitted itself, and keeps both in one
:class:`~skhyper.scheduling._record.Record`; after every evaluation it saves
the checkpoint and lets :class:`~skhyper.scheduling._progress.Progress`
report and apply the stopping rules. A configuration stored in a checkpoint
is replayed rather than fitted again.
"""

import numbers
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import FitFailedWarning

from skhyper import _compat
from skhyper.scheduling._fold_stopping import PREDICTED, stopped_rows
from skhyper.scheduling._progress import Progress, best_of
from skhyper.scheduling._promotion import all_folds_failed, fold_test_scores
from skhyper.scheduling._record import Record
from skhyper.scheduling._splits import FrozenSplits


@dataclass
class Evaluation:
    """One evaluated configuration, as the policies and proposers see it."""

    params: dict
    score: float  # mean CV score of the optimized metric; nan if it failed
    index: int  # row in cv_results_; None for scores given by the user
    columns: tuple = ()  # its values of the search's own cv_results_ columns
    failed: bool = False  # no finite mean score, or every fold scored error_score
    restored: bool = False  # from a checkpoint or an earlier search
    stopped: bool = False  # its remaining folds were not run (fold stopping)
    #: What a search's model is told: ``score``, or a stopped candidate's
    #: predicted mean over all folds (``None``: ``score``).
    told: float = None
    #: Seconds its folds' fits and scoring took in the mean, times the number
    #: of folds: what a whole evaluation costs (``nan``: unknown or failed).
    cost: float = float("nan")

    def __post_init__(self):
        if self.told is None:
            self.told = self.score


class Evaluator:
    """Runs a search's candidates and keeps the record of their results.

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
    earlier : Earlier or None
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
        self, search, cv, evaluate_candidates, callback_ctx, total=None, earlier=None,
        saver=None, one_call=False,
    ):
        self.search = search
        self.cv = FrozenSplits(cv)
        self.record = Record(search.error_score)
        self.evaluations = []
        self.first_error = None
        self.n_batches = 0
        #: Kinds of warnings already given in this fit (see ``_format_results``).
        self.warned = set()
        self._evaluate_candidates = evaluate_candidates
        self._callback_ctx = callback_ctx
        self._one_call = one_call
        # One call: the search task opens with the call, when its size is known.
        self._task = None if one_call else _compat.open_task(
            callback_ctx, search, "search", None
        )
        self._progress = Progress(search, total)
        self._metric = None
        self._start = time.perf_counter()
        self._last_batch_time = 0.0
        self._saver = saver
        self._n_sklearn_rows = 0  # candidates scikit-learn formatted so far
        self._n_sklearn_fitted = 0  # evaluate_candidates calls that returned
        self._new_rows = None  # rows of the call running
        self._call_columns = set()  # own columns the call running passed
        self._sentinel = False  # whether that call's rows are dropped
        self._before_rows = None
        self._n_restored = 0
        self._earlier_key = None
        self._own_columns = ()
        self._replay = {}
        #: Fold fits fold stopping left out, and fold fits run (streaming driver).
        self.fits_saved = self.fits_run = 0
        self.earlier = []
        #: Whether the restored rows are this search's own checkpoint, which a
        #: deterministic search can replay (same seed) rather than be told.
        self.resumed = earlier is not None and earlier.seed is not None
        if earlier is not None:
            self._restore(earlier)

    # -- restoring earlier work ----------------------------------------------

    def _restore(self, earlier):
        if earlier.splits is not None:
            self.cv.splits_ = earlier.splits
        self.earlier = list(earlier.told)
        if earlier.results is None or _results_rows(earlier.results) == 0:
            return
        self.record.add(earlier.results)
        self._n_restored = _results_rows(earlier.results)
        self._metric = optimized_metric(self.search.refit, earlier.results)
        own_columns = earlier.own_columns
        for i, params in enumerate(earlier.results["params"]):
            own = tuple(_plain(earlier.results[k][i]) for k in own_columns)
            evaluation = self._evaluation(params, i, own)
            evaluation.restored = True
            self.evaluations.append(evaluation)
            self._replay.setdefault(earlier.key(params, own), evaluation)
            if earlier.in_space(params):
                self.earlier.append(evaluation)
        self._earlier_key = earlier.key
        self._own_columns = own_columns

    def _evaluation(self, params, row, own=()):
        metric = self.metric
        results = self.results
        score = float(results[f"mean_test_{metric}"][row])
        failed = not np.isfinite(score) or bool(all_folds_failed(
            results, metric, self.search.error_score, [row]
        )[0])
        stopped = bool(stopped_rows(results)[row])
        told = score
        if stopped and PREDICTED in results:
            # a checkpoint without the column (older skhyper): the mean run
            predicted = float(results[PREDICTED][row])
            told = predicted if np.isfinite(predicted) else score
        cost = float("nan") if failed else (
            float(results["mean_fit_time"][row] + results["mean_score_time"][row])
            * (self.n_splits or 1)
        )
        return Evaluation(
            params=params, score=score, index=row, columns=own, failed=failed,
            stopped=stopped, told=told, cost=cost,
        )

    def _replayed(self, params, more_results, i):
        if not self._replay:
            return None
        own = tuple(_plain(more_results[k][i]) for k in self._own_columns) if (
            more_results
        ) else ()
        try:
            return self._replay.pop(self._earlier_key(params, own), None)
        except (ValueError, TypeError):
            return None

    def replayed(self, params, columns):
        """The restored evaluation of ``params`` with these columns, or ``None``.

        Each restored evaluation is handed out once.
        """
        return self._replayed(params, {k: [v] for k, v in columns.items()}, 0)

    # -- state ---------------------------------------------------------------

    @property
    def results(self):
        """Every row so far, in order (``None`` until one was formatted)."""
        return self.record.results

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

    @property
    def metric(self):
        """Name of the metric the search optimizes (``"score"`` if single)."""
        if self._metric is None and self.results is not None:
            self._metric = optimized_metric(self.search.refit, self.results)
        return self._metric

    @property
    def stop_reason(self):
        """The stopping rule that ended the search, or ``None``."""
        return self._progress.stop_reason

    def best(self):
        """The best evaluation so far, or ``None`` if none succeeded."""
        return best_of(self.evaluations)

    # -- evaluating through scikit-learn ---------------------------------------

    def evaluate(self, candidates, *, cv=None, more_results=None):
        """Fit and score ``candidates`` on every split; return their evaluations.

        Candidates already evaluated in a restored checkpoint (same
        configuration and same own columns) are not fitted again: their
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

    def _run_batch(self, candidates, cv, more_results, sentinel=False):
        started = time.perf_counter()
        batch_task = self._open_batch_task(len(candidates) * (self.n_splits or 1))
        self._new_rows, self._sentinel = None, sentinel
        self._call_columns = set(more_results or ())
        try:
            with _batch_lines_only(self.search):
                _compat.evaluate(
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
            if not sentinel:
                self._keep_failed_batch(
                    candidates, more_results, exc, time.perf_counter() - started
                )
        finally:
            self._sentinel = False
            if batch_task is not self._task:
                _compat.close_task(batch_task, self.search)
        self._last_batch_time = time.perf_counter() - started
        if sentinel:
            return []
        self.n_batches += 1
        new = self._evaluations_of(candidates, self._new_rows, more_results)
        self._after_evaluations()
        return new

    def formatted(self, format_rows, candidate_params, n_splits, out, more_results):
        """Record what ``_format_results`` formats; return every row so far.

        scikit-learn hands ``_format_results`` every candidate of this fit at
        each call of ``evaluate_candidates``; only those added since the last
        call are formatted, and they join the record after the rows fitted
        meanwhile by the streaming driver.
        """
        done = self._n_sklearn_rows
        n_new = len(candidate_params) - done
        # scikit-learn keeps every column any call gave and appends each
        # call's values: this call's columns end with its candidates' values;
        # the others belong to earlier rows (the record fills them with NaN).
        new = format_rows(
            candidate_params[done:], n_splits, out[done * n_splits :],
            {k: v[len(v) - n_new:] for k, v in (more_results or {}).items()
             if k in self._call_columns},
        )
        self._n_sklearn_rows = len(candidate_params)
        self._take_rows_fitted_meanwhile()
        if not self._sentinel:
            self._new_rows = self.record.add(new, by_sklearn=True)
        return self.results

    def _sentinel_params(self):
        """The configuration :meth:`close` fits once more: the quickest to fit.

        Its row is dropped, so any configuration whose every fold fitted will
        do (one with a failed fold would warn about fits the user never
        sees); the best one is often the slowest (a halving search's at the
        largest resource: a third more trees on a random-forest task). Rows
        on a subsample (``resource="n_samples"``) fitted faster than the full
        folds will.
        """
        results = self.results
        fit_time = np.asarray(results["mean_fit_time"], dtype=float)
        scores = fold_test_scores(results, self.metric)
        usable = np.isfinite(fit_time) & ~stopped_rows(results)
        usable &= np.isfinite(scores).all(axis=1)
        if isinstance(self.search.error_score, numbers.Real):
            usable &= ~(scores == self.search.error_score).any(axis=1)
        if "n_resources" in results and usable.any():
            # the resource sets the cost (fit times of quick fits are noise):
            # the smallest, or the full folds when it is a subsample
            n_resources = np.asarray(results["n_resources"], dtype=float)
            on_samples = getattr(self.search, "resource", None) == "n_samples"
            pick = np.nanmax if on_samples else np.nanmin
            usable &= n_resources == pick(n_resources[usable])
        if not usable.any():
            return (self.best() or self.evaluations[0]).params
        return results["params"][int(np.argmin(np.where(usable, fit_time, np.inf)))]

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
        self._take_rows_fitted_meanwhile()
        if self.first_error is None:
            self.first_error = str(exc)
        n_fits = len(candidates) * (self.n_splits or 1)
        n = len(candidates)
        times = {"mean_fit_time": [elapsed / n_fits] * n, "std_fit_time": [0.0] * n,
                 "mean_score_time": [0.0] * n, "std_score_time": [0.0] * n}
        self._new_rows = self.record.add_failed(
            candidates, {**(more_results or {}), **times}
        )
        _warn_fits_failed(exc, n_fits, self.search.error_score)
        kind = (UserWarning, "One or more of the test scores are non-finite")
        if not np.isfinite(_failed_score(self.search.error_score)) and (
            kind not in self.warned
        ):
            # scikit-learn, which never sees these rows, would warn for them.
            self.warned.add(kind)
            warnings.warn(f"{kind[1]}: rows of failed fits.", UserWarning, stacklevel=2)

    def _evaluations_of(self, candidates, rows, more_results):
        keys = list(more_results or {})
        new = []
        for i, (params, row) in enumerate(zip(candidates, rows)):
            own = tuple(_plain(more_results[k][i]) for k in keys)
            if self.results is None:  # nothing has succeeded yet
                score = _failed_score(self.search.error_score)
                new.append(Evaluation(params, score, row, own, failed=True))
            else:
                new.append(self._evaluation(params, row, own))
        self.evaluations.extend(new)
        return new

    # -- evaluations run outside evaluate_candidates (the streaming driver) -----

    def add_finished(self, rows, duration):
        """Record a configuration whose fold fits ran outside scikit-learn.

        Parameters
        ----------
        rows : dict
            Its ``cv_results_`` row, formatted as scikit-learn does.
        duration : float
            Seconds from its dispatch to its end (``last_batch_time`` of the
            progress the stopping rules see).

        Returns
        -------
        evaluation : Evaluation
        """
        (row,) = self.record.add(rows)
        evaluation = self._evaluation(rows["params"][0], row)
        self.evaluations.append(evaluation)
        self._last_batch_time = duration
        self.n_batches += 1
        self._after_evaluations()
        return evaluation

    def before_rows(self, hook):
        """Call ``hook()`` once, before the rows of the next batch are recorded
        (the streaming driver collects the fits that finished meanwhile)."""
        self._before_rows = hook

    def _take_rows_fitted_meanwhile(self):
        hook, self._before_rows = self._before_rows, None
        if hook is not None:
            hook()

    def relabel(self, row, columns):
        """Set the search's own columns (``iter``, ...) of a restored ``row``.

        An earlier search's row that a rung reused takes the rung's labels.
        """
        for key, value in columns.items():
            self.record.set(row, key, value)

    def set_finish_time(self, row):
        """Stamp ``row``'s ``finish_time`` column with the time elapsed now."""
        if self.results is not None and "finish_time" in self.results:
            self.record.set(row, "finish_time", self.elapsed)
            self._save()

    # -- after every evaluation ------------------------------------------------

    def _after_evaluations(self):
        self._save()
        if self.search.verbose <= 0:
            return
        self._progress.report(
            self.progress(), self.metric, self.n_batches,
            self.n_evaluated - self._n_restored,
        )

    def _save(self):
        if self._saver is not None and self.results is not None:
            self._saver(self.cv.splits_, self.results)

    @property
    def note_expected_improvement(self):
        """``note(evaluations, values)`` recording the model's expected
        improvement of each evaluation for the stopping rules (Bayes), or
        ``None`` when no rule reads it: the model's extra prediction per
        proposal is then skipped."""
        if not self._progress.watched:
            return None
        return self._progress.note_expected_improvement

    def progress(self):
        """A :class:`~skhyper.callbacks.SearchProgress` snapshot for callbacks."""
        return self._progress.snapshot(
            self.evaluations, self.results, self.elapsed, self._last_batch_time
        )

    def should_stop(self):
        """Whether a stopping rule asks to end the search before the next batch."""
        if self.stop_reason is not None:
            return True
        if not self.evaluations or not self._progress.watched:
            return False
        return self._progress.should_stop(self.progress())

    def close(self):
        """End the search task; re-score one restored candidate if nothing ran.

        scikit-learn's ``fit`` needs at least one evaluation of its own to set
        up ``multimetric_`` and the refit. When a checkpoint already holds the
        whole search (or the streaming driver fitted everything itself), one
        configuration (:meth:`_sentinel_params`) is evaluated once more
        through scikit-learn and that duplicate row is left out of
        ``cv_results_``.
        """
        if self._n_sklearn_fitted == 0 and self.results is not None:
            self._run_batch([self._sentinel_params()], None, None, sentinel=True)
        _compat.close_task(self._task, self.search)
        self._progress.summary(
            self.progress(), self.metric, self.n_batches,
            (self.fits_saved, self.fits_run + self.fits_saved),
        )


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


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _failed_score(error_score):
    return float(error_score) if error_score != "raise" else np.nan


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


def _results_rows(results):
    return len(results["params"])
