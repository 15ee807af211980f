"""Asynchronous scheduling: new work as soon as a worker frees.

A synchronous search proposes a batch, waits for every fold fit of it, then
proposes the next: workers that finish early wait at the barrier. Here
joblib pulls fold fits from a lazy generator (``Parallel`` with
``return_as="generator_unordered"``, one fit per task): each time a fit
finishes and joblib asks for more work, the generator hands out the next
fold of the current candidate or, when its folds are all out, asks the
optimizer for a new one. The optimizer treats the candidates still running
as pending (told the score the model expects there, a kriging believer), so
parallel proposals stay diverse. On this machine hardly any fit waits in a
queue behind busy workers (one per 8 workers), so a candidate is proposed
when a worker is about to start it, with the results back by then. Results
come back in the order they finish; a candidate is told to the optimizer,
recorded, checkpointed and reported when its last fold ends.

scikit-learn's ``BaseSearchCV.fit`` takes its results (for ``best_index_``
and the refit) from its last ``evaluate_candidates`` call. So the last
candidate of the budget goes through ``evaluate_candidates``, dispatched as
soon as a worker can take it while the other fits still run; the remaining
fits are collected before scikit-learn formats its results. If the search
stops early (a callback, ``max_time``) or the last call fails, the best
candidate is evaluated once more through ``evaluate_candidates`` and that
duplicate row is dropped, as for a search restored whole from a checkpoint.

The generator runs in joblib's dispatching threads, the bookkeeping in the
thread that called ``fit``: a lock guards the optimizer.

:class:`AsyncEvaluations` is what every asynchronous search shares (the
fold tasks, the collection, the final call); :class:`AsyncScheduler` is the
Bayesian search's, and :mod:`skhyper.scheduling._halving_policy` the halving searches'.
A search whose next work depends on results still running (a rung not yet
complete) has nothing to hand a freed worker: it hands it a short wait
(``_poll``), after which joblib asks again. joblib's generator cannot block
instead: it runs under joblib's dispatch lock.
"""

import copy
import threading
import time

import numpy as np
from joblib import delayed, effective_n_jobs
from sklearn.base import clone

from skhyper import _compat
from skhyper.scheduling import _results
from skhyper.scheduling._evaluator import optimized_metric

__all__ = ["DONE", "WAIT", "AsyncEvaluations", "AsyncScheduler", "Unit"]

#: Columns the asynchronous search adds to ``cv_results_``: seconds from the
#: start of the search to the dispatch of a candidate's first fold and to the
#: end of its last.
TIME_COLUMNS = ("start_time", "finish_time")


def _fit_fold(unit, split, fit_and_score, args, kwargs):
    """One fold fit, tagged with its unit and split (runs in a worker)."""
    return unit, split, fit_and_score(*args, **kwargs)


def _poll(seconds):
    """A freed worker's wait while no work is ready (its result is ignored)."""
    time.sleep(seconds)


def _wait(event, seconds):
    """A freed thread's wait, until an evaluation ends or ``seconds`` pass."""
    event.wait(seconds)


def _replayed(unit):
    """Marks a unit whose stored evaluation is taken instead of fitting it."""
    return unit, None, None


#: What :meth:`AsyncEvaluations._take` returns when no work is ready yet, and
#: when no more will be (the final unit, if any, is kept for ``_final``).
WAIT, DONE = "wait", "done"
_END = object()

#: Seconds a polling worker process waits, per worker polling (at most
#: ``MAX_POLL``): one of many idle workers notices new work within about
#: ``POLL`` seconds, at most ``1 / POLL`` dispatches per second while fewer
#: than ``MAX_POLL / POLL`` poll, and no worker is held longer than
#: ``MAX_POLL`` once work is ready. Threads wait instead until the next
#: evaluation ends (at most ``THREAD_POLL`` seconds).
POLL, MAX_POLL, THREAD_POLL = 0.002, 0.05, 1.0


