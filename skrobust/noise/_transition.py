r"""Estimation of the noise-transition matrix and of the clean class prior.

Notation: :math:`T_{ij} = P(\tilde y = j \mid y = i)`, rows indexed by the true class
and summing to 1; :math:`\hat P` (``pred_proba``) holds out-of-sample probabilities of
the *noisy* labels, :math:`\hat P_{xj} \approx P(\tilde y = j \mid x)`; the
*intermediate* label :math:`y' = \arg\max_j \hat P_{xj}` is Dual-T's.

Three estimators, each a private function of already-encoded inputs:

- ``"confident_joint"``: normalise the columns of the calibrated confident joint
  (Northcutt et al., 2021). Counts, not probability values, so it is robust to a
  badly calibrated model; the default.
- ``"anchor"``: the row of :math:`\hat P` at an anchor point of each class, the
  sample at the ``anchor_quantile`` of :math:`\hat P_{\cdot i}` (Patrini et al.,
  2017). Exact for a calibrated model with true anchors; biased towards the
  identity when the model is overconfident.
- ``"dual_t"``: :math:`T = T^\spadesuit T^\clubsuit` (Yao et al., 2020), with
  :math:`T^\clubsuit_{lj} = P(\tilde y = j \mid y' = l)` counted on the data and
  :math:`T^\spadesuit_{il} = P(y' = l \mid y = i)` from anchor points of
  ``intermediate_proba`` (a model of :math:`y'`); without it, :math:`T^\spadesuit`
  is the identity, which assumes the argmax of :math:`\hat P` recovers the clean
  label at anchor points. Counting replaces most of the posterior-estimation error.
- ``"em"``: the confident-joint estimate refined by ``max_iter`` rounds of EM over
  the posterior of each row's true class given its features and its given label
  (Dawid and Skene's annotator model, with the classifier as the per-row prior).
  The most accurate on the benchmark; each round costs a posterior recovery,
  :math:`O(N K^2)` per update.
"""

from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from ..utils import check_pred_proba
from ..utils._sklearn_compat import Interval, StrOptions, validate_params
from ._confident import _TINY, _confident_joint, _validate_labels_and_proba
from ._posterior import _refine_transition_matrix


def _normalize_rows(counts):
    """Rows scaled to sum to 1; an all-zero row becomes the identity row."""
    counts = np.asarray(counts, dtype=np.float64)
    sums = counts.sum(axis=1, keepdims=True)
    out = np.divide(counts, sums, out=np.zeros_like(counts), where=sums > 0)
    empty = np.flatnonzero(sums.ravel() == 0)
    out[empty, empty] = 1.0
    return out


def _transition_confident_joint(pred_proba, y_codes, n_classes, **_):
    joint, _ = _confident_joint(pred_proba, y_codes, n_classes)
    # joint[given, true]; T[true, given] is each true-class column normalised.
    return _normalize_rows(joint.T)


def _anchor_rows(pred_proba, anchor_quantile):
    """Row index of the anchor point of each class (one pass per class)."""
    n, K = pred_proba.shape
    position = min(int(np.floor(anchor_quantile * (n - 1))), n - 1)
    anchors = np.empty(K, dtype=np.int64)
    for i in range(K):
        column = pred_proba[:, i]
        value = np.partition(column, position)[position]
        # The first row holding that order statistic, for a deterministic choice.
        anchors[i] = np.flatnonzero(column == value)[0]
    return anchors


def _transition_anchor(pred_proba, y_codes, n_classes, *, anchor_quantile=0.97, **_):
    anchors = _anchor_rows(pred_proba, anchor_quantile)
    return _normalize_rows(pred_proba[anchors])


def _transition_dual_t(
    pred_proba,
    y_codes,
    n_classes,
    *,
    anchor_quantile=0.97,
    intermediate_proba=None,
    **_,
):
    intermediate = pred_proba.argmax(axis=1)
    counts = np.bincount(
        intermediate * n_classes + y_codes, minlength=n_classes**2
    ).reshape(n_classes, n_classes)
    T_club = _normalize_rows(counts)
    if intermediate_proba is None:
        return T_club
    T_spade = _normalize_rows(
        intermediate_proba[_anchor_rows(intermediate_proba, anchor_quantile)]
    )
    return _normalize_rows(T_spade @ T_club)


def _transition_em(pred_proba, y_codes, n_classes, *, max_iter=5, **_):
    T0 = _transition_confident_joint(pred_proba, y_codes, n_classes)
    return _refine_transition_matrix(pred_proba, y_codes, T0, n_iter=max_iter)


