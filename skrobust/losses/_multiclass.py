r"""Noise-robust multiclass losses and loss corrections for a known noise matrix.

Notation. A row of ``logits`` is :math:`z \in \mathbb{R}^K`, its softmax
:math:`p = \mathrm{softmax}(z)`, and ``target`` holds the observed (possibly
noisy) label :math:`y`, so :math:`p_y` is the probability the model gives it.
:math:`\ell_{CE}(z, y) = -\log p_y` is the cross-entropy. The noise model is
:math:`T_{ij} = P(\tilde y = j \mid y = i)`, rows summing to 1.

Every loss is computed per sample, multiplied by the optional per-sample
``weight`` and reduced: ``"mean"`` divides the weighted sum by ``n_samples``, so
``sum == mean * n_samples`` with and without weights. Probabilities come from
``log_softmax`` (never ``log(softmax)``), so values and gradients stay finite on
logits of :math:`\pm 10^4`; half and bfloat16 logits are computed in float32 and
the loss is returned in float32.

A loss is *symmetric* when :math:`\sum_{k=1}^K L(z, k)` does not depend on
:math:`z`; symmetric losses are robust to uniform label noise below
:math:`(K-1)/K` (Ghosh et al. 2017; Ma et al. 2020, Theorem 1).
"""

import math
from numbers import Real

import torch

from ._common import (
    NO_IGNORED_TARGET,
    check_logits_target,
    check_reduction,
    check_scalar,
    check_transition_matrix,
    check_weight,
    probability_floor,
    reduce_loss,
    upcast_half,
)

__all__ = [
    "BackwardCorrectedLoss",
    "CrossEntropyLoss",
    "FocalLoss",
    "ForwardCorrectedLoss",
    "GeneralizedCrossEntropyLoss",
    "HardBootstrappingLoss",
    "NCERCELoss",
    "NFLRCELoss",
    "NormalizedCrossEntropyLoss",
    "NormalizedFocalLoss",
    "ReverseCrossEntropyLoss",
    "SoftBootstrappingLoss",
    "SymmetricCrossEntropyLoss",
    "TaylorCrossEntropyLoss",
    "TruncatedGeneralizedCrossEntropyLoss",
    "backward_corrected_cross_entropy",
    "cross_entropy",
    "focal_loss",
    "forward_corrected_cross_entropy",
    "generalized_cross_entropy",
    "hard_bootstrapping_loss",
    "nce_rce_loss",
    "nfl_rce_loss",
    "normalized_cross_entropy",
    "normalized_focal_loss",
    "reverse_cross_entropy",
    "soft_bootstrapping_loss",
    "symmetric_cross_entropy",
    "taylor_cross_entropy",
    "truncated_generalized_cross_entropy",
]

# The backward loss T^{-1} l carries the rounding of l amplified by up to cond(T);
# past 1e8, float32 losses (eps ~ 1e-7) would keep no significant digit.
_MAX_CONDITION_NUMBER = 1e8
# Zeros of T become this floor inside the forward correction's log (METHODS A6),
# which bounds that loss by -log(1e-12) ~ 27.6 instead of letting it be infinite.
_TRANSITION_FLOOR = 1e-12
# The official APL code clamps the one-hot label at 1e-4 inside the RCE log.
_APL_LOG_ZERO = math.log(1e-4)


# --------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------


def _prepare(logits, target, weight, reduction):
    """Check inputs; return logits in a dtype fit to compute in, int64 target."""
    check_reduction(reduction)
    check_logits_target(logits, target)
    check_weight(weight, logits.shape[0])
    if logits.shape[1] < 2:
        # With one class every probability is 1 and the normalised losses are 0/0.
        raise ValueError(
            "logits must have at least 2 columns, one per class; got "
            f"{logits.shape[1]}."
        )
    return upcast_half(logits), target.long()


def _log_probs(logits, target):
    """``log_softmax`` of every class, and of the target class."""
    log_p = torch.log_softmax(logits, dim=1)
    return log_p, log_p.gather(1, target[:, None]).squeeze(1)


def _one_minus(log_p):
    """``1 - p`` from ``log p`` without cancellation when ``p`` is near 1."""
    return -torch.expm1(log_p)


def _gce_from_log(log_p, q):
    r"""``(1 - p^q) / q`` through ``expm1``, accurate down to ``q -> 0``."""
    return -torch.expm1(q * log_p) / q


def _check_q(q):
    check_scalar(q, "q", low=0, high=1, closed="right")


def _check_nonnegative(value, name):
    check_scalar(value, name, low=0)


def _check_log_zero(log_zero):
    check_scalar(log_zero, "log_zero", high=0, closed="neither")


def _check_gamma(gamma):
    check_scalar(gamma, "gamma", low=0)


def _check_unit_interval(value, name):
    check_scalar(value, name, low=0, high=1)


class _MulticlassLoss(torch.nn.Module):
    """Base module: ``forward`` calls the functional form with the stored values.

    Subclasses set ``_functional`` (the public function) and ``_hyperparameters``
    (attribute names passed to it as keywords).
    """

    _functional = None
    _hyperparameters = ()

    def __init__(self, reduction):
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def _hyperparameter_values(self):
        return {name: getattr(self, name) for name in self._hyperparameters}

    def forward(self, logits, target, weight=None):
        """Compute the loss of a batch.

        Parameters
        ----------
        logits : Tensor of shape (n_samples, n_classes)
            Unnormalised class scores.
        target : Tensor of shape (n_samples,)
            Observed class indices, an integer dtype.
        weight : Tensor of shape (n_samples,) or None, default=None
            Per-sample weights, applied before the reduction.

        Returns
        -------
        loss : Tensor
            A scalar, or shape (n_samples,) when ``reduction="none"``.
        """
        return self._compute(logits, target, weight)

    def _compute(self, logits, target, weight):
        return type(self)._functional(
            logits,
            target,
            weight=weight,
            reduction=self.reduction,
            **self._hyperparameter_values(),
        )

    def extra_repr(self):
        values = {**self._hyperparameter_values(), "reduction": self.reduction}
        return ", ".join(f"{name}={value!r}" for name, value in values.items())


# --------------------------------------------------------------------------
# Cross-entropy (the baseline)
# --------------------------------------------------------------------------


def cross_entropy(logits, target, *, weight=None, reduction="mean"):
    r"""Cross-entropy loss with per-sample weights.

    :math:`\ell_{CE}(z, y) = -\log p_y`, the baseline the robust losses are
    compared with. Unlike :func:`torch.nn.functional.cross_entropy`, ``weight``
    weights samples (not classes) and ``"mean"`` divides by ``n_samples``.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    CrossEntropyLoss : The module form.

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning", MIT Press,
       2016, Sec. 6.2.2.2 (softmax units and the log-likelihood).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(cross_entropy(logits, target).item(), 4)
    0.1755
    """
    logits, target = _prepare(logits, target, weight, reduction)
    # torch's fused kernel is the fastest path; with weights, the per-row losses
    # are reduced the same way as every other loss here.
    per_row = torch.nn.functional.cross_entropy(
        logits, target, reduction="none", ignore_index=NO_IGNORED_TARGET
    )
    return reduce_loss(per_row, reduction, weight)


