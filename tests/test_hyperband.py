"""HyperbandSearchCV: brackets, shared rungs, BOHB proposals."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold
from test_halving import Growing, Recorder, TreeCounter

from skhyper import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV
from skhyper.scheduling._schedule import hyperband_schedule


class Peaked(Growing):
    """Scores ``-(C - 0.7)**2``, a little better with more estimators."""

    n_fits = 0

    def score(self, X, y):
        return -((self.C - 0.7) ** 2) - 0.01 / self.n_estimators


X, y = make_classification(n_samples=600, random_state=0)
Xr = np.column_stack([np.arange(600), X])


@pytest.fixture(autouse=True)
def clear_logs():
    Recorder.log = []
    TreeCounter.n_trees = 0


def _search(**kwargs):
    params = dict(resource="n_estimators", min_resources=1, max_resources=27, cv=3,
                  random_state=0)
    params.update(kwargs)
    return HyperbandSearchCV(Peaked(), {"C": Real(0.0, 1.0)}, **params)


def test_brackets_run_as_planned_with_a_bracket_column():
    search = _search()
    schedule = search.schedule()
    search.fit(X, y)
    expected = hyperband_schedule(factor=3, min_resources=1, max_resources=27)
    assert [b.n_candidates for b in schedule.brackets] == [
        b.n_candidates for b in expected.brackets
    ]
    assert search.n_candidates_ == [b.n_candidates for b in schedule.brackets]
    assert search.n_resources_ == [b.n_resources for b in schedule.brackets]
    assert search.n_brackets_ == 4 and search.n_iterations_ == 4
    results = search.cv_results_
    assert len(results["params"]) == schedule.n_evaluations
    for b, bracket in enumerate(schedule.brackets):
        rows = results["bracket"] == b
        for rung, (n, r) in enumerate(zip(bracket.n_candidates, bracket.n_resources)):
            here = rows & (results["iter"] == rung)
            assert here.sum() == n
            assert set(results["n_resources"][here]) == {r}
            assert all(p["n_estimators"] == r for p, h in zip(results["params"], here)
                       if h)
    # Best among the full-resource evaluations of all brackets.
    top = results["n_resources"] == 27
    assert top[search.best_index_]
    assert search.best_score_ == results["mean_test_score"][top].max()


def test_brackets_share_one_evaluate_candidates_call_per_step(capsys):
    _search(verbose=2).fit(X, y)  # scikit-learn's line per call from verbose=2
    out = capsys.readouterr().out.splitlines()
    batches = [line for line in out if line.startswith("[HyperbandSearchCV] batch")]
    steps = [line for line in out if line.startswith("[HyperbandSearchCV] step")]
    # Four steps, one batch each; the last evaluates every bracket's 27-tree
    # rung at once: 1 + 1 + 2 + 4 candidates.
    assert len(batches) == len(steps) == 4
    assert steps[-1].endswith("brackets [0, 1, 2, 3], 8 candidates, n_estimators=27")


def test_sample_resource_uses_nested_subsamples_per_step():
    search = HyperbandSearchCV(
        Recorder(), {"C": Real(0.0, 1.0)}, min_resources=60, factor=3,
        cv=KFold(3), random_state=0,
    ).fit(Xr, y)
    assert search.max_resources_ == 600
    # The boldest bracket starts at min_resources=60 (Li et al.'s arithmetic
    # alone would start it at 600 / 3**2 = 66); the levels grow geometrically.
    assert search.min_resources_ == 60
    assert sorted(set(search.cv_results_["n_resources"])) == [60, 189, 600]
    sizes = {len(e["train"]) for e in Recorder.log}
    assert sizes == {40, 126, 400}


def test_bayes_proposer_models_later_brackets():
    """Later brackets start more candidates near the optimum (C = 0.7) than
    random sampling does, and the best found is closer to it. A bracket's
    candidates are one batch of the model, spread out on purpose (pending
    picks are told the worst score), so the check is on how many land near
    the optimum, not on their median distance."""

    def near_optimum(search):
        results = search.cv_results_
        first_rungs = (results["bracket"] > 0) & (results["iter"] == 0)
        return [abs(p["C"] - 0.7) < 0.1
                for p, f in zip(results["params"], first_rungs) if f]

    near_random, near_bohb = [], []
    for seed in range(3):
        random = _search(proposer="random", random_state=seed).fit(X, y)
        bohb = _search(proposer="bayes", random_state=seed).fit(X, y)
        assert bohb.proposer_ == "bayes" and bohb.optimizer_ is not None
        assert len(bohb.optimizer_.points) >= 5
        assert abs(bohb.best_params_["C"] - 0.7) <= abs(random.best_params_["C"] - 0.7)
        near_random += near_optimum(random)
        near_bohb += near_optimum(bohb)
    assert np.mean(near_bohb) > 1.3 * np.mean(near_random)


def test_candidates_are_distinct_and_reproducible():
    a = _search(proposer="bayes").fit(X, y).cv_results_
    b = _search(proposer="bayes").fit(X, y).cv_results_
    assert a["params"] == b["params"]
    starts = [p["C"] for p, i in zip(a["params"], a["iter"]) if i == 0]
    assert len(set(starts)) == len(starts)


def test_grid_proposer_runs_through_the_grid_before_repeating():
    search = HyperbandSearchCV(
        Peaked(), {"C": [0.1 * i for i in range(1, 11)]}, resource="n_estimators",
        min_resources=1, max_resources=9, cv=3, random_state=0,
    ).fit(X, y)
    assert search.proposer_ == "grid"
    starts = [p["C"] for p, i in zip(search.cv_results_["params"],
                                      search.cv_results_["iter"]) if i == 0]
    assert len(starts) == 9 + 5 + 3
    assert len(set(starts[:10])) == 10  # every grid point before any repeat


def test_warm_start_across_rungs_of_hyperband():
    def run(warm):
        return HyperbandSearchCV(
            TreeCounter(random_state=0), {"max_depth": [2, 3, 4, 5, 6, None]},
            resource="n_estimators", min_resources=2, max_resources=18, cv=2,
            warm_start=warm, random_state=0,
        ).fit(X, y)

    warm = run(True)
    warm_trees, TreeCounter.n_trees = TreeCounter.n_trees, 0
    cold = run(False)
    assert warm_trees < TreeCounter.n_trees
    np.testing.assert_array_equal(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )


def test_stopping_between_steps_keeps_the_best_of_the_top_resource_so_far():
    search = _search(callbacks=lambda progress: progress.n_evaluated >= 27)
    search.fit(X, y)
    assert search.n_iterations_ == 1
    assert set(search.cv_results_["n_resources"]) == {1}
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"factor": 1.0}, "factor"),
        ({"min_resources": "exhaust"}, "min_resources"),
        ({"min_resources": 30}, "min_resources_=30 is greater"),
        ({"resource": "n_trees"}, "resource=n_trees which is not supported"),
    ],
)
def test_bad_input_raises_before_any_fit(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _search(**kwargs).fit(X, y)


def test_a_single_bracket_is_announced():
    search = _search(min_resources=10, max_resources=27)
    with pytest.warns(UserWarning, match="single bracket.*with 27 "
                      r"\(min_resources=10 is not used\)"):
        schedule = search.schedule()
    assert [b.n_candidates for b in schedule.brackets] == [[1]]


def test_checkpoint_resumes_an_interrupted_search(tmp_path):
    path = tmp_path / "hyperband.json"
    full = _search(proposer="bayes").fit(X, y)
    stopped = _search(proposer="bayes", checkpoint=path,
                      callbacks=lambda progress: progress.n_evaluated >= 48)
    stopped.fit(X, y)
    assert stopped.n_iterations_ == 2
    Peaked.n_fits = 0
    resumed = _search(proposer="bayes", checkpoint=path).fit(X, y)
    # Only the last two steps (13 + 8 candidates, 3 folds) and the refit.
    assert Peaked.n_fits == (13 + 8) * 3 + 1
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_array_equal(resumed.cv_results_["bracket"],
                                  full.cv_results_["bracket"])
    assert resumed.best_params_ == full.best_params_


def test_warm_start_from_an_earlier_run_reuses_every_bracket():
    first = _search(proposer="random").fit(X, y)
    Peaked.n_fits = 0
    again = _search(proposer="random", warm_start_from=first).fit(X, y)
    # Nothing is fitted again but one candidate scikit-learn scores for
    # itself (its row is dropped), and the refit.
    assert Peaked.n_fits == 3 + 1
    for key in ("params", "bracket", "iter", "n_resources", "mean_test_score"):
        np.testing.assert_array_equal(np.asarray(again.cv_results_[key]),
                                      np.asarray(first.cv_results_[key]))
    assert again.n_candidates_ == first.n_candidates_
    assert again.best_params_ == first.best_params_


def test_warm_start_from_successive_halving_labels_reused_rows():
    grid = {"C": [0.1 * i for i in range(1, 10)]}
    common = dict(resource="n_estimators", min_resources=1, max_resources=9, cv=3,
                  random_state=0)
    halving = SuccessiveHalvingSearchCV(Peaked(), grid, **common).fit(X, y)
    assert halving.n_resources_ == [1, 3, 9] and halving.n_candidates_ == [9, 3, 1]
    Peaked.n_fits = 0
    cold = HyperbandSearchCV(Peaked(), grid, **common).fit(X, y)
    cold_fits, Peaked.n_fits = Peaked.n_fits, 0
    warm = HyperbandSearchCV(Peaked(), grid, warm_start_from=halving, **common)
    warm.fit(X, y)
    # The first bracket evaluates the grid as the halving search did: its
    # 9 + 3 + 1 evaluations (3 folds each) are reused, in the earlier rows.
    assert Peaked.n_fits == cold_fits - 13 * 3
    results = warm.cv_results_
    assert list(results["bracket"][:13]) == [0] * 13
    assert list(results["iter"][:13]) == [0] * 9 + [1] * 3 + [2]
    assert warm.n_candidates_ == cold.n_candidates_
    assert warm.best_params_ == cold.best_params_
    assert warm.best_score_ == cold.best_score_
