"""Simulators for learning from label proportions.

A *bag* is a group of rows whose class proportions are known while the label of each
row is not. Bags are carried as one id per row; proportions are row-aligned too
(every row holds its bag's proportions), so estimators slice them with the rows.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..utils import check_bags, check_labels
from ..utils._sklearn_compat import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "bag_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_bags(n_samples, bag_size, *, shuffle=True, random_state=None):
    """Assign rows to bags of (nearly) equal size.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    bag_size : int
        Rows per bag. When ``bag_size`` does not divide ``n_samples`` the last bag
        is smaller.
    shuffle : bool, default=True
        Assign rows to bags at random; ``False`` makes consecutive runs of rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling.

    Returns
    -------
    bags : ndarray of shape (n_samples,), dtype int64
        The bag id of each row, ``0..n_bags-1`` with
        ``n_bags = ceil(n_samples / bag_size)``.

    See Also
    --------
    bag_proportions : The class proportions of each row's bag.

    References
    ----------
    .. [1] E. M. Ardehaly, A. Culotta, "Co-training for Demographic Classification
       Using Deep Learning from Label Proportions", ICDM Workshops 2017,
       arXiv:1709.04108 (random bags of a fixed size).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.datasets import make_bags
    >>> bags = make_bags(10, 4, random_state=0)
    >>> np.bincount(bags).tolist()
    [4, 4, 2]
    """
    ids = np.arange(n_samples, dtype=np.int64) // bag_size
    if shuffle:
        ids = ids[check_random_state(random_state).permutation(n_samples)]
    return ids


@validate_params(
    {
        "y": ["array-like"],
        "bags": ["array-like", list],
        "classes": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def bag_proportions(y, bags, *, classes=None):
    """Class proportions of each row's bag, aligned with the rows.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Instance labels of any type.
    bags : array-like of shape (n_samples,) or list of array-like
        The bag of each row (see :func:`skrobust.utils.check_bags`).
    classes : array-like of shape (n_classes,), default=None
        The classes, in output column order; ``None`` means the sorted unique
        values of ``y``.

    Returns
    -------
    proportions : ndarray of shape (n_samples,) or (n_samples, n_classes)
        With two classes, the proportion of ``classes[1]`` in each row's bag;
        otherwise one column per class, rows summing to 1.

    See Also
    --------
    make_bags : Draw the bags.
    skrobust.utils.check_proportions : Validate proportions.

    References
    ----------
    .. [1] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.

    Examples
    --------
    >>> from skrobust.datasets import bag_proportions
    >>> bag_proportions([0, 1, 1, 1], bags=[0, 0, 1, 1]).tolist()
    [0.5, 0.5, 1.0, 1.0]
    """
    y_codes, classes = check_labels(y, classes)
    bag_codes = check_bags(bags, n_samples=y_codes.shape[0])
    n_bags = int(bag_codes.max()) + 1
    K = len(classes)
    # One bincount over combined (bag, class) codes gives every bag's class counts.
    counts = np.bincount(bag_codes * K + y_codes, minlength=n_bags * K)
    counts = counts.reshape(n_bags, K).astype(np.float64)
    per_bag = counts / counts.sum(axis=1, keepdims=True)
    proportions = per_bag[bag_codes]
    return proportions[:, 1].copy() if K == 2 else proportions
