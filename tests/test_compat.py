"""Longevity guards: private scikit-learn names stay in one module, and the
callback-API difference between releases is handled on both sides."""

import ast
import functools
import importlib
import inspect
import pathlib
import re

import numpy as np
import pytest
from search_doubles import BatchedRandomSearch
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

import skhyper
from skhyper import _compat

PACKAGE = pathlib.Path(skhyper.__file__).parent
ALLOWED_PRIVATE = {
    ("sklearn.model_selection._search", "BaseSearchCV"),
    ("sklearn.utils._param_validation", "HasMethods"),
    ("sklearn.utils._param_validation", "Interval"),
    ("sklearn.utils._param_validation", "StrOptions"),
    # The asynchronous search runs fold fits itself, as evaluate_candidates
    # does (the "Asynchronous evaluation" section of _compat.py).
    ("sklearn.model_selection._validation", "_fit_and_score"),
    ("sklearn.model_selection._validation", "_insert_error_scores"),
    ("sklearn.model_selection._validation", "_warn_or_raise_about_fit_failures"),
    ("sklearn.utils.validation", "_check_method_params"),
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
               "_run", "_fit_context", "_running_evaluator", "_drive", "_search",
               "_budget", "_restore",
               "_check_search_params", "_space_spec", "_own_columns",
               "_keep_finished_results", "_add_trailing_failures",
               "_one_call", "_warn_once", "_format_rows", "_finish_results",
               "_check_fold_stopping", "_stopping_plan", "_unwrap_scorer",
               "_set_best_rounds", "_fold_extras", "_after_search",
               *_compat.BASE_SEARCH_HOOKS}
    text = (PACKAGE / "searches" / "_base.py").read_text()
    tree = ast.parse(text)
    used = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_")
        and isinstance(node.value, ast.Name) and node.value.id in ("self", "super")
    }
    assert used <= allowed | {"__dict__"}, used - allowed


# -- every module: private scikit-learn methods and attributes ---------------------

SELF_NAMES = ("self", "cls")
SETS_PRIVATE_ATTRIBUTE = re.compile(r"\bself\.(_[A-Za-z]\w*)\s*(?:=|\[)")
ATTRIBUTE_CALLS = ("getattr", "hasattr", "setattr", "delattr")


def _private(name):
    return name.startswith("_") and not name.startswith("__")


def _from_sklearn(cls):
    return cls.__module__.split(".")[0] == "sklearn"


def _sklearn_private_names():
    """Private names scikit-learn defines: on its classes (methods and class
    attributes, inherited ones included) and as instance attributes its code
    sets (``self._x = ...``)."""
    import sklearn
    from sklearn import base, model_selection, pipeline
    from sklearn.utils import all_estimators

    classes = [cls for _, cls in all_estimators()] + [_compat.BaseSearchCV]
    for module in (base, model_selection, pipeline):
        classes += [v for v in vars(module).values() if inspect.isclass(v)]
    names = {n for cls in classes for n in dir(cls) if _private(n)}
    root = pathlib.Path(sklearn.__file__).parent
    for path in root.rglob("*.py"):
        if "tests" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="ignore")
            names.update(SETS_PRIVATE_ATTRIBUTE.findall(text))
    return names


@functools.lru_cache(maxsize=None)
def _sklearn_names_of(cls):
    """Private names the scikit-learn classes among ``cls``'s bases define or
    set on instances."""
    names = set()
    for base in cls.__mro__[1:]:
        if _from_sklearn(base):
            names.update(n for n in vars(base) if _private(n))
            try:
                names.update(SETS_PRIVATE_ATTRIBUTE.findall(inspect.getsource(base)))
            except (OSError, TypeError):
                pass
    return names


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        yield path, importlib.import_module(name)


