"""CV splits fixed once per fit, so every candidate sees the same folds."""

import numpy as np


class FrozenSplits:
    """Wrap a CV splitter so that every call to ``split`` yields the same folds.

    scikit-learn calls ``cv.split`` once per ``evaluate_candidates`` call; a
    shuffling splitter without a fixed seed would otherwise give each batch of
    a sequential search different folds, and scores that cannot be compared.

    Parameters
    ----------
    cv : cross-validation splitter
        A checked splitter (as returned by ``sklearn.model_selection.check_cv``).
    """

    def __init__(self, cv):
        self.cv = cv
        self.splits_ = None

    def split(self, X=None, y=None, groups=None, **params):
        if self.splits_ is None:
            if groups is not None:
                params["groups"] = groups
            self.splits_ = [
                (np.asarray(train), np.asarray(test))
                for train, test in self.cv.split(X, y, **params)
            ]
        return iter(self.splits_)

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        if self.splits_ is not None:
            return len(self.splits_)
        if groups is not None:
            params["groups"] = groups
        return self.cv.get_n_splits(X, y, **params)

    def __repr__(self):
        return f"FrozenSplits({self.cv!r})"
