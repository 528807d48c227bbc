"""``python -m skrobust demo``: what imperfect labels cost, and what skrobust recovers.

The demo is a list of sections run through the harness; each later feature adds its
section (noise correction, PU, LLP, robust losses) to :func:`demo_sections`.
``benchmarks/bench_demo.py`` runs the same list.
"""

import numpy as np

from ._cli import benchmark_main
from ._problem import LabelNoise, fit_on_corrupted_labels, score_on_test
from ._run import Method, Section

# Symmetric noise spreads flips over every class; pair noise sends each class to one
# neighbour, the harder case at the same rate because the flips are consistent.
NOISE_SETTINGS = (
    LabelNoise("symmetric", 0.0),
    LabelNoise("symmetric", 0.2),
    LabelNoise("symmetric", 0.4),
    LabelNoise("pair", 0.2),
    LabelNoise("pair", 0.4),
)

BASELINE = Method(
    "LogisticRegression on corrupted labels", "scikit-learn", fit_on_corrupted_labels
)


def _confident_learning(problem):
    from skrobust.noise import ConfidentLearningClassifier

    # The shared out-of-sample probabilities stand in for cross-fitting, so the
    # timed part is detection plus the refit.
    model = ConfidentLearningClassifier(problem.clone_estimator())
    model.fit(
        problem.X_train, problem.y_train_corrupted, pred_proba=problem.pred_proba()
    )
    return score_on_test(problem, model)


def _cleanlab_clean_learning(problem):
    from cleanlab.classification import CleanLearning

    model = CleanLearning(problem.clone_estimator(), seed=0)
    model.fit(
        problem.X_train,
        np.searchsorted(problem.classes, problem.y_train_corrupted),
        pred_probs=problem.pred_proba(),
    )
    y_pred = problem.classes[model.predict(problem.X_test)]
    return {"accuracy": float(np.mean(y_pred == problem.y_test))}


CLEANLAB = Method(
    "CleanLearning (same probabilities)",
    "cleanlab",
    _cleanlab_clean_learning,
    requires="cleanlab",
    needs_pred_proba=True,
)

CONFIDENT_LEARNING = Method(
    "ConfidentLearningClassifier (prune, reweight, refit)",
    "skrobust",
    _confident_learning,
    needs_pred_proba=True,
)


def demo_sections(quick=False):
    """The demo's sections, in table order.

    Parameters
    ----------
    quick : bool, default=False
        Unused for now: the demo's rows take seconds; ``--quick`` only drops to
        one seed. Sections added later may shrink here.

    Returns
    -------
    sections : list of Section
    """
    return [
        Section([BASELINE, CONFIDENT_LEARNING, CLEANLAB], ["digits"], NOISE_SETTINGS)
    ]


def main(argv=None):
    """Run the demo and print its table.

    Parameters
    ----------
    argv : list of str, default=None
        ``--quick`` (one seed), ``--seeds N`` (default 3), ``--output DIR`` and the
        other options of :func:`benchmark_main`.

    Returns
    -------
    exit_code : int
    """
    return benchmark_main(
        "demo",
        demo_sections,
        argv,
        prog="python -m skrobust demo",
        description="Test accuracy of a classifier trained on corrupted labels.",
    )
