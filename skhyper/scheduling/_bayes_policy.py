"""Bayesian optimization as a policy: ask the proposer, tell it the scores.

Under the barrier driver, each batch is ``n_points`` configurations asked
together (a pending batch is made diverse by the proposer's rule for pending
points); under the streaming driver, one configuration is asked whenever a
worker frees, with the configurations still running pending.

A search resumed from its own checkpoint asks again from the start and its
stored rows are replayed as they come up, so it ends as the uninterrupted
search would have. Earlier results of another search are told up front.
"""

import numpy as np

from skhyper.scheduling._policy import DONE, Unit

__all__ = ["BayesPolicy", "GridPolicy"]


class BayesPolicy:
    """Ask/tell over a proposer until ``budget`` evaluations.

    Parameters
    ----------
    proposer : proposer
        ``ask(n)``, ``tell(points, scores)`` and ``expected_improvement``.
    budget : int
        Evaluations of this search, restored ones included.
    batch_size : int
        Configurations asked together by ``take(None)``.
    earlier : list of Evaluation
        Earlier evaluations (restored or given).
    resumed : bool
        Whether ``earlier`` is this search's own checkpoint, replayed as the
        same proposals come up rather than told up front.
    n_restored : int
        Rows of ``cv_results_`` before this fit's first evaluation.
    note_expected_improvement : callable, default=None
        ``note(evaluations, values)``: the model's expected improvement of
        each configuration when it was proposed.
    """

    def __init__(self, proposer, budget, batch_size, earlier, resumed, n_restored,
                 note_expected_improvement=None):
        self.proposer = proposer
        self.budget = budget
        self.batch_size = batch_size
        self.n_restored = n_restored
        #: Distinct configurations of a finite space that ran out before the
        #: budget (``None`` while it has not).
        self.exhausted_at = None
        self._note = note_expected_improvement
        self._unreplayed = {}
        if resumed:
            self._unreplayed = {id(e): e for e in earlier if e.index is not None}
        _tell(proposer, [e for e in earlier if id(e) not in self._unreplayed])
        self._n_rows = n_restored
        self._running = 0
        self._n_taken = 0
        self._n_batches = 0
        self.n_units = max(0, budget - self._done)

    @property
    def _done(self):
        """Evaluations that count towards the budget."""
        return self._n_rows - len(self._unreplayed)

    def take(self, limit):
        if self.exhausted_at is not None:
            return DONE
        left = self.budget - self._done - self._running
        wanted = min(self.batch_size if limit is None else limit, left)
        if wanted <= 0:
            return DONE
        points = self.proposer.ask(wanted)
        if len(points) < wanted:
            self.exhausted_at = len(self.proposer.points) + len(self.proposer.pending)
            if not points:
                return DONE
        expected = self.proposer.expected_improvement(points) if (
            self._note is not None
        ) else [np.nan] * len(points)
        units = []
        for point, value in zip(points, expected):
            batch = self._n_batches if limit is None else self._n_taken
            units.append(Unit(point, columns={"batch": batch}, tag=value))
            self._n_taken += 1
        self._running += len(units)
        self._n_batches += 1
        units[-1].last = self._done + self._running >= self.budget
        return units

    def finished(self, units, evaluations):
        if self._note is not None:
            self._note(evaluations, [unit.tag for unit in units])
        self._running -= len(units)
        for e in evaluations:
            if self._unreplayed.pop(id(e), None) is None and not e.restored:
                self._n_rows += 1
        _tell(self.proposer, evaluations)
        if self._unreplayed and any(e.index >= self.n_restored for e in evaluations):
            # The proposals left the stored path (another n_iter, say): the
            # model learns the remaining stored rows at once.
            rest = list(self._unreplayed.values())
            self._unreplayed.clear()
            _tell(self.proposer, rest)


class GridPolicy:
    """Every configuration of a finite space not evaluated yet, in grid order.

    Parameters
    ----------
    points : list of dict
        The configurations, in ``ParameterGrid`` order.
    batch_size : int
        Configurations per batch.
    proposer : proposer
        Told every result, so that the search's model knows them.
    earlier : list of Evaluation, default=()
        Earlier evaluations, told up front.
    """

    def __init__(self, points, batch_size, proposer, earlier=()):
        self.points = list(points)
        self.batch_size = max(1, batch_size)
        self.proposer = proposer
        _tell(proposer, list(earlier))
        self.n_units = len(self.points)
        self._next = 0
        self._batch = 0

    def take(self, limit):
        size = self.batch_size if limit is None else limit
        chunk = self.points[self._next : self._next + size]
        if not chunk:
            return DONE
        self._next += len(chunk)
        units = [
            Unit(point, columns={"batch": self._batch if limit is None else i})
            for i, point in enumerate(chunk, start=self._next - len(chunk))
        ]
        units[-1].last = self._next >= len(self.points)
        self._batch += 1
        return units

    def finished(self, units, evaluations):
        _tell(self.proposer, evaluations)


def _tell(proposer, evaluations):
    if evaluations:
        proposer.tell([e.params for e in evaluations], [e.told for e in evaluations],
                      costs=[e.cost for e in evaluations])
