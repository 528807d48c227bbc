"""Tests for the PU-stratified K-fold splitter."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)

from skrobust.datasets import make_pu_labels
from skrobust.pu import PUStratifiedKFold


def _pu_labels(n_samples, n_labeled, seed=0):
    """Labels with ``n_labeled`` ones at random rows, zeros elsewhere."""
    s = np.zeros(n_samples, dtype=int)
    s[np.random.default_rng(seed).permutation(n_samples)[:n_labeled]] = 1
    return s


def _folds(cv, s):
    return list(cv.split(np.zeros((len(s), 1)), s))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize(
    ("n_samples", "n_labeled", "n_splits"),
    [(20, 3, 3), (50, 5, 5), (101, 7, 4), (30, 25, 5)],
)
def test_every_fold_has_labelled_positives_on_both_sides(
    n_samples, n_labeled, n_splits, shuffle
):
    s = _pu_labels(n_samples, n_labeled)
    cv = PUStratifiedKFold(
        n_splits, shuffle=shuffle, random_state=0 if shuffle else None
    )
    folds = _folds(cv, s)
    assert len(folds) == n_splits
    for train, test in folds:
        assert s[train].sum() >= 1 and s[test].sum() >= 1
        assert (s[test] == 0).any() and (s[train] == 0).any()


@pytest.mark.parametrize("shuffle", [False, True])
def test_folds_partition_the_rows(shuffle):
    s = _pu_labels(47, 9)
    folds = _folds(
        PUStratifiedKFold(4, shuffle=shuffle, random_state=1 if shuffle else None), s
    )
    tests = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(47))
    for train, test in folds:
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, test])), np.arange(47)
        )


@given(
    n_splits=st.integers(2, 7),
    n_labeled=st.integers(0, 40),
    n_unlabeled=st.integers(0, 60),
    seed=st.integers(0, 2**16),
)
def test_fold_sizes_are_balanced_overall_and_per_stratum(
    n_splits, n_labeled, n_unlabeled, seed
):
    n_labeled, n_unlabeled = n_labeled + n_splits, n_unlabeled + n_splits
    s = _pu_labels(n_labeled + n_unlabeled, n_labeled, seed)
    cv = PUStratifiedKFold(n_splits, shuffle=True, random_state=seed)
    tests = [test for _, test in _folds(cv, s)]
    sizes = np.array([len(t) for t in tests])
    labeled = np.array([s[t].sum() for t in tests])
    for counts in (sizes, labeled, sizes - labeled):
        assert counts.max() - counts.min() <= 1
    assert labeled.sum() == n_labeled and sizes.sum() == len(s)


def test_without_shuffle_matches_stratified_kfold_when_first_row_is_labelled():
    # StratifiedKFold deals classes in order of first appearance; with a labelled
    # first row that is our order too, so the folds must coincide exactly.
    s = _pu_labels(53, 8, seed=3)
    s[[0, np.flatnonzero(s)[0]]] = s[[np.flatnonzero(s)[0], 0]]
    assert s[0] == 1
    X = np.zeros((53, 1))
    ours = _folds(PUStratifiedKFold(4), s)
    theirs = list(StratifiedKFold(4).split(X, s))
    for (train_a, test_a), (train_b, test_b) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(test_a, test_b)
        np.testing.assert_array_equal(train_a, train_b)


def test_without_shuffle_strata_go_to_folds_in_blocks():
    s = np.array([1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1])
    folds = _folds(PUStratifiedKFold(2), s)
    labeled_rows, unlabeled_rows = np.flatnonzero(s == 1), np.flatnonzero(s == 0)
    np.testing.assert_array_equal(np.intersect1d(folds[0][1], labeled_rows), [0, 2, 4])
    np.testing.assert_array_equal(
        np.intersect1d(folds[0][1], unlabeled_rows), [1, 3, 5]
    )


def test_shuffle_is_reproducible_with_an_int_seed_and_varies_across_seeds():
    s = _pu_labels(60, 12)

    def tests_of(cv):
        return [test.tolist() for _, test in _folds(cv, s)]

    first = tests_of(PUStratifiedKFold(3, shuffle=True, random_state=7))
    assert first == tests_of(PUStratifiedKFold(3, shuffle=True, random_state=7))
    cv = PUStratifiedKFold(3, shuffle=True, random_state=7)
    assert tests_of(cv) == tests_of(cv)
    assert first != tests_of(PUStratifiedKFold(3, shuffle=True, random_state=8))
    assert first != tests_of(PUStratifiedKFold(3))


def test_shuffle_with_a_random_state_instance_draws_new_folds_each_call():
    s = _pu_labels(60, 12)
    cv = PUStratifiedKFold(3, shuffle=True, random_state=np.random.RandomState(0))
    assert _folds(cv, s)[0][1].tolist() != _folds(cv, s)[0][1].tolist()


def test_string_labels_with_pos_label_give_the_numeric_folds():
    s = _pu_labels(40, 8)
    s_text = np.where(s == 1, "labelled", "unlabelled")
    numeric = _folds(PUStratifiedKFold(4, shuffle=True, random_state=0), s)
    text = _folds(
        PUStratifiedKFold(4, shuffle=True, random_state=0, pos_label="labelled"), s_text
    )
    for (_, test_a), (_, test_b) in zip(numeric, text, strict=True):
        np.testing.assert_array_equal(test_a, test_b)


def test_pos_label_zero_stratifies_on_the_zeros():
    # With pos_label=0 the rare zeros are the labelled positives.
    s = 1 - _pu_labels(30, 4)
    folds = _folds(PUStratifiedKFold(4, pos_label=0), s)
    assert [int((s[test] == 0).sum()) for _, test in folds] == [1, 1, 1, 1]


def test_groups_are_ignored():
    s = _pu_labels(30, 6)
    X = np.zeros((30, 1))
    cv = PUStratifiedKFold(3)
    with_groups = list(cv.split(X, s, groups=np.arange(30) % 5))
    for (_, test_a), (_, test_b) in zip(_folds(cv, s), with_groups, strict=True):
        np.testing.assert_array_equal(test_a, test_b)


@pytest.mark.parametrize(
    ("n_labeled", "n_unlabeled", "match"),
    [
        (3, 20, r"y has 3 labelled positives .* n_splits=5 .* lower n_splits to 3"),
        (1, 20, r"y has 1 labelled positives .*; supply more labelled positives"),
        (10, 4, r"y has 4 unlabelled rows .* n_splits=5"),
    ],
)
def test_too_few_rows_in_a_stratum_raise(n_labeled, n_unlabeled, match):
    s = np.r_[np.ones(n_labeled, dtype=int), np.zeros(n_unlabeled, dtype=int)]
    with pytest.raises(ValueError, match=match):
        _folds(PUStratifiedKFold(5), s)


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (None, "y is required"),
        (np.zeros(10, dtype=int), r"y has no labelled positive \(value 1\)"),
        (np.arange(10) % 3, "y must hold two values"),
        (np.ones(10, dtype=int), "y has no unlabelled row"),
    ],
)
def test_invalid_pu_labels_raise_naming_y(y, match):
    with pytest.raises(ValueError, match=match):
        list(PUStratifiedKFold(2).split(np.zeros((10, 1)), y))


def test_string_labels_without_matching_pos_label_raise():
    s = np.array(["p", "u"] * 10)
    with pytest.raises(ValueError, match=r"y has no labelled positive \(value 1\)"):
        _folds(PUStratifiedKFold(2), s)


def test_x_and_y_of_different_lengths_raise():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        list(PUStratifiedKFold(2).split(np.zeros((9, 1)), _pu_labels(10, 4)))


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_splits": 1}, ValueError, r"n_splits must be >= 2 .*; got 1\."),
        ({"n_splits": 2.0}, TypeError, "n_splits must be an int >= 2; got float 2.0"),
        ({"n_splits": True}, TypeError, "n_splits must be an int"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False; got str"),
        ({"random_state": 0}, ValueError, "random_state must be None when shuffle"),
    ],
)
def test_invalid_parameters_raise(params, error, match):
    with pytest.raises(error, match=match):
        PUStratifiedKFold(**params)


def test_get_n_splits_and_repr():
    cv = PUStratifiedKFold(4, shuffle=True, random_state=3, pos_label="p")
    assert cv.get_n_splits() == 4
    assert cv.get_n_splits(np.zeros((8, 1)), np.ones(8), None) == 4
    assert repr(cv) == (
        "PUStratifiedKFold(n_splits=4, pos_label='p', random_state=3, shuffle=True)"
    )
    assert repr(PUStratifiedKFold()) == (
        "PUStratifiedKFold(n_splits=5, pos_label=1, random_state=None, shuffle=False)"
    )


def test_split_leaves_inputs_unchanged():
    s = _pu_labels(30, 6)
    s_before = s.copy()
    _folds(PUStratifiedKFold(3, shuffle=True, random_state=0), s)
    np.testing.assert_array_equal(s, s_before)


@pytest.fixture(scope="module")
def pu_data():
    X, y = make_classification(n_samples=300, weights=[0.6], random_state=0)
    # Few labelled positives: where a plain KFold risks folds without any.
    s = make_pu_labels(y, 0.1, random_state=0)
    return X, s


def test_cross_validate_folds_keep_labelled_positives(pu_data):
    X, s = pu_data
    cv = PUStratifiedKFold(5, shuffle=True, random_state=0)
    result = cross_validate(LogisticRegression(), X, s, cv=cv, return_indices=True)
    assert len(result["test_score"]) == 5
    for train, test in zip(
        result["indices"]["train"], result["indices"]["test"], strict=True
    ):
        assert s[train].sum() >= 1 and s[test].sum() >= 1
    scores = cross_val_score(LogisticRegression(), X, s, cv=cv)
    np.testing.assert_allclose(scores, result["test_score"])


def test_grid_search_accepts_the_splitter(pu_data):
    X, s = pu_data
    search = GridSearchCV(
        LogisticRegression(),
        {"C": [0.1, 1.0]},
        cv=PUStratifiedKFold(3, shuffle=True, random_state=0),
        scoring="roc_auc",
        error_score="raise",
    ).fit(X, s)
    assert search.n_splits_ == 3
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_grid_search_with_metadata_routing_enabled(pu_data):
    X, s = pu_data
    with config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            LogisticRegression(),
            {"C": [0.1, 1.0]},
            cv=PUStratifiedKFold(3),
            error_score="raise",
        ).fit(X, s)
    assert search.n_splits_ == 3
