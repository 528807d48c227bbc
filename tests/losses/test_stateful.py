"""Tests of LDR-KL, ALDR-KL and ELR (skrobust/losses/_stateful.py)."""

import io
import math
import pickle

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch.nn import functional as F

from skrobust.losses._stateful import (
    ALDRKLLoss,
    ELRLoss,
    LDRKLLoss,
    aldr_kl_loss,
    elr_loss,
    ldr_kl_loss,
)

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def _logits(n=6, k=4, seed=0, dtype=torch.float64, scale=2.0):
    gen = torch.Generator().manual_seed(seed)
    return scale * torch.randn(n, k, generator=gen, dtype=dtype)


def _target(n=6, k=4, seed=1):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, k, (n,), generator=gen)


def _simplex_rows(n=6, k=4, seed=2, dtype=torch.float64, scale=0.9):
    """Running-average-like targets: rows in the simplex scaled by ``scale``."""
    gen = torch.Generator().manual_seed(seed)
    return scale * torch.softmax(torch.randn(n, k, generator=gen, dtype=dtype), dim=1)


def _ldr_reference(z, y, lam, margin):
    """The LDR-KL formula written the naive way: divide by the mean, log of a mean."""
    s = F.softplus(z)
    z_bar = s / s.mean(dim=1, keepdim=True)
    gaps = margin + z_bar - z_bar.gather(1, y[:, None])
    gaps = gaps.scatter(1, y[:, None], 0.0)
    return lam * torch.log(torch.exp(gaps / lam).mean(dim=1))


def _aldr_reference_frozen(z, y, lam, lambda0, alpha, margin):
    """ALDR-KL per-row loss with the temperatures ``lam`` (N,) held fixed."""
    z_bar = z / z.abs().mean(dim=1, keepdim=True)
    gaps = (margin + z_bar - z_bar.gather(1, y[:, None])).scatter(1, y[:, None], 0.0)
    log_k = math.log(z.shape[1])
    loss = lam * torch.log(torch.exp(gaps / lam[:, None]).mean(dim=1))
    return loss - alpha * log_k / (2 * lambda0) * (lam - lambda0) ** 2


# Each loss as a function of (logits, target, weight, reduction) with its state
# held fixed, for the checks every loss shares.
def _ldr(logits, target, weight=None, reduction="mean"):
    return ldr_kl_loss(
        logits, target, lambda_=2.0, margin=0.3, weight=weight, reduction=reduction
    )


def _aldr(logits, target, weight=None, reduction="mean"):
    lambdas = torch.linspace(3.0, 9.0, logits.shape[0], dtype=torch.float64)
    loss, _ = aldr_kl_loss(
        logits,
        target,
        lambdas,
        lambda0=10.0,
        softplus=False,
        weight=weight,
        reduction=reduction,
    )
    return loss


def _aldr_softplus(logits, target, weight=None, reduction="mean"):
    lambdas = torch.linspace(3.0, 9.0, logits.shape[0], dtype=torch.float64)
    loss, _ = aldr_kl_loss(
        logits, target, lambdas, softplus=True, weight=weight, reduction=reduction
    )
    return loss


def _elr(logits, target, weight=None, reduction="mean"):
    ema = _simplex_rows(logits.shape[0], logits.shape[1], dtype=torch.float64)
    return elr_loss(logits, target, ema, weight=weight, reduction=reduction)


LOSSES = {"ldr_kl": _ldr, "aldr_kl": _aldr, "aldr_kl_softplus": _aldr_softplus}
LOSSES["elr"] = _elr


# --- values against hand computations ------------------------------------------


