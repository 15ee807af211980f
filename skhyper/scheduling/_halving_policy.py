"""Successive halving, Hyperband and ASHA as one policy: brackets of rungs.

A *bracket* is one run of successive halving: a *rung* evaluates its
candidates with some resource (samples, or an estimator parameter such as
``n_estimators``), and the best ``1 / factor`` of them are promoted to the
next rung, which gives them ``factor`` times more. Hyperband runs several
brackets that trade the number of candidates against the resource of the
first rung; successive halving is one bracket.

Under the barrier driver (``take(None)``), each batch is the next rung of
every running bracket, and one more bracket starts with every batch: the
synchronous searches. Under the streaming driver (``take(1)``), a freed
worker takes, in this order, a queued candidate of the highest resource
(longest fits first), a new candidate of the bottom rung of a started
bracket, or the first candidate of the next bracket (proposed then, from
the results so far); brackets do not wait for each other.

Promotions out of a rung are made when it is complete (every candidate of
the synchronous search's, with a grid or random proposer and an integer
seed) or, with ``asha=True`` (Li et al., 2020), as soon as a candidate is
among the best ``1 / factor`` of the results its rung has so far (at most
``floor(done / factor)`` while the rung runs); each rung still ends with
the planned counts.

Li, L., Jamieson, K., Rostamizadeh, A., Gonina, E., Ben-tzur, J., Hardt, M.,
Recht, B. and Talwalkar, A., "A System for Massively Parallel
Hyperparameter Tuning", MLSys 2020.
"""

import numpy as np

from skhyper.scheduling._policy import DONE, WAIT, Unit
from skhyper.scheduling._promotion import best_first

__all__ = ["HalvingPolicy"]


class _Rung:
    def __init__(self, resource):
        self.resource = resource
        self.queue = []  # candidates (without resource) waiting for a worker
        self.n_entered = 0
        self.in_flight = 0
        self.done = []  # (params, score, failed), in finishing order
        self.promoted = set()  # positions in ``done``
        self.closed = False  # complete, and its promotions made


class _Bracket:
    def __init__(self, number, schedule):
        self.number = number
        self.counts = list(schedule.n_candidates)
        self.rungs = [_Rung(r) for r in schedule.n_resources]

    def expected(self, k):
        """Candidates rung ``k`` will have: known once the rung below closed."""
        if k == 0 or self.rungs[k - 1].closed:
            return self.rungs[k].n_entered
        return self.counts[k]


