"""The proposer protocol: ask for configurations, tell their scores.

Every proposer (grid, random, the Bayesian :class:`~skhyper.Optimizer`, TPE)
is a :class:`Proposer`. The base class owns what they all share: the space,
the random state, the told configurations and their scores, the pending ones
(asked, not told), deduplication by ``space.key``, exhaustion of finite
spaces, and the space-filling initial design. A subclass says only where to
look next (:meth:`Proposer._propose`).
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from skhyper.space import Space

__all__ = ["Proposer", "check_n_points", "default_n_initial_points", "unique_grid"]

# Finite spaces up to this size are enumerated once (deduplicated) and
# searched configuration by configuration.
GRID_MAX = 2000
_DESIGNS = ("sobol", "lhs", "random")


def default_n_initial_points(space):
    """Size of the default initial design: twice the dimensions, 5 to 10.

    The dimensions counted are those of the largest subspace.
    """
    n_dims = max(len(sub) for sub in space.subspaces)
    return int(min(max(5, 2 * n_dims), 10))


def unique_grid(space):
    """Every configuration of a finite space once, in grid order, and its key.

    Overlapping subspaces list some configurations twice; the first stays.
    """
    points, keys = [], {}
    for point in space.grid():
        key = space.key(point)
        if key not in keys:
            keys[key] = len(points)
            points.append(point)
    return points, list(keys)


def _told_values(values, n, name):
    """``values`` (a number or one per point) as a float array of length ``n``."""
    if np.ndim(values) and np.shape(values) != (n,):
        raise ValueError(f"Got {n} points but {name} of shape {np.shape(values)}.")
    return np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()


def check_n_points(n_points):
    if not isinstance(n_points, numbers.Integral) or n_points < 1:
        raise ValueError(f"n_points must be an integer >= 1, got {n_points!r}.")
    return int(n_points)


class Proposer:
    """Base class of the proposers: ask for configurations, tell their scores.

    Not for direct use: a subclass implements ``_propose()``, which returns
    one configuration not told nor pending (or ``None`` when it has none).

    Parameters
    ----------
    space : Space, dict or list of dict
        The search space.
    n_initial_points : int, default=None
        Size of the space-filling design of the proposers that model scores
        (``None``: twice the dimensions, 5 to 10); told configurations count.
    initial_design : {"sobol", "lhs", "random"}, default="sobol"
        Its kind.
    random_state : int, RandomState instance or None, default=None
        Same seed and same tells, same asks.

    Attributes
    ----------
    space : Space
        Parsed from ``space``.
    points, scores : list of dict, ndarray of shape (n_told,)
        The told configurations in order, and their scores (``nan``: failed).
    costs : ndarray of shape (n_told,)
        Their costs in seconds, as told (``nan``: not told).
    pending : list of dict
        Asked, not told yet.
    n_initial_points_ : int
        The initial design's size.
    """

    #: Whether the proposer learns from scores (a model); the multi-fidelity
    #: wrapper rebuilds such proposers from one resource level's scores.
    models_scores = False

    def __init__(self, space, *, n_initial_points=None, initial_design="sobol",
                 random_state=None):
        self.space = space if isinstance(space, Space) else Space(space)
        if initial_design not in _DESIGNS:
            raise ValueError(
                f"initial_design must be one of {_DESIGNS}, got {initial_design!r}."
            )
        self.initial_design = initial_design
        self.n_initial_points_ = self._check_n_initial(n_initial_points)
        self._rng = check_random_state(random_state)
        self.points = []
        self._scores = []
        self._costs = []  # seconds per told configuration (nan: unknown)
        self._X = np.empty((0, self.space.n_components))  # told, encoded
        self._told_keys = set()
        self._pending = {}  # key -> point
        self._initial = None  # the initial design, built on first need
        self._grid = None  # (points, keys) of a small finite space

    @classmethod
    def default_n_initial(cls, space):
        """Size of the initial design when ``n_initial_points`` is None."""
        return default_n_initial_points(space)

    def _check_n_initial(self, n):
        if n is None:
            return self.default_n_initial(self.space)
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n_initial_points must be an integer >= 1, got {n!r}.")
        return int(n)

    # -- state -------------------------------------------------------------

    @property
    def scores(self):
        return np.asarray(self._scores, dtype=float)

    @property
    def costs(self):
        return np.asarray(self._costs, dtype=float)

    @property
    def pending(self):
        return list(self._pending.values())

    def _is_seen(self, point):
        key = self.space.key(point)
        return key in self._told_keys or key in self._pending

    def _grid_points(self):
        """``(points, keys)`` of a small finite space, built once (else None)."""
        if self._grid is None and self.space.is_finite and self.space.size <= GRID_MAX:
            self._grid = unique_grid(self.space)
        return self._grid

    @property
    def is_exhausted(self):
        """Whether every configuration of a finite space has been asked or told."""
        if not self.space.is_finite:
            return False
        n_seen = len(self._told_keys | set(self._pending))
        grid = self._grid_points()
        if grid is not None:
            return n_seen >= len(grid[1])
        return n_seen >= self.space.size

    def _unseen_in_grid(self, grid):
        keys = grid[1]
        return np.array(
            [i for i, k in enumerate(keys)
             if k not in self._told_keys and k not in self._pending],
            dtype=int,
        )

    # -- ask ---------------------------------------------------------------

    def ask(self, n_points=1):
        """Propose ``n_points`` distinct configurations never asked nor told.

        Parameters
        ----------
        n_points : int, default=1
            Number of configurations.

        Returns
        -------
        points : list of dict
            Fewer than ``n_points`` (possibly none) when a finite space has
            fewer configurations left.
        """
        return self._add_pending(self._ask(check_n_points(n_points)))

    def _ask(self, n):
        batch = []
        for _ in range(n):
            point = self._propose()
            if point is None:
                break
            self._pending[self.space.key(point)] = point
            batch.append(point)
        return batch

    def _add_pending(self, points):
        for point in points:
            self._pending[self.space.key(point)] = point
        return points

    def _propose(self):
        raise NotImplementedError

    def _in_initial_phase(self):
        return len(self._told_keys) + len(self._pending) < self.n_initial_points_

    def _next_initial(self):
        if self._initial is None:
            self._initial = self.space.initial_design(
                self.n_initial_points_, method=self.initial_design,
                random_state=self._rng,
            )
        while self._initial:
            point = self._initial.pop(0)
            if not self._is_seen(point):
                return point
        return None

    def _random_unseen(self):
        grid = self._grid_points()
        if grid is not None:
            rows = self._unseen_in_grid(grid)
            return grid[0][rows[self._rng.randint(len(rows))]] if len(rows) else None
        for _ in range(10):
            for point in self.space.rvs(32, random_state=self._rng):
                if not self._is_seen(point):
                    return point
        if self.space.is_finite:  # nearly everything seen: enumerate
            return next((p for p in self.space.grid() if not self._is_seen(p)), None)
        return None

    def expected_improvement(self, points):
        """The improvement expected at ``points`` (list of dict), in score units.

        An array of ``nan``: this proposer has no such estimate (the
        Gaussian process and forest :class:`~skhyper.Optimizer` has one).
        Stopping rules that need it then never fire.
        """
        return np.full(len(points), np.nan)

    # -- tell --------------------------------------------------------------

    def tell(self, points, scores, resource=None, costs=None):
        """Report the scores of evaluated configurations.

        Parameters
        ----------
        points : dict or list of dict
            Configurations of the space, usually from :meth:`ask`.
        scores : float or array-like of shape (n_points,)
            Their scores, higher is better; ``nan`` or ``inf`` for failures.
        resource : float, default=None
            The resource the scores were obtained with (a halving rung's);
            only multi-fidelity proposers use it.
        costs : float or array-like of shape (n_points,), default=None
            What evaluating each configuration cost, in seconds (``nan``:
            unknown); only the per-second acquisitions (``"EIps"``,
            ``"PIps"``) of :class:`~skhyper.Optimizer` use them.
        """
        if isinstance(points, dict):
            points = [points]
        points = list(points)
        scores = _told_values(scores, len(points), "scores")
        costs = _told_values(np.nan if costs is None else costs, len(points), "costs")
        self._record(points, scores, resource, costs)

    def _record(self, points, scores, resource, costs):
        X = self.space.transform(points) if points else self._X[:0]
        for point in points:
            key = self.space.key(point)
            self._pending.pop(key, None)
            self._told_keys.add(key)
        self.points.extend(points)
        self._scores.extend(scores.tolist())
        self._costs.extend(costs.tolist())
        self._X = np.vstack([self._X, X])