def test_ldr_kl_value_hand_computed():
    # One row, K = 3, given label 0, lambda = 2, margin m = 0.5.
    sp = [math.log1p(math.exp(1.0)), math.log1p(math.exp(2.0)), math.log(2.0)]
    mean = sum(sp) / 3  # (1.31326 + 2.12693 + 0.69315) / 3 = 1.37778
    z_bar = [v / mean for v in sp]  # [0.95317, 1.54374, 0.50309]
    gaps = [
        0.0,
        0.5 + z_bar[1] - z_bar[0],
        0.5 + z_bar[2] - z_bar[0],
    ]  # 1.09056, 0.04992
    # 2 log((1 + 1.72509 + 1.02527) / 3) = 0.44648
    expected = 2.0 * math.log(sum(math.exp(d / 2.0) for d in gaps) / 3)
    logits = torch.tensor([[1.0, 2.0, 0.0]], dtype=torch.float64)
    got = ldr_kl_loss(logits, torch.tensor([0]), lambda_=2.0, margin=0.5)
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))
    assert expected == pytest.approx(0.44648, abs=1e-5)


def test_ldr_kl_matches_naive_formula():
    z, y = _logits(), _target()
    got = ldr_kl_loss(z, y, lambda_=1.5, margin=0.2, reduction="none")
    torch.testing.assert_close(got, _ldr_reference(z, y, 1.5, 0.2))


def test_ldr_kl_module_matches_function():
    z, y = _logits(), _target()
    module = LDRKLLoss(lambda_=3.0, margin=0.0, reduction="sum")
    torch.testing.assert_close(
        module(z, y), ldr_kl_loss(z, y, lambda_=3.0, margin=0.0, reduction="sum")
    )


def test_ldr_kl_normalisation_keeps_its_limit_when_softplus_underflows():
    # softplus(-200 + c) underflows to 0 in float32 and float64, where dividing by the
    # mean would be 0 / 0; the ratio's limit is K softmax(z), computed here directly.
    z = torch.tensor([[-200.0, -201.0, -202.5]], dtype=torch.float64)
    y = torch.tensor([1])
    z_bar = 3 * torch.softmax(z, dim=1)
    gaps = (0.1 + z_bar - z_bar[:, 1:2]).scatter(1, y[:, None], 0.0)
    expected = 10.0 * torch.log(torch.exp(gaps / 10.0).mean())
    for dtype in (torch.float32, torch.float64):
        got = ldr_kl_loss(z.to(dtype), y, lambda_=10.0)
        torch.testing.assert_close(got, expected.to(dtype))


def test_aldr_kl_lambda_update_and_value_hand_computed():
    # One row, K = 2, given label 0, no softplus; lambda0 = 10, alpha = 2, m = 0.1.
    # L1 normalisation: ||z||_1 / K = (1 + 3) / 2 = 2, so z_bar = [0.5, 1.5].
    # Old lambda 2: softmax(z_bar / 2) = softmax([0.25, 0.75]).
    e = math.exp(0.5)
    q = [1 / (1 + e) + 1e-5, e / (1 + e) + 1e-5]
    q = [v / sum(q) for v in q]
    kl = sum(v * math.log(2 * v) for v in q)  # q = [0.37754, 0.62246], KL = 0.03030
    new = 10.0 - 10.0 * kl / (2.0 * math.log(2))
    gaps = [0.0, 0.1 + 1.5 - 0.5]
    expected = new * math.log((math.exp(gaps[0] / new) + math.exp(gaps[1] / new)) / 2)
    expected -= 2.0 * math.log(2) / (2 * 10.0) * (new - 10.0) ** 2
    logits = torch.tensor([[1.0, 3.0]], dtype=torch.float64)
    lambdas = torch.tensor([2.0], dtype=torch.float64)
    loss, new_lambdas = aldr_kl_loss(
        logits, torch.tensor([0]), lambdas, lambda0=10.0, softplus=False
    )
    torch.testing.assert_close(new_lambdas, torch.tensor([new], dtype=torch.float64))
    torch.testing.assert_close(loss, torch.tensor(expected, dtype=torch.float64))
    assert new == pytest.approx(9.78144, abs=1e-5)


def test_aldr_kl_lambda_floored():
    # alpha = 0.01 sends 10 - 10 KL / (0.01 log K) far below 0 for a confident row.
    logits = torch.tensor([[8.0, -8.0, 0.5]], dtype=torch.float64)
    lambdas = torch.tensor([0.5], dtype=torch.float64)
    loss, new_lambdas = aldr_kl_loss(logits, torch.tensor([0]), lambdas, alpha=0.01)
    assert new_lambdas.item() == pytest.approx(1e-3)
    assert torch.isfinite(loss)


