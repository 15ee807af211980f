"""SuccessiveHalvingSearchCV: the behaviour users rely on."""

import os
import pickle
import warnings

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhyper import Categorical, Integer, Real, SuccessiveHalvingSearchCV
from skhyper.resources import _warm_start
from skhyper.resources._subsamples import MIN_TEST_SAMPLES_PER_CLASS


class Recorder(ClassifierMixin, BaseEstimator):
    """Column 0 of X holds sample ids; logs what every fit and score saw.

    Scores ``C``, or ``C - penalty / n_train`` to depend on the resource.
    """

    log = []

    def __init__(self, C=1.0, penalty=0.0, fail=False, nan=False):
        self.C = C
        self.penalty = penalty
        self.fail = fail
        self.nan = nan

    def fit(self, X, y, sample_weight=None):
        if self.fail:
            raise RuntimeError("this candidate fails")
        self.classes_ = np.unique(y)
        self.train_ids_ = np.asarray(X)[:, 0].astype(int)
        self.train_classes_ = set(np.unique(y).tolist())
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        Recorder.log.append(
            dict(
                C=self.C,
                train=self.train_ids_,
                test=np.asarray(X)[:, 0].astype(int),
                train_classes=self.train_classes_,
                test_classes=set(np.unique(y).tolist()),
                sample_weight=self.sample_weight_,
            )
        )
        if self.nan:
            return np.nan
        return self.C - self.penalty / len(self.train_ids_)


class TreeCounter(RandomForestClassifier):
    """A random forest that counts the trees it builds (in this process)."""

    n_trees = 0

    def fit(self, X, y, sample_weight=None):
        before = len(getattr(self, "estimators_", []))
        super().fit(X, y, sample_weight=sample_weight)
        TreeCounter.n_trees += len(self.estimators_) - before
        return self


class EpochLogger(MLPClassifier):
    """An MLP that logs ``max_iter`` and ``warm_start`` of every fit call."""

    calls = []

    def fit(self, X, y):
        EpochLogger.calls.append((self.max_iter, self.warm_start))
        return super().fit(X, y)


def _data(n=3000, weights=(0.6, 0.3, 0.1), seed=0):
    X, y = make_classification(
        n_samples=n, n_classes=len(weights), weights=list(weights),
        n_informative=4, random_state=seed,
    )
    return np.column_stack([np.arange(n), X]), y


X3, y3 = _data()
Xb, yb = make_classification(n_samples=300, n_features=8, random_state=0)


@pytest.fixture(autouse=True)
def clear_logs():
    Recorder.log = []
    TreeCounter.n_trees = 0
    EpochLogger.calls = []


# -- n_samples: stratified, nested subsamples of the same folds ------------------


def test_subsamples_are_stratified_with_every_class_in_every_fold():
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=60,
        cv=KFold(5), random_state=0,
    ).fit(X3, y3)
    assert search.n_resources_ == [60, 180, 540]
    folds = list(KFold(5).split(X3))
    for entry in Recorder.log:
        assert entry["train_classes"] == {0, 1, 2}
        assert entry["test_classes"] == {0, 1, 2}
        # Proportional to the fold's classes, within rounding and the seeds.
        for side in ("train", "test"):
            k = [set(entry[side]) <= set(f[side == "test"]) for f in folds].index(True)
            fold_counts = np.bincount(y3[folds[k][side == "test"]], minlength=3)
            expected = len(entry[side]) * fold_counts / fold_counts.sum()
            got = np.bincount(y3[entry[side]], minlength=3)
            assert np.all(np.abs(got - expected) <= 2)


