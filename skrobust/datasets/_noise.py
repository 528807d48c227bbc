r"""Simulators of class-conditional label noise.

Notation: :math:`T_{ij} = P(\tilde y = j \mid y = i)` is the noise-transition matrix,
rows indexed by the true class and summing to 1. The *noise rate* of class ``i`` is
its off-diagonal mass :math:`1 - T_{ii}`, the probability that a label of true
class ``i`` is flipped.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils import check_labels, check_transition_matrix
from ..utils._sklearn_compat import Interval, StrOptions, validate_params


@validate_params(
    {
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "noise_rate": [Interval(Real, 0, 1, closed="both")],
        "kind": [StrOptions({"symmetric", "pair", "random"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_transition_matrix(
    n_classes, noise_rate, *, kind="symmetric", random_state=None
):
    r"""Build a noise-transition matrix with a given noise rate.

    Every row ``i`` keeps :math:`1 - r` on the diagonal (``r`` the noise rate) and
    spreads ``r`` over the other classes:

    - ``"symmetric"``: uniformly, :math:`r / (K - 1)` to each other class;
    - ``"pair"``: all of it to the next class, :math:`(i + 1) \bmod K`;
    - ``"random"``: in proportions drawn from a flat Dirichlet, per row.

    Parameters
    ----------
    n_classes : int
        Number of classes ``K``, at least 2.
    noise_rate : float in [0, 1]
        Probability that a label is flipped, the same for every true class.
    kind : {"symmetric", "pair", "random"}, default="symmetric"
        How the flipped mass is spread.
    random_state : int, RandomState instance or None, default=None
        Seeds the Dirichlet draws of ``kind="random"``; unused otherwise.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic, :math:`T_{ij} = P(\tilde y = j \mid y = i)`.

    See Also
    --------
    make_noisy_labels : Corrupt labels with such a matrix.

    Notes
    -----
    With two classes, ``"symmetric"`` and ``"pair"`` coincide. The symmetric matrix
    is singular at :math:`r = (K - 1) / K`, where the noisy label carries no
    information; the pair matrix at :math:`r = 1/2`.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (symmetric and pair noise, Sec. 5).
    .. [2] B. Han et al., "Co-teaching: Robust Training of Deep Neural Networks with
       Extremely Noisy Labels", NeurIPS 2018, arXiv:1804.06872 (pair flipping).

    Examples
    --------
    >>> from skrobust.datasets import make_transition_matrix
    >>> make_transition_matrix(3, 0.2, kind="pair")
    array([[0.8, 0.2, 0. ],
           [0. , 0.8, 0.2],
           [0.2, 0. , 0.8]])
    """
    K = n_classes
    r = float(noise_rate)
    if kind == "symmetric":
        T = np.full((K, K), r / (K - 1))
    elif kind == "pair":
        T = np.zeros((K, K))
        T[np.arange(K), (np.arange(K) + 1) % K] = r
    else:
        rng = check_random_state(random_state)
        off = rng.dirichlet(np.ones(K - 1), size=K) * r
        T = np.zeros((K, K))
        # Scatter each row's K - 1 draws onto the off-diagonal positions.
        cols = (np.arange(K)[:, None] + np.arange(1, K)[None, :]) % K
        T[np.arange(K)[:, None], cols] = off
    np.fill_diagonal(T, 1.0 - r)
    return T


@validate_params(
    {
        "y": ["array-like"],
        "transition_matrix": ["array-like"],
        "classes": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_noisy_labels(y, transition_matrix, *, classes=None, random_state=None):
    r"""Corrupt labels with class-conditional noise.

    Each label of true class ``i`` is replaced by class ``j`` with probability
    :math:`T_{ij}`, independently of the features and of the other rows.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Clean labels of any type.
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row-stochastic, :math:`T_{ij} = P(\tilde y = j \mid y = i)`, in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each row/column of ``transition_matrix``; ``None`` means the
        sorted unique values of ``y``.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws.

    Returns
    -------
    y_noisy : ndarray of shape (n_samples,)
        The corrupted labels, of the same type as ``classes``.
    flipped_mask : ndarray of shape (n_samples,), dtype bool
        True where ``y_noisy`` differs from ``y``.

    See Also
    --------
    make_transition_matrix : Build ``transition_matrix``.

    References
    ----------
    .. [1] N. Natarajan, I. S. Dhillon, P. Ravikumar, A. Tewari, "Learning with
       Noisy Labels", NeurIPS 2013 (class-conditional noise).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> y = np.repeat([0, 1, 2], 1000)
    >>> T = make_transition_matrix(3, 0.3)
    >>> y_noisy, flipped = make_noisy_labels(y, T, random_state=0)
    >>> round(float(flipped.mean()), 2)
    0.3
    """
    y_codes, classes = check_labels(y, classes)
    T = check_transition_matrix(transition_matrix, n_classes=len(classes))
    rng = check_random_state(random_state)
    u = rng.random_sample(y_codes.shape[0])
    cum = np.cumsum(T, axis=1)
    # Guard against a last cumulative value a hair below 1 from rounding.
    cum[:, -1] = 1.0
    noisy_codes = np.empty_like(y_codes)
    # A loop over classes (not rows): each class draws all its rows at once.
    for i in range(len(classes)):
        rows = np.flatnonzero(y_codes == i)
        noisy_codes[rows] = np.searchsorted(cum[i], u[rows], side="right")
    noisy_codes = np.minimum(noisy_codes, len(classes) - 1)
    return classes[noisy_codes], noisy_codes != y_codes
