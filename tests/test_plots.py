"""Displays draw what they say: the artists, labels and legends of fitted searches."""

import sys

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)
from sklearn.svm import SVC

from skhyper import (
    BayesSearchCV,
    Categorical,
    HyperbandSearchCV,
    Integer,
    Real,
    SuccessiveHalvingSearchCV,
)
from skhyper.plots import (
    ConvergenceDisplay,
    HalvingDisplay,
    ParameterContourDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
)
from skhyper.plots._common import best_at_top_fidelity, running_best
from skhyper.plots._convergence import robust_limits

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

SPACE = {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": ["linear", "rbf"]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def bayes(data):
    return BayesSearchCV(SVC(), SPACE, n_iter=8, cv=3, random_state=0).fit(*data)


@pytest.fixture(scope="module")
def grid(data):
    space = {"C": [0.01, 1, 100], "kernel": ["linear", "rbf"]}
    return GridSearchCV(SVC(), space, cv=3).fit(*data)


@pytest.fixture(scope="module")
def halving(data):
    return HalvingRandomSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2)}, n_candidates=9, cv=3, random_state=0
    ).fit(*data)


@pytest.fixture(scope="module")
def sk_halving(data):
    return SuccessiveHalvingSearchCV(
        SVC(), SPACE, n_candidates=9, min_resources=30, cv=3, random_state=0
    ).fit(*data)


@pytest.fixture(scope="module")
def hyperband(data):
    return HyperbandSearchCV(
        SVC(), SPACE, min_resources=30, cv=3, random_state=0
    ).fit(*data)


def assert_renders(figure, path):
    """The figure saves to a PNG that is not blank."""
    figure.savefig(path)
    assert path.stat().st_size > 2000
    pixels = plt.imread(path)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels[..., :3].std() > 0.01


# -- convergence -------------------------------------------------------------


