r"""Model-selection metrics for positive-unlabeled labels.

Notation: :math:`s` is the labelling indicator (``pos_label`` on labelled positives),
:math:`y` the true class, :math:`\hat y` the predicted class,
:math:`\pi = P(y = 1)` the class prior and :math:`c = P(s = 1 \mid y = 1)` the label
frequency. From PU data two rates are observable without any negative label:

- :math:`r = P(\hat y = 1 \mid s = 1)`, the recall on the labelled positives;
- :math:`q = P(\hat y = 1)`, the predicted-positive rate over all rows.

Under SCAR ("selected completely at random") the labelled positives are a random
sample of the positives, so for a prediction rule that depends on :math:`x` only,
:math:`r = P(\hat y = 1 \mid y = 1)` is the recall on all positives. With the prior,
the whole confusion matrix (as fractions of the rows) follows:

.. math::

    TP = \pi r, \quad FN = \pi (1 - r), \quad FP = q - \pi r, \quad
    TN = 1 - \pi - q + \pi r,

hence precision :math:`\pi r / q`, :math:`F_1 = 2 \pi r / (\pi + q)` and accuracy
:math:`1 - \pi - q + 2 \pi r`. The empirical :math:`\hat r` and :math:`\hat q` are
unbiased, so the recall and accuracy estimates are unbiased; precision, :math:`F_1`
and the Lee and Liu criterion :math:`r^2 / q` are ratios of unbiased estimates, hence
consistent. The rows must come from the population :math:`\pi` refers to (the usual
single-training-set PU setting, where labelled and unlabelled rows are drawn
together).
"""

from numbers import Real

import numpy as np
from sklearn.pipeline import Pipeline

from ..utils import check_class_prior, check_pu_labels
from ..utils._sklearn_compat import StrOptions, validate_params
from ..utils._validation import (
    _as_1d,
    _show,
    check_row_weights,
    equal_mask,
)
from ._scorer import _SampleWeightScorer


def _check_pu_predictions(y_pred, s, pos_label, name):
    """Validate ``y_pred`` against ``s`` and return the predicted-positive mask."""
    y_pred = _as_1d(y_pred, name)
    if y_pred.shape[0] != s.shape[0]:
        raise ValueError(
            f"s and {name} must have the same length; got {s.shape[0]} and "
            f"{y_pred.shape[0]}."
        )
    s_values = np.unique(s)
    pred_values = np.unique(y_pred)
    # Predictions of the true class reuse the values of s (pos_label and the other
    # one); anything else is a score, a probability or a label of another type,
    # whose comparison with pos_label would silently find no positive.
    if len(pred_values) > 2 or any(
        not equal_mask(s_values, value).any() for value in pred_values
    ):
        raise ValueError(
            f"{name} must hold predicted classes among the values of s "
            f"{_show(s_values)} (pos_label={pos_label!r} for a predicted positive); "
            f"got {len(pred_values)} distinct values: {_show(pred_values)}."
        )
    return equal_mask(y_pred, pos_label)


def _check_pu_weights(sample_weight, labeled_mask):
    n_samples = labeled_mask.shape[0]
    if sample_weight is None:
        return np.ones(n_samples)
    weights = check_row_weights(sample_weight, n_samples)
    if not weights[labeled_mask].sum() > 0:
        raise ValueError(
            "sample_weight must give the labelled positives a positive total weight "
            "(the recall on them is undefined otherwise); got 0."
        )
    return weights


def _pu_rates(s, y_pred, *, pos_label, sample_weight, pred_name="y_pred"):
    """Validate PU labels and predictions; return (recall r, positive rate q).

    ``r`` is the weighted recall on the labelled positives and ``q`` the weighted
    fraction of rows predicted positive (module docstring).
    """
    labeled_mask = check_pu_labels(s, pos_label=pos_label, name="s")
    predicted_mask = _check_pu_predictions(
        y_pred, np.asarray(s).reshape(-1), pos_label, pred_name
    )
    weights = _check_pu_weights(sample_weight, labeled_mask)
    recall = np.dot(weights, labeled_mask & predicted_mask) / np.dot(
        weights, labeled_mask
    )
    positive_rate = np.dot(weights, predicted_mask) / weights.sum()
    return float(recall), float(positive_rate)


