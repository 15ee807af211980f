"""Fixtures shared by the test modules."""

import os
import sys
import warnings

import pytest


@pytest.fixture(scope="module")
def dask_client():
    """A ``distributed.LocalCluster`` of 2 single-thread worker processes."""
    yield from _dask_client({})


@pytest.fixture(scope="module")
def dask_keeping_replicas():
    """:func:`dask_client` whose scheduler keeps the copies a broadcast made:
    dask's active memory manager, on by default, drops them (dask documents
    turning it off for ``scatter(broadcast=True)``), and a worker then fetches
    them again."""
    yield from _dask_client({"distributed.scheduler.active-memory-manager.start": False})


def _dask_client(config):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    with dask.config.set(config), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # start-up chatter of the cluster
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=":0",
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="session")
def ray_cluster():
    """A local Ray instance of 2 CPUs, with joblib's ``"ray"`` backend registered.

    Its servers listen on 127.0.0.1 only: Ray takes the loopback address as
    the node's when it is told clusters are off (read when ``ray`` is
    imported). Its workers import the test modules' helpers from ``tests/``.
    """
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    path = _with_tests_dir(os.environ.get("PYTHONPATH"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # start-up chatter of the instance
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
        )
        register_ray()
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def spark_session():
    """A local Spark of 2 cores (``local[2]``) on 127.0.0.1, with joblib's
    ``"spark"`` backend registered (``joblibspark``).

    Its Python workers run this interpreter and import the test modules'
    helpers from ``tests/``: the JVM passes them the environment it started
    with.
    """
    pytest.importorskip("pyspark")
    joblibspark = pytest.importorskip("joblibspark")
    from pyspark.sql import SparkSession

    env = {
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": _with_tests_dir(os.environ.get("PYTHONPATH")),
    }
    before = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            session = (
                SparkSession.builder.master("local[2]")
                .appName("skhyper-tests")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                # Its Python workers' path even when an earlier session (the
                # docs' example) started the JVM without it.
                .config("spark.executorEnv.PYTHONPATH", env["PYTHONPATH"])
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .getOrCreate()
            )
            session.sparkContext.setLogLevel("ERROR")
            joblibspark.register_spark()
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    yield session
    session.stop()


def _with_tests_dir(pythonpath):
    """``PYTHONPATH`` with this directory and the repository root first (the
    tests' helpers and ``benchmarks``' instruments), for a cluster's workers."""
    tests = os.path.dirname(os.path.abspath(__file__))
    return os.pathsep.join(filter(None, [tests, os.path.dirname(tests), pythonpath]))
