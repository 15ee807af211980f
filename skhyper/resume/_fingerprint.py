"""What identifies a search, by value, so that a checkpoint can be matched to it.

A fingerprint must be equal for the same search run by the same script in
another process, and differ for another search. So nothing in it may depend
on where an object lives in memory: every object is described by what
defines it, as a tree of JSON values.

* numbers, strings, booleans and ``None`` are themselves; lists stay lists;
  tuples and dicts are tagged (``{"tuple": [...]}``, ``{"dict": {...}}``) so
  that no user value can be mistaken for a description;
* an estimator (anything with ``get_params``) is its module-qualified class
  and its parameters, described in turn (so pipelines and nested estimators
  are compared step by step);
* a frozen ``scipy.stats`` distribution is its family name, shape
  arguments, ``loc`` and (continuous ones) ``scale``;
* a search-space dimension is its defining values (``Real`` bounds and prior,
  ``Categorical`` choices, a distribution);
* a function is its module and qualified name, a ``functools.partial`` its
  function and arguments, a bound method its object and name;
* a random generator (``RandomState``) is its type only: a checkpoint stores
  the seed and the CV folds it drew;
* any other object is its class and, in order of preference, the values of
  its constructor parameters, its ``repr`` (when free of memory addresses),
  or a hash of its pickled state.

:func:`differences` compares two descriptions and names what differs in the
terms the user wrote (``search_spaces['C']``, ``estimator.steps['svc'].C``).
"""

import contextlib
import functools
import inspect
import math
import numbers
import re
import types

import numpy as np
from joblib import hash as joblib_hash
from scipy.stats import rv_discrete

from skhyper.space import Categorical, Dimension, Distribution, Integer, Real, Space

__all__ = ["describe", "differences", "fingerprint", "render"]

# "0x7f3a..." in a repr: an address, different in every process.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
# Arrays longer than this are described by a hash of their contents.
_MAX_ARRAY_VALUES = 20


def fingerprint(search, space, X, y, fit_params=None):
    """What must match for a checkpoint to belong to ``search``.

    Parameters
    ----------
    search : BaseModelSearchCV
        The search being fitted.
    space : dict, list of dict or Space
        Its search space, compared once parsed: every way of writing the same
        space (a list or a ``Categorical``, ``(1, 10)`` or ``Integer(1, 10)``)
        compares equal.
    X, y : array-like
        The data passed to ``fit``.
    fit_params : dict, default=None
        The other arguments of ``fit`` (``sample_weight``, ``groups``, ...),
        compared by a hash of their values.

    Returns
    -------
    fingerprint : dict
        JSON-able, one entry per component of the search.
    """
    return {
        "estimator": describe(search.estimator),
        "search_spaces": [
            {name: describe(dim) for name, dim in dims.items()}
            for dims in Space(space).subspaces
        ],
        "scoring": describe(search.scoring),
        "cv": describe(search.cv),
        "return_train_score": bool(search.return_train_score),
        "search": type(search).__name__,
        "schedule": {
            name: describe(_schedule_value(search, name))
            for name in search._checkpoint_params
        } | _later_options(search),
        "data": joblib_hash((X, y)),
        "fit_params": {
            "names": sorted(fit_params or {}),
            "values": joblib_hash(sorted((fit_params or {}).items())),
        },
    }


def _schedule_value(search, name):
    """A schedule parameter; ``resource="auto"`` by what it designates, so that
    checkpoints written under the earlier default ``"n_samples"`` still match."""
    value = getattr(search, name)
    if name == "resource" and value == "auto":
        return search._resource_name()
    return value


#: Options added after the first checkpoints were written. Their rows cannot
#: be replayed under another setting (folds left unfitted, rounds chosen by
#: early stopping), so they are in the fingerprint, but only when set: unset,
#: checkpoints of earlier releases still match.
_LATER_OPTIONS = ("fold_stopping", "early_stopping")


