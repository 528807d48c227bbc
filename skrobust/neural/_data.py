"""In-memory data path: a tensor dataset and iterators that slice it.

skorch's default path builds every batch through a ``DataLoader``, which indexes the
dataset one row at a time and collates the rows again; on 100k x 50 rows with batch
256 that costs 2.6 times a loop slicing pre-made tensors (../shared/PEERS.md). When
the data is already in memory, :class:`TensorBatchIterator` gathers each batch with
one ``index_select`` per tensor instead, and :class:`BagBatchIterator` does the same
for batches of whole bags.
"""

import math

import numpy as np
import scipy.sparse as sp
import torch
from torch.utils.data import Dataset, Subset

# Keys of the dict X the estimators pack; everything except "X" is a per-row extra
# that skorch slices with the batch and get_loss reads back.
FEATURES = "X"
SAMPLE_WEIGHT = "sample_weight"
INDEX = "index"
BAGS = "bags"


class TensorDictDataset(Dataset):
    """Row-aligned tensors: a dict of per-row inputs and an optional target.

    Parameters
    ----------
    X : dict of str to torch.Tensor
        Per-row tensors, all with the same first dimension; ``X["X"]`` holds the
        features.
    y : torch.Tensor or None
        Per-row target.
    """

    def __init__(self, X, y=None):
        lengths = {int(v.shape[0]) for v in X.values()}
        if y is not None:
            lengths.add(int(y.shape[0]))
        if len(lengths) != 1:
            raise ValueError(
                "every per-row tensor must have the same length; got "
                f"{sorted(lengths)}."
            )
        self.X = X
        self.y = y
        self.length = lengths.pop()

    def __len__(self):
        return self.length

    def __getitem__(self, i):
        # The DataLoader path (kept for user-supplied iterators) goes through here.
        xi = {key: value[i] for key, value in self.X.items()}
        yi = self.y[i] if self.y is not None else torch.zeros(())
        return xi, yi

    def take(self, rows):
        """Return the batch of ``rows`` (an int64 tensor), as skorch unpacks it."""
        xi = {key: value.index_select(0, rows) for key, value in self.X.items()}
        yi = None if self.y is None else self.y.index_select(0, rows)
        return xi, yi


class SparseRows:
    """Sparse features kept as a CSR matrix on the host, densified per batch.

    Densifying the whole matrix would cost ``n_samples * n_features`` floats (a
    bag-of-words matrix can be mostly zeros); a batch costs only its own rows.
    It offers the part of the tensor interface the iterators use: ``shape``,
    ``device``, ``index_select`` along rows and row indexing.

    Parameters
    ----------
    matrix : scipy sparse matrix or array of shape (n_samples, n_features)
        The features; stored as float32 CSR.
    device : str or torch.device
        Where the dense batches go.
    """

    def __init__(self, matrix, device):
        self.matrix = sp.csr_matrix(matrix, dtype=np.float32)
        self.device = torch.device(device)
        self.shape = self.matrix.shape

    def __len__(self):
        return self.shape[0]

    def _dense(self, rows):
        return torch.from_numpy(self.matrix[rows].toarray()).to(self.device)

    def index_select(self, dim, rows):
        """The dense float32 rows ``rows`` (an int64 tensor), on ``device``."""
        if dim != 0:
            raise ValueError("SparseRows selects rows only (dim=0).")
        return self._dense(rows.cpu().numpy())

    def __getitem__(self, i):
        # The DataLoader path indexes one row at a time, or a slice.
        if isinstance(i, (int, np.integer)):
            return self._dense([int(i)])[0]
        return self._dense(i)


def tensor_rows(dataset):
    """``(base, rows)``: the :class:`TensorDictDataset` under ``dataset`` and the
    rows of it that ``dataset`` holds (``None`` for all), or ``(None, None)``."""
    if isinstance(dataset, TensorDictDataset):
        return dataset, None
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorDictDataset):
        rows = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.int64)
        return dataset.dataset, rows.to(dataset.dataset.X[FEATURES].device)
    return None, None


