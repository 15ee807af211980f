"""Same seed, same results: a snapshot of a few searches to compare across a change.

Runs seven small searches (Bayes with distributions, with dimensions and a
union of subspaces, with a grid, with fold stopping; halving on samples, on
``n_estimators`` with Bayesian proposals, and with ``warm_start_from``;
Hyperband) with fixed seeds
and checkpoints, and writes their ``cv_results_``, ``best_*`` and checkpoint
contents, timing columns left out, to one JSON file. A change that only moves
code must leave the file identical::

    git stash; python benchmarks/search_snapshot.py /tmp/before.json; git stash pop
    python benchmarks/search_snapshot.py /tmp/after.json
    python benchmarks/search_snapshot.py --compare /tmp/before.json /tmp/after.json
"""

import argparse
import json
import os
import re
import sys
import tempfile

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _searches():
    from scipy.stats import loguniform, randint, uniform
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from skhyper import (BayesSearchCV, Categorical, HyperbandSearchCV, Integer,
                         Real, SuccessiveHalvingSearchCV)

    forest = RandomForestClassifier(random_state=0)
    svc_space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1)}
    return {
        "bayes_dist": ("iris", lambda **kw: BayesSearchCV(
            LogisticRegression(max_iter=500),
            {"C": loguniform(1e-3, 1e2), "tol": uniform(1e-5, 1e-3)},
            n_iter=12, cv=3, random_state=0, **kw)),
        "bayes_dims": ("iris", lambda **kw: BayesSearchCV(
            make_pipeline(StandardScaler(), SVC()),
            [{"svc__C": Real(1e-2, 1e2, prior="log-uniform"),
              "svc__kernel": Categorical(["rbf", "linear"])},
             {"svc__degree": Integer(2, 4), "svc__kernel": ["poly"]}],
            n_iter=10, cv=3, random_state=1, n_points=2, **kw)),
        "bayes_grid": ("diabetes", lambda **kw: BayesSearchCV(
            Ridge(), {"alpha": [0.1, 1.0, 10.0], "fit_intercept": [True, False]},
            n_iter=6, cv=3, random_state=0, **kw)),
        "bayes_fold_stopping": ("breast_cancer", lambda **kw: BayesSearchCV(
            make_pipeline(StandardScaler(), SVC()), {
                "svc__C": loguniform(1e-3, 1e3), "svc__gamma": loguniform(1e-4, 1)},
            n_iter=15, cv=5, fold_stopping="predictive", random_state=0, **kw)),
        "sh_samples": ("iris", lambda **kw: SuccessiveHalvingSearchCV(
            SVC(), svc_space, n_candidates=12, cv=3, random_state=0, **kw)),
        "sh_param": ("iris", lambda **kw: SuccessiveHalvingSearchCV(
            forest, {"max_depth": randint(1, 8)}, resource="n_estimators",
            max_resources=27, min_resources=3, factor=3, cv=3, random_state=0,
            proposer="bayes", **kw)),
        "hb": ("iris", lambda **kw: HyperbandSearchCV(
            forest, {"max_depth": randint(1, 8), "min_samples_leaf": [1, 2, 4]},
            resource="n_estimators", max_resources=27, factor=3, cv=3,
            random_state=0, **kw)),
    }


def _without_times(table):
    return {k: v for k, v in table.items() if "time" not in k}


def _plain(results):
    return repr({k: getattr(v, "tolist", lambda: v)()
                 for k, v in _without_times(results).items()})


def snapshot():
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

    data = {"iris": load_iris(return_X_y=True),
            "diabetes": load_diabetes(return_X_y=True),
            "breast_cancer": load_breast_cancer(return_X_y=True)}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (dataset, make) in _searches().items():
            path = os.path.join(tmp, f"{name}.ckpt")
            search = make(checkpoint=path).fit(*data[dataset])
            with open(path) as f:
                stored = json.load(f)
            stored["columns"] = _without_times(stored["columns"])
            out[name] = {
                "cv_results": _plain(search.cv_results_),
                "best": repr((search.best_index_, search.best_params_,
                              search.best_score_)),
                "checkpoint": json.dumps(stored, sort_keys=True),
            }
            if name == "sh_samples":
                again = make(warm_start_from=search).fit(*data[dataset])
                out["sh_warm_start_from"] = {"cv_results": _plain(again.cv_results_)}
    return out


def _masked(text):
    # Checkpoints of releases before fingerprints by value held object addresses.
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def compare(path_a, path_b):
    with open(path_a) as fa, open(path_b) as fb:
        a, b = json.load(fa), json.load(fb)
    differ = sorted(
        f"{name}.{field}" for name in a.keys() | b.keys()
        for field in a.get(name, {}).keys() | b.get(name, {}).keys()
        if _masked(a.get(name, {}).get(field, "")) != _masked(
            b.get(name, {}).get(field, ""))
    )
    print("identical" if not differ else "differ: " + ", ".join(differ))
    return 1 if differ else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="OUT.json, or two with --compare")
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.paths)
    with open(args.paths[0], "w") as f:
        json.dump(snapshot(), f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
