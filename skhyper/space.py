"""Search spaces: the vocabulary users write and the unit-cube view models need.

A :class:`Space` is built from any of the forms users already know:

* a GridSearchCV ``param_grid``: a dict of lists (or a list of such dicts);
* a RandomizedSearchCV ``param_distributions``: frozen ``scipy.stats``
  distributions and lists;
* scikit-optimize shorthands: ``(low, high)``, ``(low, high, "log-uniform")``
  and the :class:`Real`, :class:`Integer` and :class:`Categorical` classes.

A list always means "these choices", as in GridSearchCV, even when it holds
two numbers. A tuple of two numbers (optionally followed by a prior) is a range.

Each dimension offers two views of its values:

* a *sampling coordinate* ``u`` in ``[0, 1)``, through which random and
  space-filling designs are drawn (the inverse CDF of the dimension's prior);
* a *model encoding*: one or more columns in ``[0, 1]`` that surrogate models
  see (log-scaled, integer bins, one-hot for unordered categories).
"""

import math
import numbers
from itertools import product

import numpy as np
from scipy.stats import qmc
from sklearn.utils import check_random_state

__all__ = ["Categorical", "Dimension", "Distribution", "Integer", "Real", "Space"]

_PRIORS = ("uniform", "log-uniform")
# Sampling coordinates are kept strictly inside (0, 1) so that the inverse CDF
# of unbounded distributions stays finite.
_U_EPS = 1e-12


