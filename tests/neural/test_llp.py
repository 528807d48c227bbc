"""Tests of LLPNeuralNetClassifier (skrobust.neural)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

import sklearn  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits  # noqa: E402
from sklearn.model_selection import GroupKFold, cross_validate  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from skrobust.datasets import bag_proportions, make_bags  # noqa: E402
from skrobust.losses import proportion_loss  # noqa: E402
from skrobust.neural import (  # noqa: E402
    LLPNeuralNetClassifier,
    RobustNeuralNetClassifier,
)
from skrobust.neural._data import BagBatchIterator  # noqa: E402

N_BAGS = 40


def _params(**params):
    return {
        "module__hidden_units": (16,),
        "max_epochs": 3,
        "lr": 3e-3,
        "random_state": 0,
        **params,
    }


class RecordingProportionLoss(torch.nn.Module):
    """The DLLP loss, keeping the bags, proportions and weights of every batch."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, logits, bags, proportions, weight=None):
        self.calls.append(
            (bags.detach().clone(), proportions.detach().clone(), weight.clone())
        )
        return proportion_loss(logits, bags, proportions, weight=weight)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def uneven_bags(cancer):
    """300 rows in 40 bags of uneven sizes (2 to 15 rows), with their
    proportions."""
    X, y = cancer
    rng = np.random.default_rng(0)
    bags = rng.integers(0, N_BAGS, size=300)
    assert np.unique(bags).size == N_BAGS
    return X[:300], y[:300], bags, bag_proportions(y[:300], bags)


@pytest.mark.parametrize(
    "path", [{}, {"iterator_train__num_workers": 0}], ids=["slicing", "dataloader"]
)
def test_batches_hold_whole_bags_with_their_proportions(uneven_bags, path):
    X, _, bags, proportions = uneven_bags
    n = X.shape[0]
    # Each row's weight is its row number plus one, so a weight names its row.
    weight = np.arange(1, n + 1, dtype=np.float64)
    net = LLPNeuralNetClassifier(
        **_params(criterion=RecordingProportionLoss, batch_size=64, **path)
    ).fit(X, proportions, bags=bags, sample_weight=weight)
    sizes = np.bincount(bags)
    epoch, seen = [], []
    for local, per_bag, w in net.criterion_.calls:
        rows = w.long().numpy() - 1
        batch_bags = bags[rows]
        # Whole bags: every row of each bag present in the batch is in it.
        counts = np.bincount(batch_bags, minlength=N_BAGS)
        present = np.flatnonzero(counts)
        assert_array_equal(counts[present], sizes[present])
        # Local codes number the batch's bags, in step with the rows.
        assert_array_equal(np.unique(batch_bags)[local.numpy()], batch_bags)
        # Each bag's proportions row is that bag's [1 - p, p].
        assert per_bag.shape == (present.size, 2)
        assert_allclose(per_bag[local.numpy(), 1].numpy(), proportions[rows])
        assert_allclose(per_bag.sum(dim=1).numpy(), 1.0, rtol=1e-6)
        assert rows.size < 64 + sizes.max()
        epoch.append(rows)
        if sum(r.size for r in epoch) == n:
            seen.append(np.concatenate(epoch))
            epoch = []
    assert not epoch
    assert len(seen) == net.max_epochs
    for order in seen:
        assert_array_equal(np.sort(order), np.arange(n))
    # Bags come in a new order each epoch.
    assert not np.array_equal(seen[0], seen[1])


def test_get_iterator_yields_bag_batches_on_both_paths(uneven_bags):
    X, _, bags, proportions = uneven_bags
    fast = LLPNeuralNetClassifier(**_params(max_epochs=1))
    fast.fit(X, proportions, bags=bags)
    loader = LLPNeuralNetClassifier(
        **_params(max_epochs=1, iterator_train__num_workers=0)
    ).fit(X, proportions, bags=bags)
    dataset = fast.get_dataset(
        {"X": X.astype(np.float32), "bags": bags.astype(np.int64)},
        np.column_stack([1 - proportions, proportions]).astype(np.float32),
    )
    assert type(fast.get_iterator(dataset, training=True)) is BagBatchIterator
    iterator = loader.get_iterator(dataset, training=True)
    assert type(iterator) is DataLoader
    sizes = np.bincount(bags)
    n_rows = 0
    for Xb, _ in iterator:
        batch_bags = Xb["bags"].numpy()
        counts = np.bincount(batch_bags, minlength=N_BAGS)
        present = np.flatnonzero(counts)
        assert_array_equal(counts[present], sizes[present])
        n_rows += batch_bags.size
    assert n_rows == X.shape[0]


