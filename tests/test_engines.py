"""Searches on cluster engines reached through joblib: Ray and Spark."""

import json

import joblib
import numpy as np
import pytest
import restart_cases
from test_parallel import SEARCHES, X, _same_results, y

from skhyper import BayesSearchCV

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
