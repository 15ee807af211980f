"""The scheduler contract: every policy under both drivers, every search with
its default arguments.

A policy (Bayesian batches, the grid, successive halving, Hyperband, ASHA)
says what to run next; the barrier driver runs it batch by batch, the
streaming driver as workers free. Whatever the driver, a policy evaluates
what its plan says: the budget, every rung's counts, no configuration twice.
"""

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skhyper import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV
from skhyper.optimizer._registry import HALVING_PROPOSERS, MODELS
from skhyper.scheduling._barrier import run_batches
from skhyper.scheduling._bayes_policy import BayesPolicy, GridPolicy
from skhyper.scheduling._halving_policy import HalvingPolicy
from skhyper.scheduling._policy import DONE, WAIT
from skhyper.scheduling._schedule import halving_schedule, hyperband_schedule

X, y = make_classification(n_samples=120, n_features=6, random_state=0)
X_big, y_big = make_classification(n_samples=900, n_features=6, random_state=0)
SPACE = {"C": loguniform(1e-3, 1e2)}
TREE_SPACE = {"max_depth": [1, 2, 3, 4, 5, 6], "min_samples_leaf": [1, 2, 4]}
DRIVERS = {"barrier": False, "streaming": True}


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fit()


def _keys(results):
    return [tuple(sorted(p.items())) for p in results["params"]]


# -- every search with its default arguments, under both drivers ---------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_bayes_search_with_default_n_iter(driver):
    # n_iter=None is 50: the streaming driver once computed its budget from
    # n_iter itself and crashed on None.
    search = BayesSearchCV(
        LogisticRegression(), SPACE, cv=2, n_jobs=2,
        asynchronous=DRIVERS[driver], random_state=0,
    )
    _quiet(lambda: search.fit(X, y))
    results = search.cv_results_
    assert len(results["params"]) == 50
    assert len(set(_keys(results))) == 50
    assert 1e-3 <= search.best_params_["C"] <= 1e2
    assert ("start_time" in results) == (driver == "streaming")


@pytest.mark.parametrize("driver", DRIVERS)
def test_bayes_grid_is_searched_whole_under_both_drivers(driver):
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), param_grid=TREE_SPACE, cv=2,
        n_jobs=2, asynchronous=DRIVERS[driver], random_state=0,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 18
    assert len(set(_keys(search.cv_results_))) == 18


