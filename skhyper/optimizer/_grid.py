"""Every configuration of a finite space, each once."""

from skhyper.optimizer._proposer import Proposer, unique_grid

__all__ = ["GridProposer", "is_pure_grid"]

_ORDERS = ("grid", "random")


def is_pure_grid(space):
    """Whether every dimension was given as a list of choices (a GridSearchCV grid)."""
    from skhyper.space import Categorical

    return all(isinstance(dim, Categorical) for _, _, dim in space.dimensions)


class GridProposer(Proposer):
    """Configurations of a finite space, each once.

    Parameters
    ----------
    space : Space, dict or list of dict
        A finite search space (lists and integer ranges only).
    order : {"grid", "random"}, default="grid"
        ``"grid"``: the next configurations not asked nor told, in
        ``ParameterGrid``'s order (dict by dict, names sorted, the last one
        varying fastest), as ``GridSearchCV`` evaluates them. ``"random"``: a
        request for fewer configurations than are left takes a random subset
        of them (kept in grid order), so a single request for at least all of
        them searches the grid exhaustively; once every configuration was
        asked, further requests draw from the whole grid again (the brackets
        of a Hyperband search over a small grid).
    random_state : int, RandomState instance or None, default=None
        Seeds the random subsets.

    Attributes
    ----------
    grid : list of dict
        The distinct configurations, in grid order.
    """

    def __init__(self, space, *, order="grid", random_state=None):
        super().__init__(space, random_state=random_state)
        if order not in _ORDERS:
            raise ValueError(f"order must be one of {_ORDERS}, got {order!r}.")
        self.order = order
        self.grid, self._keys = unique_grid(self.space)

    @property
    def size(self):
        return len(self.grid)

    @property
    def is_exhausted(self):
        if self.order == "random":
            return False
        return not len(self._left())

    def _left(self):
        return [i for i, key in enumerate(self._keys)
                if key not in self._told_keys and key not in self._pending]

    def _take(self, pool, n):
        if n >= len(pool):
            return sorted(pool)
        return sorted(pool[i] for i in self._rng.permutation(len(pool))[:n])

    def _ask(self, n_points):
        left = self._left()
        if self.order == "grid":
            chosen = left[:n_points]
        else:
            chosen = self._take(left, n_points)
            if len(chosen) < n_points and self.grid:
                taken = set(chosen)
                pool = [i for i in range(len(self.grid)) if i not in taken]
                chosen += self._take(pool, n_points - len(chosen))
        return [self.grid[i] for i in chosen]
