r"""Positive-unlabelled risks: uPU, nnPU and the multi-label PU-MLC loss.

Notation (METHODS.md section 0). A binary classifier outputs a real score
:math:`g(x)`; ``s`` marks the rows, ``1`` for a labelled positive and ``0`` for an
unlabelled row. The labelled rows are the positive sample
:math:`\mathcal{P}` (``n_p`` rows), the unlabelled rows the sample
:math:`\mathcal{U}` (``n_u`` rows), and :math:`\pi = P(y = 1)` is the class prior of
the population :math:`\mathcal{U}` was drawn from (the *case-control* scheme of
du Plessis et al. and Kiryo et al.). A margin loss :math:`\ell(z, t)` scores the
score :math:`z` against the label :math:`t \in \{-1, +1\}`:

- ``"sigmoid"``: :math:`\ell(z, t) = \sigma(-t z)`, bounded in (0, 1);
- ``"logistic"``: :math:`\ell(z, t) = \log(1 + e^{-t z})`.

The three partial risks are

.. math::

    R_p^+ = \frac{1}{n_p} \sum_{i \in \mathcal{P}} \ell(g(x_i), +1), \quad
    R_p^- = \frac{1}{n_p} \sum_{i \in \mathcal{P}} \ell(g(x_i), -1), \quad
    R_u^- = \frac{1}{n_u} \sum_{i \in \mathcal{U}} \ell(g(x_i), -1),

with ``n_p`` and ``n_u`` floored at 1 so that a batch without positives (or
without unlabelled rows) gives a zero term instead of a division by zero, as in
the nnPU code. A per-sample ``weight`` :math:`w_i` multiplies each summand; the
denominators stay the counts (``sum(w * loss) / n_group``), the convention of
``reduce_loss`` in the rest of :mod:`skrobust.losses`.

The multi-label loss (:func:`pu_mlc_loss`) has its own notation, in its docstring.

Single-training-set data (one ``s`` vector over a sample of the marginal, every
positive labelled with probability ``c``) is not case-control: ``U = {s = 0}``
then holds positives with probability
:math:`\pi_U = \pi (1 - c) / (1 - \pi c)`. Pass that :math:`\pi_U` as ``prior``,
or pass every row a second time as an unlabelled row (``s = 0``), which makes
:math:`\mathcal{U}` a sample of the marginal under SCAR so that :math:`\pi` itself
is right.
"""

import torch
from torch import nn
from torch.nn import functional as F

from ._common import (
    check_reduction,
    check_scalar,
    check_weight,
    probability_floor,
    reduce_loss,
    upcast_half,
)

PU_LOSSES = ("sigmoid", "logistic")

# Smallest temperature of PU-MLC: a constant logit column has a zero standard
# deviation, and Z / 0 is infinite (METHODS.md B8, pitfalls).
_MIN_TEMPERATURE = 1e-6


def _check_loss_name(loss):
    if loss not in PU_LOSSES:
        raise ValueError(
            f"loss must be one of {', '.join(map(repr, PU_LOSSES))}; got {loss!r}."
        )


def _check_prior(prior):
    """A float in (0, 1), or a 0-d tensor (a module's buffer, checked at init)."""
    if isinstance(prior, torch.Tensor):
        if prior.ndim != 0 or not prior.is_floating_point():
            raise ValueError(
                "prior must be a float in (0, 1) or a 0-d floating tensor; got a "
                f"tensor of shape {tuple(prior.shape)} and dtype {prior.dtype}."
            )
        return prior
    return check_scalar(prior, "prior", low=0.0, high=1.0, closed="neither")


def _check_nnpu_params(beta, gamma):
    check_scalar(beta, "beta", low=0.0)
    check_scalar(gamma, "gamma", low=0.0, high=1.0)


def _check_scores_s(scores, s):
    """Return the scores as (N,) and the PU labels as two float masks.

    ``s`` must be a bool or integer tensor with values in {0, 1}. For an integer
    ``s`` the value check reads one boolean back from the device (a
    synchronisation on an accelerator); a bool ``s`` needs no check, so a training
    loop that cares passes ``s.bool()`` once, outside the loop.
    """
    if not isinstance(scores, torch.Tensor) or not isinstance(s, torch.Tensor):
        raise TypeError(
            "scores and s must be torch tensors; got "
            f"{type(scores).__name__} and {type(s).__name__}."
        )
    if not scores.is_floating_point():
        raise TypeError(f"scores must be a floating tensor; got {scores.dtype}.")
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]
    if scores.ndim != 1:
        raise ValueError(
            "scores must have shape (n_samples,) or (n_samples, 1); got shape "
            f"{tuple(scores.shape)}."
        )
    if s.shape != scores.shape:
        raise ValueError(
            f"s must have shape ({scores.shape[0]},), one PU label per score; got "
            f"shape {tuple(s.shape)}."
        )
    if s.is_floating_point() or s.is_complex():
        raise TypeError(f"s must be a bool or integer tensor; got dtype {s.dtype}.")
    if s.dtype == torch.bool:
        positive = s
    else:
        if ((s != 0) & (s != 1)).any():
            raise ValueError(
                "s must hold 1 (labelled positive) or 0 (unlabelled) only; got "
                "other values."
            )
        positive = s == 1
    return scores, positive


