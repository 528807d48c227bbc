"""Torch losses for noisy labels, positive-unlabelled data and label proportions.

Every loss comes as a function (``generalized_cross_entropy(logits, target, q=0.7)``)
and as an :class:`torch.nn.Module` (``GeneralizedCrossEntropyLoss(q=0.7)``) whose
``forward`` calls it, with ``reduction`` in ``{"mean", "sum", "none"}`` and an
optional per-sample ``weight``. Estimators name them through :func:`get_loss`.
The module needs torch: ``pip install skrobust[neural]``.
"""

try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without torch only
    # name="torch" lets all_estimators() skip this family when torch is absent.
    raise ImportError(
        "skrobust.losses needs torch; install it with pip install skrobust[neural].",
        name="torch",
    ) from exc

from ._llp import ProportionLoss, proportion_loss
from ._multiclass import (
    BackwardCorrectedLoss,
    CrossEntropyLoss,
    FocalLoss,
    ForwardCorrectedLoss,
    GeneralizedCrossEntropyLoss,
    HardBootstrappingLoss,
    NCERCELoss,
    NFLRCELoss,
    NormalizedCrossEntropyLoss,
    NormalizedFocalLoss,
    ReverseCrossEntropyLoss,
    SoftBootstrappingLoss,
    SymmetricCrossEntropyLoss,
    TaylorCrossEntropyLoss,
    TruncatedGeneralizedCrossEntropyLoss,
    backward_corrected_cross_entropy,
    cross_entropy,
    focal_loss,
    forward_corrected_cross_entropy,
    generalized_cross_entropy,
    hard_bootstrapping_loss,
    nce_rce_loss,
    nfl_rce_loss,
    normalized_cross_entropy,
    normalized_focal_loss,
    reverse_cross_entropy,
    soft_bootstrapping_loss,
    symmetric_cross_entropy,
    taylor_cross_entropy,
    truncated_generalized_cross_entropy,
)
from ._pu import (
    NonNegativePULoss,
    PUMultiLabelLoss,
    UnbiasedPULoss,
    nnpu_loss,
    nnpu_risk,
    pu_mlc_loss,
    pu_mlc_mixup_regularizer,
    pu_risk_terms,
    upu_loss,
)
from ._registry import available_losses, get_loss
from ._stateful import (
    ALDRKLLoss,
    ELRLoss,
    LDRKLLoss,
    aldr_kl_loss,
    elr_loss,
    ldr_kl_loss,
)

__all__ = [
    "ALDRKLLoss",
    "BackwardCorrectedLoss",
    "CrossEntropyLoss",
    "ELRLoss",
    "FocalLoss",
    "ForwardCorrectedLoss",
    "GeneralizedCrossEntropyLoss",
    "HardBootstrappingLoss",
    "LDRKLLoss",
    "NCERCELoss",
    "NFLRCELoss",
    "NonNegativePULoss",
    "NormalizedCrossEntropyLoss",
    "NormalizedFocalLoss",
    "PUMultiLabelLoss",
    "ProportionLoss",
    "ReverseCrossEntropyLoss",
    "SoftBootstrappingLoss",
    "SymmetricCrossEntropyLoss",
    "TaylorCrossEntropyLoss",
    "TruncatedGeneralizedCrossEntropyLoss",
    "UnbiasedPULoss",
    "aldr_kl_loss",
    "available_losses",
    "backward_corrected_cross_entropy",
    "cross_entropy",
    "elr_loss",
    "focal_loss",
    "forward_corrected_cross_entropy",
    "generalized_cross_entropy",
    "get_loss",
    "hard_bootstrapping_loss",
    "ldr_kl_loss",
    "nce_rce_loss",
    "nfl_rce_loss",
    "nnpu_loss",
    "nnpu_risk",
    "normalized_cross_entropy",
    "normalized_focal_loss",
    "proportion_loss",
    "pu_mlc_loss",
    "pu_mlc_mixup_regularizer",
    "pu_risk_terms",
    "reverse_cross_entropy",
    "soft_bootstrapping_loss",
    "symmetric_cross_entropy",
    "taylor_cross_entropy",
    "truncated_generalized_cross_entropy",
    "upu_loss",
]
