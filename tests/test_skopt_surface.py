"""scikit-optimize's BayesSearchCV surface: code written for it runs unchanged."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skhyper import BayesSearchCV, Categorical, Integer, Real
from skhyper.callbacks import SearchProgress

X, y = load_iris(return_X_y=True)
TREE_SPACE = {"max_depth": Integer(1, 8), "min_samples_split": Real(0.01, 0.5)}


def tree_search(space=TREE_SPACE, **kwargs):
    kwargs.setdefault("n_iter", 6)
    kwargs.setdefault("random_state", 0)
    kwargs.setdefault("cv", 3)
    return BayesSearchCV(DecisionTreeClassifier(random_state=0), space, **kwargs)


# -- optimizer_kwargs ----------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, attribute, expected",
    [
        ({"base_estimator": "GP"}, "surrogate_", "gp"),
        ({"base_estimator": "et"}, "surrogate_", "forest"),
        ({"n_initial_points": 3}, "n_initial_points_", 3),
        ({"n_random_starts": 4}, "n_initial_points_", 4),
        ({"initial_point_generator": "lhs"}, "initial_design", "lhs"),
        ({"acq_func": "pi"}, "_acquisition", None),
        ({"acq_func": "EIps"}, "_per_second", True),
        ({"acq_func": "pips"}, "_per_second", True),
    ],
)
def test_optimizer_kwargs_are_mapped(kwargs, attribute, expected):
    search = tree_search(optimizer_kwargs=kwargs).fit(X, y)
    if expected is not None:
        assert getattr(search.optimizer_, attribute) == expected
    acq_func = kwargs.get("acq_func", "EI").upper()
    assert search._optimizer_settings()["acq_func"].upper() == acq_func


def test_optimizer_kwargs_kappa_and_no_effect_keys_are_accepted():
    kwargs = {
        "acq_func": "LCB", "acq_func_kwargs": {"kappa": 3.0}, "acq_optimizer": "lbfgs",
        "n_jobs": 2, "model_queue_size": 1, "random_state": 7,
        "avoid_duplicates": True, "space_constraint": None,
        "acq_optimizer_kwargs": {"n_jobs": 2},
    }
    search = tree_search(optimizer_kwargs=kwargs).fit(X, y)
    assert search.optimizer_._acq_kwargs == {"kappa": 3.0}
    # random_state comes from the search, as it did in scikit-optimize
    again = tree_search(optimizer_kwargs={**kwargs, "random_state": 8}).fit(X, y)
    assert again.cv_results_["params"] == search.cv_results_["params"]


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"base_estimator": "RF"}, "'base_estimator'"),
        ({"base_estimator": DecisionTreeClassifier()}, "'base_estimator'"),
        ({"acq_func": "gp_hedge"}, "'acq_func'"),
        ({"acq_func_kwargs": {"xi": 0.01}}, "'acq_func_kwargs'"),
        ({"acq_optimizer": "adam"}, "'acq_optimizer'"),
        ({"acq_optimizer_kwargs": {"n_restarts_optimizer": 5}},
         "'acq_optimizer_kwargs'"),
        ({"initial_point_generator": "halton"}, "'initial_point_generator'"),
        ({"n_initial_points": 0}, "'n_initial_points'"),
        ({"avoid_duplicates": False}, "'avoid_duplicates'"),
        ({"space_constraint": lambda x: True}, "'space_constraint'"),
        ({"dimensions": [(1, 2)]}, "'dimensions'"),
        ({"n_calls": 10}, "'n_calls'"),
        ({"n_initial_points": 3, "n_random_starts": 3}, "'n_random_starts'"),
    ],
)
def test_optimizer_kwargs_refused_before_any_fit_naming_the_key(kwargs, named):
    search = tree_search(optimizer_kwargs=kwargs)
    with pytest.raises(ValueError, match=named):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_optimizer_kwargs_contradicting_a_parameter_is_refused():
    search = tree_search(surrogate="forest", optimizer_kwargs={"base_estimator": "GP"})
    with pytest.raises(ValueError, match=r"'base_estimator'.*surrogate='forest'"):
        search.fit(X, y)
    agreeing = tree_search(surrogate="forest",
                           optimizer_kwargs={"base_estimator": "ET"})
    assert agreeing.fit(X, y).optimizer_.surrogate_ == "forest"


def test_optimizer_kwargs_must_be_a_dict():
    with pytest.raises(ValueError, match="optimizer_kwargs"):
        tree_search(optimizer_kwargs=[("acq_func", "EI")]).fit(X, y)


# -- (space, n_iter) pairs ---------------------------------------------------


LOGREG = {"model__C": Real(1e-3, 1e2, prior="log-uniform")}


def pair_search(search_spaces, **kwargs):
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("model", DecisionTreeClassifier(random_state=0))])
    spaces = [(dict(space, model=Categorical([est])), n)
              for space, n, est in search_spaces]
    return BayesSearchCV(pipe, spaces, cv=3, random_state=0, **kwargs)


def test_pairs_search_each_subspace_with_its_own_budget():
    tree = {"model__max_depth": Integer(1, 8)}
    search = pair_search(
        [(tree, 4, DecisionTreeClassifier(random_state=0)),
         (LOGREG, 3, LogisticRegression(max_iter=300))],
        n_iter=50,
    )
    assert search.total_iterations == 7
    search.fit(X, y)
    models = [type(p["model"]).__name__ for p in search.cv_results_["params"]]
    assert models == ["DecisionTreeClassifier"] * 4 + ["LogisticRegression"] * 3
    results = search.optimizer_results_
    assert [len(r.x_iters) for r in results] == [4, 3]
    assert isinstance(results[1].x[0], LogisticRegression)  # "model" sorts first
    assert search.optimizer_.space.subspaces[0].keys() == {"model", "model__C"}


def test_dicts_beside_pairs_get_n_iter_and_total_iterations_sums():
    search = BayesSearchCV(
        DecisionTreeClassifier(),
        [({"max_depth": (1, 32)}, 10), {"min_samples_split": Real(0.1, 0.9)}],
        n_iter=5,
    )
    assert search.total_iterations == 15
    assert BayesSearchCV(DecisionTreeClassifier(), [{"max_depth": (1, 32)}],
                         n_iter=5).total_iterations == 5
    # a finite space searched whole counts its size
    assert BayesSearchCV(DecisionTreeClassifier(), param_grid={"max_depth": [1, 2, 3]}
                         ).total_iterations == 3


def test_pairs_without_n_iter_default_to_fifty_each():
    search = BayesSearchCV(
        DecisionTreeClassifier(),
        [({"max_depth": (1, 32)}, 2), {"min_samples_split": Real(0.1, 0.9)}],
    )
    assert search.total_iterations == 52


def test_plain_list_of_dicts_still_shares_one_budget():
    search = tree_search(
        [{"max_depth": Integer(1, 8)}, {"min_samples_split": Real(0.01, 0.5)}], n_iter=6
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert len(search.optimizer_results_) == 2  # one per subspace
    assert sum(len(r.x_iters) for r in search.optimizer_results_) == 6


@pytest.mark.parametrize("entry", [({"max_depth": (1, 3)}, 0), ({"max_depth": (1, 3)},),
                                   ("max_depth", 3), ({"max_depth": (1, 3)}, 2.5)])
def test_malformed_pair_is_refused_naming_it(entry):
    search = BayesSearchCV(DecisionTreeClassifier(), [{"min_samples_split": (0.1, 0.9)},
                                                      entry])
    with pytest.raises(TypeError, match=r"search_spaces\[1\]"):
        search.fit(X, y)


def test_pairs_with_checkpoint_are_refused(tmp_path):
    search = tree_search([(TREE_SPACE, 2)], checkpoint=tmp_path / "c.json")
    with pytest.raises(ValueError, match="checkpoint or warm_start_from"):
        search.fit(X, y)


def test_pairs_asynchronous_keep_their_budgets():
    search = tree_search(
        [(TREE_SPACE, 3), ({"max_depth": Integer(1, 8)}, 2)], asynchronous=True
    ).fit(X, y)
    assert [len(r.x_iters) for r in search.optimizer_results_] == [3, 2]


def test_a_small_finite_pair_is_searched_whole():
    search = tree_search([({"max_depth": [1, 2]}, 5), (TREE_SPACE, 2)])
    with pytest.warns(UserWarning, match="smaller than n_iter=5"):
        search.fit(X, y)
    assert [p["max_depth"] for p in search.cv_results_["params"][:2]] == [1, 2]
    assert len(search.cv_results_["params"]) == 4


# -- fit(X, y, callback=...) ---------------------------------------------------


def test_fit_callback_gets_a_result_after_each_batch_and_true_stops():
    seen = []

    def callback(result):
        seen.append((len(result.x_iters), result.fun, list(result.func_vals)))
        return len(seen) == 3

    search = tree_search(n_iter=10).fit(X, y, callback=callback)
    assert [n for n, _, _ in seen] == [1, 2, 3]
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 3
    assert seen[-1][2] == list(-scores)
    assert seen[-1][1] == -scores.max()
    assert search.stop_reason_ == repr(callback)
    search.score(X, y)  # refitted


def test_fit_callback_list_none_return_and_skhyper_callbacks_together():
    progress, results = [], []
    search = tree_search(n_iter=4, n_points=2, callbacks=[progress.append])
    search.fit(X, y, callback=[results.append, lambda r: None])
    assert len(progress) == len(results) == 2  # two batches of 2
    assert isinstance(progress[0], SearchProgress)
    assert [len(r.x_iters) for r in results] == [2, 4]
    assert search.stop_reason_ is None


def test_fit_callback_sees_the_current_pair_and_is_asked_once_per_batch():
    sizes = []
    search = tree_search([(TREE_SPACE, 2), ({"max_depth": Integer(1, 8)}, 2)])
    search.fit(X, y, callback=lambda r: sizes.append(len(r.x)) or False)
    assert sizes == [2, 2, 1, 1]


def test_fit_callback_stop_ends_the_search_over_pairs():
    search = tree_search([(TREE_SPACE, 3), ({"max_depth": Integer(1, 8)}, 3)])
    search.fit(X, y, callback=lambda r: True)
    assert len(search.cv_results_["params"]) == 1
    assert len(search.optimizer_results_) == 1


class CallbackEstimator(ClassifierMixin, BaseEstimator):
    def __init__(self, alpha=1):
        self.alpha = alpha

    def fit(self, X, y, callback=None):
        self.called_ = callback is not None and callback("fit") == "ok"
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_callback_goes_to_an_estimator_whose_fit_takes_it():
    search = BayesSearchCV(
        CallbackEstimator(), param_grid={"alpha": [1, 2]}, error_score="raise"
    )
    search.fit(X, y, callback=lambda arg: "ok")
    assert search.best_estimator_.called_


def test_fit_callback_must_be_callable():
    with pytest.raises(TypeError, match="callback must be a callable"):
        tree_search().fit(X, y, callback="stop")


# -- optimizer_results_ --------------------------------------------------------


def test_optimizer_results_are_minimized_rows_in_sorted_name_order(monkeypatch):
    monkeypatch.delitem(sys.modules, "skopt", raising=False)
    search = tree_search(
        {"min_samples_split": Real(0.01, 0.5), "max_depth": Integer(1, 8)}, n_iter=7
    ).fit(X, y)
    (result,) = search.optimizer_results_
    rows = search.cv_results_
    np.testing.assert_array_equal(result.func_vals, -rows["mean_test_score"])
    assert result.x_iters == [[p["max_depth"], p["min_samples_split"]]
                              for p in rows["params"]]
    assert result.x == [search.best_params_["max_depth"],
                        search.best_params_["min_samples_split"]]
    assert result.fun == result["fun"] == -search.best_score_
    assert result.specs["args"]["acq_func"] == "EI"
    assert result.space.subspaces[0].keys() == {"max_depth", "min_samples_split"}
    (model,) = result.models
    encoded = result.space.transform([search.best_params_])
    np.testing.assert_allclose(
        model.predict(encoded), -search.optimizer_.predict([search.best_params_])
    )
    with pytest.raises(AttributeError):
        result.no_such_field


def test_optimizer_results_of_multimetric_search_use_the_refit_metric():
    search = tree_search(scoring=["accuracy", "f1_macro"], refit="f1_macro").fit(X, y)
    np.testing.assert_array_equal(
        search.optimizer_results_[0].func_vals,
        -search.cv_results_["mean_test_f1_macro"],
    )


def test_optimizer_results_pickle():
    import pickle

    search = tree_search().fit(X, y)
    again = pickle.loads(pickle.dumps(search))
    assert again.optimizer_results_[0].x == search.optimizer_results_[0].x
    assert len(again.optimizer_results_[0].models) == 1


# -- rank_train_score ----------------------------------------------------------


def test_rank_train_score_ranks_mean_train_score():
    search = tree_search(return_train_score=True, n_iter=8).fit(X, y)
    means = search.cv_results_["mean_train_score"]
    ranks = search.cv_results_["rank_train_score"]
    assert ranks.dtype == np.int32
    for mean, rank in zip(means, ranks):
        assert rank == 1 + np.sum(means > mean)
    multi = tree_search(return_train_score=True, scoring=["accuracy", "f1_macro"],
                        refit="accuracy").fit(X, y)
    assert {"rank_train_accuracy", "rank_train_f1_macro"} <= set(multi.cv_results_)
    assert "rank_train_score" not in tree_search().fit(X, y).cv_results_


def test_rank_train_score_puts_failures_last():
    from skhyper.searches._skopt_surface import _add_rank_train

    results = {"mean_train_score": np.array([0.5, np.nan, 0.9, 0.5])}
    _add_rank_train(results)
    assert list(results["rank_train_score"]) == [2, 4, 1, 2]


# -- scikit-optimize itself ------------------------------------------------------


def test_skhyper_does_not_import_skopt():
    code = textwrap.dedent("""
        import sys
        from sklearn.datasets import load_iris
        from sklearn.tree import DecisionTreeClassifier
        from skhyper import BayesSearchCV
        X, y = load_iris(return_X_y=True)
        s = BayesSearchCV(DecisionTreeClassifier(), [({"max_depth": (1, 5)}, 3)],
                          optimizer_kwargs={"base_estimator": "GP"}, cv=2)
        s.fit(X, y, callback=lambda r: False)
        assert s.optimizer_results_[0].space is not None
        assert "skopt" not in sys.modules, "skopt was imported"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def skopt():
    return pytest.importorskip("skopt")


