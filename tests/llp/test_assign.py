"""Tests of the count-respecting label assignment (skrobust.llp._assign)."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from skrobust.datasets import bag_proportions
from skrobust.llp._assign import assign_bag_labels, compute_bag_counts

METHODS = ["exact", "greedy"]


def _counts_of(labels, bag_codes, n_classes):
    counts = np.zeros((bag_codes.max() + 1, n_classes), dtype=np.int64)
    np.add.at(counts, (bag_codes, labels), 1)
    return counts


def _sequential_greedy(scores, bag_codes, counts):
    """The greedy rule written out: pairs by (score desc, row, class)."""
    n, n_classes = scores.shape
    rows, classes = np.divmod(np.arange(n * n_classes), n_classes)
    order = np.lexsort((classes, rows, -scores.ravel()))
    labels = np.full(n, -1)
    left = counts.copy()
    for row, k in zip(rows[order], classes[order], strict=True):
        if labels[row] < 0 and left[bag_codes[row], k] > 0:
            labels[row] = k
            left[bag_codes[row], k] -= 1
    return labels


def _brute_force_best(scores, counts):
    """Largest summed score over every labelling of one bag meeting ``counts``."""
    slots = np.repeat(np.arange(scores.shape[1]), counts)
    rows = np.arange(scores.shape[0])
    return max(scores[rows, list(perm)].sum() for perm in itertools.permutations(slots))


@st.composite
def bagged_scores(draw, n_classes=None, max_bag=12):
    """Random bags, scores (with ties) and label counts, from a drawn seed."""
    K = draw(st.integers(2, 5)) if n_classes is None else n_classes
    n = draw(st.integers(1, 80))
    bag_size = draw(st.integers(1, max_bag))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    bags = rng.permutation(np.arange(n) // bag_size)
    # Rounded scores make ties common, the case where a careless rank breaks.
    scores = np.round(rng.normal(size=(n, K)), 1)
    labels = rng.integers(0, K, n)
    return scores, bags, _counts_of(labels, bags, K)


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=40, deadline=None)
@given(problem=bagged_scores())
def test_multiclass_assignment_meets_counts_exactly(method, problem):
    scores, bags, counts = problem
    labels = assign_bag_labels(scores, bags, counts, method=method)
    assert labels.dtype == np.int64
    assert_array_equal(_counts_of(labels, bags, scores.shape[1]), counts)


@settings(max_examples=40, deadline=None)
@given(problem=bagged_scores(), seed=st.integers(0, 2**32 - 1))
def test_binary_assignment_meets_counts_and_ranks_within_bags(problem, seed):
    scores, bags, _ = problem
    sizes = np.bincount(bags)
    positives = np.random.default_rng(seed).integers(0, sizes + 1)
    labels = assign_bag_labels(scores[:, 0], bags, positives)
    assert_array_equal(np.bincount(bags, weights=labels), positives)
    # Optimal: no positive scores below a negative of its own bag.
    for bag in np.unique(bags):
        in_bag = bags == bag
        pos, neg = scores[in_bag & (labels == 1), 0], scores[in_bag & (labels == 0), 0]
        if pos.size and neg.size:
            assert pos.min() >= neg.max()


@settings(max_examples=40, deadline=None)
@given(problem=bagged_scores(n_classes=None))
def test_greedy_is_the_sequential_greedy_rule(problem):
    scores, bags, counts = problem
    if scores.shape[1] == 2:
        return  # two classes take the exact ranking path
    labels = assign_bag_labels(scores, bags, counts, method="greedy")
    assert_array_equal(labels, _sequential_greedy(scores, bags, counts))


@settings(max_examples=30, deadline=None)
@given(problem=bagged_scores(max_bag=5))
def test_exact_reaches_the_brute_force_maximum(problem):
    scores, bags, counts = problem
    exact = assign_bag_labels(scores, bags, counts, method="exact")
    greedy = assign_bag_labels(scores, bags, counts, method="greedy")
    rows = np.arange(scores.shape[0])
    best = sum(
        _brute_force_best(scores[bags == bag], counts[bag]) for bag in np.unique(bags)
    )
    assert scores[rows, exact].sum() == pytest.approx(best)
    assert scores[rows, greedy].sum() <= best + 1e-9


def test_two_column_scores_rank_the_score_difference():
    # Row 0 has the larger class-1 score but row 1 the larger margin.
    scores = np.array([[0.0, 1.0], [-5.0, 0.5]])
    labels = assign_bag_labels(scores, [0, 0], [[1, 1]])
    assert_array_equal(labels, [0, 1])


def test_greedy_and_exact_differ_on_a_hand_case():
    # Counts: one row of class 0, one of class 1. Greedy takes the single best
    # pair (row 0, class 0) first and must put row 1 in class 1 (score -5);
    # the optimum swaps them (-0.1 - 0.05 > 0 - 5).
    scores = np.array([[0.0, -0.1, -9.0], [-0.05, -5.0, -9.0]])
    counts = [[1, 1, 0]]
    assert_array_equal(
        assign_bag_labels(scores, [0, 0], counts, method="greedy"), [0, 1]
    )
    assert_array_equal(
        assign_bag_labels(scores, [0, 0], counts, method="exact"), [1, 0]
    )


def test_binary_ties_go_to_the_lower_row():
    labels = assign_bag_labels([0.5, 0.5, 0.5, 0.1], ["b", "b", "b", "a"], [0, 2])
    assert_array_equal(labels, [1, 1, 0, 0])


def test_auto_is_exact_for_small_bags():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(60, 4))
    bags = np.arange(60) // 6
    counts = _counts_of(rng.integers(0, 4, 60), bags, 4)
    assert_array_equal(
        assign_bag_labels(scores, bags, counts),
        assign_bag_labels(scores, bags, counts, method="exact"),
    )


def test_inputs_are_not_modified():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(30, 3))
    bags = np.arange(30) % 5
    counts = _counts_of(rng.integers(0, 3, 30), bags, 3)
    copies = scores.copy(), bags.copy(), counts.copy()
    for method in METHODS:
        assign_bag_labels(scores, bags, counts, method=method)
    for before, after in zip(copies, (scores, bags, counts), strict=True):
        assert_array_equal(before, after)


def test_compute_bag_counts_largest_remainder_by_hand():
    # 0.5, 0.3, 0.2 of 3 rows: floors (1, 0, 0) leave 2 rows for the largest
    # remainders 0.9 and 0.6, giving (1, 1, 1); a bag of 2 gets (1, 1, 0) as
    # its remainders are 0, 0.6, 0.4.
    props = np.array([[0.5, 0.3, 0.2]] * 5)
    counts = compute_bag_counts(props, [0, 0, 0, 1, 1])
    assert_array_equal(counts, [[1, 1, 1], [1, 1, 0]])
    assert counts.dtype == np.int64


def test_compute_bag_counts_binary_and_list_bags():
    assert_array_equal(
        compute_bag_counts([0.25] * 4 + [1.0] * 2, [[0, 1, 2, 3], [4, 5]]), [1, 2]
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 200),
    n_classes=st.integers(2, 5),
    bag_size=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_from_label_proportions_are_the_label_counts(
    n, n_classes, bag_size, seed
):
    rng = np.random.default_rng(seed)
    bags = rng.permutation(np.arange(n) // bag_size)
    y = rng.integers(0, n_classes, n)
    classes = np.arange(n_classes)
    counts = compute_bag_counts(bag_proportions(y, bags, classes=classes), bags)
    expected = _counts_of(y, np.unique(bags, return_inverse=True)[1], n_classes)
    assert_array_equal(counts, expected[:, 1] if n_classes == 2 else expected)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 30), min_size=1, max_size=10),
    n_classes=st.integers(2, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_counts_of_any_proportions_sum_to_sizes_within_one(sizes, n_classes, seed):
    rng = np.random.default_rng(seed)
    per_bag = rng.dirichlet(np.ones(n_classes), size=len(sizes))
    bags = np.repeat(np.arange(len(sizes)), sizes)
    counts = compute_bag_counts(per_bag[bags], bags)
    assert_array_equal(counts.sum(axis=1), sizes)
    # Each count is the floor or the ceiling of its exact share.
    exact = per_bag * np.array(sizes)[:, None]
    assert np.all(np.abs(counts - exact) < 1)


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        ([[2, 1], [1, 0]], "summing to its size"),
        ([[2, 0], [-1, 2]], "non-negative integers"),
        ([[1.5, 0.5], [1, 0]], "non-negative integers"),
        ([[1, 1, 0], [1, 0, 0]], "shape"),
        ([[1, 1]], "shape"),
    ],
)
def test_bad_multiclass_counts_raise(counts, match):
    scores = np.zeros((3, 2))
    with pytest.raises(ValueError, match=match):
        assign_bag_labels(scores, [0, 0, 1], counts)


def test_bad_binary_counts_and_scores_raise():
    with pytest.raises(ValueError, match="at most its size"):
        assign_bag_labels([0.1, 0.2, 0.3], [0, 0, 1], [1, 2])
    with pytest.raises(ValueError, match="one row per bag id"):
        assign_bag_labels([0.1, 0.2], [0, 0, 1], [1, 1])
    with pytest.raises(ValueError, match="NaN"):
        assign_bag_labels([0.1, np.nan, 0.3], [0, 0, 1], [1, 1])
    with pytest.raises(ValueError, match="method"):
        assign_bag_labels([0.1, 0.2, 0.3], [0, 0, 1], [1, 1], method="optimal")


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_log_of_zero_probabilities_is_accepted(method):
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=40)
    proba[rng.random((40, 3)) < 0.2] = 0.0  # a tree's or a kNN's exact zeros
    bags = np.repeat(np.arange(5), 8)
    counts = np.array([[3, 3, 2], [2, 4, 2], [8, 0, 0], [1, 1, 6], [3, 2, 3]])
    with np.errstate(divide="ignore"):
        scores = np.log(proba)
    labels = assign_bag_labels(scores, bags, counts, method=method)
    tiny = assign_bag_labels(
        np.log(np.maximum(proba, 1e-300)), bags, counts, method=method
    )
    assert_array_equal(labels, tiny)
    met = np.zeros((5, 3), dtype=int)
    np.add.at(met, (bags, labels), 1)
    assert_array_equal(met, counts)
    # Binary ranking and all -inf (every row equally unlikely) work too.
    binary = assign_bag_labels(np.full(40, -np.inf), bags, counts[:, 0])
    assert_array_equal(np.bincount(bags, weights=binary), counts[:, 0])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_plus_inf_scores_are_refused(bad):
    scores = np.array([0.1, bad, 0.3, 0.2])
    with pytest.raises(ValueError, match="scores must not hold NaN or \\+inf"):
        assign_bag_labels(scores, [0, 0, 1, 1], [1, 1])
