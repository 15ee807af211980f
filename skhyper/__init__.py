"""skhyper: hyperparameter search for scikit-learn that spends the budget well."""

from skhyper._bayes import BayesSearchCV
from skhyper._halving import SuccessiveHalvingSearchCV
from skhyper._hyperband import HyperbandSearchCV
from skhyper.optimizer._optimizer import Optimizer
from skhyper.space import Categorical, Integer, Real, Space

__version__ = "0.1.0.dev0"

__all__ = [
    "BayesSearchCV",
    "Categorical",
    "HyperbandSearchCV",
    "Integer",
    "Optimizer",
    "Real",
    "Space",
    "SuccessiveHalvingSearchCV",
    "__version__",
]
