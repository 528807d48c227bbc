"""Learning with noisy labels: transition matrices, confident learning, correction.

The functional core finds and ranks label issues (:func:`find_label_issues`,
:func:`rank_label_issues`, :func:`label_quality_scores`) and estimates how labels
were corrupted (:func:`compute_confident_joint`, :func:`estimate_transition_matrix`,
:func:`bootstrap_transition_matrix`, :func:`estimate_clean_class_prior`), all from
out-of-sample probabilities. :class:`LabelIssueDetector` and
:class:`ConfidentLearningClassifier` wrap them around any scikit-learn classifier.
"""

from ._confident import compute_confident_joint
from ._correction import ImportanceReweightingClassifier, TransitionCorrectedClassifier
from ._detection import ConfidentLearningClassifier, LabelIssueDetector
from ._issues import find_label_issues, label_quality_scores, rank_label_issues
from ._plotting import LabelIssuesDisplay, TransitionMatrixDisplay
from ._relabel import IterativeRelabelingClassifier
from ._transition import (
    bootstrap_transition_matrix,
    estimate_clean_class_prior,
    estimate_transition_matrix,
)

__all__ = [
    "ConfidentLearningClassifier",
    "ImportanceReweightingClassifier",
    "IterativeRelabelingClassifier",
    "LabelIssueDetector",
    "LabelIssuesDisplay",
    "TransitionCorrectedClassifier",
    "TransitionMatrixDisplay",
    "bootstrap_transition_matrix",
    "compute_confident_joint",
    "estimate_clean_class_prior",
    "estimate_transition_matrix",
    "find_label_issues",
    "label_quality_scores",
    "rank_label_issues",
]
