"""Longevity guards: private scikit-learn names stay in one module, and the
callback-API difference between releases is handled on both sides."""

import ast
import pathlib

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import skhyper
from skhyper import _compat

from search_doubles import BatchedRandomSearch

PACKAGE = pathlib.Path(skhyper.__file__).parent
ALLOWED_PRIVATE = {
    ("sklearn.model_selection._search", "BaseSearchCV"),
    ("sklearn.utils._param_validation", "HasMethods"),
    ("sklearn.utils._param_validation", "Interval"),
    ("sklearn.utils._param_validation", "StrOptions"),
}


def _private_sklearn_imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn"
        ):
            for alias in node.names:
                if "._" in node.module or alias.name.startswith("_"):
                    yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sklearn") and "._" in alias.name:
                    yield alias.name, None


def test_private_sklearn_names_only_in_compat():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for module, name in _private_sklearn_imports(path):
            found.setdefault(path.relative_to(PACKAGE).as_posix(), set()).add(
                (module, name)
            )
    outside = {f: names for f, names in found.items() if f != "_compat.py"}
    assert not outside, f"private scikit-learn imports outside _compat.py: {outside}"
    assert found.get("_compat.py", set()) <= ALLOWED_PRIVATE


def test_private_attribute_access_of_sklearn_objects_is_avoided():
    # BaseSearchCV hooks that subclasses override are the only private names
    # skhyper touches on scikit-learn objects.
    allowed = {"_run_search", "_format_results", "_parameter_constraints",
               "_fit_data", "_evaluator", "_search", "_budget", "_restore",
               "_check_search_params", "_space_spec", "_replay_columns",
               "_keep_finished_results", "_add_trailing_failures", "_fit_state"}
    text = (PACKAGE / "_base.py").read_text()
    tree = ast.parse(text)
    used = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_")
        and isinstance(node.value, ast.Name) and node.value.id in ("self", "super")
    }
    assert used <= allowed | {"__dict__"}, used - allowed


X, y = make_classification(n_samples=40, random_state=0)


def test_search_without_callback_context_as_on_older_releases():
    """scikit-learn < 1.9 calls ``_run_search(evaluate_candidates)`` only."""
    calls = []

    def evaluate_candidates(candidates, cv=None, more_results=None):
        calls.append(len(list(candidates)))
        return {}

    assert _compat.open_task(None, object(), "search", 3) is None
    _compat.close_task(None, object())
    _compat.evaluate(evaluate_candidates, [{}], cv=None, more_results=None,
                     callback_ctx=None)
    assert calls == [1]


def test_callback_context_is_passed_when_present():
    seen = {}

    def evaluate_candidates(candidates, cv=None, more_results=None,
                            callback_ctx=None):
        seen["ctx"] = callback_ctx

    _compat.evaluate(evaluate_candidates, [{}], cv=None, more_results=None,
                     callback_ctx="ctx")
    assert seen["ctx"] == "ctx"


def test_progress_bar_callback_sees_the_search():
    callback = pytest.importorskip("sklearn.callback")
    search = BatchedRandomSearch(
        LogisticRegression(), {"C": (0.1, 10.0)}, n_iter=4, batch=2, random_state=0
    )
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4


def test_all_fits_failed_error_is_recognised():
    assert _compat.is_all_fits_failed_error(ValueError("\nAll the 3 fits failed.\n"))
    assert not _compat.is_all_fits_failed_error(ValueError("3 fits failed out of 6"))
    assert not _compat.is_all_fits_failed_error(RuntimeError("All the 3 fits failed"))


def test_search_tags_follow_the_estimator():
    sklearn_utils = pytest.importorskip("sklearn.utils")
    if not hasattr(sklearn_utils, "get_tags"):
        pytest.skip("scikit-learn < 1.6 has no __sklearn_tags__")
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import Ridge

    nan_ok = BatchedRandomSearch(HistGradientBoostingClassifier(), {"max_iter": [5]})
    assert sklearn_utils.get_tags(nan_ok).input_tags.allow_nan
    multi = BatchedRandomSearch(Ridge(), {"alpha": [1.0]})
    assert sklearn_utils.get_tags(multi).target_tags.multi_output
    assert not sklearn_utils.get_tags(
        BatchedRandomSearch(LogisticRegression(), {"C": [1.0]})
    ).input_tags.allow_nan


def test_older_releases_use_more_tags():
    search = BatchedRandomSearch(LogisticRegression(), {"C": [1.0]})
    if hasattr(search, "_more_tags") and not hasattr(
        __import__("sklearn.utils", fromlist=["get_tags"]), "get_tags"
    ):
        assert isinstance(search._more_tags(), dict)
    else:
        pytest.skip("scikit-learn >= 1.6 reads __sklearn_tags__")