def _python_scalar(value):
    """Turn numpy scalars (including ``numpy.str_``) into plain Python ones."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def _clip_unit(u):
    return np.clip(np.asarray(u, dtype=float), _U_EPS, 1.0 - _U_EPS)


class Dimension:
    """Base class of one searched parameter.

    Subclasses implement the sampling coordinate (``from_unit``), the model
    encoding (``transform`` / ``inverse_transform``) and membership.
    """

    name = None
    #: ``"real"``, ``"integer"`` or ``"categorical"``: how models should treat it.
    kind = None

    def __repr__(self):
        return f"{type(self).__name__}({self._repr_args()})"

    def _repr_args(self):
        raise NotImplementedError

    @property
    def n_components(self):
        """Number of columns of the model encoding."""
        return 1

    @property
    def cardinality(self):
        """Number of distinct values, ``inf`` for continuous dimensions."""
        return np.inf

    def rvs(self, n_samples=1, random_state=None):
        """Draw ``n_samples`` values from the dimension's prior.

        Parameters
        ----------
        n_samples : int, default=1
            Number of values.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for reproducible draws.

        Returns
        -------
        values : list
            Plain Python values (``int``, ``float`` or the categories).
        """
        rng = check_random_state(random_state)
        return self.from_unit(rng.uniform(size=_check_size(n_samples, "n_samples")))

    def from_unit(self, u):
        """Map sampling coordinates ``u`` in ``[0, 1)`` to values (a list)."""
        raise NotImplementedError

    def transform(self, values):
        """Encode values as an array of shape ``(len(values), n_components)``."""
        raise NotImplementedError

    def inverse_transform(self, encoded):
        """Decode an array of shape ``(n, n_components)`` back to a list of values.

        Values outside ``[0, 1]`` are clipped; integers are rounded and
        categories chosen by the largest column, so any array decodes to valid
        values.
        """
        raise NotImplementedError

    def contains(self, value):
        """Whether ``value`` is a valid value of this dimension."""
        raise NotImplementedError

    def canonical(self, value):
        """A hashable, comparable form of ``value`` used to detect duplicates."""
        raise NotImplementedError

    def values(self):
        """All values of a finite dimension, in order."""
        raise TypeError(f"{self!r} is continuous: it has no finite list of values.")


class _NumericDimension(Dimension):
    """A bounded numeric range with a uniform or log-uniform prior."""

    def __init__(self, low, high, prior="uniform", name=None):
        self.low = low
        self.high = high
        self.prior = prior
        self.name = name

    def _validate(self):
        where = f" for parameter {self.name!r}" if self.name else ""
        if not (_is_number(self.low) and _is_number(self.high)):
            raise TypeError(
                f"{type(self).__name__} bounds{where} must be numbers, got "
                f"low={self.low!r}, high={self.high!r}."
            )
        if not (np.isfinite(self.low) and np.isfinite(self.high)):
            raise ValueError(
                f"{type(self).__name__} bounds{where} must be finite, got "
                f"low={self.low!r}, high={self.high!r}."
            )
        if self.low >= self.high:
            raise ValueError(
                f"{type(self).__name__}{where} needs low < high, got "
                f"low={self.low!r}, high={self.high!r}."
            )
        if self.prior not in _PRIORS:
            raise ValueError(
                f"prior{where} must be one of {_PRIORS}, got {self.prior!r}."
            )
        if self.prior == "log-uniform" and self.low <= 0:
            raise ValueError(
                f"A log-uniform prior{where} needs low > 0, got low={self.low!r}."
            )

    def _repr_args(self):
        args = f"low={self.low!r}, high={self.high!r}, prior={self.prior!r}"
        return args + (f", name={self.name!r}" if self.name else "")

    def _to_scale(self, x):
        x = np.asarray(x, dtype=float)
        return np.log(x) if self.prior == "log-uniform" else x

    def _from_scale(self, s):
        return np.exp(s) if self.prior == "log-uniform" else s

    def contains(self, value):
        return _is_number(value) and self.low <= value <= self.high


class Real(_NumericDimension):
    """A continuous parameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"log-uniform"`` samples and models the parameter on a log scale
        (for learning rates, regularization strengths, ...); needs ``low > 0``.
    name : str, default=None
        The parameter name; set automatically when used in a dict.

    Examples
    --------
    >>> from skhyper import Real
    >>> Real(1e-4, 1e2, prior="log-uniform").rvs(2, random_state=0)
    [0.1962..., 1.9549...]
    """

    kind = "real"

    def __init__(self, low, high, prior="uniform", name=None):
        super().__init__(low, high, prior=prior, name=name)
        self._validate()

    def from_unit(self, u):
        lo, hi = self._to_scale([self.low, self.high])
        values = self._from_scale(lo + np.asarray(u, dtype=float) * (hi - lo))
        return [float(v) for v in np.clip(values, self.low, self.high)]

    def transform(self, values):
        lo, hi = self._to_scale([self.low, self.high])
        scaled = self._to_scale(np.asarray(values, dtype=float))
        return np.clip((scaled - lo) / (hi - lo), 0.0, 1.0).reshape(-1, 1)

    def inverse_transform(self, encoded):
        z = np.clip(np.asarray(encoded, dtype=float).reshape(-1), 0.0, 1.0)
        return self.from_unit(z)

    def canonical(self, value):
        return float(f"{float(value):.12g}")


class Integer(_NumericDimension):
    """An integer parameter in ``[low, high]`` (both inclusive).

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"log-uniform"`` favours small values (for ``n_estimators``,
        ``n_neighbors``, ...); needs ``low > 0``.
    name : str, default=None
        The parameter name; set automatically when used in a dict.

    Examples
    --------
    >>> from skhyper import Integer
    >>> Integer(1, 10).rvs(3, random_state=0)
    [6, 8, 7]
    """

    kind = "integer"

    def __init__(self, low, high, prior="uniform", name=None):
        super().__init__(low, high, prior=prior, name=name)
        self._validate()
        if not (_is_integer(low) and _is_integer(high)):
            raise TypeError(
                f"Integer bounds{self._where()} must be integers, got "
                f"low={low!r}, high={high!r}; use Real for a continuous range."
            )
        self.low, self.high = int(low), int(high)

    def _where(self):
        return f" for parameter {self.name!r}" if self.name else ""

    @property
    def cardinality(self):
        return self.high - self.low + 1

    # Every integer owns an equal bin of the scaled axis: [v - 0.5, v + 0.5]
    # on the uniform scale, its log image on the log scale.
    def _edges(self):
        return self._to_scale([self.low - 0.5, self.high + 0.5]) if (
            self.prior == "uniform"
        ) else self._to_scale([self.low, self.high + 1])

    def from_unit(self, u):
        lo, hi = self._edges()
        scaled = lo + np.asarray(u, dtype=float) * (hi - lo)
        raw = self._from_scale(scaled)
        values = np.floor(raw) if self.prior == "log-uniform" else np.rint(raw)
        return [int(v) for v in np.clip(values, self.low, self.high)]

    def transform(self, values):
        lo, hi = self._edges()
        v = np.asarray(values, dtype=float)
        centre = self._to_scale(v + 0.5) if self.prior == "log-uniform" else v
        return np.clip((centre - lo) / (hi - lo), 0.0, 1.0).reshape(-1, 1)

    def inverse_transform(self, encoded):
        z = np.clip(np.asarray(encoded, dtype=float).reshape(-1), 0.0, 1.0)
        return self.from_unit(z)

    def contains(self, value):
        return _is_integer(value) and self.low <= value <= self.high

    def canonical(self, value):
        return int(value)

    def values(self):
        return list(range(self.low, self.high + 1))


class Categorical(Dimension):
    """A parameter taking one of a list of values.

    Values are passed to the estimator unchanged (``None``, booleans, strings,
    tuples, whole estimators for a pipeline step), except numpy scalars which
    become plain Python numbers or strings.

    Parameters
    ----------
    categories : sequence
        The choices; at least one, no duplicates.
    ordered : bool or "auto", default="auto"
        Whether the choices have a meaningful order. Ordered choices are
        encoded as one column (their rank), unordered ones one-hot. ``"auto"``
        treats a list of three or more distinct numbers, such as
        ``[0.01, 0.1, 1, 10]``, as ordered.
    name : str, default=None
        The parameter name; set automatically when used in a dict.

    Examples
    --------
    >>> from skhyper import Categorical
    >>> Categorical(["linear", "rbf", "poly"]).rvs(3, random_state=0)
    ['rbf', 'poly', 'rbf']
    """

    kind = "categorical"

    def __init__(self, categories, ordered="auto", name=None):
        self.name = name
        self.categories = self._check_categories(categories, name)
        self.ordered = ordered
        self._ordered = self._resolve_ordered(ordered)

    @staticmethod
    def _check_categories(categories, name):
        where = f" for parameter {name!r}" if name else ""
        if isinstance(categories, (str, bytes)) or not hasattr(
            categories, "__iter__"
        ):
            raise TypeError(
                f"Categorical{where} needs a list of choices, got {categories!r}."
            )
        values = [_python_scalar(v) for v in categories]
        if not values:
            raise ValueError(f"Categorical{where} needs at least one choice, got [].")
        return values

    def _resolve_ordered(self, ordered):
        numeric = all(_is_number(v) for v in self.categories)
        if ordered == "auto":
            return numeric and len(self.categories) >= 3 and self._distinct()
        if ordered not in (True, False):
            raise ValueError(f"ordered must be True, False or 'auto', got {ordered!r}.")
        if ordered and not numeric:
            raise ValueError("ordered=True needs numeric categories.")
        return bool(ordered)

    def _distinct(self):
        return len({self._key(v) for v in self.categories}) == len(self.categories)

    @staticmethod
    def _key(value):
        try:
            hash(value)
            return (type(value).__name__, value)
        except TypeError:
            return ("id", id(value))

    def _repr_args(self):
        args = f"categories={self.categories!r}"
        return args + (f", name={self.name!r}" if self.name else "")

    @property
    def n_components(self):
        if self._ordered or len(self.categories) == 1:
            return 1
        return len(self.categories)

    @property
    def cardinality(self):
        return len(self.categories)

    def from_unit(self, u):
        k = len(self.categories)
        idx = np.clip(np.floor(np.asarray(u, dtype=float) * k), 0, k - 1).astype(int)
        return [self.categories[i] for i in idx]

    def index(self, value):
        """Position of ``value`` among the categories (``ValueError`` if absent)."""
        for i, category in enumerate(self.categories):
            if category is value:
                return i
        for i, category in enumerate(self.categories):
            if _same_value(category, value):
                return i
        raise ValueError(f"{value!r} is not one of {self.categories!r}.")

    def transform(self, values):
        idx = np.array([self.index(v) for v in values], dtype=int)
        k = len(self.categories)
        if self.n_components == 1:
            return ((idx + 0.5) / k).reshape(-1, 1)
        return np.eye(k)[idx]

    def inverse_transform(self, encoded):
        z = np.asarray(encoded, dtype=float).reshape(-1, self.n_components)
        k = len(self.categories)
        if self.n_components == 1:
            idx = np.clip(np.floor(np.clip(z[:, 0], 0, 1) * k), 0, k - 1).astype(int)
        else:
            idx = np.argmax(z, axis=1)
        return [self.categories[i] for i in idx]

    def contains(self, value):
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def canonical(self, value):
        return self.index(value)

    def values(self):
        return list(self.categories)


def _same_value(a, b):
    """Equality that tolerates numpy arrays and estimators."""
    if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
        return False
    if hasattr(a, "get_params") and not isinstance(a, type):
        # Estimators compare by identity; after a pickle round trip (joblib,
        # checkpoints) the same configuration is a different object.
        return repr(a) == repr(b)
    try:
        equal = a == b
        return bool(equal) if isinstance(equal, (bool, np.bool_)) else False
    except Exception:  # objects whose comparison is ambiguous or fails
        return False


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

    def _repr_args(self):
        dist = self.dist
        name = getattr(getattr(dist, "dist", None), "name", type(dist).__name__)
        return f"{name}(args={dist.args!r}, kwds={dist.kwds!r})"

    @property
    def cardinality(self):
        if not self._discrete:
            return np.inf
        low, high = self.dist.support()
        return high - low + 1 if np.isfinite(high - low) else np.inf

    def from_unit(self, u):
        values = self.dist.ppf(_clip_unit(u))
        if self._discrete:
            return [int(v) for v in values]
        return [float(v) for v in values]

    def transform(self, values):
        v = np.asarray(values, dtype=float)
        if self._discrete:
            # The middle of each value's CDF step maps back to the value.
            z = 0.5 * (self.dist.cdf(v - 1) + self.dist.cdf(v))
        else:
            z = self.dist.cdf(v)
        return np.clip(z, 0.0, 1.0).reshape(-1, 1)

    def inverse_transform(self, encoded):
        return self.from_unit(np.asarray(encoded, dtype=float).reshape(-1))

    def contains(self, value):
        if not _is_number(value):
            return False
        low, high = self.dist.support()
        if self._discrete and not _is_integer(value):
            return False
        return low <= value <= high

    def canonical(self, value):
        return int(value) if self._discrete else float(f"{float(value):.12g}")

    def values(self):
        if not np.isfinite(self.cardinality):
            return super().values()
        low, high = self.dist.support()
        return list(range(int(low), int(high) + 1))


def _is_discrete(dist):
    # scipy's discrete frozen distributions wrap an ``rv_discrete`` instance.
    from scipy.stats import rv_discrete

    return isinstance(getattr(dist, "dist", None), rv_discrete)


def _check_size(n, param):
    if not _is_integer(n) or n < 0:
        raise ValueError(f"{param} must be a non-negative integer, got {n!r}.")
    return int(n)


def _shorthand(name, spec):
    """Parse a skopt-style tuple ``(low, high[, prior])``; None if it is not one."""
    if not 2 <= len(spec) <= 3:
        return None
    low, high = spec[0], spec[1]
    prior = spec[2] if len(spec) == 3 else "uniform"
    if not (_is_number(low) and _is_number(high) and isinstance(prior, str)):
        return None
    cls = Integer if _is_integer(low) and _is_integer(high) else Real
    return cls(_python_scalar(low), _python_scalar(high), prior=prior, name=name)


def _to_dimension(name, spec):
    """Interpret one value of a parameter dict as a :class:`Dimension`."""
    if isinstance(spec, Dimension):
        spec.name = name
        return spec
    if isinstance(spec, tuple):
        return _shorthand(name, spec) or Categorical(spec, name=name)
    if isinstance(spec, list) or (isinstance(spec, np.ndarray) and spec.ndim == 1):
        return Categorical(spec, name=name)
    if hasattr(spec, "rvs") and hasattr(spec, "ppf"):
        return Distribution(spec, name=name)
    raise TypeError(
        f"Parameter {name!r}: expected a list of choices, a (low, high[, prior]) "
        f"tuple, a frozen scipy.stats distribution or a Real/Integer/Categorical "
        f"dimension, got {spec!r} of type {type(spec).__name__}."
    )


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
            name: _to_dimension(name, _copy_dimension(value))
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
        names = list(self.dimensions)
        for values in product(*(d.values() for d in self.dimensions.values())):
            yield dict(zip(names, values))


def _copy_dimension(value):
    """Dimensions are renamed when parsed; copy them so user objects stay intact."""
    if isinstance(value, Dimension):
        copy = object.__new__(type(value))
        copy.__dict__.update(value.__dict__)
        return copy
    return value


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
        n_samples = _check_size(n_samples, "n_samples")
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
        n_samples = _check_size(n_samples, "n_samples")
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
            sub.from_unit(_unit_design(n, len(sub.dimensions), method, rng))
            for sub, n in zip(self._subspaces, counts)
        ]
        # Interleave the subspaces so a truncated design still covers them all.
        return [
            shares[i % len(shares)][i // len(shares)] for i in range(n_samples)
        ]

    def grid(self):
        """Every configuration of a finite space, in GridSearchCV's order per dict."""
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
        replaces the estimator's own.
        """
        valid = set(estimator.get_params(deep=True))
        for i, sub in enumerate(self._subspaces):
            for name in sub.dimensions:
                if name in valid or _searched_prefix(name, sub.dimensions):
                    continue
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator "
                    f"{type(estimator).__name__} in the search space. Valid "
                    f"parameters are: {sorted(valid)!r}."
                )


def _searched_prefix(name, dimensions):
    parts = name.split("__")
    return any("__".join(parts[:k]) in dimensions for k in range(1, len(parts)))


def _unit_design(n, d, method, rng):
    """``n`` points in ``(0, 1)^d`` from a QMC engine (or plain random)."""
    if n == 0 or d == 0:
        return np.empty((n, d))
    seed = rng.randint(np.iinfo(np.int32).max)
    if method == "random":
        return np.random.RandomState(seed).uniform(size=(n, d))
    if method == "lhs":
        return qmc.LatinHypercube(d=d, seed=seed).random(n)
    engine = qmc.Sobol(d=d, scramble=True, seed=seed)
    # Sobol's balance needs a power of two; draw the next one and keep n.
    m = int(np.ceil(np.log2(max(n, 1))))
    return engine.random_base2(m)[:n]
