"""``python -m skhyper``: compare four searches on a dataset bundled with scikit-learn.

GridSearchCV, RandomizedSearchCV, skhyper's BayesSearchCV and
SuccessiveHalvingSearchCV tune the same pipeline over the same ranges, with
the same CV folds and comparable budgets; a table then shows what each spent
and found. Nothing is downloaded. ``python -m skhyper --help`` lists the
options.
"""

import argparse
import math
import os
import sys
import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn import datasets
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from skhyper import (
    BayesSearchCV,
    SelectionBiasWarning,
    SuccessiveHalvingSearchCV,
    selection_bias,
)

DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
    "digits": (datasets.load_digits, "classification"),
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
}
SCORING = {"classification": "accuracy", "regression": "r2"}
HALVING_FACTOR = 3


@dataclass
class Range:
    """One searched parameter: a numeric range or a list of choices."""

    name: str
    low: float = None
    high: float = None
    log: bool = False
    integer: bool = False
    choices: list = None

    def distribution(self):
        if self.choices is not None:
            return list(self.choices)
        if self.integer:
            return randint(self.low, self.high + 1)
        if self.log:
            return loguniform(self.low, self.high)
        return uniform(self.low, self.high - self.low)

    def grid(self, n_values):
        if self.choices is not None:
            return list(self.choices)
        spaced = np.geomspace if self.log else np.linspace
        values = spaced(self.low, self.high, n_values)
        if self.integer:
            return sorted({int(round(v)) for v in values})
        return [float(f"{v:.3g}") for v in values]


def _svm(task):
    model = SVC() if task == "classification" else SVR()
    step = type(model).__name__.lower()
    return make_pipeline(StandardScaler(), model), [
        Range(f"{step}__C", 1e-2, 1e3, log=True),
        Range(f"{step}__gamma", 1e-4, 1e0, log=True),
    ]


def _linear(task):
    if task == "classification":
        # newton-cg: lbfgs spends most of its time in BLAS threads on such
        # small problems.
        model = LogisticRegression(solver="newton-cg", max_iter=1000)
        return make_pipeline(StandardScaler(), model), [
            Range("logisticregression__C", 1e-3, 1e3, log=True),
            Range("logisticregression__class_weight", choices=[None, "balanced"]),
        ]
    return make_pipeline(StandardScaler(), Ridge()), [
        Range("ridge__alpha", 1e-3, 1e4, log=True),
        Range("ridge__fit_intercept", choices=[True, False]),
    ]


def _knn(task):
    classifier = task == "classification"
    model = KNeighborsClassifier() if classifier else KNeighborsRegressor()
    step = type(model).__name__.lower()
    return make_pipeline(StandardScaler(), model), [
        Range(f"{step}__n_neighbors", 1, 50, log=True, integer=True),
        Range(f"{step}__weights", choices=["uniform", "distance"]),
        Range(f"{step}__p", choices=[1, 2]),
    ]


def _boosting(task):
    cls = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )
    step = cls.__name__.lower()
    return make_pipeline(cls(max_iter=30, early_stopping=False)), [
        Range(f"{step}__learning_rate", 1e-2, 1e0, log=True),
        Range(f"{step}__max_leaf_nodes", 4, 64, log=True, integer=True),
        Range(f"{step}__min_samples_leaf", 2, 50, log=True, integer=True),
    ]


MODELS = {
    "svm": (_svm, "StandardScaler + SVC/SVR: C, gamma"),
    "linear": (_linear, "StandardScaler + LogisticRegression/Ridge"),
    "knn": (_knn, "StandardScaler + k nearest neighbours"),
    "boosting": (_boosting, "HistGradientBoosting: learning rate, tree size"),
}


# -- budgets ---------------------------------------------------------------


def grid_values(ranges, budget):
    """The finest grid of the ranges with at most ``budget`` points (>= 2 each)."""
    n_fixed = math.prod(len(r.choices) for r in ranges if r.choices is not None)
    numeric = [r for r in ranges if r.choices is None]
    per_range = 2
    while n_fixed * (per_range + 1) ** len(numeric) <= budget:
        per_range += 1
    return {r.name: r.grid(per_range) for r in ranges}


