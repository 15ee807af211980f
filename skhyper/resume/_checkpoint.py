"""Checkpoint files: a search's results so far, in plain JSON.

A checkpoint is rewritten after every batch through a temporary file and an
atomic rename, so a kill at any moment leaves either the previous or the new
complete file. Loading one never executes code: parameter values are stored
as numbers, strings, booleans and ``null``, and a categorical value (which may
be an estimator) as its index among the search space's categories, so it is
rebuilt from the space the user passes again.

Layout::

    {"format": "skhyper-checkpoint", "version": 2,
     "fingerprint": {"estimator": ..., "search_spaces": ..., "scoring": ...,
                     "cv": ..., "data": ..., ...},
     "seed": 12345,
     "splits": [{"train": "<base64 int32>", "test": "<base64 int32>"}, ...],
     "params": [{"subspace": 0, "values": {"C": 0.5, "kernel": {"category": 1}}}, ...],
     "columns": {"mean_test_score": [...], "split0_test_score": [...], ...}}

The fingerprint (see :mod:`skhyper.resume._fingerprint`) describes every object by
value, so the same script run again in a new process finds its checkpoint.
``NaN`` scores are stored as ``null``. The CV splits are stored too, so a
resumed search scores new candidates on exactly the folds of the stored ones,
even with a shuffling splitter that has no fixed seed.
"""

import base64
import json
import math
import os
import tempfile

import numpy as np

from skhyper.resume._fingerprint import describe, differences, fingerprint
from skhyper.scheduling import _results

__all__ = ["describe", "fingerprint", "load", "save"]

FORMAT = "skhyper-checkpoint"
#: 2: fingerprints describe objects by value (version 1 stored reprs, which
#: hold memory addresses and never match in another process).
VERSION = 2
_FIELDS = {"fingerprint": dict, "seed": int, "splits": list, "params": list,
           "columns": dict}


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
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def _sync_directory(directory):
    """Make the rename itself durable, so a power cut or reboot keeps it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; its rename is durable
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path, current, space):
    """Read a checkpoint: ``(seed, splits, results)``, or ``None`` if no file.

    Parameters
    ----------
    path : str
        The checkpoint file.
    current : dict
        :func:`fingerprint` of the search being fitted.
    space : Space
        Its search space, to rebuild categorical values.

    Raises
    ------
    ValueError
        If the file is not a checkpoint, is truncated or corrupted, was
        written by another format version, or by a search with another
        estimator, space, scoring, CV or data (the message names what differs).
    """
    if not os.path.exists(path):
        return None
    document = _read(path)
    _check_fingerprint(path, document["fingerprint"], current)
    try:
        seed = int(document["seed"])
        splits = [
            (_decode_indices(s["train"]), _decode_indices(s["test"]))
            for s in document["splits"]
        ]
        params = document["params"]
        results = {key: _column(values) for key, values in document["columns"].items()}
        if any(len(column) != len(params) for column in results.values()):
            raise ValueError("its columns and parameters have different lengths")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _damaged(path, exc) from exc
    try:
        results["params"] = [decode_params(space, p) for p in params]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"checkpoint {path!r} has parameters that are not points of this "
            f"search's space ({exc}); remove it or pass another checkpoint path."
        ) from exc
    results = _results.rank(_results.take_rows(results, range(len(params))))
    return seed, splits, results


def _read(path):
    """The JSON document of a checkpoint file, its format and version checked."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"checkpoint {path!r} cannot be read: {exc}") from exc
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(
            f"checkpoint {path!r} is not a skhyper checkpoint (it has no "
            f"\"format\": \"{FORMAT}\" entry). Pass the path of a checkpoint "
            "written by a skhyper search, or a path that does not exist yet."
        )
    version = document.get("version")
    if version != VERSION:
        raise ValueError(_version_message(path, version))
    for name, kind in _FIELDS.items():
        if not isinstance(document.get(name), kind):
            raise _damaged(
                path, f"its {name!r} entry is missing or not a {kind.__name__}"
            )
    return document


def _version_message(path, version):
    if isinstance(version, int) and version > VERSION:
        return (
            f"checkpoint {path!r} was written by a newer skhyper (format version "
            f"{version}; this one reads version {VERSION}). Upgrade skhyper to "
            "resume it, or pass another checkpoint path."
        )
    if version == 1:
        return (
            f"checkpoint {path!r} was written by an older skhyper (format version "
            "1), whose fingerprints cannot be compared with this search's. Remove "
            "it or pass another checkpoint path; the search starts anew."
        )
    return f"checkpoint {path!r} has an unknown format version {version!r}."


def _damaged(path, reason):
    return ValueError(
        f"checkpoint {path!r} is truncated or corrupted ({reason}); remove it or "
        "pass another checkpoint path to start a new search."
    )


def _encode_indices(indices):
    data = np.asarray(indices, dtype="<i4").tobytes()
    return base64.b64encode(data).decode("ascii")


def _decode_indices(text):
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<i4").astype(
        np.intp
    )


def _check_fingerprint(path, stored, current):
    current = json.loads(json.dumps(current))  # tuples and keys as stored
    found = []
    for component, value in current.items():
        if component not in stored:
            raise _damaged(path, f"its fingerprint has no {component!r} entry")
        if stored[component] != value:
            found.append((component, _component_differences(component, stored, value)))
    if not found:
        return
    details = [d for _, ds in found for d in ds]
    shown = "; ".join(details[:3]) + (
        f"; and {len(details) - 3} more" if len(details) > 3 else ""
    )
    raise ValueError(
        f"checkpoint {path!r} belongs to a search with a different "
        f"{' and '.join(c for c, _ in found)}: {shown}. Use another checkpoint "
        "path or remove the file."
    )


def _component_differences(component, stored, current):
    stored = stored[component]
    if component == "data":
        return ["the X and y passed to fit are not those the checkpoint was made with"]
    if component == "fit_params":
        return [
            f"the fit parameters {current['names']} passed to fit are not those the "
            f"checkpoint was made with ({stored.get('names')})"
        ]
    if component == "schedule":
        return [
            text for name in sorted(set(stored) | set(current))
            for text in _texts(stored.get(name), current.get(name), name)
        ]
    if component == "search_spaces" and len(stored) == len(current) == 1:
        return _texts({"dict": stored[0]}, {"dict": current[0]}, component)
    if component == "search_spaces":
        stored = [{"dict": s} for s in stored]
        current = [{"dict": c} for c in current]
    return _texts(stored, current, component)


def _texts(stored, current, path):
    return [
        f"{where}: stored {old}, this search has {new}"
        for where, old, new in differences(stored, current, path)
    ]


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
