"""Where the candidates of a halving bracket come from.

A proposer sees the search space and the evaluations so far, never
scikit-learn: ``propose(n, history)`` returns ``n`` configurations (fewer when
a finite space runs out) that have not been proposed before when possible.

* :class:`GridProposer`: every configuration of a finite space, in the
  grid's order; a request for fewer takes a random subset of those not yet
  proposed (so a single run over a grid not larger than ``n`` searches it
  exhaustively).
* :class:`RandomProposer`: independent draws from the space's priors, as
  ``RandomizedSearchCV`` does; without repeats when the space is finite.
* :class:`BayesProposer`: BOHB-style (Falkner et al., 2018). The ask/tell
  :class:`~skhyper.optimizer._optimizer.Optimizer` of BayesSearchCV is fitted
  on the evaluations of the highest resource level that has enough of them,
  and proposes the candidates of a new bracket; a third of them are drawn at
  random to keep exploring. Without enough evaluations (the first bracket),
  it proposes the optimizer's space-filling initial design.
"""

import math

import numpy as np

from skhyper.optimizer._optimizer import Optimizer, default_n_initial_points

__all__ = ["BayesProposer", "GridProposer", "RandomProposer", "make_proposer"]

#: Share of a model-based bracket's candidates drawn at random (BOHB's rho).
RANDOM_FRACTION = 1 / 3


def is_pure_grid(space):
    """Whether every dimension was given as a list of choices (a GridSearchCV grid)."""
    from skhyper.space import Categorical

    return all(isinstance(dim, Categorical) for _, _, dim in space.dimensions)


def make_proposer(name, space, rng, *, resource=None):
    """The proposer called ``name`` ("grid", "random" or "bayes")."""
    if name == "grid":
        return GridProposer(space, rng)
    if name == "random":
        return RandomProposer(space, rng)
    return BayesProposer(space, rng, resource=resource)


class _Proposer:
    def __init__(self, space, rng):
        self.space = space
        self.rng = rng
        self._seen = set()
        self._history = []

    def ask(self, n):
        return self.propose(n, self._history)

    def tell(self, points, scores, resource=None):
        self._history.extend(
            (point, score, resource) for point, score in zip(points, scores)
        )

    def _key(self, point):
        return self.space.key(point)

    def _mark(self, points):
        for point in points:
            self._seen.add(self._key(point))
        return points

    def _unseen(self, points, n):
        out = []
        for point in points:
            key = self._key(point)
            if key not in self._seen:
                self._seen.add(key)
                out.append(point)
                if len(out) == n:
                    break
        return out

    @property
    def size(self):
        return self.space.size


class GridProposer(_Proposer):
    """Configurations of a finite space, each once, in the grid's order.

    A request for fewer than the configurations left takes a random subset
    of them. Once every configuration has been proposed, further brackets
    (Hyperband) draw from the whole grid again.
    """

    def __init__(self, space, rng):
        super().__init__(space, rng)
        grid, keys = [], set()
        for point in space.grid():
            key = space.key(point)
            if key not in keys:  # overlapping subspaces list some twice
                keys.add(key)
                grid.append(point)
        self.grid = grid
        self._left = list(range(len(grid)))

    @property
    def size(self):
        return len(self.grid)

    def _take(self, pool, n):
        if n >= len(pool):
            return sorted(pool)
        return sorted(pool[i] for i in self.rng.permutation(len(pool))[:n])

    def propose(self, n, history=()):
        if n <= 0 or not self.grid:
            return []
        chosen = self._take(self._left, n)
        taken = set(chosen)
        self._left = [i for i in self._left if i not in taken]
        if len(chosen) < n:
            # Everything was proposed once (Hyperband over a small grid).
            pool = [i for i in range(len(self.grid)) if i not in taken]
            chosen += self._take(pool, n - len(chosen))
        return self._mark([self.grid[i] for i in chosen])


class RandomProposer(_Proposer):
    """Draws from the space's priors; distinct configurations when possible."""

    def propose(self, n, history=()):
        if n <= 0:
            return []
        out = self._unseen(self.space.rvs(n, random_state=self.rng), n)
        tries = 0
        while len(out) < n and tries < 20:
            # A finite space: redraw the repeats (never more than it holds).
            out += self._unseen(self.space.rvs(2 * n, random_state=self.rng),
                                n - len(out))
            tries += 1
        if len(out) < n and self.space.is_finite:
            rest = [p for p in self.space.grid() if self._key(p) not in self._seen]
            rest = [rest[i] for i in self.rng.permutation(len(rest))]
            out += self._unseen(rest, n - len(out))
        return out


class BayesProposer(_Proposer):
    """BOHB: the Bayesian optimizer, fitted on the best-funded resource level.

    Parameters
    ----------
    space : Space
    rng : RandomState
    resource : str or None
        Name of an estimator-parameter resource, stripped from the history.
    min_points : int, default=None
        Finite evaluations a resource level needs before the model is fitted
        on it; ``None`` means the optimizer's default initial design size
        (twice the dimensions, 5 to 10).
    """

    def __init__(self, space, rng, resource=None, min_points=None):
        super().__init__(space, rng)
        self.resource = resource
        self.min_points = min_points or default_n_initial_points(space)
        self.optimizer_ = None
        self.level_ = None  # resource level of the last model, None if unused

    def _level(self, history):
        """Evaluations of the highest resource level with enough finite scores."""
        by_level = {}
        for params, score, level in history:
            by_level.setdefault(level, []).append((params, score))
        for level in sorted(by_level, reverse=True):
            rows = by_level[level]
            if sum(np.isfinite(score) for _, score in rows) >= self.min_points:
                return level, rows
        return None, []

    def _optimizer(self, n_initial):
        seed = self.rng.randint(np.iinfo(np.int32).max)
        return Optimizer(self.space, surrogate="auto", n_initial_points=n_initial,
                         random_state=seed)

    def propose(self, n, history=()):
        if n <= 0:
            return []
        level, rows = self._level(list(history))
        self.level_ = level
        if level is None:
            # No model yet: the space-filling design of the optimizer.
            optimizer = self._optimizer(n)
            return self._fill(self._unseen(optimizer.ask(n), n), n)
        # Told configurations are excluded from its proposals; configurations
        # proposed earlier at other levels are skipped below.
        optimizer = self._optimizer(1)
        optimizer.tell([p for p, _ in rows], [s for _, s in rows])
        self.optimizer_ = optimizer
        n_random = int(math.floor(n * RANDOM_FRACTION))
        n_model = n - n_random
        out = self._unseen(optimizer.ask(n_model), n_model) if n_model else []
        return self._fill(out, n)

    def _fill(self, out, n):
        if len(out) < n:
            filler = RandomProposer(self.space, self.rng)
            filler._seen = self._seen
            out = out + filler.propose(n - len(out))
        return out
