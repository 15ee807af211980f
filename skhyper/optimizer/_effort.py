"""How much model work a proposal gets: the full model, or a light one.

A proposal of the Gaussian-process optimizer with the :data:`FULL` effort
costs a few milliseconds at 30 told configurations (hyperparameters refitted
by L-BFGS-B every third proposal up to 200, the posterior recomputed in
between; an acquisition search of about 1800 random and local candidates)
and grows with the told configurations. Refitting at every proposal and a
gradient polish of the best candidates by L-BFGS-B, together about 2.3 times
the cost, measured no better and were dropped (13 tasks, 10 seeds, paired;
``docs/benchmarks.md``).
Next to fits of tenths of a second that is noise; next to fits of a
millisecond, in the long searches such fits allow, it is most of the
search's wall time. With ``effort="auto"`` (what
:class:`~skhyper.BayesSearchCV` uses) the first :data:`LIGHT_FROM` proposals
get the :data:`FULL` effort and the later ones the :data:`LIGHT` one:

* the hyperparameters are refitted when the told configurations have grown
  by a tenth since the last refit (between refits only the posterior is
  recomputed, one Cholesky factorization);
* the model sees at most :attr:`Effort.model_max` told configurations (the
  best ones and a cover of the others, ``_subset``);
* the acquisition search scores fewer random and local candidates;
* the candidates of one search are scored again under the updated model for
  the next :attr:`Effort.reuse` proposals instead of searching afresh.

The effort depends on counts only, never on measured times: a seeded search
makes the same proposals however long its fits take (a rule reading the fit
times of ``cv_results_`` was tried and dropped: two runs of one search,
or a search and its resumption in a loaded process, chose differently).
"""

from dataclasses import dataclass

__all__ = ["Effort", "FULL", "LIGHT", "LIGHT_FROM", "check_effort", "effort_at"]


@dataclass(frozen=True)
class Effort:
    """The amount of model work per proposal."""

    name: str
    #: random candidates of the acquisition search
    n_random: int
    #: best candidates (and best told configurations) perturbed per round
    n_centres: int
    #: perturbations per centre and round
    n_per_centre: int
    #: step sizes of the local rounds, one round each
    local_scales: tuple
    #: told configurations the Gaussian process is fitted on, at most
    model_max: int
    #: proposals that rescore the last search's candidates before a new one
    reuse: int
    #: past model_max told configurations (always, if light), the GP's
    #: hyperparameters are refitted once the told ones grew by this many ...
    refit_every: int
    #: ... or by this share of them, whichever is more
    refit_share: float
    #: up to model_max told configurations, the hyperparameters are refitted
    #: once the told ones grew by this many (None: by the two rules above)
    early_refit_every: int = None

    def refit_due(self, n_told, n_at_refit):
        """Whether the GP's hyperparameters are refitted at ``n_told`` told
        configurations, the last refit having been at ``n_at_refit``."""
        if self.early_refit_every is not None and n_told <= self.model_max:
            return n_told - n_at_refit >= self.early_refit_every
        grown = max(self.refit_every, int(self.refit_share * n_told))
        return n_told - n_at_refit >= grown


FULL = Effort("full", n_random=1024, n_centres=8, n_per_centre=24,
              local_scales=(0.1, 0.02), model_max=200, reuse=0,
              refit_every=10, refit_share=0.0, early_refit_every=3)
LIGHT = Effort("light", n_random=256, n_centres=4, n_per_centre=16,
               local_scales=(0.05, 0.01), model_max=80, reuse=2,
               refit_every=1, refit_share=0.1)
EFFORTS = {effort.name: effort for effort in (FULL, LIGHT)}

#: Told configurations from which ``effort="auto"`` proposes with the light
#: effort; the budgets of the benchmark record (10 to 60) stay full.
LIGHT_FROM = 60


def check_effort(effort):
    """``"full"``, ``"light"``, ``"auto"`` or a callable ``effort(n_told)``."""
    if callable(effort) or effort in EFFORTS or effort == "auto":
        return effort
    raise ValueError(
        f"effort must be 'full', 'light', 'auto' or a callable, got {effort!r}."
    )


def effort_at(effort, n_told):
    """The :class:`Effort` of a proposal made with ``n_told`` told configurations."""
    if callable(effort):
        effort = effort(n_told)
    if effort == "auto":
        effort = "light" if n_told >= LIGHT_FROM else "full"
    return EFFORTS[check_effort(effort)]
