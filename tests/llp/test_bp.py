"""Tests of belief propagation for LLP (skrobust.llp._bp)."""

import itertools
import pickle
import warnings

import numpy as np
import pytest
import sklearn
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

import skrobust.llp._bp as bp
from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp import ProportionEMClassifier
from skrobust.llp._assign import compute_bag_counts
from skrobust.llp._bp import (
    BeliefPropagationLLPClassifier,
    belief_propagation_marginals,
    knn_similarity_graph,
)

# --- references -------------------------------------------------------------


def _energy_marginals(weights, bags, counts, lambda_s, lambda_b):
    """P(y_i = 1) by enumerating every labelling of the Gibbs distribution."""
    n = len(bags)
    labels = np.array(list(itertools.product([0, 1], repeat=n)))
    upper = np.triu(weights, k=1)
    diff = (labels[:, :, None] - labels[:, None, :]) ** 2
    energy = lambda_s * np.einsum("sij,ij->s", diff, upper)
    for bag, count in enumerate(counts):
        energy += lambda_b * (labels[:, bags == bag].sum(axis=1) - count) ** 2
    p = np.exp(-(energy - energy.min()))
    return p @ labels / p.sum()


def _naive_bp(weights, bags, counts, lambda_s, lambda_b, n_iter, damping):
    """Flooding sum-product BP on the explicit factor graph, by enumeration."""
    n = len(bags)
    factors = []
    for i, j in zip(*np.nonzero(np.triu(weights, k=1)), strict=True):
        w = lambda_s * weights[i, j]
        factors.append(((i, j), lambda y, w=w: np.exp(-w * (y[0] - y[1]) ** 2)))
    for bag, count in enumerate(counts):
        members = tuple(np.flatnonzero(bags == bag))
        factors.append(
            (members, lambda y, k=count: np.exp(-lambda_b * (sum(y) - k) ** 2))
        )
    messages = {(f, v): 0.0 for f, (vs, _) in enumerate(factors) for v in vs}
    for _ in range(n_iter):
        belief = np.zeros(n)
        for (_, v), m in messages.items():
            belief[v] += m
        update = {}
        for f, (vs, table) in enumerate(factors):
            q = {v: 1 / (1 + np.exp(messages[f, v] - belief[v])) for v in vs}
            for v in vs:
                total = np.zeros(2)
                for y in itertools.product([0, 1], repeat=len(vs)):
                    p = np.prod(
                        [
                            q[u] if yu else 1 - q[u]
                            for u, yu in zip(vs, y, strict=True)
                            if u != v
                        ]
                    )
                    total[y[vs.index(v)]] += p * table(y)
                update[f, v] = np.log(total[1]) - np.log(total[0])
        messages = {
            key: damping * messages[key] + (1 - damping) * update[key]
            for key in messages
        }
    belief = np.zeros(n)
    for (_, v), m in messages.items():
        belief[v] += m
    return 1 / (1 + np.exp(-belief))


BAGS = np.array([0, 0, 0, 1, 1, 1, 1, 2])
COUNTS = np.array([1, 2, 0])


def _tree_weights():
    # One edge between bags 0 and 1 and one between bags 1 and 2: the factor
    # graph stays a tree.
    weights = np.zeros((8, 8))
    weights[2, 3] = weights[3, 2] = 0.7
    weights[6, 7] = weights[7, 6] = 0.4
    return weights


def _loopy_weights():
    weights = _tree_weights()
    # Edges inside bags 0 and 1 and a second edge between them close loops.
    for i, j, s in [(0, 1, 0.5), (4, 5, 0.9), (0, 4, 0.3)]:
        weights[i, j] = weights[j, i] = s
    return weights


# --- the inference core -----------------------------------------------------


@pytest.mark.parametrize("lambdas", [(1.0, 1.0), (2.0, 0.5), (10.0, 10.0)])
def test_marginals_without_edges_are_exact(lambdas):
    lambda_s, lambda_b = lambdas
    expected = _energy_marginals(np.zeros((8, 8)), BAGS, COUNTS, lambda_s, lambda_b)
    marginals, n_iter = belief_propagation_marginals(
        None, BAGS, COUNTS, lambda_similarity=lambda_s, lambda_bag=lambda_b, tol=1e-12
    )
    assert_allclose(marginals, expected, atol=1e-9)
    assert n_iter < 100