_ESTIMATORS = {
    "confident_joint": _transition_confident_joint,
    "anchor": _transition_anchor,
    "dual_t": _transition_dual_t,
    "em": _transition_em,
}


def _estimate_transition_matrix(pred_proba, y_codes, n_classes, *, method, **kwargs):
    return _ESTIMATORS[method](pred_proba, y_codes, n_classes, **kwargs)


def _solve_prior(T, noisy_prior, *, max_iter=1000, tol=1e-10):
    r"""Clean prior :math:`\pi` with :math:`T^\top \pi = \tilde\pi`, on the simplex.

    Multiplicative (EM) updates minimise :math:`KL(\tilde\pi \| T^\top \pi)`; they
    keep :math:`\pi` on the simplex because the rows of ``T`` sum to 1, and need no
    inverse, so a singular ``T`` is fine.
    """
    K = T.shape[0]
    prior = np.full(K, 1.0 / K)
    for _ in range(max_iter):
        mixed = np.maximum(T.T @ prior, _TINY)
        updated = prior * (T @ (noisy_prior / mixed))
        updated /= updated.sum()
        if np.abs(updated - prior).max() < tol:
            return updated
        prior = updated
    return prior


def _transition_and_prior(pred_proba, y_codes, joint, method, transition_matrix=None):
    """T and the clean prior for an estimator, reusing its confident joint.

    A given ``transition_matrix`` is used as is; otherwise ``method`` estimates T,
    starting from ``joint`` where it can instead of recounting it.
    """
    K = joint.shape[0]
    T_counted = _normalize_rows(joint.T)
    if transition_matrix is not None:
        T = transition_matrix
    elif method == "confident_joint":
        T = T_counted
        return T, joint.sum(axis=0) / max(joint.sum(), _TINY)
    elif method == "em":
        T = _refine_transition_matrix(pred_proba, y_codes, T_counted, n_iter=5)
    else:
        T = _estimate_transition_matrix(pred_proba, y_codes, K, method=method)
    noisy_prior = np.bincount(y_codes, minlength=K) / y_codes.shape[0]
    return T, _solve_prior(T, noisy_prior)


def _estimate_clean_class_prior(pred_proba, y_codes, n_classes, *, method, **kwargs):
    if method == "confident_joint":
        joint, _ = _confident_joint(pred_proba, y_codes, n_classes)
        return joint.sum(axis=0) / max(joint.sum(), _TINY)
    T = _estimate_transition_matrix(
        pred_proba, y_codes, n_classes, method=method, **kwargs
    )
    noisy_prior = np.bincount(y_codes, minlength=n_classes) / y_codes.shape[0]
    return _solve_prior(T, noisy_prior)


def _method_options(
    method, anchor_quantile, intermediate_proba, max_iter, n_samples, n_classes
):
    options = {"anchor_quantile": anchor_quantile, "max_iter": max_iter}
    if intermediate_proba is not None:
        if method != "dual_t":
            raise ValueError(
                "intermediate_proba is used by method='dual_t' only; got "
                f"method={method!r}."
            )
        options["intermediate_proba"] = check_pred_proba(
            intermediate_proba,
            n_samples=n_samples,
            n_classes=n_classes,
            name="intermediate_proba",
        )
    return options


