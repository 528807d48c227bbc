"""Learning from label proportions: instance classifiers from bag proportions.

Only each bag's class proportions are known. :class:`ProportionEMClassifier`
learns an instance-level classifier around any scikit-learn classifier by
alternating fits with pseudo-labels that meet every bag's label counts exactly
(:func:`assign_bag_labels`); :class:`BeliefPropagationLLPClassifier` takes its
pseudo-labels from belief propagation over a nearest-neighbour graph coupled with
the bag counts (:func:`belief_propagation_marginals`). With large bags, the
EM estimator can start from labels solved cluster by cluster
(:func:`cluster_label_shares`) or from a Gaussian mixture weighted by the bags
(:func:`mixture_label_shares`) instead of the proportions. :class:`BagKFold` keeps
bags whole across folds, so that with metadata routing enabled ``GridSearchCV``
selects models by :data:`skrobust.metrics.bag_proportion_scorer` without any
instance label.
"""

from ._assign import assign_bag_labels, compute_bag_counts
from ._bp import (
    BeliefPropagationLLPClassifier,
    belief_propagation_marginals,
    knn_similarity_graph,
)
from ._clusters import cluster_label_shares
from ._em import ProportionEMClassifier
from ._mixture import mixture_label_shares
from ._split import BagKFold

__all__ = [
    "BagKFold",
    "BeliefPropagationLLPClassifier",
    "ProportionEMClassifier",
    "assign_bag_labels",
    "belief_propagation_marginals",
    "cluster_label_shares",
    "compute_bag_counts",
    "knn_similarity_graph",
    "mixture_label_shares",
]
