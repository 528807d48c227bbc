r"""Learning from label proportions: the DLLP proportion loss.

Notation (METHODS.md section 0). The training rows are grouped into bags
:math:`B_1, \dots, B_m`; only each bag's class proportions
:math:`\rho_b \in \Delta^K` are known. A batch holds ``N`` rows with logits
:math:`z_i \in \mathbb{R}^K`, instance probabilities
:math:`p_i = \operatorname{softmax}(z_i)`, and bag codes ``bags[i]`` in
``[0, m)`` naming the bag of each row; ``proportions`` is the (m, K) matrix whose
row ``b`` is :math:`\rho_b`. A bag's predicted proportions are the mean of its
rows' probabilities,

.. math::

    \bar{p}_b = \frac{1}{|B_b|} \sum_{i \in B_b} p_i,

taken over the rows of the bag present in the batch; batches should therefore
hold whole bags.
"""

import math

import torch
from torch import nn

from ._common import check_reduction, check_weight, upcast_half

BAG_WEIGHTINGS = ("uniform", "size")

# METHODS.md C1: the bag mean is clamped at 1e-7 before its log, so a class the
# model rules out costs at most -log(1e-7) ~ 16 per unit of proportion.
_LOG_PROPORTION_FLOOR = math.log(1e-7)


def _check_bag_weighting(bag_weighting):
    if bag_weighting not in BAG_WEIGHTINGS:
        raise ValueError(
            f"bag_weighting must be one of {', '.join(map(repr, BAG_WEIGHTINGS))}; "
            f"got {bag_weighting!r}."
        )


def _check_inputs(logits, bags, proportions):
    for name, value in (
        ("logits", logits),
        ("bags", bags),
        ("proportions", proportions),
    ):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch tensor; got {type(value).__name__}."
            )
    if logits.ndim != 2:
        raise ValueError(
            "logits must have shape (n_samples, n_classes); got shape "
            f"{tuple(logits.shape)}."
        )
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating tensor; got {logits.dtype}.")
    if bags.ndim != 1 or bags.shape[0] != logits.shape[0]:
        raise ValueError(
            f"bags must have shape ({logits.shape[0]},), one bag code per row of "
            f"logits; got shape {tuple(bags.shape)}."
        )
    if bags.is_floating_point() or bags.is_complex() or bags.dtype == torch.bool:
        raise TypeError(f"bags must hold integer bag codes; got dtype {bags.dtype}.")
    if proportions.ndim != 2 or proportions.shape[1] != logits.shape[1]:
        raise ValueError(
            f"proportions must have shape (n_bags, {logits.shape[1]}), one row of "
            f"class proportions per bag; got shape {tuple(proportions.shape)}."
        )
    if not proportions.is_floating_point():
        raise TypeError(
            f"proportions must be a floating tensor; got {proportions.dtype}."
        )


def _segment_log_mean(log_p, bags, n_bags, weight):
    """Log of each bag's (weighted) mean probability, and the bag row counts.

    A segment logsumexp: the per-bag maximum (``scatter_reduce`` amax, detached:
    the result does not depend on it) is subtracted before ``exp``, so no row
    underflows to a zero sum unless the whole bag does.
    """
    n, k = log_p.shape
    index = bags[:, None].expand(n, k)
    ones = log_p.new_ones(n)
    counts = log_p.new_zeros(n_bags).index_add(0, bags, ones)
    if weight is None:
        mass = counts
        scores = log_p
    else:
        weight = weight.to(log_p)
        mass = log_p.new_zeros(n_bags).index_add(0, bags, weight)
        # A zero weight becomes log(0) = -inf, a row the maximum and the sum skip.
        scores = log_p + torch.log(weight)[:, None]
    peak = torch.full(
        (n_bags, k), -math.inf, dtype=log_p.dtype, device=log_p.device
    ).scatter_reduce(0, index, scores.detach(), reduce="amax")
    # Bags absent from the batch (or with zero weight) keep -inf; shift by 0 there.
    peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    summed = log_p.new_zeros(n_bags, k).index_add(
        0, bags, torch.exp(scores - peak[bags])
    )
    tiny = torch.finfo(log_p.dtype).tiny
    log_mean = (
        peak
        + torch.log(summed.clamp(min=tiny))
        - torch.log(mass.clamp(min=tiny))[:, None]
    )
    return log_mean.clamp(min=_LOG_PROPORTION_FLOOR), counts, mass