class CrossEntropyLoss(_MulticlassLoss):
    r"""Cross-entropy loss with per-sample weights.

    :math:`\ell_{CE}(z, y) = -\log p_y`; ``forward(logits, target, weight=None)``
    calls :func:`cross_entropy`.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    cross_entropy : The functional form.

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning", MIT Press,
       2016, Sec. 6.2.2.2 (softmax units and the log-likelihood).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import CrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(CrossEntropyLoss()(logits, target).item(), 4)
    0.1755
    """

    _functional = staticmethod(cross_entropy)

    def __init__(self, reduction="mean"):
        super().__init__(reduction)


# --------------------------------------------------------------------------
# GCE and truncated GCE (METHODS D1)
# --------------------------------------------------------------------------


def generalized_cross_entropy(logits, target, *, q=0.7, weight=None, reduction="mean"):
    r"""Generalized cross-entropy (the :math:`L_q` loss).

    :math:`L_q(z, y) = (1 - p_y^q) / q`. It tends to the cross-entropy as
    :math:`q \to 0` and is the mean absolute error :math:`1 - p_y` (a symmetric
    loss) at :math:`q = 1`; in between, the gradient weights a sample by
    :math:`p_y^q`, so samples the model finds implausible (often mislabelled)
    pull less than under cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    q : float in (0, 1], default=0.7
        Exponent; the paper's default is 0.7.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    GeneralizedCrossEntropyLoss : The module form.
    truncated_generalized_cross_entropy : The truncated variant.

    Notes
    -----
    :math:`p_y^q` is computed as :math:`\exp(q \log p_y)` from ``log_softmax``
    and the difference through ``expm1``, so no probability clamp is needed (the
    official code clamps :math:`p` at 1e-7, which zeroes the gradient below it)
    and small ``q`` keeps full precision.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836,
       Sec. 3.2 (the :math:`L_q` loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import generalized_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(generalized_cross_entropy(logits, target, q=0.7).item(), 4)
    0.1638
    """
    _check_q(q)
    logits, target = _prepare(logits, target, weight, reduction)
    _, log_p_y = _log_probs(logits, target)
    return reduce_loss(_gce_from_log(log_p_y, q), reduction, weight)


class GeneralizedCrossEntropyLoss(_MulticlassLoss):
    r"""Generalized cross-entropy (the :math:`L_q` loss).

    :math:`L_q(z, y) = (1 - p_y^q) / q`: cross-entropy as :math:`q \to 0`, mean
    absolute error at :math:`q = 1`. ``forward(logits, target, weight=None)``
    calls :func:`generalized_cross_entropy`.

    Parameters
    ----------
    q : float in (0, 1], default=0.7
        Exponent; the paper's default is 0.7.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    generalized_cross_entropy : The functional form, with the numerical notes.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836,
       Sec. 3.2 (the :math:`L_q` loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import GeneralizedCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(GeneralizedCrossEntropyLoss(q=0.7)(logits, target).item(), 4)
    0.1638
    """

    _functional = staticmethod(generalized_cross_entropy)
    _hyperparameters = ("q",)

    def __init__(self, q=0.7, reduction="mean"):
        super().__init__(reduction)
        _check_q(q)
        self.q = q


def _check_truncation(q, k):
    _check_q(q)
    check_scalar(k, "k", low=0, high=1, closed="neither")


def truncated_generalized_cross_entropy(
    logits, target, *, q=0.7, k=0.5, weight=None, reduction="mean"
):
    r"""Truncated generalized cross-entropy.

    :math:`L_{trunc}(z, y) = L_q(p_y)` where :math:`p_y > k`, else the constant
    :math:`L_q(k) = (1 - k^q) / q`, with :math:`L_q(p) = (1 - p^q)/q`. Samples
    the model gives less than :math:`k` on their label contribute a constant,
    hence no gradient: they are treated as likely mislabelled.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    q : float in (0, 1], default=0.7
        Exponent of :math:`L_q`.
    k : float in (0, 1), default=0.5
        Truncation threshold on :math:`p_y`.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    TruncatedGeneralizedCrossEntropyLoss : The module form.
    generalized_cross_entropy : The untruncated loss.

    Notes
    -----
    This is the stateless form: the truncation is decided on the current
    :math:`p_y` of every batch. The paper trains with per-sample weights
    :math:`w_i = 1[p_{y_i}(x_i) > k]` refreshed by a periodic "prune" pass over
    the training set (the LDR repository's ``TGCELoss`` prunes every 10th epoch
    in the second half of training); such a schedule is a training-loop matter
    left to the caller, who can freeze the weights through ``weight``.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836,
       Sec. 3.3 (the truncated :math:`L_q` loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import truncated_generalized_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 1])
    >>> loss = truncated_generalized_cross_entropy(logits, target, q=0.7, k=0.5)
    >>> round(loss.item(), 4)
    0.3856
    """
    _check_truncation(q, k)
    logits, target = _prepare(logits, target, weight, reduction)
    _, log_p_y = _log_probs(logits, target)
    log_k = math.log(k)
    # Both branches are finite, so torch.where gives the truncated rows an exact
    # zero gradient rather than 0 * inf.
    loss = torch.where(
        log_p_y > log_k, _gce_from_log(log_p_y, q), -math.expm1(q * log_k) / q
    )
    return reduce_loss(loss, reduction, weight)


class TruncatedGeneralizedCrossEntropyLoss(_MulticlassLoss):
    r"""Truncated generalized cross-entropy.

    :math:`L_q(p_y)` where :math:`p_y > k`, else the constant :math:`L_q(k)`.
    ``forward(logits, target, weight=None)`` calls
    :func:`truncated_generalized_cross_entropy`; see its Notes for the paper's
    prune schedule, which is left to the caller.

    Parameters
    ----------
    q : float in (0, 1], default=0.7
        Exponent of :math:`L_q`.
    k : float in (0, 1), default=0.5
        Truncation threshold on :math:`p_y`.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    truncated_generalized_cross_entropy : The functional form.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836,
       Sec. 3.3 (the truncated :math:`L_q` loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import TruncatedGeneralizedCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 1])
    >>> loss_fn = TruncatedGeneralizedCrossEntropyLoss(q=0.7, k=0.5)
    >>> round(loss_fn(logits, target).item(), 4)
    0.3856
    """

    _functional = staticmethod(truncated_generalized_cross_entropy)
    _hyperparameters = ("q", "k")

    def __init__(self, q=0.7, k=0.5, reduction="mean"):
        super().__init__(reduction)
        _check_truncation(q, k)
        self.q = q
        self.k = k


# --------------------------------------------------------------------------
# RCE and SCE (METHODS D2)
# --------------------------------------------------------------------------


def _rce(log_p_y, log_zero):
    # -sum_k p_k log q_k with log q_y = 0 and log q_k = A elsewhere.
    return -log_zero * _one_minus(log_p_y)


