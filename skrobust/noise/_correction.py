r"""Noise-correcting meta-estimators: posterior correction and importance reweighting.

Notation: :math:`T_{ij} = P(\tilde y = j \mid y = i)`; a model fitted on noisy labels
estimates the noisy posterior :math:`\tilde p(x) = T^\top p(x)`; :math:`p(x)` is the
clean posterior we want.

- :class:`TransitionCorrectedClassifier` fits the base on the noisy labels and, at
  prediction time, recovers :math:`p(x)` from :math:`\tilde p(x)` on the simplex
  (EM on :math:`KL(\tilde p \| T^\top p)`, or a linear solve projected onto the
  simplex).
- :class:`ImportanceReweightingClassifier` refits the base on the noisy labels with
  the weights :math:`\beta(x, \tilde y) = p_{\tilde y}(x) / \tilde p_{\tilde y}(x)`
  (Liu and Tao, 2016), which make the weighted noisy risk equal the clean risk.
"""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from ..utils._routing import _fit_weighted
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import check_base_takes_weights
from ._confident import _TINY, _row_blocks
from ._detection import _align_columns, _BaseLabelNoise, _RefitPredictMixin
from ._posterior import _recover_clean_posterior

# METHODS A7's stopping rule for the EM correction: each row stops once no
# entry moves by more than 1e-8, or after 1000 updates.
_CORRECTION_MAX_ITER = 1000
_CORRECTION_TOL = 1e-8


def _project_rows_to_simplex(values):
    """Euclidean projection of each row onto the probability simplex.

    Duchi et al. (2008), Fig. 1: sort, find the largest support whose shifted
    entries stay positive, shift by the common threshold and clip.
    """
    n, K = values.shape
    ordered = -np.sort(-values, axis=1)
    cumulative = np.cumsum(ordered, axis=1) - 1.0
    support = ordered - cumulative / np.arange(1, K + 1) > 0
    rho = K - 1 - np.argmax(support[:, ::-1], axis=1)
    theta = cumulative[np.arange(n), rho] / (rho + 1)
    return np.maximum(values - theta[:, None], 0.0)


def _correct_posterior(pred_proba, transition_matrix, method):
    """Clean posterior of each row from its noisy posterior and T."""
    if method == "em":
        # Run towards convergence from the uniform start here: unlike detection,
        # which stops early on purpose, predictions should approach the
        # minimiser. Where that sits on the simplex's boundary the updates
        # creep (sublinearly), so a row can stop short of it by a few 1e-3;
        # method="projection" is exact there.
        return _recover_clean_posterior(
            pred_proba,
            transition_matrix,
            max_iter=_CORRECTION_MAX_ITER,
            uniform_start=True,
            row_tol=_CORRECTION_TOL,
        )
    # p~ = T^T p, so p^T = p~^T T^{-1}: one solve for all rows, then projection.
    inverse = np.linalg.solve(transition_matrix, np.eye(transition_matrix.shape[0]))
    out = np.empty(pred_proba.shape, dtype=np.float64)
    for rows in _row_blocks(pred_proba.shape[0]):
        out[rows] = _project_rows_to_simplex(pred_proba[rows] @ inverse)
    return out


