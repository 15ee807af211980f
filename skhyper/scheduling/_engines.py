"""How the streaming driver's fits reach the workers of the active joblib engine.

joblib's ``Parallel(return_as="generator_unordered")`` hands results back as
they finish on joblib's own backends and on dask. Ray's and joblibspark's
backends refuse it: there, threads of this process take the fold fits in
that order, and each thread waits on its fit running on the cluster (Ray: a
remote task; Spark: a one-task job).

The data of a fit reaches each worker once per fit of the search, not once
per task: the driver hands ``X``, ``y`` and the fit and score params to
:meth:`Dispatch.ship` before its first fit and passes the handles it returns
as top-level arguments of every task. dask scatters them to every worker,
Ray puts them in its object store (one copy per node, read in place by the
node's workers), Spark broadcasts them (one copy per executor); joblib's
process pools memory-map large arrays themselves.

Each fit in a worker process runs with its BLAS and OpenMP thread pools
limited (``threadpoolctl``) to the worker's share of its machine's cores, or
to what :func:`fit_threads` says.
"""

import contextlib
import contextvars
import functools
import numbers

import numpy as np
from joblib import Parallel, cpu_count, effective_n_jobs

from skhyper import _compat

__all__ = ["Dispatch", "ShippedArray", "dispatch", "fit_threads", "shipped_once"]

_SHARE = "share"
_FIT_THREADS = contextvars.ContextVar("skhyper_fit_threads", default=_SHARE)
#: ids of the objects :func:`shipped_once` scattered for the fit running.
_SCATTERED = contextvars.ContextVar("skhyper_scattered", default=frozenset())


@contextlib.contextmanager
def shipped_once(X, y):
    """``X`` and ``y`` as a search fit passes them to its batches, sent to the
    cluster once for the fit.

    scikit-learn's ``evaluate_candidates`` passes ``X`` and ``y`` with every
    fit of a batch. On dask, joblib's backend scatters them again at each of
    its calls (one per batch) unless its ``scatter`` holds them: inside this
    context the active dask backend is one that does, with the same client
    and task options. On Ray and Spark, joblib's backends send them with
    every task: numpy arrays among them are stood in for by
    :class:`ShippedArray` views, which travel as a handle to one copy (Ray's
    object store, a Spark broadcast). Yields ``(X, y)`` to pass on.
    """
    engine = _compat.active_engine()
    if engine in ("ray", "spark"):
        yield tuple(_stand_in(obj, engine) for obj in (X, y))
        return
    if engine != "dask":
        yield X, y
        return
    from joblib import parallel_config
    from joblib.parallel import get_active_backend

    backend = get_active_backend()[0]
    data = [obj for obj in (X, y) if obj is not None]
    with parallel_config(
        backend="dask", scatter=data, client=backend.client,
        **getattr(backend, "submit_kwargs", {}),
    ):
        token = _SCATTERED.set(frozenset(id(obj) for obj in data))
        try:
            yield X, y
        finally:
            _SCATTERED.reset(token)


class ShippedArray(np.ndarray):
    """A numpy array in this process, a handle to its cluster copy in a task.

    Pickled, the view made by :func:`shipped_once` is its engine's handle
    (a Ray object reference, a Spark broadcast), which the worker resolves
    to the one copy on its node. Arrays derived from it (slices, results)
    carry no handle and pickle as their values.
    """

    def __array_finalize__(self, obj):
        self.handle = None

    def __reduce__(self):
        if self.handle is None:
            return self.view(np.ndarray).__reduce__()
        return _resolve, self.handle


def _stand_in(obj, engine):
    """``obj`` as a :class:`ShippedArray` with its handle on ``engine``, when
    it is a numpy array; other types travel as they are. (Estimators read
    arrays through ``np.asarray``, which drops subclasses; matrices and
    masked arrays, whose indexing differs, travel as they are.)"""
    if not isinstance(obj, np.ndarray) or isinstance(obj, (np.matrix, np.ma.MaskedArray)):
        return obj
    view = obj.view(ShippedArray)
    view.handle = (engine, _put(obj, engine))
    return view


def _handle(obj, engine):
    """The handle tasks carry for ``obj`` (a :class:`ShippedArray`'s own)."""
    if obj is None:
        return None
    if isinstance(obj, ShippedArray) and obj.handle is not None:
        return obj.handle[1]
    return _put(obj, engine)


def _put(obj, engine):
    """``obj`` stored once on ``engine``: a Ray object reference or a Spark
    broadcast."""
    if engine == "ray":
        import ray

        return ray.put(obj)
    from pyspark import SparkContext

    return SparkContext.getOrCreate().broadcast(obj)


def _resolve(engine, handle):
    """The array a :class:`ShippedArray`'s handle stands for (in a worker)."""
    if engine == "ray":
        import ray

        return ray.get(handle)
    return handle.value


