"""skrobust's own invariant checks over every public estimator.

The checks live in ``skrobust.testing``; the data is a small multiclass (or, for
binary-only and PU estimators, binary) problem.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skrobust.testing import (
    check_bad_input_raises,
    check_inputs_unchanged,
    check_label_permutation_equivariance,
    check_pickle_roundtrip,
    check_random_state_reproducible,
)
from skrobust.testing._instances import all_estimator_instances, invariant_options

CHECKS = [
    check_inputs_unchanged,
    check_pickle_roundtrip,
    check_random_state_reproducible,
    check_label_permutation_equivariance,
    check_bad_input_raises,
]


def _takes_pu_labels(estimator):
    params = estimator.get_params()
    members = params.get("estimators") or []
    return "pos_label" in params or any(
        "pos_label" in member.get_params() for member in members
    )


def _data_for(estimator):
    tags = estimator.__sklearn_tags__()
    multiclass = tags.classifier_tags is None or tags.classifier_tags.multi_class
    # PU estimators (those with a pos_label, or combining such) take two-valued
    # labels.
    multiclass = multiclass and not _takes_pu_labels(estimator)
    X, y = make_classification(
        n_samples=120,
        n_features=5,
        n_informative=3,
        n_classes=3 if multiclass else 2,
        random_state=0,
    )
    return X.astype(np.float64), y


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "estimator", all_estimator_instances(), ids=lambda e: type(e).__name__
)
def test_invariant(estimator, check):
    X, y = _data_for(estimator)
    check(estimator, X, y, **invariant_options(estimator, check.__name__))
