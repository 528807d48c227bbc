r"""Confident learning: the confident joint, label-issue filters and quality scores.

Notation (Northcutt et al., 2021):

- :math:`\tilde y_i` is the given (possibly noisy) label of row :math:`i`, encoded
  ``0..K-1``; :math:`\hat P` (``pred_proba``) the :math:`N \times K` matrix of
  out-of-sample probabilities of the given labels.
- :math:`t_j`, the *confident threshold* of class :math:`j`, is the mean
  self-confidence :math:`\hat P_{ij}` over the rows given label :math:`j`.
- The *confident joint* :math:`C` counts rows by (given label, confidently guessed
  true label): ``C[i, j]`` is the number of rows given ``i`` whose guess is ``j``;
  rows are given labels, columns true labels. Calibrated, its rows sum to the given
  label counts and the whole to :math:`N`.

Everything is vectorised: per-row work is done on blocks of rows at once (so no
(N, K) temporary is ever made beyond the caller's array), per-class work loops over
classes, never over rows.
"""

import numpy as np
from scipy.special import xlogy
from sklearn.utils.parallel import Parallel, delayed

from ..utils import check_labels, check_pred_proba
from ..utils._sklearn_compat import validate_params

# Confident-joint constants from the reference implementation (cleanlab 2.9,
# count.py): a threshold floor, the comparison slack, and the threshold that marks
# a class absent from the given labels (no probability can reach it).
_THRESHOLD_FLOOR = 2e-6
_SLACK = 1e-6
_ABSENT_THRESHOLD = 2.0
_TINY = 1e-100
# Rows per block in row-wise passes: large enough to amortise numpy's call
# overhead, small enough that a block's temporaries stay in cache-sized megabytes.
_BLOCK_ROWS = 1 << 14


def _row_blocks(n_samples):
    for start in range(0, n_samples, _BLOCK_ROWS):
        yield slice(start, min(start + _BLOCK_ROWS, n_samples))


def _self_confidence(pred_proba, y_codes):
    return pred_proba[np.arange(y_codes.shape[0]), y_codes]


def _confident_thresholds(pred_proba, y_codes, n_classes, self_confidence=None):
    """Mean self-confidence per given class; absent classes get 2 (never reached)."""
    if self_confidence is None:
        self_confidence = _self_confidence(pred_proba, y_codes)
    counts = np.bincount(y_codes, minlength=n_classes)
    sums = np.bincount(
        y_codes, weights=self_confidence.astype(np.float64), minlength=n_classes
    )
    thresholds = np.full(n_classes, _ABSENT_THRESHOLD)
    present = counts > 0
    thresholds[present] = sums[present] / counts[present]
    return np.maximum(thresholds, _THRESHOLD_FLOOR)


class _RowSummary:
    """What every filter needs from one pass over ``pred_proba``.

    ``argmax`` and ``max`` of each row, and the confident guess of the true label:
    the only class above its threshold, or the row argmax when several are, or -1
    when none is.
    """

    def __init__(self, pred_proba, thresholds):
        n = pred_proba.shape[0]
        self.argmax = np.empty(n, dtype=np.int64)
        self.max = np.empty(n, dtype=pred_proba.dtype)
        self.guess = np.empty(n, dtype=np.int64)
        cut = thresholds - _SLACK
        for rows in _row_blocks(n):
            block = pred_proba[rows]
            confident = block >= cut
            n_confident = confident.sum(axis=1)
            argmax = block.argmax(axis=1)
            self.argmax[rows] = argmax
            self.max[rows] = block[np.arange(block.shape[0]), argmax]
            guess = np.where(n_confident > 1, argmax, confident.argmax(axis=1))
            guess[n_confident == 0] = -1
            self.guess[rows] = guess


def _count_joint(y_codes, guess, n_classes):
    """Uncalibrated confident joint, diagonal raised to at least 1."""
    counted = guess >= 0
    joint = np.bincount(
        y_codes[counted] * n_classes + guess[counted], minlength=n_classes**2
    ).reshape(n_classes, n_classes)
    diag = np.arange(n_classes)
    joint[diag, diag] = np.maximum(joint[diag, diag], 1)
    return joint


