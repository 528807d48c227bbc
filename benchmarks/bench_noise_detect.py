"""Benchmark ``noise_detect``: finding label issues and estimating T, vs cleanlab.

Two parts, one table:

- quality on ``digits``, ``wine``, ``breast_cancer``, ``synthetic10`` and
  ``synthetic50`` with symmetric and pair noise at 20 % and 40 %: precision, recall
  and F1 of the flagged rows against the true flip mask, AUROC of the ranking, and
  the mean absolute error of the estimated T. Every method reads the same
  out-of-sample probabilities (5-fold logistic regression), computed once per
  problem by the harness.
- speed and memory of ``find_label_issues`` and of T estimation on random float32
  probability matrices of N = 1e4, 1e5, 1e6 rows and K = 10, 100 classes: median
  wall time over repeats, peak memory over the input, our time as a multiple of one
  ``pred_proba.sum()`` pass, and the speed-up over cleanlab.

Run ``python -m skrobust benchmark noise_detect [--quick] [--output DIR]``.
"""

import argparse
import statistics
import sys
import time
from types import SimpleNamespace

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from skrobust._bench import (
    LabelNoise,
    Method,
    Section,
    preimport,
    report,
    run_benchmark,
)
from skrobust._bench._run import RunRecord, peer_versions, run_in_child
from skrobust.noise import (
    estimate_transition_matrix,
    find_label_issues,
    rank_label_issues,
)

DATASETS = ["digits", "wine", "breast_cancer", "synthetic10", "synthetic50"]
SETTINGS = [
    LabelNoise(kind, rate) for kind in ("symmetric", "pair") for rate in (0.2, 0.4)
]


def _codes(problem):
    return np.searchsorted(problem.classes, problem.y_train_corrupted)


def _detection_metrics(problem, mask, ranking_scores):
    flipped = problem.extra["flipped_mask"]
    return {
        "precision": precision_score(flipped, mask, zero_division=0),
        "recall": recall_score(flipped, mask, zero_division=0),
        "f1": f1_score(flipped, mask, zero_division=0),
        "auroc": roc_auc_score(flipped, -ranking_scores),
    }


def _t_error(problem, T):
    return {"T_mae": float(np.abs(T - problem.extra["transition_matrix"]).mean())}


# cleanlab is imported here, in the parent, so that a forked run's time and
# memory measure the call and not the import (our functions are imported above).
preimport("cleanlab.filter", "cleanlab.count", "cleanlab.rank")


def _ours_default(problem):
    proba, y = problem.pred_proba(), _codes(problem)
    mask = find_label_issues(y, proba)
    order = rank_label_issues(y, proba)
    # AUROC needs a score; the rank position is one (earlier = more suspect).
    scores = np.empty(len(y))
    scores[order] = np.arange(len(y))
    metrics = _detection_metrics(problem, mask, scores)
    return {**metrics, **_t_error(problem, estimate_transition_matrix(y, proba))}


def _ours_t(method):
    def run(problem):
        T = estimate_transition_matrix(
            _codes(problem), problem.pred_proba(), method=method
        )
        return _t_error(problem, T)

    return run


def _ours_filter(filter_by):
    def run(problem):
        proba, y = problem.pred_proba(), _codes(problem)
        mask = find_label_issues(y, proba, filter_by=filter_by)
        flipped = problem.extra["flipped_mask"]
        return {"f1": f1_score(flipped, mask, zero_division=0)}

    return run


def _cleanlab_default(problem):
    from cleanlab.count import estimate_py_and_noise_matrices_from_probabilities
    from cleanlab.filter import find_label_issues as cl_find
    from cleanlab.rank import get_label_quality_scores

    proba, y = problem.pred_proba(), _codes(problem)
    # One process, as ours runs on one core; the harness forks a daemonic child,
    # which may not start cleanlab's worker pool anyway.
    mask = cl_find(y, proba, n_jobs=1)
    scores = get_label_quality_scores(y, proba)
    metrics = _detection_metrics(problem, mask, scores)
    # cleanlab's noise_matrix[i, j] is P(noisy=i | true=j): our T transposed.
    _, noise_matrix, _, _ = estimate_py_and_noise_matrices_from_probabilities(y, proba)
    return {**metrics, **_t_error(problem, noise_matrix.T)}


QUALITY_METHODS = [
    Method(
        "find_label_issues (default)", "skrobust", _ours_default, needs_pred_proba=True
    ),
    Method(
        "find_label_issues (prune_by_noise_rate)",
        "skrobust",
        _ours_filter("prune_by_noise_rate"),
        needs_pred_proba=True,
    ),
    Method("T: anchor", "skrobust", _ours_t("anchor"), needs_pred_proba=True),
    Method("T: dual_t", "skrobust", _ours_t("dual_t"), needs_pred_proba=True),
    Method("T: em", "skrobust", _ours_t("em"), needs_pred_proba=True),
    Method(
        "find_label_issues (default)",
        "cleanlab",
        _cleanlab_default,
        requires="cleanlab",
        needs_pred_proba=True,
    ),
]


