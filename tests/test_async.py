"""Asynchronous Bayesian search: a new candidate as soon as a worker frees."""

import json
import time

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GroupKFold

from skhyper import BayesSearchCV, Real, _compat

X = np.arange(60, dtype=float).reshape(30, 2)
y = np.zeros(30)
SPACE = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}


class Sleepy(RegressorMixin, BaseEstimator):
    """Fits take longer as ``a`` grows; the score peaks at a=0.3, b=0.6.

    With ``uneven``, the fit time is a pseudo-random function of ``(a, b)``
    instead, so fit times stay uneven after the search has converged.
    """

    def __init__(self, a=0.5, b=0.5, base=0.0, slope=0.0, fail_above=None,
                 uneven=False):
        self.a, self.b = a, b
        self.base, self.slope, self.fail_above = base, slope, fail_above
        self.uneven = uneven

    def fit(self, X, y, sample_weight=None):
        if self.fail_above is not None and self.a > self.fail_above:
            raise RuntimeError("a is too large")
        share = (self.a * 997.0 + self.b * 613.0) % 1.0 if self.uneven else self.a
        time.sleep(self.base + self.slope * share)
        self.n_weights_ = None if sample_weight is None else len(sample_weight)
        return self

    def predict(self, X):
        return np.full(len(X), -((self.a - 0.3) ** 2) - (self.b - 0.6) ** 2)

    def score(self, X, y, sample_weight=None):
        return float(self.predict(X[:1])[0])


def _search(estimator=None, **kwargs):
    params = dict(n_iter=12, cv=3, n_jobs=3, asynchronous=True, random_state=0)
    params.update(kwargs)
    return BayesSearchCV(estimator or Sleepy(), SPACE, **params)


def _fit(search, *args, backend="threading", **kwargs):
    with joblib.parallel_config(backend=backend):
        return search.fit(X, y, *args, **kwargs)


def test_every_evaluation_is_recorded_once_with_its_start_and_finish():
    search = _fit(_search())
    sync = _fit(_search(asynchronous=False))
    results = search.cv_results_
    assert len(results["params"]) == 12
    assert len({tuple(sorted(p.items())) for p in results["params"]}) == 12
    assert set(results) == set(sync.cv_results_) | {"start_time", "finish_time"}
    start, finish = results["start_time"], results["finish_time"]
    assert np.all(start <= finish)
    # In order of finishing; the last row is the one scikit-learn ran itself.
    assert np.all(np.diff(finish[:-1]) >= 0)
    scores = results["mean_test_score"]
    assert search.best_index_ == int(np.argmax(scores))
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_estimator_.a == search.best_params_["a"]
    assert len(search.optimizer_.points) == 12


def test_per_second_model_is_told_each_evaluation_as_it_finishes():
    search = _fit(_search(Sleepy(base=0.002, slope=0.03), acq_func="EIps"))
    results = search.cv_results_
    # told in finishing order, which is the order of the rows
    told = (results["mean_fit_time"] + results["mean_score_time"]) * 3
    np.testing.assert_allclose(search.optimizer_.costs, told)
    assert search.optimizer_.cost_model_ is not None
    assert len(set(map(str, results["params"]))) == 12


def test_uneven_fits_keep_workers_busier_than_batches():
    # A behaviour check, not a benchmark: sleeping fits of 20-220 ms, uneven
    # however the search converges, long enough next to a proposal that a
    # loaded machine's slower proposals do not decide the comparison.
    def utilisation(asynchronous):
        search = _search(
            Sleepy(base=0.02, slope=0.2, uneven=True), n_iter=20, n_jobs=4,
            refit=False, asynchronous=asynchronous,
        )
        started = time.perf_counter()
        _fit(search)
        wall = time.perf_counter() - started
        fits = np.sum(search.cv_results_["mean_fit_time"]) * 3
        return fits / (wall * 4)

    # Relative only: on a loaded machine both fall, a batch still waits for
    # its slowest fit (an absolute level failed under load).
    asynchronous, batches = utilisation(True), utilisation(False)
    assert asynchronous > batches


def _pending_at_each_ask(monkeypatch, search):
    from skhyper.optimizer import _optimizer

    pending, ask = [], _optimizer.Optimizer.ask

    def counting_ask(self, n_points=1):
        pending.append(len(self.pending))
        return ask(self, n_points)

    monkeypatch.setattr(_optimizer.Optimizer, "ask", counting_ask)
    _fit(search)
    return pending


def test_no_candidate_is_queued_behind_busy_workers_on_this_machine(monkeypatch):
    # 2 workers, 2 folds of equal length: a new candidate is proposed when a
    # worker frees, while the one before it still runs, so one is pending.
    # Fits queued behind busy workers ("2*n_jobs") would make it two. (One
    # fit is queued per 8 workers, none with 2.)
    search = _search(Sleepy(base=0.05), n_iter=10, cv=2, n_jobs=2)
    pending = _pending_at_each_ask(monkeypatch, search)
    assert len(pending) == 10
    assert max(pending) == 1
    assert search.pre_dispatch == "2*n_jobs"  # the search's own is for clusters


def test_failed_fits_get_error_score_and_the_search_goes_on():
    search = _search(Sleepy(fail_above=0.7))
    with pytest.warns(FitFailedWarning), pytest.warns(UserWarning, match="non-finite"):
        _fit(search)
    scores = search.cv_results_["mean_test_score"]
    failed = [p["a"] > 0.7 for p in search.cv_results_["params"]]
    assert any(failed) and not all(failed)
    assert np.all(np.isnan(scores[failed]))
    assert search.best_params_["a"] <= 0.7
    with pytest.raises(RuntimeError, match="too large"):
        _fit(_search(Sleepy(fail_above=0.7), error_score="raise"))


