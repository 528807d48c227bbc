r"""Best Bin Estimation (BBE): the positive share of the unlabelled rows from the
top bin of a classifier's scores.

Notation: :math:`g(x) \approx P(s = 1 \mid x)` is an out-of-sample classifier of
labelled against unlabelled rows, :math:`\kappa = P(y = 1 \mid s = 0)` the share of
positives among unlabelled rows. For a threshold :math:`z`, let :math:`q_L(z)` and
:math:`q_U(z)` be the fractions of labelled and unlabelled rows scoring at least
:math:`z`. Under SCAR the labelled rows are a sample of the positives, so
:math:`q_U(z) = \kappa\, q_+(z) + (1 - \kappa)\, q_-(z) \ge \kappa\, q_L(z)`: every
ratio :math:`q_U / q_L` bounds :math:`\kappa` from above, tightly where the bin
above :math:`z` holds almost no negatives. BBE picks the threshold whose *upper
confidence bound* of that ratio is lowest,

.. math:: \hat z = \arg\min_z \frac{q_U(z) + (1 + \gamma)\,\varepsilon}{q_L(z)},
          \qquad \varepsilon = \sqrt{\frac{\log(1/\delta)}{2 n_L}}
                             + \sqrt{\frac{\log(1/\delta)}{2 n_U}},

and returns the plain ratio there, :math:`\hat\kappa = q_U(\hat z) / q_L(\hat z)`.
The bound keeps the search away from thin top bins, whose ratio is the noisiest and
whose plain minimum would be biased low, as the density-ratio minimum of DEDPUL
tends to be with few labelled rows. Constants :math:`\delta = 0.1` and
:math:`\gamma = 0.01` and the :math:`\log(1/\delta)` of the width follow the
authors' code (``acmi-lab/PU_learning``; the paper's bound has
:math:`\log(4/\delta)`).
"""

import numpy as np

from ..utils._validation import check_row_weights
from ._dedpul import _check_proba


def _check_weight(weight, size, name):
    """Row weights as float64 (the project's row-weight rules); ones for None."""
    if weight is None:
        return np.ones(size)
    return check_row_weights(weight, size, name=name)


def _upper_tail_mass(sorted_scores, weight, thresholds):
    """Weighted fraction of ``sorted_scores`` at or above each threshold, and
    their total weight."""
    # mass_below[k] is the weight of the first k scores.
    mass_below = np.concatenate([[0.0], np.cumsum(weight)])
    total = mass_below[-1]
    below = np.searchsorted(sorted_scores, thresholds, side="left")
    return (total - mass_below[below]) / total, total


def bbe_positive_share(
    proba_labeled,
    proba_unlabeled,
    *,
    weight_labeled=None,
    weight_unlabeled=None,
    delta=0.1,
    gamma=0.01,
):
    r"""Share of positives among the unlabelled rows by Best Bin Estimation.

    Reads out-of-sample scores of a classifier of labelled against unlabelled rows
    and returns :math:`\kappa = P(y = 1 \mid s = 0)` from the score threshold whose
    upper confidence bound on :math:`q_U / q_L` is lowest (module docstring).

    Parameters
    ----------
    proba_labeled : array-like of shape (n_labeled,)
        Out-of-sample :math:`P(s = 1 \mid x)` of the labelled rows.
    proba_unlabeled : array-like of shape (n_unlabeled,)
        Out-of-sample :math:`P(s = 1 \mid x)` of the unlabelled rows.
    weight_labeled, weight_unlabeled : array-like, default=None
        Row weights, read as counts: the fractions above each threshold become
        weighted ones and :math:`n_L`, :math:`n_U` the summed weights, so an
        integer weight acts as that many copies of the row.
    delta : float in (0, 1), default=0.1
        Confidence level of the bound that picks the threshold.
    gamma : float >= 0, default=0.01
        Slack on the bound, as in the authors' code.

    Returns
    -------
    share : float in [0, 1]
        The estimated share of positives among the unlabelled rows; 0 when every
        unlabelled row has weight 0.

    Notes
    -----
    Candidate thresholds are the labelled rows' scores; the fractions come from
    two sorts and a binary search, :math:`O(n \log n)`.

    References
    ----------
    .. [1] S. Garg, Y. Wu, A. Smola, S. Balakrishnan, Z. C. Lipton, "Mixture
       Proportion Estimation and PU Learning: A Modern Approach", NeurIPS 2021,
       arXiv:2111.00980.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.pu._bbe import bbe_positive_share
    >>> rng = np.random.default_rng(0)
    >>> labeled = rng.uniform(0.4, 1.0, 500)
    >>> unlabeled = np.r_[rng.uniform(0.4, 1.0, 300), rng.uniform(0.0, 0.5, 700)]
    >>> print(f"{bbe_positive_share(labeled, unlabeled):.2f}")
    0.3...
    """
    labeled = _check_proba(proba_labeled, "proba_labeled")
    unlabeled = _check_proba(proba_unlabeled, "proba_unlabeled")
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must be in (0, 1); got {delta!r}.")
    if not gamma >= 0.0:
        raise ValueError(f"gamma must be >= 0; got {gamma!r}.")
    w_l = _check_weight(weight_labeled, labeled.size, "weight_labeled")
    w_u = _check_weight(weight_unlabeled, unlabeled.size, "weight_unlabeled")
    # Zero-weight rows carry no evidence; dropping them also keeps them out of
    # the candidate thresholds.
    labeled, w_l = labeled[w_l > 0], w_l[w_l > 0]
    unlabeled, w_u = unlabeled[w_u > 0], w_u[w_u > 0]
    if unlabeled.size == 0:
        return 0.0
    if labeled.size == 0:
        raise ValueError("weight_labeled must give some labelled row a weight > 0.")
    order_l, order_u = np.argsort(labeled), np.argsort(unlabeled)
    sorted_l, sorted_u = labeled[order_l], unlabeled[order_u]
    thresholds = np.unique(sorted_l)
    q_l, n_l = _upper_tail_mass(sorted_l, w_l[order_l], thresholds)
    q_u, n_u = _upper_tail_mass(sorted_u, w_u[order_u], thresholds)
    log_term = np.log(1.0 / delta) / 2.0
    # An integer weight counts as that many copies of the row, sizes included,
    # as scikit-learn's sample_weight does.
    width = np.sqrt(log_term / n_l) + np.sqrt(log_term / n_u)
    best = int(np.argmin((q_u + (1.0 + gamma) * width) / q_l))
    return float(min(q_u[best] / q_l[best], 1.0))