def fit_halving_budget(search, budget, X, y):
    """Set ``n_candidates`` so that the search costs about ``budget`` full fits.

    A halving search evaluates most candidates on a subsample; its cost is
    the sum over rungs of candidates times their share of the samples. The
    planned cost grows with ``n_candidates``: bisect on it.
    """
    def cost(n_candidates):
        schedule = search.set_params(n_candidates=n_candidates).schedule(X, y)
        return schedule.total_resources / schedule.max_resources

    low, high = 2, 2
    while cost(high) <= budget and high < 100 * budget:
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if cost(middle) <= budget else (low, middle)
    search.set_params(n_candidates=low)
    return search.schedule(X, y)


def full_fit_equivalents(search, n_samples):
    """Evaluations weighted by the share of the training samples they used."""
    results = search.cv_results_
    if "n_resources" not in results:
        return float(len(results["params"]))
    return float(np.sum(results["n_resources"]) / n_samples)


# -- the run ---------------------------------------------------------------


def build_searches(args, task, X_train, y_train):
    model, ranges = MODELS[args.model][0](task)
    distributions = {r.name: r.distribution() for r in ranges}
    grid = grid_values(ranges, args.budget)
    common = {
        "scoring": SCORING[task],
        "cv": _splitter(task, args),
        "n_jobs": args.n_jobs,
        "verbose": args.verbose,
    }
    seeded = {**common, "random_state": args.seed}
    halving = SuccessiveHalvingSearchCV(
        model, distributions, factor=HALVING_FACTOR, **seeded
    )
    fit_halving_budget(halving, args.budget, X_train, y_train)
    return [
        GridSearchCV(model, grid, **common),
        RandomizedSearchCV(model, distributions, n_iter=args.budget, **seeded),
        BayesSearchCV(model, distributions, n_iter=args.budget, **seeded),
        halving,
    ]


def _splitter(task, args):
    cls = StratifiedKFold if task == "classification" else KFold
    return cls(args.cv, shuffle=True, random_state=args.seed)


def describe(search, X, y):
    """A short line on what a search is about to do."""
    name = type(search).__name__
    if isinstance(search, GridSearchCV):
        size = math.prod(len(v) for v in search.param_grid.values())
        return f"{name}: every point of a {size}-point grid"
    if isinstance(search, SuccessiveHalvingSearchCV):
        schedule = search.schedule(X, y)
        rungs = ", then ".join(
            f"{n} on {r} samples"
            for n, r in zip(schedule.n_candidates, schedule.n_resources)
        )
        return f"{name}: {rungs} (the best third of each rung goes on)"
    kind = "random" if isinstance(search, RandomizedSearchCV) else "model-based"
    return f"{name}: {search.n_iter} {kind} candidates"


@dataclass
class Outcome:
    name: str
    evaluations: int
    full_fits: float
    wall_time: float
    best_cv: float
    corrected: float
    test: float


