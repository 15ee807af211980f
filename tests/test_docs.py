"""Every code example of the documentation in docs/ runs.

Three kinds of examples, each run as a reader would run it:

* ``>>>`` examples are doctests, one namespace per page;
* ``.. code-block:: python`` blocks are complete scripts, each run on its own;
  a block that needs a package which is not installed (scikit-optimize,
  Optuna, rich, dask, Ray, Spark, or a scikit-learn without callbacks) is
  skipped;
* ``.. plot::`` blocks share one namespace per page, as the Sphinx directive
  that draws them does.

The gallery's scripts (``examples/plot_*.py``) run here too, each on its own,
as sphinx-gallery runs them when the documentation is built.
"""

import doctest
import re
import textwrap
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLES = sorted((DOCS.parent / "examples").glob("plot_*.py"))
# Written by the build (the gallery's pages): not sources.
GENERATED = {"_build", "auto_examples", "gen_modules"}
PAGES = (
    sorted(
        page
        for page in DOCS.rglob("*.rst")
        if not GENERATED & set(page.relative_to(DOCS).parts)
        and page.name != "sg_execution_times.rst"
    )
    if DOCS.is_dir()
    else []
)
OPTIONAL_MODULES = {
    "skopt", "optuna", "optuna_integration", "rich", "distributed", "ray", "pyspark",
    "joblibspark", "xgboost", "lightgbm", "catboost",
}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# A directive may open a cell of a list-table: "   * - .. code-block:: python".
DIRECTIVE = re.compile(
    r"^(?P<indent>[ *-]*?)\.\. (?P<kind>code-block|plot)::(?P<arg>.*)$"
)


def _page_id(page):
    return str(page.relative_to(DOCS))


def blocks(page, kind):
    """``(line, code)`` of the page's ``code-block:: python`` or ``plot`` blocks."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines):
        match = DIRECTIVE.match(line)
        if not match or match["kind"] != kind:
            continue
        if kind == "code-block" and match["arg"].strip() != "python":
            continue
        found.append((number + 1, _body(lines[number + 1 :], len(match["indent"]))))
    return found


def _body(lines, indent):
    """The indented content after a directive, without its options."""
    body = []
    for line in lines:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
    text = textwrap.dedent("\n".join(body))
    return "\n".join(l for l in text.splitlines() if not l.startswith(":")) + "\n"


def code_blocks():
    return [
        pytest.param(page, line, code, id=f"{_page_id(page)}:{line}")
        for page in PAGES
        for line, code in blocks(page, "code-block")
    ]


@pytest.fixture(autouse=True)
def _in_tmp_dir(tmp_path, monkeypatch):
    """Examples may write files (checkpoints, figures): keep them out of the tree."""
    monkeypatch.chdir(tmp_path)
    yield
    _close_figures()


def _close_figures():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        return
    plt.close("all")


def test_the_docs_have_examples():
    assert PAGES, f"no documentation found in {DOCS}"
    assert code_blocks()


@pytest.mark.parametrize(
    "page", [p for p in PAGES if ">>> " in p.read_text(encoding="utf-8")], ids=_page_id
)
def test_doctests(page):
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=_fail_with)
    assert runner.failures == 0


def _fail_with(report):
    pytest.fail(report, pytrace=False)


@pytest.mark.parametrize("page, line, code", code_blocks())
def test_code_blocks(page, line, code):
    other = _imports_other_libraries(code)
    with warnings.catch_warnings():
        if other:
            # Their warnings (Optuna's ExperimentalWarning, ...) are not ours.
            warnings.simplefilter("ignore")
        try:
            exec(compile(code, f"{page}:{line}", "exec"), {"__name__": "__main__"})
        except ImportError as exc:
            missing = _missing_optional(exc)
            if missing:
                pytest.skip(f"needs {missing}")
            if other:  # an optional dependency of theirs (pandas for Optuna)
                pytest.skip(f"another library's example: {exc}")
            raise


def _missing_optional(exc):
    """The optional module whose absence caused ``exc``, if any."""
    while exc is not None:
        name = getattr(exc, "name", None) or ""
        if name.split(".")[0] in OPTIONAL_MODULES or name == "sklearn.callback":
            return name
        exc = exc.__cause__ or exc.__context__
    return None


def _imports_other_libraries(code):
    imported = re.findall(r"^(?:from|import) (\w+)", code, flags=re.MULTILINE)
    return any(name in {"skopt", "optuna", "optuna_integration"} for name in imported)


@pytest.mark.parametrize(
    "page", [p for p in PAGES if blocks(p, "plot")], ids=_page_id
)
def test_plot_blocks(page):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    for line, code in blocks(page, "plot"):
        exec(compile(code, f"{page}:{line}", "exec"), namespace)


def readme_blocks():
    readme = DOCS.parent / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("code", readme_blocks())
def test_readme_examples(code, capsys):
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
    assert capsys.readouterr().out  # the example prints its result


def test_the_gallery_has_examples():
    assert EXAMPLES, "no examples/plot_*.py"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_gallery_examples(script):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    code = script.read_text(encoding="utf-8")
    assert code.startswith('"""'), "a gallery example opens with its title"
    exec(compile(code, str(script), "exec"), {"__name__": "__main__"})
