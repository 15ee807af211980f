"""Models of the score fitted on a search's results, and what they show.

The curves of a search's own surrogate (:class:`~skhyper.BayesSearchCV`'s
Gaussian process) along one parameter at a time, drawn by
``ParameterScoreDisplay``; and a random forest fitted on ``cv_results_``,
read the way fANOVA does (Hutter, Hoos and Leyton-Brown, 2014): the *main
effect* of a parameter is the forest's prediction averaged over the other
parameters, as that one parameter varies, and its importance is the share of
the predictions' variance that the main effect explains
(:class:`ParameterImportanceDisplay`); over two parameters at once it is a 2-D
partial dependence (:class:`ParameterContourDisplay`).
"""

import numpy as np

from skhyper._compat import search_history
from skhyper.plots._common import (
    axes_or_new,
    label,
    resource_name,
    score_label,
    scores,
)
from skhyper.space import Space

_SPACE_ATTRIBUTES = ("search_spaces", "param_grid", "param_distributions")


def search_space(search):
    """The search's space as a :class:`~skhyper.space.Space`, or ``None``."""
    for attribute in _SPACE_ATTRIBUTES:
        spec = getattr(search, attribute, None)
        if spec is not None:
            try:
                return Space(spec)
            except (TypeError, ValueError):
                return None
    return None


def dimension_of(search, name):
    """The first dimension called ``name`` in the search's space, or ``None``."""
    space = search_space(search)
    if space is None:
        return None
    return next((dim for _, n, dim in space.dimensions if n == name), None)


def surrogate_curves(search, params, n_grid):
    """``{name: (x, mean, std)}`` along each parameter, or ``None`` without a model.

    Each curve varies one parameter over its range and holds the others at the
    best configuration; ``x`` lists the parameter's values along the curve
    (every category of a categorical parameter).
    """
    model = _fitted_model(search)
    if model is None:
        return None
    space, predict, best = model
    dimensions = space.subspaces[space.subspace_of(best)]
    curves = {}
    for name in params:
        dim = dimensions.get(name)
        if dim is None:
            continue
        grid = _grid(dim, n_grid)
        points = [{**best, name: value} for value in grid]
        mean, std = predict(points)
        curves[name] = (list(grid), np.asarray(mean), np.asarray(std))
    return curves or None


def _grid(dim, n_grid):
    if dim.kind == "categorical" or np.isfinite(dim.cardinality) and (
        dim.cardinality <= n_grid
    ):
        return dim.values()
    # An unbounded distribution (a normal, ...) is drawn over its central 99%.
    low, high = (0.0, 1.0) if _bounded(dim) else (0.005, 0.995)
    values = dim.from_unit(np.linspace(low, high, n_grid))
    return list(dict.fromkeys(values))


def _bounded(dim):
    dist = getattr(dim, "dist", None)
    return dist is None or bool(np.all(np.isfinite(dist.support())))


def _fitted_model(search):
    """``(space, predict, best_params)`` of a search with a surrogate, else None.

    :class:`~skhyper.BayesSearchCV` keeps its ask/tell optimizer as
    ``optimizer_``, whose ``predict`` gives the surrogate's mean and standard
    deviation in score units.
    """
    optimizer = getattr(search, "optimizer_", None)
    best = getattr(search, "best_params_", None)
    if optimizer is None or best is None or not hasattr(optimizer, "predict"):
        return None
    if np.isfinite(np.asarray(optimizer.scores, dtype=float)).sum() < 2:
        return None  # too few scores for a model
    space = optimizer.space
    if not space.contains(best):
        return None
    return space, lambda points: optimizer.predict(points, return_std=True), best


# -- a forest fitted on cv_results_ ------------------------------------------


_MAX_BACKGROUND = 200


