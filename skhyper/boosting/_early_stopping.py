"""Early stopping of a booster inside every cross-validation fold, without leakage.

A search with ``early_stopping`` set fits, for the duration of its ``fit``,
an *early-stopping twin* of the user's estimator: a subclass made on the fly
with the same ``__init__`` and parameters (so ``clone``, ``set_params`` and
the candidates' parameter names are unchanged) whose ``fit``, given a fold's
training part:

1. carves a validation part out of it (stratified for classifiers, by group
   when the search got ``groups``; the fold's test part never reaches
   ``fit`` at all);
2. fits the pipeline's earlier steps on the rest and transforms the
   validation part through them;
3. fits the booster with its own early stopping on that validation part
   (XGBoost ``eval_set`` and ``early_stopping_rounds``, LightGBM's
   ``early_stopping`` callback, CatBoost ``eval_set``, histogram gradient
   boosting ``X_val``), the fold's sample weights split alongside; it
   watches the library's validation loss, or with ``monitor="score"`` the
   search's own scorer (:mod:`skhyper.boosting._monitor`);
4. remembers the number of rounds early stopping chose.

The search's scorer is wrapped to read that number off the fitted fold
model: it travels back from any joblib worker inside ``test_scores`` and
is taken out again before scikit-learn formats the results, so
``cv_results_``, ``refit`` and ``multimetric_`` are what they would be
without it, plus the rounds columns. After the search, the refit trains the
chosen rule's number of rounds on all the data, without early stopping, and
``best_estimator_`` is of the user's own class.
"""

import functools
import numbers
import uuid
from typing import ClassVar

import joblib
import numpy as np
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.model_selection import (
    GroupShuffleSplit,
    ShuffleSplit,
    StratifiedShuffleSplit,
)
from sklearn.pipeline import Pipeline

from skhyper import _compat
from skhyper._twin import CANDIDATE, twin_class
from skhyper.boosting import _libraries, _monitor

__all__ = ["ROWS", "EarlyStopping", "RoundsScorer", "StoppingPlan", "check_early_stopping",
           "n_samples"]

#: Fit parameter carrying each fold's row numbers, when ``groups`` are given.
ROWS = "skhyper_rows"
_ROUNDS = "skhyper:best_rounds"
_N_FIT = "skhyper:n_fit"
_SCORE = "skhyper:score"
_RESULT = "_skhyper_early_stopping"


#: What ``EarlyStopping(refit_rounds=...)`` accepts.
REFIT_RULES = ("auto", "median", "mean", "cap")


