"""Tree-structured Parzen estimator (Bergstra et al., 2011; Falkner et al., 2018).

The told configurations are split by score into a small *good* set and the
*bad* rest. Each set gets a Parzen estimator (a mixture of one kernel per
configuration plus a broad prior kernel) in the unit-cube encoding of the
space: truncated Gaussians for numeric dimensions (so log priors act through
the encoding), smoothed frequencies for unordered categories. Candidates are
drawn from the good density ``l(x)``; the one with the largest ratio
``l(x) / g(x)`` is proposed (it maximizes expected improvement under the
TPE model). Subspaces (a list of dicts) are picked by their own smoothed
frequencies in the good and bad sets; each has its own estimators.
"""

import math

import numpy as np
from scipy.special import ndtr, ndtri

from skhyper.optimizer._proposer import Proposer

__all__ = ["TPEProposer", "default_gamma"]

# Sigma of a Gaussian kernel at n observations, Scott's rule in the unit cube:
# _SCOTT_SCALE * n ** (-1 / (d + 4)).
_SCOTT_SCALE = 0.2
# The most recent observations of a set keep full weight; older ones fade
# linearly (1/n for the oldest), so the bad set follows the search.
_FULL_WEIGHT = 25
# Initial design size by default (Optuna's number of startup trials).
_N_STARTUP = 10
# Rounds of fresh candidates before an unseen configuration is drawn at random.
_CANDIDATE_ROUNDS = 4


def _logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def recency_weights(ages):
    """Weights of observations told at ``ages`` (larger: more recent)."""
    n = len(ages)
    if n <= _FULL_WEIGHT:
        return np.ones(n)
    rank = np.argsort(np.argsort(ages, kind="stable"), kind="stable")
    weights = np.ones(n)
    old = rank < n - _FULL_WEIGHT
    weights[old] = np.linspace(1.0 / n, 1.0, n - _FULL_WEIGHT)[rank[old]]
    return weights


def default_gamma(n):
    """Size of the good set among ``n`` told configurations: 10 %, 1 to 25."""
    return int(min(max(1, math.ceil(0.1 * n)), 25))


def _scott(X, n_dims):
    """Scott's rule in the unit cube, one sigma for every kernel."""
    sigma = _SCOTT_SCALE * max(len(X), 1) ** (-1.0 / (n_dims + 4))
    return np.full(X.shape, sigma)


def _neighbour_gaps(X):
    """Per kernel and column, the larger gap to its neighbours on ``[0, 1]``.

    The outermost kernels look inwards only, not at the bounds.
    """
    n = len(X)
    order = np.argsort(X, axis=0, kind="stable")
    padded = np.vstack([np.zeros((1, X.shape[1])), np.take_along_axis(X, order, 0),
                        np.ones((1, X.shape[1]))])
    gaps = np.diff(padded, axis=0)
    sorted_sigmas = np.maximum(gaps[:-1], gaps[1:])
    if n >= 2:
        sorted_sigmas[0] = gaps[1]
        sorted_sigmas[-1] = gaps[-2]
    sigmas = np.empty_like(sorted_sigmas)
    np.put_along_axis(sigmas, order, sorted_sigmas, 0)
    return sigmas


