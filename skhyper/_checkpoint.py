"""Checkpoint files: a search's results so far, in plain JSON.

A checkpoint is rewritten after every batch through a temporary file and an
atomic rename, so a kill at any moment leaves either the previous or the new
complete file. Loading one never executes code: parameter values are stored
as numbers, strings, booleans and ``null``, and a categorical value (which may
be an estimator) as its index among the search space's categories, so it is
rebuilt from the space the user passes again.

Layout::

    {"format": "skhyper-checkpoint", "version": 1,
     "fingerprint": {"estimator": ..., "search_spaces": ..., "scoring": ...,
                     "cv": ..., "data": ..., ...},
     "seed": 12345,
     "splits": [{"train": "<base64 int32>", "test": "<base64 int32>"}, ...],
     "params": [{"subspace": 0, "values": {"C": 0.5, "kernel": {"category": 1}}}, ...],
     "columns": {"mean_test_score": [...], "split0_test_score": [...], ...}}

``NaN`` scores are stored as ``null``. The CV splits are stored too, so a
resumed search scores new candidates on exactly the folds of the stored ones,
even with a shuffling splitter that has no fixed seed.
"""

import base64
import json
import math
import numbers
import os
import tempfile

import numpy as np
from joblib import hash as joblib_hash

from skhyper import _results

FORMAT = "skhyper-checkpoint"
VERSION = 1


def describe(obj):
    """A JSON-able description of ``obj`` that is stable across runs."""
    if hasattr(obj, "get_params") and not isinstance(obj, type):
        params = obj.get_params(deep=False)
        return {type(obj).__qualname__: {k: describe(v) for k, v in params.items()}}
    if isinstance(obj, dict):
        return {str(k): describe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [describe(v) for v in obj]
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, numbers.Real):
        return _number(obj)
    if callable(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return repr(obj)


def fingerprint(search, space_spec, X, y):
    """What must match for a checkpoint to belong to this search."""
    return {
        "estimator": describe(search.estimator),
        "search_spaces": describe(space_spec),
        "scoring": describe(search.scoring),
        "cv": describe(search.cv),
        "return_train_score": bool(search.return_train_score),
        "search": type(search).__name__,
        "schedule": {
            name: describe(getattr(search, name)) for name in search._checkpoint_params
        },
        "data": joblib_hash((X, y)),
    }


def save(path, fingerprint, seed, splits, space, results):
    """Write ``results`` (cv_results_ format) atomically to ``path``."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "fingerprint": fingerprint,
        "seed": int(seed),
        "splits": [
            {"train": _encode_indices(train), "test": _encode_indices(test)}
            for train, test in splits
        ],
        "params": [encode_params(space, p) for p in results["params"]],
        "columns": {
            key: [_number(v) for v in np.asarray(value).tolist()]
            for key, value in results.items()
            if key != "params" and not key.startswith("param_")
        },
    }
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".skhyper-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(document, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path, fingerprint, space):
    """Read a checkpoint: ``(seed, splits, results)``, or ``None`` if no file.

    Raises
    ------
    ValueError
        If the file is truncated or corrupted, or was written by a search
        with another estimator, space, scoring, CV or data (the message names
        what differs).
    """
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            document = json.load(f)
        if document.get("format") != FORMAT:
            raise ValueError("not a skhyper checkpoint")
        if document.get("version") != VERSION:
            raise ValueError(f"unsupported checkpoint version {document['version']}")
        stored = document["fingerprint"]
        params = document["params"]
        columns = document["columns"]
        seed = int(document["seed"])
        splits = [
            (_decode_indices(s["train"]), _decode_indices(s["test"]))
            for s in document["splits"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"checkpoint {path!r} is truncated or corrupted ({exc}); remove it or "
            "pass another checkpoint path to start a new search."
        ) from exc
    _check_fingerprint(path, stored, fingerprint)
    results = {key: _column(values) for key, values in columns.items()}
    try:
        results["params"] = [decode_params(space, p) for p in params]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"checkpoint {path!r} has invalid parameters: {exc}") from exc
    results = _results.rank(_results.take_rows(results, range(len(params))))
    return seed, splits, results


def _encode_indices(indices):
    data = np.asarray(indices, dtype="<i4").tobytes()
    return base64.b64encode(data).decode("ascii")


def _decode_indices(text):
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<i4").astype(
        np.intp
    )


def _check_fingerprint(path, stored, current):
    for component in current:
        if stored.get(component) != json.loads(json.dumps(current[component])):
            raise ValueError(
                f"checkpoint {path!r} belongs to a search with a different "
                f"{component}: stored {_short(stored.get(component))}, this search "
                f"has {_short(current[component])}. Use another checkpoint path "
                "or remove the file."
            )


def _short(value, limit=200):
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _number(value):
    """JSON-safe scalar: NaN becomes ``None``; numpy scalars become Python."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _column(values):
    if any(isinstance(v, float) for v in values) or None in values:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.array(values)


def subspace_of(space, params):
    """The subspace whose parameters ``params`` holds (extra keys allowed)."""
    best = None
    for i, dims in enumerate(space.subspaces):
        if set(dims) <= set(params) and all(
            d.contains(params[n]) for n, d in dims.items()
        ):
            if best is None or len(dims) > len(space.subspaces[best]):
                best = i
    if best is None:
        raise ValueError(f"{params!r} is not a point of the search space")
    return best


def encode_params(space, params):
    """JSON form of a parameter dict (categories by index)."""
    index = subspace_of(space, params)
    dims = space.subspaces[index]
    values = {}
    for name, value in params.items():
        dim = dims.get(name)
        if dim is not None and dim.kind == "categorical":
            values[name] = {"category": dim.index(value)}
        else:
            values[name] = _json_value(name, _number(value))
    return {"subspace": index, "values": values}


def decode_params(space, encoded):
    dims = space.subspaces[encoded["subspace"]]
    params = {}
    for name, value in encoded["values"].items():
        if isinstance(value, dict):
            params[name] = dims[name].categories[value["category"]]
        elif isinstance(value, list):
            params[name] = tuple(value)
        else:
            params[name] = value
    return params


def _json_value(name, value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple) and all(
        isinstance(v, (bool, int, float, str)) for v in value
    ):
        return list(value)
    raise TypeError(
        f"Parameter {name!r} has a value that a checkpoint cannot store as plain "
        f"data: {value!r}. List it as a categorical choice in the search space."
    )
