"""Tests for the PU labelling simulator."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skrobust.datasets import make_pu_labels
from skrobust.utils import check_pu_labels


@pytest.mark.slow
def test_scar_label_frequency_matches():
    # 200k positives: standard error of the labelled share is ~0.0011.
    y = np.repeat([0, 1], 200_000)
    s = make_pu_labels(y, 0.3, random_state=0)
    assert abs(s[y == 1].mean() - 0.3) < 0.01
    assert s[y == 0].sum() == 0


def test_sar_propensity_is_followed():
    rng = np.random.default_rng(0)
    y = np.ones(100_000, dtype=int)
    y[::2] = 0
    propensity = np.where(np.arange(100_000) % 4 == 1, 0.9, 0.1)
    s = make_pu_labels(y, None, propensity=propensity, random_state=rng.integers(99))
    high = (y == 1) & (propensity == 0.9)
    low = (y == 1) & (propensity == 0.1)
    assert abs(s[high].mean() - 0.9) < 0.01
    assert abs(s[low].mean() - 0.1) < 0.01


@given(
    labels=st.sampled_from([(0, 1), ("neg", "pos"), (-1, 1)]),
    c=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_labelled_rows_are_positives_and_values_follow_y(labels, c, seed):
    neg, pos = labels
    y = np.array([neg, pos] * 50)
    y_before = y.copy()
    s = make_pu_labels(y, c, pos_label=pos, random_state=seed)
    assert set(np.unique(s)) <= {neg, pos}
    assert (y[s == pos] == pos).all()
    np.testing.assert_array_equal(y, y_before)


def test_output_passes_check_pu_labels():
    y = np.repeat([0, 1], 100)
    s = make_pu_labels(y, 0.5, random_state=0)
    assert check_pu_labels(s).sum() == (s == 1).sum()


def test_multiclass_y_uses_zero_for_unlabelled():
    y = np.array([0, 1, 2, 1, 2] * 20)
    s = make_pu_labels(y, 1.0, pos_label=2)
    np.testing.assert_array_equal(s, np.where(y == 2, 2, 0))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"label_frequency": 0.5, "propensity": np.ones(4)}, "exactly one"),
        ({"label_frequency": None}, "exactly one"),
        ({"label_frequency": 0.0}, "label_frequency"),
        ({"label_frequency": 1.5}, "label_frequency"),
        ({"label_frequency": 0.5, "pos_label": 7}, "no row equal to pos_label=7"),
        ({"label_frequency": None, "propensity": np.ones(3)}, "one value per row"),
        ({"label_frequency": None, "propensity": [0, 2, 0, 1]}, r"in \[0, 1\]"),
    ],
)
def test_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_pu_labels(np.array([0, 1, 0, 1]), **kwargs)


def test_string_pos_label_with_a_numeric_unlabeled_value_is_a_clear_error():
    """numpy's DTypePromotionError named neither parameter."""
    y = np.array(["pos", "neg", "pos", "neg"])
    with pytest.raises(TypeError, match="unlabeled_value=0 and pos_label='pos'"):
        make_pu_labels(y, 1.0, pos_label="pos", unlabeled_value=0, random_state=0)
    s = make_pu_labels(y, 1.0, pos_label="pos", unlabeled_value="u", random_state=0)
    assert s.tolist() == ["pos", "u", "pos", "u"]
