r"""Belief propagation over label proportions (LLP-BP, binary bags).

Notation: rows :math:`i = 1..n` carry unknown binary labels :math:`y_i`, fall
into bags :math:`b` with positive counts :math:`k_b`, and are joined by the
edges :math:`E` of a similarity graph with weights :math:`s_{ij}`. The labels
follow the Gibbs distribution of Havaldar et al. [1]_

.. math::

    P(y) \propto \exp\Big(-\lambda_s \sum_{(i,j) \in E} s_{ij} (y_i - y_j)^2
    - \lambda_b \sum_b \big(\textstyle\sum_{i \in b} y_i - k_b\big)^2\Big),

a pairwise Markov random field with one higher-order *cardinality* factor per
bag. Loopy sum-product belief propagation [2]_ approximates the marginals
:math:`P(y_i = 1)`; it is exact when the factor graph is a tree (for example
disjoint bags and no similarity edge between two rows of one bag or around a
cycle).

Messages are binary, so each is kept as one log-odds number. An edge message is
:math:`\operatorname{logaddexp}(-w, a) - \operatorname{logaddexp}(0, a - w)` for
the cavity log-odds :math:`a` of the sender and :math:`w = \lambda_s s_{ij}`.
The message of bag :math:`b` to its member :math:`i` is

.. math::

    \log \frac{\sum_c P_{-i}(c)\, e^{-\lambda_b (c + 1 - k_b)^2}}
              {\sum_c P_{-i}(c)\, e^{-\lambda_b (c - k_b)^2}},

where :math:`P_{-i}` is the Poisson-binomial distribution of the number of
positives among the other members, under their cavity probabilities. It is
computed for every member at once by a forward pass over the bag (the count
distribution of the members before :math:`i`) and a backward pass (the expected
factor value given a count reached before member :math:`j`), both in log space:
:math:`O(|b|^2)` per bag, against the :math:`O(|b|^2)` pairwise factors *per
message sweep* of the expansion in the released code. Bags are grouped by size
(padded to the next power of two with members that are never positive), so the
passes are vectorised over bags and loop only over positions within a bag.

References
----------
.. [1] S. Havaldar, N. Sharma, S. Sareen, K. Shanmugam, A. Raghuveer, "Learning
   from Label Proportions: Bootstrapping Supervised Learners via Belief
   Propagation", ICLR 2024, arXiv:2310.08056.
.. [2] J. S. Yedidia, W. T. Freeman, Y. Weiss, "Understanding Belief Propagation
   and its Generalizations", in *Exploring Artificial Intelligence in the New
   Millennium*, 2003 (MERL TR2001-22).
"""

import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler, normalize
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets

from ..utils import check_bags, check_labels, check_proportions
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
    validate_params,
)
from ..utils._validation import (
    _for_base,
    check_base_takes_weights,
    check_row_weights,
)
from ..utils._verbose import log_progress
from ._assign import _assign_binary, _bag_counts
from ._base import _BaseLLPClassifier, _check_same_rows
from ._em import _fit_labels

# Bags are processed in chunks of at most this many stored (bag, position,
# count) cells of the backward pass (128 MiB of float64), and a bag too large
# for that on its own stores only checkpoints of it (see _segment_length).
_MAX_CELLS = 1 << 24


def _segment_length(width):
    r"""Positions between two stored backward checkpoints of a bag of ``width``.

    The backward pass of a bag of :math:`w` rows has :math:`w` vectors of
    :math:`w + 1` log-probabilities. Storing every :math:`s`-th one and
    recomputing the others a segment at a time, just before the forward sweep
    reads them, holds about :math:`(w / s + s)(w + 1)` numbers instead of
    :math:`(w + 1)^2`, at the price of a second backward pass; :math:`s =
    \sqrt{w}` makes that :math:`2 w^{3/2}`. Bags whose full table stays below
    ``_MAX_CELLS`` keep it (one pass), so only very large bags pay.
    """
    if (width + 1) ** 2 <= _MAX_CELLS:
        return width
    return max(1, math.isqrt(width))


