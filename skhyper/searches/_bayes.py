"""Bayesian optimization of hyperparameters with cross-validation."""

import numbers
import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv

from skhyper._compat import Interval, StrOptions
from skhyper.optimizer._acquisition import get_acquisition
from skhyper.optimizer._registry import MODELS, default_n_initial, make_model
from skhyper.scheduling._bayes_policy import BayesPolicy, GridPolicy
from skhyper.scheduling._fold_stopping import RULES
from skhyper.scheduling._splits import FrozenSplits
from skhyper.searches import _rescore
from skhyper.searches._base import BaseModelSearchCV
from skhyper.searches._skopt_surface import SkoptSurface

__all__ = ["BayesSearchCV"]

_DEFAULT_N_ITER = 50


class BayesSearchCV(SkoptSurface, BaseModelSearchCV):
    """Bayesian optimization over hyperparameters, a drop-in for the searches.

    BayesSearchCV implements "fit" and "score", and "predict",
    "predict_proba", "decision_function", "transform", "inverse_transform"
    and "score_samples" when the estimator does, like
    :class:`~sklearn.model_selection.RandomizedSearchCV`.

    Instead of sampling ``n_iter`` configurations at random, it evaluates them
    in batches of ``n_points``: a space-filling initial design first, then the
    configurations a surrogate model of the cross-validated score (a Gaussian
    process by default) finds most promising. The same configuration is never
    evaluated twice. Fitting, scoring, refitting and ``cv_results_`` are
    scikit-learn's own; every configuration is scored on the same CV folds.

    Code written for ``GridSearchCV`` or ``RandomizedSearchCV`` keeps working
    with only the class name changed: the search space may be passed as
    ``param_grid`` or ``param_distributions`` too.

    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; it must provide ``score`` or ``scoring`` must
        be given.

    search_spaces : dict, list of dict, Space or "auto", default=None
        Parameter names mapped to what to search: a list of choices, a
        ``(low, high[, "log-uniform"])`` tuple, a frozen ``scipy.stats``
        distribution, or a :class:`~skhyper.Real`, :class:`~skhyper.Integer`
        or :class:`~skhyper.Categorical`. A list of dicts searches several
        subspaces (conditional parameters) which compete for the budget. See
        :class:`~skhyper.Space`. A list may also hold scikit-optimize's
        ``(space, n_iter)`` pairs: each subspace is then searched in turn with
        its own budget (``n_iter`` for a dict without one). ``"auto"``, or no
        space in any of the three aliases, searches the estimator's default space
        (:func:`~skhyper.default_space`; clusterers are then scored by
        :func:`~skhyper.silhouette_scorer` unless ``scoring`` is given).

    n_iter : int, default=None
        Number of configurations evaluated (fewer if the space has fewer).
        ``None`` means 50, except for a finite space given as ``param_grid``:
        then every point of the grid is evaluated, as ``GridSearchCV`` does.

    n_points : int or "auto", default="auto"
        Configurations proposed and evaluated together in each batch. Larger
        batches keep more workers busy; smaller ones let each proposal learn
        from more results. ``"auto"`` uses one configuration per joblib
        worker (``joblib.effective_n_jobs(n_jobs)``), so 1 when ``n_jobs`` is
        ``None``.

    surrogate : {"gp", "forest", "auto", "tpe"}, default="gp"
        Model of the score: a Gaussian process, extremely randomized trees
        (better when most parameters are unordered categories), ``"auto"``
        to choose the trees when more than half of the parameters are
        unordered categories, or a tree-structured Parzen estimator
        (``"tpe"``, as Optuna's default sampler; ``acq_func`` does not apply).

    acq_func : {"EI", "PI", "LCB", "UCB", "EIps", "PIps"}, default="EI"
        Acquisition function: expected improvement, probability of
        improvement, or the optimistic bound ``mean + 1.96 std`` (``"LCB"``
        as named by scikit-optimize). Case-insensitive. ``"EIps"`` and
        ``"PIps"`` (per second) divide EI or PI by the evaluation time a
        second model expects, fitted on the log of the told candidates' fit
        and score times: for searches whose candidates' costs differ widely
        (boosted trees, where the learning rate sets the rounds early
        stopping trains). Measured times vary from run to run, so a seeded
        search proposes the same candidates only where the times rank them
        the same; ``docs/benchmarks.md`` says what it buys.

    n_initial_points : int, default=None
        Configurations of the space-filling design evaluated before the model
        is used. ``None`` means twice the number of parameters, between 5 and
        10 (10 for ``"tpe"``), and at most a third of ``n_iter`` (at least 2).
        With a list of subspaces the design holds one configuration of each
        at least (as many as ``n_iter`` allows), so that every subspace is
        evaluated whenever ``n_iter`` is at least their number.

    scoring : str, callable, list, tuple or dict, default=None
        As in :class:`~sklearn.model_selection.RandomizedSearchCV`. With
        several metrics, the search optimizes the ``refit`` metric (the first
        one if ``refit`` is not a metric name).

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` means all processors.

    refit : bool, str, or callable, default=True
        Refit the best configuration on the whole dataset, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`.

    cv : int, cross-validation generator or an iterable, default=None
        Cross-validation strategy, as in
        :class:`~sklearn.model_selection.RandomizedSearchCV`. The folds are
        drawn once per fit: a shuffling splitter without a seed still gives
        every configuration the same folds.

    verbose : int, default=0
        Verbosity: ``1`` prints a line when a batch improves the best score
        (with an estimate of the time left) and a summary at the end; ``2``
        a line after every batch, and scikit-learn's lines per batch and fit.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution. The
        asynchronous search uses it on a cluster backend (dask, Ray), where
        fits queued behind busy workers hide the scheduler's round trips; on
        joblib's local thread and process backends it queues one fit per 8
        workers (none below 8), so that each configuration is proposed as
        late as possible.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial design and the search of the acquisition function:
        the same seed gives the same configurations for the same
        ``n_points`` and scores, whatever the joblib backend.

    error_score : "raise" or numeric, default=np.nan
        Score of a failed fit. The optimizer models failures as worse than the
        worst score seen, and moves away from them.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    max_time : float, default=None
        Wall-clock budget in seconds: no batch starts that is forecast to end
        after it.

    callbacks : callable or list of callable, default=None
        Called after each batch with a
        :class:`~skhyper.callbacks.SearchProgress`; the search stops when one
        returns ``True``. See :mod:`skhyper.callbacks`.

    param_grid : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for ``GridSearchCV``.

    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for
        ``RandomizedSearchCV``.

    checkpoint : str or path-like, default=None
        A JSON file written after every batch. Fitting again with the same
        file, estimator, space and data resumes the search: the stored
        evaluations are replayed without fitting, so the resumed search makes
        the same choices as an uninterrupted one and fits only what is
        missing.

    warm_start_from : fitted search, dict, or list of (dict, float), default=None
        Earlier results to build on: a fitted search or its ``cv_results_``
        (their rows come first in ``cv_results_`` and count towards
        ``n_iter``), or ``(params, score)`` pairs that only inform the model.
        Configurations already evaluated are not evaluated again.

    asynchronous : bool or "auto", default=False
        Whether a new configuration is proposed and dispatched as soon as a
        worker frees (``True``), instead of in batches of ``n_points`` that
        wait for each other (``False``). The configurations still running
        are pending for the model, which is told the score it expects there
        (a kriging believer). Workers stay busy when fits of different
        configurations take different times, but the configurations depend
        on which fits finish first: the search is no longer reproducible
        with a fixed ``random_state``. ``cv_results_`` rows come in the
        order configurations finished (the last one proposed comes last)
        with two more columns, ``start_time`` and ``finish_time`` (seconds
        since the search started); ``n_points`` is not used. ``"auto"``
        means ``True`` when ``n_points="auto"`` and there is more than one
        joblib worker. On a scikit-learn release whose private fold-fit
        functions differ from the ones skhyper knows, it warns and runs
        batches.

    optimizer_kwargs : dict, default=None
        scikit-optimize's settings of its ``Optimizer``, for code written for
        its ``BayesSearchCV``: ``base_estimator`` (``"GP"`` or ``"ET"``, as
        ``surrogate``), ``acq_func`` (``"EI"``, ``"PI"``, ``"LCB"``),
        ``n_initial_points``, ``initial_point_generator`` (``"random"``,
        ``"sobol"``, ``"lhs"``) and ``acq_func_kwargs={"kappa": ...}`` are
        mapped; ``acq_optimizer``, ``n_jobs``, ``model_queue_size`` and
        ``random_state`` (the search's own is used, as there) change nothing;
        any other value is refused, naming the key. See
        :doc:`/migration/skopt`.

    fold_stopping : {"forgiving", "paired", "predictive"} or None, \
            default=None
        Stop a configuration's remaining CV folds once the folds it has run
        show it will not beat the best complete configuration so far
        (early-stopped cross-validation, Bergman et al., 2024).
        ``"forgiving"``: stop when its mean over the folds run is below the
        best configuration's worst fold score; ``"paired"``: stop when a
        one-sided Wilcoxon signed-rank test against the best configuration's
        same folds says worse (p < 0.1; needs at least 4 folds run, like
        Optuna's ``WilcoxonPruner``); ``"predictive"``: stop when its mean
        over all folds, predicted from its differences to the best
        configuration's same folds, is more than 0.75 standard deviations of
        that prediction below the best's. ``None`` runs every fold. A
        stopped configuration's folds not run are NaN in
        ``split<k>_test_*``, its mean and std are over the folds run, the
        ``n_folds_run`` column of ``cv_results_`` says how many, it ranks
        after every complete configuration and is never ``best_index_``; the
        model is told its predicted mean over all folds (the best's mean plus
        its mean difference to the best's same folds), which the
        ``predicted_mean_score`` column holds. A configuration's folds then
        run one after the other (others run meanwhile), so a stop saves real
        fits; with ``asynchronous=False`` a batch's stops are decided in its
        order and the search stays reproducible. Needs ``cv`` with at least 3
        folds and a ``refit`` that is not callable (else a ``ValueError``
        before any fit). See the user guide's "Early-stopped cross-validation" and
        :doc:`/benchmarks` for which rule to use.

    early_stopping : bool or EarlyStopping, default=None
        Stop a gradient boosting estimator early inside every CV fold, on a
        validation part of the fold's training part: ``True`` means
        :class:`~skhyper.boosting.EarlyStopping`, which says what it adds to
        ``cv_results_`` and the refit. See :doc:`/user_guide/boosting`.

    rescore : int, default=None
        Once the search has run its course, cross-validate the ``rescore``
        best distinct configurations again on fresh folds (``cv``'s splitter
        reshuffled with a seed drawn from ``random_state``) and refit the best
        by the mean over all its folds: the best mean CV score is partly the
        luckiest on those folds, and re-scoring the top three gave better
        held-out scores in 46 of 130 benchmark runs, worse in 15, on the
        benchmark's fixed train/test splits; over fresh splits it measured
        level (see :doc:`/benchmarks`). Adds ``rescore`` rows to ``cv_results_`` (their
        ``rescore_of`` column holds the row they re-score) and
        ``rescore * n_splits`` fits; ``best_index_`` is the original row and
        ``best_score_`` its mean over both sets of folds. ``None`` keeps
        scikit-learn's choice. Needs a splitter with a ``random_state`` (an
        int ``cv``, ``KFold``, ``StratifiedKFold``, ...), ``refit=True`` or a
        metric name, and no ``checkpoint`` (else a ``ValueError`` before any
        fit). Skipped when a stopping rule or ``max_time`` ended the search.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One row per evaluated configuration, in evaluation order, with every
        key of RandomizedSearchCV's ``cv_results_`` plus ``"batch"``: the
        index of the batch the configuration was proposed in (and, with
        ``rescore``, ``"rescore_of"``: NaN, or the row a re-scoring row
        re-scores on fresh folds).

    best_estimator_ : estimator
        The best configuration refitted on the whole data. Not available if
        ``refit=False``.

    best_score_ : float
        Mean cross-validated score of the best configuration (with
        ``rescore``, over its folds and its fresh folds). Not available if
        ``refit`` is a function.

    best_params_ : dict
        The best configuration.

    best_score_bias_ : float
        Estimated selection bias of ``best_score_``: how much it flatters
        itself by being the best of many noisy CV scores (Tibshirani &
        Tibshirani, 2009; see :func:`~skhyper.selection_bias`). Not available
        if ``refit`` is a function.

    best_score_corrected_ : float
        ``best_score_ - best_score_bias_``, a less optimistic estimate of the
        best configuration's score on new data.

    best_index_ : int
        Row of ``cv_results_`` of the best configuration.

    scorer_ : function or dict
        Scorer(s) used on the held-out folds.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds used to refit the best configuration on the whole data.
        Present only if ``refit`` is not False.

    multimetric_ : bool
        Whether several metrics are scored.

    classes_ : ndarray of shape (n_classes,)
        Class labels, if ``refit`` and the estimator is a classifier.

    n_features_in_ : int
        Number of features seen during fit, if ``best_estimator_`` exposes it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, if ``best_estimator_`` exposes them.

    optimizer_ : Optimizer or TPEProposer
        The ask/tell proposer at the end of the search: its told
        configurations, their scores and (``Optimizer``) the last surrogate
        model.

    best_rounds_ : int or None
        With ``early_stopping``: the rounds ``best_estimator_`` was refitted
        with (the best row's ``refit_rounds``).

    stop_reason_ : str or None
        The stopping rule that ended the search early (a callback or
        ``max_time``) and, for skhyper's own rules, why it fired; ``None`` if
        the search ran its course.

    optimizer_results_ : list of OptimizeResult
        scikit-optimize's view of the search, one result per subspace (per
        ``(space, n_iter)`` pair): ``x_iters`` (parameters in sorted name
        order), ``func_vals`` (``-mean_test_score``: minimized, as in
        scikit-optimize), ``x``, ``fun``, ``space`` and ``models``, which
        ``skopt.plots`` read.

    total_iterations : int
        Configurations the search evaluates: the sum of the budgets of
        ``(space, n_iter)`` pairs, else ``n_iter`` (or the size of a finite
        space searched whole). Available before ``fit``.

    See Also
    --------
    sklearn.model_selection.RandomizedSearchCV : Random sampling of the same
        spaces.
    sklearn.model_selection.GridSearchCV : Exhaustive search over a grid.
    skhyper.Optimizer : The ask/tell optimizer behind this search.

    Notes
    -----
    When a finite space (lists and integer ranges only) holds no more than
    ``n_iter`` configurations, or is a ``param_grid`` and ``n_iter`` is not
    given, the search evaluates each of them once, in ``GridSearchCV``'s
    order (``ParameterGrid``: dict by dict, names sorted, the last varying
    fastest), in one call of scikit-learn's ``evaluate_candidates`` (in
    batches of ``n_points`` if stopping rules or a checkpoint are set). It
    warns if the space holds fewer than ``n_iter``, as
    ``RandomizedSearchCV`` does.

    Of configurations with the same mean score, ``best_*`` is the one
    evaluated first: for a grid searched whole, the first in grid order, as
    in ``GridSearchCV``.

    Past 60 evaluations the model's work per proposal is lighter (the
    Gaussian process refitted less often, on at most 80 configurations,
    searched with fewer candidates; see ``optimizer_.effort_``), so that a
    long search of fits of a millisecond is not mostly model work. The
    switch depends on the count only: the same ``random_state`` gives the
    same configurations however long the fits take.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhyper import BayesSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(),
    ...     {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": ["linear", "rbf"]},
    ...     n_iter=8,
    ...     random_state=0,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])
    8
    >>> sorted(search.best_params_)
    ['C', 'kernel']
    >>> print(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseModelSearchCV._parameter_constraints,
        "n_iter": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_points": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "surrogate": [StrOptions(set(MODELS))],
        "acq_func": [str],
        "n_initial_points": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "asynchronous": ["boolean", StrOptions({"auto"})],
        "optimizer_kwargs": [dict, None],
        "fold_stopping": [StrOptions(set(RULES)), None],
        "rescore": [Interval(numbers.Integral, 1, None, closed="left"), None],
    }
    _default_n_iter = _DEFAULT_N_ITER

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        n_iter=None,
        n_points="auto",
        surrogate="gp",
        acq_func="EI",
        n_initial_points=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        callbacks=None,
        param_grid=None,
        param_distributions=None,
        checkpoint=None,
        warm_start_from=None,
        asynchronous=False,
        optimizer_kwargs=None,
        fold_stopping=None,
        early_stopping=None,
        rescore=None,
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
        self.n_iter = n_iter
        self.n_points = n_points
        self.surrogate = surrogate
        self.acq_func = acq_func
        self.n_initial_points = n_initial_points
        self.random_state = random_state
        self.max_time = max_time
        self.callbacks = callbacks
        self.param_grid = param_grid
        self.param_distributions = param_distributions
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from
        self.early_stopping = early_stopping
        self.asynchronous = asynchronous
        self.optimizer_kwargs = optimizer_kwargs
        self.fold_stopping = fold_stopping
        self.rescore = rescore

    def _check_search_params(self, space):
        self._check_skopt_params()
        # raises ValueError for an unknown name
        get_acquisition(self._optimizer_settings()["acq_func"])
        if self.rescore is not None:
            run = self._run
            cv = check_cv(self.cv, run.y, classifier=is_classifier(self.estimator))
            _rescore.check(self.rescore, self.refit, self.checkpoint, cv)

    # -- re-scoring the best on fresh folds -------------------------------------

    def _after_search(self, evaluator, cv, seed):
        if self.rescore is None or evaluator.stop_reason is not None:
            return  # a stopping rule ended the search: nothing more is fitted
        results = evaluator.results
        if results is None:
            return
        rows = _rescore.top_rows(results, evaluator.metric, self.rescore)
        fresh = _rescore.reshuffled(cv, np.random.RandomState(seed).randint(2**31 - 1))
        columns = _rescore.columns(results, rows, fresh.get_n_splits())
        evaluator.evaluate(
            [results["params"][row] for row in rows], cv=FrozenSplits(fresh),
            more_results=columns,
        )

    def _select_best_index(self, refit, refit_metric, results):
        # BaseSearchCV.fit refits the row this hook returns (see
        # _compat.BASE_SEARCH_HOOKS): with rescore, the best over all folds.
        row, _ = _rescore.best_row(results, refit_metric)
        if row is not None:
            return row
        return super()._select_best_index(refit, refit_metric, results)

    def _finish_results(self):
        super()._finish_results()
        if getattr(self, "best_index_", None) is None or callable(self.refit):
            return
        row, score = _rescore.best_row(self.cv_results_, self._run.evaluator.metric)
        if row is not None:
            self.best_score_ = score

    def _budget(self, space):
        return int(space.size) if self._exhaustive(space) else self._n_iter()

    def _one_call(self, space):
        # Stopping rules and checkpoints act between batches.
        stops = self.max_time is not None or bool(self._stopping_rules())
        return (
            self._exhaustive(space) and self.checkpoint is None and not stops
            and self.fold_stopping is None
        )

    def _n_iter(self):
        # a (space, n_iter) pair's own budget while it is searched
        n_iter = _DEFAULT_N_ITER if self.n_iter is None else self.n_iter
        return self._turn_budget(n_iter)

    def _exhaustive(self, space):
        """Whether every configuration of the space is evaluated, in grid order."""
        if not space.is_finite or self._searches_in_turns():
            return False
        return (self.n_iter is None and self.param_grid is not None) or (
            space.size <= self._n_iter()
        )

    def _batch_size(self):
        if self.n_points == "auto":
            return max(1, effective_n_jobs(self.n_jobs))
        return self.n_points

    def _n_initial(self, space):
        settings = self._optimizer_settings()
        n_initial = settings["n_initial_points"]
        if n_initial is None:
            default = default_n_initial(settings["surrogate"], space)
            n_initial = min(default, max(2, self._n_iter() // 3))
        # The design visits the subspaces in turn: one point each at least, or
        # a subspace the first scores make look poor may never be evaluated.
        return max(n_initial, min(len(space.subspaces), self._n_iter()))

    def _search(self, space, evaluator, rng):
        if self._search_in_turns(space, evaluator, rng):
            return  # (space, n_iter) pairs: this method ran once per pair
        settings = self._optimizer_settings()
        asynchronous = self._is_asynchronous()
        optimizer = make_model(
            settings["surrogate"],
            space,
            acq_func=settings["acq_func"],
            acq_func_kwargs=settings["acq_func_kwargs"],
            initial_design=settings["initial_design"],
            n_initial_points=self._n_initial(space),
            random_state=rng,
            pending_rule="believer" if asynchronous else "liar",
            reuse_candidates=self._reuse_candidates(evaluator),
            effort="auto",
        )
        try:
            if self._exhaustive(space):
                self._drive(self._grid_policy(space, optimizer, evaluator), False)
            else:
                policy = BayesPolicy(
                    optimizer, self._rows_before_turn() + self._n_iter(),
                    self._batch_size(), evaluator.earlier,
                    resumed=evaluator.resumed and not asynchronous,
                    n_restored=evaluator.n_evaluated,
                    note_expected_improvement=evaluator.note_expected_improvement,
                )
                self._drive(policy, asynchronous)
                if policy.exhausted_at is not None:
                    self._warn_exhausted(policy.exhausted_at)
        finally:
            # Set at the end only: the search is pickled for every fit task.
            self.optimizer_ = optimizer

    def _grid_policy(self, space, optimizer, evaluator):
        """Every configuration not evaluated yet, in one batch if nothing stops it."""
        if self.n_iter is not None and space.size < self.n_iter:
            self._warn_exhausted(int(space.size))
        # Every point of the grid, repeats included, as GridSearchCV does.
        told = {
            space.key(e.params) for e in evaluator.earlier if space.contains(e.params)
        }
        points = [p for p in space.grid() if space.key(p) not in told]
        size = len(points) if self._one_call(space) else self._batch_size()
        return GridPolicy(points, size, optimizer, evaluator.earlier)

    def _reuse_candidates(self, evaluator):
        """Proposals on many workers rescore earlier candidates (asynchronous).

        One full acquisition search per configuration running at once would
        have to keep pace with every worker's fits.
        """
        if not self._is_asynchronous():
            return 0
        running = effective_n_jobs(self.n_jobs) // max(1, evaluator.n_splits or 1)
        return max(0, running - 1)

    def _is_asynchronous(self):
        if self.asynchronous == "auto":
            return self.n_points == "auto" and effective_n_jobs(self.n_jobs) > 1
        return bool(self.asynchronous)

    def _warn_exhausted(self, n_evaluated):
        # scikit-learn's words first, so filters written for
        # RandomizedSearchCV's warning keep working.
        warnings.warn(
            f"The total space of parameters {n_evaluated} is smaller than "
            f"n_iter={self._n_iter()}. Running {n_evaluated} iterations: each "
            "distinct configuration is evaluated once.",
            UserWarning,
            stacklevel=2,
        )
