"""scikit-optimize's ``BayesSearchCV`` surface, mapped onto skhyper's machinery.

Code written for scikit-optimize runs with only its import changed:

* ``optimizer_kwargs``: each key mapped to a setting of skhyper's optimizer,
  accepted without effect where it only tuned scikit-optimize's compute, or
  refused with a message naming the key;
* scikit-optimize's ``Real``, ``Integer`` and ``Categorical`` objects, turned
  into skhyper's (recognized by their module: scikit-optimize is never
  imported here);
* ``(space, n_iter)`` pairs in a list of search spaces: each subspace is
  searched in turn with its own budget and optimizer, through the search's
  own policy and driver;
* ``fit(X, y, callback=...)``: scikit-optimize's callbacks become stopping
  rules that are handed an :class:`OptimizeResult`;
* ``total_iterations``, ``optimizer_results_`` and ``rank_train_score``.

:class:`SkoptSurface` is mixed into :class:`~skhyper.BayesSearchCV`.
"""

import inspect
import numbers

import numpy as np

from skhyper.optimizer._acquisition import DISPLAY_NAMES
from skhyper.searches._base import BaseModelSearchCV
from skhyper.searches._skopt_results import ResultCallback, results_of_rows
from skhyper.space import Categorical, Integer, Real, Space

__all__ = ["SkoptSurface", "from_skopt", "optimizer_settings", "split_pairs"]

_BASE_ESTIMATORS = {"GP": "gp", "ET": "forest"}
_DESIGNS = ("random", "sobol", "lhs")
_ACQ_OPTIMIZERS = ("auto", "sampling", "lbfgs")


def is_skopt(obj):
    """Whether ``obj`` is an instance of a scikit-optimize class."""
    return type(obj).__module__.split(".")[0] == "skopt"


# -- optimizer_kwargs --------------------------------------------------------


def _refuse(key, value, why):
    raise ValueError(f"optimizer_kwargs[{key!r}]={value!r} is not supported: {why}")


def _base_estimator(key, value):
    if value is None:
        return None
    if isinstance(value, str) and value.upper() in _BASE_ESTIMATORS:
        return "surrogate", _BASE_ESTIMATORS[value.upper()]
    _refuse(
        key, value, "skhyper's surrogates are its Gaussian process ('GP', "
        "surrogate='gp') and extremely randomized trees ('ET', surrogate='forest')."
    )


def _acq_func(key, value):
    # scikit-optimize's names: skhyper's but "UCB"
    names = {k.upper(): v for k, v in DISPLAY_NAMES.items() if k != "ucb"}
    if isinstance(value, str) and value.upper() in names:
        return "acq_func", names[value.upper()]
    why = {
        "gp_hedge": "it chose among EI, PI and LCB at random each step; skhyper "
        "uses one acquisition function: give 'EI' (skhyper's default), 'PI' or 'LCB'.",
    }
    _refuse(key, value, why.get(value, "give 'EI', 'PI', 'LCB', 'EIps' or 'PIps'."))


