"""Checkpoints written before the scheduling engine was rewritten still resume.

``tests/data/checkpoint_*_before_engine.json`` were written by the searches
below with the code of commit f9f8d1e (the two engines, before policies and
drivers), on the data made here.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest

from skhyper import BayesSearchCV, Real, SuccessiveHalvingSearchCV

from search_doubles import FailsWhenC

DATA = Path(__file__).resolve().parent / "data"
rng = np.random.RandomState(0)
X = rng.normal(size=(90, 3))
y = (X[:, 0] > 0).astype(int)


def _copy(name, tmp_path):
    path = tmp_path / name
    shutil.copy(DATA / name, path)
    return path


def _stored_params(path):
    import json

    document = json.loads(path.read_text())
    return document["params"], document["columns"]


@pytest.fixture(autouse=True)
def _count_fits():
    FailsWhenC.n_fits = 0


def test_a_bayes_checkpoint_of_the_old_engine_is_replayed_then_extended(tmp_path):
    path = _copy("checkpoint_bayes_before_engine.json", tmp_path)
    _, columns = _stored_params(path)
    search = BayesSearchCV(
        FailsWhenC(), {"C": Real(0.1, 10.0, prior="log-uniform")}, n_iter=8, cv=3,
        random_state=0, checkpoint=path,
    ).fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 8
    # The 6 stored rows are replayed, not fitted: 2 new candidates x 3 folds,
    # and the refit.
    assert FailsWhenC.n_fits == 2 * 3 + 1
    np.testing.assert_allclose(
        results["mean_test_score"][:6], columns["mean_test_score"]
    )


def test_a_halving_checkpoint_of_the_old_engine_resumes_without_fitting(tmp_path):
    path = _copy("checkpoint_halving_before_engine.json", tmp_path)
    _, columns = _stored_params(path)
    search = SuccessiveHalvingSearchCV(
        FailsWhenC(), {"C": [0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]},
        factor=3, cv=3, random_state=0, min_resources=10, checkpoint=path,
    ).fit(X, y)
    results = search.all_cv_results_
    assert list(results["iter"]) == columns["iter"]
    np.testing.assert_allclose(results["mean_test_score"], columns["mean_test_score"])
    # Everything was stored: one re-evaluation (scikit-learn needs a call of
    # its own, 3 folds) and the refit.
    assert FailsWhenC.n_fits == 3 + 1
    assert search.best_params_["C"] == 8.0
