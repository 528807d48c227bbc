"""Tests of the PU risks (uPU, nnPU) and the multi-label PU-MLC loss."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrobust.losses._pu import (
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

F64 = torch.float64
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def softplus(x):
    return math.log1p(math.exp(x))


# Two labelled positives and two unlabelled rows, shared by the value tests.
SCORES = [2.0, 1.0, -1.0, 0.5]
S = [1, 1, 0, 0]
PRIOR = 0.4


def _batch(dtype=F64):
    return torch.tensor(SCORES, dtype=dtype), torch.tensor(S)


# --------------------------------------------------------------------------- uPU


@pytest.mark.parametrize(
    "loss, ell", [("sigmoid", lambda z, t: sig(-t * z)), ("logistic", None)]
)
def test_pu_risk_terms_hand_computed(loss, ell):
    if ell is None:
        ell = lambda z, t: softplus(-t * z)  # noqa: E731
    # pi * R_p+ = 0.4 * (l(2, +1) + l(1, +1)) / 2
    # R_u- - pi * R_p- = (l(-1, -1) + l(0.5, -1)) / 2 - 0.4 * (l(2, -1) + l(1, -1)) / 2
    expected_pos = PRIOR * (ell(2.0, 1) + ell(1.0, 1)) / 2
    expected_neg = (ell(-1.0, -1) + ell(0.5, -1)) / 2 - PRIOR * (
        ell(2.0, -1) + ell(1.0, -1)
    ) / 2
    pos, neg = pu_risk_terms(*_batch(), PRIOR, loss=loss)
    torch.testing.assert_close(pos, torch.tensor(expected_pos, dtype=F64))
    torch.testing.assert_close(neg, torch.tensor(expected_neg, dtype=F64))
    risk = upu_loss(*_batch(), PRIOR, loss=loss)
    torch.testing.assert_close(
        risk, torch.tensor(expected_pos + expected_neg, dtype=F64)
    )


def test_pu_risk_terms_sigmoid_numbers():
    # sigmoid(-2) = 0.119203, sigmoid(-1) = 0.268941 -> pi R_p+ = 0.4 * 0.194072
    pos, neg = pu_risk_terms(*_batch(), PRIOR)
    assert abs(pos.item() - 0.4 * 0.1940720) < 1e-6
    # R_u- = (0.268941 + 0.622459) / 2, R_p- = (0.880797 + 0.731059) / 2
    assert abs(neg.item() - (0.4457002 - 0.4 * 0.8059280)) < 1e-6


def test_upu_equals_supervised_risk_when_unlabelled_is_exact_mixture():
    # U holds a copy of every positive plus the negatives, so its positive share is
    # the prior and its positive part has P's empirical law: uPU is then exactly
    # the supervised risk pi * mean_P l(g, +1) + (1 - pi) * mean_N l(g, -1).
    g_pos = torch.tensor([1.5, 0.3, -0.2], dtype=F64)
    g_neg = torch.tensor([-2.0, 0.7, -0.4, 0.1, -1.1, 0.9], dtype=F64)
    scores = torch.cat([g_pos, g_pos, g_neg])
    s = torch.tensor([1] * 3 + [0] * 9)
    prior = 3 / 9
    for loss in ("sigmoid", "logistic"):
        lpos = (
            torch.sigmoid(-g_pos)
            if loss == "sigmoid"
            else torch.nn.functional.softplus(-g_pos)
        )
        lneg = (
            torch.sigmoid(g_neg)
            if loss == "sigmoid"
            else torch.nn.functional.softplus(g_neg)
        )
        supervised = prior * lpos.mean() + (1 - prior) * lneg.mean()
        torch.testing.assert_close(upu_loss(scores, s, prior, loss=loss), supervised)


def test_upu_reductions():
    scores, s = _batch()
    mean = upu_loss(scores, s, PRIOR)
    total = upu_loss(scores, s, PRIOR, reduction="sum")
    per_sample = upu_loss(scores, s, PRIOR, reduction="none")
    assert per_sample.shape == (4,)
    torch.testing.assert_close(total, mean * 4)
    torch.testing.assert_close(per_sample.mean(), mean)
    # c_0 = N * pi * (l(2, +1) - l(2, -1)) / n_p = 4 * 0.4 * (sig(-2) - sig(2)) / 2
    assert abs(per_sample[0].item() - 4 * 0.4 * (sig(-2) - sig(2)) / 2) < 1e-12
    # c_2 = N * l(-1, -1) / n_u = 4 * sig(-1) / 2
    assert abs(per_sample[2].item() - 4 * sig(-1) / 2) < 1e-12


def test_upu_scores_column_accepted():
    scores, s = _batch()
    torch.testing.assert_close(
        upu_loss(scores[:, None], s, PRIOR), upu_loss(scores, s, PRIOR)
    )


def test_pu_bool_and_int_s_agree():
    scores, s = _batch()
    torch.testing.assert_close(
        upu_loss(scores, s.bool(), PRIOR), upu_loss(scores, s, PRIOR)
    )


def test_pu_weight_scales_group_sums():
    scores, s = _batch()
    weight = torch.tensor([2.0, 1.0, 1.0, 3.0], dtype=F64)
    pos, neg = pu_risk_terms(scores, s, PRIOR, weight=weight)
    # Group means become sum(w * l) / n_group, with the unweighted counts.
    assert abs(pos.item() - PRIOR * (2 * sig(-2) + sig(-1)) / 2) < 1e-12
    expected_neg = (sig(-1) + 3 * sig(0.5)) / 2 - PRIOR * (2 * sig(2) + sig(1)) / 2
    assert abs(neg.item() - expected_neg) < 1e-12
    torch.testing.assert_close(upu_loss(scores, s, PRIOR, weight=weight), pos + neg)
    ones = torch.ones(4, dtype=F64)
    torch.testing.assert_close(
        upu_loss(scores, s, PRIOR, weight=ones), upu_loss(scores, s, PRIOR)
    )


def test_pu_empty_group_gives_zero_term():
    scores = torch.tensor([0.3, -0.2], dtype=F64)
    pos, neg = pu_risk_terms(scores, torch.tensor([0, 0]), PRIOR)
    assert pos.item() == 0.0
    assert abs(neg.item() - (sig(0.3) + sig(-0.2)) / 2) < 1e-12
    pos, neg = pu_risk_terms(scores, torch.tensor([1, 1]), PRIOR)
    assert abs(neg.item() + PRIOR * (sig(0.3) + sig(-0.2)) / 2) < 1e-12


def test_upu_module_matches_function_and_moves_prior():
    module = UnbiasedPULoss(prior=PRIOR, loss="logistic", reduction="sum")
    assert module.prior.dtype == F64
    assert "prior" in dict(module.named_buffers())
    scores, s = _batch()
    torch.testing.assert_close(
        module(scores, s), upu_loss(scores, s, PRIOR, loss="logistic", reduction="sum")
    )
    # A float32 batch is computed in float32 against the float64 buffer.
    assert module(scores.float(), s).dtype == torch.float32


# -------------------------------------------------------------------------- nnPU


def _overfit_batch():
    # Unlabelled scores far below zero and positives far above: R_u- ~ 0 and
    # R_p- ~ 1, so r = R_u- - pi R_p- is close to -pi < 0.
    scores = torch.tensor([4.0, 3.0, -3.0, -5.0], dtype=F64, requires_grad=True)
    return scores, torch.tensor([1, 1, 0, 0])


def test_nnpu_equals_upu_when_negative_part_is_above_minus_beta():
    scores, s = _batch()
    _, neg = pu_risk_terms(scores, s, PRIOR)
    assert neg.item() > 0
    torch.testing.assert_close(nnpu_loss(scores, s, PRIOR), upu_loss(scores, s, PRIOR))
    torch.testing.assert_close(nnpu_risk(scores, s, PRIOR), upu_loss(scores, s, PRIOR))


def test_nnpu_tolerance_beta_keeps_upu_objective():
    scores, s = _overfit_batch()
    _, neg = pu_risk_terms(scores, s, PRIOR)
    # r is about -0.38; beta = 0.5 tolerates it, so the objective stays uPU.
    assert -0.5 < neg.item() < 0
    torch.testing.assert_close(
        nnpu_loss(scores, s, PRIOR, beta=0.5), upu_loss(scores, s, PRIOR)
    )


@pytest.mark.parametrize("gamma", [1.0, 0.3])
def test_nnpu_gradient_is_minus_gamma_grad_r_when_r_below_minus_beta(gamma):
    scores, s = _overfit_batch()
    objective = nnpu_loss(scores, s, PRIOR, gamma=gamma)
    (grad,) = torch.autograd.grad(objective, scores)
    _, neg = pu_risk_terms(scores, s, PRIOR)
    assert neg.item() < 0
    (grad_r,) = torch.autograd.grad(neg, scores)
    torch.testing.assert_close(objective, -gamma * neg)
    torch.testing.assert_close(grad, -gamma * grad_r)
    # The ascent step on r raises the unlabelled scores' negative loss: the
    # gradient on unlabelled rows is negative (their scores are pushed up).
    assert (grad[2:] < 0).all()


def test_nnpu_risk_is_at_least_positive_part():
    scores, s = _overfit_batch()
    pos, neg = pu_risk_terms(scores, s, PRIOR)
    risk = nnpu_risk(scores, s, PRIOR)
    torch.testing.assert_close(risk, pos)
    assert risk.item() >= pos.item()
    assert upu_loss(scores, s, PRIOR).item() < pos.item()


def test_nnpu_sum_and_none_reduction():
    scores, s = _overfit_batch()
    torch.testing.assert_close(
        nnpu_loss(scores, s, PRIOR, reduction="sum"), 4 * nnpu_loss(scores, s, PRIOR)
    )
    torch.testing.assert_close(
        nnpu_risk(scores, s, PRIOR, reduction="sum"), 4 * nnpu_risk(scores, s, PRIOR)
    )
    with pytest.raises(ValueError, match="reduction"):
        nnpu_loss(scores, s, PRIOR, reduction="none")
    with pytest.raises(ValueError, match="reduction"):
        nnpu_risk(scores, s, PRIOR, reduction="none")
    with pytest.raises(ValueError, match="reduction"):
        NonNegativePULoss(PRIOR, reduction="none")


def test_nnpu_module_objective_and_risk():
    module = NonNegativePULoss(prior=PRIOR, gamma=0.5)
    scores, s = _overfit_batch()
    torch.testing.assert_close(
        module(scores, s), nnpu_loss(scores, s, PRIOR, gamma=0.5)
    )
    torch.testing.assert_close(module.risk(scores, s), nnpu_risk(scores, s, PRIOR))
    state = module.state_dict()
    assert state["prior"].dtype == F64 and state["prior"].item() == PRIOR


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("prior", [0.0, 1.0, -0.2, 1.5])
def test_pu_prior_outside_open_interval_raises(prior):
    scores, s = _batch()
    for call in (
        lambda: upu_loss(scores, s, prior),
        lambda: nnpu_loss(scores, s, prior),
        lambda: pu_risk_terms(scores, s, prior),
        lambda: UnbiasedPULoss(prior),
        lambda: NonNegativePULoss(prior),
    ):
        with pytest.raises(ValueError, match="prior"):
            call()


def test_pu_prior_wrong_type_raises():
    with pytest.raises(TypeError, match="prior"):
        UnbiasedPULoss("0.3")
    with pytest.raises(ValueError, match="prior"):
        upu_loss(*_batch(), torch.tensor([0.3]))


def test_pu_modules_take_a_0d_tensor_prior_and_check_it():
    """The functional forms take a 0-d tensor; the modules refused one."""
    scores, s = _batch()
    for cls in (UnbiasedPULoss, NonNegativePULoss):
        torch.testing.assert_close(
            cls(torch.tensor(PRIOR))(scores, s), cls(PRIOR)(scores, s)
        )
        with pytest.raises(ValueError, match="prior"):
            cls(torch.tensor(1.5))
        with pytest.raises(TypeError, match="prior"):
            cls(torch.tensor([PRIOR]))


@pytest.mark.parametrize("gamma", [-0.1, 1.5])
def test_nnpu_gamma_outside_unit_interval_raises(gamma):
    with pytest.raises(ValueError, match="gamma"):
        nnpu_loss(*_batch(), PRIOR, gamma=gamma)
    with pytest.raises(ValueError, match="gamma"):
        NonNegativePULoss(PRIOR, gamma=gamma)


def test_nnpu_negative_beta_raises():
    with pytest.raises(ValueError, match="beta"):
        nnpu_loss(*_batch(), PRIOR, beta=-0.1)
    with pytest.raises(ValueError, match="beta"):
        NonNegativePULoss(PRIOR, beta=-0.1)


def test_pu_unknown_loss_raises():
    with pytest.raises(ValueError, match="loss"):
        upu_loss(*_batch(), PRIOR, loss="hinge")
    with pytest.raises(ValueError, match="loss"):
        UnbiasedPULoss(PRIOR, loss="hinge")


def test_pu_bad_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        upu_loss(*_batch(), PRIOR, reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        UnbiasedPULoss(PRIOR, reduction="avg")


@pytest.mark.parametrize("bad", [[1, 0, 2, 0], [1, 0, -1, 0]])
def test_pu_s_values_outside_zero_one_raise(bad):
    scores, _ = _batch()
    with pytest.raises(ValueError, match="s must"):
        upu_loss(scores, torch.tensor(bad), PRIOR)
    with pytest.raises(ValueError, match="s must"):
        nnpu_loss(scores, torch.tensor(bad), PRIOR)


def test_pu_shape_and_type_errors():
    scores, s = _batch()
    with pytest.raises(ValueError, match="s must have shape"):
        upu_loss(scores, s[:3], PRIOR)
    with pytest.raises(ValueError, match="scores"):
        upu_loss(torch.zeros(4, 2, dtype=F64), s, PRIOR)
    with pytest.raises(TypeError, match="s must"):
        upu_loss(scores, s.double(), PRIOR)
    with pytest.raises(TypeError, match="scores"):
        upu_loss(torch.tensor([1, 0, 1, 0]), s, PRIOR)
    with pytest.raises(ValueError, match="weight"):
        upu_loss(scores, s, PRIOR, weight=torch.ones(3))


# ------------------------------------------------------------------- numerics


@pytest.mark.parametrize("loss", ["sigmoid", "logistic"])
def test_pu_gradcheck(loss):
    scores = torch.tensor([1.3, -0.4, 0.2, -1.1, 0.8], dtype=F64, requires_grad=True)
    s = torch.tensor([1, 1, 0, 0, 0])
    weight = torch.tensor([1.0, 2.0, 0.5, 1.0, 1.5], dtype=F64)
    assert torch.autograd.gradcheck(
        lambda z: upu_loss(z, s, PRIOR, loss=loss, weight=weight, reduction="none"),
        (scores,),
    )
    # Both sides of the nnPU case split, away from r = -beta.
    assert torch.autograd.gradcheck(
        lambda z: nnpu_loss(z, s, PRIOR, loss=loss), (scores,)
    )
    over, s_over = _overfit_batch()
    assert torch.autograd.gradcheck(
        lambda z: nnpu_loss(z, s_over, PRIOR, loss=loss, gamma=0.7),
        (over.detach().requires_grad_(),),
    )


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("loss", ["sigmoid", "logistic"])
def test_pu_extreme_scores_finite(dtype, loss):
    scores = torch.tensor([1e4, -1e4, 1e4, -1e4], dtype=dtype, requires_grad=True)
    s = torch.tensor([1, 1, 0, 0])
    for fn in (upu_loss, nnpu_loss, nnpu_risk):
        value = fn(scores, s, PRIOR, loss=loss)
        (grad,) = torch.autograd.grad(value, scores)
        assert torch.isfinite(value)
        assert torch.isfinite(grad).all()


def test_pu_bfloat16_autocast_close_to_float32():
    scores = torch.linspace(-3, 3, 8).to(torch.bfloat16)
    s = torch.tensor([1, 0, 1, 0, 0, 1, 0, 0])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = upu_loss(scores, s, PRIOR)
        out_nn = nnpu_loss(scores, s, PRIOR)
    assert out.dtype == torch.float32
    assert torch.isfinite(out) and torch.isfinite(out_nn)
    # The same (bfloat16-rounded) scores in float32 give the same value.
    torch.testing.assert_close(out, upu_loss(scores.float(), s, PRIOR))
    torch.testing.assert_close(out_nn, nnpu_loss(scores.float(), s, PRIOR))


@cuda
def test_pu_cuda_matches_cpu():
    scores, s = _batch(torch.float32)
    cpu_u = UnbiasedPULoss(PRIOR)(scores, s)
    cpu_nn = NonNegativePULoss(PRIOR)(scores, s)
    gpu_u = UnbiasedPULoss(PRIOR).to("cuda")(scores.cuda(), s.cuda())
    gpu_nn = NonNegativePULoss(PRIOR).to("cuda")(scores.cuda(), s.cuda())
    torch.testing.assert_close(gpu_u.cpu(), cpu_u)
    torch.testing.assert_close(gpu_nn.cpu(), cpu_nn)


_scores = hnp.arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.floats(-30, 30, allow_nan=False),
)


@given(
    scores=_scores,
    data=st.data(),
    prior=st.floats(0.01, 0.99),
)
def test_pu_property_upu_formula_and_nnpu_nonnegative(scores, data, prior):
    n = scores.shape[0]
    s = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    z = torch.from_numpy(scores)
    st_ = torch.from_numpy(s)
    lpos, lneg = 1 / (1 + np.exp(scores)), 1 / (1 + np.exp(-scores))
    n_p, n_u = max(s.sum(), 1), max((1 - s).sum(), 1)
    expected = (
        prior * (s * lpos).sum() / n_p
        + ((1 - s) * lneg).sum() / n_u
        - prior * (s * lneg).sum() / n_p
    )
    assert abs(upu_loss(z, st_, prior).item() - expected) < 1e-10
    assert nnpu_risk(z, st_, prior).item() >= 0.0


# ------------------------------------------------------------------- PU-MLC

MLC_LOGITS = [[2.0, -1.0], [0.5, 1.0], [-1.0, 0.0]]
MLC_TARGETS = [[1, 0], [0, 1], [0, 0]]


def _mlc_reference(z, targets, alpha_t, gamma, eps):
    """Per-class PU-MLC loss with the temperature and weight as constants."""
    with torch.no_grad():
        tau = (alpha_t * z.std(dim=0, correction=0)).clamp(1e-6, 1.0)
        w = torch.sigmoid(z / tau).mean(dim=0) ** gamma
    sig_ = torch.sigmoid(z / tau)
    pos = (targets == 1).to(z.dtype)
    u = w * torch.log(sig_.mean(dim=0) + eps)
    p = (pos * torch.log(sig_ + eps)).sum(dim=0) / pos.sum(dim=0).clamp(min=1)
    return u - p


def test_pu_mlc_hand_computed():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    targets = torch.tensor(MLC_TARGETS)
    # Class 0: Z = (2, 0.5, -1), population std sqrt(1.5) > 1, so tau = 1.
    # mean sigma = (sig(2) + sig(0.5) + sig(-1)) / 3; w = mean^0.55;
    # L_0 = w * log(mean) - log sig(2).
    m0 = (sig(2) + sig(0.5) + sig(-1)) / 3
    l0 = m0**0.55 * math.log(m0) - math.log(sig(2))
    # Class 1: Z = (-1, 1, 0), std sqrt(2/3), tau = sqrt(2/3); Z / tau = (-a, a, 0).
    a = 1 / math.sqrt(2 / 3)
    m1 = (sig(-a) + sig(a) + 0.5) / 3  # = 0.5
    l1 = m1**0.55 * math.log(m1) - math.log(sig(a))
    out = pu_mlc_loss(logits, targets, reduction="none")
    assert out.shape == (2,)
    torch.testing.assert_close(out, torch.tensor([l0, l1], dtype=F64))
    torch.testing.assert_close(
        pu_mlc_loss(logits, targets, reduction="sum"), torch.tensor(l0 + l1, dtype=F64)
    )
    torch.testing.assert_close(
        pu_mlc_loss(logits, targets), torch.tensor((l0 + l1) / 2, dtype=F64)
    )
    assert abs(l0 + l1 - (-0.48299)) < 1e-4


def test_pu_mlc_class_without_positives_has_no_positive_term():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    targets = torch.tensor([[1, 0], [0, 0], [0, 0]])
    out = pu_mlc_loss(logits, targets, reduction="none")
    a = 1 / math.sqrt(2 / 3)
    m1 = (sig(-a) + sig(a) + 0.5) / 3
    # Only the unlabelled term is left: w * log(mean sigma).
    assert abs(out[1].item() - m1**0.55 * math.log(m1)) < 1e-12
    assert torch.isfinite(out).all()


def test_pu_mlc_targets_other_than_one_are_unlabelled():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    plain = pu_mlc_loss(logits, torch.tensor(MLC_TARGETS))
    coded = pu_mlc_loss(logits, torch.tensor([[1, -1], [0, 1], [-1, 0]]))
    torch.testing.assert_close(plain, coded)


def test_pu_mlc_constant_column_finite():
    logits = torch.tensor(
        [[3.0, -2.0], [3.0, 0.5], [3.0, 1.0]], dtype=F64, requires_grad=True
    )
    targets = torch.tensor([[1, 1], [0, 0], [1, 0]])
    out = pu_mlc_loss(logits, targets, reduction="sum")
    (grad,) = torch.autograd.grad(out, logits)
    assert torch.isfinite(out)
    assert torch.isfinite(grad).all()
    negative = torch.tensor([[-3.0, 0.0], [-3.0, 1.0]], dtype=F64, requires_grad=True)
    out = pu_mlc_loss(negative, torch.tensor([[1, 0], [0, 1]]), reduction="sum")
    (grad,) = torch.autograd.grad(out, negative)
    assert torch.isfinite(out) and torch.isfinite(grad).all()


def test_pu_mlc_gradient_treats_temperature_and_weight_as_constants():
    logits = torch.tensor(MLC_LOGITS, dtype=F64, requires_grad=True)
    targets = torch.tensor(MLC_TARGETS)
    eps = torch.finfo(F64).eps
    (grad,) = torch.autograd.grad(pu_mlc_loss(logits, targets, reduction="sum"), logits)
    (ref,) = torch.autograd.grad(
        _mlc_reference(logits, targets, 1.0, 0.55, eps).sum(), logits
    )
    torch.testing.assert_close(grad, ref)


def test_pu_mlc_gradcheck():
    # A large alpha_t pins tau at 1 and gamma = 0 makes w = 1, so the detached
    # statistics do not move under gradcheck's finite differences.
    logits = torch.tensor(
        [[1.2, -0.7, 0.3], [-0.5, 0.9, 1.4], [0.4, 0.1, -1.3], [2.0, -1.5, 0.0]],
        dtype=F64,
        requires_grad=True,
    )
    targets = torch.tensor([[1, 0, 0], [0, 1, 1], [0, 0, 0], [1, 0, 0]])
    weight = torch.tensor([1.0, 0.5, 2.0, 1.0], dtype=F64)
    assert torch.autograd.gradcheck(
        lambda z: pu_mlc_loss(
            z, targets, alpha_t=50.0, gamma=0.0, weight=weight, reduction="none"
        ),
        (logits,),
    )


def test_pu_mlc_weight():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    targets = torch.tensor(MLC_TARGETS)
    ones = torch.ones(3, dtype=F64)
    torch.testing.assert_close(
        pu_mlc_loss(logits, targets, weight=ones), pu_mlc_loss(logits, targets)
    )
    weight = torch.tensor([2.0, 1.0, 1.0], dtype=F64)
    out = pu_mlc_loss(logits, targets, weight=weight, reduction="none")
    m0 = (2 * sig(2) + sig(0.5) + sig(-1)) / 3
    expected0 = m0**0.55 * math.log(m0) - 2 * math.log(sig(2))
    assert abs(out[0].item() - expected0) < 1e-12


def test_pu_mlc_reduction_is_over_classes():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    targets = torch.tensor(MLC_TARGETS)
    torch.testing.assert_close(
        pu_mlc_loss(logits, targets, reduction="sum"), 2 * pu_mlc_loss(logits, targets)
    )


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_pu_mlc_extreme_logits_finite(dtype):
    logits = torch.tensor(
        [[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4]], dtype=dtype, requires_grad=True
    )
    targets = torch.tensor([[0, 1], [1, 0], [1, 1]])
    for fn in (
        lambda z: pu_mlc_loss(z, targets, reduction="sum"),
        lambda z: pu_mlc_mixup_regularizer(z, torch.rand(3, 2, dtype=dtype)),
    ):
        out = fn(logits)
        (grad,) = torch.autograd.grad(out, logits)
        assert torch.isfinite(out)
        assert torch.isfinite(grad).all()


def test_pu_mlc_module_and_validation():
    logits = torch.tensor(MLC_LOGITS, dtype=F64)
    targets = torch.tensor(MLC_TARGETS)
    module = PUMultiLabelLoss(alpha_t=2.0, gamma=0.85, reduction="sum")
    torch.testing.assert_close(
        module(logits, targets),
        pu_mlc_loss(logits, targets, alpha_t=2.0, gamma=0.85, reduction="sum"),
    )
    with pytest.raises(ValueError, match="alpha_t"):
        PUMultiLabelLoss(alpha_t=0.0)
    with pytest.raises(ValueError, match="gamma"):
        pu_mlc_loss(logits, targets, gamma=-1.0)
    with pytest.raises(ValueError, match="targets"):
        pu_mlc_loss(logits, targets[:, :1])
    with pytest.raises(ValueError, match="logits"):
        pu_mlc_loss(logits[:, 0], targets[:, 0])


def test_pu_mlc_bfloat16_autocast_close_to_float32():
    logits = torch.tensor(MLC_LOGITS).to(torch.bfloat16)
    targets = torch.tensor(MLC_TARGETS)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = pu_mlc_loss(logits, targets)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, pu_mlc_loss(logits.float(), targets))


def test_pu_mlc_mixup_regularizer_hand_computed():
    mixed_logits = torch.tensor([[1.0, -2.0], [0.0, 0.5]], dtype=F64)
    mixed_targets = torch.tensor([[0.9, 0.1], [0.5, 0.7]], dtype=F64)
    # reg_k = mean_i (log t_ik - log sig(Z_ik))^2 (eps is 2e-16, negligible here).
    reg0 = ((math.log(0.9) - math.log(sig(1.0))) ** 2 + 0.0) / 2
    reg1 = (
        (math.log(0.1) - math.log(sig(-2.0))) ** 2
        + (math.log(0.7) - math.log(sig(0.5))) ** 2
    ) / 2
    out = pu_mlc_mixup_regularizer(mixed_logits, mixed_targets, reduction="none")
    torch.testing.assert_close(out, torch.tensor([reg0, reg1], dtype=F64))
    torch.testing.assert_close(
        pu_mlc_mixup_regularizer(mixed_logits, mixed_targets, reduction="sum"),
        torch.tensor(reg0 + reg1, dtype=F64),
    )
    # Targets equal to the model's own sigmoid give zero.
    assert (
        pu_mlc_mixup_regularizer(mixed_logits, torch.sigmoid(mixed_logits)).item()
        < 1e-20
    )


def test_pu_mlc_mixup_regularizer_gradcheck_and_empty_batch():
    z = torch.tensor(
        [[0.3, -1.2], [1.1, 0.4], [-0.6, 0.8]], dtype=F64, requires_grad=True
    )
    t = torch.tensor(
        [[0.6, 0.2], [0.9, 0.5], [0.3, 0.7]], dtype=F64, requires_grad=True
    )
    assert torch.autograd.gradcheck(
        lambda a, b: pu_mlc_mixup_regularizer(a, b, reduction="none"), (z, t)
    )
    empty = pu_mlc_mixup_regularizer(torch.zeros(0, 2), torch.zeros(0, 2))
    assert empty.item() == 0.0
    with pytest.raises(ValueError, match="mixed_targets"):
        pu_mlc_mixup_regularizer(z, t[:2])


@cuda
def test_pu_mlc_cuda_matches_cpu():
    logits = torch.tensor(MLC_LOGITS)
    targets = torch.tensor(MLC_TARGETS)
    cpu = PUMultiLabelLoss()(logits, targets)
    gpu = PUMultiLabelLoss().to("cuda")(logits.cuda(), targets.cuda())
    torch.testing.assert_close(gpu.cpu(), cpu)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_pu_mlc_gradient_finite_for_constant_half_logits(dtype):
    # A constant column has tau at its floor and the gradient of z / tau is
    # 1 / tau; a half input gets it back in its own dtype, where 1 / 1e-6
    # overflows float16.
    z = torch.zeros(4, 5, dtype=dtype, requires_grad=True)
    targets = (torch.arange(20).reshape(4, 5) % 3 == 0).float()
    pu_mlc_loss(z, targets).backward()
    assert torch.isfinite(z.grad).all()
