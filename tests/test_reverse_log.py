"""Reverse-log-uniform dimensions in every search, checkpoints and plots."""

import matplotlib
import numpy as np
import pytest
from search_doubles import FirstClassClassifier
from sklearn.datasets import make_classification

from skhyper import (
    BayesSearchCV,
    HyperbandSearchCV,
    Real,
    SuccessiveHalvingSearchCV,
)
from skhyper.plots import ParameterScoreDisplay

matplotlib.use("Agg")

X, y = make_classification(n_samples=120, random_state=0)


class Momentum(FirstClassClassifier):
    """Scores best at ``momentum = 0.99``, on the log(1 - momentum) scale."""

    def __init__(self, momentum=0.9, n_estimators=1):
        self.momentum = momentum
        self.n_estimators = n_estimators

    def score(self, X, y):
        return -abs(np.log10(1 - self.momentum) + 2)


SPACE = {"momentum": Real(0.9, 0.9999, prior="reverse-log-uniform")}


@pytest.mark.parametrize(
    "make",
    [
        lambda: BayesSearchCV(Momentum(), SPACE, n_iter=15, cv=2, random_state=0),
        lambda: SuccessiveHalvingSearchCV(
            Momentum(), SPACE, n_candidates=9, cv=2, random_state=0
        ),
        lambda: HyperbandSearchCV(
            Momentum(), SPACE, resource="n_estimators", min_resources=1,
            max_resources=9, cv=2, random_state=0,
        ),
    ],
    ids=["bayes", "halving", "hyperband"],
)
def test_every_search_samples_inside_the_bounds_and_finds_the_peak(make):
    search = make().fit(X, y)
    values = np.array([p["momentum"] for p in search.cv_results_["params"]])
    assert np.all((values >= 0.9) & (values <= 0.9999))
    assert all(type(p["momentum"]) is float for p in search.cv_results_["params"])
    assert search.best_score_ > -0.35  # within a factor ~2 of 1 - 0.99


def test_bayes_search_concentrates_near_the_peak_on_the_log_scale():
    search = BayesSearchCV(Momentum(), SPACE, n_iter=20, cv=2, random_state=0)
    search.fit(X, y)
    assert search.best_score_ > -0.1
    assert 0.98 < search.best_params_["momentum"] < 0.995


def test_checkpoint_stores_plain_floats_and_resumes(tmp_path):
    path = tmp_path / "ckpt.json"
    first = BayesSearchCV(Momentum(), SPACE, n_iter=8, cv=2, random_state=0,
                          checkpoint=path).fit(X, y)
    text = path.read_text()
    assert '"momentum": 0.9' in text
    again = BayesSearchCV(Momentum(), SPACE, n_iter=8, cv=2, random_state=0,
                          checkpoint=path).fit(X, y)
    assert [p["momentum"] for p in again.cv_results_["params"]] == [
        p["momentum"] for p in first.cv_results_["params"]
    ]


def test_parameter_plot_uses_a_reverse_log_axis():
    search = BayesSearchCV(Momentum(), SPACE, n_iter=8, cv=2, random_state=0)
    display = ParameterScoreDisplay.from_search(search.fit(X, y))
    axis = display.axes_.ravel()[0]
    assert axis.get_xscale() == "function"
    assert display.log_scale == {"momentum": "reverse"}
