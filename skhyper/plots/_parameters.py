"""The score of every evaluation against each searched parameter."""

import numbers

import numpy as np

from skhyper._compat import search_history
from skhyper.plots._common import (
    import_pyplot,
    label,
    resource_name,
    score_label,
    scores,
)
from skhyper.plots._surrogate import dimension_of, search_space, surrogate_curves


class ParameterScoreDisplay:
    """One panel per parameter: each evaluation's score against its value.

    Use :meth:`from_search` to build one from a fitted search. The best
    evaluation is marked with a star. The evaluations of a successive-halving
    search are coloured by their resource (their rung), since scores on less
    resource are not comparable with scores on more. When the search exposes
    a fitted surrogate model (:class:`skhyper.BayesSearchCV`), each panel also
    shows a *slice* of the surrogate: its mean and a band of two standard
    deviations as that one parameter varies, the other parameters held at
    the best configuration. The slice is not an average over the other
    parameters, so points of other configurations may lie off it.

    Parameters
    ----------
    params : list of str
        Names of the plotted parameters.
    values : dict of str to list
        For each parameter, its value in each evaluation, in evaluation
        order; ``None`` where the evaluation did not set it (conditional
        spaces).
    scores : ndarray of shape (n_evaluations,)
        Mean CV score of each evaluation; ``nan`` for failures.
    best_index : int
        Index of the best evaluation.
    metric : str, default="score"
        Name of the plotted metric, for the y label.
    log_scale : dict of str to bool or "reverse", default=None
        Parameters to show on a logarithmic axis; ``"reverse"`` shows one on
        a ``-log(1 - x)`` axis (reverse-log-uniform dimensions).
    surrogate : dict of str to tuple, default=None
        For each parameter with a surrogate curve, ``(x, mean, std)``: the
        parameter's values along the curve, the mean and the standard deviation
        of the surrogate there.
    categories : dict of str to list of str, default=None
        Tick labels of categorical parameters, in axis order; otherwise the
        order in which the values first appear.
    resources : ndarray of shape (n_evaluations,), default=None
        Resource of each evaluation of a successive-halving search; the
        points are coloured by it. All in one colour if ``None``.
    resource : str, default="n_samples"
        Name of the resource, for the legend.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        The panels, one per parameter, in the shape of the grid they fill.
    scatters_ : dict of str to matplotlib PathCollection
        The evaluations of each panel (of its largest resource, with
        ``resources``).
    surrogate_lines_ : dict of str to matplotlib artist
        The surrogate mean of each panel that has one (a line, or error bars
        for a categorical parameter).
    figure_ : matplotlib Figure
        Figure containing the panels.

    See Also
    --------
    ConvergenceDisplay : Best score so far against evaluations.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.plots import ParameterScoreDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}
    >>> search = GridSearchCV(SVC(), grid).fit(X, y)
    >>> display = ParameterScoreDisplay.from_search(search)
    >>> display.params
    ['C', 'kernel']
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        params,
        values,
        scores,
        best_index,
        *,
        metric="score",
        log_scale=None,
        surrogate=None,
        categories=None,
        resources=None,
        resource="n_samples",
    ):
        self.params = params
        self.values = values
        self.scores = scores
        self.best_index = best_index
        self.metric = metric
        self.log_scale = log_scale
        self.surrogate = surrogate
        self.categories = categories
        self.resources = resources
        self.resource = resource

    def plot(self, ax=None, *, n_cols=3, **kwargs):
        """Draw one panel per parameter.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per parameter; a new figure with a grid of ``n_cols``
            columns is created if ``None``.
        n_cols : int, default=3
            Columns of the new grid (only when ``ax`` is ``None``).
        **kwargs : dict
            Passed to ``Axes.scatter`` for the evaluations.

        Returns
        -------
        display : ParameterScoreDisplay
            Object that stores the plotted artists.
        """
        self.axes_ = self._axes(ax, n_cols)
        self.figure_ = self.axes_.flat[0].figure
        self.scatters_, self.surrogate_lines_ = {}, {}
        for i, (name, axis) in enumerate(zip(self.params, self.axes_.flat)):
            self._plot_panel(name, axis, kwargs)
            if i % self.axes_.shape[-1] == 0:
                axis.set_ylabel(score_label(self.metric))
        for axis in self.axes_.flat[len(self.params) :]:
            axis.set_visible(False)
        first = self.axes_.flat[0]
        if self.surrogate_lines_ or self.resources is not None:
            self.legend_ = first.legend(loc="lower right", fontsize="x-small")
        else:
            self.legend_ = None
        return self

    def _axes(self, ax, n_cols):
        n = len(self.params)
        if ax is None:
            n_cols = max(1, min(n_cols, n))
            n_rows = -(-n // n_cols)
            _, axes = import_pyplot().subplots(
                n_rows,
                n_cols,
                squeeze=False,
                sharey=True,
                figsize=(3.2 * n_cols, 2.8 * n_rows),
                layout="constrained",
            )
            return axes
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if axes.size < n:
            raise ValueError(f"Got {axes.size} axes for {n} parameters.")
        return axes

    def _scatter(self, name, axis, x, y, rows, kwargs):
        style = {"s": 14, "alpha": 0.6, **kwargs}
        if self.resources is None:
            self.scatters_[name] = axis.scatter(x, y, label="evaluations", **style)
            return
        used = np.asarray(self.resources, dtype=float)[rows]
        levels = np.unique(used)
        cmap = import_pyplot().get_cmap("viridis")
        for k, level in enumerate(levels):
            at = used == level
            color = cmap(0.9 * k / max(1, len(levels) - 1))
            self.scatters_[name] = axis.scatter(
                x[at], y[at], color=color, label=f"{self.resource}={level:g}",
                **style,
            )

    def _plot_panel(self, name, axis, kwargs):
        values = self.values[name]
        rows = [i for i, v in enumerate(values) if v is not None]
        y = np.asarray(self.scores, dtype=float)[rows]
        labels = None
        if _is_numeric([values[i] for i in rows]):
            x = np.asarray([values[i] for i in rows], dtype=float)
            scale = (self.log_scale or {}).get(name)
            if scale == "reverse":
                axis.set_xscale("function", functions=(_reverse_log, _reverse_exp))
            elif scale:
                axis.set_xscale("log")
        else:
            known = (self.categories or {}).get(name) or []
            labels = _category_labels(known + [label(values[i]) for i in rows])
            x = np.asarray([labels.index(label(values[i])) for i in rows], float)
            axis.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
            axis.set_xlim(-0.5, len(labels) - 0.5)
        self._scatter(name, axis, x, y, rows, kwargs)
        if self.best_index in rows:
            best = rows.index(self.best_index)
            axis.scatter(x[best], y[best], marker="*", s=120, color="C3", label="best")
        if self.surrogate and name in self.surrogate:
            self._plot_surrogate(name, axis, labels)
        axis.set_xlabel(name)

    def _plot_surrogate(self, name, axis, labels):
        x, mean, std = self.surrogate[name]
        mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
        if labels is None:
            x = np.asarray(x, dtype=float)
            (artist,) = axis.plot(
                x, mean, color="C1", label="surrogate at the best configuration"
            )
            axis.fill_between(
                x, mean - 2 * std, mean + 2 * std, color="C1", alpha=0.2,
                label="surrogate ± 2 std",
            )
        else:
            x = np.asarray([labels.index(label(value)) for value in x], dtype=float)
            artist = axis.errorbar(
                x + 0.15, mean, yerr=2 * std, fmt="o", color="C1", capsize=3,
                label="surrogate at the best configuration ± 2 std",
            )
        self.surrogate_lines_[name] = artist

    @classmethod
    def from_search(
        cls,
        search,
        params=None,
        *,
        log_scale=None,
        ax=None,
        n_cols=3,
        n_grid=100,
        **kwargs,
    ):
        """Plot the score against each parameter of a fitted search.

        Parameters
        ----------
        search : fitted search
            Any scikit-learn ``BaseSearchCV``. With a successive-halving
            search, only the evaluations of the last rung a candidate reached
            are comparable; all are shown, coloured by their resource.
        params : list of str, default=None
            Parameters to plot; all searched parameters by default (without
            the resource of a halving search).
        log_scale : bool or dict of str to bool, default=None
            Logarithmic x axes: ``True`` or ``False`` for every parameter, or
            per parameter. By default, log-uniform dimensions and
            distributions, geometric grids (``[0.01, 0.1, 1, 10]``) and
            positive values spanning three decades are shown on a log axis.
        ax : matplotlib Axes or array-like of Axes, default=None
            One axes per parameter; a new figure is created if ``None``.
        n_cols : int, default=3
            Columns of the new grid (only when ``ax`` is ``None``).
        n_grid : int, default=100
            Points of each surrogate curve.
        **kwargs : dict
            Passed to ``Axes.scatter`` for the evaluations.

        Returns
        -------
        display : ParameterScoreDisplay
        """
        metric, values = scores(search)
        results = search_history(search)
        rows = results["params"]
        names = _searched_params(search, rows)
        resource = resource_name(search)
        if params is None:
            params = [n for n in names if n != resource or "iter" not in results]
        unknown = [p for p in params if p not in names]
        if unknown:
            raise ValueError(f"Unknown parameters {unknown}; searched: {names}.")
        best_index = _best_index(search, values)
        scales = {name: _wants_log(search, name, rows) for name in params}
        if isinstance(log_scale, bool):
            scales = dict.fromkeys(params, log_scale)
        elif log_scale is not None:
            scales.update(log_scale)
        display = cls(
            list(params),
            {name: [row.get(name) for row in rows] for name in params},
            values,
            best_index,
            metric=metric,
            log_scale=scales,
            surrogate=surrogate_curves(search, params, n_grid),
            categories=_space_categories(search, params),
            resources=(
                np.asarray(results["n_resources"]) if "iter" in results else None
            ),
            resource=resource,
        )
        return display.plot(ax=ax, n_cols=n_cols, **kwargs)


def _best_index(search, values):
    """The search's own choice (refit), else the highest finite score, else -1."""
    index = getattr(search, "best_index_", None)
    if isinstance(index, (numbers.Integral, np.integer)):
        return int(index)
    finite = np.isfinite(values)
    return int(np.argmax(np.where(finite, values, -np.inf))) if finite.any() else -1