@pytest.mark.parametrize("n_classes", [2, 10])
def test_bags_of_one_reduce_to_cross_entropy(cancer, n_classes):
    if n_classes == 2:
        X, y = cancer
        X, y = X[:300], y[:300]
        # Binary: 1-D positive-class proportions.
        given = y.astype(np.float64)
    else:
        X, y = load_digits(return_X_y=True)
        X, y = X[:300] / 16.0, y[:300]
        given = np.eye(10)[y]
    params = _params(batch_size=32, max_epochs=10)
    expected = (
        RobustNeuralNetClassifier(criterion="ce", **params).fit(X, y).predict_proba(X)
    )
    implicit = LLPNeuralNetClassifier(**params).fit(X, y)
    explicit = LLPNeuralNetClassifier(**params).fit(
        X, given, bags=np.arange(X.shape[0])
    )
    assert implicit.n_bags_ == explicit.n_bags_ == X.shape[0]
    # Same seed, same batches, and a bag of one's proportion loss is its row's
    # cross-entropy: the same training step by step.
    assert_allclose(implicit.predict_proba(X), expected, atol=1e-5)
    assert_allclose(explicit.predict_proba(X), expected, atol=1e-5)
    # Ten epochs already learn the task, so equality is not that of untrained
    # nets (measured training accuracy 0.98 and 0.91).
    assert np.mean(np.argmax(expected, axis=1) == y) > 0.75


def test_weights_act_on_rows_without_bags(cancer):
    X, y = cancer
    X, y = X[:300], y[:300]
    params = _params(batch_size=32, max_epochs=5)
    weights = np.where(np.arange(len(y)) % 2 == 0, 10.0, 0.1)

    def proba(sample_weight):
        net = LLPNeuralNetClassifier(**params)
        return net.fit(X, y, sample_weight=sample_weight).predict_proba(X)

    # Each row is its own bag, where a weight would cancel in the bag's mean; it
    # weighs the row's loss instead, so weights change the fit...
    assert np.abs(proba(weights) - proba(None)).max() > 0.05
    assert np.abs(proba(weights) - proba(1 / weights)).max() > 0.05
    # ...and only relative to each other, as in weighted supervised training.
    assert_allclose(proba(3 * weights), proba(weights), atol=1e-5)
    assert_allclose(proba(np.full(len(y), 5.0)), proba(None), atol=1e-5)


def test_learns_instance_labels_from_bag_proportions(cancer):
    X, y = cancer
    bags = make_bags(len(y), bag_size=8, random_state=0)
    net = LLPNeuralNetClassifier(**_params(max_epochs=30, lr=1e-2))
    net.fit(X, bag_proportions(y, bags), bags=bags)
    assert net.n_bags_ == np.unique(bags).size
    assert_array_equal(net.classes_, [0, 1])
    # Instance accuracy from proportions of 8-row bags (measured 0.96; the
    # majority class alone scores 0.63).
    assert net.score(X, y) > 0.9


def _share_error(estimator, X, y):
    """Minus the gap between the predicted and the given positive share."""
    return -abs(estimator.predict_proba(X)[:, 1].mean() - np.mean(y))


def test_cross_validate_routes_bags_to_fit(uneven_bags):
    X, _, bags, proportions = uneven_bags
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            LLPNeuralNetClassifier(**_params(max_epochs=5)),
            X,
            proportions,
            params={"bags": bags, "groups": bags},
            cv=GroupKFold(n_splits=3),
            scoring=_share_error,
            return_estimator=True,
            return_indices=True,
            error_score="raise",
        )
    # Without bags, fit would read the proportions as labels and fail; each fold
    # saw exactly the bags of its training rows.
    for estimator, train, test in zip(
        result["estimator"],
        result["indices"]["train"],
        result["indices"]["test"],
        strict=True,
    ):
        assert estimator.n_bags_ == np.unique(bags[train]).size
        assert not set(bags[train]) & set(bags[test])
    assert np.all(result["test_score"] > -0.15)