@pytest.mark.parametrize("asynchronous", [False, True, "asha"])
@pytest.mark.parametrize("cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_halving_searches_with_default_arguments(cls, asynchronous):
    search = cls(
        DecisionTreeClassifier(random_state=0), TREE_SPACE, n_jobs=2,
        asynchronous=asynchronous, random_state=0,
    )
    planned = search.schedule(X_big, y_big)
    search.fit(X_big, y_big)
    results = getattr(search, "all_cv_results_", search.cv_results_)
    assert len(results["params"]) == planned.n_evaluations
    assert set(search.best_params_) == set(TREE_SPACE)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_rungs_hold_their_planned_counts_under_both_drivers(cls, driver):
    search = cls(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": list(range(1, 10)), "min_samples_leaf": [1, 2, 4]},
        resource="n_samples", factor=3, cv=2, n_jobs=2, random_state=0,
        asynchronous=DRIVERS[driver],
    )
    planned = search.schedule(X_big, y_big)
    search.fit(X_big, y_big)
    brackets = getattr(planned, "brackets", [planned])
    n_candidates = search.n_candidates_
    if cls is SuccessiveHalvingSearchCV:
        n_candidates = [n_candidates]
    assert n_candidates == [list(b.n_candidates) for b in brackets]


# -- the policies themselves, under the barrier driver --------------------------


class _Recorder:
    """An evaluator double: scores each configuration by a function of it."""

    def __init__(self, score):
        self.score = score
        self.batches = []
        self.n_evaluated = 0

    def should_stop(self):
        return False

    def evaluate(self, params, cv=None, more_results=None):
        self.batches.append((list(params), more_results))
        out = []
        for p in params:
            out.append(_Evaluation(p, self.score(p), self.n_evaluated))
            self.n_evaluated += 1
        return out


class _Evaluation:
    def __init__(self, params, score, index):
        self.params, self.score, self.index = params, score, index
        self.told = score  # what a model is told (all folds run here)
        self.failed = not np.isfinite(score)
        self.restored = False
        self.cost = 0.5 + index  # seconds


class _Proposer:
    """Proposes 0, 1, 2, ... as ``{"a": i}`` and remembers what it was told."""

    def __init__(self):
        self.next = 0
        self.told = []
        self.costs = []
        self.points = []
        self.pending = []

    def ask(self, n):
        out = [{"a": self.next + i} for i in range(n)]
        self.next += n
        return out

    def tell(self, points, scores, resource=None, costs=None):
        self.told.extend(zip([p["a"] for p in points], scores, [resource] * len(points)))
        self.costs.extend(costs or [None] * len(points))

    def expected_improvement(self, points):
        return np.zeros(len(points))


def test_bayes_policy_asks_batches_until_the_budget():
    proposer = _Proposer()
    policy = BayesPolicy(proposer, budget=7, batch_size=3, earlier=[], resumed=False,
                         n_restored=0)
    evaluator = _Recorder(lambda p: -p["a"])
    run_batches(policy, evaluator)
    assert [len(b) for b, _ in evaluator.batches] == [3, 3, 1]
    assert [m["batch"] for _, m in evaluator.batches] == [[0] * 3, [1] * 3, [2]]
    assert [a for a, _, _ in proposer.told] == list(range(7))
    assert proposer.costs == [0.5 + i for i in range(7)]  # each evaluation's own
    assert policy.take(None) is DONE


def test_bayes_policy_streams_one_at_a_time_and_marks_the_last():
    policy = BayesPolicy(_Proposer(), budget=3, batch_size=8, earlier=[],
                         resumed=False, n_restored=0)
    units = [policy.take(1)[0] for _ in range(3)]
    assert [u.columns["batch"] for u in units] == [0, 1, 2]
    assert [u.last for u in units] == [False, False, True]
    assert policy.take(1) is DONE


def test_grid_policy_evaluates_every_point_once():
    points = [{"a": i} for i in range(5)]
    proposer = _Proposer()
    evaluator = _Recorder(lambda p: p["a"])
    run_batches(GridPolicy(points, 2, proposer), evaluator)
    assert [b for b, _ in evaluator.batches] == [points[:2], points[2:4], points[4:]]
    assert [a for a, _, _ in proposer.told] == list(range(5))


def _halving(schedules, asha=False):
    return HalvingPolicy(
        schedules, _Proposer(), lambda r: f"cv-{r}",
        lambda p, r: {**p, "r": r},
        lambda counts, k, n: counts[k + 1] if k + 1 < len(counts) else 0,
        factor=3, columns=("bracket", "iter", "n_resources"), asha=asha,
    )


def test_halving_policy_promotes_the_best_in_batches():
    policy = _halving([halving_schedule(9, factor=3, min_resources=1,
                                        max_resources=9)])
    evaluator = _Recorder(lambda p: p["a"])  # higher a scores higher
    run_batches(policy, evaluator)
    rungs = [[p["a"] for p in batch] for batch, _ in evaluator.batches]
    assert rungs == [list(range(9)), [8, 7, 6], [8]]
    assert [sorted(set(m["n_resources"])) for _, m in evaluator.batches] == [
        [1], [3], [9]
    ]
    told = policy.proposer.told
    assert [(a, r) for a, _, r in told[-4:]] == [(8, 3), (7, 3), (6, 3), (8, 9)]


def test_hyperband_policy_starts_one_bracket_per_batch():
    schedule = hyperband_schedule(factor=3, min_resources=1, max_resources=9)
    policy = _halving(schedule.brackets)
    evaluator = _Recorder(lambda p: p["a"])
    run_batches(policy, evaluator)
    brackets = [sorted(set(m["bracket"])) for _, m in evaluator.batches]
    assert brackets == [[0], [0, 1], [0, 1, 2]]
    sizes = [len(batch) for batch, _ in evaluator.batches]
    assert sum(sizes) == schedule.n_evaluations


def test_streaming_halving_policy_waits_for_a_rung_and_marks_the_last():
    policy = _halving([halving_schedule(3, factor=3, min_resources=1,
                                        max_resources=3)])
    first = [policy.take(1)[0] for _ in range(3)]
    assert policy.take(1) is WAIT  # the rung is still running
    policy.finished(first, [_Evaluation(u.params, u.params["a"], i)
                            for i, u in enumerate(first)])
    (top,) = policy.take(1)
    assert top.params == {"a": 2, "r": 3} and top.last
    assert policy.take(1) is WAIT
    policy.finished([top], [_Evaluation(top.params, 1.0, 3)])
    assert policy.take(1) is DONE


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("proposer", sorted(HALVING_PROPOSERS))
def test_every_halving_proposer_under_both_drivers(proposer, driver):
    search = HyperbandSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": list(range(1, 10)), "min_samples_leaf": [1, 2, 4]},
        proposer=proposer, factor=3, cv=2, n_jobs=2, random_state=0,
        asynchronous=DRIVERS[driver],
    )
    planned = search.schedule(X_big, y_big)
    search.fit(X_big, y_big)
    assert len(search.cv_results_["params"]) <= planned.n_evaluations
    assert search.n_candidates_ == [list(b.n_candidates) for b in planned.brackets]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("surrogate", sorted(MODELS))
def test_every_bayes_model_under_both_drivers(surrogate, driver):
    search = BayesSearchCV(
        LogisticRegression(), {"C": loguniform(1e-3, 1e2), "fit_intercept": [True, False]},
        surrogate=surrogate, n_iter=8, cv=2, n_jobs=2, random_state=0,
        asynchronous=DRIVERS[driver],
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert len(set(_keys(search.cv_results_))) == 8
