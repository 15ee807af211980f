"""Completion criteria: target, relative no-improvement, convergence."""

import numpy as np
import pytest
from search_doubles import FirstClassClassifier
from sklearn.datasets import make_classification

from skhyper import BayesSearchCV, Real, SuccessiveHalvingSearchCV
from skhyper.callbacks import (
    ConvergenceStopper,
    NoImprovementStopper,
    SearchProgress,
    TargetScoreStopper,
)

X, y = make_classification(n_samples=80, random_state=0)


class Quadratic(FirstClassClassifier):
    """Scores ``-(a - 0.3)**2 - (b - 0.6)**2`` (0 is the best); ``flat`` scores 0.5."""

    def __init__(self, a=0.0, b=0.0, flat=False):
        self.a = a
        self.b = b
        self.flat = flat

    def score(self, X, y):
        if self.flat:
            return 0.5
        return -((self.a - 0.3) ** 2) - (self.b - 0.6) ** 2


SPACE = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}


def _bayes(callbacks, n_iter=40, **kwargs):
    return BayesSearchCV(Quadratic(**kwargs), SPACE, n_iter=n_iter, cv=2,
                         random_state=0, callbacks=callbacks)


def _progress(scores, expected_improvement=None):
    scores = np.asarray(scores, dtype=float)
    return SearchProgress(len(scores), 0.0, 0.0, scores, np.nanmax(scores), None,
                          {}, expected_improvement)


def test_target_stops_at_the_evaluation_that_reaches_it():
    full = _bayes(None).fit(X, y)
    scores = full.cv_results_["mean_test_score"]
    target = float(np.sort(scores)[-5])  # reached somewhere inside the run
    first = int(np.flatnonzero(scores >= target)[0])
    stopped = _bayes([TargetScoreStopper(target)]).fit(X, y)
    assert len(stopped.cv_results_["params"]) == first + 1
    assert stopped.best_score_ >= target
    assert stopped.stop_reason_.startswith(f"TargetScoreStopper(target={target!r})")
    assert f"at evaluation {first + 1}" in stopped.stop_reason_
    # the stopped search refits the best configuration
    assert stopped.best_estimator_.get_params()["a"] == stopped.best_params_["a"]
    assert hasattr(stopped.best_estimator_, "classes_")


def test_target_never_reached_runs_the_whole_budget():
    search = _bayes([TargetScoreStopper(1.0)], n_iter=12).fit(X, y)
    assert len(search.cv_results_["params"]) == 12 and search.stop_reason_ is None


def test_relative_tolerance_counts_small_improvements_as_none():
    stopper = NoImprovementStopper(patience=3, rel_tol=0.01)
    assert stopper(_progress([-1.0, -0.5, -0.499, -0.498, -0.497]))  # < 1 %
    assert not stopper(_progress([-1.0, -0.5, -0.499, -0.498, -0.49]))  # 2 %
    assert not stopper(_progress([-1.0, -0.5, -0.499]))  # not enough evaluations
    assert NoImprovementStopper(patience=3)(_progress([0.0, 1.0, 1.0, 1.0, 1.0]))
    assert not NoImprovementStopper(patience=3)(_progress([0, 1.0, 1, 1, 1.001]))


def test_relative_tolerance_in_a_search_and_its_reason():
    rule = NoImprovementStopper(patience=5, rel_tol=0.5)
    search = _bayes([rule]).fit(X, y)
    n = len(search.cv_results_["params"])
    scores = search.cv_results_["mean_test_score"]
    assert n < 40
    before = scores[: n - 5].max()
    assert scores[n - 5 :].max() <= before + 0.5 * abs(before)
    assert "rel_tol=0.5" in search.stop_reason_
    assert "no improvement" in search.stop_reason_


def test_convergence_on_a_flat_problem():
    search = _bayes([ConvergenceStopper(patience=3)], flat=True).fit(X, y)
    n = len(search.cv_results_["params"])
    n_initial = search.optimizer_.n_initial_points_
    assert n == n_initial + 3  # three model proposals expecting nothing
    assert search.stop_reason_.startswith("ConvergenceStopper(patience=3")
    assert search.best_score_ == 0.5 and hasattr(search, "best_estimator_")


def test_convergence_waits_for_the_model_on_a_real_problem():
    search = _bayes([ConvergenceStopper()]).fit(X, y)
    n = len(search.cv_results_["params"])
    assert search.optimizer_.n_initial_points_ + 5 <= n < 40
    assert search.best_score_ > -0.01  # converged near the optimum


def test_convergence_needs_consecutive_negligible_proposals():
    stopper = ConvergenceStopper(patience=2, rel_tol=0.01)
    scores = [0.0, 1.0, 0.5, 0.6]
    assert stopper(_progress(scores, [np.nan, np.nan, 0.001, 0.002]))
    assert not stopper(_progress(scores, [np.nan, np.nan, 0.5, 0.002]))
    assert not stopper(_progress(scores, None))  # not a Bayesian search


def test_convergence_never_fires_in_halving():
    search = SuccessiveHalvingSearchCV(
        Quadratic(flat=True), SPACE, n_candidates=8, cv=2, random_state=0,
        callbacks=[ConvergenceStopper(patience=1)],
    ).fit(X, y)
    assert search.stop_reason_ is None


def test_stoppers_combine_with_max_time_and_callables():
    calls = []

    def record(progress):
        calls.append(progress.n_evaluated)
        return False

    search = BayesSearchCV(
        Quadratic(), SPACE, n_iter=30, cv=2, random_state=0, max_time=3600,
        callbacks=[record, TargetScoreStopper(-0.01),
                   NoImprovementStopper(patience=20)],
    ).fit(X, y)
    n = len(search.cv_results_["params"])
    assert search.stop_reason_.startswith("TargetScoreStopper") and n > 5
    assert calls == list(range(1, n + 1))  # every rule ran after every batch


def test_the_stop_reason_is_printed_when_verbose(capsys):
    BayesSearchCV(Quadratic(), SPACE, n_iter=30, cv=2, random_state=0, verbose=1,
                  callbacks=[TargetScoreStopper(-0.05)]).fit(X, y)
    assert "stopped by TargetScoreStopper(target=-0.05): best score" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: TargetScoreStopper("high"), "target"),
        (lambda: TargetScoreStopper(np.nan), "target"),
        (lambda: NoImprovementStopper(3, rel_tol=-0.1), "rel_tol"),
        (lambda: ConvergenceStopper(patience=0), "patience"),
        (lambda: ConvergenceStopper(rel_tol=-1), "rel_tol"),
    ],
)
def test_bad_arguments_name_the_parameter(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_target_stops_a_halving_search_after_the_rung_that_reaches_it():
    full = SuccessiveHalvingSearchCV(Quadratic(), SPACE, n_candidates=27, cv=2,
                                     random_state=0).fit(X, y)
    first_rung = full.cv_results_["iter"] == 0
    target = float(full.cv_results_["mean_test_score"][first_rung].max())
    search = SuccessiveHalvingSearchCV(
        Quadratic(), SPACE, n_candidates=27, cv=2, random_state=0,
        callbacks=[TargetScoreStopper(target)],
    ).fit(X, y)
    assert set(search.cv_results_["iter"]) == {0}
    assert search.best_score_ == target and hasattr(search, "best_estimator_")
