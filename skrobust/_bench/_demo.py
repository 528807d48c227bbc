"""``python -m skrobust demo``: what imperfect labels cost, and what skrobust recovers.

The demo is a list of sections run through the harness; each family adds its
section to :func:`demo_sections` (noise correction, PU learning, learning from
label proportions).
``benchmarks/bench_demo.py`` runs the same list.
"""

import numpy as np
from sklearn.metrics import accuracy_score

from ..llp import ProportionEMClassifier
from ..noise import ConfidentLearningClassifier
from ..pu import WeightedElkanNotoClassifier
from ._cli import benchmark_main
from ._problem import (
    LabelNoise,
    LabelProportions,
    PULabels,
    case_control,
    clean_learning,
    fit_on_clean_labels,
    fit_on_corrupted_labels,
    fit_with_shared_proba,
    labelled_indicator,
    score_on_test,
)
from ._run import Method, Section, preimport

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


CLEANLAB = Method(
    "CleanLearning (same probabilities)",
    "cleanlab",
    clean_learning,
    requires="cleanlab",
    needs_pred_proba=True,
)

CONFIDENT_LEARNING = Method(
    "ConfidentLearningClassifier (prune, reweight, refit)",
    "skrobust",
    fit_with_shared_proba(ConfidentLearningClassifier),
    needs_pred_proba=True,
)


# PU labels on breast cancer: the fewer positives carry a label, the more the
# naive classifier (unlabelled = negative) loses.
PU_SETTINGS = (PULabels(0.1), PULabels(0.3), PULabels(0.5))


def _positive_accuracy(problem, positive):
    """Test accuracy of a boolean "predicted positive" mask (peers predict 0/1)."""
    pos = problem.setting.pos_label
    other = problem.classes[problem.classes != pos][0]
    y_pred = np.where(np.asarray(positive, dtype=bool), pos, other)
    return {"accuracy": float(accuracy_score(problem.y_test, y_pred))}


def _weighted_elkan_noto(problem):
    model = WeightedElkanNotoClassifier(
        problem.clone_estimator(), pos_label=problem.setting.pos_label, random_state=0
    )
    return score_on_test(problem, model.fit(problem.X_train, problem.y_train_corrupted))


def _recommended_pu(problem):
    from ..neural import make_pu_classifier

    model = make_pu_classifier(pos_label=problem.setting.pos_label, random_state=0)
    return score_on_test(problem, model.fit(problem.X_train, problem.y_train_corrupted))


def _pulearn_elkan_noto(problem):
    from pulearn import ElkanotoPuClassifier

    model = ElkanotoPuClassifier(problem.clone_estimator(), random_state=0)
    model.fit(problem.X_train, labelled_indicator(problem))
    return _positive_accuracy(problem, model.predict(problem.X_test) == 1)


def _pulearn_nnpu_true_prior(problem):
    from pulearn import NNPUClassifier

    model = NNPUClassifier(prior=problem.extra["class_prior"], random_state=0)
    model.fit(*case_control(problem))
    return _positive_accuracy(problem, model.predict(problem.X_test) == 1)


def _toolbox_nnpu_true_prior(problem):
    from pu_toolbox import NonNegativePUClassifier

    # As in the PU benchmark: the prior in __init__ (required there) and fit.
    prior = problem.extra["class_prior"]
    model = NonNegativePUClassifier(class_prior=prior, device="cpu", random_state=0)
    model.fit(*case_control(problem), class_prior=prior)
    return _positive_accuracy(problem, model.predict(problem.X_test) == 1)


PU_METHODS = [
    Method(
        "LogisticRegression on s (unlabelled = negative)",
        "scikit-learn",
        fit_on_corrupted_labels,
    ),
    Method("WeightedElkanNotoClassifier (no torch)", "skrobust", _weighted_elkan_noto),
    Method(
        "make_pu_classifier() (recommended: nnPU network, median prior, refit, "
        "last stage by its scores)",
        "skrobust",
        _recommended_pu,
        requires="skorch",
    ),
    Method("ElkanotoPuClassifier", "pulearn", _pulearn_elkan_noto, requires="pulearn"),
    Method(
        "NNPUClassifier (given the true prior)",
        "pulearn",
        _pulearn_nnpu_true_prior,
        requires="pulearn",
    ),
    Method(
        "NonNegativePUClassifier (given the true prior)",
        "pu-toolbox",
        _toolbox_nnpu_true_prior,
        requires="pu_toolbox",
    ),
    Method(
        "LogisticRegression on the true labels (ceiling)",
        "scikit-learn",
        fit_on_clean_labels,
    ),
]


# Label proportions on breast cancer: bags of 32 and 128 rows (two of the LLP
# benchmark's sizes), each with only its share of positives known.
LLP_SETTINGS = (LabelProportions(32), LabelProportions(128))


def _bag_majority(problem):
    """The naive baseline: every row takes its bag's majority class."""
    # Each row carries its bag's share of the positive class (binary data).
    proportions = np.asarray(problem.y_train_corrupted)
    y_bag = np.where(proportions > 0.5, problem.classes[1], problem.classes[0])
    if len(np.unique(y_bag)) == 1:
        # Every bag leans one way: no classifier to fit, predict that class.
        return {"accuracy": float(np.mean(problem.y_test == y_bag[0]))}
    return score_on_test(problem, problem.clone_estimator().fit(problem.X_train, y_bag))


def _proportion_em(problem):
    model = ProportionEMClassifier(classes=problem.classes, random_state=0)
    model.fit(problem.X_train, problem.y_train_corrupted, bags=problem.extra["bags"])
    return score_on_test(problem, model)


def _dllp(problem):
    from ..neural import LLPNeuralNetClassifier

    model = LLPNeuralNetClassifier(
        lr=3e-3, module__dropout=0.5, classes=problem.classes, random_state=0
    )
    model.fit(problem.X_train, problem.y_train_corrupted, bags=problem.extra["bags"])
    return score_on_test(problem, model)


LLP_METHODS = [
    Method(
        "LogisticRegression on each bag's majority class", "scikit-learn", _bag_majority
    ),
    Method(
        "ProportionEMClassifier() (EM pseudo-labelling)", "skrobust", _proportion_em
    ),
    Method(
        "LLPNeuralNetClassifier(lr=3e-3, module__dropout=0.5) (DLLP)",
        "skrobust",
        _dllp,
        requires="skorch",
    ),
    Method(
        "LogisticRegression on the true labels (ceiling)",
        "scikit-learn",
        fit_on_clean_labels,
    ),
]


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
    # cleanlab's import, here in the parent, stays out of its row's time; so
    # does torch's, which CleanLearning.fit imports on its first call when
    # torch is installed (to test for a torch dataset): 1.2 s and 180 MiB.
    # skrobust.neural's (skorch), pulearn's and pu-toolbox's stay out of the PU
    # and LLP rows' times likewise.
    preimport(
        "cleanlab.classification", "torch", "skrobust.neural", "pulearn", "pu_toolbox"
    )
    return [
        Section([BASELINE, CONFIDENT_LEARNING, CLEANLAB], ["digits"], NOISE_SETTINGS),
        Section(PU_METHODS, ["breast_cancer"], PU_SETTINGS),
        Section(LLP_METHODS, ["breast_cancer"], LLP_SETTINGS),
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
