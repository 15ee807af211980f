"""Successive halving and Hyperband searches.

Each rung of a bracket is one call to scikit-learn's ``evaluate_candidates``:
fitting, scoring, ``cv_results_`` and joblib parallelism stay scikit-learn's.
The pieces live in their own modules: the schedule arithmetic in
:mod:`skhyper._schedule`, the ``n_samples`` subsamples in
:mod:`skhyper._resources`, the continued training of promoted fold models in
:mod:`skhyper._warm`, and the candidate sources in :mod:`skhyper._proposers`.
"""

import math
import numbers
import warnings
from dataclasses import dataclass

import joblib
import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import check_cv

from skhyper import _checkpoint, _compat, _prior, _resources, _results, _schedule
from skhyper._base import BaseModelSearchCV
from skhyper._compat import HasMethods, Interval, StrOptions
from skhyper._proposers import is_pure_grid, make_proposer
from skhyper._splits import FrozenSplits
from skhyper._warm import WarmStartPlan, continuation_mode, resource_path_owner
from skhyper.space import Space

__all__ = ["HyperbandSearchCV", "SuccessiveHalvingSearchCV"]



@dataclass
class _Setup:
    """Everything a fit decides before the first candidate is fitted."""

    schedule: object
    proposer: str
    n_samples: int
    splits: list  # frozen folds (n_samples resource only)
    codes: object  # class codes for stratification
    groups: object


