"""A search killed for real resumes when the same script runs again.

Each test runs a search script in a subprocess, kills it (SIGKILL, or SIGINT
as Ctrl-C sends it to the whole process group) while fits are running and
after some batches are checkpointed, runs the same script again in a fresh
subprocess, and compares the result with an uninterrupted run. The fits the
second run makes are counted: none of the checkpointed evaluations is fitted
again.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import restart_cases

import skhyper

N_SPLITS = 3
FIT_DELAY = 0.1  # seconds per fit in the run that is killed
SCRIPT = """\
import sys
from restart_cases import main
main(*sys.argv[1:])
"""

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX signals and process groups"
)


def _environment(log, delay=0.0):
    root = Path(skhyper.__file__).resolve().parent.parent
    tests = Path(restart_cases.__file__).resolve().parent
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), str(tests)]),
        restart_cases.LOG: str(log),
        restart_cases.DELAY: str(delay),
    }


def _start(workdir, case, log, delay=0.0):
    script = workdir / "search_script.py"
    script.write_text(SCRIPT)
    errors = open(workdir / f"stderr-{log.stem}.txt", "w")
    process = subprocess.Popen(
        [sys.executable, str(script), case, str(workdir / "search.ckpt"),
         str(workdir / "summary.json")],
        cwd=workdir, env=_environment(log, delay), stdout=errors, stderr=errors,
        start_new_session=True,  # its own process group, workers included
    )
    process.errors = errors
    return process


def _lines(path):
    return len(path.read_text().splitlines()) if path.exists() else 0


def _checkpointed_rows(path):
    if not path.exists():
        return 0
    return len(json.loads(path.read_text())["params"])


def _wait_for(condition, process, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the search ended before {what}: {_stderr(process)}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def _stderr(process):
    process.errors.close()
    return Path(process.errors.name).read_text()[-3000:]


def _kill_while_fitting(process, checkpoint, log, sig, min_rows):
    """Wait until ``min_rows`` evaluations are on disk and another fit has
    started, then send ``sig`` to the search's process group."""
    _wait_for(lambda: _checkpointed_rows(checkpoint) >= min_rows, process,
              f"{min_rows} evaluations were checkpointed")
    started = _lines(log)
    _wait_for(lambda: _lines(log) > started, process, "the next fit started")
    os.killpg(process.pid, sig)
    process.wait(timeout=60)
    process.errors.close()
    assert process.returncode != 0  # killed, not finished


def _finish(process):
    code = process.wait(timeout=300)
    assert code == 0, _stderr(process)
    process.errors.close()


def _kill_and_rerun(tmp_path, case, sig, min_rows):
    """Reference search, rows on disk at the kill, rerun's summary and fits."""
    reference = restart_cases.CASES[case](None).fit(restart_cases.X, restart_cases.y)
    checkpoint = tmp_path / "search.ckpt"
    first_log, second_log = tmp_path / "fits-1.log", tmp_path / "fits-2.log"

    killed = _start(tmp_path, case, first_log, delay=FIT_DELAY)
    _kill_while_fitting(killed, checkpoint, first_log, sig, min_rows)
    stored = json.loads(checkpoint.read_text())
    assert not (tmp_path / "summary.json").exists()

    _finish(_start(tmp_path, case, second_log))
    resumed = json.loads((tmp_path / "summary.json").read_text())
    return reference, stored, resumed, _lines(second_log)


def _check_resumed(reference, stored, resumed, second_run_fits):
    n_rows = len(reference.cv_results_["params"])
    n_stored = len(stored["params"])
    assert 0 < n_stored < n_rows  # killed in the middle of the search
    # The rows on disk are the first rows of the uninterrupted search.
    assert stored["columns"]["mean_test_score"] == list(
        reference.cv_results_["mean_test_score"][:n_stored]
    )
    # Same cv_results_ (times aside), best_params_ and best_score_, to the byte.
    assert resumed == restart_cases.summary(reference)
    # Only the evaluations missing from the checkpoint are fitted, plus the refit.
    assert second_run_fits == (n_rows - n_stored) * N_SPLITS + 1


def test_bayes_search_killed_mid_fit_resumes_in_a_new_process(tmp_path):
    reference, stored, resumed, fits = _kill_and_rerun(
        tmp_path, "bayes-forms", signal.SIGKILL, min_rows=4
    )
    _check_resumed(reference, stored, resumed, fits)


