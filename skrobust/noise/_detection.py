"""Estimators that find label issues and learn without them.

:class:`LabelIssueDetector` cross-fits a base classifier (or takes precomputed
out-of-sample probabilities) and stores the label issues, quality scores and the
estimated noise process; :class:`ConfidentLearningClassifier` then refits a clone
of the base on the rows that are not issues.
"""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
)
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ..utils import (
    check_labels,
    check_pred_proba,
    check_transition_matrix,
)
from ..utils._crossfit import _cross_val_predict_proba
from ..utils._routing import _fit_weighted, _route_fit_and_groups, _RouteFitToBase
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    validate_data,
)
from ..utils._validation import (
    _for_base,
    check_base_takes_weights,
    check_row_weights,
)
from ..utils._verbose import log_progress
from ._confident import _confident_joint
from ._issues import _FILTERS, _SCORE_METHODS, _issues_single, _scores_single
from ._transition import _ESTIMATORS, _normalize_rows, _transition_and_prior


def _default_estimator():
    return LogisticRegression(max_iter=1000)


def _estimator_has(attr):
    def check(self):
        base = getattr(self, "estimator_", None) or self._base_estimator()
        return hasattr(base, attr)

    return check


class _BaseLabelNoise(_RouteFitToBase, MetaEstimatorMixin, BaseEstimator):
    """Shared fitting steps: validation, out-of-sample probabilities, detection."""

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "filter_by": [StrOptions(_FILTERS)],
        "rank_by": [StrOptions(_SCORE_METHODS)],
        "transition_method": [StrOptions(set(_ESTIMATORS))],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _base_estimator(self):
        return _default_estimator() if self.estimator is None else self.estimator

    def _refit_base(self, does, instead):
        """The base estimator of a meta-estimator that refits it; never frozen."""
        base = self._base_estimator()
        if isinstance(base, FrozenEstimator):
            raise TypeError(
                f"estimator must not be a FrozenEstimator: {type(self).__name__} "
                f"{does}. {instead}"
            )
        return base

    def _validate_inputs(self, X, y):
        checked, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            ensure_min_samples=2,
        )
        X = _for_base(X, checked)
        check_classification_targets(y)
        y_codes, classes = check_labels(y)
        if len(classes) < 2:
            raise ValueError(
                f"y must hold at least 2 classes to find label issues; got "
                f"{len(classes)} class ({classes[0]!r})."
            )
        return X, y, y_codes, classes

    def _out_of_sample_proba(
        self, X, y, classes, pred_proba, fit_params, groups, cv=None
    ):
        n_samples, n_classes = X.shape[0], len(classes)
        if pred_proba is not None:
            return check_pred_proba(
                pred_proba, n_samples=n_samples, n_classes=n_classes
            )
        base = self._base_estimator()
        if isinstance(base, FrozenEstimator):
            # Nothing is refitted: the frozen model's probabilities are taken as
            # out-of-sample (the user vouches it never saw these rows).
            proba = np.asarray(base.predict_proba(X))
            return _align_columns(proba, base.classes_, classes)
        # fit_params are routed already (see _detect).
        return _cross_val_predict_proba(
            base,
            X,
            y,
            cv=self.cv if cv is None else cv,
            groups=groups,
            classes=classes,
            params=fit_params,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
            prerouted=True,
        )

    def _detect(
        self,
        X,
        y,
        pred_proba,
        fit_params,
        transition_matrix=None,
        require_invertible=False,
        cv=None,
    ):
        """Fit the noise model; set the detection attributes; return codes.

        A given ``transition_matrix`` is validated and becomes
        ``transition_matrix_``; otherwise ``transition_method`` estimates it.
        Returns ``(X, y, y_codes, proba, routed, groups)``: the base's routed fit
        parameters and the splitter's ``groups``. ``cv`` replaces ``self.cv``
        (an iterable of splits that a caller has read into a list).
        """
        start = time.perf_counter()
        X, y, y_codes, classes = self._validate_inputs(X, y)
        self.classes_ = classes
        if fit_params.get("sample_weight") is not None:
            # Checked against all the rows here: the base would check it against
            # a fold's rows, and take negative weights.
            fit_params = {
                **fit_params,
                "sample_weight": check_row_weights(
                    fit_params["sample_weight"], y_codes.shape[0]
                ),
            }
        routed, groups = _route_fit_and_groups(self, fit_params)
        proba = self._out_of_sample_proba(
            X, y, classes, pred_proba, routed, groups, cv=cv
        )
        log_progress(self.verbose, "out-of-sample probabilities", start_time=start)
        self.pred_proba_ = proba
        K = len(classes)
        if transition_matrix is not None:
            transition_matrix = check_transition_matrix(
                transition_matrix,
                n_classes=K,
                require_invertible=require_invertible,
            )
        self.confident_joint_, _ = _confident_joint(proba, y_codes, K)
        self.transition_matrix_, self.clean_class_prior_ = _transition_and_prior(
            proba,
            y_codes,
            self.confident_joint_,
            self.transition_method,
            transition_matrix,
        )
        if require_invertible and transition_matrix is None:
            condition = np.linalg.cond(self.transition_matrix_)
            if not np.isfinite(condition) or condition > 1e8:
                raise ValueError(
                    f"the transition matrix estimated by transition_method="
                    f"{self.transition_method!r} is singular or nearly so "
                    f"(condition number {condition:.3g}), which method='projection' "
                    "cannot invert; use method='em', another transition_method, or "
                    "pass transition_matrix."
                )
        # The posterior filter uses the counting estimate of T: it is the most
        # accurate on the benchmark (docs/benchmarks), whatever transition_method
        # reports.
        T_filter = _normalize_rows(self.confident_joint_.T)
        self.label_issue_mask_ = _issues_single(
            proba,
            y_codes,
            K,
            filter_by=self.filter_by,
            transition_matrix=T_filter,
            frac_noise=1.0,
            min_examples_per_class=1,
            n_jobs=self.n_jobs,
        )
        self.label_quality_scores_ = _scores_single(
            proba,
            y_codes,
            K,
            method=self.rank_by,
            transition_matrix=T_filter,
            adjust_pred_proba=False,
        )
        log_progress(
            self.verbose,
            f"{int(self.label_issue_mask_.sum())} label issues in {len(y)} rows",
            start_time=start,
        )
        return X, y, y_codes, proba, routed, groups

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base_tags = self._base_estimator().__sklearn_tags__()
        tags.input_tags.sparse = base_tags.input_tags.sparse
        tags.input_tags.allow_nan = base_tags.input_tags.allow_nan
        tags.target_tags.required = True
        return tags