def _margin_losses(z, loss):
    """Return :math:`\\ell(z, +1)` and :math:`\\ell(z, -1)`; both finite for any z."""
    if loss == "sigmoid":
        return torch.sigmoid(-z), torch.sigmoid(z)
    return F.softplus(-z), F.softplus(z)


def _pu_parts(scores, s, prior, loss, weight):
    """Shared core: checked inputs, the per-row losses and the group masks."""
    prior = _check_prior(prior)
    _check_loss_name(loss)
    scores, positive = _check_scores_s(scores, s)
    check_weight(weight, scores.shape[0])
    z = upcast_half(scores)
    if isinstance(prior, torch.Tensor):
        prior = prior.to(z)
    loss_pos, loss_neg = _margin_losses(z, loss)
    pos = positive.to(z.dtype)
    unl = 1.0 - pos
    # Counts floored at 1 as in the nnPU code: an empty group gives a zero term.
    n_p = pos.sum().clamp(min=1.0)
    n_u = unl.sum().clamp(min=1.0)
    if weight is not None:
        weight = weight.to(z)
    return z, prior, loss_pos, loss_neg, pos, unl, n_p, n_u, weight


def _weighted_sum(values, weight):
    return values.sum() if weight is None else (values * weight).sum()


def pu_risk_terms(scores, s, prior, *, loss="sigmoid", weight=None):
    r"""Positive and negative parts of the unbiased PU risk.

    Returns :math:`\pi R_p^+` and :math:`R_u^- - \pi R_p^-` (module notation), the
    two terms whose sum is the uPU risk and from which nnPU takes
    :math:`\max(0, \cdot)` of the second.

    Parameters
    ----------
    scores : Tensor of shape (n_samples,) or (n_samples, 1)
        Real-valued classifier outputs :math:`g(x)`.
    s : Tensor of shape (n_samples,)
        PU labels, bool or integer: 1 for a labelled positive, 0 for an
        unlabelled row.
    prior : float in (0, 1) or 0-d Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    weight : Tensor of shape (n_samples,), default=None
        Per-sample weights; each group mean becomes ``sum(w * loss) / n_group``.

    Returns
    -------
    positive_risk : Tensor of shape ()
        :math:`\pi R_p^+`.
    negative_risk : Tensor of shape ()
        :math:`R_u^- - \pi R_p^-`; negative values signal over-fitting
        (Kiryo et al., 2017).

    See Also
    --------
    upu_loss : The sum of the two terms.
    nnpu_loss : The non-negative correction of the second term.

    References
    ----------
    .. [1] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (5) and (6).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import pu_risk_terms
    >>> scores = torch.tensor([2.0, 1.0, -1.0, 0.5])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> pos, neg = pu_risk_terms(scores, s, 0.4)
    >>> round(pos.item(), 4), round(neg.item(), 4)
    (0.0776, 0.1233)
    """
    _, prior, loss_pos, loss_neg, pos, unl, n_p, n_u, weight = _pu_parts(
        scores, s, prior, loss, weight
    )
    positive_risk = prior * _weighted_sum(pos * loss_pos, weight) / n_p
    negative_risk = (
        _weighted_sum(unl * loss_neg, weight) / n_u
        - prior * _weighted_sum(pos * loss_neg, weight) / n_p
    )
    return positive_risk, negative_risk


