"""Early stopping inside every fold, and boosting rounds as the halving resource.

The real libraries (XGBoost, LightGBM, CatBoost), small data, few rounds, one
thread each.
"""

import re
import subprocess
import sys
import warnings
from typing import ClassVar

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skhyper import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV
from skhyper.boosting import EarlyStopping, _early_stopping, _libraries, _monitor

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
cb = pytest.importorskip("catboost")


@pytest.fixture(autouse=True)
def _one_thread():
    # OpenMP threads of histogram gradient boosting crawl on a shared machine.
    with threadpool_limits(1):
        yield


def _data(n=300, classification=True):
    if classification:
        return make_classification(n, n_features=8, n_informative=5, random_state=0)
    return make_regression(n, n_features=8, noise=5.0, random_state=0)


def _xgb(**kw):
    return xgb.XGBClassifier(n_estimators=60, nthread=1, learning_rate=0.3, **kw)


def _lgbm(cls=None, **kw):
    cls = cls or lgb.LGBMClassifier
    return cls(n_estimators=60, n_jobs=1, verbose=-1, min_child_samples=5, **kw)


def _catboost(**kw):
    return cb.CatBoostClassifier(iterations=60, thread_count=1, verbose=False,
                                 allow_writing_files=False, depth=3, **kw)


STOP = EarlyStopping(patience=3)
RATES = {"learning_rate": [0.1, 0.3]}


# -- early stopping in every fold ---------------------------------------------------


@pytest.mark.parametrize("make, rounds", [
    (_xgb, "n_estimators"),
    (_lgbm, "n_estimators"),
    (_catboost, "iterations"),
    # random_state: both draw their own validation part (GradientBoosting
    # always, HistGradientBoosting on releases without X_val).
    (lambda: HistGradientBoostingClassifier(max_iter=60, random_state=0), "max_iter"),
    (lambda: GradientBoostingClassifier(n_estimators=60, random_state=0),
     "n_estimators"),
], ids=["xgboost", "lightgbm", "catboost", "hist", "gb"])
def test_each_fold_stops_early_and_the_refit_carries_its_rounds(make, rounds):
    X, y = _data()
    estimator = make()
    search = BayesSearchCV(estimator, RATES, cv=3, random_state=0,
                           early_stopping=EarlyStopping(patience=3, refit_rounds="median"))
    search.fit(X, y)
    results = search.cv_results_
    folds = np.column_stack([results[f"split{k}_best_rounds"] for k in range(3)])
    assert np.all(folds >= 1) and np.all(folds <= 60)
    # the folds' median, each scaled to all 300 samples from the 180 its fold
    # trained on (200, less the validation tenth)
    assert np.all(results["refit_rounds"] == np.median(folds * 300 / 180, axis=1).round())
    assert not search.multimetric_
    assert "mean_test_score" in results
    best = search.best_estimator_
    assert type(best) is type(estimator)  # the user's class, not the twin
    assert search.best_rounds_ == results["refit_rounds"][search.best_index_]
    assert best.get_params()[rounds] == search.best_rounds_
    assert np.all(folds[search.best_index_] < 60)  # learning rate 0.3: stopped early
    assert type(search.estimator) is type(estimator)
    assert search.scorer_ is not None and not isinstance(search.scorer_, dict)


def test_the_refit_trains_without_early_stopping():
    X, y = _data()
    search = BayesSearchCV(_xgb(), RATES, cv=3, early_stopping=STOP,
                           random_state=0).fit(X, y)
    best = search.best_estimator_
    assert best.get_params()["early_stopping_rounds"] is None
    assert best.get_booster().num_boosted_rounds() == search.best_rounds_


SEEN = []


class IdsSeen(TransformerMixin, BaseEstimator):
    """Passes X through; records the row ids (column 0) it is fitted on."""

    def fit(self, X, y=None):
        SEEN.append(("transformer", np.asarray(X)[:, 0].astype(int)))
        return self

    def transform(self, X):
        return X


class RecordingLGBM(lgb.LGBMClassifier):
    """Records the row ids (column 0) and weights reaching fit and eval_set."""

    def fit(self, X, y, sample_weight=None, eval_sample_weight=None, **kwargs):
        eval_X = kwargs.get("eval_X")
        if eval_X is None and kwargs.get("eval_set"):
            eval_X = [kwargs["eval_set"][0][0]]
        if eval_X is not None:
            SEEN.append(("booster", np.asarray(X)[:, 0].astype(int),
                         np.asarray(eval_X[0])[:, 0].astype(int),
                         sample_weight, eval_sample_weight))
        return super().fit(X, y, sample_weight=sample_weight,
                           eval_sample_weight=eval_sample_weight, **kwargs)


def _with_ids(X):
    return np.column_stack([np.arange(len(X)), X])


def _fold_of(folds, ids):
    """The (train, test) fold whose training part is exactly ``ids``."""
    matches = [(tr, te) for tr, te in folds if set(tr) == set(ids)]
    assert len(matches) == 1
    return matches[0]


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_early_stopping_never_sees_the_test_fold(in_pipeline):
    X, y = _data()
    X = _with_ids(X)
    cv = KFold(3, shuffle=True, random_state=0)
    folds = list(cv.split(X, y))
    booster = _lgbm(RecordingLGBM)
    estimator = make_pipeline(IdsSeen(), booster) if in_pipeline else booster
    space = {f"{'recordinglgbm__' if in_pipeline else ''}learning_rate": [0.3]}
    SEEN.clear()
    BayesSearchCV(estimator, space, cv=cv, early_stopping=STOP,
                  refit=False, random_state=0).fit(X, y)
    fits = [entry for entry in SEEN if entry[0] == "booster"]
    assert len(fits) == 3
    for _, fit_ids, val_ids, _, _ in fits:
        train, test = _fold_of(folds, np.concatenate([fit_ids, val_ids]))
        assert not set(val_ids) & set(test)  # the test fold never reaches it
        assert not set(val_ids) & set(fit_ids)
        assert len(val_ids) == pytest.approx(0.1 * len(train), abs=1)
    if in_pipeline:
        fitted = [entry[1] for entry in SEEN if entry[0] == "transformer"]
        # the earlier steps are fitted on the part the booster trains on
        assert [set(ids) for ids in fitted] == [set(f[1]) for f in fits]


