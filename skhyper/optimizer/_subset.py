"""Which told configurations the Gaussian process is fitted on.

An exact Gaussian process costs ``O(n^3)`` to fit and ``O(n^2)`` per
prediction: past a few hundred evaluations its proposals would cost more
than many fits. Up to :data:`FULL_MODEL_MAX` told configurations the model
sees them all (the searches of the benchmark record, 10 to 200 evaluations,
are unchanged). Past it, the model sees a fixed-size subset:

* the best configurations by target, where the search spends its
  proposals, so that the model is accurate where it matters;
* a space-filling *cover* of the others (greedy farthest-point sampling,
  starting from the best ones), so that the model still knows which distant
  regions scored badly. Without it, the pessimistic prior mean (the worst
  target of the subset, now a good one) would make every region left out
  look promising again.

The choice depends only on the told configurations and their targets, so a
seeded search stays reproducible.
"""

import numpy as np

#: Told configurations up to which the model is fitted on all of them.
FULL_MODEL_MAX = 200
# Share of the subset taken by the best configurations; the rest covers.
_BEST_SHARE = 0.75
_COVER_POOL = 1000


def model_rows(X, y, size=FULL_MODEL_MAX):
    """Rows of the told configurations the model is fitted on.

    Parameters
    ----------
    X : ndarray of shape (n_told, n_components)
        Encoded told configurations.
    y : ndarray of shape (n_told,)
        Their finite targets, higher is better.
    size : int, default=FULL_MODEL_MAX
        Size of the subset.

    Returns
    -------
    rows : ndarray of int
        All rows, in order, if there are at most ``size``; else ``size``
        distinct rows: the best ``75%`` by target (ties broken by order of
        telling) and a farthest-point cover of the others (drawn from at
        most 1000 of them, evenly spaced in the order of telling).
    """
    n = len(y)
    if n <= size:
        return np.arange(n)
    n_best = int(round(_BEST_SHARE * size))
    order = np.argsort(-y, kind="stable")
    best, rest = order[:n_best], np.sort(order[n_best:])
    # The cover is drawn from at most _COVER_POOL of the others, evenly
    # spaced in the order of telling, so that its cost stays bounded.
    rest = rest[:: -(-len(rest) // _COVER_POOL)]
    cover = _farthest_points(X[rest], X[best], size - n_best)
    return np.sort(np.concatenate([best, rest[cover]]))


def _farthest_points(X, chosen, k):
    """Greedy farthest-point sampling of ``k`` rows of ``X`` away from ``chosen``."""
    gap = _min_sq_dist(X, chosen)
    picks = np.empty(k, dtype=int)
    for i in range(k):
        j = int(np.argmax(gap))
        picks[i] = j
        np.minimum(gap, np.sum((X - X[j]) ** 2, axis=1), out=gap)
    return picks


def _min_sq_dist(X, Y, block=256):
    """For each row of ``X``, its smallest squared distance to a row of ``Y``."""
    out = np.full(len(X), np.inf)
    y2 = np.einsum("ij,ij->i", Y, Y)
    for start in range(0, len(X), block):
        A = X[start : start + block]
        d2 = np.einsum("ij,ij->i", A, A)[:, None] - 2.0 * A @ Y.T + y2[None, :]
        out[start : start + block] = np.maximum(d2.min(axis=1), 0.0)
    return out
