"""The forms users write for one parameter, turned into a :class:`Dimension`.

A list, range or other sequence (or 1-d array) means "these choices", as in
GridSearchCV, even when it holds two numbers; a tuple of two numbers
(optionally followed by a prior) is a scikit-optimize range; anything with
``rvs`` and ``ppf`` is a distribution, and anything with only ``rvs`` is
searched through a fixed sample of its draws.
"""

from collections.abc import Sequence

import numpy as np

from skhyper.space._dimensions import (
    Categorical,
    Dimension,
    Integer,
    Real,
    is_integer,
    is_number,
    python_scalar,
)
from skhyper.space._distribution import Distribution, SampledDistribution, draw


def _shorthand(name, spec):
    """Parse a skopt-style tuple ``(low, high[, prior])``; None if it is not one."""
    if not 2 <= len(spec) <= 3:
        return None
    low, high = spec[0], spec[1]
    prior = spec[2] if len(spec) == 3 else "uniform"
    if not (is_number(low) and is_number(high) and isinstance(prior, str)):
        return None
    cls = Integer if is_integer(low) and is_integer(high) else Real
    return cls(python_scalar(low), python_scalar(high), prior=prior, name=name)


def to_dimension(name, spec):
    """Interpret one value of a parameter dict as a :class:`Dimension`."""
    if isinstance(spec, Dimension):
        spec.name = name
        return spec
    if isinstance(spec, tuple):
        return _shorthand(name, spec) or Categorical(spec, name=name)
    if isinstance(spec, np.ndarray) and spec.ndim != 1:
        raise ValueError(
            f"Parameter {name!r}: an array of choices must be one-dimensional, "
            f"got shape {spec.shape}."
        )
    if isinstance(spec, (np.ndarray, Sequence)) and not isinstance(spec, (str, bytes)):
        if len(spec) == 0:
            # GridSearchCV's words, so code matching its errors keeps working.
            raise ValueError(
                f"Parameter grid for parameter {name!r} need to be a non-empty "
                f"sequence, got: {spec!r}"
            )
        return Categorical(list(spec), name=name)  # a list, range, ... of choices
    if hasattr(spec, "rvs") and hasattr(spec, "ppf"):
        return Distribution(spec, name=name)
    if callable(getattr(spec, "rvs", None)):  # all RandomizedSearchCV requires
        draws = draw(spec, 32)
        if all(is_number(v) for v in draws):
            return SampledDistribution(spec, name=name)
        return Categorical(list(dict.fromkeys(draws)), name=name)
    raise TypeError(
        f"Parameter grid for parameter {name!r} needs to be a list or a numpy "
        f"array, but got {spec!r} (of type {type(spec).__name__}) instead. Single "
        "values need to be wrapped in a list with one element. It may also be a "
        "(low, high[, prior]) tuple, a frozen scipy.stats distribution or a "
        "Real/Integer/Categorical dimension."
    )


def copy_dimension(value):
    """Dimensions are renamed when parsed; copy them so user objects stay intact."""
    if isinstance(value, Dimension):
        copy = object.__new__(type(value))
        copy.__dict__.update(value.__dict__)
        return copy
    return value
