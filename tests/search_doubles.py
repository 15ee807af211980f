"""Minimal searches and estimators that make the shared machinery observable."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from skhyper.searches._base import BaseModelSearchCV


class BatchedRandomSearch(BaseModelSearchCV):
    """Random candidates evaluated ``batch`` at a time (test double)."""

    def __init__(
        self,
        estimator,
        search_spaces=None,
        *,
        n_iter=6,
        batch=2,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        callbacks=None,
        param_grid=None,
        param_distributions=None,
        checkpoint=None,
        warm_start_from=None,
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.search_spaces = search_spaces
        self.n_iter = n_iter
        self.batch = batch
        self.random_state = random_state
        self.max_time = max_time
        self.callbacks = callbacks
        self.param_grid = param_grid
        self.param_distributions = param_distributions
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from

    def _budget(self, space):
        return self.n_iter

    def _search(self, space, evaluator, rng):
        if space.is_finite:  # without repeats, so tests know what ran
            grid = list(space.grid())
            points = [grid[i] for i in rng.permutation(len(grid))][: self.n_iter]
        else:
            points = space.rvs(self.n_iter, random_state=rng)
        for start in range(0, self.n_iter, self.batch):
            if evaluator.should_stop():
                break
            evaluator.evaluate(points[start : start + self.batch])


class FailsWhenC(ClassifierMixin, BaseEstimator):
    """Raises in fit when ``C`` is in ``bad``; otherwise scores C / 10."""

    def __init__(self, C=1.0, bad=(), interrupt_at=None):
        self.C = C
        self.bad = bad
        self.interrupt_at = interrupt_at

    n_fits = 0  # fits so far, across instances (counted in this process)
    interrupt = None  # a C value whose fit raises KeyboardInterrupt

    def fit(self, X, y):
        FailsWhenC.n_fits += 1
        if self.C in (self.interrupt_at, FailsWhenC.interrupt):
            raise KeyboardInterrupt
        if self.C in self.bad:
            raise RuntimeError(f"C={self.C} is broken")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.C / 10


class FirstClassClassifier(ClassifierMixin, BaseEstimator):
    """Fits instantly and predicts the first class; subclasses define ``score``."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])