class LabelIssueDetector(_BaseLabelNoise):
    r"""Find mislabelled rows and estimate how the labels were corrupted.

    Fits nothing for prediction: it cross-fits ``estimator`` to get out-of-sample
    probabilities of the given labels (or takes them precomputed as
    ``pred_proba``), then applies confident learning and the transition-matrix
    estimators of :mod:`skrobust.noise` to them.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``, cloned for each fold.
        ``None`` means ``LogisticRegression(max_iter=1000)``. A
        :class:`~sklearn.frozen.FrozenEstimator` is used as is, without
        cross-fitting (its probabilities must be out of sample).
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-sample probabilities; an int gives a shuffled
        stratified K-fold seeded by ``random_state``.
    filter_by : str, default="auto"
        The rule that flags issues; see :func:`find_label_issues`.
    rank_by : str, default="blend"
        The label-quality score; see :func:`label_quality_scores`.
    transition_method : str, default="confident_joint"
        One of ``"confident_joint"``, ``"anchor"``, ``"dual_t"``, ``"em"``: the
        estimator of ``transition_matrix_`` and ``clean_class_prior_``; see
        :func:`estimate_transition_matrix`.
    interval : bool, default=False
        Also compute ``transition_matrix_interval_`` by bootstrap.
    n_bootstraps : int, default=200
        Resamples for ``transition_matrix_interval_``.
    confidence_level : float in (0, 1), default=0.95
        Coverage of each entry's interval.
    n_jobs : int, default=None
        Folds (and bootstrap resamples) run in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and the bootstrap.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    label_issue_mask_ : ndarray of shape (n_samples,), dtype bool
        True for rows flagged as label issues.
    label_quality_scores_ : ndarray of shape (n_samples,)
        Per-row label quality in [0, 1], higher is cleaner.
    pred_proba_ : ndarray of shape (n_samples, n_classes)
        The out-of-sample probabilities everything was computed from.
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        Estimated :math:`T_{ij} = P(\tilde y = j \mid y = i)`.
    transition_matrix_interval_ : ndarray of shape (2, n_classes, n_classes)
        Bootstrap lower and upper bounds of each entry; only with
        ``interval=True``.
    confident_joint_ : ndarray of shape (n_classes, n_classes)
        Calibrated counts of (given label, guessed true label).
    clean_class_prior_ : ndarray of shape (n_classes,)
        Estimated :math:`P(y = i)`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    ConfidentLearningClassifier : Refit without the issues found here.
    find_label_issues : The functional form.

    Notes
    -----
    The noise is assumed class-conditional: a label's corruption depends on its
    true class, not on the features.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.
    .. [2] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> from skrobust.noise import LabelIssueDetector
    >>> X, y = load_digits(return_X_y=True)
    >>> T = make_transition_matrix(10, 0.2)
    >>> y_noisy, flipped = make_noisy_labels(y, T, random_state=0)
    >>> detector = LabelIssueDetector(random_state=0).fit(X / 16, y_noisy)
    >>> found = detector.label_issue_mask_
    >>> print(f"precision {flipped[found].mean():.2f}, "
    ...       f"recall {found[flipped].mean():.2f}")
    precision 0.9..., recall 0.8...
    """

    _parameter_constraints: dict = {
        **_BaseLabelNoise._parameter_constraints,
        "interval": ["boolean"],
        "n_bootstraps": [Interval(Integral, 2, None, closed="left")],
        "confidence_level": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        cv=5,
        filter_by="auto",
        rank_by="blend",
        transition_method="confident_joint",
        interval=False,
        n_bootstraps=200,
        confidence_level=0.95,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.cv = cv
        self.filter_by = filter_by
        self.rank_by = rank_by
        self.transition_method = transition_method
        self.interval = interval
        self.n_bootstraps = n_bootstraps
        self.confidence_level = confidence_level
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, **fit_params):
        """Find the label issues of ``(X, y)`` and estimate the noise process.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Given (possibly noisy) labels of any type.
        pred_proba : array-like of shape (n_samples, n_classes), default=None
            Precomputed out-of-sample probabilities, columns in sorted label
            order; no cross-fitting runs when given.
        **fit_params : dict
            Passed to the base estimator's ``fit`` in each fold (routed when
            metadata routing is enabled).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : LabelIssueDetector
            The fitted detector.
        """
        _, _, y_codes, proba, _, _ = self._detect(X, y, pred_proba, fit_params)
        if self.interval:
            from ._transition import bootstrap_transition_matrix

            self.transition_matrix_interval_ = bootstrap_transition_matrix(
                y_codes,
                proba,
                classes=np.arange(len(self.classes_)),
                method=self.transition_method,
                n_bootstraps=self.n_bootstraps,
                confidence_level=self.confidence_level,
                n_jobs=self.n_jobs,
                random_state=self.random_state,
            )
        elif hasattr(self, "transition_matrix_interval_"):
            # A refit without the interval must not keep an earlier fit's.
            del self.transition_matrix_interval_
        return self

    def rank_label_issues(self):
        """Row indices of the training data, most likely mislabelled first.

        Returns
        -------
        indices : ndarray of shape (n_samples,)
            Rows sorted by ``label_quality_scores_`` (ties in row order).
        """
        check_is_fitted(self)
        return np.argsort(self.label_quality_scores_, kind="stable")