def reverse_cross_entropy(
    logits, target, *, log_zero=-4.0, weight=None, reduction="mean"
):
    r"""Reverse cross-entropy.

    :math:`\ell_{RCE}(z, y) = -\sum_k p_k \log q_k = -A (1 - p_y)`, the
    cross-entropy with the roles of the prediction :math:`p` and the one-hot label
    :math:`q` swapped, where :math:`\log 0` is replaced by the constant
    :math:`A < 0`. It is symmetric: :math:`\sum_k \ell_{RCE}(z, k) = -A(K-1)`.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    log_zero : float < 0, default=-4.0
        The constant :math:`A` standing for :math:`\log 0`; the paper's value is
        -4.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    ReverseCrossEntropyLoss : The module form.
    symmetric_cross_entropy : Cross-entropy plus this loss.

    Notes
    -----
    The paper sets :math:`A = -4`, the default here. The official code instead
    clamps the one-hot label at 1e-4 (and :math:`p` at 1e-7) before the log,
    an effective :math:`A = \ln 10^{-4} \approx -9.21`; pass
    ``log_zero=math.log(1e-4)`` to match it (as :func:`nce_rce_loss` does).

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019,
       arXiv:1908.06112, Sec. 3.2 (the RCE term and the constant :math:`A`).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import reverse_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(reverse_cross_entropy(logits, target).item(), 4)
    0.6364
    """
    _check_log_zero(log_zero)
    logits, target = _prepare(logits, target, weight, reduction)
    _, log_p_y = _log_probs(logits, target)
    return reduce_loss(_rce(log_p_y, log_zero), reduction, weight)


class ReverseCrossEntropyLoss(_MulticlassLoss):
    r"""Reverse cross-entropy.

    :math:`\ell_{RCE}(z, y) = -A(1 - p_y)` with :math:`A` = ``log_zero`` < 0.
    ``forward(logits, target, weight=None)`` calls :func:`reverse_cross_entropy`;
    see its Notes on the paper's and the official code's :math:`A`.

    Parameters
    ----------
    log_zero : float < 0, default=-4.0
        The constant :math:`A` standing for :math:`\log 0`; the paper's value is
        -4.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    reverse_cross_entropy : The functional form.

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019,
       arXiv:1908.06112, Sec. 3.2 (the RCE term and the constant :math:`A`).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import ReverseCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(ReverseCrossEntropyLoss()(logits, target).item(), 4)
    0.6364
    """

    _functional = staticmethod(reverse_cross_entropy)
    _hyperparameters = ("log_zero",)

    def __init__(self, log_zero=-4.0, reduction="mean"):
        super().__init__(reduction)
        _check_log_zero(log_zero)
        self.log_zero = log_zero


def _check_mixture(alpha, beta, log_zero):
    _check_nonnegative(alpha, "alpha")
    _check_nonnegative(beta, "beta")
    _check_log_zero(log_zero)


def symmetric_cross_entropy(
    logits,
    target,
    *,
    alpha=0.1,
    beta=1.0,
    log_zero=-4.0,
    weight=None,
    reduction="mean",
):
    r"""Symmetric cross-entropy: cross-entropy plus reverse cross-entropy.

    :math:`\ell_{SCE} = \alpha\, \ell_{CE} + \beta\, \ell_{RCE}
    = -\alpha \log p_y - \beta A (1 - p_y)`. The CE term fits the labels, the
    RCE term (symmetric, hence noise-tolerant) tempers it.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    alpha : float >= 0, default=0.1
        Weight of the cross-entropy term (official configs: 0.1 on CIFAR-10, 6.0
        on CIFAR-100, 0.01 on MNIST).
    beta : float >= 0, default=1.0
        Weight of the reverse cross-entropy term (official configs: 1.0 on
        CIFAR-10 and MNIST, 0.1 on CIFAR-100).
    log_zero : float < 0, default=-4.0
        The constant :math:`A` standing for :math:`\log 0` in the RCE term; the
        paper's value is -4.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    SymmetricCrossEntropyLoss : The module form.
    reverse_cross_entropy : The RCE term alone.

    Notes
    -----
    The paper's :math:`A = -4` is the default; the official code's clamp gives
    :math:`A = \ln 10^{-4}` (see :func:`reverse_cross_entropy`).

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019,
       arXiv:1908.06112, Sec. 3.2 (the SCE loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import symmetric_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(symmetric_cross_entropy(logits, target).item(), 4)
    0.654
    """
    _check_mixture(alpha, beta, log_zero)
    logits, target = _prepare(logits, target, weight, reduction)
    _, log_p_y = _log_probs(logits, target)
    loss = -alpha * log_p_y + beta * _rce(log_p_y, log_zero)
    return reduce_loss(loss, reduction, weight)


class SymmetricCrossEntropyLoss(_MulticlassLoss):
    r"""Symmetric cross-entropy: cross-entropy plus reverse cross-entropy.

    :math:`\alpha\, \ell_{CE} + \beta\, \ell_{RCE}`.
    ``forward(logits, target, weight=None)`` calls
    :func:`symmetric_cross_entropy`.

    Parameters
    ----------
    alpha : float >= 0, default=0.1
        Weight of the cross-entropy term (official configs: 0.1 on CIFAR-10, 6.0
        on CIFAR-100, 0.01 on MNIST).
    beta : float >= 0, default=1.0
        Weight of the reverse cross-entropy term (official configs: 1.0 on
        CIFAR-10 and MNIST, 0.1 on CIFAR-100).
    log_zero : float < 0, default=-4.0
        The constant :math:`A` standing for :math:`\log 0` in the RCE term; the
        paper's value is -4.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    symmetric_cross_entropy : The functional form.

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019,
       arXiv:1908.06112, Sec. 3.2 (the SCE loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import SymmetricCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(SymmetricCrossEntropyLoss(alpha=0.1, beta=1.0)(logits, target).item(), 4)
    0.654
    """

    _functional = staticmethod(symmetric_cross_entropy)
    _hyperparameters = ("alpha", "beta", "log_zero")

    def __init__(self, alpha=0.1, beta=1.0, log_zero=-4.0, reduction="mean"):
        super().__init__(reduction)
        _check_mixture(alpha, beta, log_zero)
        self.alpha = alpha
        self.beta = beta
        self.log_zero = log_zero


# --------------------------------------------------------------------------
# Normalized losses and active-passive pairs (METHODS D3)
# --------------------------------------------------------------------------


def _nce(log_p, log_p_y):
    # K >= 2 makes the normaliser at least K log K > 0.
    return log_p_y / log_p.sum(dim=1)


def _nfl(log_p, target, gamma):
    # The official code detaches the focal factors (1 - p_k)^gamma, in the
    # numerator and the normaliser; the logs keep their gradient in both, so
    # gamma = 0 gives NCE exactly, gradient included. The clamp keeps 0^gamma
    # away from pow's infinite derivative when p_k rounds to 1.
    floor = probability_floor(log_p.dtype)
    focal = -(_one_minus(log_p).clamp_min(floor) ** gamma).detach() * log_p
    return focal.gather(1, target[:, None]).squeeze(1) / focal.sum(dim=1)


