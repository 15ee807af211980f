"""Code written for scikit-learn's searches behaves the same with ours.

Each test pins a difference that scikit-learn's own test suite, run with our
classes swapped in (tests/sklearn_suite.py), showed and that was fixed.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import BayesSearchCV, SuccessiveHalvingSearchCV

X, y = make_classification(n_samples=60, n_features=4, random_state=0)


class FailsForC0(ClassifierMixin, BaseEstimator):
    """Fails to fit when ``C == 0``; otherwise predicts the majority class."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C == 0:
            raise ValueError("C must not be 0")
        self.classes_ = np.unique(y)
        self.majority_ = np.bincount(y).argmax()
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class LazyParams(ClassifierMixin, BaseEstimator):
    """Its own ``set_params`` accepts any name and validates at fit time, as
    some third-party estimators do."""

    def __init__(self, param=1):
        self.param = param

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


# -- the space -------------------------------------------------------------


def test_param_grid_is_searched_whole_in_grid_order_when_n_iter_is_not_given():
    grid = {"C": [0.01, 0.1, 1, 10], "fit_intercept": [True, False],
            "class_weight": [None, "balanced"], "tol": [1e-4, 1e-3, 1e-2, 1e-1]}
    ours = BayesSearchCV(LogisticRegression(), param_grid=grid, cv=2).fit(X, y)
    theirs = GridSearchCV(LogisticRegression(), param_grid=grid, cv=2).fit(X, y)
    assert len(ours.cv_results_["params"]) == 64  # not the default n_iter
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert ours.best_params_ == theirs.best_params_


def test_tuples_and_ranges_are_choices_under_scikit_learn_keywords():
    search = BayesSearchCV(
        LogisticRegression(), param_grid={"C": (1, 10), "max_iter": range(100, 103)},
        cv=2,
    ).fit(X, y)
    assert sorted({p["C"] for p in search.cv_results_["params"]}) == [1, 10]
    assert len(search.cv_results_["params"]) == 6


def test_ties_go_to_the_first_candidate_in_grid_order():
    grid = {"random_state": [3, 1, 2]}  # DummyClassifier scores the same for all
    for _ in range(3):
        search = BayesSearchCV(DummyClassifier(), param_grid=grid, cv=2).fit(X, y)
        assert search.best_index_ == 0
        assert search.best_params_ == {"random_state": 3}


@pytest.mark.parametrize(
    "grid", [{"C": 1}, {"C": []}, {"C": "1,2,3"}, {"C": np.ones((3, 2))}]
)
def test_bad_param_grid_raises_what_grid_search_raises(grid):
    with pytest.raises((TypeError, ValueError)) as theirs:
        GridSearchCV(LogisticRegression(), param_grid=grid).fit(X, y)
    with pytest.raises(theirs.type, match=str(theirs.value).split("\n")[0][:40]):
        BayesSearchCV(LogisticRegression(), param_grid=grid).fit(X, y)


def test_two_dimensional_array_of_choices_is_a_value_error_in_any_keyword():
    with pytest.raises(ValueError, match="'C'.*one-dimensional"):
        BayesSearchCV(LogisticRegression(), {"C": np.ones((3, 2))}).fit(X, y)


def test_set_params_that_accepts_more_than_get_params_lists_is_not_refused():
    pipe = Pipeline([("scale", StandardScaler()), ("model", LazyParams())])
    search = BayesSearchCV(pipe, {"model__other": [1, 2]}, cv=2).fit(X, y)
    assert search.best_params_["model__other"] in (1, 2)


def test_unknown_parameter_of_a_scikit_learn_estimator_is_refused_before_any_fit():
    pipe = Pipeline([("scale", StandardScaler()), ("model", FailsForC0())])
    with pytest.raises(ValueError, match="Invalid parameter 'model__Cee'"):
        BayesSearchCV(pipe, {"model__Cee": [1, 2]}, error_score="raise").fit(X, y)


# -- cv, refit, errors -----------------------------------------------------


