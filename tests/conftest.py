"""Shared pytest configuration.

The ``ci`` hypothesis profile (loaded when the ``CI`` environment variable is set)
derandomises hypothesis, so a CI run is reproducible; locally the default profile
explores new examples each run.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