def test_convergence_of_several_searches_on_one_axes(bayes, grid, halving, tmp_path):
    _, ax = plt.subplots()
    display = ConvergenceDisplay.from_search([grid, bayes, halving], ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
    assert [line.get_label() for line in display.lines_] == [
        "GridSearchCV",
        "BayesSearchCV",
        "HalvingRandomSearchCV",
    ]
    np.testing.assert_allclose(display.best_scores[1][-1], bayes.best_score_)
    assert_renders(display.figure_, tmp_path / "convergence.png")


def test_convergence_cost_weights_halving_evaluations(bayes, halving):
    display = ConvergenceDisplay.from_search([bayes, halving], x="cost")
    np.testing.assert_array_equal(display.x_values[0], np.arange(1, 9))
    shares = halving.cv_results_["n_resources"] / halving.max_resources_
    np.testing.assert_allclose(display.x_values[1], np.cumsum(shares))
    assert "cost" in display.ax_.get_xlabel()


def test_convergence_labels_and_errors(bayes, data):
    display = ConvergenceDisplay.from_search([bayes, bayes], labels=None)
    assert display.labels == ["BayesSearchCV (1)", "BayesSearchCV (2)"]
    with pytest.raises(ValueError, match="2 labels for 1 searches"):
        ConvergenceDisplay.from_search(bayes, labels=["a", "b"])
    with pytest.raises(ValueError, match="x must be one of"):
        ConvergenceDisplay.from_search(bayes, x="time")
    with pytest.raises(NotFittedError):
        ConvergenceDisplay.from_search(BayesSearchCV(SVC(), SPACE))


def test_convergence_follows_the_refit_metric(data):
    search = RandomizedSearchCV(
        SVC(),
        {"C": loguniform(1e-3, 1e2)},
        n_iter=4,
        cv=3,
        scoring=["accuracy", "f1_macro"],
        refit="f1_macro",
        random_state=0,
    ).fit(*data)
    display = ConvergenceDisplay.from_search(search)
    assert display.metric == "f1_macro"
    assert display.best_scores[0][-1] == search.cv_results_["mean_test_f1_macro"].max()


def test_running_best_skips_failures():
    best = running_best(np.array([np.nan, 0.5, np.nan, 0.4, 0.7]))
    np.testing.assert_array_equal(best, [np.nan, 0.5, 0.5, 0.5, 0.7])


def test_best_restarts_at_each_larger_resource():
    scores = np.array([0.9, 0.6, 0.8, 0.7, 0.75, 0.2])
    shares = np.array([1 / 3, 1 / 3, 1, 1, 1, 1 / 3])  # last: a new bracket
    best = best_at_top_fidelity(scores, shares)
    np.testing.assert_array_equal(best, [0.9, 0.9, 0.8, 0.8, 0.8, 0.8])


# -- parameters --------------------------------------------------------------


def test_parameter_panels_show_the_surrogate(bayes, tmp_path):
    display = ParameterScoreDisplay.from_search(bayes)
    assert display.params == ["C", "kernel"]
    assert set(display.surrogate_lines_) == {"C", "kernel"}
    assert display.axes_.flat[0].get_xscale() == "log"
    ticks = [t.get_text() for t in display.axes_.flat[1].get_xticklabels()]
    assert ticks == ["linear", "rbf"]
    assert_renders(display.figure_, tmp_path / "parameters.png")


def test_surrogate_mean_is_near_the_best_score(bayes):
    display = ParameterScoreDisplay.from_search(bayes, ["C"], n_grid=400)
    x, mean, std = display.surrogate["C"]
    at_best = np.argmin(np.abs(np.log(x) - np.log(bayes.best_params_["C"])))
    assert abs(mean[at_best] - bayes.best_score_) < 3 * std[at_best] + 0.02


def test_parameter_panels_of_a_conditional_grid(data, tmp_path):
    space = [
        {"kernel": ["linear"], "C": [0.1, 10]},
        {"kernel": ["rbf"], "C": [0.1, 10], "gamma": [0.01, 1.0]},
    ]
    search = GridSearchCV(SVC(), space, cv=3).fit(*data)
    _, axes = plt.subplots(1, 3)
    display = ParameterScoreDisplay.from_search(search, ax=axes)
    assert display.params == ["kernel", "C", "gamma"]
    assert display.surrogate is None and display.surrogate_lines_ == {}
    gamma = display.scatters_["gamma"].get_offsets()
    assert len(gamma) == 4  # only the rbf evaluations set gamma
    assert_renders(display.figure_, tmp_path / "conditional.png")


def test_parameter_panels_label_estimator_choices(data):
    space = {"C": Categorical([0.1, 1.0]), "class_weight": [None, "balanced"]}
    search = BayesSearchCV(SVC(), space, n_iter=4, cv=3, random_state=0).fit(*data)
    display = ParameterScoreDisplay.from_search(search, params=["class_weight"])
    ticks = [t.get_text() for t in display.axes_.flat[0].get_xticklabels()]
    assert ticks == ["None", "balanced"]


def test_parameter_panels_errors(bayes):
    with pytest.raises(ValueError, match="Unknown parameters"):
        ParameterScoreDisplay.from_search(bayes, ["gamma"])
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="1 axes for 2 parameters"):
        ParameterScoreDisplay.from_search(bayes, ax=ax)


# -- halving -----------------------------------------------------------------


def test_halving_rungs(halving, tmp_path):
    display = HalvingDisplay.from_search(halving)
    assert len(display.scatters_) == halving.n_iterations_
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    for i, (tick, n, r) in enumerate(
        zip(ticks, halving.n_candidates_, halving.n_resources_)
    ):
        assert tick.split("\n") == [f"rung {i}", f"{n} cand.", f"{r}"]
    assert "n_samples" in display.ax_.get_xlabel()
    assert display.lines_  # the kept candidates are followed across rungs
    assert_renders(display.figure_, tmp_path / "halving.png")


def test_halving_rungs_of_skhyper_searches(sk_halving, hyperband, tmp_path):
    display = HalvingDisplay.from_search(sk_halving)
    assert len(display.scatters_) == sk_halving.n_iterations_
    assert_renders(display.figure_, tmp_path / "sh.png")
    display = HalvingDisplay.from_search(hyperband)
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert all(t.startswith("bracket ") for t in ticks)
    brackets = set(hyperband.cv_results_["bracket"].tolist())
    assert {int(t.split()[1]) for t in ticks} == brackets
    assert_renders(display.figure_, tmp_path / "hyperband.png")