def _searched_params(search, rows):
    """Parameter names in the order of the search space, then of appearance."""
    seen = [name for row in rows for name in row]
    space = search_space(search)
    names = [name for _, name, _ in space.dimensions] if space is not None else []
    return list(dict.fromkeys([name for name in names if name in seen] + seen))


def _is_numeric(values):
    return bool(values) and all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
        for v in values
    )


def _category_labels(labels):
    return list(dict.fromkeys(labels))


def _space_categories(search, params):
    """Tick labels of the categorical parameters, in the order of the space."""
    out = {}
    for name in params:
        dim = dimension_of(search, name)
        if dim is not None and dim.kind == "categorical":
            out[name] = [label(v) for v in dim.values()]
    return out


def _reverse_log(x):
    return -np.log1p(-np.clip(x, None, 1 - 1e-15))


def _reverse_exp(s):
    return -np.expm1(-s)


def _wants_log(search, name, rows):
    """Log axis for log-uniform dimensions, geometric grids and positive
    values over 3 decades.

    ``"reverse"`` (a ``-log(1 - x)`` axis) for reverse-log-uniform dimensions.
    """
    dim = dimension_of(search, name)
    if dim is not None:
        prior = getattr(dim, "prior", None)
        if prior == "reverse-log-uniform":
            return "reverse"
        dist = getattr(getattr(getattr(dim, "dist", None), "dist", None), "name", None)
        if prior == "log-uniform" or dist in ("loguniform", "reciprocal"):
            return True
    values = [row[name] for row in rows if name in row]
    if not _is_numeric(values):
        return False
    values = np.asarray(values, dtype=float)
    if values.min() <= 0:
        return False
    return bool(values.max() / values.min() >= 1e3 or _geometric(values))


def _geometric(values):
    """Whether the distinct values are a geometric progression (ratio >= 2)."""
    distinct = np.unique(values)
    if len(distinct) < 3:
        return False
    ratios = distinct[1:] / distinct[:-1]
    return bool(ratios.min() >= 2 and ratios.max() / ratios.min() < 1.5)
