"""What successive halving and Hyperband share: setup, the policy, the best row.

Before any fit, the resource, the frozen folds and the schedule are settled
(``_make_setup``); ``_search`` then builds a
:class:`~skhyper.scheduling._halving_policy.HalvingPolicy` (rungs and
brackets, promotions) and drives it in batches or as workers free. The
searches are :mod:`skhyper.searches._halving` and
:mod:`skhyper.searches._hyperband`; the schedule arithmetic is in
:mod:`skhyper.scheduling._schedule`, the ``n_samples`` subsamples in
:mod:`skhyper.resources._subsamples`, the continued training of promoted fold
models in :mod:`skhyper.resources._warm_start`, the rows reused from an
earlier search in :mod:`skhyper.resume._earlier`, and the candidate sources
in :mod:`skhyper.optimizer._registry`.
"""

import numbers
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import check_cv

from skhyper import _compat
from skhyper._compat import HasMethods, Interval, StrOptions
from skhyper.boosting import _libraries
from skhyper.optimizer._registry import (
    HALVING_PROPOSERS,
    make_halving_proposer,
    resolve_halving_proposer,
)
from skhyper.resources import _subsamples
from skhyper.resources._warm_start import (
    WarmStartPlan,
    continuation_mode,
    resource_path_owner,
)
from skhyper.resume import _checkpoint, _earlier
from skhyper.scheduling._fold_stopping import RULES, stopped_rows
from skhyper.scheduling._halving_policy import HalvingPolicy
from skhyper.scheduling._promotion import all_folds_failed, best_first
from skhyper.scheduling._splits import FrozenSplits
from skhyper.searches._base import BaseModelSearchCV
from skhyper.space import Space

__all__ = ["BaseHalvingSearch", "is_int", "own_rows"]


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


