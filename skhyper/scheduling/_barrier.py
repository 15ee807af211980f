"""The barrier driver: a policy's batches, one ``evaluate_candidates`` call each.

Every batch waits for its slowest fit before the next is taken, so the
policy sees the same results in the same order whatever the joblib backend:
the same seed gives the same rows.
"""

from skhyper.scheduling._policy import DONE, WAIT, columns_of

__all__ = ["run_batches"]


def run_batches(policy, evaluator, describe=None):
    """Evaluate ``policy``'s batches until it is done or a stopping rule fires.

    Parameters
    ----------
    policy : policy
        See :mod:`skhyper.scheduling._policy`.
    evaluator : Evaluator
        Runs the batches, keeps the record, applies the stopping rules.
    describe : callable, default=None
        ``describe(units)``: a line printed before each batch, or ``None``.
    """
    while not evaluator.should_stop():
        units = policy.take(None)
        if units is DONE:
            return
        if units is WAIT or not units:
            raise RuntimeError("A policy waited with nothing running.")
        if describe is not None:
            line = describe(units)
            if line:
                print(line, flush=True)
        evaluations = evaluator.evaluate(
            [unit.params for unit in units],
            cv=units[0].cv,
            more_results=columns_of(units),
        )
        for unit, evaluation in zip(units, evaluations):
            if unit.relabel and evaluation.restored:
                evaluator.relabel(evaluation.index, unit.columns)
        policy.finished(units, evaluations)