def _random_problem(n_samples, n_classes, seed):
    rng = np.random.default_rng(seed)
    proba = rng.random((n_samples, n_classes), dtype=np.float32)
    proba /= proba.sum(axis=1, keepdims=True)
    return SimpleNamespace(proba=proba, y=rng.integers(n_classes, size=n_samples))


def _speed_functions():
    def ours_issues(p):
        find_label_issues(p.y, p.proba)
        return {}

    def ours_t(p):
        estimate_transition_matrix(p.y, p.proba)
        return {}

    def one_sum(p):
        p.proba.sum()
        return {}

    def cleanlab_issues(p):
        from cleanlab.filter import find_label_issues as cl_find

        cl_find(p.y, p.proba, n_jobs=1)
        return {}

    def cleanlab_t(p):
        from cleanlab.count import estimate_py_and_noise_matrices_from_probabilities

        estimate_py_and_noise_matrices_from_probabilities(p.y, p.proba)
        return {}

    return {
        "find_label_issues": (ours_issues, cleanlab_issues),
        "estimate T": (ours_t, cleanlab_t),
        "sum": (one_sum, None),
    }


def _time_runs(func, problem, repeats, threads, timeout):
    runs = [
        run_in_child(func, problem, timeout=timeout, threads=threads)
        for _ in range(repeats)
    ]
    ok = [r for r in runs if r[0] == "ok"]
    if not ok:
        return runs[0][0], float("nan"), float("nan")
    return "ok", statistics.median(r[2] for r in ok), max(r[3] for r in ok)


def speed_records(sizes, repeats, threads, timeout, verbose):
    """Timing rows: ours and cleanlab's on the same random matrices."""
    has_cleanlab = peer_versions([Section(QUALITY_METHODS[-1:], [], [])]).get(
        "cleanlab"
    )
    functions = _speed_functions()
    records = []
    for n_samples, n_classes in sizes:
        problem = _random_problem(n_samples, n_classes, seed=0)
        dataset = f"random float32 N={n_samples:.0e} K={n_classes}"
        _, sum_time, _ = _time_runs(
            functions["sum"][0], problem, repeats, threads, timeout
        )
        for task in ("find_label_issues", "estimate T"):
            ours, theirs = functions[task]
            status, t_ours, m_ours = _time_runs(
                ours, problem, repeats, threads, timeout
            )
            if has_cleanlab:
                status_cl, t_cl, m_cl = _time_runs(
                    theirs, problem, repeats, threads, timeout
                )
            else:
                status_cl, t_cl, m_cl = "not installed", float("nan"), float("nan")
            if verbose:
                print(
                    f"[speed] {dataset} {task}: ours {t_ours:.3f}s "
                    f"cleanlab {t_cl:.3f}s",
                    file=sys.stderr,
                )
            ours_metrics = {
                "x_sum_pass": t_ours / sum_time,
                "speedup_vs_cleanlab": t_cl / t_ours,
                "memory_vs_cleanlab": m_ours / m_cl if m_cl > 0 else float("nan"),
            }
            records.append(
                RunRecord(
                    dataset,
                    "speed",
                    0,
                    "skrobust",
                    task,
                    status,
                    ours_metrics,
                    t_ours,
                    m_ours,
                )
            )
            records.append(
                RunRecord(
                    dataset, "speed", 0, "cleanlab", task, status_cl, {}, t_cl, m_cl
                )
            )
    return records


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skrobust benchmark noise_detect", description=__doc__
    )
    parser.add_argument(
        "--quick", action="store_true", help="one seed, two datasets, small speed sizes"
    )
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--output", default=None)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.seeds is not None and args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    n_seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    seeds = list(range(n_seeds))
    threads = args.threads or None
    verbose = 0 if args.quiet else 1
    datasets = ["digits", "wine"] if args.quick else DATASETS
    sizes = (
        [(10_000, 10), (10_000, 100)]
        if args.quick
        else [(n, k) for k in (10, 100) for n in (10_000, 100_000, 1_000_000)]
    )
    start = time.perf_counter()
    sections = [Section(QUALITY_METHODS, datasets, SETTINGS)]
    records = []
    if not args.no_quality:
        records += run_benchmark(
            sections,
            seeds=seeds,
            timeout=args.timeout,
            threads=threads,
            verbose=verbose,
        )
    if not args.no_speed:
        records += speed_records(sizes, args.repeats, threads, args.timeout, verbose)
    report(
        "noise_detect",
        records,
        seeds=seeds,
        threads=threads,
        peers=peer_versions(sections),
        output=args.output,
    )
    if verbose:
        print(f"total {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
