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
"""

import functools

from joblib import Parallel, effective_n_jobs

from skhyper import _compat

__all__ = ["Dispatch", "dispatch"]


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
    """

    def __init__(self, parallel, engine, in_threads):
        self.parallel = parallel
        self.engine = engine
        self.in_threads = in_threads
        self._ray_fit = None

    def ship(self, *objects):
        """Handles of ``objects`` to pass as top-level task arguments.

        Each object travels to the cluster once here (``None`` stays ``None``);
        tasks carry only its handle, which the engine resolves in the worker.
        """
        if self.engine == "dask":
            from distributed import get_client

            client = get_client()
            return [
                None if obj is None
                else client.scatter([obj], broadcast=True, hash=False)[0]
                for obj in objects
            ]
        if self.engine == "ray":
            import ray

            return [None if obj is None else ray.put(obj) for obj in objects]
        if self.engine == "spark":
            from pyspark import SparkContext

            context = SparkContext.getOrCreate()
            return [None if obj is None else context.broadcast(obj) for obj in objects]
        return list(objects)

    def remote(self, func):
        """``func`` as a task of :attr:`parallel`: run where the fits run."""
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
    if engine in ("ray", "spark"):
        parallel = Parallel(
            n_jobs=effective_n_jobs(n_jobs), backend="threading",
            pre_dispatch=pre_dispatch, batch_size=1,
            return_as="generator_unordered",
        )
        return Dispatch(parallel, engine, True)
    parallel = _compat.unordered_parallel(n_jobs, pre_dispatch)
    if parallel is None:
        return None
    in_threads = _compat.runs_in_threads() and effective_n_jobs(n_jobs) > 1
    return Dispatch(parallel, engine, in_threads)


def _call(func, *args, **kwargs):
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
