"""Testing utilities: estimator discovery, invariant checks, hypothesis strategies.

- :func:`all_estimators` lists every public estimator; the project's
  ``tests/test_common.py`` runs scikit-learn's estimator checks over it.
- ``check_*`` functions are invariants beyond scikit-learn's checks (inputs
  unchanged, pickle round trip, reproducibility, label-permutation equivariance,
  clear errors on bad input), usable on any estimator.
- :mod:`skrobust.testing.strategies` holds hypothesis strategies for noisy-label,
  PU and bagged problems. It is the only module that imports hypothesis, so import
  it explicitly: ``from skrobust.testing.strategies import noisy_label_problems``.
"""

from ._checks import (
    check_bad_input_raises,
    check_inputs_unchanged,
    check_label_permutation_equivariance,
    check_pickle_roundtrip,
    check_random_state_reproducible,
)
from ._discovery import all_estimators

__all__ = [
    "all_estimators",
    "check_bad_input_raises",
    "check_inputs_unchanged",
    "check_label_permutation_equivariance",
    "check_pickle_roundtrip",
    "check_random_state_reproducible",
]
