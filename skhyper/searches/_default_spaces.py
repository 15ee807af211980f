"""Default search spaces ("autotune") for common scikit-learn estimators.

``BayesSearchCV(estimator)`` without a space, or with ``search_spaces="auto"``,
searches the ranges below. They follow the estimators' documentation and the
tuning literature: the reference ranges of Probst, Boulesteix & Bischl (2019,
"Tunability: importance of hyperparameters of machine learning algorithms",
JMLR 20(53)) for regularized linear models, trees, forests, boosting, SVMs and
k-nearest neighbours, and the hyperparameters van Rijn & Hutter (2018,
"Hyperparameter importance across datasets", KDD) found to matter most
(``C`` and ``gamma`` of RBF SVMs, ``max_features`` and ``min_samples_leaf`` of
forests, the learning rate and depth of boosting). Scales and rates are
searched on a log scale.
"""

import numpy as np
from sklearn import (
    cluster,
    ensemble,
    linear_model,
    neighbors,
    neural_network,
    svm,
    tree,
)
from sklearn.metrics import silhouette_score
from sklearn.pipeline import Pipeline

from skhyper.space import Categorical, Integer, Real

__all__ = ["default_space", "silhouette_scorer"]


def _log(low, high):
    return Real(low, high, prior="log-uniform")


def _logint(low, high):
    return Integer(low, high, prior="log-uniform")


def _linear_C():
    return {"C": _log(1e-4, 1e4)}


def _ridge():
    return {"alpha": _log(1e-4, 1e4)}


def _lasso():
    return {"alpha": _log(1e-5, 1e2)}


def _elastic_net():
    return {"alpha": _log(1e-5, 1e2), "l1_ratio": Real(0.01, 1.0)}


def _sgd():
    return {"alpha": _log(1e-7, 1e-1), "penalty": Categorical(["l2", "l1", "elasticnet"])}


def _linear_svm():
    return {"C": _log(1e-4, 1e2)}


def _tree():
    return {
        "max_depth": Integer(1, 30),
        "min_samples_split": _logint(2, 60),
        "min_samples_leaf": _logint(1, 60),
    }


def _forest():
    return {
        "n_estimators": _logint(50, 500),
        "max_features": Real(0.05, 1.0),
        "min_samples_leaf": _logint(1, 20),
    }


def _gradient_boosting():
    return {
        "n_estimators": _logint(50, 500),
        "learning_rate": _log(1e-3, 1.0),
        "max_depth": Integer(1, 10),
        "subsample": Real(0.5, 1.0),
        "min_samples_leaf": _logint(1, 50),
    }


def _hist_gradient_boosting():
    return {
        "learning_rate": _log(1e-3, 1.0),
        "max_iter": _logint(50, 500),
        "max_leaf_nodes": _logint(8, 128),
        "min_samples_leaf": _logint(5, 100),
        "l2_regularization": _log(1e-6, 10.0),
    }


def _mlp():
    return {
        "hidden_layer_sizes": Categorical([(50,), (100,), (200,), (50, 50), (100, 100)]),
        "alpha": _log(1e-6, 1e-1),
        "learning_rate_init": _log(1e-4, 1e-1),
    }


def _svc():
    return {
        "C": _log(1e-3, 1e3),
        "gamma": _log(1e-4, 1e1),
        "kernel": Categorical(["rbf", "linear", "poly"]),
    }


def _svr():
    return {**_svc(), "epsilon": _log(1e-3, 1.0)}


def _knn():
    return {
        "n_neighbors": _logint(1, 50),
        "weights": Categorical(["uniform", "distance"]),
        "p": Categorical([1, 2]),
    }


def _kmeans():
    return {"n_clusters": Integer(2, 20), "init": Categorical(["k-means++", "random"])}