def test_aldr_kl_softplus_is_ldr_kl_at_the_new_lambda():
    z, y = _logits(), _target()
    lambdas = torch.full((6,), 4.0, dtype=torch.float64)
    loss, new = aldr_kl_loss(
        z, y, lambdas, lambda0=10.0, softplus=True, reduction="none"
    )
    for i in range(6):
        lam = new[i].item()
        expected = ldr_kl_loss(z[i : i + 1], y[i : i + 1], lambda_=lam)
        expected = expected - 2.0 * math.log(4) / 20.0 * (lam - 10.0) ** 2
        torch.testing.assert_close(loss[i], expected)


def test_aldr_kl_lambda_does_not_depend_on_margin_or_target():
    z = _logits()
    lambdas = torch.full((6,), 5.0, dtype=torch.float64)
    _, a = aldr_kl_loss(z, _target(seed=1), lambdas, margin=0.0)
    _, b = aldr_kl_loss(z, _target(seed=7), lambdas, margin=2.0)
    torch.testing.assert_close(a, b)


def test_aldr_kl_gradient_treats_new_lambda_as_constant():
    z, y = _logits().requires_grad_(True), _target()
    lambdas = torch.full((6,), 4.0, dtype=torch.float64)
    loss, new = aldr_kl_loss(
        z, y, lambdas, lambda0=10.0, alpha=2.0, margin=0.1, softplus=False
    )
    (grad,) = torch.autograd.grad(loss, z)
    reference = _aldr_reference_frozen(z, y, new, 10.0, 2.0, 0.1).mean()
    (expected,) = torch.autograd.grad(reference, z)
    torch.testing.assert_close(loss, reference)
    torch.testing.assert_close(grad, expected)
    assert not new.requires_grad


def test_elr_value_hand_computed():
    # One row, K = 3, given label 2, lambda = 3; no entry of p is clamped.
    z = [0.5, -0.5, 1.0]
    denom = sum(math.exp(v) for v in z)
    p = [math.exp(v) / denom for v in z]  # [0.33150, 0.12195, 0.54655]
    t = [0.2, 0.3, 0.4]
    ce = -math.log(p[2])
    expected = ce + 3.0 * math.log(1 - sum(a * b for a, b in zip(t, p, strict=True)))
    got = elr_loss(
        torch.tensor([z], dtype=torch.float64),
        torch.tensor([2]),
        torch.tensor([t], dtype=torch.float64),
    )
    torch.testing.assert_close(got, torch.tensor(expected, dtype=torch.float64))


def test_elr_clamps_the_probabilities():
    # p = softmax([20, 0, 0]) puts 1 - 4e-9 on class 0; the clamp caps it at 1 - 1e-4,
    # so with t = e_0 the regulariser is log(1e-4) (plus the two floored entries: 0).
    z = torch.tensor([[20.0, 0.0, 0.0]], dtype=torch.float64)
    t = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([0])
    got = elr_loss(z, y, t, lambda_=1.0)
    expected = F.cross_entropy(z, y) + math.log(1e-4)
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elr_lambda_zero_is_cross_entropy(reduction):
    z, y = _logits(), _target()
    got = elr_loss(z, y, _simplex_rows(), lambda_=0.0, reduction=reduction)
    torch.testing.assert_close(got, F.cross_entropy(z, y, reduction=reduction))


def test_elr_module_lambda_zero_is_cross_entropy():
    z, y = _logits(dtype=torch.float32), _target()
    module = ELRLoss(n_samples=10, n_classes=4, lambda_=0.0)
    got = module(z, y, torch.arange(6))
    torch.testing.assert_close(got, F.cross_entropy(z, y))


def test_elr_regulariser_has_no_gradient_through_targets():
    z, y = _logits(), _target()
    ema = _simplex_rows().requires_grad_(True)
    loss = elr_loss(z.requires_grad_(True), y, ema)
    loss.backward()
    assert ema.grad is None
    assert z.grad is not None


# --- state of the modules --------------------------------------------------------