class EarlyStopping:
    """Early stopping inside every cross-validation fold of a search.

    Give it as ``early_stopping=`` to :class:`~skhyper.BayesSearchCV`,
    :class:`~skhyper.SuccessiveHalvingSearchCV` or
    :class:`~skhyper.HyperbandSearchCV` (``early_stopping=True`` means
    ``EarlyStopping()``). The estimator must be a gradient boosting model
    (XGBoost, LightGBM, CatBoost, scikit-learn's histogram or classic
    gradient boosting), possibly the final step of a pipeline; its rounds
    parameter (``n_estimators``, ``max_iter``, ``iterations``) is the most
    rounds a fold may train.

    Parameters
    ----------
    validation_fraction : float, default=0.1
        Share of each fold's training part held out for early stopping;
        drawn stratified for classifiers, by group when ``groups`` are given
        to ``fit``.
    patience : int, default=20
        Rounds without improvement of what ``monitor`` watches after which
        a fold stops (the libraries' ``early_stopping_rounds`` /
        ``n_iter_no_change``).
    refit_rounds : {"auto", "median", "mean", "cap"}, default="auto"
        How the folds' best numbers of rounds make the number of rounds the
        refit trains on all the data. ``"median"``, ``"mean"``: the folds'
        median or mean (see ``scale_rounds``). ``"cap"``: the refit trains
        the estimator's own rounds parameter (the most a fold may train),
        with no early stopping; early stopping then only makes each
        candidate's cross-validation cheaper, and the refit costs one full
        fit. Measured better for ROC AUC and accuracy, which can go on
        improving after the validation log-loss stopped
        (``docs/benchmarks.md``, "Refitting at the cap" and "The refit rule
        follows the metric": at a 2,000-round cap +0.0008 AUC and +0.005
        accuracy on 5 of 5 searches; fixed candidates of the four
        libraries gained on 45 of 46 seeds at caps of 500 to 8,000
        rounds); level on two regression
        tasks' searches, worse on every seed for a fixed regression
        candidate (its loss is what R^2 measures). ``"auto"``:
        ``"cap"`` for a classifier selected by a named scorer that does not
        judge probabilities (not ``"neg_log_loss"``, ``"neg_brier_score"``
        or their ``"d2_"`` forms; ``scoring=None`` is accuracy; with
        several metrics, the ``refit`` one), whatever ``monitor`` watches;
        ``"median"`` otherwise (regressors, probability scorers, callable
        scorers). The default was ``"median"`` before: to resume a
        checkpoint written then, pass ``refit_rounds="median"``.
    scale_rounds : bool, default=True
        Multiply each fold's best number of rounds by the ratio of all
        samples to the samples that fold trained on (its training part less
        the validation part) before taking ``refit_rounds``: more data
        supports more rounds (the refit may then train more than the rounds
        parameter, the most a fold may train). Measured better
        (``docs/benchmarks.md``): the refit's held-out score rose in every
        one of 15 searches on three boosted-tree tasks, and in 20 of 20
        fixed-candidate runs of the two classification tasks. The default
        was ``False`` before: to resume a checkpoint written then, pass
        ``scale_rounds=False``.
    monitor : {"loss", "score"}, default="loss"
        What each fold's early stopping watches on its validation part.
        ``"loss"``: the library's own validation loss (log-loss for
        classifiers). ``"score"``: the search's ``scoring`` (with several
        metrics, the ``refit`` one; ``None``: accuracy for classifiers,
        :math:`R^2` for regressors), maximized, which stops later than the
        loss when the two disagree, for instance accuracy on a multiclass
        task. XGBoost and LightGBM compute the scorer from their
        predictions of the validation part (probabilities for classifiers)
        with the validation part's sample weights, when the fold has any and
        the scorer takes ``sample_weight``; histogram gradient boosting
        calls the scorer itself (``scoring=``), with the weights; CatBoost
        watches its built-in metric of the same name (``"accuracy"``,
        ``"balanced_accuracy"``, ``"roc_auc"``, ``"f1"``, ``"precision"``,
        ``"recall"``, ``"neg_log_loss"``, ``"r2"``,
        ``"neg_root_mean_squared_error"``, ``"neg_mean_squared_error"``,
        ``"neg_mean_absolute_error"``; another scoring is refused), weighted
        as CatBoost weighs its metrics. ``GradientBoosting*`` stops on its
        loss only: ``"score"`` is refused. So is an XGBoost or LightGBM
        classifier whose ``objective`` is a callable (or XGBoost's
        ``"binary:logitraw"``): its library hands the metric raw margins,
        not probabilities; use ``"loss"`` with an ``eval_metric`` of the
        objective's own, or a built-in objective. A regressor with a custom
        objective is watched as any other (its margin is its prediction).
        Refusals are ``ValueError`` raised by the search's ``fit`` before
        any fit; a callable ``objective`` a candidate sets fails that
        candidate's fits before they train (see ``error_score``).

    Notes
    -----
    ``cv_results_`` gains ``split<k>_best_rounds`` (each fold's best number
    of rounds, NaN for a failed fit) and ``refit_rounds`` (what the refit of
    that row would train); the search gains ``best_rounds_``.
    """

    #: Parameters added after checkpoints were written, with the value that
    #: behaves as before: a checkpoint fingerprint leaves them out at it.
    ADDED_PARAMS: ClassVar[dict] = {"monitor": "loss"}

    def __init__(self, validation_fraction=0.1, patience=20,
                 refit_rounds="auto", scale_rounds=True, monitor="loss"):
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.refit_rounds = refit_rounds
        self.scale_rounds = scale_rounds
        self.monitor = monitor

    def get_params(self, deep=True):
        """Parameters of this configuration (for reprs and checkpoints)."""
        return {name: getattr(self, name) for name in
                ("validation_fraction", "patience", "refit_rounds", "scale_rounds",
                 "monitor")}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"EarlyStopping({args})"

    def _validate(self):
        fraction = self.validation_fraction
        if not (isinstance(fraction, numbers.Real) and 0 < fraction < 1):
            raise ValueError(
                "EarlyStopping's validation_fraction must be a float in (0, 1); "
                f"got {fraction!r}."
            )
        patience = self.patience
        if not _is_int(patience) or patience < 1:
            raise ValueError(
                f"EarlyStopping's patience must be a positive integer; got {patience!r}."
            )
        if self.refit_rounds not in REFIT_RULES:
            raise ValueError(
                "EarlyStopping's refit_rounds must be 'auto', 'median', 'mean' or 'cap'; got "
                f"{self.refit_rounds!r}."
            )
        if not (isinstance(self.monitor, str) and self.monitor in _monitor.MONITORS):
            raise ValueError(
                f"EarlyStopping's monitor must be 'loss' or 'score'; got {self.monitor!r}."
            )


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_early_stopping(option, estimator):
    """The :class:`EarlyStopping` of a search's ``early_stopping``, or None.

    Whether the booster can watch the search's scorer (``monitor="score"``)
    is :func:`skhyper.boosting._monitor.resolve`'s to check.

    Raises
    ------
    TypeError
        If ``option`` is not None, a bool or an :class:`EarlyStopping`.
    ValueError
        If the estimator is not a booster that can stop early, or an option
        is out of range.
    """
    if option is None or option is False:
        return None
    if option is True:
        option = EarlyStopping()
    if not isinstance(option, EarlyStopping):
        raise TypeError(
            "early_stopping must be None, a bool or an EarlyStopping; got "
            f"{type(option).__name__}."
        )
    option._validate()
    _, booster = _libraries.final_booster(estimator)
    if booster is None:
        final = estimator
        while isinstance(final, Pipeline) and final.steps:
            final = final.steps[-1][1]
        raise ValueError(
            f"early_stopping needs a gradient boosting estimator (XGBoost, LightGBM, "
            f"CatBoost, HistGradientBoosting or GradientBoosting, possibly a "
            f"pipeline's final step); {type(final).__name__} has no early stopping."
        )
    return option


