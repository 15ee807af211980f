"""What a fold's early stopping watches with ``EarlyStopping(monitor="score")``.

The search's own scorer (``scoring``; the ``refit`` metric of several), on
the fold's validation part, maximized:

* XGBoost: a callable ``eval_metric`` and an ``xgboost.callback.EarlyStopping``
  callback with ``maximize=True``;
* LightGBM: a callable ``eval_metric`` (the built-in metric turned off with
  ``metric="None"``) and its ``early_stopping`` callback;
* histogram gradient boosting: ``scoring=`` the scorer itself;
* CatBoost: the built-in ``eval_metric`` equal to the scorer
  (:data:`CATBOOST_METRICS`), python metrics being slow;
* classic ``GradientBoosting*`` stops on its loss only: refused; so is an
  XGBoost or LightGBM classifier with a callable objective, whose metric
  gets margins (:func:`check_objective`).

XGBoost and LightGBM hand a metric raw predictions, not an estimator: the
scorer is called on :func:`predicted`, a stand-in estimator whose
``predict``, ``predict_proba`` and ``decision_function`` return them.
"""

import inspect

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import get_scorer

from skhyper.boosting import _libraries

__all__ = ["CATBOOST_METRICS", "MONITORS", "PROBABILITY_SCORERS", "Monitor",
           "check_objective", "predicted", "refit_rule", "resolve"]

#: What ``EarlyStopping(monitor=...)`` accepts.
MONITORS = ("loss", "score")

#: The scorer names CatBoost can watch, and its built-in metric for each
#: (``neg_log_loss``: ``Logloss`` for two classes, ``MultiClass`` for more).
CATBOOST_METRICS = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "BalancedAccuracy",
    "roc_auc": "AUC",
    "f1": "F1",
    "precision": "Precision",
    "recall": "Recall",
    "neg_log_loss": "Logloss",
    "r2": "R2",
    "neg_root_mean_squared_error": "RMSE",
    "neg_mean_squared_error": "RMSE",
    "neg_mean_absolute_error": "MAE",
}


#: Scorers that judge predicted probabilities, as the log-loss does: past the
#: loss's stopping point they get worse with it.
PROBABILITY_SCORERS = ("neg_log_loss", "neg_brier_score", "d2_log_loss_score",
                       "d2_brier_score")


class Monitor:
    """The scorer a search's folds stop early on (pickled to the workers).

    Parameters
    ----------
    scorer : callable
        ``scorer(estimator, X, y)``, greater is better.
    name : str or None
        The scorer's name in ``scoring``, None for a callable.

    Attributes
    ----------
    takes_sample_weight : bool
        Whether ``scorer`` accepts ``sample_weight``: its signature, read
        once here rather than on every boosting round.
    """

    def __init__(self, scorer, name):
        self.scorer = scorer
        self.name = name
        self.takes_sample_weight = _takes_sample_weight(scorer)

    def catboost_metric(self, y):
        """CatBoost's built-in metric for the scorer, given the training target."""
        metric = CATBOOST_METRICS[self.name]
        if metric == "Logloss" and len(np.unique(y)) > 2:
            return "MultiClass"
        return metric

    def score(self, predictions, y_val, w_val, classes):
        """The scorer's value on raw booster ``predictions`` of the validation part.

        ``classes`` are the sorted labels of a classifier (None for a
        regressor); ``w_val`` the validation part's sample weights or None.
        """
        if len(predictions) != len(y_val):
            raise ValueError(
                f"early stopping got {len(predictions)} predictions for a validation "
                f"part of {len(y_val)} samples."
            )
        stand_in = predicted(predictions, classes)
        placeholder = np.empty((len(y_val), 0))
        kwargs = {}
        if w_val is not None and self.takes_sample_weight:
            kwargs["sample_weight"] = w_val
        return float(self.scorer(stand_in, placeholder, y_val, **kwargs))

    def xgboost_metric(self, y_val, w_val, classes):
        """A callable ``eval_metric`` of XGBoost's scikit-learn interface."""
        return _XGBoostMetric(self, y_val, w_val, classes)

    def lightgbm_metric(self, y_val, w_val, classes):
        """A callable ``eval_metric`` of LightGBM's scikit-learn interface."""
        return _LightGBMMetric(self, y_val, w_val, classes)