def test_convergence_cost_of_skhyper_halving(sk_halving, hyperband):
    display = ConvergenceDisplay.from_search([sk_halving, hyperband], x="cost")
    for x, search in zip(display.x_values, [sk_halving, hyperband]):
        used = search.cv_results_["n_resources"] / search.max_resources_
        np.testing.assert_allclose(x, np.cumsum(used))
    # the curve ends at the best score among the top-resource evaluations
    np.testing.assert_allclose(display.best_scores[0][-1], sk_halving.best_score_)


def test_halving_display_needs_rungs(bayes):
    with pytest.raises(ValueError, match="not a successive-halving search"):
        HalvingDisplay.from_search(bayes)


def test_halving_brackets_side_by_side():
    display = HalvingDisplay(
        iterations=np.array([0, 0, 0, 1, 0, 0]),
        resources=np.array([10, 10, 10, 30, 30, 30]),
        scores=np.array([0.5, 0.6, 0.7, 0.8, 0.7, 0.75]),
        candidates=np.array([0, 1, 2, 2, 3, 4]),
        brackets=np.array([0, 0, 0, 0, 1, 1]),
    ).plot()
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert [t.split("\n")[0] for t in ticks] == ["bracket 0", "bracket 0", "bracket 1"]
    assert len(display.lines_) == 1


# -- matplotlib missing --------------------------------------------------------


