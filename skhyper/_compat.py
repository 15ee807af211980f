"""Every difference between supported scikit-learn releases, in one place.

It is also the only module that imports private scikit-learn names.

scikit-learn 1.9 added a callback API: ``BaseSearchCV.fit`` passes a
``callback_ctx`` to ``_run_search`` and ``evaluate_candidates`` accepts one.
Older releases pass nothing and reject the keyword. The helpers below take a
context that is ``None`` on those releases and do the right thing on both.

scikit-learn 1.5 gives the ``param_<name>`` columns of ``cv_results_`` the
values' dtype where 1.4 gives them ``object``; :func:`param_columns` builds
them as the installed release does (:data:`TYPED_PARAM_COLUMNS`), so that rows skhyper joins (restored
from a checkpoint, reused from an earlier search) read like scikit-learn's.

scikit-learn 1.10 keeps only the last iteration of its halving searches in
``cv_results_`` and moves the whole history to ``all_cv_results_``
(scikit-learn PR #34250). :data:`HALVING_LAST_ITERATION_ONLY` says which
meaning the installed release has; :func:`search_history` reads the history
of any fitted search on every release.
"""

import sklearn

# The only private scikit-learn names skhyper uses, all part of subclassing
# BaseSearchCV: the base class itself and the parameter-constraint vocabulary
# of ``_parameter_constraints``. tests/test_compat.py fails if another
# private import appears anywhere in skhyper.
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.fixes import parse_version

#: Private attributes of scikit-learn classes that skhyper's searches define
#: or call outside this module, each because subclassing ``BaseSearchCV``
#: requires it:
#:
#: * ``_run_search``: the search strategy; ``BaseSearchCV.fit`` calls it.
#: * ``_format_results``: ``evaluate_candidates`` builds ``cv_results_``
#:   through it; skhyper adds restored rows and failed batches.
#: * ``_parameter_constraints``: the declared parameter validation that
#:   ``fit`` runs (extended by every search).
#: * ``_get_scorers``: ``BaseSearchCV.fit`` builds the scorers of every fold
#:   fit through it; with ``early_stopping`` each fold's best number of
#:   rounds travels back from the workers inside the fold's scores
#:   (``skhyper.boosting._early_stopping``). The 1.4 signature takes
#:   ``convert_multimetric``; the override passes arguments through.
#: * ``_select_best_index``: ``BaseSearchCV.fit`` picks the row to refit
#:   through it, before refitting; the halving searches choose among the
#:   evaluations with the most resource (scikit-learn's own halving searches
#:   override it for the same reason). No public parameter can do this: a
#:   callable ``refit`` belongs to the user.
#:
#: Any other private scikit-learn method or attribute is reached through a
#: function of this module. tests/test_compat.py scans every skhyper module.
BASE_SEARCH_HOOKS = frozenset(
    {"_run_search", "_format_results", "_parameter_constraints", "_select_best_index",
     "_get_scorers"}
)

__all__ = [
    "BASE_SEARCH_HOOKS",
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "HALVING_LAST_ITERATION_ONLY",
    "close_task",
    "evaluate",
    "is_all_fits_failed_error",
    "open_task",
    "param_columns",
    "TYPED_PARAM_COLUMNS",
    "search_history",
    "validate_params",
    "with_estimator_data_tags",
]


#: Whether the installed scikit-learn's halving searches keep only the last
#: iteration in ``cv_results_`` (1.10 and later).
HALVING_LAST_ITERATION_ONLY = parse_version(
    parse_version(sklearn.__version__).base_version
) >= parse_version("1.10")


#: Whether the installed scikit-learn types the ``param_<name>`` columns of
#: ``cv_results_`` by their values (1.5 and later) rather than ``object``.
TYPED_PARAM_COLUMNS = parse_version(
    parse_version(sklearn.__version__).base_version
) >= parse_version("1.5")