def _round_preserving_row_totals(matrix):
    """Round each row to integers whose sum is the rounded row total.

    Entries are rounded to nearest, then the rows short of (or over) their total
    gain (or lose) one unit in the entries rounded down (or up) the most.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    rounded = np.round(matrix)
    shortfall = (np.round(matrix.sum(axis=1)) - rounded.sum(axis=1)).astype(np.int64)
    residual = matrix - rounded
    # Ascending residual order: the last entries were rounded down the most.
    # Among equal residuals (common: a row's entries share one scale) the
    # diagonal, the given label, comes last, so it gains a unit first and loses
    # one last; by column index alone, the result changed when only the order
    # of the classes did (a one-row class [0, .5, .5] lost its diagonal).
    K = matrix.shape[1]
    diagonal = np.broadcast_to(np.eye(matrix.shape[0], K, dtype=bool), matrix.shape)
    order = np.lexsort((diagonal, residual), axis=1)
    rank = np.empty_like(order)
    rows = np.arange(matrix.shape[0])[:, None]
    rank[rows, order] = np.arange(matrix.shape[1])
    add = (shortfall[:, None] > 0) & (rank >= K - shortfall[:, None])
    sub = (shortfall[:, None] < 0) & (rank < -shortfall[:, None])
    return (rounded + add - sub).astype(np.int64)


def _calibrate_joint(joint, label_counts):
    """Scale rows to the given-label counts and the total to N, as integers."""
    joint = np.asarray(joint, dtype=np.float64)
    row_sums = np.maximum(joint.sum(axis=1, keepdims=True), _TINY)
    scaled = joint / row_sums * label_counts[:, None]
    scaled = scaled / max(scaled.sum(), _TINY) * label_counts.sum()
    return _round_preserving_row_totals(scaled)


def _confident_joint(pred_proba, y_codes, n_classes, *, calibrate=True):
    """Return (confident joint, row summary); the summary is reused by filters."""
    thresholds = _confident_thresholds(pred_proba, y_codes, n_classes)
    summary = _RowSummary(pred_proba, thresholds)
    joint = _count_joint(y_codes, summary.guess, n_classes)
    if calibrate:
        joint = _calibrate_joint(joint, np.bincount(y_codes, minlength=n_classes))
    return joint, summary


def _prune_matrix(joint, min_examples_per_class, frac_noise):
    """Counts to flag per (true, given) pair: the transposed joint, adjusted.

    Each diagonal entry is raised to ``min_examples_per_class`` by taking the
    difference evenly from the column's non-zero off-diagonal entries, then the
    off-diagonal entries are scaled by ``frac_noise`` with the column total kept.
    """
    M = joint.T.astype(np.float64)
    diag = np.diagonal(M).copy()
    new_diag = np.maximum(diag, min_examples_per_class)
    n_noise_entries = np.maximum(np.count_nonzero(M, axis=0) - 1.0, 1.0)
    M = M - (new_diag - diag) / n_noise_entries
    M[M < 0] = 0
    np.fill_diagonal(M, new_diag)
    reduced = M * frac_noise
    # Only the off-diagonal mass moves back to the diagonal.
    np.fill_diagonal(reduced, np.diagonal(M))
    np.fill_diagonal(reduced, np.diagonal(M) + (M - reduced).sum(axis=0))
    return _round_preserving_row_totals(reduced.astype(np.int64))


def _top_indices(values, count, largest):
    """Positions of the ``count`` largest (or smallest) values, ties to lower index.

    Equivalent to a stable argsort's first ``count`` entries, in O(n) through
    ``np.partition`` instead of O(n log n).
    """
    n = values.shape[0]
    if count >= n:
        return np.arange(n)
    keyed = -values if largest else values
    cut = np.partition(keyed, count - 1)[count - 1]
    at_most = keyed <= cut
    if np.count_nonzero(at_most) == count:
        return np.flatnonzero(at_most)
    strict = np.flatnonzero(keyed < cut)
    ties = np.flatnonzero(keyed == cut)[: count - strict.shape[0]]
    return np.concatenate([strict, ties])


def _class_rows(y_codes, n_classes):
    """Row indices of each given class, from one stable sort."""
    order = np.argsort(y_codes, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(y_codes, minlength=n_classes))))
    return [order[bounds[k] : bounds[k + 1]] for k in range(n_classes)]


def _flag_by_noise_rate(pred_proba, rows, k, prune, min_examples_per_class):
    """Rows given class ``k`` with the largest margins towards each other class."""
    targets = np.flatnonzero(prune[:, k] > 0)
    targets = targets[targets != k]
    if rows.shape[0] <= min_examples_per_class or targets.size == 0:
        return rows[:0]
    # One gather per class, transposed so each candidate class is contiguous.
    probs = np.ascontiguousarray(pred_proba[rows].T)
    own = probs[k]
    picked = [
        _top_indices(probs[j] - own, int(prune[j, k]), largest=True) for j in targets
    ]
    return rows[np.concatenate(picked)]


def _flag_by_class(pred_proba, rows, k, prune, min_examples_per_class):
    """Rows given class ``k`` least confident in it, as many as counted."""
    n_issues = rows.shape[0] - int(prune[k, k])
    if rows.shape[0] <= min_examples_per_class or n_issues < 1:
        return rows[:0]
    return rows[_top_indices(pred_proba[rows, k], n_issues, largest=False)]


def _flag_per_class(
    flagger, pred_proba, class_rows, prune, min_examples_per_class, n_jobs
):
    """Run ``flagger`` for every class (threads: numpy releases the GIL)."""
    flagged = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(flagger)(pred_proba, rows, k, prune, min_examples_per_class)
        for k, rows in enumerate(class_rows)
    )
    mask = np.zeros(pred_proba.shape[0], dtype=bool)
    mask[np.concatenate(flagged)] = True
    return mask


def _find_label_issues(
    pred_proba,
    y_codes,
    n_classes,
    *,
    filter_by,
    frac_noise=1.0,
    min_examples_per_class=1,
    n_jobs=None,
):
    """Boolean mask of label issues; inputs already validated and encoded."""
    joint, summary = _confident_joint(pred_proba, y_codes, n_classes)
    if filter_by == "confident_learning":
        mask = (summary.guess >= 0) & (summary.guess != y_codes)
    elif filter_by == "predicted_neq_given":
        mask = summary.argmax != y_codes
    else:
        prune = _prune_matrix(joint, min_examples_per_class, frac_noise)
        class_rows = _class_rows(y_codes, n_classes)
        args = (pred_proba, class_rows, prune, min_examples_per_class, n_jobs)
        if filter_by in ("prune_by_noise_rate", "both"):
            mask = _flag_per_class(_flag_by_noise_rate, *args)
        if filter_by in ("prune_by_class", "both"):
            by_class = _flag_per_class(_flag_by_class, *args)
            mask = by_class if filter_by == "prune_by_class" else mask & by_class
    # A row whose given label is (within slack) its most probable class is never
    # an issue, whatever the counts said.
    return mask & ~_agrees_with_argmax(pred_proba, y_codes, summary)


def _agrees_with_argmax(pred_proba, y_codes, summary=None):
    """True where the given label is the row's argmax, within the 1e-6 slack."""
    if summary is None:
        summary = _RowSummary(pred_proba, np.full(pred_proba.shape[1], 2.0))
    self_conf = _self_confidence(pred_proba, y_codes)
    return (summary.argmax == y_codes) | (self_conf + _SLACK > summary.max)


