"""Ask/tell Bayesian optimization over a :class:`~skhyper.space.Space`."""

import numbers

import numpy as np

from skhyper.optimizer._acq_optimize import (
    EncodedSpace,
    best_unseen,
    score_candidates,
    search_candidates,
)
from skhyper.optimizer._acquisition import (
    expected_improvement,
    get_acquisition,
    per_second,
)
from skhyper.optimizer._effort import check_effort, effort_at
from skhyper.optimizer._forest import ForestSurrogate
from skhyper.optimizer._gp import GaussianProcess
from skhyper.optimizer._proposer import Proposer, default_n_initial_points
from skhyper.optimizer._subset import model_rows
from skhyper.optimizer._targets import surrogate_targets
from skhyper.optimizer._threads import single_blas_thread

__all__ = ["Optimizer", "default_n_initial_points"]

_SURROGATES = ("gp", "forest", "auto")
_PENDING_RULES = ("liar", "believer")
_SEED_MAX = np.iinfo(np.int32).max
# Candidates of a full acquisition search kept for reuse (reuse_candidates).
_POOL_SIZE = 256


def _resolve_surrogate(surrogate, space):
    if surrogate != "auto":
        return surrogate
    dims = [dim for _, _, dim in space.dimensions]
    onehot = sum(dim.n_components > 1 for dim in dims)
    return "forest" if dims and onehot > len(dims) / 2 else "gp"


