"""Earlier work a search starts from: a checkpoint or a previous search."""

import numbers
from dataclasses import dataclass, field

from skhyper import _checkpoint
from skhyper._evaluator import Evaluation


@dataclass
class Prior:
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
    extra_keys : tuple of str
        The search's own cv_results_ columns that identify an evaluation
        together with its parameters (e.g. a halving rung's ``n_resources``).
    """

    space: object
    results: dict = None
    told: list = field(default_factory=list)
    splits: list = None
    seed: int = None
    extra_keys: tuple = ()

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


def from_checkpoint(path, fingerprint, space, extra_keys):
    loaded = _checkpoint.load(path, fingerprint, space)
    if loaded is None:
        return None
    seed, splits, results = loaded
    return Prior(space, results=results, splits=splits, seed=seed,
                 extra_keys=extra_keys)


def from_earlier(earlier, space, extra_keys):
    """A Prior from a fitted search, its ``cv_results_``, or (params, score) pairs."""
    if hasattr(earlier, "cv_results_"):
        earlier = earlier.cv_results_
    if isinstance(earlier, dict):
        if "params" not in earlier or not any(
            k.startswith("mean_test_") for k in earlier
        ):
            raise ValueError(
                "warm_start_from must be a fitted search, its cv_results_ or a "
                "list of (params, score) pairs; got a dict without 'params' and "
                "'mean_test_*' columns."
            )
        return Prior(space, results=earlier, extra_keys=extra_keys)
    if isinstance(earlier, (list, tuple)):
        return Prior(space, told=[_told(space, pair) for pair in earlier],
                     extra_keys=extra_keys)
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
