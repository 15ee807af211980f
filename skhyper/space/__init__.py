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

from skhyper.space._dimensions import Categorical, Dimension, Integer, Real
from skhyper.space._distribution import Distribution
from skhyper.space._space import Space

__all__ = ["Categorical", "Dimension", "Distribution", "Integer", "Real", "Space"]