@pytest.mark.parametrize("lambdas", [(1.0, 1.0), (2.0, 0.5), (10.0, 10.0)])
def test_marginals_on_a_tree_are_exact(lambdas):
    lambda_s, lambda_b = lambdas
    weights = _tree_weights()
    expected = _energy_marginals(weights, BAGS, COUNTS, lambda_s, lambda_b)
    marginals, _ = belief_propagation_marginals(
        sparse.csr_matrix(weights),
        BAGS,
        COUNTS,
        lambda_similarity=lambda_s,
        lambda_bag=lambda_b,
        tol=1e-12,
        max_iter=500,
    )
    assert_allclose(marginals, expected, atol=1e-8)


@pytest.mark.parametrize("lambdas", [(1.0, 1.0), (10.0, 10.0)])
@pytest.mark.parametrize("n_iter", [1, 3, 8])
def test_loopy_iterates_equal_naive_sum_product(lambdas, n_iter):
    lambda_s, lambda_b = lambdas
    weights = _loopy_weights()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        marginals, ran = belief_propagation_marginals(
            weights,
            BAGS,
            COUNTS,
            lambda_similarity=lambda_s,
            lambda_bag=lambda_b,
            max_iter=n_iter,
            damping=0.3,
            tol=0,
        )
    expected = _naive_bp(weights, BAGS, COUNTS, lambda_s, lambda_b, n_iter, 0.3)
    assert ran == n_iter
    assert_allclose(marginals, expected, atol=1e-12)


def test_loopy_marginals_are_close_with_weak_coupling():
    weights = _loopy_weights()
    exact = _energy_marginals(weights, BAGS, COUNTS, 1.0, 1.0)
    marginals, _ = belief_propagation_marginals(
        weights, BAGS, COUNTS, lambda_similarity=1.0, lambda_bag=1.0, tol=1e-10
    )
    # Measured: 0.025 at most; loopy BP is an approximation, not exact.
    assert np.max(np.abs(marginals - exact)) < 0.05
    assert not np.allclose(marginals, exact, atol=1e-4)


def test_mixed_bag_sizes_padding_and_chunks(monkeypatch):
    # Without edges every bag is independent: enumerate each bag on its own.
    rng = np.random.default_rng(0)
    sizes = [1, 3, 5, 8, 9, 2, 5]
    bags = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    counts = np.array([rng.integers(0, s + 1) for s in sizes])
    expected = np.empty(len(bags))
    for bag, count in enumerate(counts):
        rows = np.flatnonzero(bags == bag)
        expected[rows] = _energy_marginals(
            np.zeros((len(rows),) * 2), np.zeros(len(rows), int), [count], 0, 2.0
        )
    marginals, _ = belief_propagation_marginals(
        None, bags, counts, lambda_bag=2.0, tol=1e-12
    )
    assert_allclose(marginals, expected, atol=1e-9)
    # Tiny chunks (one bag per chunk) change nothing.
    monkeypatch.setattr(bp, "_MAX_CELLS", 1)
    chunked, _ = belief_propagation_marginals(
        None, bags, counts, lambda_bag=2.0, tol=1e-12
    )
    assert_allclose(chunked, marginals, atol=1e-12)


@pytest.mark.parametrize("segment", [1, 2, 3, 7])
def test_checkpointed_backward_pass_gives_the_full_tables_messages(segment):
    # Storing every segment-th backward vector and rebuilding the rest runs the
    # same operations in the same order, so the messages are identical.
    rng = np.random.default_rng(0)
    sizes = [1, 3, 5, 8, 9, 2, 16, 13]
    bags = rng.permutation(np.repeat(np.arange(len(sizes)), sizes))
    counts = np.array([rng.integers(0, s + 1) for s in sizes])
    layout = bp._BagLayout(bags, counts)
    cavity = rng.normal(scale=3.0, size=bags.shape[0])
    full = bp._bag_messages(cavity, layout, 2.0)
    assert_array_equal(bp._bag_messages(cavity, layout, 2.0, segment=segment), full)