def _stored_cells(width):
    """Backward-pass numbers held per bag of ``width`` (see _segment_length)."""
    segment = _segment_length(width)
    return (width // segment + segment + 1) * (width + 1)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def knn_similarity_graph(X, *, n_neighbors=5):
    r"""Build the symmetric kNN graph with weights :math:`e^{-\|x_i - x_j\|}`.

    Every row is joined to its ``n_neighbors`` nearest other rows under the
    cosine distance; the edges are made undirected and deduplicated, and each
    carries the Laplace (Matérn-1/2) similarity
    :math:`s_{ij} = \exp(-\|x_i - x_j\|_2)` of the *Euclidean* distance, as in
    the released LLP-BP code.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features (or embeddings) the graph is built on. Standardise them
        first: both distances depend on the scale of each column.
    n_neighbors : int, default=5
        Neighbours per row, capped at ``n_samples - 1``. A row is never its own
        neighbour; an undirected edge found from both ends is kept once.

    Returns
    -------
    graph : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Symmetric similarity weights in (0, 1], zero diagonal.

    References
    ----------
    .. [1] S. Havaldar, N. Sharma, S. Sareen, K. Shanmugam, A. Raghuveer,
       "Learning from Label Proportions: Bootstrapping Supervised Learners via
       Belief Propagation", ICLR 2024, arXiv:2310.08056 (the graph: k = 5
       cosine neighbours, Matern-1/2 weights).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.llp._bp import knn_similarity_graph
    >>> X = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    >>> graph = knn_similarity_graph(X, n_neighbors=1)
    >>> graph.nnz  # two undirected edges, stored in both directions
    4
    """
    X = check_array(X, accept_sparse="csr", dtype=np.float64)
    n_samples = X.shape[0]
    k = min(n_neighbors, n_samples - 1)
    if k < 1:
        return sparse.csr_matrix((n_samples, n_samples))
    # On unit rows the Euclidean distance is sqrt(2 * cosine distance), so it
    # ranks neighbours alike, and scikit-learn's Euclidean search is several
    # times faster than its cosine one. Without X, kneighbors leaves each query
    # row out of its own neighbours (even when duplicates tie at distance 0).
    neighbours = NearestNeighbors(n_neighbors=k, algorithm="brute")
    _, index = neighbours.fit(normalize(X)).kneighbors(None)
    source = np.repeat(np.arange(n_samples), k)
    target = index.ravel()
    low, high = np.minimum(source, target), np.maximum(source, target)
    keys = np.unique(low * n_samples + high)
    low, high = keys // n_samples, keys % n_samples
    if sparse.issparse(X):
        squared = np.asarray(X.multiply(X).sum(axis=1)).ravel()
        dot = np.asarray(X[low].multiply(X[high]).sum(axis=1)).ravel()
        distance = np.sqrt(np.maximum(squared[low] + squared[high] - 2 * dot, 0))
    else:
        distance = np.linalg.norm(X[low] - X[high], axis=1)
    weight = np.exp(-distance)
    graph = sparse.coo_matrix(
        (np.concatenate([weight, weight]), (np.r_[low, high], np.r_[high, low])),
        shape=(n_samples, n_samples),
    )
    return graph.tocsr()


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def _logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.sum(np.exp(a - top), axis=axis)) + np.squeeze(top, axis=axis)