def test_checkpoint_is_written_as_each_evaluation_finishes(tmp_path):
    path = tmp_path / "search.json"
    seen = []

    def rows_on_disk(progress):
        seen.append((progress.n_evaluated, len(json.loads(path.read_text())["params"])))
        return False

    _fit(_search(checkpoint=path, callbacks=rows_on_disk))
    assert seen and all(n == on_disk for n, on_disk in seen)
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1))

    resumed = _fit(_search(n_iter=15, checkpoint=path))
    assert len(resumed.cv_results_["params"]) == 15
    assert len(resumed.optimizer_.points) == 15


def test_a_callback_stops_the_search_and_refit_still_happens():
    stop = lambda progress: progress.n_evaluated >= 4  # noqa: E731
    search = _fit(_search(Sleepy(base=0.05), n_iter=30, callbacks=stop))
    n = len(search.cv_results_["params"])
    assert 4 <= n <= 4 + 3  # the fits already running finish
    assert search.stop_reason_ is not None
    assert hasattr(search, "best_estimator_")
    # Nothing ran through scikit-learn but a re-evaluation whose row is
    # dropped: the asynchronous columns stay.
    results = search.cv_results_
    assert len(set(results["batch"])) == n
    assert np.all(results["start_time"] <= results["finish_time"])


def test_max_time_stops_the_search():
    search = _search(Sleepy(base=0.05), n_iter=200, max_time=0.6)
    started = time.perf_counter()
    _fit(search)
    assert time.perf_counter() - started < 5
    assert len(search.cv_results_["params"]) < 200
    assert "Deadline" in search.stop_reason_


def test_fit_metadata_and_groups_reach_every_fold():
    weights = np.ones(len(X))
    groups = np.repeat(np.arange(3), 10)
    search = _fit(_search(cv=GroupKFold(n_splits=3)), groups=groups,
                  sample_weight=weights)
    assert search.best_estimator_.n_weights_ == len(X)
    assert np.all(search.cv_results_["mean_test_score"] <= 0)


def test_loky_processes():
    search = _fit(_search(n_jobs=2), backend="loky")
    assert len({tuple(sorted(p.items())) for p in search.cv_results_["params"]}) == 12
    assert "finish_time" in search.cv_results_


def test_auto_is_asynchronous_only_with_workers_and_automatic_batches():
    def columns(**kwargs):
        return set(_fit(_search(asynchronous="auto", n_iter=6, **kwargs)).cv_results_)

    assert "finish_time" in columns(n_jobs=2)
    assert "finish_time" not in columns(n_jobs=1)
    assert "finish_time" not in columns(n_jobs=2, n_points=2)


def test_synchronous_batches_stay_reproducible():
    first = _fit(_search(asynchronous=False, n_points=3))
    again = _fit(_search(asynchronous=False, n_points=3))
    assert first.cv_results_["params"] == again.cv_results_["params"]


def test_invalid_asynchronous_is_refused_before_any_fit():
    with pytest.raises(ValueError, match="asynchronous"):
        _search(asynchronous="sometimes").fit(X, y)


def test_without_out_of_order_results_it_falls_back_to_batches(monkeypatch):
    monkeypatch.setattr(_compat, "unordered_parallel", lambda *args: None)
    with pytest.warns(UserWarning, match="running synchronously"):
        search = _fit(_search())
    assert "finish_time" not in search.cv_results_
    assert len(search.cv_results_["params"]) == 12


@pytest.mark.slow
def test_dask_cluster(dask_client):
    search = _fit(_search(n_jobs=-1), backend="dask")
    results = search.cv_results_
    assert len({tuple(sorted(p.items())) for p in results["params"]}) == 12
    assert np.all(results["start_time"] <= results["finish_time"])
    assert len(dask_client.scheduler_info()["workers"]) == 2


@pytest.mark.slow
def test_fits_are_queued_on_a_cluster_to_hide_its_round_trips(dask_client):
    from types import SimpleNamespace

    from skhyper.scheduling._streaming import StreamingDriver

    def driver():
        policy = SimpleNamespace(n_units=1)
        return StreamingDriver(search, (None, None, {}), None, policy)

    search = _search(n_jobs=-1, pre_dispatch="3*n_jobs")
    with joblib.parallel_config(backend="dask"):
        assert not _compat.runs_on_this_machine()
        assert driver()._pre_dispatch() == "3*n_jobs"
    for n_jobs, in_flight in [(2, 2), (7, 7), (8, 9), (64, 72)]:
        search.set_params(n_jobs=n_jobs)
        with joblib.parallel_config(backend="loky"):
            assert driver()._pre_dispatch() == in_flight


@pytest.mark.filterwarnings("ignore:The estimator Sleepy does not support callbacks")
@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_scikit_learn_progress_bar_callback(backend):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = _search(n_jobs=2)
    search.set_callbacks(callback.ProgressBar())
    _fit(search, backend=backend)
    assert len(search.cv_results_["params"]) == 12


def test_rows_appended_one_at_a_time_match_a_full_join():
    from skhyper.scheduling import _results

    search = _fit(_search(n_iter=5, asynchronous=False))
    rows = [_results.take_rows(search.cv_results_, [i]) for i in range(5)]
    joined = rows[0]
    for row in rows[1:]:
        joined = _results.append_rows(joined, row)
    expected = _results.concat_results(rows)
    assert joined["params"] == expected["params"]
    for key in expected:
        if key != "params":
            np.testing.assert_array_equal(np.asarray(joined[key]), np.asarray(expected[key]))
