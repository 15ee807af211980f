"""The streaming driver: new work for a worker as soon as it frees.

joblib pulls fold fits from a lazy generator (``Parallel`` with
``return_as="generator_unordered"``, one fit per task): each time a fit
finishes and joblib asks for more work, the generator hands out the next
fold of the current unit or, when its folds are all out, takes a new unit
from the policy (``policy.take(1)``). Results come back in the order they
finish; a unit is recorded, checkpointed, reported and handed back to the
policy when its last fold ends.

scikit-learn's ``BaseSearchCV.fit`` takes its results (for ``best_index_``
and the refit) from its last ``evaluate_candidates`` call. So the policy's
last unit goes through ``evaluate_candidates``, dispatched as soon as a
worker can take it while the other fits still run; the remaining fits are
collected before scikit-learn formats its results. If the search stops
early (a callback, ``max_time``) or the last call fails, the quickest
candidate to fit is evaluated once more through ``evaluate_candidates`` and
that duplicate row is dropped, as for a search restored whole from a
checkpoint.

A policy whose next work depends on results still running (a rung not yet
complete) has nothing to hand a freed worker: it answers ``WAIT`` and the
worker gets a short wait, after which joblib asks again. joblib's generator
cannot block instead: it runs under joblib's dispatch lock. The generator
runs in joblib's dispatching threads, the bookkeeping in the thread that
called ``fit``: a lock guards the policy.
"""

import copy
import threading
import time
from collections import deque

import numpy as np
from joblib import delayed, effective_n_jobs
from sklearn.base import clone

from skhyper import _compat
from skhyper.scheduling import _engines, _fold_stopping, _results
from skhyper.scheduling._evaluator import optimized_metric
from skhyper.scheduling._policy import DONE, WAIT

__all__ = ["StreamingDriver", "TIME_COLUMNS"]

#: Columns the asynchronous search adds to ``cv_results_``: seconds from the
#: start of the search to the dispatch of a candidate's first fold and to the
#: end of its last.
TIME_COLUMNS = ("start_time", "finish_time")


def _fit_fold(unit, split, fit_and_score, estimator, X, y, fit_params,
              score_params, kwargs):
    """One fold fit, tagged with its unit and split (runs in a worker).

    The data come as top-level arguments: the engine's handles of them
    (:meth:`~skhyper.scheduling._engines.Dispatch.ship`) resolve there.
    """
    out = fit_and_score(
        estimator, X, y, fit_params=fit_params, score_params=score_params, **kwargs
    )
    return unit, split, out


def _poll(seconds):
    """A freed worker's wait while no work is ready (its result is ignored)."""
    time.sleep(seconds)


def _wait(event, seconds):
    """A freed thread's wait, until an evaluation ends or ``seconds`` pass."""
    event.wait(seconds)


def _replayed(unit):
    """Marks a unit whose stored evaluation is taken instead of fitting it."""
    return unit, None, None


_END = object()

#: Seconds a polling worker process waits, per worker polling (at most
#: ``MAX_POLL``): one of many idle workers notices new work within about
#: ``POLL`` seconds, at most ``1 / POLL`` dispatches per second while fewer
#: than ``MAX_POLL / POLL`` poll, and no worker is held longer than
#: ``MAX_POLL`` once work is ready. Threads wait instead until the next
#: evaluation ends (at most ``THREAD_POLL`` seconds).
POLL, MAX_POLL, THREAD_POLL = 0.002, 0.05, 1.0


class _Running:
    """A policy's unit on its way through the workers."""

    def __init__(self, unit, index, started, splits):
        self.unit = unit
        self.index = index
        self.started = started
        self.splits = splits
        self.outs = {}
        self.replay = None  # a stored Evaluation, taken instead of fitting
        self.next_split = 0  # folds dispatched so far (fold stopping)
        self.decided = 0  # folds run when it was last told to go on
        self.resolved = False  # stopped or complete, maybe not recorded yet
        self.predicted = np.nan  # its predicted mean, once stopped


