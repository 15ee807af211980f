"""``python -m skhyper``: the comparison runs, reports, plots, and rejects bad input."""

import subprocess
import sys
import time

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.svm import SVC

from skhyper import SuccessiveHalvingSearchCV
from skhyper.__main__ import Range, fit_halving_budget, grid_values, main

SMALL = ["--dataset", "iris", "--budget", "6", "--cv", "3"]
SEARCH_NAMES = [
    "GridSearchCV",
    "RandomizedSearchCV",
    "BayesSearchCV",
    "SuccessiveHalvingSearchCV",
]


def run_module(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "skhyper", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--dataset", "--model", "--budget", "--n-jobs", "--plot"):
        assert option in out
    assert "breast_cancer" in out and "diabetes" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--model", "xgboost"], "invalid choice: 'xgboost'"),
        (["--budget", "many"], "expected an integer, got 'many'"),
        (["--budget", "2"], "must be at least 4"),
        (["--n-jobs", "0"], "must not be 0"),
        (["--cv", "1"], "must be at least 2"),
        (["--plot", "figure.unknown"], "unsupported file type 'unknown'"),
        (["--plot", "/no/such/dir/figure.png"], "does not exist"),
        (["extra"], "unrecognized arguments: extra"),
    ],
)
def test_bad_arguments_give_a_usage_message(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m skhyper")
    assert message in err


def test_bad_arguments_in_a_real_process_show_no_traceback():
    result = run_module("--budget", "-3")
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_plot_without_matplotlib_says_how_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(SystemExit) as exit_info:
        main([*SMALL, "--plot", str(tmp_path / "c.png")])
    assert exit_info.value.code == 2
    assert "pip install skhyper[plots]" in capsys.readouterr().err
    assert not (tmp_path / "c.png").exists()


def test_comparison_prints_progress_table_and_saves_the_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "convergence.png"
    assert main([*SMALL, "--plot", str(path)]) == 0
    out = capsys.readouterr().out
    for i, name in enumerate(SEARCH_NAMES, 1):
        assert f"[{i}/4] {name}" in out  # announced as it starts
    assert "[BayesSearchCV] batch 1:" in out  # verbose lines while it runs
    table = out[out.index("search  ") :]
    header, rule, *rows = table.splitlines()
    for column in ("evaluations", "full fits", "wall time", "best CV", "corrected",
                   "test"):
        assert column in header
    for row in rows[:4]:  # the corrected estimate is at most the best CV score
        best_cv, corrected = (float(v) for v in row.split()[-3:-1])
        assert corrected <= best_cv
    assert [row.split()[0] for row in rows[:4]] == SEARCH_NAMES
    assert f"saved to {path}" in out
    assert path.stat().st_size > 5000


def test_quiet_prints_only_the_table(capsys):
    assert main([*SMALL, "--model", "knn", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("search ")
    assert "batch" not in out and "Fitting" not in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "model", ["linear", pytest.param("boosting", marks=pytest.mark.slow)]
)
def test_other_models(model, capsys):
    assert main(["--dataset", "wine", "--budget", "4", "--cv", "2", "-q",
                 "--model", model]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2 + 4 + 3


def test_regression_dataset(capsys):
    assert main(["--dataset", "diabetes", "--budget", "4", "--cv", "3", "-q"]) == 0
    assert "scores: r2" in capsys.readouterr().out


def test_grid_stays_within_the_budget():
    ranges = [Range("a", 1e-3, 1e3, log=True), Range("b", 1, 50, integer=True)]
    grid = grid_values(ranges, 30)
    assert len(grid["a"]) * len(grid["b"]) == 25
    assert grid["a"][0] == 0.001 and grid["a"][-1] == 1000.0
    assert all(isinstance(v, int) for v in grid["b"])
    with_choices = grid_values([*ranges, Range("c", choices=["x", "y"])], 30)
    assert len(with_choices["a"]) * len(with_choices["b"]) * 2 <= 30


@pytest.mark.parametrize("budget", [5, 30])
def test_halving_budget_matches_the_other_searches(budget):
    X, y = load_breast_cancer(return_X_y=True)
    search = SuccessiveHalvingSearchCV(SVC(), {"C": (1e-2, 1e2)})
    schedule = fit_halving_budget(search, budget, X, y)
    cost = schedule.total_resources / schedule.max_resources
    assert 0.7 * budget <= cost <= budget
    assert search.n_candidates == schedule.n_candidates[0]


@pytest.mark.slow
def test_default_run_finishes_in_under_a_minute():
    start = time.perf_counter()
    result = run_module(timeout=300)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-4].startswith("SuccessiveHalvingSearchCV")
    assert elapsed < 60