def _scores_self_confidence(pred_proba, y_codes):
    return _self_confidence(pred_proba, y_codes).astype(np.float64)


def _scores_normalized_margin(pred_proba, y_codes):
    n = pred_proba.shape[0]
    scores = np.empty(n)
    for rows in _row_blocks(n):
        block = np.array(pred_proba[rows], dtype=np.float64)
        idx = np.arange(block.shape[0])
        own = block[idx, y_codes[rows]].copy()
        block[idx, y_codes[rows]] = -np.inf
        scores[rows] = (own - block.max(axis=1) + 1.0) / 2.0
    return scores


def _scores_confidence_weighted_entropy(pred_proba, y_codes):
    n, K = pred_proba.shape
    entropy = np.empty(n)
    for rows in _row_blocks(n):
        # The entropy reads probabilities floored as the self-confidence below
        # is (cleanlab's min_allowed_prob): unfloored, a confidently wrong row
        # ([0, 1] given 0) had entropy 0 and scored 1, the best score.
        block = np.maximum(np.asarray(pred_proba[rows], dtype=np.float64), _SLACK)
        entropy[rows] = -xlogy(block, block).sum(axis=1) / np.log(K)
    self_conf = np.maximum(_scores_self_confidence(pred_proba, y_codes), _SLACK)
    # log(1 + r) / r tends to 1 as r -> 0 (a sure, correct row): flooring r in
    # both places keeps that limit, where flooring the denominator alone gave 0,
    # the score of the worst row.
    ratio = np.maximum(entropy / self_conf, _SLACK)
    return np.log1p(ratio) / ratio