#: Estimator class -> function returning a fresh space (so users may edit it).
DEFAULT_SPACES = {
    linear_model.LogisticRegression: _linear_C,
    linear_model.Ridge: _ridge,
    linear_model.RidgeClassifier: _ridge,
    linear_model.Lasso: _lasso,
    linear_model.ElasticNet: _elastic_net,
    linear_model.SGDClassifier: _sgd,
    linear_model.SGDRegressor: _sgd,
    svm.LinearSVC: _linear_svm,
    svm.LinearSVR: _linear_svm,
    svm.SVC: _svc,
    svm.SVR: _svr,
    tree.DecisionTreeClassifier: _tree,
    tree.DecisionTreeRegressor: _tree,
    ensemble.RandomForestClassifier: _forest,
    ensemble.RandomForestRegressor: _forest,
    ensemble.ExtraTreesClassifier: _forest,
    ensemble.ExtraTreesRegressor: _forest,
    ensemble.GradientBoostingClassifier: _gradient_boosting,
    ensemble.GradientBoostingRegressor: _gradient_boosting,
    ensemble.HistGradientBoostingClassifier: _hist_gradient_boosting,
    ensemble.HistGradientBoostingRegressor: _hist_gradient_boosting,
    neural_network.MLPClassifier: _mlp,
    neural_network.MLPRegressor: _mlp,
    neighbors.KNeighborsClassifier: _knn,
    neighbors.KNeighborsRegressor: _knn,
    cluster.KMeans: _kmeans,
    cluster.MiniBatchKMeans: _kmeans,
}
#: Clusterers are scored by the silhouette, not by their own ``score``: the
#: negative inertia of KMeans always prefers more clusters.
CLUSTERERS = (cluster.KMeans, cluster.MiniBatchKMeans)


def _final_step(estimator, prefix=""):
    """The estimator a pipeline ends with, and the prefix of its parameters."""
    while isinstance(estimator, Pipeline):
        name, estimator = estimator.steps[-1]
        prefix += f"{name}__"
    return estimator, prefix


def known_estimators():
    """Names of the estimators with a default space."""
    return sorted(cls.__name__ for cls in DEFAULT_SPACES)


def default_space(estimator):
    """The search space skhyper uses for ``estimator`` when given none.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A scikit-learn estimator listed in the user guide's table of default
        spaces, or a ``Pipeline`` ending with one: its parameters are then
        prefixed with the step name (``"svc__C"``).

    Returns
    -------
    space : dict
        Parameter names mapped to fresh :class:`~skhyper.Real`,
        :class:`~skhyper.Integer` and :class:`~skhyper.Categorical`
        dimensions; edit it and pass it as ``search_spaces``.

    Raises
    ------
    ValueError
        If there is no default space for the estimator; the message lists the
        estimators that have one.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> from skhyper import default_space
    >>> sorted(default_space(make_pipeline(StandardScaler(), SVC())))
    ['svc__C', 'svc__gamma', 'svc__kernel']
    """
    final, prefix = _final_step(estimator)
    builder = next(
        (DEFAULT_SPACES[cls] for cls in type(final).__mro__ if cls in DEFAULT_SPACES),
        None,
    )
    if builder is None:
        raise ValueError(
            f"There is no default search space for {type(final).__name__}. "
            f"Known estimators: {', '.join(known_estimators())}."
        )
    return {prefix + name: dim for name, dim in builder().items()}


def silhouette_scorer(estimator, X, y=None):
    """Mean silhouette coefficient of a fitted clusterer's labels of ``X``.

    The scorer default spaces use for clusterers (KMeans' own ``score``, the
    negative inertia, always prefers more clusters). ``X`` is passed through
    the steps of a pipeline before its clusterer, so the silhouette is
    measured where the clusters were made. Labels with a single cluster
    (or one per sample) score -1, the worst silhouette.

    Parameters
    ----------
    estimator : fitted clusterer or Pipeline
        Has ``predict``.
    X : array-like of shape (n_samples, n_features)
        Data to cluster (a CV test fold).
    y : None
        Ignored; there for the scorer signature.

    Returns
    -------
    score : float
        In ``[-1, 1]``, higher is better.
    """
    labels = estimator.predict(X)
    if isinstance(estimator, Pipeline) and len(estimator.steps) > 1:
        X = estimator[:-1].transform(X)
    n_labels = len(np.unique(labels))
    if not 2 <= n_labels <= len(labels) - 1:
        return -1.0
    return float(silhouette_score(X, labels))


def wants_default(search):
    """Whether ``search`` was given no space, or ``"auto"``."""
    given = [
        getattr(search, name) for name in ("search_spaces", "param_grid",
                                           "param_distributions")
        if getattr(search, name, None) is not None
    ]
    return not given or (len(given) == 1 and _is_auto(given[0]))


def _is_auto(spec):
    return isinstance(spec, str) and spec == "auto"


def default_scoring(search):
    """The scorer a search with a default space uses when ``scoring=None``."""
    if search.scoring is not None or not wants_default(search):
        return None
    final, _ = _final_step(search.estimator)
    return silhouette_scorer if isinstance(final, CLUSTERERS) else None
