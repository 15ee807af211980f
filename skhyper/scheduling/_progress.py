"""Progress and stopping: what the callbacks see, the lines ``verbose`` prints.

After every batch (or every configuration, when they stream), the stopping
rules (``callbacks`` and ``max_time``) see a
:class:`~skhyper.callbacks.SearchProgress`; the first one that fires ends
the search. At ``verbose=1`` a line is printed when the best score improves,
from ``verbose=2`` after every batch, and a summary at the end.
"""

import numpy as np

from skhyper.callbacks import DeadlineStopper, SearchProgress, stop_reason

__all__ = ["Progress", "best_of"]


def best_of(evaluations, scores=None):
    """The evaluation with the best finite score (the first of ties), or ``None``.

    Candidates stopped before their last fold never are.
    """
    if scores is None:
        scores = np.array([e.score for e in evaluations], dtype=float)
    finite = np.isfinite(scores) & ~np.array(
        [getattr(e, "stopped", False) for e in evaluations], dtype=bool
    )
    if not finite.any():
        return None
    return evaluations[int(np.argmax(np.where(finite, scores, -np.inf)))]


class Progress:
    """Reports a search's progress and applies its stopping rules.

    Parameters
    ----------
    search : BaseModelSearchCV
        The search: its name, ``verbose``, ``callbacks`` and ``max_time``.
    total : int or None
        Expected number of evaluations, for the estimate of the time left.
    """

    def __init__(self, search, total):
        self.name = type(search).__name__
        self.verbose = search.verbose
        self.total = total
        self.stop_reason = None
        self._stoppers = _stoppers(search)
        self._reported_best = None
        self._expected_improvement = {}  # row -> the model's EI when proposed

    @property
    def watched(self):
        """Whether a stopping rule reads the progress (else nobody needs the
        expected improvement, nor a snapshot between batches)."""
        return bool(self._stoppers)

    def note_expected_improvement(self, evaluations, values):
        """Record the model's expected improvement of each evaluation (Bayes)."""
        for evaluation, value in zip(evaluations, values):
            if evaluation.index is not None:
                self._expected_improvement[evaluation.index] = float(value)

    def snapshot(self, evaluations, results, elapsed, last_batch_time):
        """A :class:`~skhyper.callbacks.SearchProgress` of these evaluations."""
        scores = np.array([e.score for e in evaluations], dtype=float)
        best = best_of(evaluations, scores)
        notes = self._expected_improvement
        return SearchProgress(
            n_evaluated=len(evaluations),
            elapsed=elapsed,
            last_batch_time=last_batch_time,
            scores=scores,
            best_score=best.score if best is not None else np.nan,
            best_params=best.params if best is not None else None,
            cv_results=results,
            expected_improvement=np.array(
                [notes.get(i, np.nan) for i in range(len(evaluations))]
            ) if notes else None,
        )

    def should_stop(self, progress):
        """Whether a stopping rule fires on ``progress`` (then it is remembered)."""
        if self.stop_reason is not None:
            return True
        for stopper in self._stoppers:
            if stopper(progress):
                self.stop_reason = stop_reason(stopper, progress)
                if self.verbose > 0:
                    print(f"[{self.name}] stopped by {self.stop_reason}")
                return True
        return False

    def report(self, progress, metric, n_batches, n_new):
        """The line after a batch; ``n_new`` rows were evaluated in this fit."""
        if self.verbose <= 0:
            return
        improved = np.isfinite(progress.best_score) and (
            self._reported_best is None or progress.best_score > self._reported_best
        )
        if improved:
            self._reported_best = progress.best_score
        elif self.verbose == 1:
            return
        line = (
            f"[{self.name}] batch {n_batches}: {progress.n_evaluated}"
            + (f"/{self.total}" if self.total else "")
            + f" evaluated, best {metric} {progress.best_score:.4g}, "
            f"{progress.elapsed:.1f} s elapsed"
        )
        if self.total and n_new and progress.n_evaluated < self.total:
            left = progress.elapsed / n_new * (self.total - progress.n_evaluated)
            line += f", ~{left:.0f} s left"
        print(line, flush=True)

    def summary(self, progress, metric, n_batches, fits_saved=(0, 0)):
        """The last line, from ``verbose=1``; ``fits_saved``: fold fits that
        fold stopping left out, of those planned."""
        if self.verbose <= 0 or not progress.n_evaluated:
            return
        line = (
            f"[{self.name}] done: {progress.n_evaluated} evaluated in "
            f"{n_batches} batches, {progress.elapsed:.1f} s"
        )
        if np.isfinite(progress.best_score):
            line += f", best {metric} {progress.best_score:.4g}"
        if self.stop_reason is not None:
            line += f", stopped by {self.stop_reason}"
        saved, planned = fits_saved
        if planned:
            line += f", {saved} of {planned} fold fits saved by fold_stopping"
        print(line, flush=True)


def _stoppers(search):
    stoppers = search._stopping_rules()
    if search.max_time is not None:
        stoppers.append(DeadlineStopper(search.max_time))
    return stoppers