def normalized_cross_entropy(logits, target, *, weight=None, reduction="mean"):
    r"""Normalized cross-entropy.

    :math:`\ell_{NCE}(z, y) = \dfrac{-\log p_y}{-\sum_{k=1}^K \log p_k}`, in
    :math:`[0, 1]`. Normalising over all labels makes it symmetric:
    :math:`\sum_k \ell_{NCE}(z, k) = 1`. It is an *active* loss, usually paired
    with a passive one (:func:`nce_rce_loss`), since it underfits alone.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    NormalizedCrossEntropyLoss : The module form.
    nce_rce_loss : NCE paired with reverse cross-entropy.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 3 (normalized losses, Lemma 1 and Theorem 1).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import normalized_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(normalized_cross_entropy(logits, target).item(), 4)
    0.0322
    """
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, log_p_y = _log_probs(logits, target)
    return reduce_loss(_nce(log_p, log_p_y), reduction, weight)


class NormalizedCrossEntropyLoss(_MulticlassLoss):
    r"""Normalized cross-entropy.

    :math:`(-\log p_y) / (-\sum_k \log p_k)`, symmetric (sums to 1 over the
    labels). ``forward(logits, target, weight=None)`` calls
    :func:`normalized_cross_entropy`.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    normalized_cross_entropy : The functional form.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 3 (normalized losses, Lemma 1 and Theorem 1).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import NormalizedCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(NormalizedCrossEntropyLoss()(logits, target).item(), 4)
    0.0322
    """

    _functional = staticmethod(normalized_cross_entropy)

    def __init__(self, reduction="mean"):
        super().__init__(reduction)


def normalized_focal_loss(logits, target, *, gamma=0.5, weight=None, reduction="mean"):
    r"""Normalized focal loss.

    :math:`\ell_{NFL}(z, y) = \dfrac{FL_y}{\sum_{k=1}^K FL_k}` with
    :math:`FL_k = -(1 - p_k)^\gamma \log p_k`; in :math:`[0, 1]` and symmetric
    (it sums to 1 over the labels). :math:`\gamma = 0` gives
    :func:`normalized_cross_entropy`.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    gamma : float >= 0, default=0.5
        Focusing parameter; 0.5 in the official configs.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    NormalizedFocalLoss : The module form.
    nfl_rce_loss : NFL paired with reverse cross-entropy.

    Notes
    -----
    The official code computes the focal factors :math:`(1 - p_k)^\gamma` from
    detached probabilities, in the numerator and in the normaliser, and so does
    this function; the :math:`\log p_k` terms keep their gradient in both, so
    :math:`\gamma = 0` gives NCE exactly, gradient included. The value is the
    formula's either way; only the gradient differs from differentiating it.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 3 (normalized focal loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import normalized_focal_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(normalized_focal_loss(logits, target, gamma=0.5).item(), 4)
    0.0145
    """
    _check_gamma(gamma)
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, _ = _log_probs(logits, target)
    return reduce_loss(_nfl(log_p, target, gamma), reduction, weight)


class NormalizedFocalLoss(_MulticlassLoss):
    r"""Normalized focal loss.

    :math:`FL_y / \sum_k FL_k` with :math:`FL_k = -(1 - p_k)^\gamma \log p_k`,
    symmetric. ``forward(logits, target, weight=None)`` calls
    :func:`normalized_focal_loss`; see its Notes on the detached focal factors.

    Parameters
    ----------
    gamma : float >= 0, default=0.5
        Focusing parameter; 0.5 in the official configs.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    normalized_focal_loss : The functional form.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 3 (normalized focal loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import NormalizedFocalLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(NormalizedFocalLoss(gamma=0.5)(logits, target).item(), 4)
    0.0145
    """

    _functional = staticmethod(normalized_focal_loss)
    _hyperparameters = ("gamma",)

    def __init__(self, gamma=0.5, reduction="mean"):
        super().__init__(reduction)
        _check_gamma(gamma)
        self.gamma = gamma


def nce_rce_loss(
    logits,
    target,
    *,
    alpha=1.0,
    beta=1.0,
    log_zero=_APL_LOG_ZERO,
    weight=None,
    reduction="mean",
):
    r"""Active-passive loss NCE+RCE.

    :math:`\alpha\, \ell_{NCE} + \beta\, \ell_{RCE}
    = \alpha \dfrac{\log p_y}{\sum_k \log p_k} - \beta A (1 - p_y)`. Both terms
    are symmetric, so the sum over the labels is the constant
    :math:`\alpha - \beta A (K - 1)`; the active NCE term fits, the passive RCE
    term counters NCE's underfitting.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    alpha : float >= 0, default=1.0
        Weight of the NCE term (official configs: 1 on CIFAR-10 and MNIST, 10 on
        CIFAR-100).
    beta : float >= 0, default=1.0
        Weight of the RCE term (official configs: 1 on CIFAR-10, 0.1 on
        CIFAR-100, 10 on MNIST).
    log_zero : float < 0, default=math.log(1e-4)
        The constant :math:`A` standing for :math:`\log 0` in the RCE term.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    NCERCELoss : The module form.
    normalized_cross_entropy, reverse_cross_entropy : The two terms.

    Notes
    -----
    Ma et al. ran the official SCE code for the RCE term, whose clamp of the
    one-hot label at 1e-4 gives :math:`A = \ln 10^{-4} \approx -9.21`; that is
    the default here, unlike :func:`reverse_cross_entropy`, whose default is the
    SCE paper's :math:`A = -4`.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 4 (active passive loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import nce_rce_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(nce_rce_loss(logits, target).item(), 4)
    1.4976
    """
    _check_mixture(alpha, beta, log_zero)
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, log_p_y = _log_probs(logits, target)
    loss = alpha * _nce(log_p, log_p_y) + beta * _rce(log_p_y, log_zero)
    return reduce_loss(loss, reduction, weight)


class NCERCELoss(_MulticlassLoss):
    r"""Active-passive loss NCE+RCE.

    :math:`\alpha\, \ell_{NCE} + \beta\, \ell_{RCE}`.
    ``forward(logits, target, weight=None)`` calls :func:`nce_rce_loss`; see its
    Notes on the default :math:`A`.

    Parameters
    ----------
    alpha : float >= 0, default=1.0
        Weight of the NCE term (official configs: 1 on CIFAR-10 and MNIST, 10 on
        CIFAR-100).
    beta : float >= 0, default=1.0
        Weight of the RCE term (official configs: 1 on CIFAR-10, 0.1 on
        CIFAR-100, 10 on MNIST).
    log_zero : float < 0, default=math.log(1e-4)
        The constant :math:`A` standing for :math:`\log 0` in the RCE term.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    nce_rce_loss : The functional form.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 4 (active passive loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import NCERCELoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(NCERCELoss(alpha=1.0, beta=1.0)(logits, target).item(), 4)
    1.4976
    """

    _functional = staticmethod(nce_rce_loss)
    _hyperparameters = ("alpha", "beta", "log_zero")

    def __init__(self, alpha=1.0, beta=1.0, log_zero=_APL_LOG_ZERO, reduction="mean"):
        super().__init__(reduction)
        _check_mixture(alpha, beta, log_zero)
        self.alpha = alpha
        self.beta = beta
        self.log_zero = log_zero


