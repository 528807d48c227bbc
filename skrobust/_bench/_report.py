"""Aggregation over seeds and the Markdown and CSV tables.

One table row per (dataset, setting, library, method): every metric as mean ± std
over the seeds whose run succeeded, the median wall time, the largest peak memory,
and a status that keeps failures and missing peers visible.
"""

import csv
import datetime
import os
import platform
import shlex
import sys
from pathlib import Path

import numpy as np

_KEYS = ("dataset", "setting", "library", "method")
_CORE = ("numpy", "scipy", "scikit-learn")


def _status(statuses):
    """``"ok"``, or the distinct problems, prefixed by the share of ok runs."""
    problems = list(dict.fromkeys(s for s in statuses if s != "ok"))
    if not problems:
        return "ok"
    n_ok = len(statuses) - sum(s != "ok" for s in statuses)
    text = "; ".join(problems)
    return f"{n_ok}/{len(statuses)} ok; {text}" if n_ok else text


def _metric_summary(runs):
    """Metric name -> (mean, std) over runs; std is NaN for a single run."""
    names = dict.fromkeys(name for run in runs for name in run.metrics)
    summary = {}
    for name in names:
        values = np.array([run.metrics.get(name, np.nan) for run in runs])
        std = np.std(values, ddof=1) if len(values) > 1 else np.nan
        summary[name] = (float(np.mean(values)), float(std))
    return summary


def summarize(records):
    """Aggregate run records over seeds, one row per method and problem kind.

    Parameters
    ----------
    records : list of RunRecord

    Returns
    -------
    rows : list of dict
        In first-seen order, with the keys ``dataset``, ``setting``, ``library``,
        ``method``, ``n_runs``, ``metrics`` (name -> (mean, std), std NaN for a
        single run), ``fit_time`` (median seconds), ``peak_mib`` (max) and
        ``status``. Only successful runs enter the numbers.
    """
    groups = {}
    for record in records:
        groups.setdefault(tuple(getattr(record, k) for k in _KEYS), []).append(record)
    rows = []
    for key, runs in groups.items():
        ok = [run for run in runs if run.status == "ok"]
        rows.append(
            {
                **dict(zip(_KEYS, key, strict=True)),
                "n_runs": len(runs),
                "metrics": _metric_summary(ok),
                "fit_time": float(np.median([r.fit_time for r in ok] or [np.nan])),
                "peak_mib": float(np.max([r.peak_mib for r in ok] or [np.nan])),
                "status": _status([run.status for run in runs]),
            }
        )
    return rows


def _metric_names(rows):
    return list(dict.fromkeys(name for row in rows for name in row["metrics"]))


def _number(value, digits):
    return "" if np.isnan(value) else f"{value:.{digits}f}"


def _mean_std(pair):
    mean, std = pair
    if np.isnan(mean):
        # A metric some successful runs did not report: no mean to show, as the
        # CSV leaves the cell empty too.
        return ""
    return f"{mean:.3f}" if np.isnan(std) else f"{mean:.3f} ± {std:.3f}"


def _cell(text):
    # A "|" inside an error message would split the Markdown cell.
    return str(text).replace("|", "\\|")


def format_table(rows):
    """The Markdown results table.

    Parameters
    ----------
    rows : list of dict
        From :func:`summarize`.

    Returns
    -------
    table : str
        Columns: dataset, setting, library, method, each metric as
        "mean ± std", fit time (s), peak memory (MiB), status.
    """
    names = _metric_names(rows)
    header = [*_KEYS, *names, "fit time (s)", "peak memory (MiB)", "status"]
    # Numbers are right-aligned so that their decimal points line up.
    text_columns = {*_KEYS, "status"}
    lines = [
        f"| {' | '.join(header)} |",
        f"|{'|'.join('---' if h in text_columns else '---:' for h in header)}|",
    ]
    for row in rows:
        cells = [
            *(row[k] for k in _KEYS),
            *(
                _mean_std(row["metrics"][n]) if n in row["metrics"] else ""
                for n in names
            ),
            _number(row["fit_time"], 2),
            _number(row["peak_mib"], 1),
            row["status"],
        ]
        lines.append(f"| {' | '.join(_cell(c) for c in cells)} |")
    return "\n".join(lines)


