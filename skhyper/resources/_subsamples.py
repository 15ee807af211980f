"""The ``n_samples`` resource: nested, stratified subsamples of frozen CV folds.

A halving rung with ``n_resources`` samples out of ``n_samples`` uses, in
every CV fold, the fraction ``n_resources / n_samples`` of that fold's
training indices and of its test indices (as scikit-learn's halving searches
do). Here the subsamples are

* **subsets of the search's frozen folds**, so every rung sees the same
  folds, and a sample never moves between the train and test sides (groups
  kept apart by a group splitter stay apart at every rung);
* **nested**: each side of each fold is put in a fixed random order once per
  fit, and a rung takes a prefix of it, so a larger rung's subsample contains
  every smaller rung's;
* **stratified** for classifiers: the order interleaves the classes in
  proportion to their counts (systematic sampling within each class), and
  one sample of every class comes first, so every prefix of at least
  ``n_classes`` samples holds every class of that side;
* **grouped** when the splitter uses ``groups``: the order takes whole
  groups one after another (in a random order, interleaved by each group's
  majority class for classifiers), so small rungs see fewer, complete groups
  rather than a few samples of every group.
"""

import math

import numpy as np

__all__ = [
    "MIN_TEST_SAMPLES",
    "MIN_TEST_SAMPLES_PER_CLASS",
    "NestedSubsamples",
    "class_codes",
    "rung_sizes",
    "sample_floor",
]

#: Default first-rung floor for classifiers: about this many test samples of
#: every class in every CV fold (all of them when a fold has fewer).
MIN_TEST_SAMPLES_PER_CLASS = 10
#: Default first-rung floor for regressors and others: test samples per fold.
MIN_TEST_SAMPLES = 20


def class_codes(y, classifier):
    """Integer class codes of ``y`` for stratification, or ``None``.

    Only single-output class labels of a classifier are stratified.
    """
    if not classifier or y is None:
        return None
    y = np.asarray(y)
    if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
        return None
    y = y.ravel()
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        return None
    try:
        return np.unique(y, return_inverse=True)[1].ravel()
    except TypeError:  # mixed, unorderable labels
        return None


def rung_sizes(n, fraction):
    """Samples a rung takes out of ``n`` (scikit-learn's ``int(fraction * n)``)."""
    return int(fraction * n)


def sample_floor(splits, n_samples, codes):
    """Smallest ``n_resources`` whose subsamples keep scores out of the noise.

    For classifiers, every test fold gets about :data:`MIN_TEST_SAMPLES_PER_CLASS`
    samples of every class (all of a class when the fold has fewer); for
    other estimators about :data:`MIN_TEST_SAMPLES` test samples per fold.

    Parameters
    ----------
    splits : list of (train, test)
        The frozen folds.
    n_samples : int
        Samples of the whole dataset.
    codes : ndarray of int or None
        Class codes of every sample, for classifiers.

    Returns
    -------
    floor : int
        At most ``n_samples``.
    """
    fraction = 0.0
    for _, test in splits:
        if len(test) == 0:
            continue
        if codes is None:
            need = min(MIN_TEST_SAMPLES, len(test)) / len(test)
        else:
            counts = np.bincount(codes[test])
            counts = counts[counts > 0]
            share = np.minimum(MIN_TEST_SAMPLES_PER_CLASS, counts) / counts
            need = float(np.max(share))
        fraction = max(fraction, need)
    return int(min(n_samples, math.ceil(fraction * n_samples - 1e-9)))


def check_first_rung(splits, n_samples, n_resources, codes):
    """Problems of a rung of ``n_resources`` samples, as a message (or ``None``).

    Every fold's subsample must keep at least one training and one test
    sample, and for classifiers every class present on that side.
    """
    fraction = n_resources / n_samples
    for k, (train, test) in enumerate(splits):
        for side, idx in (("training", train), ("test", test)):
            m = rung_sizes(len(idx), fraction)
            needed = 1 if codes is None else len(np.unique(codes[idx]))
            if m < max(1, needed):
                what = "sample" if codes is None else (
                    f"samples for its {needed} classes"
                )
                return (
                    f"gives fold {k} only {m} {side} samples (needs at least "
                    f"{max(1, needed)} {what})"
                )
    return None


