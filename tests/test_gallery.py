"""scikit-learn's gallery examples that use its searches, with ours swapped in.

The gallery (``examples/model_selection/`` and others in scikit-learn's
repository) is not installed with scikit-learn and CI has no network, so
these are our own short equivalents of what those examples do with a search,
written the way the examples write it, only the class name changed. Each
names the example it follows.
"""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, make_scorer, precision_score
from sklearn.model_selection import KFold, cross_val_score, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skhyper import BayesSearchCV as GridSearchCV
from skhyper import BayesSearchCV as RandomizedSearchCV
from skhyper import SuccessiveHalvingSearchCV as HalvingGridSearchCV

pytestmark = [
    pytest.mark.slow,
    # The examples' own models warn as they do with scikit-learn's searches.
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning"),
    pytest.mark.filterwarnings("ignore:Scoring failed:UserWarning"),
]


def test_grid_search_digits_multiple_scores_and_refit_callable():
    # plot_grid_search_digits.py: precision and recall, refit by a callable.
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X[:600], (y[:600] == 8), test_size=0.5, random_state=0
    )
    grid = [{"kernel": ["rbf"], "gamma": [1e-3, 1e-4], "C": [1, 10, 100]},
            {"kernel": ["linear"], "C": [1, 10, 100]}]

    def refit_strategy(cv_results):
        precise = np.flatnonzero(cv_results["mean_test_precision"] >= 0.9)
        if len(precise) == 0:
            return int(np.argmax(cv_results["mean_test_recall"]))
        return int(precise[np.argmax(cv_results["mean_test_recall"][precise])])

    search = GridSearchCV(SVC(), param_grid=grid, scoring=["precision", "recall"],
                          refit=refit_strategy).fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 9  # the whole grid
    assert search.best_index_ == refit_strategy(search.cv_results_)
    assert np.mean(search.predict(X_test) == y_test) > 0.5


def test_randomized_search_next_to_grid_search():
    # plot_randomized_search.py: the same estimator, a grid and distributions.
    X, y = load_digits(return_X_y=True)
    X, y = X[:500], y[:500]
    clf = SGDClassifier(loss="hinge", penalty="elasticnet", fit_intercept=True)
    dists = {"average": [True, False], "l1_ratio": np.linspace(0, 1, num=5),
             "alpha": loguniform(1e-2, 1e0)}
    random_search = RandomizedSearchCV(clf, param_distributions=dists, n_iter=6,
                                       random_state=0).fit(X, y)
    grid = {"average": [True, False], "l1_ratio": np.linspace(0, 1, num=3),
            "alpha": np.power(10, np.arange(-2, 1, dtype=float))}
    grid_search = GridSearchCV(clf, param_grid=grid).fit(X, y)
    assert len(random_search.cv_results_["params"]) == 6
    assert len(grid_search.cv_results_["params"]) == 18
    for search in (random_search, grid_search):
        rank_1 = np.flatnonzero(search.cv_results_["rank_test_score"] == 1)
        assert search.best_index_ in rank_1


def test_multi_metric_evaluation_with_a_refit_key():
    # plot_multi_metric_evaluation.py: a dict of scorers, refit on one.
    X, y = make_classification(n_samples=300, random_state=42)
    scoring = {"AUC": "roc_auc", "Accuracy": make_scorer(accuracy_score)}
    search = GridSearchCV(
        DecisionTreeClassifier(random_state=42),
        param_grid={"min_samples_split": range(2, 403, 100)},
        scoring=scoring, refit="AUC", return_train_score=True,
    ).fit(X, y)
    results = search.cv_results_
    assert list(results["param_min_samples_split"]) == [2, 102, 202, 302, 402]
    for key in ("mean_test_AUC", "mean_train_Accuracy", "rank_test_Accuracy"):
        assert key in results
    assert search.best_score_ == results["mean_test_AUC"][search.best_index_]


def test_nested_cross_validation():
    # plot_nested_cross_validation_iris.py: a search inside cross_val_score.
    X, y = load_iris(return_X_y=True)
    grid = {"C": [1, 10, 100], "gamma": [0.01, 0.1]}
    inner = outer = KFold(4, shuffle=True, random_state=0)
    search = GridSearchCV(SVC(kernel="rbf"), param_grid=grid, cv=inner)
    nested = cross_val_score(search, X=X, y=y, cv=outer)
    non_nested = search.fit(X, y).best_score_
    assert nested.shape == (4,) and np.all(nested > 0.8)
    assert non_nested >= nested.mean() - 0.1


def test_text_feature_extraction_with_tuple_choices():
    # plot_grid_search_text_feature_extraction.py: tuples as choices in a
    # pipeline's grid (ngram_range), a randomized search over it.
    docs = ["the cat sat", "a dog ran", "the dog sat", "a cat ran", "cats and dogs",
            "the cat ran", "a dog sat", "dogs run", "cats sit", "the dogs ran"] * 3
    target = [0, 1, 0, 1, 1, 0, 1, 1, 0, 1] * 3
    pipeline = Pipeline([("vect", TfidfVectorizer()), ("clf", ComplementNB())])
    grid = {"vect__ngram_range": ((1, 1), (1, 2)), "vect__norm": ("l1", "l2"),
            "clf__alpha": np.logspace(-3, 0, 4)}
    search = RandomizedSearchCV(pipeline, param_distributions=grid, n_iter=5,
                                random_state=0, cv=3).fit(docs, target)
    ranges = {p["vect__ngram_range"] for p in search.cv_results_["params"]}
    assert ranges <= {(1, 1), (1, 2)}
    assert len(search.cv_results_["params"]) == 5


def test_successive_halving_heatmap():
    # plot_successive_halving_heatmap.py: a halving grid over gamma and C,
    # read back rung by rung.
    X, y = make_classification(n_samples=600, random_state=0)
    grid = {"gamma": [1e-3, 1e-2, 1e-1, 1], "C": [1, 10, 100, 1000]}
    search = HalvingGridSearchCV(SVC(), param_grid=grid, factor=2,
                                 random_state=0).fit(X, y)
    history = search.all_cv_results_
    assert len(search.n_candidates_) == search.n_iterations_
    assert sorted(set(history["iter"])) == list(range(search.n_iterations_))
    assert search.best_params_ in history["params"]


def test_refit_callable_balancing_score_and_simplicity():
    # plot_grid_search_refit_callable.py: the simplest model within one
    # standard deviation of the best.
    X, y = load_digits(return_X_y=True)
    X, y = X[:400], y[:400]

    def best_low_complexity(cv_results):
        scores = cv_results["mean_test_score"]
        threshold = scores.max() - cv_results["std_test_score"][scores.argmax()]
        candidates = np.flatnonzero(scores >= threshold)
        c_values = cv_results["param_C"][candidates]
        return int(candidates[np.argmin(c_values)])

    search = GridSearchCV(LogisticRegression(max_iter=2000),
                          param_grid={"C": [0.001, 0.01, 0.1, 1]},
                          scoring=make_scorer(precision_score, average="macro"),
                          refit=best_low_complexity).fit(X, y)
    assert search.best_index_ == best_low_complexity(search.cv_results_)
    assert not hasattr(search, "best_score_")