class TransitionCorrectedClassifier(ClassifierMixin, _BaseLabelNoise):
    r"""Correct a classifier's posterior for class-conditional label noise.

    The base estimator is fitted on the noisy labels, so it estimates the noisy
    posterior :math:`\tilde p(x) = T^\top p(x)`. Predictions recover the clean
    posterior :math:`p(x)` on the probability simplex, with ``T`` given or
    estimated from out-of-sample probabilities of the noisy labels.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``; ``None`` means
        ``LogisticRegression(max_iter=1000)``. A
        :class:`~sklearn.frozen.FrozenEstimator` (already fitted on noisy labels)
        is used as is.
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        Known :math:`T_{ij} = P(\tilde y = j \mid y = i)` in ``classes_`` order;
        ``None`` estimates it with ``transition_method``.
    method : {"em", "projection"}, default="em"
        How the clean posterior is recovered: ``"em"`` minimises
        :math:`KL(\tilde p \| T^\top p)` by multiplicative updates (no inverse,
        robust to a singular or badly estimated ``T``); ``"projection"`` solves
        :math:`T^\top u = \tilde p` and projects ``u`` onto the simplex (faster;
        needs an invertible ``T``).
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-sample probabilities that estimate ``T``.
    filter_by : str, default="auto"
        The label-issue rule for ``label_issue_mask_``; see
        :func:`find_label_issues`.
    rank_by : str, default="blend"
        The score stored in ``label_quality_scores_``.
    transition_method : str, default="em"
        One of ``"confident_joint"``, ``"anchor"``, ``"dual_t"``, ``"em"``: the
        estimator of ``T`` when it is not given; see
        :func:`estimate_transition_matrix`.
    n_jobs : int, default=None
        Folds run in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base estimator fitted on the noisy labels.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        The ``T`` used for correction (validated copy, or the estimate).
    label_issue_mask_ : ndarray of shape (n_samples,), dtype bool
        Training rows flagged as label issues (diagnostic only).
    label_quality_scores_ : ndarray of shape (n_samples,)
        Per-row label quality of the training rows.
    pred_proba_ : ndarray of shape (n_samples, n_classes)
        Out-of-sample noisy probabilities of the training rows.
    confident_joint_ : ndarray of shape (n_classes, n_classes)
        Calibrated counts of (given label, guessed true label).
    clean_class_prior_ : ndarray of shape (n_classes,)
        Estimated clean class prior.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    ImportanceReweightingClassifier : Reweight the training rows instead.
    ConfidentLearningClassifier : Prune the likely issues instead.

    Notes
    -----
    With ``transition_matrix`` the identity the predictions are the base
    estimator's. The correction assumes class-conditional noise.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683 (the noisy posterior as :math:`T^\top p`).
    .. [2] J. Duchi, S. Shalev-Shwartz, Y. Singer, T. Chandra, "Efficient
       Projections onto the l1-Ball for Learning in High Dimensions", ICML 2008
       (the simplex projection).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> from skrobust.noise import TransitionCorrectedClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> T = make_transition_matrix(10, 0.4, kind="pair")
    >>> y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    >>> model = TransitionCorrectedClassifier(transition_matrix=T)
    >>> print(f"{model.fit(X_train, y_noisy).score(X_test, y_test):.2f}")
    0.8...
    """

    _parameter_constraints: dict = {
        **_BaseLabelNoise._parameter_constraints,
        "transition_matrix": ["array-like", None],
        "method": [StrOptions({"em", "projection"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        transition_matrix=None,
        method="em",
        cv=5,
        filter_by="auto",
        rank_by="blend",
        transition_method="em",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.transition_matrix = transition_matrix
        self.method = method
        self.cv = cv
        self.filter_by = filter_by
        self.rank_by = rank_by
        self.transition_method = transition_method
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Fit the base on the noisy labels and settle the transition matrix.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Noisy labels of any type.
        pred_proba : array-like of shape (n_samples, n_classes), default=None
            Precomputed out-of-sample probabilities of the noisy labels; no
            cross-fitting runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to the base estimator. The noise model (confident
            thresholds, joint, transition matrix, prior, issue counts) counts every row
            once, whatever its weight, so a zero weight does not take a row out of it;
            drop such rows first.
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : TransitionCorrectedClassifier
            The fitted classifier.
        """
        base = self._base_estimator()
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        X, y, _, _, routed, _ = self._detect(
            X,
            y,
            pred_proba,
            fit_params,
            transition_matrix=self.transition_matrix,
            require_invertible=self.method == "projection",
        )
        self.estimator_ = base if isinstance(base, FrozenEstimator) else clone(base)
        _fit_weighted(self.estimator_, X, y, **routed)
        return self

    def predict_proba(self, X):
        """Clean class probabilities, in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Recovered clean posteriors; rows sum to 1.
        """
        check_is_fitted(self)
        noisy = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        noisy = _align_columns(noisy, self.estimator_.classes_, self.classes_)
        return _correct_posterior(noisy, self.transition_matrix_, self.method)

    def predict(self, X):
        """The most probable clean class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class ImportanceReweightingClassifier(
    ClassifierMixin, _RefitPredictMixin, _BaseLabelNoise
):
    r"""Refit a classifier on noisy labels with importance weights.

    Each training row gets the weight :math:`\beta = p_{\tilde y}(x) /
    \tilde p_{\tilde y}(x)`, the ratio of the clean to the noisy posterior of its
    given label, which makes the weighted risk on noisy labels an unbiased
    estimate of the risk on clean labels (Liu and Tao, 2016). The noisy posterior
    comes from out-of-sample probabilities, the clean one from correcting them
    with ``T`` (given or estimated); the base is then refitted with these weights
    and predicts as usual.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier whose ``fit`` takes ``sample_weight``; ``None`` means
        ``LogisticRegression(max_iter=1000)``. A
        :class:`~sklearn.frozen.FrozenEstimator` is rejected: this estimator
        refits its base.
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        Known :math:`T`; ``None`` estimates it with ``transition_method``.
    max_weight : float, default=10.0
        Weights are clipped to ``[0, max_weight]``: they blow up where the noisy
        posterior of the given label is near 0.
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-sample probabilities.
    filter_by : str, default="auto"
        The label-issue rule for ``label_issue_mask_`` (diagnostic only).
    rank_by : str, default="blend"
        The score stored in ``label_quality_scores_``.
    transition_method : str, default="em"
        One of ``"confident_joint"``, ``"anchor"``, ``"dual_t"``, ``"em"``: the
        estimator of ``T`` when it is not given.
    n_jobs : int, default=None
        Folds run in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base estimator refitted with the importance weights.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    importance_weights_ : ndarray of shape (n_samples,)
        The weight of each training row (before any user ``sample_weight``).
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        The ``T`` used.
    label_issue_mask_ : ndarray of shape (n_samples,), dtype bool
        Training rows flagged as label issues (diagnostic only).
    label_quality_scores_ : ndarray of shape (n_samples,)
        Per-row label quality of the training rows.
    pred_proba_ : ndarray of shape (n_samples, n_classes)
        Out-of-sample noisy probabilities of the training rows.
    confident_joint_ : ndarray of shape (n_classes, n_classes)
        Calibrated counts of (given label, guessed true label).
    clean_class_prior_ : ndarray of shape (n_classes,)
        Estimated clean class prior.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    TransitionCorrectedClassifier : Correct the posterior instead.

    References
    ----------
    .. [1] T. Liu, D. Tao, "Classification with Noisy Labels by Importance
       Reweighting", IEEE TPAMI 38(3):447-461, 2016, arXiv:1411.7718.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> from skrobust.noise import ImportanceReweightingClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> T = make_transition_matrix(10, 0.3, kind="pair")
    >>> y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    >>> model = ImportanceReweightingClassifier(random_state=0)
    >>> print(f"{model.fit(X_train, y_noisy).score(X_test, y_test):.2f}")
    0.9...
    """

    _parameter_constraints: dict = {
        **_BaseLabelNoise._parameter_constraints,
        "transition_matrix": ["array-like", None],
        "max_weight": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        transition_matrix=None,
        max_weight=10.0,
        cv=5,
        filter_by="auto",
        rank_by="blend",
        transition_method="em",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.transition_matrix = transition_matrix
        self.max_weight = max_weight
        self.cv = cv
        self.filter_by = filter_by
        self.rank_by = rank_by
        self.transition_method = transition_method
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_base(self):
        base = self._refit_base(
            "refits its base with importance weights",
            "Use TransitionCorrectedClassifier to correct a frozen model's "
            "predictions.",
        )
        check_base_takes_weights(
            base,
            need="importance reweighting needs",
            remedy="use a base estimator whose fit takes sample_weight, or "
            "TransitionCorrectedClassifier",
        )
        return base

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Weight every training row, then refit the base estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Noisy labels of any type.
        pred_proba : array-like of shape (n_samples, n_classes), default=None
            Precomputed out-of-sample probabilities of the noisy labels; no
            cross-fitting runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, multiplied into the importance weights. The noise model
            (confident thresholds, joint, transition matrix, prior, issue counts) counts
            every row once, whatever its weight, so a zero weight does not take a row
            out of it; drop such rows first.
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : ImportanceReweightingClassifier
            The fitted classifier.
        """
        base = self._check_base()
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        X, y, y_codes, proba, routed, _ = self._detect(
            X, y, pred_proba, fit_params, transition_matrix=self.transition_matrix
        )
        routed = dict(routed)
        user_weights = routed.pop("sample_weight", None)
        clean = _correct_posterior(proba, self.transition_matrix_, "em")
        rows = np.arange(y_codes.shape[0])
        beta = clean[rows, y_codes] / np.maximum(proba[rows, y_codes], _TINY)
        self.importance_weights_ = np.clip(beta, 0.0, self.max_weight)
        weights = self.importance_weights_
        if user_weights is not None:
            weights = weights * np.asarray(user_weights, dtype=np.float64)
        weighted_classes = np.unique(y_codes[weights > 0])
        if weighted_classes.shape[0] < 2:
            left = self.classes_[weighted_classes].tolist()
            raise ValueError(
                "The importance weights (times sample_weight) leave rows of a single "
                f"class with positive weight ({left!r}); the refit needs at least 2 "
                "classes."
            )
        self.estimator_ = _fit_weighted(
            clone(base), X, y, sample_weight=weights, weights_are_ours=True, **routed
        )
        return self