def test_missing_matplotlib_says_how_to_install(bayes, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skhyper\[plots\]"):
        ConvergenceDisplay.from_search(bayes)


def test_surrogate_curve_of_an_unbounded_distribution_stays_finite():
    from scipy.stats import norm

    from skhyper.plots._surrogate import _grid
    from skhyper.space import Space

    ((_, _, dim),) = Space({"x": norm(0, 1)}).dimensions
    values = np.asarray(_grid(dim, 50))
    assert np.all(np.isfinite(values)) and -3 < values.min() < -2 < 2 < values.max() < 3


def test_halving_rungs_leave_out_unused_earlier_rows(data, sk_halving, tmp_path):
    # Another schedule on the same subsamples: earlier rows it does not
    # reuse keep iter -1.
    search = SuccessiveHalvingSearchCV(
        SVC(), SPACE, n_candidates=3, min_resources=90, cv=3, random_state=0,
        warm_start_from=sk_halving,
    ).fit(*data)
    assert (search.cv_results_["iter"] == -1).any()
    display = HalvingDisplay.from_search(search)
    assert len(display.scatters_) == search.n_iterations_
    ticks = [t.get_text() for t in display.ax_.get_xticklabels()]
    assert not any("rung -1" in t for t in ticks)
    assert_renders(display.figure_, tmp_path / "reused.png")


# -- what the displays draw ----------------------------------------------------


def legend_texts(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


@pytest.fixture(scope="module")
def forest_halving():
    """The user guide's halving example: the resource is ``n_estimators``."""
    X, y = load_digits(return_X_y=True)
    return SuccessiveHalvingSearchCV(
        RandomForestClassifier(random_state=0),
        {"max_depth": Integer(2, 20), "max_features": (0.05, 0.5)},
        resource="n_estimators", min_resources=4, max_resources=36,
        cv=3, random_state=0,
    ).fit(X[:600], y[:600])


def test_halving_follows_candidates_when_the_resource_is_a_parameter(
    forest_halving, tmp_path
):
    search = forest_halving
    display = HalvingDisplay.from_search(search)
    # one line per promoted candidate, from its first rung to its last
    assert len(display.lines_) == search.n_candidates_[1]
    assert {len(line.get_xdata()) for line in display.lines_} <= {2, 3}
    assert sum(len(line.get_xdata()) == 3 for line in display.lines_) == (
        search.n_candidates_[2]
    )
    assert display.ax_.get_xlabel() == "rung: candidates and resource (n_estimators)"
    ticks = [t.get_text().split("\n") for t in display.ax_.get_xticklabels()]
    assert [t[0] for t in ticks] == ["rung 0", "rung 1", "rung 2"]
    assert [t[2] for t in ticks] == ["4", "12", "36"]
    assert display.ax_.get_ylabel() == "mean CV score"
    assert_renders(display.figure_, tmp_path / "forest_halving.png")


def test_halving_marks_the_winner(forest_halving):
    display = HalvingDisplay.from_search(forest_halving)
    ((x, y),) = display.best_marker_.get_offsets()
    assert y == pytest.approx(forest_halving.best_score_)
    assert round(x) == forest_halving.n_iterations_ - 1  # on the last rung
    assert display.best_marker_.get_label() == "best candidate"
    assert "best candidate" in legend_texts(display.ax_)
    assert "promoted" in legend_texts(display.ax_)


def test_halving_points_of_a_rung_do_not_overlap(forest_halving):
    display = HalvingDisplay.from_search(forest_halving)
    first = display.scatters_[0].get_offsets()
    assert len(first) == forest_halving.n_candidates_[0]
    assert len(np.unique(np.round(first[:, 0], 6))) == len(first)
    assert np.all(np.abs(first[:, 0]) <= 0.2 + 1e-9)


def test_hyperband_brackets_in_the_legend(hyperband):
    display = HalvingDisplay.from_search(hyperband)
    brackets = sorted(set(hyperband.cv_results_["bracket"].tolist()))
    entries = legend_texts(display.ax_)
    assert [e for e in entries if e.startswith("bracket")] == [
        f"bracket {b}" for b in brackets
    ]
    assert display.best_marker_ is not None


def test_scoring_names_the_axes(data):
    from sklearn.linear_model import LogisticRegression

    space = {"C": loguniform(1e-3, 1e2)}
    model = LogisticRegression(max_iter=1000)
    search = RandomizedSearchCV(
        model, space, n_iter=4, cv=3,
        scoring="neg_log_loss", random_state=0,
    ).fit(*data)
    display = ConvergenceDisplay.from_search(search)
    assert display.ax_.get_ylabel() == "best mean CV neg_log_loss so far"
    display = ParameterScoreDisplay.from_search(search)
    assert display.axes_.flat[0].get_ylabel() == "mean CV neg_log_loss"
    halving = HalvingRandomSearchCV(
        model, space, n_candidates=6, cv=3,
        scoring="neg_log_loss", random_state=0,
    ).fit(*data)
    display = HalvingDisplay.from_search(halving)
    assert display.ax_.get_ylabel() == "mean CV neg_log_loss"


def test_convergence_limits_ignore_bad_early_scores():
    scores = np.array([0.1, 0.2] + [0.90, 0.91, 0.92, 0.93] * 5)
    display = ConvergenceDisplay(
        [np.arange(1.0, 23)], [running_best(scores)], ["search"], scores=[scores]
    ).plot()
    low, high = display.ax_.get_ylim()
    assert 0.85 < low < 0.9 and 0.93 < high < 0.94
    # every evaluation is drawn: in the range as dots, below it as triangles
    shown = display.scatters_[0].get_offsets()
    clipped = display.clipped_[0].get_offsets()
    assert len(shown) + len(clipped) == len(scores)
    np.testing.assert_allclose(clipped[:, 1], low)
    assert "below the range" in legend_texts(display.ax_)
    assert robust_limits([np.array([np.nan])]) == (None, None)


def test_convergence_draws_every_evaluation(bayes, grid):
    display = ConvergenceDisplay.from_search([grid, bayes])
    for search, shown, clipped in zip(
        [grid, bayes], display.scatters_, display.clipped_
    ):
        n = len(search.cv_results_["params"])
        assert len(shown.get_offsets()) + len(clipped.get_offsets()) == n
    assert "evaluations" in legend_texts(display.ax_)


def test_parameter_panels_colour_rungs(forest_halving, tmp_path):
    display = ParameterScoreDisplay.from_search(forest_halving)
    assert display.params == ["max_depth", "max_features"]  # not the resource
    assert legend_texts(display.axes_.flat[0])[:3] == [
        "n_estimators=4", "n_estimators=12", "n_estimators=36",
    ]
    colors = {
        tuple(c.get_facecolor()[0]) for c in display.axes_.flat[0].collections[:3]
    }
    assert len(colors) == 3
    assert_renders(display.figure_, tmp_path / "rungs.png")


def test_parameter_panels_log_axes_and_styles(data):
    grid = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10]}, cv=3).fit(*data)
    display = ParameterScoreDisplay.from_search(grid)
    assert display.axes_.flat[0].get_xscale() == "log"  # a geometric grid
    display = ParameterScoreDisplay.from_search(
        grid, log_scale=False, marker="s", s=40
    )
    assert display.axes_.flat[0].get_xscale() == "linear"
    assert display.scatters_["C"].get_sizes()[0] == 40
    linear = GridSearchCV(SVC(), {"C": [1, 2, 3, 4]}, cv=3).fit(*data)
    display = ParameterScoreDisplay.from_search(linear)
    assert display.axes_.flat[0].get_xscale() == "linear"
    display = ParameterScoreDisplay.from_search(linear, log_scale={"C": True})
    assert display.axes_.flat[0].get_xscale() == "log"