@pytest.mark.parametrize("routing", [False, True])
def test_validation_part_is_taken_by_group(routing):
    X, y = _data()
    X = _with_ids(X)
    groups = np.arange(len(X)) // 10
    SEEN.clear()
    with sklearn.config_context(enable_metadata_routing=routing):
        BayesSearchCV(make_pipeline(IdsSeen(), _lgbm(RecordingLGBM)),
                      {"recordinglgbm__learning_rate": [0.3]}, cv=GroupKFold(3),
                      early_stopping=STOP, refit=False).fit(X, y, groups=groups)
    fits = [entry for entry in SEEN if entry[0] == "booster"]
    assert len(fits) == 3
    for _, fit_ids, val_ids, _, _ in fits:
        assert not set(groups[fit_ids]) & set(groups[val_ids])


def test_validation_part_is_stratified():
    X, y = make_classification(400, weights=[0.8, 0.2], random_state=0)
    X = _with_ids(X)
    SEEN.clear()
    BayesSearchCV(_lgbm(RecordingLGBM), {"learning_rate": [0.3]}, cv=3,
                  early_stopping=EarlyStopping(validation_fraction=0.25, patience=3),
                  refit=False).fit(X, y)
    for _, fit_ids, val_ids, _, _ in (e for e in SEEN if e[0] == "booster"):
        assert y[val_ids].mean() == pytest.approx(y[fit_ids].mean(), abs=0.03)


@pytest.mark.parametrize("routing", [False, True])
def test_sample_weight_reaches_the_booster_and_its_validation_part(routing):
    X, y = _data()
    X = _with_ids(X)
    weight = 1.0 + np.arange(len(X))  # each row's weight tells its id
    booster = _lgbm(RecordingLGBM)
    SEEN.clear()
    with sklearn.config_context(enable_metadata_routing=routing):
        if routing:
            booster.set_fit_request(sample_weight=True)
        estimator = make_pipeline(IdsSeen(), booster)
        name = "sample_weight" if routing else "recordinglgbm__sample_weight"
        scoring = get_scorer("accuracy")
        if routing:
            scoring = scoring.set_score_request(sample_weight=True)
        BayesSearchCV(estimator, {"recordinglgbm__learning_rate": [0.3]}, cv=3,
                      scoring=scoring, early_stopping=STOP,
                      refit=False).fit(X, y, **{name: weight})
    fits = [entry for entry in SEEN if entry[0] == "booster"]
    assert len(fits) == 3
    for _, fit_ids, val_ids, fit_weight, val_weight in fits:
        np.testing.assert_array_equal(fit_weight, 1.0 + fit_ids)
        np.testing.assert_array_equal(val_weight[0], 1.0 + val_ids)


def test_multimetric_scoring_and_refit_metric_unchanged():
    X, y = _data()
    search = BayesSearchCV(_xgb(), RATES, cv=3, early_stopping=True,
                           scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss",
                           return_train_score=True, random_state=0).fit(X, y)
    results = search.cv_results_
    assert search.multimetric_
    assert set(search.scorer_) == {"accuracy", "neg_log_loss"}
    assert "mean_test_accuracy" in results and "mean_train_neg_log_loss" in results
    assert not any(key.startswith("mean_test_skhyper") for key in results)
    assert search.best_index_ == int(np.argmax(results["mean_test_neg_log_loss"]))
    assert search.best_estimator_.n_estimators == search.best_rounds_


def test_failed_fit_gets_error_score_and_no_rounds():
    X, y = _data()
    search = BayesSearchCV(_xgb(), {"max_depth": [3, -5]}, cv=3, early_stopping=STOP,
                           random_state=0, error_score=np.nan)
    with pytest.warns(Warning):
        search.fit(X, y)
    results = search.cv_results_
    bad = next(i for i, p in enumerate(results["params"]) if p["max_depth"] == -5)
    assert np.isnan(results["split0_best_rounds"][bad])
    assert np.isnan(results["refit_rounds"][bad])
    assert search.best_params_ == {"max_depth": 3}


def test_failed_fit_with_several_metrics():
    X, y = _data()
    search = BayesSearchCV(_xgb(), {"max_depth": [3, -5]}, cv=3, early_stopping=STOP,
                           scoring=["accuracy", "roc_auc"], refit="roc_auc",
                           random_state=0)
    with pytest.warns(Warning):
        search.fit(X, y)
    assert search.multimetric_ and search.best_params_ == {"max_depth": 3}
    assert np.isnan(search.cv_results_["mean_test_accuracy"]).sum() == 1


def test_a_resumed_search_keeps_the_rounds(tmp_path):
    X, y = _data()
    path = tmp_path / "search.json"
    first = BayesSearchCV(_xgb(), RATES, cv=3, early_stopping=STOP, random_state=0,
                          checkpoint=path).fit(X, y)
    again = BayesSearchCV(_xgb(), RATES, cv=3, early_stopping=STOP, random_state=0,
                          checkpoint=path).fit(X, y)
    np.testing.assert_array_equal(first.cv_results_["refit_rounds"],
                                  again.cv_results_["refit_rounds"])
    assert again.best_rounds_ == first.best_rounds_
    assert again.best_estimator_.n_estimators == first.best_rounds_


@pytest.mark.parametrize("second", [None, EarlyStopping(patience=5),
                                    EarlyStopping(patience=3, monitor="score")])