@pytest.mark.parametrize(
    "y_of, bags_of, match",
    [
        (lambda p, b: p + 1.5, lambda b: b, r"proportions in \[0, 1\]"),
        (lambda p, b: np.where(np.arange(p.size) == 0, 1 - p, p), None, "within"),
        (lambda p, b: p, lambda b: b[:-10], "one bag id per row"),
        (lambda p, b: p, lambda b: [], "bags"),
        (
            lambda p, b: p,
            lambda b: np.where(np.arange(b.size) == 5, np.nan, b),
            "missing values",
        ),
        (
            lambda p, b: np.column_stack([p, p]),
            lambda b: b,
            "sum to 1",
        ),
    ],
    ids=[
        "outside-unit-interval",
        "differ-within-bag",
        "bags-length",
        "bags-empty",
        "bags-nan",
        "rows-not-summing-to-one",
    ],
)
def test_bad_input_raises_clear_error(uneven_bags, y_of, bags_of, match):
    X, _, bags, proportions = uneven_bags
    if bags_of is None:
        # A proportion in (0, 1) other than 0.5, so 1 - p differs from p.
        row = np.flatnonzero((proportions > 0) & (proportions != 0.5))[0]
        rows = np.flatnonzero(bags == bags[row])
        assert rows.size > 1
        y = proportions.copy()
        y[rows[0]] = 1 - y[rows[0]]
        given_bags = bags
    else:
        y = y_of(proportions, bags)
        given_bags = bags_of(bags.astype(np.float64))
    with pytest.raises(ValueError, match=match):
        LLPNeuralNetClassifier(**_params(max_epochs=1)).fit(X, y, bags=given_bags)


def test_unknown_criterion_and_single_class_are_rejected(cancer):
    X, y = cancer
    with pytest.raises(ValueError, match="dllp"):
        LLPNeuralNetClassifier(**_params(criterion="nope")).fit(X, y)
    with pytest.raises(ValueError, match="another family"):
        LLPNeuralNetClassifier(**_params(criterion="gce")).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LLPNeuralNetClassifier(**_params()).fit(X, np.zeros(len(y)))


def test_score_on_proportions_names_the_bag_scorer(uneven_bags):
    """score(X, proportions) raised scikit-learn's "mix of continuous and binary
    targets"; it now says to score bag proportions instead."""
    X, y, bags, proportions = uneven_bags
    net = LLPNeuralNetClassifier(**_params()).fit(X, proportions, bags=bags)
    with pytest.raises(ValueError, match="bag_proportion_scorer"):
        net.score(X, proportions)
    assert 0.0 <= net.score(X, y) <= 1.0


@pytest.fixture(scope="module")
def digits_even_odd():
    X, digit = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), (digit % 2 == 0).astype(int)


def _bags_of_128(X, y, seed):
    """A random 75% training split in bags of 128 (eleven bags), and the rest."""
    train = np.random.default_rng(seed).random(len(y)) < 0.75
    bags = make_bags(int(train.sum()), bag_size=128, random_state=seed)
    return X[train], bag_proportions(y[train], bags), bags, X[~train], y[~train]


def test_cluster_start_helps_with_large_bags(digits_even_odd):
    scores = {"proportions": [], "clusters": []}
    for seed in range(3):
        X, proportions, bags, X_test, y_test = _bags_of_128(*digits_even_odd, seed)
        for init in scores:
            net = LLPNeuralNetClassifier(
                lr=3e-3, max_epochs=30, init=init, random_state=0
            )
            net.fit(X, proportions, bags=bags)
            scores[init].append(net.score(X_test, y_test))
    # Measured over seeds 0 to 2: 0.735 mean test accuracy from random weights,
    # 0.783 from the cluster start.
    assert np.mean(scores["clusters"]) > np.mean(scores["proportions"]) + 0.025