def test_same_folds_at_every_rung_and_subsamples_are_nested():
    cv = KFold(3, shuffle=True, random_state=0)
    folds = list(cv.split(X3))
    SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=100,
        cv=cv, random_state=0,
    ).fit(X3, y3)
    by_fold = {}
    for entry in Recorder.log:
        train, test = set(entry["train"]), set(entry["test"])
        fold = [k for k, (tr, te) in enumerate(folds)
                if train <= set(tr) and test <= set(te)]
        assert len(fold) == 1  # a subset of exactly one frozen fold
        by_fold.setdefault(fold[0], {})[len(train)] = (train, test)
    for rungs in by_fold.values():
        sizes = sorted(rungs)
        assert len(sizes) == 3
        for small, large in zip(sizes, sizes[1:]):
            assert rungs[small][0] <= rungs[large][0]
            assert rungs[small][1] <= rungs[large][1]
    # Every candidate of a rung sees the same subsample of a fold.
    seen = {}
    for entry in Recorder.log:
        key = (len(entry["train"]), int(entry["test"][0]))
        seen.setdefault(key, set()).add(tuple(entry["train"]))
    assert all(len(v) == 1 for v in seen.values())


def test_groups_are_respected_and_taken_whole():
    rng = np.random.RandomState(0)
    groups = np.repeat(np.arange(150), 20)
    rng.shuffle(groups)
    SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=300,
        cv=GroupKFold(3), random_state=0,
    ).fit(X3, y3, groups=groups)
    assert Recorder.log
    for entry in Recorder.log:
        assert not set(groups[entry["train"]]) & set(groups[entry["test"]])
        if len(entry["train"]) == 200:  # the first rung: about 10 whole groups
            assert len(set(groups[entry["train"]])) <= 10 + 3 + 1


def test_default_first_rung_has_a_floor_of_samples_per_class_per_fold():
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, cv=StratifiedKFold(5), random_state=0
    ).fit(X3, y3)
    first = [e for e in Recorder.log if len(e["test"]) == min(
        len(e["test"]) for e in Recorder.log)]
    for entry in first:
        per_class = np.bincount(y3[entry["test"]], minlength=3)
        assert per_class.min() >= MIN_TEST_SAMPLES_PER_CLASS - 1
    assert search.n_iterations_ >= 2
    assert search.n_candidates_[0] <= 100
    # scikit-learn's "smallest" would start at 2 * 5 folds * 3 classes = 30.
    assert search.min_resources_ > 30


# -- estimator-parameter resources and warm start ---------------------------------


