"""The selection-bias estimate of best_score_."""

import warnings

import numpy as np
import pytest
from search_doubles import FirstClassClassifier
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV, KFold

from skhyper import (
    BayesSearchCV,
    Real,
    SelectionBiasWarning,
    SuccessiveHalvingSearchCV,
    selection_bias,
)


def _results(S):
    S = np.asarray(S, dtype=float)
    out = {f"split{k}_test_score": S[:, k] for k in range(S.shape[1])}
    means = S.mean(axis=1)
    out["mean_test_score"] = means
    out["rank_test_score"] = (-means).argsort().argsort() + 1
    out["params"] = [{"i": i} for i in range(len(S))]
    return out


def test_tibshirani_correction_by_hand():
    S = [[0.9, 0.8, 0.7],   # best mean 0.8
         [0.6, 0.9, 0.6],   # wins split 1 by 0.1
         [0.5, 0.5, 0.75]]  # wins split 2 by 0.05
    estimate = selection_bias(_results(S))
    assert estimate.best_score == pytest.approx(0.8)
    assert estimate.bias == pytest.approx((0 + 0.1 + 0.05) / 3)
    assert estimate.corrected == pytest.approx(0.8 - 0.05)
    assert estimate.n_candidates == 3 and estimate.n_splits == 3
    # lead over the runner-up (0.7): +0.3, -0.1, +0.1
    assert estimate.lead == pytest.approx(0.1)
    assert estimate.lead_se == pytest.approx(np.std([0.3, -0.1, 0.1], ddof=1) / 3**0.5)
    assert estimate.within_noise  # 0.1 < 2 * 0.115


def test_no_bias_when_one_configuration_wins_every_split():
    estimate = selection_bias(_results([[0.9, 0.9, 0.8], [0.5, 0.6, 0.7]]))
    assert estimate.bias == 0 and estimate.corrected == estimate.best_score
    assert not estimate.within_noise


@pytest.mark.parametrize("method", ["tibshirani", "bootstrap"])
def test_correction_is_closer_to_the_truth_on_pure_noise(method):
    # 50 configurations, all truly 0.7, scored with fold noise: the best CV
    # score is optimistic; the corrected one should be nearer 0.7.
    rng = np.random.RandomState(0)
    errors_best, errors_corrected = [], []
    for _ in range(30):
        S = 0.7 + 0.05 * rng.randn(50, 5)
        estimate = selection_bias(_results(S), method=method)
        errors_best.append(estimate.best_score - 0.7)
        errors_corrected.append(estimate.corrected - 0.7)
    assert np.mean(errors_best) > 0.03
    assert abs(np.mean(errors_corrected)) < 0.5 * np.mean(errors_best)


def test_bootstrap_is_reproducible():
    S = np.random.RandomState(1).rand(10, 5)
    a = selection_bias(_results(S), method="bootstrap", random_state=3)
    b = selection_bias(_results(S), method="bootstrap", random_state=3)
    assert a == b and a.corrected < a.best_score


def test_failed_rows_are_left_out():
    S = [[0.9, 0.8, 0.7], [np.nan, 1.0, 1.0], [0.5, 0.5, 0.75]]
    results = _results(S)
    results["rank_test_score"] = np.array([1, 3, 2])
    estimate = selection_bias(results)
    assert estimate.n_candidates == 2
    assert estimate.bias == pytest.approx(0.05 / 3)


X, y = make_classification(n_samples=150, n_informative=3, random_state=0)


class Noisy(FirstClassClassifier):
    """All configurations alike: scores are fold noise around 0.5 (deterministic)."""

    def __init__(self, a=0.0, n_estimators=1):
        self.a = a
        self.n_estimators = n_estimators

    def score(self, X, y):
        seed = int(abs(self.a) * 1e6) + len(X) + int(X[0, 0] * 1e3) % 1000
        return 0.5 + 0.05 * np.random.RandomState(seed).randn()


def test_fitted_search_attributes_and_function_agree():
    search = BayesSearchCV(Noisy(), {"a": Real(0.0, 1.0)}, n_iter=12, cv=5,
                           random_state=0).fit(X, y)
    estimate = selection_bias(search)
    assert search.best_score_bias_ == estimate.bias > 0
    assert search.best_score_corrected_ == pytest.approx(
        search.best_score_ - search.best_score_bias_
    )


def test_works_on_scikit_learn_searches():
    grid = GridSearchCV(Noisy(), {"a": [0.1, 0.2, 0.3, 0.4]}, cv=KFold(4)).fit(X, y)
    estimate = selection_bias(grid)
    assert estimate.best_score == pytest.approx(grid.best_score_)
    assert estimate.n_candidates == 4


def test_halving_compares_only_candidates_at_the_best_resource():
    search = SuccessiveHalvingSearchCV(
        Noisy(), {"a": Real(0.0, 1.0)}, n_candidates=9, resource="n_estimators",
        min_resources=1, max_resources=9, cv=3, random_state=0,
    ).fit(X, y)
    top = search.cv_results_["n_resources"] == 9
    assert selection_bias(search).n_candidates == top.sum() < len(top)
    assert search.best_score_corrected_ <= search.best_score_


def test_warning_only_when_verbose_and_the_lead_is_noise(capsys):
    space = {"a": Real(0.0, 1.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing at verbose=0
        BayesSearchCV(Noisy(), space, n_iter=10, cv=5, random_state=0).fit(X, y)
    with pytest.warns(SelectionBiasWarning, match="within the fold-to-fold noise"):
        BayesSearchCV(Noisy(), space, n_iter=10, cv=5, random_state=0,
                      verbose=1).fit(X, y)
    assert "selection bias ~" in capsys.readouterr().out


def test_no_attribute_with_a_callable_refit():
    search = BayesSearchCV(Noisy(), {"a": Real(0.0, 1.0)}, n_iter=4, cv=3,
                           random_state=0, refit=lambda r: 0).fit(X, y)
    assert not hasattr(search, "best_score_bias_")


def test_bad_arguments():
    results = _results([[0.9, 0.8], [0.5, 0.6]])
    with pytest.raises(ValueError, match="method"):
        selection_bias(results, method="magic")
    with pytest.raises(ValueError, match="n_bootstrap"):
        selection_bias(results, n_bootstrap=0)
    with pytest.raises(ValueError, match="per-split"):
        selection_bias({"mean_test_score": [1.0], "rank_test_score": [1]})