def test_a_bag_too_large_for_its_full_table_holds_far_less():
    import tracemalloc

    # 4100 rows pad to a width of 8192, whose full backward table would hold
    # 8193**2 float64 (537 MB); checkpoints every 90 positions hold about
    # 2 * 91 * 8193 of them (12 MB).
    assert bp._segment_length(8192) == 90
    assert bp._segment_length(4095) == 4095
    rng = np.random.default_rng(0)
    bags = np.zeros(4100, dtype=np.int64)
    layout = bp._BagLayout(bags, np.array([1000]))
    cavity = rng.normal(size=4100)
    tracemalloc.start()
    try:
        messages = bp._bag_messages(cavity, layout, 1.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.all(np.isfinite(messages))
    assert peak < 60 * 2**20, peak / 2**20


def test_large_bags_stay_finite_and_follow_the_counts():
    rng = np.random.default_rng(1)
    bags = np.repeat(np.arange(4), 200)
    counts = np.array([0, 20, 100, 200])
    X = rng.normal(size=(800, 3))
    marginals, _ = belief_propagation_marginals(
        knn_similarity_graph(X), bags, counts, max_iter=300
    )
    assert np.all(np.isfinite(marginals))
    # The count term is soft and BP loopy, so the expected counts are close to
    # the given ones, not equal (measured: within 2 rows).
    per_bag = np.bincount(bags, weights=marginals)
    assert_allclose(per_bag, counts, atol=3.0)
    assert marginals[bags == 0].mean() < 0.02 and marginals[bags == 3].mean() > 0.98


def test_convergence_warning_and_bad_core_inputs():
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        belief_propagation_marginals(_loopy_weights(), BAGS, COUNTS, max_iter=1)
    with pytest.raises(ValueError, match="one positive count per bag"):
        belief_propagation_marginals(None, BAGS, [1, 2])
    with pytest.raises(
        ValueError, match=r"each bag's size; bag 1 \(size \d+\) has count 5"
    ):
        belief_propagation_marginals(None, BAGS, [1, 5, 0])
    with pytest.raises(ValueError, match="bag 0 .* has count 0.5"):
        belief_propagation_marginals(None, BAGS, [0.5, 2, 0])
    asymmetric = _tree_weights()
    asymmetric[0, 5] = 1.0
    with pytest.raises(ValueError, match="symmetric"):
        belief_propagation_marginals(asymmetric, BAGS, COUNTS)
    with pytest.raises(ValueError, match="non-negative"):
        belief_propagation_marginals(-_tree_weights(), BAGS, COUNTS)
    with pytest.raises(ValueError, match="square"):
        belief_propagation_marginals(np.zeros((7, 7)), BAGS, COUNTS)
    with pytest.raises(ValueError, match="damping"):
        belief_propagation_marginals(None, BAGS, COUNTS, damping=1.0)


def test_knn_graph_is_the_symmetrised_cosine_neighbourhood():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    graph = knn_similarity_graph(X, n_neighbors=3)
    _, index = NearestNeighbors(n_neighbors=3, metric="cosine").fit(X).kneighbors(None)
    expected = np.zeros((60, 60), dtype=bool)
    expected[np.repeat(np.arange(60), 3), index.ravel()] = True
    expected |= expected.T
    dense = graph.toarray()
    assert_array_equal(dense > 0, expected)
    assert np.all(np.diag(dense) == 0)
    i, j = np.nonzero(expected)
    assert_allclose(dense[i, j], np.exp(-np.linalg.norm(X[i] - X[j], axis=1)))
    # A duplicate is a neighbour at similarity 1, never the row itself.
    X[1] = X[0]
    dense = knn_similarity_graph(X, n_neighbors=3).toarray()
    assert dense[0, 1] == dense[1, 0] == 1.0
    assert np.all(np.diag(dense) == 0)
    # Capped at n_samples - 1 neighbours: a complete graph.
    assert knn_similarity_graph(X[:4], n_neighbors=10).nnz == 12


def test_knn_graph_sparse_input_matches_dense():
    X = np.random.default_rng(3).normal(size=(40, 5))
    # Some zeros, but no all-zero rows or orthogonal pairs, whose tied
    # distances would make the neighbours ambiguous.
    X[X < -1.5] = 0
    assert_allclose(
        knn_similarity_graph(sparse.csr_matrix(X)).toarray(),
        knn_similarity_graph(X).toarray(),
    )


# --- the estimator ----------------------------------------------------------


@pytest.fixture(scope="module")
def cancer_model(cancer, cancer_bags):
    bags, proportions = cancer_bags
    return BeliefPropagationLLPClassifier().fit(cancer[0], proportions, bags=bags)


def test_accuracy_with_bags_of_8(cancer, cancer_model):
    _, X_test, y_train, y_test = cancer
    prior_baseline = np.mean(y_test == np.bincount(y_train).argmax())
    # Measured: 0.965 (seed 0; 0.944-0.965 over seeds 0-2); supervised ceiling
    # about 0.97, majority-class baseline 0.63.
    assert cancer_model.score(X_test, y_test) > 0.92
    assert prior_baseline < 0.65


def test_accuracy_with_bags_of_32(cancer):
    X_train, X_test, y_train, y_test = cancer
    scores = []
    for seed in range(3):
        bags = make_bags(len(y_train), 32, random_state=seed)
        model = BeliefPropagationLLPClassifier().fit(
            X_train, bag_proportions(y_train, bags), bags=bags
        )
        scores.append(model.score(X_test, y_test))
    # Measured: 0.846, 0.888, 0.909 over bag seeds 0-2 (mean 0.881; over seeds
    # 0-4 0.898, against 0.887 with a C=1 base); majority-class baseline 0.63.
    assert np.mean(scores) > 0.86


def test_fitted_attributes_and_counts(cancer, cancer_model, cancer_bags):
    bags, proportions = cancer_bags
    counts = compute_bag_counts(proportions, bags)
    assert_array_equal(np.bincount(bags, weights=cancer_model.pseudo_labels_), counts)
    assert cancer_model.marginals_.shape == (len(bags),)
    assert np.all((cancer_model.marginals_ >= 0) & (cancer_model.marginals_ <= 1))
    # Within each bag the positives are the rows with the largest marginals.
    for bag in np.unique(bags)[:20]:
        rows = bags == bag
        m, labels = cancer_model.marginals_[rows], cancer_model.pseudo_labels_[rows]
        if 0 < labels.sum() < len(labels):
            assert m[labels == 1].min() >= m[labels == 0].max()
    assert 1 <= cancer_model.n_iter_ < 200
    assert cancer_model.n_bags_ == len(np.unique(bags))
    assert cancer_model.n_features_in_ == cancer[0].shape[1]
    assert_array_equal(cancer_model.classes_, [0, 1])


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    n_bags=st.integers(2, 6),
    seed=st.integers(0, 2**16),
)
def test_pseudo_labels_meet_random_bag_counts(data, n_bags, seed):
    rng = np.random.default_rng(seed)
    sizes = data.draw(st.lists(st.integers(1, 9), min_size=n_bags, max_size=n_bags))
    bags = np.repeat(np.arange(n_bags), sizes)
    counts = np.array([data.draw(st.integers(0, s)) for s in sizes])
    # Both classes must occur somewhere, else fit refuses (tested below).
    assume(0 < counts.sum() < len(bags))
    X = rng.normal(size=(len(bags), 3))
    proportions = (counts / np.array(sizes))[bags]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = BeliefPropagationLLPClassifier(n_neighbors=2, max_iter=20).fit(
            X, proportions, bags=bags
        )
    assert_array_equal(np.bincount(bags, weights=model.pseudo_labels_), counts)


