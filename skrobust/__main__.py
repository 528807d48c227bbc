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
        "demo", help="print a results table on data shipped with scikit-learn"
    )
    demo.add_argument("--quick", action="store_true", help="one seed, fewer rows")
    demo.add_argument("--output", default=None, help="folder for the CSV/Markdown")
    demo.add_argument("--seeds", type=int, default=None, help="number of seeds")
    bench = sub.add_parser("benchmark", help="run benchmarks/bench_NAME.py")
    bench.add_argument("name", help="benchmark name, e.g. 'demo' or 'noise_detect'")
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="passed to the script")
    sub.add_parser("versions", help="print the versions of all dependencies")
    return parser


def main(argv=None):
    args = _build_parser().parse_args(argv)
    if args.command == "versions":
        from skrobust import show_versions

        show_versions()
        return 0
    if args.command == "demo":
        from skrobust._bench._demo import main as demo_main

        extra = ["--quick"] if args.quick else []
        if args.output:
            extra += ["--output", args.output]
        if args.seeds is not None:
            extra += ["--seeds", str(args.seeds)]
        return demo_main(extra)
    from skrobust._bench import run_benchmark_script

    return run_benchmark_script(args.name, args.rest)


if __name__ == "__main__":
    sys.exit(main())
