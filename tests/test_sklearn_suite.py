"""scikit-learn's own search tests pass with our classes swapped in.

See tests/sklearn_suite.py: the tests that may fail, and why, are listed there
and in docs/migration/sklearn.rst.
"""

import pytest
import sklearn_suite


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(sklearn_suite.SUITES))
def test_scikit_learn_suite_passes_with_our_classes(name, tmp_path):
    outcomes = sklearn_suite.run_suite(sklearn_suite.SUITES[name], tmp_path)
    assert sklearn_suite.counts(outcomes)["passed"] > 50  # the file ran
    unexpected, stale = sklearn_suite.compare(name, outcomes)
    assert not unexpected, f"tests that fail with our class: {unexpected}"
    assert not stale, f"listed as failing but passed (update the list): {stale}"


def test_rebinding_comes_after_the_last_top_level_import():
    source = "import os\nfrom a import (\n    B,\n)\n\nX = B\n"
    rebound = sklearn_suite.rebound_source(source, {"B": "BayesSearchCV"})
    lines = rebound.splitlines()
    assert lines[4] == "from skhyper import BayesSearchCV as B  # rebound by skhyper"
    assert lines[-1] == "X = B"


def test_expected_failures_name_tests_of_the_files():
    for name, expected in sklearn_suite.EXPECTED_FAILURES.items():
        source = (
            sklearn_suite.sklearn_tests_dir() / sklearn_suite.SUITES[name].test_file
        ).read_text()
        for entry in set(expected) - sklearn_suite.MAY_PASS:
            assert f"def {entry.split('[')[0]}(" in source, entry
