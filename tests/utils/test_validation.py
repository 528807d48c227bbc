"""Tests for the shared validators in skrobust.utils."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skrobust.datasets import bag_proportions
from skrobust.testing.strategies import bagged_problems, transition_matrices
from skrobust.utils import (
    check_bags,
    check_class_prior,
    check_labels,
    check_pred_proba,
    check_proportions,
    check_pu_labels,
    check_transition_matrix,
)

# --------------------------------------------------------------------- labels


def test_check_labels_encodes_sorted_classes_by_default():
    codes, classes = check_labels(np.array(["b", "a", "c", "a"]))
    assert classes.tolist() == ["a", "b", "c"]
    assert codes.tolist() == [1, 0, 2, 0]


def test_check_labels_follows_given_class_order():
    codes, classes = check_labels([10, 30, 20], classes=[30, 10, 20])
    assert codes.tolist() == [1, 0, 2]
    assert classes.tolist() == [30, 10, 20]


@given(
    n_classes=st.integers(2, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_check_labels_codes_index_classes(n_classes, seed):
    rng = np.random.default_rng(seed)
    classes = rng.permutation(np.arange(n_classes) * 7 - 3)
    y = classes[rng.integers(n_classes, size=50)]
    codes, out_classes = check_labels(y, classes=classes)
    np.testing.assert_array_equal(out_classes[codes], y)


def test_check_labels_rejects_label_outside_classes():
    with pytest.raises(ValueError, match=r"y holds labels that are not in classes"):
        check_labels([0, 1, 5], classes=[0, 1, 2])


def test_check_labels_asks_for_classes_when_count_differs():
    with pytest.raises(ValueError, match="Pass classes="):
        check_labels([0, 1, 1], n_classes=3)


@pytest.mark.parametrize(
    "y, match",
    [
        ([0.0, np.nan, 1.0], "y must not contain missing values"),
        (np.array(["a", None], dtype=object), "y must not contain missing values"),
        (np.zeros((3, 2)), "y must be 1-D"),
        ([], "y must not be empty"),
    ],
)
def test_check_labels_rejects_malformed_y(y, match):
    with pytest.raises(ValueError, match=match):
        check_labels(y)


def test_check_labels_names_pandas_na_as_missing():
    pd = pytest.importorskip("pandas")
    labels = pd.Series(["a", pd.NA, "b"], dtype="string")
    with pytest.raises(
        ValueError, match=r"missing values; found NaN/None at rows \[1\]"
    ):
        check_labels(labels)


def test_check_labels_rejects_repeated_classes():
    with pytest.raises(ValueError, match="classes must not repeat"):
        check_labels([0, 1], classes=[0, 1, 1])


# ----------------------------------------------------------------- pred_proba


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=6),
        elements=st.floats(0.01, 1.0),
    )
)
def test_check_pred_proba_accepts_normalised_rows(raw):
    proba = raw / raw.sum(axis=1, keepdims=True)
    out = check_pred_proba(proba)
    np.testing.assert_array_equal(out, proba)


def test_check_pred_proba_keeps_float32():
    proba = np.full((3, 2), 0.5, dtype=np.float32)
    assert check_pred_proba(proba).dtype == np.float32


@pytest.mark.parametrize(
    "proba, kwargs, match",
    [
        ([[0.5, 0.6]], {}, "rows must sum to 1"),
        ([[np.nan, 1.0]], {}, "must be finite"),
        ([[1.2, -0.2]], {}, r"in \[0, 1\]"),
        ([0.5, 0.5], {}, "must be 2-D"),
        ([[0.5, 0.5]], {"n_classes": 3}, "one column per class"),
        ([[0.5, 0.5]], {"n_samples": 2}, "one row per sample"),
        ([[1.0]], {}, "at least 2 columns"),
    ],
)
def test_check_pred_proba_rejects(proba, kwargs, match):
    with pytest.raises(ValueError, match=f"pred_proba.*{match}|{match}"):
        check_pred_proba(proba, **kwargs)


def test_check_pred_proba_rejects_strings():
    with pytest.raises(TypeError, match="pred_proba must hold numbers"):
        check_pred_proba([["a", "b"]])


# ---------------------------------------------------------- transition matrix


@given(transition_matrices())
def test_check_transition_matrix_accepts_valid_and_copies(T):
    out = check_transition_matrix(T, require_invertible=True)
    np.testing.assert_array_equal(out, T)
    out[0, 0] = -1.0
    assert T[0, 0] != -1.0, "the validator must return a copy"


@given(transition_matrices(), st.data())
def test_check_transition_matrix_rejects_row_not_summing_to_one(T, data):
    K = T.shape[0]
    row = data.draw(st.integers(0, K - 1))
    delta = data.draw(st.floats(1e-3, 0.5))
    bad = T.copy()
    bad[row, row] += delta
    with pytest.raises(ValueError, match=f"transition_matrix must be row-stoch.*{row}"):
        check_transition_matrix(bad)


@given(transition_matrices(), st.data())
def test_check_transition_matrix_rejects_negative_entry(T, data):
    K = T.shape[0]
    i, j = data.draw(st.integers(0, K - 1)), data.draw(st.integers(0, K - 1))
    bad = T.copy()
    bad[i, j] = -0.1
    with pytest.raises(ValueError, match="transition_matrix must be non-negative"):
        check_transition_matrix(bad)


@pytest.mark.parametrize(
    "T, match",
    [
        ([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]], "square"),
        ([[1.0]], "at least 2 classes"),
        ([[np.nan, 1.0], [0.0, 1.0]], "must be finite"),
        ([[0.8, 0.2], [0.3, 0.7]], "must be 3 x 3"),
    ],
)
def test_check_transition_matrix_rejects_shape_and_values(T, match):
    with pytest.raises(ValueError, match=f"transition_matrix.*{match}"):
        check_transition_matrix(T, n_classes=3 if "3 x 3" in match else None)


def test_check_transition_matrix_rejects_singular_only_when_inverting():
    T = np.full((3, 3), 1 / 3)
    check_transition_matrix(T)
    with pytest.raises(ValueError, match="transition_matrix is singular"):
        check_transition_matrix(T, require_invertible=True)


def test_check_transition_matrix_column_stochastic_hint():
    column_stochastic = np.array([[0.9, 0.3], [0.1, 0.7]])
    with pytest.raises(ValueError, match="pass its transpose"):
        check_transition_matrix(column_stochastic)


def test_check_transition_matrix_rejects_strings_and_booleans():
    with pytest.raises(TypeError, match="transition_matrix must hold numbers"):
        check_transition_matrix([["a", "b"], ["c", "d"]])
    with pytest.raises(TypeError, match="transition_matrix must hold numbers"):
        check_transition_matrix(np.eye(2, dtype=bool))


# ---------------------------------------------------------------- class prior


@given(st.floats(0, 1, exclude_min=True, exclude_max=True))
def test_check_class_prior_accepts_open_unit_interval(prior):
    assert check_class_prior(prior) == prior
    assert check_class_prior(np.array(prior)) == prior


@given(st.floats(0.125, 0.875, width=32))
def test_check_class_prior_accepts_numpy_float32(prior):
    assert check_class_prior(np.float32(prior)) == float(np.float32(prior))


@given(
    st.one_of(
        st.floats(max_value=0.0),
        st.floats(min_value=1.0),
        st.just(float("nan")),
        st.integers(max_value=0),
        st.integers(min_value=1),
    )
)
def test_check_class_prior_rejects_outside_open_interval(prior):
    with pytest.raises(ValueError, match=r"class_prior must be in the open interval"):
        check_class_prior(prior)


@pytest.mark.parametrize("prior", [True, "0.5", [0.5], np.array([0.2, 0.3]), None])
def test_check_class_prior_rejects_non_scalars(prior):
    with pytest.raises(TypeError, match="class_prior must be a real number"):
        check_class_prior(prior)


def test_check_class_prior_names_the_parameter():
    with pytest.raises(ValueError, match="label_frequency"):
        check_class_prior(1.5, name="label_frequency")


# ------------------------------------------------------------------ PU labels


@given(
    st.lists(st.booleans(), min_size=2, max_size=50).filter(
        lambda v: any(v) and not all(v)
    ),
    st.sampled_from([(1, 0), ("pos", "unl"), (True, False), (0, -1)]),
)
def test_check_pu_labels_returns_labeled_mask(labeled, values):
    pos, other = values
    y = np.array([pos if flag else other for flag in labeled])
    np.testing.assert_array_equal(check_pu_labels(y, pos_label=pos), labeled)


def test_check_pu_labels_rejects_no_labelled_positive():
    with pytest.raises(ValueError, match="y has no labelled positive"):
        check_pu_labels([0, 0, 0])


def test_check_pu_labels_rejects_wrong_pos_label_type():
    with pytest.raises(ValueError, match="no labelled positive .value 1"):
        check_pu_labels(["a", "b"])


def test_check_pu_labels_rejects_no_unlabelled_row():
    with pytest.raises(ValueError, match="y has no unlabelled row"):
        check_pu_labels([1, 1])


def test_check_pu_labels_rejects_three_values():
    with pytest.raises(ValueError, match="y must hold two values"):
        check_pu_labels([0, 1, 2])


def test_check_pu_labels_rejects_nan():
    with pytest.raises(ValueError, match="y must not contain missing values"):
        check_pu_labels([1.0, np.nan, 0.0])


# ----------------------------------------------------------------------- bags


@given(bagged_problems())
def test_check_bags_codes_preserve_partition(problem):
    codes = check_bags(problem.bags, n_samples=len(problem.y))
    assert codes.min() == 0 and codes.max() == len(np.unique(problem.bags)) - 1
    # Two rows share a code exactly when they share a bag id.
    same_code = codes[:, None] == codes[None, :]
    same_bag = problem.bags[:, None] == problem.bags[None, :]
    np.testing.assert_array_equal(same_code, same_bag)


def test_check_bags_accepts_index_form():
    np.testing.assert_array_equal(check_bags([[0, 3], [1, 2]]), [0, 1, 1, 0])


@pytest.mark.parametrize(
    "bags, n_samples, match",
    [
        ([[0, 1], []], None, r"bags\[1\] is empty"),
        ([[0, 1], [1, 2]], None, "in more than one bag"),
        ([[0, 1], [3]], None, "out of every bag"),
        ([[0, 1], [5]], 3, "outside"),
        ([0, 0, 1], 4, "one bag id per row"),
        ([0, np.nan, 1], None, "must not contain missing values"),
        ([], None, "must not be empty"),
    ],
)
def test_check_bags_rejects(bags, n_samples, match):
    with pytest.raises(ValueError, match=f"bags.*{match}|{match}"):
        check_bags(bags, n_samples=n_samples)


# ---------------------------------------------------------------- proportions


@given(bagged_problems())
def test_check_proportions_accepts_simulated(problem):
    out = check_proportions(problem.proportions, problem.bags)
    np.testing.assert_allclose(out, problem.proportions)


@pytest.mark.parametrize(
    "bags, shown",
    [(["a", "a", "z", "z"], "bag 'z'"), ([7, 7, -1, -1], "bag -1")],
)
def test_check_proportions_names_the_bag_by_its_own_id(bags, shown):
    with pytest.raises(ValueError, match=f"{shown} \\(rows \\[2, 3\\]\\)"):
        check_proportions([0.5, 0.5, 0.2, 0.3], bags)


@given(bagged_problems(n_classes=3, bag_size=st.integers(2, 8)), st.data())
def test_check_proportions_rejects_disagreement_within_bag(problem, data):
    bags = problem.bags
    multi = np.flatnonzero(np.bincount(bags)[bags] > 1)
    row = data.draw(st.sampled_from(multi.tolist()))
    bad = problem.proportions.copy()
    # A one-hot vector on the row's least likely class always differs from it.
    bad[row] = np.eye(3)[np.argmin(bad[row])]
    with pytest.raises(ValueError, match="y must be equal within each bag"):
        check_proportions(bad, bags)


@pytest.mark.parametrize(
    "y, bags, match",
    [
        ([0.5, 1.5], [0, 1], r"proportions in \[0, 1\]"),
        ([-0.1, 0.5], [0, 1], r"proportions in \[0, 1\]"),
        ([[0.5, 0.6], [0.5, 0.6]], [0, 0], "rows must sum to 1"),
        ([0.5, np.nan], [0, 1], "must be finite"),
        ([0.5, 0.5, 0.5], [0, 1], "one bag id per row"),
        (np.zeros((2, 2, 2)), [0, 1], "must be 1-D .binary. or 2-D"),
    ],
)
def test_check_proportions_rejects(y, bags, match):
    with pytest.raises(ValueError, match=match):
        check_proportions(y, bags)


def test_check_proportions_rejects_wrong_class_count():
    with pytest.raises(ValueError, match="3 are expected"):
        check_proportions([0.5, 0.5], [0, 0], n_classes=3)


def test_check_proportions_rejects_strings():
    with pytest.raises(TypeError, match="y must hold numbers"):
        check_proportions(["a", "b"], [0, 1])


def test_check_proportions_round_trip_with_bag_proportions():
    y = np.array([0, 1, 2, 2, 1, 0])
    bags = np.array([0, 0, 0, 1, 1, 2])
    props = bag_proportions(y, bags)
    np.testing.assert_allclose(check_proportions(props, bags, n_classes=3), props)


def test_check_labels_rejects_empty_classes():
    with pytest.raises(ValueError, match="classes must not be empty"):
        check_labels([0, 1], classes=[])


# --- found by a review helper -----------------------------------------------


@pytest.mark.parametrize(
    "missing",
    [np.float32("nan"), np.float64("nan"), np.datetime64("NaT")],
    ids=["float32-nan", "float64-nan", "NaT"],
)
def test_check_labels_finds_missing_values_of_any_type_in_object_arrays(missing):
    # A numpy float32 NaN slipped through and np.unique gave duplicate classes.
    y = np.array([1.0, missing, 1.0], dtype=object)
    with pytest.raises(ValueError, match="missing values.*rows \\[1\\]"):
        check_labels(y)


def test_check_labels_finds_nat_in_datetime_labels():
    y = np.array(["2020-01-01", "NaT"], dtype="datetime64[D]")
    with pytest.raises(ValueError, match="missing values"):
        check_labels(y)


def test_labels_of_incomparable_types_are_named():
    y = np.array(["a", 1, "a"], dtype=object)
    for check in (check_labels, check_pu_labels):
        with pytest.raises(TypeError, match="y holds labels of types that cannot"):
            check(y)


def test_check_pu_labels_takes_one_scalar_pos_label_and_bytes():
    with pytest.raises(TypeError, match="pos_label must be a single label"):
        check_pu_labels([0, 1, 0, 1], pos_label=[1, 1, 0, 0])
    mask = check_pu_labels(np.array([b"p", b"u", b"p"]), pos_label=b"p")
    assert mask.tolist() == [True, False, True]
    # A str label matches no bytes label, and the reverse.
    with pytest.raises(ValueError, match="no labelled positive"):
        check_pu_labels(np.array([b"p", b"u"]), pos_label="p")


@pytest.mark.parametrize(
    "value",
    [np.array([["1", "0"], ["0", "1"]], dtype=object), [[True, False], [False, True]]],
    ids=["str", "bool"],
)
def test_numeric_checks_refuse_object_arrays_of_strings_or_bools(value):
    matrix = np.asarray(value, dtype=object)
    with pytest.raises(TypeError, match="transition_matrix must hold numbers"):
        check_transition_matrix(matrix)
