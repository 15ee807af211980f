"""Estimator twins: the user's class with another ``fit``, for one search.

A twin is a subclass made on the fly with the same ``__init__`` (so
``clone``, ``get_params`` and the candidates' parameter names behave the
same), whose ``set_params`` remembers the candidate scikit-learn gives it
and whose ``fit`` is the search's. Used by the warm start of promoted fold
models (:mod:`skhyper.resources._warm_start`) and by early stopping in every
fold (:mod:`skhyper.boosting._early_stopping`).
"""

import functools
import weakref

from sklearn.base import BaseEstimator

__all__ = ["CANDIDATE", "twin_class"]

#: Where a twin keeps the parameters of its last ``set_params``.
CANDIDATE = "_skhyper_candidate"

# Twin classes by (user class, plan token); rebuilt in each worker on unpickling.
_TWINS = weakref.WeakValueDictionary()


def twin_class(base, plan, fit_twin, extra=None):
    """The twin of class ``base`` for ``plan``.

    Parameters
    ----------
    base : type
        The user's estimator class.
    plan : object
        What the twin's ``fit`` needs, pickled along with it; ``plan.token``
        identifies it and, once ``plan.active`` is false, clones are of the
        user's class again. The twin class reads it as ``_skhyper_plan``.
    fit_twin : callable
        ``fit_twin(estimator, base, X, y, fit_params)``: the twin's ``fit``.
    extra : dict, default=None
        More class attributes.
    """
    key = (base, plan.token)
    twin = _TWINS.get(key)
    if twin is not None:
        return twin

    @functools.wraps(base.fit)
    def fit(self, X, y=None, **fit_params):
        return fit_twin(self, base, X, y, fit_params)

    def set_params(self, **params):
        # scikit-learn's _fit_and_score sets the candidate just before fit.
        self.__dict__[CANDIDATE] = dict(params)
        return base.set_params(self, **params)

    def __sklearn_clone__(self):
        copy = BaseEstimator.__sklearn_clone__(self)
        if not type(self)._skhyper_plan.active:
            copy.__class__ = base  # after the search: the user's class again
        return copy

    def __reduce__(self):
        state = self.__getstate__()
        return (_rebuild, (base, type(self)._skhyper_plan, fit_twin, extra, state))

    namespace = {
        "fit": fit,
        "set_params": set_params,
        "__sklearn_clone__": __sklearn_clone__,
        "__reduce__": __reduce__,
        "__module__": base.__module__,
        # The user's names: error messages, reprs and checkpoint
        # fingerprints read the same with and without the twin.
        "__qualname__": base.__qualname__,
        "__doc__": base.__doc__,
        "_skhyper_plan": plan,
        **(extra or {}),
    }
    twin = type(base.__name__, (base,), namespace)
    _TWINS[key] = twin
    return twin


def _rebuild(base, plan, fit_twin, extra, state):
    cls = twin_class(base, plan, fit_twin, extra)
    obj = cls.__new__(cls)
    obj.__setstate__(state)
    return obj