def _takes_sample_weight(scorer):
    try:
        parameters = inspect.signature(scorer).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "sample_weight" or p.kind is p.VAR_KEYWORD for p in parameters)


class _Metric:
    # The validation part's own targets and weights, not the library's
    # (LightGBM hands encoded labels): the same rows, in the same order.
    __name__ = "skhyper_score"

    def __init__(self, monitor, y_val, w_val, classes):
        self.monitor = monitor
        self.y_val = y_val
        self.w_val = w_val
        self.classes = classes

    def value(self, predictions):
        return self.monitor.score(predictions, self.y_val, self.w_val, self.classes)


class _XGBoostMetric(_Metric):
    def __call__(self, y_true, y_score, sample_weight=None):
        return self.value(y_score)


class _LightGBMMetric(_Metric):
    def __call__(self, y_true, y_pred):  # two parameters: LightGBM counts them
        return self.__name__, self.value(y_pred), True


def predicted(predictions, classes):
    """A fitted estimator that predicts what a booster predicted.

    Its methods ignore ``X``. ``classes`` given: a classifier whose
    ``predict_proba`` is ``predictions`` (probabilities of the positive
    class, of every class, or predicted labels), ``decision_function`` their
    log-odds (two classes) or logarithm, ``predict`` the likeliest class.
    ``classes`` None: a regressor predicting ``predictions``. scikit-learn's
    mixins declare which (tags from scikit-learn 1.6, ``_estimator_type``
    before).
    """
    if classes is None:
        return _PredictedRegressor(predictions)
    return _PredictedClassifier(predictions, classes)


class _PredictedRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, predictions=None):
        self.predictions = predictions

    def predict(self, X):
        return np.asarray(self.predictions, dtype=float).ravel()


class _PredictedClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, predictions=None, classes=None):
        self.predictions = predictions
        self.classes = classes

    @property
    def classes_(self):
        return np.asarray(self.classes)

    def predict_proba(self, X):
        scores = np.asarray(self.predictions, dtype=float)
        n_classes = len(self.classes)
        if scores.ndim == 2:
            return scores
        if n_classes == 2:
            return np.column_stack([1 - scores, scores])
        # multi:softmax and the like predict labels: certain probabilities
        return np.eye(n_classes)[scores.astype(int)]

    def decision_function(self, X):
        proba = np.clip(self.predict_proba(X), 1e-15, 1)
        if proba.shape[1] == 2:
            return np.log(proba[:, 1]) - np.log(proba[:, 0])
        return np.log(proba)

    def predict(self, X):
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def resolve(config, estimator, scoring, refit):
    """The :class:`Monitor` of a search's early stopping, or None for the loss.

    Raises
    ------
    ValueError
        If the booster cannot watch the scorer (``GradientBoosting*``, a
        classifier whose objective gives margins: :func:`check_objective`, a
        CatBoost model with a scorer outside :data:`CATBOOST_METRICS`), or
        several metrics leave no ``refit`` metric to watch.
    TypeError
        If ``scoring`` is of no known kind.
    """
    if config.monitor == "loss":
        return None
    _, booster = _libraries.final_booster(estimator)
    kind = _libraries.booster_kind(booster)
    if kind == "gb":
        raise ValueError(
            f"EarlyStopping's monitor='score' needs a booster that can stop early "
            f"on a scorer; {type(booster).__name__} stops on its loss only "
            f"(n_iter_no_change): use monitor='loss', or HistGradientBoosting."
        )
    check_objective(estimator)
    name, scorer = _refit_scorer(estimator, scoring, refit)
    if kind == "catboost" and name not in CATBOOST_METRICS:
        shown = repr(name) if name is not None else "a callable"
        raise ValueError(
            f"EarlyStopping's monitor='score' with CatBoost watches one of its "
            f"built-in metrics: the search's scoring (its refit metric) must be one "
            f"of {sorted(CATBOOST_METRICS)}; got {shown}. Use monitor='loss' for "
            f"another scorer."
        )
    return Monitor(scorer, name)