def to_dataset(X, y, device):
    """Wrap packed arrays (a dict of per-row arrays, or features alone) as tensors
    on ``device``; features become float32, integer extras int64, and sparse
    features :class:`SparseRows`."""

    def as_tensor(value, floating):
        tensor = torch.as_tensor(value)
        if floating and tensor.is_floating_point() and tensor.dtype != torch.float32:
            tensor = tensor.to(torch.float32)
        elif floating and not tensor.is_floating_point():
            tensor = tensor.to(torch.float32)
        return tensor.to(device)

    if not isinstance(X, dict):
        X = {FEATURES: X}
    tensors = {
        key: SparseRows(value, device)
        if sp.issparse(value)
        else as_tensor(value, key in (FEATURES, SAMPLE_WEIGHT))
        for key, value in X.items()
    }
    target = None if y is None else torch.as_tensor(y).to(device)
    return TensorDictDataset(tensors, target)


def stratified_permutation(strata):
    """A random order of the rows in which every stratum is spread evenly.

    The rows of a stratum of size :math:`n_g` are shuffled and the :math:`r`-th
    of them is given the key :math:`(r + u_g) / n_g`, with one offset
    :math:`u_g` uniform on [0, 1) per stratum; sorting all rows by key
    interleaves the strata at even spacing, so any run of :math:`B` consecutive
    rows of the order holds :math:`B n_g / n` rows of stratum :math:`g`, give or
    take less than :math:`1 + H n_g / n` for :math:`H` strata. Draws from
    torch's global generator.

    Parameters
    ----------
    strata : torch.Tensor of shape (n,)
        Non-negative integer stratum of each row.

    Returns
    -------
    order : torch.Tensor of shape (n,)
        A permutation of ``0 .. n - 1``, int64, on the device of ``strata``.
    """
    n = int(strata.shape[0])
    device = strata.device
    if n == 0:
        return torch.empty(0, dtype=torch.int64, device=device)
    shuffled = torch.randperm(n).to(device)
    codes = strata.long().index_select(0, shuffled)
    by_code = torch.sort(codes, stable=True).indices
    counts = torch.bincount(codes)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty(n, dtype=torch.int64, device=device)
    rank[by_code] = torch.arange(n, device=device) - starts[codes[by_code]]
    offset = torch.rand(int(counts.shape[0])).to(device=device, dtype=torch.float64)
    key = (rank.double() + offset[codes]) / counts[codes].double()
    return shuffled.index_select(0, torch.argsort(key))


class TensorBatchIterator:
    """Batches of a :class:`TensorDictDataset` (or a subset of it) by slicing.

    Parameters
    ----------
    dataset : TensorDictDataset
        The data.
    rows : torch.Tensor or None
        The rows of ``dataset`` to iterate over; ``None`` means all.
    batch_size : int
        Rows per batch; the last batch may be smaller.
    shuffle : bool
        Draw a new row order each pass, from torch's global generator (which the
        estimators fork and seed from ``random_state``).
    drop_last : bool, default=False
        Skip a last batch smaller than ``batch_size``.
    strata : torch.Tensor of shape (len(dataset),) or None, default=None
        Non-negative integer stratum of every row of ``dataset``. When given and
        ``shuffle``, each pass is a :func:`stratified_permutation`, so every
        batch holds its share of each stratum.
    """

    def __init__(
        self, dataset, rows, batch_size, shuffle, drop_last=False, strata=None
    ):
        self.dataset = dataset
        self.rows = rows
        self.n_rows = len(dataset) if rows is None else int(rows.shape[0])
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.strata = strata

    def __len__(self):
        if self.drop_last:
            return self.n_rows // self.batch_size
        return math.ceil(self.n_rows / self.batch_size)

    def __iter__(self):
        device = self.dataset.X[FEATURES].device
        if self.shuffle and self.strata is not None:
            rows = (
                torch.arange(self.n_rows, device=device)
                if self.rows is None
                else self.rows
            )
            # The order is drawn on the CPU (float64 keys; MPS has no float64),
            # from the CPU generator as every shuffle here, then moved over.
            strata = self.strata.index_select(0, rows.to(self.strata.device)).cpu()
            order = rows.index_select(0, stratified_permutation(strata).to(device))
        elif self.shuffle:
            order = torch.randperm(self.n_rows).to(device)
            if self.rows is not None:
                order = self.rows.index_select(0, order)
        elif self.rows is not None:
            order = self.rows
        else:
            order = None
        for b in range(len(self)):
            start = b * self.batch_size
            stop = min(start + self.batch_size, self.n_rows)
            if order is None:
                rows = torch.arange(start, stop, device=device)
            else:
                rows = order[start:stop]
            yield self.dataset.take(rows)