class Unit:
    """One configuration to evaluate on its CV splits; dispatched once taken.

    Parameters
    ----------
    params : dict
        The configuration, as its ``cv_results_`` row will show it.
    index : int
        Its label among this run's units.
    started : float
        Seconds from the start of the search to its taking.
    splits : list of (train, test)
        Its folds.
    cv : splitter or None
        A splitter yielding ``splits`` (``None``: the search's frozen folds),
        for the final call through ``evaluate_candidates``.
    more : dict, default=None
        Its values of the search's own ``cv_results_`` columns.
    tag : object, default=None
        What its scheduler needs to know about it when it finishes.
    """

    def __init__(self, params, index, started, splits, cv=None, more=None, tag=None):
        self.params = params
        self.index = index
        self.started = started
        self.splits = splits
        self.cv = cv
        self.more = more or {}
        self.tag = tag
        self.outs = {}
        self.replay = None  # a stored Evaluation, taken instead of fitting


class AsyncEvaluations:
    """Dispatches units' fold fits as workers free and records them as they end.

    Subclasses say what to do next (``_take``, under the lock, in joblib's
    threads), what the last unit is (``_take_final``) and what a finished
    unit teaches them (``_record``, under the lock, in the fitting thread).

    Parameters
    ----------
    search : BaseModelSearchCV
        The search being fitted.
    evaluator : Evaluator
        Its evaluator (frozen splits, records, checkpoints, stopping rules).
    n_units : int
        Most units this run may evaluate (for progress and callback tasks).
    """

    def __init__(self, search, evaluator, n_units):
        self.search = search
        self.evaluator = evaluator
        self.n_units = n_units
        self._lock = threading.Lock()
        self._stop = False
        self._exhausted = threading.Event()
        self._error = None
        self._running = {}
        self._outs = []
        self._scores = []  # mean test scores of the units fitted here
        self._results_iter = None
        self._n_fits = 0  # fold fits dispatched
        self._n_polls = 0  # polls in flight
        self._ended = threading.Event()  # set (and replaced) as evaluations end
        self._threads = False  # whether polls run in threads of this process

    def run(self):
        """Evaluate the units; return ``False`` (nothing done) if not supported."""
        X, y = self.search._fit_data
        params = getattr(self.search, "_fit_params", {})
        parallel = _compat.unordered_parallel(
            self.search.n_jobs, self._pre_dispatch()
        )
        try:
            fit_and_score, X, y, kwargs = _compat.fold_fitter(self.search, X, y, params)
        except NotImplementedError:
            return False
        if parallel is None:
            return False
        self._data = (X, y, _compat.splitter_params(self.search, X, params))
        self._threads = _compat.runs_in_threads() and effective_n_jobs(
            self.search.n_jobs
        ) > 1
        #: The search's own folds (every unit's but a halving rung's).
        self.frozen_splits = self.splits_of(self.evaluator.cv)
        n_splits = len(self.frozen_splits)
        self._with_callbacks = "callback_ctx" in kwargs and _compat.has_callbacks(
            self.search
        )
        if not self._with_callbacks:
            kwargs.pop("callback_ctx", None)
            kwargs.pop("caller", None)  # used by the callbacks only
        elif "caller" in kwargs:
            # A snapshot: joblib pickles tasks in another thread while
            # scikit-learn's callback tasks add and remove attributes of the
            # search in this one ("dictionary changed size during iteration").
            kwargs["caller"] = copy.copy(self.search)
        self._fold_args = (fit_and_score, clone(self.search.estimator), X, y, kwargs)
        self._task = _compat.open_task(
            self.evaluator.callback_task, self.search, "asynchronous",
            self.n_units * n_splits, sequential=False,
        )
        # Every fold's callback context is made now, before any task is
        # pickled: making one registers it with its parent, whose registry a
        # task being pickled meanwhile would be reading.
        self._contexts = [
            _compat.fold_context(self._task, i) if self._with_callbacks else None
            for i in range(self.n_units * n_splits)
        ]
        try:
            self._results_iter = iter(parallel(self._tasks()))
            while self._next_result():
                if self._exhausted.is_set():
                    break
            self._final()
        finally:
            _compat.close_task(self._task, self.search)
        if self._outs:
            _compat.warn_about_fit_failures(self._outs, self.search.error_score)
            _compat.non_finite_warning(self._scores)
        return True

    def splits_of(self, cv):
        """The (train, test) folds ``cv`` yields on the search's data."""
        X, y, split_params = self._data
        return list(cv.split(X, y, **split_params))

    def _pre_dispatch(self):
        """Fits in flight: about one per worker here, the search's on a cluster.

        A queued fit's candidate was proposed without the results that come
        back before it starts. On this machine a freed worker gets its next
        fit at once, so few are queued: one per 8 workers, which hides the
        time a proposal takes when many workers free at once. Measured with
        the search's "2*n_jobs" instead: with 2 workers and 5 folds, two
        candidates pending at most proposals instead of one, and a normalized
        score 6 points lower at 30 evaluations on the 13 benchmark tasks (7
        seeds, paired); on 64 threads, utilisation 0.77-0.88 against
        0.95-0.96 (none queued: 0.80-0.85). A cluster's scheduler takes a
        round trip per fit, which queued fits hide: on 8 dask workers, one
        candidate's folds queued gave 0.84 utilisation, "2*n_jobs" 0.96.
        """
        if _compat.runs_on_this_machine():
            n_jobs = effective_n_jobs(self.search.n_jobs)
            return n_jobs + n_jobs // 8
        return self.search.pre_dispatch

    # -- what subclasses decide ----------------------------------------------------

    def _take(self):
        """The next :class:`Unit`, ``WAIT`` or ``DONE`` (called under the lock)."""
        raise NotImplementedError

    def _take_final(self):
        """The unit to evaluate through ``evaluate_candidates``, or ``None``."""
        raise NotImplementedError

    def _record(self, unit, evaluation):
        """Learn from a finished unit (called under the lock)."""
        raise NotImplementedError

    # -- dispatch (joblib's threads) --------------------------------------------

    def _tasks(self):
        fit_and_score, estimator, X, y, kwargs = self._fold_args
        while True:
            with self._lock:
                unit = DONE if self._stop or self._error is not None else (
                    self._guarded(self._take, DONE)
                )
                if unit is WAIT:
                    self._n_polls += 1
                    poll = self._poll()
                elif unit is not DONE:
                    self._running[unit.index] = unit
            if unit is DONE:
                self._exhausted.set()
                self._wake()  # no more work: waiting threads end now
                return
            if unit is WAIT:
                yield poll
                continue
            if unit.replay is not None:
                yield delayed(_replayed)(unit.index)
                continue
            n_splits = len(unit.splits)
            for split, (train, test) in enumerate(unit.splits):
                if self._with_callbacks and self._n_fits < len(self._contexts):
                    kwargs["callback_ctx"] = self._contexts[self._n_fits]
                self._n_fits += 1
                yield delayed(_fit_fold)(
                    unit.index, split, fit_and_score,
                    (clone(estimator), X, y),
                    dict(
                        kwargs, train=train, test=test, parameters=unit.params,
                        split_progress=(split, n_splits),
                        candidate_progress=(unit.index, self.n_units),
                    ),
                )

    def _poll(self):
        if self._threads:
            return delayed(_wait)(self._ended, THREAD_POLL)
        return delayed(_poll)(min(MAX_POLL, POLL * self._n_polls))

    def _guarded(self, take, default):
        """``take()``, or ``default`` once it raised (re-raised after the drain)."""
        try:
            return take()
        except BaseException as exc:
            self._error = exc
            return default

    # -- collection (the fitting thread) ----------------------------------------

    def _next_result(self):
        """Collect one finished task; ``False`` when none is left."""
        if self._results_iter is None:
            return False
        item = next(self._results_iter, _END)
        if item is _END:
            self._results_iter = None
            if self._error is not None:
                raise self._error
            return False
        if item is None:  # a poll
            with self._lock:
                self._n_polls -= 1
            return True
        index, split, out = item
        unit = self._running[index]
        if split is None:
            del self._running[index]
            self._finish_replayed(unit)
            return True
        unit.outs[split] = out
        if len(unit.outs) == len(unit.splits):
            del self._running[index]
            self._finish(unit)
        return True

    def _drain(self):
        while self._next_result():
            pass

    def _finish(self, unit):
        outs = [unit.outs[s] for s in range(len(unit.splits))]
        self._outs.extend(outs)
        finished = self.evaluator.elapsed
        rows = _compat.format_fold_results(
            self.search, [unit.params], len(unit.splits), outs,
            self._more_results(unit, finished),
        )
        rows = _results.infinite_means_as_failures(rows)
        metric = optimized_metric(self.search.refit, rows)
        self._scores.append(float(rows[f"mean_test_{metric}"][0]))
        self.evaluator.add_finished(
            rows, finished - unit.started, (*unit.more, *TIME_COLUMNS)
        )
        self._learn(unit, self.evaluator.evaluations[-1])

    def _finish_replayed(self, unit):
        self.evaluator.relabel(unit.replay.index, unit.more)
        self._learn(unit, unit.replay)

    def _learn(self, unit, evaluation):
        with self._lock:
            self._record(unit, evaluation)
        if self.evaluator.should_stop():
            self._stop = True
        self._wake()  # waiting threads look for new work

    def _wake(self):
        with self._lock:
            ended, self._ended = self._ended, threading.Event()
        ended.set()

    @staticmethod
    def _more_results(unit, finished):
        return {
            **{key: [value] for key, value in unit.more.items()},
            "start_time": [unit.started],
            "finish_time": [finished],
        }

    def _final(self):
        """The last unit through scikit-learn, while the others finish."""
        with self._lock:
            unit = None if self._error is not None else (
                self._guarded(self._take_final, None)
            )
        if unit is not None:
            self.evaluator.before_merge(self._drain)
            more = self._more_results(unit, np.nan)
            evaluation = self.evaluator.evaluate(
                [unit.params], cv=unit.cv, more_results=more
            )[0]
            self.evaluator.set_finish_time(evaluation.index)
            with self._lock:
                self._record(unit, evaluation)
        self._drain()  # also when the last call failed or never ran
        if self._error is not None:
            raise self._error