def nfl_rce_loss(
    logits,
    target,
    *,
    alpha=1.0,
    beta=1.0,
    gamma=0.5,
    log_zero=_APL_LOG_ZERO,
    weight=None,
    reduction="mean",
):
    r"""Active-passive loss NFL+RCE.

    :math:`\alpha\, \ell_{NFL} + \beta\, \ell_{RCE}`, with the normalized focal
    loss of :func:`normalized_focal_loss` and :math:`\ell_{RCE} = -A(1 - p_y)`;
    symmetric, its sum over the labels is :math:`\alpha - \beta A (K - 1)`.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    alpha : float >= 0, default=1.0
        Weight of the NFL term (official configs: 1 on CIFAR-10 and MNIST, 10 on
        CIFAR-100).
    beta : float >= 0, default=1.0
        Weight of the RCE term (official configs: 1 on CIFAR-10, 0.1 on
        CIFAR-100, 10 on MNIST).
    gamma : float >= 0, default=0.5
        Focusing parameter of the NFL term.
    log_zero : float < 0, default=math.log(1e-4)
        The constant :math:`A` standing for :math:`\log 0` in the RCE term.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    NFLRCELoss : The module form.
    normalized_focal_loss, reverse_cross_entropy : The two terms.

    Notes
    -----
    As in :func:`nce_rce_loss`, the default :math:`A = \ln 10^{-4}` is the
    official code's clamp, which Ma et al. ran. The NFL term detaches its focal
    factors as the official code does (see :func:`normalized_focal_loss`).

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 4 (active passive loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import nfl_rce_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(nfl_rce_loss(logits, target).item(), 4)
    1.4799
    """
    _check_mixture(alpha, beta, log_zero)
    _check_gamma(gamma)
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, log_p_y = _log_probs(logits, target)
    loss = alpha * _nfl(log_p, target, gamma) + beta * _rce(log_p_y, log_zero)
    return reduce_loss(loss, reduction, weight)


class NFLRCELoss(_MulticlassLoss):
    r"""Active-passive loss NFL+RCE.

    :math:`\alpha\, \ell_{NFL} + \beta\, \ell_{RCE}`.
    ``forward(logits, target, weight=None)`` calls :func:`nfl_rce_loss`; see its
    Notes on the default :math:`A` and the detached focal factors.

    Parameters
    ----------
    alpha : float >= 0, default=1.0
        Weight of the NFL term (official configs: 1 on CIFAR-10 and MNIST, 10 on
        CIFAR-100).
    beta : float >= 0, default=1.0
        Weight of the RCE term (official configs: 1 on CIFAR-10, 0.1 on
        CIFAR-100, 10 on MNIST).
    gamma : float >= 0, default=0.5
        Focusing parameter of the NFL term.
    log_zero : float < 0, default=math.log(1e-4)
        The constant :math:`A` standing for :math:`\log 0` in the RCE term.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    nfl_rce_loss : The functional form.

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey, "Normalized
       Loss Functions for Deep Learning with Noisy Labels", ICML 2020,
       arXiv:2006.13554, Sec. 4 (active passive loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import NFLRCELoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(NFLRCELoss(alpha=1.0, beta=1.0, gamma=0.5)(logits, target).item(), 4)
    1.4799
    """

    _functional = staticmethod(nfl_rce_loss)
    _hyperparameters = ("alpha", "beta", "gamma", "log_zero")

    def __init__(
        self, alpha=1.0, beta=1.0, gamma=0.5, log_zero=_APL_LOG_ZERO, reduction="mean"
    ):
        super().__init__(reduction)
        _check_mixture(alpha, beta, log_zero)
        _check_gamma(gamma)
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.log_zero = log_zero


# --------------------------------------------------------------------------
# Bootstrapping (METHODS D4)
# --------------------------------------------------------------------------


def soft_bootstrapping_loss(
    logits, target, *, beta=0.95, weight=None, reduction="mean"
):
    r"""Soft bootstrapping loss.

    :math:`-\sum_k (\beta\, t_k + (1 - \beta)\, p_k) \log p_k`, where :math:`t`
    is the one-hot label: cross-entropy against a mixture of the label and the
    model's own prediction, so the model can partly overrule a wrong label.
    :math:`\beta = 1` gives cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    beta : float in [0, 1], default=0.95
        Weight of the given label in the target mixture; the paper's soft value
        is 0.95.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    SoftBootstrappingLoss : The module form.
    hard_bootstrapping_loss : The variant mixing in the predicted class.

    Notes
    -----
    The model's part of the target mixture (:math:`p`) is detached, the standard
    practice (whether the paper did is unverified), so it acts as a fixed soft
    target rather than an entropy penalty.

    References
    ----------
    .. [1] S. Reed, H. Lee, D. Anguelov, C. Szegedy, D. Erhan, A. Rabinovich,
       "Training Deep Neural Networks on Noisy Labels with Bootstrapping", ICLR
       2015 workshop, arXiv:1412.6596, Sec. 3.2 (soft bootstrapping).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import soft_bootstrapping_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(soft_bootstrapping_loss(logits, target, beta=0.95).item(), 4)
    0.1924
    """
    _check_unit_interval(beta, "beta")
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, log_p_y = _log_probs(logits, target)
    entropy = -(log_p.exp().detach() * log_p).sum(dim=1)
    loss = -beta * log_p_y + (1.0 - beta) * entropy
    return reduce_loss(loss, reduction, weight)


class SoftBootstrappingLoss(_MulticlassLoss):
    r"""Soft bootstrapping loss.

    Cross-entropy against :math:`\beta\, t + (1 - \beta)\, p` (prediction
    detached). ``forward(logits, target, weight=None)`` calls
    :func:`soft_bootstrapping_loss`.

    Parameters
    ----------
    beta : float in [0, 1], default=0.95
        Weight of the given label in the target mixture; the paper's soft value
        is 0.95.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    soft_bootstrapping_loss : The functional form.

    References
    ----------
    .. [1] S. Reed, H. Lee, D. Anguelov, C. Szegedy, D. Erhan, A. Rabinovich,
       "Training Deep Neural Networks on Noisy Labels with Bootstrapping", ICLR
       2015 workshop, arXiv:1412.6596, Sec. 3.2 (soft bootstrapping).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import SoftBootstrappingLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(SoftBootstrappingLoss(beta=0.95)(logits, target).item(), 4)
    0.1924
    """

    _functional = staticmethod(soft_bootstrapping_loss)
    _hyperparameters = ("beta",)

    def __init__(self, beta=0.95, reduction="mean"):
        super().__init__(reduction)
        _check_unit_interval(beta, "beta")
        self.beta = beta


