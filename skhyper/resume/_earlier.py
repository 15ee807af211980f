"""Earlier work a search starts from: a checkpoint or a previous search.

A :class:`Earlier` holds rows a search does not run again: from its own
checkpoint, from ``warm_start_from`` (a fitted search, its ``cv_results_`` or
(params, score) pairs), or, for the halving searches, the rows of an earlier
halving search evaluated at one of this search's resource levels.
"""

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np

from skhyper import _compat
from skhyper.resume import _checkpoint
from skhyper.scheduling import _results
from skhyper.scheduling._evaluator import Evaluation


@dataclass
class Earlier:
    """Evaluations a search does not have to run again.

    Attributes
    ----------
    space : Space
        The search's space.
    results : dict or None
        Rows (cv_results_ format) that come first in the new ``cv_results_``.
    told : list of Evaluation
        Scores the user supplied, for the proposers only (not rows).
    splits : list of (train, test) or None
        CV folds of the stored rows, reused so new rows are comparable.
    seed : int or None
        Seed of the interrupted search, so a resumed search replays its choices.
    own_columns : tuple of str
        The search's own cv_results_ columns that identify an evaluation
        together with its parameters (e.g. a halving rung's ``n_resources``).
    """

    space: object
    results: dict = None
    told: list = field(default_factory=list)
    splits: list = None
    seed: int = None
    own_columns: tuple = ()

    def key(self, params, extra):
        return (point_key(self.space, params), tuple(extra))

    def in_space(self, params):
        return self.space.contains(params)


def point_key(space, params):
    """Identity of a configuration; parameters outside the space (such as a
    halving resource) are compared by value."""
    try:
        return space.key(params)
    except ValueError:
        pass
    index = _checkpoint.subspace_of(space, params)
    dims = space.subspaces[index]
    return (index, tuple(
        (name, dims[name].canonical(value) if name in dims else repr(value))
        for name, value in sorted(params.items())
    ))


def from_checkpoint(path, fingerprint, space, own_columns):
    loaded = _checkpoint.load(path, fingerprint, space)
    if loaded is None:
        return None
    seed, splits, results = loaded
    return Earlier(space, results=results, splits=splits, seed=seed,
                   own_columns=own_columns)


def from_earlier(earlier, space, own_columns):
    """Earlier rows: a fitted search, its ``cv_results_``, or (params, score) pairs."""
    if hasattr(earlier, "cv_results_"):
        earlier = _compat.search_history(earlier)
    if isinstance(earlier, dict):
        if "params" not in earlier or not any(
            k.startswith("mean_test_") for k in earlier
        ):
            raise ValueError(
                "warm_start_from must be a fitted search, its cv_results_ or a "
                "list of (params, score) pairs; got a dict without 'params' and "
                "'mean_test_*' columns."
            )
        return Earlier(space, results=earlier, own_columns=own_columns)
    if isinstance(earlier, (list, tuple)):
        return Earlier(space, told=[_told(space, pair) for pair in earlier],
                       own_columns=own_columns)
    raise TypeError(
        "warm_start_from must be a fitted search, its cv_results_ or a list of "
        f"(params, score) pairs, got {type(earlier).__name__}."
    )


def _told(space, pair):
    try:
        params, score = pair
    except (TypeError, ValueError):
        raise TypeError(
            f"warm_start_from entries must be (params, score) pairs, got {pair!r}."
        ) from None
    if not isinstance(params, dict) or not isinstance(score, numbers.Real):
        raise TypeError(
            f"warm_start_from entries must be (dict, number) pairs, got {pair!r}."
        )
    if not space.contains(params):
        raise ValueError(
            f"warm_start_from: {params!r} is not a point of the search space."
        )
    return Evaluation(params, float(score), None)


# -- rows of an earlier halving search --------------------------------------


