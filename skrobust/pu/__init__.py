"""Positive-unlabeled (PU) learning: class-prior estimation and PU classifiers.

``y`` holds PU labels: ``pos_label`` marks labelled positives, one other value the
unlabelled rows, which may be of either class. The prior estimators return the
class prior :math:`\\pi = P(y = 1)` and the label frequency
:math:`c = P(s = 1 \\mid y = 1)`; the classifiers wrap any scikit-learn classifier
and predict the *true* class.
"""

from ._adaptive import AdaptivePUClassifier
from ._classifiers import (
    BaggingPUClassifier,
    ElkanNotoClassifier,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)
from ._median import MedianPriorEstimator
from ._plotting import PUScoreDistributionDisplay
from ._prior import (
    ClassPriorEstimator,
    PriorEstimate,
    estimate_class_prior,
    estimate_label_frequency,
)
from ._pseudo import PseudoLabelPUClassifier
from ._split import PUStratifiedKFold

__all__ = [
    "AdaptivePUClassifier",
    "BaggingPUClassifier",
    "ClassPriorEstimator",
    "ElkanNotoClassifier",
    "MedianPriorEstimator",
    "PUScoreDistributionDisplay",
    "PUStratifiedKFold",
    "PriorEstimate",
    "PseudoLabelPUClassifier",
    "UnbiasedPUClassifier",
    "WeightedElkanNotoClassifier",
    "estimate_class_prior",
    "estimate_label_frequency",
]
