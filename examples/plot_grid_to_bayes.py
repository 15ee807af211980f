"""
From GridSearchCV to BayesSearchCV
==================================

The same pipeline searched three ways: scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` over a grid of lists,
:class:`~sklearn.model_selection.RandomizedSearchCV` over distributions, and
:class:`~skhyper.BayesSearchCV` over the same distributions with the same
number of evaluations. The change from a grid search is three lines: the class
name, ``n_iter``, and ranges instead of lists.
"""

# %%
# A pipeline and a grid, as you would write it for ``GridSearchCV``
# ------------------------------------------------------------------
import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import BayesSearchCV
from skhyper.plots import ConvergenceDisplay

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVC())

grid = {
    "svc__C": [0.01, 0.1, 1, 10, 100],
    "svc__gamma": [1e-4, 1e-3, 1e-2, 1e-1, 1],
}
grid_search = GridSearchCV(pipe, grid, cv=3).fit(X, y)

# %%
# The same search with skhyper
# ----------------------------
# Ranges (here :data:`scipy.stats.loguniform`) instead of lists let the search
# try values between the grid's points; ``n_iter`` sets the number of
# evaluations, here 20 instead of the grid's 25.
space = {"svc__C": loguniform(1e-2, 1e2), "svc__gamma": loguniform(1e-4, 1)}
random_search = RandomizedSearchCV(pipe, space, n_iter=20, cv=3, random_state=0)
bayes_search = BayesSearchCV(pipe, space, n_iter=20, cv=3, random_state=0)
random_search.fit(X, y)
bayes_search.fit(X, y)

for search in (grid_search, random_search, bayes_search):
    print(f"{type(search).__name__:>20}: {search.best_score_:.4f}")

# %%
# Best score so far
# -----------------
# :class:`~skhyper.plots.ConvergenceDisplay` draws the best mean CV score
# after each evaluation, and each evaluation as a point. The y range follows
# the curves, not the worst early scores (shown as triangles on the lower
# edge).
display = ConvergenceDisplay.from_search([grid_search, random_search, bayes_search])
display.ax_.set_title("breast_cancer, SVC")
plt.show()
