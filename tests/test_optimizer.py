"""The ask/tell optimizer: what callers of ask and tell rely on."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import loguniform, spearmanr
from threadpoolctl import threadpool_info

from skhyper import Categorical, Integer, Optimizer, Real, Space
from skhyper.optimizer import _gp
from skhyper.optimizer._acq_optimize import EncodedSpace
from skhyper.optimizer._effort import EFFORTS
from skhyper.optimizer._targets import (
    compress_low_tail,
    impute_failures,
    surrogate_targets,
)


def sphere(point, centre=0.3):
    return -sum((v - centre) ** 2 for v in point.values())


def run(opt, objective, n_iter, n_points=1):
    while len(opt.points) < n_iter:
        points = opt.ask(min(n_points, n_iter - len(opt.points)))
        if not points:
            break
        opt.tell(points, [objective(p) for p in points])
    return opt


MIXED = {
    "lr": Real(1e-4, 1.0, prior="log-uniform"),
    "depth": Integer(1, 12),
    "kind": Categorical(["a", "b", "c"]),
    "alpha": loguniform(1e-3, 1e1),
}


def mixed_objective(p):
    bonus = {"a": 0.0, "b": 0.5, "c": 0.1}[p["kind"]]
    return (
        -((np.log10(p["lr"]) + 2) ** 2) - 0.05 * (p["depth"] - 7) ** 2 + bonus
        - 0.1 * np.log10(p["alpha"]) ** 2
    )


# -- ask and tell -----------------------------------------------------------


def test_proposals_are_valid_and_never_repeat():
    opt = Optimizer(MIXED, random_state=0)
    run(opt, mixed_objective, 25, n_points=3)
    keys = [opt.space.key(p) for p in opt.points]
    assert len(set(keys)) == len(keys) == 25
    for p in opt.points:
        assert opt.space.contains(p)
        assert isinstance(p["depth"], int) and isinstance(p["lr"], float)


def test_pending_points_are_not_proposed_again():
    opt = Optimizer({"x": Real(0.0, 1.0)}, n_initial_points=2, random_state=0)
    run(opt, sphere, 4)
    first = opt.ask(3)
    second = opt.ask(3)
    keys = {opt.space.key(p) for p in first + second}
    assert len(keys) == 6
    assert {opt.space.key(p) for p in opt.pending} == keys
    opt.tell(first, [sphere(p) for p in first])
    assert len(opt.pending) == 3


def test_initial_design_comes_first_then_the_model():
    opt = Optimizer({"x": (0.0, 1.0), "y": (0.0, 1.0)}, n_initial_points=6,
                    random_state=0)
    run(opt, sphere, 6)
    assert opt.model_ is None
    run(opt, sphere, 7)
    assert opt.model_ is not None


def test_default_initial_design_size():
    assert Optimizer({"x": (0.0, 1.0)}).n_initial_points_ == 5
    assert Optimizer({f"x{i}": (0.0, 1.0) for i in range(4)}).n_initial_points_ == 8
    assert Optimizer({f"x{i}": (0.0, 1.0) for i in range(9)}).n_initial_points_ == 10


def test_points_told_before_asking_count_as_initial_design():
    opt = Optimizer({"x": (0.0, 1.0)}, n_initial_points=3, random_state=0)
    opt.tell([{"x": v} for v in (0.1, 0.5, 0.9)], [0.0, 1.0, 0.0])
    opt.ask()
    assert opt.model_ is not None


def test_finite_space_is_exhausted_without_repeats():
    space = {"a": [1, 2, 3], "b": ["x", "y"]}
    opt = Optimizer(space, n_initial_points=2, random_state=0)
    seen = []
    while True:
        points = opt.ask(4)
        if not points:
            break
        seen.extend(points)
        opt.tell(points, [p["a"] for p in points])
    assert len(seen) == 6
    assert len({opt.space.key(p) for p in seen}) == 6
    assert opt.is_exhausted
    assert opt.ask(2) == []


def test_last_batch_of_a_finite_space_is_what_remains():
    opt = Optimizer({"a": [1, 2, 3, 4, 5]}, random_state=0)
    first = opt.ask(4)
    assert len(first) == 4
    assert len(opt.ask(4)) == 1
    assert opt.is_exhausted


def test_same_seed_same_proposals():
    def trace(seed):
        opt = Optimizer(MIXED, n_initial_points=4, random_state=seed)
        return [sorted(p.items()) for p in run(opt, mixed_objective, 10, 2).points]

    assert trace(3) == trace(3)
    assert trace(3) != trace(4)


@pytest.mark.parametrize("bad", [{"n_points": 0}, {"n_points": 1.5}])
def test_ask_rejects_bad_batch_sizes(bad):
    with pytest.raises(ValueError, match="n_points"):
        Optimizer({"x": (0.0, 1.0)}).ask(**bad)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"surrogate": "svm"}, "surrogate"),
        ({"acq_func": "nope"}, "Unknown acquisition"),
        ({"acq_func_kwargs": {"beta": 1}}, "acq_func_kwargs"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"initial_design": "grid"}, "initial_design"),
    ],
)
def test_constructor_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Optimizer({"x": (0.0, 1.0)}, **kwargs)


def test_tell_rejects_points_outside_the_space_and_mismatched_scores():
    opt = Optimizer({"x": (0.0, 1.0)})
    with pytest.raises(ValueError):
        opt.tell([{"x": 2.0}], [1.0])
    with pytest.raises(ValueError, match="scores"):
        opt.tell([{"x": 0.5}], [1.0, 2.0])


def test_tell_accepts_a_single_point():
    opt = Optimizer({"x": (0.0, 1.0)})
    opt.tell({"x": 0.5}, 1.0)
    assert opt.points == [{"x": 0.5}] and opt.scores.tolist() == [1.0]


# -- what the model buys ----------------------------------------------------


@pytest.mark.parametrize("acq_func", ["EI", "pi", "LCB"])
def test_beats_random_search_on_a_smooth_function(acq_func):
    space = {f"x{i}": Real(0.0, 1.0) for i in range(4)}
    gaps = {"bayes": [], "random": []}
    for seed in range(3):
        opt = run(Optimizer(space, acq_func=acq_func, random_state=seed), sphere, 25)
        gaps["bayes"].append(-opt.scores.max())
        rng = np.random.RandomState(seed)
        gaps["random"].append(-max(sphere(p) for p in Space(space).rvs(25, rng)))
    assert np.median(gaps["bayes"]) < 0.3 * np.median(gaps["random"])


def _cost(point):
    """Seconds: a thousandfold range along ``x``, which the score ignores."""
    return 0.01 * 1000.0 ** point["x"]


def _run_with_costs(opt, n_calls):
    for _ in range(n_calls):
        points = opt.ask()
        opt.tell(points, [-((p["y"] - 0.5) ** 2) for p in points],
                 costs=[_cost(p) for p in points])
    return opt


@pytest.mark.parametrize("surrogate", ["gp", "forest"])
def test_per_second_acquisition_spends_less_for_the_same_optimum(surrogate):
    space = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    spent, gaps = {}, {}
    for acq_func in ("EI", "EIps"):
        runs = [
            _run_with_costs(Optimizer(space, acq_func=acq_func, surrogate=surrogate,
                                      n_initial_points=5, random_state=seed), 20)
            for seed in range(3)
        ]
        spent[acq_func] = sum(opt.costs[5:].sum() for opt in runs)
        gaps[acq_func] = np.median([-opt.scores.max() for opt in runs])
        if acq_func == "EIps":  # every run keeps to the cheap end
            assert max(np.median([p["x"] for p in opt.points[5:]]) for opt in runs) < 0.15
    assert spent["EIps"] < 0.3 * spent["EI"]
    assert gaps["EIps"] < 1e-3 and gaps["EI"] < 1e-3


def test_per_second_acquisition_without_costs_is_the_plain_one():
    space = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    plain = run(Optimizer(space, acq_func="EI", random_state=0), sphere, 10)
    per_second = run(Optimizer(space, acq_func="EIps", random_state=0), sphere, 10)
    assert per_second.points == plain.points and per_second.cost_model_ is None


def test_costs_of_failed_evaluations_are_not_modelled():
    opt = Optimizer({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}, acq_func="PIps",
                    n_initial_points=2, random_state=0)
    opt.tell([{"x": 0.1, "y": 0.1}, {"x": 0.9, "y": 0.9}, {"x": 0.5, "y": 0.5}],
             [np.nan, np.nan, -1.0], costs=[0.001, 0.001, 1.0])
    opt.ask()
    assert opt.cost_model_ is None  # one successful evaluation has a cost
    opt.tell({"x": 0.2, "y": 0.7}, -0.5, costs=2.0)
    opt.ask()
    assert opt.cost_model_ is not None
    assert opt.cost_model_.predict(opt.space.transform([{"x": 0.3, "y": 0.6}]))[0] > 0
    with pytest.raises(ValueError, match="costs"):
        opt.tell([{"x": 0.4, "y": 0.4}], [-1.0], costs=[1.0, 2.0])


def test_forest_surrogate_finds_the_best_category_combination():
    space = {f"c{i}": Categorical(list("abcd")) for i in range(4)}

    def objective(p):
        return sum(p[f"c{i}"] == "c" for i in range(4)) + 0.1 * (p["c0"] == "a")

    opt = run(Optimizer(space, surrogate="auto", random_state=0), objective, 30)
    assert opt.surrogate_ == "forest"
    assert opt.scores.max() >= 3  # random search: 13% chance in 30 draws
    assert opt.space.size == 256


def test_auto_surrogate_keeps_the_gp_for_numeric_spaces():
    assert Optimizer(MIXED, surrogate="auto").surrogate_ == "gp"


def test_failed_region_is_avoided():
    def objective(p):
        return np.nan if p["x"] > 0.6 else -((p["x"] - 0.4) ** 2) - p["y"] ** 2

    space = {"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)}
    opt = run(Optimizer(space, n_initial_points=6, random_state=0), objective, 26)
    later = opt.points[6:]
    assert sum(p["x"] > 0.6 for p in later) <= 3  # random: about 8 of 20
    assert np.nanmax(opt.scores) > -0.01


def test_budget_flows_to_the_subspace_that_pays():
    space = [
        {"model": ["poor"], "a": Real(0.0, 1.0)},
        {"model": ["good"], "b": Real(0.0, 1.0), "c": Integer(1, 5)},
    ]

    def objective(p):
        if p["model"] == "poor":
            return -1.0 - p["a"]
        return -((p["b"] - 0.7) ** 2) - 0.01 * p["c"]

    opt = run(Optimizer(space, n_initial_points=6, random_state=0), objective, 26)
    later = [p["model"] for p in opt.points[6:]]
    assert later.count("good") >= 16
    assert opt.scores.max() > -0.02


def test_batches_are_diverse():
    space = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    opt = run(Optimizer(space, n_initial_points=5, random_state=0), sphere, 10)
    for _ in range(3):
        batch = opt.ask(4)
        X = opt.space.transform(batch)
        distances = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
        assert distances[np.triu_indices(4, 1)].min() > 0.01
        opt.tell(batch, [sphere(p) for p in batch])


def test_pending_points_are_told_the_worst_score_so_far():
    """Pessimistic constant liar: while the first point of a batch is
    pending, the model expects the worst told score there, so the second
    point is not drawn to the first one's neighbourhood, and the incumbent
    stays the best score actually told."""
    space = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
    opt = run(Optimizer(space, n_initial_points=5, random_state=1), sphere, 10)
    incumbents = []
    acquisition = opt._acquisition

    def recording(mean, std, best, **kwargs):
        incumbents.append(best)
        return acquisition(mean, std, best, **kwargs)

    opt._acquisition = recording
    first = opt.ask(1)
    told_best = incumbents[-1]
    X_first = opt.space.transform(first)
    expected = opt.model_.predict(X_first)[0]
    worst = opt.model_.predict(opt._X).min()
    lied, _ = opt._fit_with_pending()
    # Pulled from the model's own expectation down towards the worst score
    # (the fitted noise keeps it from reaching it exactly).
    assert lied.predict(X_first)[0] < expected - 0.5 * (expected - worst)
    second = opt.ask(1)
    assert incumbents[-1] == pytest.approx(told_best)
    assert second != first


@pytest.mark.parametrize("seed", range(3))
def test_an_optimum_at_the_edge_of_a_log_scaled_range_is_reached(seed):
    """Neither the space-filling design (interior points) nor the near-copy
    rule keeps the search off the boundary of the cube."""
    opt = Optimizer(
        {"C": Real(1e-4, 1e3, prior="log-uniform")}, n_initial_points=5,
        random_state=seed,
    )
    run(opt, lambda p: np.log10(p["C"]), 6)
    assert max(p["C"] for p in opt.points[:5]) < 1e3
    assert opt.points[5]["C"] == pytest.approx(1e3)


def test_close_good_scores_are_told_apart():
    """CV scores share their folds, so differences far below a score's
    fold-to-fold spread are real: beside a long tail of bad and failed
    scores, the model still locates the best of close good scores. (Their
    fold spread, about 0.02 for such scores, as independent noise of each
    mean would flatten them.) The pessimistic prior mean makes the model
    smooth this step from failures to a plateau a little, so the check is
    on where the best is and on the trend, not on the exact order."""
    xs = np.linspace(0.05, 0.95, 10)
    scores = 0.95 - 1e-3 * (xs - 0.62) ** 2  # a 1e-4 spread among the good
    scores[:2] = [-3.0, np.nan]  # a diverged fit and a failed one
    opt = Optimizer({"x": Real(0.0, 1.0)}, n_initial_points=1, random_state=0)
    opt.tell([{"x": x} for x in xs], scores)
    good = np.arange(2, 10)
    mean = opt.predict([{"x": x} for x in xs[good]])
    assert abs(int(np.argmax(mean)) - int(np.argmax(scores[good]))) <= 1
    assert spearmanr(mean, scores[good]).statistic > 0.8
    assert np.ptp(mean) > 0.5 * np.ptp(scores[good])


def test_surrogate_work_uses_one_blas_thread(monkeypatch):
    threads = []
    fit = _gp.GaussianProcess.fit

    def recording_fit(self, *args, **kwargs):
        threads.extend(
            lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
        )
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(_gp.GaussianProcess, "fit", recording_fit)
    run(Optimizer({"x": (0.0, 1.0)}, n_initial_points=2, random_state=0), sphere, 4)
    assert threads and set(threads) == {1}


def test_predict_estimates_scores_in_score_units():
    opt = Optimizer({"x": Real(0.0, 1.0)}, n_initial_points=6, random_state=0)
    with pytest.raises(ValueError, match="at least two"):
        opt.predict([{"x": 0.5}])
    run(opt, lambda p: 10.0 + p["x"], 8)
    mean, std = opt.predict([{"x": 0.2}, {"x": 0.8}], return_std=True)
    assert mean == pytest.approx([10.2, 10.8], abs=0.05)
    assert np.all(std < 0.1)
    assert opt.predict(opt.points[:1]) == pytest.approx(opt.scores[:1], abs=1e-2)


# -- pieces -----------------------------------------------------------------


def test_failures_are_imputed_below_the_worst_score():
    y = impute_failures([0.5, np.nan, 0.9, -np.inf, np.inf])
    assert np.all(np.isfinite(y))
    assert y[1] == y[3] == y[4] < 0.5


def test_low_tail_is_compressed_in_order():
    y = np.array([-1e6, -3.0, -1.2, -1.0, -0.9, -0.8, -0.5])
    out = compress_low_tail(y)
    assert np.all(np.diff(out) > 0)
    assert out[0] > -100 and out[-3:] == pytest.approx(y[-3:])


def test_surrogate_targets_are_standardized():
    scores = np.array([1.0, 2.0, np.nan])
    y, center, scale = surrogate_targets(scores)
    assert y.mean() == pytest.approx(0.0) and y.std() == pytest.approx(1.0)
    assert np.argmin(y) == 2
    assert y[:2] * scale + center == pytest.approx([1.0, 2.0])


def test_snapping_lands_on_configurations():
    space = Space([{"a": Real(0.0, 1.0), "k": ["x", "y", "z"]}, {"n": Integer(1, 4)}])
    encoded = EncodedSpace(space)
    rng = np.random.RandomState(0)
    X = encoded.snap(rng.uniform(-0.2, 1.2, size=(50, space.n_components)))
    assert np.allclose(space.transform(space.inverse_transform(X)), X)
    Y = encoded.perturb(X, 0.1, rng)
    assert np.allclose(encoded.subspace(Y), encoded.subspace(X))
    assert np.allclose(space.transform(space.inverse_transform(Y)), Y)


# -- long searches ------------------------------------------------------------


def test_model_subset_keeps_the_best_and_covers_the_rest():
    from skhyper.optimizer._subset import model_rows

    rng = np.random.RandomState(0)
    X = rng.uniform(size=(500, 3))
    y = -np.sum((X - 0.3) ** 2, axis=1)
    np.testing.assert_array_equal(model_rows(X[:40], y[:40], 40), np.arange(40))
    rows = model_rows(X, y, 40)
    assert len(set(rows)) == 40
    assert set(np.argsort(-y)[:30]) <= set(rows)  # the best 75%
    # The cover reaches the far corner the best configurations leave out.
    assert np.max(np.abs(X[rows] - 0.3).sum(axis=1)) > 1.5
    np.testing.assert_array_equal(rows, model_rows(X, y, 40))


def test_a_long_search_models_a_bounded_subset_and_still_converges(monkeypatch):
    monkeypatch.setitem(EFFORTS, "full", replace(EFFORTS["full"], model_max=25))
    space = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}

    def search(seed):
        opt = run(Optimizer(space, random_state=seed), sphere, 70)
        return opt

    opt = search(0)
    assert opt.model_._X_train.shape[0] == 25
    assert opt.scores.max() > -1e-3
    assert search(0).points == opt.points


def _count_gp_fits(monkeypatch, method="fit"):
    """The number of told configurations at each call of the GP's ``method``."""
    sizes = []
    original = getattr(_gp.GaussianProcess, method)

    def counting(self, X, y):
        sizes.append(len(y))
        return original(self, X, y)

    monkeypatch.setattr(_gp.GaussianProcess, method, counting)
    return sizes