def test_estimator_parameter_resource_in_a_pipeline_step():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = SuccessiveHalvingSearchCV(
        pipe, {"logisticregression__C": Real(1e-2, 1e2, prior="log-uniform")},
        resource="logisticregression__max_iter", min_resources=5,
        max_resources=45, n_candidates=9, cv=3, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tiny max_iter on purpose
        search.fit(Xb, yb)
    assert search.n_resources_ == [5, 15, 45]
    results = search.cv_results_
    for params, r in zip(results["params"], results["n_resources"]):
        assert params["logisticregression__max_iter"] == r
    assert search.best_params_["logisticregression__max_iter"] == 45
    assert search.best_estimator_[-1].max_iter == 45
    # LogisticRegression ignores warm_start with some solvers: never continued.
    assert not search.warm_start_


def _forest_search(warm_start, n_jobs=None):
    return SuccessiveHalvingSearchCV(
        TreeCounter(random_state=0),
        {"max_depth": [2, 4, 6, None], "max_features": [0.3, 0.6, 1.0]},
        resource="n_estimators", max_resources=27, min_resources=3, cv=3,
        warm_start=warm_start, random_state=0, n_jobs=n_jobs,
    )


def test_warm_start_continues_training_with_identical_scores():
    warm = _forest_search(True).fit(Xb, yb)
    warm_trees = TreeCounter.n_trees
    TreeCounter.n_trees = 0
    cold = _forest_search(False).fit(Xb, yb)
    cold_trees = TreeCounter.n_trees
    assert warm.warm_start_ and not cold.warm_start_
    assert warm.n_candidates_ == cold.n_candidates_ == [12, 4, 2]
    # Per fold, cold: 12*3 + 4*9 + 2*27; warm: 12*3 + 4*(9-3) + 2*(27-9); + refit.
    assert cold_trees == 3 * (36 + 36 + 54) + 27
    assert warm_trees == 3 * (36 + 24 + 36) + 27
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert warm.best_params_ == cold.best_params_
    # After the search, everything is the user's class again.
    assert type(warm.best_estimator_) is TreeCounter
    assert type(warm.estimator) is TreeCounter
    assert type(clone(warm).estimator) is TreeCounter


def test_warm_start_in_a_pipeline_final_step():
    def search(warm):
        pipe = make_pipeline(StandardScaler(), TreeCounter(random_state=0))
        return SuccessiveHalvingSearchCV(
            pipe, {"treecounter__max_depth": [2, 4, None]},
            resource="treecounter__n_estimators", max_resources=18,
            min_resources=6, cv=2, warm_start=warm, random_state=0,
        ).fit(Xb, yb)

    warm = search(True)
    warm_trees, TreeCounter.n_trees = TreeCounter.n_trees, 0
    cold = search(False)
    assert warm.warm_start_
    assert warm_trees < TreeCounter.n_trees
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert type(warm.best_estimator_[-1]) is TreeCounter


def test_warm_start_of_iterative_models_adds_the_missing_epochs():
    search = SuccessiveHalvingSearchCV(
        EpochLogger(hidden_layer_sizes=(8,), random_state=0),
        {"alpha": [1e-4, 1e-2, 1.0]}, resource="max_iter", min_resources=3,
        max_resources=9, cv=2, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs on purpose
        search.fit(Xb, yb)
    assert search.warm_start_ and search.n_resources_ == [3, 9]
    # Rung 0: 3 candidates x 2 folds from scratch; rung 1: 6 more epochs.
    assert EpochLogger.calls[:6] == [(3, False)] * 6
    assert EpochLogger.calls[6:8] == [(6, True)] * 2
    assert EpochLogger.calls[-1] == (9, False)  # the refit, from scratch
    assert search.best_estimator_.max_iter == 9


@pytest.mark.slow
def test_warm_start_with_process_workers():
    warm = _forest_search(True, n_jobs=2).fit(Xb, yb)
    cold = _forest_search(False).fit(Xb, yb)
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )


def test_in_process_fold_models_are_never_pickled_and_eliminated_ones_dropped(
    monkeypatch,
):
    def no_pickling(*args, **kwargs):
        raise AssertionError("a fold model was pickled")

    monkeypatch.setattr(_warm_start.pickle, "dump", no_pickling)
    kept = []
    forget = _warm_start.WarmStartPlan.forget

    def spy(plan, candidates):
        forget(plan, candidates)
        dropped = {plan.config_key(c) for c in candidates}
        memory = _warm_start._IN_MEMORY[plan.token]
        assert not {config for config, _ in memory} & dropped
        assert not os.listdir(plan.directory)
        kept.append(len(memory))

    monkeypatch.setattr(_warm_start.WarmStartPlan, "forget", spy)
    search = _forest_search(True).fit(Xb, yb)
    assert search.warm_start_ and search.n_candidates_ == [12, 4, 2]
    # After rung 0, the 4 promoted candidates' 3 fold models (8 eliminated
    # ones dropped); after rung 1, the 2 promoted ones'. Models at
    # max_resources are never kept: they cannot continue.
    assert kept == [4 * 3, 2 * 3, 0]
    assert TreeCounter.n_trees == 3 * (36 + 24 + 36) + 27  # continued training
    assert not _warm_start._IN_MEMORY  # the search dropped its models


def test_fold_models_of_other_processes_go_through_the_cache_directory():
    plan = _warm_start.WarmStartPlan.create("n_estimators")
    try:
        worker = pickle.loads(pickle.dumps(plan))  # as joblib ships it
        worker.pid = -1  # another process: no access to the search's memory
        a, b = plan.config_key({"C": 0.1}), plan.config_key({"C": 10.0})
        plan.store(a, "fold0", 3, {"fitted": "in the search's process"})
        worker.store(b, "fold0", 3, {"fitted": "in a worker"})
        assert os.listdir(plan.directory) == [f"{b}-fold0.pkl"]  # the worker's
        assert worker.load(a, "fold0") is None
        assert plan.load(b, "fold0") == (3, {"fitted": "in a worker"})
        # In memory, a model is handed over to the fit that continues it.
        assert plan.load(a, "fold0") == (3, {"fitted": "in the search's process"})
        assert plan.load(a, "fold0") is None
        plan.store(a, "fold0", 9, {})
        worker.store(b, "fold0", 9, {})
        plan.forget([{"C": 0.1}, {"C": 10.0}])  # both eliminated
        assert plan.load(a, "fold0") is None and not os.listdir(plan.directory)
    finally:
        plan.close()
    assert plan.token not in _warm_start._IN_MEMORY and not os.path.exists(plan.directory)


def test_warm_start_with_aggressive_elimination_reuses_repeated_rungs():
    def search(warm):
        return SuccessiveHalvingSearchCV(
            TreeCounter(random_state=0),
            {"max_depth": [2, 3, 4, 5, 6, 7, 8, 9, None]}, resource="n_estimators",
            min_resources=3, max_resources=9, aggressive_elimination=True, cv=3,
            warm_start=warm, random_state=0,
        ).fit(Xb, yb)

    warm = search(True)
    warm_trees, TreeCounter.n_trees = TreeCounter.n_trees, 0
    cold = search(False)
    assert warm.n_resources_ == [3, 3, 9] and warm.n_candidates_ == [9, 3, 1]
    # Per fold: 9 models of 3 trees; the repeated rung reuses 3 of them as
    # they are; the last rung adds 6 trees to one. Plus the refit.
    assert warm_trees == 3 * (27 + 0 + 6) + 9
    assert TreeCounter.n_trees == 3 * (27 + 9 + 9) + 9
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )


# -- promotions ------------------------------------------------------------------


def test_failed_and_nan_candidates_are_never_promoted():
    space = [
        {"C": [0.9, 0.8, 0.2, 0.1]},
        {"C": [0.95, 0.85], "fail": [True]},
        {"C": [0.99], "nan": [True]},
    ]
    search = SuccessiveHalvingSearchCV(
        Recorder(), space, factor=2, min_resources=200, cv=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)  # non-finite scores
        search.fit(X3, y3)
    results = search.cv_results_
    later = [p for p, i in zip(results["params"], results["iter"]) if i > 0]
    assert later and all(not p.get("fail") and not p.get("nan") for p in later)
    assert search.best_params_ == {"C": 0.9}


def test_numeric_error_score_failures_are_not_promoted_either():
    space = [{"C": [-0.5, -0.4, -0.3]}, {"C": [-0.1], "fail": [True]}]
    search = SuccessiveHalvingSearchCV(
        Recorder(), space, factor=2, min_resources=200, cv=3, error_score=0.0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X3, y3)
    later = [p for p, i in zip(search.cv_results_["params"], search.cv_results_["iter"])
             if i > 0]
    assert {p["C"] for p in later} == {-0.3, -0.4}
    assert search.best_params_ == {"C": -0.3}


def test_ties_are_broken_the_same_whatever_the_grid_order():
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

    def fit_constant(order):
        search = SuccessiveHalvingSearchCV(
            ConstantScore(), {"a": order}, min_resources=100, cv=3, random_state=1,
        ).fit(X3, y3)
        results = search.cv_results_
        return (
            [sorted(p["a"] for p, i in zip(results["params"], results["iter"])
                    if i == k)
             for k in range(search.n_iterations_)],
            search.best_params_,
        )

    first = fit_constant(values)
    assert first == fit_constant(values[::-1])
    assert first == fit_constant(values[3:] + values[:3])
    assert len(first[0][1]) == 3  # ties were cut, not all promoted


class ConstantScore(ClassifierMixin, BaseEstimator):
    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 0.5


def test_refit_metric_drives_promotion_with_several_metrics():
    scoring = {"up": lambda est, X, y: est.C, "down": lambda est, X, y: -est.C}
    space = {"C": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}
    for refit, best in (("up", 0.9), ("down", 0.1)):
        search = SuccessiveHalvingSearchCV(
            Recorder(), space, scoring=scoring, refit=refit, min_resources=100,
            cv=3, random_state=0,
        ).fit(X3, y3)
        results = search.cv_results_
        last = [p["C"] for p, i in zip(results["params"], results["iter"])
                if i == search.n_iterations_ - 1]
        assert best in last
        assert search.best_params_ == {"C": best}
        assert search.best_score_ == pytest.approx(best if refit == "up" else -best)