def _later_options(search):
    return {
        name: _describe_later_option(value)
        for name in _LATER_OPTIONS
        if (value := getattr(search, name, None)) not in (None, False)
    }


def _describe_later_option(value):
    """``describe(value)`` without the parameters its class added later
    (``ADDED_PARAMS``) while they have the value that behaves as before."""
    description = describe(value)
    params = description.get("params") if isinstance(description, dict) else None
    for name, default in getattr(value, "ADDED_PARAMS", {}).items():
        if params is not None and params.get(name) == default:
            del params[name]
    return description


# -- describing -----------------------------------------------------------------


def describe(obj):
    """A JSON-able description of ``obj`` by value, the same in every process.

    Parameters
    ----------
    obj : object
        Any value a search is built from.

    Returns
    -------
    description : None, bool, int, float, str, list or dict
        Equal for objects that define the same thing.
    """
    for applies, describer in _DESCRIBERS:
        if applies(obj):
            return describer(obj)
    return _describe_object(obj)


def _is_estimator(obj):
    return hasattr(obj, "get_params") and not isinstance(obj, type)


def _describe_estimator(obj):
    params = obj.get_params(deep=False)
    return {"estimator": _qualified(type(obj)),
            "params": {name: describe(params[name]) for name in sorted(params)}}


def _describe_dimension(dim):
    kind = type(dim)
    if isinstance(dim, Distribution):
        return describe(dim.dist)
    if kind in (Real, Integer):
        return {"dimension": kind.__name__, "low": describe(dim.low),
                "high": describe(dim.high), "prior": dim.prior}
    if kind is Categorical:
        return {"dimension": "Categorical",
                "categories": [describe(c) for c in dim.categories],
                "ordered": describe(dim.ordered)}
    return _describe_object(dim, skip=("name",))


def _is_frozen_distribution(obj):
    generator = getattr(obj, "dist", None)
    return (
        hasattr(obj, "ppf") and hasattr(obj, "args") and hasattr(obj, "kwds")
        and isinstance(getattr(generator, "name", None), str)
    )


def _describe_distribution(frozen):
    generator = frozen.dist
    discrete = isinstance(generator, rv_discrete)
    names = [s.strip() for s in (generator.shapes or "").split(",") if s.strip()]
    names += ["loc"] if discrete else ["loc", "scale"]
    values = {"loc": 0, "scale": 1} if not discrete else {"loc": 0}
    values.update(zip(names, frozen.args))
    values.update(frozen.kwds)
    description = {
        "distribution": generator.name,
        "discrete": discrete,
        "args": {name: describe(values[name]) for name in names if name in values},
    }
    # A distribution defined by its values (rv_discrete(values=(xk, pk))).
    for attribute in ("xk", "pk"):
        if hasattr(generator, attribute):
            description[attribute] = describe(np.asarray(getattr(generator, attribute)))
    return description


def _describe_number(value):
    value = value.item() if isinstance(value, np.generic) else value
    if not isinstance(value, (int, float)):  # Fraction, Decimal: not JSON
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}
    return value


def _describe_array(array):
    if array.dtype == object or array.size > _MAX_ARRAY_VALUES:
        values = joblib_hash(array)
    else:
        values = [describe(v) for v in array.ravel().tolist()]
    return {"array": {"dtype": str(array.dtype), "shape": list(array.shape),
                      "values": values}}


def _describe_dict(obj):
    if all(isinstance(k, str) for k in obj):
        return {"dict": {k: describe(v) for k, v in obj.items()}}
    return {"dict": [[describe(k), describe(v)] for k, v in obj.items()]}


def _is_function(obj):
    return isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, np.ufunc))


def _describe_function(func):
    description = {"function": _qualified(func)}
    if "<lambda>" in description["function"] or "<locals>" in description["function"]:
        # Not importable by name: what it computes is its code.
        code = getattr(func, "__code__", None)
        if code is not None:
            description["code"] = joblib_hash(
                (code.co_code, code.co_names, _plain_constants(code))
            )
    return description


