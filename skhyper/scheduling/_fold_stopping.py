"""Early-stopped cross-validation: a candidate's remaining folds left unfitted.

Once the folds a candidate has run show that it will not beat its rival (the
incumbent of a Bayesian search, the promotion cut of a halving rung), its
remaining folds are not fitted (Bergman, Purucker & Hutter, "Don't Waste Your
Time: Early Stopping Cross-Validation", AutoML 2024). Rules:

* ``"forgiving"``: stop when the mean over the folds run so far is below the
  rival's worst fold score (Bergman et al.'s robust rule);
* ``"paired"``: stop when a one-sided Wilcoxon signed-rank test of the folds
  run against the rival's same folds says worse (p < 0.1), as Optuna's
  ``WilcoxonPruner`` does;
* ``"predictive"``: stop when the candidate's mean over all folds,
  predicted from its differences to the rival's same folds, is below the
  rival's mean by more than ``PREDICTIVE_C`` standard deviations of that
  prediction. After ``k`` of ``K`` folds, the mean difference over all ``K`` folds has
  standard deviation ``s * sqrt((K - k) / (K * k))`` around the mean
  difference so far, ``s`` the spread of one fold's difference: the margin
  shrinks to 0 at the last fold. ``s`` is taken as the spread of the
  rival's own fold scores (an overestimate for candidates that follow the
  rival fold by fold, the right size for those that do not).

A search's model is told a stopped candidate's predicted mean over all
folds: the rival's mean plus the candidate's mean difference to the rival's
same folds (:func:`predicted_mean`; the rival it was stopped against). It is
below the rival's mean whenever ``"predictive"`` stops it, and nearer the
mean over all folds than the mean over the folds run, which easy or hard
first folds skew. Told the mean over the folds run instead, the model
learned that candidates worse on an easy first fold beat the incumbent, and
``"predictive"`` needed a second condition (that mean below the rival's)
that ran more folds (docs/benchmarks.md, "Early-stopped cross-validation").

A stopped candidate's row keeps scikit-learn's shape: the folds not run are
NaN in ``split<k>_*`` columns, its mean and std are over the folds run, the
``n_folds_run`` column says how many, ``predicted_mean_score`` holds what the
model is told (NaN for complete candidates; a checkpoint keeps it, so a
resumed search tells the same), and its rank comes after every complete
candidate. This module decides and reshapes; the streaming driver
(:mod:`skhyper.scheduling._streaming`) dispatches the folds.
"""

import re

import numpy as np
from scipy.stats import wilcoxon

__all__ = [
    "COLUMN", "PREDICTED", "RULES", "FoldStopping", "check", "decide", "pad_rows",
    "predicted_mean", "predicted_sd", "split_scores", "stopped_rows",
]

#: The ``cv_results_`` column: how many folds each candidate ran.
COLUMN = "n_folds_run"
#: The ``cv_results_`` column: a stopped candidate's predicted mean over all
#: folds, the score its search's model is told (NaN for complete candidates).
PREDICTED = "predicted_mean_score"
RULES = ("forgiving", "paired", "predictive")
#: Smallest p-value of the paired test that stops a candidate.
P_STOP = 0.1
#: Folds a rule needs before stopping: the paired test cannot reach
#: ``P_STOP`` with fewer than four.
MIN_FOLDS = {"forgiving": 1, "paired": 4, "predictive": 1}
#: ``"predictive"`` stops when the predicted mean difference is this many of
#: its standard deviations below 0 (chosen by replaying full-CV searches,
#: ``benchmarks/fold_stopping_replay.py``).
PREDICTIVE_C = 0.75
#: Whether ``"predictive"`` also needs the mean over the folds run below the
#: rival's mean, as it did while the model was told that mean (switched on
#: only to measure the rule with it, ``benchmarks/fold_stopping.py``).
PREDICTIVE_MEAN_CONDITION = False
#: Complete candidates (of a halving rung: of the rung) needed before any is
#: stopped; with 1, a Bayesian search stops from its second candidate on.
#: Waiting for 10 lost less score but saved half as many fits
#: (docs/benchmarks.md, "Where the loss at equal candidates comes from");
#: switched only to measure.
MIN_COMPLETE = 1

_SPLIT = re.compile(r"split(\d+)_(test|train)_(.+)")
#: Any per-split column: scores, and others such as early stopping's rounds.
_PER_SPLIT = re.compile(r"split(\d+)_(.+)")


def check(rule, n_splits, refit):
    """Reject settings where stopping folds cannot work, before any fit."""
    if rule is None:
        return
    if n_splits < 3:
        raise ValueError(
            f"fold_stopping={rule!r} needs cv with at least 3 folds (got "
            f"{n_splits}): with fewer there is nothing left to stop. Use "
            "fold_stopping=None."
        )
    if callable(refit):
        raise ValueError(
            f"fold_stopping={rule!r} cannot be used with a callable refit: it "
            "would read rows whose folds were not all run. Pass refit=True or a "
            "metric name, or fold_stopping=None."
        )


