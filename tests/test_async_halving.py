"""Asynchronous successive halving and Hyperband: brackets at their own pace, ASHA."""

import json
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.utils._param_validation import InvalidParameterError

from skhyper import HyperbandSearchCV, Real, SuccessiveHalvingSearchCV, _compat
from skhyper.resources import _warm_start

X = np.arange(60, dtype=float).reshape(30, 2)
y = np.zeros(30)
SPACE = {"a": Real(0.0, 1.0)}


class Sleepy(RegressorMixin, BaseEstimator):
    """Fits take longer with ``a`` and ``steps``; the score peaks at a=0.3 and
    grows with ``steps`` (and, when ``noisy``, varies with the fold)."""

    def __init__(self, a=0.5, steps=27, base=0.0, slope=0.0, fail_above=None):
        self.a, self.steps = a, steps
        self.base, self.slope, self.fail_above = base, slope, fail_above

    def fit(self, X, y):
        if self.fail_above is not None and self.a > self.fail_above:
            raise RuntimeError("a is too large")
        time.sleep(self.base + self.slope * self.a * self.steps / 27)
        self.first_ = float(X[0, 0])
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y):
        return -((self.a - 0.3) ** 2) + 0.01 * np.log(self.steps) + 1e-4 * self.first_


def _search(cls=HyperbandSearchCV, estimator=None, **kwargs):
    params = dict(
        resource="steps", max_resources=27, min_resources=1, cv=3, n_jobs=4,
        random_state=0, proposer="random", asynchronous=True,
    )
    params.update(kwargs)
    return cls(estimator or Sleepy(), SPACE, **params)


def _fit(search, backend="threading", data=(X, y)):
    with joblib.parallel_config(backend=backend):
        return search.fit(*data)


def _all_rows(search):
    return getattr(search, "all_cv_results_", search.cv_results_)


def _evaluations(search):
    """(configuration, resource, score) of every row, in a fixed order."""
    results = _all_rows(search)
    rows = [
        (round(p["a"], 12), int(r), round(float(s), 12))
        for p, r, s in zip(
            results["params"], results["n_resources"], results["mean_test_score"]
        )
    ]
    return sorted(rows)


@pytest.mark.parametrize("n_jobs", [None, 4])
@pytest.mark.parametrize("cls", [SuccessiveHalvingSearchCV, HyperbandSearchCV])
def test_rung_promotions_are_the_synchronous_ones(cls, n_jobs):
    search = _fit(_search(cls, Sleepy(slope=0.02), n_jobs=n_jobs))
    sync = _fit(_search(cls, Sleepy(slope=0.02), asynchronous=False, n_jobs=n_jobs))
    assert _evaluations(search) == _evaluations(sync)
    assert search.n_resources_ == sync.n_resources_
    assert search.n_candidates_ == sync.n_candidates_
    assert search.n_iterations_ == sync.n_iterations_
    assert search.best_params_ == sync.best_params_
    assert search.best_score_ == sync.best_score_
    assert search.best_params_["steps"] == 27
    results = _all_rows(search)
    assert set(results) == set(_all_rows(sync)) | {"start_time", "finish_time"}
    assert np.all(results["start_time"] <= results["finish_time"])
    # Rows in the order they finished; the last one ran through scikit-learn.
    assert np.all(np.diff(results["finish_time"][:-1]) >= 0)
    assert results["n_resources"][-1] == 27


def test_hyperband_brackets_do_not_wait_for_each_other():
    # With the synchronous search, bracket 1 starts at step 1, once every
    # fit of step 0 is done; here as soon as bracket 0's first rung is
    # dispatched and a worker frees.
    search = _fit(_search(estimator=Sleepy(base=0.01, slope=0.03)))
    results = search.cv_results_
    bracket, start, finish = (
        np.asarray(results[k]) for k in ("bracket", "start_time", "finish_time")
    )
    first_rung = (bracket == 0) & (np.asarray(results["iter"]) == 0)
    assert start[bracket == 1].min() < finish[first_rung].max()
    assert search.n_brackets_ == 4
    assert search.n_iterations_ == 4  # resource levels 1, 3, 9, 27


