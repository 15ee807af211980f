"""Every difference between supported scikit-learn releases, in one place.

It is also the only module that imports private scikit-learn names.

scikit-learn 1.9 added a callback API: ``BaseSearchCV.fit`` passes a
``callback_ctx`` to ``_run_search`` and ``evaluate_candidates`` accepts one.
Older releases pass nothing and reject the keyword. The helpers below take a
context that is ``None`` on those releases and do the right thing on both.
"""

import sklearn

# The only private scikit-learn names skhyper uses, all part of subclassing
# BaseSearchCV: the base class itself and the parameter-constraint vocabulary
# of ``_parameter_constraints``. tests/test_compat.py fails if another
# private import appears anywhere in skhyper.
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "close_task",
    "evaluate",
    "is_all_fits_failed_error",
    "open_task",
    "with_estimator_data_tags",
]


def open_task(parent_ctx, estimator, task_name, max_subtasks, sequential=True):
    """Open a callback sub-task, or return ``None`` without a callback context.

    Parameters
    ----------
    parent_ctx : CallbackContext or None
        The context scikit-learn handed to ``_run_search`` (``None`` on
        releases without callbacks) or one returned by this function with
        ``sequential=True``.
    estimator : estimator
        The search, reported to the callbacks as the task's owner.
    task_name : str
        Name shown by callbacks such as ``ProgressBar``.
    max_subtasks : int or None
        Upper bound on the number of children, ``None`` when unknown.
    sequential : bool, default=True
        Whether children are numbered automatically in order.
    """
    if parent_ctx is None:
        return None
    # Every context skhyper opens children under numbers them in order.
    ctx = parent_ctx.subcontext(
        task_name=task_name,
        max_subtasks=max_subtasks,
        sequential_subtasks=sequential,
    )
    return ctx.call_on_fit_task_begin(estimator=estimator)


def close_task(ctx, estimator):
    """Close a task opened by :func:`open_task` (no-op for ``None``)."""
    if ctx is not None:
        ctx.call_on_fit_task_end(estimator=estimator)


def evaluate(evaluate_candidates, candidates, *, cv, more_results, callback_ctx):
    """Call scikit-learn's ``evaluate_candidates`` with what this release accepts."""
    kwargs = {"cv": cv, "more_results": more_results}
    if callback_ctx is not None:
        kwargs["callback_ctx"] = callback_ctx
    return evaluate_candidates(candidates, **kwargs)


def is_all_fits_failed_error(exc):
    """Whether ``exc`` is scikit-learn's "All the N fits failed" error.

    ``evaluate_candidates`` raises it, instead of returning results, when every
    fit of a batch failed with ``error_score`` other than ``"raise"``.
    """
    message = str(exc)
    return isinstance(exc, ValueError) and "fits failed" in message and (
        message.lstrip().startswith("All the")
    )


def with_estimator_data_tags(tags, search):
    """Tags of a search, with the data its estimator accepts (scikit-learn >= 1.6).

    The search hands data to the estimator untouched: whatever targets and
    missing values the estimator takes, the search takes. ``BaseSearchCV``
    does not say so. Releases before 1.6 use ``_more_tags`` instead, where
    ``BaseSearchCV`` marks the multi-output check as an expected failure.
    """
    from sklearn.utils import get_tags  # added with __sklearn_tags__ in 1.6

    inner = get_tags(search.estimator)
    tags.target_tags.multi_output = inner.target_tags.multi_output
    tags.input_tags.allow_nan = inner.input_tags.allow_nan
    return tags
