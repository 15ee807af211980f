"""skhyper: hyperparameter search for scikit-learn that spends the budget well."""

from skhyper.space import Categorical, Integer, Real, Space

__version__ = "0.1.0.dev0"

__all__ = [
    "Categorical",
    "Integer",
    "Real",
    "Space",
    "__version__",
]
