"""Benchmark ``noise_correct``: training on noisy labels, vs cleanlab and bqlearn.

Clean-test accuracy of classifiers trained on noisy labels (symmetric and pair
noise at 20 % and 40 %), for two base estimators:

- ``LogisticRegression`` on ``digits``, ``wine``, ``breast_cancer`` and 20k-row
  ``make_classification`` sets (binary, 10 classes);
- ``HistGradientBoostingClassifier`` on the scikit-learn sets and a 5k-row
  10-class ``make_classification`` set.

Rows: the base on noisy labels, cleanlab's ``CleanLearning``, biquality-learn's
``IRLNL``, ``LossCorrection`` and ``PluginCorrection``, skrobust's four
estimators, and the base on clean labels (the ceiling). skrobust and cleanlab read
the same out-of-sample probabilities, computed once per problem by the harness;
biquality-learn's estimators estimate their noise model themselves (their API takes
no probabilities). biquality-learn 0.1 calls ``BaseEstimator._validate_data(...,
force_all_finite=...)``, which scikit-learn 1.6 removed; its rows run with a
two-line shim mapping that call to ``validate_data(..., ensure_all_finite=...)``
inside their own child process.

Run ``python -m skrobust benchmark noise_correct [--quick] [--output DIR]``.
"""

import sys
from dataclasses import replace

from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

from skrobust._bench import (
    LabelNoise,
    Method,
    Section,
    benchmark_main,
    clean_learning,
    fit_on_corrupted_labels,
    fit_with_shared_proba,
    preimport,
    score_on_test,
)
from skrobust.noise import (
    ConfidentLearningClassifier,
    ImportanceReweightingClassifier,
    IterativeRelabelingClassifier,
    TransitionCorrectedClassifier,
)

# The peers and cleanlab are imported here, in the parent, so that a forked run's
# time and memory measure the method and not the import (see preimport); torch
# too, which CleanLearning.fit imports on its first call when it is installed.
preimport(
    "cleanlab.classification",
    "torch",
    "bqlearn.irlnl",
    "bqlearn.unbiased",
    "bqlearn.plugin",
)

SETTINGS = [
    LabelNoise(kind, rate) for kind in ("symmetric", "pair") for rate in (0.2, 0.4)
]


def _clean_ceiling(problem):
    estimator = problem.clone_estimator()
    estimator.fit(problem.X_train, problem.y_train_clean)
    return score_on_test(problem, estimator)


def _bqlearn_shim():
    """Let biquality-learn 0.1 run on scikit-learn >= 1.6 (see module docstring)."""
    from sklearn.base import BaseEstimator
    from sklearn.utils.validation import validate_data

    def _validate_data(self, *args, force_all_finite=True, **kwargs):
        return validate_data(self, *args, ensure_all_finite=force_all_finite, **kwargs)

    if not hasattr(BaseEstimator, "_validate_data"):
        BaseEstimator._validate_data = _validate_data


def _bqlearn(name):
    def run(problem):
        _bqlearn_shim()
        if name == "IRLNL":
            from bqlearn.irlnl import IRLNL

            base = problem.clone_estimator()
            model = IRLNL(base, clone(base))
        elif name == "LossCorrection":
            from bqlearn.unbiased import LossCorrection

            model = LossCorrection(problem.clone_estimator())
        else:
            from bqlearn.plugin import PluginCorrection

            model = PluginCorrection(problem.clone_estimator())
        model.fit(problem.X_train, problem.y_train_corrupted)
        return score_on_test(problem, model)

    return run


METHODS = [
    Method("base on noisy labels", "scikit-learn", fit_on_corrupted_labels),
    Method(
        "CleanLearning",
        "cleanlab",
        clean_learning,
        requires="cleanlab",
        needs_pred_proba=True,
    ),
    Method("IRLNL", "biquality-learn", _bqlearn("IRLNL"), requires="bqlearn"),
    Method(
        "LossCorrection",
        "biquality-learn",
        _bqlearn("LossCorrection"),
        requires="bqlearn",
    ),
    Method(
        "PluginCorrection",
        "biquality-learn",
        _bqlearn("PluginCorrection"),
        requires="bqlearn",
    ),
    Method(
        "ConfidentLearningClassifier",
        "skrobust",
        fit_with_shared_proba(ConfidentLearningClassifier),
        needs_pred_proba=True,
    ),
    Method(
        "ImportanceReweightingClassifier",
        "skrobust",
        fit_with_shared_proba(ImportanceReweightingClassifier),
        needs_pred_proba=True,
    ),
    Method(
        "IterativeRelabelingClassifier",
        "skrobust",
        fit_with_shared_proba(IterativeRelabelingClassifier),
        needs_pred_proba=True,
    ),
    Method(
        "TransitionCorrectedClassifier",
        "skrobust",
        fit_with_shared_proba(TransitionCorrectedClassifier),
        needs_pred_proba=True,
    ),
    Method("base on clean labels (ceiling)", "scikit-learn", _clean_ceiling),
]


def _tagged(methods, tag):
    # The table's rows are keyed by dataset, setting, library and method, so the
    # base estimator goes into the method's name.
    return [replace(method, name=f"{method.name} [{tag}]") for method in methods]


def sections(quick=False):
    """LogisticRegression and gradient-boosting sections (smaller when quick)."""
    if quick:
        return [Section(_tagged(METHODS, "LR"), ["digits", "wine"], SETTINGS[1::2])]
    hgb = HistGradientBoostingClassifier(random_state=0)
    return [
        Section(
            _tagged(METHODS, "LR"),
            [
                "digits",
                "wine",
                "breast_cancer",
                "synthetic_binary_20k",
                "synthetic10_20k",
            ],
            SETTINGS,
        ),
        Section(
            _tagged(METHODS, "HGB"),
            ["digits", "wine", "breast_cancer", "synthetic10_5k"],
            SETTINGS,
            estimator=hgb,
        ),
    ]


def main(argv=None):
    """Run the benchmark; see ``--help`` for the options."""
    return benchmark_main(
        "noise_correct",
        sections,
        argv,
        description="Clean-test accuracy of classifiers trained on noisy labels.",
    )


if __name__ == "__main__":
    sys.exit(main())