def _plain_constants(code):
    return [
        c if isinstance(c, (str, bytes, int, float, bool, type(None)))
        else type(c).__name__
        for c in code.co_consts
    ]


def _describe_partial(obj):
    return {"partial": describe(obj.func), "args": [describe(a) for a in obj.args],
            "keywords": _describe_dict(obj.keywords)}


def _describe_method(method):
    return {"method": method.__func__.__name__, "of": describe(method.__self__)}


def _describe_random_state(obj):
    return {"random_generator": _qualified(type(obj))}


def _describe_object(obj, skip=()):
    """Class and constructor parameters, or an address-free repr, or a hash."""
    description = {"object": _qualified(type(obj))}
    params = _constructor_values(obj, skip)
    if params is not None:
        description["params"] = {name: describe(v) for name, v in params.items()}
        return description
    text = repr(obj)
    if not _ADDRESS.search(text):
        description["repr"] = text
        return description
    # An unpicklable object (any error of pickling): the class is all that is left.
    with contextlib.suppress(Exception):
        description["state"] = joblib_hash(obj)
    return description


def _constructor_values(obj, skip):
    """``{name: value}`` of the constructor's parameters stored under their
    own names (as scikit-learn's splitters do), or ``None``."""
    try:
        signature = inspect.signature(type(obj).__init__)
    except (TypeError, ValueError):
        return None
    names = [
        p.name for p in list(signature.parameters.values())[1:]
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in skip
    ]
    if not names or not all(hasattr(obj, name) for name in names):
        return None
    return {name: getattr(obj, name) for name in names}


def _qualified(obj):
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
    return f"{module}.{name}" if module else name


_DESCRIBERS = (
    (lambda o: o is None or isinstance(o, (bool, np.bool_, str)),
     lambda o: o.item() if isinstance(o, np.generic) else o),
    (lambda o: isinstance(o, numbers.Real), _describe_number),
    (lambda o: isinstance(o, type), lambda o: {"class": _qualified(o)}),
    (_is_estimator, _describe_estimator),
    (lambda o: isinstance(o, Dimension), _describe_dimension),
    (lambda o: isinstance(o, list), lambda o: [describe(v) for v in o]),
    (lambda o: isinstance(o, tuple), lambda o: {"tuple": [describe(v) for v in o]}),
    (lambda o: isinstance(o, dict), _describe_dict),
    (lambda o: isinstance(o, np.ndarray), _describe_array),
    (lambda o: isinstance(o, (np.random.RandomState, np.random.Generator)),
     _describe_random_state),
    (_is_frozen_distribution, _describe_distribution),
    (lambda o: isinstance(o, functools.partial), _describe_partial),
    (lambda o: isinstance(o, types.MethodType), _describe_method),
    (_is_function, _describe_function),
)


# -- rendering and comparing ------------------------------------------------------