def test_asha_promotes_before_the_rung_is_complete():
    search = _fit(_search(SuccessiveHalvingSearchCV, Sleepy(base=0.005),
                          asynchronous="asha", n_candidates=27))
    results = search.all_cv_results_
    rung, start, finish = (
        np.asarray(results[k]) for k in ("iter", "start_time", "finish_time")
    )
    assert start[rung == 1].min() < finish[rung == 0].max()
    # The rungs end with the synchronous counts, each one nested in the one
    # below, and the best comes from the top rung.
    assert search.n_candidates_ == [27, 9, 3, 1]
    assert search.n_resources_ == [1, 3, 9, 27]
    assert search.n_remaining_candidates_ == 1
    configs = [
        {p["a"] for p, r in zip(results["params"], rung) if r == k} for k in range(4)
    ]
    for lower, upper in zip(configs, configs[1:]):
        assert upper <= lower
    assert search.best_params_["steps"] == 27
    assert results["params"][search.best_index_]["a"] in configs[3]


def test_asha_promotes_the_best_third_of_what_has_finished():
    from skhyper.scheduling._halving_policy import HalvingPolicy, _Bracket
    from skhyper.scheduling._schedule import halving_schedule

    schedule = halving_schedule(9, factor=3, min_resources=1, max_resources=9)
    search = _search(SuccessiveHalvingSearchCV)
    runner = HalvingPolicy(
        [schedule], None, None, None, search._n_promoted, factor=3, columns=(),
        asha=True,
    )
    bracket = _Bracket(0, schedule)
    runner.brackets.append(bracket)
    rung, above = bracket.rungs[0], bracket.rungs[1]
    rung.n_entered = rung.in_flight = 9

    def finish(*results):
        for a, score in results:
            rung.in_flight -= 1
            rung.done.append(({"a": a}, score, a == 0.9))  # 0.9 failed
        runner._settle()
        return [c["a"] for c in above.queue]

    assert finish((0.1, 0.5), (0.2, 0.9)) == []  # 2 finished: none yet
    assert finish((0.3, 0.7)) == [0.2]  # the best of 3
    assert finish((0.4, 1.0), (0.5, 0.0)) == [0.2]
    assert finish((0.6, 0.95)) == [0.2, 0.4]  # the best 2 of 6
    assert finish((0.7, 0.1), (0.8, 0.2)) == [0.2, 0.4]
    assert not rung.closed
    # Complete (the failed one never counts): the third best, 0.6, goes up.
    assert finish((0.9, 5.0)) == [0.2, 0.4, 0.6]
    assert rung.closed


def test_failed_fits_get_error_score_and_are_never_promoted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        search = _fit(_search(estimator=Sleepy(fail_above=0.5), error_score=-1.0))
    results = search.cv_results_
    failed = np.array([p["a"] > 0.5 for p in results["params"]])
    assert failed.any()
    assert np.all(np.asarray(results["mean_test_score"])[failed] == -1.0)
    assert not np.any(failed & (np.asarray(results["iter"]) > 0))
    assert search.best_params_["a"] <= 0.5


def test_error_score_raise_stops_the_search():
    search = _search(estimator=Sleepy(fail_above=0.5), error_score="raise")
    with pytest.raises(RuntimeError, match="a is too large"):
        _fit(search)