def _lee_liu(r, q, pi=None):
    return r * r / q if q > 0 else 0.0


def _recall(r, q, pi=None):
    return r


def _precision(r, q, pi):
    # Sampling error or a too large prior can push pi * r above q (more true
    # positives than predicted positives); the clip keeps it a probability.
    return min(pi * r / q, 1.0) if q > 0 else 0.0


def _f1(r, q, pi):
    precision = _precision(r, q, pi)
    return 2 * precision * r / (precision + r) if precision + r > 0 else 0.0


def _accuracy(r, q, pi):
    return min(max(1.0 - pi - q + 2.0 * pi * r, 0.0), 1.0)


# metric name -> (formula of (r, q, pi), whether it needs the class prior)
_METRICS = {
    "lee_liu": (_lee_liu, False),
    "recall": (_recall, False),
    "precision": (_precision, True),
    "f1": (_f1, True),
    "accuracy": (_accuracy, True),
}

_METRIC_CONSTRAINTS = {
    "s": ["array-like"],
    "y_pred": ["array-like"],
    "pos_label": [Real, str, "boolean"],
    "sample_weight": ["array-like", None],
}
_PRIOR_METRIC_CONSTRAINTS = {**_METRIC_CONSTRAINTS, "class_prior": [Real]}


@validate_params(_METRIC_CONSTRAINTS, prefer_skip_nested_validation=True)
def lee_liu_score(s, y_pred, *, pos_label=1, sample_weight=None):
    r"""Lee and Liu's PU criterion :math:`r^2 / P(\hat y = 1)`, no negatives needed.

    ``r`` is the recall on the labelled positives and :math:`P(\hat y = 1)` the
    fraction of all rows predicted positive. Greater is better: it rewards
    finding the labelled positives while predicting few positives overall.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value on
        unlabelled rows.
    y_pred : array-like of shape (n_samples,)
        Predicted true classes, among the values of ``s``; ``pos_label`` means
        predicted positive.
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives in
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    score : float
        :math:`r^2 / P(\hat y = 1)`, in :math:`[0, 1 / \pi]`; 0 when no row is
        predicted positive.

    See Also
    --------
    pu_f1_score : The F1 estimate, when the class prior is known.
    make_pu_scorer : The scorer for ``GridSearchCV``.

    Notes
    -----
    Under SCAR, :math:`r` estimates the recall and precision is
    :math:`\pi r / P(\hat y = 1)`, so the criterion equals
    :math:`\text{precision} \cdot \text{recall} / \pi`: for a fixed population it
    ranks models as the product of precision and recall does, without knowing
    :math:`\pi`.

    References
    ----------
    .. [1] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (Section 4, the selection
       criterion).

    Examples
    --------
    >>> from skrobust.metrics import lee_liu_score
    >>> s      = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> round(lee_liu_score(s, y_pred), 3)  # (2/3)**2 / 0.4
    1.111
    """
    r, q = _pu_rates(s, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    return _lee_liu(r, q)


@validate_params(_METRIC_CONSTRAINTS, prefer_skip_nested_validation=True)
def pu_recall_score(s, y_pred, *, pos_label=1, sample_weight=None):
    r"""Estimate the recall on all positives from the labelled positives.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value on
        unlabelled rows.
    y_pred : array-like of shape (n_samples,)
        Predicted true classes, among the values of ``s``; ``pos_label`` means
        predicted positive.
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives in
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    score : float
        The fraction of labelled positives predicted positive, in [0, 1].

    See Also
    --------
    pu_precision_score : The precision estimate, which also needs the prior.
    make_pu_scorer : The scorer for ``GridSearchCV``.

    Notes
    -----
    Under SCAR the labelled positives are a uniform sample of the positives,
    so :math:`P(\hat y = 1 \mid s = 1) = P(\hat y = 1 \mid y = 1)`: the recall on
    them is an unbiased estimate of the recall. Alone it is no selection
    criterion (predicting everything positive maximises it).

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920 (SCAR).

    Examples
    --------
    >>> from skrobust.metrics import pu_recall_score
    >>> s      = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> round(pu_recall_score(s, y_pred), 3)
    0.667
    """
    r, _ = _pu_rates(s, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    return r


@validate_params(_PRIOR_METRIC_CONSTRAINTS, prefer_skip_nested_validation=True)
def pu_precision_score(s, y_pred, *, class_prior, pos_label=1, sample_weight=None):
    r"""Estimate the precision from PU labels and the class prior.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value on
        unlabelled rows.
    y_pred : array-like of shape (n_samples,)
        Predicted true classes, among the values of ``s``; ``pos_label`` means
        predicted positive.
    class_prior : float in (0, 1)
        :math:`\pi = P(y = 1)` in the population the rows come from, known or
        estimated (e.g. by :func:`skrobust.pu.estimate_class_prior`).
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives in
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    score : float
        :math:`\pi r / P(\hat y = 1)` clipped to [0, 1]; 0 when no row is
        predicted positive.

    See Also
    --------
    pu_recall_score : The recall estimate.
    pu_f1_score : Their harmonic mean.

    Notes
    -----
    Precision is :math:`P(y = 1 \mid \hat y = 1) = P(y = 1, \hat y = 1) /
    P(\hat y = 1)`, and :math:`P(y = 1, \hat y = 1) = \pi \, P(\hat y = 1 \mid
    y = 1)`. Under SCAR the recall on the labelled positives :math:`r`
    estimates :math:`P(\hat y = 1 \mid y = 1)`, so precision
    :math:`= \pi r / P(\hat y = 1)`, a ratio of unbiased estimates (consistent).

    References
    ----------
    .. [1] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (Section 4).

    Examples
    --------
    >>> from skrobust.metrics import pu_precision_score
    >>> s      = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> round(pu_precision_score(s, y_pred, class_prior=0.5), 3)  # 0.5 * 2/3 / 0.4
    0.833
    """
    r, q = _pu_rates(s, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    return _precision(r, q, check_class_prior(class_prior))


@validate_params(_PRIOR_METRIC_CONSTRAINTS, prefer_skip_nested_validation=True)
def pu_f1_score(s, y_pred, *, class_prior, pos_label=1, sample_weight=None):
    r"""Estimate the F1 score from PU labels and the class prior.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value on
        unlabelled rows.
    y_pred : array-like of shape (n_samples,)
        Predicted true classes, among the values of ``s``; ``pos_label`` means
        predicted positive.
    class_prior : float in (0, 1)
        :math:`\pi = P(y = 1)` in the population the rows come from, known or
        estimated (e.g. by :func:`skrobust.pu.estimate_class_prior`).
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives in
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    score : float
        The harmonic mean of :func:`pu_precision_score` and
        :func:`pu_recall_score`, in [0, 1]; 0 when both are 0.

    See Also
    --------
    lee_liu_score : A criterion with the same ranking role that needs no prior.
    make_pu_scorer : The scorer for ``GridSearchCV``.

    Notes
    -----
    :math:`F_1 = 2\,TP / (2\,TP + FP + FN)` with :math:`TP + FP = P(\hat y = 1)`
    and :math:`TP + FN = \pi`; under SCAR :math:`TP = \pi r`, so
    :math:`F_1 = 2 \pi r / (\pi + P(\hat y = 1))`. It is computed as the
    harmonic mean of the clipped precision and the recall, which equals this
    whenever the precision estimate is at most 1.

    References
    ----------
    .. [1] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (Section 4).

    Examples
    --------
    >>> from skrobust.metrics import pu_f1_score
    >>> s      = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> round(pu_f1_score(s, y_pred, class_prior=0.5), 3)  # 2 * 0.5 * 2/3 / 0.9
    0.741
    """
    r, q = _pu_rates(s, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    return _f1(r, q, check_class_prior(class_prior))


@validate_params(_PRIOR_METRIC_CONSTRAINTS, prefer_skip_nested_validation=True)
def pu_accuracy_score(s, y_pred, *, class_prior, pos_label=1, sample_weight=None):
    r"""Estimate the accuracy on the true classes from PU labels and the prior.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value on
        unlabelled rows.
    y_pred : array-like of shape (n_samples,)
        Predicted true classes, among the values of ``s``; ``pos_label`` means
        predicted positive.
    class_prior : float in (0, 1)
        :math:`\pi = P(y = 1)` in the population the rows come from, known or
        estimated (e.g. by :func:`skrobust.pu.estimate_class_prior`).
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives in
        ``y_pred``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights.

    Returns
    -------
    score : float
        :math:`1 - \pi - P(\hat y = 1) + 2 \pi r`, clipped to [0, 1].

    See Also
    --------
    pu_f1_score : The F1 estimate, better suited to rare positives.
    make_pu_scorer : The scorer for ``GridSearchCV``.

    Notes
    -----
    Accuracy is :math:`TP + TN` with :math:`TP = \pi r` under SCAR and
    :math:`TN = 1 - \pi - FP = 1 - \pi - (P(\hat y = 1) - \pi r)`, so accuracy
    :math:`= 1 - \pi - P(\hat y = 1) + 2 \pi r`. It is linear in the two
    observed rates, so the estimate is unbiased (before the clip). Accuracy on
    ``s`` itself counts every unlabelled positive as an error of the model that
    finds it, and so favours predicting few positives.

    References
    ----------
    .. [1] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (Section 4).

    Examples
    --------
    >>> from skrobust.metrics import pu_accuracy_score
    >>> s      = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    >>> y_pred = [1, 1, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> round(pu_accuracy_score(s, y_pred, class_prior=0.5), 3)  # 0.1 + 2/3
    0.767
    """
    r, q = _pu_rates(s, y_pred, pos_label=pos_label, sample_weight=sample_weight)
    return _accuracy(r, q, check_class_prior(class_prior))


def _final_step(estimator):
    while isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    return estimator


class _PUScorer(_SampleWeightScorer):
    """The scorer :func:`make_pu_scorer` returns; picklable, with a readable repr."""

    def __init__(self, metric, class_prior, pos_label):
        super().__init__()
        self.metric = metric
        self.class_prior = class_prior
        self.pos_label = pos_label

    def __repr__(self):
        return (
            f"make_pu_scorer(metric={self.metric!r}, class_prior="
            f"{self.class_prior!r}, pos_label={self.pos_label!r})"
        )

    def _class_prior(self, estimator):
        if self.class_prior is not None:
            return self.class_prior
        final = _final_step(estimator)
        prior = getattr(final, "class_prior_", None)
        if prior is not None and np.ndim(prior) != 0:
            # Naive Bayes keeps a class_prior_ too: one share per class.
            raise ValueError(
                f"make_pu_scorer(metric={self.metric!r}) takes the PU class prior "
                f"from the fitted estimator's class_prior_, but "
                f"{type(final).__name__}.class_prior_ holds {np.size(prior)} values "
                "(one per class), not the PU prior; pass class_prior= to "
                "make_pu_scorer, or use metric='lee_liu', which needs no prior."
            )
        if prior is None:
            raise ValueError(
                f"make_pu_scorer(metric={self.metric!r}) needs the class prior: "
                "class_prior=None takes it from the fitted estimator's "
                f"class_prior_, but {type(final).__name__} has none. Pass "
                "class_prior= to make_pu_scorer (known, or estimated with "
                "skrobust.pu.estimate_class_prior), or use metric='lee_liu', "
                "which needs no prior."
            )
        return check_class_prior(prior, name=f"{type(final).__name__}.class_prior_")

    def __call__(self, estimator, X, y_true, sample_weight=None):
        """Score ``estimator`` on ``X`` against the PU labels ``y_true``.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier whose ``predict`` returns the true class.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score.
        y_true : array-like of shape (n_samples,)
            The PU labels ``s`` of those rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        score : float
            The estimated metric, greater is better.
        """
        formula, needs_prior = _METRICS[self.metric]
        prior = self._class_prior(estimator) if needs_prior else None
        r, q = _pu_rates(
            y_true,
            estimator.predict(X),
            pos_label=self.pos_label,
            sample_weight=sample_weight,
            pred_name=f"{type(estimator).__name__}.predict(X)",
        )
        return formula(r, q, prior)


@validate_params(
    {
        "metric": [StrOptions(set(_METRICS))],
        "class_prior": [Real, None],
        "pos_label": [Real, str, "boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_pu_scorer(metric="f1", *, class_prior=None, pos_label=1):
    r"""A scorer that selects models on PU data, without negative labels.

    Use it as ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV` or
    :func:`~sklearn.model_selection.cross_validate` fitted on ``(X, s)``.
    Accuracy on ``s`` counts every unlabelled positive as a negative, so it
    rewards models that predict few positives; these scores estimate metrics on
    the true classes instead (module notes of :func:`pu_f1_score`).

    Parameters
    ----------
    metric : {"lee_liu", "recall", "precision", "f1", "accuracy"}, default="f1"
        The metric: :func:`lee_liu_score`, :func:`pu_recall_score`,
        :func:`pu_precision_score`, :func:`pu_f1_score` or
        :func:`pu_accuracy_score`. ``"lee_liu"`` and ``"recall"`` need no prior.
    class_prior : float in (0, 1), default=None
        :math:`\pi = P(y = 1)` for the metrics that need it. ``None`` reads the
        ``class_prior_`` attribute of the fitted estimator being scored (of the
        last step of a :class:`~sklearn.pipeline.Pipeline`), as skrobust's PU
        estimators set it; an estimator without it is an error. Ignored by
        ``"lee_liu"`` and ``"recall"``.
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives in ``s`` and predicted positives.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, s, sample_weight=None) -> float``, greater is
        better. With metadata routing on, ``scorer.set_score_request(
        sample_weight=True)`` requests the weights.

    See Also
    --------
    lee_liu_score : The criterion that needs no class prior.
    pu_f1_score : The F1 estimate behind the default scorer.

    Notes
    -----
    With ``class_prior=None`` each candidate is scored with its own estimate of
    :math:`\pi`. Precision grows with :math:`\pi`, and so does accuracy once the
    recall passes 0.5, so when the grid changes how the prior is estimated, pass
    one fixed ``class_prior`` (or use ``"lee_liu"``): otherwise the candidate
    that overestimates the prior most is favoured.

    References
    ----------
    .. [1] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (Section 4).
    .. [2] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920 (SCAR).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import f1_score
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.metrics import make_pu_scorer
    >>> X, y = make_classification(n_samples=2000, random_state=0)
    >>> s = make_pu_labels(y, 0.3, random_state=0)
    >>> X_tr, X_te, s_tr, s_te, y_te = X[:1000], X[1000:], s[:1000], s[1000:], y[1000:]
    >>> scorer = make_pu_scorer("f1", class_prior=0.5)
    >>> scorer
    make_pu_scorer(metric='f1', class_prior=0.5, pos_label=1)
    >>> for weight in (1, 5):
    ...     model = LogisticRegression(class_weight={1: weight}).fit(X_tr, s_tr)
    ...     print(f"weight {weight}: accuracy on s {model.score(X_te, s_te):.2f}, "
    ...           f"PU F1 {scorer(model, X_te, s_te):.2f}, "
    ...           f"true F1 {f1_score(y_te, model.predict(X_te)):.2f}")
    weight 1: accuracy on s 0.84, PU F1 0.18, true F1 0.17
    weight 5: accuracy on s 0.70, PU F1 0.89, true F1 0.86
    """
    if class_prior is not None:
        class_prior = check_class_prior(class_prior)
    return _PUScorer(metric, class_prior, pos_label)