def param_columns(candidate_params):
    """The ``param_<name>`` masked columns of ``cv_results_`` for these points.

    Names in order of first appearance, a value masked where a point lacks
    the name. From scikit-learn 1.5 a column takes the dtype numpy infers from
    its values, except that strings, and sequences that would make it 2-D,
    stay ``object``; scikit-learn 1.4 makes every column ``object``.
    """
    import numpy as np

    values = {}
    for index, point in enumerate(candidate_params):
        for name, value in point.items():
            values.setdefault(f"param_{name}", {})[index] = value
    columns = {}
    for key, by_index in values.items():
        column = np.ma.MaskedArray(
            np.empty(len(candidate_params), dtype=_column_dtype(list(by_index.values()))),
            mask=True,
        )
        for index, value in by_index.items():
            column[index] = value
        columns[key] = column
    return columns


def _column_dtype(values):
    import numpy as np

    if not TYPED_PARAM_COLUMNS:
        return np.dtype(object)
    try:
        inferred = np.array(values)
    except ValueError:  # sequences of different lengths
        return np.dtype(object)
    if inferred.dtype.kind == "U" or inferred.ndim != 1:
        return np.dtype(object)
    return inferred.dtype


def search_history(search):
    """Every evaluation of a fitted search: ``all_cv_results_`` if it has one
    (halving searches from scikit-learn 1.10, skhyper's on every release),
    else ``cv_results_``."""
    history = getattr(search, "all_cv_results_", None)
    return search.cv_results_ if history is None else history


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


