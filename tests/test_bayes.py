"""BayesSearchCV: a drop-in for scikit-learn's searches that spends the budget well."""

import time
import warnings

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhyper import BayesSearchCV, Categorical, Integer, Real
from skhyper.callbacks import NoImprovementStopper

X, y = make_classification(n_samples=80, n_features=5, random_state=0)
TINY_X = np.arange(40, dtype=float).reshape(-1, 1)
TINY_Y = np.arange(40) % 2


class Landscape(ClassifierMixin, BaseEstimator):
    """Scores a known smooth function of its parameters; fitting is instant.

    The best score, 0, is at ``a = 0.3``, ``b = 0.01``, ``c = 7``. Raises in
    fit where ``a > fail_above``.
    """

    def __init__(self, a=0.5, b=1.0, c=1, k="x", fail_above=np.inf):
        self.a = a
        self.b = b
        self.c = c
        self.k = k
        self.fail_above = fail_above

    def fit(self, X, y):
        if self.a > self.fail_above:
            raise ValueError("a is too large")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -((self.a - 0.3) ** 2 + 0.1 * (np.log10(self.b) + 2) ** 2
                 + 0.01 * (self.c - 7) ** 2 + 0.1 * (self.k != "x"))


LANDSCAPE = {
    "a": Real(0.0, 1.0),
    "b": Real(1e-4, 1e2, prior="log-uniform"),
    "c": Integer(1, 20),
}


# Expected where a test makes fits fail on purpose.
FITS_FAILED = "ignore::sklearn.exceptions.FitFailedWarning"


def keys(search):
    return [tuple(sorted(map(repr, p.items()))) for p in search.cv_results_["params"]]


# -- drop-in ----------------------------------------------------------------


