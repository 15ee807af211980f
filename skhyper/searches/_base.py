"""What every skhyper search shares, on top of scikit-learn's ``BaseSearchCV``.

A search subclass implements ``_search(space, evaluator, rng)``: it proposes
configurations and hands them to the :class:`Evaluator`, which runs them through
scikit-learn's ``evaluate_candidates`` on frozen CV splits, records them,
reports progress and applies the stopping rules. Fitting, scoring, refit,
``cv_results_`` and joblib parallelism stay scikit-learn's own.
"""

import numbers
import os
import warnings
from abc import abstractmethod
from collections.abc import Iterator
from contextlib import nullcontext
from functools import partial
from typing import ClassVar

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import ParameterGrid, ParameterSampler, check_cv
from sklearn.utils import check_random_state

from skhyper import _compat
from skhyper._compat import BaseSearchCV, HasMethods, Interval, StrOptions
from skhyper.boosting import _early_stopping, _monitor
from skhyper.resume import _checkpoint, _earlier
from skhyper.scheduling import _engines, _fold_stopping, _results, _warning_filters
from skhyper.scheduling._barrier import run_batches
from skhyper.scheduling._evaluator import Evaluation, Evaluator, optimized_metric
from skhyper.scheduling._streaming import StreamingDriver
from skhyper.searches import _default_spaces, _selection_bias
from skhyper.space import Dimension, Space

__all__ = ["BaseModelSearchCV", "Evaluation", "Evaluator", "optimized_metric"]

_SPACE_ALIASES = ("search_spaces", "param_grid", "param_distributions")


class FitRun:
    """What one ``fit`` holds while it runs, on the search as ``_run``.

    It is dropped when ``fit`` ends and never travels with the search to the
    workers.
    """

    def __init__(self, X, y, params):
        self.X, self.y, self.params = X, y, params
        self.shipped = (X, y)  # as the fits receive them (engines' handles)
        self.evaluator = None
        self.setup = None  # halving: resource, schedule, frozen folds
        self.warm_plan = None  # halving: fold models that continue training
        self.earlier = None  # halving: an earlier search's rows it reuses
        self.early_stopping = None  # boosters stopping early in every fold
        self.resource_name = None  # halving: the resource parameter resolved


