"""Independent draws from the space's priors, as ``RandomizedSearchCV`` does."""

from skhyper.optimizer._proposer import Proposer

__all__ = ["RandomProposer", "draw_unseen", "keep_unseen"]

# Redraws of repeated configurations before a finite space is enumerated.
_MAX_REDRAWS = 20


def draw_unseen(space, rng, n, seen):
    """``n`` draws from the priors whose keys are not in ``seen`` (added to it).

    Fewer when a finite space has fewer configurations left.
    """
    out = keep_unseen(space, space.rvs(n, random_state=rng), n, seen)
    tries = 0
    while len(out) < n and tries < _MAX_REDRAWS:
        # A finite space: redraw the repeats (never more than it holds).
        redraw = space.rvs(2 * n, random_state=rng)
        out += keep_unseen(space, redraw, n - len(out), seen)
        tries += 1
    if len(out) < n and space.is_finite:
        rest = [p for p in space.grid() if space.key(p) not in seen]
        rest = [rest[i] for i in rng.permutation(len(rest))]
        out += keep_unseen(space, rest, n - len(out), seen)
    return out


def keep_unseen(space, points, n, seen):
    """The first ``n`` of ``points`` whose keys are not in ``seen`` (added to it)."""
    out = []
    for point in points:
        key = space.key(point)
        if key not in seen:
            seen.add(key)
            out.append(point)
            if len(out) == n:
                break
    return out


class RandomProposer(Proposer):
    """Draws from the space's priors; distinct configurations when possible.

    Parameters
    ----------
    space : Space, dict or list of dict
        The search space.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws.
    """

    def __init__(self, space, *, random_state=None):
        super().__init__(space, random_state=random_state)

    def _ask(self, n):
        seen = self._told_keys | set(self._pending)
        return draw_unseen(self.space, self._rng, n, seen)