def is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class BaseHalvingSearch(BaseModelSearchCV):
    """What successive halving and Hyperband share; not for direct use."""

    _parameter_constraints: dict = {
        **BaseModelSearchCV._parameter_constraints,
        "factor": [Interval(numbers.Real, 1, None, closed="neither")],
        "resource": [str],
        "max_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "proposer": [StrOptions(set(HALVING_PROPOSERS))],
        "warm_start": ["boolean"],
        # Earlier evaluations need their resource: no (params, score) pairs.
        "warm_start_from": [dict, HasMethods(["fit"]), None],
        "asynchronous": ["boolean", StrOptions({"asha"})],
        "fold_stopping": [StrOptions(set(RULES)), None],
    }
    _checkpoint_params = (
        "factor", "resource", "min_resources", "max_resources", "proposer"
    )

    # -- fit -----------------------------------------------------------------

    @contextmanager
    def _fit_context(self, run):
        """The estimator's warm-start twin, while the search fits."""
        user_estimator = self.estimator
        run.warm_plan = plan = self._warm_start_plan()
        if plan is not None:
            self.estimator = plan.wrap(user_estimator)
        try:
            yield
        finally:
            self.estimator = user_estimator
            if plan is not None:
                plan.close()

    def _resource_name(self):
        """The resource parameter: ``resource``, or the booster's rounds it names.

        ``"n_estimators"`` names ``max_iter`` of histogram gradient boosting,
        ``iterations`` of CatBoost, and the final step's rounds in a pipeline
        (:func:`~skhyper.boosting._libraries.resolve_rounds`).
        """
        run = self.__dict__.get("_run")
        name = getattr(run, "resource_name", None)
        if name is not None:
            return name
        name = resource = self.resource
        estimator = self.estimator
        if resource == "auto":
            name = self._auto_resource()
        elif (isinstance(resource, str) and resource != "n_samples"
                and hasattr(estimator, "get_params")
                and resource not in estimator.get_params(deep=True)):
            name = _libraries.resolve_rounds(estimator, resource) or resource
        if run is not None:
            run.resource_name = name
        return name

    def _auto_resource(self):
        """``resource="auto"``: a booster's rounds, else ``"n_samples"``.

        Boosting rounds grow a model the way its users tune it, and promoted
        fold models continue their rounds; with ``early_stopping`` the rounds
        are the booster's own to choose, so the rungs grow the samples.
        """
        prefix, booster = _libraries.final_booster(self.estimator)
        if booster is None or getattr(self, "early_stopping", None) not in (None, False):
            return "n_samples"
        return prefix + _libraries.rounds_param(booster)

    def _estimator_params(self):
        """The estimator's parameters, a booster's unset rounds filled in."""
        params = self.estimator.get_params(deep=True)
        params.update(_libraries.rounds_default(self.estimator))
        return params

    def _warm_start_plan(self):
        """A warm-start plan if promoted fold models can continue training."""
        resource = self._resource_name()
        estimator = self.estimator
        if self.warm_start is not True or not isinstance(resource, str):
            return None
        if resource == "n_samples" or not hasattr(estimator, "get_params"):
            return None
        cls = type(estimator)
        if getattr(cls, "__sklearn_clone__", None) not in (
            BaseEstimator.__sklearn_clone__, None  # None: CatBoost
        ) or cls.__reduce__ is not object.__reduce__:
            return None  # the class manages cloning or pickling itself
        try:
            if resource not in self._estimator_params():
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
        run = self._run
        run.setup = self._make_setup(space, run.X, run.y, run.params.get("groups"))
        self._check_early_stopping()
        if run.warm_plan is not None:
            run.warm_plan.max_resources = run.setup.schedule.max_resources
        run.earlier = None
        if self.warm_start_from is not None:
            run.earlier = _earlier.halving_rows(
                self, run.setup, space, self.warm_start_from,
                self._same_subsamples(self.warm_start_from),
            )

    def _check_early_stopping(self):
        """Rounds as the resource: not with early stopping; warn if not continued."""
        resource = self._resource_name()
        prefix, booster = _libraries.final_booster(self.estimator)
        rounds = booster is not None and (
            resource == prefix + _libraries.rounds_param(booster)
        )
        if rounds and self._run.warm_plan is None and self.warm_start is True \
                and self._run.early_stopping is None:
            warnings.warn(
                f"resource={self.resource!r}: the fold models of {resource} cannot "
                f"continue their rounds ({type(booster).__name__} manages its own "
                "cloning or pickling); every rung trains its rounds from scratch.",
                UserWarning, stacklevel=5,
            )
        if rounds and self._run.early_stopping is not None:
            raise ValueError(
                f"early_stopping chooses the number of rounds in every fold, so "
                f"resource={self.resource!r} ({resource}) cannot grow them rung "
                "by rung: use resource='n_samples' with early_stopping, or "
                "early_stopping=None with the rounds as the resource."
            )

    def _budget(self, space):
        return self._run.setup.schedule.n_evaluations

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
        if X is None and self._resource_name() == "n_samples":
            raise ValueError(
                "schedule() needs X (and y) when resource='n_samples': the "
                "resources are numbers of samples."
            )
        return self._make_setup(space, X, y, params.get("groups")).schedule

    def _resolve_proposer(self, space):
        proposer = resolve_halving_proposer(self.proposer, space)
        if proposer == "grid" and not space.is_finite:
            raise ValueError(
                "proposer='grid' needs a finite search space (lists and integer "
                "ranges only); use proposer='random' or 'bayes' for continuous "
                "ranges and distributions."
            )
        return proposer

    def _make_setup(self, space, X, y, groups):
        estimator = self.estimator
        resource = self._resource_name()
        classifier = is_classifier(estimator)
        proposer = self._resolve_proposer(space)
        if resource != "n_samples":
            params = self._estimator_params()
            if resource not in params:
                raise ValueError(
                    f"Cannot use resource={resource} which is not supported by "
                    f"estimator {type(estimator).__name__}: use 'n_samples' or "
                    f"one of its integer parameters, e.g. "
                    f"{_integer_params(params)!r}."
                )
            if any(resource in sub for sub in space.subspaces):
                raise ValueError(
                    f"Cannot use parameter {resource} as the resource since it "
                    "is part of the searched parameters: the search sets it at "
                    "every rung."
                )
        cv = check_cv(self.cv, y, classifier=classifier)
        splits, codes, n_samples = None, None, None
        if X is not None:
            n_samples = _n_samples(X)
        if resource == "n_samples":
            if n_samples == 0:  # scikit-learn's words
                raise ValueError(
                    "min_resources_=0: you might have passed an empty dataset X."
                )
            splits = FrozenSplits(cv).split(X, y, groups)
            splits = list(splits)
            n_splits = len(splits)
            codes = _subsamples.class_codes(y, classifier)
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
            floor = _subsamples.sample_floor(splits, n_samples, codes)
            floor = min(max_resources, floor)
        else:
            try:
                n_splits = cv.get_n_splits(X, y, groups)
            except (TypeError, ValueError):
                n_splits = None
            max_resources = self.max_resources
            if max_resources == "auto":
                value = params[resource]
                if not is_int(value) or value < 1:
                    raise ValueError(
                        "resource can only be 'n_samples' when max_resources="
                        f"'auto', unless the estimator's own {resource} is a "
                        f"positive integer (got {value!r}); pass max_resources "
                        "explicitly."
                    )
                max_resources = int(value)
            smallest = floor = 1
        if not _uses_groups(cv):
            groups = None  # subsamples are taken group by group only if folds are
        schedule = self._plan(space, proposer, max_resources, smallest, floor, n_splits)
        first = schedule.min_resources
        if first > max_resources:
            raise ValueError(
                f"min_resources_={first} is greater than max_resources_="
                f"{max_resources}."
            )
        if resource == "n_samples" and first < n_samples:
            problem = _subsamples.check_first_rung(splits, n_samples, first, codes)
            if problem is not None:
                raise ValueError(
                    f"min_resources={self.min_resources!r}: a first rung of {first} "
                    f"samples {problem}. Use a larger min_resources or 'auto'."
                )
        return _Setup(schedule, proposer, n_samples, splits, codes, groups)

    # -- warm_start_from -------------------------------------------------------

    def _same_subsamples(self, earlier):
        """Whether ``earlier`` drew the subsamples this search will draw.

        They come from the CV folds and ``random_state``: an skhyper halving
        search with the same integer ``random_state`` and the same
        deterministic ``cv`` (on the same data, as for any reuse).
        """
        cv = self.cv
        shuffled = getattr(cv, "shuffle", False) and not is_int(
            getattr(cv, "random_state", None)
        )
        return (
            isinstance(earlier, BaseHalvingSearch)
            and earlier._resource_name() == "n_samples"
            and is_int(self.random_state)
            and earlier.random_state == self.random_state
            and not shuffled
            and _checkpoint.describe(earlier.cv) == _checkpoint.describe(cv)
        )

    def _restore(self, space, spec):
        earlier, saver = super()._restore(space, spec)
        if self.warm_start_from is None:
            return earlier, saver
        run = self._run
        if earlier is not None and earlier.seed is not None:
            run.earlier = None  # resuming this search's checkpoint instead
            return earlier, saver
        if run.earlier is None:
            return None, saver
        return _earlier.EarlierAtResources(
            space, results=run.earlier, own_columns=self._own_columns
        ), saver

    def _space_size(self, space, proposer):
        if proposer == "grid":
            keys = {space.key(point) for point in space.grid()}
            return len(keys)
        return space.size

    # -- running ---------------------------------------------------------------

    def _search(self, space, evaluator, rng):
        run = self._run
        setup, plan = run.setup, run.warm_plan
        self.warm_start_ = plan is not None
        self.proposer_ = setup.proposer
        schedule = setup.schedule
        self.schedule_ = schedule
        self.resource_ = self._resource_name()
        self.min_resources_ = schedule.min_resources
        self.max_resources_ = schedule.max_resources
        try:
            rung_cv = self._rung_splitter(setup, evaluator, rng)
            proposer = make_halving_proposer(setup.proposer, space, rng)
            policy = HalvingPolicy(
                self._brackets(schedule), proposer, rung_cv,
                self._with_resource, self._n_promoted, self.factor,
                self._own_columns, asha=self.asynchronous == "asha",
                relabel=run.earlier is not None,
                eliminated=plan.forget if plan is not None else None,
            )
            if self.verbose > 0:
                print(f"[{type(self).__name__}] schedule:\n{schedule}")
            self._drive(policy, self.asynchronous is not False, self._batch_line())
            self._set_rung_attributes(schedule, policy)
        finally:
            if plan is not None:
                plan.close()  # from here on (refit), clones are the user's class

    def _batch_line(self):
        """``line(units)``, printed before each batch at ``verbose > 0``."""
        return None

    def _brackets(self, schedule):
        """The schedule's brackets, each a ``HalvingSchedule``."""
        raise NotImplementedError

    def _n_promoted(self, counts, rung, n):
        """Candidates a bracket planned as ``counts`` promotes out of ``rung``
        when ``n`` were evaluated there."""
        raise NotImplementedError

    def _set_rung_attributes(self, schedule, policy):
        """``n_resources_``, ``n_candidates_``, ... once the rungs ran."""
        raise NotImplementedError

    def _rung_splitter(self, setup, evaluator, rng):
        """``cv_for(n_resources)``: the splitter of a rung."""
        if self._resource_name() != "n_samples":
            return lambda n_resources: evaluator.cv
        if evaluator.cv.splits_ is None:
            evaluator.cv.splits_ = setup.splits
        subsamples = _subsamples.NestedSubsamples(
            evaluator.cv.splits_, setup.codes, setup.groups, rng
        )
        return lambda n_resources: subsamples.rung(n_resources, setup.n_samples)

    def _with_resource(self, candidate, n_resources):
        resource = self._resource_name()
        if resource == "n_samples":
            return dict(candidate)
        return {**candidate, resource: int(n_resources)}

    def _without_resource(self, params):
        resource = self._resource_name()
        return {k: v for k, v in params.items() if k != resource}

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
        failed = ~np.isfinite(scores) | all_folds_failed(
            results, refit_metric, self.error_score, rows
        ) | stopped_rows(results)[rows]
        params = [self._without_resource(results["params"][i]) for i in rows]
        order = best_first(scores, failed, params)
        return int(rows[order[0]]) if order else int(rows[0])


def _uses_groups(cv):
    """Whether the splitter's folds depend on ``groups``."""
    try:
        from sklearn.utils.metadata_routing import get_routing_for_object

        return bool(get_routing_for_object(cv).consumes("split", {"groups"}))
    except Exception:  # releases without ``consumes``: trust the caller
        return True


def _integer_params(params):
    return sorted(k for k, v in params.items() if is_int(v))[:8]


def own_rows(results):
    """Rows this search evaluated: not earlier rows it left unused (``iter=-1``)."""
    iters = np.asarray(results["iter"])
    own = iters >= 0
    return own if own.any() else np.ones(len(iters), dtype=bool)