def refit_rule(config, estimator, scoring, refit):
    """The rule of ``config.refit_rounds``, with ``"auto"`` resolved.

    ``"auto"`` is ``"cap"`` for a classifier selected by a named scorer that
    does not judge probabilities (accuracy, ROC AUC, F1, ...; ``None`` is
    accuracy): such a metric goes on improving after the folds stopped,
    whether they watched the log-loss or, coarse and noisy on a validation
    part, the metric itself. Otherwise ``"median"``: a regressor (its
    squared error is what :math:`R^2` and the errors measure), a
    probability scorer (:data:`PROBABILITY_SCORERS`), a callable scorer
    (unknown).
    """
    if config.refit_rounds != "auto":
        return config.refit_rounds
    if not is_classifier(estimator):
        return "median"
    try:
        name, _ = _refit_scorer(estimator, scoring, refit)
    except ValueError:  # several metrics and no refit metric: nothing to read
        return "median"
    return "cap" if name is not None and name not in PROBABILITY_SCORERS else "median"


def check_objective(estimator):
    """Refuse a classifier whose objective makes its library hand margins.

    With ``objective=<callable>`` (and XGBoost's ``"binary:logitraw"``),
    XGBoost and LightGBM hand a callable eval metric raw margins, not
    probabilities: a scorer computed on them would be silently wrong. A
    regressor's margin is what its ``predict`` returns, custom objective or
    not: the scorer sees what the search's own scoring sees. Checked on the
    user's estimator before any fit, and again on each candidate's
    (``objective`` may be searched) before its fold fits.

    Parameters
    ----------
    estimator : estimator object
        The booster, or a pipeline ending with it.

    Raises
    ------
    ValueError
        If the final booster is an XGBoost or LightGBM classifier whose
        ``objective`` gives margins.
    """
    prefix, booster = _libraries.final_booster(estimator)
    kind = _libraries.booster_kind(booster)
    if kind not in ("xgboost", "lightgbm") or not is_classifier(booster):
        return
    objective = booster.get_params().get("objective")
    if callable(objective):
        name = getattr(objective, "__name__", type(objective).__name__)
        shown = f"a callable objective ({prefix}objective={name})"
    elif kind == "xgboost" and objective == "binary:logitraw":
        shown = f"{prefix}objective={objective!r}"
    else:
        return
    raise ValueError(
        f"EarlyStopping's monitor='score' cannot watch the scorer of "
        f"{type(booster).__name__} with {shown}: its library hands the eval metric "
        f"raw margins, not the probabilities the scorer needs. Use "
        f"EarlyStopping(monitor='loss') with the objective's own eval_metric, or a "
        f"built-in objective of probabilities (XGBoost's 'binary:logistic' or "
        f"'multi:softprob', LightGBM's 'binary' or 'multiclass')."
    )


def _refit_scorer(estimator, scoring, refit):
    """``(name, scorer)`` of what the search's ``refit`` selects by."""
    if scoring is None:
        name = "accuracy" if is_classifier(estimator) else "r2"  # what score() gives
        return name, get_scorer(name)
    if isinstance(scoring, str):
        return scoring, get_scorer(scoring)
    if callable(scoring):
        return None, scoring
    if isinstance(scoring, (list, tuple, set, dict)):
        names = list(scoring)
        if not (isinstance(refit, str) and refit in names):
            raise ValueError(
                f"EarlyStopping's monitor='score' watches the refit metric: with "
                f"several metrics in scoring, refit must name one of {names}; "
                f"got refit={refit!r}."
            )
        value = scoring[refit] if isinstance(scoring, dict) else refit
        return (value, get_scorer(value)) if isinstance(value, str) else (None, value)
    raise TypeError(
        "EarlyStopping's monitor='score' needs the search's scoring to be None, a "
        f"string, a callable, a list or a dict; got {type(scoring).__name__}."
    )
