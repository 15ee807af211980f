"""Every proposer by name: what ``BayesSearchCV(surrogate=...)`` and the
halving searches' ``proposer=...`` accept.

``MODELS`` maps a name to a proposer that learns from scores (a class or a
factory taking the space and keyword options); ``BayesSearchCV`` asks it
directly, the halving searches wrap it in :class:`ByResource` (BOHB). A new
proposer is one module and one line here.
"""

import inspect
from functools import partial

from skhyper.optimizer._by_resource import ByResource
from skhyper.optimizer._grid import GridProposer, is_pure_grid
from skhyper.optimizer._optimizer import Optimizer
from skhyper.optimizer._random import RandomProposer
from skhyper.optimizer._tpe import TPEProposer

__all__ = [
    "HALVING_PROPOSERS", "MODELS", "default_n_initial", "make_halving_proposer",
    "make_model",
    "resolve_halving_proposer",
]

MODELS = {
    "gp": partial(Optimizer, surrogate="gp"),
    "forest": partial(Optimizer, surrogate="forest"),
    "auto": partial(Optimizer, surrogate="auto"),
    "tpe": TPEProposer,
}

#: The halving searches' choices: "auto" (grid for a pure grid, else random),
#: the grid and random proposers, and every model under BOHB ("bayes" is the
#: automatic Gaussian process or forest).
HALVING_PROPOSERS = ("auto", "grid", "random", "bayes") + tuple(
    name for name in MODELS if name != "auto"
)


def _accepted(factory, options):
    target = factory.func if isinstance(factory, partial) else factory
    params = inspect.signature(target).parameters
    return {k: v for k, v in options.items() if k in params}


def make_model(name, space, **options):
    """The model proposer ``name`` of :data:`MODELS`.

    Options a proposer does not take are left out (``acq_func`` means
    nothing to TPE).
    """
    if name not in MODELS:
        raise ValueError(f"Unknown proposer {name!r}: use one of {sorted(MODELS)}.")
    factory = MODELS[name]
    return factory(space, **_accepted(factory, options))


def default_n_initial(name, space):
    """Initial design size of the model proposer ``name`` by default."""
    factory = MODELS[name]
    target = factory.func if isinstance(factory, partial) else factory
    return target.default_n_initial(space)


def resolve_halving_proposer(name, space):
    """The halving proposer ``name`` stands for: ``"auto"`` resolved."""
    if name == "auto":
        return "grid" if is_pure_grid(space) else "random"
    if name not in HALVING_PROPOSERS:
        raise ValueError(
            f"Unknown proposer {name!r}: use one of {list(HALVING_PROPOSERS)}."
        )
    return name


def make_halving_proposer(name, space, random_state):
    """The proposer of a halving search: ``ask(n)``, ``tell(points, scores, resource)``.

    ``"grid"`` takes random subsets of the grid (all of it when asked for
    at least its size), ``"random"`` draws from the priors, and a model
    (``"bayes"`` for the automatic one) is fitted on the best-funded
    resource level (BOHB).
    """
    name = resolve_halving_proposer(name, space)
    if name == "grid":
        return GridProposer(space, order="random", random_state=random_state)
    if name == "random":
        return RandomProposer(space, random_state=random_state)
    factory = MODELS["auto" if name == "bayes" else name]
    return ByResource(factory, space, random_state=random_state)
