"""The rungs of a successive-halving search: who ran, on how much, how well."""

import numpy as np

from skhyper.plots._common import axes_or_new, check_search, scores


class HalvingDisplay:
    """Scores of the candidates at each rung of a successive-halving search.

    Each rung (iteration) is a column of points, one per candidate evaluated
    there; lines follow the candidates that were kept for the next rung. The
    tick labels give each rung's number of candidates and resource. A
    Hyperband search draws its brackets side by side, one colour each.

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
        An identifier of each evaluation's configuration, equal across rungs.
    brackets : ndarray of shape (n_evaluations,), default=None
        Hyperband bracket of each evaluation (``bracket``), if any.
    metric : str, default="score"
        Name of the plotted metric, for the y label.

    Attributes
    ----------
    scatters_ : list of matplotlib PathCollection
        The points of each rung.
    lines_ : list of matplotlib Line2D
        The path of each candidate kept beyond its first rung.
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
        self, iterations, resources, scores, candidates, brackets=None, metric="score"
    ):
        self.iterations = iterations
        self.resources = resources
        self.scores = scores
        self.candidates = candidates
        self.brackets = brackets
        self.metric = metric

    def plot(self, ax=None):
        """Draw the rungs.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.

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
        colors = {b: f"C{i % 10}" for i, b in enumerate(dict.fromkeys(brackets))}
        self.lines_ = self._candidate_paths(x, brackets, colors)
        self.scatters_ = [
            self.ax_.scatter(
                x[rows], np.asarray(self.scores)[rows], s=16, zorder=3,
                color=colors[rung[0]],
            )
            for rung in rungs
            for rows in [self._rows(brackets, rung)]
        ]
        self.ax_.set_xticks(range(len(rungs)), [self._tick(brackets, r) for r in rungs])
        self.ax_.set_xlabel("rung")
        self.ax_.set_ylabel(f"mean CV {self.metric}")
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
        return f"{prefix}iter {rung[1]}\n{len(rows)} cand.\nres. {resource:g}"

    def _candidate_paths(self, x, brackets, colors):
        lines = []
        scores_ = np.asarray(self.scores, dtype=float)
        keys = list(zip(brackets, np.asarray(self.candidates)))
        for key in dict.fromkeys(keys):
            rows = [i for i, k in enumerate(keys) if k == key]
            if len(rows) > 1:
                (line,) = self.ax_.plot(
                    x[rows], scores_[rows], color=colors[key[0]], alpha=0.4, lw=1
                )
                lines.append(line)
        return lines

    @classmethod
    def from_search(cls, search, *, ax=None):
        """Plot the rungs of a fitted successive-halving search.

        Parameters
        ----------
        search : fitted search
            :class:`~skhyper.SuccessiveHalvingSearchCV`,
            :class:`~skhyper.HyperbandSearchCV` or scikit-learn's
            ``HalvingGridSearchCV`` / ``HalvingRandomSearchCV``: any search
            whose ``cv_results_`` has ``iter`` and ``n_resources`` columns.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created if ``None``.

        Returns
        -------
        display : HalvingDisplay
        """
        check_search(search)
        results = search.cv_results_
        missing = [k for k in ("iter", "n_resources") if k not in results]
        if missing:
            raise ValueError(
                f"{type(search).__name__} is not a successive-halving search: its "
                f"cv_results_ has no {' or '.join(repr(k) for k in missing)} column."
            )
        metric, values = scores(search)
        # Rows of warm_start_from that no rung reused have iter -1: not rungs.
        rows = np.flatnonzero(np.asarray(results["iter"]) >= 0)
        brackets = results.get("bracket")
        display = cls(
            np.asarray(results["iter"])[rows],
            np.asarray(results["n_resources"])[rows],
            np.asarray(values)[rows],
            _candidate_ids(results["params"])[rows],
            brackets=None if brackets is None else np.asarray(brackets)[rows],
            metric=metric,
        )
        return display.plot(ax=ax)


def _rungs(brackets, iterations):
    """``(bracket, iteration)`` pairs in plotting order."""
    return sorted(set(zip(brackets.tolist(), np.asarray(iterations).tolist())))


def _candidate_ids(params):
    """The same integer for equal configurations."""
    ids = {}
    return np.array([ids.setdefault(repr(sorted(p.items())), len(ids)) for p in params])
