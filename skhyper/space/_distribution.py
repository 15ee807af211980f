"""Frozen ``scipy.stats`` distributions as dimensions, sampled by their own ppf."""

import numpy as np

from skhyper.space._closed_form import closed_form
from skhyper.space._dimensions import (
    Dimension,
    clip_unit,
    is_integer,
    is_number,
    python_scalar,
)


class Distribution(Dimension):
    """A frozen ``scipy.stats`` distribution used as a dimension.

    Sampling and the model encoding both go through the distribution's own CDF
    and inverse CDF (``ppf``), so a ``loguniform`` is searched on a log scale and
    a ``norm`` concentrates samples around its mean, exactly as
    RandomizedSearchCV would sample it.

    Parameters
    ----------
    dist : frozen scipy.stats distribution
        Continuous (``uniform``, ``loguniform``, ``norm``, ...) or discrete
        (``randint``, ``poisson``, ...).
    name : str, default=None
        The parameter name; set automatically when used in a dict.
    """

    def __init__(self, dist, name=None):
        self.dist = dist
        self.name = name
        for method in ("ppf", "cdf", "rvs"):
            if not callable(getattr(dist, method, None)):
                where = f" for parameter {name!r}" if name else ""
                raise TypeError(
                    f"A distribution{where} must be a frozen scipy.stats "
                    f"distribution with ppf and cdf, got {dist!r}."
                )
        self._discrete = _is_discrete(dist)
        self.kind = "integer" if self._discrete else "real"
        # A frozen distribution's support never changes; scipy takes ~15 us
        # to say it, and every candidate's membership test asks.
        self._support = tuple(dist.support())
        self._ppf, self._cdf = closed_form(dist) or (dist.ppf, dist.cdf)

    def _repr_args(self):
        dist = self.dist
        name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
        return f"{name}(args={dist.args!r}, kwds={dist.kwds!r})"

    @property
    def cardinality(self):
        if not self._discrete:
            return np.inf
        low, high = self._support
        return high - low + 1 if np.isfinite(high - low) else np.inf

    def from_unit(self, u):
        values = self._ppf(clip_unit(u))
        if self._discrete:
            return [int(v) for v in values]
        return [float(v) for v in values]

    def transform(self, values):
        v = np.asarray(values, dtype=float)
        if self._discrete:
            # The middle of each value's CDF step maps back to the value.
            z = 0.5 * (self._cdf(v - 1) + self._cdf(v))
        else:
            z = self._cdf(v)
        return np.clip(z, 0.0, 1.0).reshape(-1, 1)

    def inverse_transform(self, encoded):
        return self.from_unit(np.asarray(encoded, dtype=float).reshape(-1))

    def contains(self, value):
        if not is_number(value):
            return False
        low, high = self._support
        if self._discrete and not is_integer(value):
            return False
        return low <= value <= high

    def canonical(self, value):
        return int(value) if self._discrete else float(f"{float(value):.12g}")

    def values(self):
        if not np.isfinite(self.cardinality):
            return super().values()
        low, high = self._support
        return list(range(int(low), int(high) + 1))


def _is_discrete(dist):
    # scipy's discrete frozen distributions wrap an ``rv_discrete`` instance.
    from scipy.stats import rv_discrete

    return isinstance(getattr(dist, "dist", None), rv_discrete)


class SampledDistribution(Dimension):
    """A numeric distribution known only by its ``rvs``, as RandomizedSearchCV
    accepts it.

    Searching on a distribution's own scale needs its CDF. For an object with
    only ``rvs``, ``n_draws`` values are drawn once, with a fixed seed (so the
    space is the same on every fit), and their empirical distribution is
    searched: the sorted draws are its quantiles.

    Parameters
    ----------
    dist : object with an ``rvs(random_state=...)`` method
        Returns one number per call.
    name : str, default=None
        The parameter name; set automatically when used in a dict.
    n_draws : int, default=256
        Number of draws that stand for the distribution.
    """

    def __init__(self, dist, name=None, n_draws=256):
        self.dist = dist
        self.name = name
        values = draw(dist, n_draws)
        self.draws = np.sort(np.asarray(values, dtype=float))
        self._integer = all(is_integer(v) for v in values)
        self.kind = "integer" if self._integer else "real"

    def _repr_args(self):
        return f"{self.dist!r}"

    @property
    def cardinality(self):
        return len(np.unique(self.draws)) if self._integer else np.inf

    def from_unit(self, u):
        n = len(self.draws)
        index = np.minimum((clip_unit(u) * n).astype(int), n - 1)
        return [self._plain(v) for v in self.draws[index]]

    def _plain(self, value):
        return int(value) if self._integer else float(value)

    def transform(self, values):
        v = np.asarray(values, dtype=float)
        left = np.searchsorted(self.draws, v, side="left")
        right = np.searchsorted(self.draws, v, side="right")
        return np.clip((left + right) / (2 * len(self.draws)), 0, 1).reshape(-1, 1)

    def inverse_transform(self, encoded):
        return self.from_unit(np.asarray(encoded, dtype=float).reshape(-1))

    def contains(self, value):
        if not is_number(value) or (self._integer and not is_integer(value)):
            return False
        return self.draws[0] <= value <= self.draws[-1]

    def canonical(self, value):
        return int(value) if self._integer else float(f"{float(value):.12g}")

    def values(self):
        if not self._integer:
            return super().values()
        return [int(v) for v in np.unique(self.draws)]


def draw(dist, n_draws):
    """``n_draws`` values of ``dist.rvs``, always the same ones."""
    rng = np.random.RandomState(0)
    return [python_scalar(np.asarray(dist.rvs(random_state=rng)).item())
            for _ in range(n_draws)]
