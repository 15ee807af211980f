"""The :class:`Space`: one or several subspaces of named dimensions.

It samples configurations (randomly or by a space-filling design), enumerates
finite spaces in GridSearchCV's order, identifies configurations, and encodes
them as rows of ``[0, 1]^n_components`` for surrogate models.
"""

import math
from itertools import product

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from skhyper.space._design import unit_design
from skhyper.space._dimensions import check_size
from skhyper.space._parse import copy_dimension, to_dimension


class _Subspace:
    """One dict of a space: named dimensions searched together."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise TypeError(
                f"A search space must be a dict of parameters or a list of such "
                f"dicts, got an element of type {type(spec).__name__}: {spec!r}."
            )
        for name in spec:
            if not isinstance(name, str):
                raise TypeError(f"Parameter names must be strings, got {name!r}.")
        self.dimensions = {
            name: to_dimension(name, copy_dimension(value))
            for name, value in spec.items()
        }
        self.n_components = sum(d.n_components for d in self.dimensions.values())

    @property
    def size(self):
        return math.prod(int(d.cardinality) for d in self.dimensions.values())

    @property
    def is_finite(self):
        return all(np.isfinite(d.cardinality) for d in self.dimensions.values())

    def from_unit(self, u):
        columns = [d.from_unit(u[:, j]) for j, d in enumerate(self.dimensions.values())]
        return [dict(zip(self.dimensions, row)) for row in zip(*columns)] if (
            self.dimensions
        ) else [{} for _ in range(len(u))]

    def contains(self, point):
        return set(point) == set(self.dimensions) and all(
            d.contains(point[name]) for name, d in self.dimensions.items()
        )

    def key(self, point):
        return tuple(
            (name, d.canonical(point[name])) for name, d in self.dimensions.items()
        )

    def grid(self):
        # ParameterGrid's order: names sorted, the last one varying fastest.
        names = sorted(self.dimensions)
        for values in product(*(self.dimensions[n].values() for n in names)):
            yield dict(zip(names, values))


class Space:
    """A search space: one or several subspaces of named dimensions.

    Parameters
    ----------
    spec : dict or list of dict or Space
        A dict maps parameter names to a list of choices, a
        ``(low, high[, prior])`` tuple, a frozen ``scipy.stats`` distribution,
        or a :class:`Real` / :class:`Integer` / :class:`Categorical`. A list of
        dicts is a union of subspaces, each with its own parameters (for
        conditional parameters, as in GridSearchCV).

    Attributes
    ----------
    subspaces : list of dict
        For each subspace, its parameters as ``{name: Dimension}``.
    n_components : int
        Width of the model encoding (:meth:`transform`).

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from skhyper import Space
    >>> space = Space({"C": loguniform(1e-3, 1e3), "kernel": ["linear", "rbf"]})
    >>> space.rvs(2, random_state=0)
    [{'C': 1.9628..., 'kernel': 'rbf'}, {'C': 4.1359..., 'kernel': 'rbf'}]
    """

    def __init__(self, spec):
        if isinstance(spec, Space):
            spec = spec.spec
        self.spec = spec
        specs = [spec] if isinstance(spec, dict) else spec
        if not isinstance(specs, (list, tuple)):
            raise TypeError(
                f"A search space must be a dict of parameters or a list of such "
                f"dicts, got {type(spec).__name__}: {spec!r}."
            )
        if len(specs) == 0:
            raise ValueError("A search space needs at least one dict, got [].")
        self._subspaces = [_Subspace(s) for s in specs]
        self.n_components = self._offset(len(self._subspaces))

    # -- structure ---------------------------------------------------------

    @property
    def subspaces(self):
        return [dict(s.dimensions) for s in self._subspaces]

    @property
    def dimensions(self):
        """All dimensions, subspace by subspace, as ``(subspace, name, dim)``."""
        return [
            (i, name, dim)
            for i, sub in enumerate(self._subspaces)
            for name, dim in sub.dimensions.items()
        ]

    @property
    def _n_selector(self):
        return len(self._subspaces) if len(self._subspaces) > 1 else 0

    def _offset(self, index):
        return self._n_selector + sum(s.n_components for s in self._subspaces[:index])

    def columns(self):
        """Where each dimension sits in the model encoding.

        Returns
        -------
        columns : list of tuple
            ``(subspace, name, dimension, slice)``; with several subspaces the
            first columns (not listed) one-hot encode the subspace.
        """
        out = []
        for i, sub in enumerate(self._subspaces):
            start = self._offset(i)
            for name, dim in sub.dimensions.items():
                out.append((i, name, dim, slice(start, start + dim.n_components)))
                start += dim.n_components
        return out

    @property
    def size(self):
        """Number of distinct configurations (``inf`` if any range is continuous)."""
        if not self.is_finite:
            return np.inf
        return sum(s.size for s in self._subspaces)

    @property
    def is_finite(self):
        return all(s.is_finite for s in self._subspaces)

    def __repr__(self):
        return f"Space({self.spec!r})"

    def __len__(self):
        size = self.size
        if not np.isfinite(size):
            raise TypeError("A space with continuous dimensions has no length.")
        return int(size)

    # -- sampling ----------------------------------------------------------

    def rvs(self, n_samples=1, random_state=None):
        """Draw random configurations, as RandomizedSearchCV would.

        Each draw picks a subspace uniformly at random, then each parameter
        from its own distribution.

        Parameters
        ----------
        n_samples : int, default=1
            Number of configurations.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for reproducible draws.

        Returns
        -------
        points : list of dict
            Parameter dicts ready for ``estimator.set_params``.
        """
        n_samples = check_size(n_samples, "n_samples")
        rng = check_random_state(random_state)
        which = rng.randint(len(self._subspaces), size=n_samples)
        points = [None] * n_samples
        for i, sub in enumerate(self._subspaces):
            rows = np.flatnonzero(which == i)
            u = rng.uniform(size=(len(rows), len(sub.dimensions)))
            for row, point in zip(rows, sub.from_unit(u)):
                points[row] = point
        return points

    def initial_design(self, n_samples, method="sobol", random_state=None):
        """Space-filling configurations for the start of a search.

        Parameters
        ----------
        n_samples : int
            Number of configurations, spread over the subspaces in turn.
        method : {"sobol", "lhs", "random"}, default="sobol"
            A scrambled Sobol sequence or a Latin hypercube from
            ``scipy.stats.qmc``, or plain random sampling.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for reproducible designs.

        Returns
        -------
        points : list of dict
        """
        n_samples = check_size(n_samples, "n_samples")
        if method not in ("sobol", "lhs", "random"):
            raise ValueError(
                f"method must be 'sobol', 'lhs' or 'random', got {method!r}."
            )
        rng = check_random_state(random_state)
        counts = np.bincount(
            np.arange(n_samples) % len(self._subspaces),
            minlength=len(self._subspaces),
        )
        shares = [
            sub.from_unit(unit_design(n, len(sub.dimensions), method, rng))
            for sub, n in zip(self._subspaces, counts)
        ]
        # Interleave the subspaces so a truncated design still covers them all.
        return [
            shares[i % len(shares)][i // len(shares)] for i in range(n_samples)
        ]

    def grid(self):
        """Every configuration of a finite space, in GridSearchCV's order.

        Dict by dict; within one, as ``ParameterGrid``: names sorted, the last
        one varying fastest.
        """
        if not self.is_finite:
            raise TypeError(
                "Only a space whose dimensions are all finite (lists, Integer, "
                "discrete distributions) can be enumerated."
            )
        for sub in self._subspaces:
            yield from sub.grid()

    # -- encoding ----------------------------------------------------------

    def subspace_of(self, point):
        """Index of the first subspace that contains ``point``.

        Raises
        ------
        ValueError
            If no subspace has exactly these parameters with valid values.
        """
        for i, sub in enumerate(self._subspaces):
            if sub.contains(point):
                return i
        raise ValueError(f"{point!r} is not a point of this search space.")

    def contains(self, point):
        """Whether ``point`` (a parameter dict) belongs to the space."""
        try:
            self.subspace_of(point)
        except ValueError:
            return False
        return True

    def key(self, point):
        """A hashable identity: two points are the same configuration iff equal keys."""
        i = self.subspace_of(point)
        return (i, self._subspaces[i].key(point))

    def same(self, point_a, point_b):
        """Whether two parameter dicts are the same configuration."""
        return self.key(point_a) == self.key(point_b)

    def transform(self, points):
        """Encode parameter dicts as rows of ``[0, 1]^n_components``.

        Parameters not active in a point's subspace sit at 0.5, so they carry
        no information; with several subspaces the leading columns one-hot
        encode the subspace.
        """
        encoded = np.full((len(points), self.n_components), 0.5)
        subspace = np.array([self.subspace_of(p) for p in points], dtype=int)
        if self._n_selector:
            encoded[:, : self._n_selector] = np.eye(self._n_selector)[subspace]
        for i, name, dim, cols in self.columns():
            rows = np.flatnonzero(subspace == i)
            if len(rows):
                encoded[rows, cols] = dim.transform([points[r][name] for r in rows])
        return encoded

    def inverse_transform(self, encoded):
        """Decode rows of the model encoding to parameter dicts.

        Any real array of the right width decodes to valid points: values are
        clipped to bounds, integers rounded, categories and subspaces chosen
        by their largest column.
        """
        encoded = np.asarray(encoded, dtype=float)
        if encoded.ndim != 2 or encoded.shape[1] != self.n_components:
            raise ValueError(
                f"Expected an array of shape (n, {self.n_components}), got "
                f"{encoded.shape}."
            )
        if self._n_selector:
            subspace = np.argmax(encoded[:, : self._n_selector], axis=1)
        else:
            subspace = np.zeros(len(encoded), dtype=int)
        points = [{} for _ in range(len(encoded))]
        for i, name, dim, cols in self.columns():
            rows = np.flatnonzero(subspace == i)
            for r, value in zip(rows, dim.inverse_transform(encoded[rows, cols])):
                points[r][name] = value
        return points

    # -- checks ------------------------------------------------------------

    def check_estimator_params(self, estimator):
        """Raise ``ValueError`` if a parameter is not one the estimator takes.

        A nested name such as ``"clf__C"`` is also accepted when its prefix
        (``"clf"``) is searched in the same subspace, since the searched step
        replaces the estimator's own. Only names that scikit-learn's own
        ``set_params`` would refuse are refused here: an estimator with a
        ``set_params`` of its own may accept more than ``get_params`` lists.
        """
        params = estimator.get_params(deep=True)
        valid = set(params)
        for i, sub in enumerate(self._subspaces):
            for name in sub.dimensions:
                if name in valid or _searched_prefix(name, sub.dimensions):
                    continue
                if not _validates_like_sklearn(_owner(estimator, params, name)):
                    continue
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator "
                    f"{type(estimator).__name__} in the search space. Valid "
                    f"parameters are: {sorted(valid)!r}."
                )


def _owner(estimator, params, name):
    """The (sub-)estimator whose ``set_params`` receives ``name``."""
    parts = name.split("__")
    for k in range(len(parts) - 1, 0, -1):
        prefix = "__".join(parts[:k])
        if prefix in params:
            return params[prefix]
    return estimator


def _validates_like_sklearn(owner):
    """Whether ``owner.set_params`` is a scikit-learn estimator's, which refuses
    names its ``get_params`` does not list (``BaseEstimator.set_params`` or a
    composite's, such as ``Pipeline``'s, built on it)."""
    set_params = getattr(type(owner), "set_params", None)
    return isinstance(owner, BaseEstimator) and getattr(
        set_params, "__module__", ""
    ).startswith("sklearn.")


def _searched_prefix(name, dimensions):
    parts = name.split("__")
    return any("__".join(parts[:k]) in dimensions for k in range(1, len(parts)))