def test_skopt_dimensions_are_accepted(skopt):
    from skopt.space import Categorical as SCategorical
    from skopt.space import Integer as SInteger
    from skopt.space import Real as SReal

    space = {
        "C": SReal(1e-3, 1e2, prior="log-uniform", base=2),
        "max_iter": SInteger(100, 300),
        "fit_intercept": SCategorical([True, False]),
    }
    search = BayesSearchCV(LogisticRegression(), space, n_iter=5, cv=3,
                           random_state=0).fit(X, y)
    params = search.cv_results_["params"]
    assert all(1e-3 <= p["C"] <= 1e2 and type(p["max_iter"]) is int for p in params)
    dims = search.optimizer_.space.subspaces[0]
    assert dims["C"].prior == "log-uniform" and isinstance(dims["max_iter"], Integer)
    assert isinstance(space["C"], SReal)  # the user's objects are left alone
    # its space is scikit-optimize's once scikit-optimize is imported
    result = search.optimizer_results_[0]
    assert isinstance(result.space, skopt.space.Space)
    names = [d.name for d in result.space.dimensions]
    assert names == ["C", "fit_intercept", "max_iter"]
    np.testing.assert_allclose(
        result.models[0].predict(result.space.transform([result.x])), result.fun,
        atol=0.2,
    )