def test_checkpoint_of_another_early_stopping_is_refused(tmp_path, second):
    # Its rows hold rounds chosen by the first setting: replaying them under
    # another would mix two searches.
    X, y = _data()
    path = tmp_path / "search.json"
    BayesSearchCV(_xgb(), RATES, n_iter=2, cv=3, early_stopping=STOP, random_state=0,
                  checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        BayesSearchCV(_xgb(), RATES, n_iter=2, cv=3, early_stopping=second,
                      random_state=0, checkpoint=path).fit(X, y)


@pytest.mark.parametrize("earlier, named", [
    ({"scale_rounds": False}, r"early_stopping\.scale_rounds: stored False"),
    ({"refit_rounds": "median"}, r"early_stopping\.refit_rounds: stored 'median'"),
])
def test_a_checkpoint_of_an_earlier_default_is_refused_naming_it(tmp_path, earlier, named):
    # scale_rounds became True, then refit_rounds "auto", by default: a
    # checkpoint written under an earlier default resumes only when the
    # search asks for it again.
    X, y = _data()
    path = tmp_path / "search.pkl"

    def search(stop):
        return BayesSearchCV(_xgb(), RATES, n_iter=2, cv=3, early_stopping=stop,
                             random_state=0, checkpoint=path)

    first = search(EarlyStopping(patience=3, **earlier)).fit(X, y)
    with pytest.raises(ValueError, match=named):
        search(EarlyStopping(patience=3)).fit(X, y)
    again = search(EarlyStopping(patience=3, **earlier)).fit(X, y)
    assert again.best_rounds_ == first.best_rounds_


def test_refit_rules():
    X, y = _data(600, classification=False)
    stop = EarlyStopping(patience=3, refit_rounds="mean", scale_rounds=True)
    search = BayesSearchCV(_lgbm(lgb.LGBMRegressor), {"learning_rate": [0.3]}, cv=3,
                           early_stopping=stop).fit(X, y)
    results = search.cv_results_
    folds = np.array([results[f"split{k}_best_rounds"][0] for k in range(3)])
    n_fit = 400 - 40  # 2/3 of the data, less the validation tenth
    assert results["refit_rounds"][0] == round(np.mean(folds * 600 / n_fit))


def test_refit_at_the_cap_trains_the_rounds_parameter_without_early_stopping():
    # HistGradientBoosting's early_stopping="auto" would stop a refit on more
    # than 10,000 samples by itself: the cap's refit switches it off.
    X, y = make_classification(12000, n_features=8, n_informative=5, random_state=0)
    pipe = make_pipeline(StandardScaler(), HistGradientBoostingClassifier(max_iter=40))
    stop = EarlyStopping(patience=2, refit_rounds="cap")
    search = BayesSearchCV(pipe, {"histgradientboostingclassifier__learning_rate": [0.5],
                                  "histgradientboostingclassifier__max_iter": [25, 40]},
                           n_iter=2, cv=3, early_stopping=stop, random_state=0).fit(X, y)
    results = search.cv_results_
    caps = [p["histgradientboostingclassifier__max_iter"] for p in results["params"]]
    np.testing.assert_array_equal(results["refit_rounds"], caps)
    folds = np.array([results[f"split{k}_best_rounds"] for k in range(3)])
    assert np.all(folds < np.array(caps))  # the folds did stop early
    final = search.best_estimator_[-1]
    assert final.n_iter_ == final.max_iter == search.best_rounds_ == caps[search.best_index_]


def test_refit_at_the_cap_in_a_halving_search():
    X, y = _data(600)
    search = SuccessiveHalvingSearchCV(
        _xgb(), {"max_depth": [2, 3, 4, 5]}, cv=3, random_state=0,
        early_stopping=EarlyStopping(patience=3, refit_rounds="cap")).fit(X, y)
    assert search.best_estimator_.n_estimators == search.best_rounds_ == 60
    assert search.best_estimator_.get_booster().num_boosted_rounds() == 60


def _f1_macro(estimator, X, y):
    return get_scorer("f1_macro")(estimator, X, y)


@pytest.mark.parametrize("estimator, scoring, refit, stop, rule", [
    # a classifier selected by a metric of labels or ranks: refit at the cap
    (_xgb(), None, True, EarlyStopping(refit_rounds="auto"), "cap"),
    (_lgbm(), "roc_auc", True, EarlyStopping(refit_rounds="auto"), "cap"),
    (make_pipeline(StandardScaler(), HistGradientBoostingClassifier()), "balanced_accuracy",
     True, EarlyStopping(refit_rounds="auto"), "cap"),
    (_catboost(), {"auc": "roc_auc", "ll": "neg_log_loss"}, "auc",
     EarlyStopping(refit_rounds="auto"), "cap"),
    # the scorer judges probabilities as the loss does
    (_xgb(), "neg_log_loss", True, EarlyStopping(refit_rounds="auto"), "median"),
    (_catboost(), {"auc": "roc_auc", "ll": "neg_log_loss"}, "ll",
     EarlyStopping(refit_rounds="auto"), "median"),
    (_lgbm(), "neg_brier_score", True, EarlyStopping(refit_rounds="auto"), "median"),
    (_lgbm(), "d2_log_loss_score", True, EarlyStopping(refit_rounds="auto"), "median"),
    # whatever the folds stop on: the scorer itself, or a metric the user set
    (_xgb(), "accuracy", True, EarlyStopping(refit_rounds="auto", monitor="score"), "cap"),
    (_xgb(eval_metric="auc"), "roc_auc", True, EarlyStopping(refit_rounds="auto"), "cap"),
    (HistGradientBoostingClassifier(scoring="accuracy"), "accuracy", True,
     EarlyStopping(refit_rounds="auto"), "cap"),
    (_lgbm(), "neg_log_loss", True, EarlyStopping(refit_rounds="auto", monitor="score"),
     "median"),
    # unknown metrics, and regressors (their loss is what R2 and errors measure)
    (_xgb(), _f1_macro, True, EarlyStopping(refit_rounds="auto"), "median"),
    (_xgb(), ["accuracy", "roc_auc"], lambda results: 0, EarlyStopping(refit_rounds="auto"),
     "median"),
    (_lgbm(lgb.LGBMRegressor), "r2", True, EarlyStopping(refit_rounds="auto"), "median"),
    # the rules the user names are kept
    (_xgb(), "accuracy", True, EarlyStopping(refit_rounds="mean"), "mean"),
    (_lgbm(lgb.LGBMRegressor), "r2", True, EarlyStopping(refit_rounds="cap"), "cap"),
])
def test_auto_refit_rule(estimator, scoring, refit, stop, rule):
    assert _monitor.refit_rule(stop, estimator, scoring, refit) == rule


@pytest.mark.parametrize("classification", [True, False])
def test_auto_refit_rounds_in_a_search(classification):
    X, y = _data(600, classification)
    estimator = _xgb() if classification else xgb.XGBRegressor(
        n_estimators=60, nthread=1, learning_rate=0.3)
    # the default, refit_rounds="auto"
    search = BayesSearchCV(estimator, RATES, cv=3, random_state=0,
                           early_stopping=EarlyStopping(patience=3))
    search.fit(X, y)
    results = search.cv_results_
    folds = np.column_stack([results[f"split{k}_best_rounds"] for k in range(3)])
    assert np.all(folds[results["params"].index({"learning_rate": 0.3})] < 60)
    if classification:  # accuracy, which the log-loss misleads: the cap
        assert np.all(results["refit_rounds"] == 60)
    else:  # R2: the folds' median, scaled to all 600 samples from 360
        assert np.all(results["refit_rounds"] == np.median(folds * 600 / 360, axis=1).round())
    assert search.best_estimator_.n_estimators == search.best_rounds_


def test_halving_and_hyperband_stop_early_on_subsamples():
    X, y = _data(600)
    for search in (
        SuccessiveHalvingSearchCV(_xgb(), {"max_depth": [2, 3, 4, 5]}, cv=3,
                                  early_stopping=STOP, random_state=0),
        HyperbandSearchCV(_xgb(), {"max_depth": [2, 3, 4, 5]}, cv=3,
                          early_stopping=STOP, random_state=0),
    ):
        search.fit(X, y)
        assert np.all(np.isfinite(search.cv_results_["split0_best_rounds"]))
        assert search.best_estimator_.n_estimators == search.best_rounds_


@pytest.mark.parametrize("asynchronous", [True, "asha"])
# scikit-learn 1.4 lacks the fold-fit internals: the searches run batches.
@pytest.mark.filterwarnings("ignore:asynchronous=.*needs scikit-learn internals")
def test_asynchronous_searches_keep_the_rounds(asynchronous):
    X, y = _data(600)
    if asynchronous is True:
        search = BayesSearchCV(_xgb(), {"max_depth": (2, 6)}, n_iter=4, cv=3,
                               early_stopping=STOP, asynchronous=True, n_jobs=2,
                               random_state=0)
    else:
        search = SuccessiveHalvingSearchCV(_xgb(), {"max_depth": [2, 3, 4, 5]}, cv=3,
                                           early_stopping=STOP, asynchronous="asha",
                                           n_jobs=2, random_state=0)
    search.fit(X, y)
    rounds = search.cv_results_["split1_best_rounds"]
    assert len(rounds) == len(search.cv_results_["params"])
    assert np.all(np.isfinite(rounds))
    assert search.best_estimator_.n_estimators == search.best_rounds_


@pytest.mark.parametrize("asynchronous", [False, True])
@pytest.mark.filterwarnings("ignore:asynchronous=.*needs scikit-learn internals")
def test_stopped_folds_have_no_rounds_and_the_refit_reads_the_folds_run(asynchronous):
    # fold_stopping skips the folds of hopeless candidates: their rounds are
    # nan, the others' are the folds' best, and the refit rule reads those.
    X, y = _data(600)
    space = {"learning_rate": [0.001, 0.003, 0.3], "max_depth": [1, 2, 4]}
    stopping = EarlyStopping(patience=3, refit_rounds="median", scale_rounds=False)
    search = BayesSearchCV(_xgb(), space, n_iter=9, cv=3, early_stopping=stopping,
                           fold_stopping="predictive", asynchronous=asynchronous,
                           n_jobs=2 if asynchronous else 1, random_state=0).fit(X, y)
    results = search.cv_results_
    rounds = np.column_stack([results[f"split{k}_best_rounds"] for k in range(3)])
    run = np.isfinite(rounds).sum(axis=1)
    np.testing.assert_array_equal(run, results["n_folds_run"])
    assert run.min() < 3, "nothing was stopped: the test would not test it"
    for row, folds in zip(rounds, run):
        assert np.all(np.isfinite(row[:folds])) and np.all(np.isnan(row[folds:]))
    best = search.best_index_
    assert run[best] == 3
    assert search.best_rounds_ == results["refit_rounds"][best] == max(
        1, round(np.median(rounds[best])))
    assert search.best_estimator_.n_estimators == search.best_rounds_


def test_joblib_processes_carry_the_rounds_back():
    X, y = _data()
    search = BayesSearchCV(_lgbm(), RATES, cv=3, early_stopping=STOP, n_jobs=2,
                           random_state=0).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["split2_best_rounds"]))
    assert type(search.best_estimator_) is lgb.LGBMClassifier


