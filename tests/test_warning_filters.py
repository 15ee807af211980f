"""A search on threads leaves the process's warning filters as it found them."""

import sys
import warnings

import joblib
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

from skhyper import BayesSearchCV, SuccessiveHalvingSearchCV
from skhyper.scheduling import _warning_filters

X, y = make_classification(n_samples=200, random_state=0)
SPACE = {"max_depth": [2, 3, 4, None], "min_samples_leaf": [1, 2, 4, 8]}
SENTINEL = "a user's own filter, set before the search"


@pytest.fixture
def frequent_thread_switches():
    # Thread switches every 10 microseconds instead of 5 ms: the interleavings
    # of catch_warnings that a long search meets by chance, in a few fits.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def _searches():
    # A forest runs scikit-learn's Parallel inside every fit: each of its
    # tasks enters and leaves catch_warnings in the thread of that fit.
    forest = RandomForestClassifier(n_estimators=4, random_state=0)
    for seed in range(4):
        yield SuccessiveHalvingSearchCV(
            forest, SPACE, asynchronous="asha", n_candidates=12, n_jobs=2,
            resource="n_estimators", min_resources=4, max_resources=16,
            random_state=seed,
        )
        yield BayesSearchCV(forest, SPACE, n_iter=6, n_jobs=2, random_state=seed)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_threaded_search_keeps_the_users_warning_filters(frequent_thread_switches):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=SENTINEL)
        found = list(warnings.filters)
        for search in _searches():
            with joblib.parallel_config(backend="threading"):
                search.fit(X, y)
            # Filters added during the fit may stay (an import adds its own;
            # so may a thread's context that the race left behind): every
            # filter found must still be there, in its order.
            kept = [item for item in warnings.filters if item in found]
            assert kept == found, type(search).__name__
            assert search.best_score_ > 0.5


class LeftoverWarning(UserWarning):
    pass


def _lost_every_filter():
    warnings.resetwarnings()
    warnings.simplefilter("ignore", LeftoverWarning)  # a leftover context's


def test_lost_filters_come_back_first_and_later_additions_stay():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=SENTINEL)
        found = list(warnings.filters)
        with _warning_filters.kept():
            _lost_every_filter()
        assert warnings.filters[: len(found)] == found
        assert warnings.filters[len(found) :] == [
            ("ignore", None, LeftoverWarning, None, 0)
        ]


def test_filters_only_added_to_are_left_alone():
    with warnings.catch_warnings():
        with _warning_filters.kept():
            warnings.simplefilter("error", LeftoverWarning)
        assert warnings.filters[0] == ("error", None, LeftoverWarning, None, 0)


def test_a_lost_filter_works_again_once_restored():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=SENTINEL)
        with _warning_filters.kept():
            _lost_every_filter()
        with pytest.raises(UserWarning, match=SENTINEL):
            warnings.warn(SENTINEL, UserWarning)
