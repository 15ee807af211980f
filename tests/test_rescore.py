"""BayesSearchCV(rescore=k): the best k re-scored on fresh folds before the refit."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, PredefinedSplit, StratifiedKFold

from skhyper import BayesSearchCV, Real

X, y = make_classification(200, n_features=8, n_informative=4, flip_y=0.1,
                           random_state=0)
SPACE = {"C": Real(1e-3, 1e2, prior="log-uniform")}


def _search(**kw):
    kw.setdefault("n_iter", 8)
    kw.setdefault("cv", 4)
    kw.setdefault("random_state", 0)
    return BayesSearchCV(LogisticRegression(), SPACE, **kw)


def _splits(results, row, metric="score"):
    keys = [k for k in results if k.startswith("split") and k.endswith(f"test_{metric}")]
    return np.array([results[k][row] for k in keys])


def test_the_best_are_scored_again_on_fresh_folds_and_the_refit_uses_all_folds():
    search = _search(rescore=3).fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 8 + 3
    of = results["rescore_of"]
    assert np.isnan(of[:8]).all()
    originals = of[8:].astype(int)
    # the three best distinct configurations, in order of their mean score
    means = results["mean_test_score"][:8]
    np.testing.assert_array_equal(originals, np.argsort(-means, kind="stable")[:3])
    for again, row in zip(range(8, 11), originals):
        assert results["params"][again] == results["params"][row]
        assert not np.allclose(_splits(results, again), _splits(results, row))
    assert set(results["batch"][8:]) == {results["batch"][:8].max() + 1}
    combined = {row: np.mean(np.r_[_splits(results, row), _splits(results, again)])
                for again, row in zip(range(8, 11), originals)}
    best = max(combined, key=combined.get)
    assert search.best_index_ == best
    assert search.best_score_ == pytest.approx(combined[best])
    assert search.best_params_ == results["params"][best]
    assert search.best_estimator_.C == results["params"][best]["C"]
    assert np.isfinite(search.best_score_corrected_)


def test_without_rescore_nothing_changes():
    plain = _search().fit(X, y)
    assert "rescore_of" not in plain.cv_results_
    assert len(plain.cv_results_["params"]) == 8


def test_rescoring_is_reproducible():
    first = _search(rescore=2).fit(X, y)
    again = _search(rescore=2).fit(X, y)
    np.testing.assert_array_equal(first.cv_results_["split0_test_score"],
                                  again.cv_results_["split0_test_score"])
    assert first.best_index_ == again.best_index_


@pytest.mark.parametrize("cv", [KFold(3), StratifiedKFold(3, shuffle=True, random_state=1)])
def test_fresh_folds_of_the_same_kind(cv):
    search = _search(rescore=1, cv=cv).fit(X, y)
    assert search.n_splits_ == 3
    assert np.isfinite(search.cv_results_["split2_test_score"][-1])


@pytest.mark.parametrize("kw, match", [
    ({"refit": False}, "refit"),
    ({"refit": lambda results: 0}, "refit"),
    ({"checkpoint": "x.json"}, "checkpoint"),
    ({"cv": PredefinedSplit([0, 1] * 100)}, "reshuffle"),
    ({"cv": [(np.arange(100), np.arange(100, 200))] * 3}, "reshuffle"),
    ({"rescore": 0}, "rescore"),
    ({"rescore": 1.5}, "rescore"),
])
def test_bad_settings_fail_before_any_fit(kw, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fits = []

    class Counting(LogisticRegression):
        def fit(self, X, y):
            fits.append(1)
            return super().fit(X, y)

    kw = {"rescore": 2, **kw}
    search = BayesSearchCV(Counting(), SPACE, n_iter=4, cv=kw.pop("cv", 3),
                           random_state=0, **kw)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert not fits


def test_a_stopped_search_is_not_rescored():
    search = _search(rescore=3, callbacks=lambda progress: progress.n_evaluated >= 4)
    search.fit(X, y)
    assert "rescore_of" not in search.cv_results_
    assert len(search.cv_results_["params"]) == 4


@pytest.mark.parametrize("kw, column", [
    ({"asynchronous": True, "n_jobs": 2}, "finish_time"),
    ({"fold_stopping": "forgiving"}, "n_folds_run"),
])
def test_other_drivers_keep_their_columns(kw, column):
    search = _search(rescore=2, **kw).fit(X, y)
    results = search.cv_results_
    assert column in results and len(results[column]) == len(results["params"])
    assert np.isfinite(results["rescore_of"][-2:]).all()
    assert np.isnan(results["rescore_of"][search.best_index_])


def test_multimetric_rescores_the_refit_metric():
    search = _search(rescore=2, scoring=["accuracy", "roc_auc"], refit="roc_auc").fit(X, y)
    results = search.cv_results_
    top = np.argsort(-results["mean_test_roc_auc"][:8], kind="stable")[:2]
    np.testing.assert_array_equal(results["rescore_of"][8:].astype(int), top)
    row = search.best_index_
    again = 8 + list(top).index(row)
    assert search.best_score_ == pytest.approx(np.mean(np.r_[
        _splits(results, row, "roc_auc"), _splits(results, again, "roc_auc")]))