def proportion_loss(
    logits,
    bags,
    proportions,
    *,
    weight=None,
    reduction="mean",
    bag_weighting="uniform",
):
    r"""DLLP proportion loss: cross-entropy of bag proportions and mean predictions.

    For each bag :math:`b` present in the batch,

    .. math::

        L_b = -\sum_{k=1}^{K} \rho_{bk} \log \bar{p}_{bk},
        \qquad \log \bar{p}_{bk} = \operatorname{logsumexp}_{i \in B_b}
            \log p_{ik} - \log |B_b|,

    with :math:`\bar{p}_{bk}` clamped at :math:`10^{-7}`. :math:`L_b` equals
    :math:`\mathrm{KL}(\rho_b \,\|\, \bar{p}_b) + H(\rho_b)`, so it is minimal when the
    bag's mean prediction matches its proportions.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Instance logits.
    bags : Tensor of shape (n_samples,)
        Integer bag code of each row, in ``[0, n_bags)``.
    proportions : Tensor of shape (n_bags, n_classes)
        Class proportions of every bag; rows on the simplex. Only the rows of
        bags present in the batch are used.
    weight : Tensor of shape (n_samples,), default=None
        Non-negative per-sample weights. They weight the rows inside their bag's
        mean probability: :math:`\bar{p}_b = \sum_{i \in B_b} w_i p_i /
        \sum_{i \in B_b} w_i`. A bag whose weights are all zero is left out.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"none"`` returns the per-bag contributions :math:`c_b = v_b L_b`, shape
        (n_bags,), zero for bags absent from the batch; ``"sum"`` returns
        :math:`\sum_b c_b`; ``"mean"`` divides that sum by the number of bags
        present in the batch, so ``sum == mean * n_present``.
    bag_weighting : {"uniform", "size"}, default="uniform"
        Bag weight :math:`v_b`: 1 for ``"uniform"``; for ``"size"``,
        :math:`|B_b|` over the mean size of the present bags, so that
        ``"mean"`` is the average of :math:`L_b` over rows. With ``weight``, a
        bag's size is its total weight :math:`\sum_{i \in B_b} w_i`, so an
        integer weight acts as that many copies of the row.

    Returns
    -------
    loss : Tensor
        Shape () for "mean" and "sum", (n_bags,) for "none".

    See Also
    --------
    ProportionLoss : The module form.

    Notes
    -----
    This is the cross-entropy of :math:`\rho_b` against the *mean* of the instance
    probabilities. Averaging the instances' own cross-entropies against
    :math:`\rho_b`, :math:`-\frac{1}{|B_b|} \sum_i \sum_k \rho_{bk} \log p_{ik}`
    (the mean of log-probabilities), is a different objective: it pulls every
    instance towards :math:`\rho_b` and cannot label a bag's instances apart
    (llp-learn's DLLP does this and predicts the majority class).

    The forward pass checks shapes only. Values are not checked here, because
    reading them back would synchronise an accelerator: bag codes must lie in
    ``[0, n_bags)`` and the proportion rows on the simplex; the estimators
    validate both once, before training. Bags absent from the batch cost
    nothing, with no ``.item()``: a mask of the bags with rows selects them.

    The logits are computed in float32 when they are float16 or bfloat16.

    References
    ----------
    .. [1] E. M. Ardehaly, A. Culotta, "Co-training for Demographic Classification
       Using Deep Learning from Label Proportions", ICDM Workshops 2017,
       arXiv:1709.04108 (id unverified).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import proportion_loss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    >>> bags = torch.tensor([0, 0, 1])
    >>> proportions = torch.tensor([[0.5, 0.5], [0.3, 0.7]])
    >>> round(proportion_loss(logits, bags, proportions).item(), 4)
    0.8532
    """
    check_reduction(reduction)
    _check_bag_weighting(bag_weighting)
    _check_inputs(logits, bags, proportions)
    # index_add and scatter_reduce take int32/int64 indices only.
    bags = bags.long()
    check_weight(weight, logits.shape[0])
    z = upcast_half(logits)
    n_bags = proportions.shape[0]
    log_p = torch.log_softmax(z, dim=1)
    log_mean, counts, mass = _segment_log_mean(log_p, bags, n_bags, weight)
    per_bag = -(proportions.to(z) * log_mean).sum(dim=1)
    present = (counts > 0) & (mass > 0)
    n_present = present.sum().clamp(min=1).to(z.dtype)
    if bag_weighting == "size":
        # A bag's size is its total weight (its row count without weights), so
        # an integer weight counts as that many copies of the row.
        sizes = torch.where(present, mass, torch.zeros_like(mass))
        bag_weight = (
            sizes * n_present / sizes.sum().clamp(min=torch.finfo(z.dtype).tiny)
        )
    else:
        bag_weight = present.to(z.dtype)
    contributions = torch.where(
        present, bag_weight * per_bag, torch.zeros_like(per_bag)
    )
    if reduction == "none":
        return contributions
    total = contributions.sum()
    if reduction == "sum":
        return total
    return total / n_present