class StoppingPlan:
    """What the twins of one search's ``fit`` share (pickled to the workers).

    Parameters
    ----------
    config : EarlyStopping
        The validated option.
    estimator : estimator object
        The user's estimator.
    n_samples : int
        Samples of the data given to ``fit`` (for ``scale_rounds``).
    groups : array-like or None
        The ``groups`` given to ``fit``.
    seed : int
        Seed of every fold's validation split.
    monitor : Monitor or None, default=None
        The scorer the folds stop early on (``monitor="score"``), None for
        the libraries' loss.
    rule : {"median", "mean", "cap"} or None, default=None
        The refit rule (``refit_rounds`` with ``"auto"`` resolved by
        :func:`skhyper.boosting._monitor.refit_rule`); None: ``refit_rounds``.
    """

    def __init__(self, config, estimator, n_samples, groups, seed, monitor=None, rule=None):
        self.config = config
        self.monitor = monitor
        self.rule = rule or config.refit_rounds
        self.classifier = is_classifier(estimator)
        self.n_samples = n_samples
        self.groups = None if groups is None else np.asarray(groups)
        self.seed = seed
        self.token = uuid.uuid4().hex
        self.active = True  # clones stay twins: the search restores its estimator
        self.refitting = False
        self.metric_names = None  # a multimetric scorer's names
        self.used_rounds = None
        self._table = {}  # refit rounds by candidate, in the main process
        prefix, booster = _libraries.final_booster(estimator)
        # refit_rounds="cap": a row's rounds parameter (searched or the estimator's).
        self.rounds_name = prefix + _libraries.rounds_param(booster)
        self.cap = _libraries.rounds_value(booster)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_table"] = {}
        return state

    # -- main process --------------------------------------------------------

    def wrap(self, estimator):
        """The early-stopping twin of ``estimator`` (a fresh clone of it)."""
        twin = clone(estimator)
        twin.__class__ = _twin_class(type(estimator), self)
        return twin

    def fit_params(self, params):
        """``params`` plus each row's number, when folds are split by group."""
        if self.groups is None:
            return params
        return {**params, ROWS: np.arange(self.n_samples)}

    def wrap_scorer(self, scorers):
        """The search's scorer, also reporting each fold's rounds."""
        self.metric_names = _compat.metric_names(scorers)
        return RoundsScorer(scorers)

    def take_rounds(self, out):
        """Take the rounds out of fold results ``out`` (in place).

        Returns
        -------
        add_columns : callable
            Adds the rounds columns to the results formatted from ``out``.
        """
        rounds, n_fit = [], []
        for fold in out:
            fold_rounds, fold_n_fit = np.nan, np.nan
            for key in ("test_scores", "train_scores"):
                scores = fold.get(key)
                if isinstance(scores, dict) and _ROUNDS in scores:
                    fold_rounds = scores.pop(_ROUNDS)
                    fold_n_fit = scores.pop(_N_FIT, np.nan)
                    if _SCORE in scores:
                        fold[key] = scores[_SCORE]
                elif key in fold and not isinstance(scores, dict) and self.metric_names:
                    fold[key] = {name: scores for name in self.metric_names}
            if fold.get("fit_error") is not None:
                fold_rounds = fold_n_fit = np.nan
            rounds.append(_as_float(fold_rounds))
            n_fit.append(_as_float(fold_n_fit))
        return functools.partial(self._add_columns, rounds, n_fit)

    def _add_columns(self, rounds, n_fit, results):
        n_rows = len(results["params"])
        if not n_rows:
            return results
        n_splits = len(rounds) // n_rows
        rounds = np.asarray(rounds, dtype=float).reshape(n_rows, n_splits)
        n_fit = np.asarray(n_fit, dtype=float).reshape(n_rows, n_splits)
        for k in range(n_splits):
            results[f"split{k}_best_rounds"] = rounds[:, k]
        results["refit_rounds"] = np.array(
            [self._rule(r, n, p) for r, n, p in zip(rounds, n_fit, results["params"])],
            dtype=float,
        )
        return results

    def _rule(self, rounds, n_fit, params):
        if self.rule == "cap":
            if not np.isfinite(rounds).any():
                return np.nan
            return float(params.get(self.rounds_name, self.cap))
        if self.config.scale_rounds:
            rounds = rounds * (self.n_samples / n_fit)
        rounds = rounds[np.isfinite(rounds)]
        if not len(rounds):
            return np.nan
        value = np.mean(rounds) if self.rule == "mean" else np.median(rounds)
        return float(max(1, round(value)))

    def learn(self, results):
        """Read every row's refit rounds; from here on, fits are refits."""
        if results is not None and "refit_rounds" in results:
            for params, value in zip(results["params"], results["refit_rounds"]):
                if np.isfinite(value):
                    self._table[_key(params)] = int(value)
        self.refitting = True

    def refit_rounds_for(self, params):
        return self._table.get(_key(params or {}))