class _Table:
    """The evaluated configurations as a numeric matrix, and how to read it."""

    def __init__(self, search, params):
        # _parameters draws the surrogate curves of this module: import late.
        from skhyper.plots._parameters import (
            _is_numeric,
            _searched_params,
            _space_categories,
            _wants_log,
        )

        metric, values = scores(search)
        results = search_history(search)
        rows = list(results["params"])
        keep = np.isfinite(values)
        if "n_resources" in results:
            # Scores on a small resource are not comparable with the others:
            # each halving candidate counts once, at the last rung it reached.
            used = np.asarray(results["n_resources"], dtype=float)
            keep &= _last_rung(rows, used, resource_name(search))
        names = _searched_params(search, rows)
        resource = resource_name(search) if "n_resources" in results else None
        names = [n for n in names if n != resource]
        if params is None:
            params = names
        unknown = [p for p in params if p not in names]
        if unknown:
            raise ValueError(f"Unknown parameters {unknown}; searched: {names}.")
        self.metric, self.params = metric, list(params)
        rows = [row for row, k in zip(rows, keep) if k]
        self.y = values[keep]
        if len(self.y) < 4:
            raise ValueError(
                f"Need at least 4 successful evaluations, got {len(self.y)}."
            )
        self.log = {}
        self.categories = {}
        columns = []
        for name in names:
            column = [row.get(name) for row in rows]
            present = [v for v in column if v is not None]
            if _is_numeric(present):
                self.log[name] = bool(_wants_log(search, name, rows)) and min(
                    present, default=1
                ) > 0
                to = np.log10 if self.log[name] else np.asarray
                columns.append(
                    np.array([np.nan if v is None else to(float(v)) for v in column])
                )
            else:
                known = _space_categories(search, [name]).get(name, [])
                cats = list(dict.fromkeys(known + [label(v) for v in column]))
                self.categories[name] = cats
                columns.append(np.array([cats.index(label(v)) for v in column], float))
        self.names = names
        self.X = np.column_stack(columns)
        best = int(np.argmax(self.y))
        self.best = self.X[best]

    def column(self, name):
        return self.names.index(name)

    def grid(self, name, n):
        """Values of ``name`` to vary it over, in the matrix's units."""
        values = self.X[:, self.column(name)]
        values = np.unique(values[np.isfinite(values)])
        if name in self.categories or len(values) <= n:
            return values
        return np.linspace(values.min(), values.max(), n)

    def to_axis(self, name, values):
        """Matrix units to the parameter's own (undo the log10)."""
        return 10.0 ** values if self.log.get(name) else values


def _last_rung(rows, used, resource):
    """Mask of each candidate's evaluation on its largest resource."""
    last = {}
    for i, row in enumerate(rows):
        key = repr(sorted((k, v) for k, v in row.items() if k != resource))
        if key not in last or used[i] >= used[last[key]]:
            last[key] = i
    mask = np.zeros(len(rows), dtype=bool)
    mask[list(last.values())] = True
    return mask


def _forest(table, n_estimators, random_state):
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(
        n_estimators=n_estimators, min_samples_leaf=1, max_features=1.0,
        random_state=random_state,
    )
    return forest.fit(table.X, table.y)


def _background(table, random_state):
    """The configurations the other parameters are averaged over."""
    X = table.X
    if len(X) > _MAX_BACKGROUND:
        rng = np.random.default_rng(random_state)
        X = X[rng.choice(len(X), _MAX_BACKGROUND, replace=False)]
    return X


def _main_effects(predict, table, background, name, n_grid):
    """``(grid, effect)``: mean prediction over ``background`` at each value."""
    grid = table.grid(name, n_grid)
    j = table.column(name)
    stacked = np.repeat(background[None], len(grid), axis=0)
    stacked[:, :, j] = grid[:, None]
    predictions = predict(stacked.reshape(-1, background.shape[1]))
    return grid, predictions.reshape(len(grid), len(background)).mean(axis=1)


