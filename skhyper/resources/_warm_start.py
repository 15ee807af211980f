"""Promoted fold models continue training instead of starting over.

scikit-learn's ``evaluate_candidates`` clones the estimator for every fit and
keeps no fitted model, so a halving search whose resource is an estimator's
size or iteration parameter (``n_estimators``, ``max_iter``) would refit each
promoted candidate from scratch at every rung. This module gives those fits a
memory:

* For the duration of one search, the search's ``estimator`` is a
  *warm-start twin* of the user's: a subclass created on the fly with the
  same ``__init__`` (so ``clone`` and ``get_params`` behave the same), whose
  ``set_params`` remembers the candidate scikit-learn gives it and whose
  ``fit`` looks up a **fold-model cache** (a temporary directory).
* The cache holds, for every (configuration without the resource, training
  data) pair, the last fitted model and its resource. A fit with a larger
  resource loads it and continues: ``warm_start=True`` with the new total
  (ensembles: ``n_estimators``; histogram gradient boosting: ``max_iter``),
  or with the iterations still to do (``max_iter`` of MLP and SGD models,
  which count iterations per call). The training data is identified by a
  hash of it, so a model is only continued on the very data it was fitted
  on.
* Where a model is kept depends on where it was fitted. Fits that run in
  the search's own process (``n_jobs=None`` or 1, the threading backend,
  dask's threads) keep their models **in memory**, as they are: nothing is
  pickled, and once a rung's promotions are known the models of the
  eliminated candidates are dropped. A fit in another process (loky, dask
  worker processes) writes its model to the **cache directory**, which every
  process of the machine reads: when it fits, a worker cannot know whether
  the candidate will be promoted (that needs every candidate's scores), and
  joblib cannot send the candidate's next fit back to the same worker, so
  the model must be where any process finds it. The main process deletes
  the files of eliminated candidates after each rung.
* A cache miss (first rung, another machine of a dask cluster, a model that
  cannot be pickled, ...) fits from scratch: results never depend on the
  cache, only the time does. Once the search ends, cloning the twin gives the
  user's own class again, so the refitted ``best_estimator_`` is of the
  user's class, and the twin is never seen outside the search.

Inside a pipeline, the resource must belong to the final step (possibly of
nested pipelines): the cached pipeline's fitted transformers transform the
training data, and only the final step continues, so non-deterministic
transformers cannot put a continued model on different features.

XGBoost, LightGBM and CatBoost models continue from their fitted model
(``xgb_model=``, ``init_model=``), training only the rounds still to do.

Continuation is exact for random forests, extra trees, bagging, isolation
forests and (deterministic) gradient boosting with an integer
``random_state``: the model equals the one fitted from scratch. For MLP and
SGD models it restarts the optimizer's internal state (learning-rate
schedule, Adam moments), so it is close to, not equal to, training from
scratch. So is CatBoost's, unless its random score perturbation and
bootstrap are off (``random_strength=0``, ``bootstrap_type="No"``): a
continued model draws them differently. A continuation that fails warns and
fits from scratch.
"""

import functools
import os
import pickle
import shutil
import tempfile
import uuid
import warnings

import joblib
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from skhyper._twin import CANDIDATE, twin_class
from skhyper.boosting import _libraries

__all__ = ["WarmStartPlan", "continuation_mode", "resource_path_owner"]

@functools.lru_cache(maxsize=None)
def _known_models():
    """Models whose warm start continues training, by resource parameter.

    ``"total"``: the parameter counts the whole model (ensemble members,
    boosting iterations); ``"additional"``: it counts the iterations of each
    call to ``fit``. Imported on first use: most searches never need them.
    """
    from sklearn import ensemble, linear_model, neural_network

    total = {
        "n_estimators": (
            ensemble.RandomForestClassifier,
            ensemble.RandomForestRegressor,
            ensemble.ExtraTreesClassifier,
            ensemble.ExtraTreesRegressor,
            ensemble.RandomTreesEmbedding,
            ensemble.IsolationForest,
            ensemble.BaggingClassifier,
            ensemble.BaggingRegressor,
            ensemble.GradientBoostingClassifier,
            ensemble.GradientBoostingRegressor,
        ),
        "max_iter": (
            ensemble.HistGradientBoostingClassifier,
            ensemble.HistGradientBoostingRegressor,
        ),
    }
    additional = {
        "max_iter": (
            neural_network.MLPClassifier,
            neural_network.MLPRegressor,
            linear_model.SGDClassifier,
            linear_model.SGDRegressor,
            linear_model.SGDOneClassSVM,
            linear_model.Perceptron,
        ),
    }
    return total, additional