def test_elr_buffer_after_one_and_two_steps_follows_the_formula():
    z1, z2, y = _logits(n=3, k=4, seed=3), _logits(n=3, k=4, seed=4), _target(3, 4)
    index = torch.tensor([4, 0, 2])
    module = ELRLoss(n_samples=5, n_classes=4, beta=0.6).double()

    def p_hat(z):
        p = torch.softmax(z, dim=1).clamp(1e-4, 1 - 1e-4)
        return p / p.sum(dim=1, keepdim=True)

    module(z1, y, index)
    first = 0.4 * p_hat(z1)  # beta * 0 + (1 - beta) p_hat
    torch.testing.assert_close(module.targets[index], first)
    module(z2, y, index)
    torch.testing.assert_close(module.targets[index], 0.6 * first + 0.4 * p_hat(z2))


def test_elr_module_uses_the_updated_targets():
    z, y = _logits(n=3, k=4), _target(3, 4)
    index = torch.tensor([1, 3, 0])
    module = ELRLoss(n_samples=4, n_classes=4, beta=0.3, lambda_=2.0).double()
    with torch.no_grad():
        module.targets.copy_(_simplex_rows(4, 4))
    p = torch.softmax(z, dim=1).clamp(1e-4, 1 - 1e-4)
    updated = 0.3 * module.targets[index] + 0.7 * p / p.sum(dim=1, keepdim=True)
    expected = elr_loss(z, y, updated, lambda_=2.0)
    torch.testing.assert_close(module(z, y, index), expected)


def _aldr_module():
    return ALDRKLLoss(n_samples=8, lambda0=10.0).double()


def _elr_module():
    return ELRLoss(n_samples=8, n_classes=4).double()


def _randomise_state(module):
    """Fill the buffer with distinct values, so "unchanged" can be told apart."""
    buffer = next(module.buffers())
    with torch.no_grad():
        buffer.copy_(
            torch.rand(buffer.shape, generator=torch.Generator().manual_seed(5))
        )
        buffer.add_(0.5)


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_state_updated_only_at_index(make):
    module = make()
    _randomise_state(module)
    buffer = next(module.buffers())
    before = buffer.clone()
    index = torch.tensor([6, 1, 3])
    module(_logits(n=3, k=4), _target(3, 4), index)
    others = torch.tensor([0, 2, 4, 5, 7])
    assert torch.equal(buffer[others], before[others])
    assert not torch.equal(buffer[index], before[index])


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_state_not_updated_in_eval_mode(make):
    module = make().eval()
    _randomise_state(module)
    before = next(module.buffers()).clone()
    module(_logits(n=3, k=4), _target(3, 4), torch.tensor([6, 1, 3]))
    assert torch.equal(next(module.buffers()), before)


def test_aldr_module_stores_the_functional_update():
    module = _aldr_module()
    _randomise_state(module)
    z, y, index = _logits(n=3, k=4), _target(3, 4), torch.tensor([5, 2, 7])
    expected_loss, expected_new = aldr_kl_loss(
        z, y, module.lambdas[index].clone(), lambda0=10.0
    )
    loss = module(z, y, index)
    torch.testing.assert_close(loss, expected_loss)
    torch.testing.assert_close(module.lambdas[index], expected_new)


def test_modules_do_not_modify_inputs():
    z, y, index = _logits(n=3, k=4), _target(3, 4), torch.tensor([5, 2, 7])
    copies = (z.clone(), y.clone(), index.clone())
    _aldr_module()(z, y, index)
    _elr_module()(z, y, index)
    for original, copy in zip((z, y, index), copies, strict=True):
        assert torch.equal(original, copy)