class Subsampled(ClassifierMixin, BaseEstimator):
    """Scores depend on ``C`` and on how many samples it was fitted on."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_ = len(X)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return -abs(np.log10(self.C)) + 0.001 * self.n_ + 0.0001 * len(X)


def test_n_samples_resource_uses_the_rung_subsamples():
    data = make_classification(n_samples=300, random_state=0)
    kwargs = dict(resource="n_samples", max_resources="auto", min_resources=30,
                  cv=3, random_state=0, proposer="random", n_jobs=3,
                  n_candidates=9, factor=3)
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    search = _fit(SuccessiveHalvingSearchCV(Subsampled(), space, asynchronous=True,
                                            **kwargs), data=data)
    sync = _fit(SuccessiveHalvingSearchCV(Subsampled(), space, **kwargs), data=data)
    rows = lambda s: sorted(zip(  # noqa: E731
        [p["C"] for p in s.all_cv_results_["params"]],
        s.all_cv_results_["n_resources"], s.all_cv_results_["mean_test_score"],
    ))
    assert rows(search) == rows(sync)
    assert search.n_resources_ == sync.n_resources_ == [30, 90, 270]


def test_warm_start_continues_promoted_forests_and_forgets_the_eliminated(monkeypatch):
    forgotten = []
    forget = _warm_start.WarmStartPlan.forget

    def spy(plan, candidates):
        forgotten.extend(candidates)
        forget(plan, candidates)

    monkeypatch.setattr(_warm_start.WarmStartPlan, "forget", spy)
    data = make_classification(n_samples=150, random_state=0)
    space = {"max_depth": [2, 3, 4, 5, 6, None], "max_features": [0.3, 0.6, 1.0]}
    kwargs = dict(resource="n_estimators", min_resources=2, max_resources=18,
                  cv=3, random_state=0, n_jobs=2, n_candidates=9)
    search = _fit(SuccessiveHalvingSearchCV(
        RandomForestClassifier(random_state=0), space, asynchronous="asha", **kwargs
    ), data=data)
    assert search.warm_start_
    # Every configuration eliminated below the top rung was forgotten when
    # its rung closed (the top rung's models go when the search ends).
    results = search.all_cv_results_
    configs = [tuple(sorted((k, v) for k, v in p.items() if k != "n_estimators"))
               for p in results["params"]]
    top = {c for c, r in zip(configs, results["n_resources"]) if r == 18}
    assert set(configs) - top <= {tuple(sorted(c.items())) for c in forgotten}
    assert len(set(configs) - top) == 8
    # A continued forest scores as one grown from scratch.
    cold = _fit(SuccessiveHalvingSearchCV(
        RandomForestClassifier(random_state=0), space, asynchronous="asha",
        warm_start=False, **kwargs,
    ), data=data)
    scores = lambda s: {  # noqa: E731
        tuple(sorted(p.items())): score
        for p, score in zip(s.all_cv_results_["params"],
                            s.all_cv_results_["mean_test_score"])
    }
    shared = set(scores(search)) & set(scores(cold))
    assert len(shared) >= 9
    for key in shared:
        assert scores(search)[key] == pytest.approx(scores(cold)[key])


def test_checkpoint_is_written_as_each_evaluation_finishes(tmp_path):
    path = tmp_path / "search.json"
    seen = []

    def watch(progress):
        seen.append((progress.n_evaluated, len(json.loads(path.read_text())["params"])))

    search = _fit(_search(checkpoint=str(path), callbacks=watch))
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1))
    assert all(stored == n for n, stored in seen)
    resumed = _fit(_search(checkpoint=str(path)))
    assert _evaluations(resumed) == _evaluations(search)


def test_a_callback_stops_the_search_and_refit_still_happens():
    search = _fit(_search(callbacks=lambda progress: progress.n_evaluated >= 10))
    n_rows = len(search.cv_results_["params"])
    assert 10 <= n_rows < search.schedule_.n_evaluations
    assert search.stop_reason_ is not None
    assert hasattr(search, "best_estimator_")
    top = np.max(search.cv_results_["n_resources"])
    assert search.best_params_["steps"] == top


def test_invalid_asynchronous_is_refused_before_any_fit():
    with pytest.raises(InvalidParameterError, match="asynchronous"):
        _search(estimator=Sleepy(fail_above=-1.0), asynchronous="yes").fit(X, y)


def test_without_out_of_order_results_it_falls_back_to_synchronous_rungs(monkeypatch):
    monkeypatch.setattr(_compat, "unordered_parallel", lambda *args: None)
    with pytest.warns(UserWarning, match="running synchronously"):
        search = _fit(_search())
    assert "finish_time" not in search.cv_results_
    assert len(search.cv_results_["params"]) == search.schedule_.n_evaluations


def test_bohb_proposes_later_brackets_from_earlier_results():
    search = _fit(_search(proposer="bayes", asynchronous="asha", n_jobs=2))
    assert len(search.cv_results_["params"]) == search.schedule_.n_evaluations
    assert search.optimizer_ is not None


def test_loky_processes():
    search = _fit(_search(SuccessiveHalvingSearchCV, asynchronous="asha",
                          n_candidates=9, n_jobs=2), backend="loky")
    assert search.n_candidates_ == [9, 3, 1]
    assert search.best_params_["steps"] == search.n_resources_[-1] == 9


@pytest.mark.slow
@pytest.mark.parametrize("asynchronous", [True, "asha"])
def test_dask_cluster(dask_client, asynchronous):
    search = _fit(_search(n_jobs=-1, asynchronous=asynchronous), backend="dask")
    sync = _fit(_search(asynchronous=False))
    assert len(search.cv_results_["params"]) == search.schedule_.n_evaluations
    if asynchronous is True:
        assert _evaluations(search) == _evaluations(sync)
    assert len(dask_client.scheduler_info()["workers"]) == 2


class Routed(Sleepy):
    """Refuses to fit without the fold's sample weights."""

    def fit(self, X, y, sample_weight=None):
        if sample_weight is None or len(sample_weight) != len(X):
            raise ValueError("sample_weight did not reach the fold fit")
        self.n_weights_ = len(sample_weight)
        return super().fit(X, y)

    def score(self, X, y, sample_weight=None):
        return super().score(X, y)


