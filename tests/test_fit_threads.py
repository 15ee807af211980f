"""The BLAS / OpenMP threads of each fit dispatched by an asynchronous search."""

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from skhyper import BayesSearchCV, fit_threads

X, y = make_classification(n_samples=60, random_state=0)


class ThreadsSeen(ClassifierMixin, BaseEstimator):
    """Scores the number of BLAS threads its ``fit`` was allowed."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        from threadpoolctl import threadpool_info

        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        self.threads_ = blas[0]["num_threads"] if blas else np.nan
        self.classes_ = np.unique(y)
        return self

    def score(self, X, y):
        return self.threads_


def _threads_seen(**kwargs):
    search = BayesSearchCV(
        ThreadsSeen(), {"C": (0.1, 10.0, "log-uniform")}, n_iter=4, cv=2,
        n_jobs=2, asynchronous=True, random_state=0, refit=False, **kwargs,
    )
    with joblib.parallel_config(backend="loky"):
        search.fit(X, y)
    # The last row is the search's last unit, which scikit-learn's own
    # evaluate_candidates fits (joblib limits its threads).
    return set(search.cv_results_["mean_test_score"][:-1])


def test_fit_threads_sets_the_limit_of_each_fit():
    if not any(p["user_api"] == "blas" for p in __import__(
        "threadpoolctl"
    ).threadpool_info()):
        pytest.skip("no BLAS library loaded")
    with fit_threads(2):
        assert _threads_seen() == {2.0}
    with fit_threads(1):
        assert _threads_seen() == {1.0}
    expected = max(1, joblib.cpu_count() // 2)
    assert _threads_seen() == {float(expected)}


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_fit_threads_refuses_what_is_not_a_positive_integer(bad):
    with pytest.raises(ValueError, match="n_threads"):
        with fit_threads(bad):
            pass