def _n_initial_points(key, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        _refuse(key, value, "it must be an integer >= 1.")
    return "n_initial_points", int(value)


def _initial_point_generator(key, value):
    if value in _DESIGNS:
        return "initial_design", value
    _refuse(key, value, f"skhyper's initial designs are {_DESIGNS}.")


def _acq_func_kwargs(key, value):
    value = dict(value or {})
    if "xi" in value:
        _refuse(
            key, value, "scikit-optimize's 'xi' is in objective units, skhyper's "
            "(Optimizer(acq_func_kwargs={'xi': ...})) in standard deviations of "
            "the scores; only 'kappa' carries over."
        )
    if set(value) - {"kappa"}:
        _refuse(key, value, "only 'kappa' (the weight of the std in LCB) applies.")
    return ("acq_func_kwargs", value) if value else None


def _acq_optimizer(key, value):
    if value not in _ACQ_OPTIMIZERS:
        _refuse(key, value, f"scikit-optimize accepted {_ACQ_OPTIMIZERS}.")
    # skhyper's acquisition search samples candidates and refines them by
    # gradient, as "auto" did: the choice is its own.


def _acq_optimizer_kwargs(key, value):
    if set(value or {}) - {"n_jobs"}:
        _refuse(key, value, "skhyper sizes its acquisition search itself.")


def _avoid_duplicates(key, value):
    if not value:
        _refuse(key, value, "skhyper never evaluates a configuration twice.")


def _space_constraint(key, value):
    if value is not None:
        _refuse(key, value, "skhyper has no constraints on the space.")


def _no_effect(key, value):
    """Keys that tuned scikit-optimize's compute or were overridden by its search."""


def _dimensions(key, value):
    _refuse(key, value, "the dimensions come from search_spaces.")


_KEYS = {
    "base_estimator": _base_estimator,
    "acq_func": _acq_func,
    "n_initial_points": _n_initial_points,
    "n_random_starts": _n_initial_points,  # its deprecated name
    "initial_point_generator": _initial_point_generator,
    "acq_func_kwargs": _acq_func_kwargs,
    "acq_optimizer": _acq_optimizer,
    "acq_optimizer_kwargs": _acq_optimizer_kwargs,
    "avoid_duplicates": _avoid_duplicates,
    "space_constraint": _space_constraint,
    "dimensions": _dimensions,
    # No effect: surrogate work runs on one thread, the models kept are the
    # last one, and scikit-optimize's search overrode random_state too.
    "n_jobs": _no_effect,
    "model_queue_size": _no_effect,
    "random_state": _no_effect,
}


def optimizer_settings(search):
    """The optimizer settings of ``search``'s parameters and ``optimizer_kwargs``.

    Returns a dict with ``surrogate``, ``acq_func``, ``acq_func_kwargs``,
    ``n_initial_points`` (``None``: the search's default) and
    ``initial_design``. A key of ``optimizer_kwargs`` that contradicts a
    parameter set to another value than its default is refused.
    """
    settings = {
        "surrogate": search.surrogate,
        "acq_func": search.acq_func,
        "acq_func_kwargs": None,
        "n_initial_points": search.n_initial_points,
        "initial_design": "sobol",
    }
    kwargs = search.optimizer_kwargs or {}
    if "n_initial_points" in kwargs and "n_random_starts" in kwargs:
        raise ValueError(
            "optimizer_kwargs has both 'n_initial_points' and its old name "
            "'n_random_starts'; give one."
        )
    defaults = inspect.signature(type(search).__init__).parameters
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(
                f"optimizer_kwargs has an unknown key {key!r}; scikit-optimize's "
                f"Optimizer takes {sorted(_KEYS)}."
            )
        mapped = _KEYS[key](key, value)
        if mapped is None:
            continue
        name, setting = mapped
        own = getattr(search, name, None)
        if name in defaults and own != defaults[name].default and own != setting:
            raise ValueError(
                f"optimizer_kwargs[{key!r}]={value!r} contradicts {name}={own!r}; "
                "give one of them."
            )
        settings[name] = setting
    return settings


# -- search spaces ----------------------------------------------------------


def from_skopt(name, dim):
    """skhyper's dimension for one of scikit-optimize's."""
    kind = type(dim).__name__
    if kind in ("Real", "Integer"):
        cls, cast = (Real, float) if kind == "Real" else (Integer, int)
        # base, transform and dtype change neither the range nor the values.
        return cls(cast(dim.low), cast(dim.high), prior=dim.prior, name=name)
    if kind == "Categorical":
        if getattr(dim, "prior", None) is not None:
            raise ValueError(
                f"Parameter {name!r}: skhyper's Categorical has no prior "
                "probabilities; every category is equally likely in the initial "
                "design."
            )
        return Categorical(list(dim.categories), name=name)
    raise TypeError(
        f"Parameter {name!r}: scikit-optimize's {kind} has no skhyper equivalent."
    )


def _converted(spec):
    """``spec`` with scikit-optimize's dimensions replaced by skhyper's."""
    if isinstance(spec, dict):
        return {k: from_skopt(k, v) if is_skopt(v) else v for k, v in spec.items()}
    if isinstance(spec, list):
        return [_converted(part) for part in spec]
    return spec


def split_pairs(search_spaces, n_iter):
    """``[(space, n_iter), ...]`` if ``search_spaces`` holds pairs, else None.

    Entries that are not pairs get ``n_iter``, as in scikit-optimize.
    """
    if not isinstance(search_spaces, list) or not any(
        isinstance(entry, tuple) for entry in search_spaces
    ):
        return None
    turns = []
    for i, entry in enumerate(search_spaces):
        if not isinstance(entry, tuple):
            entry = (entry, n_iter)
        budget = entry[1] if len(entry) == 2 else None
        if not (
            isinstance(entry[0], dict)
            and isinstance(budget, numbers.Integral)
            and not isinstance(budget, bool)
            and budget >= 1
        ):
            raise TypeError(
                f"search_spaces[{i}] must be a dict or a (dict, n_iter) pair with "
                f"an integer n_iter >= 1, got {entry!r}."
            )
        turns.append((entry[0], int(budget)))
    return turns


# -- the mixin ---------------------------------------------------------------


class SkoptSurface:
    """scikit-optimize's surface of ``BayesSearchCV`` (a mixin).

    The search sets ``_default_n_iter`` (the ``n_iter`` of ``None``) and calls
    ``_optimizer_settings()`` for its optimizer,
    ``_turn_budget(n_iter)`` for its budget, ``_searches_in_turns()`` and
    ``_search_in_turns(space, evaluator, rng)`` for ``(space, n_iter)`` pairs.
    """

    def fit(self, X, y=None, *, callback=None, **params):
        if callback is not None and _fit_takes_callback(self.estimator):
            params["callback"] = callback
            callback = None
        self._skopt_callbacks = _callables(callback)
        try:
            return super().fit(X, y, **params)
        finally:
            self.__dict__.pop("_skopt_callbacks", None)

    fit.__doc__ = BaseModelSearchCV.fit.__doc__.replace(
        "        **params : dict",
        """        callback : callable or list of callable, default=None
            scikit-optimize's callbacks: each is called after every batch with
            an ``OptimizeResult`` of the subspace being searched (``x_iters``,
            ``func_vals``, ``x``, ``fun``, ``space``; minimized, so
            ``func_vals`` is ``-mean_test_score``), and the search stops when
            one returns ``True``. If the estimator's own ``fit`` takes a
            ``callback`` parameter, it is passed on to it instead.
        **params : dict""",
    )

    def _fit_context(self, run):
        run.skopt_callbacks = self.__dict__.pop("_skopt_callbacks", [])
        run.turn = None  # (n_iter, first row) of the (space, n_iter) pair searched
        run.turns_done = []  # (dims, optimizer, first row, end row) per pair
        return super()._fit_context(run)

    # -- settings and spaces --------------------------------------------------

    def _optimizer_settings(self):
        """Effective optimizer settings: parameters and ``optimizer_kwargs``."""
        return optimizer_settings(self)

    def _check_skopt_params(self):
        self._optimizer_settings()  # raises for a refused key
        if self._pairs() is not None and (
            self.checkpoint is not None or self.warm_start_from is not None
        ):
            raise ValueError(
                "(space, n_iter) pairs in search_spaces cannot be combined with "
                "checkpoint or warm_start_from; give dicts instead."
            )

    def _pairs(self):
        n_iter = self._default_n_iter if self.n_iter is None else self.n_iter
        return split_pairs(self.search_spaces, n_iter)

    def _space_spec(self):
        pairs = self._pairs()
        if pairs is not None:
            return [_converted(part) for part, _ in pairs]
        return _converted(super()._space_spec())

    @property
    def total_iterations(self):
        """Configurations the search evaluates, over all its subspaces.

        The sum of the budgets of ``(space, n_iter)`` pairs, else the search's
        budget: ``n_iter``, or the size of a finite space searched whole.
        """
        return self._budget(Space(self._space_spec()))

    # -- (space, n_iter) pairs ------------------------------------------------

    def _turn_budget(self, n_iter):
        """Budget of the pair being searched, of all pairs, else ``n_iter``."""
        run = self.__dict__.get("_run")
        turn = getattr(run, "turn", None)
        if turn is not None:
            return turn[0]
        pairs = self._pairs()
        return n_iter if pairs is None else sum(n for _, n in pairs)

    def _searches_in_turns(self):
        """Whether pairs are given and none is being searched yet."""
        run = self.__dict__.get("_run")
        return self._pairs() is not None and getattr(run, "turn", None) is None

    def _rows_before_turn(self):
        turn = getattr(self.__dict__.get("_run"), "turn", None)
        return 0 if turn is None else turn[1]

    def _search_in_turns(self, space, evaluator, rng):
        """Search each ``(space, n_iter)`` pair in turn; False without pairs."""
        if not self._searches_in_turns():
            return False
        run = self._run
        try:
            for dims, (_, n_iter) in zip(space.subspaces, self._pairs()):
                if evaluator.should_stop():
                    break
                start = evaluator.n_evaluated
                run.turn = (n_iter, start)
                self._search(Space(dims), evaluator, rng)
                end = evaluator.n_evaluated
                run.turns_done.append((dims, self.optimizer_, start, end))
        finally:
            run.turn = None
        return True

    # -- callbacks and results --------------------------------------------------

    def _stopping_rules(self):
        # scikit-optimize's own callbacks (DeadlineStopper, ...) see results too.
        rules = [
            ResultCallback(rule, self._current_result) if is_skopt(rule) else rule
            for rule in super()._stopping_rules()
        ]
        run = self.__dict__.get("_run")
        return rules + [
            ResultCallback(c, self._current_result)
            for c in getattr(run, "skopt_callbacks", [])
        ]

    def _current_result(self, cv_results):
        """The result of the subspace being searched, for callbacks."""
        run = self._run
        params = cv_results["params"]
        scores = cv_results[f"mean_test_{run.evaluator.metric}"]
        if run.turn is not None:
            start = run.turn[1]
            dims = Space(self._space_spec()).subspaces[len(run.turns_done)]
            return results_of_rows(dims, params[start:], scores[start:])
        space = Space(self._space_spec())
        index = _subspace_of(space, params[-1]) or 0
        rows = [i for i, p in enumerate(params) if _subspace_of(space, p) == index]
        return results_of_rows(
            space.subspaces[index], [params[i] for i in rows],
            np.asarray(scores, dtype=float)[rows],
        )

    def _finish_results(self):
        super()._finish_results()
        _add_rank_train(self.cv_results_)
        self.optimizer_results_ = self._optimizer_results()

    def _optimizer_results(self):
        """One scikit-optimize result per subspace (per pair), minimized."""
        run = self._run
        results = self.cv_results_
        params = list(results["params"])
        scores = np.asarray(results[f"mean_test_{run.evaluator.metric}"], dtype=float)
        settings = self._optimizer_settings()
        specs = {"args": {"acq_func": settings["acq_func"]},
                 "function": "BayesSearchCV"}
        if run.turns_done:
            return [
                results_of_rows(dims, params[a:b], scores[a:b], optimizer, specs)
                for dims, optimizer, a, b in run.turns_done
            ]
        space = self.optimizer_.space
        made = []
        for index, dims in enumerate(space.subspaces):
            rows = [i for i, p in enumerate(params) if _subspace_of(space, p) == index]
            made.append(results_of_rows(
                dims, [params[i] for i in rows], scores[rows], self.optimizer_, specs
            ))
        return made


def _subspace_of(space, point):
    try:
        return space.subspace_of(point)
    except ValueError:  # a row of warm_start_from outside the space
        return None


def _add_rank_train(results):
    """``rank_train_<metric>`` beside each ``mean_train_<metric>``, as scikit-optimize.

    Ranked as scikit-learn ranks test scores: 1 is best, ties share the lowest
    rank, failed (``nan``) rows come last.
    """
    for key in [k for k in results if k.startswith("mean_train_")]:
        means = np.asarray(results[key], dtype=float)
        finite = np.where(np.isnan(means), -np.inf, means)
        # 1 + the number of strictly better rows
        ranks = 1 + len(finite) - np.searchsorted(np.sort(finite), finite, "right")
        results["rank_train_" + key[len("mean_train_"):]] = ranks.astype(np.int32)


def _fit_takes_callback(estimator):
    try:
        return "callback" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


def _callables(callback):
    if callback is None:
        return []
    callbacks = [callback] if callable(callback) else callback
    if not isinstance(callbacks, (list, tuple)) or not all(map(callable, callbacks)):
        raise TypeError(
            f"callback must be a callable or a list of callables, got {callback!r}."
        )
    return list(callbacks)
