r"""Hypothesis strategies for the data shapes of learning from imperfect labels.

Use them to property-test code that consumes noisy labels, PU labels or bags, with
`hypothesis <https://hypothesis.readthedocs.io>`_::

    from hypothesis import given
    from skrobust.testing.strategies import noisy_label_problems

    @given(noisy_label_problems(n_classes=3))
    def test_my_filter_returns_a_mask(problem):
        mask = my_filter(problem.y_noisy, problem.pred_proba)
        assert mask.shape == problem.y_noisy.shape

Every random choice is drawn from hypothesis: small discrete choices (sizes, class
counts, rates) directly, bulk arrays from a drawn integer seed fed to
:func:`numpy.random.default_rng`. A failure therefore shrinks (towards fewer rows,
fewer classes, lower rates, seed 0) and replays from hypothesis' database, which
calling the global ``np.random`` inside a strategy would break.

Size and count parameters take an int (fixed) or a hypothesis strategy of ints.
"""

from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

from ..datasets import bag_proportions, make_noisy_labels
from ..utils import check_labels

__all__ = [
    "BaggedProblem",
    "NoisyLabelProblem",
    "PUProblem",
    "bagged_problems",
    "noisy_label_problems",
    "pu_problems",
    "transition_matrices",
]

_SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _as_strategy(value):
    """Accept a fixed value or a strategy; return a strategy."""
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _require(ok, message):
    """Hypothesis's usage error for a bad strategy argument (fixed or drawn):
    a strategy must not quietly generate data its docstring rules out."""
    if not ok:
        raise InvalidArgument(message)


_KINDS = ("symmetric", "pair", "random")


class NoisyLabelProblem(NamedTuple):
    """A classification problem whose labels went through a known noise process.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features, drawn from class-dependent Gaussians.
    y : ndarray of shape (n_samples,)
        Clean labels; every class appears at least once.
    y_noisy : ndarray of shape (n_samples,)
        Labels after the noise process.
    flipped_mask : ndarray of shape (n_samples,), dtype bool
        True where ``y_noisy`` differs from ``y``.
    transition_matrix : ndarray of shape (n_classes, n_classes)
        The row-stochastic noise process, in ``classes`` order.
    pred_proba : ndarray of shape (n_samples, n_classes)
        Simulated out-of-sample probabilities of the noisy labels, rows summing
        to 1 (a noisy, imperfect model's output, not an oracle's).
    classes : ndarray of shape (n_classes,)
        The class labels, in column order.
    """

    X: np.ndarray
    y: np.ndarray
    y_noisy: np.ndarray
    flipped_mask: np.ndarray
    transition_matrix: np.ndarray
    pred_proba: np.ndarray
    classes: np.ndarray


class PUProblem(NamedTuple):
    r"""A positive-unlabeled problem with its hidden truth.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features; positives and negatives come from shifted Gaussians.
    y : ndarray of shape (n_samples,)
        True labels in {0, 1}.
    s : ndarray of shape (n_samples,)
        ``pos_label`` on labelled positives, 0 elsewhere (or -1 when ``pos_label``
        is 0); at least one row of each.
    class_prior : float
        The empirical share of positives, :math:`\pi`, in (0, 1).
    label_frequency : float
        The empirical share of positives that are labelled, :math:`c`, in (0, 1].
    pos_label : int
        The value marking labelled positives in ``s``.
    """

    X: np.ndarray
    y: np.ndarray
    s: np.ndarray
    class_prior: float
    label_frequency: float
    pos_label: int


class BaggedProblem(NamedTuple):
    """A learning-from-label-proportions problem with its hidden instance labels.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        Features, drawn from class-dependent Gaussians.
    y : ndarray of shape (n_samples,)
        Instance labels (hidden from an LLP learner).
    bags : ndarray of shape (n_samples,)
        The bag id of each row; no bag is empty.
    proportions : ndarray of shape (n_samples,) or (n_samples, n_classes)
        Row-aligned bag proportions, as :func:`skrobust.datasets.bag_proportions`
        returns them (1-D for two classes).
    classes : ndarray of shape (n_classes,)
        The class labels, in column order.
    """

    X: np.ndarray
    y: np.ndarray
    bags: np.ndarray
    proportions: np.ndarray
    classes: np.ndarray