def _align_columns(proba, fitted_classes, classes):
    """Columns of ``proba`` (for ``fitted_classes``) placed in ``classes`` order."""
    if np.array_equal(fitted_classes, classes):
        return proba
    columns, _ = check_labels(fitted_classes, classes, name="estimator_.classes_")
    aligned = np.zeros((proba.shape[0], len(classes)), dtype=proba.dtype)
    aligned[:, columns] = proba
    return aligned


def _keep_each_class(keep, y_codes, scores, minimum):
    """Add each class's best-scored rows until it has ``minimum`` kept rows."""
    keep = keep.copy()
    for k in np.unique(y_codes):
        rows = np.flatnonzero(y_codes == k)
        need = min(rows.shape[0], minimum)
        if keep[rows].sum() < need:
            keep[rows[np.argsort(-scores[rows], kind="stable")[:need]]] = True
    return keep


class _RefitPredictMixin:
    """Prediction methods of a meta-estimator that refits its base as ``estimator_``."""

    def predict(self, X):
        """Predict class labels with the refit base estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        """Class probabilities of the refit base estimator, in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities; a class the refit model never saw gets 0.
        """
        check_is_fitted(self)
        proba = np.asarray(self.estimator_.predict_proba(X))
        return _align_columns(proba, self.estimator_.classes_, self.classes_)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the refit base estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The base estimator's decision values.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)


class ConfidentLearningClassifier(ClassifierMixin, _RefitPredictMixin, _BaseLabelNoise):
    """Train a classifier on noisy labels by pruning the likely label issues.

    Finds label issues as :class:`LabelIssueDetector` does, then fits a clone of
    ``estimator`` on the remaining rows, each class reweighted so its total weight
    equals its count before pruning (pruning removes more rows from the classes
    the noise hits hardest, which would otherwise bias the refit model against
    them). Predicts like the base estimator.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``, cloned for the folds and
        for the final fit. ``None`` means ``LogisticRegression(max_iter=1000)``.
        A :class:`~sklearn.frozen.FrozenEstimator` is rejected: this estimator
        refits its base.
    cv : int, cross-validation generator or iterable, default=5
        Folds for the out-of-sample probabilities.
    filter_by : str, default="auto"
        The rule that flags issues; see :func:`find_label_issues`.
    rank_by : str, default="blend"
        The label-quality score stored in ``label_quality_scores_``.
    transition_method : str, default="confident_joint"
        One of ``"confident_joint"``, ``"anchor"``, ``"dual_t"``, ``"em"``: the
        estimator of ``transition_matrix_``.
    reweight_classes : bool, default=True
        Reweight the kept rows per class to undo the pruning imbalance; needs a
        base estimator whose ``fit`` takes ``sample_weight``.
    min_examples_per_class : int, default=1
        Each class keeps at least this many rows (its highest-scored ones), so
        the refit model still knows every class.
    n_jobs : int, default=None
        Folds run in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base estimator fitted on the kept rows.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    label_issue_mask_ : ndarray of shape (n_samples,), dtype bool
        True for the training rows found to be label issues. All of them are
        pruned except the rows ``min_examples_per_class`` puts back (a class's
        best-scored rows), which the refit keeps.
    label_quality_scores_ : ndarray of shape (n_samples,)
        Per-row label quality in [0, 1], higher is cleaner.
    pred_proba_ : ndarray of shape (n_samples, n_classes)
        The out-of-sample probabilities the issues were found with.
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        Estimated noise-transition matrix.
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
    LabelIssueDetector : Find the issues without refitting.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068
       (Sec. 3.2, prune and retrain).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import train_test_split
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> from skrobust.noise import ConfidentLearningClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X / 16, y, random_state=0)
    >>> T = make_transition_matrix(10, 0.4, kind="pair")
    >>> y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    >>> plain = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
    >>> cl = ConfidentLearningClassifier(random_state=0).fit(X_train, y_noisy)
    >>> print(f"{plain.score(X_test, y_test):.2f} -> {cl.score(X_test, y_test):.2f}")
    0.6... -> 0.8...
    """

    _parameter_constraints: dict = {
        **_BaseLabelNoise._parameter_constraints,
        "reweight_classes": ["boolean"],
        "min_examples_per_class": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        cv=5,
        filter_by="auto",
        rank_by="blend",
        transition_method="confident_joint",
        reweight_classes=True,
        min_examples_per_class=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.cv = cv
        self.filter_by = filter_by
        self.rank_by = rank_by
        self.transition_method = transition_method
        self.reweight_classes = reweight_classes
        self.min_examples_per_class = min_examples_per_class
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_base(self, sample_weight):
        base = self._refit_base(
            "refits its base on the rows it keeps",
            "Use LabelIssueDetector to find issues with a frozen model.",
        )
        weighted = sample_weight is not None or self.reweight_classes
        if weighted:
            check_base_takes_weights(
                base,
                need="reweight_classes=True (or a sample_weight) needs",
                remedy="set reweight_classes=False or use a base estimator that "
                "takes weights",
            )
        return base

    def _kept_rows(self, y_codes):
        """Rows to refit on: not issues, plus each class's best rows if needed."""
        return _keep_each_class(
            ~self.label_issue_mask_,
            y_codes,
            self.label_quality_scores_,
            self.min_examples_per_class,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Find the label issues, then fit the base estimator without them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Given (possibly noisy) labels of any type.
        pred_proba : array-like of shape (n_samples, n_classes), default=None
            Precomputed out-of-sample probabilities, columns in sorted label
            order; no cross-fitting runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, used in cross-fitting and in the final fit. The noise model
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
        self : ConfidentLearningClassifier
            The fitted classifier.
        """
        base = self._check_base(sample_weight)
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        X, y, y_codes, _, routed, _ = self._detect(X, y, pred_proba, fit_params)
        routed = dict(routed)
        weights = routed.pop("sample_weight", None)
        keep = self._kept_rows(y_codes)
        weights = np.ones(len(y)) if weights is None else np.asarray(weights, float)
        if self.reweight_classes:
            before = np.bincount(y_codes, weights=weights, minlength=len(self.classes_))
            after = np.bincount(
                y_codes[keep], weights=weights[keep], minlength=len(self.classes_)
            )
            weights = weights * (before / np.maximum(after, 1e-12))[y_codes]
        rows = np.flatnonzero(keep)
        final_params = {
            key: _safe_indexing(value, rows)
            if hasattr(value, "__len__") and len(value) == len(y)
            else value
            for key, value in routed.items()
        }
        if self.reweight_classes or sample_weight is not None:
            final_params["sample_weight"] = weights[rows]
        self.estimator_ = _fit_weighted(
            clone(base),
            _safe_indexing(X, rows),
            _safe_indexing(y, rows),
            weights_are_ours=self.reweight_classes,
            **final_params,
        )
        return self
