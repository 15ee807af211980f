"""skhyper: hyperparameter search for scikit-learn that spends the budget well."""

from skhyper.optimizer._optimizer import Optimizer
from skhyper.scheduling._engines import fit_threads
from skhyper.searches._bayes import BayesSearchCV
from skhyper.searches._default_spaces import default_space, silhouette_scorer
from skhyper.searches._halving import SuccessiveHalvingSearchCV
from skhyper.searches._hyperband import HyperbandSearchCV
from skhyper.searches._selection_bias import (
    SelectionBias,
    SelectionBiasWarning,
    selection_bias,
)
from skhyper.space import Categorical, Integer, Real, Space

__version__ = "0.1.0.dev0"

__all__ = [
    "BayesSearchCV",
    "Categorical",
    "HyperbandSearchCV",
    "Integer",
    "Optimizer",
    "Real",
    "SelectionBias",
    "SelectionBiasWarning",
    "Space",
    "SuccessiveHalvingSearchCV",
    "__version__",
    "default_space",
    "fit_threads",
    "selection_bias",
    "silhouette_scorer",
]
