r"""Model-selection metrics for noisy labels, unbiased for the clean-label metric.

With class-conditional noise :math:`T_{ij} = P(\tilde y = j \mid y = i)`, any per-row
metric :math:`m(\hat y, y)` has an unbiased estimate from noisy labels through the
backward correction of Patrini et al. (2017): with :math:`v_j = m(\hat y, j)`,

.. math:: \mathbb{E}_{\tilde y \mid y}\big[(T^{-1} v)_{\tilde y}\big] = v_y ,

so averaging :math:`(T^{-1} v)_{\tilde y_i}` over rows estimates the clean metric.
For accuracy, :math:`v = e_{\hat y}` and the row term is :math:`T^{-1}[\tilde y_i,
\hat y_i]`; for the log-loss, :math:`v_j = -\log \hat p_j`. The estimates can leave
[0, 1] on small samples (they are unbiased, not bounded).
"""

import numpy as np

from ..utils import check_labels, check_pred_proba, check_transition_matrix
from ..utils._sklearn_compat import validate_params
from ..utils._validation import _as_1d, _show, check_row_weights
from ._scorer import _SampleWeightScorer


def _inverse_transition(transition_matrix, n_classes):
    T = check_transition_matrix(
        transition_matrix, n_classes=n_classes, require_invertible=True
    )
    return np.linalg.solve(T, np.eye(n_classes))


def _weighted_mean(values, sample_weight):
    if sample_weight is None:
        return float(np.mean(values))
    weights = check_row_weights(sample_weight, values.shape[0])
    if not weights.sum() > 0:
        raise ValueError("sample_weight must have a positive total; every weight is 0.")
    return float(np.average(values, weights=weights))


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "transition_matrix": ["array-like"],
        "classes": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def noise_corrected_accuracy_score(
    y_true, y_pred, *, transition_matrix, classes=None, sample_weight=None
):
    r"""Estimate clean-label accuracy from noisy labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Noisy labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    transition_matrix : array-like of shape (n_classes, n_classes)
        :math:`T_{ij} = P(\tilde y = j \mid y = i)` in ``classes`` order; must be
        invertible.
    classes : array-like of shape (n_classes,), default=None
        The labels of T's rows; ``None`` means the sorted union of ``y_true`` and
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    score : float
        Unbiased estimate of the accuracy against the clean labels.

    See Also
    --------
    make_noise_corrected_scorer : The scorer for ``GridSearchCV``.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (Theorem 1, backward correction).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.metrics import noise_corrected_accuracy_score
    >>> T = np.array([[0.8, 0.2], [0.2, 0.8]])
    >>> y_noisy = np.array([0, 0, 0, 1, 1])
    >>> y_pred = np.array([0, 0, 0, 0, 0])
    >>> round(noise_corrected_accuracy_score(y_noisy, y_pred,
    ...                                      transition_matrix=T), 3)
    0.667
    """
    # check_labels reads a column vector as 1-D; the union of labels must too.
    y_true = _as_1d(y_true, "y_true")
    y_pred = _as_1d(y_pred, "y_pred")
    if classes is None:
        classes = np.unique(np.concatenate([y_true, y_pred]))
        n_rows = np.shape(transition_matrix)[0] if np.ndim(transition_matrix) else 0
        if n_rows and len(classes) > n_rows:
            # Otherwise the error would blame T for a label it never saw.
            raise ValueError(
                f"y_true and y_pred hold {len(classes)} labels ({_show(classes)}) "
                f"but transition_matrix has {n_rows} rows; pass classes= (the "
                "labels of T's rows) to learn which labels fall outside them."
            )
    true_codes, classes = check_labels(y_true, classes, name="y_true")
    pred_codes, _ = check_labels(y_pred, classes, name="y_pred")
    if true_codes.shape != pred_codes.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length; got {true_codes.shape[0]} "
            f"and {pred_codes.shape[0]}."
        )
    inverse = _inverse_transition(transition_matrix, len(classes))
    return _weighted_mean(inverse[true_codes, pred_codes], sample_weight)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like"],
        "transition_matrix": ["array-like"],
        "classes": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def noise_corrected_log_loss(
    y_true, y_proba, *, transition_matrix, classes=None, sample_weight=None
):
    r"""Estimate the clean-label log-loss from noisy labels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Noisy labels.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, columns in ``classes`` order; a 1-D array is
        the probability of the second of two classes.
    transition_matrix : array-like of shape (n_classes, n_classes)
        :math:`T_{ij} = P(\tilde y = j \mid y = i)`; must be invertible.
    classes : array-like of shape (n_classes,), default=None
        The labels of the columns; ``None`` means the sorted unique ``y_true``.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Returns
    -------
    loss : float
        Unbiased estimate of the log-loss against the clean labels (lower is
        better).

    See Also
    --------
    noise_corrected_accuracy_score : The same correction for accuracy.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (Theorem 1, backward correction).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.metrics import noise_corrected_log_loss
    >>> T = np.eye(2)
    >>> y_noisy = np.array([0, 1])
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> round(noise_corrected_log_loss(y_noisy, proba, transition_matrix=T), 3)
    0.164
    """
    if np.ndim(y_proba) == 1:
        # scikit-learn's scorers pass a binary classifier's positive column only.
        positive = np.asarray(y_proba, dtype=np.float64)
        y_proba = np.column_stack([1.0 - positive, positive])
    proba = check_pred_proba(y_proba, name="y_proba")
    codes, classes = check_labels(
        y_true, classes, n_classes=proba.shape[1], name="y_true"
    )
    if codes.shape[0] != proba.shape[0]:
        raise ValueError(
            f"y_proba must have one row per label: y_true has {codes.shape[0]}, "
            f"y_proba {proba.shape[0]}."
        )
    inverse = _inverse_transition(transition_matrix, len(classes))
    losses = -np.log(np.clip(proba, 1e-15, 1.0))
    # Row i needs (T^{-1} losses_i)[y_i] = sum_j inverse[y_i, j] * losses[i, j].
    corrected = np.einsum("ij,ij->i", inverse[codes], losses)
    return _weighted_mean(corrected, sample_weight)


