"""What skhyper knows of each gradient boosting library: rounds, early stopping, continuation.

Five kinds of boosted trees: scikit-learn's ``HistGradientBoosting*``
(``"hist"``) and ``GradientBoosting*`` (``"gb"``), XGBoost, LightGBM and
CatBoost. Nothing here imports XGBoost, LightGBM or CatBoost before it is
needed: an estimator of theirs only exists once its library was imported, so
they are recognised through ``sys.modules``.
"""

import contextlib
import importlib
import inspect
import sys

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline

from skhyper import _compat

__all__ = [
    "EXTRA",
    "booster_kind",
    "continue_rounds",
    "disable_early_stopping",
    "final_booster",
    "fit_with_validation",
    "require",
    "resolve_rounds",
    "rounds_default",
    "rounds_param",
    "rounds_value",
    "splits_itself",
]

#: How to install the optional boosting libraries.
EXTRA = 'pip install "skhyper[boost]"'

# Names a user may write for the rounds of any booster.
_ROUND_NAMES = {"n_estimators", "max_iter", "iterations", "num_boost_round",
                "n_iter", "num_trees", "num_iterations"}
_CATBOOST_ROUNDS = ("iterations", "n_estimators", "num_boost_round", "num_trees")
_DEFAULT_ROUNDS = {"xgboost": 100, "lightgbm": 100, "catboost": 1000,
                   "hist": 100, "gb": 100}


def require(name):
    """Import the boosting library ``name``; the error names the extra.

    Raises
    ------
    ImportError
        If ``name`` is not installed.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{name} is not installed; install skhyper's boosting libraries "
            f"with: {EXTRA}"
        ) from exc


def _loaded(name, attribute):
    module = sys.modules.get(name)
    return getattr(module, attribute, None) if module is not None else None


def booster_kind(estimator):
    """``"xgboost"``, ``"lightgbm"``, ``"catboost"``, ``"hist"``, ``"gb"`` or None.

    Random-forest and ranking flavours of the libraries count as none: their
    rounds are not boosting rounds, or their fit needs query groups.
    """
    from sklearn import ensemble

    name = type(estimator).__name__
    if isinstance(estimator, (ensemble.HistGradientBoostingClassifier,
                              ensemble.HistGradientBoostingRegressor)):
        return "hist"
    if isinstance(estimator, (ensemble.GradientBoostingClassifier,
                              ensemble.GradientBoostingRegressor)):
        return "gb"
    if "RF" in name or "Ranker" in name:
        return None
    for kind, attribute in (("xgboost", "XGBModel"), ("lightgbm", "LGBMModel"),
                            ("catboost", "CatBoost")):
        base = _loaded(kind, attribute)
        if base is not None and isinstance(estimator, base):
            return kind
    return None


def final_booster(estimator):
    """``(prefix, booster)``: the booster at the end of (nested) final steps.

    ``prefix`` is its parameter prefix (``"clf__"``, or ``""``); ``booster``
    is None when the final estimator is not a known booster.
    """
    prefix = ""
    while isinstance(estimator, Pipeline) and estimator.steps:
        name, estimator = estimator.steps[-1]
        prefix += f"{name}__"
    if booster_kind(estimator) is None:
        return prefix, None
    return prefix, estimator


def rounds_param(booster):
    """The name of ``booster``'s rounds parameter (no pipeline prefix)."""
    kind = booster_kind(booster)
    if kind == "hist":
        return "max_iter"
    if kind == "catboost":
        params = booster.get_params()
        return next((n for n in _CATBOOST_ROUNDS if n in params), "iterations")
    return "n_estimators"


def rounds_value(booster):
    """``booster``'s number of rounds, the library's default if unset."""
    value = booster.get_params().get(rounds_param(booster))
    return _DEFAULT_ROUNDS[booster_kind(booster)] if value is None else int(value)


def resolve_rounds(estimator, resource):
    """The full name of the rounds parameter ``resource`` designates, or None.

    ``resource`` designates the rounds of the final booster when its last
    part is a rounds name (``"n_estimators"``, ``"max_iter"``,
    ``"iterations"``) and what comes before is empty or a prefix of the path
    to the booster: ``"n_estimators"`` is ``"max_iter"`` of a
    ``HistGradientBoostingClassifier`` and ``"clf__n_estimators"`` of an
    XGBoost model in step ``"clf"`` of a pipeline.
    """
    prefix, booster = final_booster(estimator)
    if booster is None or not isinstance(resource, str):
        return None
    *path, leaf = resource.split("__")
    given = "".join(f"{name}__" for name in path)
    if leaf not in _ROUND_NAMES or not prefix.startswith(given):
        return None
    return prefix + rounds_param(booster)