def upu_loss(scores, s, prior, *, loss="sigmoid", weight=None, reduction="mean"):
    r"""Unbiased PU risk (uPU) of du Plessis et al.

    .. math::

        R_{\mathrm{uPU}} = \pi R_p^+ + R_u^- - \pi R_p^-,

    an unbiased estimate of the supervised risk
    :math:`\pi E_+ \ell(g, +1) + (1 - \pi) E_- \ell(g, -1)` when the unlabelled rows
    are a sample of the marginal with positive share :math:`\pi`.

    Parameters
    ----------
    scores : Tensor of shape (n_samples,) or (n_samples, 1)
        Real-valued classifier outputs :math:`g(x)`.
    s : Tensor of shape (n_samples,)
        PU labels, bool or integer: 1 for a labelled positive, 0 for an
        unlabelled row.
    prior : float in (0, 1) or 0-d Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    weight : Tensor of shape (n_samples,), default=None
        Per-sample weights; each group mean becomes ``sum(w * loss) / n_group``.
    reduction : {"mean", "sum", "none"}, default="mean"
        ``"none"`` returns per-sample contributions
        :math:`c_i = N (\pi \ell(z_i, +1) / n_p - \pi \ell(z_i, -1) / n_p)` for a
        labelled row and :math:`c_i = N \ell(z_i, -1) / n_u` for an unlabelled one
        (times :math:`w_i`), whose mean is the risk; ``"mean"`` returns the risk
        and ``"sum"`` ``N`` times it.

    Returns
    -------
    loss : Tensor
        Shape () for "mean" and "sum", (n_samples,) for "none".

    See Also
    --------
    UnbiasedPULoss : The module form.
    nnpu_loss : The non-negative variant, which does not over-fit flexible models.

    Notes
    -----
    The risk can go negative with a flexible model (the negative part
    :math:`R_u^- - \pi R_p^-` is not bounded below), which is the over-fitting
    nnPU corrects. With a convex ``loss``, uPU is convex only when
    :math:`\ell(z, +1) - \ell(z, -1) = -z` (du Plessis et al., 2015); neither loss
    offered here satisfies it.

    References
    ----------
    .. [1] M. C. du Plessis, G. Niu, M. Sugiyama, "Analysis of Learning from
       Positive and Unlabeled Data", NeurIPS 2014.
    .. [2] M. C. du Plessis, G. Niu, M. Sugiyama, "Convex Formulation for Learning
       from Positive and Unlabeled Data", ICML 2015.
    .. [3] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (5).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import upu_loss
    >>> scores = torch.tensor([2.0, 1.0, -1.0, 0.5])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> round(upu_loss(scores, s, 0.4).item(), 4)
    0.201
    """
    check_reduction(reduction)
    z, prior, loss_pos, loss_neg, pos, unl, n_p, n_u, weight = _pu_parts(
        scores, s, prior, loss, weight
    )
    n = z.shape[0]
    contributions = n * (
        pos * prior * (loss_pos - loss_neg) / n_p + unl * loss_neg / n_u
    )
    return reduce_loss(contributions, reduction, weight)


def _check_batch_reduction(reduction, what):
    check_reduction(reduction)
    if reduction == "none":
        raise ValueError(
            f"reduction='none' is not defined for {what}: the max over the "
            "batch's negative risk has no per-sample form; use 'mean' or 'sum'."
        )


def nnpu_loss(
    scores,
    s,
    prior,
    *,
    loss="sigmoid",
    beta=0.0,
    gamma=1.0,
    weight=None,
    reduction="mean",
):
    r"""Training objective of non-negative PU learning (nnPU).

    With :math:`r = R_u^- - \pi R_p^-`, returns

    .. math::

        J = \begin{cases}
            \pi R_p^+ + r & \text{if } r \ge -\beta, \\
            -\gamma\, r & \text{otherwise,}
        \end{cases}

    whose gradient is the update of Kiryo et al. (Algorithm 1): a descent step on
    the uPU risk while its negative part stays above :math:`-\beta`, else an ascent
    step on :math:`r` alone, shrunk by :math:`\gamma`. Minimise :math:`J`; report
    :func:`nnpu_risk`.

    Parameters
    ----------
    scores : Tensor of shape (n_samples,) or (n_samples, 1)
        Real-valued classifier outputs :math:`g(x)`.
    s : Tensor of shape (n_samples,)
        PU labels, bool or integer: 1 for a labelled positive, 0 for an
        unlabelled row.
    prior : float in (0, 1) or 0-d Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    beta : float, default=0.0
        Tolerance :math:`\beta \ge 0` on the negative part before the correction
        starts.
    gamma : float, default=1.0
        Step-size factor :math:`\gamma \in [0, 1]` of the corrective ascent step.
    weight : Tensor of shape (n_samples,), default=None
        Per-sample weights; each group mean becomes ``sum(w * loss) / n_group``.
    reduction : {"mean", "sum"}, default="mean"
        ``"mean"`` returns :math:`J`, ``"sum"`` returns ``N * J``. ``"none"`` raises
        a ValueError: the case split is over the batch, not per sample.

    Returns
    -------
    objective : Tensor of shape ()
        The training objective :math:`J` (not the nnPU risk when the correction
        is active; see :func:`nnpu_risk`).

    See Also
    --------
    NonNegativePULoss : The module form.
    nnpu_risk : The nnPU risk estimate, for reporting.
    upu_loss : The unbiased risk, equal to :math:`J` while :math:`r \ge -\beta`.

    Notes
    -----
    The choice between the two cases is a ``torch.where`` on 0-d tensors, so it
    runs on the device without synchronising. The official code (chainer,
    ``pu_loss.py``) does the same with ``if negative_risk.data < -beta`` and keeps
    two values per batch: the one it back-propagates (:math:`J` here) and the one
    it reports.

    References
    ----------
    .. [1] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (6) and Algorithm 1.

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import nnpu_loss
    >>> scores = torch.tensor([2.0, 1.0, -1.0, 0.5])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> round(nnpu_loss(scores, s, 0.4).item(), 4)
    0.201
    """
    _check_nnpu_params(beta, gamma)
    _check_batch_reduction(reduction, "nnpu_loss")
    positive_risk, negative_risk = pu_risk_terms(
        scores, s, prior, loss=loss, weight=weight
    )
    objective = _nnpu_objective(positive_risk, negative_risk, beta, gamma)
    return _reduced(objective, reduction, scores)


