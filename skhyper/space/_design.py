"""Space-filling designs in the unit cube: scrambled Sobol, Latin hypercube, random."""

import numpy as np
from scipy.stats import qmc


def unit_design(n, d, method, rng):
    """``n`` points in ``(0, 1)^d`` from a QMC engine (or plain random)."""
    if n == 0 or d == 0:
        return np.empty((n, d))
    seed = rng.randint(np.iinfo(np.int32).max)
    if method == "random":
        return np.random.RandomState(seed).uniform(size=(n, d))
    if method == "lhs":
        return qmc.LatinHypercube(d=d, seed=seed).random(n)
    engine = qmc.Sobol(d=d, scramble=True, seed=seed)
    # Sobol's balance needs a power of two; draw the next one and keep n.
    m = int(np.ceil(np.log2(max(n, 1))))
    return engine.random_base2(m)[:n]