def rounds_default(estimator):
    """``{full name: rounds}`` of the final booster when its parameters lack
    the value (CatBoost's unset ``iterations``, XGBoost's ``None``)."""
    prefix, booster = final_booster(estimator)
    if booster is None:
        return {}
    name = rounds_param(booster)
    if booster.get_params().get(name) is not None:
        return {}
    return {prefix + name: rounds_value(booster)}


# -- early stopping ---------------------------------------------------------------


def splits_itself(booster):
    """Whether ``booster`` stops early only on a validation part it draws itself.

    scikit-learn's ``GradientBoosting*`` always; ``HistGradientBoosting*``
    on releases whose ``fit`` takes no ``X_val``.
    """
    kind = booster_kind(booster)
    if kind == "gb":
        return True
    if kind == "hist":
        return not _compat.takes_validation_set(booster)
    return False


def set_internal_early_stopping(booster, fraction, patience, monitor=None):
    """Turn on the early stopping of a booster that :func:`splits_itself`.

    ``monitor``: the :class:`~skhyper.boosting._monitor.Monitor` whose
    scorer histogram gradient boosting watches, None for its loss.
    """
    if booster_kind(booster) == "gb":
        booster.set_params(n_iter_no_change=patience, validation_fraction=fraction)
    else:
        booster.set_params(early_stopping=True, n_iter_no_change=patience,
                           validation_fraction=fraction, **_hist_scoring(monitor))


def _hist_scoring(monitor):
    if monitor is None:
        return {}
    # By name when it has one: histogram gradient boosting then scores from
    # the raw predictions it updates tree by tree; given the scorer object, it
    # predicts its validation part and a training subsample from every tree so
    # far at every round (7 to 16 times the loss's cost, docs/benchmarks.md).
    return {"scoring": monitor.name if monitor.name is not None else monitor.scorer}


def fit_with_validation(booster, X, y, params, X_val, y_val, w_val, patience,
                        monitor=None):
    """Fit ``booster`` with early stopping on ``(X_val, y_val)``.

    ``params`` are its other fit parameters; ``w_val`` the validation
    part's sample weights, or None; ``monitor`` the
    :class:`~skhyper.boosting._monitor.Monitor` to maximize, None to stop
    on the library's validation loss.
    """
    kind = booster_kind(booster)
    params = dict(params)
    if kind == "xgboost":
        params.setdefault("verbose", False)
        if w_val is not None:
            params["sample_weight_eval_set"] = [w_val]
        with _xgboost_stopping(booster, patience, monitor, y, y_val, w_val):
            booster.fit(X, y, eval_set=[(X_val, y_val)], **params)
    elif kind == "lightgbm":
        lightgbm = require("lightgbm")
        callbacks = list(params.pop("callbacks", None) or [])
        callbacks.append(lightgbm.early_stopping(
            patience, first_metric_only=monitor is not None, verbose=False
        ))
        if monitor is not None:
            # Only the scorer: the built-in metric would come first.
            booster.set_params(metric="None")
            params["eval_metric"] = monitor.lightgbm_metric(y_val, w_val, _classes(booster, y))
        if w_val is not None:
            params["eval_sample_weight"] = [w_val]
        if "eval_X" in inspect.signature(lightgbm.LGBMModel.fit).parameters:
            params.update(eval_X=(X_val,), eval_y=(y_val,))  # LightGBM >= 4.7
        else:
            params["eval_set"] = [(X_val, y_val)]
        booster.fit(X, y, callbacks=callbacks, **params)
    elif kind == "catboost":
        if monitor is not None:
            booster.set_params(eval_metric=monitor.catboost_metric(y))
        eval_set = (X_val, y_val)
        if w_val is not None:
            eval_set = require("catboost").Pool(
                X_val, y_val, weight=w_val,
                cat_features=booster.get_params().get("cat_features"),
            )
        booster.fit(X, y, eval_set=eval_set, early_stopping_rounds=patience,
                    use_best_model=True, **params)
    elif kind == "hist":
        booster.set_params(early_stopping=True, n_iter_no_change=patience,
                           **_hist_scoring(monitor))
        if w_val is not None:
            params["sample_weight_val"] = w_val
        booster.fit(X, y, X_val=X_val, y_val=y_val, **params)
    else:
        raise ValueError(f"{type(booster).__name__} takes no validation set.")


