"""Methods, sections and the loop that runs each method in its own child process.

Every (method, problem) runs in a forked child: the child inherits the problem, its
cached out-of-sample probabilities included, without pickling, and its peak resident
memory starts from its own baseline. A peak measured in the parent would never go
down between runs, and tracemalloc misses what torch or BLAS allocate.
"""

import importlib.metadata
import importlib.util
import math
import multiprocessing
import os
import resource
import signal
import sys
import time
from dataclasses import dataclass, field
from itertools import product

from threadpoolctl import threadpool_limits

from ._problem import default_estimator, make_problem

_MIB = 2**20


@dataclass(frozen=True)
class Method:
    """One row of a benchmark: a named function of a :class:`Problem`.

    Parameters
    ----------
    name : str
        Shown in the table's ``method`` column.
    library : str
        The library whose code is measured (``"skrobust"``, ``"cleanlab"``, ...).
    func : callable
        ``func(problem) -> dict`` mapping metric names to numbers. Only this call
        is timed; it runs in a child process, so it may allocate freely.
    requires : str, default=None
        Import name of a peer library (``"cleanlab"``, ``"pulearn"``,
        ``"bqlearn"``, ``"llp_learn"``, ...). When it cannot be found the method's
        rows say "not installed" instead of running.
    needs_pred_proba : bool, default=False
        Whether ``func`` calls ``problem.pred_proba()``; the harness then computes
        it once, before forking, so every such method shares one matrix.
    """

    name: str
    library: str
    func: object
    requires: str | None = None
    needs_pred_proba: bool = False