def halving_rows(search, setup, space, earlier, same_subsamples):
    """The rows of ``warm_start_from`` this search may reuse, or ``None``.

    Rows of configurations of ``search``'s space evaluated at one of its
    resource levels, with the resource as an ``int`` in ``params`` and ``-1``
    in the search's own columns (``iter``, ``bracket``) until a rung reuses
    them. With ``"n_samples"`` as resource, rows on subsamples count only if
    ``same_subsamples`` (the earlier search drew the subsamples this one will).
    """
    results = earlier if isinstance(earlier, dict) else (
        _compat.search_history(earlier) if hasattr(earlier, "cv_results_") else None
    )
    if results is None:
        raise ValueError(
            f"warm_start_from must be a fitted search or its cv_results_; the "
            f"{type(earlier).__name__} given has no cv_results_: it is not "
            "fitted, or it is a clone (cross-validation clones the search and "
            "its parameters), in which case pass its cv_results_ instead."
        )
    missing = [key for key in ("params", "n_resources") if key not in results]
    if missing or not any(key.startswith("mean_test_") for key in results):
        raise ValueError(
            "warm_start_from must be a fitted successive-halving or Hyperband "
            "search (skhyper's or scikit-learn's) or its cv_results_, with "
            "'params', 'n_resources' and 'mean_test_*' columns; these results "
            f"lack {missing or ['mean_test_*']}."
        )
    _check_same_scoring(results, search.scoring)
    n_splits = _n_split_columns(results)
    if setup.schedule.n_splits is not None and n_splits not in (
        None, setup.schedule.n_splits
    ):
        raise ValueError(
            f"warm_start_from: the earlier results were cross-validated on "
            f"{n_splits} splits, this search uses {setup.schedule.n_splits}; "
            "their scores are not comparable."
        )
    levels = _resource_levels(setup.schedule)
    resource = search._resource_name()
    if resource == "n_samples" and not same_subsamples:
        levels &= {setup.n_samples}  # whole folds only
    rows, params = [], []
    for i, (point, n_resources) in enumerate(
        zip(results["params"], results["n_resources"])
    ):
        try:
            n_resources = int(n_resources)
        except (TypeError, ValueError):  # a row without a resource
            continue
        config = search._without_resource(point)
        if n_resources not in levels or not space.contains(config):
            continue
        if resource != "n_samples" and point.get(resource) != n_resources:
            continue
        rows.append(i)
        params.append(search._with_resource(config, n_resources))
    if not rows:
        why = (
            f"evaluated with one of its resources {sorted(levels)}"
            if levels else
            "evaluated on all the samples (rows on subsamples are reused only "
            "from a fitted skhyper halving search, not its cv_results_, with the "
            "same integer random_state and cv)"
        )
        warnings.warn(
            f"warm_start_from: none of its {len(results['params'])} evaluations "
            f"can be reused: none is a configuration of this search's space {why}.",
            UserWarning,
            stacklevel=4,
        )
        return None
    normalized = list(results["params"])
    for i, point in zip(rows, params):
        normalized[i] = point
    reusable = _results.take_rows({**results, "params": normalized}, rows)
    for key in search._own_columns:
        if key != "n_resources":
            reusable[key] = np.full(len(rows), -1)
    reusable["n_resources"] = np.array(
        [int(results["n_resources"][i]) for i in rows]
    )
    return reusable


def label_reused_rows(earlier, evaluator, evaluations, more_results):
    """Earlier rows a rung reused take the rung's ``iter`` (and ``bracket``)."""
    if earlier is None:
        return
    n_earlier = _results.n_rows(earlier)
    for i, evaluation in enumerate(evaluations):
        if evaluation.index is not None and evaluation.index < n_earlier:
            evaluator.relabel(
                evaluation.index, {k: v[i] for k, v in more_results.items()}
            )


class EarlierAtResources(Earlier):
    """Earlier evaluations replayed by configuration and resource only.

    The search's columns (``iter``, ``bracket``) stay ``own_columns``, so that
    every evaluation the evaluator makes has them, but they do not take part
    in the match: an earlier row is reused whatever rung it came from.
    """

    def key(self, params, extra):
        resource = dict(zip(self.own_columns, extra)).get("n_resources")
        return super().key(params, (resource,))


def _resource_levels(schedule):
    """Every resource a rung of ``schedule`` (of any bracket) gets."""
    brackets = getattr(schedule, "brackets", [schedule])
    return {int(r) for bracket in brackets for r in bracket.n_resources}


def _n_split_columns(results):
    """Number of ``split<k>_test_*`` columns of one metric, or ``None``."""
    splits = {}
    for key in results:
        head, _, metric = key.partition("_test_")
        if head.startswith("split") and head[len("split"):].isdigit() and metric:
            splits.setdefault(metric, set()).add(head)
    return max((len(v) for v in splits.values()), default=None)


def _check_same_scoring(results, scoring):
    """Earlier results must have a mean score for every metric of ``scoring``."""
    if scoring is None or isinstance(scoring, str):
        names = ["score"]
    elif callable(scoring):
        return  # a callable may return one score or a dict of them
    else:
        names = list(scoring)
    missing = [name for name in names if f"mean_test_{name}" not in results]
    if missing:
        raise ValueError(
            f"warm_start_from was scored with other metrics: its results lack "
            f"{[f'mean_test_{name}' for name in missing]}."
        )