@st.composite
def transition_matrices(
    draw, n_classes=None, *, max_noise_rate=0.45, kinds=("symmetric", "pair", "random")
):
    r"""Strategy for row-stochastic noise-transition matrices.

    Each row ``i`` keeps :math:`1 - r_i` on the diagonal and spreads its noise rate
    :math:`r_i \le` ``max_noise_rate`` over the other classes. With
    ``max_noise_rate < 0.5`` every matrix is strictly diagonally dominant, hence
    invertible.

    Parameters
    ----------
    n_classes : int or strategy of int, default=None
        Number of classes; ``None`` draws from 2 to 5.
    max_noise_rate : float in [0, 1], default=0.45
        Upper bound of every row's noise rate.
    kinds : tuple of {"symmetric", "pair", "random"}, default=all three
        Structures to draw from: one rate for all rows spread uniformly, one rate
        moved to the next class, or per-row rates spread in drawn proportions.

    Returns
    -------
    strategy : SearchStrategy of ndarray of shape (n_classes, n_classes)
        Row-stochastic float64 matrices.

    See Also
    --------
    skrobust.datasets.make_transition_matrix : The deterministic constructor.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from skrobust.testing.strategies import transition_matrices
    >>> @settings(max_examples=5)
    ... @given(transition_matrices(n_classes=3))
    ... def test_rows_sum_to_one(T):
    ...     assert abs(T.sum(axis=1) - 1).max() < 1e-12
    >>> test_rows_sum_to_one()
    """
    _require(
        0.0 <= max_noise_rate <= 1.0,
        f"max_noise_rate must be in [0, 1]; got {max_noise_rate!r}.",
    )
    _require(
        len(kinds) > 0 and set(kinds) <= set(_KINDS),
        f"kinds must be a non-empty tuple of {_KINDS}; got {kinds!r}.",
    )
    K = draw(_as_strategy(n_classes) if n_classes is not None else st.integers(2, 5))
    _require(K >= 2, f"n_classes must be at least 2; got {K!r}.")
    kind = draw(st.sampled_from(kinds))
    rate_strategy = st.floats(0.0, max_noise_rate, allow_nan=False)
    T = np.zeros((K, K))
    if kind == "random":
        rates = draw(hnp.arrays(np.float64, K, elements=rate_strategy))
        weights = draw(hnp.arrays(np.float64, (K, K - 1), elements=st.floats(0.0, 1.0)))
        # A row of all-zero weights spreads its noise uniformly instead.
        weights[weights.sum(axis=1) == 0] = 1.0
        weights /= weights.sum(axis=1, keepdims=True)
        cols = (np.arange(K)[:, None] + np.arange(1, K)[None, :]) % K
        T[np.arange(K)[:, None], cols] = weights * rates[:, None]
    else:
        rates = np.full(K, draw(rate_strategy))
        if kind == "symmetric":
            T[:] = rates[0] / (K - 1)
        else:
            T[np.arange(K), (np.arange(K) + 1) % K] = rates[0]
    np.fill_diagonal(T, 1.0 - rates)
    return T


def _gaussian_features(rng, y_codes, n_classes, n_features, separation):
    centers = rng.normal(scale=separation, size=(n_classes, n_features))
    return centers[y_codes] + rng.normal(size=(y_codes.shape[0], n_features))


def _labels_with_every_class(rng, n_samples, n_classes):
    y = np.concatenate(
        [np.arange(n_classes), rng.integers(n_classes, size=n_samples - n_classes)]
    )
    return rng.permutation(y)


def _class_labels(n_classes, label_type):
    if label_type == "int":
        return np.arange(n_classes)
    if label_type == "str":
        return np.array([f"class_{k}" for k in range(n_classes)])
    raise ValueError(f"label_type must be 'int' or 'str'; got {label_type!r}.")


