"""Tests of cluster_label_shares and ProportionEMClassifier(init="clusters")."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_digits, make_blobs
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils import get_tags

from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp import ProportionEMClassifier, _em, cluster_label_shares
from skrobust.testing.strategies import bagged_problems


@pytest.fixture(scope="module")
def blobs():
    """Six tight blobs, each of one class (three classes), in random bags of 40."""
    X, blob = make_blobs(600, centers=6, cluster_std=0.3, random_state=0)
    y = blob % 3
    bags = make_bags(len(y), 40, random_state=0)
    return X, y, bags


def test_pure_clusters_recover_every_label(blobs):
    X, y, bags = blobs
    shares = cluster_label_shares(
        X, bag_proportions(y, bags), bags, n_clusters=6, random_state=0
    )
    # Pure clusters and 15 bags for 6 clusters: the bag counts fix each share,
    # up to the ridge term's small pull towards the prior (measured 0.025).
    assert_array_equal(shares.argmax(axis=1), y)
    assert_allclose(shares, np.eye(3)[y], atol=0.05)


def test_binary_shares_have_two_columns_summing_to_one(blobs):
    X, y, bags = blobs
    positive = (y == 0).astype(int)
    shares = cluster_label_shares(
        X, bag_proportions(positive, bags), bags, n_clusters=[5, 6], random_state=0
    )
    assert shares.shape == (len(y), 2)
    assert_allclose(shares.sum(axis=1), 1.0)
    assert_array_equal(shares[:, 1] > 0.5, positive == 1)


@settings(max_examples=25, deadline=None)
@given(bagged_problems(n_features=2))
def test_shares_are_distributions_and_inputs_untouched(problem):
    X, proportions, bags = problem.X, problem.proportions, problem.bags
    copies = [a.copy() for a in (X, proportions, bags)]
    shares = cluster_label_shares(X, proportions, bags, n_restarts=2, random_state=0)
    n_classes = 2 if proportions.ndim == 1 else proportions.shape[1]
    assert shares.shape == (X.shape[0], n_classes)
    assert np.all((shares >= 0) & (shares <= 1))
    assert_allclose(shares.sum(axis=1), 1.0)
    for before, after in zip(copies, (X, proportions, bags), strict=True):
        assert_array_equal(before, after)


def test_sparse_features_give_the_dense_shares(blobs):
    X, y, bags = blobs
    X = X - X.min(axis=0)  # sparse input is scaled, never centred
    X[X < 1.0] = 0.0
    proportions = bag_proportions(y, bags)
    dense = cluster_label_shares(X, proportions, bags, random_state=0)
    for container in (sparse.csr_matrix, sparse.csc_matrix):
        sparse_shares = cluster_label_shares(
            container(X), proportions, bags, random_state=0
        )
        assert_allclose(sparse_shares, dense, atol=1e-8)


def test_random_state_fixes_the_shares(blobs):
    X, y, bags = blobs
    proportions = bag_proportions(y, bags)
    first, second, other = (
        cluster_label_shares(X, proportions, bags, n_clusters=4, random_state=seed)
        for seed in (1, 1, 2)
    )
    assert_array_equal(first, second)
    # Four clusters for six blobs: the k-means seed decides which blobs merge.
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_clusters": 0}, "n_clusters"),
        ({"n_clusters": [3, 601]}, "between 1 and the number of rows"),
        ({"n_clusters": [2.5]}, "list of ints"),
        ({"n_clusters": []}, "list of ints"),
        ({"n_restarts": 0}, "n_restarts"),
        ({"alpha": 0.0}, "alpha"),
    ],
)
def test_bad_parameters_are_named(blobs, kwargs, match):
    X, y, bags = blobs
    with pytest.raises(ValueError, match=match):
        cluster_label_shares(X, bag_proportions(y, bags), bags, **kwargs)


def test_bad_inputs_get_clear_errors(blobs):
    X, y, bags = blobs
    proportions = bag_proportions(y, bags)
    holed = X.copy()
    holed[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cluster_label_shares(holed, proportions, bags)
    with pytest.raises(ValueError, match="X has 599 rows but proportions has 600"):
        cluster_label_shares(X[:-1], proportions, bags)
    with pytest.raises(ValueError, match="proportions"):
        cluster_label_shares(X, proportions * 2, bags)


@pytest.fixture(scope="module")
def digits_even_odd():
    X, digit = load_digits(return_X_y=True)
    return X / 16.0, (digit % 2 == 0).astype(int)


def test_cluster_start_beats_the_soft_start_with_large_bags(digits_even_odd):
    X, y = digits_even_odd
    scores = {"proportions": [], "clusters": []}
    for seed in range(5):
        test = np.random.default_rng(seed).random(len(y)) < 0.25
        bags = make_bags(int((~test).sum()), 64, random_state=seed)
        proportions = bag_proportions(y[~test], bags)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for init in scores:
                model = ProportionEMClassifier(init=init, random_state=seed)
                model.fit(X[~test], proportions, bags=bags)
                scores[init].append(model.score(X[test], y[test]))
    # Measured over seeds 0 to 4 (bags of 64, about 21 bags): 0.721 mean test
    # accuracy from the proportions, 0.817 from the clusters.
    assert np.mean(scores["clusters"]) > np.mean(scores["proportions"]) + 0.05


def test_max_iter_zero_fits_the_base_on_the_cluster_labels(digits_even_odd):
    X, y = digits_even_odd
    bags = make_bags(len(y), 32, random_state=0)
    proportions = bag_proportions(y, bags)
    model = ProportionEMClassifier(
        HistGradientBoostingClassifier(max_iter=30, random_state=0),
        init="clusters",
        max_iter=0,
        random_state=0,
    ).fit(X, proportions, bags=bags)
    assert model.n_iter_ == 0
    assert_allclose(bag_proportions(model.pseudo_labels_, bags), proportions)
    shares = cluster_label_shares(X, proportions, bags, random_state=0)
    # The pseudo-labels are the shares' labels, not those of an EM round:
    # agreement with the shares' majority class, and with the truth, is high.
    assert np.mean(model.pseudo_labels_ == shares.argmax(axis=1)) > 0.9
    assert np.mean(model.pseudo_labels_ == y) > 0.9
    refit = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    refit.fit(X, model.pseudo_labels_)
    assert_array_equal(model.predict(X), refit.predict(X))


def test_max_iter_zero_needs_hard_starting_labels(digits_even_odd):
    X, y = digits_even_odd
    bags = make_bags(len(y), 32, random_state=0)
    with pytest.raises(ValueError, match="max_iter=0 .* init='proportions'"):
        ProportionEMClassifier(max_iter=0).fit(X, bag_proportions(y, bags), bags=bags)


def test_cluster_start_needs_finite_numeric_features(digits_even_odd):
    X, y = digits_even_odd
    X = X.copy()
    X[0, 0] = np.nan
    bags = make_bags(len(y), 32, random_state=0)
    model = ProportionEMClassifier(
        HistGradientBoostingClassifier(), init="clusters", random_state=0
    )
    # The base takes NaN, the k-means of the start does not; the tags say so.
    assert get_tags(model.set_params(init="proportions")).input_tags.allow_nan
    assert not get_tags(model.set_params(init="clusters")).input_tags.allow_nan
    with pytest.raises(ValueError, match="init='clusters' runs k-means on X.*NaN"):
        model.fit(X, bag_proportions(y, bags), bags=bags)
    text = np.where(np.arange(len(y)) % 2 == 0, "a", "b").astype(object)
    mixed = np.column_stack([X[:, 1:], text])
    with pytest.raises(ValueError, match="must be numeric and finite.*string"):
        model.fit(mixed, bag_proportions(y, bags), bags=bags)


def test_max_iter_zero_with_labels_fits_the_base(digits_even_odd):
    X, y = digits_even_odd
    model = ProportionEMClassifier(max_iter=0).fit(X, y)
    # Labels (bags of one) need no round, whatever the start.
    assert model.n_iter_ == 1
    assert_array_equal(model.pseudo_labels_, y)


def test_random_start_draws_the_folds_first(digits_even_odd, monkeypatch):
    X, y = digits_even_odd
    bags = make_bags(len(y), 16, random_state=0)
    seen = []
    original = _em._assign

    def spy(scores, *args):
        seen.append(np.array(scores, copy=True))
        return original(scores, *args)

    monkeypatch.setattr(_em, "_assign", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ProportionEMClassifier(init="random", max_iter=1, random_state=7).fit(
            X, bag_proportions(y, bags), bags=bags
        )
    # The order of draws from random_state that the random start always had:
    # the folds' shuffle, then the start's noise.
    rng = np.random.RandomState(7)
    list(KFold(5, shuffle=True, random_state=rng).split(X))
    assert_array_equal(seen[0], rng.random_sample((len(y), 2)))


def test_cluster_start_with_multiclass_bags_meets_the_counts():
    X, y = load_digits(return_X_y=True)
    bags = make_bags(len(y), 64, random_state=0)
    proportions = bag_proportions(y, bags)
    model = ProportionEMClassifier(init="clusters", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X / 16.0, proportions, bags=bags)
    assert_allclose(bag_proportions(model.pseudo_labels_, bags), proportions)
    # Measured 0.932; the soft start reaches 0.865 after the same two rounds.
    assert np.mean(model.pseudo_labels_ == y) > 0.9