class HalvingPolicy:
    """Brackets of rungs, each promoting its best candidates.

    Parameters
    ----------
    brackets : list of HalvingSchedule
        The planned brackets, started in this order.
    proposer : proposer
        Where each bracket's candidates come from: ``ask(n)``, and
        ``tell(points, scores, resource)`` of every finished evaluation.
    rung_cv : callable
        ``rung_cv(resource)``: the splitter of a rung (``None``: the frozen
        folds).
    with_resource : callable
        ``with_resource(candidate, resource)``: the configuration a rung fits.
    n_promoted : callable
        ``n_promoted(counts, k, n)``: candidates a bracket planned as
        ``counts`` promotes out of rung ``k`` when ``n`` were evaluated there.
    factor : float
        The halving factor (ASHA's early promotions).
    columns : tuple of str
        The search's own ``cv_results_`` columns, among ``"bracket"``,
        ``"iter"`` and ``"n_resources"``.
    asha : bool, default=False
        Promote as results come rather than when a rung is complete.
    relabel : bool, default=False
        Whether an earlier search's rows reused at a rung take its labels.
    eliminated : callable, default=None
        ``eliminated(candidates)``, told of the candidates a closed rung does
        not promote.
    """

    def __init__(self, brackets, proposer, rung_cv, with_resource, n_promoted,
                 factor, columns, asha=False, relabel=False, eliminated=None):
        self.schedules = brackets
        self.proposer = proposer
        self.rung_cv = rung_cv
        self.with_resource = with_resource
        self.n_promoted = n_promoted
        self.factor = factor
        self.columns = columns
        self.asha = asha
        self.relabel = relabel
        self.eliminated = eliminated
        self.brackets = []
        self.n_units = sum(b.n_evaluations for b in brackets)
        self._cvs = {}

    # -- what the search reads afterwards ----------------------------------------

    def rungs_run(self):
        """For each bracket started, ``(resource, candidates)`` of its rungs run."""
        return [
            [(rung.resource, len(rung.done)) for rung in bracket.rungs if rung.done]
            for bracket in self.brackets
        ]

    def n_remaining(self, number=0):
        """Candidates promoted (or promotable) out of a bracket's last rung run."""
        bracket = self.brackets[number]
        ran = [k for k, rung in enumerate(bracket.rungs) if rung.done]
        if not ran:
            return 0
        k = ran[-1]
        rung = bracket.rungs[k]
        if rung.closed and k + 1 < len(bracket.rungs):
            return len(rung.promoted)
        ok = sum(not failed for _, _, failed in rung.done)
        return min(ok, self.n_promoted(bracket.counts, k, len(rung.done)))

    # -- the policy ----------------------------------------------------------------

    def take(self, limit):
        self._settle()
        if limit is None:
            return self._take_batch()
        taken = self._queued()
        while taken is None and len(self.brackets) < len(self.schedules):
            self._start_bracket()
            taken = self._queued()
        if taken is None:
            busy = any(r.in_flight for b in self.brackets for r in b.rungs)
            return WAIT if busy else DONE
        unit = self._unit(*taken)
        unit.last = self._is_last()
        return [unit]

    def _take_batch(self):
        """The next rung of every running bracket, and one new bracket's first."""
        if len(self.brackets) < len(self.schedules):
            self._start_bracket()
        units = []
        while True:
            for bracket in self.brackets:
                for k, rung in enumerate(bracket.rungs):
                    while rung.queue:
                        rung.in_flight += 1
                        units.append(self._unit(bracket, k, rung.queue.pop(0)))
            if units or len(self.brackets) == len(self.schedules):
                break
            self._start_bracket()  # one that had no candidate to propose
        if not units:
            return DONE
        if len({id(unit.cv) for unit in units}) > 1:
            raise RuntimeError("A batch of rungs with different resources.")
        return units

    def finished(self, units, evaluations):
        for unit, evaluation in zip(units, evaluations):
            bracket, k, params = unit.tag
            rung = bracket.rungs[k]
            rung.in_flight -= 1
            # a candidate stopped before its last fold is never promoted
            failed = evaluation.failed or getattr(evaluation, "stopped", False)
            rung.done.append((params, evaluation.score, failed))
            self.proposer.tell([params], [evaluation.told], rung.resource)
        self._settle()

    # -- taking work -------------------------------------------------------------

    def _start_bracket(self):
        schedule = self.schedules[len(self.brackets)]
        bracket = _Bracket(len(self.brackets), schedule)
        first = bracket.rungs[0]
        first.queue = list(self.proposer.ask(schedule.n_candidates[0]))
        first.n_entered = len(first.queue)
        self.brackets.append(bracket)

    def _queued(self):
        """``(bracket, rung, candidate)`` of the highest resource queued."""
        best = None
        for bracket in self.brackets:
            for k, rung in enumerate(bracket.rungs):
                if rung.queue and (best is None or rung.resource > best[2]):
                    best = (bracket, k, rung.resource)
        if best is None:
            return None
        bracket, k, _ = best
        rung = bracket.rungs[k]
        rung.in_flight += 1
        return bracket, k, rung.queue.pop(0)

    def _is_last(self):
        """Whether no work can follow the unit just taken (a top rung's)."""
        if len(self.brackets) < len(self.schedules):
            return False
        return all(
            not rung.queue and (rung.closed or k == len(bracket.rungs) - 1)
            for bracket in self.brackets
            for k, rung in enumerate(bracket.rungs)
        )

    def _unit(self, bracket, k, params):
        resource = bracket.rungs[k].resource
        if resource not in self._cvs:
            self._cvs[resource] = self.rung_cv(resource)
        labels = {"bracket": bracket.number, "iter": k, "n_resources": resource}
        unit = Unit(
            self.with_resource(params, resource), cv=self._cvs[resource],
            columns={key: labels[key] for key in self.columns},
            relabel=self.relabel, tag=(bracket, k, params),
        )
        # Fold stopping: a candidate that cannot reach the rung's promotion cut.
        top = k + 1 == len(bracket.rungs)
        cut = 1 if top else self.n_promoted(bracket.counts, k, bracket.expected(k))
        unit.rivals = ((bracket.number, k), max(1, cut))
        return unit

    # -- promotions ---------------------------------------------------------------

    def _settle(self):
        """Close complete rungs (their promotions made); ASHA's early promotions."""
        for bracket in self.brackets:
            for k, rung in enumerate(bracket.rungs):
                if rung.closed:
                    continue
                below_closed = k == 0 or bracket.rungs[k - 1].closed
                if below_closed and not rung.queue and not rung.in_flight:
                    self._promote(bracket, k, complete=True)
                    rung.closed = True
                    self._forget_eliminated(bracket, k)
                elif self.asha:
                    self._promote(bracket, k, complete=False)

    def _promote(self, bracket, k, complete):
        if k + 1 >= len(bracket.rungs) or not bracket.rungs[k].done:
            return
        rung = bracket.rungs[k]
        n_done = len(rung.done)
        if complete:
            allowed = self.n_promoted(bracket.counts, k, n_done)
        else:
            final = self.n_promoted(bracket.counts, k, bracket.expected(k))
            allowed = min(final, int(n_done // self.factor))
        if len(rung.promoted) >= allowed:
            return
        params, scores, failed = zip(*rung.done)
        order = best_first(np.array(scores, dtype=float), failed, params)
        for i in order[:allowed]:
            if i not in rung.promoted and len(rung.promoted) < allowed:
                rung.promoted.add(i)
                bracket.rungs[k + 1].queue.append(params[i])
                bracket.rungs[k + 1].n_entered += 1

    def _forget_eliminated(self, bracket, k):
        if self.eliminated is None:
            return
        rung = bracket.rungs[k]
        top = k + 1 == len(bracket.rungs)
        self.eliminated([
            p for i, (p, _, _) in enumerate(rung.done) if top or i not in rung.promoted
        ])
