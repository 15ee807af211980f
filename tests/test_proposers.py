"""The proposer protocol: one contract over every proposer of the registry."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier

from skhyper import BayesSearchCV, Categorical, HyperbandSearchCV, Integer, Real, Space
from skhyper.optimizer._by_resource import ByResource
from skhyper.optimizer._grid import GridProposer
from skhyper.optimizer._random import RandomProposer
from skhyper.optimizer._registry import (
    HALVING_PROPOSERS,
    MODELS,
    make_halving_proposer,
    make_model,
    resolve_halving_proposer,
)
from skhyper.optimizer._tpe import TPEProposer, default_gamma, recency_weights

MIXED = Space([
    {"lr": Real(1e-4, 1.0, prior="log-uniform"), "depth": Integer(1, 12),
     "kind": Categorical(["a", "b", "c"])},
    {"alpha": Real(0.0, 1.0), "kind": ["d"]},
])
FINITE = Space({"a": [1, 2, 3], "b": Integer(0, 3)})


def _objective(point):
    return -sum((v if isinstance(v, (int, float)) else len(v)) * 0.1
                for v in point.values())


def _models(space, seed):
    return {name: make_model(name, space, random_state=seed, n_initial_points=4)
            for name in MODELS}


def _halving(space, seed):
    return {f"halving-{name}": make_halving_proposer(name, space, seed)
            for name in HALVING_PROPOSERS
            if resolve_halving_proposer(name, space) != "grid" or space.is_finite}


def _every(space, seed=0):
    proposers = {**_models(space, seed), **_halving(space, seed),
                 "random": RandomProposer(space, random_state=seed)}
    if space.is_finite:
        proposers["grid"] = GridProposer(space, random_state=seed)
    return proposers


NAMES = sorted(set(_every(MIXED)) | set(_every(FINITE)))


def _space_for(name):
    return FINITE if name in ("grid", "halving-grid") else MIXED


def _tell(proposer, points, scores, resource=1):
    proposer.tell(points, scores, resource=resource)


def _run(proposer, space, rounds, batch=3):
    asked = []
    for i in range(rounds):
        points = proposer.ask(batch)
        asked += points
        scores = [_objective(p) for p in points]
        if i == 1:
            scores[0] = np.nan  # a failed fit
        _tell(proposer, points, scores)
    return asked


def _keys(space, points):
    return [space.key(p) for p in points]


@pytest.mark.parametrize("name", NAMES)
def test_asks_are_distinct_configurations_of_the_space(name):
    for space in (MIXED, FINITE):
        proposers = _every(space)
        if name not in proposers:
            continue
        asked = _run(proposers[name], space, rounds=3)
        assert all(space.contains(p) for p in asked)
        assert len(set(_keys(space, asked))) == len(asked) == 9


@pytest.mark.parametrize("name", NAMES)
def test_finite_space_exhausts_with_exactly_its_size(name):
    proposer = _every(FINITE)[name]
    if isinstance(proposer, GridProposer) and proposer.order == "random":
        pytest.skip("the halving grid draws from the whole grid again (own test)")
    asked = []
    for _ in range(10):
        points = proposer.ask(5)
        asked += points
        _tell(proposer, points, [_objective(p) for p in points])
        if len(points) < 5:
            break
    assert len(asked) == len(set(_keys(FINITE, asked))) == FINITE.size == 12
    assert proposer.is_exhausted
    assert proposer.ask(3) == []


@pytest.mark.parametrize("name", NAMES)
def test_pending_configurations_are_not_proposed_again(name):
    proposer = _every(_space_for(name))[name]
    space = proposer.space
    first = proposer.ask(4)
    second = proposer.ask(4)
    assert not set(_keys(space, first)) & set(_keys(space, second))
    assert {proposer.space.key(p) for p in proposer.pending} >= set(
        _keys(space, first + second))


@pytest.mark.parametrize("name", NAMES)
def test_failed_evaluations_are_told_as_nan(name):
    proposer = _every(_space_for(name))[name]
    for _ in range(3):
        points = proposer.ask(3)
        _tell(proposer, points, [np.nan] * len(points))
    assert np.isnan(proposer.scores).all() and len(proposer.points) == 9
    assert len(proposer.ask(2)) == 2


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_and_tells_same_asks(name):
    space = _space_for(name)
    runs = [_run(_every(space, seed=7)[name], space, rounds=4) for _ in range(2)]
    assert _keys(space, runs[0]) == _keys(space, runs[1])


def test_registry_names_feed_the_searches():
    assert set(BayesSearchCV._parameter_constraints["surrogate"][0].options) == set(
        MODELS)
    assert {"gp", "forest", "auto", "tpe"} <= set(MODELS)
    assert HyperbandSearchCV._parameter_constraints["proposer"][0].options == set(
        HALVING_PROPOSERS)
    assert {"auto", "grid", "random", "bayes", "tpe"} <= set(HALVING_PROPOSERS)
    with pytest.raises(ValueError, match="Unknown proposer 'smac'"):
        make_model("smac", MIXED)
    with pytest.raises(ValueError, match="Unknown proposer 'smac'"):
        make_halving_proposer("smac", MIXED, 0)


def test_options_a_proposer_does_not_take_are_left_out():
    tpe = make_model("tpe", MIXED, acq_func="PI", pending_rule="believer",
                     n_initial_points=3, random_state=0)
    assert isinstance(tpe, TPEProposer) and tpe.n_initial_points_ == 3
    gp = make_model("gp", MIXED, acq_func="PI", random_state=0)
    assert gp.surrogate_ == "gp"


# -- grid orders ---------------------------------------------------------------


def test_grid_order_is_parameter_grid_order():
    grid = GridProposer({"b": [1, 2], "a": ["x", "y"]})
    assert grid.ask(3) == [{"a": "x", "b": 1}, {"a": "x", "b": 2}, {"a": "y", "b": 1}]
    grid.tell([{"a": "y", "b": 2}], 0.5)
    assert grid.ask(2) == [] and grid.is_exhausted


def test_grid_random_order_takes_subsets_then_draws_the_whole_grid_again():
    grid = GridProposer(FINITE, order="random", random_state=0)
    first = grid.ask(8)
    keys = _keys(FINITE, first)
    assert len(set(keys)) == 8 and keys == sorted(keys)  # kept in grid order
    second = grid.ask(6)  # 4 left, then 2 of the whole grid again
    assert set(_keys(FINITE, second[:4])).isdisjoint(keys)
    assert len(second) == 6 and not grid.is_exhausted


# -- multi-fidelity ------------------------------------------------------------


def test_by_resource_models_the_highest_level_with_enough_scores():
    space = Space({"x": Real(0.0, 1.0)})
    proposer = ByResource(MODELS["tpe"], space, random_state=0, min_points=4)
    first = proposer.ask(6)
    assert proposer.level_ is None and proposer.optimizer_ is None
    proposer.tell(first, [-(p["x"] - 0.3) ** 2 for p in first], resource=1)
    proposer.tell(first[:3], [-(p["x"] - 0.3) ** 2 for p in first[:3]], resource=3)
    points = proposer.ask(6)
    assert proposer.level_ == 1 and len(points) == 6
    assert len(proposer.optimizer_.points) == 6
    proposer.tell(points[:1], [0.0], resource=3)
    proposer.ask(3)
    assert proposer.level_ == 3


def test_every_model_works_under_by_resource():
    for name, factory in MODELS.items():
        proposer = ByResource(factory, MIXED, random_state=1, min_points=3)
        for resource in (1, 3, 9):
            points = proposer.ask(4)
            proposer.tell(points, [_objective(p) for p in points], resource)
        assert len(set(_keys(MIXED, proposer.points))) == 12, name
        assert len(proposer.ask(2)) == 2 and proposer.level_ == 9


def test_halving_proposers_learn_from_what_they_are_told():
    proposer = make_halving_proposer("tpe", Space({"x": Real(0.0, 1.0)}), 0)
    first = proposer.ask(6)
    proposer.tell(first, [-p["x"] for p in first], 1)
    proposer.ask(3)
    assert proposer.level_ == 1


# -- TPE -----------------------------------------------------------------------


def test_default_gamma_is_ten_percent_up_to_25():
    assert [default_gamma(n) for n in (1, 10, 11, 100, 1000)] == [1, 1, 2, 10, 25]


def test_recent_observations_keep_full_weight_older_ones_fade():
    assert (recency_weights(np.arange(25)) == 1).all()
    weights = recency_weights(np.arange(30)[::-1])  # the first is the newest
    assert (weights[:25] == 1).all()
    assert np.all(np.diff(weights[25:]) < 0) and weights[-1] == pytest.approx(1 / 30)


def test_tpe_starts_with_ten_configurations_by_default():
    assert TPEProposer(MIXED).n_initial_points_ == 10
    assert make_model("gp", MIXED).n_initial_points_ == 6


def test_tpe_concentrates_on_the_good_region():
    tpe = TPEProposer({"x": Real(0.0, 1.0)}, random_state=0)
    for _ in range(40):
        points = tpe.ask()
        tpe.tell(points, [-(p["x"] - 0.7) ** 2 for p in points])
    late = np.array([p["x"] for p in tpe.points[-20:]])
    assert np.median(np.abs(late - 0.7)) < 0.1  # uniform draws: 0.25


def _branin(p):
    x, y = p["x"], p["y"]
    return -((y - 5.1 / (4 * np.pi**2) * x**2 + 5 / np.pi * x - 6) ** 2
             + 10 * (1 - 1 / (8 * np.pi)) * np.cos(x) + 10)


def _log_sphere(p):
    return -sum((np.log10(p[k]) - c) ** 2 for k, c in zip("abc", (-1, 0.5, 1.5)))


def _mixed(p):
    return -((p["x"] - 0.3) ** 2 * 4 + (p["k"] != "c") * 0.7
             + (p["n"] - 13) ** 2 / 40)


SYNTHETIC = [
    (_branin, {"x": Real(-5.0, 10.0), "y": Real(0.0, 15.0)}),
    (_log_sphere, {k: Real(1e-4, 1e4, prior="log-uniform") for k in "abc"}),
    (_mixed, {"x": Real(0.0, 1.0), "k": ["a", "b", "c", "d", "e"],
              "n": Integer(1, 30)}),
]


@pytest.mark.parametrize("objective, space", SYNTHETIC)
def test_tpe_beats_random_search(objective, space):
    tpe_best, random_best = [], []
    for seed in range(6):
        tpe = TPEProposer(space, random_state=seed)
        for _ in range(40):
            points = tpe.ask()
            tpe.tell(points, [objective(p) for p in points])
        tpe_best.append(tpe.scores.max())
        drawn = RandomProposer(space, random_state=seed).ask(40)
        random_best.append(max(objective(p) for p in drawn))
    # Normalized to the random search's median: TPE closes most of the gap.
    best = max(tpe_best + random_best)
    lo = np.median(random_best)
    gain = (np.median(tpe_best) - lo) / (best - lo)
    assert gain > 0.5
    assert np.mean(np.array(tpe_best) > np.array(random_best)) >= 4 / 6


def test_tpe_batches_spread_and_subspaces_compete():
    tpe = TPEProposer(MIXED, n_initial_points=4, random_state=0)
    for _ in range(10):
        points = tpe.ask(3)
        tpe.tell(points, [p["alpha"] if "alpha" in p else
                          (np.nan if p["depth"] > 8 else -p["lr"])
                          for p in points])
    late = [p["alpha"] for p in tpe.points[-12:] if "alpha" in p]
    # The better subspace keeps a good share, and there the good region.
    assert len(late) >= 4 and np.median(late) > 0.8
    assert len(set(_keys(MIXED, tpe.points))) == 30


def test_tpe_rejects_bad_options():
    with pytest.raises(ValueError, match="bandwidth"):
        TPEProposer(MIXED, bandwidth="silverman")
    with pytest.raises(ValueError, match="n_candidates"):
        TPEProposer(MIXED, n_candidates=0)
    with pytest.raises(ValueError, match="prior_weight"):
        TPEProposer(MIXED, prior_weight=0.0)


# -- through the searches ------------------------------------------------------


def test_bayes_search_with_tpe():
    X, y = load_iris(return_X_y=True)
    space = {"C": Real(1e-3, 1e2, prior="log-uniform"), "fit_intercept": [True, False]}

    def fit():
        return BayesSearchCV(LogisticRegression(max_iter=300), space, n_iter=12,
                             surrogate="tpe", cv=3, random_state=0).fit(X, y)

    search, again = fit(), fit()
    assert len(search.cv_results_["params"]) == 12
    assert isinstance(search.optimizer_, TPEProposer)
    assert search.optimizer_.n_initial_points_ == 4  # a third of n_iter
    assert Space(space).contains(search.best_params_)
    assert search.best_score_ > 0.9
    assert search.cv_results_["params"] == again.cv_results_["params"]


def test_hyperband_with_tpe_is_bohb_with_tpe():
    X, y = load_iris(return_X_y=True)
    space = {"max_depth": Integer(1, 8), "min_samples_leaf": [1, 2, 4]}

    def fit():
        return HyperbandSearchCV(
            RandomForestClassifier(random_state=0), space, resource="n_estimators",
            max_resources=27, factor=3, cv=3, random_state=0, proposer="tpe",
        ).fit(X, y)

    search, again = fit(), fit()
    assert search.proposer_ == "tpe"
    n_rows = sum(sum(n) for n in search.n_candidates_)
    assert len(search.cv_results_["params"]) == n_rows
    best = {k: v for k, v in search.best_params_.items() if k != "n_estimators"}
    assert Space(space).contains(best)
    assert search.cv_results_["params"] == again.cv_results_["params"]