def test_skopt_categorical_prior_is_refused(skopt):
    from skopt.space import Categorical as SCategorical

    criterion = SCategorical(["gini", "entropy"], prior=[0.9, 0.1])
    search = tree_search({"criterion": criterion})
    with pytest.raises(ValueError, match="'criterion'.*prior"):
        search.fit(X, y)


def test_skopt_callbacks_are_accepted(skopt, capsys):
    from skopt.callbacks import DeadlineStopper, DeltaYStopper, VerboseCallback

    search = tree_search(n_iter=8, callbacks=[DeltaYStopper(1.0, n_best=3)])
    search.fit(X, y, callback=[VerboseCallback(8), DeadlineStopper(600)])
    assert len(search.cv_results_["params"]) == 3  # the 3 best within 1.0
    assert "DeltaYStopper" in search.stop_reason_
    # the rules are asked in turn until one fires: callbacks= first
    out = capsys.readouterr().out
    assert "Iteration No: 2 ended" in out and "Iteration No: 3 ended" not in out


def test_skopt_plots_read_the_results(skopt):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from skopt.plots import plot_convergence, plot_histogram, plot_objective

    search = tree_search(
        {"max_depth": Integer(1, 8), "min_samples_split": Real(0.01, 0.5),
         "criterion": ["gini", "entropy"]}, n_iter=8,
    ).fit(X, y)
    result = search.optimizer_results_[0]
    plot_convergence(result)
    plot_histogram(result, "criterion")
    plt.close("all")
    plot_objective(result, n_points=5, n_samples=20)
    diagonal = [a for a in plt.gcf().axes if a.get_ylabel() == "Partial dependence"]
    assert len(diagonal) == 3  # one curve per parameter
    plt.close("all")