def test_a_long_search_refits_hyperparameters_only_now_and_then(monkeypatch):
    monkeypatch.setitem(EFFORTS, "full", replace(EFFORTS["full"], model_max=20))
    fits = _count_gp_fits(monkeypatch)
    run(Optimizer({"a": Real(0.0, 1.0)}, random_state=0), sphere, 61)
    past = [n for n in fits if n == 20]
    # Past the threshold the model is refitted after every 10th new point.
    assert 3 <= len(past) <= 5


def test_full_effort_refits_hyperparameters_every_third_told(monkeypatch):
    fits = _count_gp_fits(monkeypatch)
    updates = _count_gp_fits(monkeypatch, "update")
    opt = run(Optimizer({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)},
                        random_state=0), sphere, 30)
    n_model_based = 30 - opt.n_initial_points_
    assert np.diff(fits).tolist() == [3] * (len(fits) - 1)
    # between refits, the posterior sees every new told configuration
    assert sorted(fits + updates) == list(range(fits[0], fits[0] + n_model_based))
    assert opt.scores.max() > -1e-2


def test_believer_tells_pending_points_the_model_mean():
    opt = run(Optimizer({"x": Real(0.0, 1.0)}, random_state=0,
                        pending_rule="believer"), sphere, 8)
    pending = opt.ask(1)
    model, _ = opt._fit_with_pending()
    X = opt.space.transform(pending)
    expected = opt._fit_told()[0].predict(X)
    np.testing.assert_allclose(model.predict(X), expected, atol=1e-6)
    with pytest.raises(ValueError, match="pending_rule"):
        Optimizer({"x": Real(0.0, 1.0)}, pending_rule="hope")


