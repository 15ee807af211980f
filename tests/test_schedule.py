"""Schedules: scikit-learn's for explicit arguments, Li et al.'s for Hyperband."""

import math

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    StratifiedKFold,
)

from skhyper import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV
from skhyper.scheduling._schedule import (
    auto_n_candidates,
    auto_n_rungs,
    halving_schedule,
    hyperband_schedule,
    n_required_iterations,
)


class InstantClassifier(ClassifierMixin, BaseEstimator):
    """Fits instantly; its score is ``C`` (distinct candidates, no ties)."""

    def __init__(self, C=1.0, n_estimators=10):
        self.C = C
        self.n_estimators = n_estimators

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return float(self.C)


X, y = make_classification(n_samples=1000, random_state=0)
ATTRIBUTES = (
    "n_resources_",
    "n_candidates_",
    "n_remaining_candidates_",
    "min_resources_",
    "max_resources_",
    "n_iterations_",
    "n_possible_iterations_",
    "n_required_iterations_",
)


def _same_schedule(ours, theirs):
    for name in ATTRIBUTES:
        assert getattr(ours, name) == getattr(theirs, name), name


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_candidates=50, factor=3, min_resources=30, max_resources=1000),
        dict(n_candidates=30, factor=2, min_resources=40, max_resources=1000),
        dict(n_candidates=20, factor=2.5, min_resources=50, max_resources=900),
        dict(n_candidates=81, factor=3, min_resources=100, max_resources=1000,
             aggressive_elimination=True),
        dict(n_candidates=12, factor=4, min_resources="smallest",
             max_resources=800),
        dict(n_candidates=40, factor=3, min_resources="exhaust",
             max_resources="auto"),
        dict(n_candidates="exhaust", factor=3, min_resources=60,
             max_resources=1000),
        dict(n_candidates=10, factor=3, resource="n_estimators",
             min_resources=2, max_resources=100),
        dict(n_candidates=40, factor=3, resource="n_estimators",
             min_resources=1, max_resources=30, aggressive_elimination=True),
    ],
)
def test_random_schedule_equals_scikit_learn(kwargs):
    cv = StratifiedKFold(3)
    space = {"C": loguniform(1e-2, 1e2)}
    theirs = HalvingRandomSearchCV(
        InstantClassifier(), space, cv=cv, random_state=0, **kwargs
    ).fit(X, y)
    ours = SuccessiveHalvingSearchCV(
        InstantClassifier(), param_distributions=space, cv=cv, random_state=0,
        **kwargs,
    ).fit(X, y)
    _same_schedule(ours, theirs)
    assert list(ours.cv_results_["iter"]) == list(theirs.cv_results_["iter"])
    assert list(ours.cv_results_["n_resources"]) == list(
        theirs.cv_results_["n_resources"]
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(factor=3, min_resources="exhaust"),
        dict(factor=2, min_resources="smallest"),
        dict(factor=3, min_resources=20, max_resources=500),
        dict(factor=3, min_resources=20, aggressive_elimination=True),
    ],
)
def test_grid_schedule_equals_scikit_learn(kwargs):
    grid = {"C": [0.1 * i for i in range(1, 13)], "n_estimators": [1, 2]}
    cv = StratifiedKFold(3)
    theirs = HalvingGridSearchCV(InstantClassifier(), grid, cv=cv, **kwargs).fit(X, y)
    ours = SuccessiveHalvingSearchCV(
        InstantClassifier(), param_grid=grid, cv=cv, **kwargs
    ).fit(X, y)
    _same_schedule(ours, theirs)
    # The grid is searched exhaustively, and the best candidates survive.
    assert len(ours.cv_results_["params"]) == len(theirs.cv_results_["params"])
    assert ours.best_params_["C"] == theirs.best_params_["C"]


def test_schedule_is_readable_before_fit_and_matches_fit():
    search = SuccessiveHalvingSearchCV(
        InstantClassifier(), {"C": Real(0.1, 10.0)}, n_candidates=30,
        min_resources=40, cv=3, random_state=0,
    )
    plan = search.schedule(X, y)
    search.fit(X, y)
    assert plan.n_resources == search.n_resources_
    assert plan.n_candidates == search.n_candidates_
    assert plan.n_evaluations == len(search.cv_results_["params"])
    assert plan.n_fits == 3 * plan.n_evaluations
    assert "rung" in str(plan)


