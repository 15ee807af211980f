"""Cost of skhyper's proposals as the number of evaluations grows.

The ask/tell :class:`skhyper.Optimizer` alone (no scikit-learn search around
it) on the free 10-dimensional synthetic objective of ``--overhead``
(``benchmarks/synthetic.py``), one BLAS thread: the time of each
``ask`` + ``tell``, averaged over the first ``n`` evaluations for several
``n``, and over the last 50 before ``n``. It also prints a hash of the first
201 proposals, which must not change when the model's behaviour below 200
evaluations is meant to stay the same.

Usage (from the repository root)::

    python benchmarks/surrogate_scaling.py --n-iter 5000 --seeds 1 \\
        --out benchmarks/results/surrogate-scaling
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import synthetic  # noqa: E402
from benchmarks.spaces import to_skhyper  # noqa: E402

CHECKPOINTS = (200, 500, 1000, 2000, 5000)


def run(n_iter, seed):
    from skhyper import Optimizer

    opt = Optimizer(to_skhyper(synthetic.SPACE), random_state=seed)
    times, best = [], []
    for _ in range(n_iter):
        started = time.perf_counter()
        points = opt.ask()
        opt.tell(points, [synthetic.SyntheticObjective(**p).score(None) for p in points])
        times.append(time.perf_counter() - started)
        best.append(float(np.max(opt.scores)))
    ms = 1000 * np.array(times)
    rec = {"seed": seed, "n_iter": n_iter,
           "first_201": hashlib.sha1(repr(opt.points[:201]).encode()).hexdigest()}
    for k in CHECKPOINTS:
        if k <= n_iter:
            rec[f"mean_ms_{k}"] = float(ms[:k].mean())
            rec[f"last50_ms_{k}"] = float(ms[k - 50 : k].mean())
            rec[f"best_{k}"] = best[k - 1]
    return rec


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-iter", type=int, default=1000)
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--out", default=None, help="directory for runs.jsonl")
    a = p.parse_args(argv)
    for seed in range(a.seeds):
        rec = run(a.n_iter, seed)
        print(json.dumps(rec), flush=True)
        if a.out:
            out = pathlib.Path(a.out)
            out.mkdir(parents=True, exist_ok=True)
            with open(out / "runs.jsonl", "a") as f:
                f.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