class ParameterImportanceDisplay:
    """Importance of each searched parameter for the score, fANOVA-style.

    A random forest is fitted on ``cv_results_`` to predict the mean CV score
    from the parameters. A parameter's importance is the share of the
    variance of the forest's predictions that the parameter explains on its
    own: the variance of its *main effect* (the prediction averaged over the
    evaluated values of the other parameters, as that parameter varies over
    its range), divided by the variance of the predictions over the evaluated
    configurations. Each tree of the forest gives one estimate; the bars
    show their mean and the error bars their standard deviation.
    Importances need not sum to one: the rest is explained by interactions.

    Use :meth:`from_search` to build one from a fitted search.

    Parameters
    ----------
    params : list of str
        Names of the parameters.
    importances_mean : ndarray of shape (n_params,)
        Mean importance of each parameter over the trees.
    importances_std : ndarray of shape (n_params,)
        Standard deviation of each parameter's importance over the trees.
    metric : str, default="score"
        Name of the score, for the title.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
        The bars, most important at the top.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterContourDisplay : The score against two parameters.
    ParameterScoreDisplay : The score against each parameter.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.plots import ParameterImportanceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-3, 1e3), "gamma": loguniform(1e-4, 1e1)}
    >>> search = RandomizedSearchCV(SVC(), space, n_iter=20, random_state=0)
    >>> display = ParameterImportanceDisplay.from_search(search.fit(X, y))
    >>> sorted(display.params)
    ['C', 'gamma']
    >>> plt.close(display.figure_)
    """

    def __init__(self, params, importances_mean, importances_std, *, metric="score"):
        self.params = params
        self.importances_mean = importances_mean
        self.importances_std = importances_std
        self.metric = metric

    def plot(self, ax=None, **kwargs):
        """Draw one horizontal bar per parameter, the most important on top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.barh``.

        Returns
        -------
        display : ParameterImportanceDisplay
            Object that stores the plotted artists.
        """
        self.figure_, self.ax_ = axes_or_new(ax)
        mean = np.asarray(self.importances_mean, dtype=float)
        std = np.asarray(self.importances_std, dtype=float)
        order = np.argsort(mean, kind="stable")  # barh draws bottom-up
        style = {"color": "C0", "xerr": std[order], "capsize": 3, **kwargs}
        self.bars_ = self.ax_.barh(
            [self.params[i] for i in order], mean[order], **style
        )
        self.ax_.set_xlabel(
            f"share of the variance of the {score_label(self.metric)}"
        )
        self.ax_.set_xlim(0, max(1.0, float(np.max(mean + std, initial=0))))
        self.ax_.set_title("Parameter importance (main effects)")
        return self

    @classmethod
    def from_search(
        cls,
        search,
        params=None,
        *,
        n_estimators=64,
        n_grid=20,
        random_state=0,
        ax=None,
        **kwargs,
    ):
        """Fit a forest on a fitted search's results and plot the importances.

        Parameters
        ----------
        search : fitted search
            Any scikit-learn ``BaseSearchCV``. Failed evaluations are left
            out; each candidate of a successive-halving search counts once,
            with the score of the last rung it reached.
        params : list of str, default=None
            Parameters to show; all searched parameters by default. The
            forest always sees every parameter.
        n_estimators : int, default=64
            Trees of the forest.
        n_grid : int, default=20
            Values each numeric parameter is varied over.
        random_state : int, RandomState instance or None, default=0
            Seed of the forest.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.barh``.

        Returns
        -------
        display : ParameterImportanceDisplay
        """
        table = _Table(search, params)
        forest = _forest(table, n_estimators, random_state)
        background = _background(table, random_state)
        per_tree = np.zeros((len(forest.estimators_), len(table.params)))
        for t, tree in enumerate(forest.estimators_):
            total = np.var(tree.predict(background))
            if total <= 0:
                continue
            for j, name in enumerate(table.params):
                _, effect = _main_effects(
                    tree.predict, table, background, name, n_grid
                )
                per_tree[t, j] = np.var(effect) / total
        per_tree = np.clip(per_tree, 0, 1)
        display = cls(
            table.params, per_tree.mean(axis=0), per_tree.std(axis=0),
            metric=table.metric,
        )
        return display.plot(ax=ax, **kwargs)


