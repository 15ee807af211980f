"""Gradient boosting: leak-free early stopping in every fold, rounds continued."""

from skhyper.boosting._early_stopping import EarlyStopping

__all__ = ["EarlyStopping"]