class Optimizer(Proposer):
    """Ask/tell Bayesian optimizer that maximizes a score over a search space.

    Each :meth:`ask` proposes configurations never proposed before; each
    :meth:`tell` reports their scores. The first proposals are a space-filling
    design; the next maximize an acquisition function of a surrogate model of
    the scores. A batch of several proposals is made diverse by a
    pessimistic *constant liar*: after each pick the model is conditioned as
    if the pick had scored the worst score told so far, which makes its
    neighbourhood unattractive for the next pick. Configurations asked but
    not yet told (pending) are treated the same way, or, with
    ``pending_rule="believer"``, as if they had scored what the model expects.

    Parameters
    ----------
    space : Space, dict or list of dict
        The search space, in any form :class:`~skhyper.Space` accepts.
    surrogate : {"gp", "forest", "auto"}, default="gp"
        ``"gp"``: a Gaussian process (Matérn 5/2). ``"forest"``: extremely
        randomized trees, for spaces made mostly of categorical parameters.
        ``"auto"``: the forest when more than half of the dimensions are
        unordered categoricals, else the Gaussian process.
    acq_func : {"EI", "PI", "LCB", "UCB", "EIps", "PIps"}, default="EI"
        Acquisition function (case-insensitive): expected improvement or
        probability of improvement (both in log form), or the confidence bound
        ``mean + kappa * std`` (``"LCB"`` as in scikit-optimize). ``"EIps"``
        and ``"PIps"`` divide EI or PI by the cost a second model (of the
        same kind as ``surrogate``) expects, fitted on the log of the costs
        given to :meth:`tell` (``costs=``): per second, cheap configurations
        win near-ties. Until two told configurations with a finite score have
        a cost, they are plain EI and PI.
    acq_func_kwargs : dict, default=None
        ``xi`` (improvement margin of EI and PI, in units of the standard
        deviation of the observed scores; default 0) and ``kappa`` (weight of
        the uncertainty in LCB; default 1.96).
    n_initial_points : int, default=None
        Configurations proposed before the model is used. ``None`` means twice
        the number of dimensions, between 5 and 10. Configurations told before
        the first ask count towards it.
    initial_design : {"sobol", "lhs", "random"}, default="sobol"
        How the initial configurations are spread (scrambled Sobol sequence,
        Latin hypercube, or plain random).
    random_state : int, RandomState instance or None, default=None
        Seeds every random choice: same seed and same scores, same proposals.
    pending_rule : {"liar", "believer"}, default="liar"
        What the model assumes about pending configurations (asked, not told):
        the worst score told so far (a pessimistic *constant liar*, best for
        batches that are told together), or its own expected score (*kriging
        believer*, best when configurations are told one by one as they
        finish and the slow ones stay pending long, as in an asynchronous
        search).
    reuse_candidates : int, default=0
        After a full search of the acquisition function, this many further
        proposals rescore its best 256 candidates under the updated model
        instead of searching again: several times cheaper, a little less precise. For
        searches that must keep many workers fed (asynchronous search on
        many workers); ``0`` searches afresh for every proposal.
    effort : {"full", "light", "auto"} or callable, default="full"
        Model work per proposal. ``"light"`` refits the Gaussian process's
        hyperparameters only when the told configurations grew by a tenth,
        fits it on at most 80 of them, searches the acquisition function
        with fewer candidates and reuses them for two more proposals: several
        times cheaper, for the long searches of fits that cost milliseconds.
        ``"auto"`` (:class:`~skhyper.BayesSearchCV`'s) is full for the first
        60 told configurations, light afterwards. A callable
        ``effort(n_told)`` returns one of these at each model fit. The
        effort depends on counts only, so a seeded search stays
        reproducible.

    Attributes
    ----------
    space : Space
        The parsed search space.
    points : list of dict
        Told configurations, in order.
    scores : ndarray of shape (n_told,)
        Their scores (``nan`` for failed evaluations).
    pending : list of dict
        Configurations asked but not told yet.
    n_initial_points_ : int
        Size of the initial design.
    surrogate_ : {"gp", "forest"}
        The surrogate in use.
    model_ : GaussianProcess or ForestSurrogate or None
        The surrogate fitted on the told configurations at the last
        model-based proposal.
    cost_model_ : GaussianProcess or ForestSurrogate or None
        With ``"EIps"`` or ``"PIps"``: the model of the log cost, in log
        seconds, at the last model-based proposal.

    Notes
    -----
    Failed evaluations (non-finite scores) are modelled as slightly worse
    than the worst finite score, so the search moves away from them. Far from
    every told configuration the Gaussian process expects the worst score
    told so far, not the average: unexplored regions attract proposals by
    their uncertainty only. The model fits one noise level for all scores.
    The fold-to-fold spread of a CV score is not used as per-point noise:
    every configuration is scored on the same folds, so most of that spread
    is shared, and what is left once the folds' shared effects are removed
    did not improve the benchmark searches, either as per-point noise or as a
    floor of the fitted noise.

    Surrogate work runs with a single BLAS thread: its matrices are small and
    threads only add overhead.

    Examples
    --------
    >>> from skhyper import Optimizer, Real
    >>> opt = Optimizer({"x": Real(-2.0, 2.0)}, n_initial_points=4, random_state=0)
    >>> for _ in range(8):
    ...     points = opt.ask()
    ...     opt.tell(points, [-(p["x"] - 1.0) ** 2 for p in points])
    >>> best = opt.points[int(opt.scores.argmax())]
    >>> abs(best["x"] - 1.0) < 0.2
    True
    """

    models_scores = True

    def __init__(
        self,
        space,
        *,
        surrogate="gp",
        acq_func="EI",
        acq_func_kwargs=None,
        n_initial_points=None,
        initial_design="sobol",
        random_state=None,
        pending_rule="liar",
        reuse_candidates=0,
        effort="full",
    ):
        super().__init__(
            space, n_initial_points=n_initial_points,
            initial_design=initial_design, random_state=random_state,
        )
        self._acquisition = get_acquisition(acq_func)
        self._per_second = per_second(acq_func)
        self._acq_kwargs = self._check_acq_kwargs(acq_func_kwargs)
        if surrogate not in _SURROGATES:
            raise ValueError(
                f"surrogate must be one of {_SURROGATES}, got {surrogate!r}."
            )
        if pending_rule not in _PENDING_RULES:
            raise ValueError(
                f"pending_rule must be one of {_PENDING_RULES}, got {pending_rule!r}."
            )
        self.pending_rule = pending_rule
        if not isinstance(reuse_candidates, numbers.Integral) or reuse_candidates < 0:
            raise ValueError(
                f"reuse_candidates must be an integer >= 0, got {reuse_candidates!r}."
            )
        self.reuse_candidates = int(reuse_candidates)
        self.effort = check_effort(effort)
        self.effort_ = None  # the Effort of the last model fit
        self._pool, self._pool_uses = None, 0
        self.surrogate_ = _resolve_surrogate(surrogate, self.space)
        self._model_seed = int(self._rng.randint(_SEED_MAX))
        self._encoded = EncodedSpace(self.space)
        self._grid_encoded = None  # the small finite space's grid, encoded
        self.model_ = None
        self._model_n_told = -1
        self.cost_model_ = None
        self._cost_fit_at = -1  # told configurations at its last fit
        self._model_keys = set()  # configurations the model proposed
        self._theta_n_told = 0  # told configurations at the last GP refit

    # -- validation --------------------------------------------------------

    @staticmethod
    def _check_acq_kwargs(kwargs):
        kwargs = dict(kwargs or {})
        unknown = set(kwargs) - {"xi", "kappa"}
        if unknown:
            raise ValueError(
                f"acq_func_kwargs accepts 'xi' and 'kappa', got {sorted(unknown)}."
            )
        return kwargs

    # -- ask ---------------------------------------------------------------

    def _small_grid(self):
        """All configurations of a small finite space, encoded once (else None)."""
        grid = self._grid_points()
        if grid is None:
            return None
        if self._grid_encoded is None:
            self._grid_encoded = self.space.transform(grid[0])
        return (*grid, self._grid_encoded)

    def _ask(self, n):
        with single_blas_thread():
            return super()._ask(n)

    def _propose(self):
        if self.is_exhausted:
            return None
        point = None
        if self._in_initial_phase():
            point = self._next_initial()
        if point is None and self._can_model():
            point = self._model_based()
            if point is not None:
                self._model_keys.add(self.space.key(point))
        return point if point is not None else self._random_unseen()

    def _can_model(self):
        return len(self._scores) >= 2 and bool(np.isfinite(self.scores).any())

    # -- model -------------------------------------------------------------

    def _new_model(self):
        if self.surrogate_ == "forest":
            return ForestSurrogate(random_state=self._model_seed)
        return GaussianProcess(random_state=self._model_seed)

    def _current_effort(self):
        if self._model_n_told != len(self._scores) or self.effort_ is None:
            self.effort_ = effort_at(self.effort, len(self._scores))
        return self.effort_

    def _fit_told(self):
        """Fit (or reuse) the model of the told scores; return it and its data."""
        y, *self._target_scale = surrogate_targets(self.scores)
        # No per-point noise. Every configuration is scored on the same CV
        # folds, so the fold noise is shared, not independent: two
        # configurations' scores move together with the folds. As independent
        # per-point noise it hid real differences and stalled searches after
        # 20-30 evaluations (mean normalized score at 60 evaluations on 6
        # benchmark tasks: -3 -> 84). Its independent part (fold effects
        # removed) as per-point noise or as a floor of the GP's noise did not
        # help either (13 tasks, 5 seeds, paired). The GP fits one noise level
        # of its own.
        if self._model_n_told != len(self._scores):
            effort = self._current_effort()
            if self.surrogate_ == "gp":
                self.model_ = self._fit_gp(y, effort)
            else:
                self.model_ = self._new_model().fit(self._X, y)
            self._model_n_told = len(self._scores)
        return self.model_, y

    def _fit_cost(self):
        """The model of the log cost (per-second acquisitions), or ``None``.

        Fitted on the told configurations with a finite score and a positive
        cost (a failed fit's time says nothing of a successful one's), past
        ``effort.model_max`` on those the score's model sees.
        """
        if not self._per_second:
            return None  # plain EI and PI pay nothing for it
        costs = self.costs
        known = np.isfinite(self.scores) & np.isfinite(costs) & (costs > 0)
        if known.sum() < 2:
            return None
        if self._cost_fit_at != len(costs):
            y = self._fit_told()[1]
            rows = np.flatnonzero(known)
            rows = rows[model_rows(self._X[rows], y[rows], self._current_effort().model_max)]
            if self.surrogate_ == "forest":
                model = self._new_model()
            elif self.cost_model_ is not None:  # warm-started from its last fit
                model = self.cost_model_
            else:  # far from the told costs it expects their mean
                model = GaussianProcess(prior_mean="mean", random_state=self._model_seed)
            self.cost_model_ = model.fit(self._X[rows], np.log(costs[rows]))
            self._cost_fit_at = len(costs)
        return self.cost_model_

    def _fit_gp(self, y, effort):
        """The Gaussian process: on a subset past a size, refitted now and then.

        Past ``effort.model_max`` told configurations the model sees a subset
        of that size (the best ones and a cover of the others, see
        ``_subset``), so a proposal costs the same at 300 evaluations as at
        5000. Its hyperparameters are refitted as ``effort.refit_due`` says
        (at the full effort every 3 told configurations up to
        ``model_max``, every 10 past it); in between, only the posterior is
        recomputed on the new data with the hyperparameters kept.
        """
        rows = model_rows(self._X, y, effort.model_max)
        model = self.model_ if self.model_ is not None else self._new_model()
        if effort.refit_due(len(y), self._theta_n_told) or not hasattr(
            model, "n_features_in_"
        ):
            self._theta_n_told = len(y)
            return model.fit(self._X[rows], y[rows])
        return model.update(self._X[rows], y[rows])

    def _pending_rows(self):
        if not self._pending:
            return np.empty((0, self.space.n_components))
        return self.space.transform(list(self._pending.values()))

    def _fit_with_pending(self):
        """The model conditioned on pending configurations, and the incumbent.

        Pessimistic constant liar: each pending configuration is told the
        worst target so far, the value the model expects far from all data.
        Around a pending configuration the model then expects little, so the
        next pick of a batch goes elsewhere; the incumbent stays the best
        told target. (The kriging believer, which tells the model's own mean
        and raises the incumbent to it, scored 5 points lower at 30
        evaluations with batches of 2 on the benchmark tasks.)

        With ``pending_rule="believer"`` each pending configuration is told
        the model's own mean there instead (the incumbent still the best told
        target): what asynchronous searches need, where the slow, good
        configurations stay pending longest. Told the worst score, their
        neighbourhood looked bad for most proposals made meanwhile.
        """
        model, y = self._fit_told()
        best = float(np.max(y))
        if not self._pending:
            return model, best
        X_pending = self._pending_rows()
        if self.pending_rule == "liar":
            lies = np.full(X_pending.shape[0], float(np.min(y)))
        else:  # "believer": the model's own expectation
            lies = model.predict(X_pending)
        if self.surrogate_ == "gp":
            return model.condition(X_pending, lies), best
        fantasy = self._new_model().fit(
            np.vstack([self._X, X_pending]), np.concatenate([y, lies])
        )
        return fantasy, best

    def _acquisition_of(self, model, best, cost_model=None):
        acq, kwargs = self._acquisition, self._acq_kwargs

        def value(X):
            mean, std = model.predict(X, return_std=True)
            if cost_model is None:
                return acq(mean, std, best, **kwargs)
            # log EI (or PI) minus the expected log cost: per second.
            return acq(mean, std, best, **kwargs) - cost_model.predict(X)

        return value

    def _model_based(self):
        model, best = self._fit_with_pending()
        value = self._acquisition_of(model, best, self._fit_cost())
        grid = self._small_grid()
        if grid is not None:
            return self._best_in_grid(grid, value)
        X, values = self._candidates(value)
        # Near-copies of told configurations teach the model almost nothing:
        # an over-confident model would otherwise polish one spot forever.
        return best_unseen(self.space, X, values, self._is_seen, near=self._X)

    def _candidates(self, value):
        """Candidates and their acquisition: a fresh search, or the last one's.

        With ``reuse_candidates=k``, the candidates of a full search are
        scored again under the current model for the next ``k`` proposals
        (one prediction instead of a search with local moves).
        """
        avoid = self._pending_rows()
        effort = self._current_effort()
        reuse = max(self.reuse_candidates, effort.reuse)
        if self._pool is not None and self._pool_uses < reuse:
            self._pool_uses += 1
            return self._pool, score_candidates(self._pool, value, avoid)
        y_told = self.scores
        X, values = search_candidates(
            self._encoded, value, self._X,
            np.where(np.isfinite(y_told), y_told, -np.inf), self._rng,
            avoid=avoid, effort=effort,
        )
        if reuse:
            order = np.argsort(-values, kind="stable")[:_POOL_SIZE]
            self._pool, self._pool_uses = X[order], 0
        return X, values

    def _best_in_grid(self, grid, value):
        """A small finite space is searched exhaustively."""
        points, _, X = grid
        rows = self._unseen_in_grid(grid)
        if not len(rows):
            return None
        values = np.asarray(value(X[rows]), dtype=float)
        values = np.where(np.isnan(values), -np.inf, values)
        return points[rows[int(np.argmax(values))]]

    def predict(self, points, return_std=False):
        """The surrogate's estimate of the score of configurations.

        Parameters
        ----------
        points : list of dict
            Configurations of the space.
        return_std : bool, default=False
            Also return the standard deviation of the estimate.

        Returns
        -------
        mean : ndarray of shape (n_points,)
            In score units; far below the median of the told scores, where the
            model sees them compressed, the estimate is compressed too.
        std : ndarray of shape (n_points,)
            Only if ``return_std``.
        """
        if not self._can_model():
            raise ValueError(
                "The model needs at least two told configurations, one of them "
                "with a finite score."
            )
        with single_blas_thread():
            model, _ = self._fit_told()
            mean, std = model.predict(self.space.transform(points), return_std=True)
        center, scale = self._target_scale
        mean = mean * scale + center
        return (mean, std * scale) if return_std else mean

    def expected_improvement(self, points):
        """Expected improvement of the model's proposals, in score units.

        The improvement over the best told score that the surrogate fitted on
        the told configurations (pending ones ignored) expects at each point.
        Stopping rules use it to detect convergence
        (:class:`~skhyper.callbacks.ConvergenceStopper`).

        Parameters
        ----------
        points : list of dict
            Configurations, usually just returned by :meth:`ask`.

        Returns
        -------
        ei : ndarray of shape (n_points,)
            ``nan`` for configurations the model did not propose (the initial
            design, random fallbacks) or when there is no model yet; 0 when
            every told score is the same.
        """
        out = np.full(len(points), np.nan)
        rows = [i for i, p in enumerate(points) if self.space.key(p) in
                self._model_keys]
        if not rows or not self._can_model():
            return out
        with single_blas_thread():
            model, y = self._fit_told()
            mean, std = model.predict(
                self.space.transform([points[i] for i in rows]), return_std=True
            )
        _, scale = self._target_scale
        if not np.ptp(y) > 0:
            # Every told score is the same: in score units the model has seen
            # no variation at all (its unit scale is a placeholder).
            scale = 0.0
        out[rows] = np.asarray(expected_improvement(mean, std, float(np.max(y))))
        out[rows] *= scale
        return out
