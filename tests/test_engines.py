"""Searches on cluster engines reached through joblib: Ray and Spark."""

import json
import os
import pickle

import joblib
import numpy as np
import pytest
import restart_cases
from test_parallel import SEARCHES, X, _same_results, y

from benchmarks.arrivals import arrivals, counted, sends
from skhyper import BayesSearchCV
from skhyper.scheduling._engines import ShippedArray

# joblibspark's own warnings at each call: local Spark, the deprecated joblib
# backend API it implements (joblib >= 1.5), the threads it starts unnamed.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Spark local mode doesn't support stage-level scheduling:UserWarning"
    ),
    pytest.mark.filterwarnings("ignore:`apply_async` is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Spark session is not provided:UserWarning"),
]

ENGINES = {"ray": "ray_cluster", "spark": "spark_session"}

ASYNCHRONOUS = {
    "bayes": (
        lambda **kw: SEARCHES["bayes"](asynchronous=True, **kw),
        6,
    ),
    "hyperband": (
        lambda **kw: SEARCHES["hyperband"](asynchronous=True, **kw),
        None,  # as many rows as the synchronous search
    ),
    "asha": (
        lambda **kw: SEARCHES["hyperband"](asynchronous="asha", **kw),
        None,
    ),
}


@pytest.fixture(params=list(ENGINES))
def engine(request):
    """The backend name of each engine, started once per session."""
    request.getfixturevalue(ENGINES[request.param])
    return request.param


@pytest.mark.slow
@pytest.mark.parametrize("kind", SEARCHES)
def test_synchronous_searches_give_the_same_results_as_loky(engine, kind):
    make = SEARCHES[kind]
    with joblib.parallel_config(backend=engine):
        remote = make(n_jobs=-1).fit(X, y)
    with joblib.parallel_config(backend="loky"):
        local = make(n_jobs=2).fit(X, y)
    _same_results(remote, local)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ASYNCHRONOUS)
def test_asynchronous_searches_complete(engine, kind):
    make, n_rows = ASYNCHRONOUS[kind]
    with joblib.parallel_config(backend=engine):
        search = make(n_jobs=-1).fit(X, y)
    results = search.cv_results_
    if n_rows is None:
        n_rows = len(SEARCHES["hyperband"]().fit(X, y).cv_results_["params"])
    assert len(results["params"]) == n_rows
    assert np.all(np.isfinite(results["mean_test_score"]))
    assert np.all(results["start_time"] <= results["finish_time"])


def _dies_once_search(tmp_path, **kwargs):
    estimator = restart_cases.DiesOnce(
        log=str(tmp_path / "fits.log"), token=str(tmp_path / "die"), after=13
    )
    return BayesSearchCV(
        estimator, {"C": restart_cases.loguniform(1e-2, 1e2)}, n_iter=8,
        n_points=2, cv=3, n_jobs=-1, random_state=0, **kwargs,
    )


@pytest.mark.slow
def test_ray_worker_killed_mid_search_asynchronous(ray_cluster, tmp_path):
    search = _dies_once_search(tmp_path, asynchronous=True)
    (tmp_path / "die").touch()  # the 13th fit kills its Ray worker
    with joblib.parallel_config(backend="ray"):
        search.fit(restart_cases.X, restart_cases.y)
    assert not (tmp_path / "die").exists()  # a worker did die
    # Ray ran the killed fit again: every evaluation is there, none failed.
    assert len(search.cv_results_["params"]) == 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.slow
def test_ray_worker_killed_mid_search_synchronous(ray_cluster, tmp_path):
    reference = _dies_once_search(tmp_path).fit(restart_cases.X, restart_cases.y)
    (tmp_path / "fits.log").unlink()
    (tmp_path / "die").touch()
    checkpoint = tmp_path / "ckpt"
    search = _dies_once_search(tmp_path, checkpoint=checkpoint)
    with joblib.parallel_config(backend="ray"):
        try:
            search.fit(restart_cases.X, restart_cases.y)
        except Exception:
            # Every finished batch is kept, in memory and on disk.
            stored = json.loads(checkpoint.read_text())["params"]
            assert len(stored) >= 4
            assert len(search.cv_results_["params"]) == len(stored)
            search = _dies_once_search(tmp_path, checkpoint=checkpoint).fit(
                restart_cases.X, restart_cases.y
            )
    assert not (tmp_path / "die").exists()
    assert restart_cases.summary(search) == restart_cases.summary(reference)


def _shipping_search(asynchronous):
    return SEARCHES["bayes"](n_jobs=-1, asynchronous=asynchronous)


@pytest.mark.slow
@pytest.mark.parametrize("asynchronous", [False, True])
def test_X_is_sent_once_per_fit(engine, asynchronous, tmp_path):
    """Batches and asynchronous fits alike: this process pickles X once (Ray's
    object store, a Spark broadcast); Spark's Python workers load it once."""
    log = tmp_path / "log"
    with joblib.parallel_config(backend=engine):
        search = _shipping_search(asynchronous).fit(counted(X, log), y)
    assert len(search.cv_results_["params"]) == 6
    assert sends(log)[os.getpid()] == 1
    if engine == "spark":
        loaded = arrivals(log)
        loaded.pop(os.getpid(), None)
        assert loaded and set(loaded.values()) == {1}


@pytest.mark.slow
@pytest.mark.parametrize("asynchronous", [False, True])
def test_X_reaches_each_dask_worker_once(dask_keeping_replicas, asynchronous, tmp_path):
    log = tmp_path / "log"
    # dask names scattered data by a hash of it: data of its own, so that
    # no copy left by an earlier test on these workers is reused.
    data = counted(X + (2.0 if asynchronous else 1.0), log)
    with joblib.parallel_config(backend="dask"):
        _shipping_search(asynchronous).fit(data, y)
    workers = set(dask_keeping_replicas.run(os.getpid).values())
    loaded = arrivals(log)
    assert {pid: loaded[pid] for pid in workers} == dict.fromkeys(workers, 1)
    assert sends(log)[os.getpid()] == 1


def test_shipped_array_without_handle_pickles_as_its_values():
    view = X.view(ShippedArray)
    assert view.handle is None
    for derived in (view, view[::2], view * 2.0):
        restored = pickle.loads(pickle.dumps(derived))
        assert type(restored) is np.ndarray
        np.testing.assert_array_equal(restored, np.asarray(derived))


def test_shipped_array_slices_carry_no_handle():
    view = X.view(ShippedArray)
    view.handle = ("ray", object())  # a handle pickled only with the view itself
    assert view[:10].handle is None and (view + 1).handle is None
