"""From observed scores to the targets a surrogate is fitted on.

Three steps, each for a reason the raw scores would hurt a stationary model:

* failed evaluations (non-finite scores) become a value below the worst
  finite score, so the model learns that their region is bad instead of
  ignoring it;
* a long tail of very bad scores (a diverged model scoring ``-1e6`` among
  scores near ``-1``) is compressed logarithmically, so that it does not set
  the scale of everything else; the good end, where the search happens, is
  left unchanged;
* the result is standardized, so acquisition settings such as ``xi`` are in
  units of the spread of the scores.
"""

import numpy as np

# Failed evaluations sit this fraction of the finite range below the worst.
_FAILURE_MARGIN = 0.1
# Scores more than this many inter-quartile ranges below the median are
# compressed.
_TAIL_START = 2.0


def impute_failures(scores):
    """Replace non-finite scores by the worst finite score minus a margin.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Observed scores, higher is better; ``nan`` or ``inf`` for failures.
        At least one must be finite.

    Returns
    -------
    y : ndarray of shape (n,)
        Finite targets.
    """
    scores = np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    low, high = scores[finite].min(), scores[finite].max()
    span = high - low if high > low else max(abs(high), 1.0)
    return np.where(finite, scores, low - _FAILURE_MARGIN * span)


def compress_low_tail(y):
    """Compress scores far below the median on a log scale.

    Below ``t = median - 2 * IQR`` a score ``v`` becomes
    ``t - s * log1p((t - v) / s)`` with ``s`` the inter-quartile range: order
    is kept, the tail is shortened.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Finite targets.

    Returns
    -------
    y : ndarray of shape (n,)
        Compressed targets.
    """
    y = np.asarray(y, dtype=float)
    q1, median, q3 = np.percentile(y, [25, 50, 75])
    scale = q3 - q1
    if not scale > 0:
        return y.copy()
    start = median - _TAIL_START * scale
    below = y < start
    out = y.copy()
    out[below] = start - scale * np.log1p((start - y[below]) / scale)
    return out


def surrogate_targets(scores):
    """Targets in standardized units.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Observed scores (some may be non-finite, at least one finite).

    Returns
    -------
    y : ndarray of shape (n,)
    center, scale : float
        ``y * scale + center`` is back in score units (tail compressed).
    """
    y = compress_low_tail(impute_failures(scores))
    center, scale = float(y.mean()), float(y.std())
    if not scale > 0:
        scale = 1.0
    return (y - center) / scale, center, scale
