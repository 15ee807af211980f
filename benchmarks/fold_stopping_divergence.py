#!/usr/bin/env python
"""Where a fold-stopped search first departs from full CV, and what it was told.

``fold_stopping.py`` runs full CV and a rule on the same task, seed and
folds. The two searches propose the same candidates until the rule changes
what the model is told. For each (task, seed) this script finds the first
candidate whose fold scores differ between the two runs and reports:

* its position, and whether it lies in the initial design;
* whether the rule had stopped it there (otherwise the runs differ for
  another reason: the dispatch, or a failed fold);
* for a stopped one, what the model was told (its predicted mean over all
  folds) minus what full CV measured for the same configuration, and the
  measured mean minus the rival's, both in units of the rival's fold
  spread (what ``"predictive"`` scales its margin by).

Run::

    python benchmarks/fold_stopping_divergence.py \\
        benchmarks/results/fold-stopping-v8-equal-time --rule predictive
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from benchmarks.fold_stopping import load_records  # noqa: E402
from benchmarks.spaces import to_skhyper  # noqa: E402
from benchmarks.tasks import get_task  # noqa: E402
from skhyper.optimizer._proposer import default_n_initial_points  # noqa: E402
from skhyper.scheduling._fold_stopping import FoldStopping  # noqa: E402
from skhyper.space import Space  # noqa: E402


def _pairs(paths, rule):
    """``{(task, seed, cv): (full CV's record, the rule's)}``."""
    runs = defaultdict(dict)
    for rec in load_records(paths):
        runs[(rec["task"], rec["seed"], rec["cv"])][rec["variant"]] = rec
    return {key: (v["full"], v[rule]) for key, v in sorted(runs.items())
            if "full" in v and rule in v}


def first_departure(full, stopped):
    """Index of the first candidate whose fold scores differ, or None."""
    a, b = np.asarray(full["splits"], float), np.asarray(stopped["splits"], float)
    for i in range(min(len(a), len(b))):
        if not np.allclose(a[i], b[i], equal_nan=True):
            return i
    return None


def told_error(full, stopped, i):
    """(told - measured, measured - rival's mean) in rival fold spreads.

    The rival and the prediction are the search's own (:class:`FoldStopping`
    fed the complete candidates before ``i``, in proposal order)."""
    scores = np.asarray(stopped["splits"], float)
    stopping = FoldStopping(None)  # the rival and prediction do not depend on the rule
    for j in range(i):
        stopping.add(None, scores[j], order=j)  # keeps the complete ones only
    rival = stopping.rival((None, 1))
    told = stopping.predicted(scores[i, : stopped["folds_run"][i]], (None, 1))
    measured = float(np.mean(full["splits"][i]))
    spread = float(np.std(rival, ddof=1))
    return (told - measured) / spread, (measured - rival.mean()) / spread


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directories", nargs="+")
    parser.add_argument("--rule", default="predictive")
    args = parser.parse_args(argv)
    rows, n_initial = [], {}
    pairs = _pairs(args.directories, args.rule)
    for (task, seed, _), (full, stopped) in pairs.items():
        if task not in n_initial:
            space = Space(to_skhyper(get_task(task).space))
            n_initial[task] = default_n_initial_points(space)
        i = first_departure(full, stopped)
        stop = i is not None and stopped["folds_run"][i] < len(full["splits"][i])
        error = told_error(full, stopped, i) if stop else (np.nan, np.nan)
        in_design = i is not None and i < n_initial[task]
        rows.append((task, seed, i, in_design, stop, *error))
        print(f"{task} seed {seed}: departs at candidate {i}"
              + (f" (stopped; told - measured {error[0]:+.2f}, measured - rival "
                 f"{error[1]:+.2f} rival spreads)" if stop else ""))
    departed = [r for r in rows if r[2] is not None]
    stops = np.array([r[5:] for r in departed if r[4]])
    in_design = sum(r[3] for r in departed)
    print(f"\n{len(rows)} pairs; {len(departed)} depart, {in_design} of them inside "
          f"the initial design, {len(stops)} at a stop")
    if departed:
        print(f"median position: {np.median([r[2] for r in departed]):.0f}")
    if len(stops):
        print(f"told - measured (rival spreads): median {np.median(stops[:, 0]):+.2f}, "
              f"mean {np.mean(stops[:, 0]):+.2f}; stopped candidates better than "
              f"their rival on all folds: {np.sum(stops[:, 1] > 0)} of {len(stops)}")


if __name__ == "__main__":
    main()