_COMMON_CONSTRAINTS = {
    "y": ["array-like"],
    "pred_proba": ["array-like"],
    "classes": ["array-like", None],
    "method": [StrOptions(set(_ESTIMATORS))],
    "anchor_quantile": [Interval(Real, 0, 1, closed="both")],
    "intermediate_proba": ["array-like", None],
    "max_iter": [Interval(Integral, 0, None, closed="left")],
}


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def estimate_transition_matrix(
    y,
    pred_proba,
    *,
    classes=None,
    method="confident_joint",
    anchor_quantile=0.97,
    intermediate_proba=None,
    max_iter=5,
):
    r"""Estimate the noise-transition matrix :math:`T_{ij} = P(\tilde y=j \mid y=i)`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given (noisy) labels of any type.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each row/column of T; ``None`` means the sorted unique values
        of ``y``.
    method : {"confident_joint", "anchor", "dual_t", "em"}, default="confident_joint"
        - ``"confident_joint"``: normalised columns of the calibrated confident
          joint. Counts rather than probability values, so robust to a badly
          calibrated model; the default.
        - ``"anchor"``: row ``i`` is ``pred_proba`` at the anchor point of class
          ``i``, the row at the ``anchor_quantile`` of column ``i``. Best with a
          well-calibrated model and many rows per class; an overconfident model
          pulls it towards the identity.
        - ``"dual_t"``: :math:`T = T^\spadesuit T^\clubsuit` with the
          intermediate label :math:`y' = \arg\max \hat P`: :math:`T^\clubsuit` is
          counted (:math:`P(\tilde y \mid y')`), :math:`T^\spadesuit` (:math:`P(y'
          \mid y)`) comes from anchor points of ``intermediate_proba`` or is the
          identity without it. Counting makes it insensitive to calibration; it
          is preferable when the model's argmax is accurate on clean labels.
        - ``"em"``: the ``"confident_joint"`` estimate refined by ``max_iter``
          rounds of EM over each row's posterior of the true class given its
          features and given label (Dawid and Skene's model). The most accurate
          on the benchmark, at :math:`O(N K^2)` per round instead of
          :math:`O(N K)`.

    anchor_quantile : float in [0, 1], default=0.97
        Quantile of each class's probabilities that picks its anchor point; 1 is
        the maximum (Patrini et al.), 0.97 their robust variant.
    intermediate_proba : array-like of shape (n_samples, n_classes), default=None
        For ``"dual_t"``: out-of-sample probabilities of a model fitted to the
        intermediate labels :math:`y'`.
    max_iter : int, default=5
        Rounds of EM refinement, for ``"em"``.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        Row-stochastic estimate of T.

    See Also
    --------
    bootstrap_transition_matrix : Confidence intervals for T.
    compute_confident_joint : The counts behind ``"confident_joint"``.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.
    .. [2] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (Sec. 4, anchor points).
    .. [3] Y. Yao, T. Liu, B. Han, M. Gong, J. Deng, G. Niu, M. Sugiyama, "Dual T:
       Reducing Estimation Error for Transition Matrix in Label-noise Learning",
       NeurIPS 2020, arXiv:2006.07805.
    .. [4] A. P. Dawid, A. M. Skene, "Maximum Likelihood Estimation of Observer
       Error-Rates Using the EM Algorithm", Journal of the Royal Statistical
       Society C 28(1):20-28, 1979, doi:10.2307/2346806.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import estimate_transition_matrix
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.05, .95],
    ...                        [.1, .9], [.2, .8], [.1, .9]])
    >>> estimate_transition_matrix(y, pred_proba)
    array([[1.  , 0.  ],
           [0.25, 0.75]])
    """
    proba, y_codes, _ = _validate_labels_and_proba(y, pred_proba, classes)
    n, K = proba.shape
    options = _method_options(
        method, anchor_quantile, intermediate_proba, max_iter, n, K
    )
    return _estimate_transition_matrix(proba, y_codes, K, method=method, **options)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def estimate_clean_class_prior(
    y,
    pred_proba,
    *,
    classes=None,
    method="confident_joint",
    anchor_quantile=0.97,
    intermediate_proba=None,
    max_iter=5,
):
    r"""Estimate the clean class prior :math:`P(y = i)` from noisy labels.

    With ``"confident_joint"`` the prior is the column sums of the calibrated
    confident joint; with the other methods it solves :math:`T^\top \pi =
    \tilde\pi` (the given-label frequencies) on the simplex for the estimated T.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given (noisy) labels of any type.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` means the sorted unique values of ``y``.
    method : {"confident_joint", "anchor", "dual_t", "em"}, default="confident_joint"
        The T estimator (see :func:`estimate_transition_matrix`).
    anchor_quantile : float in [0, 1], default=0.97
        Quantile that picks the anchor points, for ``"anchor"`` and ``"dual_t"``.
    intermediate_proba : array-like of shape (n_samples, n_classes), default=None
        For ``"dual_t"``: out-of-sample probabilities of a model of :math:`y'`.
    max_iter : int, default=5
        Rounds of EM refinement, for ``"em"``.

    Returns
    -------
    clean_class_prior : ndarray of shape (n_classes,)
        Non-negative, sums to 1.

    See Also
    --------
    estimate_transition_matrix : The T the prior is solved with.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import estimate_clean_class_prior
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.05, .95],
    ...                        [.1, .9], [.2, .8], [.1, .9]])
    >>> estimate_clean_class_prior(y, pred_proba).round(3)
    array([0.333, 0.667])
    """
    proba, y_codes, _ = _validate_labels_and_proba(y, pred_proba, classes)
    n, K = proba.shape
    options = _method_options(
        method, anchor_quantile, intermediate_proba, max_iter, n, K
    )
    return _estimate_clean_class_prior(proba, y_codes, K, method=method, **options)