# -- monitor="score": the search's scorer ------------------------------------------


def _xgb_reg(**kw):
    return xgb.XGBRegressor(n_estimators=60, nthread=1, learning_rate=0.3, **kw)


def _catboost_reg(**kw):
    return cb.CatBoostRegressor(iterations=60, thread_count=1, verbose=False,
                                allow_writing_files=False, depth=3, **kw)


MONITORED = [
    (_xgb, _xgb_reg),
    (_lgbm, lambda: _lgbm(lgb.LGBMRegressor)),
    (_catboost, _catboost_reg),
    (lambda: HistGradientBoostingClassifier(max_iter=60, random_state=0),
     lambda: HistGradientBoostingRegressor(max_iter=60, random_state=0)),
]
MONITORED_IDS = ["xgboost", "lightgbm", "catboost", "hist"]


def _fold_rounds(estimator, X, y, scoring, monitor, **search_kw):
    search = BayesSearchCV(estimator, {"learning_rate": [0.3]}, cv=3, scoring=scoring,
                           early_stopping=EarlyStopping(patience=3, monitor=monitor,
                                                        refit_rounds="median",
                                                        scale_rounds=False),
                           random_state=0, **search_kw).fit(X, y)
    return [search.cv_results_[f"split{k}_best_rounds"][0] for k in range(3)], search