class FoldStopping:
    """Decides, from the folds a candidate ran, whether to run the rest.

    Parameters
    ----------
    rule : {"forgiving", "paired", "predictive"}
        See the module's docstring.
    metric : str or None
        The optimized metric, for multi-metric scoring (``None``: the single
        score or the first).
    """

    def __init__(self, rule, metric=None):
        self.rule = rule
        self.metric = metric
        # group -> [(mean, fold scores, order)] of complete candidates
        self._complete = {}

    def add(self, group, scores, order):
        """Remember a complete candidate's fold scores (a future rival);
        ``order`` is when it was taken."""
        scores = np.asarray(scores, dtype=float)
        if np.isfinite(scores).all():
            self._complete.setdefault(group, []).append((scores.mean(), scores, order))

    def rival(self, rivals, before=np.inf):
        """The rival's fold scores for ``rivals=(group, cut)``, or ``None``.

        The rival is the ``cut``-th best complete candidate of the group taken
        before ``before``: the best for a Bayesian search, the last one
        promoted for a halving rung.
        """
        group, cut = rivals
        complete = [c for c in self._complete.get(group, []) if c[2] < before]
        if len(complete) < max(cut, MIN_COMPLETE):
            return None
        ranked = sorted(complete, key=lambda item: (-item[0], item[2]))
        return ranked[cut - 1][1]

    def should_stop(self, scores, rivals, before=np.inf):
        """Whether a candidate with these first fold ``scores`` stops now,
        against the rivals taken before ``before``."""
        scores = np.asarray(scores, dtype=float)
        if len(scores) < MIN_FOLDS[self.rule] or not np.isfinite(scores).all():
            return False
        rival = self.rival(rivals, before)
        if rival is None or len(scores) >= len(rival):
            return False
        return decide(self.rule, scores, rival)

    def predicted(self, scores, rivals, before=np.inf):
        """:func:`predicted_mean` of a candidate with these first fold
        ``scores`` against the rival :meth:`should_stop` compared it with."""
        return predicted_mean(scores, self.rival(rivals, before))

    def fold_score(self, out):
        """The optimized metric's test score of one fold fit."""
        scores = out["test_scores"]
        if isinstance(scores, dict):
            key = self.metric if self.metric in scores else next(iter(scores))
            return float(scores[key])
        return float(scores)


def decide(rule, scores, rival):
    """Whether ``rule`` stops a candidate with these first fold ``scores``
    against the ``rival``'s fold scores (all of them, in fold order)."""
    if rule == "forgiving":
        return bool(scores.mean() < rival.min())
    diff = scores - rival[: len(scores)]
    if rule == "predictive":
        sd = predicted_sd(len(scores), rival)
        worse = diff.mean() < -PREDICTIVE_C * sd
        if PREDICTIVE_MEAN_CONDITION:
            worse = worse and scores.mean() < rival.mean()
        return bool(worse)
    if not np.any(diff):
        return False
    p = wilcoxon(diff, alternative="less", zero_method="zsplit").pvalue
    return bool(p < P_STOP)


def predicted_mean(scores, rival):
    """A candidate's mean over all folds predicted from its first fold
    ``scores``: the ``rival``'s mean plus their mean difference to the
    rival's same folds."""
    scores = np.asarray(scores, dtype=float)
    rival = np.asarray(rival, dtype=float)
    return float(rival.mean() + np.mean(scores - rival[: len(scores)]))


def predicted_sd(n_run, rival, spread=None):
    """Standard deviation of the mean fold difference to the ``rival`` over
    all its folds, predicted from the mean difference over ``n_run`` folds;
    ``spread`` is one fold's (by default the rival's fold spread)."""
    if spread is None:
        spread = np.std(rival, ddof=1)
    n_splits = len(rival)
    return float(spread * np.sqrt((n_splits - n_run) / (n_splits * n_run)))


def pad_rows(rows, n_splits):
    """One candidate's row formatted on its first folds, with every split.

    The folds not run become NaN ``split<k>_*`` columns, each kind's columns
    in fold order where scikit-learn puts them.
    """
    out = {}
    for key, value in rows.items():
        out[key] = value
        match = _PER_SPLIT.fullmatch(key)
        if match is None:
            continue
        k, suffix = int(match.group(1)), match.group(2)
        if f"split{k + 1}_{suffix}" in rows:
            continue
        for j in range(k + 1, n_splits):
            out[f"split{j}_{suffix}"] = np.full(len(value), np.nan)
    return out


def stopped_rows(results):
    """Boolean mask of the rows whose folds were not all run."""
    n = len(results["params"])
    if COLUMN not in results:
        return np.zeros(n, dtype=bool)
    n_splits = _n_splits(results)
    folds = np.array(
        [np.nan if v is None else v for v in results[COLUMN]], dtype=float
    )
    return np.nan_to_num(folds, nan=n_splits) < n_splits


def split_scores(results, metric, row):
    """``row``'s ``split<k>_test_<metric>`` scores, in fold order."""
    return [
        float(results[f"split{k}_test_{metric}"][row])
        for k in range(_n_splits(results))
    ]


def _n_splits(results):
    found = [int(m.group(1)) for m in map(_SPLIT.fullmatch, results) if m]
    return max(found) + 1 if found else 0