def _bootstrap_batch(proba, y_codes, n_classes, seeds, method, options):
    n = y_codes.shape[0]
    out = []
    for seed in seeds:
        rows = np.random.RandomState(seed).randint(n, size=n)
        batch_options = dict(options)
        if "intermediate_proba" in batch_options:
            batch_options["intermediate_proba"] = options["intermediate_proba"][rows]
        out.append(
            _estimate_transition_matrix(
                proba[rows], y_codes[rows], n_classes, method=method, **batch_options
            )
        )
    return out


@validate_params(
    {
        **_COMMON_CONSTRAINTS,
        "n_bootstraps": [Interval(Integral, 2, None, closed="left")],
        "confidence_level": [Interval(Real, 0, 1, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_transition_matrix(
    y,
    pred_proba,
    *,
    classes=None,
    method="confident_joint",
    anchor_quantile=0.97,
    intermediate_proba=None,
    max_iter=5,
    n_bootstraps=200,
    confidence_level=0.95,
    n_jobs=None,
    random_state=None,
):
    """Percentile-bootstrap confidence intervals for every entry of T.

    Rows are resampled with replacement, T is re-estimated on each resample, and
    each entry's interval is given by the percentiles of its estimates. An
    off-diagonal entry whose lower bound is 0 may well be absent.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given (noisy) labels of any type.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each row/column of T; ``None`` means the sorted unique values
        of ``y``.
    method : {"confident_joint", "anchor", "dual_t", "em"}, default="confident_joint"
        The T estimator (see :func:`estimate_transition_matrix`).
    anchor_quantile : float in [0, 1], default=0.97
        Quantile that picks the anchor points, for ``"anchor"`` and ``"dual_t"``.
    intermediate_proba : array-like of shape (n_samples, n_classes), default=None
        For ``"dual_t"``: out-of-sample probabilities of a model of :math:`y'`,
        resampled with the rows.
    max_iter : int, default=5
        Rounds of EM refinement, for ``"em"``.
    n_bootstraps : int, default=200
        Number of resamples.
    confidence_level : float in (0, 1), default=0.95
        Coverage of each (pointwise) interval.
    n_jobs : int, default=None
        Resamples computed in parallel through joblib; ``None`` means 1 unless in
        a :func:`joblib.parallel_backend` context.
    random_state : int, RandomState instance or None, default=None
        Seeds the resampling; results do not depend on ``n_jobs``.

    Returns
    -------
    interval : ndarray of shape (2, n_classes, n_classes)
        ``interval[0]`` the lower bounds, ``interval[1]`` the upper bounds.

    See Also
    --------
    estimate_transition_matrix : The point estimate.

    Notes
    -----
    The out-of-sample probabilities are held fixed: the intervals reflect the
    sampling of rows given the model, not the model's own variance.

    References
    ----------
    .. [1] B. Efron, R. J. Tibshirani, "An Introduction to the Bootstrap",
       Chapman & Hall, 1993 (Ch. 13, percentile intervals).

    Examples
    --------
    >>> from skrobust.noise import bootstrap_transition_matrix
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(2, size=500)
    >>> T = make_transition_matrix(2, 0.2)
    >>> y_noisy, _ = make_noisy_labels(y, T, random_state=0)
    >>> pred_proba = np.where(y[:, None] == [0, 1], 0.8, 0.2)
    >>> lower, upper = bootstrap_transition_matrix(
    ...     y_noisy, pred_proba, n_bootstraps=50, random_state=0)
    >>> bool((lower <= upper).all()), bool(lower[0, 1] < 0.2 < upper[0, 1])
    (True, True)
    """
    proba, y_codes, _ = _validate_labels_and_proba(y, pred_proba, classes)
    n, K = proba.shape
    options = _method_options(
        method, anchor_quantile, intermediate_proba, max_iter, n, K
    )
    seeds = check_random_state(random_state).randint(
        np.iinfo(np.int32).max, size=n_bootstraps
    )
    n_batches = max(1, min(n_bootstraps, effective_n_jobs(n_jobs)))
    batches = Parallel(n_jobs=n_jobs)(
        delayed(_bootstrap_batch)(proba, y_codes, K, chunk, method, options)
        for chunk in np.array_split(seeds, n_batches)
    )
    estimates = np.stack([T for batch in batches for T in batch])
    alpha = (1.0 - confidence_level) / 2.0
    return np.quantile(estimates, [alpha, 1.0 - alpha], axis=0)