def test_bags_of_one_equal_the_base(cancer):
    X_train, X_test, y_train, _ = cancer
    base = LogisticRegression(C=0.1, max_iter=1000).fit(X_train, y_train)
    plain = BeliefPropagationLLPClassifier().fit(X_train, y_train)
    explicit = BeliefPropagationLLPClassifier().fit(
        X_train, y_train.astype(float), bags=np.arange(len(y_train))
    )
    for model in (plain, explicit):
        assert_array_equal(model.pseudo_labels_, y_train)
        assert_allclose(model.predict_proba(X_test), base.predict_proba(X_test))
        assert_array_equal(model.predict(X_test), base.predict(X_test))
    assert plain.n_iter_ == 1


def test_string_labels_and_classes(cancer, cancer_bags):
    X_train, X_test, y_train, _ = cancer
    names = np.array(["benign", "malignant"])[1 - y_train]
    model = BeliefPropagationLLPClassifier().fit(X_train, names)
    assert_array_equal(model.classes_, ["benign", "malignant"])
    assert set(model.predict(X_test)) <= {"benign", "malignant"}
    bags, proportions = cancer_bags
    named = BeliefPropagationLLPClassifier(classes=["no", "yes"]).fit(
        X_train, proportions, bags=bags
    )
    assert set(named.pseudo_labels_) == {"no", "yes"}
    two_columns = BeliefPropagationLLPClassifier().fit(
        X_train, np.column_stack([1 - proportions, proportions]), bags=bags
    )
    assert_array_equal(two_columns.classes_, [0, 1])
    assert_array_equal(two_columns.pseudo_labels_, named.pseudo_labels_ == "yes")


