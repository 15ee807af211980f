"""Tasks of the halving benchmark: models whose fits cost something.

Each task fixes a dataset (generated or bundled with scikit-learn, no
download), one train/test split, one list of CV folds, an estimator with its
fixed settings, a search space (the neutral ``Param`` form of
``benchmarks.tasks``, translated per library by ``benchmarks.spaces``), the
resource that grows from rung to rung and the explicit halving arguments
(``factor``, ``min_resources``, ``max_resources``, ``n_candidates``) that
every successive-halving method receives.

See ``halving_benchmark.py`` for the methods and what is measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from benchmarks.tasks import Cat, Int, Real

__all__ = ["HalvingConfig", "HalvingTask", "HALVING_TASKS", "get_halving_task"]

TEST_SIZE = 0.25
SPLIT_SEED = 0
CV_FOLDS = 3
CV_SEED = 0


@dataclass(frozen=True)
class HalvingConfig:
    """Explicit successive-halving arguments, identical for every library."""

    factor: int
    min_resources: int
    max_resources: int
    n_candidates: int | None  # None: the whole grid (HalvingGridSearchCV)

    def label(self):
        return f"f{self.factor}"


@dataclass(frozen=True)
class HalvingTask:
    name: str
    dataset: str
    make_estimator: object
    space: tuple
    resource: str  # "n_samples" or an estimator parameter
    configs: tuple  # HalvingConfig, the first one is the main (factor 3) one
    grid: dict | None = None  # set: a grid task (HalvingGridSearchCV)
    description: str = ""
    hb_min_resources: int | None = None  # Hyperband's r (default: configs[0])
    extra: dict = field(default_factory=dict)

    @property
    def main(self):
        return self.configs[0]

    @property
    def warm_capable(self):
        return self.resource != "n_samples"

    def data(self):
        return _data(self.dataset)

    def folds(self):
        return _folds(self.dataset)

    def estimator(self, resource_value=None):
        est = self.make_estimator()
        if resource_value is not None and self.resource != "n_samples":
            est.set_params(**{self.resource: int(resource_value)})
        return est


# --------------------------------------------------------------------------
# data: one split and one fold list per dataset, shared by every method
# --------------------------------------------------------------------------


def _raw(dataset):
    from sklearn.datasets import load_digits, make_classification, make_hastie_10_2

    if dataset == "clf2000":
        # 2000 samples, 20 features (8 informative, 4 redundant), 3% label noise
        return make_classification(
            n_samples=2000, n_features=20, n_informative=8, n_redundant=4,
            n_clusters_per_class=3, class_sep=0.8, flip_y=0.03, random_state=1,
        )
    if dataset == "clf3000":
        return make_classification(
            n_samples=3000, n_features=30, n_informative=10, n_redundant=5,
            n_clusters_per_class=2, class_sep=0.7, flip_y=0.03, random_state=2,
        )
    if dataset == "hastie4000":
        X, y = make_hastie_10_2(n_samples=4000, random_state=3)
        return X, (y > 0).astype(int)
    if dataset == "digits":
        return load_digits(return_X_y=True)
    raise ValueError(dataset)


@lru_cache(maxsize=None)
def _data(dataset):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = _raw(dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y, random_state=SPLIT_SEED
    )
    scaler = StandardScaler().fit(X_train)
    X_train = np.ascontiguousarray(scaler.transform(X_train))
    X_test = np.ascontiguousarray(scaler.transform(X_test))
    return X_train, X_test, y_train, y_test


@lru_cache(maxsize=None)
def _folds(dataset):
    """An explicit list of (train, test) index arrays, the same for everybody."""
    from sklearn.model_selection import StratifiedKFold

    X_train, _, y_train, _ = _data(dataset)
    cv = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=CV_SEED)
    return tuple((tr, te) for tr, te in cv.split(X_train, y_train))


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------


def _gb():
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=81, random_state=0)


def _rf():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=81, random_state=0)


def _svc():
    from sklearn.svm import SVC

    return SVC(kernel="rbf", cache_size=500)


def _mlp():
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(max_iter=60, random_state=0)


GB_SPACE = (
    Real("learning_rate", 0.01, 1.0, log=True),
    Int("max_depth", 1, 6),
    Real("max_features", 0.1, 1.0),
    Int("min_samples_leaf", 1, 64, log=True),
)
RF_SPACE = (
    Int("max_depth", 2, 30, log=True),
    Real("max_features", 0.05, 0.8),
    Int("min_samples_leaf", 1, 32, log=True),
    Cat("criterion", "gini", "entropy"),
)
SVC_SPACE = (
    Real("C", 1e-2, 1e3, log=True),
    Real("gamma", 1e-4, 1.0, log=True),
)
SVC_GRID = {
    "C": [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0],
    "gamma": [1e-4, 1e-3, 1e-2, 0.03, 0.1, 1.0],
}
MLP_SPACE = (
    Int("hidden_layer_sizes", 8, 256, log=True),
    Real("alpha", 1e-6, 1.0, log=True),
    Real("learning_rate_init", 1e-4, 0.1, log=True),
    Int("batch_size", 16, 256, log=True),
)


_ALL = [
    HalvingTask(
        "gb-clf2000",
        "clf2000",
        _gb,
        GB_SPACE,
        "n_estimators",
        (
            HalvingConfig(factor=3, min_resources=3, max_resources=81, n_candidates=27),
            HalvingConfig(factor=2, min_resources=2, max_resources=64, n_candidates=32),
        ),
        description="GradientBoostingClassifier, n_estimators 3..81 (f3) / 2..64 (f2)",
    ),
    HalvingTask(
        "rf-clf3000",
        "clf3000",
        _rf,
        RF_SPACE,
        "n_estimators",
        (
            HalvingConfig(factor=3, min_resources=3, max_resources=81, n_candidates=27),
            HalvingConfig(factor=2, min_resources=2, max_resources=64, n_candidates=32),
        ),
        description="RandomForestClassifier, n_estimators 3..81 (f3) / 2..64 (f2)",
    ),
    HalvingTask(
        "svm-hastie4000",
        "hastie4000",
        _svc,
        SVC_SPACE,
        "n_samples",
        (HalvingConfig(factor=3, min_resources=111, max_resources=3000, n_candidates=None),),
        grid=SVC_GRID,
        description="SVC (RBF), 6x6 grid of C x gamma (HalvingGridSearchCV), "
        "n_samples 111..3000",
    ),
    HalvingTask(
        "mlp-digits",
        "digits",
        _mlp,
        MLP_SPACE,
        "n_samples",
        # r=149, not 150: with 150, max_resources // min_resources = 8 < 9
        # leaves 2 rungs (150, 450) to both libraries' halving, and Hyperband
        # gets s_max=1 (first rung 449)
        (HalvingConfig(factor=3, min_resources=149, max_resources=1347, n_candidates=27),),
        description="MLPClassifier (adam, max_iter=60), n_samples 149..1347",
    ),
]

HALVING_TASKS = {t.name: t for t in _ALL}


def get_halving_task(name):
    return HALVING_TASKS[name]
