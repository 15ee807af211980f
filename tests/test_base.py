"""The machinery every search shares, driven by a minimal random search."""

import warnings

import numpy as np
import pytest
from search_doubles import BatchedRandomSearch, FailsWhenC
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, RandomizedSearchCV

from skhyper.callbacks import NoImprovementStopper
from skhyper.scheduling._evaluator import Evaluator

X, y = make_classification(n_samples=60, random_state=0)


def test_cv_results_have_every_randomized_search_key():
    search = BatchedRandomSearch(
        LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=3, random_state=0,
        return_train_score=True,
    ).fit(X, y)
    reference = RandomizedSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, n_iter=3, random_state=0,
        return_train_score=True,
    ).fit(X, y)
    assert set(reference.cv_results_) <= set(search.cv_results_)
    assert len(search.cv_results_["params"]) == 3
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]


def test_shuffling_splitter_without_seed_gives_same_folds_to_every_batch():
    class Recorder(ClassifierMixin, BaseEstimator):
        seen = []

        def __init__(self, C=1.0):
            self.C = C

        def fit(self, X, y):
            Recorder.seen.append(round(float(X.sum()), 6))
            self.classes_ = np.unique(y)
            return self

        def score(self, X, y):
            return 0.5

    Recorder.seen = []
    BatchedRandomSearch(
        Recorder(), {"C": (0.1, 10.0)}, n_iter=6, batch=1,
        cv=KFold(3, shuffle=True), refit=False,
    ).fit(X, y)
    # 6 candidates x 3 folds: the same 3 training sets every time.
    assert len(set(Recorder.seen)) == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