class ParameterContourDisplay:
    """The score against two parameters: a 2-D partial dependence.

    A random forest fitted on ``cv_results_`` predicts the mean CV score at
    every point of a grid over the two parameters, averaged over the
    evaluated values of the other parameters (a partial dependence). The
    colours show that prediction; the points are the evaluations, and a star
    marks the best one.

    Use :meth:`from_search` to build one from a fitted search.

    Parameters
    ----------
    x_param, y_param : str
        Names of the two parameters.
    x_values, y_values : ndarray
        The grid along each parameter, in the parameter's units (category
        positions for a categorical parameter).
    predictions : ndarray of shape (len(y_values), len(x_values))
        The partial dependence on the grid.
    x_points, y_points : ndarray of shape (n_evaluations,)
        Each evaluation's values of the two parameters.
    point_scores : ndarray of shape (n_evaluations,)
        Each evaluation's mean CV score.
    metric : str, default="score"
        Name of the score, for the colour bar.
    log_scale : tuple of bool, default=(False, False)
        Whether each axis is logarithmic.
    categories : dict of str to list of str, default=None
        Tick labels of the categorical parameters among the two.

    Attributes
    ----------
    contour_ : matplotlib QuadMesh
        The coloured partial dependence.
    scatter_ : matplotlib PathCollection
        The evaluations.
    best_marker_ : matplotlib PathCollection
        The star on the best evaluation.
    colorbar_ : matplotlib Colorbar
        The colour bar, labelled with the score.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterImportanceDisplay : Which parameters matter.
    sklearn.inspection.PartialDependenceDisplay : Partial dependence of a
        model's predictions on its features.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.plots import ParameterContourDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": loguniform(1e-3, 1e3), "gamma": loguniform(1e-4, 1e1)}
    >>> search = RandomizedSearchCV(SVC(), space, n_iter=20, random_state=0)
    >>> display = ParameterContourDisplay.from_search(search.fit(X, y), "C", "gamma")
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('C', 'gamma')
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        x_param,
        y_param,
        x_values,
        y_values,
        predictions,
        x_points,
        y_points,
        point_scores,
        *,
        metric="score",
        log_scale=(False, False),
        categories=None,
    ):
        self.x_param = x_param
        self.y_param = y_param
        self.x_values = x_values
        self.y_values = y_values
        self.predictions = predictions
        self.x_points = x_points
        self.y_points = y_points
        self.point_scores = point_scores
        self.metric = metric
        self.log_scale = log_scale
        self.categories = categories

    def plot(self, ax=None, *, cmap="viridis", **kwargs):
        """Draw the partial dependence and the evaluations.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        cmap : str or matplotlib Colormap, default="viridis"
            Colours of the partial dependence; brighter is a higher score.
        **kwargs : dict
            Passed to ``Axes.scatter`` for the evaluations.

        Returns
        -------
        display : ParameterContourDisplay
            Object that stores the plotted artists.
        """
        self.figure_, self.ax_ = axes_or_new(ax)
        categories = self.categories or {}
        self.contour_ = self.ax_.pcolormesh(
            self.x_values, self.y_values, self.predictions, cmap=cmap,
            shading="nearest",
        )
        self.colorbar_ = self.figure_.colorbar(self.contour_, ax=self.ax_)
        self.colorbar_.set_label(f"{score_label(self.metric)} (partial dependence)")
        style = {"s": 16, "color": "white", "edgecolors": "black",
                 "linewidths": 0.5, "alpha": 0.8, "label": "evaluations", **kwargs}
        self.scatter_ = self.ax_.scatter(self.x_points, self.y_points, **style)
        best = int(np.nanargmax(self.point_scores))
        self.best_marker_ = self.ax_.scatter(
            self.x_points[best], self.y_points[best], marker="*", s=220,
            color="gold", edgecolors="black", linewidths=0.8, label="best",
        )
        for name, log, set_scale, set_ticks in (
            (self.x_param, self.log_scale[0], self.ax_.set_xscale, self.ax_.set_xticks),
            (self.y_param, self.log_scale[1], self.ax_.set_yscale, self.ax_.set_yticks),
        ):
            if name in categories:
                set_ticks(range(len(categories[name])), categories[name])
            elif log:
                set_scale("log")
        self.ax_.set_xlabel(self.x_param)
        self.ax_.set_ylabel(self.y_param)
        self.ax_.legend(loc="best", fontsize="small", framealpha=0.8)
        return self

    @classmethod
    def from_search(
        cls,
        search,
        x_param,
        y_param,
        *,
        n_grid=30,
        n_estimators=64,
        random_state=0,
        ax=None,
        cmap="viridis",
        **kwargs,
    ):
        """Fit a forest on a fitted search's results and plot two parameters.

        Parameters
        ----------
        search : fitted search
            Any scikit-learn ``BaseSearchCV``. Failed evaluations are left
            out; each candidate of a successive-halving search counts once,
            with the score of the last rung it reached.
        x_param, y_param : str
            The parameters on the x and y axes.
        n_grid : int, default=30
            Values of each numeric parameter on the grid.
        n_estimators : int, default=64
            Trees of the forest.
        random_state : int, RandomState instance or None, default=0
            Seed of the forest.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        cmap : str or matplotlib Colormap, default="viridis"
            Colours of the partial dependence.
        **kwargs : dict
            Passed to ``Axes.scatter`` for the evaluations.

        Returns
        -------
        display : ParameterContourDisplay
        """
        if x_param == y_param:
            raise ValueError("x_param and y_param must be two different parameters.")
        table = _Table(search, [x_param, y_param])
        forest = _forest(table, n_estimators, random_state)
        background = _background(table, random_state)
        i, j = table.column(x_param), table.column(y_param)
        gx, gy = table.grid(x_param, n_grid), table.grid(y_param, n_grid)
        stacked = np.repeat(background[None], len(gx) * len(gy), axis=0)
        xx, yy = np.meshgrid(gx, gy)
        stacked[:, :, i] = xx.ravel()[:, None]
        stacked[:, :, j] = yy.ravel()[:, None]
        predictions = forest.predict(stacked.reshape(-1, background.shape[1]))
        predictions = predictions.reshape(len(gy), len(gx), len(background))
        display = cls(
            x_param,
            y_param,
            table.to_axis(x_param, gx),
            table.to_axis(y_param, gy),
            predictions.mean(axis=2),
            table.to_axis(x_param, table.X[:, i]),
            table.to_axis(y_param, table.X[:, j]),
            table.y,
            metric=table.metric,
            log_scale=(table.log.get(x_param, False), table.log.get(y_param, False)),
            categories={
                k: v for k, v in table.categories.items() if k in (x_param, y_param)
            },
        )
        return display.plot(ax=ax, cmap=cmap, **kwargs)