def test_grid_search_style_dict_of_lists_via_param_grid():
    search = BayesSearchCV(
        LogisticRegression(), param_grid={"C": [0.01, 0.1, 1.0, 10.0]},
        n_iter=3, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    assert {p["C"] for p in search.cv_results_["params"]} <= {0.01, 0.1, 1.0, 10.0}


def test_randomized_search_code_works_with_the_class_renamed():
    kwargs = dict(
        param_distributions={
            "C": loguniform(1e-3, 1e2), "fit_intercept": [True, False]
        },
        n_iter=6, cv=3, random_state=0, return_train_score=True,
    )
    ours = BayesSearchCV(LogisticRegression(), **kwargs).fit(X, y)
    theirs = RandomizedSearchCV(LogisticRegression(), **kwargs).fit(X, y)
    assert set(theirs.cv_results_) <= set(ours.cv_results_)
    assert len(ours.cv_results_["params"]) == 6
    assert ours.best_params_ == ours.cv_results_["params"][ours.best_index_]
    assert ours.best_score_ == ours.cv_results_["mean_test_score"][ours.best_index_]
    assert ours.best_score_ == max(ours.cv_results_["mean_test_score"])
    assert ours.best_estimator_.C == ours.best_params_["C"]
    assert ours.score(X, y) == ours.best_estimator_.score(X, y)


def test_list_of_dicts_searches_each_subspace():
    space = [
        {"kernel": ["linear"], "C": loguniform(1e-2, 1e2)},
        {"kernel": ["rbf"], "C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1)},
    ]
    search = BayesSearchCV(SVC(), space, n_iter=8, random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    assert {p["kernel"] for p in params} == {"linear", "rbf"}
    for p in params:
        assert ("gamma" in p) == (p["kernel"] == "rbf")
    assert search.cv_results_["param_gamma"].mask.tolist() == [
        p["kernel"] == "linear" for p in params
    ]


def test_skopt_vocabulary_and_scipy_distributions():
    space = {
        "max_depth": Integer(1, 8),
        "min_samples_leaf": randint(1, 10),
        "min_impurity_decrease": uniform(0.0, 0.01),
        "criterion": Categorical(["gini", "entropy"]),
        "ccp_alpha": (1e-5, 1e-1, "log-uniform"),
    }
    search = BayesSearchCV(
        DecisionTreeClassifier(random_state=0), space, n_iter=8, random_state=0
    ).fit(X, y)
    for p in search.cv_results_["params"]:
        assert isinstance(p["max_depth"], int) and 1 <= p["max_depth"] <= 8
        assert isinstance(p["min_samples_leaf"], int)
        assert 1 <= p["min_samples_leaf"] < 10
        assert 0.0 <= p["min_impurity_decrease"] <= 0.01
        assert p["criterion"] in ("gini", "entropy")
        assert 1e-5 <= p["ccp_alpha"] <= 1e-1


def test_rows_come_in_evaluation_order_with_their_batch():
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=10, n_points=3, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    assert search.cv_results_["batch"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    told = search.optimizer_.points
    assert search.cv_results_["params"] == told


def test_multimetric_optimizes_the_refit_metric():
    search = BayesSearchCV(
        LogisticRegression(), {"C": loguniform(1e-3, 1e2)}, n_iter=6,
        scoring={"acc": "accuracy", "nll": "neg_log_loss"}, refit="nll",
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert {"mean_test_acc", "mean_test_nll", "rank_test_nll"} <= set(results)
    assert search.best_index_ == int(np.argmax(results["mean_test_nll"]))
    assert search.best_score_ == results["mean_test_nll"][search.best_index_]
    told = search.optimizer_.scores
    assert told == pytest.approx(results["mean_test_nll"])


def test_n_points_auto_follows_n_jobs():
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=4, cv=2, n_jobs=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    assert search.cv_results_["batch"].tolist() == [0, 0, 1, 1]


# -- how the budget is spent ------------------------------------------------


def test_never_evaluates_a_configuration_twice():
    space = {"a": Real(0.0, 1.0), "c": Integer(1, 4), "k": ["x", "y"]}
    search = BayesSearchCV(
        Landscape(), space, n_iter=14, n_points=2, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    assert len(set(keys(search))) == 14


def test_finite_space_exhausted_warns_once_and_stops():
    space = {"c": [1, 4, 7], "b": [0.01, 1.0]}
    search = BayesSearchCV(
        Landscape(), space, n_iter=20, n_points=4, cv=2, random_state=0
    )
    message = "total space of parameters 6 is smaller than n_iter=20"
    with pytest.warns(UserWarning, match=message) as record:
        search.fit(TINY_X, TINY_Y)
    assert len([w for w in record if "total space" in str(w.message)]) == 1
    assert len(search.cv_results_["params"]) == 6
    assert len(set(keys(search))) == 6
    assert search.best_params_ == {"c": 7, "b": 0.01}


def test_space_exactly_as_large_as_n_iter_does_not_warn():
    search = BayesSearchCV(
        Landscape(), {"c": [1, 4, 7]}, n_iter=3, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    assert len(search.cv_results_["params"]) == 3


@pytest.mark.filterwarnings(FITS_FAILED)
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_failed_fits_follow_error_score_and_their_region_is_avoided():
    search = BayesSearchCV(
        Landscape(fail_above=0.6), {"a": Real(0.0, 1.0), "c": Integer(1, 20)},
        n_iter=20, n_initial_points=5, cv=2, random_state=0,
    ).fit(TINY_X, TINY_Y)
    results = search.cv_results_
    failed = np.array([p["a"] > 0.6 for p in results["params"]])
    assert failed.any()
    assert np.all(np.isnan(results["mean_test_score"][failed]))
    assert np.all(np.isfinite(results["mean_test_score"][~failed]))
    assert failed[5:].sum() <= 3  # random search: 6 of 15 on average
    assert search.best_params_["a"] <= 0.6


@pytest.mark.filterwarnings(FITS_FAILED)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
def test_numeric_error_score_is_recorded():
    search = BayesSearchCV(
        Landscape(fail_above=0.6), {"a": [0.2, 0.9]}, n_iter=2, cv=2,
        error_score=-5.0, random_state=0,
    ).fit(TINY_X, TINY_Y)
    scores = dict(zip([p["a"] for p in search.cv_results_["params"]],
                      search.cv_results_["mean_test_score"]))
    assert scores[0.9] == -5.0


def test_error_score_raise_raises():
    search = BayesSearchCV(
        Landscape(fail_above=0.0), {"a": Real(0.5, 1.0)}, n_iter=2, cv=2,
        error_score="raise",
    )
    with pytest.raises(ValueError, match="a is too large"):
        search.fit(TINY_X, TINY_Y)


def test_shuffling_cv_without_seed_gives_every_configuration_the_same_folds():
    class FoldRecorder(Landscape):
        folds = set()

        def fit(self, X, y):
            FoldRecorder.folds.add(tuple(X[:, 0]))
            return super().fit(X, y)

    FoldRecorder.folds = set()
    BayesSearchCV(
        FoldRecorder(), {"a": Real(0.0, 1.0)}, n_iter=6, cv=KFold(3, shuffle=True),
        refit=False,
    ).fit(TINY_X, TINY_Y)
    assert len(FoldRecorder.folds) == 3


def test_beats_random_search_at_equal_budget():
    def gaps(search_cls, **kwargs):
        out = []
        for seed in range(3):
            search = search_cls(
                Landscape(), n_iter=20, cv=2, random_state=seed, refit=False, **kwargs
            ).fit(TINY_X, TINY_Y)
            out.append(-max(search.cv_results_["mean_test_score"]))
        return np.median(out)

    distributions = {
        "a": uniform(0, 1), "b": loguniform(1e-4, 1e2), "c": randint(1, 21)
    }
    bayes = gaps(BayesSearchCV, search_spaces=LANDSCAPE)
    random = gaps(RandomizedSearchCV, param_distributions=distributions)
    assert bayes < 0.5 * random


class SlowWhere(ClassifierMixin, BaseEstimator):
    """Fits take 2 to 50 ms as ``slow`` goes from 0 to 1; the score ignores it."""

    def __init__(self, C=1.0, slow=0.0):
        self.C = C
        self.slow = slow

    def fit(self, X, y):
        time.sleep(0.002 + 0.048 * self.slow)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -np.log10(self.C) ** 2


def test_per_second_acquisition_learns_the_fit_times_and_saves_them():
    space = {"C": Real(1e-2, 1e2, prior="log-uniform"), "slow": Real(0.0, 1.0)}
    searches = {
        acq_func: BayesSearchCV(SlowWhere(), space, n_iter=14, n_initial_points=4,
                                cv=2, acq_func=acq_func, random_state=0).fit(TINY_X, TINY_Y)
        for acq_func in ("EI", "EIps")
    }
    results = searches["EIps"].cv_results_
    # the model is told each evaluation's fit and score time over its folds
    told = (results["mean_fit_time"] + results["mean_score_time"]) * 2
    np.testing.assert_allclose(searches["EIps"].optimizer_.costs, told)
    slow = {name: np.median([p["slow"] for p in search.cv_results_["params"][4:]])
            for name, search in searches.items()}
    assert slow["EIps"] < 0.2 < slow["EI"]
    assert abs(searches["EIps"].best_params_["C"] - 1.0) < 0.5


def test_batches_are_distinct_and_not_near_copies():
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=16, n_points=4, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    space = search.optimizer_.space
    params = search.cv_results_["params"]
    for start in range(4, 16, 4):
        encoded = space.transform(params[start : start + 4])
        gaps = np.abs(encoded[:, None] - encoded[None]).max(axis=2)
        assert gaps[np.triu_indices(4, 1)].min() >= 0.01


def test_same_seed_same_configurations_whatever_the_backend():
    def params(n_jobs, seed=7):
        search = BayesSearchCV(
            Landscape(), LANDSCAPE, n_iter=8, n_points=2, cv=2, n_jobs=n_jobs,
            random_state=seed,
        ).fit(TINY_X, TINY_Y)
        return search.cv_results_["params"]

    sequential = params(n_jobs=1)
    assert params(n_jobs=1) == sequential
    assert params(n_jobs=2) == sequential
    assert params(n_jobs=1, seed=8) != sequential


def test_random_state_instance_is_accepted():
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=4, cv=2, random_state=np.random.RandomState(0)
    ).fit(TINY_X, TINY_Y)
    assert len(search.cv_results_["params"]) == 4


def test_callbacks_stop_the_search():
    search = BayesSearchCV(
        Landscape(), {"c": Integer(1, 30)}, n_iter=30, cv=2, random_state=0,
        callbacks=[NoImprovementStopper(patience=3)],
    ).fit(TINY_X, TINY_Y)
    assert len(search.cv_results_["params"]) < 30
    assert "NoImprovementStopper" in search.stop_reason_


def test_stop_reason_is_none_when_the_search_runs_its_course():
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=3, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    assert search.stop_reason_ is None


class CountingLandscape(Landscape):
    """Counts fits across instances; raises KeyboardInterrupt at fit number N."""

    n_fits = 0
    interrupt_at = None

    def fit(self, X, y):
        CountingLandscape.n_fits += 1
        if CountingLandscape.n_fits == CountingLandscape.interrupt_at:
            raise KeyboardInterrupt
        return super().fit(X, y)


@pytest.fixture
def counting():
    CountingLandscape.n_fits = 0
    CountingLandscape.interrupt_at = None
    yield CountingLandscape
    CountingLandscape.interrupt_at = None


def test_resumed_search_replays_and_fits_only_what_is_missing(tmp_path, counting):
    def search(path=None):
        return BayesSearchCV(
            counting(), LANDSCAPE, n_iter=10, n_points=2, cv=2, random_state=0,
            checkpoint=path,
        )

    reference = search().fit(TINY_X, TINY_Y)
    path = tmp_path / "bayes.json"
    counting.n_fits, counting.interrupt_at = 0, 3 * 2 * 2 + 1  # in the 4th batch
    with pytest.raises(KeyboardInterrupt):
        search(path).fit(TINY_X, TINY_Y)
    counting.n_fits, counting.interrupt_at = 0, None
    resumed = search(path).fit(TINY_X, TINY_Y)
    assert counting.n_fits == 4 * 2 + 1  # 4 missing configurations x 2 folds + refit
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert resumed.best_params_ == reference.best_params_


def test_resume_with_a_larger_n_iter_stops_at_n_iter(tmp_path, counting):
    path = tmp_path / "bayes.json"
    BayesSearchCV(
        counting(), LANDSCAPE, n_iter=6, cv=2, random_state=0, checkpoint=path
    ).fit(TINY_X, TINY_Y)
    counting.n_fits = 0
    resumed = BayesSearchCV(
        counting(), LANDSCAPE, n_iter=10, cv=2, random_state=0, checkpoint=path
    ).fit(TINY_X, TINY_Y)
    assert len(resumed.cv_results_["params"]) == 10
    assert len(set(keys(resumed))) == 10
    assert counting.n_fits == 4 * 2 + 1  # 4 new configurations x 2 folds + refit


def test_warm_start_from_an_earlier_search_evaluates_only_new_configurations(counting):
    first = BayesSearchCV(
        counting(), LANDSCAPE, n_iter=6, cv=2, random_state=0
    ).fit(TINY_X, TINY_Y)
    second = BayesSearchCV(
        counting(), LANDSCAPE, n_iter=10, cv=2, random_state=1, warm_start_from=first
    ).fit(TINY_X, TINY_Y)
    params = second.cv_results_["params"]
    assert params[:6] == first.cv_results_["params"]
    assert len(params) == 10 and len(set(keys(second))) == 10
    assert second.best_score_ >= first.best_score_


def test_warm_start_scores_inform_the_model_only():
    told = [({"a": 0.3, "b": 0.01, "c": 7}, 0.0), ({"a": 0.9, "b": 10.0, "c": 1}, -2.0)]
    search = BayesSearchCV(
        Landscape(), LANDSCAPE, n_iter=3, cv=2, random_state=0, warm_start_from=told
    ).fit(TINY_X, TINY_Y)
    assert len(search.cv_results_["params"]) == 3
    assert search.optimizer_.points[:2] == [p for p, _ in told]
    assert told[0][0] not in search.cv_results_["params"]


# -- scikit-learn integration -----------------------------------------------


def test_pipeline_step_parameters_and_estimators_as_choices():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    space = [
        {"clf": [LogisticRegression()], "clf__C": loguniform(1e-2, 1e2)},
        {
            "clf": [DecisionTreeClassifier(random_state=0)],
            "clf__max_depth": Integer(1, 5),
        },
        {"scale": ["passthrough", StandardScaler()], "clf__C": [0.1, 1.0]},
    ]
    search = BayesSearchCV(pipe, space, n_iter=10, random_state=0).fit(X, y)
    kinds = {type(p.get("clf", LogisticRegression())).__name__
             for p in search.cv_results_["params"]}
    assert kinds == {"LogisticRegression", "DecisionTreeClassifier"}
    assert isinstance(search.best_estimator_, Pipeline)
    assert search.best_estimator_.get_params()["clf"] is not None


def test_nested_cross_validation():
    inner = BayesSearchCV(
        LogisticRegression(), {"C": loguniform(1e-2, 1e2)}, n_iter=4, cv=2,
        random_state=0,
    )
    scores = cross_val_score(inner, X, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.5)


def test_groups_reach_the_splitter():
    class GroupChecker(Landscape):
        def fit(self, X, y):
            in_train = set(X[:, 0] // 10)
            # Every group (10 consecutive rows) is wholly in or out.
            assert len(X) == 10 * len(in_train)
            return super().fit(X, y)

    groups = (TINY_X[:, 0] // 10).astype(int)
    search = BayesSearchCV(
        GroupChecker(), {"a": Real(0.0, 1.0)}, n_iter=3, cv=GroupKFold(2),
        error_score="raise",
    ).fit(TINY_X, TINY_Y, groups=groups)
    assert search.n_splits_ == 2


def test_sample_weight_is_routed_with_metadata_routing():
    class WeightRecorder(Landscape):
        seen = []

        def fit(self, X, y, sample_weight=None):
            seen = None if sample_weight is None else len(sample_weight)
            WeightRecorder.seen.append(seen)
            return super().fit(X, y)

    WeightRecorder.seen = []
    weights = np.ones(len(TINY_Y))
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = WeightRecorder().set_fit_request(sample_weight=True)
        BayesSearchCV(
            estimator, {"a": Real(0.0, 1.0)}, n_iter=3, cv=2, random_state=0
        ).fit(TINY_X, TINY_Y, sample_weight=weights)
    # 3 configurations x 2 folds of 20 rows, then the refit on 40.
    assert WeightRecorder.seen == [20] * 6 + [40]


def test_scikit_learn_progress_bar_callback():
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = BayesSearchCV(
        LogisticRegression(), {"C": loguniform(1e-2, 1e2)}, n_iter=4, n_points=2,
        cv=2, random_state=0,
    )
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4


def test_regressor_search():
    search = BayesSearchCV(
        Ridge(), {"alpha": loguniform(1e-3, 1e3)}, n_iter=5, random_state=0
    ).fit(X, y.astype(float))
    assert search.predict(X).shape == (len(X),)


# -- validation -------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_iter": 0}, "n_iter"),
        ({"n_points": 0}, "n_points"),
        ({"n_points": "many"}, "n_points"),
        ({"surrogate": "svm"}, "surrogate"),
        ({"acq_func": "nope"}, "Unknown acquisition"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"search_spaces": None}, "exactly one of search_spaces"),
        ({"search_spaces": {"zz": [1, 2]}}, "'zz'"),
    ],
)
def test_bad_settings_raise_before_any_fit(kwargs, match):
    class NeverFit(Landscape):
        def fit(self, X, y):
            raise AssertionError("fit must not be called")

    params = {"search_spaces": {"a": Real(0.0, 1.0)}, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        BayesSearchCV(NeverFit(), **params).fit(TINY_X, TINY_Y)


def test_constructor_only_stores_parameters():
    search = BayesSearchCV(Landscape(), LANDSCAPE, n_iter=3)
    assert search.get_params()["n_iter"] == 3
    assert search.get_params()["search_spaces"] is LANDSCAPE
    assert not [k for k in vars(search) if k.endswith("_")]


def test_user_search_space_is_left_unchanged():
    space = {"a": Real(0.0, 1.0), "c": [1, 2, 3]}
    before = repr(space)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BayesSearchCV(Landscape(), space, n_iter=3, cv=2, random_state=0).fit(
            TINY_X, TINY_Y
        )
    assert repr(space) == before
    assert space["a"].name is None



def test_model_effort_lightens_past_60_evaluations_by_count_only():
    # The effort follows the count, not the fit times: reproducible.
    X, y = make_regression(n_samples=40, n_features=2, noise=1.0, random_state=0)
    space = {"alpha": (1e-3, 1e3, "log-uniform"), "tol": (1e-5, 1e-1, "log-uniform")}

    def search(n_iter):
        return BayesSearchCV(Ridge(), space, n_iter=n_iter, cv=2,
                             random_state=0).fit(X, y)

    short, long = search(40), search(66)
    assert short.optimizer_.effort_.name == "full"
    assert long.optimizer_.effort_.name == "light"
    assert long.cv_results_["params"][:40] == short.cv_results_["params"]
    assert search(66).cv_results_["params"] == long.cv_results_["params"]
