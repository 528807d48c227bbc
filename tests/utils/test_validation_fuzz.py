"""Bad-input fuzzing and immutability properties of the shared validators.

Whatever a user passes, a validator either returns or raises ``ValueError`` /
``TypeError``: never ``IndexError``, ``AttributeError`` or a numpy warning turned
error. And it never writes into the array it was given.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrobust.testing.strategies import bagged_problems, noisy_label_problems
from skrobust.utils import (
    check_bags,
    check_class_prior,
    check_labels,
    check_pred_proba,
    check_proportions,
    check_pu_labels,
    check_transition_matrix,
)

_DTYPES = st.sampled_from(
    [np.float64, np.float32, np.int64, np.bool_, np.dtype("U3"), np.dtype("O")]
)
_ARRAYS = hnp.arrays(
    dtype=_DTYPES,
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
)
_ANYTHING = st.one_of(
    _ARRAYS,
    st.none(),
    st.text(max_size=3),
    st.floats(),
    st.integers(),
    st.lists(st.one_of(st.floats(), st.integers(), st.none()), max_size=4),
)

VALIDATORS = {
    "check_transition_matrix": lambda v: check_transition_matrix(
        v, require_invertible=True
    ),
    "check_pred_proba": check_pred_proba,
    "check_class_prior": check_class_prior,
    "check_pu_labels": check_pu_labels,
    "check_labels": check_labels,
    "check_bags": check_bags,
    "check_proportions": lambda v: check_proportions(v, np.zeros(np.shape(v)[:1])),
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", sorted(VALIDATORS))
@given(value=_ANYTHING)
def test_validators_raise_only_value_or_type_errors(name, value):
    try:
        VALIDATORS[name](value)
    except (ValueError, TypeError):
        pass


@given(noisy_label_problems())
def test_label_and_proba_validators_do_not_mutate(problem):
    y = problem.y_noisy.copy()
    proba = problem.pred_proba.copy()
    T = problem.transition_matrix.copy()
    check_labels(problem.y_noisy, classes=problem.classes)
    check_pred_proba(problem.pred_proba)
    check_transition_matrix(problem.transition_matrix)
    np.testing.assert_array_equal(problem.y_noisy, y)
    np.testing.assert_array_equal(problem.pred_proba, proba)
    np.testing.assert_array_equal(problem.transition_matrix, T)


@given(bagged_problems())
def test_bag_validators_do_not_mutate(problem):
    bags = problem.bags.copy()
    props = problem.proportions.copy()
    out = check_proportions(problem.proportions, problem.bags)
    out[...] = -1.0
    np.testing.assert_array_equal(problem.bags, bags)
    np.testing.assert_array_equal(problem.proportions, props)
