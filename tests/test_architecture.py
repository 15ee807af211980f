"""The contributors' architecture page (docs/architecture.rst) matches the code."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skhyper"
PAGE = (ROOT / "docs" / "architecture.rst").read_text()
MAX_LINES = 700


def _rows():
    """Module-table rows, top to bottom: (first-cell names, whole row text)."""
    table = PAGE.split("Where each concern lives", 1)[1].split("One ``fit``", 1)[0]
    rows = re.split(r"\n   \* - ", table)[2:]  # skip the text above and the header
    return [(re.findall(r"``([^`]+)``", row.split("\n")[0]), row) for row in rows]


ROWS = _rows()


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _row_of(path):
    """Index of the table row that lists ``path`` (a file under skhyper/)."""
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) > 1:
        wanted = f"{relative.parts[0]}/"
    elif relative.name == "__init__.py":
        wanted = "skhyper/__init__.py"
    elif relative.name == "__main__.py":
        wanted = "skhyper/__main__.py"
    else:
        wanted = relative.name
    for index, (names, _) in enumerate(ROWS):
        if wanted in names:
            return index
    return None


def _module_path(dotted):
    """File of a dotted ``skhyper...`` module name."""
    parts = dotted.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    if base.with_suffix(".py").exists():
        return base.with_suffix(".py")
    return base / "__init__.py"


def _imported_modules(path):
    """Every skhyper module ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skhyper"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = _module_path(candidate).exists()
                found.add(_module_path(candidate if is_module else node.module))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("skhyper"):
                    found.add(_module_path(alias.name))
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_is_listed(path):
    assert _row_of(path) is not None, f"{path.name} is not on docs/architecture.rst"
    if len(path.relative_to(PACKAGE).parts) > 1 and path.name != "__init__.py":
        _, text = ROWS[_row_of(path)]
        assert f"``{path.name}``" in text, f"{path} is not named in its package's row"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_downwards(path):
    if path == PACKAGE / "__init__.py":
        return  # re-exports the public names
    row = _row_of(path)
    upward = [
        str(other.relative_to(ROOT))
        for other in _imported_modules(path)
        if _row_of(other) is not None and _row_of(other) < row
    ]
    assert not upward, f"{path.name} imports modules listed above it: {upward}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_readable_in_one_sitting(path):
    n_lines = len(path.read_text().splitlines())
    assert n_lines <= MAX_LINES, f"{path.name} has {n_lines} lines"