def validate_params(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    What ``fit`` does first on every supported release (through the private
    ``BaseEstimator._validate_params``), for methods that must validate
    without fitting, such as the halving searches' ``schedule``.

    Parameters
    ----------
    estimator : BaseEstimator
        An estimator declaring ``_parameter_constraints``.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        A ``ValueError`` and ``TypeError`` naming the first invalid parameter.
    """
    estimator._validate_params()


# -- Asynchronous evaluation (skhyper.scheduling._streaming) ---------------------------------

import warnings  # noqa: E402  (this section's own imports)
from functools import partial  # noqa: E402

import numpy as np  # noqa: E402

#
# ``BaseSearchCV.fit`` runs fold fits only through ``evaluate_candidates``,
# one whole batch at a time, and returns nothing before every fit of the batch
# has finished. The asynchronous Bayesian search dispatches fold fits itself,
# one candidate as soon as a worker frees, with the arguments scikit-learn
# would pass. That needs these private names; each is imported lazily, and
# ``fold_fitter`` raises ``NotImplementedError`` on a release where one is
# missing or different, in which case the search runs synchronous batches.

_FIT_AND_SCORE_KEYWORDS = {
    "scorer", "train", "test", "parameters", "fit_params", "score_params",
    "return_train_score", "return_n_test_samples", "return_times",
    "error_score", "verbose",
}


def fold_fitter(search, X, y, params):
    """The function and fixed arguments scikit-learn uses for one fold fit.

    What ``BaseSearchCV.fit`` computes before its first batch: the scorers,
    the metadata routed to the estimator's ``fit`` and to the scorers, and
    ``_fit_and_score``'s other arguments.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fitted (``scoring``, ``error_score``, ... are read).
    X, y : array-like
        The data given to ``fit``.
    params : dict
        The metadata given to ``fit``.

    Returns
    -------
    fit_and_score : callable
        scikit-learn's private ``_fit_and_score``.
    X, y : indexable
        The data as scikit-learn indexes it.
    kwargs : dict
        Arguments of every fold fit except the estimator, ``X``, ``y``,
        ``train``, ``test``, ``parameters`` and the progress counters.

    Raises
    ------
    NotImplementedError
        If this scikit-learn release lacks one of the private names.
    """
    import inspect

    try:
        from sklearn.model_selection._validation import _fit_and_score
        from sklearn.utils.validation import _check_method_params, indexable

        accepted = set(inspect.signature(_fit_and_score).parameters)
        scorers = _fit_scorers(search)
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = search._get_routed_params_for_fit(params)
    except (ImportError, AttributeError, TypeError, ValueError) as exc:
        raise NotImplementedError(
            f"Asynchronous evaluation needs scikit-learn internals: {exc}"
        ) from exc
    if not _FIT_AND_SCORE_KEYWORDS <= accepted:
        raise NotImplementedError("_fit_and_score has another signature.")
    kwargs = dict(
        scorer=scorers,
        fit_params=routed.estimator.fit,
        score_params=routed.scorer.score,
        return_train_score=search.return_train_score,
        return_n_test_samples=True,
        return_times=True,
        return_parameters=False,
        error_score=search.error_score,
        verbose=search.verbose,
    )
    if "caller" in accepted:
        kwargs["caller"] = search
    if "callback_ctx" in accepted:
        kwargs["callback_ctx"] = None  # set per fold by fold_context
    return _fit_and_score, X, y, kwargs


def _fit_scorers(search):
    """The scorers ``BaseSearchCV.fit`` hands to ``_fit_and_score``.

    scikit-learn < 1.5 takes ``convert_multimetric`` and, in ``fit``, passes
    ``False`` (a dict of scorers); later releases always build one scorer.
    """
    import inspect

    # scikit-learn's own signature: the searches override it with *args.
    if "convert_multimetric" in inspect.signature(BaseSearchCV._get_scorers).parameters:
        return search._get_scorers(convert_multimetric=False)[0]
    return search._get_scorers()[0]


def has_callbacks(estimator):
    """Whether scikit-learn callbacks were set on ``estimator`` (``set_callbacks``)."""
    return bool(getattr(estimator, "_skl_callbacks", None))


def fold_context(parent_ctx, task_id):
    """The callback context of one fold fit, as ``evaluate_candidates`` makes it.

    ``None`` without a parent (releases without callbacks, or none set).
    """
    if parent_ctx is None:
        return None
    return parent_ctx.subcontext(
        task_name="candidate-split-evaluation", task_id=task_id
    )


def splitter_params(search, X, params):
    """Metadata routed to the CV splitter's ``split`` (``groups``, ...)."""
    from sklearn.utils.validation import _check_method_params

    routed = search._get_routed_params_for_fit(_check_method_params(X, params=params))
    return routed.splitter.split


def format_fold_results(search, candidate_params, n_splits, out, more_results):
    """``cv_results_`` rows of fold fits run outside ``evaluate_candidates``.

    The same steps as ``evaluate_candidates`` after its fits: error scores
    put in for a callable scoring that returned a dict, then
    ``BaseSearchCV``'s own formatting (not a subclass's override).
    """
    from sklearn.model_selection._validation import _insert_error_scores

    if callable(search.scoring):
        _insert_error_scores(out, search.error_score)
    format_rows = partial(
        BaseSearchCV._format_results, search, candidate_params, n_splits, out,
        more_results,
    )
    if all(map(_finite_test_scores, out)):
        # Nothing to silence: fits run in threads beside this call, and a
        # catch_warnings here could interleave with theirs and leave the
        # process with another context's warning filters.
        return format_rows()
    # scikit-learn warns about non-finite test scores each time it formats
    # them; the asynchronous search formats one configuration at a time and
    # warns once at its end instead (see non_finite_warning).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _NON_FINITE, UserWarning)
        return format_rows()


def _finite_test_scores(fold_out):
    scores = fold_out["test_scores"]
    if isinstance(scores, dict):
        scores = list(scores.values())
    return bool(np.all(np.isfinite(np.asarray(scores, dtype=float))))


_NON_FINITE = "One or more of the test scores are non-finite"


def non_finite_warning(scores):
    """scikit-learn's warning about non-finite mean test scores, once."""
    scores = np.asarray(scores, dtype=float)
    if not np.all(np.isfinite(scores)):
        warnings.warn(f"{_NON_FINITE}: {scores}", category=UserWarning, stacklevel=2)


def warn_about_fit_failures(out, error_score):
    """scikit-learn's warning (or error) about failed fold fits in ``out``."""
    from sklearn.model_selection._validation import _warn_or_raise_about_fit_failures

    _warn_or_raise_about_fit_failures(out, error_score)


def _active_backend_is(*names):
    """Whether joblib's active backend is one of its backend classes ``names``.

    The class itself, not a subclass: Ray's backend subclasses joblib's
    multiprocessing backend but runs its workers on a cluster. ``False`` for a
    joblib that moved them: its backends are then treated as a cluster's.
    """
    from joblib.parallel import get_active_backend

    try:
        from joblib import _parallel_backends

        classes = tuple(getattr(_parallel_backends, name) for name in names)
    except (ImportError, AttributeError):
        return False
    return type(get_active_backend()[0]) in classes


def runs_in_threads():
    """Whether joblib's active backend runs tasks in threads of this process."""
    return _active_backend_is("ThreadingBackend")


def runs_on_this_machine():
    """Whether joblib's active backend runs its workers on this machine.

    Threads and process pools here hand a task to a freed worker within a
    millisecond or so; a cluster's scheduler (dask, Ray, Spark) takes a
    network round trip.
    """
    return _active_backend_is(
        "LokyBackend", "MultiprocessingBackend", "SequentialBackend", "ThreadingBackend"
    )


def active_engine():
    """The engine joblib's active backend runs fits on.

    Returns
    -------
    engine : {"local", "dask", "ray", "spark", "cluster"}
        ``"local"`` for joblib's own threads and process pools (and sequential
        runs), ``"dask"`` for ``backend="dask"``, ``"ray"`` for
        ``ray.util.joblib``'s backend, ``"spark"`` for ``joblibspark``'s, and
        ``"cluster"`` for any other backend.
    """
    from joblib.parallel import get_active_backend

    if runs_on_this_machine():
        return "local"
    backend = type(get_active_backend()[0])
    module = backend.__module__.split(".")[0]
    if backend.__name__ == "DaskDistributedBackend":
        return "dask"
    if module == "ray":
        return "ray"
    if module == "joblibspark":
        return "spark"
    return "cluster"


def unordered_parallel(n_jobs, pre_dispatch):
    """A joblib ``Parallel`` yielding results as they finish, or ``None``.

    ``return_as="generator_unordered"`` exists from joblib 1.4 (the supported
    minimum); should a joblib refuse it, the search falls back to
    synchronous batches.
    """
    from joblib import Parallel
    from joblib.parallel import get_active_backend

    # A joblib context holds one backend instance, which scikit-learn's own
    # Parallel of this fit uses too: this Parallel gets a copy, so that
    # ending it does not shut down the workers of scikit-learn's.
    backend, _ = get_active_backend()
    try:
        return Parallel(
            n_jobs=n_jobs, backend=_second_backend(backend),
            pre_dispatch=pre_dispatch, batch_size=1, return_as="generator_unordered",
        )
    except (TypeError, ValueError):  # a joblib without such a return_as
        return None


def _second_backend(backend):
    """A backend like ``backend`` for a ``Parallel`` running beside another.

    joblib's dask backend copies (and pickles) as a new backend on the
    default client, without its ``scatter``: the copy here keeps the client,
    the task options and the scattered data.
    """
    import copy

    if active_engine() != "dask":
        return copy.copy(backend)
    second = type(backend)(
        client=backend.client,
        wait_for_workers_timeout=backend.wait_for_workers_timeout,
        **backend.submit_kwargs,
    )
    second.data_futures = backend.data_futures
    return second


# -- Early stopping of boosters (skhyper.boosting) -----------------------------------


def metric_names(scorers):
    """The metric names of a multimetric scorer as ``_get_scorers`` built it,
    or None for a single scorer.

    scikit-learn 1.4 gives a dict; later releases a ``_MultimetricScorer``.
    """
    if isinstance(scorers, dict):
        return list(scorers)
    inner = getattr(scorers, "_scorers", None)
    return list(inner) if isinstance(inner, dict) else None


def scorer_attribute(scorers):
    """What ``BaseSearchCV.fit`` stores as ``scorer_`` for ``scorers``."""
    if not isinstance(scorers, dict) and hasattr(scorers, "_scorers"):
        return dict(scorers._scorers)
    return scorers


def takes_validation_set(booster):
    """Whether ``booster.fit`` takes ``X_val`` (histogram gradient boosting,
    scikit-learn 1.7 and later)."""
    import inspect

    return "X_val" in inspect.signature(type(booster).fit).parameters
