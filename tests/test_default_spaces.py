"""Default search spaces: every listed estimator runs a real search."""

import numpy as np
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from skhyper import (
    BayesSearchCV,
    Real,
    SuccessiveHalvingSearchCV,
    default_space,
    silhouette_scorer,
)
from skhyper.searches._default_spaces import DEFAULT_SPACES, known_estimators

Xc, yc = make_classification(n_samples=100, n_features=5, random_state=0)
Xr, yr = make_regression(n_samples=100, n_features=5, noise=1.0, random_state=0)
Xb, _ = make_blobs(n_samples=120, centers=3, random_state=0)


def _estimator(cls):
    params = cls().get_params()
    extra = {"random_state": 0} if "random_state" in params else {}
    if "max_iter" in params and cls.__name__.startswith("MLP"):
        extra["max_iter"] = 20
    if params.get("dual") == "warn":  # scikit-learn 1.4's LinearSVC/LinearSVR
        extra["dual"] = "auto"
    return cls(**extra)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("cls", list(DEFAULT_SPACES), ids=lambda c: c.__name__)
def test_a_search_fits_on_every_listed_estimator(cls):
    estimator = _estimator(cls)
    if is_classifier(estimator):
        X, y = Xc, yc
    elif is_regressor(estimator):
        X, y = Xr, yr
    else:
        X, y = Xb, None
    with threadpool_limits(1):  # OpenMP boosting on a busy machine
        search = BayesSearchCV(make_pipeline(StandardScaler(), estimator), n_iter=3,
                               n_initial_points=2, cv=2, random_state=0).fit(X, y)
    step = type(estimator).__name__.lower()
    space = default_space(estimator)
    assert sorted(search.best_params_) == sorted(f"{step}__{k}" for k in space)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.scoring is None  # the parameter is left as given


def test_auto_and_no_space_are_the_same_search():
    a = BayesSearchCV(SVC(), n_iter=4, cv=3, random_state=0).fit(Xc, yc)
    b = BayesSearchCV(SVC(), "auto", n_iter=4, cv=3, random_state=0).fit(Xc, yc)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert set(a.best_params_) == {"C", "gamma", "kernel"}


def test_the_space_is_fresh_and_editable():
    space = default_space(LogisticRegression())
    assert set(space) == {"C"} and space["C"].prior == "log-uniform"
    space["C"] = Real(1e-2, 1e2, prior="log-uniform")
    assert default_space(LogisticRegression())["C"].low == 1e-4
    search = BayesSearchCV(LogisticRegression(), space, n_iter=3, cv=2,
                           random_state=0).fit(Xc, yc)
    assert 1e-2 <= search.best_params_["C"] <= 1e2


def test_nested_pipelines_prefix_every_level():
    inner = make_pipeline(StandardScaler(), SVC())
    outer = make_pipeline(StandardScaler(), inner)
    assert sorted(default_space(outer)) == [
        "pipeline__svc__C", "pipeline__svc__gamma", "pipeline__svc__kernel"
    ]


def test_unknown_estimator_lists_the_known_ones():
    from sklearn.naive_bayes import GaussianNB

    with pytest.raises(ValueError, match="GaussianNB.*Known estimators: .*SVC"):
        default_space(make_pipeline(StandardScaler(), GaussianNB()))
    with pytest.raises(ValueError, match="No search space was given.*GaussianNB"):
        BayesSearchCV(GaussianNB(), n_iter=2).fit(Xc, yc)
    assert "KMeans" in known_estimators() and "LogisticRegression" in known_estimators()


def test_kmeans_is_scored_by_the_silhouette_and_finds_the_blobs():
    search = BayesSearchCV(KMeans(random_state=0), n_iter=12, cv=3,
                           random_state=0).fit(Xb)
    assert search.scorer_ is silhouette_scorer
    assert search.best_params_["n_clusters"] == 3
    assert search.scoring is None
    # an explicit scoring wins over the default one
    explicit = BayesSearchCV(KMeans(random_state=0), n_iter=3, cv=3, random_state=0,
                             scoring=lambda est, X, y=None: -est.inertia_).fit(Xb)
    assert explicit.scorer_ is not silhouette_scorer


def test_silhouette_scorer_on_degenerate_labels():
    km = KMeans(n_clusters=2, random_state=0, n_init=1).fit(Xb)
    assert -1 <= silhouette_scorer(km, Xb) <= 1
    assert silhouette_scorer(km, Xb[:1]) == -1.0


def test_other_searches_use_default_spaces_too():
    search = SuccessiveHalvingSearchCV(LogisticRegression(), n_candidates=4, cv=2,
                                       random_state=0).fit(Xc, yc)
    assert set(search.best_params_) == {"C"}


def test_a_halving_resource_is_left_out_of_the_default_space():
    from sklearn.ensemble import RandomForestClassifier

    search = SuccessiveHalvingSearchCV(
        RandomForestClassifier(random_state=0), resource="n_estimators",
        max_resources=30, n_candidates=3, cv=2, random_state=0,
    ).fit(Xc, yc)
    assert set(search.best_params_) == {"max_features", "min_samples_leaf",
                                        "n_estimators"}
    assert search.best_params_["n_estimators"] == 30  # the resource, not searched