@dataclass(frozen=True)
class Section:
    """Methods run over every combination of datasets and settings.

    A family's benchmark is one or a few sections; the demo is a list of them.

    Parameters
    ----------
    methods : sequence of Method
    datasets : sequence of str
        Names accepted by :func:`load_dataset`.
    settings : sequence of LabelNoise, PULabels or LabelProportions
    estimator : estimator object, default=None
        Base estimator shared by every method (and used for the out-of-sample
        probabilities); ``None`` means :func:`default_estimator`.
    cv : int, default=5
        Folds of the out-of-sample probabilities.
    """

    methods: tuple
    datasets: tuple
    settings: tuple
    estimator: object = None
    cv: int = 5

    def __post_init__(self):
        # Lists are accepted for convenience; tuples keep the section immutable.
        for name in ("methods", "datasets", "settings"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.estimator is None:
            object.__setattr__(self, "estimator", default_estimator())


@dataclass(frozen=True)
class RunRecord:
    """The outcome of one method on one problem.

    Attributes
    ----------
    dataset, setting, library, method : str
        What ran on what (``setting`` is the setting's label).
    seed : int
        The problem's seed.
    status : str
        ``"ok"``, ``"not installed"``, ``"failed: <Type: message>"``,
        ``"timeout after <t> s"`` or ``"crashed: exit code <n>"``.
    metrics : dict
        What the method returned (empty unless ``status == "ok"``).
    fit_time : float
        Wall seconds of the method call (NaN unless ok).
    peak_mib : float
        Peak resident memory of the child over its baseline at start, in MiB
        (NaN unless ok).
    """

    dataset: str
    setting: str
    seed: int
    library: str
    method: str
    status: str
    metrics: dict = field(default_factory=dict)
    fit_time: float = math.nan
    peak_mib: float = math.nan


def peer_version(import_name):
    """Version of an importable library, found without importing it.

    Parameters
    ----------
    import_name : str
        What ``import`` takes (``"bqlearn"`` for biquality-learn).

    Returns
    -------
    version : str or None
        ``None`` when the module cannot be found, ``"unknown"`` when it has no
        distribution metadata.
    """
    top = import_name.partition(".")[0]
    try:
        if importlib.util.find_spec(top) is None:
            return None
    except (ImportError, ValueError):
        return None
    distributions = importlib.metadata.packages_distributions().get(top, [top])
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def peer_versions(sections):
    """Version of every peer a section's method requires.

    Parameters
    ----------
    sections : sequence of Section

    Returns
    -------
    versions : dict
        Import name -> version, or ``None`` when not installed.
    """
    return {
        method.requires: peer_version(method.requires)
        for section in sections
        for method in section.methods
        if method.requires
    }


def _resident_bytes():
    """Current resident set size; on systems without /proc, the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return _peak_resident_bytes()


def _peak_resident_bytes():
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _describe(exc):
    """One table-safe line: ``Type: first line of the message``."""
    message = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    return text[:200]


def _check_metrics(metrics):
    if not isinstance(metrics, dict):
        raise TypeError(
            f"a method must return a dict of metrics; got {type(metrics).__name__}."
        )
    return {str(key): float(value) for key, value in metrics.items()}


def preimport(*modules):
    """Import ``modules`` now, in the parent, skipping those not installed.

    Each run is a child forked from the parent, so a module the parent has
    imported costs the run nothing, while one first imported inside the timed
    call adds its import to the row's time and memory (about 1 s and 180 MiB
    for ``skrobust.neural``, which loads torch). A benchmark script imports
    every library its rows call, ours and the peers', before any run.

    Parameters
    ----------
    *modules : str
        Dotted module names.

    Returns
    -------
    imported : list of str
        The names that imported.
    """
    imported = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        imported.append(name)
    return imported


def _child_main(connection, func, problem, threads):
    """Run ``func(problem)`` and send back (status, metrics, seconds, peak MiB)."""
    # Its own process group, so that a timeout or a stuck exit can kill what the
    # method started (a peer's worker pool) along with it.
    os.setpgrp()
    # A forked child's peak RSS starts at its RSS when forked, so the difference
    # below is what the method itself added.
    baseline = _resident_bytes()
    try:
        with threadpool_limits(limits=threads):
            start = time.perf_counter()
            metrics = func(problem)
            seconds = time.perf_counter() - start
        metrics = _check_metrics(metrics)
        peak = max(_peak_resident_bytes() - baseline, 0) / _MIB
        message = ("ok", metrics, seconds, peak)
    except Exception as exc:
        message = (f"failed: {_describe(exc)}", {}, math.nan, math.nan)
    connection.send(message)
    connection.close()


def time_limited(func, seconds):
    """Wrap ``func(problem)`` so that it stops after ``seconds`` with a TimeoutError.

    For peer calls that may run far longer than the rest of a benchmark. The
    harness runs each method in its own forked child, so the child's interval
    timer stops only this call and its rows say why; ``--timeout`` still bounds
    the whole run. The alarm fires between Python bytecodes, which the peers'
    training loops reach often.

    Parameters
    ----------
    func : callable
        ``func(problem) -> dict``, a :class:`Method`'s function.
    seconds : float
        Wall seconds the call may take.

    Returns
    -------
    run : callable
        ``func`` with the limit.
    """

    def _raise(signum, frame):
        raise TimeoutError(f"stopped after the {seconds} s limit per peer call")

    def run(problem):
        previous = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return func(problem)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return run


def run_in_child(func, problem, *, timeout=None, threads=1):
    """Run one method on one problem in a forked child process.

    Parameters
    ----------
    func : callable
        ``func(problem) -> dict`` of metrics.
    problem : Problem
        Inherited by the child through ``fork``, never pickled.
    timeout : float, default=None
        Seconds before the child is killed; ``None`` waits forever.
    threads : int or None, default=1
        BLAS and OpenMP threads in the child (threadpoolctl). One thread by
        default: timings then compare libraries on equal footing, and on a busy
        machine multi-threaded BLAS can be a hundred times slower. ``None`` keeps
        the libraries' defaults.

    Returns
    -------
    status : str
    metrics : dict
    fit_time : float
    peak_mib : float
    """
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    # Not a daemon: a peer library may start its own worker pool (cleanlab does),
    # which daemonic processes may not; a timed-out child is killed explicitly.
    process = context.Process(
        target=_child_main, args=(writer, func, problem, threads), daemon=False
    )
    process.start()
    # Closing the parent's copy of the writing end lets recv() see EOF when the
    # child dies before sending (killed for memory, segfault).
    writer.close()
    try:
        if not reader.poll(timeout):
            _kill_group(process)
            return f"timeout after {timeout:g} s", {}, math.nan, math.nan
        try:
            return reader.recv()
        except EOFError:
            process.join()
            return f"crashed: exit code {process.exitcode}", {}, math.nan, math.nan
    finally:
        # A child that sent its result but cannot exit (a thread or pool the
        # method left running) is killed, so it neither hangs the benchmark nor
        # takes CPU from the runs after it.
        process.join(_EXIT_GRACE)
        if process.is_alive():
            _kill_group(process)
        process.join()
        reader.close()


# Seconds a child may take to exit after sending its result.
_EXIT_GRACE = 10.0


def _kill_group(process):
    """Kill ``process`` and every process in its group (what it started)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        # Not yet its own group leader (killed before setpgrp ran): the child
        # alone.
        process.kill()


