"""Command line: ``python -m skrobust demo | benchmark NAME | versions``."""

import argparse
import sys


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m skrobust",
        description="Run the skrobust demo or one of its benchmarks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="print a results table on data shipped with scikit-learn",
        add_help=False,
    )
    demo.add_argument("rest", nargs=argparse.REMAINDER, help="demo options (--help)")
    bench = sub.add_parser("benchmark", help="run benchmarks/bench_NAME.py")
    bench.add_argument("name", help="benchmark name, e.g. 'demo' or 'noise_detect'")
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="passed to the script")
    sub.add_parser("versions", help="print the versions of all dependencies")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # The demo and the benchmark scripts own their options (``--quick``, ...), which
    # argparse's REMAINDER would reject when they come first, so hand them over
    # before parsing.
    if argv[:1] == ["demo"]:
        from skrobust._bench._demo import main as demo_main

        return demo_main(argv[1:])
    if argv[:1] == ["benchmark"] and len(argv) > 1 and not argv[1].startswith("-"):
        from skrobust._bench import run_benchmark_script

        return run_benchmark_script(argv[1], argv[2:])
    args = _build_parser().parse_args(argv)
    if args.command == "versions":
        from skrobust import show_versions

        show_versions()
        return 0
    if args.command == "demo":
        from skrobust._bench._demo import main as demo_main

        return demo_main(args.rest)
    from skrobust._bench import run_benchmark_script

    return run_benchmark_script(args.name, args.rest)


if __name__ == "__main__":
    sys.exit(main())
