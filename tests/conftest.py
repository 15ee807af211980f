"""Fixtures shared by the test modules."""

import warnings

import pytest


@pytest.fixture(scope="module")
def dask_client():
    """A ``distributed.LocalCluster`` of 2 single-thread worker processes."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # start-up chatter of the cluster
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=":0",
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