class _Parzen:
    """A Parzen estimator over one subspace's encoded columns.

    ``numeric`` columns get truncated Gaussian kernels on ``[0, 1]``;
    each ``categorical`` slice of one-hot columns gets smoothed frequencies.
    One kernel per observation, plus the prior kernel (uniform categories,
    a Gaussian of sigma 1 centred on the cube).
    """

    def __init__(self, X, weights, numeric, categorical, prior_weight, multivariate,
                 bandwidth):
        n = len(X)
        self.multivariate = multivariate
        self.numeric = numeric
        self.categorical = categorical
        weights = np.append(weights, prior_weight)
        self.log_weights = np.log(weights / weights.sum())
        mus = np.vstack([X[:, numeric], np.full((1, len(numeric)), 0.5)])
        self.mus = mus
        if bandwidth == "scott":
            sigmas = _scott(X[:, numeric], len(numeric) + len(categorical))
        else:
            sigmas = _neighbour_gaps(X[:, numeric])
        floor = 1.0 / min(100, n + 2)  # the magic clip: kernels + 1
        self.sigmas = np.vstack([
            np.clip(sigmas, floor, 1.0), np.ones((1, len(numeric))),
        ])
        self.log_z = np.log(ndtr((1 - mus) / self.sigmas) - ndtr(-mus / self.sigmas))
        self.cat_probs = []
        for cols in categorical:
            k = cols.stop - cols.start
            observed = np.argmax(X[:, cols], axis=1)
            probs = np.full((n + 1, k), prior_weight / (n + 1))
            probs[np.arange(n), observed] += 1.0
            probs[n] = 1.0 / k
            self.cat_probs.append(probs / probs.sum(axis=1, keepdims=True))

    def log_pdf(self, X):
        """Log density of rows of the encoding, shape ``(len(X),)``."""
        z = (X[:, None, self.numeric] - self.mus[None]) / self.sigmas[None]
        terms = [
            -0.5 * z**2 - np.log(self.sigmas[None]) - 0.5 * np.log(2 * np.pi)
            - self.log_z[None]
        ]
        for cols, probs in zip(self.categorical, self.cat_probs):
            idx = np.argmax(X[:, cols], axis=1)
            terms.append(np.log(probs[:, idx].T)[:, :, None])
        per_dim = np.concatenate(terms, axis=2)  # (n_x, n_kernels, n_dims)
        log_w = self.log_weights[None, :, None]
        if self.multivariate:
            return _logsumexp(per_dim.sum(axis=2) + log_w[:, :, 0], axis=1)
        return _logsumexp(per_dim + log_w, axis=1).sum(axis=1)

    def sample(self, n, rng, width):
        """``n`` rows of the encoding (other columns 0.5) drawn from the mixture."""
        n_dims = len(self.numeric) + len(self.categorical)
        weights = np.exp(self.log_weights)
        shape = (n,) if self.multivariate else (n, max(n_dims, 1))
        kernel = rng.choice(len(weights), size=shape, p=weights / weights.sum())
        if self.multivariate:
            kernel = np.repeat(kernel[:, None], max(n_dims, 1), axis=1)
        out = np.full((n, width), 0.5)
        for j, col in enumerate(self.numeric):
            mu, sigma = self.mus[kernel[:, j], j], self.sigmas[kernel[:, j], j]
            lo, hi = ndtr(-mu / sigma), ndtr((1 - mu) / sigma)
            u = lo + rng.uniform(size=n) * (hi - lo)
            u = np.clip(u, 1e-12, 1 - 1e-12)
            out[:, col] = np.clip(mu + sigma * ndtri(u), 0, 1)
        for j, (cols, probs) in enumerate(zip(self.categorical, self.cat_probs)):
            rows = probs[kernel[:, len(self.numeric) + j]]
            cum = np.cumsum(rows, axis=1)
            idx = (rng.uniform(size=(n, 1)) * cum[:, -1:] > cum).sum(axis=1)
            out[:, cols] = np.eye(cols.stop - cols.start)[idx]
        return out


