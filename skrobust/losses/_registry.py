"""Loss names: the registry estimators read ``criterion="gce"`` through."""

import inspect

import torch

from ._llp import ProportionLoss
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
)
from ._pu import NonNegativePULoss, PUMultiLabelLoss, UnbiasedPULoss
from ._stateful import ALDRKLLoss, ELRLoss, LDRKLLoss

_LOSSES = {
    "ce": CrossEntropyLoss,
    "gce": GeneralizedCrossEntropyLoss,
    "tgce": TruncatedGeneralizedCrossEntropyLoss,
    "rce": ReverseCrossEntropyLoss,
    "sce": SymmetricCrossEntropyLoss,
    "nce": NormalizedCrossEntropyLoss,
    "nfl": NormalizedFocalLoss,
    "nce_rce": NCERCELoss,
    "nfl_rce": NFLRCELoss,
    "bootstrap_soft": SoftBootstrappingLoss,
    "bootstrap_hard": HardBootstrappingLoss,
    "taylor_ce": TaylorCrossEntropyLoss,
    "focal": FocalLoss,
    "ldr_kl": LDRKLLoss,
    "aldr_kl": ALDRKLLoss,
    "elr": ELRLoss,
    "forward": ForwardCorrectedLoss,
    "backward": BackwardCorrectedLoss,
    "upu": UnbiasedPULoss,
    "nnpu": NonNegativePULoss,
    "dllp": ProportionLoss,
    "pu_mlc": PUMultiLabelLoss,
}


def available_losses():
    """List the names accepted by :func:`get_loss`, sorted.

    Returns
    -------
    names : list of str
        Every registered loss name.

    See Also
    --------
    get_loss : The loss class behind a name.

    References
    ----------
    .. [1] A. Ghosh, H. Kumar, P. S. Sastry, "Robust Loss Functions under Label
       Noise for Deep Neural Networks", AAAI 2017, arXiv:1712.09482 (the family
       of noise-robust losses most of these names belong to).

    Examples
    --------
    >>> from skrobust.losses import available_losses
    >>> "gce" in available_losses()
    True
    """
    return sorted(_LOSSES)


def get_loss(loss):
    """Return the loss class for a registered name, or the class itself.

    Estimators take ``criterion="gce"`` or ``criterion=GeneralizedCrossEntropyLoss``
    alike: both resolve here to the class, which they instantiate with their
    ``criterion__*`` parameters.

    Parameters
    ----------
    loss : str or type
        A name from :func:`available_losses` (case-insensitive), or a subclass
        of :class:`torch.nn.Module`, returned unchanged.

    Returns
    -------
    loss_class : type
        A :class:`torch.nn.Module` subclass.

    Raises
    ------
    ValueError
        If ``loss`` is a string that names no registered loss.
    TypeError
        If ``loss`` is neither a string nor a module class.

    See Also
    --------
    available_losses : The registered names.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836
       (the ``"gce"`` of the example).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import get_loss
    >>> loss = get_loss("gce")(q=0.7)
    >>> type(loss).__name__
    'GeneralizedCrossEntropyLoss'
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> round(loss(logits, torch.tensor([0, 2])).item(), 4)
    0.1638
    """
    if isinstance(loss, str):
        key = loss.lower()
        if key not in _LOSSES:
            raise ValueError(
                f"loss must be one of {available_losses()} or a torch.nn.Module "
                f"subclass; got {loss!r}."
            )
        return _LOSSES[key]
    if inspect.isclass(loss) and issubclass(loss, torch.nn.Module):
        return loss
    raise TypeError(
        "loss must be a registered name (str) or a torch.nn.Module subclass; got "
        f"{type(loss).__name__}."
    )
