"""Benchmark ``pu_bagging``: the speed-up of ``BaggingPUClassifier`` with ``n_jobs``.

Fits ``BaggingPUClassifier(DecisionTreeClassifier())`` (50 bagged trees) on a
20k-row ``make_classification`` set with SCAR PU labels (c = 0.3), with
``n_jobs=1`` and ``n_jobs=2``, once with a given class prior (the bagging alone)
and once estimating it with DEDPUL (the out-of-sample scores' folds run in
parallel too). Each configuration is timed ``--repeats`` times and the best wall
time kept; the table gives both times and their ratio. Predictions are checked
to be identical across ``n_jobs``.

Run ``python -m skrobust benchmark pu_bagging [--quick] [--output DIR]``.
"""

import argparse
import os
import platform
import shlex
import sys
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier

from skrobust._bench._cli import fill_quick_defaults, output_folder
from skrobust._bench._report import library_versions
from skrobust.datasets import make_pu_labels
from skrobust.pu import BaggingPUClassifier

_PREFIX = ["python", "-m", "skrobust", "benchmark", "pu_bagging"]


def _best_time(model, X, s, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(X, s)
        times.append(time.perf_counter() - start)
    return min(times), model


def run(n_samples=20000, n_estimators=50, repeats=2):
    """Rows ``(setting, seconds with n_jobs=1, seconds with n_jobs=2, speed-up)``."""
    X, y = make_classification(
        n_samples=n_samples, n_features=20, n_informative=10, random_state=0
    )
    s = make_pu_labels(y, 0.3, random_state=0)
    rows = []
    for label, params in [
        ("given class prior", {"class_prior": float(y.mean())}),
        ("DEDPUL prior (cross-fitted)", {}),
    ]:
        times, predictions = {}, {}
        for n_jobs in (1, 2):
            model = BaggingPUClassifier(
                DecisionTreeClassifier(random_state=0),
                n_estimators=n_estimators,
                n_jobs=n_jobs,
                random_state=0,
                **params,
            )
            times[n_jobs], fitted = _best_time(model, X, s, repeats)
            predictions[n_jobs] = fitted.predict_proba(X[:1000])
        if not np.allclose(predictions[1], predictions[2]):
            raise AssertionError("predictions differ between n_jobs=1 and n_jobs=2")
        rows.append((label, times[1], times[2], times[1] / times[2]))
    return rows


def _table(rows, n_samples, n_estimators):
    lines = [
        f"BaggingPUClassifier(DecisionTreeClassifier(), n_estimators={n_estimators})"
        f" on {n_samples} x 20 rows, c = 0.3; best of the repeats.",
        "",
        "| setting | n_jobs=1 (s) | n_jobs=2 (s) | speed-up |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f}x |" for r in rows]
    return "\n".join(lines)


def main(argv=None):
    """Run the benchmark; see ``--help`` for the options."""
    parser = argparse.ArgumentParser(
        prog=" ".join(_PREFIX), description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick", action="store_true", help="2000 rows, 1 repeat (unless given)"
    )
    parser.add_argument("--repeats", type=int, default=None, help="default 2")
    parser.add_argument("--output", type=output_folder, default=None)
    args = parser.parse_args(argv)
    fill_quick_defaults(args, {"repeats": (1, 2)})
    n_samples, repeats = (2000 if args.quick else 20000), args.repeats
    rows = run(n_samples=n_samples, repeats=repeats)
    command = shlex.join(_PREFIX + list(sys.argv[1:] if argv is None else argv))
    versions = ", ".join(f"{k} {v}" for k, v in library_versions().items())
    text = "\n".join(
        [
            f"# Benchmark pu_bagging\n\nCommand: `{command}`  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; {versions}\n",
            _table(rows, n_samples, 50),
        ]
    )
    print(text)
    if args.output is not None:
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "pu_bagging.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
