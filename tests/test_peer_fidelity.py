"""Fidelity to code written for the peers: every subspace of a small budget,
and the grid's own values back in ``best_params_`` and ``cv_results_``."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from skhyper import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV

SUBSPACES = [
    {"solver": [solver], "alpha": (1e-3, 1e3, "log-uniform")}
    for solver in ("svd", "cholesky", "lsqr")
]


@pytest.mark.parametrize("surrogate", ["gp", "tpe"])
@pytest.mark.parametrize("n_iter", [3, 4, 6])
def test_every_subspace_evaluated_once_the_budget_allows(n_iter, surrogate):
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    for seed in range(10):
        search = BayesSearchCV(
            Ridge(), SUBSPACES, n_iter=n_iter, cv=3, surrogate=surrogate,
            random_state=seed,
        ).fit(X, y)
        solvers = {p["solver"] for p in search.cv_results_["params"]}
        assert solvers == {"svd", "cholesky", "lsqr"}, (seed, solvers)


def test_every_subspace_even_below_the_users_initial_design():
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    for seed in range(10):
        search = BayesSearchCV(
            Ridge(), SUBSPACES, n_iter=4, n_initial_points=1, cv=3,
            random_state=seed,
        ).fit(X, y)
        assert len({p["solver"] for p in search.cv_results_["params"]}) == 3, seed


GRID = {"C": np.logspace(-2, 1, 4), "kernel": np.array(["linear", "rbf"])}


def _same_objects(params, expected):
    assert [sorted(p) for p in params] == [sorted(p) for p in expected]
    for p, q in zip(params, expected):
        for name in q:
            assert type(p[name]) is type(q[name]) and p[name] == q[name]


def _grid_search():
    X, y = load_iris(return_X_y=True)
    return X, y, GridSearchCV(SVC(), GRID, cv=3).fit(X, y)


def test_grid_values_come_back_as_gridsearchcv_returns_them():
    X, y, grid = _grid_search()
    whole = BayesSearchCV(SVC(), param_grid=GRID, cv=3).fit(X, y)
    _same_objects(whole.cv_results_["params"], grid.cv_results_["params"])
    _same_objects([whole.best_params_], [grid.best_params_])
    modelled = BayesSearchCV(SVC(), GRID, n_iter=5, cv=3, random_state=0).fit(X, y)
    grid_params = grid.cv_results_["params"]
    for p in modelled.cv_results_["params"] + [modelled.best_params_]:
        twin = next(q for q in grid_params if q == p)
        _same_objects([p], [twin])


@pytest.mark.parametrize("search_cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_halving_searches_return_the_grids_values(search_cls):
    X, y, grid = _grid_search()
    search = search_cls(
        SVC(), GRID, cv=3, min_resources=20, random_state=0
    ).fit(X, y)
    grid_params = grid.cv_results_["params"]
    for p in search.cv_results_["params"] + [search.best_params_]:
        twin = next(q for q in grid_params if q == p)
        _same_objects([p], [twin])


def test_resumed_search_keeps_the_grids_values(tmp_path):
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.json"
    first = BayesSearchCV(
        SVC(), GRID, n_iter=5, cv=3, random_state=0, checkpoint=path
    ).fit(X, y)
    resumed = BayesSearchCV(
        SVC(), GRID, n_iter=5, cv=3, random_state=0, checkpoint=path
    ).fit(X, y)
    _same_objects(resumed.cv_results_["params"], first.cv_results_["params"])
    assert type(resumed.best_params_["C"]) is np.float64