def test_a_generator_of_splits_is_read_once_and_used_for_every_batch():
    splits = KFold(3).split(X, y)
    search = BayesSearchCV(
        LogisticRegression(), {"C": [0.1, 1, 10, 100]}, n_iter=3, n_points=1,
        cv=splits, random_state=0,
    ).fit(X, y)
    assert search.n_splits_ == 3
    assert len(search.cv_results_["params"]) == 3
    assert search.cv is splits  # the parameter is left as given


@pytest.mark.parametrize(
    "returned, error, match",
    [(100, IndexError, "best_index_ index out of range"),
     (None, TypeError, "best_index_ returned is not an integer")],
)
def test_a_refit_callable_that_cannot_choose_raises_scikit_learns_error(
    returned, error, match
):
    search = BayesSearchCV(
        LogisticRegression(), {"C": [0.1, 1]}, cv=2, refit=lambda results: returned
    )
    with pytest.raises(error, match=match):
        search.fit(X, y)
    assert not hasattr(search, "best_index_")


def test_a_refit_key_the_scorer_does_not_return_is_a_value_error():
    search = BayesSearchCV(
        LogisticRegression(), {"C": [0.1, 1]}, cv=2,
        scoring=lambda est, X, y: {"acc": 1.0}, refit="missing",
    )
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        search.fit(X, y)


# -- failures across batches -----------------------------------------------


def test_a_batch_whose_fits_all_fail_warns_and_reports_fit_times():
    search = BayesSearchCV(
        FailsForC0(), {"C": [0, 1, 2]}, n_iter=3, n_points=1, cv=2, error_score=0,
        callbacks=[lambda progress: False],  # batches of n_points
    )
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 2"):
        search.fit(X, y)
    results = search.cv_results_
    failed = [p["C"] == 0 for p in results["params"]]
    assert np.all(results["mean_fit_time"] >= 0)
    assert np.all(results["mean_score_time"][failed] == 0.0)
    assert len(set(results["batch"])) == 3


@pytest.mark.parametrize(
    "space, scoring",
    [({"C": [0, 1, 2, 3]}, None),  # C=0: a batch whose fits all fail
     ({"C": [1, 2, 3, 4]}, lambda est, X, y: np.nan if est.C == 1 else 1.0)],
)
def test_the_non_finite_score_warning_is_given_once_per_fit(space, scoring):
    search = BayesSearchCV(
        FailsForC0(), space, n_iter=4, n_points=1, cv=2, scoring=scoring,
        callbacks=[lambda progress: False],  # batches of n_points
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert sum("test scores are non-finite" in m for m in messages) == 1


def test_halving_on_an_empty_dataset_raises_scikit_learns_error():
    search = SuccessiveHalvingSearchCV(FailsForC0(), {"C": [1, 2]})
    with pytest.raises(ValueError, match="min_resources_=0: you might have passed"):
        search.fit(np.empty((0, 3)), [])


class OnlyRvs:
    """A distribution with nothing but ``rvs``: all RandomizedSearchCV needs."""

    def __init__(self, values):
        self.values = values

    def rvs(self, random_state=None):
        rng = np.random.RandomState(random_state) if not hasattr(
            random_state, "choice") else random_state
        return self.values[rng.randint(len(self.values))]


def test_a_numeric_distribution_with_only_rvs_is_searched_on_its_draws():
    search = BayesSearchCV(
        LogisticRegression(), cv=2, n_iter=4, random_state=0,
        param_distributions={"C": OnlyRvs([0.1, 1.0, 10.0]),
                             "max_iter": OnlyRvs([100, 200])},
    ).fit(X, y)
    for params in search.cv_results_["params"]:
        assert params["C"] in (0.1, 1.0, 10.0) and params["max_iter"] in (100, 200)


def test_a_distribution_of_other_values_with_only_rvs_is_a_set_of_choices():
    search = BayesSearchCV(
        LogisticRegression(), param_distributions={"solver": OnlyRvs(["lbfgs",
                                                                      "liblinear"])},
        n_iter=2, cv=2, random_state=0,
    ).fit(X, y)
    assert {p["solver"] for p in search.cv_results_["params"]} == {"lbfgs", "liblinear"}
