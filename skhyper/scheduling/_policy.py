"""The scheduler protocol: a policy says what to run next, a driver runs it.

Every search strategy (Bayesian batches or one configuration at a time,
successive halving, Hyperband, ASHA) is a *policy*: an object that hands out
:class:`Unit` objects (a configuration to evaluate on its folds) and learns
from their evaluations. It knows nothing of how fits execute. Two drivers run
any policy:

* the barrier driver (:mod:`skhyper.scheduling._barrier`) takes a whole batch
  (``policy.take(None)``), evaluates it through one call of scikit-learn's
  ``evaluate_candidates`` and reports it back: reproducible, the same rows in
  the same order for the same seed;
* the streaming driver (:mod:`skhyper.scheduling._streaming`) takes one unit
  at a time (``policy.take(1)``) whenever a worker frees and reports each
  unit as its last fold ends.

A policy implements::

    take(limit) -> list of Unit | WAIT | DONE
    finished(units, evaluations) -> None
    n_units -> int (at most this many units, for progress)

``take(None)`` asks for everything that should run together now (no unit is
running then); ``take(1)`` for the next unit while others may run. ``WAIT``
means work will come once running units finish; ``DONE`` that no more will.
A unit marked ``last`` is the last one the policy can ever hand out.
"""

__all__ = ["DONE", "WAIT", "Unit"]

#: What :meth:`take` returns when no work is ready yet, and when no more will be.
WAIT, DONE = "wait", "done"


class Unit:
    """One configuration to evaluate on its CV splits.

    Parameters
    ----------
    params : dict
        The configuration, as its ``cv_results_`` row will show it.
    cv : splitter or None, default=None
        The splitter of its folds (a halving rung's subsamples); ``None`` for
        the search's frozen folds.
    columns : dict, default=None
        Its values of the search's own ``cv_results_`` columns (``batch``,
        ``iter``, ...).
    relabel : bool, default=False
        Whether a restored evaluation of ``params`` takes ``columns`` (an
        earlier search's row reused at a rung).
    last : bool, default=False
        Whether no unit can follow it.
    tag : object, default=None
        What the policy needs to know about it when it finishes.

    Attributes
    ----------
    rivals : tuple
        ``(group, cut)``: with fold stopping, the unit is compared with the
        ``cut``-th best complete unit of the same ``group`` (``(None, 1)``:
        the incumbent; a halving rung and the candidates it promotes).
    """

    def __init__(self, params, cv=None, columns=None, relabel=False, last=False,
                 tag=None):
        self.params = params
        self.cv = cv
        self.columns = dict(columns or {})
        self.relabel = relabel
        self.last = last
        self.tag = tag
        self.rivals = (None, 1)


def columns_of(units):
    """``{column: [value per unit]}`` of units that share the same columns."""
    keys = units[0].columns if units else {}
    return {key: [unit.columns[key] for unit in units] for key in keys}