def test_reset_state_restores_initial_values():
    aldr, elr = ALDRKLLoss(n_samples=8, lambda0=7.0), ELRLoss(8, 4)
    for module in (aldr, elr):
        module(_logits(n=3, k=4, dtype=torch.float32), _target(3, 4), torch.arange(3))
    assert not torch.equal(aldr.lambdas, torch.full((8,), 7.0))
    assert elr.targets.abs().sum() > 0
    aldr.reset_state()
    elr.reset_state()
    assert torch.equal(aldr.lambdas, torch.full((8,), 7.0))
    assert torch.equal(elr.targets, torch.zeros(8, 4))


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_state_follows_dtype(make):
    module = make().float()
    assert next(module.buffers()).dtype == torch.float32
    module = module.to(torch.float64)
    assert next(module.buffers()).dtype == torch.float64
    module(_logits(n=3, k=4), _target(3, 4), torch.tensor([0, 1, 2]))
    assert next(module.buffers()).dtype == torch.float64


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_state_survives_pickle_and_torch_save(make):
    module = make()
    module(_logits(n=3, k=4), _target(3, 4), torch.tensor([0, 4, 2]))
    state = next(module.buffers()).clone()
    restored = pickle.loads(pickle.dumps(module))
    assert torch.equal(next(restored.buffers()), state)
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    restored = torch.load(buffer, weights_only=False)
    assert torch.equal(next(restored.buffers()), state)
    assert torch.equal(next(iter(module.state_dict().values())), state)


# --- shared checks ---------------------------------------------------------------


@pytest.mark.parametrize("loss", LOSSES.values(), ids=LOSSES.keys())
def test_sum_is_mean_times_n_and_none_shape(loss):
    z, y = _logits(), _target()
    per_sample = loss(z, y, reduction="none")
    assert per_sample.shape == (6,)
    torch.testing.assert_close(loss(z, y, reduction="sum"), per_sample.sum())
    torch.testing.assert_close(loss(z, y, reduction="sum"), 6 * loss(z, y))


def test_weight_two_equals_duplicating_the_row():
    # Each loss sees rows 0..3 plus a duplicate of row 1, with the same state row.
    z, y = _logits(n=4), _target(n=4)
    rows = torch.tensor([0, 1, 2, 3, 1])
    lambdas = torch.tensor([3.0, 4.0, 5.0, 6.0], dtype=torch.float64)
    ema = _simplex_rows(n=4)
    weight = torch.tensor([1.0, 2.0, 1.0, 1.0], dtype=torch.float64)
    pairs = [
        (
            ldr_kl_loss(z, y, weight=weight, reduction="sum"),
            ldr_kl_loss(z[rows], y[rows], reduction="sum"),
        ),
        (
            aldr_kl_loss(z, y, lambdas, weight=weight, reduction="sum")[0],
            aldr_kl_loss(z[rows], y[rows], lambdas[rows], reduction="sum")[0],
        ),
        (
            elr_loss(z, y, ema, weight=weight, reduction="sum"),
            elr_loss(z[rows], y[rows], ema[rows], reduction="sum"),
        ),
    ]
    for weighted, duplicated in pairs:
        torch.testing.assert_close(weighted, duplicated)


@pytest.mark.parametrize("loss", [_ldr, _elr], ids=["ldr_kl", "elr"])
def test_gradcheck_float64(loss):
    z = _logits(n=4, k=3, scale=1.0).requires_grad_(True)
    y = _target(n=4, k=3)
    assert torch.autograd.gradcheck(lambda x: loss(x, y, reduction="none"), (z,))


def test_gradcheck_aldr_kl_with_fixed_lambda():
    # The temperature update depends on the logits but carries no gradient, so a
    # finite difference sees it; alpha = 1e9 keeps it within 1e-9 of lambda0, which
    # makes the state fixed for the check.
    z = _logits(n=4, k=3, scale=1.0).requires_grad_(True)
    y = _target(n=4, k=3)
    lambdas = torch.full((4,), 0.7, dtype=torch.float64)
    for softplus in (False, True):

        def f(x, softplus=softplus):
            return aldr_kl_loss(
                x,
                y,
                lambdas,
                lambda0=0.7,
                alpha=1e9,
                softplus=softplus,
                reduction="none",
            )[0]

        assert torch.autograd.gradcheck(f, (z,))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("loss", LOSSES.values(), ids=LOSSES.keys())