def hard_bootstrapping_loss(logits, target, *, beta=0.8, weight=None, reduction="mean"):
    r"""Hard bootstrapping loss.

    :math:`-\sum_k (\beta\, t_k + (1 - \beta)\, e_k) \log p_k
    = -\beta \log p_y - (1 - \beta) \log p_{\hat y}`, where :math:`t` is the
    one-hot label and :math:`e` the one-hot of the predicted class
    :math:`\hat y = \arg\max_k p_k`. :math:`\beta = 1` gives cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    beta : float in [0, 1], default=0.8
        Weight of the given label in the target mixture; the paper's hard value
        is 0.8.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    HardBootstrappingLoss : The module form.
    soft_bootstrapping_loss : The variant mixing in the full prediction.

    Notes
    -----
    The predicted class is an ``argmax`` (ties go to the lowest index) and
    carries no gradient, so the target mixture is detached, as is standard
    practice (whether the paper detached it is unverified).

    References
    ----------
    .. [1] S. Reed, H. Lee, D. Anguelov, C. Szegedy, D. Erhan, A. Rabinovich,
       "Training Deep Neural Networks on Noisy Labels with Bootstrapping", ICLR
       2015 workshop, arXiv:1412.6596, Sec. 3.2 (hard bootstrapping).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import hard_bootstrapping_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 1])
    >>> round(hard_bootstrapping_loss(logits, target, beta=0.8).item(), 4)
    1.2955
    """
    _check_unit_interval(beta, "beta")
    logits, target = _prepare(logits, target, weight, reduction)
    log_p, log_p_y = _log_probs(logits, target)
    predicted = logits.argmax(dim=1, keepdim=True)
    log_p_hat = log_p.gather(1, predicted).squeeze(1)
    loss = -beta * log_p_y - (1.0 - beta) * log_p_hat
    return reduce_loss(loss, reduction, weight)


class HardBootstrappingLoss(_MulticlassLoss):
    r"""Hard bootstrapping loss.

    :math:`-\beta \log p_y - (1 - \beta) \log p_{\hat y}` with :math:`\hat y` the
    predicted class. ``forward(logits, target, weight=None)`` calls
    :func:`hard_bootstrapping_loss`.

    Parameters
    ----------
    beta : float in [0, 1], default=0.8
        Weight of the given label in the target mixture; the paper's hard value
        is 0.8.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    hard_bootstrapping_loss : The functional form.

    References
    ----------
    .. [1] S. Reed, H. Lee, D. Anguelov, C. Szegedy, D. Erhan, A. Rabinovich,
       "Training Deep Neural Networks on Noisy Labels with Bootstrapping", ICLR
       2015 workshop, arXiv:1412.6596, Sec. 3.2 (hard bootstrapping).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import HardBootstrappingLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 1])
    >>> round(HardBootstrappingLoss(beta=0.8)(logits, target).item(), 4)
    1.2955
    """

    _functional = staticmethod(hard_bootstrapping_loss)
    _hyperparameters = ("beta",)

    def __init__(self, beta=0.8, reduction="mean"):
        super().__init__(reduction)
        _check_unit_interval(beta, "beta")
        self.beta = beta


# --------------------------------------------------------------------------
# Taylor cross-entropy (METHODS D5)
# --------------------------------------------------------------------------


def _check_order(order):
    check_scalar(order, "order", low=1, integer=True)


def taylor_cross_entropy(logits, target, *, order=2, weight=None, reduction="mean"):
    r"""Taylor cross-entropy.

    :math:`L_t(z, y) = \sum_{n=1}^{t} (1 - p_y)^n / n`, the order-:math:`t`
    Taylor expansion of :math:`-\log p_y` around :math:`p_y = 1`. :math:`t = 1`
    is the mean absolute error :math:`1 - p_y`; as :math:`t \to \infty` it tends
    to cross-entropy (slowly where :math:`p_y` is near 0), so the order trades
    robustness for fit.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    order : int >= 1, default=2
        Number of Taylor terms :math:`t`; the authors' per-dataset values are
        unverified (small, such as 2, for CIFAR-10).
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    TaylorCrossEntropyLoss : The module form.

    Notes
    -----
    Cost :math:`O(N t)`; :math:`1 - p_y` is computed as ``-expm1(log p_y)``.

    References
    ----------
    .. [1] L. Feng, S. Shu, Z. Lin, F. Lv, L. Li, B. An, "Can Cross Entropy Loss
       Be Robust to Label Noise?", IJCAI 2020, doi:10.24963/ijcai.2020/305
       (Sec. 3, the Taylor cross-entropy loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import taylor_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(taylor_cross_entropy(logits, target, order=2).item(), 4)
    0.1733
    """
    _check_order(order)
    logits, target = _prepare(logits, target, weight, reduction)
    _, log_p_y = _log_probs(logits, target)
    x = _one_minus(log_p_y)
    n = torch.arange(1, order + 1, dtype=x.dtype, device=x.device)
    loss = (x[:, None] ** n / n).sum(dim=1)
    return reduce_loss(loss, reduction, weight)


class TaylorCrossEntropyLoss(_MulticlassLoss):
    r"""Taylor cross-entropy.

    :math:`\sum_{n=1}^{t} (1 - p_y)^n / n`, the order-:math:`t` Taylor expansion
    of cross-entropy. ``forward(logits, target, weight=None)`` calls
    :func:`taylor_cross_entropy`.

    Parameters
    ----------
    order : int >= 1, default=2
        Number of Taylor terms :math:`t`; the authors' per-dataset values are
        unverified (small, such as 2, for CIFAR-10).
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    taylor_cross_entropy : The functional form.

    References
    ----------
    .. [1] L. Feng, S. Shu, Z. Lin, F. Lv, L. Li, B. An, "Can Cross Entropy Loss
       Be Robust to Label Noise?", IJCAI 2020, doi:10.24963/ijcai.2020/305
       (Sec. 3, the Taylor cross-entropy loss).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import TaylorCrossEntropyLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(TaylorCrossEntropyLoss(order=2)(logits, target).item(), 4)
    0.1733
    """

    _functional = staticmethod(taylor_cross_entropy)
    _hyperparameters = ("order",)

    def __init__(self, order=2, reduction="mean"):
        super().__init__(reduction)
        _check_order(order)
        self.order = order


# --------------------------------------------------------------------------
# Focal loss (METHODS D6)
# --------------------------------------------------------------------------


def _check_focal(gamma, detach_modulator):
    _check_gamma(gamma)
    if not isinstance(detach_modulator, bool):
        raise TypeError(
            f"detach_modulator must be a bool; got {type(detach_modulator).__name__}."
        )