def bag_batches(bag_codes, rows, batch_size, shuffle):
    """Split ``rows`` into batches of whole bags, about ``batch_size`` rows each.

    Bags are taken in a random order when ``shuffle`` (else in code order) and laid
    out one after another; a bag joins the batch in whose ``batch_size``-row window
    its first row falls. A batch therefore never splits a bag, holds about
    ``batch_size`` rows (more by at most its last bag), and a bag larger than
    ``batch_size`` is a batch alone.

    Returns
    -------
    batches : list of torch.Tensor
        The int64 rows of each batch.
    """
    if rows.numel() == 0:
        return []
    present, codes = torch.unique(bag_codes.index_select(0, rows), return_inverse=True)
    n_bags = int(present.shape[0])
    device = codes.device
    order = (
        torch.randperm(n_bags).to(device)
        if shuffle
        else torch.arange(n_bags, device=device)
    )
    # rank[b]: position of bag b in the drawn order; rows sorted by it lie bag after
    # bag, so every batch is a contiguous run of the sorted rows.
    rank = torch.empty_like(order)
    rank[order] = torch.arange(n_bags, device=device)
    perm = torch.sort(rank[codes], stable=True).indices
    sizes = torch.bincount(codes, minlength=n_bags)[order]
    starts = torch.cumsum(sizes, 0) - sizes
    window = torch.div(starts, batch_size, rounding_mode="floor")
    opens = torch.ones(n_bags, dtype=torch.bool, device=device)
    large = sizes > batch_size
    opens[1:] = (window[1:] != window[:-1]) | large[1:] | large[:-1]
    cuts = starts[opens].tolist() + [int(rows.shape[0])]
    ordered_rows = rows.index_select(0, perm)
    return [ordered_rows[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


class BagBatchIterator:
    """Batches of whole bags of a :class:`TensorDictDataset` by slicing.

    Parameters
    ----------
    dataset : TensorDictDataset
        The data; ``dataset.X["bags"]`` holds each row's bag code.
    rows : torch.Tensor or None
        The rows to iterate over; ``None`` means all.
    batch_size : int
        Target rows per batch (see :func:`bag_batches`).
    shuffle : bool
        Draw a new bag order each pass.
    """

    def __init__(self, dataset, rows, batch_size, shuffle):
        self.dataset = dataset
        device = dataset.X[FEATURES].device
        self.rows = torch.arange(len(dataset), device=device) if rows is None else rows
        self.batch_size = max(1, int(batch_size))
        self.shuffle = shuffle

    def __len__(self):
        # The count of a shuffled pass depends on the bag order; drawing one
        # inside a forked generator leaves the torch generator, and so the
        # next real pass, as it was.
        with torch.random.fork_rng(devices=[]):
            return len(self._batches())

    def _batches(self):
        return bag_batches(
            self.dataset.X[BAGS], self.rows, self.batch_size, self.shuffle
        )

    def __iter__(self):
        for rows in self._batches():
            yield self.dataset.take(rows)
