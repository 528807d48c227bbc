r"""Class shares of k-means clusters, solved from bag proportions.

Rows that lie close together in feature space tend to share a class. If the
rows are grouped into :math:`k` clusters and cluster :math:`j` holds a share
:math:`q_{jc}` of class :math:`c`, the expected count of class :math:`c` in bag
:math:`b` is :math:`\sum_j n_{bj} q_{jc}`, with :math:`n_{bj}` the number of the
bag's rows in the cluster. With about as many bags as clusters, the bag counts
pin the shares down, even when every bag's proportions lie close to the global
prior: bags of 128 leave each row's own bag little to say, but the random
mixture of clusters in each bag differs enough from bag to bag.

The shares solve a bounded ridge least-squares problem per class,

.. math::

    \min_{0 \le q_{\cdot c} \le 1} \; \sum_b \Big(\sum_j n_{bj} q_{jc} -
    \rho_{bc} |B_b|\Big)^2 + \alpha \bar n \sum_j (q_{jc} - \pi_c)^2,

where :math:`\rho_{bc}` are the bag proportions, :math:`\pi_c` the global class
share and :math:`\bar n` the mean cluster size: the ridge term pulls a cluster
that the bags leave undetermined towards the prior. The problem only involves
the :math:`k \times k` Gram matrix, so its cost does not grow with the number of
bags. Shares of several clusterings (sizes around the number of bags, several
k-means seeds) are averaged row by row, which smooths the arbitrary cluster
boundaries.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse
from scipy.optimize import lsq_linear
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_array, check_random_state

from ..utils import check_bags, check_proportions
from ..utils._sklearn_compat import Interval, StrOptions, validate_params

# Cluster sizes tried by n_clusters="auto", as multiples of the number of bags.
_AUTO_FACTORS = (0.75, 1.0, 1.25)
# k-means costs O(n_samples * k) per pass, so "auto" stops growing k here.
_AUTO_MAX_CLUSTERS = 256
# k-means fits per size, and the ridge weight of the shares: the defaults of
# cluster_label_shares and the cluster starts of the estimators.
_N_RESTARTS = 9
_ALPHA = 0.01
# The accepted values of n_clusters, wherever a cluster start takes it.
_N_CLUSTERS_CONSTRAINT = [
    StrOptions({"auto"}),
    Interval(Integral, 1, None, closed="left"),
    "array-like",
]


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "proportions": ["array-like"],
        "bags": ["array-like", list],
        "n_clusters": _N_CLUSTERS_CONSTRAINT,
        "n_restarts": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def cluster_label_shares(
    X,
    proportions,
    bags,
    *,
    n_clusters="auto",
    n_restarts=_N_RESTARTS,
    alpha=_ALPHA,
    random_state=None,
):
    r"""Per-row class shares from bag proportions, solved cluster by cluster.

    The rows are grouped by k-means on their standardised features; every
    cluster gets the class shares that best explain the bags' label counts
    (bounded ridge least squares, see the module notes), and every row takes
    its cluster's shares, averaged over several clusterings. The result is a
    starting point for pseudo-labels: :func:`assign_bag_labels` turns its logs
    into labels that meet every bag's counts, as
    ``ProportionEMClassifier(init="clusters")`` does.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Features, finite. They are standardised before clustering (scaled
        only when sparse).
    proportions : array-like of shape (n_samples,) or (n_samples, n_classes)
        Row-aligned bag proportions: the positive share (binary, 1-D) or one
        column per class, equal within a bag (see
        :func:`skrobust.utils.check_proportions`).
    bags : array-like of shape (n_samples,) or list of array-like
        The bag of each row, in any form :func:`skrobust.utils.check_bags`
        accepts.
    n_clusters : "auto", int or array-like of int, default="auto"
        The k-means sizes; one set of ``n_restarts`` clusterings per size
        (a size given twice counts once). ``"auto"`` takes 0.75, 1 and 1.25
        times the number of bags, at least 2 and at most 256 (and at most
        ``n_samples``), so with more than about 340 bags the three sizes are
        one, 256. Sizes far below the number
        of bags merge unlike rows; sizes far above it leave most clusters to the
        ridge term.
    n_restarts : int, default=9
        k-means fits per size, each from its own seed.
    alpha : float, default=0.01
        Weight of the pull of each cluster's shares towards the global class
        shares, relative to the mean cluster size.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means fits.

    Returns
    -------
    shares : ndarray of shape (n_samples, n_classes)
        Each row's estimated class shares, rows summing to 1; two columns
        (negative, positive) for 1-D proportions.

    See Also
    --------
    assign_bag_labels : Labels meeting the bag counts from the log-shares.
    ProportionEMClassifier : Uses these shares with ``init="clusters"``.

    Notes
    -----
    The shares are exact when every cluster is pure and there are at least as
    many bags as clusters in general position. On ``load_digits`` even against
    odd (standardised features, random bags, development seeds 100 to 102),
    the labels that :func:`assign_bag_labels` draws from these shares under the
    bag counts were 95.4% correct with bags of 32 and 82.8% with bags of 128,
    against 85.8% and 74.4% for the final pseudo-labels of
    ``ProportionEMClassifier()`` started from the proportions.

    Cost: ``len(n_clusters) * n_restarts`` k-means fits of one initialisation
    each, and one bounded least-squares problem of size ``k`` per class and
    fit.

    References
    ----------
    .. [1] M. Stolpe, K. Morik, "Learning from Label Proportions by Optimizing
       Cluster Model Selection", ECML PKDD 2011, doi:10.1007/978-3-642-23808-6_23
       (labels of clusters chosen to fit the bag proportions).
    .. [2] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009 (bag-level least
       squares for class-conditional statistics).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skrobust.datasets import bag_proportions, make_bags
    >>> from skrobust.llp import cluster_label_shares
    >>> X, y = load_digits(return_X_y=True)
    >>> y = (y % 2 == 0).astype(int)
    >>> bags = make_bags(len(y), bag_size=32, random_state=0)
    >>> shares = cluster_label_shares(X, bag_proportions(y, bags), bags,
    ...                               random_state=0)
    >>> shares.shape
    (1797, 2)
    >>> print(f"{((shares[:, 1] > 0.5) == y).mean():.2f}")
    0.9...
    """
    X, props, bag_codes = _check_share_inputs(X, proportions, bags)
    sizes = _check_cluster_sizes(n_clusters, bag_codes, X.shape[0])
    return _cluster_shares(X, props, bag_codes, sizes, n_restarts, alpha, random_state)


def _check_share_inputs(X, proportions, bags):
    """Validated X, 2-D row-aligned proportions and bag codes of the public
    share functions."""
    props = check_proportions(proportions, bags, name="proportions")
    bag_codes = check_bags(bags, n_samples=props.shape[0])
    X = check_array(
        X, accept_sparse="csr", dtype=[np.float64, np.float32], input_name="X"
    )
    if X.shape[0] != props.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but proportions has {props.shape[0]}; "
            "they must describe the same rows."
        )
    if props.ndim == 1:
        props = np.column_stack([1.0 - props, props])
    return X, props, bag_codes


def _cluster_shares(X, proportions, bag_codes, sizes, n_restarts, alpha, random_state):
    """The work of :func:`cluster_label_shares` on validated inputs."""
    return _cluster_share_groups(
        X, proportions, bag_codes, sizes, n_restarts, alpha, random_state
    )[0]


def _cluster_share_groups(
    X, proportions, bag_codes, sizes, n_restarts, alpha, random_state, n_groups=1
):
    """Row shares averaged within ``n_groups`` groups of the clusterings.

    Restart ``r`` of every size goes to group ``r % n_groups``, so each group
    sees every size; with one group this is :func:`cluster_label_shares`.
    Returns an array of shape (n_groups, n_samples, n_classes).
    """
    n_classes = proportions.shape[1]
    rng = check_random_state(random_state)
    Z = StandardScaler(with_mean=not sparse.issparse(X)).fit_transform(X)
    bag_counts = _bag_class_counts(proportions, bag_codes)
    # Two classes solve the positive share only; the other is its complement.
    solved_counts = bag_counts[:, 1:] if n_classes == 2 else bag_counts
    prior = solved_counts.sum(axis=0) / X.shape[0]
    shares = np.zeros((n_groups, X.shape[0], solved_counts.shape[1]))
    for k in sizes:
        for restart in range(n_restarts):
            seed = rng.randint(np.iinfo(np.int32).max)
            with warnings.catch_warnings():
                # Fewer distinct rows than clusters: k-means says so, and the
                # shares of the clusters it does find are still right.
                warnings.simplefilter("ignore", ConvergenceWarning)
                clusters = KMeans(k, n_init=1, random_state=seed).fit(Z).labels_
            cluster_shares = _solve_cluster_shares(
                bag_codes, clusters, k, solved_counts, prior, alpha
            )
            shares[restart % n_groups] += cluster_shares[clusters]
    shares /= len(sizes) * (n_restarts // n_groups)
    if n_classes == 2:
        return np.concatenate([1.0 - shares, shares], axis=2)
    return shares


def _check_cluster_sizes(n_clusters, bag_codes, n_samples):
    """The k-means sizes for ``n_clusters``, as sorted unique ints."""
    if isinstance(n_clusters, str):
        n_bags = int(bag_codes.max()) + 1 if bag_codes.size else 0
        top = min(_AUTO_MAX_CLUSTERS, n_samples)
        sizes = [min(top, max(2, round(f * n_bags))) for f in _AUTO_FACTORS]
        return sorted({max(1, k) for k in sizes})
    sizes = np.atleast_1d(np.asarray(n_clusters))
    if sizes.ndim != 1 or sizes.size == 0 or not np.issubdtype(sizes.dtype, np.integer):
        raise ValueError(
            "n_clusters must be 'auto', an int or a non-empty list of ints; "
            f"got {n_clusters!r}."
        )
    if sizes.min() < 1 or sizes.max() > n_samples:
        raise ValueError(
            f"n_clusters must lie between 1 and the number of rows ({n_samples}); "
            f"got {sorted(int(k) for k in sizes)}."
        )
    return sorted({int(k) for k in sizes})


def _bag_class_counts(proportions, bag_codes):
    """Expected class counts of each bag: proportions times bag size."""
    n_bags = int(bag_codes.max()) + 1
    # Rows of a bag share its proportions, so their sum is proportion * size.
    return np.column_stack(
        [
            np.bincount(bag_codes, weights=proportions[:, c], minlength=n_bags)
            for c in range(proportions.shape[1])
        ]
    )


def _solve_cluster_shares(bag_codes, clusters, k, bag_counts, prior, alpha):
    """Bounded ridge least squares for the class shares of ``k`` clusters."""
    n_bags = bag_counts.shape[0]
    # Bag-by-cluster row counts, sparse: a bag touches at most its size clusters.
    membership = sparse.csr_matrix(
        (np.ones(bag_codes.shape[0]), (bag_codes, clusters)), shape=(n_bags, k)
    )
    weight = alpha * bag_codes.shape[0] / k
    gram = (membership.T @ membership).toarray() + weight * np.eye(k)
    rhs = membership.T @ bag_counts + weight * prior[None, :]
    # ||A q - b||^2 and ||L^T q - L^-1 A^T b||^2 differ by a constant when
    # A^T A = L L^T, so the bounded problem can be solved at size k x k.
    chol = linalg.cholesky(gram, lower=True)
    design = chol.T
    solved = np.column_stack(
        [
            lsq_linear(
                design,
                linalg.solve_triangular(chol, rhs[:, c], lower=True),
                bounds=(0.0, 1.0),
                method="bvls",
            ).x
            for c in range(bag_counts.shape[1])
        ]
    )
    # BVLS can overshoot its bounds by rounding error (-1e-20, say).
    solved = np.clip(solved, 0.0, 1.0)
    if bag_counts.shape[1] == 1:
        return solved
    totals = solved.sum(axis=1, keepdims=True)
    # A cluster whose solved shares are all zero falls back to the prior.
    return np.where(totals > 0, solved / np.where(totals > 0, totals, 1.0), prior)