def write_csv(rows, path):
    """Write the aggregated rows as CSV, one column per number.

    Parameters
    ----------
    rows : list of dict
        From :func:`summarize`.
    path : str or path-like
        Columns: dataset, setting, library, method, ``<metric>_mean`` and
        ``<metric>_std`` per metric, fit_time_s, peak_memory_mib, n_runs, status.
        Missing numbers are empty.
    """
    names = _metric_names(rows)
    metric_columns = [f"{n}_{part}" for n in names for part in ("mean", "std")]
    columns = [*_KEYS, *metric_columns, "fit_time_s", "peak_memory_mib", "n_runs"]
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*columns, "status"])
        for row in rows:
            pairs = [row["metrics"].get(n, (np.nan, np.nan)) for n in names]
            numbers = [v for pair in pairs for v in pair]
            numbers += [row["fit_time"], row["peak_mib"]]
            writer.writerow(
                [
                    *(row[k] for k in _KEYS),
                    *("" if np.isnan(v) else f"{v:.6g}" for v in numbers),
                    row["n_runs"],
                    row["status"],
                ]
            )


def _command_line():
    argv = sys.argv
    if argv and Path(argv[0]).parent.name == "skrobust":
        return shlex.join(["python", "-m", "skrobust", *argv[1:]])
    return shlex.join(["python", *argv])


def library_versions(peers=None):
    """Versions of Python, the core dependencies, skrobust and the peers.

    Parameters
    ----------
    peers : dict, default=None
        Import name -> version or ``None`` (from :func:`peer_version`).

    Returns
    -------
    versions : dict
        Name -> version string; a missing peer reads "not installed".
    """
    from importlib import metadata

    import skrobust

    versions = {"python": platform.python_version()}
    versions.update({name: metadata.version(name) for name in _CORE})
    versions["skrobust"] = skrobust.__version__
    versions.update(
        {name: version or "not installed" for name, version in (peers or {}).items()}
    )
    return versions


def format_report(name, rows, *, seeds, threads, peers=None, command=None):
    """The full Markdown report: provenance header, then the table.

    Parameters
    ----------
    name : str
        The benchmark's name, used in the title.
    rows : list of dict
        From :func:`summarize`.
    seeds : list of int
        The seeds that ran.
    threads : int or None
        BLAS/OpenMP threads per run.
    peers : dict, default=None
        Import name -> version or ``None``.
    command : str, default=None
        The command line to print; ``None`` reconstructs it from ``sys.argv``.

    Returns
    -------
    report : str
    """
    versions = library_versions(peers)
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    header = [
        f"# skrobust benchmark: {name}",
        "",
        f"- command: `{command or _command_line()}`",
        f"- date: {date}",
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{threads or 'default'} BLAS/OpenMP thread(s) per run",
        f"- versions: {', '.join(f'{k} {v}' for k, v in versions.items())}",
        f"- seeds: {', '.join(map(str, seeds))}",
        "- columns: metrics are mean ± std over seeds, on clean test labels; fit "
        "time is the median wall time of the method call (shared out-of-sample "
        "probabilities excluded); peak memory is the largest resident-memory peak "
        "of the run's child process over its baseline.",
        "",
    ]
    return "\n".join([*header, format_table(rows), ""])


def report(name, records, *, seeds, threads, peers=None, output=None, command=None):
    """Print the Markdown report and, with ``output``, write it with a CSV.

    Parameters
    ----------
    name : str
        The benchmark's name: files are ``<output>/<name>.md`` and ``.csv``.
    records : list of RunRecord
    seeds : list of int
    threads : int or None
    peers : dict, default=None
        Import name -> version or ``None``.
    output : str or path-like, default=None
        Folder for the files, created if missing.
    command : str, default=None
        The command line to print; ``None`` reconstructs it from ``sys.argv``.

    Returns
    -------
    rows : list of dict
        The aggregated rows (:func:`summarize`).
    """
    rows = summarize(records)
    text = format_report(
        name, rows, seeds=seeds, threads=threads, peers=peers, command=command
    )
    print(text, end="")
    if output is not None:
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(text)
        write_csv(rows, folder / f"{name}.csv")
    return rows