def _n_samples(X):
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape):
        return int(shape[0])
    if hasattr(X, "__len__"):
        return len(X)
    return int(np.asarray(X).shape[0])


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class _BaseHalving(BaseModelSearchCV):
    """What successive halving and Hyperband share; not for direct use."""

    _parameter_constraints: dict = {
        **BaseModelSearchCV._parameter_constraints,
        "factor": [Interval(numbers.Real, 1, None, closed="neither")],
        "resource": [str],
        "max_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "proposer": [StrOptions({"auto", "grid", "random", "bayes"})],
        "warm_start": ["boolean"],
        # Earlier evaluations need their resource: no (params, score) pairs.
        "warm_start_from": [dict, HasMethods(["fit"]), None],
    }
    _checkpoint_params = (
        "factor", "resource", "min_resources", "max_resources", "proposer"
    )
    _fit_state = BaseModelSearchCV._fit_state + (
        "_fit_groups", "_setup", "_warm_plan", "_earlier"
    )

    # -- fit -----------------------------------------------------------------

    def fit(self, X, y=None, **params):
        """Run every rung, then refit the best configuration of the last one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target; ``None`` for unsupervised learning.
        **params : dict
            Parameters routed to the estimator's ``fit``, the scorer and the CV
            splitter (``groups``, ``sample_weight``, ...) as in scikit-learn's
            searches.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._fit_groups = params.get("groups")
        user_estimator = self.estimator
        plan = self._warm_start_plan()
        self._warm_plan = plan
        if plan is not None:
            self.estimator = plan.wrap(user_estimator)
        try:
            super().fit(X, y, **params)
        finally:
            self.estimator = user_estimator
            if plan is not None:
                plan.close()
            for name in self._fit_state:  # when the base class fit was never reached
                self.__dict__.pop(name, None)
        return self

    def _warm_start_plan(self):
        """A warm-start plan if promoted fold models can continue training."""
        resource = self.resource
        estimator = self.estimator
        if self.warm_start is not True or not isinstance(resource, str):
            return None
        if resource == "n_samples" or not hasattr(estimator, "get_params"):
            return None
        cls = type(estimator)
        if getattr(cls, "__sklearn_clone__", None) is not (
            BaseEstimator.__sklearn_clone__
        ) or cls.__reduce__ is not object.__reduce__:
            return None  # the class manages cloning or pickling itself
        try:
            if resource not in estimator.get_params(deep=True):
                return None
            owner, leaf = resource_path_owner(estimator, resource)
            if owner is None or continuation_mode(owner, leaf) is None:
                return None
            searched = set()
            for sub in Space(self._space_spec()).subspaces:
                searched.update(sub)
        except (ValueError, TypeError):
            return None  # validation reports it
        parts = resource.split("__")
        above = {"__".join(parts[:i]) for i in range(1, len(parts))}
        warm_name = "__".join(parts[:-1] + ["warm_start"])
        if searched & (above | {resource, warm_name}):
            return None  # the search sets the owner or its warm_start itself
        return WarmStartPlan.create(resource)

    # -- checks and schedule ---------------------------------------------------

    def _check_search_params(self, space):
        X, y = self._fit_data
        self._setup = self._make_setup(space, X, y, getattr(self, "_fit_groups", None))
        plan = getattr(self, "_warm_plan", None)
        if plan is not None:
            plan.max_resources = self._setup.schedule.max_resources
        self._earlier = None
        if self.warm_start_from is not None:
            self._earlier = self._reusable_rows(space, self.warm_start_from)

    def _budget(self, space):
        return self._setup.schedule.n_evaluations

    def schedule(self, X=None, y=None, **params):
        """The rungs a ``fit`` on this data would run, computed without fitting.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Training data; needed when the resource is ``"n_samples"``.
        y : array-like of shape (n_samples,), default=None
            Target; needed for the first-rung floor of classifiers.
        **params : dict
            ``groups`` for a group splitter.

        Returns
        -------
        schedule : HalvingSchedule or HyperbandSchedule
            Candidates and resources of every rung (of every bracket), the
            number of evaluations and fits, and the total resource.
        """
        _compat.validate_params(self)
        space = Space(self._space_spec())
        space.check_estimator_params(self.estimator)
        if X is None and self.resource == "n_samples":
            raise ValueError(
                "schedule() needs X (and y) when resource='n_samples': the "
                "resources are numbers of samples."
            )
        return self._make_setup(space, X, y, params.get("groups")).schedule

    def _resolve_proposer(self, space):
        proposer = self.proposer
        if proposer == "auto":
            proposer = "grid" if is_pure_grid(space) else "random"
        if proposer == "grid" and not space.is_finite:
            raise ValueError(
                "proposer='grid' needs a finite search space (lists and integer "
                "ranges only); use proposer='random' or 'bayes' for continuous "
                "ranges and distributions."
            )
        return proposer

    def _make_setup(self, space, X, y, groups):
        estimator = self.estimator
        resource = self.resource
        classifier = is_classifier(estimator)
        proposer = self._resolve_proposer(space)
        if resource != "n_samples":
            params = estimator.get_params(deep=True)
            if resource not in params:
                raise ValueError(
                    f"resource={resource!r} is not a parameter of "
                    f"{type(estimator).__name__}: use 'n_samples' or one of its "
                    f"integer parameters, e.g. {_integer_params(params)!r}."
                )
            if any(resource in sub for sub in space.subspaces):
                raise ValueError(
                    f"resource={resource!r} is also a searched parameter; the "
                    "resource is set by the search at every rung."
                )
        cv = check_cv(self.cv, y, classifier=classifier)
        splits, codes, n_samples = None, None, None
        if X is not None:
            n_samples = _n_samples(X)
        if resource == "n_samples":
            splits = FrozenSplits(cv).split(X, y, groups)
            splits = list(splits)
            n_splits = len(splits)
            codes = _resources.class_codes(y, classifier)
            max_resources = n_samples
            if self.max_resources != "auto":
                max_resources = self.max_resources
                if max_resources > n_samples:
                    raise ValueError(
                        f"max_resources={max_resources} is larger than the "
                        f"{n_samples} samples of X."
                    )
            smallest = 2 * n_splits
            if classifier and y is not None:
                smallest *= len(np.unique(np.asarray(y)))
            floor = _resources.sample_floor(splits, n_samples, codes)
            floor = min(max_resources, floor)
        else:
            try:
                n_splits = cv.get_n_splits(X, y, groups)
            except (TypeError, ValueError):
                n_splits = None
            max_resources = self.max_resources
            if max_resources == "auto":
                value = params[resource]
                if not _is_int(value) or value < 1:
                    raise ValueError(
                        f"max_resources='auto' uses the estimator's own "
                        f"{resource}={value!r}, which is not a positive integer; "
                        "pass max_resources explicitly."
                    )
                max_resources = int(value)
            smallest = floor = 1
        if not _uses_groups(cv):
            groups = None  # subsamples are taken group by group only if folds are
        schedule = self._plan(space, proposer, max_resources, smallest, floor, n_splits)
        first = schedule.min_resources
        if first > max_resources:
            raise ValueError(
                f"min_resources={first} is greater than max_resources="
                f"{max_resources}."
            )
        if resource == "n_samples" and first < n_samples:
            problem = _resources.check_first_rung(splits, n_samples, first, codes)
            if problem is not None:
                raise ValueError(
                    f"min_resources={self.min_resources!r}: a first rung of {first} "
                    f"samples {problem}. Use a larger min_resources or 'auto'."
                )
        return _Setup(schedule, proposer, n_samples, splits, codes, groups)

    # -- warm_start_from -------------------------------------------------------

    def _reusable_rows(self, space, earlier):
        """The rows of ``warm_start_from`` this search may reuse, or ``None``.

        Rows of configurations of this search's space evaluated at one of its
        resource levels (with ``"n_samples"``, see :meth:`_same_subsamples`),
        with the resource as an ``int`` in ``params`` and ``-1`` in the
        search's own columns (``iter``, ``bracket``) until a rung reuses them.
        """
        results = earlier if isinstance(earlier, dict) else getattr(
            earlier, "cv_results_", None
        )
        if results is None:
            raise ValueError(
                f"warm_start_from must be a fitted search or its cv_results_; the "
                f"{type(earlier).__name__} given has no cv_results_: it is not "
                "fitted, or it is a clone (cross-validation clones the search and "
                "its parameters), in which case pass its cv_results_ instead."
            )
        missing = [key for key in ("params", "n_resources") if key not in results]
        if missing or not any(key.startswith("mean_test_") for key in results):
            raise ValueError(
                "warm_start_from must be a fitted successive-halving or Hyperband "
                "search (skhyper's or scikit-learn's) or its cv_results_, with "
                "'params', 'n_resources' and 'mean_test_*' columns; these results "
                f"lack {missing or ['mean_test_*']}."
            )
        _check_same_scoring(results, self.scoring)
        setup = self._setup
        n_splits = _n_split_columns(results)
        if setup.schedule.n_splits is not None and n_splits not in (
            None, setup.schedule.n_splits
        ):
            raise ValueError(
                f"warm_start_from: the earlier results were cross-validated on "
                f"{n_splits} splits, this search uses {setup.schedule.n_splits}; "
                "their scores are not comparable."
            )
        levels = _resource_levels(setup.schedule)
        if self.resource == "n_samples" and not self._same_subsamples(earlier):
            levels &= {setup.n_samples}  # whole folds only
        rows, params = [], []
        for i, (point, n_resources) in enumerate(
            zip(results["params"], results["n_resources"])
        ):
            try:
                n_resources = int(n_resources)
            except (TypeError, ValueError):  # a row without a resource
                continue
            config = self._without_resource(point)
            if n_resources not in levels or not space.contains(config):
                continue
            if self.resource != "n_samples" and point.get(self.resource) != n_resources:
                continue
            rows.append(i)
            params.append(self._with_resource(config, n_resources))
        if not rows:
            why = (
                f"evaluated with one of its resources {sorted(levels)}"
                if levels else
                "evaluated on all the samples (rows on subsamples are reused only "
                "from a fitted skhyper halving search, not its cv_results_, with the "
                "same integer random_state and cv)"
            )
            warnings.warn(
                f"warm_start_from: none of its {len(results['params'])} evaluations "
                f"can be reused: none is a configuration of this search's space {why}.",
                UserWarning,
                stacklevel=4,
            )
            return None
        normalized = list(results["params"])
        for i, point in zip(rows, params):
            normalized[i] = point
        reusable = _results.take_rows({**results, "params": normalized}, rows)
        for key in self._replay_columns:
            if key != "n_resources":
                reusable[key] = np.full(len(rows), -1)
        reusable["n_resources"] = np.array(
            [int(results["n_resources"][i]) for i in rows]
        )
        return reusable

    def _same_subsamples(self, earlier):
        """Whether ``earlier`` drew the subsamples this search will draw.

        They come from the CV folds and ``random_state``: an skhyper halving
        search with the same integer ``random_state`` and the same
        deterministic ``cv`` (on the same data, as for any reuse).
        """
        cv = self.cv
        shuffled = getattr(cv, "shuffle", False) and not _is_int(
            getattr(cv, "random_state", None)
        )
        return (
            isinstance(earlier, _BaseHalving)
            and earlier.resource == "n_samples"
            and _is_int(self.random_state)
            and earlier.random_state == self.random_state
            and not shuffled
            and _checkpoint.describe(earlier.cv) == _checkpoint.describe(cv)
        )

    def _restore(self, space, spec):
        prior, saver = super()._restore(space, spec)
        if self.warm_start_from is None:
            return prior, saver
        if prior is not None and prior.seed is not None:
            self._earlier = None  # resuming this search's checkpoint instead
            return prior, saver
        if self._earlier is None:
            return None, saver
        return _ResourcePrior(
            space, results=self._earlier, extra_keys=self._replay_columns
        ), saver

    def _label_reused_rows(self, evaluator, evaluations, more_results):
        """Earlier rows a rung reused take the rung's ``iter`` (and ``bracket``)."""
        earlier = getattr(self, "_earlier", None)
        if earlier is None:
            return
        n_earlier = _results.n_rows(earlier)
        for i, evaluation in enumerate(evaluations):
            if evaluation.index is None or evaluation.index >= n_earlier:
                continue
            for key, values in more_results.items():
                # The evaluator rebuilds its results from ``earlier`` at every
                # batch, and holds the current ones: both get the label.
                for table in (earlier, evaluator.results):
                    if table is not None and key in table:
                        table[key][evaluation.index] = values[i]

    def _space_size(self, space, proposer):
        if proposer == "grid":
            keys = {space.key(point) for point in space.grid()}
            return len(keys)
        return space.size

    # -- running ---------------------------------------------------------------

    def _search(self, space, evaluator, rng):
        setup = self._setup
        plan = getattr(self, "_warm_plan", None)
        self.warm_start_ = plan is not None
        self.proposer_ = setup.proposer
        try:
            rung_cv = self._rung_splitter(setup, evaluator, rng)
            proposer = make_proposer(
                setup.proposer, space, rng,
                resource=None if self.resource == "n_samples" else self.resource,
            )
            self._history = []
            if self.verbose > 0:
                print(f"[{type(self).__name__}] schedule:\n{setup.schedule}")
            self._run(setup.schedule, proposer, evaluator, rung_cv, plan)
        finally:
            if plan is not None:
                plan.close()  # from here on (refit), clones are the user's class
            self.__dict__.pop("_history", None)

    def _rung_splitter(self, setup, evaluator, rng):
        """``cv_for(n_resources)``: the splitter of a rung."""
        if self.resource != "n_samples":
            return lambda n_resources: evaluator.cv
        if evaluator.cv.splits_ is None:
            evaluator.cv.splits_ = setup.splits
        subsamples = _resources.NestedSubsamples(
            evaluator.cv.splits_, setup.codes, setup.groups, rng
        )
        return lambda n_resources: subsamples.rung(n_resources, setup.n_samples)

    def _with_resource(self, candidate, n_resources):
        if self.resource == "n_samples":
            return dict(candidate)
        return {**candidate, self.resource: int(n_resources)}

    def _without_resource(self, params):
        return {k: v for k, v in params.items() if k != self.resource}

    def _evaluate_rung(self, evaluator, candidates, n_resources, cv, more_results):
        """Evaluate ``candidates`` (without resource) with ``n_resources``."""
        evaluations = evaluator.evaluate(
            [self._with_resource(c, n_resources) for c in candidates],
            cv=cv,
            more_results=more_results,
        )
        self._label_reused_rows(evaluator, evaluations, more_results)
        self._history.extend(
            (self._without_resource(e.params), e.score, n_resources)
            for e in evaluations
        )
        return evaluations

    def _promote(self, evaluator, evaluations, k):
        """The ``k`` best candidates (without resource); failed ones never."""
        if k <= 0 or not evaluations:
            return []
        rows = np.array([e.index for e in evaluations])
        params = [self._without_resource(e.params) for e in evaluations]
        scores = np.array([e.score for e in evaluations], dtype=float)
        failed = ~np.isfinite(scores)
        if evaluator.results is None:
            failed[:] = True
        else:
            failed |= _all_folds_failed(
                evaluator.results, evaluator.metric, self.error_score, rows
            )
        order = _best_first(scores, failed, params)
        return [params[i] for i in order[:k]]

    def _forget_eliminated(self, plan, survivors):
        if plan is not None:
            plan.keep_only(survivors)

    # -- results -----------------------------------------------------------

    def _top_rows(self, results):
        """Rows among which ``best_*`` are chosen."""
        raise NotImplementedError

    def _select_best_index(self, refit, refit_metric, results):
        # BaseSearchCV.fit refits the row this hook returns: one of the
        # scikit-learn hooks skhyper must override (see _compat.BASE_SEARCH_HOOKS).
        return self._best_row(refit, refit_metric, results)

    def _best_row(self, refit, refit_metric, results):
        """Best row of the last rung; ties by score, then a stable fingerprint."""
        if callable(refit):
            best = refit(results)
            if not isinstance(best, numbers.Integral):
                raise TypeError("best_index_ returned is not an integer")
            if best < 0 or best >= len(results["params"]):
                raise IndexError("best_index_ index out of range")
            return int(best)
        rows = self._top_rows(results)
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)[rows]
        failed = ~np.isfinite(scores) | _all_folds_failed(
            results, refit_metric, self.error_score, rows
        )
        params = [self._without_resource(results["params"][i]) for i in rows]
        order = _best_first(scores, failed, params)
        return int(rows[order[0]]) if order else int(rows[0])

    def _keep_finished_results(self):
        super()._keep_finished_results()
        evaluator = getattr(self, "_evaluator", None)
        if evaluator is None or evaluator.results is None or callable(self.refit):
            return
        results = self.cv_results_
        if not any(k in results for k in ("iter", "n_resources")):
            return
        metric = evaluator.metric
        self.best_index_ = self._best_row(self.refit, metric, results)
        self.best_score_ = results[f"mean_test_{metric}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]


def _uses_groups(cv):
    """Whether the splitter's folds depend on ``groups``."""
    try:
        from sklearn.utils.metadata_routing import get_routing_for_object

        return bool(get_routing_for_object(cv).consumes("split", {"groups"}))
    except Exception:  # releases without ``consumes``: trust the caller
        return True


def _integer_params(params):
    return sorted(k for k, v in params.items() if _is_int(v))[:8]


class _ResourcePrior(_prior.Prior):
    """Earlier evaluations replayed by configuration and resource only.

    The search's columns (``iter``, ``bracket``) stay ``extra_keys``, so that
    every evaluation the evaluator makes has them, but they do not take part
    in the match: an earlier row is reused whatever rung it came from.
    """

    def key(self, params, extra):
        resource = dict(zip(self.extra_keys, extra)).get("n_resources")
        return super().key(params, (resource,))


def _own_rows(results):
    """Rows this search evaluated: not earlier rows it left unused (``iter=-1``)."""
    iters = np.asarray(results["iter"])
    own = iters >= 0
    return own if own.any() else np.ones(len(iters), dtype=bool)


def _resource_levels(schedule):
    """Every resource a rung of ``schedule`` (of any bracket) gets."""
    brackets = getattr(schedule, "brackets", [schedule])
    return {int(r) for bracket in brackets for r in bracket.n_resources}


def _n_split_columns(results):
    """Number of ``split<k>_test_*`` columns of one metric, or ``None``."""
    splits = {}
    for key in results:
        head, _, metric = key.partition("_test_")
        if head.startswith("split") and head[len("split"):].isdigit() and metric:
            splits.setdefault(metric, set()).add(head)
    return max((len(v) for v in splits.values()), default=None)


def _check_same_scoring(results, scoring):
    """Earlier results must have a mean score for every metric of ``scoring``."""
    if scoring is None or isinstance(scoring, str):
        names = ["score"]
    elif callable(scoring):
        return  # a callable may return one score or a dict of them
    else:
        names = list(scoring)
    missing = [name for name in names if f"mean_test_{name}" not in results]
    if missing:
        raise ValueError(
            f"warm_start_from was scored with other metrics: its results lack "
            f"{[f'mean_test_{name}' for name in missing]}."
        )


def _all_folds_failed(results, metric, error_score, rows):
    """Rows whose every fold scored ``error_score`` (a number): failed fits."""
    rows = np.asarray(rows, dtype=int)
    if not isinstance(error_score, numbers.Real) or not np.isfinite(error_score):
        return np.zeros(len(rows), dtype=bool)
    suffix = f"_test_{metric}"
    keys = [k for k in results if k.startswith("split") and k.endswith(suffix)
            and k[len("split"):-len(suffix)].isdigit()]
    if not keys:
        return np.zeros(len(rows), dtype=bool)
    return np.all(
        [np.asarray(results[k], dtype=float)[rows] == error_score for k in keys],
        axis=0,
    )


def _fingerprint(params):
    """A tie-breaker that depends on the configuration only, not on any order."""
    try:
        return joblib.hash(sorted(params.items()))
    except Exception:  # unpicklable values: their representation
        return repr(sorted((k, repr(v)) for k, v in params.items()))


def _best_first(scores, failed, params):
    """Indices of the candidates that did not fail, best score first.

    Equal scores are ordered by a fingerprint of the configuration, so the
    choice never depends on the order in which candidates were listed.
    """
    ok = [i for i in range(len(scores)) if not failed[i]]
    return sorted(ok, key=lambda i: (-scores[i], _fingerprint(params[i])))



class SuccessiveHalvingSearchCV(_BaseHalving):
    """Successive halving over any search space, a drop-in for the Halving searches.

    SuccessiveHalvingSearchCV implements "fit" and "score", and "predict",
    "predict_proba", "decision_function", "transform", "inverse_transform"
    and "score_samples" when the estimator does.

    All candidates are first evaluated with a small resource (few samples,
    or a small value of an estimator parameter such as ``n_estimators``);
    the best ``1 / factor`` of them are promoted to the next rung, which gives
    each ``factor`` times more resource, until the resource reaches
    ``max_resources``. Every rung is one call to scikit-learn's
    ``evaluate_candidates``: its fits run through joblib, on the same CV
    folds at every rung.

    Code written for scikit-learn's ``HalvingGridSearchCV`` (``param_grid=``)
    or ``HalvingRandomSearchCV`` (``param_distributions=``) keeps working
    with only the class name changed, and without the
    ``enable_halving_search_cv`` import. Given the same explicit
    ``n_candidates``, ``factor``, ``min_resources`` and ``max_resources``,
    the schedule (``n_resources_``, ``n_candidates_``) is scikit-learn's.
    The defaults differ, on purpose: see ``n_candidates`` and
    ``min_resources``.

    **The best configuration comes from the last rung**: ``best_index_``,
    ``best_params_``, ``best_score_`` and ``best_estimator_`` describe the
    best candidate among those evaluated with the most resource, not the
    best score of ``cv_results_`` overall (which may belong to a candidate
    scored on a small subsample). ``rank_test_*`` ranks all rows together,
    so ``best_index_`` need not have rank 1.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; it must provide ``score`` or ``scoring`` must
        be given.

    search_spaces : dict, list of dict or Space, default=None
        Parameter names mapped to what to search: a list of choices, a
        ``(low, high[, "log-uniform"])`` tuple, a frozen ``scipy.stats``
        distribution, or a :class:`~skhyper.Real`, :class:`~skhyper.Integer`
        or :class:`~skhyper.Categorical`. A list of dicts searches several
        subspaces. See :class:`~skhyper.Space`. A space made only of lists
        is a grid, searched exhaustively by default.

    n_candidates : int, "auto" or "exhaust", default="auto"
        Candidates of the first rung. ``"auto"``: the whole grid for a grid
        (proposer ``"grid"``); otherwise ``ceil(factor**k) - 1`` candidates,
        with ``k`` rungs, ``k`` being the number of rungs that fit between
        ``min_resources`` and ``max_resources``, at least 2 and at most what
        keeps the candidates to 100 (RandomizedSearchCV's ``n_iter=100``).
        Each rung then costs about ``factor`` fits on ``max_resources``, and
        the last one compares about ``factor`` candidates. ``"exhaust"``:
        scikit-learn's ``max_resources // min_resources``. Fewer are
        evaluated when a finite space has fewer.

    factor : float, default=3
        Each rung keeps ``ceil(n_candidates / factor)`` candidates and gives
        them ``factor`` times more resource. Must be greater than 1.

    resource : str, default="n_samples"
        What grows from rung to rung: ``"n_samples"`` (subsamples of the CV
        folds, see Notes) or an integer parameter of the estimator, possibly
        of a pipeline step (``"clf__n_estimators"``, ``"clf__max_iter"``).
        The parameter's value then appears in ``cv_results_["params"]`` and
        ``best_params_``, as in scikit-learn.

    max_resources : int or "auto", default="auto"
        Resource of the last rung. ``"auto"``: all samples for
        ``"n_samples"``, else the estimator's own value of the parameter
        (e.g. ``n_estimators=100``).

    min_resources : int, "auto", "exhaust" or "smallest", default="auto"
        Resource of the first rung. ``"auto"``: as large as the schedule
        allows while the last rung reaches ``max_resources``, and never below
        a floor that keeps scores out of the noise: for ``"n_samples"``,
        about 10 test samples of every class in every CV fold for classifiers
        (all of a class when a fold has fewer), 20 test samples per fold for
        other estimators. ``"exhaust"`` and ``"smallest"`` are
        scikit-learn's: the largest start that lets the last required rung
        reach ``max_resources``, and ``2 * n_splits * n_classes`` samples
        (1 for a parameter), which often leaves scores to chance. An explicit
        number is used as given, but a rung whose subsample would miss a
        class in some fold is an error.

    aggressive_elimination : bool, default=False
        When the resources allow fewer rungs than needed to end with fewer
        than ``factor`` candidates, repeat the first rung's resource until
        they do (scikit-learn's option).

    proposer : {"auto", "grid", "random", "bayes"}, default="auto"
        Where the first rung's candidates come from. ``"grid"``: every
        configuration of a finite space (a random subset of ``n_candidates``
        if fewer); ``"random"``: draws from the space, as RandomizedSearchCV;
        ``"bayes"``: the space-filling initial design of
        :class:`~skhyper.Optimizer` (its model learns across brackets in
        :class:`HyperbandSearchCV`). ``"auto"``: ``"grid"`` when every
        parameter is a list of choices, else ``"random"``.

    warm_start : bool, default=True
        When the resource is ``n_estimators`` of a forest, bagging or gradient
        boosting model, ``max_iter`` of histogram gradient boosting, or
        ``max_iter`` of an MLP or SGD model (also as a pipeline's final
        step), promoted fold models continue training from the previous rung
        instead of starting over. See Notes.

    cv : int, cross-validation generator or an iterable, default=5
        Cross-validation strategy, as in scikit-learn's searches. The folds
        are drawn once per fit: every rung uses the same folds.

    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`. With
        several metrics, the ``refit`` metric decides promotions and the
        best configuration (the first metric if ``refit`` is not a metric
        name).

    refit : bool, str, or callable, default=True
        Refit the best configuration of the last rung on the whole dataset.
        A callable receives ``cv_results_`` (all rungs) and returns the index
        of the row to refit.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit. A candidate whose mean score is not finite, or
        whose every fold scored ``error_score``, is never promoted nor chosen
        as best.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    random_state : int, RandomState instance or None, default=None
        Seeds the candidates, the subsamples and the tie-free choices: the
        same seed gives the same search.

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.

    verbose : int, default=0
        Verbosity; ``>= 1`` prints the schedule and a line per rung.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    max_time : float, default=None
        Wall-clock budget in seconds: no rung starts that is forecast to end
        after it.

    callbacks : callable or list of callable, default=None
        Called after each rung with a
        :class:`~skhyper.callbacks.SearchProgress`; the search stops when one
        returns ``True`` and refits the best candidate of the last rung run.

    param_grid : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for ``HalvingGridSearchCV``.

    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for
        ``HalvingRandomSearchCV``.

    checkpoint : str or path-like, default=None
        A JSON file written after every rung; fitting again with the same
        file, estimator, space and data resumes the search, replaying the
        stored evaluations without fitting them.

    warm_start_from : fitted search or dict, default=None
        Evaluations of an earlier successive-halving or Hyperband search
        (skhyper's, or scikit-learn's ``HalvingGridSearchCV`` /
        ``HalvingRandomSearchCV``), or its ``cv_results_``, to reuse: when
        this search evaluates a configuration with a resource at which the
        earlier one evaluated it, the earlier scores are taken instead of
        fitting again. Only what is reused changes, not what is searched:
        the candidates and promotions are those of a search without
        ``warm_start_from`` that got the same scores (so with a grid, or the
        same ``random_state`` and number of candidates, the rungs both
        searches share cost nothing). The earlier rows that can be reused
        (configurations of this space, evaluated with a resource of this
        schedule) come first in ``cv_results_``; a reused row takes the
        ``iter`` of the rung that reused it, the others keep ``iter=-1`` and
        are never chosen as best. With
        ``resource="n_samples"``, rows on a subsample are reused only from a
        fitted skhyper search with the same integer ``random_state`` and the
        same deterministic ``cv`` (the subsamples are drawn from them);
        otherwise only rows evaluated on all the samples. As for
        :class:`~skhyper.BayesSearchCV`, the earlier search must have used
        the same data and CV folds; only their number is checked. ``(params,
        score)`` pairs are not accepted: a halving evaluation needs its
        resource. A checkpoint being resumed takes precedence.

    Attributes
    ----------
    n_resources_ : list of int
        Resource of each rung run.

    n_candidates_ : list of int
        Candidates evaluated at each rung run.

    n_remaining_candidates_ : int
        Candidates promoted out of the last rung: ``ceil(n_candidates_[-1] /
        factor)`` unless some failed.

    min_resources_ : int
        Resource of the first rung.

    max_resources_ : int
        Largest resource a rung may get.

    n_iterations_ : int
        Rungs run (fewer than planned if a stopping rule ended the search).

    n_possible_iterations_ : int
        Rungs that fit between ``min_resources_`` and ``max_resources_``.

    n_required_iterations_ : int
        Rungs needed to end with fewer than ``factor`` candidates.

    schedule_ : HalvingSchedule
        The planned rungs; :meth:`schedule` gives it before fitting.

    warm_start_ : bool
        Whether promoted fold models continued training (see ``warm_start``).

    proposer_ : str
        The proposer used: ``"grid"``, ``"random"`` or ``"bayes"``.

    cv_results_ : dict of numpy (masked) ndarrays
        One row per candidate and rung, in evaluation order, with every key
        of scikit-learn's ``cv_results_`` plus ``"iter"`` (the rung) and
        ``"n_resources"``. With ``warm_start_from``, the earlier rows come
        first (see there).

    best_estimator_ : estimator
        The best candidate of the last rung, refitted on the whole data, of
        the estimator's own class. Not available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of ``best_estimator_`` in the last rung.

    best_params_ : dict
        Its parameters (with the resource when it is an estimator parameter).

    best_index_ : int
        Its row in ``cv_results_``.

    scorer_ : function or dict
        Scorer(s) used on the held-out folds.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds used to refit the best configuration on the whole data.

    multimetric_ : bool
        Whether several metrics are scored.

    classes_ : ndarray of shape (n_classes,)
        Class labels, if ``refit`` and the estimator is a classifier.

    n_features_in_ : int
        Number of features seen during fit, if ``best_estimator_`` exposes it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, if ``best_estimator_`` exposes them.

    stop_reason_ : str or None
        The stopping rule that ended the search early, or ``None``.

    See Also
    --------
    HyperbandSearchCV : Several successive-halving brackets, trading the
        number of candidates against their first resource.
    BayesSearchCV : Bayesian optimization with full-resource evaluations.
    sklearn.model_selection.HalvingRandomSearchCV : scikit-learn's version.

    Notes
    -----
    **Subsamples** (``resource="n_samples"``). A rung with ``r`` samples out
    of ``n`` uses, in every CV fold, the fraction ``r / n`` of the fold's
    training and test indices. The subsamples are nested prefixes of a fixed
    random order of each fold's sides: a larger rung contains the smaller
    rungs' samples, every rung uses subsets of the same frozen folds (so
    groups kept apart by a group splitter stay apart), classes are
    stratified for classifiers with every class present, and with a splitter
    that uses ``groups`` (``GroupKFold``, ...) samples are taken group by
    group.

    **Warm start.** For the duration of the search the estimator is replaced
    by a twin with the same class name and parameters whose ``fit`` keeps
    each fold model and, at the next rung, continues it (only on the very
    same training data, identified by a hash of it). Fits in the search's
    own process (``n_jobs=None``, threads) keep their models in memory,
    unpickled; fits in worker processes (loky, dask) pickle them to a
    temporary directory, since the next rung's fit may run in another
    worker. Once a rung's promotions are known, the models of eliminated
    candidates are dropped. A cache miss, for instance on another machine of
    a dask cluster, fits from scratch. Continued forests and bagging models, and
    gradient boosting with an integer ``random_state``, equal their models
    fitted from scratch; MLP and SGD models restart their optimizer state,
    so their scores are close to, not equal to, training from scratch. The
    ``mean_fit_time`` of a continued rung counts the continued training only.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper import SuccessiveHalvingSearchCV
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> search = SuccessiveHalvingSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": [2, 4, 8, None], "max_features": [0.3, 0.6, 1.0]},
    ...     resource="n_estimators",
    ...     max_resources=27,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> search.n_resources_, search.n_candidates_
    ([3, 9, 27], [12, 4, 2])
    >>> search.best_params_["n_estimators"]
    27
    """

    _parameter_constraints: dict = {
        **_BaseHalving._parameter_constraints,
        "n_candidates": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "exhaust"}),
        ],
        "min_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "exhaust", "smallest"}),
        ],
        "aggressive_elimination": ["boolean"],
    }
    _replay_columns = ("iter", "n_resources")
    _checkpoint_params = _BaseHalving._checkpoint_params + (
        "n_candidates", "aggressive_elimination"
    )

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        n_candidates="auto",
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="auto",
        aggressive_elimination=False,
        proposer="auto",
        warm_start=True,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=False,
        random_state=None,
        n_jobs=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        max_time=None,
        callbacks=None,
        param_grid=None,
        param_distributions=None,
        checkpoint=None,
        warm_start_from=None,
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.n_candidates = n_candidates
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.aggressive_elimination = aggressive_elimination
        self.proposer = proposer
        self.warm_start = warm_start
        self.random_state = random_state
        self.max_time = max_time
        self.callbacks = callbacks
        self.param_grid = param_grid
        self.param_distributions = param_distributions
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from

    def _plan(self, space, proposer, max_resources, smallest, floor, n_splits):
        factor = self.factor
        size = self._space_size(space, proposer)
        min_resources = self.min_resources
        if _is_int(min_resources):
            first = int(min_resources)
        elif min_resources in ("smallest", "exhaust"):
            first = smallest
        else:
            first = max(1, min(floor, max_resources))
        if first > max_resources:
            raise ValueError(
                f"min_resources={first} is greater than max_resources="
                f"{max_resources}."
            )
        n_candidates = self.n_candidates
        if n_candidates == "exhaust":
            if min_resources == "exhaust":
                raise ValueError(
                    "n_candidates and min_resources cannot both be 'exhaust'."
                )
            n_candidates = max_resources // first
        elif n_candidates == "auto":
            if proposer == "grid":
                n_candidates = size
            else:
                start = smallest if min_resources == "exhaust" else first
                possible = _schedule.n_possible_iterations(start, max_resources, factor)
                n_candidates = _schedule.auto_n_candidates(
                    factor, _schedule.auto_n_rungs(factor, possible)
                )
        n_candidates = int(max(1, min(n_candidates, size)))
        if min_resources == "exhaust":
            first = _schedule.exhaust_min_resources(
                smallest, max_resources, factor, n_candidates
            )
        elif min_resources == "auto":
            first = _schedule.exhaust_min_resources(
                first, max_resources, factor, n_candidates
            )
        return _schedule.halving_schedule(
            n_candidates,
            factor=factor,
            min_resources=first,
            max_resources=max_resources,
            aggressive_elimination=self.aggressive_elimination,
            n_splits=n_splits,
        )

    def _run(self, schedule, proposer, evaluator, rung_cv, plan):
        self.schedule_ = schedule
        self.min_resources_ = schedule.min_resources
        self.max_resources_ = schedule.max_resources
        self.n_required_iterations_ = schedule.n_required_iterations
        self.n_possible_iterations_ = schedule.n_possible_iterations
        self.n_resources_, self.n_candidates_ = [], []
        candidates = proposer.propose(schedule.n_candidates[0], self._history)
        for itr, n_resources in enumerate(schedule.n_resources):
            if not candidates or (itr and evaluator.should_stop()):
                break
            n = len(candidates)
            if self.verbose > 0:
                print(f"[{type(self).__name__}] rung {itr}: {n} candidates, "
                      f"{self.resource}={n_resources}")
            evaluations = self._evaluate_rung(
                evaluator, candidates, n_resources, rung_cv(n_resources),
                {"iter": [itr] * n, "n_resources": [n_resources] * n},
            )
            self.n_resources_.append(n_resources)
            self.n_candidates_.append(n)
            keep = math.ceil(n / self.factor)
            candidates = self._promote(evaluator, evaluations, keep)
            self._forget_eliminated(plan, candidates)
        self.n_remaining_candidates_ = len(candidates)
        self.n_iterations_ = len(self.n_resources_)

    def _top_rows(self, results):
        iters = np.asarray(results["iter"])
        own = _own_rows(results)
        return np.flatnonzero(own & (iters == iters[own].max()))