class BaseModelSearchCV(BaseSearchCV):
    """Base class of skhyper's searches; not for direct use.

    Subclasses implement ``_search(space, evaluator, rng)`` and may add checks
    in ``_check_search_params(space)``. Both run inside ``fit`` before any
    estimator is fitted.
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseSearchCV._parameter_constraints,
        "search_spaces": [dict, list, Space, StrOptions({"auto"}), None],
        "param_grid": [dict, list, None],
        "param_distributions": [dict, list, None],
        "random_state": ["random_state"],
        "max_time": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "callbacks": [callable, list, None],
        "checkpoint": [str, os.PathLike, None],
        "warm_start_from": [dict, list, tuple, HasMethods(["fit"]), None],
        "early_stopping": ["boolean", _early_stopping.EarlyStopping, None],
    }
    #: The search's own cv_results_ columns that, with the parameters, identify
    #: an evaluation (replayed from a checkpoint rather than run again).
    _own_columns = ()
    #: Parameters that shape which evaluations a search makes; a checkpoint
    #: written with other values is refused.
    _checkpoint_params = ()

    @abstractmethod
    def __init__(self, estimator, **kwargs):
        super().__init__(estimator, **kwargs)

    def fit(self, X, y=None, **params):
        """Run the search, then refit the best configuration on all of ``X``.

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

        Notes
        -----
        If the search is interrupted (``KeyboardInterrupt``, a worker that
        dies, a fit error with ``error_score="raise"``), it keeps
        ``cv_results_`` and the ``best_*`` attributes of every evaluation that
        finished, then re-raises. With ``checkpoint`` set, they are on disk too.
        """
        stopping = self._stopping_plan(X, params)  # before any fit: it checks
        if stopping is not None:
            params = stopping.fit_params(params)
        run = self._run = FitRun(X, y, params)
        run.early_stopping = stopping
        scoring = _default_spaces.default_scoring(self)  # clusterers: silhouette
        cv = self.cv
        if isinstance(cv, Iterator):
            # A generator of splits can be read once; scikit-learn's fit and
            # our frozen splits both read it: they read a list of it instead.
            self.cv = list(cv)
        user_estimator = self.estimator
        try:
            if scoring is not None:
                self.scoring = scoring
            if stopping is not None:
                self.estimator = stopping.wrap(user_estimator)
            with (
                _warning_filters.kept(),
                self._fit_context(run),
                _engines.shipped_once(X, y) as data,
            ):
                run.shipped = data
                super().fit(*data, **params)
            self._add_trailing_failures()
            self._finish_results()
        except BaseException:
            # Ctrl-C, a dead worker, error_score="raise": what finished stays.
            self._keep_finished_results()
            raise
        finally:
            if scoring is not None:
                self.scoring = None
            self.cv = cv
            self.estimator = user_estimator
            self._unwrap_scorer()
            self.__dict__.pop("_run", None)
        self.stop_reason_ = run.evaluator.stop_reason
        if stopping is not None:
            self._set_best_rounds(stopping)
        _selection_bias.set_fitted_attributes(self)
        return self

    def __getstate__(self):
        # scikit-learn ships the search itself to every fit task (as the
        # callbacks' caller): the fit-time state must stay behind.
        state = dict(super().__getstate__())  # may be __dict__ itself
        state.pop("_run", None)
        return state

    def _stopping_plan(self, X, params):
        """The early-stopping plan of this fit, or None; checks the option."""
        option = getattr(self, "early_stopping", None)
        if option is None or option is False:
            return None
        config = _early_stopping.check_early_stopping(option, self.estimator)
        monitor = _monitor.resolve(config, self.estimator, self.scoring, self.refit)
        rule = _monitor.refit_rule(config, self.estimator, self.scoring, self.refit)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        n_samples = _early_stopping.n_samples(X)
        return _early_stopping.StoppingPlan(
            config, self.estimator, n_samples, params.get("groups"), seed, monitor, rule
        )

    def _get_scorers(self, *args, **kwargs):
        # With early stopping, the scorers also bring back each fold's rounds.
        scorers, refit_metric = super()._get_scorers(*args, **kwargs)
        run = self.__dict__.get("_run")
        if run is None or run.early_stopping is None:
            return scorers, refit_metric
        return run.early_stopping.wrap_scorer(scorers), refit_metric

    def _unwrap_scorer(self):
        scorer = self.__dict__.get("scorer_")
        if isinstance(scorer, _early_stopping.RoundsScorer):
            self.scorer_ = scorer.unwrapped()

    def _set_best_rounds(self, stopping):
        """``best_rounds_``: the rounds the refit trained (or would train)."""
        rounds = stopping.used_rounds
        best = getattr(self, "best_index_", None)
        if rounds is None and best is not None and "refit_rounds" in self.cv_results_:
            value = self.cv_results_["refit_rounds"][best]
            rounds = int(value) if np.isfinite(value) else None
        self.best_rounds_ = rounds

    def _fold_extras(self, out):
        """``add(results)``: columns carried by the fold results ``out``.

        Early stopping's rounds are taken out of ``out`` (in place) before
        scikit-learn formats it, and ``add`` puts them in as columns.
        """
        run = self.__dict__.get("_run")
        if run is None or run.early_stopping is None:
            return lambda results: results
        return run.early_stopping.take_rounds(out)

    def _fit_context(self, run):
        """What a subclass sets up around scikit-learn's ``fit`` (a context)."""
        return nullcontext()

    def _running_evaluator(self):
        run = self.__dict__.get("_run")
        return None if run is None else run.evaluator

    def __sklearn_tags__(self):  # scikit-learn >= 1.6 calls this
        return _compat.with_estimator_data_tags(super().__sklearn_tags__(), self)

    def _add_trailing_failures(self):
        """Rows of a last batch that failed whole reach cv_results_ here.

        They come after every fitted row and score worst, so ``best_*`` stay.
        """
        results = self._run.evaluator.results
        if _results.n_rows(results) > _results.n_rows(self.cv_results_):
            self.cv_results_ = results

    def _finish_results(self):
        """Last touches to ``cv_results_`` once fitted and refitted (a hook)."""

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        evaluator = self._running_evaluator()
        if evaluator is None:
            return self._format_rows(candidate_params, n_splits, out, more_results)
        return evaluator.formatted(
            self._format_rows, candidate_params, n_splits, out, more_results
        )

    def _format_rows(self, candidate_params, n_splits, out, more_results):
        add_extras = self._fold_extras(out)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = super()._format_results(
                candidate_params, n_splits, out, more_results
            )
        self._warn_once(caught)
        return add_extras(_results.infinite_means_as_failures(results))

    def _warn_once(self, caught):
        """Re-issue warnings of ``_format_results``, each kind once per fit.

        scikit-learn formats the results of every call of
        ``evaluate_candidates``: one of a grid search, one per batch here. Its
        "scores are non-finite" warning would repeat for every batch after a
        failure; the first of each kind is given.
        """
        evaluator = self._running_evaluator()
        seen = evaluator.warned if evaluator is not None else set()
        for w in caught:
            kind = (w.category, str(w.message).split(":")[0])
            if kind not in seen:
                seen.add(kind)
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def _keep_finished_results(self):
        evaluator = self._running_evaluator()
        if evaluator is None or evaluator.results is None:
            return
        results = evaluator.results
        self.cv_results_ = results
        self.multimetric_ = "mean_test_score" not in results
        metric = evaluator.metric
        try:
            best = int(self._select_best_index(self.refit, metric, results))
            score = None
            if not callable(self.refit):
                score = results[f"mean_test_{metric}"][best]
        except Exception:  # noqa: BLE001 - the error being raised tells the user
            return  # a refit callable or key that cannot choose: no best_* then
        self.best_index_ = best
        if score is not None:
            self.best_score_ = score
        self.best_params_ = results["params"][best]

    def _space_spec(self):
        given = [
            (name, getattr(self, name))
            for name in _SPACE_ALIASES
            if getattr(self, name, None) is not None
        ]
        if _default_spaces.wants_default(self):
            try:
                space = _default_spaces.default_space(self.estimator)
            except ValueError as exc:
                raise ValueError(
                    "No search space was given, so one is needed in exactly one of "
                    f"search_spaces, param_grid or param_distributions. {exc}"
                ) from None
            # a halving search sets its resource (n_estimators, ...) itself
            resource = getattr(self, "resource", None)
            return {name: dim for name, dim in space.items() if name != resource}
        if len(given) != 1:
            raise ValueError(
                "Give the search space in exactly one of search_spaces, param_grid "
                f"or param_distributions; got {[n for n, _ in given] or 'none'}."
            )
        keyword, spec = given[0]
        return spec if keyword == "search_spaces" else _as_peer_spec(keyword, spec)

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        spec = self._space_spec()
        space = Space(spec)
        space.check_estimator_params(self.estimator)
        self._check_search_params(space)
        earlier, saver = self._restore(space, spec)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        if earlier is not None and earlier.seed is not None:
            seed = earlier.seed
        run = self._run
        cv = check_cv(self.cv, run.y, classifier=is_classifier(self.estimator))
        self._check_fold_stopping(cv)
        evaluator = Evaluator(
            self,
            cv,
            evaluate_candidates,
            callback_ctx,
            total=self._budget(space),
            earlier=earlier,
            saver=saver and partial(saver, seed),
            one_call=self._one_call(space),
        )
        run.evaluator = evaluator
        self._search(space, evaluator, np.random.RandomState(seed))
        self._after_search(evaluator, cv, seed)
        evaluator.close()
        if run.early_stopping is not None:
            run.early_stopping.learn(evaluator.results)
        if not evaluator.evaluations:
            raise ValueError("The search evaluated no candidate.")
        if evaluator.results is None:
            raise ValueError(
                f"All {evaluator.n_evaluated} evaluated configurations failed; "
                f"the first failure was:\n{evaluator.first_error}"
            )

    def _after_search(self, evaluator, cv, seed):
        """Evaluations a search adds once its policy is done (a hook)."""

    def _restore(self, space, spec):
        """Earlier work to start from, and how to checkpoint this search."""
        path = getattr(self, "checkpoint", None)
        given = getattr(self, "warm_start_from", None)
        earlier = saver = None
        if path is not None:
            run = self._run
            fingerprint = _checkpoint.fingerprint(
                self, spec, run.X, run.y, run.params
            )
            earlier = _earlier.from_checkpoint(
                os.fspath(path), fingerprint, space, self._own_columns
            )
            saver = partial(_save_checkpoint, os.fspath(path), fingerprint, space)
        if earlier is None and given is not None:
            earlier = _earlier.from_earlier(given, space, self._own_columns)
        return earlier, saver

    def _check_fold_stopping(self, cv):
        """``fold_stopping`` needs 3 folds or more and a refit that is not callable."""
        rule = getattr(self, "fold_stopping", None)
        if rule is None:
            return
        run = self._run
        split_params = _compat.splitter_params(self, run.X, run.params)
        n_splits = cv.get_n_splits(run.X, run.y, **split_params)
        _fold_stopping.check(rule, n_splits, self.refit)

    def _drive(self, policy, asynchronous, describe=None):
        """Run ``policy`` as workers free (``asynchronous``) or in batches."""
        run = self._run
        rule = getattr(self, "fold_stopping", None)
        if rule is not None:
            metric = self.refit if isinstance(self.refit, str) else None
            driver = StreamingDriver(
                self, (run.X, run.y, run.params), run.evaluator, policy,
                stopping=_fold_stopping.FoldStopping(rule, metric),
                batches=not asynchronous, describe=describe,
            )
            if driver.run():
                return
            warnings.warn(
                f"fold_stopping={rule!r} needs scikit-learn internals this "
                "release lacks: every fold is run.", UserWarning, stacklevel=4,
            )
        if asynchronous:
            data = (*run.shipped, run.params)
            if StreamingDriver(self, data, run.evaluator, policy).run():
                return
            if self.asynchronous != "auto":
                warnings.warn(
                    f"asynchronous={self.asynchronous!r} needs scikit-learn "
                    "internals this release lacks: running synchronously, batch by "
                    "batch.",
                    UserWarning,
                    stacklevel=4,
                )
        run_batches(policy, run.evaluator, describe)

    def _stopping_rules(self):
        """The callables asked after each batch whether to stop: ``callbacks``."""
        callbacks = self.callbacks
        if callbacks is None:
            return []
        return [callbacks] if callable(callbacks) else list(callbacks)

    def _check_search_params(self, space):
        """Checks a subclass adds to ``_parameter_constraints``, before any fit."""

    def _one_call(self, space):
        """Whether the search evaluates all its candidates in one batch."""
        return False

    def _budget(self, space):
        """Expected number of evaluations, for progress lines (None if unknown)."""

    @abstractmethod
    def _search(self, space, evaluator, rng):
        """Propose candidates and evaluate them until done or stopped."""


def _as_peer_spec(keyword, spec):
    """A space given under a scikit-learn keyword keeps scikit-learn's meaning.

    Its plain values are checked as ``GridSearchCV`` (``param_grid``) or
    ``RandomizedSearchCV`` (``param_distributions``) check them, with the same
    errors, and a tuple is a sequence of choices, not a ``(low, high)`` range.
    skhyper dimensions and distributions pass through unchanged.
    """
    dicts = [spec] if isinstance(spec, dict) else spec
    if not isinstance(dicts, list) or not all(isinstance(d, dict) for d in dicts):
        return spec  # Space raises a TypeError naming what it got
    plain = [{k: v for k, v in d.items() if not _is_searchable(v)} for d in dicts]
    if keyword == "param_grid":
        ParameterGrid(plain)
    else:
        ParameterSampler(plain, n_iter=1)
    as_choices = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}
        for d in dicts
    ]
    return as_choices[0] if isinstance(spec, dict) else as_choices


def _is_searchable(value):
    return isinstance(value, Dimension) or hasattr(value, "rvs")


def _save_checkpoint(path, fingerprint, space, seed, splits, results):
    _checkpoint.save(path, fingerprint, seed, splits, space, results)