_SCORERS = {
    "self_confidence": _scores_self_confidence,
    "normalized_margin": _scores_normalized_margin,
    "confidence_weighted_entropy": _scores_confidence_weighted_entropy,
}


def _adjust_pred_proba(pred_proba, y_codes, n_classes):
    """Subtract the confident thresholds, shift to non-negative, renormalise."""
    thresholds = _confident_thresholds(pred_proba, y_codes, n_classes)
    adjusted = np.asarray(pred_proba, dtype=np.float64) - thresholds
    adjusted += thresholds.max()
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    return adjusted


def _label_quality_scores(
    pred_proba, y_codes, n_classes, *, method, adjust_pred_proba=False
):
    if adjust_pred_proba:
        pred_proba = _adjust_pred_proba(pred_proba, y_codes, n_classes)
    return _SCORERS[method](pred_proba, y_codes)


@validate_params(
    {
        "y": ["array-like"],
        "pred_proba": ["array-like"],
        "classes": ["array-like", None],
        "calibrate": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def compute_confident_joint(y, pred_proba, *, classes=None, calibrate=True):
    r"""Count rows by (given label, confidently guessed true label).

    A row's guess is the class whose probability reaches that class's confident
    threshold :math:`t_j` (the mean probability of class :math:`j` over rows given
    :math:`j`); among several, the most probable; rows with none are not counted.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Given labels of any type.
    pred_proba : array-like of shape (n_samples, n_classes)
        Out-of-sample probabilities of the given labels, columns in ``classes``
        order.
    classes : array-like of shape (n_classes,), default=None
        The label of each column; ``None`` means the sorted unique values of ``y``.
    calibrate : bool, default=True
        Rescale each row to the number of rows given that label and the total to
        ``n_samples``, in integers (Northcutt et al., Eq. 3).

    Returns
    -------
    confident_joint : ndarray of shape (n_classes, n_classes), dtype int64
        ``confident_joint[i, j]``: rows given ``classes[i]`` whose guessed true
        label is ``classes[j]``. Rows are given labels, columns true labels, so
        ``T[i, j] = confident_joint[j, i] / confident_joint[:, i].sum()``.

    See Also
    --------
    estimate_transition_matrix : T from this matrix (and other methods).

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068
       (Eq. 1-3).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.noise import compute_confident_joint
    >>> y = np.array([0, 0, 1, 1])
    >>> pred_proba = np.array([[.9, .1], [.2, .8], [.1, .9], [.3, .7]])
    >>> compute_confident_joint(y, pred_proba)
    array([[1, 1],
           [0, 2]])
    """
    proba, y_codes, _ = _validate_labels_and_proba(y, pred_proba, classes)
    joint, _ = _confident_joint(proba, y_codes, proba.shape[1], calibrate=calibrate)
    return joint


def _validate_labels_and_proba(y, pred_proba, classes):
    """The public functions' shared check: probabilities, labels, matching rows."""
    proba = check_pred_proba(pred_proba)
    y_codes, classes = check_labels(y, classes, n_classes=proba.shape[1])
    if y_codes.shape[0] != proba.shape[0]:
        raise ValueError(
            f"pred_proba must have one row per label: y has {y_codes.shape[0]} "
            f"rows, pred_proba {proba.shape[0]}."
        )
    return proba, y_codes, classes
