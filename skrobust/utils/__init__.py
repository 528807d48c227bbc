"""Validation, cross-fitting and other helpers shared by every family.

The validators enforce each domain rule once (transition matrices, class priors,
PU labels, bags and proportions); :func:`cross_val_predict_proba` computes the
out-of-sample probabilities that confident learning, prior estimation and LLP
initialisation all rely on.
"""

from ._crossfit import cross_val_predict_proba
from ._validation import (
    check_bags,
    check_class_prior,
    check_labels,
    check_pred_proba,
    check_proportions,
    check_pu_labels,
    check_transition_matrix,
)
from ._warnings import SkrobustWarning, SmallClassWarning

__all__ = [
    "SkrobustWarning",
    "SmallClassWarning",
    "check_bags",
    "check_class_prior",
    "check_labels",
    "check_pred_proba",
    "check_proportions",
    "check_pu_labels",
    "check_transition_matrix",
    "cross_val_predict_proba",
]
