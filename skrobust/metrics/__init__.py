"""Metrics and scorers for learning from imperfect labels.

:func:`noise_corrected_accuracy_score` and :func:`noise_corrected_log_loss` estimate
clean-label metrics from noisy labels; :func:`make_noise_corrected_scorer` turns
them into scorers for model selection on noisy data. On positive-unlabeled labels,
:func:`lee_liu_score` and the ``pu_*_score`` functions estimate metrics on the true
classes without any negative label, and :func:`make_pu_scorer` turns them into
scorers for model selection on ``(X, s)``. From bag proportions,
:func:`bag_proportion_error` measures how far a model's mean predicted
probabilities are from each bag's given proportions, and
:data:`bag_proportion_scorer` (which requests ``bags`` itself) selects models on
bags without instance labels.
"""

from ._llp import (
    bag_proportion_error,
    bag_proportion_scorer,
    make_bag_proportion_scorer,
)
from ._noise import (
    make_noise_corrected_scorer,
    noise_corrected_accuracy_score,
    noise_corrected_log_loss,
)
from ._pu import (
    lee_liu_score,
    make_pu_scorer,
    pu_accuracy_score,
    pu_f1_score,
    pu_precision_score,
    pu_recall_score,
)

__all__ = [
    "bag_proportion_error",
    "bag_proportion_scorer",
    "lee_liu_score",
    "make_bag_proportion_scorer",
    "make_noise_corrected_scorer",
    "make_pu_scorer",
    "noise_corrected_accuracy_score",
    "noise_corrected_log_loss",
    "pu_accuracy_score",
    "pu_f1_score",
    "pu_precision_score",
    "pu_recall_score",
]