@pytest.mark.parametrize(
    "R, r, eta, expected",
    [
        # Li et al. (2018), Table 1: R=81, eta=3.
        (81, 1, 3, [[81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5]]),
        (27, 3, 3, [[9, 3, 1], [5, 1], [3]]),
        (16, 1, 2, [[16, 8, 4, 2, 1], [10, 5, 2, 1], [7, 3, 1], [5, 2], [5]]),
    ],
)
def test_hyperband_brackets_follow_li_et_al(R, r, eta, expected):
    schedule = hyperband_schedule(factor=eta, min_resources=r, max_resources=R)
    assert [b.n_candidates for b in schedule.brackets] == expected
    s_max = len(expected) - 1
    for b, bracket in enumerate(schedule.brackets):
        s = s_max - b
        assert bracket.n_resources == [R // eta ** (s - i) for i in range(s + 1)]
        # Each bracket spends at most B = (s_max + 1) R.
        assert bracket.total_resources <= (s_max + 1) * R
    assert schedule.total_resources == sum(
        n * r for b in schedule.brackets for n, r in zip(b.n_candidates, b.n_resources)
    )


def test_hyperband_budget_is_readable_before_fit():
    search = HyperbandSearchCV(
        InstantClassifier(), {"C": Real(0.1, 10.0)}, resource="n_estimators",
        min_resources=1, max_resources=81, cv=3,
    )
    schedule = search.schedule()
    assert schedule.s_max == 4
    assert schedule.n_evaluations == sum(
        [81, 27, 9, 3, 1] + [34, 11, 3, 1] + [15, 5, 1] + [8, 2] + [5]
    )
    assert schedule.n_fits == 3 * schedule.n_evaluations
    assert "bracket" in str(schedule)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == schedule.n_evaluations


@pytest.mark.parametrize("factor", [1.5, 2, 2.5, 3, 4, 10])
def test_auto_candidates_take_exactly_the_auto_rungs(factor):
    for n_possible in range(1, 12):
        k = auto_n_rungs(factor, n_possible)
        n = auto_n_candidates(factor, k)
        assert n <= 100
        assert n_required_iterations(n, factor) == k
        assert 2 <= k and (k <= n_possible or k == 2)


def test_halving_schedule_candidates_shrink_by_factor():
    schedule = halving_schedule(100, factor=3, min_resources=10, max_resources=10_000)
    assert schedule.n_candidates == [100, 34, 12, 4, 2]
    assert schedule.n_resources == [10, 30, 90, 270, 810]
    assert schedule.n_evaluations == 152
    assert schedule.total_resources == sum(
        n * r for n, r in zip(schedule.n_candidates, schedule.n_resources)
    )
    assert math.isclose(schedule.factor, 3)


@pytest.mark.parametrize(
    "r, R, eta",
    [(10, 81, 3), (60, 600, 3), (100, 1797, 3), (7, 1000, 2), (4, 100, 2.5),
     (2, 50, 4)],
)
def test_hyperband_boldest_bracket_starts_at_min_resources(r, R, eta):
    # R / r is not a power of eta: Li et al.'s R * eta**-s_max alone would
    # start above r. The levels go geometrically from r to R instead.
    schedule = hyperband_schedule(factor=eta, min_resources=r, max_resources=R)
    s_max = schedule.s_max
    assert s_max == math.floor(math.log(R / r, eta))
    levels = schedule.brackets[0].n_resources
    assert levels[0] == r == schedule.min_resources
    assert levels[-1] == R
    ratios = np.array(levels[1:]) / np.array(levels[:-1])
    # At least eta per rung (within the rounding down), at most eta**2.
    assert np.all(ratios >= eta * (1 - 1 / levels[0])) and np.all(ratios < eta**2)
    for b, bracket in enumerate(schedule.brackets):
        # Bracket b starts one level higher: rungs of a step share a resource.
        assert bracket.n_resources == levels[b:]
        # Li et al.'s candidate counts, and their budget bound still holds.
        s = s_max - b
        n = math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9)
        assert bracket.n_candidates == [
            max(1, math.floor(n / eta**i + 1e-9)) for i in range(s + 1)
        ]
        assert bracket.total_resources <= (s_max + 1) * R


def test_hyperband_search_honours_an_explicit_min_resources():
    search = HyperbandSearchCV(
        InstantClassifier(), {"C": Real(0.1, 10.0)}, resource="n_estimators",
        min_resources=10, max_resources=81, cv=3, random_state=0,
    )
    schedule = search.schedule()
    assert [b.n_resources for b in schedule.brackets] == [[10, 81], [81]]
    search.fit(X, y)  # no warning: warnings are errors in this suite
    assert search.min_resources_ == 10
    assert search.n_resources_ == [[10, 81], [81]]
    assert min(search.cv_results_["n_resources"]) == 10
    assert {p["n_estimators"] for p in search.cv_results_["params"]} == {10, 81}


def test_schedule_validates_parameters_without_fitting():
    search = SuccessiveHalvingSearchCV(
        InstantClassifier(), {"C": Real(0.1, 10.0)}, factor=0.5, cv=3
    )
    with pytest.raises(ValueError, match="'factor' parameter"):
        search.schedule(X, y)
    with pytest.raises(ValueError, match="'min_resources' parameter"):
        HyperbandSearchCV(
            InstantClassifier(), {"C": Real(0.1, 10.0)}, min_resources="exhaust"
        ).schedule(X, y)