def test_failed_batches_keep_their_rows_in_order():
    space = {"C": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    search = BatchedRandomSearch(
        FailsWhenC(bad=(2.0, 3.0, 5.0)), space, n_iter=6, batch=1, random_state=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn: non-finite scores
        search.fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 6
    for params, score, rank in zip(
        results["params"], results["mean_test_score"], results["rank_test_score"]
    ):
        if params["C"] in (2.0, 3.0, 5.0):
            assert np.isnan(score) and rank == 6 - 2
        else:
            assert score == pytest.approx(params["C"] / 10)
    assert search.best_params_["C"] == max(
        p["C"] for p in results["params"] if p["C"] not in (2.0, 3.0, 5.0)
    )


def test_numeric_error_score_is_recorded_for_failed_batches():
    search = BatchedRandomSearch(
        FailsWhenC(bad=(1.0,)), {"C": [1.0, 2.0]}, n_iter=2, batch=1,
        error_score=-1.0, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        search.fit(X, y)
    scores = dict(zip([p["C"] for p in search.cv_results_["params"]],
                      search.cv_results_["mean_test_score"]))
    assert scores[1.0] == -1.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_every_evaluation_failing_raises_with_the_first_error():
    search = BatchedRandomSearch(FailsWhenC(bad=(1.0, 2.0)), {"C": [1.0, 2.0]}, n_iter=2)
    with pytest.raises(ValueError, match="All 2 evaluated configurations failed"
                       "(.|\n)*is broken"):
        search.fit(X, y)


def test_error_score_raise_raises_the_fit_error():
    search = BatchedRandomSearch(
        FailsWhenC(bad=(1.0,)), {"C": [1.0]}, n_iter=1, error_score="raise"
    )
    with pytest.raises(RuntimeError, match="is broken"):
        search.fit(X, y)


def test_keyboard_interrupt_keeps_finished_evaluations():
    space = {"C": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    search = BatchedRandomSearch(
        FailsWhenC(interrupt_at=5.0), space, n_iter=6, batch=1, random_state=0
    )
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    done = [p["C"] for p in search.cv_results_["params"]]
    # Every evaluation before the interrupted one (C=5.0, the sixth) is kept.
    assert done == [2.0, 6.0, 1.0, 3.0, 4.0]
    assert search.best_params_ == {"C": max(done)}
    assert search.best_score_ == pytest.approx(max(done) / 10)


def test_callbacks_stop_the_search_and_best_is_refit():
    seen = []

    def stop_after_four(progress):
        seen.append(progress.n_evaluated)
        return progress.n_evaluated >= 4

    search = BatchedRandomSearch(
        LogisticRegression(), {"C": (0.01, 10.0)}, n_iter=10, batch=2,
        callbacks=stop_after_four, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert seen == [2, 4]
    assert hasattr(search, "best_estimator_")
    assert "stop_after_four" in search.stop_reason_


def test_no_improvement_stopper():
    search = BatchedRandomSearch(
        FailsWhenC(), {"C": [5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.25]}, n_iter=7, batch=1,
        callbacks=[NoImprovementStopper(patience=2)], random_state=0,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    best_at = int(np.argmax(scores))
    assert len(scores) <= best_at + 3


def test_max_time_is_not_overshot_by_more_than_a_batch():
    import time

    class Slow(FailsWhenC):
        def fit(self, X, y):
            time.sleep(0.05)
            return super().fit(X, y)

    start = time.perf_counter()
    search = BatchedRandomSearch(
        Slow(), {"C": (0.1, 10.0)}, n_iter=100, batch=1, cv=2, max_time=0.5,
        refit=False,
    ).fit(X, y)
    elapsed = time.perf_counter() - start
    assert 2 <= len(search.cv_results_["params"]) < 100
    assert elapsed < 0.5 + 0.3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one of search_spaces"),
        ({"search_spaces": {"C": [1]}, "param_grid": {"C": [1]}}, "exactly one"),
        ({"search_spaces": {"Cee": [1.0]}}, "'Cee'"),
        ({"search_spaces": {"C": []}}, "'C'.*non-empty sequence"),
        ({"search_spaces": {"C": [1.0]}, "max_time": -1}, "max_time"),
    ],
)
def test_bad_input_raises_before_any_fit(kwargs, match):
    class NeverFit(FailsWhenC):
        def fit(self, X, y):
            raise AssertionError("fit must not be called")

    with pytest.raises((ValueError, TypeError), match=match):
        BatchedRandomSearch(NeverFit(), **kwargs).fit(X, y)


def test_grid_and_distribution_keywords_are_aliases():
    for key in ("param_grid", "param_distributions"):
        search = BatchedRandomSearch(
            LogisticRegression(), n_iter=2, random_state=0, **{key: {"C": [0.1, 1.0]}}
        ).fit(X, y)
        assert {p["C"] for p in search.cv_results_["params"]} <= {0.1, 1.0}


def _progress_lines(verbose, capsys):
    BatchedRandomSearch(
        LogisticRegression(), {"C": (0.1, 1.0)}, n_iter=6, batch=2, verbose=verbose,
        scoring=lambda est, X, y: 0.5,  # the first batch's best is never beaten
    ).fit(X, y)
    out = capsys.readouterr().out
    return out, [
        line for line in out.splitlines() if line.startswith("[BatchedRandomSearch]")
    ]


def test_verbose_1_prints_a_line_when_the_best_improves_and_a_summary(capsys):
    out, lines = _progress_lines(1, capsys)
    assert len(lines) == 3
    assert "batch 1: 2/6 evaluated" in lines[0] and "s left" in lines[0]
    assert "done: 6 evaluated in 3 batches" in lines[1]
    assert "best CV score 0.5; selection bias" in lines[2]
    assert "Fitting" not in out  # scikit-learn's batch line only from verbose=2


def test_verbose_2_prints_a_line_per_batch(capsys):
    out, lines = _progress_lines(2, capsys)
    assert [line.split(":")[0] for line in lines] == [
        "[BatchedRandomSearch] batch 1", "[BatchedRandomSearch] batch 2",
        "[BatchedRandomSearch] batch 3", "[BatchedRandomSearch] done",
        "[BatchedRandomSearch] best CV score 0.5; selection bias ~0 (Tibshirani), "
        "corrected 0.5",
    ]
    assert out.count("Fitting 5 folds") == 3


def test_infinite_scores_count_as_failures():
    class Overflows(FailsWhenC):
        def score(self, X, y):
            return np.inf if self.C == 2.0 else self.C / 10

    with warnings.catch_warnings():
        # scikit-learn warns about non-finite scores and, computing their std,
        # about inf - inf.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        search = BatchedRandomSearch(
            Overflows(), {"C": [1.0, 2.0, 3.0]}, n_iter=3, batch=3, random_state=0
        ).fit(X, y)
    scores = dict(zip([p["C"] for p in search.cv_results_["params"]],
                      search.cv_results_["mean_test_score"]))
    assert np.isnan(scores[2.0])
    assert search.best_params_ == {"C": 3.0}


def _same_results(a, b):
    assert list(a) == list(b)
    for key in a:
        if key.endswith("_time"):
            continue
        if key == "params":
            assert a[key] == b[key]
            continue
        assert a[key].dtype == b[key].dtype, key
        np.testing.assert_array_equal(np.ma.getmaskarray(a[key]), np.ma.getmaskarray(b[key]))
        np.testing.assert_array_equal(np.ma.filled(a[key], 0), np.ma.filled(b[key], 0))


@pytest.mark.parametrize("n_points", [1, 2])
def test_rows_formatted_call_by_call_equal_all_rows_formatted_at_once(monkeypatch, n_points):
    # One row per call is formatted, the earlier ones kept: cv_results_ must be
    # what scikit-learn's formatting of every row at each call gives. A column
    # whose values change type along the way (int, then float, then a string,
    # a name missing from some points, a failed fit) must come out the same.
    from sklearn.dummy import DummyClassifier

    from skhyper import BayesSearchCV

    space = [
        {"strategy": ["prior", "stratified"], "random_state": [0, 1]},
        {"strategy": ["constant"], "constant": [0, 1, 7], "random_state": [0, 0.5, "x"]},
    ]

    def search():
        return BayesSearchCV(
            DummyClassifier(), space, n_iter=12, n_points=n_points, cv=3,
            random_state=0, return_train_score=True,
            scoring={"acc": "accuracy", "bal": "balanced_accuracy"}, refit="acc",
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant absent from y, strings as seeds
        incremental = search().fit(X, y)
        monkeypatch.setattr(Evaluator, "formatted", _format_everything)
        whole = search().fit(X, y)
    _same_results(incremental.cv_results_, whole.cv_results_)
    assert incremental.best_index_ == whole.best_index_


def _format_everything(evaluator, format_rows, candidate_params, n_splits, out,
                       more_results):
    """``Evaluator.formatted`` as if every row were formatted again at each call:
    the new rows are taken out of all of them."""
    from skhyper.scheduling import _results

    whole = format_rows(candidate_params, n_splits, out, more_results)
    done = evaluator._n_sklearn_rows
    evaluator._n_sklearn_rows = len(candidate_params)
    new = _results.take_rows(whole, range(done, len(candidate_params)))
    evaluator._new_rows = evaluator.record.add(new, by_sklearn=True)
    return evaluator.results