def continuation_mode(owner, leaf):
    """How ``owner`` continues training in ``leaf``, or ``None`` if it cannot.

    Returns
    -------
    mode : {"total", "additional", "init_model"} or None
        ``"total"``: fit again with ``warm_start=True`` and the new total.
        ``"additional"``: fit again with the iterations still to do.
        ``"init_model"``: XGBoost, LightGBM and CatBoost rounds, continued
        from the fitted model (:func:`~skhyper.boosting._libraries.continue_rounds`).
    """
    if not hasattr(owner, "get_params"):
        return None
    if _libraries.booster_kind(owner) in ("xgboost", "lightgbm", "catboost"):
        return "init_model" if leaf == _libraries.rounds_param(owner) else None
    if "warm_start" not in owner.get_params(deep=False):
        return None
    total, additional = _known_models()
    if isinstance(owner, total.get(leaf, ())):
        return "total"
    if isinstance(owner, additional.get(leaf, ())):
        return "additional"
    return None


def resource_path_owner(estimator, resource):
    """The estimator owning ``resource`` if only final pipeline steps lead to it.

    Returns
    -------
    owner, leaf : estimator and str, or (None, None)
    """
    *path, leaf = resource.split("__")
    owner = estimator
    for name in path:
        if not isinstance(owner, Pipeline) or not owner.steps:
            return None, None
        final_name, final = owner.steps[-1]
        if name != final_name or final in (None, "passthrough"):
            return None, None
        owner = final
    return owner, leaf


# Fold models kept in memory, by plan token: {(config, fold): (resource,
# state)}. Only the process that created a plan has an entry for it (a forked
# or spawned worker checks the process id), so models fitted in the search's
# own process are never pickled.
_IN_MEMORY = {}


