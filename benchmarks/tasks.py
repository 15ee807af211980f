"""Tuning tasks for the skhyper benchmark, in the spirit of the Bayesmark suite.

A *task* is a model x dataset x metric triple: one scikit-learn estimator with
its usual hyperparameter ranges (log scale where the parameter is a scale, a
rate or a regularization strength), one dataset bundled with scikit-learn and
one scorer (always "greater is better", as scikit-learn scorers are).

Each task fixes, once and for all:

* the data: loaded from scikit-learn's bundled copies (no download), optionally
  subsampled with a fixed seed, then split once into a train part and a
  held-out test part (stratified for classification, fixed seed);
* the preprocessing: features standardized with the train part's statistics
  (and, for regression, the target too, so that losses are comparable across
  tasks and SVR's ``epsilon`` has a meaning). This is part of the *objective
  definition*, identical for every method, not modelling advice;
* the CV splits: an explicit ``StratifiedKFold``/``KFold`` with a fixed seed,
  materialized into a list of ``(train, test)`` index pairs that every method
  receives, so every candidate of every method is scored on the same folds;
* the estimator's own ``random_state`` (trees, forests, MLPs, SVC), so that the
  CV score is a deterministic function of the hyperparameters.

The search space is written once in a neutral form (:class:`Param`) and
translated into each library's vocabulary by :mod:`benchmarks.spaces`.

The ranges below were chosen for this project from the estimators'
documentation and common practice; they are not copied from any other suite.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np

__all__ = ["Param", "Task", "TASKS", "DEFAULT_TASKS", "get_task", "Real", "Int", "Cat"]


@dataclass(frozen=True)
class Param:
    """One hyperparameter in a library-neutral form.

    kind is "real", "int" or "cat". For "real" and "int", ``low`` and ``high``
    are inclusive bounds and ``log`` asks for a log-uniform prior. For "cat",
    ``choices`` lists the (unordered) values.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple = ()

    def describe(self):
        if self.kind == "cat":
            return f"{self.name} in {list(self.choices)}"
        scale = "log" if self.log else "lin"
        return f"{self.name}: {self.kind} [{self.low:g}, {self.high:g}] {scale}"


def Real(name, low, high, log=False):
    return Param(name, "real", float(low), float(high), bool(log))


def Int(name, low, high, log=False):
    return Param(name, "int", int(low), int(high), bool(log))


def Cat(name, *choices):
    return Param(name, "cat", choices=tuple(choices))


# --------------------------------------------------------------------------
# datasets
# --------------------------------------------------------------------------

_CLASSIFICATION = {"iris", "wine", "breast_cancer", "digits"}
_REGRESSION = {"diabetes"}


def _load_raw(name):
    from sklearn import datasets

    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
        "diabetes": datasets.load_diabetes,
    }[name]
    X, y = loader(return_X_y=True)
    return np.asarray(X, dtype=float), np.asarray(y)