class HyperbandSearchCV(_BaseHalving):
    """Hyperband: successive-halving brackets from bold to cautious.

    Hyperband (Li et al., 2018) hedges successive halving's one bet, how
    small the first rung can be: it runs several brackets, from one that
    starts many candidates with the smallest resource to one that evaluates
    a few candidates with ``max_resources`` directly. With ``eta = factor``,
    ``R = max_resources``, ``r = min_resources`` and ``s_max =
    floor(log_eta(R / r))``, bracket ``b = 0, ..., s_max`` (Li et al.'s
    ``s = s_max - b``) starts ``ceil((s_max + 1) / (s + 1) * eta**s)``
    candidates at resource level ``b``, and each of its rungs keeps the best
    ``1 / eta`` and gives them the next level. The ``s_max + 1`` levels go
    from ``r`` to ``R``: Li et al.'s ``R * eta**(b - s_max)`` (rounded down)
    when the first of them is ``r``, as when ``R / r`` is a power of
    ``eta``; otherwise ``r * (R / r)**(b / s_max)``, so that the boldest
    bracket starts at ``min_resources`` exactly (Li et al.'s arithmetic
    would start it up to ``eta`` times higher) and the resource grows a
    little more than ``eta``-fold per rung. The total is known before
    fitting: :meth:`schedule` returns every bracket's rungs, the number of
    evaluations and the total resource.

    Brackets are started one rung apart, so that at every step all running
    brackets are at the same resource and their rungs share one call to
    ``evaluate_candidates`` (one joblib batch): cores do not idle between
    small rungs. With ``proposer="bayes"`` (BOHB, Falkner et al., 2018), each
    new bracket's candidates come from the Bayesian optimizer of
    :class:`~skhyper.BayesSearchCV`, fitted on the evaluations of the
    highest resource level that has enough of them; a third are random.

    **The best configuration comes from the top resource**: ``best_*``
    describe the best candidate among those evaluated with the most resource
    (``max_resources`` unless the search was stopped early), over all
    brackets.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; it must provide ``score`` or ``scoring`` must
        be given.

    search_spaces : dict, list of dict or Space, default=None
        What to search, in any form :class:`~skhyper.Space` accepts.

    factor : float, default=3
        ``eta``: each rung keeps the best ``1 / factor`` and multiplies the
        resource by ``factor``. Must be greater than 1.

    resource : str, default="n_samples"
        ``"n_samples"`` or an integer parameter of the estimator, as in
        :class:`SuccessiveHalvingSearchCV`.

    max_resources : int or "auto", default="auto"
        ``R``: all samples, or the estimator's own value of the parameter.

    min_resources : int, "auto" or "smallest", default="auto"
        ``r``, the resource of the first rung of the boldest bracket.
        ``"auto"``: as small as the floor of
        :class:`SuccessiveHalvingSearchCV` allows (for ``"n_samples"``; 1 for
        a parameter), with at most ``floor(log_factor(101))`` brackets (4
        for ``factor=3``). ``"smallest"``: scikit-learn's ``2 * n_splits *
        n_classes`` (1 for a parameter). An explicit number is used as given.
        When ``max_resources`` is less than ``factor * min_resources``, there
        is a single bracket of one configuration at ``max_resources``, and a
        warning says so.

    proposer : {"auto", "grid", "random", "bayes"}, default="auto"
        Where each bracket's candidates come from: ``"random"`` (Hyperband),
        ``"bayes"`` (BOHB), ``"grid"`` (a finite space without repeats while
        it lasts); ``"auto"`` is ``"grid"`` for a grid, else ``"random"``.

    warm_start : bool, default=True
        Promoted fold models continue training, as in
        :class:`SuccessiveHalvingSearchCV`.

    cv : int, cross-validation generator or an iterable, default=5
        Cross-validation strategy; the folds are drawn once per fit.

    scoring : str, callable, list, tuple or dict, default=None
        As in RandomizedSearchCV; the ``refit`` metric drives promotions.

    refit : bool, str, or callable, default=True
        Refit the best top-resource configuration on the whole dataset.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit; failed candidates are never promoted.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    random_state : int, RandomState instance or None, default=None
        Seeds the candidates and subsamples.

    n_jobs : int, default=None
        Number of jobs to run in parallel.

    verbose : int, default=0
        Verbosity; ``>= 1`` prints the schedule and a line per step.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    max_time : float, default=None
        Wall-clock budget in seconds: no step starts that is forecast to end
        after it.

    callbacks : callable or list of callable, default=None
        Called after each step with a
        :class:`~skhyper.callbacks.SearchProgress`; returning ``True`` stops.

    param_grid : dict or list of dict, default=None
        Alias of ``search_spaces``.

    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces``.

    checkpoint : str or path-like, default=None
        A JSON file written after every step, to resume an interrupted search.

    warm_start_from : fitted search or dict, default=None
        Earlier evaluations to reuse, as in
        :class:`SuccessiveHalvingSearchCV`: an evaluation of a configuration
        with a resource at which an earlier successive-halving or Hyperband
        search evaluated it is not fitted again. Reused rows take the
        ``bracket`` and ``iter`` of the step that reused them; the other
        earlier rows of ``cv_results_`` have ``bracket=-1`` and ``iter=-1``.

    Attributes
    ----------
    schedule_ : HyperbandSchedule
        The planned brackets.

    n_resources_ : list of list of int
        For each bracket started, the resource of each rung run: the first
        bracket's starts at ``min_resources_``, every bracket's last is
        ``max_resources_``.

    n_candidates_ : list of list of int
        For each bracket started, the candidates of each rung run.

    n_brackets_ : int
        Brackets started.

    n_iterations_ : int
        Steps run; each evaluates one rung of every running bracket.

    min_resources_, max_resources_ : int
        ``r`` and ``R``: the smallest and the largest resource of a rung.

    warm_start_ : bool
        Whether promoted fold models continued training.

    proposer_ : str
        The proposer used.

    optimizer_ : Optimizer or None
        With ``proposer="bayes"``, the optimizer that proposed the last
        bracket, fitted on the evaluations of one resource level (``None``
        if no level had enough evaluations to fit it).

    cv_results_ : dict of numpy (masked) ndarrays
        Every evaluation of every bracket, with scikit-learn's keys plus
        ``"bracket"``, ``"iter"`` (the rung within its bracket) and
        ``"n_resources"``.

    best_estimator_, best_score_, best_params_, best_index_ : see above
        The best candidate evaluated with the most resource.

    scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_, stop_reason_
        As in :class:`SuccessiveHalvingSearchCV`.

    See Also
    --------
    SuccessiveHalvingSearchCV : A single bracket.
    BayesSearchCV : Bayesian optimization with full-resource evaluations.

    References
    ----------
    L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh and A. Talwalkar,
    "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
    Optimization", JMLR 18(185), 2018.

    S. Falkner, A. Klein and F. Hutter, "BOHB: Robust and Efficient
    Hyperparameter Optimization at Scale", ICML 2018.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skhyper import HyperbandSearchCV, Integer
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> search = HyperbandSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": Integer(2, 12), "max_features": (0.1, 1.0)},
    ...     resource="n_estimators", max_resources=27, min_resources=3,
    ...     cv=3, random_state=0,
    ... )
    >>> schedule = search.schedule()
    >>> [b.n_candidates for b in schedule.brackets]
    [[9, 3, 1], [5, 1], [3]]
    >>> schedule.total_resources
    234
    >>> search.fit(X, y).best_params_["n_estimators"]
    27
    """

    _parameter_constraints: dict = {
        **_BaseHalving._parameter_constraints,
        "min_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "smallest"}),
        ],
    }
    _replay_columns = ("bracket", "iter", "n_resources")

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        factor=3,
        resource="n_samples",
        max_resources="auto",
        min_resources="auto",
        proposer="auto",
        warm_start=True,
        cv=5,
        scoring=None,
        refit=True,
        error_score=np.nan,
        return_train_score=False,
        random_state=None,
        n_jobs=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        max_time=None,
        callbacks=None,
        param_grid=None,
        param_distributions=None,
        checkpoint=None,
        warm_start_from=None,
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.factor = factor
        self.resource = resource
        self.max_resources = max_resources
        self.min_resources = min_resources
        self.proposer = proposer
        self.warm_start = warm_start
        self.random_state = random_state
        self.max_time = max_time
        self.callbacks = callbacks
        self.param_grid = param_grid
        self.param_distributions = param_distributions
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from

    def _plan(self, space, proposer, max_resources, smallest, floor, n_splits):
        factor = self.factor
        min_resources = self.min_resources
        if _is_int(min_resources):
            first = int(min_resources)
        elif min_resources == "smallest":
            first = smallest
        else:
            floor = max(1, min(floor, max_resources))
            k_max = _schedule.auto_n_rungs(factor, math.inf)
            s_max = min(_schedule.floor_log(max_resources / floor, factor), k_max - 1)
            first = max(floor, int(max_resources // factor**s_max))
        if first > max_resources:
            raise ValueError(
                f"min_resources={first} is greater than max_resources="
                f"{max_resources}."
            )
        schedule = _schedule.hyperband_schedule(
            factor=factor, min_resources=first, max_resources=max_resources,
            n_splits=n_splits,
        )
        if schedule.s_max == 0:
            warnings.warn(
                f"HyperbandSearchCV: max_resources={max_resources} is less than "
                f"factor={factor} times min_resources={first}, so Hyperband has "
                "a single bracket that evaluates one configuration, with "
                f"{max_resources} (min_resources={first} is not used). Give "
                "more resources (or a smaller min_resources), or use "
                "BayesSearchCV for data this small.",
                UserWarning,
                stacklevel=3,
            )
        return schedule

    def _run(self, schedule, proposer, evaluator, rung_cv, plan):
        self.schedule_ = schedule
        self.min_resources_ = schedule.min_resources
        self.max_resources_ = schedule.max_resources
        brackets = schedule.brackets
        self.n_resources_, self.n_candidates_ = [], []
        running = []  # [bracket, rung, candidates]
        n_steps = 0
        for step in range(len(brackets)):
            if step and evaluator.should_stop():
                break
            first = brackets[step].n_candidates[0]
            running.append([step, 0, proposer.propose(first, self._history)])
            self.n_resources_.append([])
            self.n_candidates_.append([])
            running = [state for state in running if state[2]]
            if not running:
                continue
            n_resources = brackets[running[0][0]].n_resources[running[0][1]]
            batch, more = [], {"bracket": [], "iter": [], "n_resources": []}
            for b, rung, candidates in running:
                batch.extend(candidates)
                more["bracket"].extend([b] * len(candidates))
                more["iter"].extend([rung] * len(candidates))
                more["n_resources"].extend([n_resources] * len(candidates))
            if self.verbose > 0:
                print(f"[{type(self).__name__}] step {step}: brackets "
                      f"{[state[0] for state in running]}, {len(batch)} "
                      f"candidates, {self.resource}={n_resources}")
            evaluations = self._evaluate_rung(
                evaluator, batch, n_resources, rung_cv(n_resources), more
            )
            n_steps += 1
            start, survivors = 0, []
            for state in running:
                b, rung, candidates = state
                mine = evaluations[start: start + len(candidates)]
                start += len(candidates)
                self.n_resources_[b].append(n_resources)
                self.n_candidates_[b].append(len(candidates))
                counts = brackets[b].n_candidates
                if rung + 1 < len(counts):
                    keep = min(counts[rung + 1],
                               max(1, math.floor(len(candidates) / self.factor)))
                    state[1], state[2] = rung + 1, self._promote(evaluator, mine, keep)
                else:
                    state[2] = []
                survivors.extend(state[2])
            running = [state for state in running if state[2]]
            self._forget_eliminated(plan, survivors)
        self.n_brackets_ = len(self.n_resources_)
        self.n_iterations_ = n_steps
        if self.proposer_ == "bayes":
            self.optimizer_ = proposer.optimizer_

    def _top_rows(self, results):
        resources = np.asarray(results["n_resources"])
        own = _own_rows(results)
        return np.flatnonzero(own & (resources == resources[own].max()))
