"""HyperbandSearchCV: successive-halving brackets from aggressive to none at all."""

import math
import numbers
import warnings

import numpy as np

from skhyper._compat import Interval, StrOptions
from skhyper.scheduling import _schedule
from skhyper.searches._halving_base import BaseHalvingSearch, is_int, own_rows

__all__ = ["HyperbandSearchCV"]


class HyperbandSearchCV(BaseHalvingSearch):
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

    search_spaces : dict, list of dict, Space or "auto", default=None
        What to search, in any form :class:`~skhyper.Space` accepts, or
        ``"auto"`` (or nothing) for the estimator's default space.

    factor : float, default=3
        ``eta``: each rung keeps the best ``1 / factor`` and multiplies the
        resource by ``factor``. Must be greater than 1.

    resource : str, default="auto"
        ``"n_samples"``, an integer parameter of the estimator or ``"auto"``
        (a gradient-boosting model's rounds, else ``"n_samples"``), as in
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

    proposer : {"auto", "grid", "random", "bayes", "gp", "forest", "tpe"}, \
            default="auto"
        Where each bracket's candidates come from: ``"random"`` (Hyperband),
        a model of the scores at the highest resource level with enough of
        them (BOHB: ``"tpe"`` as published, ``"gp"`` or ``"forest"``, or
        ``"bayes"`` for the one ``BayesSearchCV(surrogate="auto")`` uses), or
        ``"grid"`` (a finite space without repeats while it lasts); ``"auto"``
        is ``"grid"`` for a grid, else ``"random"``.

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
        Verbosity: ``1`` prints the schedule, a line per step, a line when the
        best score improves and a summary; ``2`` adds scikit-learn's lines.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution.

    max_time : float, default=None
        Wall-clock budget in seconds: no step starts that is forecast to end
        after it.

    callbacks : callable or list of callable, default=None
        Called after each step (asynchronous: each evaluation) with a
        :class:`~skhyper.callbacks.SearchProgress`; returning ``True`` stops.

    param_grid : dict or list of dict, default=None
        Alias of ``search_spaces``.

    param_distributions : dict or list of dict, default=None
        Alias of ``search_spaces``.

    checkpoint : str or path-like, default=None
        A JSON file written after every step (asynchronous: every
        evaluation), to resume an interrupted search.

    warm_start_from : fitted search or dict, default=None
        Earlier evaluations to reuse, as in
        :class:`SuccessiveHalvingSearchCV`: an evaluation of a configuration
        with a resource at which an earlier successive-halving or Hyperband
        search evaluated it is not fitted again. Reused rows take the
        ``bracket`` and ``iter`` of the step that reused them; the other
        earlier rows of ``cv_results_`` have ``bracket=-1`` and ``iter=-1``.

    asynchronous : bool or "asha", default=False
        How the fits are scheduled. ``False``: each step is one call to
        ``evaluate_candidates``, and the next step waits for its slowest fit.
        ``True``: brackets do not wait for each other: fold fits are
        dispatched one by one as workers free, a freed worker takes a fit of
        any bracket (a promoted candidate of the largest resource first, then
        a new candidate, then the next bracket's first), and evaluations are
        recorded (and checkpointed) as they finish. A rung's promotions still
        wait for the rung, so with a grid or random proposer and an integer
        ``random_state`` the evaluations are those of the synchronous search,
        in the order they finished; with ``proposer="bayes"`` later brackets
        are proposed as soon as a worker is free for them, from fewer
        results. ``"asha"``: promotions as in
        :class:`SuccessiveHalvingSearchCV` ``(asynchronous="asha")``, within
        each bracket. Both add the ``cv_results_`` columns ``start_time`` and
        ``finish_time``.

    fold_stopping : {"forgiving", "paired", "predictive"} or None, \
            default=None
        Stop a candidate's remaining CV folds once the folds it has run show
        that it cannot be promoted out of its rung (within its bracket), as
        in :class:`SuccessiveHalvingSearchCV`; ``cv_results_`` then has the
        ``n_folds_run`` and ``predicted_mean_score`` columns and NaN for the
        folds not run. See the user
        guide's "Early-stopped cross-validation".

    early_stopping : bool or EarlyStopping, default=None
        Stop a gradient boosting estimator early inside every CV fold, on a
        validation part of the fold's training part: ``True`` means
        :class:`~skhyper.boosting.EarlyStopping`, which says what it adds to
        ``cv_results_`` and the refit. See :doc:`/user_guide/boosting`.

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
        Steps run; each evaluates one rung of every running bracket
        (asynchronous: the resource levels evaluated).

    min_resources_, max_resources_ : int
        ``r`` and ``R``: the smallest and the largest resource of a rung.

    resource_ : str
        The resource the rungs grew (see ``resource``).

    warm_start_ : bool
        Whether promoted fold models continued training.

    proposer_ : str
        The proposer used.

    optimizer_ : Optimizer, TPEProposer or None
        With a model proposer (BOHB), the model that proposed the last
        bracket, fitted on the evaluations of one resource level (``None``
        if no level had enough evaluations to fit it).

    cv_results_ : dict of numpy (masked) ndarrays
        Every evaluation of every bracket, with scikit-learn's keys plus
        ``"bracket"``, ``"iter"`` (the rung within its bracket) and
        ``"n_resources"``.

    best_estimator_, best_score_, best_params_, best_index_ : see above
        The best candidate evaluated with the most resource.

    scorer_, n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_, stop_reason_, best_score_bias_, best_score_corrected_
        As in :class:`SuccessiveHalvingSearchCV`.

    best_rounds_ : int or None
        With ``early_stopping``: the rounds ``best_estimator_`` was refitted
        with (the best row's ``refit_rounds``).

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
        **BaseHalvingSearch._parameter_constraints,
        "min_resources": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto", "smallest"}),
        ],
    }
    _own_columns = ("bracket", "iter", "n_resources")

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        factor=3,
        resource="auto",
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
        self.early_stopping = early_stopping
        self.asynchronous = asynchronous
        self.fold_stopping = fold_stopping

    def _plan(self, space, proposer, max_resources, smallest, floor, n_splits):
        factor = self.factor
        min_resources = self.min_resources
        if is_int(min_resources):
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
                f"min_resources_={first} is greater than max_resources_="
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

    def _brackets(self, schedule):
        return schedule.brackets

    def _n_promoted(self, counts, rung, n):
        if rung + 1 >= len(counts):
            return 0
        return min(counts[rung + 1], max(1, math.floor(n / self.factor)))

    def _set_rung_attributes(self, schedule, policy):
        brackets = policy.rungs_run()
        self.n_resources_ = [[resource for resource, _ in rungs] for rungs in brackets]
        self.n_candidates_ = [[n for _, n in rungs] for rungs in brackets]
        self.n_brackets_ = len(brackets)
        self.n_iterations_ = len({r for rungs in brackets for r, _ in rungs})
        if hasattr(policy.proposer, "optimizer_"):
            self.optimizer_ = policy.proposer.optimizer_

    def _batch_line(self):
        if self.verbose <= 0:
            return None
        name, resource = type(self).__name__, self._resource_name()
        steps = iter(range(10**9))

        def line(units):
            brackets = sorted({unit.columns["bracket"] for unit in units})
            return (f"[{name}] step {next(steps)}: brackets {brackets}, "
                    f"{len(units)} candidates, "
                    f"{resource}={units[0].columns['n_resources']}")

        return line

    def _top_rows(self, results):
        resources = np.asarray(results["n_resources"])
        own = own_rows(results)
        return np.flatnonzero(own & (resources == resources[own].max()))
