"""Tests of the in-memory data path of skrobust.neural: datasets and iterators."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch.utils.data import Subset  # noqa: E402

from skrobust.neural._data import (  # noqa: E402
    BagBatchIterator,
    TensorBatchIterator,
    TensorDictDataset,
    bag_batches,
    stratified_permutation,
    tensor_rows,
    to_dataset,
)

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def bag_layouts(draw):
    """Bag codes of every row, the rows to batch, a batch size, shuffle, a seed."""
    n_rows = draw(st.integers(1, 120))
    n_bags = draw(st.integers(1, n_rows))
    codes = draw(st.lists(st.integers(0, n_bags - 1), min_size=n_rows, max_size=n_rows))
    # A subset of the rows, as a validation split hands the iterator.
    keep = draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows))
    rows = np.flatnonzero(keep)
    batch_size = draw(st.integers(1, 40))
    shuffle = draw(st.booleans())
    seed = draw(st.integers(0, 2**31 - 1))
    return np.asarray(codes, dtype=np.int64), rows, batch_size, shuffle, seed


@_SETTINGS
@given(layout=bag_layouts())
def test_bag_batches_partition_rows_into_whole_bags(layout):
    codes, rows, batch_size, shuffle, seed = layout
    # The shuffle draws from torch's global generator; fork it so the test leaves
    # the caller's state alone.
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        batches = bag_batches(
            torch.as_tensor(codes),
            torch.as_tensor(rows, dtype=torch.int64),
            batch_size,
            shuffle,
        )
    if rows.size == 0:
        assert batches == []
        return
    batches = [b.numpy() for b in batches]
    # A partition of the given rows: each exactly once, none from outside.
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), rows)
    assert all(b.size > 0 for b in batches)
    # No bag is split: each bag's rows (among the given ones) are in one batch.
    batch_of_bag = {}
    for i, b in enumerate(batches):
        for bag in np.unique(codes[b]):
            assert batch_of_bag.setdefault(int(bag), i) == i
            np.testing.assert_array_equal(
                np.sort(b[codes[b] == bag]), rows[codes[rows] == bag]
            )
    # About batch_size rows: at most a bag more, less one row.
    max_bag = np.bincount(codes[rows]).max()
    assert all(b.size < batch_size + max_bag for b in batches)


def test_bag_batches_unshuffled_keep_bag_code_order():
    codes = torch.tensor([2, 0, 1, 0, 2, 1, 3])
    batches = bag_batches(codes, torch.arange(7), batch_size=3, shuffle=False)
    # Laid out in code order, bags 0..3 start at rows 0, 2, 4, 6: bags 0 and 1
    # start in the first 3-row window and share a batch of 4 rows.
    assert [b.tolist() for b in batches] == [[1, 3, 2, 5], [0, 4], [6]]


def test_bag_batches_large_bag_is_a_batch_alone():
    codes = torch.tensor([0] + [1] * 10)
    batches = bag_batches(codes, torch.arange(11), batch_size=4, shuffle=False)
    assert [b.tolist() for b in batches] == [[0], list(range(1, 11))]


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_batch_iterator_slices_row_aligned_batches(shuffle, drop_last):
    n = 23
    X = torch.arange(n, dtype=torch.float32).reshape(-1, 1).repeat(1, 3)
    dataset = TensorDictDataset(
        {"X": X, "index": torch.arange(n)}, torch.arange(n) * 10
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        iterator = TensorBatchIterator(dataset, None, 5, shuffle, drop_last)
        batches = list(iterator)
    sizes = [len(yb) for _, yb in batches]
    assert sizes == ([5] * 4 if drop_last else [5, 5, 5, 5, 3])
    assert len(iterator) == len(batches)
    seen = []
    for Xb, yb in batches:
        # Every extra and the target are taken at the same rows.
        np.testing.assert_array_equal(Xb["X"][:, 0].long(), Xb["index"])
        np.testing.assert_array_equal(yb, Xb["index"] * 10)
        seen.append(Xb["index"].numpy())
    seen = np.concatenate(seen)
    if not drop_last:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    if shuffle:
        assert not np.array_equal(seen, np.sort(seen))
    else:
        np.testing.assert_array_equal(seen, np.arange(seen.size))


def test_iterators_respect_a_subset_of_rows():
    n = 30
    dataset = to_dataset(
        {"X": np.zeros((n, 2)), "index": np.arange(n), "bags": np.arange(n) // 3},
        np.arange(n),
        "cpu",
    )
    subset = Subset(dataset, list(range(6, 21)))
    base, rows = tensor_rows(subset)
    assert base is dataset
    np.testing.assert_array_equal(rows, np.arange(6, 21))
    with torch.random.fork_rng():
        torch.manual_seed(0)
        flat = list(TensorBatchIterator(base, rows, 4, shuffle=True))
        bagged = list(BagBatchIterator(base, rows, 4, shuffle=True))
    for batches in (flat, bagged):
        seen = np.concatenate([Xb["index"].numpy() for Xb, _ in batches])
        np.testing.assert_array_equal(np.sort(seen), np.arange(6, 21))
    for Xb, _ in bagged:
        # Bags 2..6 (rows 6..20) have three rows each, all in the subset.
        assert np.all(np.bincount(Xb["bags"].numpy())[Xb["bags"].numpy()] == 3)


@_SETTINGS
@given(
    strata=st.lists(st.integers(0, 3), min_size=0, max_size=150),
    window=st.integers(1, 60),
    seed=st.integers(0, 2**31 - 1),
)
def test_stratified_permutation_spreads_every_stratum_evenly(strata, window, seed):
    codes = torch.tensor(strata, dtype=torch.int64)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        order = stratified_permutation(codes).numpy()
    n = len(strata)
    np.testing.assert_array_equal(np.sort(order), np.arange(n))
    ordered = np.asarray(strata, dtype=np.int64)[order]
    counts = np.bincount(ordered, minlength=4)
    n_strata = int((counts > 0).sum())
    # Stratum g's keys are evenly spaced 1 / n_g apart, so an interval of length
    # L holds n_g L of them give or take 1; B consecutive rows then span a length
    # within (B -+ H) / n, H the number of strata, and hold B n_g / n of stratum
    # g give or take 1 + H n_g / n.
    for start in range(max(n - window + 1, 0)):
        got = np.bincount(ordered[start : start + window], minlength=4)
        expected = window * counts / n
        assert np.all(np.abs(got - expected) <= 1 + n_strata * counts / n + 1e-9)


def test_shuffled_tensor_batches_with_strata_hold_each_strata_share():
    n = 200
    labelled = np.zeros(n, dtype=np.int64)
    labelled[:10] = 1  # 10 labelled rows, 10 batches of 20: one in each.
    dataset = to_dataset(
        {"X": np.zeros((n, 2)), "index": np.arange(n)}, labelled, "cpu"
    )
    strata = torch.as_tensor(labelled)
    iterator = TensorBatchIterator(dataset, None, 20, shuffle=True, strata=strata)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        passes = [list(iterator) for _ in range(2)]
    orders = []
    for batches in passes:
        assert [int(yb.sum()) for _, yb in batches] == [1] * 10
        order = np.concatenate([Xb["index"].numpy() for Xb, _ in batches])
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])


def test_len_of_a_shuffled_bag_iterator_draws_nothing():
    n = 30
    dataset = to_dataset(
        {"X": np.zeros((n, 2)), "bags": np.arange(n) // 3}, np.arange(n), "cpu"
    )
    iterator = BagBatchIterator(dataset, None, 7, shuffle=True)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        state = torch.get_rng_state()
        assert len(iterator) >= 4
        # len() must not move the generator the next pass draws its order from.
        assert torch.equal(torch.get_rng_state(), state)


def test_to_dataset_casts_features_and_weights_to_float32():
    dataset = to_dataset(
        {
            "X": np.ones((4, 2), dtype=np.float64),
            "sample_weight": np.array([1, 2, 3, 4]),
            "index": np.arange(4),
        },
        np.array([0, 1, 0, 1]),
        "cpu",
    )
    assert dataset.X["X"].dtype == torch.float32
    assert dataset.X["sample_weight"].dtype == torch.float32
    assert dataset.X["index"].dtype == torch.int64
    assert len(dataset) == 4
    assert tensor_rows(dataset) == (dataset, None)
    assert tensor_rows(np.zeros(3)) == (None, None)


def test_tensor_dict_dataset_rejects_misaligned_tensors():
    with pytest.raises(ValueError, match="same length"):
        TensorDictDataset({"X": torch.zeros(4, 2), "index": torch.arange(3)})
    with pytest.raises(ValueError, match="same length"):
        TensorDictDataset({"X": torch.zeros(4, 2)}, torch.zeros(5))


# --- sparse features ------------------------------------------------------------


def _sparse_digits():
    import scipy.sparse as sp
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X[:400] / 16).astype(np.float32)
    return X, sp.csr_matrix(X), y[:400]


def test_sparse_features_stay_sparse_and_batches_match_the_dense_rows():
    from skrobust.neural._data import SparseRows

    X, X_sparse, y = _sparse_digits()
    dataset = to_dataset({"X": X_sparse, "index": np.arange(400)}, y, "cpu")
    features = dataset.X["X"]
    # Held as CSR (its nonzeros), not as a dense 400 x 64 tensor.
    assert isinstance(features, SparseRows)
    assert features.matrix.nnz == np.count_nonzero(X) < X.size
    rows = torch.as_tensor([5, 0, 399, 5], dtype=torch.int64)
    xi, yi = dataset.take(rows)
    assert xi["X"].dtype == torch.float32
    np.testing.assert_array_equal(xi["X"].numpy(), X[[5, 0, 399, 5]])
    np.testing.assert_array_equal(yi.numpy(), y[[5, 0, 399, 5]])
    # The DataLoader path reads one row at a time.
    np.testing.assert_array_equal(dataset[7][0]["X"].numpy(), X[7])
    with pytest.raises(ValueError, match="rows only"):
        features.index_select(1, rows)


@pytest.mark.parametrize("path", [{}, {"iterator_train__num_workers": 0}])
@pytest.mark.parametrize("kind", ["robust", "pu", "llp"])
def test_networks_fit_sparse_input_as_the_dense_one(kind, path):
    import scipy.sparse as sp

    from skrobust.neural import (
        LLPNeuralNetClassifier,
        PUNeuralNetClassifier,
        RobustNeuralNetClassifier,
    )

    X, X_sparse, y = _sparse_digits()
    params = {"max_epochs": 3, "random_state": 0, **path}
    if kind == "robust":
        net, target, extra = RobustNeuralNetClassifier(**params), y, {}
    elif kind == "pu":
        s = np.where((y == 3) & (np.arange(400) % 2 == 0), 1, 0)
        net = PUNeuralNetClassifier(class_prior=0.1, **params)
        target, extra = s, {}
    else:
        bags = np.arange(400) // 40
        shares = np.stack(
            [np.bincount(y[bags == b], minlength=10) / 40 for b in range(10)]
        )
        net = LLPNeuralNetClassifier(**params)
        target, extra = shares[bags], {"bags": bags}
    dense = net.fit(X, target, **extra).predict_proba(X)
    for matrix in (X_sparse, sp.csc_matrix(X), sp.coo_array(X)):
        sparse = net.fit(matrix, target, **extra).predict_proba(matrix)
        np.testing.assert_allclose(sparse, dense, rtol=0, atol=1e-6)
        # A model fitted on sparse rows predicts dense ones alike, and back.
        np.testing.assert_allclose(net.predict_proba(X), dense, rtol=0, atol=1e-6)
