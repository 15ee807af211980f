"""Checkpoints, resume and warm starts: nothing already evaluated is run again."""

import json

import numpy as np
import pytest
from search_doubles import BatchedRandomSearch, FailsWhenC
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import Space
from skhyper.resume._checkpoint import decode_params, encode_params

X, y = make_classification(n_samples=60, random_state=0)
SPACE = {"C": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]}


@pytest.fixture(autouse=True)
def reset_counters():
    FailsWhenC.n_fits = 0
    FailsWhenC.interrupt = None
    yield
    FailsWhenC.interrupt = None


def _search(path, **kwargs):
    params = dict(n_iter=8, batch=2, cv=3, random_state=0, checkpoint=path)
    params.update(kwargs)
    return BatchedRandomSearch(FailsWhenC(), SPACE, **params)


def _interrupted_run(path, at_c):
    FailsWhenC.interrupt = at_c
    with pytest.raises(KeyboardInterrupt):
        _search(path).fit(X, y)
    FailsWhenC.interrupt = None


def test_checkpoint_is_plain_json_written_after_every_batch(tmp_path):
    path = tmp_path / "search.json"
    search = _search(path).fit(X, y)
    document = json.loads(path.read_text())
    assert document["format"] == "skhyper-checkpoint"
    assert len(document["params"]) == 8
    assert document["columns"]["mean_test_score"] == pytest.approx(
        list(search.cv_results_["mean_test_score"])
    )
    assert not list(tmp_path.glob(".skhyper-*"))  # no temporary file left


def test_resume_runs_only_what_is_missing(tmp_path):
    path = tmp_path / "search.json"
    reference = _search(None).fit(X, y)
    order = [p["C"] for p in reference.cv_results_["params"]]

    _interrupted_run(path, at_c=order[5])  # third batch interrupted
    stored = json.loads(path.read_text())
    assert len(stored["params"]) == 4  # two whole batches

    FailsWhenC.n_fits = 0
    resumed = _search(path).fit(X, y)
    assert FailsWhenC.n_fits == 4 * 3 + 1  # 4 candidates x 3 folds + refit
    assert [p["C"] for p in resumed.cv_results_["params"]] == order
    np.testing.assert_allclose(
        resumed.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
    assert resumed.best_params_ == reference.best_params_


def test_resume_without_random_state_replays_the_stored_seed(tmp_path):
    path = tmp_path / "search.json"
    first = _search(path, random_state=None).fit(X, y)
    FailsWhenC.n_fits = 0
    again = _search(path, random_state=None).fit(X, y)
    assert again.cv_results_["params"] == first.cv_results_["params"]
    # Nothing was left: only one re-scored candidate and the refit.
    assert FailsWhenC.n_fits == 3 + 1


def test_completed_checkpoint_gives_the_same_fitted_search(tmp_path):
    path = tmp_path / "search.json"
    first = _search(path).fit(X, y)
    again = _search(path).fit(X, y)
    assert again.cv_results_["params"] == first.cv_results_["params"]
    np.testing.assert_array_equal(
        again.cv_results_["rank_test_score"], first.cv_results_["rank_test_score"]
    )
    assert again.best_params_ == first.best_params_
    assert again.best_estimator_.C == first.best_estimator_.C


def test_shuffled_folds_are_stored_and_reused(tmp_path):
    path = tmp_path / "search.json"
    cv = KFold(3, shuffle=True)  # no seed: other folds on every split() call
    order = [p["C"] for p in _search(None).fit(X, y).cv_results_["params"]]
    FailsWhenC.interrupt = order[5]
    with pytest.raises(KeyboardInterrupt):
        _search(path, cv=cv).fit(X, y)
    FailsWhenC.interrupt = None
    stored = json.loads(path.read_text())
    resumed = _search(path, cv=cv).fit(X, y)
    assert json.loads(path.read_text())["splits"] == stored["splits"]
    # The restored rows keep their scores; new rows are scored on those folds.
    assert list(resumed.cv_results_["split0_test_score"][:4]) == pytest.approx(
        stored["columns"]["split0_test_score"]
    )


@pytest.mark.parametrize(
    "change, component",
    [
        (dict(estimator=FailsWhenC(bad=(9.0,))), "estimator"),
        (dict(search_spaces={"C": [1.0, 2.0]}), "search_spaces"),
        (dict(scoring="accuracy"), "scoring"),
        (dict(cv=4), "cv"),
        (dict(return_train_score=True), "return_train_score"),
    ],
)
def test_checkpoint_of_another_search_is_refused(tmp_path, change, component):
    path = tmp_path / "search.json"
    _search(path, n_iter=2).fit(X, y)
    search = _search(path, n_iter=2).set_params(**change)
    FailsWhenC.n_fits = 0
    with pytest.raises(ValueError, match=f"different {component}"):
        search.fit(X, y)
    assert FailsWhenC.n_fits == 0


def test_checkpoint_of_other_data_is_refused(tmp_path):
    path = tmp_path / "search.json"
    _search(path, n_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="different data"):
        _search(path, n_iter=2).fit(X[:50], y[:50])


def test_checkpoint_with_other_fit_parameters_is_refused(tmp_path):
    path = tmp_path / "search.json"
    weights = np.ones(len(y))

    def search():
        return BatchedRandomSearch(
            LogisticRegression(), {"C": [0.1, 1.0]}, n_iter=2, batch=2, cv=3,
            random_state=0, checkpoint=path,
        )

    search().fit(X, y, sample_weight=weights)
    search().fit(X, y, sample_weight=weights)  # the same weights resume
    with pytest.raises(ValueError, match=r"different fit_params: the fit parameters "
                       r"\['sample_weight'\] passed to fit are not those"):
        search().fit(X, y, sample_weight=2 * weights)
    with pytest.raises(ValueError, match="different fit_params"):
        search().fit(X, y)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda text: text[: len(text) // 2], "truncated or corrupted .not valid JSON"),
        (lambda text: "", "truncated or corrupted .not valid JSON"),
        (lambda text: text.replace('"skhyper-checkpoint"', '"other"'),
         "is not a skhyper checkpoint"),
        (lambda text: "[1, 2, 3]", "is not a skhyper checkpoint"),
        (lambda text: text.replace('"splits": [{"train": "', '"splits": [{"train": "!'),
         "truncated or corrupted"),
        (lambda text: text.replace('"columns": {', '"columns_": {'),
         "truncated or corrupted .its 'columns' entry is missing"),
        (lambda text: text.replace('"version": 2', '"version": 3'),
         "newer skhyper .format version 3; this one reads version 2"),
        (lambda text: text.replace('"version": 2', '"version": 1'),
         "older skhyper .format version 1"),
    ],
)
def test_damaged_checkpoint_is_a_clear_error_naming_the_file(tmp_path, damage, message):
    path = tmp_path / "search.json"
    _search(path, n_iter=2).fit(X, y)
    path.write_text(damage(path.read_text()))
    FailsWhenC.n_fits = 0
    with pytest.raises(ValueError, match=message) as error:
        _search(path, n_iter=2).fit(X, y)
    assert str(path) in str(error.value)
    assert FailsWhenC.n_fits == 0


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "search.json"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match="cannot be read"):
        _search(path, n_iter=2).fit(X, y)


