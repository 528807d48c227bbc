"""The command line shared by every benchmark script and the demo.

``python -m skrobust benchmark NAME [args]`` loads ``benchmarks/bench_NAME.py`` and
calls its ``main(argv)``; each script's ``main`` hands its sections to
:func:`benchmark_main`, which parses the common options, runs and reports.
"""

import argparse
import dataclasses
import math
import re
import runpy
import sys
import tempfile
from pathlib import Path

from ._report import report
from ._run import peer_versions, run_benchmark


def output_folder(value):
    """``--output``'s argparse type: the folder, made and checked writable now.

    A benchmark writes its tables at the end of a run that may take hours; a
    folder it cannot write is reported before the run, as a usage error.
    """
    folder = Path(value)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise argparse.ArgumentTypeError(
            f"cannot write to the folder {value!r}: {reason}"
        ) from exc
    return folder


def positive_ints(value):
    """An argparse type: comma-separated positive integers, such as ``100,30``."""
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        numbers = []
    if not numbers or min(numbers) < 1:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers, such as 100,30; got {value!r}"
        )
    return numbers


def fill_quick_defaults(args, defaults):
    """Set each option left out (``None``) to its ``--quick`` or full value.

    Options given on the command line stay as given, so ``--quick --seeds 5``
    runs five seeds; the scripts declare these options with ``default=None``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments, with a ``quick`` flag.
    defaults : dict
        ``{option name: (value with --quick, value without)}``.
    """
    for name, (quick, full) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)