def test_convergence_warning_in_fit(cancer, cancer_bags):
    bags, proportions = cancer_bags
    with pytest.warns(ConvergenceWarning, match="round 1"):
        model = BeliefPropagationLLPClassifier(max_iter=1, n_rounds=1).fit(
            cancer[0], proportions, bags=bags
        )
    assert model.n_iter_ == 1


def test_sample_weight_reaches_the_base(cancer, cancer_bags):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    weights = np.random.default_rng(0).uniform(0.5, 2, len(bags))
    model = BeliefPropagationLLPClassifier(n_rounds=1).fit(
        X_train, proportions, bags=bags, sample_weight=weights
    )
    unweighted = BeliefPropagationLLPClassifier(n_rounds=1).fit(
        X_train, proportions, bags=bags
    )
    # Belief propagation ignores the weights; the base's fit does not.
    assert_array_equal(model.pseudo_labels_, unweighted.pseudo_labels_)
    expected = LogisticRegression(C=0.1, max_iter=1000).fit(
        X_train, model.pseudo_labels_, sample_weight=weights
    )
    assert_allclose(model.predict_proba(X_test), expected.predict_proba(X_test))
    assert not np.allclose(
        model.predict_proba(X_test), unweighted.predict_proba(X_test)
    )


def test_embedding_options(cancer, cancer_bags, cancer_model):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    one_round = BeliefPropagationLLPClassifier(n_rounds=1).fit(
        X_train, proportions, bags=bags
    )
    # The second round's graph differs from the first's, and so do its marginals.
    assert not np.allclose(one_round.marginals_, cancer_model.marginals_)
    scores = BeliefPropagationLLPClassifier(embedding="scores").fit(
        X_train, proportions, bags=bags
    )
    assert_array_equal(scores.pseudo_labels_, cancer_model.pseudo_labels_)
    lda = LinearDiscriminantAnalysis()
    auto = BeliefPropagationLLPClassifier(lda).fit(X_train, proportions, bags=bags)
    transform = BeliefPropagationLLPClassifier(lda, embedding="transform").fit(
        X_train, proportions, bags=bags
    )
    lda_scores = BeliefPropagationLLPClassifier(lda, embedding="scores").fit(
        X_train, proportions, bags=bags
    )
    assert_array_equal(auto.marginals_, transform.marginals_)
    assert not np.allclose(auto.marginals_, lda_scores.marginals_)
    with pytest.raises(ValueError, match="transform method"):
        BeliefPropagationLLPClassifier(embedding="transform").fit(
            X_train, proportions, bags=bags
        )
    assert auto.predict(X_test).shape == (len(X_test),)


def test_sparse_input(cancer, cancer_bags, cancer_model):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    model = BeliefPropagationLLPClassifier(n_rounds=2).fit(
        sparse.csr_matrix(X_train), proportions, bags=bags
    )
    # Sparse data is only scaled, not centred: a different graph, still sound.
    assert model.score(sparse.csr_matrix(X_test), cancer[3]) > 0.9


def test_pickle_round_trip(cancer, cancer_model):
    restored = pickle.loads(pickle.dumps(cancer_model))
    assert_array_equal(
        restored.predict_proba(cancer[1]), cancer_model.predict_proba(cancer[1])
    )


def test_metadata_routing(cancer, cancer_bags, cancer_model):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    model = BeliefPropagationLLPClassifier()
    assert model.get_metadata_routing().consumes("fit", ["bags"]) == {"bags"}
    weights = np.random.default_rng(0).uniform(0.5, 2, len(bags))
    plain = BeliefPropagationLLPClassifier().fit(
        X_train, proportions, bags=bags, sample_weight=weights
    )
    with sklearn.config_context(enable_metadata_routing=True):
        routed_plain = BeliefPropagationLLPClassifier().fit(
            X_train, proportions, bags=bags
        )
        with pytest.raises(UnsetMetadataPassedError):
            BeliefPropagationLLPClassifier().fit(
                X_train, proportions, bags=bags, sample_weight=weights
            )
        base = LogisticRegression(C=0.1, max_iter=1000)
        base = base.set_fit_request(sample_weight=True)
        routed = BeliefPropagationLLPClassifier(base).fit(
            X_train, proportions, bags=bags, sample_weight=weights
        )
    assert_array_equal(routed_plain.predict(X_test), cancer_model.predict(X_test))
    assert_allclose(routed.predict_proba(X_test), plain.predict_proba(X_test))