class _BagLayout:
    """Bags grouped into chunks of padded, equal-width row blocks."""

    def __init__(self, bag_codes, counts):
        sizes = np.bincount(bag_codes)
        order = np.argsort(bag_codes, kind="stable")
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        # Power-of-two widths bound the padding by a factor of two per bag while
        # keeping the number of distinct widths (Python-level groups) logarithmic.
        widths = 1 << np.ceil(np.log2(np.maximum(sizes, 1))).astype(np.int64)
        self.blocks = []
        for width in np.unique(widths):
            bags = np.flatnonzero(widths == width)
            per_chunk = max(1, _MAX_CELLS // _stored_cells(width))
            for first in range(0, bags.shape[0], per_chunk):
                chunk = bags[first : first + per_chunk]
                position = np.arange(width)
                rows = starts[chunk, None] + position[None, :]
                real = position[None, :] < sizes[chunk, None]
                rows = np.where(real, order[np.minimum(rows, order.shape[0] - 1)], -1)
                self.blocks.append((rows, real, counts[chunk].astype(np.float64)))


def _backward_step(log_q, log_not, j, later):
    """backward[j] from backward[j + 1]: ``backward[j][:, a]`` is log E[factor |
    a positives among members < j], the members >= j drawn from their cavity
    probabilities."""
    shifted = np.concatenate([later[:, 1:], later[:, -1:]], axis=1)
    return np.logaddexp(log_not[:, j, None] + later, log_q[:, j, None] + shifted)


def _bag_messages(cavity, layout, lambda_bag, segment=None):
    """Log-odds message of each row's bag factor, from the rows' cavity log-odds.

    ``segment`` overrides :func:`_segment_length` (tests compare the two ways).
    """
    out = np.empty_like(cavity)
    for rows, real, count in layout.blocks:
        n_bags, width = rows.shape
        c = cavity[np.maximum(rows, 0)]
        log_q = np.where(real, _log_sigmoid(c), -np.inf)
        log_not = np.where(real, _log_sigmoid(-c), 0.0)
        counts = np.arange(width + 1, dtype=np.float64)

        step = _segment_length(width) if segment is None else segment
        # Checkpoints: backward[width] and backward[k] for k a multiple of step.
        checkpoint = {width: -lambda_bag * (counts[None, :] - count[:, None]) ** 2}
        later = checkpoint[width]
        # Down to the lowest checkpoint; the segments below rebuild the rest.
        for j in range(width - 1, step - 1, -1):
            later = _backward_step(log_q, log_not, j, later)
            if j % step == 0:
                checkpoint[j] = later
        # forward[:, a]: log P(a positives among members < i).
        forward = np.full((n_bags, width + 1), -np.inf)
        forward[:, 0] = 0.0
        message = np.empty((n_bags, width))
        for low in range(0, width, step):
            # backward[low + 1 .. top], rebuilt from the checkpoint at top.
            top = min(low + step, width)
            segment_back = {top: checkpoint[top]}
            for j in range(top - 1, low, -1):
                segment_back[j] = _backward_step(log_q, log_not, j, segment_back[j + 1])
            for i in range(low, top):
                later = segment_back[i + 1]
                shifted = np.concatenate(
                    [later[:, 1:], np.full((n_bags, 1), -np.inf)], axis=1
                )
                message[:, i] = _logsumexp(forward + shifted, axis=1) - _logsumexp(
                    forward + later, axis=1
                )
                moved = np.concatenate(
                    [np.full((n_bags, 1), -np.inf), forward[:, :-1]], axis=1
                )
                forward = np.logaddexp(
                    log_not[:, i, None] + forward, log_q[:, i, None] + moved
                )
        out[rows[real]] = message[real]
    return out


def _run_bp(
    graph, bag_codes, counts, lambda_similarity, lambda_bag, max_iter, damping, tol
):
    """Flooding loopy BP; return log-odds beliefs, sweeps run, convergence flag."""
    n_samples = bag_codes.shape[0]
    upper = sparse.triu(graph, k=1).tocoo()
    n_edges = upper.nnz
    # Directed edges: e -> (row[e], col[e]) for e < n_edges, the reverse after.
    source = np.concatenate([upper.row, upper.col]).astype(np.int64)
    target = np.concatenate([upper.col, upper.row]).astype(np.int64)
    weight = lambda_similarity * np.concatenate([upper.data, upper.data])
    reverse = np.concatenate(
        [np.arange(n_edges, 2 * n_edges), np.arange(n_edges)]
    ).astype(np.int64)
    layout = _BagLayout(bag_codes, counts)

    edge_message = np.zeros(2 * n_edges)
    bag_message = np.zeros(n_samples)
    belief = np.zeros(n_samples)
    marginal = np.full(n_samples, 0.5)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        cavity = belief[source] - edge_message[reverse]
        new_edge = np.logaddexp(-weight, cavity) - np.logaddexp(0.0, cavity - weight)
        new_bag = _bag_messages(belief - bag_message, layout, lambda_bag)
        edge_message = damping * edge_message + (1.0 - damping) * new_edge
        bag_message = damping * bag_message + (1.0 - damping) * new_bag
        belief = bag_message + np.bincount(
            target, weights=edge_message, minlength=n_samples
        )
        new_marginal = np.exp(_log_sigmoid(belief))
        change = np.max(np.abs(new_marginal - marginal), initial=0.0)
        marginal = new_marginal
        if change <= tol:
            return belief, n_iter, True
    return belief, n_iter, False


@validate_params(
    {
        "graph": ["array-like", "sparse matrix", None],
        "bags": ["array-like", list],
        "counts": ["array-like"],
        "lambda_similarity": [Interval(Real, 0, None, closed="left")],
        "lambda_bag": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "damping": [Interval(Real, 0, 1, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def belief_propagation_marginals(
    graph,
    bags,
    counts,
    *,
    lambda_similarity=10.0,
    lambda_bag=10.0,
    max_iter=100,
    damping=0.5,
    tol=1e-4,
):
    r"""Compute the marginals :math:`P(y_i = 1)` of the LLP-BP field by loopy BP.

    Runs synchronous (flooding) sum-product BP on the pairwise field of the
    similarity graph plus one exact cardinality factor per bag (see the module
    notes), starting from uniform messages.

    Parameters
    ----------
    graph : {array-like, sparse matrix} of shape (n_samples, n_samples) or None
        Symmetric non-negative similarity weights :math:`s_{ij}`, for example from
        :func:`knn_similarity_graph`; the diagonal is ignored. ``None`` means no
        similarity edge (then BP is exact: the bags are disjoint trees).
    bags : array-like of shape (n_samples,) or list of array-like
        The bag of each row, in any form :func:`skrobust.utils.check_bags`
        accepts.
    counts : array-like of shape (n_bags,)
        The positive count :math:`k_b` of each bag, in bag-code order (sorted
        bag ids), between 0 and the bag's size; for example from
        :func:`~skrobust.llp.compute_bag_counts`.
    lambda_similarity : float, default=10.0
        :math:`\lambda_s`, the strength of the smoothness term.
    lambda_bag : float, default=10.0
        :math:`\lambda_b`, the strength of the count term; large values make
        the counts nearly hard constraints.
    max_iter : int, default=100
        Message sweeps at most.
    damping : float in [0, 1), default=0.5
        Weight of the old message in each update,
        ``new = damping * old + (1 - damping) * update`` (in log-odds).
    tol : float, default=1e-4
        Stop when no marginal moves by more than this in a sweep.

    Returns
    -------
    marginals : ndarray of shape (n_samples,)
        The approximate :math:`P(y_i = 1)`.
    n_iter : int
        Sweeps run. A ``ConvergenceWarning`` is raised when ``max_iter`` ends
        them before ``tol`` is met.

    Notes
    -----
    One sweep costs :math:`O(|E| + \sum_b |b|^2)` time. The backward pass of a
    bag holds its :math:`(|b| + 1)^2` numbers while they fit in :math:`2^{24}`
    (bags are processed in chunks of about that many; a bag's rows are padded to
    a power of two, so up to 2048 rows); a larger bag stores every
    :math:`\sqrt{|b|}`-th of its vectors and recomputes the rest, holding about
    :math:`2 |b|^{3/2}` numbers for a second backward pass of time.

    References
    ----------
    .. [1] S. Havaldar, N. Sharma, S. Sareen, K. Shanmugam, A. Raghuveer,
       "Learning from Label Proportions: Bootstrapping Supervised Learners via
       Belief Propagation", ICLR 2024, arXiv:2310.08056.
    .. [2] J. S. Yedidia, W. T. Freeman, Y. Weiss, "Understanding Belief
       Propagation and its Generalizations", MERL TR2001-22, 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.llp._bp import belief_propagation_marginals
    >>> bags = np.array([0, 0, 0, 1, 1])
    >>> marginals, n_iter = belief_propagation_marginals(None, bags, [1, 2])
    >>> marginals.round(2)
    array([0.33, 0.33, 0.33, 1.  , 1.  ])
    """
    bag_codes = check_bags(bags, n_samples=None)
    n_samples = bag_codes.shape[0]
    graph = _check_graph(graph, n_samples)
    counts = _check_counts(counts, bag_codes)
    log_odds, n_iter, converged = _run_bp(
        graph,
        bag_codes,
        counts,
        lambda_similarity,
        lambda_bag,
        max_iter,
        damping,
        tol,
    )
    marginals = np.exp(_log_sigmoid(log_odds))
    if not converged:
        warnings.warn(
            f"belief propagation stopped after max_iter={max_iter} sweeps before "
            f"the marginals settled to tol={tol}; raise max_iter or damping.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return marginals, n_iter


def _check_graph(graph, n_samples):
    if graph is None:
        return sparse.csr_matrix((n_samples, n_samples))
    graph = check_array(
        graph, accept_sparse="csr", dtype=np.float64, input_name="graph"
    )
    if graph.shape != (n_samples, n_samples):
        raise ValueError(
            f"graph must be square with one row per bag member, shape "
            f"({n_samples}, {n_samples}); got {graph.shape}."
        )
    graph = sparse.csr_matrix(graph)
    if graph.nnz and graph.data.min() < 0:
        raise ValueError("graph weights must be non-negative.")
    if abs(graph - graph.T).max() > 1e-12 * max(1.0, abs(graph).max()):
        raise ValueError("graph must be symmetric (an undirected similarity graph).")
    return graph


def _check_counts(counts, bag_codes):
    counts = check_array(counts, ensure_2d=False, dtype=np.float64, input_name="counts")
    sizes = np.bincount(bag_codes)
    if counts.shape != sizes.shape:
        raise ValueError(
            f"counts must hold one positive count per bag ({sizes.shape[0]} bags); "
            f"got shape {counts.shape}."
        )
    bad = np.flatnonzero((counts != np.round(counts)) | (counts < 0) | (counts > sizes))
    if bad.size:
        bag = int(bad[0])
        raise ValueError(
            "counts must be integers between 0 and each bag's size; bag "
            f"{bag} (size {int(sizes[bag])}) has count {counts[bag]:g}."
        )
    return counts.astype(np.int64)


def _standardise(Z):
    """Zero-mean unit-variance columns (scaled only, when sparse)."""
    return StandardScaler(with_mean=not sparse.issparse(Z)).fit_transform(Z)


class BeliefPropagationLLPClassifier(_BaseLLPClassifier):
    r"""Learn from binary label proportions with belief propagation (LLP-BP).

    Only each bag's positive proportion is known. The rows are joined in a
    k-nearest-neighbour graph, and loopy belief propagation on a Markov random
    field that rewards equal labels along the graph's edges and each bag's
    positive count (one exact cardinality factor per bag) gives every row a
    marginal :math:`P(y_i = 1)`. In each bag, the rows with the largest marginals
    become positive, as many as the bag's count, and the base classifier is fitted
    on these pseudo-labels. Later rounds rebuild the graph on an embedding learnt
    by the base, rerun belief propagation and refit. This is the LLP-BP method of
    Havaldar et al. [1]_ around any scikit-learn classifier.

    Use it with bags of a few to a few hundred rows whose members are similar
    when their labels are: the graph carries the label information across bags.
    Binary problems only.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``; ``None`` means
        ``LogisticRegression(C=0.1, max_iter=1000)``, regularised against the
        errors of the pseudo-labels. It is cloned, never fitted in place. Its
        ``fit`` must take ``sample_weight`` when one is passed.
    n_neighbors : int, default=5
        Neighbours of each row in the similarity graph (cosine distance; edge
        weight :math:`e^{-\|x_i - x_j\|_2}`), see :func:`knn_similarity_graph`.
    lambda_similarity : float, default=10.0
        :math:`\lambda_s`, the weight of label agreement along the graph's edges.
    lambda_bag : float, default=10.0
        :math:`\lambda_b`, the weight of each bag's squared count error.
    max_iter : int, default=200
        Belief-propagation sweeps at most, in each round. The released code runs
        100 without a convergence test; on the graphs of later rounds BP often
        needs 100 to 160 sweeps to meet ``tol`` (breast cancer with bags of 32,
        20000 rows of ``make_classification`` with bags of 32).
    n_rounds : int, default=2
        Rounds of graph building, belief propagation and fitting; round 1 uses
        the standardised features, later rounds the embedding.
    damping : float in [0, 1), default=0.5
        Weight of the old message in each belief-propagation update.
    tol : float, default=1e-4
        Belief propagation stops when no marginal moves by more than this.
    embedding : {"auto", "scores", "transform"}, default="auto"
        The features of the graph in rounds after the first, each column then
        standardised: ``"transform"`` is the fitted base's ``transform(X)`` (a
        pipeline ending in a transformer, for instance); ``"scores"`` appends to
        the standardised features the base's positive log-odds
        :math:`\log(p / (1 - p))` from ``predict_proba``, standardised and
        multiplied by :math:`\sqrt{d} / 2` (:math:`d` features), so that it
        contributes a fifth of the expected squared distance between two rows;
        ``"auto"`` is ``"transform"`` when the base
        has a ``transform`` method and ``"scores"`` otherwise. The neighbours
        are found by cosine distance, which sees only the sign of a one-column
        embedding (such as a binary ``LinearDiscriminantAnalysis``'s): use
        ``"scores"`` with such bases.
    classes : array-like of shape (2,), default=None
        The negative and positive class. ``None`` means ``[0, 1]`` with ``bags``
        and the sorted unique labels without.
    verbose : int, default=0
        Print the sweeps and the time of each round when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base fitted on the last round's pseudo-labels, with the classes
        encoded as 0 and 1.
    classes_ : ndarray of shape (2,)
        The class labels.
    pseudo_labels_ : ndarray of shape (n_samples,)
        The labels (from ``classes_``) of the last round; they meet every bag's
        positive count exactly.
    marginals_ : ndarray of shape (n_samples,)
        The last round's belief-propagation marginals :math:`P(y_i = 1)`.
    n_iter_ : int
        Belief-propagation sweeps of the last round; 1 when ``bags`` is None,
        where the labels are known and no sweep runs (as in
        :class:`ProportionEMClassifier`, and as scikit-learn expects of an
        estimator with ``max_iter``).
    n_bags_ : int
        Number of bags seen in fit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    belief_propagation_marginals : The inference step.
    ProportionEMClassifier : Pseudo-labels from the base's own scores instead.

    Notes
    -----
    The field is the Gibbs distribution of [1]_,
    :math:`P(y) \propto \exp(-\lambda_s \sum_{(i,j)} s_{ij}(y_i - y_j)^2 -
    \lambda_b \sum_b (\sum_{i \in b} y_i - k_b)^2)`, with :math:`k_b` the
    positive count of bag :math:`b` (its proportion times its size, rounded by
    largest remainder). Unlike the released code, which expands each bag's
    term into :math:`|b|(|b| - 1)/2` pairwise factors, the bag term is one
    cardinality factor whose messages come from Poisson-binomial forward and
    backward passes (see the notes of ``skrobust/llp/_bp.py``), exact for the factor and
    :math:`O(|b|^2)` per bag and sweep. Sum-product BP [2]_ on the loopy graph is
    an approximation, and a ``ConvergenceWarning`` says when ``max_iter`` ends
    it before ``tol`` is met.

    The released code thresholds the marginals at 0.5. Here each bag's
    :math:`k_b` rows with the largest marginals are positive instead, so the
    pseudo-labels always meet the counts (thresholding can label a whole bag
    with the prior's majority class when its marginals stay near the bag's
    proportion).

    The release refines the graph with the 128-unit hidden layer of a deep
    network; a generic base has no such layer, hence ``embedding``. With
    ``bags=None`` every row is its own bag and ``y`` holds ordinary labels: the
    result is the base fitted on ``y``, with no graph. ``sample_weight`` weights
    the rows in every fit of the base; belief propagation ignores it, since the
    bag counts are counts of rows.

    Building the graph costs a brute-force cosine neighbour search,
    :math:`O(n^2 d)`; each sweep costs :math:`O(n k + \sum_b |b|^2)`.

    References
    ----------
    .. [1] S. Havaldar, N. Sharma, S. Sareen, K. Shanmugam, A. Raghuveer,
       "Learning from Label Proportions: Bootstrapping Supervised Learners via
       Belief Propagation", ICLR 2024, arXiv:2310.08056.
    .. [2] J. S. Yedidia, W. T. Freeman, Y. Weiss, "Understanding Belief
       Propagation and its Generalizations", MERL TR2001-22, 2001; J. Pearl,
       *Probabilistic Reasoning in Intelligent Systems*, Morgan Kaufmann, 1988.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler, normalize
    >>> from skrobust.datasets import bag_proportions, make_bags
    >>> from skrobust.llp._bp import BeliefPropagationLLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> bags = make_bags(len(y), bag_size=8, random_state=0)
    >>> proportions = bag_proportions(y, bags)
    >>> model = BeliefPropagationLLPClassifier().fit(X, proportions, bags=bags)
    >>> print(f"instance accuracy: {model.score(X, y):.2f}")
    instance accuracy: 0.9...
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "lambda_similarity": [Interval(Real, 0, None, closed="left")],
        "lambda_bag": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "damping": [Interval(Real, 0, 1, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "embedding": [StrOptions({"auto", "scores", "transform"})],
        "classes": ["array-like", None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_neighbors=5,
        lambda_similarity=10.0,
        lambda_bag=10.0,
        max_iter=200,
        n_rounds=2,
        damping=0.5,
        tol=1e-4,
        embedding="auto",
        classes=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_neighbors = n_neighbors
        self.lambda_similarity = lambda_similarity
        self.lambda_bag = lambda_bag
        self.max_iter = max_iter
        self.n_rounds = n_rounds
        self.damping = damping
        self.tol = tol
        self.embedding = embedding
        self.classes = classes
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, bags=None, sample_weight=None, **fit_params):
        """Fit the base on belief-propagation pseudo-labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            With ``bags``: each row's bag's positive proportion, equal within a
            bag (a 2-column proportion array is also accepted). Without:
            ordinary binary labels (each row is its own bag).
        bags : array-like of shape (n_samples,) or list of array-like, \
                default=None
            The bag id of each row (or a list of row-index arrays, one per bag);
            ``None`` makes every row its own bag.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to every fit of the base. With metadata routing
            enabled, only to a base that requests them
            (``set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled).

        Returns
        -------
        self : BeliefPropagationLLPClassifier
            The fitted classifier.
        """
        given = X
        X, targets, bag_codes = self._validate_targets(X, y, bags)
        # The graph is built on the validated array; the base gets a data frame
        # as given, so a base pipeline can select columns by name.
        X_base = _for_base(given, X)
        n_samples = X.shape[0]
        if sample_weight is not None:
            sample_weight = check_row_weights(sample_weight, n_samples)
        params, sample_weight = self._route(fit_params, sample_weight)
        base = self._base_estimator()
        # Checked before the graph and belief propagation, which can take a while.
        if sample_weight is not None:
            check_base_takes_weights(base)
        if bag_codes is None:
            self.n_bags_ = n_samples
            self.n_iter_ = 1
            self.marginals_ = targets.astype(np.float64)
            self.pseudo_labels_ = self.classes_[targets]
            self.estimator_ = _fit_labels(
                clone(base), X_base, targets, sample_weight, params
            )
            return self

        counts = _bag_counts(targets, bag_codes)
        sizes = np.bincount(bag_codes)
        self.n_bags_ = int(sizes.shape[0])
        if counts.sum() in (0, n_samples):
            raise ValueError(
                f"{type(self).__name__} needs both classes; y's proportions put every"
                f" row in class {self.classes_[int(counts.sum() > 0)].tolist()!r}."
            )
        features = _standardise(X)
        embedding = features
        start = time.perf_counter()
        for round_ in range(1, self.n_rounds + 1):
            graph = knn_similarity_graph(embedding, n_neighbors=self.n_neighbors)
            log_odds, n_iter, converged = _run_bp(
                graph,
                bag_codes,
                counts,
                self.lambda_similarity,
                self.lambda_bag,
                self.max_iter,
                self.damping,
                self.tol,
            )
            if not converged:
                warnings.warn(
                    f"{type(self).__name__}: belief propagation in round {round_} "
                    f"stopped after max_iter={self.max_iter} sweeps before the "
                    f"marginals settled to tol={self.tol}; raise max_iter or "
                    "damping.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            # Ranking by log-odds rather than marginals keeps rows apart where
            # the marginals round to exactly 0 or 1.
            labels = _assign_binary(log_odds, bag_codes, counts)
            fitted = _fit_labels(clone(base), X_base, labels, sample_weight, params)
            log_progress(
                self.verbose,
                f"round {round_}: {n_iter} belief-propagation sweeps, "
                f"{graph.nnz // 2} edges",
                start_time=start,
            )
            if round_ < self.n_rounds:
                embedding = self._embed(fitted, X_base, features)
        self.n_iter_ = n_iter
        self.marginals_ = np.exp(_log_sigmoid(log_odds))
        self.pseudo_labels_ = self.classes_[labels]
        self.estimator_ = fitted
        return self

    def _embed(self, fitted, X, features):
        """The standardised graph features of the next round."""
        use_transform = self.embedding == "transform" or (
            self.embedding == "auto" and hasattr(fitted, "transform")
        )
        if use_transform:
            if not hasattr(fitted, "transform"):
                raise ValueError(
                    f"embedding='transform' needs a base with a transform method; "
                    f"{type(fitted).__name__} has none. Use embedding='scores'."
                )
            return _standardise(fitted.transform(X))
        proba = np.asarray(fitted.predict_proba(X), dtype=np.float64)[:, -1]
        proba = np.clip(proba, 1e-12, 1 - 1e-12)
        score = _standardise((np.log(proba) - np.log1p(-proba))[:, None])
        # Standardised columns each add about 2 to an expected squared distance,
        # so this score adds d / 2, a fifth of the total: enough to pull rows
        # of equal predictions together without drowning the features.
        score = score * np.sqrt(features.shape[1]) / 2
        if sparse.issparse(features):
            return sparse.hstack([features, sparse.csr_matrix(score)]).tocsr()
        return np.hstack([features, score])

    def _validate_targets(self, X, y, bags):
        """Validate X and y; set ``classes_``; return X, targets, bag codes.

        The targets are label codes (0/1) without bags, else 1-D positive
        proportions.
        """
        check = {"accept_sparse": ["csr", "csc"], "dtype": np.float64}
        if bags is None:
            X, y = validate_data(self, X, y, **check)
            check_classification_targets(y)
            codes, classes = check_labels(y, self.classes)
            if len(classes) != 2:
                raise ValueError(
                    "Only binary classification is supported. "
                    f"{type(self).__name__} handles binary problems only; y holds "
                    f"{len(classes)} classes."
                )
            if np.unique(codes).shape[0] < 2:
                # classes= names both, but the base would see only one.
                raise ValueError(
                    f"{type(self).__name__} needs both classes in y; y holds "
                    f"only {np.asarray(classes)[codes[0]].tolist()!r}."
                )
            self.classes_ = np.asarray(classes)
            return X, codes, None
        X = validate_data(self, X, **check)
        classes = np.array([0, 1])
        if self.classes is not None:
            _, classes = check_labels(self.classes, self.classes, name="classes")
            if len(classes) != 2:
                raise ValueError(
                    f"{type(self).__name__} handles binary problems only; classes "
                    f"names {len(classes)} classes."
                )
        _check_same_rows(X, y)
        proportions = check_proportions(y, bags)
        if proportions.ndim == 2:
            if proportions.shape[1] != 2:
                raise ValueError(
                    f"{type(self).__name__} handles binary problems only; y holds "
                    f"proportions of {proportions.shape[1]} classes."
                )
            proportions = proportions[:, 1]
        bag_codes = check_bags(bags, n_samples=X.shape[0])
        self.classes_ = np.asarray(classes)
        return X, proportions, bag_codes

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
