"""From observed scores to the targets and noise a surrogate is fitted on.

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
    slope : ndarray of shape (n,)
        Derivative of the map at each target (1 above the tail), to carry
        noise variances through it.
    """
    y = np.asarray(y, dtype=float)
    q1, median, q3 = np.percentile(y, [25, 50, 75])
    scale = q3 - q1
    slope = np.ones_like(y)
    if not scale > 0:
        return y.copy(), slope
    start = median - _TAIL_START * scale
    below = y < start
    depth = (start - y[below]) / scale
    out = y.copy()
    out[below] = start - scale * np.log1p(depth)
    slope[below] = 1.0 / (1.0 + depth)
    return out, slope


def noise_variance(score_stds, n_splits):
    """Variance of a mean CV score, estimated from its fold-to-fold spread.

    Parameters
    ----------
    score_stds : ndarray of shape (n,)
        Standard deviation of the score across folds (``nan`` if unknown).
    n_splits : ndarray of shape (n,)
        Number of folds of each score.

    Returns
    -------
    noise_var : ndarray of shape (n,)
        ``std**2 / n_splits``; 0 where unknown.
    """
    stds = np.asarray(score_stds, dtype=float)
    n_splits = np.maximum(np.asarray(n_splits, dtype=float), 1.0)
    var = stds**2 / n_splits
    return np.where(np.isfinite(var), var, 0.0)


def surrogate_targets(scores, noise_var):
    """Targets and per-point noise variances in standardized units.

    Parameters
    ----------
    scores : ndarray of shape (n,)
        Observed scores (some may be non-finite, at least one finite).
    noise_var : ndarray of shape (n,)
        Noise variance of each score, in score units squared.

    Returns
    -------
    y : ndarray of shape (n,)
    noise_var : ndarray of shape (n,)
    center, scale : float
        ``y * scale + center`` is back in score units (tail compressed).
    """
    y, slope = compress_low_tail(impute_failures(scores))
    noise_var = np.asarray(noise_var, dtype=float) * slope**2
    noise_var = np.where(np.isfinite(np.asarray(scores, dtype=float)), noise_var, 0.0)
    center, scale = float(y.mean()), float(y.std())
    if not scale > 0:
        scale = 1.0
    return (y - center) / scale, noise_var / scale**2, center, scale
