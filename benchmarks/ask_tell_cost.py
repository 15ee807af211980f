#!/usr/bin/env python
"""CPU time of the Bayesian optimizer's ask/tell on the 13 task spaces.

No estimator is fitted: each proposal is told a cheap deterministic score
of its parameters, so the time measured is the optimizer's own (the model
fit, the acquisition search, the bookkeeping), as CPU time of this
process, which a loaded machine inflates far less than wall time. The
proposals' hash identifies them: two versions of the code that print the
same hash made the same proposals.

Run (one BLAS thread, as the searches use on small matrices)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/ask_tell_cost.py --n-evals 30 --seeds 2
    OPENBLAS_NUM_THREADS=1 python benchmarks/ask_tell_cost.py --no-input-warping

Prints the median over seeds of the milliseconds per evaluation (one ask and
one tell) for each task space, their mean, and the hash.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import hashlib
import numbers
import time

import numpy as np

from benchmarks.spaces import to_skhyper
from benchmarks.tasks import TASKS
from skhyper.optimizer import _gp
from skhyper.optimizer._optimizer import Optimizer
from skhyper.space import Space


def synthetic_score(params):
    """A smooth score of the numeric parameters plus a fixed offset per
    categorical value: deterministic, so runs are comparable."""
    score = 0.0
    for name, value in sorted(params.items()):
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            x = float(np.log1p(abs(float(value))))
            score += np.sin(3 * x + len(name)) + 0.1 * x
        else:
            digest = hashlib.md5(f"{name}{value}".encode()).hexdigest()
            score += (int(digest, 16) % 7) / 7
    return score


def run_task(space, seed, n_evals, digest):
    """CPU milliseconds per ask/tell pair of one seeded optimizer."""
    optimizer = Optimizer(Space(to_skhyper(space)), random_state=seed)
    spent = 0.0
    for _ in range(n_evals):
        start = time.process_time()
        proposal = optimizer.ask(1)
        spent += time.process_time() - start
        scores = [synthetic_score(proposal[0])]
        start = time.process_time()
        optimizer.tell(proposal, scores)
        spent += time.process_time() - start
        digest.update(repr(sorted(proposal[0].items())).encode())
    return 1000 * spent / n_evals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-evals", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument(
        "--no-input-warping", action="store_true",
        help="measure the Gaussian process without its input warping",
    )
    args = parser.parse_args(argv)
    if args.no_input_warping:
        _gp._INPUT_WARPING = False
    digest = hashlib.md5()
    per_task = {}
    for name, task in TASKS.items():
        times = [run_task(task.space, seed, args.n_evals, digest) for seed in range(args.seeds)]
        per_task[name] = float(np.median(times))
        print(f"{name:24s} {per_task[name]:7.2f} ms/eval", flush=True)
    print(f"mean {np.mean(list(per_task.values())):.2f} ms/eval   hash {digest.hexdigest()}")


if __name__ == "__main__":
    main()
