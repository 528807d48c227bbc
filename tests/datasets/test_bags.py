"""Tests for the bag simulators."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skrobust.datasets import bag_proportions, make_bags
from skrobust.testing.strategies import bagged_problems


@given(
    n_samples=st.integers(1, 500),
    bag_size=st.integers(1, 64),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_make_bags_sizes(n_samples, bag_size, shuffle, seed):
    bags = make_bags(n_samples, bag_size, shuffle=shuffle, random_state=seed)
    sizes = np.bincount(bags)
    n_bags = -(-n_samples // bag_size)
    assert len(sizes) == n_bags
    assert (sizes[:-1] == bag_size).all()
    assert sizes[-1] == n_samples - bag_size * (n_bags - 1)


def test_make_bags_unshuffled_is_consecutive():
    np.testing.assert_array_equal(make_bags(5, 2, shuffle=False), [0, 0, 1, 1, 2])


def test_make_bags_seeded():
    np.testing.assert_array_equal(
        make_bags(50, 7, random_state=3), make_bags(50, 7, random_state=3)
    )
    # Shuffled by default, and by the seed.
    assert not np.array_equal(
        make_bags(50, 7, random_state=3), make_bags(50, 7, shuffle=False)
    )
    assert not np.array_equal(
        make_bags(50, 7, random_state=3), make_bags(50, 7, random_state=4)
    )


@pytest.mark.parametrize(
    "kwargs", [{"n_samples": 0, "bag_size": 1}, {"n_samples": 5, "bag_size": 0}]
)
def test_make_bags_rejects_non_positive(kwargs):
    with pytest.raises(ValueError, match="n_samples|bag_size"):
        make_bags(**kwargs)


@given(bagged_problems())
def test_bag_proportions_equal_mean_of_labels_in_bag(problem):
    y, bags, classes = problem.y, problem.bags, problem.classes
    y_before, bags_before = y.copy(), bags.copy()
    props = bag_proportions(y, bags, classes=classes)
    onehot = (y[:, None] == classes[None, :]).astype(float)
    for b in np.unique(bags):
        rows = bags == b
        expected = onehot[rows].mean(axis=0)
        if len(classes) == 2:
            expected = expected[1]
        np.testing.assert_allclose(
            props[rows], np.broadcast_to(expected, props[rows].shape)
        )
    np.testing.assert_array_equal(y, y_before)
    np.testing.assert_array_equal(bags, bags_before)


def test_bag_proportions_multiclass_rows_sum_to_one():
    y = np.array(["a", "b", "c", "a"])
    props = bag_proportions(y, [0, 0, 1, 1])
    np.testing.assert_allclose(
        props, [[0.5, 0.5, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0.5, 0, 0.5]]
    )


def test_bag_proportions_index_form():
    props = bag_proportions([1, 0, 1, 1], [[0, 1], [2, 3]])
    np.testing.assert_allclose(props, [0.5, 0.5, 1.0, 1.0])


def test_bag_proportions_rejects_empty_bag():
    with pytest.raises(ValueError, match=r"bags\[1\] is empty"):
        bag_proportions([0, 1], [[0, 1], []])
