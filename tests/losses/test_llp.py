"""Tests of the DLLP proportion loss."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrobust.losses._llp import ProportionLoss, proportion_loss

F64 = torch.float64
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

LOGITS = [[2.0, 0.0], [0.0, 2.0], [1.0, 0.0]]
BAGS = [0, 0, 1]
PROPS = [[0.5, 0.5], [0.3, 0.7]]


def _batch(dtype=F64):
    return (
        torch.tensor(LOGITS, dtype=dtype),
        torch.tensor(BAGS),
        torch.tensor(PROPS, dtype=dtype),
    )


def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_proportion_loss_hand_computed():
    # Bag 0: p_1 = (sig(2), sig(-2)), p_2 = (sig(-2), sig(2)); their mean is
    # (0.5, 0.5), so L_0 = -(0.5 log 0.5 + 0.5 log 0.5) = log 2.
    # Bag 1: one row, p = (sig(1), sig(-1)); L_1 = -(0.3 log sig(1) + 0.7 log sig(-1)).
    l0 = math.log(2.0)
    l1 = -(0.3 * math.log(_sig(1)) + 0.7 * math.log(_sig(-1)))
    per_bag = proportion_loss(*_batch(), reduction="none")
    assert per_bag.shape == (2,)
    torch.testing.assert_close(per_bag, torch.tensor([l0, l1], dtype=F64))
    torch.testing.assert_close(
        proportion_loss(*_batch()), torch.tensor((l0 + l1) / 2, dtype=F64)
    )
    torch.testing.assert_close(
        proportion_loss(*_batch(), reduction="sum"), torch.tensor(l0 + l1, dtype=F64)
    )
    assert abs((l0 + l1) / 2 - 0.85320) < 1e-5


def test_proportion_loss_size_weighting():
    # Sizes 2 and 1, mean size 1.5: v = (4/3, 2/3); mean = (2 L_0 + L_1) / 3.
    l0 = math.log(2.0)
    l1 = -(0.3 * math.log(_sig(1)) + 0.7 * math.log(_sig(-1)))
    out = proportion_loss(*_batch(), bag_weighting="size", reduction="none")
    torch.testing.assert_close(out, torch.tensor([4 / 3 * l0, 2 / 3 * l1], dtype=F64))
    mean = proportion_loss(*_batch(), bag_weighting="size")
    torch.testing.assert_close(mean, torch.tensor((2 * l0 + l1) / 3, dtype=F64))
    total = proportion_loss(*_batch(), bag_weighting="size", reduction="sum")
    torch.testing.assert_close(total, 2 * mean)


def test_proportion_loss_size_weighting_counts_weights_as_copies():
    logits = torch.tensor([[1.0, -0.5], [0.2, 2.0], [-0.7, 0.1]], dtype=F64)
    proportions = torch.tensor([[0.4, 0.6], [0.9, 0.1]], dtype=F64)
    weighted = proportion_loss(
        logits,
        torch.tensor([0, 0, 1]),
        proportions,
        weight=torch.tensor([2.0, 1.0, 1.0], dtype=F64),
        bag_weighting="size",
        reduction="none",
    )
    # Row 0 twice, no weights: the same bag means and the same bag sizes (3, 1).
    copied = proportion_loss(
        logits[[0, 0, 1, 2]],
        torch.tensor([0, 0, 0, 1]),
        proportions,
        bag_weighting="size",
        reduction="none",
    )
    torch.testing.assert_close(weighted, copied)
    # Uniform weighting ignores the bags' sizes, weighted or not.
    uniform = proportion_loss(
        logits,
        torch.tensor([0, 0, 1]),
        proportions,
        weight=torch.tensor([2.0, 1.0, 1.0], dtype=F64),
        reduction="none",
    )
    assert not torch.allclose(uniform, weighted)


def test_proportion_loss_equals_cross_entropy_for_singleton_one_hot_bags():
    logits = torch.tensor(
        [[1.0, -0.5, 0.3], [0.2, 2.0, -1.0], [-0.7, 0.1, 0.9], [0.0, 0.0, 3.0]],
        dtype=F64,
    )
    target = torch.tensor([0, 1, 2, 1])
    bags = torch.arange(4)
    proportions = torch.nn.functional.one_hot(target, 3).to(F64)
    torch.testing.assert_close(
        proportion_loss(logits, bags, proportions),
        torch.nn.functional.cross_entropy(logits, target),
    )
    torch.testing.assert_close(
        proportion_loss(logits, bags, proportions, reduction="none"),
        torch.nn.functional.cross_entropy(logits, target, reduction="none"),
    )


def test_proportion_loss_is_not_mean_of_instance_cross_entropies():
    # llp-learn's DLLP (PEERS.md) averages the instances' log-probabilities,
    # -mean_i sum_k rho_k log p_ik, instead of taking the log of the mean
    # probability. On bag 0 the two differ: log 2 = 0.693 against
    # 0.5 * (-log sig(2) - log sig(-2)) = 1.127; Jensen's inequality makes the
    # peer's value the larger one whenever the rows disagree.
    logits, bags, props = _batch()
    log_p = torch.log_softmax(logits, dim=1)
    peer_bag0 = -(props[0] * log_p[:2]).sum(dim=1).mean()
    ours_bag0 = proportion_loss(logits, bags, props, reduction="none")[0]
    assert abs(ours_bag0.item() - math.log(2)) < 1e-12
    assert (
        abs(peer_bag0.item() - 0.5 * (-math.log(_sig(2)) - math.log(_sig(-2)))) < 1e-12
    )
    assert peer_bag0.item() > ours_bag0.item() + 0.4


def test_proportion_loss_row_permutation_invariant():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(12, 3, generator=gen, dtype=F64)
    bags = torch.tensor([0, 1, 2, 0, 1, 2, 0, 0, 2, 2, 1, 0])
    props = torch.softmax(torch.randn(3, 3, generator=gen, dtype=F64), dim=1)
    weight = torch.rand(12, generator=gen, dtype=F64) + 0.5
    perm = torch.randperm(12, generator=gen)
    for kwargs in ({}, {"bag_weighting": "size"}, {"weight": weight}):
        base = proportion_loss(logits, bags, props, reduction="none", **kwargs)
        if "weight" in kwargs:
            kwargs = {"weight": weight[perm]}
        permuted = proportion_loss(
            logits[perm], bags[perm], props, reduction="none", **kwargs
        )
        torch.testing.assert_close(permuted, base)


def test_proportion_loss_absent_bags_are_ignored():
    logits, bags, props = _batch()
    # Codes 0 and 2 present out of 4 bags; bags 1 and 3 have no rows.
    sparse_bags = torch.tensor([0, 0, 2])
    sparse_props = torch.tensor(
        [[0.5, 0.5], [0.9, 0.1], [0.3, 0.7], [0.2, 0.8]], dtype=F64
    )
    out = proportion_loss(logits, sparse_bags, sparse_props, reduction="none")
    dense = proportion_loss(logits, bags, props, reduction="none")
    torch.testing.assert_close(
        out, torch.stack([dense[0], out.new_zeros(()), dense[1], out.new_zeros(())])
    )
    torch.testing.assert_close(
        proportion_loss(logits, sparse_bags, sparse_props),
        proportion_loss(logits, bags, props),
    )
    torch.testing.assert_close(
        proportion_loss(logits, sparse_bags, sparse_props, bag_weighting="size"),
        proportion_loss(logits, bags, props, bag_weighting="size"),
    )


def test_proportion_loss_weights_inside_bag_mean():
    logits, bags, props = _batch()
    weight = torch.tensor([3.0, 1.0, 2.0], dtype=F64)
    # Bag 0's mean becomes (3 p_1 + p_2) / 4; bag 1 has one row, so its weight
    # cancels.
    p_bar = (3 * torch.softmax(logits[0], 0) + torch.softmax(logits[1], 0)) / 4
    l0 = -(props[0] * torch.log(p_bar)).sum()
    out = proportion_loss(logits, bags, props, weight=weight, reduction="none")
    torch.testing.assert_close(out[0], l0)
    torch.testing.assert_close(
        out[1], proportion_loss(logits, bags, props, reduction="none")[1]
    )
    # A weight of 2 on a row equals the row appearing twice.
    w2 = torch.tensor([2.0, 1.0, 1.0], dtype=F64)
    dup = proportion_loss(
        torch.cat([logits, logits[:1]]),
        torch.tensor([0, 0, 1, 0]),
        props,
        reduction="none",
    )
    torch.testing.assert_close(
        proportion_loss(logits, bags, props, weight=w2, reduction="none"), dup
    )


def test_proportion_loss_zero_weight_bag_is_left_out():
    logits, bags, props = _batch()
    weight = torch.tensor([1.0, 1.0, 0.0], dtype=F64, requires_grad=False)
    out = proportion_loss(logits, bags, props, weight=weight, reduction="none")
    assert out[1].item() == 0.0
    torch.testing.assert_close(
        proportion_loss(logits, bags, props, weight=weight), out[0]
    )


def test_proportion_loss_gradcheck():
    logits = torch.tensor(
        [
            [0.3, -0.2, 0.5],
            [1.0, 0.1, -0.4],
            [-0.6, 0.7, 0.2],
            [0.4, 0.4, -1.0],
            [0.0, -0.3, 0.9],
        ],
        dtype=F64,
        requires_grad=True,
    )
    bags = torch.tensor([0, 1, 0, 2, 1])
    props = torch.tensor(
        [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.0, 0.0, 1.0], [0.3, 0.3, 0.4]],
        dtype=F64,
        requires_grad=True,
    )
    weight = torch.tensor([1.0, 0.5, 2.0, 1.0, 1.5], dtype=F64)
    assert torch.autograd.gradcheck(
        lambda z, r: proportion_loss(z, bags, r, weight=weight, reduction="none"),
        (logits, props),
    )
    assert torch.autograd.gradcheck(
        lambda z: proportion_loss(z, bags, props.detach(), bag_weighting="size"),
        (logits,),
    )


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_proportion_loss_extreme_logits_finite(dtype):
    logits = torch.tensor(
        [[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4], [1e4, 1e4, -1e4]],
        dtype=dtype,
        requires_grad=True,
    )
    bags = torch.tensor([0, 0, 1])
    props = torch.tensor([[0.0, 0.0, 1.0], [0.5, 0.2, 0.3]], dtype=dtype)
    out = proportion_loss(logits, bags, props)
    (grad,) = torch.autograd.grad(out, logits)
    assert torch.isfinite(out)
    assert torch.isfinite(grad).all()
    # Class 2 has probability ~0 in bag 0, so its log mean is clamped at log(1e-7).
    per_bag = proportion_loss(logits, bags, props, reduction="none")
    assert abs(per_bag[0].item() + math.log(1e-7)) < 1e-4


def test_proportion_loss_bfloat16_autocast_close_to_float32():
    logits, bags, props = _batch(torch.float32)
    logits = logits.to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = proportion_loss(logits, bags, props)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, proportion_loss(logits.float(), bags, props))


def test_proportion_loss_module_matches_function():
    module = ProportionLoss(reduction="sum", bag_weighting="size")
    torch.testing.assert_close(
        module(*_batch()),
        proportion_loss(*_batch(), reduction="sum", bag_weighting="size"),
    )
    assert "bag_weighting='size'" in repr(module)


def test_proportion_loss_validation():
    logits, bags, props = _batch()
    with pytest.raises(ValueError, match="reduction"):
        ProportionLoss(reduction="avg")
    with pytest.raises(ValueError, match="bag_weighting"):
        ProportionLoss(bag_weighting="rows")
    with pytest.raises(ValueError, match="bag_weighting"):
        proportion_loss(logits, bags, props, bag_weighting="rows")
    with pytest.raises(ValueError, match="proportions"):
        proportion_loss(logits, bags, props[:, :1])
    with pytest.raises(ValueError, match="bags"):
        proportion_loss(logits, bags[:2], props)
    with pytest.raises(TypeError, match="bags"):
        proportion_loss(logits, bags.double(), props)
    with pytest.raises(ValueError, match="logits"):
        proportion_loss(logits[:, 0], bags, props)
    with pytest.raises(TypeError, match="proportions"):
        proportion_loss(logits, bags, torch.tensor([[1, 0], [0, 1]]))
    with pytest.raises(ValueError, match="weight"):
        proportion_loss(logits, bags, props, weight=torch.ones(2))


@cuda
def test_proportion_loss_cuda_matches_cpu():
    logits, bags, props = _batch(torch.float32)
    cpu = proportion_loss(logits, bags, props, bag_weighting="size")
    gpu = ProportionLoss(bag_weighting="size").to("cuda")(
        logits.cuda(), bags.cuda(), props.cuda()
    )
    torch.testing.assert_close(gpu.cpu(), cpu)


@given(
    logits=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 10), st.integers(2, 4)),
        elements=st.floats(-20, 20, allow_nan=False),
    ),
    data=st.data(),
)
def test_proportion_loss_property_at_least_entropy(logits, data):
    n, k = logits.shape
    n_bags = data.draw(st.integers(1, n))
    bags = np.array(
        data.draw(st.lists(st.integers(0, n_bags - 1), min_size=n, max_size=n))
    )
    raw = data.draw(
        hnp.arrays(
            np.float64, (n_bags, k), elements=st.floats(0.0, 1.0, allow_nan=False)
        )
    )
    raw[:, 0] += 1e-3
    rho = raw / raw.sum(axis=1, keepdims=True)
    out = proportion_loss(
        torch.from_numpy(logits),
        torch.from_numpy(bags),
        torch.from_numpy(rho),
        reduction="none",
    ).numpy()
    assert np.isfinite(out).all()
    present = np.isin(np.arange(n_bags), bags)
    entropy = -(rho * np.log(np.where(rho > 0, rho, 1.0))).sum(axis=1)
    # CE(rho, p_bar) >= H(rho); the 1e-7 floor can lower it by at most K * 1e-7.
    assert (out[present] >= entropy[present] - k * 1e-7 - 1e-12).all()
    assert (out[~present] == 0).all()


def test_proportion_loss_takes_narrow_integer_bag_codes():
    logits = torch.tensor([[1.0, -0.5], [0.2, 2.0], [-0.7, 0.1]], dtype=F64)
    proportions = torch.tensor([[0.4, 0.6], [0.9, 0.1]], dtype=F64)
    wide = proportion_loss(logits, torch.tensor([0, 0, 1]), proportions)
    for dtype in (torch.int16, torch.uint8):
        narrow = proportion_loss(
            logits, torch.tensor([0, 0, 1], dtype=dtype), proportions
        )
        torch.testing.assert_close(narrow, wide)
