"""Every skhyper search passes scikit-learn's estimator checks, with no exceptions."""

import warnings

import pytest
from scipy.stats import loguniform
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from skhyper import (
    BayesSearchCV,
    HyperbandSearchCV,
    Real,
    SuccessiveHalvingSearchCV,
)

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
    SuccessiveHalvingSearchCV(
        Ridge(), {"alpha": Real(1e-2, 1e2, prior="log-uniform")}, n_candidates=3,
        cv=2, error_score="raise", random_state=0,
    ),
    SuccessiveHalvingSearchCV(
        LogisticRegression(), param_grid={"C": [0.1, 1.0]}, cv=2,
        error_score="raise", random_state=0,
    ),
    # An estimator-parameter resource, with warm-started fold models (gradient
    # boosting rejects missing values on every supported release; forests
    # take them from scikit-learn 1.4 on, which older tags cannot tell).
    SuccessiveHalvingSearchCV(
        GradientBoostingClassifier(random_state=0), {"max_depth": [1, 3]},
        resource="n_estimators", max_resources=4, min_resources=2, cv=2,
        error_score="raise", random_state=0,
    ),
    HyperbandSearchCV(
        Ridge(), {"alpha": Real(1e-2, 1e2, prior="log-uniform")},
        factor=2, cv=2, error_score="raise", random_state=0,
    ),
    HyperbandSearchCV(
        GradientBoostingClassifier(random_state=0),
        param_distributions={"learning_rate": Real(0.05, 0.5)},
        resource="n_estimators", max_resources=3, min_resources=1, cv=2,
        error_score="raise", random_state=0,
    ),
    # The asynchronous schedulers (fits outside evaluate_candidates).
    BayesSearchCV(
        Ridge(), {"alpha": Real(1e-2, 1e2, prior="log-uniform")}, n_iter=3,
        cv=2, error_score="raise", random_state=0, asynchronous=True,
    ),
    HyperbandSearchCV(
        GradientBoostingClassifier(random_state=0),
        param_distributions={"learning_rate": Real(0.05, 0.5)},
        resource="n_estimators", max_resources=3, min_resources=1, cv=2,
        error_score="raise", random_state=0, asynchronous="asha",
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
        # The checks' datasets of a few dozen samples leave Hyperband's
        # default floor room for a single bracket, which it warns about.
        warnings.filterwarnings("ignore", "HyperbandSearchCV: .* single bracket",
                                UserWarning)
        if _name(check) == "check_supervised_y_no_nan":
            # A classifier's CV splitter inspects y (type_of_target) before
            # any validation rejects it; numpy >= 2 warns on casting inf.
            warnings.filterwarnings(
                "ignore", "invalid value encountered in cast", RuntimeWarning
            )
        check(estimator)