def test_bad_inputs_raise_clear_errors(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    digits_X, digits_y = load_digits(return_X_y=True)
    with pytest.raises(ValueError, match="binary"):
        BeliefPropagationLLPClassifier().fit(digits_X, digits_y)
    three = np.column_stack([proportions, 1 - proportions, 0 * proportions])
    with pytest.raises(ValueError, match="binary"):
        BeliefPropagationLLPClassifier().fit(X_train, three, bags=bags)
    with pytest.raises(ValueError, match="binary"):
        BeliefPropagationLLPClassifier(classes=[0, 1, 2]).fit(
            X_train, proportions, bags=bags
        )
    outside = proportions.copy()
    outside[bags == bags[0]] = 1.5
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        BeliefPropagationLLPClassifier().fit(X_train, outside, bags=bags)
    differing = proportions.copy()
    differing[np.flatnonzero(bags == bags[0])[0]] = 0.99
    with pytest.raises(ValueError, match="equal within"):
        BeliefPropagationLLPClassifier().fit(X_train, differing, bags=bags)
    with pytest.raises(ValueError, match="empty"):
        BeliefPropagationLLPClassifier().fit(
            X_train[:4], proportions[:4], bags=[[0, 1], [], [2, 3]]
        )
    # X one row short: the error names X and y, not the (correct) bags.
    with pytest.raises(ValueError, match="X has .* rows but y has"):
        BeliefPropagationLLPClassifier().fit(X_train[:-1], proportions, bags=bags)
    with pytest.raises(ValueError, match="both classes"):
        BeliefPropagationLLPClassifier().fit(X_train, np.zeros(len(bags)), bags=bags)
    with pytest.raises(ValueError, match="sample_weight"):
        BeliefPropagationLLPClassifier().fit(
            X_train, proportions, bags=bags, sample_weight=-np.ones(len(bags))
        )
    with pytest.raises(ValueError, match="n_rounds"):
        BeliefPropagationLLPClassifier(n_rounds=0).fit(X_train, proportions, bags=bags)


def test_base_without_sample_weight_is_rejected_before_any_work(cancer, cancer_bags):
    from sklearn.neighbors import KNeighborsClassifier

    X_train = cancer[0]
    bags, proportions = cancer_bags
    with pytest.raises(ValueError, match="KNeighborsClassifier does not accept"):
        BeliefPropagationLLPClassifier(KNeighborsClassifier()).fit(
            X_train, proportions, bags=bags, sample_weight=np.ones(len(bags))
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProportionEMClassifier(random_state=0),
        lambda: BeliefPropagationLLPClassifier(),
    ],
    ids=["ProportionEM", "BeliefPropagation"],
)
def test_score_on_proportions_names_the_bag_scorer(cancer, cancer_bags, make):
    """Accuracy needs instance labels; proportions get a pointer, not sklearn's
    "mix of continuous and binary targets"."""
    X_train, _, y_train, _ = cancer
    bags, proportions = cancer_bags
    model = make().fit(X_train, proportions, bags=bags)
    with pytest.raises(ValueError, match="bag_proportion_scorer"):
        model.score(X_train, proportions)
    with pytest.raises(ValueError, match="instance labels"):
        model.score(X_train, np.column_stack([1 - proportions, proportions]))
    assert model.score(X_train, y_train) > 0.8


@pytest.mark.parametrize("estimator", ["bp", "em"])
def test_a_length_mismatch_names_x_and_y_not_bags(estimator):
    from skrobust.llp import BeliefPropagationLLPClassifier, ProportionEMClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    bags = np.repeat(np.arange(5), 8)
    proportions = np.repeat(rng.random(5), 8)
    make = {"bp": BeliefPropagationLLPClassifier, "em": ProportionEMClassifier}
    model = make[estimator]()
    with pytest.raises(ValueError, match="X has 40 rows but y has 39"):
        model.fit(X, proportions[:-1], bags=bags)
    with pytest.raises(ValueError, match="X has 39 rows but y has 40"):
        model.fit(X[:-1], proportions, bags=bags)


def test_labels_of_one_class_are_refused_by_the_estimator():
    X = np.random.RandomState(0).normal(size=(20, 3))
    with pytest.raises(ValueError, match="needs both classes in y; y holds only 0"):
        BeliefPropagationLLPClassifier(classes=[0, 1]).fit(X, np.zeros(20, int))