def _key(params):
    return joblib.hash(sorted(params.items()))


def _as_float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


class RoundsScorer:
    """A search's scorer that also returns each fold's best rounds and size.

    Parameters
    ----------
    scorer : callable or dict
        What ``BaseSearchCV._get_scorers`` gave.
    """

    def __init__(self, scorer):
        self.scorer = scorer

    def __call__(self, estimator, *args, **kwargs):
        scorer = self.scorer
        if isinstance(scorer, dict):
            scores = {name: s(estimator, *args, **kwargs) for name, s in scorer.items()}
        else:
            scores = scorer(estimator, *args, **kwargs)
        if not isinstance(scores, dict):
            scores = {_SCORE: scores}
        rounds, n_fit = getattr(estimator, "__dict__", {}).get(_RESULT, (np.nan, np.nan))
        return {**scores, _ROUNDS: rounds, _N_FIT: n_fit}

    def _accept_sample_weight(self):
        accept = getattr(self.scorer, "_accept_sample_weight", None)
        return True if accept is None else accept()

    def get_metadata_routing(self):
        from sklearn.utils.metadata_routing import get_routing_for_object

        return get_routing_for_object(self.scorer)

    def unwrapped(self):
        """What scikit-learn would have stored as ``scorer_``."""
        return _compat.scorer_attribute(self.scorer)


# -- the twin -----------------------------------------------------------------


def _twin_class(base, plan):
    extra = {"__metadata_request__fit": {ROWS: True}}  # groups' row numbers
    if issubclass(base, Pipeline):
        def get_metadata_routing(self):
            router = base.get_metadata_routing(self)
            return router.add_self_request(self)

        extra["get_metadata_routing"] = get_metadata_routing
    return twin_class(base, plan, _fit, extra)


