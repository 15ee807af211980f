"""Random spaces and parameters: a search fits or raises ValueError/TypeError
with a message, never an internal error (IndexError, KeyError, LinAlgError...)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning

import skhyper
from skhyper import Categorical, Integer, Real

X = np.random.RandomState(0).normal(size=(30, 2))
y = np.array([0, 1] * 15)
NAMES = ["a", "b", "c"]


class Sink(ClassifierMixin, BaseEstimator):
    """Takes any value for a, b, c; scores a hash of them; may fail on request."""

    def __init__(self, a=None, b=None, c=None, fail_below=None, n_rounds=10):
        self.a = a
        self.b = b
        self.c = c
        self.fail_below = fail_below
        self.n_rounds = n_rounds  # a resource for the halving searches

    def fit(self, X, y):
        value = self._value()
        if self.fail_below is not None and value < self.fail_below:
            raise RuntimeError("this region fails")
        self.classes_ = np.unique(y)
        return self

    def _value(self):
        text = repr((self.a, self.b, self.c))
        return (sum(map(ord, text)) % 97) / 97

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        value = self._value()
        return np.nan if value > 0.95 else value


numbers_ = st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False))
raw_values = st.one_of(
    st.lists(st.one_of(numbers_, st.none(), st.text(max_size=3), st.booleans()),
             max_size=4),
    st.tuples(numbers_, numbers_),
    st.tuples(numbers_, numbers_, st.sampled_from(["log-uniform", "uniform", "x"])),
    st.sampled_from([stats.uniform(0, 1), stats.loguniform(1e-3, 1),
                     stats.randint(0, 3), stats.norm(0, 1)]),
    st.builds(lambda lo, w: Real(lo, lo + w), st.floats(-3, 3), st.floats(0.1, 3)),
    st.builds(lambda lo, w: Integer(lo, lo + w), st.integers(-3, 3),
              st.integers(1, 4)),
    st.builds(Categorical, st.lists(st.integers(0, 3), min_size=1, max_size=3)),
    numbers_,  # not a valid dimension
)


valid_values = st.one_of(
    st.lists(st.one_of(numbers_, st.none(), st.text(max_size=3)), min_size=1,
             max_size=4, unique_by=repr),
    st.sampled_from([stats.uniform(0, 1), stats.loguniform(1e-3, 1),
                     stats.randint(0, 3), stats.norm(0, 1), (1, 4), (0.1, 2.0),
                     (1e-3, 1.0, "log-uniform")]),
    st.builds(Categorical, st.lists(st.integers(0, 3), min_size=1, max_size=3,
                                    unique=True)),
)
valid_spaces = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), valid_values, min_size=1, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(NAMES), valid_values, max_size=3),
             min_size=1, max_size=3),
)

subspaces = st.dictionaries(
    st.sampled_from(NAMES + ["zz"]), raw_values, min_size=0, max_size=3
)
spaces = st.one_of(subspaces, st.lists(subspaces, min_size=0, max_size=3))

def mostly(valid, invalid):
    """Valid values most of the time, so that searches also run to the end."""
    return st.integers(0, 7).flatmap(lambda k: invalid if k == 0 else valid)


bayes_params = st.fixed_dictionaries(
    {
        "n_iter": mostly(st.integers(1, 6), st.integers(-1, 0)),
        "n_points": mostly(st.one_of(st.integers(1, 3), st.just("auto")),
                           st.integers(-1, 0)),
        "acq_func": mostly(st.sampled_from(["EI", "pi", "LCB"]),
                           st.sampled_from(["gp_hedge", "nope"])),
        "surrogate": mostly(st.sampled_from(["gp", "forest", "auto"]),
                            st.just("tree")),
        "n_initial_points": mostly(st.one_of(st.none(), st.integers(1, 4)),
                                   st.integers(-1, 0)),
        "cv": mostly(st.sampled_from([2, 3]), st.sampled_from([1, 0])),
        "error_score": st.sampled_from([np.nan, 0.0, "raise"]),
    }
)


halving_params = st.fixed_dictionaries(
    {
        "factor": mostly(st.sampled_from([2, 3, 1.5]), st.sampled_from([1, 0.5])),
        "resource": mostly(st.just("n_rounds"), st.sampled_from(["zz", "a"])),
        "min_resources": mostly(st.one_of(st.integers(1, 3), st.just("auto")),
                                st.integers(-1, 0)),
        "max_resources": mostly(st.one_of(st.integers(4, 12), st.just("auto")),
                                st.integers(0, 2)),
        "proposer": mostly(st.sampled_from(["auto", "grid", "random", "bayes"]),
                           st.just("tpe")),
        "cv": mostly(st.just(2), st.just(1)),
        "error_score": st.sampled_from([np.nan, 0.0]),
    }
)


def _assert_clean_outcome(make_search, space, fail_below):
    try:
        search = make_search(Sink(fail_below=fail_below), space)
        with warnings.catch_warnings():
            # Failures and non-finite scores are part of the game here.
            warnings.simplefilter("ignore", FitFailedWarning)
            warnings.simplefilter("ignore", UserWarning)
            search.fit(X, y)
    except (ValueError, TypeError) as exc:
        assert str(exc), "errors must say what is wrong"
        return
    except RuntimeError as exc:  # error_score="raise" re-raises the fit error
        assert "this region fails" in str(exc)
        return
    assert len(search.cv_results_["params"]) >= 1
    assert search.best_params_ in search.cv_results_["params"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces, params=bayes_params,
       fail_below=st.one_of(st.none(), st.floats(0, 1)))
def test_bayes_search_never_fails_with_an_internal_error(space, params, fail_below):
    _assert_clean_outcome(
        lambda est, sp: skhyper.BayesSearchCV(est, sp, random_state=0, **params),
        space, fail_below,
    )


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(space=valid_spaces, n_iter=st.integers(1, 8), n_points=st.integers(1, 3),
       surrogate=st.sampled_from(["gp", "forest"]),
       fail_below=st.one_of(st.none(), st.floats(0, 0.5)))
def test_bayes_search_runs_to_the_end_on_any_valid_space(
    space, n_iter, n_points, surrogate, fail_below
):
    _assert_clean_outcome(
        lambda est, sp: skhyper.BayesSearchCV(
            est, sp, n_iter=n_iter, n_points=n_points, surrogate=surrogate, cv=2,
            random_state=0,
        ),
        space, fail_below,
    )


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(space=spaces, params=halving_params, hyperband=st.booleans(),
       n_candidates=mostly(st.one_of(st.integers(1, 6), st.just("auto")),
                           st.integers(-1, 0)),
       aggressive=st.booleans(), fail_below=st.one_of(st.none(), st.floats(0, 1)))
def test_halving_searches_never_fail_with_an_internal_error(
    space, params, hyperband, n_candidates, aggressive, fail_below
):
    def make(est, sp):
        if hyperband:
            return skhyper.HyperbandSearchCV(est, sp, random_state=0, **params)
        return skhyper.SuccessiveHalvingSearchCV(
            est, sp, n_candidates=n_candidates, aggressive_elimination=aggressive,
            random_state=0, **params,
        )

    _assert_clean_outcome(make, space, fail_below)


@pytest.mark.parametrize("n_iter", [0, -3])
def test_bad_n_iter_is_named(n_iter):
    with pytest.raises(ValueError, match="n_iter"):
        skhyper.BayesSearchCV(Sink(), {"a": [1, 2]}, n_iter=n_iter).fit(X, y)
