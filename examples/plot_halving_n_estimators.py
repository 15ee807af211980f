"""
Successive halving on the number of trees
=========================================

Successive halving evaluates many candidates cheaply, then gives more resource
to the best of them. Here the resource is the number of trees of a random
forest: every candidate starts with 4 trees, the best third continue with 12,
and the best third of those with 36. Each round is called a *rung*.
"""

# %%
# Look at the schedule before fitting
# -----------------------------------
# :meth:`~skhyper.SuccessiveHalvingSearchCV.schedule` tells how many
# candidates each rung evaluates and with how much resource, without fitting
# anything.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

from skhyper import Integer, SuccessiveHalvingSearchCV
from skhyper.plots import HalvingDisplay, ParameterScoreDisplay

X, y = load_digits(return_X_y=True)
search = SuccessiveHalvingSearchCV(
    RandomForestClassifier(random_state=0),
    {"max_depth": Integer(2, 20), "max_features": (0.05, 0.5)},
    resource="n_estimators",
    min_resources=4,
    max_resources=36,
    cv=3,
    random_state=0,
)
print(search.schedule(X, y))

# %%
# Fit, and follow the candidates from rung to rung
# ------------------------------------------------
# :class:`~skhyper.plots.HalvingDisplay` draws one column per rung; lines
# follow the promoted candidates and the star marks the winner, the best
# candidate of the last rung.
search.fit(X, y)
print("best:", search.best_params_, f"score {search.best_score_:.3f}")
HalvingDisplay.from_search(search)
plt.show()

# %%
# Scores against each parameter
# -----------------------------
# Scores on 4 trees are not comparable with scores on 36:
# :class:`~skhyper.plots.ParameterScoreDisplay` colours each evaluation by its
# resource.
ParameterScoreDisplay.from_search(search)
plt.show()