class AsyncScheduler(AsyncEvaluations):
    """Evaluates a Bayesian search's candidates as workers free.

    Parameters
    ----------
    search : BayesSearchCV
        The search being fitted.
    evaluator : Evaluator
        Its evaluator (frozen splits, records, checkpoints, stopping rules).
    optimizer : Optimizer
        The ask/tell optimizer, told every earlier evaluation already.
    budget : int
        Number of candidates to evaluate.
    first_index : int
        ``batch`` column value of the first candidate.
    """

    def __init__(self, search, evaluator, optimizer, budget, first_index=0):
        super().__init__(search, evaluator, budget)
        self.optimizer = optimizer
        self.budget = budget
        self.first_index = first_index
        self._n_asked = 0

    def _take(self):
        # All but the last candidate of the budget are asked by the
        # generator; the last one by the final ``evaluate_candidates`` call.
        return self._ask(self.budget - 1) or DONE

    def _take_final(self):
        return self._ask(self.budget)

    def _ask(self, limit):
        """A new candidate, or ``None`` when the search must not start one."""
        if self._stop or self._n_asked >= limit:
            return None
        points = self.optimizer.ask(1)
        if not points:
            return None
        index = self.first_index + self._n_asked
        self._n_asked += 1
        return Unit(
            points[0], index, self.evaluator.elapsed,
            self.frozen_splits, more={"batch": index},
        )

    def _record(self, unit, evaluation):
        self.optimizer.tell([unit.params], [evaluation.score])