def test_extreme_logits_finite_values_and_gradients(loss, dtype):
    z = torch.tensor(
        [
            [1e4, -1e4, 0.0, 1e4],
            [-1e4, -1e4, -1e4, -1e4],
            [1e4, 1e4, 1e4, 1e4],
            [-1e4, 1e4, -1e4, 5.0],
            [0.0, 0.0, 0.0, 0.0],
            [-1e4, -1e4, -1e4, -9999.0],
        ],
        dtype=dtype,
        requires_grad=True,
    )
    y = torch.tensor([1, 0, 3, 2, 1, 3])

    value = loss(z, y, reduction="none")
    assert torch.isfinite(value).all()
    (grad,) = torch.autograd.grad(value.sum(), z)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_modules_on_extreme_float32_logits(make):
    module = make().float()
    z = torch.tensor([[1e4, -1e4, 0.0, 1e4], [-1e4] * 4], requires_grad=True)
    loss = module(z, torch.tensor([1, 2]), torch.tensor([3, 6]))
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()
    assert torch.isfinite(next(module.buffers())).all()


@pytest.mark.parametrize("name", ["ldr_kl", "aldr_kl", "elr"])
def test_bfloat16_autocast_close_to_float32(name):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 5, generator=gen)
    linear = torch.nn.Linear(5, 4)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(4, 5, generator=gen))
    y = _target(n=8, k=4)
    index = torch.arange(8)
    modules = {
        "ldr_kl": lambda: LDRKLLoss(),
        "aldr_kl": lambda: ALDRKLLoss(n_samples=8),
        "elr": lambda: ELRLoss(n_samples=8, n_classes=4),
    }
    args = () if name == "ldr_kl" else (index,)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = linear(x)
        assert logits.dtype == torch.bfloat16
        low = modules[name]()(logits, y, *args)
    full = modules[name]()(linear(x), y, *args)
    assert low.dtype == torch.float32
    assert torch.isfinite(low)
    # bfloat16 keeps 8 bits of mantissa: logits of size ~3 move by ~0.01.
    torch.testing.assert_close(low, full, atol=0.05, rtol=0.05)


# --- properties ------------------------------------------------------------------

_rows = arrays(
    dtype="float64",
    shape=st.tuples(st.integers(1, 5), st.integers(2, 6)),
    elements=st.floats(-50, 50, allow_nan=False),
)


@given(logits=_rows, margin=st.floats(0, 2), lam=st.floats(0.05, 20), data=st.data())
def test_ldr_kl_finite_and_within_bounds(logits, margin, lam, data):
    # d_y = 0 gives loss >= -lambda log K; z_bar in [0, K] gives d_k <= m + K.
    z = torch.from_numpy(logits)
    n, k = z.shape
    y = torch.tensor(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    loss = ldr_kl_loss(z, y, lambda_=lam, margin=margin, reduction="none")
    assert torch.isfinite(loss).all()
    assert (loss >= -lam * math.log(k) - 1e-9).all()
    assert (loss <= margin + k + 1e-9).all()


@given(logits=_rows, alpha=st.floats(1.0, 10.0), data=st.data())
def test_aldr_kl_new_lambda_between_bounds(logits, alpha, data):
    # 0 <= KL(q || uniform) < log K, so lambda0 (1 - 1/alpha) <= new <= lambda0.
    z = torch.from_numpy(logits)
    n, k = z.shape
    y = torch.tensor(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    lambdas = torch.tensor(
        data.draw(st.lists(st.floats(0.01, 50), min_size=n, max_size=n)),
        dtype=torch.float64,
    )
    loss, new = aldr_kl_loss(z, y, lambdas, lambda0=10.0, alpha=alpha)
    assert torch.isfinite(loss)
    assert (new <= 10.0 + 1e-12).all()
    assert (new >= 10.0 * (1 - 1 / alpha) - 1e-9).all()


@given(logits=_rows, lam=st.floats(0, 10), data=st.data())
def test_elr_between_cross_entropy_and_its_floor(logits, lam, data):
    # With t in the simplex, 1e-4 <= 1 - <t, p> <= 1.
    z = torch.from_numpy(logits)
    n, k = z.shape
    y = torch.tensor(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    t = torch.softmax(
        torch.from_numpy(
            data.draw(arrays("float64", (n, k), elements=st.floats(-5, 5)))
        ),
        dim=1,
    )
    loss = elr_loss(z, y, t, lambda_=lam, reduction="none")
    ce = F.cross_entropy(z, y, reduction="none")
    assert torch.isfinite(loss).all()
    assert (loss <= ce + 1e-9).all()
    assert (loss >= ce + lam * math.log(1e-4) - 1e-9).all()


# --- validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: LDRKLLoss(lambda_=0.0), "lambda_"),
        (lambda: LDRKLLoss(lambda_=-1.0), "lambda_"),
        (lambda: LDRKLLoss(margin=-0.1), "margin"),
        (lambda: LDRKLLoss(reduction="avg"), "reduction"),
        (lambda: ALDRKLLoss(0), "n_samples"),
        (lambda: ALDRKLLoss(5, lambda0=0.0), "lambda0"),
        (lambda: ALDRKLLoss(5, alpha=0.0), "alpha"),
        (lambda: ALDRKLLoss(5, margin=-1.0), "margin"),
        (lambda: ALDRKLLoss(5, lambda0=math.inf), "lambda0"),
        (lambda: ELRLoss(0, 3), "n_samples"),
        (lambda: ELRLoss(5, 0), "n_classes"),
        (lambda: ELRLoss(5, 3, beta=1.0), "beta"),
        (lambda: ELRLoss(5, 3, beta=-0.1), "beta"),
        (lambda: ELRLoss(5, 3, lambda_=-1.0), "lambda_"),
        (lambda: ELRLoss(5, 3, reduction="avg"), "reduction"),
    ],
)
def test_bad_parameters_raise_value_error(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ALDRKLLoss(5.0), "n_samples"),
        (lambda: ALDRKLLoss(5, softplus="yes"), "softplus"),
        (lambda: ELRLoss(5, 3.5), "n_classes"),
        (lambda: LDRKLLoss(lambda_="1"), "lambda_"),
        (lambda: ELRLoss(5, 3, beta=True), "beta"),
    ],
)
def test_bad_parameter_types_raise_type_error(build, match):
    with pytest.raises(TypeError, match=match):
        build()