@pytest.mark.parametrize("make, make_reg", MONITORED, ids=MONITORED_IDS)
def test_monitor_score_stops_on_the_scorer(make, make_reg):
    # Three classes, patience 3: accuracy on 20 validation samples plateaus
    # rounds before the log-loss stops improving.
    X, y = make_classification(300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    loss, _ = _fold_rounds(make(), X, y, "accuracy", "loss")
    score, search = _fold_rounds(make(), X, y, "accuracy", "score")
    assert loss != score
    assert all(1 <= r <= 60 for r in score)
    assert search.best_rounds_ == np.median(score)
    assert search.best_estimator_.get_params()[
        _libraries.rounds_param(search.best_estimator_)] == search.best_rounds_
    # R2 falls as the squared error grows: the same rounds as the L2 loss.
    X, y = _data(classification=False)
    loss, _ = _fold_rounds(make_reg(), X, y, "r2", "loss")
    score, _ = _fold_rounds(make_reg(), X, y, "r2", "score")
    assert loss == score


CALLS = []


def _recording_accuracy(estimator, X, y, sample_weight=None):
    CALLS.append((len(y), sample_weight))
    return get_scorer("accuracy")(estimator, X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("make", [_xgb, _lgbm, lambda: HistGradientBoostingClassifier(
    max_iter=60, random_state=0)], ids=["xgboost", "lightgbm", "hist"])
def test_monitor_score_calls_the_scorer_on_the_validation_part_only(make):
    X, y = _data()  # folds of 200 + 100 samples; validation parts of 20
    weight = 1.0 + np.arange(len(X))
    CALLS.clear()
    rounds, _ = _fold_rounds(make(), X, y, _recording_accuracy, "score",
                             refit=False)
    sizes = [size for size, _ in CALLS]
    # the search scores each test fold once; early stopping only ever sees
    # the validation parts (histogram boosting also scores its training part)
    assert sizes.count(100) == 3
    assert sizes.count(20) >= sum(rounds)
    assert set(sizes) <= {20, 100, 180}
    CALLS.clear()
    BayesSearchCV(make(), {"learning_rate": [0.3]}, cv=3, scoring=_recording_accuracy,
                  early_stopping=EarlyStopping(patience=3, monitor="score"),
                  refit=False, random_state=0).fit(X, y, sample_weight=weight)
    validation = [w for size, w in CALLS if size == 20]
    assert validation and all(w is not None and len(w) == 20 for w in validation)
    assert all(set(w) <= set(weight) for w in validation)


class _RecordingHist(HistGradientBoostingClassifier):
    seen: ClassVar[list] = []

    def fit(self, X, y, **kwargs):
        type(self).seen.append(self.scoring)
        return super().fit(X, y, **kwargs)


def test_hist_watches_a_named_scorer_by_its_name():
    # By name, histogram gradient boosting scores from the raw predictions it
    # updates round by round; handed the scorer object it predicts from every
    # tree at every round. Both stop at the same rounds.
    X, y = make_classification(300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    _RecordingHist.seen.clear()
    named, _ = _fold_rounds(_RecordingHist(max_iter=60, random_state=0), X, y,
                            "accuracy", "score", refit=False)
    assert _RecordingHist.seen == ["accuracy"] * 3
    _RecordingHist.seen.clear()
    as_object, _ = _fold_rounds(_RecordingHist(max_iter=60, random_state=0), X, y,
                                get_scorer("accuracy"), "score", refit=False)
    assert [type(s).__name__ for s in _RecordingHist.seen] == ["_Scorer"] * 3
    assert named == as_object


def test_monitor_score_watches_the_refit_metric():
    X, y = make_classification(300, n_features=8, n_informative=5, n_classes=3,
                               random_state=0)
    single, _ = _fold_rounds(_xgb(), X, y, "accuracy", "score")
    several, search = _fold_rounds(_xgb(), X, y, ["neg_log_loss", "accuracy"], "score",
                                   refit="accuracy")
    assert several == single and search.multimetric_
    default, _ = _fold_rounds(_xgb(), X, y, None, "score")  # score(): accuracy
    assert default == single


def test_catboost_metric_of_the_scorer():
    Monitor = _monitor.Monitor
    assert Monitor(get_scorer("neg_log_loss"), "neg_log_loss").catboost_metric(
        [0, 1, 1]) == "Logloss"
    assert Monitor(get_scorer("neg_log_loss"), "neg_log_loss").catboost_metric(
        [0, 1, 2]) == "MultiClass"
    assert Monitor(get_scorer("roc_auc"), "roc_auc").catboost_metric([0, 1]) == "AUC"


def test_stand_in_predictions_score_like_the_model():
    predicted = _monitor.predicted
    X, y = _data()
    model = LogisticRegression().fit(X, y)
    stand_in = predicted(model.predict_proba(X), model.classes_)
    for name in ("accuracy", "roc_auc", "neg_log_loss", "f1"):
        assert get_scorer(name)(stand_in, X, y) == pytest.approx(
            get_scorer(name)(model, X, y))
    assert get_scorer("roc_auc")(predicted(model.predict_proba(X)[:, 1],
                                           model.classes_), X, y) == pytest.approx(
        get_scorer("roc_auc")(model, X, y))
    assert get_scorer("r2")(predicted(y + 0.1, None), X, y) == pytest.approx(
        1 - 0.01 * len(y) / np.sum((y - y.mean()) ** 2))


def _unweighted_accuracy(estimator, X, y):
    return get_scorer("accuracy")(estimator, X, y)


def test_the_scorer_signature_is_read_once_per_fit(monkeypatch):
    reads = []
    takes = _monitor._takes_sample_weight
    monkeypatch.setattr(_monitor, "_takes_sample_weight",
                        lambda scorer: reads.append(scorer) or takes(scorer))
    X, y = _data()
    CALLS.clear()
    BayesSearchCV(_xgb(), {"learning_rate": [0.3]}, cv=3, scoring=_recording_accuracy,
                  early_stopping=EarlyStopping(patience=3, monitor="score"),
                  refit=False, random_state=0).fit(X, y, sample_weight=1.0 + np.arange(300))
    validation = [w for size, w in CALLS if size == 20]
    assert len(validation) >= 3 * 4  # every round of every fold
    assert all(w is not None for w in validation)
    assert reads == [_recording_accuracy]


def test_a_monitor_pickles_with_its_scorer_signature():
    import pickle

    rng = np.random.default_rng(0)
    proba, y_val, w_val = rng.random(20), rng.integers(0, 2, 20), rng.random(20) * 5
    for scorer, weighted in ((_recording_accuracy, True), (_unweighted_accuracy, False)):
        monitor = _monitor.Monitor(scorer, None)
        plan = _early_stopping.StoppingPlan(STOP, _xgb(), 300, None, 0, monitor)
        restored = pickle.loads(pickle.dumps(plan)).monitor
        assert restored.takes_sample_weight is monitor.takes_sample_weight is weighted
        assert restored.score(proba, y_val, w_val, [0, 1]) == monitor.score(
            proba, y_val, w_val, [0, 1])
    unweighted = _monitor.Monitor(_unweighted_accuracy, None)
    assert unweighted.score(proba, y_val, w_val, [0, 1]) == unweighted.score(
        proba, y_val, None, [0, 1])


def test_default_monitor_fingerprints_as_before():
    from skhyper.resume._fingerprint import _later_options

    class Search:
        fold_stopping = None

    search = Search()
    search.early_stopping = EarlyStopping(patience=3)
    params = _later_options(search)["early_stopping"]["params"]
    assert set(params) == {"validation_fraction", "patience", "refit_rounds",
                           "scale_rounds"}
    search.early_stopping = EarlyStopping(patience=3, monitor="score")
    assert _later_options(search)["early_stopping"]["params"]["monitor"] == "score"


class CountingGB(GradientBoostingClassifier):
    fits = 0

    def fit(self, X, y, **kwargs):
        type(self).fits += 1
        return super().fit(X, y, **kwargs)


@pytest.mark.parametrize("estimator, scoring, refit, error, match", [
    (_xgb(), "accuracy", True, ValueError, "monitor must be 'loss' or 'score'"),
    (CountingGB(n_estimators=10), "accuracy", True, ValueError,
     "monitor='score'.*CountingGB stops on its loss only"),
    (_catboost(), "neg_brier_score", True, ValueError,
     r"CatBoost.*scoring.*one of \[.*'accuracy'.*got 'neg_brier_score'"),
    (_catboost(), _recording_accuracy, True, ValueError, "got a callable"),
    (_xgb(), ["accuracy", "roc_auc"], lambda results: 0, ValueError,
     "refit must name one of"),
    (_xgb(), 3, True, TypeError, "scoring"),
], ids=["monitor", "gb", "catboost-name", "catboost-callable", "refit", "scoring"])
def test_monitor_score_refusals_come_before_any_fit(estimator, scoring, refit, error,
                                                    match):
    X, y = _data()
    monitor = "x" if match.startswith("monitor must") else "score"
    CALLS.clear()
    search = BayesSearchCV(estimator, RATES, cv=3, scoring=scoring, refit=refit,
                           early_stopping=EarlyStopping(monitor=monitor))
    with pytest.raises(error, match=match):
        search.fit(X, y)
    assert CountingGB.fits == 0 and not CALLS
    assert not hasattr(search, "cv_results_")


# -- monitor="score" and a custom objective ------------------------------------------


OBJECTIVE_CALLS = []


def _logistic_objective(y_true, margin):
    # The libraries train a callable objective on raw margins.
    OBJECTIVE_CALLS.append(len(y_true))
    proba = 1 / (1 + np.exp(-margin))
    return proba - y_true, proba * (1 - proba)


def _squared_error(y_true, prediction):
    OBJECTIVE_CALLS.append(len(y_true))
    return prediction - y_true, np.ones_like(prediction)


def _margin_log_loss(y_true, margin, sample_weight=None):
    proba = np.clip(1 / (1 + np.exp(-margin)), 1e-15, 1 - 1e-15)
    return -np.mean(y_true * np.log(proba) + (1 - y_true) * np.log(1 - proba))


@pytest.mark.parametrize("estimator, shown", [
    (_xgb(objective=_logistic_objective),
     "a callable objective (objective=_logistic_objective)"),
    (_lgbm(objective=_logistic_objective),
     "a callable objective (objective=_logistic_objective)"),
    (make_pipeline(StandardScaler(), _xgb(objective=_logistic_objective)),
     "a callable objective (xgbclassifier__objective=_logistic_objective)"),
    (_xgb(objective="binary:logitraw"), "objective='binary:logitraw'"),
], ids=["xgboost", "lightgbm", "pipeline", "logitraw"])
def test_monitor_score_refuses_a_classifier_given_margins_before_any_fit(
        estimator, shown, monkeypatch):
    # Its library hands a callable eval metric margins, not probabilities.
    fits = []
    booster_class = type(_libraries.final_booster(estimator)[1])
    monkeypatch.setattr(booster_class, "fit", lambda self, *a, **kw: fits.append(self))
    X, y = _data()
    OBJECTIVE_CALLS.clear()
    search = BayesSearchCV(estimator, RATES, cv=3,
                           early_stopping=EarlyStopping(monitor="score"))
    match = (rf"monitor='score'.*{booster_class.__name__} with {re.escape(shown)}: "
             rf"its library hands the eval metric raw margins.*monitor='loss'.*built-in "
             rf"objective of probabilities")
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert not fits and not OBJECTIVE_CALLS
    assert not hasattr(search, "cv_results_")


def test_a_searched_custom_objective_fails_before_its_fits():
    X, y = _data()
    space = {"objective": ["binary:logistic", _logistic_objective]}
    OBJECTIVE_CALLS.clear()
    search = BayesSearchCV(_xgb(), space, n_iter=2, cv=3, random_state=0,
                           early_stopping=EarlyStopping(patience=3, monitor="score"))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")  # FitFailedWarning, non-finite scores
        search.fit(X, y)
    assert any(isinstance(w.message, FitFailedWarning) and
               "callable objective (objective=_logistic_objective)" in str(w.message)
               for w in record)
    results = search.cv_results_
    custom = [p["objective"] is _logistic_objective for p in results["params"]]
    assert sorted(custom) == [False, True] and not OBJECTIVE_CALLS
    assert np.isnan(results["mean_test_score"][custom.index(True)])
    assert np.isnan(results["split0_best_rounds"][custom.index(True)])
    assert np.isfinite(results["mean_test_score"][custom.index(False)])
    search.set_params(error_score="raise")
    with pytest.raises(ValueError, match="callable objective"):
        search.fit(X, y)
    assert not OBJECTIVE_CALLS


@pytest.mark.parametrize("make", [_xgb_reg, lambda **kw: _lgbm(lgb.LGBMRegressor, **kw)],
                         ids=["xgboost", "lightgbm"])
def test_monitor_score_of_a_custom_objective_regressor_sees_its_predictions(make):
    # A regressor's margin is its prediction, custom objective or not.
    X, y = _data(classification=False)
    X_val, y_val = X[:40], y[:40]
    seen = []

    def r2(estimator, X, y, sample_weight=None):
        seen.append(np.array(estimator.predict(X)))  # LightGBM reuses its buffer
        return get_scorer("r2")(estimator, X, y)

    booster = make(objective=_squared_error)
    OBJECTIVE_CALLS.clear()
    _libraries.fit_with_validation(booster, X[40:], y[40:], {}, X_val, y_val, None,
                                   3, _monitor.Monitor(r2, None))
    assert OBJECTIVE_CALLS and len(seen) == len(OBJECTIVE_CALLS)  # once a round
    # LightGBM keeps the best rounds only: the same model trained on, unstopped
    full = make(objective=_squared_error).set_params(n_estimators=len(seen))
    full.fit(X[40:], y[40:])
    for k, values in enumerate(seen, start=1):
        if isinstance(full, xgb.XGBModel):
            expected = full.predict(X_val, iteration_range=(0, k))
        else:
            expected = full.predict(X_val, num_iteration=k)
        np.testing.assert_allclose(values, expected, rtol=1e-5, atol=1e-4)
    rounds, search = _fold_rounds(make(objective=_squared_error), X, y, "r2", "score")
    assert all(1 <= r <= 60 for r in rounds) and search.best_rounds_ == np.median(rounds)


def test_a_custom_objective_classifier_stops_on_its_own_metric_with_monitor_loss():
    X, y = _data()
    rounds, search = _fold_rounds(
        _xgb(objective=_logistic_objective, eval_metric=_margin_log_loss), X, y,
        "accuracy", "loss")
    assert all(1 <= r <= 60 for r in rounds) and search.best_rounds_ == np.median(rounds)


# -- bad input ------------------------------------------------------------------------


class FitCounter(LogisticRegression):
    fits = 0

    def fit(self, X, y, **kwargs):
        type(self).fits += 1
        return super().fit(X, y, **kwargs)


def test_early_stopping_of_an_estimator_without_it_fails_before_any_fit():
    X, y = _data()
    search = BayesSearchCV(FitCounter(), {"C": [0.1, 1.0]}, early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping.*FitCounter has no early"):
        search.fit(X, y)
    assert FitCounter.fits == 0


@pytest.mark.parametrize("option, error, match", [
    ("yes", TypeError, "early_stopping"),
    (EarlyStopping(validation_fraction=1.5), ValueError, "validation_fraction"),
    (EarlyStopping(patience=0), ValueError, "patience"),
    (EarlyStopping(refit_rounds="max"), ValueError, "'auto', 'median', 'mean' or 'cap'"),
])
def test_bad_early_stopping_options(option, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        BayesSearchCV(_xgb(), RATES, early_stopping=option).fit(X, y)


def test_rounds_cannot_be_both_resource_and_stopped_early():
    X, y = _data()
    search = SuccessiveHalvingSearchCV(_xgb(), RATES, resource="n_estimators",
                                       max_resources=60, early_stopping=True)
    with pytest.raises(ValueError, match="resource='n_estimators'.*n_samples"):
        search.fit(X, y)


def test_a_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "lightgbm", None)
    with pytest.raises(ImportError, match=r'pip install "skhyper\[boost\]"'):
        _libraries.require("lightgbm")


# -- rounds as the resource, continued ---------------------------------------------


class _CountsRounds:
    """Counts the rounds each fit trains (its rounds parameter: a continued
    fit trains that many more)."""

    trained: ClassVar[list] = []

    def fit(self, X, y, **kwargs):
        type(self).trained.append(self.get_params()[_libraries.rounds_param(self)])
        return super().fit(X, y, **kwargs)


class CountingXGB(_CountsRounds, xgb.XGBClassifier):
    trained: ClassVar[list] = []


class CountingLGBM(_CountsRounds, lgb.LGBMClassifier):
    trained: ClassVar[list] = []


class CountingCatBoost(_CountsRounds, cb.CatBoostClassifier):
    trained: ClassVar[list] = []


class _CountsAddedRounds:
    """Counts the rounds each fit adds: ``fitted`` names the fitted count,
    which warm_start keeps from the earlier fit."""

    trained: ClassVar[list] = []
    fitted: ClassVar[str]

    def fit(self, X, y, **kwargs):
        before = getattr(self, self.fitted, 0) if self.warm_start else 0
        super().fit(X, y, **kwargs)
        type(self).trained.append(getattr(self, self.fitted) - before)
        return self


class CountingHistRounds(_CountsAddedRounds, HistGradientBoostingClassifier):
    trained: ClassVar[list] = []
    fitted = "n_iter_"


class CountingGBRounds(_CountsAddedRounds, GradientBoostingClassifier):
    trained: ClassVar[list] = []
    fitted = "n_estimators_"


NINE_RATES = [0.04 * i for i in range(1, 10)]


@pytest.mark.parametrize("make, prefix", [
    (_xgb, ""),
    (_lgbm, ""),
    # CatBoost continues exactly without its random score perturbation and
    # bootstrap (which draw differently for a continued model).
    (lambda: _catboost(random_seed=0, random_strength=0, bootstrap_type="No"), ""),
    (lambda: make_pipeline(StandardScaler(), _xgb()), "xgbclassifier__"),
    (lambda: HistGradientBoostingRegressor(max_iter=60), ""),
], ids=["xgboost", "lightgbm", "catboost", "pipeline", "hist"])
def test_rounds_resource_continues_and_equals_training_from_scratch(make, prefix):
    regression = isinstance(make(), HistGradientBoostingRegressor)
    X, y = _data(300, classification=not regression)
    space = {f"{prefix}learning_rate": NINE_RATES}
    kwargs = {"resource": "n_estimators", "factor": 3, "cv": 3, "min_resources": 6,
              "max_resources": 54, "n_candidates": 9, "random_state": 0}
    warm = SuccessiveHalvingSearchCV(make(), space, **kwargs).fit(X, y)
    cold = SuccessiveHalvingSearchCV(make(), space, warm_start=False, **kwargs).fit(X, y)
    assert warm.warm_start_ and not cold.warm_start_
    assert warm.n_resources_ == [6, 18, 54]
    np.testing.assert_allclose(warm.cv_results_["mean_test_score"],
                               cold.cv_results_["mean_test_score"], rtol=1e-6)
    name = next(k for k in warm.best_params_ if k != f"{prefix}learning_rate")
    assert warm.best_params_[name] == 54


@pytest.mark.parametrize("make", [
    lambda: CountingXGB(nthread=1, n_estimators=54),
    lambda: CountingLGBM(n_estimators=54, n_jobs=1, verbose=-1, min_child_samples=5),
    lambda: CountingCatBoost(iterations=54, thread_count=1, verbose=False,
                             allow_writing_files=False, depth=3),
    lambda: CountingHistRounds(max_iter=54, early_stopping=False),
    lambda: CountingGBRounds(n_estimators=54),
], ids=["xgboost", "lightgbm", "catboost", "hist", "gb"])
def test_continued_rounds_cost_the_schedule_floor(make):
    X, y = _data()
    estimator = make()
    type(estimator).trained = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a continuation that fails warns
        search = SuccessiveHalvingSearchCV(
            estimator, {"learning_rate": NINE_RATES}, resource="n_estimators",
            factor=3, min_resources=6, cv=3, refit=False, n_candidates=9,
            random_state=0,
        ).fit(X, y)
    counts = search.n_candidates_
    assert search.n_resources_ == [6, 18, 54]
    # each candidate trains only the rounds its rung adds: 6, then 12, then 36
    floor = 3 * (counts[0] * 6 + counts[1] * 12 + counts[2] * 36)
    assert sum(type(estimator).trained) == floor


class FailingContinuationXGB(xgb.XGBClassifier):
    def fit(self, X, y, **kwargs):
        if kwargs.get("xgb_model") is not None:
            raise RuntimeError("cannot continue")
        return super().fit(X, y, **kwargs)


def test_a_continuation_that_fails_warns_and_fits_from_scratch():
    X, y = _data()
    kwargs = {"resource": "n_estimators", "factor": 3, "cv": 3, "min_resources": 6,
              "n_candidates": 9, "random_state": 0}
    space = {"learning_rate": NINE_RATES}
    with pytest.warns(UserWarning, match=r"FailingContinuationXGB could not continue "
                      r"its 'n_estimators' \(RuntimeError: cannot continue\); this "
                      "fit trains from scratch"):
        failing = SuccessiveHalvingSearchCV(
            FailingContinuationXGB(nthread=1, n_estimators=54), space, **kwargs
        ).fit(X, y)
    cold = SuccessiveHalvingSearchCV(xgb.XGBClassifier(nthread=1, n_estimators=54),
                                     space, warm_start=False, **kwargs).fit(X, y)
    np.testing.assert_allclose(failing.cv_results_["mean_test_score"],
                               cold.cv_results_["mean_test_score"], rtol=1e-6)


def test_rounds_resource_is_found_for_each_library():
    X, y = _data()
    search = SuccessiveHalvingSearchCV(
        HistGradientBoostingClassifier(max_iter=27), {"learning_rate": [0.1, 0.3]},
        resource="n_estimators", cv=3, random_state=0,
    ).fit(X, y)
    assert search.warm_start_
    assert "max_iter" in search.best_params_
    assert search.best_estimator_.max_iter == 27
    pipe = make_pipeline(StandardScaler(), _catboost())
    search = SuccessiveHalvingSearchCV(
        pipe, {"catboostclassifier__depth": [2, 3]}, resource="n_estimators",
        max_resources=18, cv=3, random_state=0,
    ).fit(X, y)
    assert search.warm_start_
    assert search.best_params_["catboostclassifier__iterations"] == 18


@pytest.mark.parametrize("make, space, resource", [
    (lambda: xgb.XGBClassifier(n_estimators=27, nthread=1), {"max_depth": [1, 2, 3, 4, 5, 6]},
     "n_estimators"),
    (lambda: make_pipeline(StandardScaler(), HistGradientBoostingClassifier(max_iter=27)),
     {"histgradientboostingclassifier__max_depth": [1, 2, 3, 4, 5, 6]},
     "histgradientboostingclassifier__max_iter"),
    (LogisticRegression, {"C": [0.1, 1.0]}, "n_samples"),
])
@pytest.mark.parametrize("search_cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_default_resource_is_a_boosters_rounds(make, space, resource, search_cls):
    # Nothing written: a booster's rounds grow rung by rung, continued; any
    # other estimator gets scikit-learn's n_samples.
    X, y = _data()
    search = search_cls(make(), space, cv=3, random_state=0).fit(X, y)
    assert search.resource == "auto" and search.resource_ == resource
    if resource == "n_samples":
        assert search.max_resources_ == len(X)
        return
    assert search.max_resources_ == 27 and search.warm_start_
    rounds = [p[resource] for p in search.cv_results_["params"]]
    assert min(rounds) < 27 and search.best_params_[resource] == 27


def test_default_resource_is_the_samples_with_early_stopping():
    X, y = _data()
    search = SuccessiveHalvingSearchCV(_xgb(), RATES, cv=3,
                                       early_stopping=STOP, random_state=0).fit(X, y)
    assert search.resource_ == "n_samples"
    assert "n_estimators" not in search.best_params_


def test_checkpoints_of_the_former_default_resource_still_match(tmp_path):
    X, y = _data()
    path = tmp_path / "search.json"
    grid = {"C": [0.1, 1.0, 10.0]}
    first = SuccessiveHalvingSearchCV(LogisticRegression(), grid, resource="n_samples",
                                      cv=3, random_state=0, checkpoint=path).fit(X, y)
    again = SuccessiveHalvingSearchCV(LogisticRegression(), grid, cv=3, random_state=0,
                                      checkpoint=path).fit(X, y)
    assert again.cv_results_["params"] == first.cv_results_["params"]


class SelfCloningXGB(xgb.XGBClassifier):
    def __sklearn_clone__(self):
        return type(self)(**self.get_params())


def test_rounds_that_cannot_continue_are_refitted_with_a_warning():
    X, y = _data()
    search = SuccessiveHalvingSearchCV(
        SelfCloningXGB(nthread=1, n_estimators=18), {"learning_rate": NINE_RATES},
        resource="n_estimators", n_candidates=9, min_resources=2, cv=3,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="resource='n_estimators'.*from scratch"):
        search.fit(X, y)
    assert not search.warm_start_


def test_xgboost_default_rounds_are_the_max_resources():
    X, y = _data()
    search = SuccessiveHalvingSearchCV(
        xgb.XGBClassifier(nthread=1), {"max_depth": [2, 3]}, resource="n_estimators",
        cv=3, random_state=0,
    )
    assert search.schedule(X, y).max_resources == 100


def test_importing_skhyper_imports_no_boosting_library():
    code = ("import sys, skhyper, skhyper.boosting; print(sorted(m for m in "
            "('xgboost', 'lightgbm', 'catboost') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"