def test_best_comes_from_the_last_rung():
    # Small rungs score higher: the overall best row is from rung 0.
    search = SuccessiveHalvingSearchCV(
        Recorder(penalty=-50.0), {"C": Real(0.0, 1.0)}, n_candidates=9,
        min_resources=100, cv=3, random_state=0,
    ).fit(X3, y3)
    results = search.cv_results_
    last = np.flatnonzero(results["iter"] == results["iter"].max())
    assert np.argmax(results["mean_test_score"]) not in last
    assert search.best_index_ in last
    assert search.best_score_ == np.max(results["mean_test_score"][last])
    assert search.best_params_ == results["params"][search.best_index_]


def test_refit_callable_gets_every_rung():
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=100, cv=3,
        refit=lambda results: 0, random_state=0,
    ).fit(X3, y3)
    assert search.best_index_ == 0
    assert search.best_params_ == search.cv_results_["params"][0]


# -- proposers ----------------------------------------------------------------------


def test_pure_grid_is_searched_exhaustively_and_other_spaces_sampled():
    grid = {"C": [0.1, 0.2, 0.3], "penalty": [0.0, 1.0]}
    search = SuccessiveHalvingSearchCV(
        Recorder(), param_grid=grid, min_resources=100, cv=3, random_state=0
    ).fit(X3, y3)
    assert search.proposer_ == "grid"
    first = [p for p, i in zip(search.cv_results_["params"], search.cv_results_["iter"])
             if i == 0]
    assert len(first) == 6 and len({tuple(sorted(p.items())) for p in first}) == 6
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Integer(1, 1000), "penalty": Categorical([0.0, 1.0])},
        n_candidates=20, min_resources=100, cv=3, random_state=0,
    ).fit(X3, y3)
    assert search.proposer_ == "random"
    assert search.n_candidates_[0] == 20


def test_bayes_proposer_draws_a_space_filling_first_rung():
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=8, min_resources=100,
        proposer="bayes", cv=3, random_state=0,
    ).fit(X3, y3)
    first = sorted(p["C"] for p, i in zip(search.cv_results_["params"],
                                          search.cv_results_["iter"]) if i == 0)
    # A scrambled Sobol design puts one point in each eighth of [0, 1].
    assert [int(c * 8) for c in first] == list(range(8))


def test_same_random_state_same_search():
    def run(seed):
        search = SuccessiveHalvingSearchCV(
            LogisticRegression(), {"C": loguniform(1e-3, 1e3)}, n_candidates=9,
            cv=3, random_state=seed,
        ).fit(Xb, yb)
        return search.cv_results_

    a, b, c = run(0), run(0), run(1)
    assert a["params"] == b["params"]
    np.testing.assert_array_equal(a["mean_test_score"], b["mean_test_score"])
    assert a["params"] != c["params"]


# -- citizenship --------------------------------------------------------------------


def test_pipeline_with_sample_resource_and_nested_cv():
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = SuccessiveHalvingSearchCV(
        pipe, {"logisticregression__C": Real(1e-2, 1e2, prior="log-uniform")},
        n_candidates=4, factor=2, cv=3, random_state=0,
    )
    scores = cross_val_score(search, Xb, yb, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.6)


def test_metadata_routing_of_groups_and_sample_weight():
    groups = np.arange(len(y3)) % 30
    weights = np.linspace(1.0, 2.0, len(y3))
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = Recorder().set_fit_request(sample_weight=True).set_score_request(
            sample_weight=False
        )
        SuccessiveHalvingSearchCV(
            estimator, {"C": Real(0.0, 1.0)}, n_candidates=3, min_resources=600,
            cv=GroupKFold(3), random_state=0,
        ).fit(X3, y3, groups=groups, sample_weight=weights)
    for entry in Recorder.log:
        assert not set(groups[entry["train"]]) & set(groups[entry["test"]])
        np.testing.assert_array_equal(entry["sample_weight"], weights[entry["train"]])