def _seconds(value):
    """An argparse type: a finite number of seconds above 0."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(
            f"expected a finite number of seconds above 0; got {value!r}"
        )
    return seconds


def _threads(value):
    """An argparse type: a thread count, 0 or more."""
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of threads, 0 or more; got {value!r}"
        )
    return count


def _names(value):
    """An argparse type: comma-separated names, none of them empty."""
    names = [part.strip() for part in value.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names, none empty; got {value!r}"
        )
    return names


def select_sections(sections, *, datasets=None, settings=None, methods=None):
    """The part of ``sections`` that the filters keep.

    Parameters
    ----------
    sections : list of Section
    datasets, settings : list of str, default=None
        Dataset names and setting labels (``"PU c=0.1"``) to keep; ``None``
        keeps all.
    methods : list of str, default=None
        Keep the methods whose name contains one of these texts; ``None`` keeps
        all.

    Returns
    -------
    sections : list of Section
        The sections left with a method, a dataset and a setting each.

    Raises
    ------
    ValueError
        When a dataset or setting named is in no section, a method text
        matches no method, or nothing is left to run; the message lists what
        there is to choose from.
    """
    for option, wanted, available in (
        ("--datasets", datasets, {name for sec in sections for name in sec.datasets}),
        (
            "--settings",
            settings,
            {setting.label for sec in sections for setting in sec.settings},
        ),
    ):
        unknown = sorted(set(wanted or ()) - available)
        if unknown:
            raise ValueError(
                f"{option}: {', '.join(map(repr, unknown))} not in this benchmark; "
                f"it has {', '.join(map(repr, sorted(available)))}"
            )
    names = sorted({method.name for section in sections for method in section.methods})
    # A --method text that matches nothing (a typo beside a good one) would
    # otherwise drop its rows without a word.
    unmatched = [text for text in methods or () if not any(text in n for n in names)]
    if unmatched:
        raise ValueError(
            f"--method: {', '.join(map(repr, unmatched))} matches no method; "
            f"the methods are {', '.join(map(repr, names))}"
        )
    kept = []
    for section in sections:
        section = dataclasses.replace(
            section,
            methods=[
                method
                for method in section.methods
                if methods is None or any(text in method.name for text in methods)
            ],
            datasets=[d for d in section.datasets if datasets is None or d in datasets],
            settings=[
                setting
                for setting in section.settings
                if settings is None or setting.label in settings
            ],
        )
        if section.methods and section.datasets and section.settings:
            kept.append(section)
    if not kept:
        chosen = [
            f"{option} {', '.join(map(repr, values))}"
            for option, values in (
                ("--method", methods),
                ("--datasets", datasets),
                ("--settings", settings),
            )
            if values
        ]
        raise ValueError(
            f"nothing left to run: no section has everything chosen "
            f"({'; '.join(chosen)}); its methods are {', '.join(map(repr, names))}"
        )
    return kept


def _build_parser(prog, description):
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--quick", action="store_true", help="one seed and the script's quick rows"
    )
    parser.add_argument(
        "--seeds", type=int, default=None, help="number of seeds (default 3)"
    )
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="the first seed; seeds run from it upwards (default 0; design "
        "studies use 100 and above, away from the reported seeds)",
    )
    parser.add_argument(
        "--datasets",
        type=_names,
        default=None,
        help="comma-separated dataset names: only these run",
    )
    parser.add_argument(
        "--settings",
        type=_names,
        default=None,
        help="comma-separated setting labels, such as 'PU c=0.1': only these run",
    )
    parser.add_argument(
        "--method",
        action="append",
        default=None,
        metavar="TEXT",
        help="run only the methods whose name contains TEXT (repeat for more)",
    )
    parser.add_argument(
        "--output",
        type=output_folder,
        default=None,
        help="folder for <name>.md and <name>.csv",
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=600.0, help="seconds allowed per run"
    )
    parser.add_argument(
        "--threads",
        type=_threads,
        default=1,
        help="BLAS/OpenMP threads per run; 0 keeps the libraries' defaults",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no progress lines on stderr"
    )
    return parser


def benchmark_main(name, sections, argv=None, *, prog=None, description=None):
    """Parse the common options, run the sections and report.

    Options: ``--quick`` (one seed, and ``sections(quick=True)``), ``--seeds N``
    (default 3), ``--first-seed K`` (default 0: seeds ``K .. K + N - 1``),
    ``--datasets A,B``, ``--settings "PU c=0.1"`` and ``--method TEXT``
    (repeatable) to run part of the table (:func:`select_sections`),
    ``--output DIR``, ``--timeout S`` (per run, default 600),
    ``--threads N`` (default 1; 0 for the libraries' defaults), ``--quiet``.

    Parameters
    ----------
    name : str
        The benchmark's name, in the title and the output file names.
    sections : list of Section or callable
        The sections, or ``sections(quick) -> list of Section`` for scripts whose
        quick mode also drops rows or shrinks data.
    argv : list of str, default=None
        Arguments; ``None`` reads ``sys.argv[1:]``.
    prog : str, default=None
        Program name shown in ``--help``.
    description : str, default=None
        Shown in ``--help``.

    Returns
    -------
    exit_code : int
        0 once the table is printed; failed runs are rows, not errors.
    """
    prog = prog or f"python -m skrobust benchmark {name}"
    args = _build_parser(prog, description).parse_args(argv)
    n_seeds = args.seeds if args.seeds is not None else (1 if args.quick else 3)
    if n_seeds < 1:
        raise SystemExit(f"{prog}: --seeds must be at least 1; got {n_seeds}.")
    if args.first_seed < 0:
        raise SystemExit(
            f"{prog}: --first-seed must be at least 0; got {args.first_seed}."
        )
    if args.first_seed + n_seeds > 2**32:
        # numpy's seeds stop at 2**32 - 1; beyond, every run would fail.
        raise SystemExit(
            f"{prog}: seeds must stay below 2**32; --first-seed {args.first_seed} "
            f"with {n_seeds} seed(s) reaches {args.first_seed + n_seeds - 1}."
        )
    if callable(sections):
        sections = sections(args.quick)
    try:
        sections = select_sections(
            sections,
            datasets=args.datasets,
            settings=args.settings,
            methods=args.method,
        )
    except ValueError as exc:
        note = " (--quick keeps only the quick rows)" if args.quick else ""
        raise SystemExit(f"{prog}: {exc}{note}") from None
    threads = args.threads or None
    seeds = list(range(args.first_seed, args.first_seed + n_seeds))
    records = run_benchmark(
        sections,
        seeds=seeds,
        timeout=args.timeout,
        threads=threads,
        verbose=0 if args.quiet else 1,
    )
    report(
        name,
        records,
        seeds=seeds,
        threads=threads,
        peers=peer_versions(sections),
        output=args.output,
    )
    return 0


def _benchmark_folders():
    """``./benchmarks``, then the one beside the package in a source checkout."""
    import skrobust

    folders = [Path.cwd() / "benchmarks"]
    folders.append(Path(skrobust.__file__).resolve().parents[1] / "benchmarks")
    return list(dict.fromkeys(folder.resolve() for folder in folders))


def available_benchmarks():
    """Names ``NAME`` of every ``bench_NAME.py`` that can be run.

    Returns
    -------
    names : list of str
        Sorted, from ``./benchmarks`` and the source checkout's ``benchmarks``.
    """
    return sorted(
        {
            path.stem.removeprefix("bench_")
            for folder in _benchmark_folders()
            for path in folder.glob("bench_*.py")
        }
    )


def find_benchmark_script(name):
    """Path of ``bench_<name>.py``, or ``None``.

    Parameters
    ----------
    name : str
        Letters, digits and underscores only.

    Returns
    -------
    path : Path or None
        The first match in ``./benchmarks``, then in the source checkout.
    """
    if not re.fullmatch(r"\w+", name):
        return None
    candidates = (folder / f"bench_{name}.py" for folder in _benchmark_folders())
    return next((path for path in candidates if path.is_file()), None)


def run_benchmark_script(name, argv=None):
    """Run ``benchmarks/bench_<name>.py``: the code behind ``benchmark NAME``.

    Parameters
    ----------
    name : str
        The benchmark's name (``"demo"`` runs ``bench_demo.py``).
    argv : list of str, default=None
        Passed to the script's ``main``.

    Returns
    -------
    exit_code : int
        The script's, or 2 when no script has that name (the message on standard
        error lists those that exist).
    """
    path = find_benchmark_script(name)
    if path is None:
        names = ", ".join(available_benchmarks()) or "none"
        folders = " or ".join(str(f) for f in _benchmark_folders())
        print(
            f"python -m skrobust benchmark: no benchmark named {name!r} (looked for "
            f"bench_{name}.py in {folders}). Available: {names}.",
            file=sys.stderr,
        )
        return 2
    # A run name other than "__main__" keeps the script's own
    # `if __name__ == "__main__"` block from firing on load.
    namespace = runpy.run_path(str(path), run_name=f"bench_{name}")
    main = namespace.get("main")
    if not callable(main):
        print(f"{path} defines no main(argv) function.", file=sys.stderr)
        return 2
    code = main(list(argv or []))
    return 0 if code is None else int(code)
