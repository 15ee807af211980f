"""Dimensions: what one hyperparameter may take, sampled and encoded in [0, 1].

:class:`Real` and :class:`Integer` ranges with a uniform or log-uniform prior
(and, for reals in ``[0, 1)``, a reverse-log-uniform one), and
:class:`Categorical` choices. Each maps a sampling coordinate ``u`` in
``[0, 1)`` to values (its prior's inverse CDF) and values to the model encoding.
"""

import functools
import numbers

import numpy as np
from sklearn.utils import check_random_state

PRIORS = ("uniform", "log-uniform", "reverse-log-uniform")
#: Other spellings of the priors: AWS SageMaker's scaling types (scikit-optimize
#: has only "uniform" and "log-uniform", and no reverse-log spelling).
PRIOR_ALIASES = {
    "Linear": "uniform",
    "Logarithmic": "log-uniform",
    "ReverseLogarithmic": "reverse-log-uniform",
    "reverse-log": "reverse-log-uniform",
}
# Sampling coordinates are kept strictly inside (0, 1) so that the inverse CDF
# of unbounded distributions stays finite.
U_EPS = 1e-12


def python_scalar(value):
    """Turn numpy scalars (including ``numpy.str_``) into plain Python ones."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def clip_unit(u):
    return np.clip(np.asarray(u, dtype=float), U_EPS, 1.0 - U_EPS)


def check_size(n, param):
    if not is_integer(n) or n < 0:
        raise ValueError(f"{param} must be a non-negative integer, got {n!r}.")
    return int(n)


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
        return self.from_unit(rng.uniform(size=check_size(n_samples, "n_samples")))

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

    def snap(self, encoded):
        """The encoding of the values that ``encoded`` decodes to.

        Equal to ``transform(inverse_transform(encoded))``; the dimensions
        an acquisition search snaps thousands of rows of compute it without
        building the values.
        """
        return self.transform(self.inverse_transform(encoded))

    def snapper(self):
        """:meth:`snap` as a function, its lookups done once for many calls."""
        return self.snap

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
    """A bounded numeric range with a uniform, log or reverse-log prior."""

    def __init__(self, low, high, prior="uniform", name=None):
        self.low = low
        self.high = high
        self.prior = PRIOR_ALIASES.get(prior, prior) if isinstance(prior, str) else (
            prior
        )
        self.name = name

    def _validate(self):
        where = f" for parameter {self.name!r}" if self.name else ""
        if not (is_number(self.low) and is_number(self.high)):
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
        if self.prior not in PRIORS:
            raise ValueError(
                f"prior{where} must be one of {PRIORS} (or SageMaker's "
                f"{sorted(PRIOR_ALIASES)[:3]}), got {self.prior!r}."
            )
        if self.prior == "log-uniform" and self.low <= 0:
            raise ValueError(
                f"A log-uniform prior{where} needs low > 0, got low={self.low!r}."
            )
        if self.prior == "reverse-log-uniform" and not 0 <= self.low < self.high < 1:
            raise ValueError(
                f"A reverse-log-uniform prior{where} needs 0 <= low < high < 1 "
                f"(it is uniform in log(1 - x)), got low={self.low!r}, "
                f"high={self.high!r}."
            )

    def _repr_args(self):
        args = f"low={self.low!r}, high={self.high!r}, prior={self.prior!r}"
        return args + (f", name={self.name!r}" if self.name else "")

    def _to_scale(self, x):
        x = np.asarray(x, dtype=float)
        if self.prior == "log-uniform":
            return np.log(x)
        if self.prior == "reverse-log-uniform":
            return -np.log1p(-x)  # increasing in x: -log(1 - x)
        return x

    def _from_scale(self, s):
        if self.prior == "log-uniform":
            return np.exp(s)
        if self.prior == "reverse-log-uniform":
            return -np.expm1(-np.asarray(s, dtype=float))  # 1 - exp(-s)
        return s

    def _unit_values(self, u):
        """The values at sampling coordinates ``u``, as an array."""
        raise NotImplementedError

    @staticmethod
    def _encoded_unit(encoded):
        return np.clip(np.asarray(encoded, dtype=float).reshape(-1), 0.0, 1.0)

    def inverse_transform(self, encoded):
        return self.from_unit(self._encoded_unit(encoded))

    def snap(self, encoded):
        return self.transform(self._unit_values(self._encoded_unit(encoded)))

    def contains(self, value):
        return is_number(value) and self.low <= value <= self.high


class Real(_NumericDimension):
    """A continuous parameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``.
    prior : {"uniform", "log-uniform", "reverse-log-uniform"}, default="uniform"
        ``"log-uniform"`` samples and models the parameter on a log scale
        (for learning rates, regularization strengths, ...); needs ``low > 0``.
        ``"reverse-log-uniform"`` samples and models ``log(1 - x)`` uniformly,
        for parameters close to 1 (momentum, Adam's ``beta_1`` and
        ``beta_2``, a discount): 0.9 to 0.99 gets as many draws as 0.99 to
        0.999; needs ``0 <= low < high < 1``. AWS SageMaker's names
        ``"Linear"``, ``"Logarithmic"`` and ``"ReverseLogarithmic"`` are
        accepted too.
    name : str, default=None
        The parameter name; set automatically when used in a dict.

    Examples
    --------
    >>> from skhyper import Real
    >>> Real(1e-4, 1e2, prior="log-uniform").rvs(2, random_state=0)
    [0.1962..., 1.9549...]
    >>> Real(0.9, 0.9999, prior="reverse-log-uniform").rvs(2, random_state=0)
    [0.9977..., 0.9992...]
    """

    kind = "real"

    def __init__(self, low, high, prior="uniform", name=None):
        super().__init__(low, high, prior=prior, name=name)
        self._validate()

    def from_unit(self, u):
        return [float(v) for v in self._unit_values(u)]

    def _unit_values(self, u):
        lo, hi = self._to_scale([self.low, self.high])
        values = self._from_scale(lo + np.asarray(u, dtype=float) * (hi - lo))
        return np.clip(values, self.low, self.high)

    def transform(self, values):
        lo, hi = self._to_scale([self.low, self.high])
        scaled = self._to_scale(np.asarray(values, dtype=float))
        return np.clip((scaled - lo) / (hi - lo), 0.0, 1.0).reshape(-1, 1)

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
        if self.prior == "reverse-log-uniform":
            raise ValueError(
                f"Integer{self._where()} cannot have a reverse-log-uniform prior "
                "(it is for reals in [0, 1)); use Real."
            )
        self._validate()
        if not (is_integer(low) and is_integer(high)):
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
        return [int(v) for v in self._unit_values(u)]

    def _unit_values(self, u):
        """The integers at ``u``, as whole floats."""
        lo, hi = self._edges()
        scaled = lo + np.asarray(u, dtype=float) * (hi - lo)
        raw = self._from_scale(scaled)
        values = np.floor(raw) if self.prior == "log-uniform" else np.rint(raw)
        return np.clip(values, self.low, self.high)

    def transform(self, values):
        lo, hi = self._edges()
        v = np.asarray(values, dtype=float)
        centre = self._to_scale(v + 0.5) if self.prior == "log-uniform" else v
        return np.clip((centre - lo) / (hi - lo), 0.0, 1.0).reshape(-1, 1)

    def contains(self, value):
        return is_integer(value) and self.low <= value <= self.high

    def canonical(self, value):
        return int(value)

    def values(self):
        return list(range(self.low, self.high + 1))


class Categorical(Dimension):
    """A parameter taking one of a list of values.

    Values are passed to the estimator unchanged, as ``GridSearchCV`` passes
    them (``None``, booleans, strings, tuples, whole estimators for a pipeline
    step, numpy scalars such as the ``np.float64`` of ``np.logspace``); a
    numpy scalar and the plain Python value it equals are the same choice.

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
        # Plain Python twins of the categories, for comparisons and ordering.
        self._plain = [python_scalar(v) for v in self.categories]
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
        values = list(categories)
        if not values:
            raise ValueError(f"Categorical{where} needs at least one choice, got [].")
        return values

    def _resolve_ordered(self, ordered):
        numeric = all(is_number(v) for v in self._plain)
        if ordered == "auto":
            return numeric and len(self._plain) >= 3 and self._distinct()
        if ordered not in (True, False):
            raise ValueError(f"ordered must be True, False or 'auto', got {ordered!r}.")
        if ordered and not numeric:
            raise ValueError("ordered=True needs numeric categories.")
        return bool(ordered)

    def _distinct(self):
        return len({self._key(v) for v in self._plain}) == len(self._plain)

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
        plain = python_scalar(value)
        for i, category in enumerate(self._plain):
            if _same_value(category, plain):
                return i
        raise ValueError(f"{value!r} is not one of {self.categories!r}.")

    def transform(self, values):
        return self._encode(np.array([self.index(v) for v in values], dtype=int))

    def _encode(self, idx):
        k = len(self.categories)
        if self.n_components == 1:
            return ((idx + 0.5) / k).reshape(-1, 1)
        return np.eye(k)[idx]

    def inverse_transform(self, encoded):
        return [self.categories[i] for i in self._decode(encoded)]

    def _decode(self, encoded):
        """The position of the category each row decodes to."""
        z = np.asarray(encoded, dtype=float).reshape(-1, self.n_components)
        k = len(self.categories)
        if self.n_components == 1:
            return np.clip(np.floor(np.clip(z[:, 0], 0, 1) * k), 0, k - 1).astype(int)
        return np.argmax(z, axis=1)

    def snap(self, encoded):
        return self.snapper()(encoded)

    def snapper(self):
        # A category equal to an earlier one encodes as that one. A partial,
        # not a closure: fitted searches holding it must pickle.
        first = np.array([self.index(c) for c in self.categories], dtype=int)
        return functools.partial(self._snap_to, first)

    def _snap_to(self, first, encoded):
        return self._encode(first[self._decode(encoded)])

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
    if type(a) is not type(b) and not (is_number(a) and is_number(b)):
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