@pytest.mark.parametrize("init", ["clusters", "mixture"])
def test_cluster_start_adds_its_epochs_and_is_reproducible(digits_even_odd, init):
    X, proportions, bags, X_test, _ = _bags_of_128(*digits_even_odd, 0)
    nets = [
        LLPNeuralNetClassifier(**_params(init=init, init_epochs=2)).fit(
            X, proportions, bags=bags
        )
        for _ in range(2)
    ]
    assert len(nets[0].history_) == 2 + 3
    assert_array_equal(nets[0].predict_proba(X_test), nets[1].predict_proba(X_test))


@pytest.mark.parametrize("init", ["clusters", "mixture"])
def test_cluster_start_is_ignored_without_bags_and_by_partial_fit(cancer, init):
    X, y = cancer
    plain = LLPNeuralNetClassifier(**_params()).fit(X, y)
    clustered = LLPNeuralNetClassifier(**_params(init=init)).fit(X, y)
    assert_array_equal(plain.predict_proba(X), clustered.predict_proba(X))
    assert len(clustered.history_) == 3
    bags = make_bags(len(y), bag_size=16, random_state=0)
    proportions = bag_proportions(y, bags)
    plain = LLPNeuralNetClassifier(**_params()).partial_fit(X, proportions, bags=bags)
    clustered = LLPNeuralNetClassifier(**_params(init=init))
    clustered.partial_fit(X, proportions, bags=bags)
    assert_array_equal(plain.predict_proba(X), clustered.predict_proba(X))


@pytest.mark.parametrize(
    ("params", "match"),
    [({"init": "kmeans"}, "init"), ({"init_epochs": 0}, "init_epochs")],
)
def test_bad_cluster_start_parameters_are_named(cancer, params, match):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        LLPNeuralNetClassifier(**_params(**params)).fit(X, y)


def test_later_calls_weigh_rows_or_bags_as_a_fresh_fit_would(uneven_bags):
    X, y, bags, proportions = uneven_bags
    weights = np.where(y == 1, 10.0, 0.1)

    def after_bags(**params):
        net = LLPNeuralNetClassifier(**_params(lr=1e-2))
        net.fit(X, proportions, bags=bags)
        return net.partial_fit(X, y, **params)

    weighted, plain = after_bags(sample_weight=weights), after_bags()
    # Labels after bags: rows are bags of one, so weights weigh those bags.
    assert weighted.criterion_.bag_weighting == "size"
    assert not np.allclose(weighted.predict_proba(X), plain.predict_proba(X))
    plain.partial_fit(X, proportions, bags=bags)
    assert plain.criterion_.bag_weighting == "uniform"


def test_classes_and_bag_count_follow_each_fit(uneven_bags):
    X, _, bags, proportions = uneven_bags
    with pytest.raises(ValueError, match="classes must not repeat"):
        LLPNeuralNetClassifier(**_params(classes=["a", "a"])).fit(
            X, proportions, bags=bags
        )
    net = LLPNeuralNetClassifier(**_params(warm_start=True))
    net.fit(X, proportions, bags=bags)
    first = bags < 5
    net.fit(X[first], proportions[first], bags=bags[first])
    assert net.n_bags_ == np.unique(bags[first]).size
    with pytest.raises(ValueError, match="X has 299 rows but y has 300"):
        net.fit(X[:-1], proportions, bags=bags)


def test_the_network_can_start_proportion_em_with_named_classes(cancer):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from skrobust.llp import ProportionEMClassifier

    X, y = cancer
    bags = make_bags(len(y), bag_size=32, random_state=0)
    named = np.array(["benign", "malignant"])
    model = ProportionEMClassifier(
        HistGradientBoostingClassifier(max_iter=20, random_state=0),
        init=LLPNeuralNetClassifier(**_params(max_epochs=20)),
        max_iter=0,
        classes=named,
    ).fit(X, bag_proportions(y, bags), bags=bags)
    # The network learnt the estimator's classes, and its ranking under the
    # bag counts gave labels far better than chance (measured 0.961).
    assert_array_equal(model.init_estimator_.classes_, named)
    assert np.mean(model.pseudo_labels_ == named[y]) > 0.9
    assert set(model.predict(X)) == set(named)