def make_noise_corrected_scorer(transition_matrix, *, classes=None, metric="accuracy"):
    r"""A scorer that estimates a clean-label metric from noisy labels.

    Use it as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` when
    only noisy labels are available: plain accuracy on noisy labels rewards
    models that reproduce the noise (under asymmetric noise it prefers the
    classes the noise flips into); the corrected score estimates the accuracy
    (or log-loss) on clean labels.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        :math:`T_{ij} = P(\tilde y = j \mid y = i)`, known or estimated (e.g.
        :func:`estimate_transition_matrix` on out-of-sample probabilities).
    classes : array-like of shape (n_classes,), default=None
        The labels of T's rows; ``None`` means the estimator's ``classes_``
        order, i.e. sorted labels.
    metric : {"accuracy", "log_loss"}, default="accuracy"
        The clean-label metric to estimate; the log-loss scorer is negated, as
        scikit-learn's ``neg_log_loss``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y_noisy) -> float``, greater is better.

    See Also
    --------
    noise_corrected_accuracy_score : The metric behind the accuracy scorer.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.datasets import make_noisy_labels
    >>> from skrobust.metrics import make_noise_corrected_scorer
    >>> X, y = make_classification(n_samples=2000, random_state=0)
    >>> T = np.array([[0.6, 0.4], [0.1, 0.9]])
    >>> y_noisy, _ = make_noisy_labels(y, T, random_state=0)
    >>> model = LogisticRegression().fit(X, y)
    >>> scorer = make_noise_corrected_scorer(T)
    >>> print(f"noisy {model.score(X, y_noisy):.2f}, "
    ...       f"corrected {scorer(model, X, y_noisy):.2f}, "
    ...       f"clean {model.score(X, y):.2f}")
    noisy 0.74, corrected 0.98, clean 0.99
    """
    if metric not in ("accuracy", "log_loss"):
        raise ValueError(f"metric must be 'accuracy' or 'log_loss'; got {metric!r}.")
    return _NoiseCorrectedScorer(transition_matrix, classes, metric)


class _NoiseCorrectedScorer(_SampleWeightScorer):
    """The scorer :func:`make_noise_corrected_scorer` returns.

    A plain callable rather than a ``make_scorer`` object, so that with
    ``classes=None`` T's rows follow the fitted estimator's ``classes_``, not the
    labels that happen to be in the scored fold (a fold missing a class would
    otherwise shift or break the correction).
    """

    def __init__(self, transition_matrix, classes, metric):
        super().__init__()
        self.transition_matrix = transition_matrix
        self.classes = classes
        self.metric = metric

    def __repr__(self):
        return f"make_noise_corrected_scorer(metric={self.metric!r})"

    def __call__(self, estimator, X, y_true, sample_weight=None):
        """Score ``estimator`` on ``X`` against the noisy labels ``y_true``.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.
        y_true : array-like of shape (n_samples,)
            Their noisy labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        score : float
            The estimated clean accuracy, or minus the clean log-loss.
        """
        classes = self.classes
        if classes is None:
            classes = getattr(estimator, "classes_", None)
        if self.metric == "accuracy":
            return noise_corrected_accuracy_score(
                y_true,
                estimator.predict(X),
                transition_matrix=self.transition_matrix,
                classes=classes,
                sample_weight=sample_weight,
            )
        return -noise_corrected_log_loss(
            y_true,
            estimator.predict_proba(X),
            transition_matrix=self.transition_matrix,
            classes=classes,
            sample_weight=sample_weight,
        )