def _nnpu_objective(positive_risk, negative_risk, beta, gamma):
    """Kiryo et al.'s update as an objective, from the two risk terms."""
    return torch.where(
        negative_risk >= -beta,
        positive_risk + negative_risk,
        -gamma * negative_risk,
    )


def _nnpu_risk(positive_risk, negative_risk):
    """The nnPU risk estimate (Eq. 6), from the two risk terms."""
    return positive_risk + negative_risk.clamp(min=0.0)


def _reduced(value, reduction, scores):
    """A batch mean as the ``reduction`` asks: itself, or ``N`` times it."""
    return value * scores.shape[0] if reduction == "sum" else value


def nnpu_risk(scores, s, prior, *, loss="sigmoid", weight=None, reduction="mean"):
    r"""Non-negative PU risk estimate (nnPU), the value to report.

    .. math::

        \tilde{R}_{\mathrm{nnPU}} = \pi R_p^+ + \max(0, R_u^- - \pi R_p^-).

    Parameters
    ----------
    scores : Tensor of shape (n_samples,) or (n_samples, 1)
        Real-valued classifier outputs :math:`g(x)`.
    s : Tensor of shape (n_samples,)
        PU labels, bool or integer: 1 for a labelled positive, 0 for an
        unlabelled row.
    prior : float in (0, 1) or 0-d Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    weight : Tensor of shape (n_samples,), default=None
        Per-sample weights; each group mean becomes ``sum(w * loss) / n_group``.
    reduction : {"mean", "sum"}, default="mean"
        ``"mean"`` returns the risk, ``"sum"`` ``N`` times it; ``"none"`` raises
        a ValueError.

    Returns
    -------
    risk : Tensor of shape ()
        The nnPU risk, at least :math:`\pi R_p^+`.

    See Also
    --------
    nnpu_loss : The objective to minimise, whose gradient is nnPU's update.

    Notes
    -----
    This is the estimator of the paper (Eq. 6). The official code reports
    :math:`\pi R_p^+ - \beta` when :math:`r < -\beta` and :math:`\pi R_p^+ + r`
    otherwise; the two agree for the default :math:`\beta = 0`.

    References
    ----------
    .. [1] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (6).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import nnpu_risk
    >>> scores = torch.tensor([5.0, 4.0, -3.0, -4.0])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> round(nnpu_risk(scores, s, 0.4).item(), 4)
    0.0049
    """
    _check_batch_reduction(reduction, "nnpu_risk")
    positive_risk, negative_risk = pu_risk_terms(
        scores, s, prior, loss=loss, weight=weight
    )
    return _reduced(_nnpu_risk(positive_risk, negative_risk), reduction, scores)


class _PULossBase(nn.Module):
    """Holds the prior as a float64 buffer so ``.to(device)`` moves it."""

    def __init__(self, prior, loss, reduction):
        super().__init__()
        if isinstance(prior, torch.Tensor) and prior.ndim == 0:
            # A 0-d tensor, as the functional form takes; its value is checked
            # once here, where that costs nothing per batch.
            prior = float(prior.detach().cpu())
        check_scalar(prior, "prior", low=0.0, high=1.0, closed="neither")
        _check_loss_name(loss)
        self.register_buffer("prior", torch.tensor(float(prior), dtype=torch.float64))
        self.loss = loss
        self.reduction = reduction

    def extra_repr(self):
        return f"prior={float(self.prior):g}, loss={self.loss!r}"