class StreamingDriver:
    """Runs a policy's units as workers free and records them as they end.

    Parameters
    ----------
    search : BaseModelSearchCV
        The search being fitted: its estimator, scoring, ``n_jobs`` and
        ``pre_dispatch``, as scikit-learn's own fold fits read them.
    data : tuple
        ``(X, y, fit_params)`` of this fit.
    evaluator : Evaluator
        Frozen splits, the record, checkpoints, stopping rules.
    policy : policy
        What to run next (see :mod:`skhyper.scheduling._policy`).
    stopping : FoldStopping or None, default=None
        Stops a unit's remaining folds once its first ones show it will not
        beat its rival (:mod:`skhyper.scheduling._fold_stopping`); its folds
        are then dispatched one after the other, a unit's next fold before a
        new unit's first.
    batches : bool, default=False
        Take the policy's work batch by batch (``take(None)``), as the
        barrier driver does, deciding the stops of a batch's units in their
        order: the same rows in the same order for the same seed.
    describe : callable, default=None
        ``describe(units)``: a line printed before each batch.
    """

    def __init__(self, search, data, evaluator, policy, stopping=None,
                 batches=False, describe=None):
        self.search = search
        self.evaluator = evaluator
        self.policy = policy
        self.n_units = policy.n_units
        self._X, self._y, self._fit_params = data
        self._lock = threading.Lock()
        self._stop = False
        self._exhausted = threading.Event()
        self._error = None
        self._running = {}
        self._outs = []
        self._scores = []  # mean test scores of the units fitted here
        self._results_iter = None
        self._n_taken = 0
        self._n_fits = 0  # fold fits dispatched
        self._n_polls = 0  # polls in flight
        self._last = None  # the policy's last unit, for evaluate_candidates
        self._splits = {}  # id(cv) -> (cv, its folds)
        self._ended = threading.Event()  # set (and replaced) as evaluations end
        self._threads = False  # whether polls run in threads of this process
        self._stopping = stopping
        self._batches = batches
        self._describe = describe
        self._ready = deque()  # units whose next fold may be dispatched
        self._queue = []  # units of the batch not handed out yet (batches)
        self._policy_done = False
        self._batch_start = 0
        self._held = {}  # index -> (unit, how to finish it), waiting their turn
        self._n_recorded = 0
        self._may_speculate = False

    def run(self):
        """Evaluate the units; return ``False`` (nothing done) if not supported."""
        search = self.search
        dispatch = _engines.dispatch(search.n_jobs, self._pre_dispatch())
        try:
            fit_and_score, X, y, kwargs = _compat.fold_fitter(
                search, self._X, self._y, self._fit_params
            )
        except NotImplementedError:
            return False
        if dispatch is None:
            return False
        self._data = (X, y, _compat.splitter_params(search, X, self._fit_params))
        if self._stopping is not None:
            self._earlier_rivals()
        self._threads = dispatch.in_threads
        n_splits = len(self._folds(None))
        self._with_callbacks = "callback_ctx" in kwargs and _compat.has_callbacks(
            search
        )
        if not self._with_callbacks:
            kwargs.pop("callback_ctx", None)
            kwargs.pop("caller", None)  # used by the callbacks only
        elif "caller" in kwargs:
            # A snapshot: joblib pickles tasks in another thread while
            # scikit-learn's callback tasks add and remove attributes of the
            # search in this one ("dictionary changed size during iteration").
            kwargs["caller"] = copy.copy(search)
        shipped = dispatch.ship(
            X, y, kwargs.pop("fit_params"), kwargs.pop("score_params")
        )
        self._fold_args = (
            dispatch.remote(_fit_fold), fit_and_score, clone(search.estimator),
            shipped, kwargs,
        )
        self._task = _compat.open_task(
            self.evaluator.callback_task, search, "asynchronous",
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
            tasks = self._tasks() if self._stopping is None else self._staged_tasks()
            self._results_iter = iter(dispatch.parallel(tasks))
            while self._next_result():
                if self._exhausted.is_set():
                    break
            self._final()
        finally:
            _compat.close_task(self._task, search)
        if self._outs:
            _compat.warn_about_fit_failures(self._outs, search.error_score)
            _compat.non_finite_warning(self._scores)
        return True

    def _folds(self, cv):
        """The (train, test) folds ``cv`` (``None``: the frozen ones) yields."""
        cv = cv or self.evaluator.cv
        if id(cv) not in self._splits:
            X, y, split_params = self._data
            self._splits[id(cv)] = (cv, list(cv.split(X, y, **split_params)))
        return self._splits[id(cv)][1]

    def _pre_dispatch(self):
        """Fits in flight: about one per worker in this process's pools, the
        search's ``pre_dispatch`` on a cluster.

        A queued fit's configuration was proposed without the results that
        come back before it starts, so few are queued where a freed worker
        gets its next fit at once; a cluster's scheduler takes a round trip
        per fit, which queued fits hide (docs/benchmarks.md measures both).
        """
        if _compat.runs_on_this_machine():
            n_jobs = effective_n_jobs(self.search.n_jobs)
            return n_jobs + n_jobs // 8
        return self.search.pre_dispatch

    # -- dispatch (joblib's threads) --------------------------------------------

    def _take(self):
        """The next :class:`_Running` unit, ``WAIT`` or ``DONE`` (under the lock)."""
        taken = self._take_batched() if self._batches else self.policy.take(1)
        if taken is WAIT or taken is DONE:
            return taken
        (unit,) = taken
        running = _Running(
            unit, self._n_taken, self.evaluator.elapsed, self._folds(unit.cv)
        )
        self._n_taken += 1
        running.replay = self.evaluator.replayed(unit.params, unit.columns)
        if running.replay is None and unit.last:
            self._last = running
            return DONE
        return running

    def _take_batched(self):
        """The next unit of the policy's batch; a new batch once it all ended."""
        if not self._queue:
            if self._running:
                return WAIT
            units = self.policy.take(None)
            if units is DONE or units is WAIT:
                return units
            if self._describe is not None:
                line = self._describe(units)
                if line:
                    print(line, flush=True)
            self._queue = list(units)
            self._batch_start = self._n_taken
        return [self._queue.pop(0)]

    def _tasks(self):
        while True:
            with self._lock:
                running = DONE if self._stop or self._error is not None else (
                    self._guarded(self._take, DONE)
                )
                if running is WAIT:
                    self._n_polls += 1
                    poll = self._poll()
                elif running is not DONE:
                    self._running[running.index] = running
            if running is DONE:
                self._exhausted.set()
                self._wake()  # no more work: waiting threads end now
                return
            if running is WAIT:
                yield poll
                continue
            if running.replay is not None:
                yield delayed(_replayed)(running.index)
                continue
            for split in range(len(running.splits)):
                yield self._fold_task(running, split)

    def _fold_task(self, running, split):
        fit_fold, fit_and_score, estimator, shipped, kwargs = self._fold_args
        train, test = running.splits[split]
        if self._with_callbacks and self._n_fits < len(self._contexts):
            kwargs["callback_ctx"] = self._contexts[self._n_fits]
        self._n_fits += 1
        return delayed(fit_fold)(
            running.index, split, fit_and_score, clone(estimator), *shipped,
            dict(
                kwargs, train=train, test=test, parameters=running.unit.params,
                split_progress=(split, len(running.splits)),
                candidate_progress=(running.index, self.n_units),
            ),
        )

    # -- fold stopping: a unit's folds one after the other ------------------------

    def _staged_tasks(self):
        while True:
            with self._lock:
                step = DONE if self._stop or self._error is not None else (
                    self._guarded(self._next_fold, DONE)
                )
                if step is WAIT:
                    self._n_polls += 1
                    poll = self._poll()
            if step is DONE:
                self._exhausted.set()
                self._wake()
                return
            if step is WAIT:
                yield poll
                continue
            running, split = step
            if split is None:
                yield delayed(_replayed)(running.index)
            else:
                yield self._fold_task(running, split)

    def _next_fold(self):
        """``(running, split)`` to dispatch next, ``WAIT`` or ``DONE`` (locked).

        First the next fold of a unit whose folds so far did not stop it, then
        a new unit's first fold, then (after one short wait, in which a
        decision may come) a fold ahead of its decision, so that no worker
        idles while a batch or a rung waits for its last units.
        """
        while self._ready:
            running = self._ready.popleft()
            if running.next_split < len(running.splits):
                return self._dispatched(running)
        if not self._policy_done:
            running = self._take()
            if running is DONE:
                self._policy_done = True
            elif running is not WAIT:
                self._running[running.index] = running
                if running.replay is not None:
                    return running, None
                return self._dispatched(running)
        ahead = next((
            r for r in self._running.values()
            if r.replay is None and not r.resolved and r.next_split < len(r.splits)
        ), None)
        if ahead is not None and self._may_speculate:
            return self._dispatched(ahead)
        if ahead is None and not self._running and self._policy_done:
            return DONE
        self._may_speculate = ahead is not None
        return WAIT

    def _dispatched(self, running):
        self._may_speculate = False
        running.next_split += 1
        return running, running.next_split - 1

    def _resolve(self):
        """Finish, stop or continue each unit whose dispatched folds are in.

        With ``batches``, units are decided in their batch's order, each
        against the rivals that completed before it.
        """
        while True:
            with self._lock:
                running, before = self._decidable()
            if running is None:
                return
            n_splits = len(running.splits)
            scores = [
                self._stopping.fold_score(running.outs[s])
                for s in range(len(running.outs))
            ]
            # Each fold count in turn, so that folds run ahead of a decision
            # change no decision: the same seed gives the same rows.
            stop_at = next((
                m for m in range(running.decided + 1, len(scores) + 1)
                if m < n_splits
                and self._stopping.should_stop(scores[:m], running.unit.rivals, before)
            ), None)
            if stop_at is None and len(scores) < n_splits:
                with self._lock:
                    running.decided = len(scores)
                    if running.next_split == len(scores):
                        self._ready.append(running)
                self._wake()
                continue
            with self._lock:
                running.resolved = True
            if stop_at is None:
                self._stopping.add(running.unit.rivals[0], scores, running.index)
            else:
                running.outs = {s: running.outs[s] for s in range(stop_at)}
                running.predicted = self._stopping.predicted(
                    scores[:stop_at], running.unit.rivals, before
                )
            self.evaluator.fits_saved += n_splits - running.next_split
            self._in_order(running, self._finish)

    def _in_order(self, running, finish):
        """``finish(running)``; with ``batches``, once every unit taken before
        it is finished (rows in the order units were taken)."""
        if not self._batches:
            self._forget(running)
            finish(running)
            return
        self._held[running.index] = (running, finish)
        while self._n_recorded in self._held:
            held, finish = self._held.pop(self._n_recorded)
            self._n_recorded += 1
            finish(held)
            # only now: the next batch is taken once the policy knows this one
            self._forget(held)

    def _forget(self, running):
        with self._lock:
            self._running.pop(running.index, None)

    def _decidable(self):
        """A unit to decide now and the rivals it is compared with, taken
        before ``before`` (``(None, None)`` if none).

        With ``batches``, a unit is compared with rivals of earlier batches;
        one that has none (a halving rung's) waits until every unit taken
        before it is decided, and is compared with those.
        """
        first = True
        for running in self._running.values():
            if running.replay is not None or running.resolved:
                continue
            pending = len(running.outs) < running.next_split
            undecided = running.decided < len(running.outs)
            if not pending and undecided and running not in self._ready:
                if not self._batches:
                    return running, np.inf
                if self._stopping.rival(running.unit.rivals, self._batch_start) is not None:
                    return running, self._batch_start
                if first:
                    return running, running.index
            first = False
        return None, None

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
        running = self._running[index]
        if split is None:
            if self._stopping is None:
                with self._lock:
                    del self._running[index]
                self._finish_replayed(running)
            else:
                running.resolved = True
                self._in_order(running, self._finish_replayed)
            return True
        running.outs[split] = out
        self.evaluator.fits_run += 1
        if self._stopping is not None:
            self._resolve()
        elif len(running.outs) == len(running.splits):
            del self._running[index]
            self._finish(running)
        return True

    def _drain(self):
        while self._next_result():
            pass

    def _finish(self, running):
        outs = [running.outs[s] for s in range(len(running.outs))]
        self._outs.extend(outs)
        finished = self.evaluator.elapsed
        add_extras = self.search._fold_extras(outs)
        rows = _compat.format_fold_results(
            self.search, [running.unit.params], len(outs), outs,
            self._more_results(running, finished),
        )
        rows = add_extras(_results.infinite_means_as_failures(rows))
        if len(outs) < len(running.splits):
            rows = _fold_stopping.pad_rows(rows, len(running.splits))
        metric = optimized_metric(self.search.refit, rows)
        self._scores.append(float(rows[f"mean_test_{metric}"][0]))
        evaluation = self.evaluator.add_finished(rows, finished - running.started)
        self._learn(running, evaluation)

    def _earlier_rivals(self):
        """Complete rows already recorded (restored, an earlier turn's) are
        rivals of a Bayesian search's units from the start."""
        evaluator = self.evaluator
        for evaluation in evaluator.evaluations:
            if evaluation.failed or evaluation.stopped or evaluation.index is None:
                continue
            scores = _fold_stopping.split_scores(
                evaluator.results, evaluator.metric, evaluation.index
            )
            self._stopping.add(None, scores, -1)

    def _finish_replayed(self, running):
        evaluation = running.replay
        if self._stopping is not None and not (evaluation.stopped or evaluation.failed):
            scores = _fold_stopping.split_scores(
                self.evaluator.results, self.evaluator.metric, evaluation.index
            )
            self._stopping.add(running.unit.rivals[0], scores, running.index)
        if running.unit.relabel:
            self.evaluator.relabel(running.replay.index, running.unit.columns)
        self._learn(running, running.replay)

    def _learn(self, running, evaluation):
        with self._lock:
            self.policy.finished([running.unit], [evaluation])
        if self.evaluator.should_stop():
            self._stop = True
        self._wake()  # waiting threads look for new work

    def _wake(self):
        with self._lock:
            ended, self._ended = self._ended, threading.Event()
        ended.set()

    def _more_results(self, running, finished):
        columns = {key: [value] for key, value in running.unit.columns.items()}
        if not self._batches:
            columns.update(start_time=[running.started], finish_time=[finished])
        if self._stopping is not None:
            columns[_fold_stopping.COLUMN] = [len(running.outs) or len(running.splits)]
            columns[_fold_stopping.PREDICTED] = [running.predicted]
        return columns

    def _final(self):
        """The last unit through scikit-learn, while the others finish."""
        with self._lock:
            running, self._last = self._last, None
            if self._stop or self._error is not None:
                running = None
        if running is not None:
            self.evaluator.before_rows(self._drain)
            columns = self._more_results(running, np.nan)
            evaluation = self.evaluator.evaluate(
                [running.unit.params], cv=running.unit.cv, more_results=columns
            )[0]
            self.evaluator.set_finish_time(evaluation.index)
            if self._stopping is not None and not evaluation.restored:
                self.evaluator.fits_run += len(self._folds(running.unit.cv))
            with self._lock:
                self.policy.finished([running.unit], [evaluation])
        self._drain()  # also when the last call failed or never ran
        for index in sorted(self._held):  # after a stop: units decided, not recorded
            held, finish = self._held.pop(index)
            finish(held)
        if self._error is not None:
            raise self._error
