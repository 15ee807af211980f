"""scikit-optimize's result objects, built from a search's rows.

scikit-optimize minimized: its ``OptimizeResult`` holds the evaluated points
as lists (``x_iters``, parameters in sorted name order), their objective
values ``func_vals`` (the negated mean CV score), the best point ``x`` and
value ``fun``, the search ``space`` and the surrogate ``models``. Its plots
(``skopt.plots``), its callbacks and its users read those fields; here they are
filled from ``cv_results_`` rows and skhyper's own optimizer, in the same
(minimized) sign convention.

Nothing here imports scikit-optimize: ``space`` is a scikit-optimize ``Space``
only when scikit-optimize is already imported (as it is by whoever calls its
plots), else skhyper's :class:`~skhyper.Space`.
"""

import sys

import numpy as np
from scipy import optimize

from skhyper.space import Categorical, Integer, Real, Space

__all__ = ["OptimizeResult", "ResultCallback", "results_of_rows"]


class OptimizeResult(optimize.OptimizeResult):
    """A scikit-optimize result: scipy's dict whose keys are attributes too.

    Keys: ``x_iters`` (list of lists, parameters in sorted name order),
    ``func_vals`` (ndarray, ``-mean_test_score`` of the optimized metric:
    minimized, as in scikit-optimize; ``nan`` for failed fits), ``x`` and
    ``fun`` (the best row), ``space``, ``models`` (the surrogate, predicting
    ``func_vals`` on ``space.transform`` rows) and ``specs``.
    """

    def __missing__(self, key):
        if key != "space":
            raise KeyError(key)
        dims = self.__dict__["_dims"]
        if "skopt" not in sys.modules:
            return Space(dims)  # not cached: scikit-optimize may come later
        self["space"] = _skopt_space(dims)
        return self["space"]


class _ScoreModel:
    """The search's surrogate, predicting ``-score`` on ``result.space`` rows."""

    def __init__(self, optimizer, result):
        self.optimizer = optimizer
        self.result = result

    def predict(self, X, return_std=False):
        space = self.result.space
        names = sorted(self.result.__dict__["_dims"])
        if isinstance(space, Space):
            points = space.inverse_transform(X)
        else:
            points = [
                {n: v.item() if isinstance(v, np.generic) else v  # np.str_ too
                 for n, v in zip(names, row)}
                for row in space.inverse_transform(X)
            ]
        mean, std = self.optimizer.predict(points, return_std=True)
        return (-mean, std) if return_std else -mean


def results_of_rows(dims, params, scores, optimizer=None, specs=None):
    """One :class:`OptimizeResult` of rows of one (sub)space.

    Parameters
    ----------
    dims : dict
        ``{name: Dimension}`` of the subspace.
    params : list of dict
        The rows' configurations, in evaluation order.
    scores : array-like
        Their mean CV scores of the optimized metric (maximized).
    optimizer : Optimizer, default=None
        The optimizer that proposed them, whose surrogate becomes ``models``.
    specs : dict, default=None
        What scikit-optimize kept in ``specs``.
    """
    names = sorted(dims)
    func_vals = -np.asarray(scores, dtype=float)
    result = OptimizeResult(
        x_iters=[[p[name] for name in names] for p in params],
        func_vals=func_vals,
        x=None,
        fun=np.nan,
        models=[],
        specs=specs,
    )
    result.__dict__["_dims"] = dict(dims)
    if np.isfinite(func_vals).any():
        best = int(np.nanargmin(np.where(np.isfinite(func_vals), func_vals, np.nan)))
        result["x"], result["fun"] = result["x_iters"][best], float(func_vals[best])
    if optimizer is not None and _can_model(optimizer):
        result["models"] = [_ScoreModel(optimizer, result)]
    return result


def _can_model(optimizer):
    scores = optimizer.scores
    return len(scores) >= 2 and bool(np.isfinite(scores).any())


def _skopt_space(dims):
    """scikit-optimize's ``Space`` of skhyper dimensions (sorted by name)."""
    from skopt import space as skopt_space  # noqa: PLC0415 - only once loaded

    made = []
    for name in sorted(dims):
        dim = dims[name]
        if isinstance(dim, Categorical):
            made.append(skopt_space.Categorical(list(dim.categories), name=name))
        elif isinstance(dim, (Real, Integer)) and dim.prior in (
            "uniform", "log-uniform"
        ):
            cls = skopt_space.Integer if isinstance(dim, Integer) else skopt_space.Real
            made.append(cls(dim.low, dim.high, prior=dim.prior, name=name))
        else:
            raise ValueError(
                f"Parameter {name!r} ({dim!r}) has no scikit-optimize dimension; "
                "only uniform and log-uniform ranges and categories do."
            )
    return skopt_space.Space(made)


class ResultCallback:
    """A scikit-optimize callback as one of skhyper's stopping rules.

    scikit-optimize called it with an :class:`OptimizeResult` after each
    iteration, and a true return value stopped the search. Here it is called
    after each batch (an iteration with ``n_points`` configurations, as in
    scikit-optimize) with the result of the current subspace; it stops the
    whole search.

    Parameters
    ----------
    callback : callable
        ``callback(result)``.
    result_of : callable
        ``result_of(cv_results)``: the current subspace's result.
    """

    def __init__(self, callback, result_of):
        self.callback = callback
        self.result_of = result_of
        self._seen = (None, False)  # (n_evaluated, answer) of the last call

    def __call__(self, progress):
        n_seen, answer = self._seen
        if progress.n_evaluated != n_seen:  # asked again between subspaces
            answer = bool(self.callback(self.result_of(progress.cv_results)))
            self._seen = (progress.n_evaluated, answer)
        return answer

    def __repr__(self):
        return repr(self.callback)
