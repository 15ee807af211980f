"""Searches on other joblib backends: loky processes and a real dask cluster."""

import os
import pickle

import joblib
import numpy as np
import pytest
from search_doubles import BatchedRandomSearch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skhyper import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV

X, y = make_classification(n_samples=80, random_state=0)


SPACE = {"C": (0.01, 10.0, "log-uniform")}
SEARCHES = {
    "double": lambda **kw: BatchedRandomSearch(
        LogisticRegression(), SPACE, n_iter=6, batch=3, cv=3, random_state=0, **kw
    ),
    "bayes": lambda **kw: BayesSearchCV(
        LogisticRegression(), SPACE, n_iter=6, n_points=2, cv=3, random_state=0, **kw
    ),
    "halving": lambda **kw: SuccessiveHalvingSearchCV(
        LogisticRegression(), SPACE, n_candidates=4, factor=2, min_resources=40,
        cv=3, random_state=0, **kw
    ),
    "hyperband": lambda **kw: HyperbandSearchCV(
        LogisticRegression(), SPACE, factor=2, min_resources=40, cv=3,
        proposer="bayes", random_state=0, **kw
    ),
}


def _search(**kwargs):
    return SEARCHES["double"](**kwargs)


def _same_results(a, b):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_allclose(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("kind", SEARCHES)
def test_loky_processes_give_the_same_results(kind):
    make = SEARCHES[kind]
    _same_results(make(n_jobs=2).fit(X, y), make().fit(X, y))


@pytest.mark.parametrize("kind", SEARCHES)
def test_fitted_search_pickles_with_identical_predictions(kind):
    search = SEARCHES[kind]().fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.cv_results_["params"] == search.cv_results_["params"]


class DiesWhenC(ClassifierMixin, BaseEstimator):
    """Kills its worker process when fitted with ``C == die_at``."""

    def __init__(self, C=1.0, die_at=None):
        self.C = C
        self.die_at = die_at

    def fit(self, X, y):
        if self.C == self.die_at:
            os._exit(1)
        self.classes_ = np.unique(y)
        return self

    def score(self, X, y):
        return self.C


def test_dead_worker_is_an_error_and_checkpointed_batches_survive(tmp_path):
    path = tmp_path / "search.json"
    space = {"C": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    order = [p["C"] for p in BatchedRandomSearch(
        DiesWhenC(), space, n_iter=6, batch=2, cv=2, random_state=0
    ).fit(X, y).cv_results_["params"]]
    search = BatchedRandomSearch(
        DiesWhenC(die_at=order[4]), space, n_iter=6, batch=2, cv=2,
        random_state=0, n_jobs=2, checkpoint=path,
    )
    with pytest.raises(Exception, match="(?i)worker|terminated|process"):
        search.fit(X, y)
    assert [p["C"] for p in search.cv_results_["params"]] == order[:4]
    resumed = BatchedRandomSearch(
        DiesWhenC(die_at=order[4]), space, n_iter=4, batch=2, cv=2,
        random_state=0, checkpoint=path,
    )
    resumed.fit(X, y)  # nothing left to run: no worker dies
    assert [p["C"] for p in resumed.cv_results_["params"]] == order[:4]


@pytest.mark.slow
@pytest.mark.parametrize("kind", SEARCHES)
def test_dask_cluster_gives_the_same_results(dask_client, kind):
    make = SEARCHES[kind]
    with joblib.parallel_config(backend="dask"):
        on_dask = make(n_jobs=-1).fit(X, y)
    _same_results(on_dask, make().fit(X, y))
    workers = dask_client.scheduler_info()["workers"]
    assert len(workers) == 2
