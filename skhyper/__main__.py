"""``python -m skhyper``: a real hyperparameter search on a bundled dataset."""

import sys
import time

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper.space import Space


def main(argv=None):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    space = Space({"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1)})
    model = make_pipeline(StandardScaler(), SVC())
    space.check_estimator_params(model)
    start = time.perf_counter()
    search = RandomizedSearchCV(
        model, space.spec, n_iter=20, cv=5, random_state=0, n_jobs=None
    ).fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    print(f"dataset: breast_cancer, model: StandardScaler + SVC, 20 evaluations")
    print(f"best params: {search.best_params_}")
    print(f"best CV accuracy: {search.best_score_:.4f}")
    print(f"test accuracy: {search.score(X_test, y_test):.4f}")
    print(f"wall time: {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
