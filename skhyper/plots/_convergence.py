"""Best score so far against the number of evaluations."""

import numpy as np

from skhyper.plots._common import (
    axes_or_new,
    best_at_top_fidelity,
    folds_run,
    resources,
    score_label,
    scores,
    search_name,
)

_X_LABELS = {
    "evaluations": "evaluations",
    "cost": "cost (evaluations weighted by their share of the full resource "
            "and of the CV folds run)",
}


class ConvergenceDisplay:
    """Convergence plot: best mean CV score so far against evaluations.

    Use :meth:`from_search` to build one from fitted searches; several searches
    share one axes so that they can be compared at equal numbers of
    evaluations, or at equal cost. Every evaluation is drawn as a point under
    the curves. The y range follows the curves after their first tenth of
    evaluations, so that a few bad early scores do not squash the differences
    that matter; evaluations below the range are drawn as triangles on its
    lower edge.

    Parameters
    ----------
    x_values : list of ndarray
        For each search, the x coordinate after each evaluation (its number,
        or the cost spent so far).
    best_scores : list of ndarray
        For each search, the best mean CV score after each evaluation, in
        evaluation order (``nan`` before the first successful one).
    labels : list of str
        Legend entry of each search.
    metric : str, default="score"
        Name of the plotted metric, for the y label.
    x : {"evaluations", "cost"}, default="evaluations"
        What ``x_values`` count, for the x label.
    scores : list of ndarray, default=None
        For each search, the mean CV score of each evaluation, drawn as
        points; not drawn if ``None``.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One step line per search.
    scatters_ : list of matplotlib PathCollection
        The evaluations of each search (empty without ``scores``).
    clipped_ : list of matplotlib PathCollection
        For each search, the evaluations below the y range, on its edge.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterScoreDisplay : Score against each searched parameter.
    HalvingDisplay : Candidates and resources of each halving rung.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import RandomizedSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhyper.plots import ConvergenceDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomizedSearchCV(
    ...     SVC(), {"C": [0.01, 0.1, 1, 10]}, n_iter=4, random_state=0
    ... ).fit(X, y)
    >>> display = ConvergenceDisplay.from_search(search)
    >>> bool(display.best_scores[0][-1] == search.best_score_)
    True
    >>> plt.close(display.figure_)
    """

    def __init__(
        self,
        x_values,
        best_scores,
        labels,
        metric="score",
        x="evaluations",
        *,
        scores=None,
    ):
        self.x_values = x_values
        self.best_scores = best_scores
        self.labels = labels
        self.metric = metric
        self.x = x
        self.scores = scores

    def plot(self, ax=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.step`` for every curve.

        Returns
        -------
        display : ConvergenceDisplay
            Object that stores the plotted artists.
        """
        self.figure_, self.ax_ = axes_or_new(ax)
        self.lines_, self.scatters_, self.clipped_ = [], [], []
        for x, best, label in zip(self.x_values, self.best_scores, self.labels):
            (line,) = self.ax_.step(x, best, where="post", label=label, **kwargs)
            self.lines_.append(line)
        low, high = robust_limits(self.best_scores, self.scores)
        if low is not None:
            self.ax_.set_ylim(low, high)
        for i, (x, line) in enumerate(zip(self.x_values, self.lines_)):
            if self.scores is None:
                continue
            values = np.asarray(self.scores[i], dtype=float)
            x = np.asarray(x, dtype=float)
            below = np.isfinite(values) & (values < low if low is not None else False)
            shown = np.isfinite(values) & ~below
            self.scatters_.append(
                self.ax_.scatter(
                    x[shown], values[shown], s=12, alpha=0.45,
                    color=line.get_color(), zorder=1,
                    label="evaluations" if i == 0 else None,
                )
            )
            self.clipped_.append(
                self.ax_.scatter(
                    x[below], np.full(below.sum(), low), marker="v", s=18,
                    alpha=0.6, color=line.get_color(), clip_on=False, zorder=1,
                    label="below the range" if i == 0 and below.any() else None,
                )
            )
        self.ax_.set_xlabel(_X_LABELS[self.x])
        self.ax_.set_ylabel(f"best {score_label(self.metric)} so far")
        self.ax_.legend(loc="lower right", fontsize="small")
        return self

    @classmethod
    def from_search(cls, search, *, x="evaluations", labels=None, ax=None, **kwargs):
        """Plot the convergence of one or several fitted searches.

        Evaluations are the rows of ``cv_results_`` in the order they were
        made; scikit-learn's and skhyper's searches both append them in that
        order. A successive-halving search counts each candidate once per
        rung, and its curve is the best score among the evaluations on the
        largest resource reached so far: it restarts at each new rung, because
        scores on a small share of the data are not comparable to scores on
        all of it.

        Parameters
        ----------
        search : fitted search or list of fitted searches
            Any scikit-learn ``BaseSearchCV`` (``GridSearchCV``,
            ``RandomizedSearchCV``, skhyper's searches, ...). The optimized
            metric is the one used for refit.
        x : {"evaluations", "cost"}, default="evaluations"
            The x axis: the number of evaluations, or their cost in full
            evaluations (an evaluation on a third of the samples costs 1/3),
            which compares successive halving fairly with the other searches;
            an evaluation stopped by ``fold_stopping`` after 2 of 5 folds
            costs 2/5. The default legend says how many fold fits
            ``fold_stopping`` saved.
        labels : list of str, default=None
            Legend entries; the class names by default.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.
        **kwargs : dict
            Passed to ``Axes.step`` for every curve.

        Returns
        -------
        display : ConvergenceDisplay
        """
        searches = list(search) if isinstance(search, (list, tuple)) else [search]
        if not searches:
            raise ValueError("from_search needs at least one fitted search.")
        if labels is None:
            labels = _default_labels(searches)
        elif len(labels) != len(searches):
            raise ValueError(
                f"Got {len(labels)} labels for {len(searches)} searches."
            )
        if x not in _X_LABELS:
            raise ValueError(f"x must be one of {sorted(_X_LABELS)}, got {x!r}.")
        metrics, x_values, best_scores, all_scores = [], [], [], []
        for s in searches:
            metric, values = scores(s)
            all_scores.append(values)
            shares = resources(s)
            metrics.append(metric)
            best_scores.append(best_at_top_fidelity(values, shares))
            x_values.append(_x_values(values, shares, x, folds_run(s)))
        display = cls(
            x_values, best_scores, list(labels), metric=metrics[0], x=x,
            scores=all_scores,
        )
        return display.plot(ax=ax, **kwargs)


def robust_limits(best_scores, scores=None):
    """``(low, high)`` y limits that a few bad early scores do not set.

    The range spans the best-so-far curves after their first tenth of
    evaluations and every score above that, with a 5 % margin; ``(None,
    None)`` without any finite score.
    """
    lows, highs = [], []
    for i, best in enumerate(best_scores):
        best = np.asarray(best, dtype=float)
        finite = np.flatnonzero(np.isfinite(best))
        if not len(finite):
            continue
        start = finite[min(len(finite) - 1, len(best) // 10)]
        lows.append(best[start])
        highs.append(np.nanmax(best))
        if scores is not None:
            values = np.asarray(scores[i], dtype=float)
            if np.isfinite(values).any():
                highs.append(np.nanmax(values))
    if not lows:
        return None, None
    low, high = min(lows), max(highs)
    margin = 0.05 * (high - low) if high > low else max(abs(high) * 0.01, 1e-3)
    return low - margin, high + margin


def _x_values(values, shares, x, folds=None):
    if x == "cost" and (shares is not None or folds is not None):
        costs = np.ones(len(values)) if shares is None else np.asarray(shares)
        return np.cumsum(costs if folds is None else costs * folds)
    return np.arange(1, len(values) + 1, dtype=float)


def _default_labels(searches):
    """Class names, numbered when the same class appears more than once, and
    the share of fold fits that ``fold_stopping`` saved."""
    names = [search_name(s) for s in searches]
    labels = [
        f"{name} ({names[:i].count(name) + 1})" if names.count(name) > 1 else name
        for i, name in enumerate(names)
    ]
    for i, search in enumerate(searches):
        folds = folds_run(search) if hasattr(search, "cv_results_") else None
        if folds is not None:
            labels[i] += f", {1 - folds.mean():.0%} of fold fits saved"
    return labels
