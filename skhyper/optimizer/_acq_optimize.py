"""Maximize an acquisition function over a mixed search space.

A :class:`~skhyper.space.Space` encodes a configuration as a row of
``[0, 1]^n_components`` mixing three kinds of columns:

* *numeric* columns, one per real, integer or ordered categorical dimension;
* *one-hot groups*, one per unordered categorical dimension;
* with several subspaces, leading *selector* columns one-hot encoding the
  subspace (inactive dimensions sit at 0.5).

Only some rows are configurations. :meth:`EncodedSpace.snap` maps any row to
the nearest one through the dimensions' own decoding and encoding, so every
candidate ranked here is a real configuration.

The search (:func:`search_candidates`) mixes global and local moves:

1. random rows, uniform in the encoding, which is the space's prior (reals on
   a log scale are encoded on that scale, distributions by their CDF);
   subspaces are drawn in equal shares, so each competes for the budget;
2. two rounds of perturbations around the best observed configurations and
   the best candidates so far: Gaussian steps on numeric columns and random
   changes of categories (a gradient polish of the best few by L-BFGS-B
   cost a third of a proposal and measured no better, ``_effort``);

then :func:`best_unseen` ranks the snapped candidates and returns the first
one not yet evaluated.
"""

import numpy as np
from scipy.spatial import cKDTree

from skhyper.optimizer._effort import FULL

# How many candidates and rounds: an Effort (FULL by default).
_MAX_CHECKS = 500  # candidates examined for a not-yet-seen configuration
_CHECK_BLOCK = 64  # of them looked up among the told configurations at once
# Candidates closer than this to a pending configuration in every column of
# the encoding (1% of a numeric range, same categories) are near-copies.
_MIN_SEPARATION = 0.01


class EncodedSpace:
    """The structure of a space's model encoding, for moving within it.

    Parameters
    ----------
    space : Space
        The search space.
    """

    def __init__(self, space):
        self.space = space
        columns = space.columns()
        self.n_components = space.n_components
        self.n_subspaces = len(space.subspaces)
        # Selector columns are the ones no dimension owns (Space.columns).
        self.n_selector = self.n_components - sum(
            dim.n_components for _, _, dim, _ in columns
        )
        dims = [(i, dim, cols) for i, _, dim, cols in columns]
        self._snappers = [(i, dim.snapper(), cols) for i, dim, cols in dims]
        self.numeric = [
            np.array(
                [c.start for j, d, c in dims if j == i and d.n_components == 1],
                dtype=int,
            )
            for i in range(self.n_subspaces)
        ]
        self.onehot = [
            [c for j, d, c in dims if j == i and d.n_components > 1]
            for i in range(self.n_subspaces)
        ]

    def subspace(self, X):
        """Index of the subspace each row belongs to."""
        if self.n_selector:
            return np.argmax(X[:, : self.n_selector], axis=1)
        return np.zeros(len(X), dtype=int)

    def snap(self, X):
        """The encoding of the configuration each row decodes to."""
        X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
        sub = self.subspace(X)
        out = np.full_like(X, 0.5)
        if self.n_selector:
            out[:, : self.n_selector] = np.eye(self.n_selector)[sub]
        for i, snap, cols in self._snappers:
            rows = np.flatnonzero(sub == i)
            if rows.size:
                out[rows, cols] = snap(X[rows, cols])
        return out

    def random(self, n, rng):
        """``n`` random configurations from the space's prior, encoded."""
        X = rng.uniform(size=(n, self.n_components))
        if self.n_selector:
            sub = rng.randint(self.n_subspaces, size=n)
            X[:, : self.n_selector] = np.eye(self.n_selector)[sub]
        return self.snap(X)

    def perturb(self, X, scale, rng):
        """Random neighbours of the rows of ``X``, in the same subspace, snapped.

        Each row moves either all its numeric columns or about two of them by
        Gaussian steps of standard deviation ``scale``, and changes one of its
        categories with probability one half.
        """
        Y = np.array(X, dtype=float)
        sub = self.subspace(Y)
        for i in range(self.n_subspaces):
            rows = np.flatnonzero(sub == i)
            if rows.size:
                self._perturb_numeric(Y, rows, self.numeric[i], scale, rng)
                self._perturb_categories(Y, rows, self.onehot[i], rng)
        return self.snap(Y)

    @staticmethod
    def _perturb_numeric(Y, rows, cols, scale, rng):
        if not cols.size:
            return
        # Moving every coordinate at once rarely helps in many dimensions.
        p_move = np.where(rng.uniform(size=len(rows)) < 0.5, 1.0, 2.0 / cols.size)
        move = rng.uniform(size=(len(rows), cols.size)) < p_move[:, None]
        step = rng.normal(scale=scale, size=(len(rows), cols.size)) * move
        Y[np.ix_(rows, cols)] += step

    @staticmethod
    def _perturb_categories(Y, rows, groups, rng):
        if not groups:
            return
        change = rows[rng.uniform(size=len(rows)) < 0.5]
        which = rng.randint(len(groups), size=len(change))
        for g, cols in enumerate(groups):
            target = change[which == g]
            k = cols.stop - cols.start
            Y[target, cols] = np.eye(k)[rng.randint(k, size=len(target))]


