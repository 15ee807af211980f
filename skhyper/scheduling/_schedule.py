"""Schedule arithmetic of successive halving and Hyperband, and nothing else.

Pure functions of a few integers: how many candidates each rung evaluates and
with how much resource. :func:`halving_schedule` follows scikit-learn's
``HalvingGridSearchCV`` / ``HalvingRandomSearchCV`` to the letter (the same
floating-point expressions), so that explicit arguments give the schedule
scikit-learn computes. :func:`hyperband_schedule` is the bracket schedule of
Li et al. (2018), "Hyperband: A Novel Bandit-Based Approach to
Hyperparameter Optimization", JMLR 18(185), Algorithm 1.
"""

from dataclasses import dataclass, field
from math import ceil, floor, log

__all__ = [
    "HalvingSchedule",
    "HyperbandSchedule",
    "auto_n_candidates",
    "auto_n_rungs",
    "exhaust_min_resources",
    "floor_log",
    "halving_schedule",
    "hyperband_schedule",
    "n_possible_iterations",
    "n_required_iterations",
    "resource_levels",
]

# Default schedules aim at no more candidates than RandomizedSearchCV's
# n_iter=100: the number of rungs k is the largest with factor**k <= 101.
AUTO_MAX_CANDIDATES = 100


def n_required_iterations(n_candidates, factor):
    """Rungs needed so that the last one evaluates fewer than ``factor`` candidates."""
    return 1 + floor(log(n_candidates, factor))