def test_per_second_search_resumes_on_the_stored_fit_times(tmp_path):
    """Its proposals depend on measured times: a resumed run must be told
    the killed run's, not new ones, for its stored evaluations."""
    checkpoint, first_log = tmp_path / "search.ckpt", tmp_path / "fits-1.log"
    killed = _start(tmp_path, "bayes-per-second", first_log, delay=FIT_DELAY)
    _kill_while_fitting(killed, checkpoint, first_log, signal.SIGKILL, min_rows=6)
    stored = json.loads(checkpoint.read_text())["columns"]
    n_stored = len(stored["mean_fit_time"])
    assert 6 <= n_stored < 10  # model proposals made with the cost model stored

    second_log = tmp_path / "fits-2.log"
    _finish(_start(tmp_path, "bayes-per-second", second_log))
    resumed = json.loads((tmp_path / "summary.json").read_text())
    told = np.add(stored["mean_fit_time"], stored["mean_score_time"]) * N_SPLITS
    np.testing.assert_array_equal(resumed["costs"][:n_stored], told)
    assert min(told) > FIT_DELAY * N_SPLITS  # the killed run's slow fits
    assert _lines(second_log) == (10 - n_stored) * N_SPLITS + 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "case, sig, min_rows",
    [
        ("bayes-forms", signal.SIGINT, 4),
        ("bayes-dimensions", signal.SIGKILL, 4),  # n_jobs=2: loky workers too
        ("bayes-dimensions", signal.SIGINT, 6),
        ("halving-samples", signal.SIGKILL, 9),  # killed in the second rung
        ("halving-parameter", signal.SIGKILL, 9),
        ("halving-parameter", signal.SIGINT, 9),
        ("halving-warm-forest", signal.SIGKILL, 9),
        ("hyperband", signal.SIGKILL, 12),
        ("hyperband", signal.SIGINT, 5),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_killed_search_resumes_in_a_new_process(tmp_path, case, sig, min_rows):
    reference, stored, resumed, fits = _kill_and_rerun(tmp_path, case, sig, min_rows)
    if case == "halving-warm-forest":
        assert reference.warm_start_  # promoted fold models continued training
    _check_resumed(reference, stored, resumed, fits)


def _evaluations(summary):
    """(params, bracket, iter, n_resources, score) of every row, sorted: an
    asynchronous search's rows come in the order they finished."""
    columns = summary["cv_results_"]
    keys = ("params", "bracket", "iter", "n_resources", "mean_test_score")
    return sorted(zip(*(columns[key][:-1] for key in keys)))  # [-1]: the dtype


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=lambda s: s.name)
def test_asynchronous_hyperband_killed_mid_fit_resumes_in_a_new_process(tmp_path, sig):
    reference, stored, resumed, fits = _kill_and_rerun(
        tmp_path, "hyperband-async", sig, min_rows=8
    )
    n_rows = len(reference.cv_results_["params"])
    n_stored = len(stored["params"])
    assert 0 < n_stored < n_rows
    # The evaluations of an uninterrupted run (in another order), the same best.
    expected = restart_cases.summary(reference)
    assert _evaluations(resumed) == _evaluations(expected)
    assert resumed["best_params_"] == expected["best_params_"]
    assert resumed["best_score_"] == expected["best_score_"]
    # Every checkpointed evaluation was replayed, not fitted again.
    assert fits == (n_rows - n_stored) * N_SPLITS + 1


@pytest.mark.slow
def test_dask_worker_killed_mid_fit_loses_no_finished_evaluation(tmp_path):
    distributed = pytest.importorskip("distributed")
    joblib = pytest.importorskip("joblib")
    log, token, checkpoint = tmp_path / "fits.log", tmp_path / "die", tmp_path / "ckpt"

    def search(path=None):
        estimator = restart_cases.DiesOnce(log=str(log), token=str(token), after=13)
        return skhyper.BayesSearchCV(
            estimator, {"C": restart_cases.loguniform(1e-2, 1e2)}, n_iter=8,
            n_points=2, cv=N_SPLITS, n_jobs=2, random_state=0, checkpoint=path,
        )

    reference = search().fit(restart_cases.X, restart_cases.y)
    log.unlink()
    token.touch()  # the 13th fit, in the third batch, kills its worker
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0",
    )
    try:
        with distributed.Client(cluster), joblib.parallel_config(backend="dask"):
            first = search(checkpoint)
            try:
                first.fit(restart_cases.X, restart_cases.y)
            except Exception:
                # Every finished batch is kept, in memory and on disk.
                n_stored = _checkpointed_rows(checkpoint)
                assert n_stored >= 4
                assert len(first.cv_results_["params"]) == n_stored
            else:
                assert restart_cases.summary(first) == restart_cases.summary(reference)
    finally:
        cluster.close()
    assert not token.exists()  # a worker did die
    n_stored = _checkpointed_rows(checkpoint)
    fits_before = _lines(log)
    resumed = search(checkpoint).fit(restart_cases.X, restart_cases.y)
    n_rows = len(reference.cv_results_["params"])
    extra = N_SPLITS if n_stored == n_rows else 0  # a finished search re-scores one
    assert _lines(log) - fits_before == (n_rows - n_stored) * N_SPLITS + 1 + extra
    assert restart_cases.summary(resumed) == restart_cases.summary(reference)
