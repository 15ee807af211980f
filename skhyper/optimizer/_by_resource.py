"""Multi-fidelity proposals (BOHB): any score model, fitted on one resource level.

Falkner et al. (2018): a halving search tells the scores of every rung, each
obtained with its own resource. A new bracket's candidates come from a model
fitted on the evaluations of the highest resource level that has enough
finite scores; a third of them are drawn at random to keep exploring.
Without such a level (the first bracket), the model's space-filling initial
design.
"""

import math

import numpy as np

from skhyper.optimizer._proposer import Proposer
from skhyper.optimizer._random import draw_unseen, keep_unseen

__all__ = ["ByResource"]

#: Share of a model-based bracket's candidates drawn at random (BOHB's rho).
RANDOM_FRACTION = 1 / 3


class ByResource(Proposer):
    """A proposer rebuilt from the best-funded resource level at every ask.

    Parameters
    ----------
    factory : callable
        ``factory(space, n_initial_points=..., random_state=...)`` returns a
        fresh proposer that models scores (a :class:`Proposer` with
        ``models_scores``), e.g. a class of the registry.
    space : Space, dict or list of dict
        The search space.
    random_state : int, RandomState instance or None, default=None
        Seeds the random share and the seed of each model (one draw per
        :meth:`ask`).
    min_points : int, default=None
        Finite evaluations a resource level needs before the model is fitted
        on it; ``None`` means the default initial design size (twice the
        dimensions, 5 to 10).

    Attributes
    ----------
    optimizer_ : Proposer or None
        The model that proposed the last model-based candidates.
    level_ : float or None
        The resource level it was fitted on; ``None`` if the last ask had
        no level with enough evaluations.
    """

    models_scores = True

    def __init__(self, factory, space, *, random_state=None, min_points=None):
        super().__init__(space, n_initial_points=min_points, random_state=random_state)
        self.factory = factory
        self.min_points = self.n_initial_points_
        self.optimizer_ = None
        self.level_ = None
        self._rows = []  # (params, score, resource) of every told evaluation

    def _record(self, points, scores, resource, costs):
        super()._record(points, scores, resource, costs)
        self._rows.extend(zip(points, scores.tolist(), [resource] * len(points)))

    def _level(self):
        """Evaluations of the highest resource level with enough finite scores."""
        by_level = {}
        for params, score, level in self._rows:
            by_level.setdefault(level, []).append((params, score))
        for level in sorted(by_level, reverse=True):
            rows = by_level[level]
            if sum(np.isfinite(score) for _, score in rows) >= self.min_points:
                return level, rows
        return None, []

    def _model(self, n_initial):
        seed = self._rng.randint(np.iinfo(np.int32).max)
        return self.factory(self.space, n_initial_points=n_initial, random_state=seed)

    def _ask(self, n):
        seen = self._told_keys | set(self._pending)
        level, rows = self._level()
        self.level_ = level
        if level is None:
            # No model yet: its space-filling design.
            model = self._model(n)
            out = keep_unseen(self.space, model.ask(n), n, seen)
        else:
            # The model excludes its told configurations; configurations
            # asked at other levels are skipped below.
            model = self._model(1)
            model.tell([p for p, _ in rows], [s for _, s in rows])
            self.optimizer_ = model
            n_model = n - int(math.floor(n * RANDOM_FRACTION))
            out = []
            if n_model:
                out = keep_unseen(self.space, model.ask(n_model), n_model, seen)
        if len(out) < n:
            out += draw_unseen(self.space, self._rng, n - len(out), seen)
        return out
