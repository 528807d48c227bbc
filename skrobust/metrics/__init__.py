"""Metrics and scorers for learning from imperfect labels.

:func:`noise_corrected_accuracy_score` and :func:`noise_corrected_log_loss` estimate
clean-label metrics from noisy labels; :func:`make_noise_corrected_scorer` turns
them into scorers for model selection on noisy data.
"""

from ._noise import (
    make_noise_corrected_scorer,
    noise_corrected_accuracy_score,
    noise_corrected_log_loss,
)

__all__ = [
    "make_noise_corrected_scorer",
    "noise_corrected_accuracy_score",
    "noise_corrected_log_loss",
]
