"""The benchmark harness behind ``python -m skrobust demo | benchmark NAME``.

A benchmark is a list of :class:`Section`\\ s, each a list of :class:`Method`\\ s run
over datasets x corruption settings x seeds. The harness gives every method the same
seeded data and corruption (:func:`make_problem`), computes the out-of-sample
probabilities once per problem and base estimator and shares them, runs each method
in a forked child process to measure its wall time and peak memory, reports a
method whose peer library is missing as "not installed" and one that raises as
"failed", and prints a Markdown table (with a CSV under ``--output``) headed by the
command line and library versions.

A script ``benchmarks/bench_NAME.py`` only lists methods::

    from skrobust._bench import LabelNoise, Method, Section, benchmark_main

    def _cleanlab_issues(problem):
        from cleanlab.filter import find_label_issues

        found = find_label_issues(problem.y_train_corrupted, problem.pred_proba())
        return {"recall": found[problem.extra["flipped_mask"]].mean()}

    METHODS = [Method("find_label_issues", "cleanlab", _cleanlab_issues,
                      requires="cleanlab", needs_pred_proba=True)]

    def main(argv=None):
        section = Section(METHODS, ["digits"], [LabelNoise("symmetric", 0.2)])
        return benchmark_main("noise_detect", [section], argv)
"""

from ._cli import (
    available_benchmarks,
    benchmark_main,
    find_benchmark_script,
    run_benchmark_script,
)
from ._problem import (
    DATASETS,
    LabelNoise,
    LabelProportions,
    Problem,
    PULabels,
    case_control,
    clean_learning,
    default_estimator,
    fit_on_clean_labels,
    fit_on_corrupted_labels,
    fit_with_shared_proba,
    labelled_indicator,
    load_dataset,
    make_problem,
    score_on_test,
)
from ._report import (
    format_report,
    format_table,
    library_versions,
    report,
    summarize,
    write_csv,
)
from ._run import (
    Method,
    RunRecord,
    Section,
    peer_version,
    peer_versions,
    preimport,
    run_benchmark,
    run_in_child,
    time_limited,
)

__all__ = [
    "DATASETS",
    "LabelNoise",
    "LabelProportions",
    "Method",
    "PULabels",
    "Problem",
    "RunRecord",
    "Section",
    "available_benchmarks",
    "benchmark_main",
    "case_control",
    "clean_learning",
    "default_estimator",
    "find_benchmark_script",
    "fit_on_clean_labels",
    "fit_on_corrupted_labels",
    "fit_with_shared_proba",
    "format_report",
    "format_table",
    "labelled_indicator",
    "library_versions",
    "load_dataset",
    "make_problem",
    "peer_version",
    "peer_versions",
    "preimport",
    "report",
    "run_benchmark",
    "run_benchmark_script",
    "run_in_child",
    "score_on_test",
    "summarize",
    "time_limited",
    "write_csv",
]