def _log(verbose, message):
    if verbose:
        print(message, file=sys.stderr, flush=True)


def _outcome(record):
    """Progress text for one record: method, status, metrics, time and memory."""
    text = f"{record.library} {record.method}: {record.status}"
    if record.status != "ok":
        return text
    metrics = " ".join(f"{k}={v:.3f}" for k, v in record.metrics.items())
    return f"{text} {metrics} ({record.fit_time:.2f} s, {record.peak_mib:.1f} MiB)"


def _estimator_key(estimator):
    """Identify a base estimator by class and parameters, for sharing problems."""
    params = sorted(estimator.get_params(deep=False).items())
    return type(estimator).__module__, type(estimator).__qualname__, repr(params)


def _where(problem):
    return f"{problem.dataset} | {problem.setting.label} | seed {problem.seed}"


def _share_pred_proba(problem, methods, threads, verbose):
    """Compute the probabilities in the parent when a method needs them.

    Children forked afterwards inherit the cached matrix; computed in a child, it
    would be lost with the child and recomputed by the next method.

    Returns
    -------
    error : str or None
        The status of the methods that needed the probabilities when computing
        them failed (a class smaller than ``cv``, a label-proportion setting).
    """
    if problem.pred_proba_seconds is not None or not any(
        method.needs_pred_proba for method in methods
    ):
        return None
    try:
        with threadpool_limits(limits=threads):
            problem.pred_proba()
    except Exception as exc:
        return f"failed: {_describe(exc)} (out-of-sample probabilities)"
    seconds = problem.pred_proba_seconds
    _log(verbose, f"{_where(problem)} | out-of-sample probabilities: {seconds:.2f} s")
    return None


def _plan(sections):
    """Every (section, dataset, setting) of a seed, in table order."""
    return [
        (section, dataset, setting)
        for section in sections
        for dataset, setting in product(section.datasets, section.settings)
    ]


def run_benchmark(sections, *, seeds=3, timeout=None, threads=1, verbose=1):
    """Run every method of every section on every problem, one child each.

    Problems are built once per seed and shared by sections with the same
    dataset, setting and base estimator, so their out-of-sample probabilities are
    computed once and reused by every method that declares ``needs_pred_proba``.
    A method whose peer is missing yields "not installed" rows; a method that
    raises yields "failed" rows; neither stops the run.

    Parameters
    ----------
    sections : sequence of Section
    seeds : int or sequence of int, default=3
        An int ``n`` means seeds ``0..n-1``.
    timeout : float, default=None
        Seconds allowed to each run.
    threads : int or None, default=1
        BLAS/OpenMP threads per run and for the shared probabilities (see
        :func:`run_in_child`).
    verbose : int, default=1
        Print a progress line per run to standard error when positive.

    Returns
    -------
    records : list of RunRecord
        Seed-major order.
    """
    seeds = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    plan = _plan(sections)
    versions = peer_versions(sections)
    n_runs = len(seeds) * sum(len(section.methods) for section, _, _ in plan)
    records = []
    for seed in seeds:
        problems = {}
        for section, dataset, setting in plan:
            key = (dataset, setting, _estimator_key(section.estimator), section.cv)
            if key not in problems:
                problems[key] = make_problem(
                    dataset, setting, seed, estimator=section.estimator, cv=section.cv
                )
            problem = problems[key]
            runnable = [
                method
                for method in section.methods
                if not method.requires or versions[method.requires] is not None
            ]
            proba_error = _share_pred_proba(problem, runnable, threads, verbose)
            for method in section.methods:
                if method not in runnable:
                    outcome = ("not installed", {}, math.nan, math.nan)
                elif method.needs_pred_proba and proba_error:
                    outcome = (proba_error, {}, math.nan, math.nan)
                else:
                    outcome = run_in_child(
                        method.func, problem, timeout=timeout, threads=threads
                    )
                record = RunRecord(
                    dataset, setting.label, seed, method.library, method.name, *outcome
                )
                records.append(record)
                _log(
                    verbose,
                    f"[{len(records)}/{n_runs}] {_where(problem)} | {_outcome(record)}",
                )
    return records