@st.composite
def noisy_label_problems(
    draw,
    n_samples=None,
    n_classes=None,
    *,
    n_features=3,
    transition_matrix=None,
    label_type="int",
):
    """Strategy for classification problems with class-conditional label noise.

    Parameters
    ----------
    n_samples : int or strategy of int, default=None
        Number of rows; ``None`` draws from 20 to 200. A draw below
        ``n_classes`` is raised to it, so that every class appears.
    n_classes : int or strategy of int, default=None
        Number of classes; ``None`` draws from 2 to 5.
    n_features : int or strategy of int, default=3
        Number of features.
    transition_matrix : strategy of ndarray, default=None
        Strategy for the noise process; ``None`` uses
        ``transition_matrices(n_classes)``.
    label_type : {"int", "str"}, default="int"
        Labels ``0..K-1``, or strings ``"class_0", ...``.

    Returns
    -------
    strategy : SearchStrategy of NoisyLabelProblem
        Problems whose every class appears at least once among the clean labels.

    See Also
    --------
    transition_matrices : The default strategy for the noise process.
    skrobust.datasets.make_noisy_labels : The simulator used.

    References
    ----------
    .. [1] N. Natarajan, I. S. Dhillon, P. Ravikumar, A. Tewari, "Learning with
       Noisy Labels", NeurIPS 2013.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from skrobust.testing.strategies import noisy_label_problems
    >>> @settings(max_examples=5)
    ... @given(noisy_label_problems(n_classes=3, label_type="str"))
    ... def test_flips_are_where_labels_differ(p):
    ...     assert ((p.y != p.y_noisy) == p.flipped_mask).all()
    >>> test_flips_are_where_labels_differ()
    """
    K = draw(_as_strategy(n_classes) if n_classes is not None else st.integers(2, 5))
    _require(K >= 2, f"n_classes must be at least 2; got {K!r}.")
    n = draw(_as_strategy(n_samples) if n_samples is not None else st.integers(20, 200))
    n = max(n, K)
    d = draw(_as_strategy(n_features))
    T_strategy = (
        transition_matrix
        if transition_matrix is not None
        else (transition_matrices(n_classes=K))
    )
    T = draw(T_strategy)
    rng = np.random.default_rng(draw(_SEEDS))
    classes = _class_labels(K, label_type)
    y_codes = _labels_with_every_class(rng, n, K)
    X = _gaussian_features(rng, y_codes, K, d, separation=2.0)
    y_noisy, flipped = make_noisy_labels(
        classes[y_codes], T, classes=classes, random_state=int(rng.integers(2**31))
    )
    # classes follow code order, not string order (class_10 < class_2), so
    # look each noisy label up by position rather than by sorted search.
    noisy_codes = check_labels(y_noisy, classes)[0]
    # A model of the noisy posterior: right about the clean label more often than
    # not, with Gaussian logit noise so probabilities are neither one-hot nor flat.
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), y_codes] += 2.0
    logits[np.arange(n), noisy_codes] += 1.0
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    return NoisyLabelProblem(X, classes[y_codes], y_noisy, flipped, T, proba, classes)


