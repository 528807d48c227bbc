r"""Public functions that find, score and rank label issues.

Notation as in :mod:`skrobust.noise._confident`: ``y`` holds the given labels,
``pred_proba`` the out-of-sample probabilities of the given labels, columns in
``classes`` order, and :math:`T_{ij} = P(\tilde y = j \mid y = i)`.

Multi-label data (``y`` an (n_samples, n_classes) indicator matrix, ``pred_proba``
the per-class probabilities) is handled one-vs-rest: each class is a binary problem
and a row is an issue when any of its classes is.
"""

from numbers import Integral, Real

import numpy as np
from scipy.stats import rankdata

from ..utils import check_transition_matrix
from ..utils._sklearn_compat import Interval, StrOptions, validate_params
from ..utils._validation import _as_numeric_array
from ._confident import (
    _SCORERS,
    _agrees_with_argmax,
    _find_label_issues,
    _label_quality_scores,
    _validate_labels_and_proba,
)
from ._posterior import _transition_posterior
from ._transition import _transition_confident_joint

_FILTERS = {
    "auto",
    "transition_posterior",
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
}
_SCORE_METHODS = set(_SCORERS) | {"transition_posterior", "blend"}
# Above this many multiply-adds per EM update the posterior filter is slower than
# the counting rules (and than cleanlab's, measured in benchmarks/); "auto" then
# falls back to the counting filter.
_AUTO_POSTERIOR_BUDGET = 3e7
# Weight of the transition posterior in the "blend" ranking: it helps most under
# structured (pair) noise and can hurt a little when T is estimated from few rows
# per class; a quarter keeps the gains and bounds the losses on the benchmark.
_BLEND_WEIGHT = 0.25


def _validate(y, pred_proba, classes):
    """Return (pred_proba, y_codes, classes, multi_label)."""
    if np.ndim(y) == 2 and np.shape(y)[1] > 1:
        indicator = _as_numeric_array(y, "y")
        if not np.isin(indicator, (0, 1)).all():
            raise ValueError(
                "y given as a 2-D multi-label indicator must hold only 0 and 1."
            )
        proba = _as_numeric_array(pred_proba, "pred_proba")
        if proba.shape != indicator.shape:
            raise ValueError(
                "pred_proba must have the shape of the multi-label indicator y "
                f"{indicator.shape}; got {proba.shape}."
            )
        if not np.all(np.isfinite(proba)) or (proba < 0).any() or (proba > 1).any():
            raise ValueError(
                "pred_proba must hold finite probabilities in [0, 1] per class."
            )
        return proba.astype(np.float64), indicator.astype(np.int64), classes, True
    proba, y_codes, classes = _validate_labels_and_proba(y, pred_proba, classes)
    return proba, y_codes, classes, False


def _one_vs_rest(indicator, proba):
    """Yield each class's binary (y_codes, pred_proba) pair."""
    for k in range(indicator.shape[1]):
        p = proba[:, k]
        yield indicator[:, k], np.column_stack([1.0 - p, p]).astype(proba.dtype)


def _resolve_filter(filter_by, n_samples, n_classes):
    if filter_by != "auto":
        return filter_by
    if n_samples * n_classes**2 <= _AUTO_POSTERIOR_BUDGET:
        return "transition_posterior"
    return "prune_by_noise_rate"


def _issues_single(
    pred_proba,
    y_codes,
    n_classes,
    *,
    filter_by,
    transition_matrix,
    frac_noise,
    min_examples_per_class,
    n_jobs=None,
):
    method = _resolve_filter(filter_by, y_codes.shape[0], n_classes)
    if method == "transition_posterior":
        T = transition_matrix
        if T is None:
            T = _transition_confident_joint(pred_proba, y_codes, n_classes)
        flagged = _transition_posterior(pred_proba, y_codes, T, n_jobs=n_jobs) < 0.5
        # As for the counting rules: a row whose given label is (within slack) its
        # most probable class is never an issue.
        return flagged & ~_agrees_with_argmax(pred_proba, y_codes)
    return _find_label_issues(
        pred_proba,
        y_codes,
        n_classes,
        filter_by=method,
        frac_noise=frac_noise,
        min_examples_per_class=min_examples_per_class,
        n_jobs=n_jobs,
    )


def _scores_single(
    pred_proba, y_codes, n_classes, *, method, transition_matrix, adjust_pred_proba
):
    if method in _SCORERS:
        return _label_quality_scores(
            pred_proba,
            y_codes,
            n_classes,
            method=method,
            adjust_pred_proba=adjust_pred_proba,
        )
    T = transition_matrix
    if T is None:
        T = _transition_confident_joint(pred_proba, y_codes, n_classes)
    posterior = _transition_posterior(pred_proba, y_codes, T)
    if method == "transition_posterior":
        return posterior
    n = y_codes.shape[0]
    self_conf = _label_quality_scores(
        pred_proba, y_codes, n_classes, method="self_confidence"
    )
    # Rounding first makes posteriors equal in exact arithmetic (saturated at 1,
    # say) tie in the ranks too, whatever the column order they were computed in.
    posterior_ranks = rankdata(np.round(posterior, 10))
    self_conf_ranks = rankdata(np.round(self_conf, 10))
    return (_BLEND_WEIGHT * posterior_ranks + (1 - _BLEND_WEIGHT) * self_conf_ranks) / n