def n_possible_iterations(min_resources, max_resources, factor):
    """Rungs that fit between ``min_resources`` and ``max_resources``."""
    return 1 + floor(log(max_resources // min_resources, factor))


def auto_n_rungs(factor, n_possible):
    """Rungs of a default schedule: at most ``n_possible``, at least 2, and
    few enough that ``ceil(factor**k) - 1 <= AUTO_MAX_CANDIDATES``."""
    k_max = max(1, floor(log(AUTO_MAX_CANDIDATES + 1, factor)))
    return max(2, min(n_possible, k_max))


def auto_n_candidates(factor, n_rungs):
    """The most candidates that ``n_rungs`` rungs reduce to ``factor`` or fewer.

    With ``ceil(factor**k) - 1`` candidates, successive halving needs exactly
    ``k`` rungs and the last one compares about ``factor`` candidates.
    """
    return max(1, ceil(factor**n_rungs) - 1)


@dataclass
class HalvingSchedule:
    """The planned rungs of one successive-halving run.

    Attributes
    ----------
    n_candidates : list of int
        Candidates evaluated at each rung (fewer at run time if some fail or
        a finite space runs out).
    n_resources : list of int
        Resource given to every candidate of each rung.
    factor : float
        Reduction factor between rungs.
    min_resources, max_resources : int
        Resource of the first rung before rounding, and the most any rung gets.
    n_required_iterations : int
        Rungs needed to leave fewer than ``factor`` candidates.
    n_possible_iterations : int
        Rungs that fit between ``min_resources`` and ``max_resources``.
    n_iterations : int
        Rungs actually planned.
    n_splits : int or None
        CV folds per candidate, when known.
    """

    n_candidates: list
    n_resources: list
    factor: float
    min_resources: int
    max_resources: int
    n_required_iterations: int
    n_possible_iterations: int
    n_iterations: int
    n_splits: int = None

    @property
    def n_evaluations(self):
        """Rows ``cv_results_`` will have: candidates summed over rungs."""
        return int(sum(self.n_candidates))

    @property
    def n_fits(self):
        """Estimator fits on CV folds (``None`` if ``n_splits`` is unknown)."""
        return None if self.n_splits is None else self.n_evaluations * self.n_splits

    @property
    def total_resources(self):
        """Sum over rungs of candidates times resource, per CV fold."""
        return int(sum(n * r for n, r in zip(self.n_candidates, self.n_resources)))

    def __str__(self):
        lines = [f"{'rung':>4} {'candidates':>10} {'resources':>10}"]
        lines += [
            f"{i:>4} {n:>10} {r:>10}"
            for i, (n, r) in enumerate(zip(self.n_candidates, self.n_resources))
        ]
        lines.append(
            f"{self.n_evaluations} evaluations, {self.total_resources} resource "
            "units per fold"
            + (f", {self.n_fits} fits" if self.n_fits is not None else "")
        )
        return "\n".join(lines)


@dataclass
class HyperbandSchedule:
    """The planned brackets of a Hyperband run.

    Attributes
    ----------
    brackets : list of HalvingSchedule
        One successive-halving run per bracket, the most exploratory first
        (bracket ``b`` is Li et al.'s ``s = s_max - b``).
    factor : float
        ``eta``, the reduction factor.
    min_resources, max_resources : int
        ``r`` and ``R``: resources of the smallest and largest rungs.
    n_splits : int or None
        CV folds per candidate, when known.
    """

    brackets: list = field(default_factory=list)
    factor: float = 3
    min_resources: int = 1
    max_resources: int = 1
    n_splits: int = None

    @property
    def s_max(self):
        return len(self.brackets) - 1

    @property
    def n_evaluations(self):
        return int(sum(b.n_evaluations for b in self.brackets))

    @property
    def n_fits(self):
        return None if self.n_splits is None else self.n_evaluations * self.n_splits

    @property
    def total_resources(self):
        """Sum over brackets and rungs of candidates times resource, per fold.

        Each bracket spends at most ``(s_max + 1) * max_resources`` of it
        (Li et al.'s ``B``), so the total is at most ``(s_max + 1)**2 * R``.
        """
        return int(sum(b.total_resources for b in self.brackets))

    def __str__(self):
        lines = [f"{'bracket':>7} {'rung':>4} {'candidates':>10} {'resources':>10}"]
        for k, bracket in enumerate(self.brackets):
            for i, (n, r) in enumerate(
                zip(bracket.n_candidates, bracket.n_resources)
            ):
                lines.append(f"{k:>7} {i:>4} {n:>10} {r:>10}")
        lines.append(
            f"{self.n_evaluations} evaluations, {self.total_resources} resource "
            "units per fold"
            + (f", {self.n_fits} fits" if self.n_fits is not None else "")
        )
        return "\n".join(lines)


def halving_schedule(
    n_candidates,
    *,
    factor,
    min_resources,
    max_resources,
    aggressive_elimination=False,
    n_splits=None,
):
    """Rungs of successive halving, exactly as scikit-learn plans them.

    Parameters
    ----------
    n_candidates : int
        Candidates of the first rung.
    factor : float
        Each rung keeps ``ceil(n / factor)`` candidates and multiplies the
        resource by ``factor``.
    min_resources, max_resources : int
        Resource of the first rung, and the cap of every rung.
    aggressive_elimination : bool, default=False
        Repeat the first rung's resource until few enough candidates remain
        to end with fewer than ``factor`` at ``max_resources``.
    n_splits : int, default=None
        Recorded on the schedule, for ``n_fits``.

    Returns
    -------
    schedule : HalvingSchedule
    """
    n_required = n_required_iterations(n_candidates, factor)
    n_possible = n_possible_iterations(min_resources, max_resources, factor)
    n_iterations = n_required if aggressive_elimination else min(n_possible, n_required)
    counts, resources = [], []
    n = n_candidates
    for itr in range(n_iterations):
        power = itr
        if aggressive_elimination:
            power = max(0, itr - n_required + n_possible)
        resources.append(min(int(factor**power * min_resources), max_resources))
        counts.append(n)
        n = ceil(n / factor)
    return HalvingSchedule(
        n_candidates=counts,
        n_resources=resources,
        factor=factor,
        min_resources=min_resources,
        max_resources=max_resources,
        n_required_iterations=n_required,
        n_possible_iterations=n_possible,
        n_iterations=n_iterations,
        n_splits=n_splits,
    )


def exhaust_min_resources(min_resources, max_resources, factor, n_candidates):
    """scikit-learn's ``min_resources="exhaust"``: start as high as possible so
    that the last required rung reaches ``max_resources``."""
    last = n_required_iterations(n_candidates, factor) - 1
    return int(max(min_resources, max_resources // factor**last))


def hyperband_schedule(*, factor, min_resources, max_resources, n_splits=None):
    """Brackets of Hyperband (Li et al., 2018, Algorithm 1) with ``eta = factor``.

    With ``s_max = floor(log_eta(R / r))``, bracket ``s`` (from ``s_max`` down
    to 0) starts ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` candidates; its
    rung ``i`` evaluates ``floor(n * eta**-i)`` of them with the resource of
    level ``s_max - s + i`` of :func:`resource_levels`: ``r`` for the first
    rung of the boldest bracket, ``R`` for the last rung of every bracket.

    Level ``k`` is Li et al.'s ``R * eta**(k - s_max)`` (rounded down)
    whenever that starts at ``r``, as when ``R / r`` is a power of ``eta``.
    Otherwise Li et al.'s ``R * eta**-s_max`` would start the boldest bracket
    above ``r`` (up to ``eta`` times above it); the levels instead go
    geometrically from ``r`` to ``R``, so the resource grows by ``(R /
    r)**(1 / s_max)``, at least ``eta``, between rungs. Eliminations still
    keep ``1 / eta`` of the candidates, and a bracket still spends at most
    about ``(s_max + 1) * R``: no rung costs more than its bracket's last one.

    Parameters
    ----------
    factor : float
        ``eta``.
    min_resources, max_resources : int
        ``r`` and ``R``.
    n_splits : int, default=None
        Recorded on the schedule, for ``n_fits``.

    Returns
    -------
    schedule : HyperbandSchedule
    """
    s_max = floor_log(max_resources / min_resources, factor)
    levels = resource_levels(min_resources, max_resources, s_max, factor)
    brackets = []
    for s in range(s_max, -1, -1):
        n = ceil((s_max + 1) / (s + 1) * factor**s - 1e-9)
        counts = [max(1, floor(n / factor**i + 1e-9)) for i in range(s + 1)]
        resources = levels[s_max - s:]
        brackets.append(
            HalvingSchedule(
                n_candidates=counts,
                n_resources=resources,
                factor=factor,
                min_resources=resources[0],
                max_resources=max_resources,
                n_required_iterations=s + 1,
                n_possible_iterations=s + 1,
                n_iterations=s + 1,
                n_splits=n_splits,
            )
        )
    return HyperbandSchedule(
        brackets=brackets,
        factor=factor,
        min_resources=levels[0],
        max_resources=max_resources,
        n_splits=n_splits,
    )


def resource_levels(min_resources, max_resources, n_steps, factor):
    """The ``n_steps + 1`` resource levels of a Hyperband run, from
    ``min_resources`` to ``max_resources``.

    Li et al.'s ``max_resources * factor**(k - n_steps)`` (rounded down, as
    scikit-learn rounds its rungs) when the first one is ``min_resources``;
    else geometric from ``min_resources`` to ``max_resources``, which grows
    by at least ``factor`` per step when ``factor**n_steps <= max_resources /
    min_resources``. With no step there is one level, ``max_resources``.
    """
    if n_steps <= 0:
        return [int(max_resources)]
    levels = [
        int(max_resources / factor ** (n_steps - k) + 1e-9) for k in range(n_steps + 1)
    ]
    if levels[0] != min_resources:
        ratio = max_resources / min_resources
        levels = [
            int(floor(min_resources * ratio ** (k / n_steps) + 1e-9))
            for k in range(n_steps + 1)
        ]
    levels[0], levels[-1] = int(min_resources), int(max_resources)
    return levels


def floor_log(x, base):
    """``floor(log_base(x))`` robust to rounding (``x = base**k`` gives ``k``)."""
    if x < base:
        return 0
    k = floor(log(x, base) + 1e-9)
    while base ** (k + 1) <= x * (1 + 1e-12):
        k += 1
    while k > 0 and base**k > x * (1 + 1e-12):
        k -= 1
    return k
