"""Displays render fitted searches to non-empty images, and say what is missing."""

import sys

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_iris
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
    Real,
    SuccessiveHalvingSearchCV,
)
from skhyper.plots import ConvergenceDisplay, HalvingDisplay, ParameterScoreDisplay
from skhyper.plots._common import best_at_top_fidelity, running_best

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
    for tick, n, r in zip(ticks, halving.n_candidates_, halving.n_resources_):
        assert f"{n} cand." in tick and f"res. {r}" in tick
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
    assert not any("iter -1" in t for t in ticks)
    assert_renders(display.figure_, tmp_path / "reused.png")