def _check_class_alpha(alpha):
    """Return ``alpha`` as None, a float in [0, 1] or a float64 1-D tensor."""
    if alpha is None:
        return None
    if isinstance(alpha, Real) and not isinstance(alpha, bool):
        return float(check_scalar(alpha, "alpha", low=0, high=1))
    try:
        values = torch.as_tensor(alpha, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(
            "alpha must be None, a float in [0, 1] or a 1-D sequence of per-class "
            f"weights; got {type(alpha).__name__}."
        ) from exc
    if values.ndim != 1 or values.numel() < 2:
        raise ValueError(
            "alpha must be a 1-D sequence with one weight per class; got shape "
            f"{tuple(values.shape)}."
        )
    if not torch.isfinite(values).all() or (values < 0).any():
        raise ValueError("alpha must hold finite, non-negative class weights.")
    return values


def _focal_loss(logits, target, gamma, alpha, detach_modulator, weight, reduction):
    logits, target = _prepare(logits, target, weight, reduction)
    n_classes = logits.shape[1]
    _, log_p_y = _log_probs(logits, target)
    # The clamp keeps (1 - p)^gamma off pow's infinite derivative at 0 when
    # gamma < 1 and p_y rounds to 1.
    floor = probability_floor(log_p_y.dtype)
    modulator = _one_minus(log_p_y).clamp_min(floor) ** gamma
    if detach_modulator:
        modulator = modulator.detach()
    loss = -modulator * log_p_y
    if isinstance(alpha, float):
        if n_classes != 2:
            raise ValueError(
                "alpha as a float weights class 1 of a binary problem; got "
                f"n_classes={n_classes}. Pass one weight per class instead."
            )
        # alpha for class 1, 1 - alpha for class 0 (the paper's alpha_t).
        loss = loss * ((1.0 - alpha) + (2.0 * alpha - 1.0) * target.to(loss.dtype))
    elif alpha is not None:
        if alpha.shape != (n_classes,):
            raise ValueError(
                f"alpha must have shape ({n_classes},), one weight per class; got "
                f"shape {tuple(alpha.shape)}."
            )
        loss = loss * alpha.to(loss)[target]
    return reduce_loss(loss, reduction, weight)


def focal_loss(
    logits,
    target,
    *,
    gamma=2.0,
    alpha=None,
    detach_modulator=False,
    weight=None,
    reduction="mean",
):
    r"""Focal loss.

    :math:`FL(z, y) = -\alpha_y (1 - p_y)^\gamma \log p_y`: cross-entropy scaled
    down on well-classified samples. :math:`\gamma = 0` with no :math:`\alpha`
    gives cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z`; float16 and bfloat16 are computed in
        float32.
    target : Tensor of shape (n_samples,)
        Observed class indices in ``[0, n_classes)``, an integer dtype.
    gamma : float >= 0, default=2.0
        Focusing parameter; 2 is the paper's detection default.
    alpha : None, float in [0, 1] or sequence of shape (n_classes,), default=None
        Class weighting :math:`\alpha_y`. ``None`` weights every class 1. A float
        is for binary problems only: :math:`\alpha` for class 1 and
        :math:`1 - \alpha` for class 0, the paper's :math:`\alpha_t` (0.25 in
        its detection experiments). A sequence or 1-D tensor gives one
        non-negative weight per class.
    detach_modulator : bool, default=False
        If True, no gradient flows through :math:`(1 - p_y)^\gamma`, as in the
        APL code's ``FocalLoss``; the paper's loss (False) differentiates it.
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    FocalLoss : The module form.
    normalized_focal_loss : The normalized, symmetric variant.

    Notes
    -----
    :math:`1 - p_y` is clamped below at the dtype's ``eps`` before the power, so
    the gradient stays finite for :math:`\gamma < 1` when :math:`p_y` rounds to
    1; the change in value is below ``eps`` times the loss.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal Loss for
       Dense Object Detection", ICCV 2017, arXiv:1708.02002, Eq. (5).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import focal_loss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(focal_loss(logits, target, gamma=2.0).item(), 4)
    0.0061
    """
    _check_focal(gamma, detach_modulator)
    alpha = _check_class_alpha(alpha)
    return _focal_loss(
        logits, target, gamma, alpha, detach_modulator, weight, reduction
    )


class FocalLoss(_MulticlassLoss):
    r"""Focal loss.

    :math:`-\alpha_y (1 - p_y)^\gamma \log p_y`.
    ``forward(logits, target, weight=None)`` calls :func:`focal_loss`'s
    computation with per-class ``alpha`` held in a buffer.

    Parameters
    ----------
    gamma : float >= 0, default=2.0
        Focusing parameter; 2 is the paper's detection default.
    alpha : None, float in [0, 1] or sequence of shape (n_classes,), default=None
        Class weighting :math:`\alpha_y`. ``None`` weights every class 1. A float
        is for binary problems only: :math:`\alpha` for class 1 and
        :math:`1 - \alpha` for class 0, the paper's :math:`\alpha_t` (0.25 in
        its detection experiments). A sequence or 1-D tensor gives one
        non-negative weight per class.
    detach_modulator : bool, default=False
        If True, no gradient flows through :math:`(1 - p_y)^\gamma`, as in the
        APL code's ``FocalLoss``; the paper's loss (False) differentiates it.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    focal_loss : The functional form.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal Loss for
       Dense Object Detection", ICCV 2017, arXiv:1708.02002, Eq. (5).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import FocalLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> round(FocalLoss(gamma=2.0, alpha=[0.5, 1.0, 2.0])(logits, target).item(), 4)
    0.004
    """

    _hyperparameters = ("gamma", "alpha", "detach_modulator")

    def __init__(self, gamma=2.0, alpha=None, detach_modulator=False, reduction="mean"):
        super().__init__(reduction)
        _check_focal(gamma, detach_modulator)
        alpha = _check_class_alpha(alpha)
        self.gamma = gamma
        self.detach_modulator = detach_modulator
        if isinstance(alpha, torch.Tensor):
            self.register_buffer("alpha", alpha)
        else:
            self.alpha = alpha

    def _compute(self, logits, target, weight):
        return _focal_loss(
            logits,
            target,
            self.gamma,
            self.alpha,
            self.detach_modulator,
            weight,
            self.reduction,
        )


# --------------------------------------------------------------------------
# Loss correction with a known T (METHODS A6)
# --------------------------------------------------------------------------


class _TransitionLoss(_MulticlassLoss):
    """Base of the losses holding a transition matrix in a buffer."""

    def extra_repr(self):
        n_classes = self.transition_matrix.shape[0]
        return f"n_classes={n_classes}, reduction={self.reduction!r}"


def _check_transition_shape(matrix, n_classes):
    if matrix.shape != (n_classes, n_classes):
        raise ValueError(
            f"transition_matrix must have shape ({n_classes}, {n_classes}) to match "
            f"the {n_classes} columns of logits; got {tuple(matrix.shape)}."
        )


def _forward_corrected(logits, target, transition_matrix, weight, reduction):
    logits, target = _prepare(logits, target, weight, reduction)
    _check_transition_shape(transition_matrix, logits.shape[1])
    log_p, _ = _log_probs(logits, target)
    log_T = transition_matrix.to(logits).clamp_min(_TRANSITION_FLOOR).log()
    # -log sum_i p_i T[i, y] in log space: row n gathers column y_n of log T.
    loss = -torch.logsumexp(log_p + log_T[:, target].T, dim=1)
    return reduce_loss(loss, reduction, weight)


def forward_corrected_cross_entropy(
    logits, target, transition_matrix, *, weight=None, reduction="mean"
):
    r"""Forward-corrected cross-entropy for a known noise matrix.

    :math:`\ell_{\rightarrow}(z, \tilde y) = -\log (T^\top p)_{\tilde y}
    = -\log \sum_i p_i T_{i \tilde y}`: cross-entropy of the noisy label against
    the noisy posterior the model implies. Minimising it on noisy labels
    estimates the clean posterior :math:`p`. The identity :math:`T` gives
    cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z` (of the clean classes); float16 and
        bfloat16 are computed in float32.
    target : Tensor of shape (n_samples,)
        Observed (noisy) class indices in ``[0, n_classes)``, an integer dtype.
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic :math:`T_{ij} = P(\tilde y = j \mid y = i)`, validated on
        every call (use :class:`ForwardCorrectedLoss` to validate once).
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    See Also
    --------
    ForwardCorrectedLoss : The module form.
    backward_corrected_cross_entropy : The backward correction.

    Notes
    -----
    Computed as :math:`-\operatorname{logsumexp}_i(\log p_i + \log T_{i\tilde
    y})` with :math:`\log \max(T, 10^{-12})`, so zeros of :math:`T` bound the
    loss instead of making it infinite. Cost :math:`O(N K)` per batch.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683, Theorem 2 (forward correction).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import forward_corrected_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> T = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    >>> round(forward_corrected_cross_entropy(logits, target, T).item(), 4)
    0.3746
    """
    matrix = check_transition_matrix(transition_matrix)
    return _forward_corrected(logits, target, matrix, weight, reduction)


class ForwardCorrectedLoss(_TransitionLoss):
    r"""Forward-corrected cross-entropy for a known noise matrix.

    :math:`-\log (T^\top p)_{\tilde y}`. :math:`T` is validated once and held in
    the float64 buffer ``transition_matrix`` (``.to(device)`` moves it);
    ``forward(logits, target, weight=None)`` only checks its shape against the
    logits.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic :math:`T_{ij} = P(\tilde y = j \mid y = i)`.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    forward_corrected_cross_entropy : The functional form, with the numerics.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683, Theorem 2 (forward correction).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import ForwardCorrectedLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> T = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    >>> round(ForwardCorrectedLoss(T)(logits, target).item(), 4)
    0.3746
    """

    def __init__(self, transition_matrix, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer(
            "transition_matrix", check_transition_matrix(transition_matrix)
        )

    def _compute(self, logits, target, weight):
        return _forward_corrected(
            logits, target, self.transition_matrix, weight, self.reduction
        )


def _inverse_transition_matrix(transition_matrix):
    """Validate T; return it and its inverse, float64, refusing ill-conditioned T."""
    matrix = check_transition_matrix(transition_matrix)
    condition = torch.linalg.cond(matrix)
    if not condition <= _MAX_CONDITION_NUMBER:
        raise ValueError(
            "transition_matrix is singular or ill-conditioned (condition number "
            f"{float(condition):.3g} > {_MAX_CONDITION_NUMBER:.0e}); the backward "
            "correction needs an invertible matrix. Use the forward correction."
        )
    identity = torch.eye(matrix.shape[0], dtype=matrix.dtype, device=matrix.device)
    return matrix, torch.linalg.solve(matrix, identity)


def _backward_corrected(logits, target, inverse, weight, reduction):
    logits, target = _prepare(logits, target, weight, reduction)
    _check_transition_shape(inverse, logits.shape[1])
    log_p, _ = _log_probs(logits, target)
    # (T^{-1} l)_y with l_j = -log p_j: row y of T^{-1} dotted with l.
    loss = -(inverse.to(logits)[target] * log_p).sum(dim=1)
    return reduce_loss(loss, reduction, weight)


def backward_corrected_cross_entropy(
    logits, target, transition_matrix, *, weight=None, reduction="mean"
):
    r"""Backward-corrected cross-entropy for a known noise matrix.

    :math:`\ell_{\leftarrow}(z, \tilde y) = (T^{-1} \ell(z))_{\tilde y}`, where
    :math:`\ell(z) = (-\log p_1, \dots, -\log p_K)` holds the cross-entropy of
    every label. It is unbiased: for a clean label :math:`y`,
    :math:`\sum_j T_{yj}\, \ell_{\leftarrow}(z, j) = -\log p_y`, so its expectation
    over the label noise is the clean cross-entropy. The identity :math:`T`
    gives cross-entropy.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Unnormalised class scores :math:`z` (of the clean classes); float16 and
        bfloat16 are computed in float32.
    target : Tensor of shape (n_samples,)
        Observed (noisy) class indices in ``[0, n_classes)``, an integer dtype.
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic, invertible :math:`T_{ij} = P(\tilde y = j \mid y = i)`,
        validated and inverted on every call (use :class:`BackwardCorrectedLoss`
        to do it once).
    weight : Tensor of shape (n_samples,) or None, default=None
        Per-sample weights, applied before the reduction.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    Returns
    -------
    loss : Tensor
        A scalar, or shape (n_samples,) when ``reduction="none"``.

    Raises
    ------
    ValueError
        If ``transition_matrix`` is singular or its condition number exceeds
        1e8.

    See Also
    --------
    BackwardCorrectedLoss : The module form.
    forward_corrected_cross_entropy : The forward correction, usually better.

    Notes
    -----
    The loss is unbounded below and can be negative; its variance grows with
    the condition number of :math:`T`, so the forward correction is usually
    preferred in practice. :math:`T^{-1}` is computed once per call in float64
    with ``torch.linalg.solve`` after a condition-number check (METHODS advises
    against explicit inverses; the check bounds the error that reusing the
    inverse across the batch adds). Cost :math:`O(K^3)` per call plus
    :math:`O(N K)`.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683, Theorem 1 (backward correction).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import backward_corrected_cross_entropy
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> T = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    >>> round(backward_corrected_cross_entropy(logits, target, T).item(), 4)
    -0.5531
    """
    _, inverse = _inverse_transition_matrix(transition_matrix)
    return _backward_corrected(logits, target, inverse, weight, reduction)


class BackwardCorrectedLoss(_TransitionLoss):
    r"""Backward-corrected cross-entropy for a known noise matrix.

    :math:`(T^{-1} \ell(z))_{\tilde y}`, unbiased for the clean cross-entropy.
    :math:`T` is validated and inverted once, in float64; the buffers
    ``transition_matrix`` and ``inverse_transition_matrix`` hold :math:`T` and
    :math:`T^{-1}` (``.to(device)`` moves them), and
    ``forward(logits, target, weight=None)`` only checks their shape against
    the logits.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic, invertible :math:`T_{ij} = P(\tilde y = j \mid y = i)`.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"mean"`` divides the weighted sum by ``n_samples``; ``"none"`` returns
        the per-sample losses.

    See Also
    --------
    backward_corrected_cross_entropy : The functional form, with the numerics.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683, Theorem 1 (backward correction).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import BackwardCorrectedLoss
    >>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    >>> target = torch.tensor([0, 2])
    >>> T = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    >>> round(BackwardCorrectedLoss(T)(logits, target).item(), 4)
    -0.5531
    """

    def __init__(self, transition_matrix, reduction="mean"):
        super().__init__(reduction)
        matrix, inverse = _inverse_transition_matrix(transition_matrix)
        self.register_buffer("transition_matrix", matrix)
        self.register_buffer("inverse_transition_matrix", inverse)

    def _compute(self, logits, target, weight):
        return _backward_corrected(
            logits, target, self.inverse_transition_matrix, weight, self.reduction
        )
