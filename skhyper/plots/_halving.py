"""The rungs of a successive-halving search: who ran, on how much, how well."""

import numpy as np

from skhyper._compat import search_history
from skhyper.plots._common import (
    axes_or_new,
    check_search,
    configuration_ids,
    resource_name,
    score_label,
    scores,
)


class HalvingDisplay:
    """Scores of the candidates at each rung of a successive-halving search.

    A *rung* is one round of successive halving: every candidate still in the
    race is evaluated with the same resource (a number of training samples,
    or a value of an estimator parameter such as ``n_estimators``), and the
    best of them are promoted to the next rung, which has more resource.

    Each rung is a column of points, one per candidate evaluated there,
    spread sideways so that equal scores stay visible; lines follow the
    candidates promoted to the next rung, and a star marks the winner, the
    best candidate of the last rung. The tick labels give each rung's number
    of candidates and resource. A Hyperband search draws its brackets side by
    side, one colour each, named in the legend.

    Use :meth:`from_search` to build one from a fitted search.

    Parameters
    ----------
    iterations : ndarray of shape (n_evaluations,)
        Rung of each evaluation (the ``iter`` column of ``cv_results_``).
    resources : ndarray of shape (n_evaluations,)
        Resource of each evaluation (``n_resources``).
    scores : ndarray of shape (n_evaluations,)
        Mean CV score of each evaluation.
    candidates : ndarray of shape (n_evaluations,)
        An identifier of each evaluation's configuration, equal across rungs
        (without the resource, when the resource is an estimator parameter).
    brackets : ndarray of shape (n_evaluations,), default=None
        Hyperband bracket of each evaluation (``bracket``), if any.
    metric : str, default="score"
        Name of the plotted metric, for the y label.
    resource : str, default="n_samples"
        Name of the resource, for the x label and the tick labels.
    best_index : int, default=None
        Position of the winner in the arrays above; not marked if ``None``.

    Attributes
    ----------
    scatters_ : list of matplotlib PathCollection
        The points of each rung.
    lines_ : list of matplotlib Line2D
        The path of each candidate promoted beyond its first rung.
    best_marker_ : matplotlib PathCollection or None
        The star on the winner.
    legend_ : matplotlib Legend
        Legend naming the brackets, the promotions and the winner.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ConvergenceDisplay : Best score so far against evaluations or cost.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    >>> from sklearn.model_selection import HalvingGridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.plots import HalvingDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = {"C": [0.01, 0.1, 1, 10, 100, 1000], "gamma": [0.01, 0.1, 1]}
    >>> search = HalvingGridSearchCV(SVC(), grid, random_state=0).fit(X, y)
    >>> display = HalvingDisplay.from_search(search)
    >>> len(display.scatters_) == search.n_iterations_
    True
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        iterations,
        resources,
        scores,
        candidates,
        brackets=None,
        metric="score",
        *,
        resource="n_samples",
        best_index=None,
    ):
        self.iterations = iterations
        self.resources = resources
        self.scores = scores
        self.candidates = candidates
        self.brackets = brackets
        self.metric = metric
        self.resource = resource
        self.best_index = best_index

    def plot(self, ax=None, **kwargs):
        """Draw the rungs.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.scatter`` for the points of every rung.

        Returns
        -------
        display : HalvingDisplay
            Object that stores the plotted artists.
        """
        self.figure_, self.ax_ = axes_or_new(ax)
        brackets = self._bracket_array()
        rungs = _rungs(brackets, self.iterations)
        position = {rung: x for x, rung in enumerate(rungs)}
        x = np.array([position[r] for r in zip(brackets, self.iterations)], float)
        x = x + _spread(x, self.candidates)
        colors = {b: f"C{i % 10}" for i, b in enumerate(dict.fromkeys(brackets))}
        self.lines_ = self._candidate_paths(x, brackets, colors)
        style = {"s": 18, "zorder": 3, "alpha": 0.8, "edgecolors": "white",
                 "linewidths": 0.5, **kwargs}
        self.scatters_ = []
        for rung in rungs:
            rows = self._rows(brackets, rung)
            label = (
                f"bracket {rung[0]}"
                if self.brackets is not None and rung[1] == _first_rung(rungs, rung)
                else None
            )
            self.scatters_.append(
                self.ax_.scatter(
                    x[rows], np.asarray(self.scores, dtype=float)[rows],
                    color=colors[rung[0]], label=label, **style,
                )
            )
        self.best_marker_ = None
        if self.best_index is not None and self.best_index >= 0:
            i = self.best_index
            self.best_marker_ = self.ax_.scatter(
                x[i], np.asarray(self.scores, dtype=float)[i], marker="*", s=220,
                color="gold", edgecolors="black", linewidths=0.8, zorder=4,
                label="best candidate",
            )
        self.ax_.set_xticks(range(len(rungs)), [self._tick(brackets, r) for r in rungs])
        self.ax_.set_xlabel(f"rung: candidates and resource ({self.resource})")
        self.ax_.set_ylabel(score_label(self.metric))
        self.legend_ = self.ax_.legend(loc="best", fontsize="small")
        return self

    def _bracket_array(self):
        if self.brackets is None:
            return np.zeros(len(self.iterations), dtype=int)
        return np.asarray(self.brackets)

    def _rows(self, brackets, rung):
        bracket, iteration = rung
        return np.flatnonzero(
            (brackets == bracket) & (np.asarray(self.iterations) == iteration)
        )

    def _tick(self, brackets, rung):
        rows = self._rows(brackets, rung)
        resource = np.asarray(self.resources)[rows][0]
        prefix = f"bracket {rung[0]}\n" if self.brackets is not None else ""
        return f"{prefix}rung {rung[1]}\n{len(rows)} cand.\n{resource:g}"

    def _candidate_paths(self, x, brackets, colors):
        lines = []
        scores_ = np.asarray(self.scores, dtype=float)
        keys = list(zip(brackets.tolist(), np.asarray(self.candidates).tolist()))
        rows_of = {}
        for i, key in enumerate(keys):
            rows_of.setdefault(key, []).append(i)
        for key, rows in rows_of.items():
            if len(rows) > 1:
                (line,) = self.ax_.plot(
                    x[rows], scores_[rows], color=colors[key[0]], alpha=0.5, lw=1,
                    label="promoted" if not lines else None, zorder=2,
                )
                lines.append(line)
        return lines

    @classmethod
    def from_search(cls, search, *, ax=None, **kwargs):
        """Plot the rungs of a fitted successive-halving search.

        Parameters
        ----------
        search : fitted search
            :class:`~skhyper.SuccessiveHalvingSearchCV`,
            :class:`~skhyper.HyperbandSearchCV` or scikit-learn's
            :class:`~sklearn.model_selection.HalvingGridSearchCV` /
            :class:`~sklearn.model_selection.HalvingRandomSearchCV`: any search
            whose ``cv_results_`` has ``iter`` and ``n_resources`` columns.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.scatter`` for the points of every rung.

        Returns
        -------
        display : HalvingDisplay
        """
        check_search(search)
        results = search_history(search)
        missing = [k for k in ("iter", "n_resources") if k not in results]
        if missing:
            raise ValueError(
                f"{type(search).__name__} is not a successive-halving search: its "
                f"cv_results_ has no {' or '.join(repr(k) for k in missing)} column."
            )
        metric, values = scores(search)
        resource = resource_name(search)
        # Rows of warm_start_from that no rung reused have iter -1: not rungs.
        rows = np.flatnonzero(np.asarray(results["iter"]) >= 0)
        brackets = results.get("bracket")
        candidates = configuration_ids(results["params"], ignore={resource})
        display = cls(
            np.asarray(results["iter"])[rows],
            np.asarray(results["n_resources"])[rows],
            np.asarray(values)[rows],
            candidates[rows],
            brackets=None if brackets is None else np.asarray(brackets)[rows],
            metric=metric,
            resource=resource,
            best_index=_winner(search, results, values, rows),
        )
        return display.plot(ax=ax, **kwargs)


def _winner(search, results, values, rows):
    """Position in ``rows`` of the search's best candidate at its last rung."""
    best = getattr(search, "best_params_", None)
    if best is None:
        return None
    resources = np.asarray(results["n_resources"])[rows]
    matches = [
        i for i, row in enumerate(rows)
        if results["params"][row] == best and np.isfinite(values[row])
    ]
    if not matches:
        return None
    return max(matches, key=lambda i: (resources[i], i))


def _first_rung(rungs, rung):
    return min(i for b, i in rungs if b == rung[0])


def _spread(x, candidates):
    """Sideways offsets, the same for a candidate at every rung, so that
    points with equal scores in a rung stay visible (a strip plot)."""
    offsets = np.zeros(len(x))
    for column in np.unique(x):
        rows = np.flatnonzero(x == column)
        if len(rows) > 1:
            width = min(0.2, 0.015 * len(rows))
            rng = np.random.default_rng(len(rows))
            offsets[rows] = rng.uniform(-width, width, len(rows))
    return offsets


def _rungs(brackets, iterations):
    """``(bracket, iteration)`` pairs in plotting order."""
    return sorted(set(zip(brackets.tolist(), np.asarray(iterations).tolist())))