def _finite(values):
    values = np.asarray(values, dtype=float)
    return np.where(np.isnan(values), -np.inf, values)


def _top(X, values, k):
    order = np.argsort(-values, kind="stable")[:k]
    return X[order]


def _near(X, avoid):
    """Rows of ``X`` within ``_MIN_SEPARATION`` of a row of ``avoid`` (max-norm)."""
    near = np.zeros(len(X), dtype=bool)
    # Blocks of about 64k entries: bounded memory for long searches, few
    # Python iterations when X has few rows (a single candidate's check).
    size = max(64, 65536 // max(1, len(X) * X.shape[1]))
    for start in range(0, len(avoid), size):
        block = avoid[start : start + size]
        gaps = np.abs(X[:, None, :] - block[None, :, :]).max(axis=2)
        near |= (gaps < _MIN_SEPARATION).any(axis=1)
    return near


def _scored(X, acquisition, avoid):
    values = _finite(acquisition(X))
    return np.where(_near(X, avoid), -np.inf, values)


def score_candidates(X, acquisition, avoid=None):
    """Acquisition values of candidates, ``-inf`` for near-copies of ``avoid``.

    Parameters
    ----------
    X : ndarray of shape (n_candidates, n_components)
        Snapped candidates, as :func:`search_candidates` returns them.
    acquisition : callable
        ``acquisition(X) -> values``.
    avoid : ndarray of shape (n_avoid, n_components), default=None
        Encoded pending configurations.

    Returns
    -------
    values : ndarray of shape (n_candidates,)
    """
    avoid = np.empty((0, X.shape[1])) if avoid is None else avoid
    return _scored(X, acquisition, avoid)


def _local_round(encoded, acquisition, centres, scale, rng, avoid, per_centre):
    X = encoded.perturb(np.repeat(centres, per_centre, axis=0), scale, rng)
    return X, _scored(X, acquisition, avoid)


def search_candidates(encoded, acquisition, X_train, y_train, rng,
                      avoid=None, effort=FULL):
    """Candidate configurations, encoded and snapped, with their acquisition.

    Parameters
    ----------
    encoded : EncodedSpace
        The space.
    acquisition : callable
        ``acquisition(X) -> values`` for rows ``X``, to be maximized.
    X_train, y_train : ndarray
        Encoded observed configurations and their (surrogate) targets; the best
        ones seed the local search.
    rng : RandomState
        Source of randomness.
    avoid : ndarray of shape (n_avoid, n_components), default=None
        Encoded pending configurations: candidates that are near-copies of
        them (within 1% in every column) get an acquisition of ``-inf``, so
        a batch does not spend two evaluations on one spot.
    effort : Effort, default=FULL
        How many candidates and local rounds (``_effort``).

    Returns
    -------
    X : ndarray of shape (n_candidates, n_components)
    values : ndarray of shape (n_candidates,)
    """
    avoid = np.empty((0, encoded.n_components)) if avoid is None else avoid
    X = encoded.random(effort.n_random, rng)
    values = _scored(X, acquisition, avoid)
    for round_, scale in enumerate(effort.local_scales):
        centres = _top(X, values, effort.n_centres)
        if round_ == 0 and len(X_train):
            centres = np.vstack([centres, _top(X_train, y_train, effort.n_centres)])
        X_local, v_local = _local_round(
            encoded, acquisition, centres, scale, rng, avoid, effort.n_per_centre
        )
        X, values = np.vstack([X, X_local]), np.concatenate([values, v_local])
    return X, values


def best_unseen(space, X, values, is_seen, near=None):
    """The best-ranked candidate that is not a seen configuration.

    Parameters
    ----------
    space : Space
        The search space.
    X : ndarray of shape (n_candidates, n_components)
        Snapped candidates.
    values : ndarray of shape (n_candidates,)
        Their acquisition values (higher is better).
    is_seen : callable
        ``is_seen(point) -> bool``.
    near : ndarray of shape (n_near, n_components), default=None
        Encoded configurations whose near-copies (closer than 1% of the cube
        in every column) are passed over too.

    Returns
    -------
    point : dict or None
        ``None`` if none of the best ``500`` candidates is new.
    """
    tried = set()
    order = np.argsort(-values, kind="stable")[:_MAX_CHECKS]
    # Long searches put most of the best candidates next to told
    # configurations: a tree finds their near-copies without comparing every
    # candidate with every told configuration.
    tree = cKDTree(near) if near is not None and len(near) else None
    for start in range(0, len(order), _CHECK_BLOCK):
        block = order[start : start + _CHECK_BLOCK]
        far = np.ones(len(block), bool) if tree is None else np.isinf(
            tree.query(X[block], p=np.inf, distance_upper_bound=_MIN_SEPARATION)[0]
        )
        for i in block[far]:
            row = X[i].tobytes()
            if row in tried:
                continue
            tried.add(row)
            point = space.inverse_transform(X[i : i + 1])[0]
            if not is_seen(point):
                return point
    return None
