"""Asynchronous successive halving and Hyperband: no step waits for the others.

The synchronous searches evaluate a rung (Hyperband: one rung of every
running bracket) as one call, and the next starts when its slowest fit ends.
Here fold fits are dispatched as workers free (:class:`AsyncEvaluations`),
and each bracket moves on by itself:

* ``asynchronous=True``: a rung's promotions still wait for the whole rung,
  so the promotions are those of the synchronous search (the same
  candidates, with a grid or random proposer and an integer
  ``random_state``), but brackets do not wait for each other, and a freed
  worker takes a fit of any bracket.
* ``asynchronous="asha"`` (Li et al., 2020): a candidate is promoted as
  soon as it is among the best ``1 / factor`` of the results its rung has
  so far (at most ``floor(done / factor)`` promoted while the rung runs),
  and the rung's remaining promotions are made when it completes. Each rung
  ends with the synchronous counts; which candidates are promoted depends on
  the order fits finish.

A freed worker takes, in this order: a queued candidate of the highest
resource (longest fits first, best candidates' results first), a new
candidate of the bottom rung of a started bracket, the first candidate of
the next bracket (proposed then, from the results so far), and otherwise
waits a moment. Brackets start in the schedule's order, the boldest first:
its chain of rungs is the longest, and starting every bracket at once
(longest fits first) measured worse, 0.85 against 1.00 utilisation on 8
threads and 0.72 against 0.84 on 16 (``benchmarks/halving_utilisation.py``). The last unit that can ever be taken (at a top rung, with
every other rung complete) goes through scikit-learn's
``evaluate_candidates``.

Li, L., Jamieson, K., Rostamizadeh, A., Gonina, E., Ben-tzur, J., Hardt, M.,
Recht, B. and Talwalkar, A., "A System for Massively Parallel
Hyperparameter Tuning", MLSys 2020.
"""

import numpy as np

from skhyper.scheduling._streaming import DONE, WAIT, AsyncEvaluations, Unit
from skhyper.scheduling._promotion import all_folds_failed, best_first

__all__ = ["AsyncHalving"]


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


class AsyncHalving(AsyncEvaluations):
    """Runs a halving search's brackets, each at its own pace.

    Parameters
    ----------
    search : SuccessiveHalvingSearchCV or HyperbandSearchCV
        The search being fitted.
    evaluator : Evaluator
        Its evaluator.
    brackets : list of HalvingSchedule
        The planned brackets, started in this order.
    proposer : proposer
        Where each bracket's candidates come from.
    rung_cv : callable
        ``rung_cv(n_resources)``: the splitter of a rung.
    plan : WarmStartPlan or None
        Told which candidates are eliminated, to drop their fold models.
    asha : bool
        Promote as results come (ASHA) rather than when a rung is complete.
    """

    def __init__(self, search, evaluator, brackets, proposer, rung_cv, plan, asha):
        super().__init__(search, evaluator, sum(b.n_evaluations for b in brackets))
        self.schedules = brackets
        self.proposer = proposer
        self.rung_cv = rung_cv
        self.plan = plan
        self.asha = asha
        self.brackets = []
        self._splits = {}
        self._n_taken = 0
        self._last = None

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
        return min(ok, self.search._n_promoted(bracket.counts, k, len(rung.done)))

    # -- taking work (joblib's threads, under the lock) --------------------------

    def _take(self):
        self._settle()
        taken = self._queued()
        while taken is None and len(self.brackets) < len(self.schedules):
            self._start_bracket()
            taken = self._queued()
        if taken is None:
            busy = any(r.in_flight for b in self.brackets for r in b.rungs)
            return WAIT if busy else DONE
        unit = self._unit(*taken)
        unit.replay = self.evaluator.replayed(unit.params, unit.more)
        if unit.replay is None and self._is_last():
            self._last = unit
            return DONE
        return unit

    def _take_final(self):
        unit, self._last = self._last, None
        return None if self._stop else unit

    def _start_bracket(self):
        schedule = self.schedules[len(self.brackets)]
        bracket = _Bracket(len(self.brackets), schedule)
        first = bracket.rungs[0]
        first.queue = list(
            self.proposer.propose(schedule.n_candidates[0], self.search._history)
        )
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
        if resource not in self._splits:
            cv = self.rung_cv(resource)
            self._splits[resource] = (self.splits_of(cv), cv)
        splits, cv = self._splits[resource]
        labels = {"bracket": bracket.number, "iter": k, "n_resources": resource}
        index, self._n_taken = self._n_taken, self._n_taken + 1
        return Unit(
            self.search._with_resource(params, resource), index,
            self.evaluator.elapsed, splits, cv,
            more={key: labels[key] for key in self.search._replay_columns},
            tag=(bracket, k, params),
        )

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
            allowed = self.search._n_promoted(bracket.counts, k, n_done)
        else:
            final = self.search._n_promoted(bracket.counts, k, bracket.expected(k))
            allowed = min(final, int(n_done // self.search.factor))
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
        if self.plan is None:
            return
        rung = bracket.rungs[k]
        top = k + 1 == len(bracket.rungs)
        self.plan.forget(
            [p for i, (p, _, _) in enumerate(rung.done) if top or i not in rung.promoted]
        )

    # -- results (the fitting thread, under the lock) ------------------------------

    def _record(self, unit, evaluation):
        bracket, k, params = unit.tag
        rung = bracket.rungs[k]
        rung.in_flight -= 1
        failed = not np.isfinite(evaluation.score) or self._all_failed(evaluation)
        rung.done.append((params, evaluation.score, failed))
        self.search._history.append((params, evaluation.score, rung.resource))

    def _all_failed(self, evaluation):
        results = self.evaluator.results
        if results is None or evaluation.index is None:
            return True
        return bool(all_folds_failed(
            results, self.evaluator.metric, self.search.error_score,
            [evaluation.index],
        )[0])