class UnbiasedPULoss(_PULossBase):
    r"""Unbiased PU risk (uPU) as a module.

    .. math::

        R_{\mathrm{uPU}} = \pi R_p^+ + R_u^- - \pi R_p^-.

    Parameters
    ----------
    prior : float in (0, 1) or 0-d torch.Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
        Stored as a float64 buffer, so ``.to(device)`` moves it.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    reduction : {"mean", "sum", "none"}, default="mean"
        As in :func:`upu_loss`.

    See Also
    --------
    upu_loss : The functional form, with the formulas.
    NonNegativePULoss : The non-negative variant.

    References
    ----------
    .. [1] M. C. du Plessis, G. Niu, M. Sugiyama, "Analysis of Learning from
       Positive and Unlabeled Data", NeurIPS 2014.
    .. [2] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (5).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import UnbiasedPULoss
    >>> scores = torch.tensor([2.0, 1.0, -1.0, 0.5])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> round(UnbiasedPULoss(prior=0.4)(scores, s).item(), 4)
    0.201
    """

    def __init__(self, prior, loss="sigmoid", reduction="mean"):
        check_reduction(reduction)
        super().__init__(prior, loss, reduction)

    def forward(self, scores, s, weight=None):
        """Return the uPU risk of a batch.

        Parameters
        ----------
        scores : Tensor of shape (n_samples,) or (n_samples, 1)
            Real-valued classifier outputs.
        s : Tensor of shape (n_samples,)
            PU labels: 1 labelled positive, 0 unlabelled.
        weight : Tensor of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        loss : Tensor
            As :func:`upu_loss` returns it.
        """
        return upu_loss(
            scores,
            s,
            self.prior,
            loss=self.loss,
            weight=weight,
            reduction=self.reduction,
        )

    def _objective_and_risk(self, scores, s, weight=None):
        """The objective and the risk to report: for uPU the same value, so
        a training step computes it once."""
        risk = self(scores, s, weight)
        return risk, risk


class NonNegativePULoss(_PULossBase):
    r"""Non-negative PU learning (nnPU) objective as a module.

    ``forward`` returns the training objective of :func:`nnpu_loss`, whose
    gradient is nnPU's update; :meth:`risk` returns the nnPU risk to report.

    Parameters
    ----------
    prior : float in (0, 1) or 0-d torch.Tensor
        Class prior :math:`\pi` of the population the unlabelled rows come from.
        Stored as a float64 buffer, so ``.to(device)`` moves it.
    loss : {"sigmoid", "logistic"}, default="sigmoid"
        Margin loss :math:`\ell`.
    beta : float, default=0.0
        Tolerance :math:`\beta \ge 0` on the negative part before the correction
        starts.
    gamma : float, default=1.0
        Step-size factor :math:`\gamma \in [0, 1]` of the corrective ascent step.
    reduction : {"mean", "sum"}, default="mean"
        As in :func:`nnpu_loss`; ``"none"`` is rejected.

    See Also
    --------
    nnpu_loss : The functional form, with the formulas.
    nnpu_risk : The risk to report.
    UnbiasedPULoss : The uncorrected risk.

    References
    ----------
    .. [1] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593, Eq. (6) and Algorithm 1.

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import NonNegativePULoss
    >>> scores = torch.tensor([5.0, 4.0, -3.0, -4.0])
    >>> s = torch.tensor([1, 1, 0, 0])
    >>> criterion = NonNegativePULoss(prior=0.4)
    >>> objective = criterion(scores, s)
    >>> round(objective.item(), 4), round(criterion.risk(scores, s).item(), 4)
    (0.3624, 0.0049)
    """

    def __init__(self, prior, loss="sigmoid", beta=0.0, gamma=1.0, reduction="mean"):
        _check_nnpu_params(beta, gamma)
        _check_batch_reduction(reduction, "NonNegativePULoss")
        super().__init__(prior, loss, reduction)
        self.beta = beta
        self.gamma = gamma

    def extra_repr(self):
        return f"{super().extra_repr()}, beta={self.beta:g}, gamma={self.gamma:g}"

    def forward(self, scores, s, weight=None):
        """Return the nnPU training objective of a batch.

        Parameters
        ----------
        scores : Tensor of shape (n_samples,) or (n_samples, 1)
            Real-valued classifier outputs.
        s : Tensor of shape (n_samples,)
            PU labels: 1 labelled positive, 0 unlabelled.
        weight : Tensor of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        objective : Tensor of shape ()
            As :func:`nnpu_loss` returns it.
        """
        return nnpu_loss(
            scores,
            s,
            self.prior,
            loss=self.loss,
            beta=self.beta,
            gamma=self.gamma,
            weight=weight,
            reduction=self.reduction,
        )

    def risk(self, scores, s, weight=None):
        """Return the nnPU risk of a batch, the value to report.

        Parameters
        ----------
        scores : Tensor of shape (n_samples,) or (n_samples, 1)
            Real-valued classifier outputs.
        s : Tensor of shape (n_samples,)
            PU labels: 1 labelled positive, 0 unlabelled.
        weight : Tensor of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        risk : Tensor of shape ()
            As :func:`nnpu_risk` returns it.
        """
        return nnpu_risk(
            scores,
            s,
            self.prior,
            loss=self.loss,
            weight=weight,
            reduction=self.reduction,
        )

    def _objective_and_risk(self, scores, s, weight=None):
        """The training objective and the risk to report, from one pass over
        the batch (a training step needs both; two calls compute the terms
        twice)."""
        positive_risk, negative_risk = pu_risk_terms(
            scores, s, self.prior, loss=self.loss, weight=weight
        )
        objective = _nnpu_objective(positive_risk, negative_risk, self.beta, self.gamma)
        risk = _nnpu_risk(positive_risk, negative_risk)
        return (
            _reduced(objective, self.reduction, scores),
            _reduced(risk, self.reduction, scores),
        )