def test_surrogate_is_labelled_as_a_slice_at_the_best(bayes):
    display = ParameterScoreDisplay.from_search(bayes)
    entries = legend_texts(display.axes_.flat[0])
    assert "surrogate at the best configuration" in entries
    assert "best" in entries


class Synthetic(BaseEstimator):
    """A 'model' whose score is a known function of its parameters."""

    def __init__(self, a=0.0, b=0.0, c=0.0, d="x"):
        self.a, self.b, self.c, self.d = a, b, c, d

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        bonus = {"x": 0.0, "y": 0.5, "z": 1.0}[self.d]
        return -(8 * (self.a - 0.3) ** 2 + 4 * abs(self.b - 0.6) + bonus) + 0 * self.c


@pytest.fixture(scope="module")
def synthetic():
    from scipy.stats import uniform

    X = np.zeros((30, 1))
    space = {"a": uniform(0, 1), "b": uniform(0, 1), "c": uniform(0, 1),
             "d": ["x", "y", "z"]}
    return RandomizedSearchCV(
        Synthetic(), space, n_iter=120, cv=2, random_state=0
    ).fit(X)


def test_importance_ranks_a_known_task(synthetic, tmp_path):
    # variances of the main effects: a: 8**2 * var((a - .3)**2) = 1.21,
    # b: 4**2 * var(|b - .6|) = 0.41, d: var({0, .5, 1}) = 0.17, c: 0
    display = ParameterImportanceDisplay.from_search(synthetic)
    order = np.argsort(-display.importances_mean)
    assert [display.params[i] for i in order] == ["a", "b", "d", "c"]
    assert display.importances_mean[display.params.index("c")] < 0.05
    bars = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert bars == ["c", "d", "b", "a"]  # the most important on top
    assert len(display.bars_) == 4
    assert "mean CV score" in display.ax_.get_xlabel()
    assert_renders(display.figure_, tmp_path / "importance.png")


def test_importance_of_a_halving_search(forest_halving):
    display = ParameterImportanceDisplay.from_search(forest_halving)
    assert sorted(display.params) == ["max_depth", "max_features"]
    assert np.all((display.importances_mean >= 0) & (display.importances_mean <= 1))


def test_contour_of_two_parameters(synthetic, tmp_path):
    display = ParameterContourDisplay.from_search(synthetic, "a", "d")
    assert display.ax_.get_xlabel() == "a" and display.ax_.get_ylabel() == "d"
    assert [t.get_text() for t in display.ax_.get_yticklabels()] == ["x", "y", "z"]
    assert len(display.scatter_.get_offsets()) == 120
    assert display.colorbar_.ax.get_ylabel() == "mean CV score (partial dependence)"
    # the partial dependence peaks near a = 0.3 and d = "x"
    row, col = np.unravel_index(np.argmax(display.predictions), display.predictions.shape)
    assert abs(display.x_values[col] - 0.3) < 0.15 and row == 0
    ((_, best_y),) = display.best_marker_.get_offsets()
    assert best_y == 0
    assert_renders(display.figure_, tmp_path / "contour.png")


def test_contour_log_axes_and_errors(bayes):
    display = ParameterContourDisplay.from_search(bayes, "C", "kernel")
    assert display.ax_.get_xscale() == "log"
    with pytest.raises(ValueError, match="two different"):
        ParameterContourDisplay.from_search(bayes, "C", "C")
    with pytest.raises(ValueError, match="Unknown parameters"):
        ParameterContourDisplay.from_search(bayes, "C", "gamma")