@st.composite
def pu_problems(
    draw,
    n_samples=None,
    *,
    n_features=3,
    class_prior=None,
    label_frequency=None,
    pos_label=1,
):
    r"""Strategy for positive-unlabeled problems under SCAR.

    Parameters
    ----------
    n_samples : int or strategy of int, default=None
        Number of rows; ``None`` draws from 20 to 300.
    n_features : int or strategy of int, default=3
        Number of features.
    class_prior : float or strategy of float, default=None
        Target share of positives; ``None`` draws from [0.1, 0.9].
    label_frequency : float or strategy of float, default=None
        Target share of positives that are labelled; ``None`` draws from
        [0.1, 0.9].
    pos_label : int or str, default=1
        The value marking labelled positives in ``s``.

    Returns
    -------
    strategy : SearchStrategy of PUProblem
        Problems with at least one labelled positive, one unlabelled positive or
        negative, and one negative. The returned prior and frequency are the
        empirical ones of the drawn sample.

    See Also
    --------
    skrobust.datasets.make_pu_labels : The simulator this mirrors.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and Unlabeled
       Data", KDD 2008, doi:10.1145/1401890.1401920.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from skrobust.testing.strategies import pu_problems
    >>> @settings(max_examples=5)
    ... @given(pu_problems())
    ... def test_labelled_rows_are_positive(p):
    ...     assert (p.y[p.s == p.pos_label] == 1).all()
    >>> test_labelled_rows_are_positive()
    """
    n = max(
        draw(
            _as_strategy(n_samples) if n_samples is not None else st.integers(20, 300)
        ),
        3,
    )
    d = draw(_as_strategy(n_features))
    pi = draw(
        _as_strategy(class_prior) if class_prior is not None else st.floats(0.1, 0.9)
    )
    _require(0.0 < pi < 1.0, f"class_prior must be in (0, 1); got {pi!r}.")
    c = draw(
        _as_strategy(label_frequency)
        if label_frequency is not None
        else st.floats(0.1, 0.9)
    )
    _require(0.0 < c <= 1.0, f"label_frequency must be in (0, 1]; got {c!r}.")
    rng = np.random.default_rng(draw(_SEEDS))
    y = (rng.random(n) < pi).astype(np.int64)
    # Force one labelled positive and one negative so the problem is well posed.
    y[0], y[1] = 1, 0
    labeled = (y == 1) & (rng.random(n) < c)
    labeled[0] = True
    labeled[1] = False
    order = rng.permutation(n)
    y, labeled = y[order], labeled[order]
    X = _gaussian_features(rng, y, 2, d, separation=1.5)
    # The unlabelled value shares pos_label's type: a string pos_label with 0
    # beside it would not make one numpy array.
    if isinstance(pos_label, str):
        unlabeled_value = "unlabeled" if pos_label != "unlabeled" else "u"
    else:
        unlabeled_value = -1 if pos_label == 0 else 0
    s = np.where(labeled, pos_label, unlabeled_value)
    return PUProblem(
        X, y, s, float(y.mean()), float(labeled.sum() / y.sum()), pos_label
    )


@st.composite
def bagged_problems(
    draw,
    n_samples=None,
    n_classes=None,
    *,
    n_features=3,
    bag_size=None,
    label_type="int",
):
    """Strategy for learning-from-label-proportions problems.

    Parameters
    ----------
    n_samples : int or strategy of int, default=None
        Number of rows; ``None`` draws from 10 to 200.
    n_classes : int or strategy of int, default=None
        Number of classes; ``None`` draws from 2 to 4.
    n_features : int or strategy of int, default=3
        Number of features.
    bag_size : int or strategy of int, default=None
        Rows per bag (the last bag may be smaller); ``None`` draws from 1 to 32.
    label_type : {"int", "str"}, default="int"
        Labels ``0..K-1``, or strings ``"class_0", ...``.

    Returns
    -------
    strategy : SearchStrategy of BaggedProblem
        Problems whose every class appears at least once.

    See Also
    --------
    skrobust.datasets.make_bags : Random bags of a fixed size.
    skrobust.datasets.bag_proportions : Row-aligned proportions.

    References
    ----------
    .. [1] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from skrobust.testing.strategies import bagged_problems
    >>> @settings(max_examples=5)
    ... @given(bagged_problems(n_classes=2))
    ... def test_proportions_in_unit_interval(p):
    ...     assert ((p.proportions >= 0) & (p.proportions <= 1)).all()
    >>> test_proportions_in_unit_interval()
    """
    K = draw(_as_strategy(n_classes) if n_classes is not None else st.integers(2, 4))
    n = max(
        draw(
            _as_strategy(n_samples) if n_samples is not None else st.integers(10, 200)
        ),
        K,
    )
    d = draw(_as_strategy(n_features))
    size = draw(_as_strategy(bag_size) if bag_size is not None else st.integers(1, 32))
    _require(size >= 1, f"bag_size must be at least 1; got {size!r}.")
    rng = np.random.default_rng(draw(_SEEDS))
    classes = _class_labels(K, label_type)
    y_codes = _labels_with_every_class(rng, n, K)
    X = _gaussian_features(rng, y_codes, K, d, separation=2.0)
    bags = rng.permutation(np.arange(n) // size)
    y = classes[y_codes]
    return BaggedProblem(X, y, bags, bag_proportions(y, bags, classes=classes), classes)