def _check_multilabel(logits, targets, logits_name, targets_name):
    if not isinstance(logits, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError(
            f"{logits_name} and {targets_name} must be torch tensors; got "
            f"{type(logits).__name__} and {type(targets).__name__}."
        )
    if logits.ndim != 2:
        raise ValueError(
            f"{logits_name} must have shape (n_samples, n_classes); got shape "
            f"{tuple(logits.shape)}."
        )
    if not logits.is_floating_point():
        raise TypeError(f"{logits_name} must be a floating tensor; got {logits.dtype}.")
    if targets.shape != logits.shape:
        raise ValueError(
            f"{targets_name} must have the shape of {logits_name}, "
            f"{tuple(logits.shape)}; got shape {tuple(targets.shape)}."
        )


def _reduce_classes(per_class, reduction):
    if reduction == "mean":
        return per_class.mean()
    if reduction == "sum":
        return per_class.sum()
    return per_class


def pu_mlc_loss(
    logits, targets, *, alpha_t=1.0, gamma=0.55, weight=None, reduction="mean"
):
    r"""Variational PU loss for multi-label classification (PU-MLC).

    Each of the ``K`` labels is a PU problem: the rows with ``targets[:, k] == 1``
    are labelled positives, all other entries are unlabelled, and no negative is
    observed. With logits :math:`Z` of shape (N, K), a per-class temperature and
    the tempered sigmoid

    .. math::

        \tau_k = \max(\min(\alpha_T \operatorname{std}(Z_{:,k}), 1), 10^{-6}),
        \qquad \sigma_{ik} = \sigma(Z_{ik} / \tau_k),

    the per-class loss is VPU's variational objective with a re-balance weight,

    .. math::

        L_k = w_k \log\Big(\frac{1}{N} \sum_i \sigma_{ik} + \epsilon\Big)
              - \frac{1}{n_k} \sum_{i : y_{ik} = 1} \log(\sigma_{ik} + \epsilon),
        \qquad w_k = \Big(\frac{1}{N} \sum_i \sigma_{ik}\Big)^{\gamma},

    where the first mean runs over *all* rows (labelled positives included, as in
    the authors' code), :math:`n_k` is the number of positives of class ``k`` in
    the batch, and :math:`\tau_k` and :math:`w_k` carry no gradient. A class with
    no positive in the batch has no second term. The authors' objective is
    :math:`\sum_k L_k`.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes)
        Per-label logits :math:`Z`.
    targets : Tensor of shape (n_samples, n_classes)
        Indicator of the observed labels: 1 marks a positive label, any other
        value an unlabelled entry.
    alpha_t : float, default=1.0
        Temperature scale :math:`\alpha_T > 0` (1.0 on COCO, 2.0 on VOC in the
        paper's configurations).
    gamma : float, default=0.55
        Re-balance exponent :math:`\gamma \ge 0` (0.55 on COCO, 0.85 on VOC);
        0 turns the re-balancing off.
    weight : Tensor of shape (n_samples,), default=None
        Per-sample weights, applied inside both batch means as
        ``sum(w * x) / count``; the temperature ignores them.
    reduction : {"mean", "sum", "none"}, default="mean"
        The loss is a batch-level quantity, so the reduction runs over *classes*:
        ``"none"`` returns the vector :math:`(L_k)` of shape (n_classes,),
        ``"sum"`` returns :math:`\sum_k L_k` (the authors' loss) and ``"mean"``
        returns :math:`\frac{1}{K} \sum_k L_k`, so ``sum == mean * K``.

    Returns
    -------
    loss : Tensor
        Shape () for "mean" and "sum", (n_classes,) for "none".

    See Also
    --------
    PUMultiLabelLoss : The module form.
    pu_mlc_mixup_regularizer : The mixup term added to this loss in training.

    Notes
    -----
    The temperature uses the population standard deviation of each logit column
    over the batch. A constant column has a zero standard deviation, where the
    authors' code divides by zero; :math:`\tau_k` is floored at :math:`10^{-6}`
    here (at the input dtype's machine epsilon for float16 and bfloat16 inputs,
    whose gradient :math:`1/\tau_k` would otherwise overflow). The authors add
    :math:`\epsilon = 10^{-10}` inside the logarithms; here
    :math:`\epsilon` is the dtype's machine epsilon (``probability_floor``), which
    keeps the gradient :math:`1/(\sigma + \epsilon)` finite in float16 too. The
    loss is computed in float32 for float16 and bfloat16 inputs (the authors' AMP
    set-up does the same). The loss is negative in general: it is a variational
    bound, not a likelihood.

    References
    ----------
    .. [1] Z. Yuan, K. Zhang, T. Huang, "Positive Label Is All You Need for
       Multi-Label Classification", IEEE ICME 2024 (arXiv:2306.16016, id
       unverified); official code ``src/loss_functions/vpu_loss.py``.
    .. [2] H. Chen, F. Liu, Y. Wang, L. Zhao, H. Wu, "A Variational Approach for
       Learning from Positive and Unlabeled Data", NeurIPS 2020,
       arXiv:2006.14269, Eq. (8).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import pu_mlc_loss
    >>> logits = torch.tensor([[2.0, -1.0], [0.5, 1.0], [-1.0, 0.0]])
    >>> targets = torch.tensor([[1, 0], [0, 1], [0, 0]])
    >>> round(pu_mlc_loss(logits, targets, reduction="sum").item(), 4)
    -0.483
    """
    check_scalar(alpha_t, "alpha_t", low=0.0, closed="neither")
    check_scalar(gamma, "gamma", low=0.0)
    check_reduction(reduction)
    _check_multilabel(logits, targets, "logits", "targets")
    n = logits.shape[0]
    check_weight(weight, n)
    z = upcast_half(logits)
    eps = probability_floor(z.dtype)
    # The temperature is a statistic of the batch, not a function to
    # differentiate (the authors detach it); detaching first also avoids the
    # NaN gradient of std at a constant column.
    spread = z.detach().std(dim=0, correction=0)
    # A float16 input gets its gradient back in float16, which overflows past
    # 65504: the gradient of z / tau is 1 / tau, so tau is floored at the input
    # dtype's eps (about 1e-3) there, and at 1e-6 otherwise.
    min_tau = max(_MIN_TEMPERATURE, torch.finfo(logits.dtype).eps)
    tau = (alpha_t * spread).clamp(min=min_tau, max=1.0)
    sig = torch.sigmoid(z / tau)
    positive = (targets == 1).to(z.dtype)
    if weight is None:
        weighted_sig = sig
        weighted_pos = positive
    else:
        w = weight.to(z)[:, None]
        weighted_sig = w * sig
        weighted_pos = w * positive
    mean_sig = weighted_sig.sum(dim=0) / n
    rebalance = mean_sig.detach().pow(gamma)
    unlabelled_term = rebalance * torch.log(mean_sig + eps)
    # A class without positives has a zero numerator, so the floored count
    # gives it a zero positive term (the authors zero the reciprocal count).
    n_pos = positive.sum(dim=0).clamp(min=1.0)
    positive_term = (weighted_pos * torch.log(sig + eps)).sum(dim=0) / n_pos
    return _reduce_classes(unlabelled_term - positive_term, reduction)


def pu_mlc_mixup_regularizer(mixed_logits, mixed_targets, *, reduction="mean"):
    r"""Mixup regulariser of PU-MLC (from VPU), on an already mixed batch.

    For mixed inputs :math:`\tilde{x}` with mixed targets :math:`\tilde{t}` and the
    logits :math:`\tilde{Z}` of a second forward pass on :math:`\tilde{x}`,

    .. math::

        \mathrm{reg}_k = \frac{1}{M} \sum_{i=1}^{M}
            \big(\log(\tilde{t}_{ik} + \epsilon)
                 - \log(\sigma(\tilde{Z}_{ik}) + \epsilon)\big)^2,

    with the plain sigmoid (no temperature). The authors' total loss is
    ``pu_mlc_loss(..., reduction="sum") + pu_mlc_mixup_regularizer(...,
    reduction="sum")``.

    Parameters
    ----------
    mixed_logits : Tensor of shape (n_mixed, n_classes)
        Logits of the model on the mixed inputs.
    mixed_targets : Tensor of shape (n_mixed, n_classes)
        Mixed soft targets in [0, 1], built as in the Notes.
    reduction : {"mean", "sum", "none"}, default="mean"
        Over classes, as in :func:`pu_mlc_loss`: ``"none"`` returns
        :math:`(\mathrm{reg}_k)` of shape (n_classes,), ``"sum"`` their sum,
        ``"mean"`` their mean.

    Returns
    -------
    reg : Tensor
        Shape () for "mean" and "sum", (n_classes,) for "none".

    See Also
    --------
    pu_mlc_loss : The variational loss this term is added to.

    Notes
    -----
    Building the mixed batch (METHODS.md B8, step 4; the authors' ``mixup``
    module), from inputs ``X`` of N rows, their logits ``Z`` from the first
    forward pass and the indicator ``targets``:

    1. ``pos = (targets == 1).float()`` and ``t = pos + torch.sigmoid(Z) * (1 - pos)``
       (the sigmoid without temperature).
    2. ``h = N // 2``; the two halves are rows ``[:h]`` and ``[N - h:]`` of ``X``
       and ``t`` (the middle row of an odd batch is left out).
    3. ``perm = torch.randperm(h)``, ``lam ~ Beta(0.3, 0.3)``.
    4. ``x_mix = lam * X1[perm] + (1 - lam) * X2``, ``t_mix = lam * t1[perm] +
       (1 - lam) * t2``.
    5. ``Z_mix = model(x_mix)``, then this function on ``(Z_mix, t_mix)``.

    The authors do not detach ``t``, so the regulariser also pushes the first
    pass's probabilities; call ``t.detach()`` for fixed targets. An empty mixed
    batch gives 0.

    References
    ----------
    .. [1] Z. Yuan, K. Zhang, T. Huang, "Positive Label Is All You Need for
       Multi-Label Classification", IEEE ICME 2024 (arXiv:2306.16016, id
       unverified); official code ``src/loss_functions/vpu_loss.py``.
    .. [2] H. Chen, F. Liu, Y. Wang, L. Zhao, H. Wu, "A Variational Approach for
       Learning from Positive and Unlabeled Data", NeurIPS 2020,
       arXiv:2006.14269, Eq. (10).

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import pu_mlc_mixup_regularizer
    >>> mixed_logits = torch.tensor([[1.0, -2.0], [0.0, 0.5]])
    >>> mixed_targets = torch.tensor([[0.9, 0.1], [0.5, 0.7]])
    >>> round(pu_mlc_mixup_regularizer(mixed_logits, mixed_targets).item(), 4)
    0.022
    """
    check_reduction(reduction)
    _check_multilabel(mixed_logits, mixed_targets, "mixed_logits", "mixed_targets")
    z = upcast_half(mixed_logits)
    eps = probability_floor(z.dtype)
    t = mixed_targets.to(z)
    sq = (torch.log(t + eps) - torch.log(torch.sigmoid(z) + eps)).square()
    per_class = sq.sum(dim=0) / max(z.shape[0], 1)
    return _reduce_classes(per_class, reduction)


class PUMultiLabelLoss(nn.Module):
    r"""Variational PU loss for multi-label classification (PU-MLC), as a module.

    Every label is a PU problem whose only observations are positive labels; see
    :func:`pu_mlc_loss` for the formula. Add
    :func:`pu_mlc_mixup_regularizer` on a mixed second batch for the authors'
    full objective.

    Parameters
    ----------
    alpha_t : float, default=1.0
        Temperature scale :math:`\alpha_T > 0` (1.0 on COCO, 2.0 on VOC in the
        paper's configurations).
    gamma : float, default=0.55
        Re-balance exponent :math:`\gamma \ge 0` (0.55 on COCO, 0.85 on VOC);
        0 turns the re-balancing off.
    reduction : {"mean", "sum", "none"}, default="mean"
        Over classes, as in :func:`pu_mlc_loss`; ``"sum"`` is the authors' loss.

    See Also
    --------
    pu_mlc_loss : The functional form, with the formulas.
    pu_mlc_mixup_regularizer : The mixup term.

    References
    ----------
    .. [1] Z. Yuan, K. Zhang, T. Huang, "Positive Label Is All You Need for
       Multi-Label Classification", IEEE ICME 2024 (arXiv:2306.16016, id
       unverified); official code ``src/loss_functions/vpu_loss.py``.

    Examples
    --------
    >>> import torch
    >>> from skrobust.losses import PUMultiLabelLoss
    >>> logits = torch.tensor([[2.0, -1.0], [0.5, 1.0], [-1.0, 0.0]])
    >>> targets = torch.tensor([[1, 0], [0, 1], [0, 0]])
    >>> round(PUMultiLabelLoss(reduction="sum")(logits, targets).item(), 4)
    -0.483
    """

    def __init__(self, alpha_t=1.0, gamma=0.55, reduction="mean"):
        super().__init__()
        check_scalar(alpha_t, "alpha_t", low=0.0, closed="neither")
        check_scalar(gamma, "gamma", low=0.0)
        check_reduction(reduction)
        self.alpha_t = alpha_t
        self.gamma = gamma
        self.reduction = reduction

    def extra_repr(self):
        return f"alpha_t={self.alpha_t:g}, gamma={self.gamma:g}"

    def forward(self, logits, targets, weight=None):
        """Return the PU-MLC loss of a batch.

        Parameters
        ----------
        logits : Tensor of shape (n_samples, n_classes)
            Per-label logits.
        targets : Tensor of shape (n_samples, n_classes)
            Indicator of the observed labels: 1 marks a positive label.
        weight : Tensor of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        loss : Tensor
            As :func:`pu_mlc_loss` returns it.
        """
        return pu_mlc_loss(
            logits,
            targets,
            alpha_t=self.alpha_t,
            gamma=self.gamma,
            weight=weight,
            reduction=self.reduction,
        )
