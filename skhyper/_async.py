"""Asynchronous scheduling: a new candidate as soon as a worker frees.

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
"""

import copy
import threading

import numpy as np
from joblib import delayed, effective_n_jobs
from sklearn.base import clone

from skhyper import _compat, _results
from skhyper._evaluator import optimized_metric

__all__ = ["AsyncScheduler"]

#: Columns the asynchronous search adds to ``cv_results_``: seconds from the
#: start of the search to the dispatch of a candidate's first fold and to the
#: end of its last.
TIME_COLUMNS = ("start_time", "finish_time")


def _fit_fold(candidate, split, fit_and_score, args, kwargs):
    """One fold fit, tagged with its candidate and split (runs in a worker)."""
    return candidate, split, fit_and_score(*args, **kwargs)


class _Running:
    """A dispatched candidate whose folds are not all back."""

    def __init__(self, params, index, started):
        self.params = params
        self.index = index
        self.started = started
        self.outs = {}


class AsyncScheduler:
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
        self.search = search
        self.evaluator = evaluator
        self.optimizer = optimizer
        self.budget = budget
        self.first_index = first_index
        self._lock = threading.Lock()
        self._n_asked = 0
        self._stop = False
        self._exhausted = threading.Event()
        self._error = None
        self._running = {}
        self._outs = []
        self._scores = []  # mean test scores of the configurations fitted here
        self._results_iter = None

    def run(self):
        """Evaluate the budget; return ``False`` (nothing done) if not supported."""
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
        splitter = _compat.splitter_params(self.search, X, params)
        splits = list(self.evaluator.cv.split(X, y, **splitter))
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
        self._splits = splits
        self._task = _compat.open_task(
            self.evaluator.callback_task, self.search, "asynchronous",
            self.budget * len(splits), sequential=False,
        )
        # Every fold's callback context is made now, before any task is
        # pickled: making one registers it with its parent, whose registry a
        # task being pickled meanwhile would be reading.
        self._contexts = [
            _compat.fold_context(self._task, i) if self._with_callbacks else None
            for i in range(self.budget * len(splits))
        ]
        try:
            if self.budget > 1:
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

    # -- dispatch (joblib's threads) --------------------------------------------

    def _tasks(self):
        fit_and_score, estimator, X, y, kwargs = self._fold_args
        n_splits = len(self._splits)
        while True:
            candidate = self._ask()
            if candidate is None:
                self._exhausted.set()
                return
            for split, (train, test) in enumerate(self._splits):
                if self._with_callbacks:
                    task_id = (candidate.index - self.first_index) * n_splits + split
                    kwargs["callback_ctx"] = self._contexts[task_id]
                yield delayed(_fit_fold)(
                    candidate.index, split, fit_and_score,
                    (clone(estimator), X, y),
                    dict(
                        kwargs, train=train, test=test, parameters=candidate.params,
                        split_progress=(split, n_splits),
                        candidate_progress=(candidate.index, self.budget),
                    ),
                )

    def _ask(self, last=False):
        """A new running candidate, or ``None`` when the search must not start one.

        All but the last candidate of the budget are asked by the generator;
        the last one (``last=True``) by the final ``evaluate_candidates`` call.
        """
        with self._lock:
            limit = self.budget if last else self.budget - 1
            if self._stop or self._error is not None or self._n_asked >= limit:
                return None
            try:
                points = self.optimizer.ask(1)
            except BaseException as exc:  # re-raised in the fitting thread
                self._error = exc
                return None
            if not points:
                return None
            index = self.first_index + self._n_asked
            self._n_asked += 1
            candidate = _Running(points[0], index, self.evaluator.elapsed)
            self._running[index] = candidate
            return candidate

    # -- collection (the fitting thread) ----------------------------------------

    def _next_result(self):
        """Collect one finished fold fit; ``False`` when none is left."""
        if self._results_iter is None:
            return False
        item = next(self._results_iter, None)
        if item is None:
            self._results_iter = None
            if self._error is not None:
                raise self._error
            return False
        index, split, out = item
        candidate = self._running[index]
        candidate.outs[split] = out
        if len(candidate.outs) == len(self._splits):
            del self._running[index]
            self._finish(candidate)
        return True

    def _drain(self):
        while self._next_result():
            pass

    def _finish(self, candidate):
        outs = [candidate.outs[s] for s in range(len(self._splits))]
        self._outs.extend(outs)
        finished = self.evaluator.elapsed
        rows = _compat.format_fold_results(
            self.search, [candidate.params], len(self._splits), outs,
            self._more_results(candidate, finished),
        )
        rows = _results.infinite_means_as_failures(rows)
        metric = optimized_metric(self.search.refit, rows)
        score = float(rows[f"mean_test_{metric}"][0])
        self._scores.append(score)
        self.evaluator.add_finished(rows, finished - candidate.started)
        with self._lock:
            self.optimizer.tell([candidate.params], [score])
        if self.evaluator.should_stop():
            self._stop = True

    @staticmethod
    def _more_results(candidate, finished):
        return {
            "batch": [candidate.index],
            "start_time": [candidate.started],
            "finish_time": [finished],
        }

    def _final(self):
        """The last candidate through scikit-learn, while the others finish."""
        candidate = self._ask(last=True)
        if candidate is not None:
            del self._running[candidate.index]
            self.evaluator.before_merge(self._drain)
            more = self._more_results(candidate, np.nan)
            self.evaluator.evaluate([candidate.params], more_results=more)
            self.evaluator.set_finish_time(self.evaluator.evaluations[-1].index)
            with self._lock:
                self.optimizer.tell(
                    [candidate.params], [self.evaluator.evaluations[-1].score]
                )
        self._drain()  # also when the last call failed or never ran
        if self._error is not None:
            raise self._error

