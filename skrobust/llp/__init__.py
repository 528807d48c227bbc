"""Learning from label proportions: instance classifiers from bag proportions.

Only each bag's class proportions are known. :class:`ProportionEMClassifier`
learns an instance-level classifier around any scikit-learn classifier by
alternating fits with pseudo-labels that meet every bag's label counts exactly
(:func:`assign_bag_labels`). :class:`BagKFold` keeps bags whole across folds, so
that with metadata routing enabled ``GridSearchCV`` selects models by
:data:`skrobust.metrics.bag_proportion_scorer` without any instance label.
"""

from ._assign import assign_bag_labels, compute_bag_counts
from ._em import ProportionEMClassifier
from ._split import BagKFold

__all__ = [
    "BagKFold",
    "ProportionEMClassifier",
    "assign_bag_labels",
    "compute_bag_counts",
]