@pytest.mark.parametrize("asynchronous", [True, "asha"])
def test_fit_metadata_and_groups_reach_every_fold(asynchronous):
    from sklearn.model_selection import GroupKFold

    groups = np.repeat(np.arange(3), 10)
    search = _search(estimator=Routed(), cv=GroupKFold(n_splits=3),
                     asynchronous=asynchronous, error_score="raise")
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y, groups=groups, sample_weight=np.ones(len(X)))
    assert search.best_estimator_.n_weights_ == len(X)
    assert len(search.cv_results_["params"]) == search.schedule_.n_evaluations


def test_max_time_stops_the_search():
    search = _search(estimator=Sleepy(base=0.05), max_time=0.5, n_jobs=2)
    started = time.perf_counter()
    _fit(search)
    assert time.perf_counter() - started < 4
    assert len(search.cv_results_["params"]) < search.schedule_.n_evaluations
    assert "Deadline" in search.stop_reason_


def test_warm_start_from_an_earlier_search_is_not_fitted_again():
    # The same 27 candidates (same random_state); the earlier search stopped
    # at 9 steps, so its rungs at 1, 3 and 9 steps are reused.
    first = _fit(_search(SuccessiveHalvingSearchCV, max_resources=9,
                         n_candidates=27, asynchronous=False))
    assert first.n_resources_ == [1, 3, 9]
    fits = []

    class Counted(Sleepy):
        def fit(self, X, y):
            fits.append(self.steps)
            return super().fit(X, y)

    kwargs = dict(n_candidates=27, warm_start_from=first)
    longer = _fit(_search(SuccessiveHalvingSearchCV, Counted(), **kwargs))
    sync = _fit(_search(SuccessiveHalvingSearchCV, asynchronous=False, **kwargs))
    assert longer.n_resources_ == [1, 3, 9, 27]
    assert _evaluations(longer) == _evaluations(sync)
    # Reused rows take the iter of the rung that reused them; only the last
    # rung (and the refit) was fitted.
    assert sorted(longer.all_cv_results_["iter"]) == sorted(sync.all_cv_results_["iter"])
    assert set(fits) == {27}
    assert len(fits) == 1 * 3 + 1


@pytest.mark.filterwarnings("ignore:The estimator Sleepy does not support callbacks")
@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_scikit_learn_progress_bar_callback(backend):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = _search(SuccessiveHalvingSearchCV, asynchronous="asha", n_candidates=9,
                     n_jobs=2)
    search.set_callbacks(callback.ProgressBar())
    _fit(search, backend=backend)
    assert len(search.all_cv_results_["params"]) == 13
