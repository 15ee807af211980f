"""Searches on cluster engines reached through joblib: Ray and Spark."""

import joblib
import numpy as np
import pytest
from test_parallel import SEARCHES, X, _same_results, y

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