class WarmStartPlan:
    """What the twin needs to know, shared (by pickling) with joblib workers.

    Parameters
    ----------
    resource : str
        The resource parameter, possibly nested (``"clf__n_estimators"``).
    directory : str
        The fold-model cache of fits in other processes.
    """

    def __init__(self, resource, directory):
        self.resource = resource
        self.directory = directory
        self.token = uuid.uuid4().hex
        self.pid = os.getpid()
        self.active = True
        self.max_resources = None  # models at this resource are never stored

    # -- main process ----------------------------------------------------

    @classmethod
    def create(cls, resource):
        plan = cls(resource, tempfile.mkdtemp(prefix="skhyper-warm-"))
        _IN_MEMORY[plan.token] = {}
        return plan

    def wrap(self, estimator):
        """The warm-start twin of ``estimator`` (a fresh clone of it)."""
        twin_cls = _twin_class(type(estimator), self)
        twin = clone(estimator)
        twin.__class__ = twin_cls  # same layout: the twin adds methods only
        return twin

    def config_key(self, params):
        """Cache key of a candidate, without its resource."""
        items = sorted((k, v) for k, v in params.items() if k != self.resource)
        return joblib.hash(clone(items, safe=False))

    def forget(self, candidates):
        """Delete the fold models (in memory and on disk) of ``candidates``.

        Safe while other candidates' fits run: only these keys are touched.
        """
        drop = {self.config_key(c) for c in candidates}
        memory = self._memory()
        if memory is not None:
            for key in list(memory):  # a snapshot: fits may add keys meanwhile
                if key[0] in drop:
                    memory.pop(key, None)
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.split("-")[0] in drop:
                _remove(os.path.join(self.directory, name))

    def close(self):
        """End the search: clones become the user's class; delete the cache."""
        self.active = False
        if os.getpid() == self.pid:
            _IN_MEMORY.pop(self.token, None)
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- every process -----------------------------------------------------

    def _memory(self):
        """The in-memory models, in the process that created the plan only."""
        if os.getpid() != self.pid:
            return None
        return _IN_MEMORY.get(self.token)

    def _path(self, config, fold):
        return os.path.join(self.directory, f"{config}-{fold}.pkl")

    def load(self, config, fold):
        """``(resource, state)`` of the stored fold model, or ``None``.

        A model kept in memory is handed over, not copied: the caller
        continues training it in place, and stores it again afterwards.
        """
        memory = self._memory()
        if memory is not None:
            stored = memory.pop((config, fold), None)
            if stored is not None:
                return stored
        try:
            with open(self._path(config, fold), "rb") as f:
                return pickle.load(f)
        except Exception:  # absent, half-written elsewhere, unpicklable: a miss
            return None

    def put_back(self, config, fold, resource, state):
        """Return a model :meth:`load` handed over, unchanged, for later fits.

        On disk the model never left.
        """
        memory = self._memory()
        if memory is not None:
            memory[(config, fold)] = (resource, dict(state))

    def store(self, config, fold, resource, state):
        """Keep a fold model: in memory in the plan's process, else on disk."""
        if not os.path.isdir(self.directory):  # closed, or another machine
            return
        memory = self._memory()
        if memory is not None:
            # A dict of its own: a state may be the estimator's __dict__ itself.
            memory[(config, fold)] = (resource, dict(state))
            return
        path = self._path(config, fold)
        tmp = f"{path}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        try:
            with open(tmp, "wb") as f:
                pickle.dump((resource, state), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # disk full, unpicklable model: no reuse, no harm
            _remove(tmp)

    def __getstate__(self):
        return self.__dict__.copy()


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _twin_class(base, plan):
    return twin_class(base, plan, _warm_fit)


def _call_fit(fit, X, y, fit_params):
    if y is None:
        return fit(X, **fit_params)
    return fit(X, y, **fit_params)


def _warm_fit(self, base, X, y, fit_params):
    plan = type(self)._skhyper_plan
    candidate = self.__dict__.pop(CANDIDATE, None)
    cold = functools.partial(base.fit, self)
    if not plan.active or candidate is None or plan.resource not in candidate:
        return _call_fit(cold, X, y, fit_params)
    target = candidate[plan.resource]
    owner, leaf = resource_path_owner(self, plan.resource)
    mode = continuation_mode(owner, leaf) if owner is not None else None
    if mode is None or not isinstance(target, int):
        return _call_fit(cold, X, y, fit_params)
    try:
        config = plan.config_key(candidate)
        fold = joblib.hash((X, y, sorted(fit_params.items())))
    except Exception:  # unhashable data or parameters: no cache
        return _call_fit(cold, X, y, fit_params)

    stored = plan.load(config, fold)
    if stored is not None and stored[0] == target:
        # The same model again (a repeated rung of aggressive elimination).
        self.__setstate__(stored[1])
        plan.put_back(config, fold, target, self.__getstate__())
        return self
    continued = False
    if stored is not None and stored[0] < target:
        fresh = self.__dict__.copy()
        self.__setstate__(stored[1])
        try:
            _continue(self, base, plan.resource, mode, stored[0], target, X, y,
                      fit_params)
            continued = True
        except Exception as exc:
            # Whatever went wrong, the cold fit below decides the outcome.
            warnings.warn(
                f"{type(owner).__name__} could not continue its {leaf!r} "
                f"({type(exc).__name__}: {exc}); this fit trains from scratch.",
                UserWarning, stacklevel=2,
            )
            self.__dict__.clear()
            self.__dict__.update(fresh)
    if not continued:
        _call_fit(cold, X, y, fit_params)
    if plan.max_resources is None or target < plan.max_resources:
        plan.store(config, fold, target, self.__getstate__())
    return self


def _continue(top, base, resource, mode, done, target, X, y, fit_params):
    """Continue ``top`` (fitted at ``done``) to ``target`` on the same data."""
    *path, leaf = resource.split("__")
    owner, Xt, params = top, X, fit_params
    for name in path:
        pipeline = owner
        if len(pipeline.steps) > 1:
            Xt = pipeline[:-1].transform(Xt)
        params = _final_step_params(pipeline, name, params)
        owner = pipeline.steps[-1][1]
    if mode == "init_model":
        twin = type(top)
        top.__class__ = base  # the library's own fit, not the twin's
        try:
            _libraries.continue_rounds(owner, Xt, y, params, done, target)
        finally:
            top.__class__ = twin
        return
    warm = owner.get_params(deep=False)["warm_start"]
    amount = target if mode == "total" else target - done
    set_params = functools.partial(base.set_params, top) if owner is top else (
        owner.set_params
    )
    fit = functools.partial(base.fit, top) if owner is top else owner.fit
    set_params(**{leaf: amount, "warm_start": True})
    try:
        _call_fit(fit, Xt, y, params)
    finally:
        set_params(**{leaf: target, "warm_start": warm})


def _final_step_params(pipeline, name, params):
    """Fit parameters of the final step ``name``, as ``Pipeline.fit`` routes them."""
    if not params:
        return {}
    import sklearn

    if sklearn.get_config().get("enable_metadata_routing", False):
        from sklearn.utils.metadata_routing import process_routing

        return dict(process_routing(pipeline, "fit", **params)[name].fit)
    prefix = f"{name}__"
    return {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
