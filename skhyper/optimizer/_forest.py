"""Tree-ensemble surrogate, for spaces dominated by categorical dimensions.

Trees are piecewise constant; the optimizer maximizes the acquisition over
sampled candidates (random points plus perturbations of the best ones), as
it does for the Gaussian process.
"""

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.exceptions import NotFittedError


class ForestSurrogate:
    """Extremely randomized trees with a predictive spread.

    The predictive variance follows the law of total variance over the
    ensemble: the variance of the trees' predictions plus the mean of the
    target variance within the leaves each tree sends the point to. A small
    floor keeps the standard deviation strictly positive.

    Parameters
    ----------
    n_estimators : int, default=100
        Number of trees.
    min_samples_leaf : int, default=3
        Minimum number of points in a leaf. Leaves of a few points make the
        within-leaf variance meaningful, which noisy scores need.
    random_state : int, RandomState instance or None, default=None
        Seeds the tree construction.

    Attributes
    ----------
    estimator_ : ExtraTreesRegressor
        The fitted ensemble (``n_jobs=1``; one tree is cheap).
    n_features_in_ : int
        Number of input dimensions seen in :meth:`fit`.

    Notes
    -----
    Same interface as :class:`~skhyper.optimizer._gp.GaussianProcess`.
    """

    def __init__(self, *, n_estimators=100, min_samples_leaf=3, random_state=None):
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the ensemble.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Points in the unit cube.
        y : array-like of shape (n_samples,)
            Finite targets.

        Returns
        -------
        self : ForestSurrogate
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).ravel()
        if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError(
                f"X must be 2-d with one row per target; got X.shape={X.shape}"
                f" and y.shape={y.shape}."
            )
        scale = float(np.std(y))
        if not scale > 1e-12 * max(1.0, abs(float(np.mean(y)))):
            scale = 1.0
        self._std_floor = 1e-6 * scale

        self.estimator_ = ExtraTreesRegressor(
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            n_jobs=1,
            random_state=self.random_state,
        ).fit(X, y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X, return_std=False):
        """Ensemble mean (and standard deviation).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Query points.
        return_std : bool, default=False
            Also return the predictive standard deviation.

        Returns
        -------
        mean : ndarray of shape (n_samples,)
        std : ndarray of shape (n_samples,)
            Only if ``return_std``; strictly positive and finite.
        """
        if not hasattr(self, "estimator_"):
            raise NotFittedError("This ForestSurrogate is not fitted yet; call fit.")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have shape (n, {self.n_features_in_}); got {X.shape}."
            )
        # One apply() for all trees, then look leaf means and within-leaf
        # variances up in each tree's arrays: far cheaper than 100 predicts.
        leaves = self.estimator_.apply(X)
        trees = self.estimator_.estimators_
        means = np.empty((len(trees), X.shape[0]))
        within = np.empty_like(means)
        for t, tree in enumerate(trees):
            node = leaves[:, t]
            means[t] = tree.tree_.value[node, 0, 0]
            within[t] = tree.tree_.impurity[node]  # squared error = variance
        mean = means.mean(axis=0)
        if not return_std:
            return mean
        var = means.var(axis=0) + within.mean(axis=0)
        std = np.sqrt(np.maximum(var, 0.0) + self._std_floor**2)
        return mean, std
