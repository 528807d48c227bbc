"""Shared pieces of the losses: argument checks, reduction, stable logs.

Checks run on Python scalars and tensor *shapes* only, never on tensor values, so
they cost nothing on the device and never synchronise it (no ``.item()``). Value
checks (a transition matrix being row-stochastic, a prior in (0, 1)) run once, in
the module's ``__init__``, on the hyperparameters.
"""

import math
from numbers import Integral, Real

import torch

REDUCTIONS = ("mean", "sum", "none")

# torch's cross-entropy skips targets equal to its ignore_index (-100 by
# default), silently scoring such a row 0; every label here is a class code in
# [0, K), so an index no target can hold makes -100 an out-of-bounds error, as
# it is for every other loss.
NO_IGNORED_TARGET = -(2**62)


def check_reduction(reduction):
    """Raise a ValueError unless ``reduction`` is "mean", "sum" or "none"."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}; "
            f"got {reduction!r}."
        )


def check_scalar(value, name, *, low=None, high=None, closed="both", integer=False):
    """Raise a TypeError or ValueError unless ``value`` is a number in range.

    ``closed`` is one of "both", "left", "right", "neither", as in scikit-learn's
    ``Interval``.
    """
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an int" if integer else "a real number"
        raise TypeError(f"{name} must be {what}; got {type(value).__name__}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    low_ok = low is None or (
        value >= low if closed in ("both", "left") else value > low
    )
    high_ok = high is None or (
        value <= high if closed in ("both", "right") else value < high
    )
    if not (low_ok and high_ok):
        left = "[" if closed in ("both", "left") else "("
        right = "]" if closed in ("both", "right") else ")"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}; got {value!r}.")
    return value


def check_logits_target(logits, target):
    """Shape checks of the multiclass group: logits (N, K), integer target (N,)."""
    if not isinstance(logits, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError(
            "logits and target must be torch tensors; got "
            f"{type(logits).__name__} and {type(target).__name__}."
        )
    if logits.ndim != 2:
        raise ValueError(
            f"logits must have shape (n_samples, n_classes); got shape "
            f"{tuple(logits.shape)}."
        )
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating tensor; got {logits.dtype}.")
    if target.ndim != 1 or target.shape[0] != logits.shape[0]:
        raise ValueError(
            f"target must have shape ({logits.shape[0]},), one class index per row "
            f"of logits; got shape {tuple(target.shape)}."
        )
    if target.is_floating_point() or target.dtype == torch.bool:
        raise TypeError(
            f"target must hold integer class indices; got dtype {target.dtype}."
        )


def check_weight(weight, n_samples):
    """``weight`` must be None or a floating tensor of shape (n_samples,)."""
    if weight is None:
        return
    if not isinstance(weight, torch.Tensor):
        raise TypeError(
            f"weight must be a torch tensor or None; got {type(weight).__name__}."
        )
    if weight.shape != (n_samples,):
        raise ValueError(
            f"weight must have shape ({n_samples},), one weight per sample; got "
            f"shape {tuple(weight.shape)}."
        )


def check_transition_matrix(T, n_classes=None, *, name="transition_matrix"):
    """Validate a row-stochastic matrix once, at construction; return float64."""
    T = torch.as_tensor(T, dtype=torch.float64)
    if T.ndim != 2 or T.shape[0] != T.shape[1]:
        raise ValueError(f"{name} must be a square matrix; got shape {tuple(T.shape)}.")
    if n_classes is not None and T.shape[0] != n_classes:
        raise ValueError(
            f"{name} must have shape ({n_classes}, {n_classes}); got {tuple(T.shape)}."
        )
    if not torch.isfinite(T).all():
        raise ValueError(f"{name} must be finite; got NaN or infinite entries.")
    if (T < 0).any():
        raise ValueError(f"{name} must be non-negative; got a minimum of {T.min():g}.")
    sums = T.sum(dim=1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-6):
        raise ValueError(
            f"{name} must be row-stochastic (rows sum to 1); got row sums "
            f"{sums.tolist()}."
        )
    return T


def reduce_loss(loss, reduction, weight=None):
    """Apply per-sample ``weight`` then the reduction.

    ``"mean"`` divides the weighted sum by the number of samples, not by the sum
    of the weights, so ``sum == mean * N`` with and without weights and a weight
    scales a sample's gradient exactly as it scales its loss (the convention of
    ``sample_weight`` in scikit-learn's SGD estimators).
    """
    if weight is not None:
        loss = loss * weight.to(loss.dtype)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def upcast_half(x):
    """Compute half and bfloat16 inputs in float32 (autocast's own rule for losses)."""
    if x.dtype in (torch.float16, torch.bfloat16):
        return x.float()
    return x


def probability_floor(dtype):
    """Smallest probability the logs see: the dtype's ``eps``.

    ``tiny`` would keep ``log`` finite too, but its gradient ``1 / p`` overflows
    float16; ``eps`` keeps both finite in every floating dtype.
    """
    return torch.finfo(dtype).eps