@dataclass
class Task:
    """A model x dataset x metric tuning problem.

    Parameters
    ----------
    name : str
        ``"<model>-<dataset>-<metric>"``.
    dataset : str
        One of iris, wine, breast_cancer, digits, diabetes.
    scoring : str
        A scikit-learn scorer name (greater is better).
    make_estimator : callable
        Returns a fresh, unfitted estimator with the fixed (non-searched)
        settings of the task.
    space : tuple of Param
        The searched hyperparameters.
    n_samples : int or None
        Subsample the dataset to this many rows (fixed seed) to keep fits cheap.
    features : {None, "poly2"}
        ``"poly2"`` expands the features with all degree-2 products (so that
        regularization matters for a linear model).
    """

    name: str
    dataset: str
    scoring: str
    make_estimator: Callable
    space: tuple
    n_samples: int | None = None
    features: str | None = None
    test_size: float = 0.25
    data_seed: int = 0
    cv_seed: int = 0
    notes: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_classification(self):
        return self.dataset in _CLASSIFICATION

    @property
    def model(self):
        return self.name.split("-")[0]

    @property
    def dim(self):
        return len(self.space)

    def load(self):
        """Return ``X_train, X_test, y_train, y_test`` (cached, deterministic)."""
        if "data" not in self._cache:
            self._cache["data"] = _prepare(
                self.dataset,
                self.n_samples,
                self.test_size,
                self.data_seed,
                self.features,
            )
        return self._cache["data"]

    def cv_splits(self, n_folds=5):
        """The fixed CV splits of the train part, as a list of index pairs."""
        from sklearn.model_selection import KFold, StratifiedKFold

        key = ("cv", n_folds)
        if key not in self._cache:
            X_train, _, y_train, _ = self.load()
            if self.is_classification:
                cv = StratifiedKFold(n_folds, shuffle=True, random_state=self.cv_seed)
            else:
                cv = KFold(n_folds, shuffle=True, random_state=self.cv_seed)
            self._cache[key] = [
                (np.asarray(tr), np.asarray(te))
                for tr, te in cv.split(X_train, y_train)
            ]
        return self._cache[key]

    def signature(self, n_folds):
        """A short hash of everything that defines the objective function.

        Used to key the cached random baseline: change the space, the data,
        the estimator's fixed settings, the folds or the scikit-learn minor
        version and the baseline is rebuilt.
        """
        import sklearn

        est = self.make_estimator()
        payload = {
            "name": self.name,
            "dataset": self.dataset,
            "scoring": self.scoring,
            "estimator": type(est).__name__,
            "fixed_params": {k: repr(v) for k, v in sorted(est.get_params().items())},
            "space": [p.describe() for p in self.space],
            "n_samples": self.n_samples,
            "features": self.features,
            "test_size": self.test_size,
            "data_seed": self.data_seed,
            "cv_seed": self.cv_seed,
            "n_folds": n_folds,
            "sklearn": ".".join(sklearn.__version__.split(".")[:2]),
        }
        blob = json.dumps(payload, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


@lru_cache(maxsize=None)
def _prepare(dataset, n_samples, test_size, seed, features=None):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    X, y = _load_raw(dataset)
    classification = dataset in _CLASSIFICATION
    rng = np.random.RandomState(seed)
    if n_samples is not None and n_samples < len(y):
        if classification:
            idx, _ = train_test_split(
                np.arange(len(y)), train_size=n_samples, stratify=y, random_state=rng
            )
        else:
            idx = rng.choice(len(y), n_samples, replace=False)
        idx = np.sort(idx)
        X, y = X[idx], y[idx]
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=test_size,
        stratify=y if classification else None,
        random_state=seed,
    )
    if features == "poly2":
        poly = PolynomialFeatures(2, include_bias=False).fit(X_train)
        X_train, X_test = poly.transform(X_train), poly.transform(X_test)
    elif features is not None:
        raise ValueError(f"unknown features {features!r}")
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if not classification:
        mu, sd = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mu) / sd, (y_test - mu) / sd
    for a in (X_train, X_test, y_train, y_test):
        a.setflags(write=False)
    return X_train, X_test, y_train, y_test


# --------------------------------------------------------------------------
# estimators (fixed settings; the searched ones come from the space)
# --------------------------------------------------------------------------


def _knn_clf():
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier()


def _knn_reg():
    from sklearn.neighbors import KNeighborsRegressor

    return KNeighborsRegressor()


def _svc():
    from sklearn.svm import SVC

    return SVC(random_state=0)


def _svr():
    from sklearn.svm import SVR

    return SVR()


def _tree_clf():
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=0)


def _rf_clf():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=10, random_state=0)


def _rf_reg():
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=10, random_state=0)


def _mlp_clf():
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(solver="adam", max_iter=50, random_state=0)


def _mlp_reg():
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(solver="adam", max_iter=50, random_state=0)


def _ada_clf():
    from sklearn.ensemble import AdaBoostClassifier

    return AdaBoostClassifier(random_state=0)


def _lasso():
    from sklearn.linear_model import Lasso

    return Lasso(max_iter=2000, random_state=0)


def _logreg():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=200)


def _logreg_liblinear():
    from sklearn.linear_model import LogisticRegression

    # liblinear shuffles with random_state; unseeded, CV scores are not reproducible
    return LogisticRegression(solver="liblinear", max_iter=200, random_state=0)


# --------------------------------------------------------------------------
# spaces
# --------------------------------------------------------------------------

KNN_CLF = (
    Int("n_neighbors", 1, 40, log=True),
    Cat("weights", "uniform", "distance"),
    Real("p", 1.0, 4.0),
)
KNN_REG = KNN_CLF

