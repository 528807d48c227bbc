"""Tests of the noise-robust multiclass losses (METHODS.md D1-D6 and A6).

skrobust/losses/_multiclass.py: every loss against a hand-computed case, its
limit (cross-entropy where the paper gives one), the symmetry the paper claims,
then the shared contract (reductions, per-sample weights, extreme logits,
gradcheck, autocast, CUDA, argument errors) over one table of all the losses.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrobust.losses import (
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
from skrobust.testing.strategies import transition_matrices

LN_1E4 = math.log(1e-4)
# Symmetric 3-class noise at rate 0.2: T = 0.7 I + 0.1 J, so (T^T p)_y = 0.1 +
# 0.7 p_y and T^{-1} = (I - 0.1 J) / 0.7 (J is all ones; J @ J = 3 J).
T3 = [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]

# name: (functional, module class, hyperparameters); the contract tests run on all.
LOSSES = {
    "ce": (cross_entropy, CrossEntropyLoss, {}),
    "gce": (generalized_cross_entropy, GeneralizedCrossEntropyLoss, {"q": 0.7}),
    "tgce": (
        truncated_generalized_cross_entropy,
        TruncatedGeneralizedCrossEntropyLoss,
        {"q": 0.7, "k": 0.5},
    ),
    "rce": (reverse_cross_entropy, ReverseCrossEntropyLoss, {"log_zero": -4.0}),
    "sce": (
        symmetric_cross_entropy,
        SymmetricCrossEntropyLoss,
        {"alpha": 0.1, "beta": 1.0, "log_zero": -4.0},
    ),
    "nce": (normalized_cross_entropy, NormalizedCrossEntropyLoss, {}),
    "nfl": (normalized_focal_loss, NormalizedFocalLoss, {"gamma": 0.5}),
    "nce_rce": (nce_rce_loss, NCERCELoss, {"alpha": 1.0, "beta": 1.0}),
    "nfl_rce": (nfl_rce_loss, NFLRCELoss, {"alpha": 1.0, "beta": 1.0, "gamma": 0.5}),
    "bootstrap_soft": (soft_bootstrapping_loss, SoftBootstrappingLoss, {"beta": 0.95}),
    "bootstrap_hard": (hard_bootstrapping_loss, HardBootstrappingLoss, {"beta": 0.8}),
    "taylor_ce": (taylor_cross_entropy, TaylorCrossEntropyLoss, {"order": 3}),
    "focal": (focal_loss, FocalLoss, {"gamma": 2.0}),
    "focal_alpha": (focal_loss, FocalLoss, {"gamma": 2.0, "alpha": [0.5, 1.0, 2.0]}),
    "focal_detached": (
        focal_loss,
        FocalLoss,
        {"gamma": 0.5, "detach_modulator": True},
    ),
    "forward": (
        forward_corrected_cross_entropy,
        ForwardCorrectedLoss,
        {"transition_matrix": T3},
    ),
    "backward": (
        backward_corrected_cross_entropy,
        BackwardCorrectedLoss,
        {"transition_matrix": T3},
    ),
}
NAMES = list(LOSSES)
# Their gradient is not the derivative of their value on purpose (a detached
# factor or target, as the papers' code does), so gradcheck does not apply; their
# gradients are pinned by closed forms in the tests below instead.
DETACHED = {"nfl", "nfl_rce", "bootstrap_soft", "focal_detached"}
# Unbounded below (METHODS A6); every other loss is non-negative.
SIGNED = {"backward"}

# Clear margins between the logits of every row: no p_y near the truncation
# k = 0.5 (0.79, 0.90, 0.60, 0.09), no near-tie for argmax, no p_y near 1.
EYE3 = np.eye(3)
X = torch.tensor(
    [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [-0.3, 1.2, 0.4], [0.0, 1.0, 2.0]],
    dtype=torch.float64,
)
Y = torch.tensor([0, 2, 1, 0])
W = torch.tensor([0.5, 2.0, 1.0, 0.0], dtype=torch.float64)
EXTREME = torch.tensor(
    [[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [0.0, 0.0, 1e4], [1e4, 1e4, -1e4]]
)
Y_EXTREME = torch.tensor([1, 1, 0, 2])


def _functional(name):
    function, _, params = LOSSES[name]
    return lambda logits, target, **kw: function(logits, target, **{**params, **kw})


def _module(name, **kw):
    _, cls, params = LOSSES[name]
    return cls(**{**params, **kw})


# --------------------------------------------------------------------------
# Values against hand-computed cases
# --------------------------------------------------------------------------


def _softmax(row):
    e = [math.exp(v) for v in row]
    return [v / sum(e) for v in e]


Z_HAND = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
# P[0] ~ [0.786, 0.175, 0.039], P[1] ~ [0.049, 0.055, 0.896].
P = [_softmax(row) for row in Z_HAND]
p0, p1 = P[0][0], P[1][2]  # p_y for target [0, 2]


def _fl(p, gamma):
    return -((1 - p) ** gamma) * math.log(p)


HAND = [
    ("ce", {}, [0, 2], [-math.log(p0), -math.log(p1)]),
    ("gce", {"q": 0.7}, [0, 2], [(1 - p0**0.7) / 0.7, (1 - p1**0.7) / 0.7]),
    # k = 0.8: row 0 (p_y = 0.786) is truncated to the constant L_q(0.8).
    ("tgce", {"q": 0.7, "k": 0.8}, [0, 2], [(1 - 0.8**0.7) / 0.7, (1 - p1**0.7) / 0.7]),
    ("rce", {"log_zero": -4.0}, [0, 2], [4 * (1 - p0), 4 * (1 - p1)]),
    (
        "sce",
        {"alpha": 0.1, "beta": 1.0, "log_zero": -4.0},
        [0, 2],
        [-0.1 * math.log(p0) + 4 * (1 - p0), -0.1 * math.log(p1) + 4 * (1 - p1)],
    ),
    (
        "nce",
        {},
        [0, 2],
        [
            math.log(p0) / sum(math.log(p) for p in P[0]),
            math.log(p1) / sum(math.log(p) for p in P[1]),
        ],
    ),
    (
        "nfl",
        {"gamma": 0.5},
        [0, 2],
        [
            _fl(p0, 0.5) / sum(_fl(p, 0.5) for p in P[0]),
            _fl(p1, 0.5) / sum(_fl(p, 0.5) for p in P[1]),
        ],
    ),
    (
        "nce_rce",
        {"alpha": 2.0, "beta": 0.5},
        [0, 2],
        [
            2 * math.log(p0) / sum(math.log(p) for p in P[0]) - 0.5 * LN_1E4 * (1 - p0),
            2 * math.log(p1) / sum(math.log(p) for p in P[1]) - 0.5 * LN_1E4 * (1 - p1),
        ],
    ),
    (
        "nfl_rce",
        {"alpha": 2.0, "beta": 0.5, "gamma": 0.5},
        [0, 2],
        [
            2 * _fl(p0, 0.5) / sum(_fl(p, 0.5) for p in P[0]) - 0.5 * LN_1E4 * (1 - p0),
            2 * _fl(p1, 0.5) / sum(_fl(p, 0.5) for p in P[1]) - 0.5 * LN_1E4 * (1 - p1),
        ],
    ),
    (
        "bootstrap_soft",
        {"beta": 0.95},
        [0, 2],
        [
            -0.95 * math.log(p0) - 0.05 * sum(p * math.log(p) for p in P[0]),
            -0.95 * math.log(p1) - 0.05 * sum(p * math.log(p) for p in P[1]),
        ],
    ),
    # Targets 1 and 0 differ from the argmax (0 and 2), so both terms show.
    (
        "bootstrap_hard",
        {"beta": 0.8},
        [1, 0],
        [
            -0.8 * math.log(P[0][1]) - 0.2 * math.log(P[0][0]),
            -0.8 * math.log(P[1][0]) - 0.2 * math.log(P[1][2]),
        ],
    ),
    (
        "taylor_ce",
        {"order": 3},
        [0, 2],
        [
            (1 - p0) + (1 - p0) ** 2 / 2 + (1 - p0) ** 3 / 3,
            (1 - p1) + (1 - p1) ** 2 / 2 + (1 - p1) ** 3 / 3,
        ],
    ),
    ("focal", {"gamma": 2.0}, [0, 2], [_fl(p0, 2.0), _fl(p1, 2.0)]),
    (
        "focal_alpha",
        {"gamma": 2.0, "alpha": [0.5, 1.0, 2.0]},
        [0, 2],
        [0.5 * _fl(p0, 2.0), 2.0 * _fl(p1, 2.0)],
    ),
    (
        "forward",
        {"transition_matrix": T3},
        [0, 2],
        [-math.log(0.1 + 0.7 * p0), -math.log(0.1 + 0.7 * p1)],
    ),
    (
        "backward",
        {"transition_matrix": T3},
        [0, 2],
        [
            (-math.log(p0) + 0.1 * sum(math.log(p) for p in P[0])) / 0.7,
            (-math.log(p1) + 0.1 * sum(math.log(p) for p in P[1])) / 0.7,
        ],
    ),
]


@pytest.mark.parametrize(
    "name, params, target, expected", HAND, ids=[case[0] for case in HAND]
)
@pytest.mark.parametrize("form", ["functional", "module"])
def test_loss_matches_hand_computed_case(name, params, target, expected, form):
    function, cls, _ = LOSSES[name]
    logits = torch.tensor(Z_HAND, dtype=torch.float64)
    target = torch.tensor(target)
    if form == "functional":
        loss = function(logits, target, reduction="none", **params)
    else:
        loss = cls(reduction="none", **params)(logits, target)
    torch.testing.assert_close(loss, torch.tensor(expected, dtype=torch.float64))


def test_focal_loss_binary_float_alpha_weights_class_one():
    logits = torch.tensor([[0.3, -0.2], [1.0, 2.0]], dtype=torch.float64)
    target = torch.tensor([0, 1])
    q0, q1 = _softmax([0.3, -0.2])[0], _softmax([1.0, 2.0])[1]
    # alpha_t = 1 - alpha for class 0 and alpha for class 1.
    expected = torch.tensor([0.75 * _fl(q0, 2.0), 0.25 * _fl(q1, 2.0)])
    loss = focal_loss(logits, target, gamma=2.0, alpha=0.25, reduction="none")
    torch.testing.assert_close(loss, expected.double())
    module = FocalLoss(gamma=2.0, alpha=0.25, reduction="none")
    torch.testing.assert_close(module(logits, target), expected.double())


# --------------------------------------------------------------------------
# Limits: reduction to cross-entropy and to MAE
# --------------------------------------------------------------------------

CE_LIMITS = [
    # (1 - p^q) / q = -log p - q log^2 p / 2 + ...: relative error ~ q |log p|.
    ("gce", generalized_cross_entropy, {"q": 1e-4}, 1e-3),
    ("sce", symmetric_cross_entropy, {"alpha": 1.0, "beta": 0.0}, 1e-12),
    ("bootstrap_soft", soft_bootstrapping_loss, {"beta": 1.0}, 1e-12),
    ("bootstrap_hard", hard_bootstrapping_loss, {"beta": 1.0}, 1e-12),
    ("focal", focal_loss, {"gamma": 0.0}, 1e-12),
    (
        "forward",
        forward_corrected_cross_entropy,
        {"transition_matrix": np.eye(3)},
        1e-9,
    ),
    (
        "backward",
        backward_corrected_cross_entropy,
        {"transition_matrix": np.eye(3)},
        1e-12,
    ),
    ("ce", cross_entropy, {}, 1e-12),
]


@pytest.mark.parametrize(
    "name, function, params, rtol", CE_LIMITS, ids=[c[0] for c in CE_LIMITS]
)
def test_loss_reduces_to_cross_entropy_at_its_limit(name, function, params, rtol):
    expected = F.cross_entropy(X, Y, reduction="none")
    loss = function(X, Y, reduction="none", **params)
    torch.testing.assert_close(loss, expected, rtol=rtol, atol=1e-10)


def test_taylor_cross_entropy_high_order_approaches_cross_entropy():
    # p_y >= 0.5 on every row, so the tail after t terms is below 0.5^t / t.
    logits = torch.tensor([[3.0, 0.0, -1.0], [0.2, 2.5, 0.1]], dtype=torch.float64)
    target = torch.tensor([0, 1])
    loss = taylor_cross_entropy(logits, target, order=60, reduction="none")
    expected = F.cross_entropy(logits, target, reduction="none")
    torch.testing.assert_close(loss, expected, rtol=0, atol=1e-15)
    low = taylor_cross_entropy(logits, target, order=2, reduction="none")
    assert (expected - low > 1e-5).all()


@pytest.mark.parametrize(
    "function, params",
    [
        (generalized_cross_entropy, {"q": 1.0}),
        (taylor_cross_entropy, {"order": 1}),
    ],
    ids=["gce_q1", "taylor_order1"],
)
def test_loss_is_mae_at_its_other_limit(function, params):
    expected = 1 - torch.softmax(X, dim=1).gather(1, Y[:, None]).squeeze(1)
    torch.testing.assert_close(function(X, Y, reduction="none", **params), expected)


def test_truncated_gce_is_gce_above_k_and_constant_with_zero_gradient_below():
    logits = X.clone().requires_grad_(True)
    loss = truncated_generalized_cross_entropy(
        logits, Y, q=0.7, k=0.5, reduction="none"
    )
    gce = generalized_cross_entropy(X, Y, q=0.7, reduction="none")
    kept = torch.tensor([True, True, True, False])  # p_y = 0.79, 0.90, 0.60, 0.09
    torch.testing.assert_close(loss[kept], gce[kept])
    assert loss[3].item() == pytest.approx((1 - 0.5**0.7) / 0.7, rel=1e-12)
    loss.sum().backward()
    assert (logits.grad[3] == 0).all()
    assert (logits.grad[:3].abs().sum(dim=1) > 0).all()


def test_normalized_focal_loss_gamma_zero_is_nce_with_its_gradient():
    a = X.clone().requires_grad_(True)
    b = X.clone().requires_grad_(True)
    nfl = normalized_focal_loss(a, Y, gamma=0.0)
    nce = normalized_cross_entropy(b, Y)
    torch.testing.assert_close(nfl, nce)
    nfl.backward()
    nce.backward()
    torch.testing.assert_close(a.grad, b.grad)


def test_normalized_focal_loss_gradient_detaches_only_the_focal_factors():
    # The official APL code: normaliser sum_k -(1 - p_k.data)^g * log p_k, and
    # numerator -(1 - p_y.data)^g * log p_y; the logs keep their gradient.
    gamma = 0.5
    a = X.clone().requires_grad_(True)
    b = X.clone().requires_grad_(True)
    normalized_focal_loss(a, Y, gamma=gamma, reduction="sum").backward()
    log_p = torch.log_softmax(b, dim=1)
    focal = -((1 - log_p.detach().exp()) ** gamma) * log_p
    reference = focal.gather(1, Y[:, None]).squeeze(1) / focal.sum(dim=1)
    reference.sum().backward()
    torch.testing.assert_close(a.grad, b.grad)


def test_nfl_rce_gradient_is_the_weighted_sum_of_its_terms_gradients():
    # NFL+RCE is excluded from gradcheck (NFL detaches its focal factors): pin
    # its gradient to alpha grad(NFL) + beta grad(RCE) instead.
    alpha, beta, gamma = 0.7, 1.3, 0.5
    a = X.clone().requires_grad_(True)
    b = X.clone().requires_grad_(True)
    c = X.clone().requires_grad_(True)
    log_zero = -3.0
    nfl_rce_loss(
        a, Y, alpha=alpha, beta=beta, gamma=gamma, log_zero=log_zero, reduction="sum"
    ).backward()
    normalized_focal_loss(b, Y, gamma=gamma, reduction="sum").backward()
    reverse_cross_entropy(c, Y, log_zero=log_zero, reduction="sum").backward()
    torch.testing.assert_close(a.grad, alpha * b.grad + beta * c.grad)
    assert a.grad.abs().max() > 0


def test_soft_bootstrapping_gradient_is_beta_times_the_cross_entropy_gradient():
    # With the prediction detached in the target, the (1 - beta) p term adds
    # p * sum(p) - p = 0 to the gradient: d/dz = beta (p - onehot).
    logits = X.clone().requires_grad_(True)
    soft_bootstrapping_loss(logits, Y, beta=0.7, reduction="sum").backward()
    expected = 0.7 * (torch.softmax(X, dim=1) - F.one_hot(Y, 3))
    torch.testing.assert_close(logits.grad, expected)


def test_hard_bootstrapping_gradient_mixes_label_and_prediction():
    logits = X.clone().requires_grad_(True)
    hard_bootstrapping_loss(logits, Y, beta=0.8, reduction="sum").backward()
    p = torch.softmax(X, dim=1)
    predicted = F.one_hot(X.argmax(dim=1), 3)
    expected = 0.8 * (p - F.one_hot(Y, 3)) + 0.2 * (p - predicted)
    torch.testing.assert_close(logits.grad, expected)


def test_focal_loss_detach_modulator_keeps_value_and_drops_its_gradient():
    gamma = 0.5
    a = X.clone().requires_grad_(True)
    b = X.clone().requires_grad_(True)
    paper = focal_loss(a, Y, gamma=gamma, reduction="none")
    apl = focal_loss(b, Y, gamma=gamma, detach_modulator=True, reduction="none")
    torch.testing.assert_close(paper, apl)
    paper.sum().backward()
    apl.sum().backward()
    p = torch.softmax(X, dim=1)
    p_y = p.gather(1, Y[:, None])
    # d/dz [-(1 - p_y)^g log p_y] with the factor held fixed: (1 - p_y)^g (p - e_y).
    torch.testing.assert_close(b.grad, (1 - p_y) ** gamma * (p - F.one_hot(Y, 3)))
    assert not torch.allclose(a.grad, b.grad)


def test_focal_loss_class_alpha_matches_weighted_cross_entropy_at_gamma_zero():
    alpha = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    loss = focal_loss(X, Y, gamma=0.0, alpha=alpha, reduction="none")
    expected = F.cross_entropy(X, Y, weight=alpha, reduction="none")
    torch.testing.assert_close(loss, expected)


# --------------------------------------------------------------------------
# Loss correction with a known T
# --------------------------------------------------------------------------


def test_forward_correction_is_cross_entropy_of_the_noisy_posterior():
    T = torch.tensor([[0.6, 0.4, 0.0], [0.0, 0.7, 0.3], [0.2, 0.0, 0.8]])
    noisy = torch.softmax(X, dim=1) @ T.double()
    expected = -noisy.gather(1, Y[:, None]).squeeze(1).log()
    loss = forward_corrected_cross_entropy(X, Y, T, reduction="none")
    torch.testing.assert_close(loss, expected)


def test_forward_correction_stays_finite_where_t_has_zeros():
    T = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    logits = torch.tensor([[50.0, -50.0, 0.0]], requires_grad=True)
    loss = ForwardCorrectedLoss(T)(logits, torch.tensor([1]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()
    assert loss.item() <= -math.log(1e-12) + 1e-3


@settings(max_examples=30, deadline=None)
@given(
    T=transition_matrices(n_classes=st.integers(2, 5)),
    seed=st.integers(0, 2**16),
)
def test_backward_correction_is_unbiased_for_the_clean_cross_entropy(T, seed):
    # E over noisy labels j ~ T[y] of the backward loss equals the clean CE:
    # sum_j T[y, j] (T^{-1} l)_j = l_y, computed exactly by summing over j.
    K = T.shape[0]
    logits = torch.randn(
        6, K, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)
    )
    loss_fn = BackwardCorrectedLoss(T, reduction="none")
    per_label = torch.stack(
        [loss_fn(logits, torch.full((6,), j)) for j in range(K)], dim=1
    )
    T = torch.as_tensor(T)
    for y in range(K):
        expected = F.cross_entropy(logits, torch.full((6,), y), reduction="none")
        torch.testing.assert_close(per_label @ T[y], expected)


def test_corrected_losses_store_transition_buffers_once_in_float64():
    forward = ForwardCorrectedLoss(T3)
    backward = BackwardCorrectedLoss(T3)
    assert dict(forward.named_buffers())["transition_matrix"].dtype == torch.float64
    buffers = dict(backward.named_buffers())
    identity = buffers["transition_matrix"] @ buffers["inverse_transition_matrix"]
    torch.testing.assert_close(identity, torch.eye(3, dtype=torch.float64))
    assert "alpha" in dict(FocalLoss(alpha=[1.0, 2.0]).named_buffers())


@pytest.mark.parametrize("form", ["functional", "module"])
def test_backward_correction_rejects_singular_transition_matrix(form):
    singular = [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]
    with pytest.raises(ValueError, match="transition_matrix.*singular"):
        if form == "functional":
            backward_corrected_cross_entropy(X, Y, singular)
        else:
            BackwardCorrectedLoss(singular)


@pytest.mark.parametrize(
    "matrix",
    [
        [[0.9, 0.2], [0.1, 0.9]],  # rows do not sum to 1
        [[1.2, -0.2], [0.0, 1.0]],  # negative entry
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],  # not square
    ],
    ids=["not_stochastic", "negative", "not_square"],
)
@pytest.mark.parametrize("name", ["forward", "backward"])
def test_corrected_losses_reject_invalid_transition_matrix(name, matrix):
    function, cls, _ = LOSSES[name]
    logits = X[:, :2] if len(matrix) == 2 else X
    with pytest.raises(ValueError, match="transition_matrix"):
        cls(matrix)
    with pytest.raises(ValueError, match="transition_matrix"):
        function(logits, Y % 2, matrix)


@pytest.mark.parametrize("name", ["forward", "backward"])
def test_corrected_losses_check_transition_shape_against_logits(name):
    function, cls, _ = LOSSES[name]
    logits = torch.zeros(2, 4)
    target = torch.tensor([0, 3])
    with pytest.raises(ValueError, match="transition_matrix"):
        cls(T3)(logits, target)
    with pytest.raises(ValueError, match="transition_matrix"):
        function(logits, target, T3)


# --------------------------------------------------------------------------
# Symmetry: the sum over all K labels does not depend on the logits
# --------------------------------------------------------------------------

SYMMETRIC = [
    # name, function, hyperparameters, constant as a function of K
    ("mae", generalized_cross_entropy, {"q": 1.0}, lambda K: K - 1.0),
    ("rce", reverse_cross_entropy, {"log_zero": -4.0}, lambda K: 4.0 * (K - 1)),
    ("nce", normalized_cross_entropy, {}, lambda K: 1.0),
    ("nfl", normalized_focal_loss, {"gamma": 0.5}, lambda K: 1.0),
    (
        "nce_rce",
        nce_rce_loss,
        {"alpha": 2.0, "beta": 0.5},
        lambda K: 2.0 - 0.5 * LN_1E4 * (K - 1),
    ),
    (
        "nfl_rce",
        nfl_rce_loss,
        {"alpha": 2.0, "beta": 0.5, "gamma": 2.0},
        lambda K: 2.0 - 0.5 * LN_1E4 * (K - 1),
    ),
]


@pytest.mark.parametrize(
    "name, function, params, constant", SYMMETRIC, ids=[s[0] for s in SYMMETRIC]
)
@settings(max_examples=25, deadline=None)
@given(
    logits=st.integers(2, 6).flatmap(
        lambda K: hnp.arrays(
            np.float64, (4, K), elements=st.floats(-30, 30, allow_nan=False)
        )
    )
)
def test_symmetric_loss_sums_to_a_constant_over_the_labels(
    name, function, params, constant, logits
):
    logits = torch.from_numpy(logits)
    n, K = logits.shape
    total = sum(
        function(logits, torch.full((n,), k), reduction="none", **params)
        for k in range(K)
    )
    expected = torch.full((n,), constant(K), dtype=torch.float64)
    torch.testing.assert_close(total, expected, rtol=1e-9, atol=1e-9)


def test_cross_entropy_is_not_symmetric():
    # The contrast the symmetric test relies on: CE's label sum moves with z.
    totals = [
        sum(cross_entropy(z[None], torch.tensor([k])) for k in range(3)) for z in X
    ]
    assert max(totals) - min(totals) > 0.5


# --------------------------------------------------------------------------
# The contract every loss keeps
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_module_matches_functional(name):
    for reduction in ("mean", "sum", "none"):
        expected = _functional(name)(X, Y, weight=W, reduction=reduction)
        got = _module(name, reduction=reduction)(X, Y, weight=W)
        torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("name", NAMES)
def test_sum_is_mean_times_n_and_none_is_per_sample(name):
    loss = _functional(name)
    for weight in (None, W):
        per_sample = loss(X, Y, weight=weight, reduction="none")
        assert per_sample.shape == (4,)
        total = loss(X, Y, weight=weight, reduction="sum")
        torch.testing.assert_close(total, loss(X, Y, weight=weight) * 4)
        torch.testing.assert_close(total, per_sample.sum())


@pytest.mark.parametrize("name", NAMES)
def test_weight_two_equals_duplicating_the_row(name):
    loss = _functional(name)
    weight = torch.tensor([1.0, 2.0, 1.0, 1.0], dtype=torch.float64)
    duplicated = loss(X[[0, 1, 1, 2, 3]], Y[[0, 1, 1, 2, 3]], reduction="sum")
    torch.testing.assert_close(loss(X, Y, weight=weight, reduction="sum"), duplicated)
    zero = torch.tensor([1.0, 0.0, 1.0, 1.0], dtype=torch.float64)
    torch.testing.assert_close(
        loss(X, Y, weight=zero, reduction="sum"),
        loss(X[[0, 2, 3]], Y[[0, 2, 3]], reduction="sum"),
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", NAMES)
def test_values_and_gradients_are_finite_on_extreme_logits(name, dtype):
    logits = EXTREME.detach().to(dtype).clone().requires_grad_(True)
    loss = _functional(name)(logits, Y_EXTREME, reduction="none")
    assert torch.isfinite(loss).all()
    loss.sum().backward()
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_focal_loss_gradient_is_finite_when_p_y_rounds_to_one(dtype):
    # gamma < 1: d/dx x^gamma is infinite at x = 1 - p_y = 0 without the clamp.
    logits = torch.tensor([[1e4, -1e4, 0.0]], dtype=dtype, requires_grad=True)
    focal_loss(logits, torch.tensor([0]), gamma=0.5).backward()
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("name", sorted(set(NAMES) - DETACHED))
def test_gradcheck_in_float64(name):
    loss = _functional(name)
    logits = X.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda z: loss(z, Y, weight=W, reduction="none"), (logits,)
    )


@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_not_modified(name):
    logits = X.clone().requires_grad_(True)
    target, weight = Y.clone(), W.clone()
    _functional(name)(logits, target, weight=weight).backward()
    assert torch.equal(logits.detach(), X)
    assert torch.equal(target, Y) and torch.equal(weight, W)


@pytest.mark.parametrize("name", NAMES)
def test_bfloat16_autocast_is_finite_float32_and_close(name):
    logits32 = X.float()
    expected = _functional(name)(logits32, Y, reduction="none")
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = logits32 @ torch.eye(3)  # a bfloat16 matmul under autocast
        assert logits.dtype == torch.bfloat16
        loss = _module(name, reduction="none")(logits, Y)
    assert loss.dtype == torch.float32
    assert torch.isfinite(loss).all()
    # bfloat16 keeps 8 significant bits: logits move by up to 2^-8 relative.
    torch.testing.assert_close(loss, expected, rtol=3e-2, atol=3e-2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    module = _module(name, reduction="none")
    expected = module(X, Y, weight=W)
    module = module.to("cuda")
    got = module(X.cuda(), Y.cuda(), weight=W.cuda())
    assert got.device.type == "cuda"
    torch.testing.assert_close(got.cpu(), expected)
    with torch.autocast("cuda", dtype=torch.float16):
        half = module(X.float().cuda() @ torch.eye(3, device="cuda"), Y.cuda())
    assert half.dtype == torch.float32 and torch.isfinite(half).all()


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    logits=st.integers(1, 5).flatmap(
        lambda n: hnp.arrays(
            np.float64, (n, 3), elements=st.floats(-1e3, 1e3, allow_nan=False)
        )
    ),
    data=st.data(),
)
def test_loss_is_finite_and_non_negative_on_random_logits(name, logits, data):
    n = logits.shape[0]
    target = torch.tensor(
        data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    )
    loss = _functional(name)(torch.from_numpy(logits), target, reduction="none")
    assert torch.isfinite(loss).all()
    if name not in SIGNED:
        assert (loss >= 0).all()


# --------------------------------------------------------------------------
# Argument errors
# --------------------------------------------------------------------------

BAD_PARAMETERS = [
    ("gce", {"q": 0.0}, ValueError, "q"),
    ("gce", {"q": 1.5}, ValueError, "q"),
    ("gce", {"q": "0.7"}, TypeError, "q"),
    ("tgce", {"k": 1.0}, ValueError, "k"),
    ("tgce", {"k": 0.0}, ValueError, "k"),
    ("rce", {"log_zero": 0.0}, ValueError, "log_zero"),
    ("rce", {"log_zero": math.inf}, ValueError, "log_zero"),
    ("sce", {"alpha": -1.0}, ValueError, "alpha"),
    ("sce", {"beta": -0.1}, ValueError, "beta"),
    ("nfl", {"gamma": -1.0}, ValueError, "gamma"),
    ("nce_rce", {"log_zero": 1.0}, ValueError, "log_zero"),
    ("nfl_rce", {"gamma": math.nan}, ValueError, "gamma"),
    ("bootstrap_soft", {"beta": 1.2}, ValueError, "beta"),
    ("bootstrap_hard", {"beta": -0.2}, ValueError, "beta"),
    ("taylor_ce", {"order": 0}, ValueError, "order"),
    ("taylor_ce", {"order": 2.0}, TypeError, "order"),
    ("focal", {"gamma": -0.5}, ValueError, "gamma"),
    ("focal", {"detach_modulator": "yes"}, TypeError, "detach_modulator"),
    ("focal", {"alpha": 1.5}, ValueError, "alpha"),
    ("focal", {"alpha": [[1.0, 2.0]]}, ValueError, "alpha"),
    ("focal", {"alpha": [1.0, -1.0, 1.0]}, ValueError, "alpha"),
    ("focal", {"alpha": "abc"}, TypeError, "alpha"),
    ("ce", {"reduction": "avg"}, ValueError, "reduction"),
]


@pytest.mark.parametrize(
    "name, params, error, match",
    BAD_PARAMETERS,
    ids=[f"{c[0]}-{next(iter(c[1]))}-{i}" for i, c in enumerate(BAD_PARAMETERS)],
)
def test_bad_hyperparameter_raises_naming_it(name, params, error, match):
    with pytest.raises(error, match=match):
        _module(name, **params)
    with pytest.raises(error, match=match):
        _functional(name)(X, Y, **params)


@pytest.mark.parametrize(
    "alpha, logits, match",
    [
        (0.25, X, "alpha.*binary"),  # a float needs K = 2
        ([1.0, 2.0], X, r"alpha must have shape \(3,\)"),  # one weight per class
    ],
    ids=["float_alpha_multiclass", "alpha_wrong_length"],
)
def test_focal_alpha_must_fit_the_number_of_classes(alpha, logits, match):
    with pytest.raises(ValueError, match=match):
        FocalLoss(alpha=alpha)(logits, Y)
    with pytest.raises(ValueError, match=match):
        focal_loss(logits, Y, alpha=alpha)


SHAPE_ERRORS = [
    (X[0], Y, ValueError, "logits"),  # 1-D logits
    (X[:, :1], Y, ValueError, "logits"),  # a single class
    (X, Y[:3], ValueError, "target"),  # one target short
    (X, Y.double(), TypeError, "target"),  # float class indices
    (X.long(), Y, TypeError, "logits"),  # integer logits
]


@pytest.mark.parametrize("logits, target, error, match", SHAPE_ERRORS)
@pytest.mark.parametrize("name", NAMES)
def test_shape_errors_raise_naming_the_argument(name, logits, target, error, match):
    with pytest.raises(error, match=match):
        _module(name)(logits, target)
    with pytest.raises(error, match=match):
        _functional(name)(logits, target)


@pytest.mark.parametrize("name", ["gce", "focal_alpha", "backward"])
def test_weight_of_the_wrong_shape_raises(name):
    with pytest.raises(ValueError, match="weight"):
        _module(name)(X, Y, weight=torch.ones(3))


@pytest.mark.parametrize("name", NAMES)
def test_module_repr_names_its_hyperparameters(name):
    text = repr(_module(name))
    assert "reduction='mean'" in text
    params = LOSSES[name][2]
    for key in params:
        if key != "transition_matrix":
            assert f"{key}=" in text


def test_cross_entropy_refuses_torch_ignore_index_target():
    # torch's default ignore_index (-100) would score the row 0 silently.
    logits = torch.zeros(3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        cross_entropy(logits, torch.tensor([0, -100, 2]))
