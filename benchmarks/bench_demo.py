"""Benchmark ``demo``: the rows of ``python -m skrobust demo``.

Run ``python -m skrobust benchmark demo [--quick] [--seeds N] [--output DIR]``; the
sections come from :func:`skrobust._bench._demo.demo_sections`, so this script and
the demo cannot drift apart.
"""

import sys

from skrobust._bench import benchmark_main
from skrobust._bench._demo import demo_sections


def main(argv=None):
    """Run the demo's sections as a benchmark; see ``--help`` for options."""
    return benchmark_main(
        "demo",
        demo_sections,
        argv,
        description="The demo's table: a classifier trained on corrupted labels.",
    )


if __name__ == "__main__":
    sys.exit(main())