def _check_transition_arg(transition_matrix, n_classes, multi_label):
    if transition_matrix is None:
        return None
    if multi_label:
        raise ValueError(
            "transition_matrix is not supported for multi-label y; each class's "
            "binary T is estimated from the data."
        )
    return check_transition_matrix(transition_matrix, n_classes=n_classes)


@validate_params(
    {
        "y": ["array-like"],
        "pred_proba": ["array-like"],
        "classes": ["array-like", None],
        "filter_by": [StrOptions(_FILTERS)],
        "transition_matrix": ["array-like", None],
        "frac_noise": [Interval(Real, 0, 1, closed="both")],
        "min_examples_per_class": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def find_label_issues(
    y,
    pred_proba,
    *,
    classes=None,
    filter_by="auto",
    transition_matrix=None,
    frac_noise=1.0,
    min_examples_per_class=1,
    n_jobs=None,
):
    r"""Flag the rows whose given label is likely wrong.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Given labels of any type, or a multi-label 0/1 indicator matrix.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels (see
        :func:`skrobust.utils.cross_val_predict_proba`), columns in ``classes``
        order; per-class probabilities for multi-label ``y``.
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` means the sorted unique values of ``y``.
    filter_by : str, default="auto"
        The rule that flags rows:

        - ``"transition_posterior"``: flag a row when the probability that its
          given label is the true one, :math:`p_{\tilde y} T_{\tilde y \tilde y} /
          (T^\top p)_{\tilde y}` with the clean posterior :math:`p` recovered from
          ``pred_proba`` and ``T`` (module :mod:`skrobust.noise`), is below 1/2.
        - ``"prune_by_noise_rate"``: for each pair of classes, the rows with the
          largest margin towards the other class, as many as the confident joint
          counts (Northcutt et al. 2021, Sec. 3.2; cleanlab's default).
        - ``"prune_by_class"``: per class, the rows least confident in their
          label, as many as the confident joint counts off the diagonal.
        - ``"both"``: rows flagged by both rules above.
        - ``"confident_learning"``: the off-diagonal rows of the confident joint.
        - ``"predicted_neq_given"``: the rows whose argmax is not their label.
        - ``"auto"``: ``"transition_posterior"`` when
          ``n_samples * n_classes**2 <= 3e7`` (its cost is that many
          multiply-adds per iteration), else ``"prune_by_noise_rate"``.

    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        Known :math:`T` for ``"transition_posterior"``; ``None`` estimates it from
        the confident joint.
    frac_noise : float in [0, 1], default=1.0
        Share of the counted issues to flag, for the ``prune_*`` and ``"both"``
        rules.
    min_examples_per_class : int, default=1
        Classes with at most this many rows are never pruned, for the
        ``prune_*`` and ``"both"`` rules.
    n_jobs : int, default=None
        Threads for the per-class selections of the ``prune_*`` rules and the
        row blocks of ``"transition_posterior"`` (joblib; ``None`` means 1 unless
        in a :func:`joblib.parallel_backend` context). Results do not depend on
        it.

    Returns
    -------
    label_issue_mask : ndarray of shape (n_samples,), dtype bool
        True for rows flagged as label issues. Rows whose given label is (within
        1e-6) their most probable class are never flagged.

    See Also
    --------
    rank_label_issues : Order rows from most to least likely wrong.
    label_quality_scores : A per-row score of label quality.

    Notes
    -----
    All rules cost :math:`O(NK)` memory on top of ``pred_proba`` (processed in
    blocks of rows). ``"transition_posterior"`` costs :math:`O(NK^2)` time per
    update (20 at most); the counting rules :math:`O(NK)` plus a selection per
    pair of classes.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.
    .. [2] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (the noisy posterior as :math:`T^\top p`).

    Examples
    --------
    >>> from skrobust.noise import find_label_issues
    >>> import numpy as np
    >>> y = np.array([0, 0, 0, 1, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.2, .8],
    ...                        [.1, .9], [.3, .7], [.9, .1]])
    >>> find_label_issues(y, pred_proba).tolist()
    [False, False, True, False, False, True]
    """
    proba, y_codes, classes, multi_label = _validate(y, pred_proba, classes)
    n_classes = proba.shape[1]
    T = _check_transition_arg(transition_matrix, n_classes, multi_label)
    options = {
        "filter_by": filter_by,
        "transition_matrix": T,
        "frac_noise": frac_noise,
        "min_examples_per_class": min_examples_per_class,
        "n_jobs": n_jobs,
    }
    if not multi_label:
        return _issues_single(proba, y_codes, n_classes, **options)
    mask = np.zeros(proba.shape[0], dtype=bool)
    for codes, binary in _one_vs_rest(y_codes, proba):
        mask |= _issues_single(binary, codes, 2, **options)
    return mask


@validate_params(
    {
        "y": ["array-like"],
        "pred_proba": ["array-like"],
        "classes": ["array-like", None],
        "method": [StrOptions(_SCORE_METHODS)],
        "transition_matrix": ["array-like", None],
        "adjust_pred_proba": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def label_quality_scores(
    y,
    pred_proba,
    *,
    classes=None,
    method="blend",
    transition_matrix=None,
    adjust_pred_proba=False,
):
    r"""Score each row's label quality, from 0 (surely wrong) to 1 (surely right).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Given labels of any type, or a multi-label 0/1 indicator matrix.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order; per-class probabilities for multi-label ``y``.
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` means the sorted unique values of ``y``.
    method : str, default="blend"
        - ``"self_confidence"``: :math:`\hat P_{i \tilde y_i}`.
        - ``"normalized_margin"``: :math:`(\hat P_{i\tilde y} - \max_{k \ne
          \tilde y} \hat P_{ik} + 1) / 2`.
        - ``"confidence_weighted_entropy"``: :math:`\log(r + 1) / r` with
          :math:`r` the normalised entropy over the self-confidence.
        - ``"transition_posterior"``: the probability that the given label is
          the true one under the noise process ``T`` (see
          :func:`find_label_issues`).
        - ``"blend"``: a weighted mean of the normalised ranks of
          ``"transition_posterior"`` (1/4) and ``"self_confidence"`` (3/4): the
          posterior's gains under structured noise with self-confidence's
          robustness when ``T`` is estimated from few rows per class.

    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        Known :math:`T` for the posterior-based methods; ``None`` estimates it
        from the confident joint.
    adjust_pred_proba : bool, default=False
        Subtract each class's confident threshold from ``pred_proba`` and
        renormalise before scoring (Northcutt et al.'s adjustment), for the
        ``"self_confidence"`` and ``"normalized_margin"`` methods.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Higher means more likely correct. For multi-label ``y``, the lowest score
        over the row's classes.

    See Also
    --------
    rank_label_issues : Row indices ordered by these scores.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.
    .. [2] J. Kuan, J. Mueller, "Model-Agnostic Label Quality Scoring to Detect
       Real-World Label Errors", ICML DataPerf Workshop, 2022 (the score
       definitions).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import label_quality_scores
    >>> y = np.array(["a", "b", "b"])
    >>> pred_proba = np.array([[.9, .1], [.2, .8], [.7, .3]])
    >>> label_quality_scores(y, pred_proba, method="self_confidence").round(2)
    array([0.9, 0.8, 0.3])
    """
    proba, y_codes, classes, multi_label = _validate(y, pred_proba, classes)
    n_classes = proba.shape[1]
    T = _check_transition_arg(transition_matrix, n_classes, multi_label)
    if adjust_pred_proba and method not in ("self_confidence", "normalized_margin"):
        raise ValueError(
            "adjust_pred_proba=True applies to method 'self_confidence' or "
            f"'normalized_margin' only; got method={method!r}."
        )
    options = {
        "method": method,
        "transition_matrix": T,
        "adjust_pred_proba": adjust_pred_proba,
    }
    if not multi_label:
        return _scores_single(proba, y_codes, n_classes, **options)
    return np.min(
        [_scores_single(b, c, 2, **options) for c, b in _one_vs_rest(y_codes, proba)],
        axis=0,
    )


@validate_params(
    {
        "y": ["array-like"],
        "pred_proba": ["array-like"],
        "classes": ["array-like", None],
        "method": [StrOptions(_SCORE_METHODS)],
        "transition_matrix": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def rank_label_issues(
    y, pred_proba, *, classes=None, method="blend", transition_matrix=None
):
    """Order all rows from most to least likely mislabelled.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Given labels of any type, or a multi-label 0/1 indicator matrix.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` means the sorted unique values of ``y``.
    method : str, default="blend"
        The score to rank by; see :func:`label_quality_scores`.
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        Known :math:`T` for the posterior-based methods.

    Returns
    -------
    indices : ndarray of shape (n_samples,), dtype int64
        Row indices, lowest label quality first; ties keep row order.

    See Also
    --------
    find_label_issues : A boolean mask of the likely issues.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import rank_label_issues
    >>> y = np.array([0, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.2, .8], [.7, .3]])
    >>> rank_label_issues(y, pred_proba, method="self_confidence").tolist()
    [2, 1, 0]
    """
    scores = label_quality_scores(
        y,
        pred_proba,
        classes=classes,
        method=method,
        transition_matrix=transition_matrix,
    )
    return np.argsort(scores, kind="stable").astype(np.int64)