class ProportionLoss(nn.Module):
    r"""DLLP proportion loss as a module.

    The cross-entropy between each bag's known class proportions and the mean of
    its rows' predicted probabilities; see :func:`proportion_loss`.

    Parameters
    ----------
    reduction : {"mean", "sum", "none"}, default="mean"
        Over the bags present in the batch, as in :func:`proportion_loss`.
    bag_weighting : {"uniform", "size"}, default="uniform"
        Weight every present bag equally, or in proportion to its number of rows
        (its total weight when per-sample weights are given).

    See Also
    --------
    proportion_loss : The functional form, with the formulas.

    References
    ----------
    .. [1] E. M. Ardehaly, A. Culotta, "Co-training for Demographic Classification
       Using Deep Learning from Label Proportions", ICDM Workshops 2017,
       arXiv:1709.04108 (id unverified).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import ProportionLoss
    >>> logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 0.0]])
    >>> bags = torch.tensor([0, 0, 1])
    >>> proportions = torch.tensor([[0.5, 0.5], [0.3, 0.7]])
    >>> round(ProportionLoss()(logits, bags, proportions).item(), 4)
    0.8532
    """

    def __init__(self, reduction="mean", bag_weighting="uniform"):
        super().__init__()
        check_reduction(reduction)
        _check_bag_weighting(bag_weighting)
        self.reduction = reduction
        self.bag_weighting = bag_weighting

    def extra_repr(self):
        return f"reduction={self.reduction!r}, bag_weighting={self.bag_weighting!r}"

    def forward(self, logits, bags, proportions, weight=None):
        """Return the proportion loss of a batch of whole bags.

        Parameters
        ----------
        logits : Tensor of shape (n_samples, n_classes)
            Instance logits.
        bags : Tensor of shape (n_samples,)
            Integer bag code of each row, in ``[0, n_bags)``.
        proportions : Tensor of shape (n_bags, n_classes)
            Class proportions of every bag.
        weight : Tensor of shape (n_samples,), default=None
            Per-sample weights inside each bag's mean probability.

        Returns
        -------
        loss : Tensor
            As :func:`proportion_loss` returns it.
        """
        return proportion_loss(
            logits,
            bags,
            proportions,
            weight=weight,
            reduction=self.reduction,
            bag_weighting=self.bag_weighting,
        )