@contextlib.contextmanager
def fit_threads(n_threads):
    """Set how many BLAS / OpenMP threads each fit of a search may start.

    A fit running in a worker process starts, by default, as many threads as
    its estimator's libraries see cores (``HistGradientBoosting*``, anything
    on BLAS or OpenMP), and every worker of a machine does so at once. The
    asynchronous searches (``asynchronous=True``) limit the threads of each
    fit they dispatch to the worker's share of its machine's cores:
    ``cpu_count() // n_workers``, at least 1, where ``n_workers`` is the
    effective ``n_jobs`` of the search. Inside this context, the limit is
    ``n_threads`` instead. Fits run through scikit-learn's
    ``evaluate_candidates`` (the synchronous searches' batches, an
    asynchronous search's last candidate) keep the joblib backend's own
    limits (``inner_max_num_threads`` on loky).

    Parameters
    ----------
    n_threads : int or None
        Threads per fit, at least 1; ``None`` leaves the libraries' own
        defaults (no limit).

    Examples
    --------
    >>> from skhyper import fit_threads
    >>> with fit_threads(2):
    ...     pass  # search.fit(X, y): each fit uses at most 2 threads
    """
    if n_threads is not None and (
        not isinstance(n_threads, numbers.Integral) or isinstance(n_threads, bool)
        or n_threads < 1
    ):
        raise ValueError(
            f"n_threads must be a positive integer or None, got {n_threads!r}."
        )
    token = _FIT_THREADS.set(None if n_threads is None else int(n_threads))
    try:
        yield
    finally:
        _FIT_THREADS.reset(token)


class Dispatch:
    """The streaming driver's way to the workers for one fit of a search.

    Parameters
    ----------
    parallel : joblib.Parallel
        Yields results in the order they finish.
    engine : str
        :func:`skhyper._compat.active_engine` when the fit started.
    in_threads : bool
        Whether the tasks of ``parallel`` run in threads of this process (a
        freed thread can wait on an event instead of polling).
    n_workers : int
        Fits running at once.
    """

    def __init__(self, parallel, engine, in_threads, n_workers):
        self.parallel = parallel
        self.engine = engine
        self.in_threads = in_threads
        self._ray_fit = None
        # Threads of this process share one set of thread pools: a limit
        # set and restored by concurrent fits would not hold. The share of
        # one local worker is the whole machine: its fits run unlimited, as
        # scikit-learn's sequential ones (setting a limit costs ~20 ms a fit).
        threads = _FIT_THREADS.get()
        if engine == "local" and (
            _compat.runs_in_threads() or (threads == _SHARE and n_workers == 1)
        ):
            threads = None
        self._threads = (threads, n_workers)

    def ship(self, *objects):
        """Handles of ``objects`` to pass as top-level task arguments.

        Each object travels to the cluster once here (``None`` stays ``None``);
        tasks carry only its handle, which the engine resolves in the worker.
        """
        if self.engine == "dask":
            from distributed import get_client

            client = get_client()
            scattered = _SCATTERED.get()  # the backend maps them to futures
            return [
                obj if obj is None or id(obj) in scattered
                else client.scatter([obj], broadcast=True, hash=False)[0]
                for obj in objects
            ]
        if self.engine in ("ray", "spark"):
            return [_handle(obj, self.engine) for obj in objects]
        return list(objects)

    def remote(self, func):
        """``func`` as a task of :attr:`parallel`: run where the fits run, its
        threads limited."""
        if self._threads[0] is not None:
            func = functools.partial(_limited, self._threads, func)
        if self.engine == "ray":
            if self._ray_fit is None:
                import ray

                self._ray_fit = ray.remote(num_cpus=1)(_call)
            return functools.partial(_on_ray, self._ray_fit, func)
        if self.engine == "spark":
            return functools.partial(_on_spark, func)
        return func


def dispatch(n_jobs, pre_dispatch):
    """The :class:`Dispatch` of the active joblib engine, or ``None``.

    ``None`` when joblib cannot hand back results as they finish.

    Parameters
    ----------
    n_jobs : int or None
        The search's ``n_jobs``.
    pre_dispatch : int or str
        Fits in flight, as joblib's ``Parallel`` takes it.
    """
    engine = _compat.active_engine()
    n_workers = effective_n_jobs(n_jobs)
    if engine in ("ray", "spark"):
        parallel = Parallel(
            n_jobs=n_workers, backend="threading", pre_dispatch=pre_dispatch,
            batch_size=1, return_as="generator_unordered",
        )
        return Dispatch(parallel, engine, True, n_workers)
    parallel = _compat.unordered_parallel(n_jobs, pre_dispatch)
    if parallel is None:
        return None
    in_threads = _compat.runs_in_threads() and n_workers > 1
    return Dispatch(parallel, engine, in_threads, n_workers)


def _call(func, *args, **kwargs):
    return func(*args, **kwargs)


def _limited(threads, func, *args, **kwargs):
    """``func(*args, **kwargs)`` with its thread pools limited (in a worker)."""
    from threadpoolctl import threadpool_limits

    n_threads, n_workers = threads
    if n_threads == _SHARE:
        n_threads = max(1, cpu_count() // n_workers)
    with threadpool_limits(limits=n_threads):
        return func(*args, **kwargs)


def _on_ray(remote_call, func, *args, **kwargs):
    """``func(*args, **kwargs)`` as a Ray task (retried if its worker dies)."""
    import ray

    return ray.get(remote_call.remote(func, *args, **kwargs))


def _on_spark(func, *args, **kwargs):
    """``func(*args, **kwargs)`` as a Spark job of one task."""
    from pyspark import SparkContext

    task = functools.partial(_from_broadcasts, func, args, kwargs)
    return SparkContext.getOrCreate().parallelize([None], 1).map(task).collect()[0]


def _from_broadcasts(func, args, kwargs, _):
    """``func`` called with the values of the broadcasts among ``args``."""
    from pyspark import Broadcast

    args = [arg.value if isinstance(arg, Broadcast) else arg for arg in args]
    return func(*args, **kwargs)
