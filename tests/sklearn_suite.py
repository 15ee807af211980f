"""scikit-learn's own search tests, run with skhyper's classes swapped in.

The drop-in promise is that code written for scikit-learn's searches keeps
working when only the class name changes. This script takes scikit-learn's
``test_search.py`` and ``test_successive_halving.py`` from the *installed*
scikit-learn, copies them to a temporary directory, adds one import right
after their own imports (``from skhyper import BayesSearchCV as
RandomizedSearchCV``, ...), runs pytest on them and compares the outcome with
:data:`EXPECTED_FAILURES`: the tests that check the peer's own sampling or
ordering, or a difference documented in ``docs/migration/sklearn.rst``.

Run it from a checkout::

    python tests/sklearn_suite.py              # every suite
    python tests/sklearn_suite.py grid -v      # one suite, pytest's report too

It exits 0 when every failure is expected and every expected failure still
fails. ``tests/test_sklearn_suite.py`` runs it as a slow test.
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Suite:
    """One scikit-learn test file and the names rebound in it."""

    name: str
    test_file: str  # under sklearn/model_selection/tests/
    bindings: dict = field(default_factory=dict)  # scikit-learn name -> skhyper name


SUITES = {
    s.name: s
    for s in [
        Suite("randomized", "test_search.py", {"RandomizedSearchCV": "BayesSearchCV"}),
        Suite("grid", "test_search.py", {"GridSearchCV": "BayesSearchCV"}),
        Suite(
            "halving",
            "test_successive_halving.py",
            {
                "HalvingRandomSearchCV": "SuccessiveHalvingSearchCV",
                "HalvingGridSearchCV": "SuccessiveHalvingSearchCV",
            },
        ),
    ]
}

#: Tests expected to fail with skhyper's class, per suite: test name (every
#: parametrization) or full id -> why. Only the peer's own sampling or
#: ordering, or a difference documented in docs/migration/sklearn.rst; a
#: defect is never listed here.
_BATCH_COLUMN = (
    "compares the exact set of cv_results_ keys: ours adds the 'batch' column"
)
_SHUFFLING_CV = (
    "wants an error for a shuffling cv without a seed: we draw the folds once "
    "per fit, so every candidate sees the same folds and it is accepted"
)

EXPECTED_FAILURES = {
    "randomized": {
        "test_random_search_cv_results": _BATCH_COLUMN,
        "test_search_with_2d_array": (
            "checks which 3 of the 4 grid points RandomizedSearchCV's sampler "
            "draws with random_state=0, and in which order"
        ),
    },
    "grid": {
        "test_grid_search_cv_results": _BATCH_COLUMN,
        "test_custom_run_search": _BATCH_COLUMN,
    },
    "halving": {
        "test_random_search_discrete_distributions[param_distributions1-10]": (
            "wants 10 candidates drawn with repeats from a 2-value distribution: "
            "we never evaluate the same configuration twice"
        ),
        "test_input_errors[params4-must yield consistent folds": _SHUFFLING_CV,
        "test_input_errors[params5-must yield consistent folds": _SHUFFLING_CV,
        "test_select_best_index": (
            "calls the private _select_best_index on the class, as a static "
            "method; ours reads the search's resource and error_score"
        ),
    },
}


#: Entries whose test may pass by chance (which configurations our search
#: picks, and in which order, can happen to be the peer's) or be absent from
#: older releases' files (test_search_with_2d_array is not in 1.4's).
MAY_PASS = {"test_search_with_2d_array"}

ROOT = Path(__file__).resolve().parent.parent


def sklearn_tests_dir():
    """``sklearn/model_selection/tests`` of the scikit-learn that is installed."""
    import sklearn

    return Path(sklearn.__file__).parent / "model_selection" / "tests"


def rebound_source(source, bindings):
    """``source`` with ``from skhyper import X as Y`` after its last top import."""
    if not bindings:
        return source
    tree = ast.parse(source)
    last = max(
        node.end_lineno
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )
    lines = source.splitlines(keepends=True)
    added = "".join(
        f"from skhyper import {ours} as {theirs}  # rebound by skhyper\n"
        for theirs, ours in bindings.items()
    )
    return "".join(lines[:last]) + added + "".join(lines[last:])


def run_suite(suite, workdir, *, rebind=True, pytest_args=(), quiet=True):
    """Run one suite in ``workdir``; return ``{test id: outcome}``.

    Outcomes are ``"passed"``, ``"failed"`` (errors included) and ``"skipped"``.
    """
    source = (sklearn_tests_dir() / suite.test_file).read_text()
    test_path = Path(workdir) / f"{suite.name}_{suite.test_file}"
    test_path.write_text(rebound_source(source, suite.bindings if rebind else {}))
    report = Path(workdir) / f"{suite.name}.xml"
    command = [
        sys.executable, "-m", "pytest", str(test_path),
        # scikit-learn's fixtures (global_random_seed, ...) live in its conftest.
        "-p", "sklearn.conftest", "-p", "no:cacheprovider",
        "--rootdir", str(workdir), "-c", os.devnull,
        f"--junitxml={report}", "-q", *pytest_args,
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(_import_path())}
    output = subprocess.run(
        command, cwd=workdir, env=env, capture_output=quiet, text=True, check=False
    )
    if not report.exists():
        raise RuntimeError(f"pytest did not run {suite.test_file}:\n{output.stdout}")
    return _outcomes(report, test_path.stem)


def _import_path():
    """The directory this process imports skhyper from, first: a run from a
    checkout tests the checkout, whatever else is installed."""
    import skhyper

    here = str(Path(skhyper.__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return [here, *([rest] if rest else [])]


def _outcomes(report, module):
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = case.get("name")
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes[test_id] = "failed"
        elif case.find("skipped") is not None:
            outcomes.setdefault(test_id, "skipped")
        else:
            outcomes.setdefault(test_id, "passed")
    return outcomes


def _matches(test_id, entry):
    """An entry names a test (every parametrization) or the start of an id."""
    if "[" in entry:
        return test_id.startswith(entry)
    return test_id.split("[")[0] == entry


def _is_expected(test_id, expected):
    return any(_matches(test_id, entry) for entry in expected)


def compare(suite_name, outcomes):
    """Unexpected failures and stale entries of :data:`EXPECTED_FAILURES`."""
    expected = EXPECTED_FAILURES[suite_name]
    failed = sorted(t for t, o in outcomes.items() if o == "failed")
    unexpected = [t for t in failed if not _is_expected(t, expected)]
    stale = [
        e for e in expected
        if e not in MAY_PASS and not any(_matches(t, e) for t in failed)
    ]
    return unexpected, stale


def counts(outcomes):
    kinds = ("passed", "failed", "skipped")
    return {o: sum(v == o for v in outcomes.values()) for o in kinds}


def main(argv=None):
    if (ROOT / "skhyper").is_dir():  # run from a checkout: test the checkout
        sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suites", nargs="*", help=f"some of {', '.join(SUITES)}")
    parser.add_argument(
        "--baseline", action="store_true",
        help="run the files unchanged, with scikit-learn's own classes",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="pytest's output")
    args = parser.parse_args(argv)
    names = args.suites or list(SUITES)
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; choose among {list(SUITES)}")
    workdir = tempfile.mkdtemp(prefix="skhyper-sklearn-suite-")
    ok = True
    try:
        for name in names:
            outcomes = run_suite(
                SUITES[name], workdir, rebind=not args.baseline, quiet=not args.verbose
            )
            print(f"{name}: {counts(outcomes)}")
            if args.baseline:
                continue
            unexpected, stale = compare(name, outcomes)
            for test_id in unexpected:
                print(f"  unexpected failure: {test_id}")
            for entry in stale:
                print(f"  expected to fail but passed: {entry}")
            ok = ok and not unexpected and not stale
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
