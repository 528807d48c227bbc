"""Benchmark ``losses``: forward + backward time of every loss against cross-entropy.

Each registered loss (:func:`skrobust.losses.available_losses`) runs forward and
backward on one batch of logits, by default 65536 rows x 100 classes in float32,
and its median time over the repeats is set beside torch's own
``F.cross_entropy`` on the same batch, so no loss is accidentally slow. Losses with
other inputs get inputs of the same size: PU risks a score per row and
labelled/unlabelled flags, the proportion loss bags of 64 rows, the multi-label
loss an indicator matrix, ELR and ALDR-KL the row indices of a dataset of that
many rows, the corrected losses a symmetric 20 % transition matrix.

Run ``python -m skrobust benchmark losses [--quick] [--device cuda] [--output DIR]``.
"""

import argparse
import csv
import datetime
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from skrobust._bench._cli import fill_quick_defaults, output_folder
from skrobust._bench._report import library_versions
from skrobust.losses import available_losses, get_loss

_PREFIX = ["python", "-m", "skrobust", "benchmark", "losses"]


def _inputs(name, n, k, device, generator):
    """Constructor arguments and forward arguments of loss ``name``."""
    logits = torch.randn(n, k, device=device, generator=generator) * 3
    target = torch.randint(0, k, (n,), device=device, generator=generator)
    if name in ("upu", "nnpu"):
        scores = torch.randn(n, device=device, generator=generator) * 3
        s = (torch.rand(n, device=device, generator=generator) < 0.3).long()
        return {"prior": 0.4}, scores, (s,)
    if name == "dllp":
        bags = torch.arange(n, device=device) // 64
        proportions = torch.rand(
            int(bags[-1]) + 1, k, device=device, generator=generator
        )
        proportions = proportions / proportions.sum(dim=1, keepdim=True)
        return {}, logits, (bags, proportions)
    if name == "pu_mlc":
        targets = (torch.rand(n, k, device=device, generator=generator) < 0.05).float()
        return {}, logits, (targets,)
    if name in ("forward", "backward"):
        T = torch.full((k, k), 0.2 / (k - 1), dtype=torch.float64)
        T.fill_diagonal_(0.8)
        return {"transition_matrix": T}, logits, (target,)
    if name == "elr":
        index = torch.arange(n, device=device)
        return {"n_samples": n, "n_classes": k}, logits, (target, index)
    if name == "aldr_kl":
        index = torch.arange(n, device=device)
        return {"n_samples": n}, logits, (target, index)
    return {}, logits, (target,)


def _time(step, device, repeats):
    """Median seconds of ``step()``, after two warm-up calls."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(2):
        step()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _step(loss_fn, inputs, extra):
    def step():
        x = inputs.detach().requires_grad_(True)
        loss_fn(x, *extra).backward()

    return step


def run(n=65536, k=100, device="cpu", repeats=10, seed=0):
    """Time every loss; return the table rows (dicts)."""
    device = torch.device(device)
    generator = torch.Generator(device=device).manual_seed(seed)
    _, logits, (target,) = _inputs("ce", n, k, device, generator)
    reference = _time(_step(F.cross_entropy, logits, (target,)), device, repeats)
    rows = [
        {
            "loss": "torch F.cross_entropy",
            "class": "-",
            "ms": 1e3 * reference,
            "ratio": 1.0,
        }
    ]
    for name in available_losses():
        params, inputs, extra = _inputs(name, n, k, device, generator)
        loss = get_loss(name)(**params).to(device)
        seconds = _time(_step(loss, inputs, extra), device, repeats)
        rows.append(
            {
                "loss": name,
                "class": type(loss).__name__,
                "ms": 1e3 * seconds,
                "ratio": seconds / reference,
            }
        )
    return rows


def _report(rows, args, threads):
    versions = library_versions()
    versions["torch"] = torch.__version__
    device = args.device
    if device.startswith("cuda"):
        device += f" ({torch.cuda.get_device_name(torch.device(device))})"
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    lines = [
        "# skrobust benchmark: losses",
        "",
        f"- command: `{shlex.join([*_PREFIX, *args.argv])}`",
        f"- date: {date}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{threads} torch thread(s); device {device}",
        f"- versions: {', '.join(f'{k} {v}' for k, v in versions.items())}",
        f"- batch: {args.rows} x {args.classes} float32 logits; median of "
        f"{args.repeats} forward + backward passes after 2 warm-up passes",
        "- ratio: the loss's time over torch's F.cross_entropy on the same batch",
        "",
        "| loss | class | forward + backward (ms) | ratio to cross-entropy |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {r['loss']} | {r['class']} | {r['ms']:.2f} | {r['ratio']:.2f} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    """Run the benchmark; see ``--help`` for the options."""
    parser = argparse.ArgumentParser(
        prog="python -m skrobust benchmark losses",
        description="Forward + backward time of every loss against cross-entropy.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a 4096 x 20 batch, 3 repeats (unless given below)",
    )
    parser.add_argument("--rows", type=int, default=None, help="default 65536")
    parser.add_argument("--classes", type=int, default=None, help="default 100")
    parser.add_argument("--repeats", type=int, default=None, help="default 10")
    parser.add_argument("--device", default="cpu", help='"cpu" or "cuda"')
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (0: default)"
    )
    parser.add_argument(
        "--output", type=output_folder, default=None, help="folder for losses.md/.csv"
    )
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    fill_quick_defaults(
        args, {"rows": (4096, 65536), "classes": (20, 100), "repeats": (3, 10)}
    )
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = run(args.rows, args.classes, args.device, args.repeats)
    text = _report(rows, args, torch.get_num_threads())
    print(text)
    if args.output:
        out = Path(args.output)
        out.mkdir(parents=True, exist_ok=True)
        (out / "losses.md").write_text(text)
        with open(out / "losses.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
