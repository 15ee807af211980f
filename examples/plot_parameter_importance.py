"""
Which parameters matter?
========================

After a search, three displays tell what the score depends on:

* :class:`~skhyper.plots.ParameterImportanceDisplay` ranks the parameters by
  the share of the score's variance each one explains on its own, from a
  random forest fitted on ``cv_results_`` (the fANOVA idea);
* :class:`~skhyper.plots.ParameterContourDisplay` shows the score against two
  parameters, averaged over the others (a 2-D partial dependence);
* :class:`~skhyper.plots.ParameterScoreDisplay` shows every evaluation
  against each parameter, with the Bayesian search's surrogate model along a
  slice through the best configuration.
"""

# %%
# A search over four parameters
# -----------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier

from skhyper import BayesSearchCV, Integer, Real
from skhyper.plots import (
    ParameterContourDisplay,
    ParameterImportanceDisplay,
    ParameterScoreDisplay,
)

X, y = load_breast_cancer(return_X_y=True)
space = {
    "learning_rate": Real(1e-3, 1.0, prior="log-uniform"),
    "max_leaf_nodes": Integer(2, 64, prior="log-uniform"),
    "l2_regularization": Real(1e-6, 1.0, prior="log-uniform"),
    "min_samples_leaf": Integer(2, 60),
}
search = BayesSearchCV(
    HistGradientBoostingClassifier(max_iter=30, random_state=0),
    space,
    n_iter=24,
    cv=3,
    scoring="neg_log_loss",
    random_state=0,
).fit(X, y)

# %%
# Importance
# ----------
# The learning rate explains most of the variance of the log loss; the
# error bars are the spread over the forest's trees.
ParameterImportanceDisplay.from_search(search)
plt.show()

# %%
# Two parameters at once
# ----------------------
ParameterContourDisplay.from_search(search, "learning_rate", "max_leaf_nodes")
plt.show()

# %%
# Every evaluation, and the surrogate
# -----------------------------------
# The orange curve is the surrogate model's prediction as one parameter
# varies and the others stay at the best configuration: a slice, not an
# average, so evaluations of other configurations may lie off it.
ParameterScoreDisplay.from_search(search, n_cols=2)
plt.show()
