"""BayesSearchCV passes scikit-learn's estimator checks, with no exceptions."""

import warnings

import pytest
from scipy.stats import loguniform
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhyper import BayesSearchCV, Real

# As in scikit-learn's own instances of its searches, fit errors are raised
# (error_score="raise") so that checks expecting an error see it.
INSTANCES = [
    BayesSearchCV(
        Ridge(), {"alpha": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=3,
        cv=2, error_score="raise", random_state=0,
    ),
    BayesSearchCV(
        LogisticRegression(), param_distributions={"C": loguniform(1e-2, 1e2)},
        n_iter=3, n_points=2, cv=2, error_score="raise", random_state=0,
    ),
    # A finite space searched whole (its size is n_iter).
    BayesSearchCV(
        LogisticRegression(), param_grid={"C": [0.1, 1.0]}, n_iter=2, cv=2,
        error_score="raise", random_state=0,
    ),
]


def _name(check):
    return getattr(check, "func", check).__name__


def _checks(estimators):
    # scikit-learn < 1.6 hands pytest a generator, which pytest >= 9 rejects.
    mark = parametrize_with_checks(estimators)
    names, values = mark.args
    return pytest.mark.parametrize(names, list(values), **mark.kwargs)


@_checks(INSTANCES)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        if _name(check) == "check_supervised_y_no_nan":
            # A classifier's CV splitter inspects y (type_of_target) before
            # any validation rejects it; numpy >= 2 warns on casting inf.
            warnings.filterwarnings(
                "ignore", "invalid value encountered in cast", RuntimeWarning
            )
        check(estimator)