def _interleave(n, codes, rng):
    """Positions 0..n-1 in an order whose every prefix is class-stratified."""
    perm = rng.permutation(n)
    if codes is None:
        return perm
    c = codes[perm]
    _, inverse, counts = np.unique(c, return_inverse=True, return_counts=True)
    by_class = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(n, dtype=float)
    rank[by_class] = np.arange(n) - np.repeat(starts, counts)
    key = (rank + 0.5) / counts[inverse]
    order = perm[np.lexsort((np.arange(n), key))]
    return order


def _seed_first(order, codes):
    """Move the first sample of every class to the front (in order of appearance)."""
    if codes is None or len(order) == 0:
        return order
    _, first = np.unique(codes[order], return_index=True)
    first = np.sort(first)
    rest = np.ones(len(order), dtype=bool)
    rest[first] = False
    return np.concatenate([order[first], order[rest]])


def prefix_order(indices, codes, groups, rng):
    """A fixed order of ``indices`` whose prefixes are the nested subsamples.

    Parameters
    ----------
    indices : ndarray of int
        One side (train or test) of one fold.
    codes : ndarray of int or None
        Class codes of all samples (``None``: no stratification).
    groups : ndarray or None
        Group labels of all samples (``None``: samples are independent).
    rng : RandomState

    Returns
    -------
    order : ndarray of int
        A permutation of ``indices``.
    """
    indices = np.asarray(indices)
    local_codes = None if codes is None else codes[indices]
    if groups is None:
        order = indices[_interleave(len(indices), local_codes, rng)]
    else:
        _, unit = np.unique(np.asarray(groups)[indices], return_inverse=True)
        unit = unit.ravel()
        n_units = unit.max() + 1 if len(unit) else 0
        unit_codes = None
        if local_codes is not None:
            # Each group's majority class (ties: the smallest code).
            table = np.zeros((n_units, local_codes.max() + 1), dtype=int)
            np.add.at(table, (unit, local_codes), 1)
            unit_codes = np.argmax(table, axis=1)
        unit_rank = np.empty(n_units, dtype=int)
        unit_rank[_interleave(n_units, unit_codes, rng)] = np.arange(n_units)
        within = rng.permutation(len(indices))
        order = indices[np.lexsort((within, unit_rank[unit]))]
    return _seed_first(order, codes)


class NestedSubsamples:
    """Fixed orders of every fold's train and test indices.

    Parameters
    ----------
    splits : list of (train, test)
        The search's frozen folds.
    codes : ndarray of int or None
        Class codes for stratification.
    groups : array-like or None
        Group labels of the samples, when the splitter was given some.
    random_state : RandomState
        Draws the orders, once.
    """

    def __init__(self, splits, codes, groups, random_state):
        self.orders = [
            (
                prefix_order(train, codes, groups, random_state),
                prefix_order(test, codes, groups, random_state),
            )
            for train, test in splits
        ]

    def rung(self, n_resources, n_samples):
        """The CV splitter of a rung with ``n_resources`` of ``n_samples`` samples."""
        return RungSplits(self.orders, n_resources / n_samples)


class RungSplits:
    """CV splitter yielding the nested subsamples of one rung.

    Each fold's indices are sorted, so estimators see the samples in the
    order of the data, as in a full fold.
    """

    def __init__(self, orders, fraction):
        self.orders = orders
        self.fraction = fraction

    def split(self, X=None, y=None, groups=None, **params):
        for train, test in self.orders:
            yield (
                np.sort(train[: rung_sizes(len(train), self.fraction)]),
                np.sort(test[: rung_sizes(len(test), self.fraction)]),
            )

    def get_n_splits(self, X=None, y=None, groups=None, **params):
        return len(self.orders)

    def __repr__(self):
        return f"RungSplits(n_splits={len(self.orders)}, fraction={self.fraction:.4g})"
