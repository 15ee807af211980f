"""SuccessiveHalvingSearchCV: one bracket of rungs, each keeping the best 1/factor."""

import math
import numbers

import numpy as np

from skhyper import _compat
from skhyper._compat import Interval, StrOptions
from skhyper.scheduling import _results, _schedule
from skhyper.searches._halving_base import BaseHalvingSearch, is_int, own_rows

__all__ = ["SuccessiveHalvingSearchCV"]


class SuccessiveHalvingSearchCV(BaseHalvingSearch):
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

    search_spaces : dict, list of dict, Space or "auto", default=None
        Parameter names mapped to what to search: a list of choices, a
        ``(low, high[, "log-uniform"])`` tuple, a frozen ``scipy.stats``
        distribution, or a :class:`~skhyper.Real`, :class:`~skhyper.Integer`
        or :class:`~skhyper.Categorical`. A list of dicts searches several
        subspaces. See :class:`~skhyper.Space`. A space made only of lists
        is a grid, searched exhaustively by default. ``"auto"``, or no space,
        searches the estimator's default space
        (:func:`~skhyper.default_space`).

    n_candidates : int, "auto" or "exhaust", default="auto"
        Candidates of the first rung. ``"auto"``: the whole grid for a grid
        (proposer ``"grid"``: every parameter a list of choices, whether given
        as ``param_grid``, ``param_distributions`` or positionally), as
        ``HalvingGridSearchCV`` does, where ``HalvingRandomSearchCV`` would
        draw a few; ``n_candidates="exhaust"`` samples the grid instead.
        Otherwise ``ceil(factor**k) - 1`` candidates,
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

    resource : str, default="auto"
        What grows from rung to rung: ``"n_samples"`` (subsamples of the CV
        folds, see Notes) or an integer parameter of the estimator, possibly
        of a pipeline step (``"clf__n_estimators"``, ``"clf__max_iter"``).
        The parameter's value then appears in ``cv_results_["params"]`` and
        ``best_params_``, as in scikit-learn. For a gradient-boosting model
        (XGBoost, LightGBM, CatBoost, scikit-learn's), or a pipeline ending in
        one, ``"n_estimators"`` names its rounds parameter whatever the
        library calls it (``max_iter``, ``iterations``). ``"auto"``: those
        rounds for such a model without ``early_stopping``, else
        ``"n_samples"`` (scikit-learn's default, which
        ``HalvingRandomSearchCV`` uses for every estimator); ``resource_``
        says which.

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

    proposer : {"auto", "grid", "random", "bayes", "gp", "forest", "tpe"}, \
            default="auto"
        Where the first rung's candidates come from. ``"grid"``: every
        configuration of a finite space (a random subset of ``n_candidates``
        if fewer); ``"random"``: draws from the space, as RandomizedSearchCV;
        a model (``"bayes"``, ``"gp"``, ``"forest"``, ``"tpe"``): its
        space-filling initial design (the model learns across brackets in
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
        Verbosity: ``1`` prints the schedule, a line per rung, a line when the
        best score improves and a summary; ``2`` adds scikit-learn's lines.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    max_time : float, default=None
        Wall-clock budget in seconds: no rung starts that is forecast to end
        after it (asynchronous: no fit starts once a stopping rule fired).

    callbacks : callable or list of callable, default=None
        Called after each rung (asynchronous: each evaluation) with a
        :class:`~skhyper.callbacks.SearchProgress`; the search stops when one
        returns ``True`` and refits the best candidate of the last rung run.

    param_grid : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for ``HalvingGridSearchCV``.

    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces``, for code written for
        ``HalvingRandomSearchCV``.

    checkpoint : str or path-like, default=None
        A JSON file written after every rung (asynchronous: every
        evaluation); fitting again with the same file, estimator, space and
        data resumes the search, replaying the stored evaluations without
        fitting them.

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

    asynchronous : bool or "asha", default=False
        How the fits are scheduled. ``False``: each rung is one call to
        ``evaluate_candidates``; the next rung starts when its slowest fit
        ends. ``True``: fold fits are dispatched one by one as workers free
        and recorded (and checkpointed) as they finish; promotions still wait
        for the whole rung, so the evaluations are those of the synchronous
        search (same scores, same ``best_params_``), in the order they
        finished. With one bracket the rungs still wait for each other, so
        it gains little; see :class:`HyperbandSearchCV`. ``"asha"``:
        asynchronous successive halving (Li et al., 2020): a candidate is
        promoted as soon as it ranks among the best ``1 / factor`` of its
        rung's finished results (at most ``floor(finished / factor)`` while
        the rung runs), so the first results with the largest resource come
        much earlier; the rungs end with the planned counts, but which
        candidates are promoted depends on the order in which fits finish,
        and so is not reproducible from ``random_state``. Both add the
        ``cv_results_`` columns ``start_time`` and ``finish_time`` (seconds
        from the start of the search). See the user guide's "Asynchronous
        halving" for what they cost and measure.

    fold_stopping : {"forgiving", "paired", "predictive"} or None, \
            default=None
        Stop a candidate's remaining CV folds once the folds it has run show
        that it cannot be promoted: compared with the candidate at the
        promotion cut of its rung (the best one at the top rung), among the
        rung's complete candidates so far. ``"forgiving"``: its mean over the
        folds run is below that candidate's worst fold score; ``"paired"``:
        a one-sided Wilcoxon signed-rank test on the same folds says worse
        (p < 0.1, from 4 folds run); ``"predictive"``: its mean over all
        folds, predicted from its differences to that candidate's same
        folds, is more than 0.75 standard deviations of that prediction
        below that candidate's. A stopped candidate is never promoted nor
        best; its folds not run are NaN in ``split<k>_test_*``, the
        ``n_folds_run`` column of ``cv_results_`` says how many ran, and
        ``predicted_mean_score`` its predicted mean over all folds (that
        candidate's mean plus its mean difference to that candidate's same
        folds), which a model-based proposer is told. Its
        folds run one after the other (other candidates run meanwhile), so a
        stop saves real fits; with ``asynchronous=False`` a rung's stops are
        decided in its order and the search stays reproducible. Needs ``cv``
        with at least 3 folds and a ``refit`` that is not callable (else a
        ``ValueError`` before any fit). See the user guide's "Early-stopped
        cross-validation".

    early_stopping : bool or EarlyStopping, default=None
        Stop a gradient boosting estimator early inside every CV fold, on a
        validation part of the fold's training part: ``True`` means
        :class:`~skhyper.boosting.EarlyStopping`, which says what it adds to
        ``cv_results_`` and the refit. See :doc:`/user_guide/boosting`.

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

    resource_ : str
        The resource the rungs grew: ``"n_samples"`` or the estimator
        parameter (with its pipeline prefix) that ``resource`` designates.

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
        As the installed scikit-learn's halving searches have it: before 1.10
        the whole history (as ``all_cv_results_``); from 1.10, the last rung
        only, ranked among itself.

    all_cv_results_ : dict of numpy (masked) ndarrays
        One row per candidate and rung, in evaluation order, with every key
        of scikit-learn's ``cv_results_`` plus ``"iter"`` (the rung) and
        ``"n_resources"``, on every scikit-learn release. With
        ``warm_start_from``, the earlier rows come first (see there).

    best_estimator_ : estimator
        The best candidate of the last rung, refitted on the whole data, of
        the estimator's own class. Not available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of ``best_estimator_`` in the last rung.

    best_params_ : dict
        Its parameters (with the resource when it is an estimator parameter).

    best_index_ : int
        Its row in ``cv_results_`` (in the last rung's rows from
        scikit-learn 1.10).

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

    best_rounds_ : int or None
        With ``early_stopping``: the rounds ``best_estimator_`` was refitted
        with (the best row's ``refit_rounds``).

    stop_reason_ : str or None
        The stopping rule that ended the search early, and why, or ``None``.

    best_score_bias_ : float
        Estimated selection bias of ``best_score_`` among the candidates
        evaluated with the best's resource: how much it flatters
        itself by being the best of many noisy CV scores (Tibshirani &
        Tibshirani, 2009; see :func:`~skhyper.selection_bias`). Not available
        if ``refit`` is a function.

    best_score_corrected_ : float
        ``best_score_ - best_score_bias_``, a less optimistic estimate of the
        best configuration's score on new data.

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
        **BaseHalvingSearch._parameter_constraints,
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
    _own_columns = ("iter", "n_resources")
    _checkpoint_params = BaseHalvingSearch._checkpoint_params + (
        "n_candidates", "aggressive_elimination"
    )

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        n_candidates="auto",
        factor=3,
        resource="auto",
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
        asynchronous=False,
        fold_stopping=None,
        early_stopping=None,
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
        self.early_stopping = early_stopping
        self.asynchronous = asynchronous
        self.fold_stopping = fold_stopping

    def _plan(self, space, proposer, max_resources, smallest, floor, n_splits):
        factor = self.factor
        size = self._space_size(space, proposer)
        min_resources = self.min_resources
        if is_int(min_resources):
            first = int(min_resources)
        elif min_resources in ("smallest", "exhaust"):
            first = smallest
        else:
            first = max(1, min(floor, max_resources))
        if first > max_resources:
            raise ValueError(
                f"min_resources_={first} is greater than max_resources_="
                f"{max_resources}."
            )
        n_candidates = self.n_candidates
        if n_candidates == "exhaust":
            if min_resources == "exhaust":
                raise ValueError(
                    "n_candidates and min_resources cannot be both set to 'exhaust'."
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

    def _brackets(self, schedule):
        return [schedule]

    def _n_promoted(self, counts, rung, n):
        return math.ceil(n / self.factor)

    def _set_rung_attributes(self, schedule, policy):
        (rungs,) = policy.rungs_run() or [[]]
        self.n_required_iterations_ = schedule.n_required_iterations
        self.n_possible_iterations_ = schedule.n_possible_iterations
        self.n_resources_ = [resource for resource, _ in rungs]
        self.n_candidates_ = [n for _, n in rungs]
        self.n_remaining_candidates_ = policy.n_remaining() if rungs else 0
        self.n_iterations_ = len(rungs)

    def _batch_line(self):
        if self.verbose <= 0:
            return None
        name, resource = type(self).__name__, self._resource_name()

        def line(units):
            columns = units[0].columns
            return (f"[{name}] rung {columns['iter']}: {len(units)} candidates, "
                    f"{resource}={columns['n_resources']}")

        return line

    def _finish_results(self):
        self.all_cv_results_ = self.cv_results_
        if _compat.HALVING_LAST_ITERATION_ONLY:
            self._keep_last_rung_in_cv_results()

    def _keep_last_rung_in_cv_results(self):
        """scikit-learn >= 1.10: ``cv_results_`` holds the last rung only."""
        rows = list(self._top_rows(self.all_cv_results_))
        best = getattr(self, "best_index_", None)
        if best is not None and best not in rows:
            return  # a refit callable chose an earlier rung: keep every row
        self.cv_results_ = _results.rank(_results.take_rows(self.all_cv_results_, rows))
        if best is not None:
            self.best_index_ = rows.index(best)

    def _top_rows(self, results):
        iters = np.asarray(results["iter"])
        own = own_rows(results)
        return np.flatnonzero(own & (iters == iters[own].max()))
