"""Tests for BagKFold, the K-fold splitter that keeps bags whole."""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import config_context
from sklearn.model_selection import GroupKFold

from skrobust.llp._split import BagKFold


def _bags(sizes):
    """Bag ids 0..len(sizes)-1, bag k repeated sizes[k] times, rows shuffled."""
    ids = np.repeat(np.arange(len(sizes)), sizes)
    return ids[np.random.default_rng(0).permutation(ids.shape[0])]


def _folds(cv, bags, n_samples=None):
    n_samples = len(bags) if n_samples is None else n_samples
    return list(cv.split(np.zeros((n_samples, 1)), bags=bags))


def _assert_valid_folds(folds, bags, n_splits):
    """Whole bags, a partition of the rows, and fold sizes within one bag."""
    bags = np.asarray(bags)
    n_samples = bags.shape[0]
    assert len(folds) == n_splits
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(n_samples))
    for train, test in folds:
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])), np.arange(n_samples)
        )
        assert test.size > 0
        # No bag on both sides: each bag's rows are all in test or all in train.
        assert not set(bags[train].tolist()) & set(bags[test].tolist())
    sizes = np.array([len(test) for _, test in folds])
    largest_bag = np.unique(bags, return_counts=True)[1].max()
    assert sizes.max() - sizes.min() <= largest_bag


SIZES = [
    [8] * 12,
    [8] * 11 + [3],
    [1, 2, 3, 5, 8, 13, 21, 34],
    [40, 1, 1, 1, 1, 1, 1, 1, 1, 1],
]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_folds_keep_bags_whole_and_partition_the_rows(sizes, n_splits, shuffle):
    bags = _bags(sizes)
    cv = BagKFold(n_splits, shuffle=shuffle, random_state=0 if shuffle else None)
    _assert_valid_folds(_folds(cv, bags), bags, n_splits)