SVC_SPACE = (
    Real("C", 1e-2, 1e3, log=True),
    Real("gamma", 1e-5, 1e1, log=True),
    Real("tol", 1e-5, 1e-1, log=True),
)
SVR_SPACE = (
    Real("C", 1e-2, 1e3, log=True),
    Real("gamma", 1e-4, 1e1, log=True),
    Real("epsilon", 1e-3, 1e0, log=True),
)
TREE_SPACE = (
    Int("max_depth", 1, 20),
    Real("min_samples_split", 0.005, 0.5, log=True),
    Real("min_samples_leaf", 0.001, 0.2, log=True),
    Real("max_features", 0.05, 1.0),
    Real("min_impurity_decrease", 0.0, 0.05),
    Cat("criterion", "gini", "entropy"),
)
RF_CLF_SPACE = (
    Int("max_depth", 1, 20),
    Real("max_features", 0.05, 1.0),
    Int("min_samples_split", 2, 40, log=True),
    Int("min_samples_leaf", 1, 20, log=True),
    Real("min_weight_fraction_leaf", 0.0, 0.3),
    Cat("criterion", "gini", "entropy"),
)
RF_REG_SPACE = (
    Int("max_depth", 1, 20),
    Real("max_features", 0.05, 1.0),
    Int("min_samples_split", 2, 40, log=True),
    Int("min_samples_leaf", 1, 20, log=True),
    Real("min_weight_fraction_leaf", 0.0, 0.3),
    Cat("criterion", "squared_error", "absolute_error"),
)
MLP_SPACE = (
    Int("hidden_layer_sizes", 8, 128, log=True),
    Real("alpha", 1e-6, 1e1, log=True),
    Int("batch_size", 16, 64, log=True),
    Real("learning_rate_init", 1e-4, 1e-1, log=True),
    Real("beta_1", 0.5, 0.99),
    Real("tol", 1e-5, 1e-1, log=True),
)
ADA_SPACE = (
    Int("n_estimators", 10, 100, log=True),
    Real("learning_rate", 1e-3, 1e1, log=True),
)
LASSO_SPACE = (
    Real("alpha", 1e-4, 1e1, log=True),
    Real("tol", 1e-5, 1e-1, log=True),
    Cat("selection", "cyclic", "random"),
)
LOGREG_SPACE = (
    Real("C", 1e-4, 1e3, log=True),
    Real("tol", 1e-6, 1e-1, log=True),
    Real("intercept_scaling", 1e-2, 1e2, log=True),
    Cat("l1_ratio", 0.0, 1.0),
)
LOGREG_MC_SPACE = (
    Real("C", 1e-4, 1e3, log=True),
    Real("tol", 1e-6, 1e-1, log=True),
    Cat("fit_intercept", True, False),
)


# --------------------------------------------------------------------------
# the suite
# --------------------------------------------------------------------------

_ALL = [
    Task("knn-iris-nll", "iris", "neg_log_loss", _knn_clf, KNN_CLF),
    Task("knn-diabetes-mae", "diabetes", "neg_mean_absolute_error", _knn_reg, KNN_REG),
    Task("svm-breast-auc", "breast_cancer", "roc_auc", _svc, SVC_SPACE),
    Task("svm-diabetes-mse", "diabetes", "neg_mean_squared_error", _svr, SVR_SPACE),
    Task("dt-digits-acc", "digits", "accuracy", _tree_clf, TREE_SPACE),
    Task("rf-breast-nll", "breast_cancer", "neg_log_loss", _rf_clf, RF_CLF_SPACE),
    Task(
        "rf-diabetes-mae", "diabetes", "neg_mean_absolute_error", _rf_reg, RF_REG_SPACE
    ),
    Task("mlp-wine-nll", "wine", "neg_log_loss", _mlp_clf, MLP_SPACE),
    Task("mlp-diabetes-mse", "diabetes", "neg_mean_squared_error", _mlp_reg, MLP_SPACE),
    Task("ada-digits-acc", "digits", "accuracy", _ada_clf, ADA_SPACE, n_samples=600),
    Task(
        "lasso-diabetes-mse",
        "diabetes",
        "neg_mean_squared_error",
        _lasso,
        LASSO_SPACE,
        features="poly2",
    ),
    Task(
        "linear-breast-nll",
        "breast_cancer",
        "neg_log_loss",
        _logreg_liblinear,
        LOGREG_SPACE,
    ),
    Task(
        "linear-digits-nll",
        "digits",
        "neg_log_loss",
        _logreg,
        LOGREG_MC_SPACE,
        n_samples=600,
    ),
]

TASKS = {t.name: t for t in _ALL}
DEFAULT_TASKS = [t.name for t in _ALL]


def get_task(name):
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"unknown task {name!r}; known: {', '.join(TASKS)}") from None
