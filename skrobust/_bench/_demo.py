"""``python -m skrobust demo``: what imperfect labels cost, and what skrobust recovers.

The demo is a list of sections run through the harness; each later feature adds its
section (noise correction, PU, LLP, robust losses) to :func:`demo_sections`.
``benchmarks/bench_demo.py`` runs the same list.
"""

from ..noise import ConfidentLearningClassifier
from ._cli import benchmark_main
from ._problem import (
    LabelNoise,
    clean_learning,
    fit_on_corrupted_labels,
    fit_with_shared_proba,
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
    preimport("cleanlab.classification", "torch")
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
