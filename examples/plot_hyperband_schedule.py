"""
Hyperband: read the schedule first
==================================

:class:`~skhyper.HyperbandSearchCV` runs several successive-halving
*brackets*: a bold one that starts many candidates on little data, down to a
careful one that evaluates a few candidates on all of it. How many
configurations it evaluates depends on the data and on ``min_resources``, so
call :meth:`~skhyper.HyperbandSearchCV.schedule` before fitting: with the
defaults, a small dataset leaves room for few candidates.
"""

# %%
# The default schedule on a small dataset
# ---------------------------------------
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhyper import HyperbandSearchCV, Real
from skhyper.plots import HalvingDisplay

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(StandardScaler(), SVC())
space = {
    "svc__C": Real(1e-3, 1e3, prior="log-uniform"),
    "svc__gamma": Real(1e-5, 1e1, prior="log-uniform"),
}
print(HyperbandSearchCV(pipe, space, cv=3, random_state=0).schedule(X, y))

# %%
# A smaller first rung and a smaller ``factor`` give more brackets and more
# candidates, for about the same cost per bracket:
search = HyperbandSearchCV(
    pipe, space, min_resources=40, factor=2, cv=3, random_state=0
)
print(search.schedule(X, y))

# %%
# The brackets side by side
# -------------------------
search.fit(X, y)
display = HalvingDisplay.from_search(search)
display.figure_.set_size_inches(9, 4.5)
plt.show()