def test_reused_candidates_cut_full_searches_and_still_converge(monkeypatch):
    from skhyper.optimizer import _optimizer

    calls = []
    original = _optimizer.search_candidates

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(_optimizer, "search_candidates", counting)
    space = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}
    opt = run(Optimizer(space, random_state=0, reuse_candidates=3,
                        pending_rule="believer"), sphere, 30,
              n_points=4)
    n_model_based = 30 - opt.n_initial_points_
    assert len(calls) <= n_model_based // 4 + 1
    assert len({tuple(sorted(p.items())) for p in opt.points}) == 30
    assert opt.scores.max() > -2e-3
    with pytest.raises(ValueError, match="reuse_candidates"):
        Optimizer(space, reuse_candidates=-1)


def test_light_effort_refits_seldom_and_stays_reproducible(monkeypatch):
    space = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}
    fits = _count_gp_fits(monkeypatch)
    light = run(Optimizer(space, random_state=0, effort="light"), sphere, 60)
    n_light = len(fits)
    # refitted once the told configurations grew by a tenth: not every time
    assert n_light < 30
    assert all(b - a >= max(1, b // 10) for a, b in zip(fits, fits[1:]))
    assert light.effort_.name == "light"
    assert light.model_._X_train.shape[0] <= EFFORTS["light"].model_max
    assert light.scores.max() > -1e-2
    again = run(Optimizer(space, random_state=0, effort="light"), sphere, 60)
    assert again.points == light.points


def test_effort_callable_is_asked_at_each_model_fit():
    calls = []

    def effort(n_told):
        calls.append(n_told)
        return "light" if n_told >= 8 else "full"

    opt = run(Optimizer({"a": Real(0.0, 1.0)}, n_initial_points=4, random_state=0,
                        effort=effort), sphere, 12)
    assert calls == list(range(4, 12))
    assert opt.effort_ is EFFORTS["light"]


@pytest.mark.parametrize("effort", ["fast", None, 3])
def test_unknown_effort_is_refused(effort):
    with pytest.raises(ValueError, match="effort"):
        Optimizer({"a": Real(0.0, 1.0)}, effort=effort)