class _PrivateNames(ast.NodeVisitor):
    """Private attribute names a module reads, writes or defines, sorted by
    what they are attached to.

    ``inherited``: defined or used on ``self``/``cls``/``super()`` in a class
    derived from a scikit-learn class, and defined by one of its
    scikit-learn bases. ``on_sklearn``: attributes of a name imported from
    scikit-learn. ``other``: attributes of any other object. ``own``: what
    the module itself defines (functions, class attributes, attributes set
    on ``self``).
    """

    def __init__(self, module):
        self.module = module
        self.classes = []  # enclosing (ClassDef, runtime class or None)
        self.sklearn_roots = set()
        self.inherited, self.on_sklearn, self.other, self.own = (
            set(), set(), set(), set()
        )

    def _sklearn_bases_define(self, name):
        cls = self.classes[-1][1] if self.classes else None
        return cls is not None and name in _sklearn_names_of(cls)

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] == "sklearn":
                self.sklearn_roots.add((alias.asname or alias.name).split(".")[0])

    def visit_ImportFrom(self, node):
        if (node.module or "").split(".")[0] == "sklearn":
            self.sklearn_roots.update(a.asname or a.name for a in node.names)

    def visit_ClassDef(self, node):
        runtime = getattr(self.module, node.name, None) if not self.classes else None
        self.classes.append((node, runtime if inspect.isclass(runtime) else None))
        for statement in node.body:
            targets = []
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                targets = [statement.name]
            elif isinstance(statement, ast.Assign):
                targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            elif isinstance(statement, ast.AnnAssign) and isinstance(
                statement.target, ast.Name
            ):
                targets = [statement.target.id]
            for name in filter(_private, targets):
                if self._sklearn_bases_define(name):
                    self.inherited.add(name)  # an override of a scikit-learn hook
                else:
                    self.own.add(name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node):
        if _private(node.name) and not self.classes:
            self.own.add(node.name)
        self.generic_visit(node)

    def _use(self, receiver, name, stored):
        if not _private(name):
            return
        on_self = (isinstance(receiver, ast.Name) and receiver.id in SELF_NAMES) or (
            isinstance(receiver, ast.Call)
            and isinstance(receiver.func, ast.Name)
            and receiver.func.id == "super"
        )
        root = receiver
        while isinstance(root, ast.Attribute):
            root = root.value
        if on_self and self.classes:
            if self._sklearn_bases_define(name):
                self.inherited.add(name)
            elif stored:
                self.own.add(name)
        elif isinstance(root, ast.Name) and root.id in self.sklearn_roots:
            self.on_sklearn.add(name)
        else:
            self.other.add(name)

    def visit_Attribute(self, node):
        self._use(node.value, node.attr, isinstance(node.ctx, ast.Store))
        self.generic_visit(node)

    def visit_Call(self, node):
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_CALLS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self._use(node.args[0], node.args[1].value, node.func.id == "setattr")
        self.generic_visit(node)


def test_private_sklearn_methods_and_attributes_only_in_compat():
    """No skhyper module but _compat.py calls, reads or overrides a private
    scikit-learn method or attribute, except the BaseSearchCV hooks that
    subclassing requires, listed in ``_compat.BASE_SEARCH_HOOKS``."""
    sklearn_names = _sklearn_private_names()
    scans = {}
    for path, module in _modules():
        scan = _PrivateNames(module)
        scan.visit(ast.parse(path.read_text(encoding="utf-8")))
        scans[path.relative_to(PACKAGE).as_posix()] = scan
    # Names skhyper defines for itself may be used on any of its objects.
    own = set().union(*(scan.own for scan in scans.values()))
    found = {}
    for name, scan in scans.items():
        if name == "_compat.py":
            continue
        used = scan.inherited | scan.on_sklearn | (scan.other & sklearn_names - own)
        if used - _compat.BASE_SEARCH_HOOKS:
            found[name] = sorted(used - _compat.BASE_SEARCH_HOOKS)
    assert not found, f"private scikit-learn API outside _compat.py: {found}"


def test_the_scan_sees_private_sklearn_use(tmp_path, monkeypatch):
    # The scanner itself: every way of reaching a private name is caught.
    source = (
        "import sklearn.utils\n"
        "from sklearn.base import BaseEstimator\n"
        "class Search(BaseEstimator):\n"
        "    def _validate_params(self):\n"
        "        return super()._validate_params()\n"
        "    def fit(self, X):\n"
        "        self._mine = 1\n"
        "        getattr(self, '_get_param_names')\n"
        "        return sklearn.utils._safe_indexing(X, [0])\n"
        "def check(estimator):\n"
        "    return estimator._get_tags()\n"
    )
    path = tmp_path / "scanned.py"
    path.write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    scan = _PrivateNames(importlib.import_module("scanned"))
    scan.visit(ast.parse(source))
    assert scan.inherited == {"_validate_params", "_get_param_names"}
    assert scan.on_sklearn == {"_safe_indexing"}
    assert scan.other == {"_get_tags"}
    assert "_mine" in scan.own and "_validate_params" not in scan.own


def test_validate_params_checks_the_declared_constraints():
    from skhyper import SuccessiveHalvingSearchCV

    search = SuccessiveHalvingSearchCV(LogisticRegression(), {"C": [1.0]}, factor=1)
    with pytest.raises(ValueError, match="'factor' parameter"):
        _compat.validate_params(search)
    _compat.validate_params(search.set_params(factor=2))


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


def test_param_columns_are_built_as_the_installed_scikit_learn_builds_them():
    # Rows skhyper joins (restored, reused) must read like scikit-learn's own:
    # same names, dtypes, masks and values, on 1.4 (object) and later (typed).
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import GridSearchCV, ParameterGrid

    grid = [
        {"strategy": ["prior", "uniform"], "random_state": [0, 1]},
        {"strategy": ["constant"], "constant": [0, 1]},
    ]
    X, y = np.zeros((20, 1)), np.array([0, 1] * 10)
    theirs = GridSearchCV(DummyClassifier(), grid, cv=2).fit(X, y).cv_results_
    ours = _compat.param_columns(list(ParameterGrid(grid)))
    assert set(ours) == {k for k in theirs if k.startswith("param_")}
    for key, column in ours.items():
        assert column.dtype == theirs[key].dtype, key
        np.testing.assert_array_equal(column.mask, theirs[key].mask)
        assert list(column.compressed()) == list(theirs[key].compressed())
