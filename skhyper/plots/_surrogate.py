"""Curves of a search's fitted surrogate along one parameter at a time."""

import numpy as np

from skhyper.space import Space

_SPACE_ATTRIBUTES = ("search_spaces", "param_grid", "param_distributions")


def search_space(search):
    """The search's space as a :class:`~skhyper.space.Space`, or ``None``."""
    for attribute in _SPACE_ATTRIBUTES:
        spec = getattr(search, attribute, None)
        if spec is not None:
            try:
                return Space(spec)
            except (TypeError, ValueError):
                return None
    return None


def dimension_of(search, name):
    """The first dimension called ``name`` in the search's space, or ``None``."""
    space = search_space(search)
    if space is None:
        return None
    return next((dim for _, n, dim in space.dimensions if n == name), None)


def surrogate_curves(search, params, n_grid):
    """``{name: (x, mean, std)}`` along each parameter, or ``None`` without a model.

    Each curve varies one parameter over its range and holds the others at the
    best configuration; ``x`` lists the parameter's values along the curve
    (every category of a categorical parameter).
    """
    model = _fitted_model(search)
    if model is None:
        return None
    space, predict, best = model
    dimensions = space.subspaces[space.subspace_of(best)]
    curves = {}
    for name in params:
        dim = dimensions.get(name)
        if dim is None:
            continue
        grid = _grid(dim, n_grid)
        points = [{**best, name: value} for value in grid]
        mean, std = predict(points)
        curves[name] = (list(grid), np.asarray(mean), np.asarray(std))
    return curves or None


def _grid(dim, n_grid):
    if dim.kind == "categorical" or np.isfinite(dim.cardinality) and (
        dim.cardinality <= n_grid
    ):
        return dim.values()
    # An unbounded distribution (a normal, ...) is drawn over its central 99%.
    low, high = (0.0, 1.0) if _bounded(dim) else (0.005, 0.995)
    values = dim.from_unit(np.linspace(low, high, n_grid))
    return list(dict.fromkeys(values))


def _bounded(dim):
    dist = getattr(dim, "dist", None)
    return dist is None or bool(np.all(np.isfinite(dist.support())))


def _fitted_model(search):
    """``(space, predict, best_params)`` of a search with a surrogate, else None.

    :class:`~skhyper.BayesSearchCV` keeps its ask/tell optimizer as
    ``optimizer_``, whose ``predict`` gives the surrogate's mean and standard
    deviation in score units.
    """
    optimizer = getattr(search, "optimizer_", None)
    best = getattr(search, "best_params_", None)
    if optimizer is None or best is None or not hasattr(optimizer, "predict"):
        return None
    if np.isfinite(np.asarray(optimizer.scores, dtype=float)).sum() < 2:
        return None  # too few scores for a model
    space = optimizer.space
    if not space.contains(best):
        return None
    return space, lambda points: optimizer.predict(points, return_std=True), best