@given(
    bags=arrays(np.int64, st.integers(2, 120), elements=st.integers(0, 30)),
    n_splits=st.integers(2, 6),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_folds_are_valid_for_any_bags(bags, n_splits, shuffle, seed):
    if np.unique(bags).size < n_splits:
        with pytest.raises(ValueError, match="n_splits"):
            _folds(BagKFold(n_splits), bags)
        return
    cv = BagKFold(n_splits, shuffle=shuffle, random_state=seed if shuffle else None)
    _assert_valid_folds(_folds(cv, bags), bags, n_splits)


@pytest.mark.parametrize("n_splits", [2, 3, 4])
def test_unshuffled_folds_equal_group_kfold_for_distinct_sizes(n_splits):
    # scikit-learn releases break ties between equal groups differently, so the
    # comparison uses bags of distinct sizes.
    bags = _bags([1, 2, 3, 5, 8, 13, 21, 34, 4, 7])
    X = np.zeros((len(bags), 1))
    ours = list(BagKFold(n_splits).split(X, bags=bags))
    theirs = list(GroupKFold(n_splits).split(X, groups=bags))
    for (train, test), (train_g, test_g) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(test, test_g)
        np.testing.assert_array_equal(train, train_g)


def test_unshuffled_deal_is_largest_first_ties_in_reverse_id_order():
    # Sizes 4, 4, 4, 4, 2, 2 go out as bags 3, 2, 1, 0, 5, 4, each to the fold
    # with the fewest rows (the first such fold on ties): fold 0 gets 3 then 0,
    # fold 1 gets 2 then 5, fold 2 gets 1 then 4.
    bags = np.repeat(np.arange(6), [4, 4, 4, 4, 2, 2])
    tests = [sorted(set(bags[t].tolist())) for _, t in _folds(BagKFold(3), bags)]
    assert tests == [[0, 3], [2, 5], [1, 4]]


@pytest.mark.parametrize("shuffle", [False, True])
def test_equal_bags_are_dealt_evenly(shuffle):
    # 23 bags of 6 rows into 5 folds: 5 or 4 bags (30 or 24 rows) per fold.
    bags = _bags([6] * 23)
    cv = BagKFold(5, shuffle=shuffle, random_state=3 if shuffle else None)
    sizes = sorted(len(test) for _, test in _folds(cv, bags))
    assert sizes == [24, 24, 30, 30, 30]


def test_shuffle_is_reproducible_and_seed_dependent():
    bags = _bags([5] * 30)

    def test_sets(seed):
        cv = BagKFold(5, shuffle=True, random_state=seed)
        return [frozenset(bags[test].tolist()) for _, test in _folds(cv, bags)]

    assert test_sets(0) == test_sets(0)
    assert test_sets(0) != test_sets(1)
    unshuffled = [frozenset(bags[t].tolist()) for _, t in _folds(BagKFold(5), bags)]
    assert test_sets(0) != unshuffled


def test_shuffle_moves_bags_of_distinct_sizes():
    # Sorting by size would fix every bag's fold whatever the seed; the shuffled
    # deal must still vary with the seed.
    bags = _bags(list(range(1, 21)))
    folds_of_largest = {
        int(
            next(
                i
                for i, (_, test) in enumerate(
                    _folds(BagKFold(4, shuffle=True, random_state=seed), bags)
                )
                if 19 in bags[test]
            )
        )
        for seed in range(20)
    }
    assert len(folds_of_largest) > 1


def test_random_state_instance_gives_fresh_folds_per_call():
    bags = _bags([4] * 20)
    cv = BagKFold(4, shuffle=True, random_state=np.random.RandomState(0))
    first = [tuple(test) for _, test in _folds(cv, bags)]
    second = [tuple(test) for _, test in _folds(cv, bags)]
    assert first != second


def test_bag_ids_of_any_type_and_index_form_give_the_same_folds():
    codes = _bags([3, 4, 5, 3, 4, 5])
    names = np.array(["a", "b", "c", "d", "e", "f"])[codes]
    index_form = [np.flatnonzero(codes == k) for k in range(6)]
    expected = [test.tolist() for _, test in _folds(BagKFold(3), codes)]
    for bags in (names, list(names), index_form):
        got = [test.tolist() for _, test in _folds(BagKFold(3), bags, len(codes))]
        assert got == expected


def test_split_ignores_groups_and_checks_y_length():
    bags = _bags([4] * 6)
    X = np.zeros((24, 2))
    with_groups = list(BagKFold(3).split(X, groups=np.arange(24), bags=bags))
    without = list(BagKFold(3).split(X, bags=bags))
    for (_, test), (_, test2) in zip(with_groups, without, strict=True):
        np.testing.assert_array_equal(test, test2)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        list(BagKFold(3).split(X, np.zeros(23), bags=bags))


def test_get_n_splits():
    cv = BagKFold(4)
    assert cv.get_n_splits() == 4
    assert cv.get_n_splits(np.zeros((8, 1)), bags=np.arange(8)) == 4


def test_split_without_bags_says_how_to_pass_them():
    with pytest.raises(ValueError, match="bags is required.*enable_metadata_routing"):
        next(BagKFold(3).split(np.zeros((12, 1)), np.zeros(12)))


def test_fewer_bags_than_folds_raises():
    with pytest.raises(ValueError, match="3 bags but n_splits=4"):
        next(BagKFold(4).split(np.zeros((9, 1)), bags=np.repeat([0, 1, 2], 3)))


@pytest.mark.parametrize(
    "bags, match",
    [
        (np.zeros(5), "one bag id per row"),
        ([0, 1, np.nan, 2, 3, 4], "missing values"),
        ([[0, 1, 2], [2, 3, 4, 5]], "more than one bag"),
        ([[0, 1, 2], []], "empty"),
    ],
)
def test_invalid_bags_raise(bags, match):
    with pytest.raises(ValueError, match=match):
        next(BagKFold(2).split(np.zeros((6, 1)), bags=bags))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_splits": 1}, ValueError, "n_splits must be >= 2"),
        ({"n_splits": 2.0}, TypeError, "n_splits must be an int"),
        ({"n_splits": True}, TypeError, "n_splits must be an int"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"random_state": 0}, ValueError, "random_state must be None"),
    ],
)
def test_invalid_parameters_raise_on_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        BagKFold(**kwargs)


def test_requests_bags_and_not_groups_for_split():
    requests = BagKFold().get_metadata_routing().split.requests
    assert requests == {"bags": True}


def test_split_request_can_be_aliased_under_routing():
    with config_context(enable_metadata_routing=True):
        cv = BagKFold(3).set_split_request(bags="bag_ids")
        assert cv.get_metadata_routing().split.requests == {"bags": "bag_ids"}
    # The class default is untouched.
    assert BagKFold().get_metadata_routing().split.requests == {"bags": True}


def test_pickle_round_trip_gives_the_same_folds():
    bags = _bags([3] * 10)
    cv = BagKFold(3, shuffle=True, random_state=7)
    clone = pickle.loads(pickle.dumps(cv))
    for (_, test), (_, test2) in zip(
        _folds(cv, bags), _folds(clone, bags), strict=True
    ):
        np.testing.assert_array_equal(test, test2)
    assert repr(clone) == "BagKFold(n_splits=3, random_state=7, shuffle=True)"