def _fit(self, base, X, y, params):
    plan = type(self)._skhyper_plan
    candidate = self.__dict__.pop(CANDIDATE, None)
    rows = params.pop(ROWS, None)
    _, booster = _libraries.final_booster(self)
    if plan.refitting:
        rounds = plan.refit_rounds_for(candidate)
        if rounds is not None:
            _libraries.disable_early_stopping(booster, rounds)
            plan.used_rounds = rounds
        self.__class__ = base  # best_estimator_ is of the user's class
        return _call(functools.partial(base.fit, self), X, y, params)
    twin = type(self)
    self.__class__ = base  # the libraries' own fit, all the way down
    try:
        n_fit = _fit_stopping_early(self, plan, X, y, params, rows, booster)
    finally:
        self.__class__ = twin
    self.__dict__[_RESULT] = (_libraries.best_rounds(booster), float(n_fit))
    return self


def _fit_stopping_early(estimator, plan, X, y, params, rows, booster):
    """Fit ``estimator`` with early stopping; the number of samples it fitted."""
    config = plan.config
    if plan.monitor is not None:
        _monitor.check_objective(estimator)  # a candidate may set the objective
    if _libraries.splits_itself(booster):
        _libraries.set_internal_early_stopping(
            booster, config.validation_fraction, config.patience, plan.monitor
        )
        _call(estimator.fit, X, y, params)
        return n_samples(X) * (1 - config.validation_fraction)
    train, val = _split(plan, X, y, rows)
    params_train, params_val = _split_params(params, n_samples(X), train, val)
    _fit_parts(estimator, _take(X, train), _take(y, train), params_train,
               _take(X, val), _take(y, val), params_val, config.patience, plan.monitor)
    return len(train)


def _call(fit, X, y, params):
    return fit(X, **params) if y is None else fit(X, y, **params)


def n_samples(X):
    """Number of samples of ``X``."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def _take(data, indices):
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if isinstance(data, (list, tuple)):
        return [data[i] for i in indices]
    return data[indices]


def _split(plan, X, y, rows):
    """``(train, validation)`` positions within a fold's training part."""
    config = plan.config
    n = n_samples(X)
    dummy = np.zeros(n)
    kwargs = {"n_splits": 1, "test_size": config.validation_fraction,
              "random_state": plan.seed}
    if plan.groups is not None and rows is not None:
        groups = plan.groups[np.asarray(rows)]
        if len(np.unique(groups)) > 1:
            return next(GroupShuffleSplit(**kwargs).split(dummy, y, groups))
    if plan.classifier and y is not None:
        try:
            return next(StratifiedShuffleSplit(**kwargs).split(dummy, y))
        except ValueError:  # a class too small to stratify: a plain split
            pass
    return next(ShuffleSplit(**kwargs).split(dummy))


def _split_params(params, n, train, val):
    """Fit parameters of the two parts: per-sample ones are split."""
    params_train, params_val = {}, {}
    for name, value in params.items():
        if _per_sample(value, n):
            params_train[name] = _take(value, train)
            params_val[name] = _take(value, val)
        else:
            params_train[name] = value
    return params_train, params_val


def _per_sample(value, n):
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        return False
    try:
        return len(value) == n
    except TypeError:
        return False


def _fit_parts(estimator, X, y, params, X_val, y_val, params_val, patience, monitor):
    """Fit ``estimator`` on ``X``, stopping early on ``X_val`` (in place)."""
    if not isinstance(estimator, Pipeline):
        _libraries.fit_with_validation(
            estimator, X, y, params, X_val, y_val,
            params_val.get("sample_weight"), patience, monitor,
        )
        return
    routed, routed_val = _step_params(estimator, params), _step_params(estimator, params_val)
    *steps, (final_name, final) = estimator.steps
    for name, step in steps:
        if step is None or step == "passthrough":
            continue
        step_params = routed(name, "fit_transform")
        if hasattr(step, "fit_transform"):
            X = step.fit_transform(X, y, **step_params)
        else:
            X = step.fit(X, y, **step_params).transform(X)
        X_val = step.transform(X_val)
    _fit_parts(final, X, y, routed(final_name, "fit"), X_val, y_val,
               routed_val(final_name, "fit"), patience, monitor)


def _step_params(pipeline, params):
    """``get(step, method)``: the fit parameters ``pipeline`` routes to a step."""
    if sklearn.get_config().get("enable_metadata_routing", False):
        from sklearn.utils.metadata_routing import process_routing

        routed = process_routing(pipeline, "fit", **params) if params else None

        def get(name, method):
            if routed is None:
                return {}
            step = routed[name]
            return dict(step.get(method, step.get("fit", {})))

        return get

    def get(name, method):
        prefix = f"{name}__"
        return {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}

    return get