def test_callbacks_stop_between_rungs_and_the_best_is_refit():
    seen = []

    def stop_after_first_rung(progress):
        seen.append(progress.n_evaluated)
        return True

    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=100, cv=3,
        callbacks=stop_after_first_rung, random_state=0,
    ).fit(X3, y3)
    assert search.n_iterations_ == 1 and seen == [9]
    assert "stop_after_first_rung" in search.stop_reason_
    assert hasattr(search, "best_estimator_")


def test_verbose_prints_the_schedule(capsys):
    SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=3, min_resources=300, cv=3,
        verbose=1, random_state=0,
    ).fit(X3, y3)
    out = capsys.readouterr().out
    assert "schedule" in out and "rung 0: 3 candidates" in out


class NeverFit(Recorder):
    def fit(self, X, y, sample_weight=None):
        raise AssertionError("fit must not be called")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"factor": 1}, "factor"),
        ({"factor": 0.5}, "factor"),
        ({"n_candidates": 0}, "n_candidates"),
        ({"min_resources": 900, "max_resources": 600}, "min_resources_=900 is greater"),
        ({"max_resources": 10_000}, "max_resources=10000 is larger"),
        ({"resource": "n_trees"}, "resource=n_trees which is not supported"),
        ({"resource": "C", "max_resources": 9}, "part of the searched parameters"),
        ({"resource": "penalty"}, "'auto'.*penalty.*positive integer.*0.0"),
        ({"max_resources": 2.5}, "max_resources"),
        ({"min_resources": 3}, "min_resources=3.*fold 0 only 2 training samples"),
        ({"min_resources": "exhaust", "n_candidates": "exhaust"}, "cannot be both"),
        ({"proposer": "smac"}, "proposer"),
        ({"proposer": "grid"}, "proposer='grid' needs a finite"),
        ({"search_spaces": {"Cee": [1.0]}}, "'Cee'"),
    ],
)
def test_bad_input_raises_before_any_fit(kwargs, match):
    kwargs = {"search_spaces": {"C": Real(0.0, 1.0)}, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        SuccessiveHalvingSearchCV(NeverFit(), cv=3, **kwargs).fit(X3[:900], y3[:900])


def test_keyboard_interrupt_keeps_the_finished_rungs():
    class Interrupts(Recorder):
        def fit(self, X, y, sample_weight=None):
            if len(X) > 500:
                raise KeyboardInterrupt
            return super().fit(X, y)

    search = SuccessiveHalvingSearchCV(
        Interrupts(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=300,
        cv=3, random_state=0,
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X3, y3)
    assert len(search.cv_results_["params"]) == 9
    assert search.best_params_["C"] == max(p["C"] for p in search.cv_results_["params"])


def test_checkpoint_resumes_without_refitting(tmp_path):
    path = tmp_path / "halving.json"

    def search():
        return SuccessiveHalvingSearchCV(
            Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=300,
            cv=3, random_state=0, checkpoint=path,
        )

    first = search().fit(X3, y3)
    n_logged = len(Recorder.log)
    second = search().fit(X3, y3)
    assert second.cv_results_["params"] == first.cv_results_["params"]
    assert second.best_params_ == first.best_params_
    assert len(Recorder.log) - n_logged <= 3  # at most one re-scored row


class Growing(ClassifierMixin, BaseEstimator):
    """Scores ``C`` plus a little per estimator; counts its fits (per class)."""

    n_fits = 0

    def __init__(self, C=0.5, n_estimators=1):
        self.C = C
        self.n_estimators = n_estimators

    def fit(self, X, y):
        type(self).n_fits += 1
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.C + 0.001 * self.n_estimators


GRID = {"C": [0.1 * i for i in range(1, 13)]}


def _growing_search(**kwargs):
    params = dict(resource="n_estimators", min_resources=3, cv=3, random_state=0)
    return SuccessiveHalvingSearchCV(Growing(), GRID, **{**params, **kwargs})


def test_warm_start_from_reuses_evaluations_at_the_same_resource():
    first = _growing_search(max_resources=9).fit(X3, y3)
    assert first.n_resources_ == [3, 9] and first.n_candidates_ == [12, 4]
    Growing.n_fits = 0
    more = _growing_search(max_resources=27, warm_start_from=first).fit(X3, y3)
    assert more.n_resources_ == [3, 9, 27] and more.n_candidates_ == [12, 4, 2]
    # Only the new rung is fitted (2 candidates x 3 folds), then the refit.
    assert Growing.n_fits == 2 * 3 + 1
    results, earlier = more.cv_results_, first.cv_results_
    assert results["params"][:16] == earlier["params"]
    np.testing.assert_array_equal(
        results["mean_test_score"][:16], earlier["mean_test_score"]
    )
    # Reused rows take the rung that reused them.
    assert list(results["iter"]) == [0] * 12 + [1] * 4 + [2] * 2
    assert more.best_params_ == {"C": GRID["C"][-1], "n_estimators": 27}
    # The same as a search from scratch, which fits everything.
    Growing.n_fits = 0
    scratch = _growing_search(max_resources=27).fit(X3, y3)
    assert Growing.n_fits == (12 + 4 + 2) * 3 + 1
    assert scratch.cv_results_["params"] == results["params"]
    np.testing.assert_array_equal(
        scratch.cv_results_["mean_test_score"], results["mean_test_score"]
    )


def test_warm_start_from_keeps_unused_rows_apart():
    # Other random candidates: the earlier rows in the space at this search's
    # resources come first, marked iter=-1, and are never the best, even
    # when they score best.
    space = {"C": Real(0.0, 1.0)}
    first = SuccessiveHalvingSearchCV(
        Growing(), space, n_candidates=9, resource="n_estimators", min_resources=3,
        max_resources=27, cv=3, random_state=1,
    ).fit(X3, y3)
    Growing.n_fits = 0
    other = SuccessiveHalvingSearchCV(
        Growing(), {"C": Real(0.0, 0.5)}, n_candidates=9, resource="n_estimators",
        min_resources=3, max_resources=9, cv=3, random_state=2,
        warm_start_from=first.cv_results_,
    ).fit(X3, y3)
    results = other.cv_results_
    kept = [p for p in first.cv_results_["params"]
            if p["C"] <= 0.5 and p["n_estimators"] in (3, 9)]
    n = len(kept)
    assert 0 < n < len(first.cv_results_["params"])
    assert results["params"][:n] == kept
    assert list(results["iter"][:n]) == [-1] * n
    assert Growing.n_fits == (9 + 3) * 3 + 1  # nothing reused
    assert other.best_index_ >= n
    assert other.n_candidates_ == [9, 3]


def test_warm_start_from_subsamples_needs_the_same_random_state():
    X, y = X3[:2700], y3[:2700]
    grid = {"C": [0.1 * i for i in range(1, 10)]}

    def search(**kwargs):
        return SuccessiveHalvingSearchCV(
            Recorder(), grid, min_resources=300, cv=3, **kwargs
        )

    first = search(random_state=0).fit(X, y)
    assert first.n_resources_ == [300, 900, 2700]
    # Same random_state and cv: the same subsamples, all rows reused (one
    # candidate is scored once more: scikit-learn needs a call of its own).
    Recorder.log = []
    same = search(random_state=0, warm_start_from=first).fit(X, y)
    assert len(Recorder.log) == 3
    assert same.cv_results_["params"] == first.cv_results_["params"]
    # Another random_state, or results without the search: other subsamples,
    # so only the evaluation on all the samples is reused.
    for earlier, seed in ((first, 1), (first.cv_results_, 0)):
        Recorder.log = []
        other = search(random_state=seed, warm_start_from=earlier).fit(X, y)
        assert len(Recorder.log) == (9 + 3) * 3
        results = other.cv_results_
        assert list(results["n_resources"]) == [2700] + [300] * 9 + [900] * 3
        assert list(results["iter"]) == [2] + [0] * 9 + [1] * 3
        assert other.best_index_ == 0 and other.n_candidates_ == [9, 3, 1]


def test_warm_start_from_scikit_learn_halving_results():
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    theirs = HalvingGridSearchCV(
        Growing(), GRID, resource="n_estimators", min_resources=3,
        max_resources=27, cv=3,
    ).fit(X3, y3)
    Growing.n_fits = 0
    ours = _growing_search(max_resources=27, warm_start_from=theirs).fit(X3, y3)
    assert Growing.n_fits == 1 + 3  # the refit, and one re-scored candidate
    assert ours.best_params_ == theirs.best_params_


@pytest.mark.parametrize(
    "earlier, error, match",
    [
        ([({"C": 0.5}, 0.5)], (ValueError, TypeError), "'warm_start_from' parameter"),
        (_growing_search(), ValueError, "has no cv_results_"),
        ({"params": [{"C": 0.5}], "mean_test_score": np.array([0.5])}, ValueError,
         r"lack \['n_resources'\]"),
        ({"params": [{"C": 0.5}], "n_resources": np.array([3]),
          "mean_test_acc": np.array([0.5])}, ValueError, "other metrics"),
        ({"params": [{"C": 0.5}], "n_resources": np.array([3]),
          "mean_test_score": np.array([0.5]),
          **{f"split{k}_test_score": np.array([0.5]) for k in range(5)}},
         ValueError, "on 5 splits, this search uses 3"),
    ],
)
def test_bad_warm_start_from_raises_before_any_fit(earlier, error, match):
    search = SuccessiveHalvingSearchCV(
        NeverFit(), GRID, resource="penalty", max_resources=9, cv=3,
        warm_start_from=earlier,
    )
    with pytest.raises(error, match=match):
        search.fit(X3[:900], y3[:900])


def test_warm_start_from_with_nothing_to_reuse_says_so():
    earlier = {"params": [{"C": 5.0}], "n_resources": np.array([300]),
               "mean_test_score": np.array([0.5])}
    search = SuccessiveHalvingSearchCV(
        Recorder(), GRID, min_resources=300, cv=3, random_state=0,
        warm_start_from=earlier,
    )
    with pytest.warns(UserWarning, match="none of its 1 evaluations can be reused"):
        search.fit(X3, y3)
    assert search.n_candidates_[0] == 12


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results():
    distributed = pytest.importorskip("distributed")
    import joblib

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        with distributed.Client(cluster), joblib.parallel_config(backend="dask"):
            on_dask = _forest_search(True, n_jobs=-1).fit(Xb, yb)
    finally:
        cluster.close()
    local = _forest_search(False).fit(Xb, yb)
    assert on_dask.cv_results_["params"] == local.cv_results_["params"]
    np.testing.assert_array_equal(
        on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_scikit_learn_progress_bar_callback():
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = SuccessiveHalvingSearchCV(
        LogisticRegression(), {"C": loguniform(1e-2, 1e2)}, n_candidates=4,
        factor=2, cv=2, random_state=0,
    )
    search.set_callbacks(callback.ProgressBar())
    search.fit(Xb, yb)
    assert search.n_candidates_ == [4, 2, 1]


@pytest.mark.parametrize("last_only", [False, True])
def test_cv_results_follow_the_installed_release_and_history_is_always_there(
    last_only, monkeypatch
):
    # scikit-learn 1.10 keeps the last iteration in cv_results_ and the whole
    # history in all_cv_results_; our search does what the installed one does.
    from skhyper import _compat

    monkeypatch.setattr(_compat, "HALVING_LAST_ITERATION_ONLY", last_only)
    search = SuccessiveHalvingSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, n_candidates=9, min_resources=300,
        factor=3, cv=3, random_state=0,
    ).fit(X3, y3)
    history, results = search.all_cv_results_, search.cv_results_
    assert list(history["iter"]) == [0] * 9 + [1] * 3 + [2]
    if last_only:
        assert list(results["iter"]) == [2]
        assert list(results["rank_test_score"]) == [1]
    else:
        assert results is history
    assert results["params"][search.best_index_] == search.best_params_