@contextlib.contextmanager
def _xgboost_stopping(booster, patience, monitor, y, y_val, w_val):
    """XGBoost stopping early on its loss or, with ``monitor``, on a scorer.

    The scorer's metric and callback are the fold's for its fit only.
    """
    if monitor is None:
        booster.set_params(early_stopping_rounds=patience)
        yield
        return
    metric = monitor.xgboost_metric(y_val, w_val, _classes(booster, y))
    stop = require("xgboost").callback.EarlyStopping(
        rounds=patience, metric_name=metric.__name__, data_name="validation_0",
        maximize=True,
    )
    before = booster.get_params()
    booster.set_params(early_stopping_rounds=None, eval_metric=metric,
                       callbacks=[*(before.get("callbacks") or []), stop])
    try:
        yield
    finally:
        booster.set_params(eval_metric=before.get("eval_metric"),
                           callbacks=before.get("callbacks"))


def _classes(booster, y):
    """The sorted labels a classifier ``booster`` learns from ``y``, else None."""
    return np.unique(np.asarray(y)) if is_classifier(booster) else None


def best_rounds(booster):
    """The number of rounds early stopping found best in a fitted ``booster``."""
    kind = booster_kind(booster)
    if kind == "xgboost":
        best = getattr(booster, "best_iteration", None)
        if best is None:
            return booster.get_booster().num_boosted_rounds()
        return int(best) + 1
    if kind == "lightgbm":
        best = booster.best_iteration_
        return int(best) if best else booster.booster_.current_iteration()
    if kind == "catboost":
        best = booster.get_best_iteration()
        return booster.tree_count_ if best is None else int(best) + 1
    if kind == "hist":
        scores = getattr(booster, "validation_score_", None)
        if scores is None or not len(scores):
            return int(booster.n_iter_)
        return max(1, int(np.argmax(scores)))
    # GradientBoosting keeps no validation scores: its patience past the best.
    fitted = int(booster.n_estimators_)
    patience = booster.get_params()["n_iter_no_change"]
    if patience is None or fitted >= booster.get_params()["n_estimators"]:
        return fitted
    return max(1, fitted - int(patience))


def disable_early_stopping(booster, rounds):
    """Set ``booster`` to train exactly ``rounds`` rounds, no early stopping."""
    kind = booster_kind(booster)
    params = {rounds_param(booster): int(rounds)}
    if kind == "xgboost":
        params["early_stopping_rounds"] = None
    elif kind == "hist":
        params["early_stopping"] = False
    elif kind == "gb":
        params["n_iter_no_change"] = None
    elif kind == "catboost" and "early_stopping_rounds" in booster.get_params():
        params["early_stopping_rounds"] = None
    booster.set_params(**params)


# -- continuation -----------------------------------------------------------------


def continue_rounds(booster, X, y, params, done, target):
    """Train ``booster`` (fitted with ``done`` rounds) on to ``target`` rounds.

    In place, on the data it was fitted on: XGBoost continues from its
    booster (``xgb_model=``), LightGBM and CatBoost from their model
    (``init_model=``); only the ``target - done`` rounds still to do are
    trained.
    """
    kind = booster_kind(booster)
    params = dict(params)
    if kind == "xgboost":
        params["xgb_model"] = booster.get_booster()
    elif kind == "lightgbm":
        params["init_model"] = booster.booster_
    elif kind == "catboost":
        params["init_model"] = booster.copy()
    else:
        raise ValueError(f"{type(booster).__name__} continues through warm_start.")
    name = rounds_param(booster)
    if kind == "catboost":
        # A fitted CatBoost model refuses set_params: start it over, unfitted,
        # with the rounds still to do. Its rounds parameter keeps that number
        # (the plan counts the rounds the model has).
        booster.__init__(**{**booster.get_params(), name: int(target - done)})
    else:
        booster.set_params(**{name: int(target - done)})
    try:
        if y is None:
            booster.fit(X, **params)
        else:
            booster.fit(X, y, **params)
    finally:
        if kind != "catboost":
            booster.set_params(**{name: int(target)})