class TPEProposer(Proposer):
    """Tree-structured Parzen estimator: proposes where good scores are dense.

    After the initial design, the told configurations are split into the
    ``gamma(n)`` best (good) and the rest (bad, with failed evaluations and
    pending configurations). ``n_candidates`` configurations are drawn from
    the Parzen estimator ``l(x)`` of the good ones; the one with the largest
    ``l(x) / g(x)`` against the estimator ``g(x)`` of the bad ones is
    proposed (Bergstra et al., 2011; the multivariate kernels of BOHB,
    Falkner et al., 2018).

    Parameters
    ----------
    space : Space, dict or list of dict
        The search space, in any form :class:`~skhyper.Space` accepts.
    n_initial_points : int, default=None
        Configurations of the space-filling design proposed first. ``None``
        means 10.
    initial_design : {"sobol", "lhs", "random"}, default="sobol"
        How the initial configurations are spread.
    n_candidates : int, default=24
        Configurations drawn from ``l(x)`` per proposal.
    gamma : callable, default=None
        Size of the good set given the number of told configurations;
        ``None`` means 10 % of them, between 1 and 25.
    prior_weight : float, default=1.0
        Weight of the prior kernel against one observation's kernel.
    multivariate : bool, default=True
        Kernels over all dimensions jointly (each observation one kernel), or
        one independent estimator per dimension.
    bandwidth : {"neighbours", "scott"}, default="neighbours"
        Width of a numeric kernel: the larger gap to its neighbours along
        that dimension (Optuna's rule), or Scott's rule
        (``0.2 * n ** (-1 / (d + 4))`` of the range for all kernels). Either
        is clipped to at least ``1 / min(100, n_kernels + 1)`` of the range.
    random_state : int, RandomState instance or None, default=None
        Seeds every random choice: same seed and same scores, same proposals.

    Attributes
    ----------
    space, points, scores, pending, n_initial_points_
        As in :class:`~skhyper.optimizer._proposer.Proposer`. Pending
        configurations count as bad (a constant liar): a batch spreads out.

    Examples
    --------
    >>> from skhyper import Real
    >>> from skhyper.optimizer._tpe import TPEProposer
    >>> tpe = TPEProposer({"x": Real(-2.0, 2.0)}, random_state=0)
    >>> for _ in range(30):
    ...     points = tpe.ask()
    ...     tpe.tell(points, [-(p["x"] - 1.0) ** 2 for p in points])
    >>> best = tpe.points[int(tpe.scores.argmax())]
    >>> abs(best["x"] - 1.0) < 0.2
    True
    """

    models_scores = True

    def __init__(self, space, *, n_initial_points=None, initial_design="sobol",
                 n_candidates=24, gamma=None, prior_weight=1.0, multivariate=True,
                 bandwidth="neighbours", random_state=None):
        super().__init__(space, n_initial_points=n_initial_points,
                         initial_design=initial_design, random_state=random_state)
        if int(n_candidates) < 1:
            raise ValueError(f"n_candidates must be >= 1, got {n_candidates!r}.")
        if not prior_weight > 0:
            raise ValueError(f"prior_weight must be > 0, got {prior_weight!r}.")
        self.n_candidates = int(n_candidates)
        self.gamma = default_gamma if gamma is None else gamma
        self.prior_weight = float(prior_weight)
        self.multivariate = bool(multivariate)
        if bandwidth not in ("neighbours", "scott"):
            raise ValueError(
                f"bandwidth must be 'neighbours' or 'scott', got {bandwidth!r}."
            )
        self.bandwidth = bandwidth
        self._columns = self._subspace_columns()

    @classmethod
    def default_n_initial(cls, space):
        """Ten configurations, as Optuna's startup trials."""
        return _N_STARTUP

    def _subspace_columns(self):
        """Per subspace: its numeric columns and its one-hot categorical slices."""
        columns = [([], []) for _ in self.space.subspaces]
        for i, _, dim, cols in self.space.columns():
            if dim.n_components == 1:
                columns[i][0].append(cols.start)
            else:
                columns[i][1].append(cols)
        return columns

    # -- ask ---------------------------------------------------------------

    def _propose(self):
        if self.is_exhausted:
            return None
        point = self._next_initial() if self._in_initial_phase() else None
        if point is None and self._can_model():
            point = self._model_based()
        return point if point is not None else self._random_unseen()

    def _can_model(self):
        return len(self._scores) >= 2 and bool(np.isfinite(self.scores).any())

    def _split(self):
        """Encoded rows of the good and the bad configurations, and their ages."""
        scores = np.where(np.isfinite(self.scores), self.scores, -np.inf)
        n_good = min(self.gamma(len(scores)), int(np.isfinite(scores).sum()))
        order = np.argsort(-scores, kind="stable")
        good = (self._X[order[:n_good]], order[:n_good])
        bad_X, bad_ages = self._X[order[n_good:]], order[n_good:]
        if self._pending:
            bad_X = np.vstack([bad_X, self.space.transform(self.pending)])
            bad_ages = np.append(bad_ages, np.full(len(self._pending), len(scores)))
        return good, (bad_X, bad_ages)

    def _subspace_of_rows(self, X):
        n_sub = len(self._columns)
        if n_sub == 1:
            return np.zeros(len(X), dtype=int)
        return np.argmax(X[:, :n_sub], axis=1)

    def _estimators(self, X, ages):
        """For each subspace, its log share (smoothed) and its Parzen estimator."""
        which = self._subspace_of_rows(X)
        n_sub = len(self._columns)
        counts = np.bincount(which, minlength=n_sub)
        smoothed = counts + self.prior_weight / n_sub
        shares = np.log(smoothed / (len(X) + self.prior_weight))
        estimators = [
            _Parzen(X[which == i], recency_weights(ages[which == i]), numeric,
                    categorical, self.prior_weight, self.multivariate, self.bandwidth)
            for i, (numeric, categorical) in enumerate(self._columns)
        ]
        return shares, estimators

    def _log_density(self, X, shares, estimators):
        which = self._subspace_of_rows(X)
        out = np.empty(len(X))
        for i, estimator in enumerate(estimators):
            rows = which == i
            if rows.any():
                out[rows] = shares[i] + estimator.log_pdf(X[rows])
        return out

    def _candidates(self, good_shares, good):
        n_sub = len(self._columns)
        which = self._rng.choice(n_sub, size=self.n_candidates,
                                 p=np.exp(good_shares) / np.exp(good_shares).sum())
        rows = []
        for i, estimator in enumerate(good):
            n = int((which == i).sum())
            if n:
                sampled = estimator.sample(n, self._rng, self.space.n_components)
                if n_sub > 1:
                    sampled[:, :n_sub] = np.eye(n_sub)[i]
                rows.append(sampled)
        return self.space.inverse_transform(np.vstack(rows))

    def _model_based(self):
        good_set, bad_set = self._split()
        good_shares, good = self._estimators(*good_set)
        bad_shares, bad = self._estimators(*bad_set)
        for _ in range(_CANDIDATE_ROUNDS):
            points = self._candidates(good_shares, good)
            X = self.space.transform(points)
            ratio = (self._log_density(X, good_shares, good)
                     - self._log_density(X, bad_shares, bad))
            for i in np.argsort(-ratio, kind="stable"):
                if not self._is_seen(points[i]):
                    return points[i]
        return None