def run_search(search, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    with warnings.catch_warnings():
        # the table's "corrected" column says it for every search
        warnings.simplefilter("ignore", SelectionBiasWarning)
        search.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    return Outcome(
        name=type(search).__name__,
        evaluations=len(search.cv_results_["params"]),
        full_fits=full_fit_equivalents(search, len(X_train)),
        wall_time=elapsed,
        best_cv=float(search.best_score_),
        corrected=float(selection_bias(search).corrected),
        test=float(search.score(X_test, y_test)),
    )


def format_table(outcomes, metric):
    header = (
        f"{'search':<27}{'evaluations':>12}{'full fits':>11}{'wall time':>11}"
        f"{'best CV':>9}{'corrected':>11}{'test':>8}"
    )
    rows = [
        f"{o.name:<27}{o.evaluations:>12d}{o.full_fits:>11.1f}"
        f"{o.wall_time:>9.1f} s{o.best_cv:>9.4f}{o.corrected:>11.4f}{o.test:>8.4f}"
        for o in outcomes
    ]
    note = (
        f"scores: {metric}; full fits: evaluations weighted by the share of the\n"
        "training samples they used (successive halving uses few at first);\n"
        "corrected: best CV minus its selection bias (skhyper.selection_bias)"
    )
    return "\n".join([header, "-" * len(header), *rows, note])


def save_convergence_plot(searches, path):
    from matplotlib.figure import Figure

    from skhyper.plots import ConvergenceDisplay

    figure = Figure(figsize=(7, 4.5), layout="constrained")
    ax = figure.add_subplot()
    ConvergenceDisplay.from_search(searches, x="cost", ax=ax)
    ax.set_title("best mean CV score so far, at equal cost")
    figure.savefig(path)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    check_plot_target(parser, args.plot)
    say = print if args.verbose else (lambda *a, **k: None)
    task = DATASETS[args.dataset][1]
    X_train, X_test, y_train, y_test = load_split(args)
    searches = build_searches(args, task, X_train, y_train)
    say(
        f"{args.dataset}: {len(X_train)} training and {len(X_test)} test samples; "
        f"model {args.model} ({MODELS[args.model][1]}); budget {args.budget} "
        f"evaluations, {args.cv}-fold CV, scoring {SCORING[task]}",
        flush=True,
    )
    outcomes = []
    for i, search in enumerate(searches, 1):
        say(f"\n[{i}/{len(searches)}] {describe(search, X_train, y_train)}", flush=True)
        outcome = run_search(search, X_train, y_train, X_test, y_test)
        say(f"  done in {outcome.wall_time:.1f} s, best CV {SCORING[task]} "
            f"{outcome.best_cv:.4f}", flush=True)
        outcomes.append(outcome)
    print(("\n" if args.verbose else "") + format_table(outcomes, SCORING[task]))
    if args.plot:
        save_convergence_plot(searches, args.plot)
        print(f"convergence plot saved to {args.plot}")
    return 0


def load_split(args):
    """The bundled dataset, split into training and held-out test samples."""
    loader, task = DATASETS[args.dataset]
    X, y = loader(return_X_y=True)
    return train_test_split(
        X, y, test_size=0.25, random_state=args.seed,
        stratify=y if task == "classification" else None,
    )


# -- arguments ---------------------------------------------------------------


def _int_at_least(low):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    return parse


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    if value == 0:
        raise argparse.ArgumentTypeError("must not be 0 (use -1 for all cores)")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m skhyper",
        description=(
            "Compare GridSearchCV, RandomizedSearchCV, skhyper.BayesSearchCV and "
            "skhyper.SuccessiveHalvingSearchCV tuning the same pipeline on a "
            "dataset bundled with scikit-learn (nothing is downloaded), and "
            "print evaluations, wall time, best CV score and held-out test "
            "score of each."
        ),
        epilog=(
            "Models: "
            + "; ".join(f"{name}: {text}" for name, (_, text) in MODELS.items())
            + ". Budget: evaluations for the random and Bayesian searches, the "
            "largest grid within it for GridSearchCV, and about as many "
            "full-data fits for successive halving."
        ),
    )
    parser.add_argument(
        "--dataset", choices=sorted(DATASETS), default="breast_cancer",
        help="bundled dataset (default: %(default)s; diabetes is a regression)",
    )
    parser.add_argument(
        "--model", choices=list(MODELS), default="svm",
        help="pipeline to tune (default: %(default)s)",
    )
    parser.add_argument(
        "--budget", type=_int_at_least(4), default=30, metavar="N",
        help="evaluations per search (default: %(default)s)",
    )
    parser.add_argument(
        "--n-jobs", type=_n_jobs, default=None, metavar="N",
        help="parallel fits, -1 for all cores (default: 1)",
    )
    parser.add_argument(
        "--cv", type=_int_at_least(2), default=5, metavar="K",
        help="cross-validation folds (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=_int_at_least(0), default=0,
        help="seed of the split, folds and searches (default: %(default)s)",
    )
    parser.add_argument(
        "--plot", metavar="FILE",
        help="save a convergence figure (PNG, PDF, SVG, ...; needs matplotlib)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=1,
        help="also print a line per batch and scikit-learn's line per fit (-v), "
        "more (-vv)",
    )
    parser.add_argument(
        "-q", "--quiet", dest="verbose", action="store_const", const=0,
        help="print only the final table",
    )
    return parser


def check_plot_target(parser, path):
    """Fail before the searches run if the figure could not be saved."""
    if path is None:
        return
    try:
        from matplotlib.figure import Figure
    except ImportError:
        parser.error(
            "--plot needs matplotlib: pip install skhyper[plots] (or matplotlib)"
        )
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        parser.error(f"--plot: directory {directory!r} does not exist")
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    supported = Figure().canvas.get_supported_filetypes()
    if extension not in supported:
        parser.error(
            f"--plot: unsupported file type {extension or '(none)'!r}; use one "
            f"of {', '.join(sorted(supported))}"
        )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