def test_categories_are_stored_by_index_and_restored_as_the_space_objects():
    svc, lr = SVC(), LogisticRegression()
    space = Space([{"clf": [svc, lr], "clf__C": (0.1, 10.0)}, {"scale": [None, "x"]}])
    points = [{"clf": lr, "clf__C": 0.5}, {"scale": None}, {"scale": "x"}]
    encoded = [encode_params(space, p) for p in points]
    assert json.loads(json.dumps(encoded)) == encoded
    decoded = [decode_params(space, e) for e in encoded]
    assert decoded[0]["clf"] is lr and decoded[0]["clf__C"] == 0.5
    assert decoded[1:] == points[1:]


def test_checkpoint_with_estimator_choices_round_trips(tmp_path):
    path = tmp_path / "search.json"
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    space = {"clf": [LogisticRegression(), SVC()], "scale": [None, StandardScaler()]}
    first = BatchedRandomSearch(
        pipe, space, n_iter=4, cv=2, random_state=0, checkpoint=path
    ).fit(X, y)
    again = BatchedRandomSearch(
        pipe, space, n_iter=4, cv=2, random_state=0, checkpoint=path
    ).fit(X, y)
    assert [repr(p) for p in again.cv_results_["params"]] == [
        repr(p) for p in first.cv_results_["params"]
    ]


def test_warm_start_from_a_fitted_search_pays_only_for_new_evaluations():
    first = BatchedRandomSearch(FailsWhenC(), SPACE, n_iter=4, cv=3, random_state=0)
    first.fit(X, y)
    FailsWhenC.n_fits = 0
    wider = {"C": SPACE["C"] + [9.0, 10.0]}
    second = BatchedRandomSearch(
        FailsWhenC(), wider, n_iter=10, cv=3, random_state=1, warm_start_from=first
    ).fit(X, y)
    params = second.cv_results_["params"]
    assert params[:4] == first.cv_results_["params"]
    assert len(params) == 10
    assert second.best_params_ == {"C": max(p["C"] for p in params)}


def test_warm_start_from_scores_informs_the_search_only():
    class SeesPrior(BatchedRandomSearch):
        def _search(self, space, evaluator, rng):
            self.seen_prior_ = [(e.params, e.score) for e in evaluator.earlier]
            super()._search(space, evaluator, rng)

    search = SeesPrior(
        FailsWhenC(), SPACE, n_iter=2, cv=3, random_state=0,
        warm_start_from=[({"C": 1.0}, 0.5)],
    ).fit(X, y)
    assert search.seen_prior_ == [({"C": 1.0}, 0.5)]
    assert len(search.cv_results_["params"]) == 2


@pytest.mark.parametrize(
    "earlier, error, match",
    [
        (3, TypeError, "warm_start_from"),
        ([({"C": 99.0}, 0.5)], ValueError, "not a point"),
        ([("C", 0.5)], TypeError, "pairs"),
        ({"nothing": []}, ValueError, "warm_start_from"),
    ],
)
def test_bad_warm_start_raises_before_any_fit(earlier, error, match):
    with pytest.raises(error, match=match):
        BatchedRandomSearch(
            FailsWhenC(), SPACE, n_iter=2, warm_start_from=earlier
        ).fit(X, y)
    assert FailsWhenC.n_fits == 0