def test_functional_forms_validate_parameters():
    z, y = _logits(), _target()
    lambdas = torch.full((6,), 10.0, dtype=torch.float64)
    with pytest.raises(ValueError, match="lambda_"):
        ldr_kl_loss(z, y, lambda_=0.0)
    with pytest.raises(ValueError, match="lambda0"):
        aldr_kl_loss(z, y, lambdas, lambda0=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        aldr_kl_loss(z, y, lambdas, alpha=0.0)
    with pytest.raises(ValueError, match="lambda_"):
        elr_loss(z, y, _simplex_rows(), lambda_=-0.5)
    with pytest.raises(ValueError, match="reduction"):
        elr_loss(z, y, _simplex_rows(), reduction="avg")


def test_shape_errors():
    z, y = _logits(), _target()
    with pytest.raises(ValueError, match="logits"):
        ldr_kl_loss(z[0], y)
    with pytest.raises(ValueError, match="target"):
        ldr_kl_loss(z, y[:5])
    with pytest.raises(ValueError, match="weight"):
        ldr_kl_loss(z, y, weight=torch.ones(5))
    with pytest.raises(ValueError, match="lambdas"):
        aldr_kl_loss(z, y, torch.ones(5, dtype=torch.float64))
    with pytest.raises(TypeError, match="lambdas"):
        aldr_kl_loss(z, y, torch.ones(6, dtype=torch.int64))
    with pytest.raises(ValueError, match="n_classes"):
        aldr_kl_loss(z[:, :1], y * 0, torch.ones(6, dtype=torch.float64))
    with pytest.raises(ValueError, match="ema_targets"):
        elr_loss(z, y, torch.zeros(6, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="n_classes"):
        ELRLoss(8, 3)(z, y, torch.arange(6))


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
@pytest.mark.parametrize(
    "index, error",
    [
        (torch.arange(5), ValueError),
        (torch.arange(6)[:, None], ValueError),
        (torch.arange(6, dtype=torch.int32), TypeError),
        (torch.arange(6, dtype=torch.float64), TypeError),
        (list(range(6)), TypeError),
    ],
)
def test_index_errors(make, index, error):
    with pytest.raises(error, match="index"):
        make()(_logits(), _target(), index)


@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_out_of_range_index_raises(make):
    with pytest.raises(IndexError):
        make()(_logits(), _target(), torch.tensor([0, 1, 2, 3, 4, 8]))


# --- CUDA ------------------------------------------------------------------------


@cuda
@pytest.mark.parametrize("make", [_aldr_module, _elr_module], ids=["aldr", "elr"])
def test_cuda_modules_match_cpu(make):
    z, y, index = _logits(), _target(), torch.tensor([7, 0, 3, 5, 1, 2])
    cpu = make()
    gpu = make().to("cuda")
    for _ in range(2):
        expected = cpu(z, y, index)
        got = gpu(z.cuda(), y.cuda(), index.cuda())
        assert got.device.type == "cuda"
        assert next(gpu.buffers()).device.type == "cuda"
        torch.testing.assert_close(got.cpu(), expected)
    torch.testing.assert_close(next(gpu.buffers()).cpu(), next(cpu.buffers()))


@cuda
def test_cuda_ldr_kl_matches_cpu():
    z, y = _logits(), _target()
    torch.testing.assert_close(ldr_kl_loss(z.cuda(), y.cuda()).cpu(), ldr_kl_loss(z, y))


@cuda
@pytest.mark.parametrize("name", ["ldr_kl", "aldr_kl", "elr"])
def test_cuda_float16_autocast_close_to_float32(name):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(8, 5, generator=gen).cuda()
    linear = torch.nn.Linear(5, 4).cuda()
    y, index = _target(n=8, k=4).cuda(), torch.arange(8).cuda()
    modules = {
        "ldr_kl": lambda: LDRKLLoss(),
        "aldr_kl": lambda: ALDRKLLoss(n_samples=8),
        "elr": lambda: ELRLoss(n_samples=8, n_classes=4),
    }
    args = () if name == "ldr_kl" else (index,)
    with torch.autocast("cuda", dtype=torch.float16):
        logits = linear(x)
        assert logits.dtype == torch.float16
        low = modules[name]().cuda()(logits, y, *args)
    full = modules[name]().cuda()(linear(x), y, *args)
    assert low.dtype == torch.float32
    torch.testing.assert_close(low, full, atol=0.01, rtol=0.01)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_aldr_kl_l1_gradient_finite_at_zero_half_logits(dtype):
    # The L1 normaliser's gradient at all-zero logits is 1 / eps; a half input
    # gets its gradient back in its own dtype, where 1 / 1e-12 overflows.
    z = torch.zeros(4, 5, dtype=dtype, requires_grad=True)
    loss, _ = aldr_kl_loss(
        z, torch.tensor([0, 1, 2, 3]), torch.full((4,), 10.0), softplus=False
    )
    loss.backward()
    assert torch.isfinite(z.grad).all()


# --- found by a review helper -----------------------------------------------


def test_eval_without_index_scores_from_the_initial_state():
    logits, target = _logits(), torch.tensor([0, 1, 2, 3, 0, 1])
    elr = ELRLoss(n_samples=10, n_classes=4).eval()
    # The zero target makes ELR's regulariser vanish: plain cross-entropy.
    assert torch.allclose(elr(logits, target, None), F.cross_entropy(logits, target))
    aldr = ALDRKLLoss(n_samples=10).eval()
    fresh = aldr(logits, target, torch.arange(6))
    assert torch.allclose(aldr(logits, target, None), fresh)
    # State a training step wrote is not what an unseen row starts from.
    aldr.train()(logits, target, torch.arange(6))
    assert torch.allclose(aldr.eval()(logits, target, None), fresh)
    # Training needs the rows' indices.
    for module in (elr.train(), aldr.train()):
        with pytest.raises(TypeError, match="index must be a torch tensor"):
            module(logits, target, None)


def test_elr_refuses_torch_ignore_index_target():
    logits = _logits()
    target = torch.tensor([0, -100, 2, 3, 0, 1])
    with pytest.raises(IndexError, match="out of bounds"):
        elr_loss(logits, target, torch.zeros(6, 4))
