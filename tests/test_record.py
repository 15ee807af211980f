"""The row record: ordering, failed rows, relabelling, ranks."""

import numpy as np
import pytest

from skhyper.scheduling._record import Record


def _rows(params, scores, **columns):
    n = len(params)
    rows = {f"param_{k}": np.ma.MaskedArray([p.get(k) for p in params], dtype=object)
            for k in sorted({k for p in params for k in p})}
    rows.update({
        "params": list(params),
        **{k: np.asarray(v) for k, v in columns.items()},
        "mean_fit_time": np.full(n, 0.1),
        "split0_test_score": np.asarray(scores, dtype=float),
        "split1_test_score": np.asarray(scores, dtype=float),
        "mean_test_score": np.asarray(scores, dtype=float),
        "std_test_score": np.zeros(n),
        "rank_test_score": np.ones(n, dtype=np.int32),
    })
    return rows


def test_rows_come_in_the_order_they_were_added_and_are_ranked():
    record = Record(error_score=np.nan)
    assert record.results is None and record.n_rows == 0
    assert list(record.add(_rows([{"a": 1}, {"a": 2}], [0.5, 0.9]))) == [0, 1]
    assert list(record.add(_rows([{"a": 3}], [0.7]))) == [2]
    results = record.results
    assert [p["a"] for p in results["params"]] == [1, 2, 3]
    assert list(results["rank_test_score"]) == [3, 1, 2]
    assert record.n_rows == 3


def test_failed_rows_wait_for_columns_then_take_their_place():
    record = Record(error_score=-1.0)
    assert list(record.add_failed([{"a": 0}], {"batch": [0]})) == [0]
    assert record.results is None  # nothing formatted yet: no columns
    record.add(_rows([{"a": 1}], [0.5], batch=[1]))
    results = record.results
    assert [p["a"] for p in results["params"]] == [0, 1]
    assert list(results["mean_test_score"]) == [-1.0, 0.5]
    assert list(results["split1_test_score"]) == [-1.0, 0.5]
    assert list(results["batch"]) == [0, 1]
    assert np.isnan(results["mean_fit_time"][0])
    assert list(results["rank_test_score"]) == [2, 1]


def test_set_changes_one_row_and_survives_later_rows():
    record = Record(error_score=np.nan)
    record.add(_rows([{"a": 1}, {"a": 2}], [0.5, 0.9], iter=[-1, -1]))
    record.set(1, "iter", 2)
    assert list(record.results["iter"]) == [-1, 2]
    record.add(_rows([{"a": 3}], [0.7], iter=[3]))
    record.add_failed([{"a": 4}], {"iter": [3]})  # forces the rows to be joined again
    assert list(record.results["iter"]) == [-1, 2, 3, 3]
    record.set(3, "iter", 4)
    assert list(record.results["iter"]) == [-1, 2, 3, 4]
    with pytest.raises(IndexError):
        Record(np.nan).set(0, "iter", 1)


def test_rows_of_other_sources_put_the_parameters_first():
    sklearn_order = Record(np.nan)
    rows = _rows([{"a": 1}], [0.5], batch=[0])
    moved = {"batch": rows.pop("batch"), **rows}
    sklearn_order.add(moved, by_sklearn=True)
    assert list(sklearn_order.results)[0] == "batch"  # scikit-learn's own order
    mixed = Record(np.nan)
    mixed.add(dict(moved))  # restored rows
    mixed.add(dict(moved), by_sklearn=True)
    assert list(mixed.results)[:2] == ["param_a", "params"]


def test_columns_missing_from_earlier_rows_are_nan():
    record = Record(np.nan)
    record.add(_rows([{"a": 1}], [0.5]))
    record.add(_rows([{"a": 2}], [0.6], start_time=[1.5]))
    results = record.results
    assert np.isnan(results["start_time"][0]) and results["start_time"][1] == 1.5
