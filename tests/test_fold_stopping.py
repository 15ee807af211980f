"""Early-stopped cross-validation (``fold_stopping``): folds that cannot win
are not fitted, and ``cv_results_`` keeps scikit-learn's shape."""

import json
import time
import warnings
from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import KFold

from skhyper import BayesSearchCV, HyperbandSearchCV, SuccessiveHalvingSearchCV
from skhyper.scheduling import _fold_stopping, _results
from skhyper.scheduling._fold_stopping import (
    COLUMN,
    PREDICTED,
    FoldStopping,
    pad_rows,
    predicted_mean,
    predicted_sd,
    stopped_rows,
)
from skhyper.searches._selection_bias import selection_bias
from skhyper.space import Integer, Real

N = 200
X = np.arange(N, dtype=float).reshape(-1, 1)
y = np.arange(N) % 2
CV = KFold(5)


class FoldScorer(ClassifierMixin, BaseEstimator):
    """Scores ``quality`` plus a little per fold (its test block); counts fits.

    A worse ``quality`` is worse on every fold, so the forgiving rule stops it
    after its first fold once a better configuration is complete.
    """

    n_fits = 0  # fits in this process (n_jobs=1)
    sizes: ClassVar[list] = []  # their n_estimators

    def __init__(self, quality=0.5, n_estimators=10):
        self.quality = quality
        self.n_estimators = n_estimators

    def fit(self, X, y):
        FoldScorer.n_fits += 1
        FoldScorer.sizes.append(self.n_estimators)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        fold = int(X[0, 0] // (N / 5))
        return self.quality + 0.01 * fold


@pytest.fixture(autouse=True)
def reset_counter():
    FoldScorer.n_fits = 0
    FoldScorer.sizes = []


def _bayes(**kwargs):
    params = dict(
        n_iter=10, cv=CV, random_state=0, fold_stopping="forgiving", n_jobs=1,
    )
    params.update(kwargs)
    return BayesSearchCV(FoldScorer(), {"quality": Real(0.0, 1.0)}, **params)


def _split_columns(results):
    return np.column_stack([results[f"split{k}_test_score"] for k in range(5)])


def _check_shape(search):
    results = search.cv_results_
    folds = np.asarray(results[COLUMN])
    splits = _split_columns(results)
    stopped = folds < 5
    # folds not run are NaN, the others are not; mean and std over those run
    for row, n_run in enumerate(folds):
        assert np.isfinite(splits[row, :n_run]).all()
        assert np.isnan(splits[row, n_run:]).all()
        assert results["mean_test_score"][row] == pytest.approx(
            splits[row, :n_run].mean()
        )
        assert results["std_test_score"][row] == pytest.approx(
            splits[row, :n_run].std()
        )
    ranks = np.asarray(results["rank_test_score"])
    if stopped.any() and (~stopped).any():
        assert ranks[stopped].min() > ranks[~stopped].max()
    assert not stopped[search.best_index_]
    return stopped


@pytest.mark.parametrize("rule", ["forgiving", "predictive"])
@pytest.mark.parametrize("asynchronous", [False, True])
def test_bayes_stops_folds_that_cannot_win(asynchronous, rule):
    search = _bayes(asynchronous=asynchronous, fold_stopping=rule).fit(X, y)
    stopped = _check_shape(search)
    folds = np.asarray(search.cv_results_[COLUMN])
    assert stopped.sum() >= 3
    # every fit is a row's fold, plus the refit: the stopped folds never ran
    assert FoldScorer.n_fits == folds.sum() + 1 < 10 * 5
    best = search.best_index_
    assert search.best_score_ == search.cv_results_["mean_test_score"][best]
    assert search.best_estimator_.quality == search.best_params_["quality"]
    complete = search.cv_results_["mean_test_score"][~stopped]
    assert search.best_score_ == complete.max()


def test_keys_are_scikit_learns_plus_the_folds_run_and_predicted_columns():
    with_stopping = _bayes().fit(X, y).cv_results_
    without = _bayes(fold_stopping=None).fit(X, y).cv_results_
    assert set(with_stopping) == set(without) | {COLUMN, PREDICTED}
    splits = [k for k in with_stopping if k.startswith("split")]
    assert splits == [k for k in without if k.startswith("split")]


def test_synchronous_search_is_reproducible():
    first = _bayes(n_jobs=2).fit(X, y).cv_results_
    second = _bayes(n_jobs=2).fit(X, y).cv_results_
    assert first["params"] == second["params"]
    np.testing.assert_array_equal(first[COLUMN], second[COLUMN])


@pytest.mark.parametrize("rule", ["forgiving", "predictive"])
@pytest.mark.parametrize("asynchronous", [False, True])
def test_the_model_learns_stopped_configurations_predicted_means(asynchronous, rule):
    search = _bayes(asynchronous=asynchronous, fold_stopping=rule).fit(X, y)
    results = search.cv_results_
    stopped = stopped_rows(results)
    assert stopped.any()
    told = np.asarray(search.optimizer_._scores)
    assert len(told) == len(stopped)  # every row told, in order
    # complete rows: their mean; stopped ones: the rival's mean plus their
    # mean difference to its same folds. FoldScorer's folds all differ by the
    # quality difference, so that is the mean over all five folds.
    means = np.asarray(results["mean_test_score"])
    np.testing.assert_allclose(told[~stopped], means[~stopped])
    quality = np.array([p["quality"] for p in results["params"]])
    np.testing.assert_allclose(told[stopped], quality[stopped] + 0.02)
    np.testing.assert_allclose(told[stopped], results[PREDICTED][stopped])
    assert np.isnan(results[PREDICTED][~stopped]).all()
    # below the best complete one; the rows keep the mean over folds run
    assert (told[stopped] < search.best_score_).all()
    assert (told[stopped] > means[stopped]).all()


def test_selection_bias_uses_complete_configurations():
    search = _bayes().fit(X, y)
    assert np.isfinite(search.best_score_corrected_)
    stopped = stopped_rows(search.cv_results_)
    assert selection_bias(search).n_candidates == (~stopped).sum()


def test_verbose_summary_says_how_many_fits_were_saved(capsys):
    search = _bayes(verbose=1).fit(X, y)
    saved = 10 * 5 - np.asarray(search.cv_results_[COLUMN]).sum()
    out = capsys.readouterr().out
    assert f"{saved} of 50 fold fits saved by fold_stopping" in out


def test_paired_rule_needs_four_folds():
    search = _bayes(fold_stopping="paired").fit(X, y)
    folds = np.asarray(search.cv_results_[COLUMN])
    assert set(folds) <= {4, 5}
    assert (folds == 4).any()
    _check_shape(search)


def _halving_space():
    return {"quality": Real(0.0, 1.0)}


@pytest.mark.parametrize("rule", ["forgiving", "predictive"])
@pytest.mark.parametrize("asynchronous", [False, True, "asha"])
@pytest.mark.parametrize("cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_halving_never_promotes_a_stopped_candidate(cls, asynchronous, rule):
    kwargs = dict(n_candidates=18) if cls is SuccessiveHalvingSearchCV else {}
    search = cls(
        FoldScorer(), _halving_space(), resource="n_estimators", max_resources=27,
        min_resources=3, factor=3, cv=CV, random_state=0, n_jobs=1,
        fold_stopping=rule, asynchronous=asynchronous, **kwargs,
    ).fit(X, y)
    results = search.cv_results_
    stopped = stopped_rows(results)
    assert stopped.any()
    assert not stopped[search.best_index_]
    folds = np.asarray(results[COLUMN])
    splits = _split_columns(results)
    for row, n_run in enumerate(folds):
        assert np.isnan(splits[row, n_run:]).all()
    brackets = np.asarray(results.get("bracket", np.zeros(len(folds))))
    iters = np.asarray(results["iter"])
    for row in np.flatnonzero(stopped):
        quality = results["params"][row]["quality"]
        later = (brackets == brackets[row]) & (iters > iters[row])
        assert quality not in [results["params"][i]["quality"]
                               for i in np.flatnonzero(later)]


class GrowingScorer(FoldScorer):
    """Better with more estimators: the best row is at the largest resource."""

    def score(self, X, y):
        return super().score(X, y) + 0.001 * self.n_estimators


def test_halving_fits_nothing_extra_at_the_largest_resource():
    # The streaming driver fits every fold itself; scikit-learn still needs
    # one evaluate_candidates call, whose row is dropped: it fits the
    # quickest configuration (one at the smallest resource), not the best.
    search = SuccessiveHalvingSearchCV(
        GrowingScorer(), _halving_space(), resource="n_estimators", max_resources=27,
        min_resources=3, factor=3, n_candidates=9, cv=CV, random_state=0,
        n_jobs=1, fold_stopping="predictive", warm_start=False,
    ).fit(X, y)
    results = search.cv_results_
    at_max = np.asarray(results["n_resources"]) == 27
    folds_at_max = int(np.sum(np.asarray(results[COLUMN])[at_max]))
    assert FoldScorer.sizes.count(27) == folds_at_max + 1  # and the refit
    assert FoldScorer.n_fits == int(np.sum(results[COLUMN])) + 5 + 1


class FailsQuickly(FoldScorer):
    """Below quality 0.3 the first fold's fit fails at once; others take 5 ms."""

    def fit(self, X, y):
        if self.quality < 0.3 and X[0, 0] >= N / 5:  # trained without fold 0
            raise ValueError("bad quality")
        time.sleep(0.005)
        return super().fit(X, y)


def test_resumed_search_refits_no_configuration_with_a_failed_fold(tmp_path):
    # Restored whole, the search evaluates one configuration again through
    # scikit-learn: the quickest, but never one whose folds failed (the
    # warning would be about fits the user never sees).
    path = tmp_path / "search.json"

    def search():
        return BayesSearchCV(
            FailsQuickly(), {"quality": Real(0.0, 1.0)}, n_iter=8, cv=CV,
            random_state=0, error_score=0.0, checkpoint=path,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = search().fit(X, y)
    qualities = [p["quality"] for p in first.cv_results_["params"]]
    assert min(qualities) < 0.3 < max(qualities)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FitFailedWarning)
        again = search().fit(X, y)
    assert again.best_index_ == first.best_index_


def test_resumed_search_keeps_stopped_candidates_stopped(tmp_path):
    path = tmp_path / "search.json"
    first = _bayes(checkpoint=path).fit(X, y)
    stored = json.loads(path.read_text())
    assert COLUMN in stored["columns"]
    FoldScorer.n_fits = 0
    again = _bayes(checkpoint=path).fit(X, y)  # a fresh object reads the file
    for key in ("params", COLUMN, "mean_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            np.asarray(again.cv_results_[key]), np.asarray(first.cv_results_[key])
        )
    np.testing.assert_array_equal(
        _split_columns(again.cv_results_), _split_columns(first.cv_results_)
    )
    assert again.best_index_ == first.best_index_
    # nothing is fitted again but one configuration (through scikit-learn)
    # and the refit
    assert FoldScorer.n_fits == 5 + 1


def test_resumed_longer_search_replays_stopped_rows(tmp_path):
    path = tmp_path / "search.json"
    first = _bayes(checkpoint=path, n_iter=6).fit(X, y)
    FoldScorer.n_fits = 0
    longer = _bayes(checkpoint=path, n_iter=10).fit(X, y)
    np.testing.assert_array_equal(
        longer.cv_results_[COLUMN][:6], first.cv_results_[COLUMN]
    )
    assert FoldScorer.n_fits < 4 * 5 + 1  # the six stored rows were not refitted
    _check_shape(longer)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_resumed_search_tells_the_model_the_same(tmp_path, asynchronous):
    path = tmp_path / "search.json"
    first = _bayes(checkpoint=path, n_iter=6, asynchronous=asynchronous).fit(X, y)
    assert stopped_rows(first.cv_results_).any()
    told = _told(first)
    again = _bayes(checkpoint=path, n_iter=6, asynchronous=asynchronous).fit(X, y)
    assert _told(again) == told
    # a longer search leaves the stored proposals: the rest are told at once
    longer = _bayes(checkpoint=path, n_iter=10, asynchronous=asynchronous).fit(X, y)
    assert {q: v for q, v in _told(longer).items() if q in told} == told
    np.testing.assert_array_equal(
        np.asarray(longer.cv_results_[PREDICTED])[:6], first.cv_results_[PREDICTED]
    )


def _told(search):
    """What the search's model was told, by configuration."""
    optimizer = search.optimizer_
    told = {p["quality"]: v for p, v in zip(optimizer.points, optimizer._scores)}
    assert len(told) == len(optimizer.points)
    return told


def test_checkpoint_without_predicted_means_tells_the_means_run(tmp_path):
    # an older skhyper's checkpoint: the model learns the mean over folds run
    path = tmp_path / "search.json"
    first = _bayes(checkpoint=path, n_iter=6).fit(X, y)
    stored = json.loads(path.read_text())
    del stored["columns"][PREDICTED]
    path.write_text(json.dumps(stored))
    again = _bayes(checkpoint=path, n_iter=6).fit(X, y)
    told = _told(again)
    for params, mean in zip(
        first.cv_results_["params"], first.cv_results_["mean_test_score"]
    ):
        assert told[params["quality"]] == mean


@pytest.mark.parametrize("cv", [2, KFold(2)])
def test_fewer_than_three_folds_is_refused_before_any_fit(cv):
    with pytest.raises(ValueError, match="at least 3 folds"):
        _bayes(cv=cv).fit(X, y)
    assert FoldScorer.n_fits == 0


@pytest.mark.parametrize("cls", [BayesSearchCV, SuccessiveHalvingSearchCV])
def test_callable_refit_is_refused_before_any_fit(cls):
    search = cls(
        FoldScorer(), {"quality": Real(0.0, 1.0)}, cv=CV, fold_stopping="forgiving",
        refit=lambda results: 0,
    )
    with pytest.raises(ValueError, match="callable refit"):
        search.fit(X, y)
    assert FoldScorer.n_fits == 0


def test_unknown_rule_is_refused_naming_the_rules():
    with pytest.raises(ValueError, match="fold_stopping") as error:
        _bayes(fold_stopping="eager").fit(X, y)
    for rule in ("forgiving", "paired", "predictive"):
        assert rule in str(error.value)
    assert FoldScorer.n_fits == 0


RIVAL = [0.8, 0.82, 0.79, 0.81, 0.8]


def test_predictive_rule_stops_a_candidate_clearly_worse_on_its_first_fold():
    stopping = FoldStopping("predictive")
    assert not stopping.should_stop([0.1], (None, 1))  # no rival yet
    stopping.add(None, RIVAL, order=0)
    assert stopping.should_stop([0.5], (None, 1))
    assert not stopping.should_stop([0.5], (None, 1), before=0)


def test_predictive_rule_runs_on_when_the_folds_straddle_the_rival():
    stopping = FoldStopping("predictive")
    stopping.add(None, RIVAL, order=0)
    assert not stopping.should_stop([0.795], (None, 1))  # within the rival's spread
    assert not stopping.should_stop([0.79, 0.83], (None, 1))
    assert not stopping.should_stop([0.81, 0.81, 0.78, 0.82], (None, 1))


def test_predictive_margin_is_the_rivals_spread_shrinking_with_folds_run():
    # the rival's folds vary a lot: a small deficit on the first fold is noise,
    # the same deficit on four folds is not
    rival = [0.8, 0.9, 0.7, 0.85, 0.75]
    stopping = FoldStopping("predictive")
    stopping.add(None, rival, order=0)
    assert not stopping.should_stop([0.77], (None, 1))
    assert stopping.should_stop([0.77, 0.87, 0.67, 0.82], (None, 1))


def test_predictive_rule_stops_a_candidate_worse_on_an_easy_first_fold(monkeypatch):
    # the rival is weak on its last folds: a candidate worse on the first,
    # easy fold is predicted worse although its mean so far is above the
    # rival's; the model is told the prediction, below the rival's mean
    rival = [0.95, 0.9, 0.5, 0.5, 0.5]
    stopping = FoldStopping("predictive")
    stopping.add(None, rival, order=0)
    assert 0.7 - 0.95 < -0.75 * predicted_sd(1, np.array(rival))  # predicted worse
    assert stopping.should_stop([0.7], (None, 1))
    assert stopping.predicted([0.7], (None, 1)) == pytest.approx(0.67 - 0.25)
    # the condition the rule had while the model was told the mean run
    monkeypatch.setattr(_fold_stopping, "PREDICTIVE_MEAN_CONDITION", True)
    assert not stopping.should_stop([0.7], (None, 1))  # above the mean 0.67
    assert stopping.should_stop([0.6], (None, 1))


def test_no_stop_before_enough_complete_candidates(monkeypatch):
    monkeypatch.setattr(_fold_stopping, "MIN_COMPLETE", 2)
    stopping = FoldStopping("predictive")
    stopping.add(None, [0.9, 0.9, 0.9, 0.9, 0.9], order=0)
    assert not stopping.should_stop([0.1], (None, 1))  # one complete: no rival
    stopping.add(None, [0.8, 0.8, 0.8, 0.8, 0.8], order=1)
    assert stopping.should_stop([0.1], (None, 1))
    assert stopping.rival((None, 1)).mean() == pytest.approx(0.9)


def test_predicted_mean_is_the_rivals_mean_plus_the_paired_difference():
    rival = np.array([0.9, 0.7, 0.8, 0.6, 0.5])
    scores = np.array([0.8, 0.7])
    assert predicted_mean(scores, rival) == pytest.approx(0.7 + (-0.1 + 0.0) / 2)
    # against the rival the stop was decided with: the best taken before it
    stopping = FoldStopping("predictive")
    stopping.add(None, rival, order=0)
    stopping.add(None, [0.7, 0.9, 0.8, 0.9, 0.9], order=2)
    assert stopping.predicted(scores, (None, 1), before=1) == pytest.approx(0.65)
    assert stopping.predicted(scores, (None, 1)) == pytest.approx(0.84 - 0.05)


def test_predicted_sd_shrinks_to_zero_at_the_last_fold():
    sd = [predicted_sd(k, np.array(RIVAL)) for k in range(1, 6)]
    assert np.all(np.diff(sd) < 0) and sd[-1] == 0
    assert sd[0] == pytest.approx(np.std(RIVAL, ddof=1) * np.sqrt(4 / 5))


def test_forgiving_rule_compares_with_the_rivals_worst_fold():
    stopping = FoldStopping("forgiving")
    assert not stopping.should_stop([0.1], (None, 1))  # no rival yet
    stopping.add(None, [0.8, 0.6, 0.9], order=0)
    assert not stopping.should_stop([0.7], (None, 1))
    assert not stopping.should_stop([0.5, 0.75], (None, 1))  # mean above 0.6
    assert stopping.should_stop([0.5, 0.6], (None, 1))
    assert not stopping.should_stop([0.5, 0.6], (None, 1), before=0)


def test_rival_of_a_rung_is_its_promotion_cut():
    stopping = FoldStopping("forgiving")
    for order, score in enumerate([0.9, 0.5, 0.7]):
        stopping.add("rung", [score] * 3, order=order)
    np.testing.assert_array_equal(stopping.rival(("rung", 2)), [0.7] * 3)
    assert stopping.rival(("rung", 4)) is None


def test_padded_rows_keep_fold_order():
    rows = {"split0_test_score": np.array([1.0]), "split1_test_score": np.array([2.0]),
            "mean_test_score": np.array([1.5]), "split0_train_score": np.array([3.0]),
            "mean_train_score": np.array([3.0])}
    padded = pad_rows(rows, 3)
    assert list(padded) == [
        "split0_test_score", "split1_test_score", "split2_test_score",
        "mean_test_score", "split0_train_score", "split1_train_score",
        "split2_train_score", "mean_train_score",
    ]
    assert np.isnan(padded["split2_test_score"]).all()


def test_rank_puts_stopped_rows_after_complete_ones():
    results = {
        "params": [{}, {}, {}, {}],
        "split0_test_score": np.array([0.9, 0.5, 0.4, np.nan]),
        "split1_test_score": np.array([np.nan, 0.5, 0.4, np.nan]),
        "mean_test_score": np.array([0.9, 0.5, 0.4, np.nan]),
        "rank_test_score": np.zeros(4, dtype=np.int32),
        COLUMN: np.array([1, 2, 2, 2]),
    }
    ranked = _results.rank(results)
    np.testing.assert_array_equal(ranked["rank_test_score"], [3, 1, 2, 4])


def test_integer_space_halving_synchronous_is_reproducible():
    def fit():
        return SuccessiveHalvingSearchCV(
            FoldScorer(), {"quality": Integer(0, 50)}, resource="n_estimators",
            max_resources=27, min_resources=3, factor=3, cv=CV, random_state=0,
            n_jobs=2, fold_stopping="forgiving", n_candidates=18,
        ).fit(X, y).cv_results_

    first, second = fit(), fit()
    assert first["params"] == second["params"]
    np.testing.assert_array_equal(first[COLUMN], second[COLUMN])


def test_convergence_plot_counts_the_folds_run():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from skhyper.plots import ConvergenceDisplay

    search = _bayes().fit(X, y)
    display = ConvergenceDisplay.from_search(search, x="cost")
    folds = np.asarray(search.cv_results_[COLUMN])
    np.testing.assert_allclose(display.x_values[0], np.cumsum(folds / 5))
    saved = 1 - folds.mean() / 5
    assert display.labels[0] == f"BayesSearchCV, {saved:.0%} of fold fits saved"


def test_resumed_halving_search_keeps_stopped_candidates_stopped(tmp_path):
    def fit():
        return SuccessiveHalvingSearchCV(
            FoldScorer(), _halving_space(), resource="n_estimators",
            max_resources=27, min_resources=3, factor=3, cv=CV, random_state=0,
            n_jobs=1, fold_stopping="forgiving", n_candidates=18,
            checkpoint=tmp_path / "halving.json",
        ).fit(X, y)

    first = fit()
    FoldScorer.n_fits = 0
    again = fit()  # a fresh search object reads the checkpoint
    np.testing.assert_array_equal(again.cv_results_[COLUMN], first.cv_results_[COLUMN])
    assert again.cv_results_["params"] == first.cv_results_["params"]
    assert again.best_index_ == first.best_index_
    assert FoldScorer.n_fits == 5 + 1  # the best once through scikit-learn, the refit


@pytest.mark.parametrize("first, second", [("forgiving", None), (None, "forgiving")])
def test_checkpoint_of_another_fold_stopping_is_refused(tmp_path, first, second):
    path = tmp_path / "search.json"
    _bayes(checkpoint=path, n_iter=4, fold_stopping=first).fit(X, y)
    FoldScorer.n_fits = 0
    with pytest.raises(ValueError, match="fold_stopping"):
        _bayes(checkpoint=path, n_iter=4, fold_stopping=second).fit(X, y)
    assert FoldScorer.n_fits == 0


@pytest.mark.slow
@pytest.mark.parametrize("asynchronous", [False, True])
def test_stopped_candidates_have_no_rounds_for_folds_not_run(asynchronous):
    # fold_stopping with boosting's early_stopping: the rounds columns are
    # per split too, NaN where a stopped candidate's folds did not run.
    from sklearn.datasets import make_classification
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = make_classification(400, random_state=0)
    space = {"learning_rate": Real(1e-5, 1, prior="log-uniform"),
             "max_leaf_nodes": Integer(4, 31)}
    search = BayesSearchCV(
        HistGradientBoostingClassifier(max_iter=30), space, n_iter=10, cv=5,
        random_state=0, fold_stopping="forgiving", early_stopping=True,
        asynchronous=asynchronous,
    ).fit(X, y)
    results = search.cv_results_
    run = np.asarray(results["n_folds_run"])
    assert (run < 5).any()
    rounds = np.column_stack([results[f"split{k}_best_rounds"] for k in range(5)])
    for row, n in zip(rounds, run):
        assert np.isfinite(row[:n]).all() and np.isnan(row[n:]).all()
    assert run[search.best_index_] == 5