def render(description, limit=120):
    """Short Python-like text of a description, for error messages."""
    text = _render(description)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(node):
    if isinstance(node, list):
        return "[" + ", ".join(_render(v) for v in node) + "]"
    if not isinstance(node, dict):
        return repr(node)
    if "tuple" in node:
        items = [_render(v) for v in node["tuple"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if "dict" in node:
        items = node["dict"]
        pairs = items.items() if isinstance(items, dict) else items
        return "{" + ", ".join(
            f"{k!r}: {_render(v)}" if isinstance(items, dict) else
            f"{_render(k)}: {_render(v)}" for k, v in pairs
        ) + "}"
    if "float" in node:
        return node["float"]
    if "distribution" in node:
        args = dict(node["args"])
        if args.get("loc") == 0:
            del args["loc"]
        if args.get("scale") == 1:
            del args["scale"]
        return node["distribution"] + _call_args(args)
    if node.get("dimension") == "Categorical":
        ordered = "" if node["ordered"] == "auto" else f", ordered={node['ordered']!r}"
        return f"Categorical({_render(node['categories'])}{ordered})"
    if "dimension" in node:
        args = {k: v for k, v in node.items() if k != "dimension"}
        return node["dimension"] + _call_args(args)
    if "estimator" in node or "object" in node:
        name = _short_name(node.get("estimator") or node.get("object"))
        if "repr" in node:
            return node["repr"]
        return name + _call_args(node.get("params", {}))
    for key in ("function", "class", "random_generator"):
        if key in node:
            return node[key]
    if "array" in node:
        array = node["array"]
        if isinstance(array["values"], list):
            return f"array({_render(array['values'])}, dtype={array['dtype']})"
        return f"array(shape={tuple(array['shape'])}, dtype={array['dtype']})"
    if "partial" in node:
        return f"partial({_render(node['partial'])}, ...)"
    if "method" in node:
        return f"{_render(node['of'])}.{node['method']}"
    return repr(node)


def _call_args(args):
    return "(" + ", ".join(f"{k}={_render(v)}" for k, v in args.items()) + ")"


def _short_name(qualified):
    return qualified.rsplit(".", 1)[-1]


def differences(stored, current, path):
    """``(path, stored text, current text)`` for each place two descriptions
    differ, at the deepest level where they still have the same shape."""
    if stored == current:
        return []
    pairs = _children(stored, current)
    if pairs is None:
        return [(path, _render_side(stored, current), _render_side(current, stored))]
    found = []
    for segment, a, b in pairs:
        found.extend(differences(a, b, path + segment))
    return found


def _render_side(node, other):
    if isinstance(node, dict) and isinstance(other, dict):
        for key in ("estimator", "object"):
            if key in node and key in other and node[key] != other[key]:
                # Another class: its name says it (its module if the names match).
                if _short_name(node[key]) == _short_name(other[key]):
                    return node[key]
                return _short_name(node[key]) + "(...)"
    return render(node)


def _children(a, b):
    """Pairs of sub-descriptions to compare, or ``None`` to report ``a``, ``b``."""
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return _named_items(a, b) or [(f"[{i}]", x, y) for i, (x, y) in enumerate(
            zip(a, b))]
    if not (isinstance(a, dict) and isinstance(b, dict)) or a.keys() != b.keys():
        return None
    if "dict" in a and isinstance(a["dict"], dict) and isinstance(b["dict"], dict):
        if a["dict"].keys() == b["dict"].keys():
            return [(f"[{k!r}]", a["dict"][k], b["dict"][k]) for k in a["dict"]]
        return None
    if "tuple" in a and len(a["tuple"]) == len(b["tuple"]):
        pairs = zip(a["tuple"], b["tuple"])
        return [(f"[{i}]", x, y) for i, (x, y) in enumerate(pairs)]
    kind = "estimator" if "estimator" in a else "object" if "object" in a else None
    if kind and a[kind] == b[kind] and "params" in a and (
        a["params"].keys() == b["params"].keys()
    ):
        return [(f".{k}", a["params"][k], b["params"][k]) for k in a["params"]]
    if a.get("dimension") == b.get("dimension") == "Categorical" and (
        a["ordered"] == b["ordered"]
    ):
        return _children(a["categories"], b["categories"])
    return None


def _named_items(a, b):
    """Steps of a pipeline (``[(name, estimator), ...]``) paired by name."""
    names = [_step_name(x) for x in a]
    if None in names or names != [_step_name(y) for y in b] or len(set(names)) < len(
        names
    ):
        return None
    pairs = []
    for name, x, y in zip(names, a, b):
        x, y = x["tuple"], y["tuple"]
        if len(x) == len(y) == 2:
            pairs.append((f"[{name!r}]", x[1], y[1]))
        else:
            pairs.append((f"[{name!r}]", {"tuple": x[1:]}, {"tuple": y[1:]}))
    return pairs


def _step_name(node):
    if isinstance(node, dict) and "tuple" in node and len(node["tuple"]) >= 2 and (
        isinstance(node["tuple"][0], str)
    ):
        return node["tuple"][0]
    return None
