"""Figures of fitted searches, following scikit-learn's Display convention.

Each display has a ``from_search`` constructor that computes what to draw
from a fitted search and draws it, a ``plot`` method to draw again (on other
axes, with other styles), and keeps the figure and axes it drew on as
``figure_`` and ``ax_`` (or ``axes_``).

matplotlib is an optional dependency: ``pip install skhyper[plots]``.
"""

from skhyper.plots._convergence import ConvergenceDisplay
from skhyper.plots._halving import HalvingDisplay
from skhyper.plots._parameters import ParameterScoreDisplay
from skhyper.plots._surrogate import (
    ParameterContourDisplay,
    ParameterImportanceDisplay,
)

__all__ = [
    "ConvergenceDisplay",
    "HalvingDisplay",
    "ParameterContourDisplay",
    "ParameterImportanceDisplay",
    "ParameterScoreDisplay",
]
