"""Checkpoint fingerprints: by value, the same in every process, and a refusal
that says what differs."""

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scipy.stats import loguniform, norm, poisson, randint, uniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, mean_squared_error
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import skhyper
from skhyper import BayesSearchCV, Categorical, Integer, Real, SuccessiveHalvingSearchCV
from skhyper.resume._fingerprint import describe, fingerprint

X, y = make_classification(n_samples=60, random_state=0)

# Every kind of value a search is built from; built the same way in a child
# process by the code below, so it must be described identically there.
OBJECTS = """
import functools
import numpy as np
from scipy.stats import loguniform, norm, poisson, randint, uniform
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC
from skhyper import Categorical, Integer, Real

objects = {
    "distributions": [loguniform(1e-3, 1e2), uniform(loc=0.5, scale=2.0),
                      norm(1, scale=3), randint(1, 10), poisson(2, loc=1)],
    "dimensions": [Real(1e-2, 1e2, prior="log-uniform"), Integer(1, 5),
                   Categorical([None, SVC(C=2.0), "x"])],
    "estimators": Pipeline([("scale", StandardScaler()),
                            ("f", FunctionTransformer(np.log1p)),
                            ("clf", LogisticRegression(C=0.5))]),
    "random_state": LogisticRegression(random_state=np.random.RandomState(0)),
    "splitters": [KFold(3, shuffle=True, random_state=0),
                  StratifiedKFold(4, shuffle=True,
                                  random_state=np.random.RandomState(1))],
    "scorers": [make_scorer(mean_squared_error, greater_is_better=False),
                {"a": "accuracy", "b": make_scorer(mean_squared_error)}],
    "callables": [functools.partial(mean_squared_error, squared=False), np.mean,
                  len, object()],
    "values": [1, 2.5, float("nan"), -float("inf"), (1, "a"), {3: "b"}, True,
               np.float32(0.5), np.arange(4), np.zeros(100)],
}
"""


def _objects():
    namespace = {}
    exec(OBJECTS, namespace)
    return namespace["objects"]


def test_description_is_the_same_in_another_process(tmp_path):
    script = tmp_path / "describe.py"
    script.write_text(
        OBJECTS + "import json\nfrom skhyper.resume._fingerprint import describe\n"
        "print(json.dumps({k: describe(v) for k, v in objects.items()}))\n"
    )
    root = Path(skhyper.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, str(script)], env=env, check=True,
                         capture_output=True, text=True).stdout
    here = json.loads(json.dumps({k: describe(v) for k, v in _objects().items()}))
    child = json.loads(out)
    # object() has no value: only its class (and no address) is compared.
    assert child == here
    assert not re.search(r"0x[0-9a-fA-F]{4,}", out)


def test_distributions_are_described_by_family_shapes_loc_and_scale():
    assert describe(loguniform(1e-3, 1e2)) == {
        "distribution": "loguniform", "discrete": False,
        "args": {"a": 0.001, "b": 100.0, "loc": 0, "scale": 1},
    }
    # Positional and keyword arguments that mean the same compare equal.
    assert describe(norm(1.0, 2.0)) == describe(norm(loc=1.0, scale=2.0))
    assert describe(poisson(2, 1)) == describe(poisson(mu=2, loc=1))
    assert describe(randint(1, 10))["args"] == {"low": 1, "high": 10, "loc": 0}
    assert describe(uniform(0, 1)) != describe(uniform(0, 2))


def test_estimators_are_described_by_class_and_nested_parameters():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC(C=2.0))])
    description = describe(pipe)
    assert description["estimator"] == "sklearn.pipeline.Pipeline"
    steps = description["params"]["steps"]
    assert steps[1]["tuple"][1]["estimator"].endswith(".SVC")
    assert steps[1]["tuple"][1]["params"]["C"] == 2.0
    assert describe(pipe) == describe(
        Pipeline([("scale", StandardScaler()), ("clf", SVC(C=2.0))])
    )


def test_lambdas_are_told_apart_by_their_code():
    assert describe(lambda x: x + 1) != describe(lambda x: x + 2)
    assert describe(lambda x: x + 1) == describe(lambda x: x + 1)
    assert describe(functools.partial(max, 1)) != describe(functools.partial(max, 2))


@pytest.mark.parametrize(
    "first, second",
    [
        ({"C": [0.1, 1.0]}, {"C": Categorical([0.1, 1.0])}),
        ({"C": (1, 10)}, {"C": Integer(1, 10)}),
        ({"C": (1e-2, 1e2, "log-uniform")}, [{"C": Real(1e-2, 1e2, "log-uniform")}]),
    ],
)
def test_ways_of_writing_the_same_space_have_one_fingerprint(first, second):
    search = BayesSearchCV(LogisticRegression(), first)
    assert fingerprint(search, first, X, y) == fingerprint(search, second, X, y)


def _refusal(tmp_path, first, second):
    path = tmp_path / "search.ckpt"
    first.set_params(checkpoint=path, n_iter=2, random_state=0).fit(X, y)
    second.set_params(checkpoint=path, n_iter=2, random_state=0)
    with pytest.raises(ValueError) as error:
        second.fit(X, y)
    message = str(error.value)
    assert str(path) in message and "0x" not in message
    return message


def _pipeline_search(**params):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    search = BayesSearchCV(pipe, {"clf__C": loguniform(1e-3, 1e2)}, scoring="accuracy",
                           cv=KFold(2, shuffle=True, random_state=0))
    return search.set_params(**params)


@pytest.mark.parametrize(
    "change, expected",
    [
        (dict(search_spaces={"clf__C": loguniform(1e-2, 1e2)}),
         "search_spaces['clf__C']: stored loguniform(a=0.001, b=100.0), this search "
         "has loguniform(a=0.01, b=100.0)"),
        (dict(estimator=Pipeline([("scale", StandardScaler()),
                                  ("clf", LogisticRegression(tol=0.01))])),
         "estimator.steps['clf'].tol: stored 0.0001, this search has 0.01"),
        (dict(scoring=make_scorer(mean_squared_error, greater_is_better=False)),
         # scikit-learn's own repr of the scorer (its wording varies by release)
         "scoring: stored 'accuracy', this search has make_scorer(mean_squared_error, "
         "greater_is_better=False"),
        (dict(cv=KFold(2, shuffle=True, random_state=1)),
         "cv.random_state: stored 0, this search has 1"),
    ],
)
def test_another_search_is_refused_naming_what_differs(tmp_path, change, expected):
    message = _refusal(tmp_path, _pipeline_search(), _pipeline_search(**change))
    assert expected in message


def test_estimator_choices_in_a_space_are_compared_choice_by_choice(tmp_path):
    first = BayesSearchCV(Pipeline([("clf", SVC())]),
                          {"clf": [SVC(C=1.0), LogisticRegression()]})
    second = BayesSearchCV(Pipeline([("clf", SVC())]),
                           {"clf": [SVC(C=2.0), LogisticRegression()]})
    message = _refusal(tmp_path, first, second)
    assert "search_spaces['clf'][0].C: stored 1.0, this search has 2.0" in message


def test_other_data_and_schedule_are_named_in_words(tmp_path):
    def make(factor):
        return SuccessiveHalvingSearchCV(
            LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, factor=factor,
            min_resources=20, cv=2, random_state=0,
            checkpoint=tmp_path / "search.ckpt",
        )

    make(2).fit(X, y)
    with pytest.raises(ValueError, match="factor: stored 2, this search has 3"):
        make(3).fit(X, y)
    with pytest.raises(ValueError, match="different data: the X and y passed to fit"):
        make(2).fit(X + 1, y)
