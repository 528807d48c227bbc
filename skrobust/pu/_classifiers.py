r"""Positive-unlabeled classifiers: meta-estimators over any scikit-learn classifier.

Every classifier here learns :math:`f(x) = P(y = 1 \mid x)` from PU labels
:math:`s` under SCAR, where :math:`P(s = 1 \mid x) = c\,f(x)`:

- :class:`ElkanNotoClassifier` divides the scores of a classifier of :math:`s` by
  :math:`c`;
- :class:`WeightedElkanNotoClassifier` refits the base with every unlabelled row
  both as a positive (weight :math:`P(y = 1 \mid x, s = 0)`) and as a negative;
- :class:`UnbiasedPUClassifier` minimises the unbiased PU risk through
  ``sample_weight``: signed weights for a logistic regression, whose risk stays
  convex, or the cost-sensitive form of a symmetric loss for any other base;
- :class:`BaggingPUClassifier` aggregates classifiers of the labelled rows against
  random subsets of the unlabelled rows.

They share the prior handling: a given ``class_prior``, or one of the estimators of
:mod:`skrobust.pu._prior` (``prior_method``), on out-of-sample scores of :math:`s`
computed once by cross-fitting (or passed as ``pred_proba=``).
"""

import copy
import time
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ..utils import check_pu_labels
from ..utils._routing import (
    _fit_weighted,
    _route_fit_and_groups,
    _RouteFitToBase,
    _weight_alias,
    _weight_key,
    _weighted_step,
)
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    validate_data,
)
from ..utils._validation import (
    _for_base,
    _show,
    _show_one,
    check_base_takes_weights,
    check_row_weights,
)
from ..utils._verbose import log_progress
from ..utils._warnings import _user_stacklevel
from ._prior import (
    PRIOR_METHODS,
    SCORE_METHODS,
    _check_labelled_weight,
    _cross_fit_scores,
    _default_estimator,
    _estimate_prior,
    _from_class_prior,
    _from_label_frequency,
    _labeled_fraction,
    _positive_scores,
    _random_state_params,
)

# Scores of s are kept below 1 so the odds g / (1 - g) stay finite.
_MAX_SCORE = 1.0 - 1e-6


def _refitted_base(owner, what_it_does):
    """``owner.estimator``, or the default logistic regression when None; a
    FrozenEstimator is refused, as ``owner`` fits it (``what_it_does`` says
    how)."""
    base = _default_estimator() if owner.estimator is None else owner.estimator
    if isinstance(base, FrozenEstimator):
        raise TypeError(
            f"estimator must not be a FrozenEstimator: {type(owner).__name__} "
            f"{what_it_does}."
        )
    return base


def _validate_pu_inputs(estimator, X, y):
    """Validate ``X`` and the PU labels ``y`` for a PU classifier, setting its
    ``classes_`` and ``_pos_column``; return the data for the base (a data frame
    stays one), the validated array, the labels and the labelled mask."""
    checked, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=["csr", "csc"],
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=2,
    )
    estimator.classes_, labeled, estimator._pos_column = _check_pu_target(
        y, estimator.pos_label
    )
    return _for_base(X, checked), checked, y, labeled


def _check_pu_target(y, pos_label):
    """The classes, the labelled mask and the column of ``pos_label`` among the
    classes, for PU labels ``y`` (already validated as a 1-D array)."""
    check_classification_targets(y)
    values = np.unique(y)
    if values.shape[0] > 2:
        raise ValueError(
            "Only binary classification is supported: PU labels y hold two "
            f"values (pos_label={pos_label!r} and one for unlabelled rows); "
            f"got {values.shape[0]}: {_show(values)}."
        )
    if values.shape[0] == 1:
        raise ValueError(
            f"y holds a single class ({_show_one(values[0])}); PU learning "
            f"needs labelled positives (pos_label={pos_label!r}) and "
            "unlabelled rows."
        )
    labeled = check_pu_labels(y, pos_label=pos_label)
    # values is sorted, so pos_label is column 1 exactly when it is the larger
    # of the two.
    return values, labeled, int(values[1] == y[labeled][0])


class _PUPredictMixin:
    """``predict_proba``, ``predict`` and ``decision_function`` from
    ``_positive_proba``, the estimate of :math:`P(y = 1 \\mid x)` each PU
    classifier defines."""

    def predict_proba(self, X):
        """Class probabilities :math:`P(y \\mid x)`, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Rows in [0, 1] summing to 1; the column of ``pos_label`` estimates
            :math:`P(y = 1 \\mid x)`.
        """
        check_is_fitted(self)
        checked = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            reset=False,
        )
        positive = np.clip(self._positive_proba(_for_base(X, checked)), 0.0, 1.0)
        proba = np.empty((positive.shape[0], 2), dtype=np.float64)
        proba[:, self._pos_column] = positive
        proba[:, 1 - self._pos_column] = 1.0 - positive
        return proba

    def predict(self, X):
        """The most probable true class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Values from ``classes_``: ``pos_label`` for predicted positives.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def decision_function(self, X):
        """Log-odds of ``classes_[1]`` against ``classes_[0]``.

        ``log P(classes_[1] | x) - log P(classes_[0] | x)`` from
        :meth:`predict_proba`, so a positive score predicts ``classes_[1]``,
        as for scikit-learn's binary classifiers, and ranks rows as the
        probabilities do. A probability of exactly 0 or 1 counts as the
        smallest positive float instead, which keeps every score finite (at
        most about 708 in absolute value).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The log-odds of ``classes_[1]``.
        """
        proba = self.predict_proba(X)
        tiny = np.finfo(np.float64).tiny
        return np.log(np.maximum(proba[:, 1], tiny)) - np.log(
            np.maximum(proba[:, 0], tiny)
        )


class _BasePUClassifier(
    _RouteFitToBase,
    _PUPredictMixin,
    ClassifierMixin,
    MetaEstimatorMixin,
    BaseEstimator,
):
    """Validation, prior handling, routing and prediction shared by the family."""

    # The weights weigh the prior and the PU risk here, whether the base takes
    # them or not (see _RouteFitToBase).
    _consumes_sample_weight = True
    __metadata_request__fit = {"sample_weight": True}

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "class_prior": [Interval(Real, 0, 1, closed="neither"), None],
        "prior_method": [StrOptions(set(PRIOR_METHODS))],
        "cv": ["cv_object", StrOptions({"oob"})],
        "pos_label": [Integral, float, str, "boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # The common signature, which each classifier extends (scikit-learn reads
    # each class's parameters off its own __init__).
    def __init__(
        self,
        estimator=None,
        *,
        class_prior=None,
        prior_method="dedpul",
        cv=5,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.cv = cv
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _base_estimator(self):
        return _refitted_base(self, "fits its base on the PU labels")

    def _weighted_base(self):
        base = self._base_estimator()
        check_base_takes_weights(
            base,
            need=f"{type(self).__name__} needs",
            remedy="use a base estimator whose fit takes sample_weight, or "
            "ElkanNotoClassifier",
        )
        return base

    def _validate_inputs(self, X, y):
        return _validate_pu_inputs(self, X, y)

    def _route(self, fit_params, sample_weight):
        """The base's fit parameters and the splitter's ``groups``."""
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        params, groups = _route_fit_and_groups(self, fit_params)
        return dict(params), groups

    def _needs_scores(self):
        """True when the prior comes from out-of-sample scores of s."""
        return self.class_prior is None and self.prior_method in SCORE_METHODS

    def _cross_fit_base(self, rng):
        """The estimator cross-fitted for the out-of-sample scores."""
        return self._base_estimator()

    def _scores(self, X, y, labeled, pred_proba, params, rng, groups=None):
        """Out-of-sample P(s = 1 | x), given or by cross-fitting the base, and
        the base fitted on every row when ``cv="oob"`` fitted one for them."""
        if pred_proba is not None:
            scores = _positive_scores(pred_proba, labeled, y, "pred_proba")
            return np.minimum(scores, _MAX_SCORE), None
        start = time.perf_counter()
        scores, fitted = _cross_fit_scores(
            self._cross_fit_base(rng),
            X,
            labeled,
            cv=self.cv,
            groups=groups,
            params=params,
            n_jobs=self.n_jobs,
            random_state=rng,
            return_fit=True,
        )
        log_progress(
            self.verbose,
            "out-of-bag scores of s"
            if fitted is not None
            else "out-of-sample scores of s",
            start_time=start,
        )
        return np.minimum(scores, _MAX_SCORE), fitted

    def _settle_prior(self, X, labeled, scores, rng, sample_weight):
        """Set ``class_prior_`` and ``label_frequency_`` (given or estimated).

        With ``sample_weight`` the labelled fraction is the weighted one, so that
        a weight of 2 acts as a repeated row.
        """
        n = labeled.shape[0]
        fraction = _labeled_fraction(labeled, sample_weight)
        if self.class_prior is not None:
            if self.class_prior < fraction:
                raise ValueError(
                    f"class_prior={_show_one(self.class_prior)} is below the "
                    f"labelled fraction {fraction:.4g} of y: under SCAR every "
                    "labelled row is positive, so the prior is at least that "
                    "fraction."
                )
            estimate = _from_class_prior(self.class_prior, fraction, n)
        else:
            estimate = _estimate_prior(
                self.prior_method,
                X,
                labeled,
                scores,
                max_samples=1000,
                random_state=rng,
                weight=sample_weight,
            )
            if self.prior_method not in SCORE_METHODS:
                # KM and TIcE ignore weights: keep their label frequency, which
                # weights that depend on x leave alone under SCAR (c = P(s = 1 |
                # y = 1)), re-paired with the weighted labelled fraction; their
                # prior moves with the weights. The score methods' c already
                # comes from weighted means and fraction.
                estimate = _from_label_frequency(estimate.label_frequency, fraction, n)
        self.class_prior_, self.label_frequency_ = (float(v) for v in estimate)
        log_progress(
            self.verbose,
            f"class prior {self.class_prior_:.4f}, label frequency "
            f"{self.label_frequency_:.4f}",
        )

    def _prepare(self, X, y, pred_proba, sample_weight, fit_params, need_scores):
        """Validate, route, compute scores if needed and settle the prior.

        The last value is the base fitted on every row for out-of-bag scores
        (``cv="oob"``), or ``None``.
        """
        X, checked, y, labeled = self._validate_inputs(X, y)
        if sample_weight is not None:
            sample_weight = check_row_weights(sample_weight, labeled.shape[0])
        rng = check_random_state(self.random_state)
        params, groups = self._route(fit_params, sample_weight)
        if sample_weight is None:
            # Weights the base takes under an alias weigh the rest too, so the
            # whole fit reads one weighting, checked as a direct one is.
            base = self._base_estimator()
            key = _weight_key(base)
            if params.get(key) is not None:
                sample_weight = check_row_weights(
                    params[key], labeled.shape[0], name=_weight_alias(base, key)
                )
        if sample_weight is not None:
            _check_labelled_weight(sample_weight, labeled)
        scores = fitted = None
        if need_scores or self._needs_scores() or pred_proba is not None:
            scores, fitted = self._scores(
                X, y, labeled, pred_proba, params, rng, groups
            )
        # The weights weigh the prior and the PU risk whether or not the base
        # gets them too (under routing, a base may decline them); the
        # feature-based priors (KM, TIcE) read the validated array.
        self._settle_prior(checked, labeled, scores, rng, sample_weight)
        return X, labeled, scores, params, rng, sample_weight, fitted

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = _default_estimator() if self.estimator is None else self.estimator
        base_tags = base.__sklearn_tags__()
        tags.input_tags.sparse = base_tags.input_tags.sparse
        tags.input_tags.allow_nan = base_tags.input_tags.allow_nan
        tags.classifier_tags.multi_class = False
        tags.target_tags.required = True
        return tags


def _with_user_weight(params, weight, base):
    """``params`` with the user's row weights, routed to the base or not.

    The stacked fits hand the base their own PU weights in any case, so the
    user's weights belong in them even when the base declined ``sample_weight``
    under metadata routing; a Pipeline base's alias for them goes, as the
    weights reach its final step as ``sample_weight`` (with ours folded in).
    """
    if weight is None:
        return params
    alias = _weight_key(base)
    params = {key: value for key, value in params.items() if key != alias}
    return {**params, "sample_weight": weight}


def _stacked_fit(estimator, X, rows, labels, weights, params):
    """Fit ``estimator`` on the rows ``rows`` of ``X`` (repeats allowed)."""
    params = dict(params)
    user_weight = params.pop("sample_weight", None)
    if user_weight is not None:
        weights = weights * np.asarray(user_weight, dtype=np.float64)[rows]
    keep = weights != 0
    # Zero-weight rows are dropped (negative weights are kept: the signed
    # unbiased risk's), unless that would leave a single class (every unlabelled
    # row judged positive), which most bases refuse to fit.
    if np.unique(labels[keep]).shape[0] == np.unique(labels).shape[0]:
        rows, labels, weights = rows[keep], labels[keep], weights[keep]
    params = _check_method_params(X, params=params, indices=rows)
    _fit_weighted(
        estimator,
        _safe_indexing(X, rows),
        labels,
        sample_weight=weights,
        weights_are_ours=True,
        **params,
    )
    return estimator


def _positive_column(estimator, X):
    """P(label 1 | x) from an estimator fitted on 0/1 labels."""
    proba = np.asarray(estimator.predict_proba(X), dtype=np.float64)
    classes = list(estimator.classes_)
    if 1 not in classes:
        return np.zeros(proba.shape[0])
    return proba[:, classes.index(1)]


_COMMON_DOC = """
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``; ``None`` means
        ``LogisticRegression(max_iter=1000)``. It is cloned, never fitted in place."""


class _MatchPriorMixin:
    """The ``match_prior`` step of the classifiers that read a posterior off a
    fitted base (Elkan-Noto, bagging): one shift of its logits, fitted on the
    training rows, applied to every prediction."""

    def _settle_prior_shift(self, posterior, weight):
        """Set ``prior_shift_``: the shift of the logits of ``posterior()``, the
        training rows' :math:`P(y = 1 \\mid x)`, that makes their (weighted)
        mean the prior; 0 when nothing is matched."""
        self.prior_shift_ = 0.0
        if self.match_prior and self.label_frequency_ < 1.0:
            self.prior_shift_ = _prior_shift(
                _logits(posterior()), self.class_prior_, weight
            )

    def _shifted(self, proba):
        """``proba`` with ``prior_shift_`` added to its logits (as is at 0)."""
        if self.prior_shift_ == 0.0:
            return proba
        return special.expit(_logits(proba) + self.prior_shift_)


class ElkanNotoClassifier(_MatchPriorMixin, _BasePUClassifier):
    r"""Elkan and Noto's PU classifier: rescale a classifier of the labels.

    Under SCAR, :math:`P(s = 1 \mid x) = c\,P(y = 1 \mid x)`, so a calibrated
    classifier :math:`g` of the PU labels :math:`s` gives
    :math:`P(y = 1 \mid x) = g(x) / c` (clipped to 1). The base is fitted once on
    every row; :math:`c` comes from ``class_prior`` or is estimated. By default
    (``match_prior``) the logits of :math:`g(x) / c` are then shifted so that
    their mean over the training rows is the class prior, which corrects a base
    whose probabilities are not calibrated.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba`` whose probabilities are
        reasonably calibrated; ``None`` means ``LogisticRegression(max_iter=1000)``.
    class_prior : float in (0, 1), default=None
        Known :math:`\pi = P(y = 1)` among the training rows; then
        :math:`c = P(s = 1) / \pi`. ``None`` estimates it with ``prior_method``.
    prior_method : str, default="dedpul"
        One of ``"e1"``, ``"e2"``, ``"e3"``, ``"dedpul"``, ``"bbe"`` (from
        out-of-sample scores of :math:`s`; see :func:`estimate_label_frequency`)
        or ``"km1"``, ``"km2"``,
        ``"tice"`` (from the features; see :func:`estimate_class_prior`).
    match_prior : bool, default=True
        Shift the logits of :math:`g(x) / c` by one constant, chosen so that
        their mean over the training rows (weighted by ``sample_weight``) is
        the class prior, as :class:`WeightedElkanNotoClassifier` does for its
        weights. ``False`` gives Elkan and Noto's :math:`g(x) / c` as it is.
    cv : int, cross-validation generator, iterable or "oob", default=5
        Folds of the out-of-sample scores; an int gives a shuffled stratified
        K-fold on the PU labels, so each fold keeps labelled positives.
        ``"oob"`` fits a bagged base (a random forest, extra trees with
        ``bootstrap=True``, ``BaggingClassifier``) once and scores each row by
        the members whose bootstrap left it out, as
        :class:`ClassPriorEstimator` does: that fit is kept as ``estimator_``, so the
        whole fit is one fit of the base instead of six.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` marking labelled positives.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the prior estimators.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base fitted on every row to predict :math:`s`.
    classes_ : ndarray of shape (2,)
        The two values of ``y``; ``predict`` returns them as the *true* class.
    class_prior_ : float
        :math:`\pi`, given or estimated.
    label_frequency_ : float
        :math:`c = P(s = 1 \mid y = 1)`.
    prior_shift_ : float
        The shift added to the logits of :math:`g(x) / c` (0 without
        ``match_prior`` or with :math:`c = 1`).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    WeightedElkanNotoClassifier : Refit with weighted unlabelled rows instead.
    UnbiasedPUClassifier : Minimise the unbiased PU risk instead.

    Notes
    -----
    With ``class_prior`` equal to the labelled fraction (:math:`c = 1`, every
    positive labelled) this is the base fitted on the labels.

    The division by :math:`c` is exact only for a calibrated :math:`g`. A
    logistic regression of :math:`s` is not one where the classes are not
    linearly separable from the labelled ones, or with few labelled rows, and
    its decision :math:`g(x) > c/2` then lands on the wrong side of many rows
    even with an accurate :math:`c`. Pinning the posteriors' mean to the prior
    [2]_ moves that cut back: on the development seeds of the PU benchmark
    (100 to 105; 100 to 102 on its 20k-row set) it raised accuracy on
    ``breast_cancer`` at :math:`c = 0.1` from 0.733 to 0.803, and on even
    against odd digits from 0.693 to 0.737, and moved it by -0.006 to -0.001 on
    the 20k set, where F1 rose by 0.002 to 0.006.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920.
    .. [2] M. Saerens, P. Latinne, C. Decaestecker, "Adjusting the Outputs of a
       Classifier to New a Priori Probabilities: A Simple Procedure", Neural
       Computation 14(1):21-41, 2002.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import ElkanNotoClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> s = make_pu_labels(y_train, 0.5, random_state=0)
    >>> model = ElkanNotoClassifier(random_state=0).fit(X_train, s)
    >>> print(f"{model.score(X_test, y_test):.2f}")
    0.9...
    """

    _parameter_constraints: dict = {
        **_BasePUClassifier._parameter_constraints,
        "match_prior": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        class_prior=None,
        prior_method="dedpul",
        match_prior=True,
        cv=5,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.match_prior = match_prior
        self.cv = cv
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Fit the base on the PU labels and settle :math:`c`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives, one other value on
            unlabelled rows.
        pred_proba : array-like of shape (n_samples,) or (n_samples, 2), default=None
            Precomputed out-of-sample :math:`P(s = 1 \\mid x)`; no cross-fitting
            runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: they weigh the prior estimate and are passed to the
            base estimator. Under metadata routing a base that declines them
            (``set_fit_request(sample_weight=False)``) is fitted without them,
            while the prior still reads them.
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : ElkanNotoClassifier
            The fitted classifier.
        """
        if sample_weight is not None:
            check_base_takes_weights(self._base_estimator())
        X, labeled, _, params, _, weight, fitted = self._prepare(
            X, y, pred_proba, sample_weight, fit_params, need_scores=False
        )
        if fitted is None:
            self.estimator_ = clone(self._base_estimator())
            _fit_weighted(self.estimator_, X, labeled.astype(np.int8), **params)
        else:
            # The out-of-bag scores came from the base fitted on every row with
            # these parameters: the very fit g needs, so it is kept, not redone.
            self.estimator_ = fitted
        # g / c assumes a calibrated g; a base that is not (a misspecified or
        # heavily regularised one) moves the posteriors' mean off the prior,
        # and with it the 0.5 cut. Pinning the mean to the prior on the
        # training rows corrects that, as the weighted variant does.
        self._settle_prior_shift(lambda: self._rescaled(X), weight)
        return self

    def _rescaled(self, X):
        """Elkan and Noto's :math:`g(x) / c`, at most 1."""
        return np.minimum(
            _positive_column(self.estimator_, X) / self.label_frequency_, 1.0
        )

    def _positive_proba(self, X):
        return self._shifted(self._rescaled(X))


def _match_prior(proba, prior, weight=None):
    """Shift the logits of ``proba`` so that their mean is ``prior``.

    EM's posteriors drift towards the labelled fraction when the model is
    misspecified; pinning their mean to the class prior (as Saerens et al. do for
    a known test prior) keeps the expected number of positives right.
    """
    logits = _logits(proba)
    return special.expit(logits + _prior_shift(logits, prior, weight))


def _logits(proba):
    return special.logit(np.clip(proba, 1e-9, 1.0 - 1e-9))


def _prior_shift(logits, prior, weight=None):
    """The shift of ``logits`` that makes the mean of their sigmoid ``prior``."""
    weights = None if weight is None else np.asarray(weight, dtype=np.float64)
    low, high = -50.0, 50.0
    # Bisection on the shift: the mean is increasing in it. Vectorised over rows,
    # 60 halvings reach float64 resolution on the shift.
    for _ in range(60):
        middle = 0.5 * (low + high)
        if np.average(special.expit(logits + middle), weights=weights) < prior:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


class WeightedElkanNotoClassifier(_BasePUClassifier):
    r"""Elkan and Noto's weighted PU classifier, refined by EM.

    Each unlabelled row is split into a positive with weight

    .. math:: w(x) = P(y = 1 \mid x, s = 0) = \frac{(1 - c) f(x)}{1 - c f(x)}

    and a negative with weight :math:`1 - w(x)`, labelled rows being positives of
    weight 1, and the base is refitted on these rows. The first :math:`f` is
    :math:`g / c` from out-of-sample scores :math:`g(x) \approx P(s = 1 \mid x)`,
    which is Elkan and Noto's weighting; each further iteration recomputes the
    weights from the refitted model's :math:`f`, an EM algorithm for the SCAR
    likelihood, with the posteriors' mean pinned to the class prior
    (``match_prior``). The final base predicts :math:`P(y = 1 \mid x)` directly.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier whose ``fit`` takes ``sample_weight``; ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    class_prior : float in (0, 1), default=None
        Known :math:`\pi` among the training rows; ``None`` estimates it with
        ``prior_method``.
    prior_method : str, default="dedpul"
        The prior estimator when ``class_prior`` is None; see
        :class:`ElkanNotoClassifier`.
    max_iter : int, default=30
        Refits at most; the weights typically settle within 10 to 15.
        ``max_iter=1`` with ``match_prior=False`` is Elkan and Noto's single
        weighted refit.
    tol : float, default=1e-3
        Stop when the mean absolute change of the unlabelled rows' weights falls
        below it.
    match_prior : bool, default=True
        Shift the posteriors' logits so that their mean over the training rows
        is the class prior before computing the weights.
    cv : int, cross-validation generator, iterable or "oob", default=5
        Folds of the out-of-sample scores.
        ``"oob"`` fits a bagged base (a random forest, extra trees with
        ``bootstrap=True``, ``BaggingClassifier``) once and scores each row by
        the members whose bootstrap left it out, as
        :class:`ClassPriorEstimator` does.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` marking labelled positives.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the prior estimators.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base refitted on the weighted rows in the last iteration.
    classes_ : ndarray of shape (2,)
        The two values of ``y``.
    class_prior_ : float
        :math:`\pi`, given or estimated.
    label_frequency_ : float
        :math:`c`.
    unlabeled_weights_ : ndarray of shape (n_samples,)
        :math:`w(x)` of each training row in the last refit (1 on labelled rows).
    n_iter_ : int
        Refits run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    ElkanNotoClassifier : Rescale the scores without refitting.

    Notes
    -----
    With ``class_prior`` equal to the labelled fraction every weight is 0 and this
    is the base fitted on the labels. A ``ConvergenceWarning`` is raised when
    ``max_iter > 1`` refits end before the weights settle. A flexible base that
    interpolates its training rows (a deep tree) reproduces the weights it was
    given, so the iterations leave it where Elkan and Noto's weights put it.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920.
    .. [2] G. Ward, T. Hastie, S. Barry, J. Elith, J. R. Leathwick, "Presence-Only
       Data and the EM Algorithm", Biometrics 65(2):554-563, 2009,
       doi:10.1111/j.1541-0420.2008.01116.x (EM for positive-unlabeled data with
       a known prior).
    .. [3] M. Saerens, P. Latinne, C. Decaestecker, "Adjusting the Outputs of a
       Classifier to New a Priori Probabilities: A Simple Procedure", Neural
       Computation 14(1):21-41, 2002 (matching posteriors to a prior).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import WeightedElkanNotoClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> s = make_pu_labels(y_train, 0.5, random_state=0)
    >>> model = WeightedElkanNotoClassifier(random_state=0).fit(X_train, s)
    >>> print(f"{model.score(X_test, y_test):.2f}")
    0.9...
    """

    _parameter_constraints: dict = {
        **_BasePUClassifier._parameter_constraints,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "match_prior": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        class_prior=None,
        prior_method="dedpul",
        max_iter=30,
        tol=1e-3,
        match_prior=True,
        cv=5,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.max_iter = max_iter
        self.tol = tol
        self.match_prior = match_prior
        self.cv = cv
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Weight the unlabelled rows and refit the base until the weights settle.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives.
        pred_proba : array-like of shape (n_samples,) or (n_samples, 2), default=None
            Precomputed out-of-sample :math:`P(s = 1 \\mid x)`; no cross-fitting
            runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: they weigh the prior estimate and are multiplied into
            the PU weights the base gets (also when, under metadata routing,
            the base declines ``sample_weight``: the PU weights reach it anyway).
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled), repeated for the duplicated rows.
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : WeightedElkanNotoClassifier
            The fitted classifier.
        """
        base = self._weighted_base()
        X, labeled, scores, params, _, weight, _ = self._prepare(
            X, y, pred_proba, sample_weight, fit_params, need_scores=True
        )
        # The base always gets the PU weights; the user's multiply them.
        params = _with_user_weight(params, weight, base)
        c, prior = self.label_frequency_, self.class_prior_
        n = labeled.shape[0]
        unlabeled = np.flatnonzero(~labeled)
        rows = np.concatenate([np.arange(n), unlabeled])
        labels = np.concatenate(
            [np.ones(n, dtype=np.int8), np.zeros(unlabeled.shape[0], dtype=np.int8)]
        )

        def weights_from(posterior):
            if self.match_prior and c < 1.0:
                posterior = _match_prior(posterior, prior, weight)
            odds = (1.0 - c) * posterior / (1.0 - c * posterior)
            return np.where(labeled, 1.0, np.clip(odds, 0.0, 1.0))

        weights = weights_from(np.minimum(scores / c, 1.0))
        start = time.perf_counter()
        for iteration in range(1, self.max_iter + 1):
            row_weights = np.concatenate([weights, 1.0 - weights[unlabeled]])
            self.estimator_ = _stacked_fit(
                clone(base), X, rows, labels, row_weights, params
            )
            self.n_iter_ = iteration
            self.unlabeled_weights_ = weights
            if self.max_iter == 1:
                break
            posterior = np.minimum(_positive_column(self.estimator_, X), _MAX_SCORE)
            new = weights_from(posterior)
            change = float(np.abs(new - weights)[unlabeled].mean())
            weights = new
            log_progress(
                self.verbose,
                f"refit {iteration}: weight change {change:.2e}",
                level=2,
                start_time=start,
            )
            if change < self.tol:
                break
        else:
            warnings.warn(
                f"{type(self).__name__} stopped after max_iter={self.max_iter} refits "
                f"with the weights still moving (mean change above tol={self.tol});"
                " raise max_iter or tol.",
                ConvergenceWarning,
                stacklevel=_user_stacklevel(),
            )
        return self

    def _positive_proba(self, X):
        return _positive_column(self.estimator_, X)


def _drops_negative_weights(step):
    """liblinear drops rows of weight <= 0 before it solves, so signed weights
    would have it fit another problem without a word."""
    return getattr(step, "solver", None) == "liblinear"


def _takes_signed_weights(base):
    """True when ``base`` (or a Pipeline's last step) is a regularised logistic
    regression without class weights, whose solver honours negative row
    weights: its unbiased PU risk then stays convex and bounded below.

    Class weights would rescale the two copies of a labelled row unequally and
    break the identity the convexity rests on; without a penalty the risk is
    unbounded below wherever a hyperplane separates the labelled rows from the
    unlabelled ones (few labelled rows in many dimensions), and the solver
    runs off to infinity; liblinear would fit another problem. Subclasses
    (``LogisticRegressionCV``, whose grid of ``Cs`` reaches nearly
    unpenalised fits) are left out.
    """
    step, _ = _weighted_step(base)
    if type(step) is not LogisticRegression or step.class_weight is not None:
        return False
    if _drops_negative_weights(step):
        return False
    # ``penalty`` is deprecated from scikit-learn 1.8 on (C=np.inf instead).
    penalty = getattr(step, "penalty", "l2")
    return penalty not in (None, "none") and bool(np.isfinite(step.C))


class UnbiasedPUClassifier(_BasePUClassifier):
    r"""Minimise the unbiased PU risk through ``sample_weight``.

    The risk on the true labels, :math:`\pi E_P[\ell(f, +1)] + (1 - \pi)
    E_N[\ell(f, -1)]`, rewritten with the labelled (:math:`L`) and unlabelled
    (:math:`U`) rows of one SCAR sample (du Plessis et al., 2014), is

    .. math:: \pi E_L[\ell(f, +1)] - \pi (1 - c) E_L[\ell(f, -1)]
              + (1 - \pi c) E_U[\ell(f, -1)].

    Per row, that is a weight of :math:`1/c` on each labelled row as a
    positive, :math:`-(1 - c)/c` on the same row as a negative and 1 on each
    unlabelled row as a negative. Two ways of handing it to a base
    (``weighting``):

    - ``"signed"``: those weights as they are, the negative one included. For a
      loss with :math:`\ell(z, +1) - \ell(z, -1) = -z`, as the logistic loss,
      each labelled row's two terms sum to :math:`\ell(f, -1) - f/c`, so the
      risk stays convex (du Plessis et al., 2015) and the base's probability
      is read as :math:`P(y = 1 \mid x)` with no mapping. The base must
      honour negative weights: liblinear drops those rows (so it is refused
      here), and some estimators fail on them (from Python 3.11 on, their
      error then carries a note naming the weighting).
    - ``"symmetric"``: for a symmetric loss (:math:`\ell(z, +1) + \ell(z, -1)
      = 1`, as the 0-1 loss) the negative term becomes a positive one, leaving a
      cost-sensitive problem with non-negative weights that any base takes: the
      base is fitted on the PU labels with weight :math:`(2 - c)/c` on labelled
      rows and 1 on unlabelled rows. Its Bayes-optimal decision is
      :math:`P(y = 1 \mid x) > 1/2`, and its probability :math:`p_w` maps back
      to :math:`P(y = 1 \mid x) = p_w / ((2 - c) - 2 (1 - c) p_w)`, clipped
      to 1.

    With a logistic regression the signed form is far more accurate: on
    ``load_breast_cancer`` with 10 % of the positives labelled and the true
    prior, 0.88 test accuracy against 0.70 (seeds 0 to 2; the benchmarks page
    has the numbers). Its probabilities are overconfident, though. Its
    empirical risk goes below zero, which the logistic loss never does on
    true labels: the overfitting that nnPU corrects
    (:class:`~skrobust.neural.PUNeuralNetClassifier`), held in check here
    only by the base's penalty. There, at ``C=1``, 99 % of the test rows were
    scored at least 0.9 either way (many at exactly 0 or 1), and the test
    log-loss was 4.7 against 1.1 for the symmetric form; at ``C=0.1``, 1.4
    against 0.6, with accuracy
    0.84 against 0.76 (development seeds 100 to 103). Use a smaller ``C``, or
    the symmetric form, where the probabilities matter (thresholds,
    confidence filters).

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier whose ``fit`` takes ``sample_weight``; ``None`` means
        ``LogisticRegression(max_iter=1000)``.
    class_prior : float in (0, 1), default=None
        Known :math:`\pi` among the training rows; ``None`` estimates it with
        ``prior_method``.
    prior_method : str, default="dedpul"
        The prior estimator when ``class_prior`` is None; see
        :class:`ElkanNotoClassifier`.
    weighting : {"auto", "signed", "symmetric"}, default="auto"
        How the risk reaches the base (above). ``"auto"`` is ``"signed"`` for a
        :class:`~sklearn.linear_model.LogisticRegression` with a finite ``C``,
        no ``class_weight`` and a solver other than liblinear, alone or as a
        Pipeline's last step, and ``"symmetric"`` for any other base (its
        subclass ``LogisticRegressionCV`` included): without a penalty the
        signed risk is unbounded below once the labelled rows can be separated
        from the unlabelled ones. With a Pipeline base and ``"signed"``, steps
        before the last that are not handed ``sample_weight`` (without
        metadata routing, all of them) see each labelled row twice.
    cv : int, cross-validation generator, iterable or "oob", default=5
        Folds of the out-of-sample scores (score-based prior methods only).
        ``"oob"`` fits a bagged base (a random forest, extra trees with
        ``bootstrap=True``, ``BaggingClassifier``) once and scores each row by
        the members whose bootstrap left it out, as
        :class:`ClassPriorEstimator` does.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` marking labelled positives.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the prior estimators.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base fitted on the weighted problem.
    weighting_ : {"signed", "symmetric"}
        The weighting used.
    classes_ : ndarray of shape (2,)
        The two values of ``y``.
    class_prior_ : float
        :math:`\pi`, given or estimated.
    label_frequency_ : float
        :math:`c`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    WeightedElkanNotoClassifier : Weight the unlabelled rows by their posterior.
    skrobust.losses.UnbiasedPULoss : The uPU risk of any loss, in torch.

    Notes
    -----
    With a surrogate loss that is not symmetric (the logistic loss of
    ``LogisticRegression``) the symmetric form is a classification-calibrated
    surrogate of the weighted 0-1 risk, not the surrogate's own unbiased risk;
    for a linear model the two minimisers differ, which is why the signed form
    wins with one. With ``class_prior`` equal to the labelled fraction
    (:math:`c = 1`) both forms are the base fitted on the labels.

    References
    ----------
    .. [1] M. C. du Plessis, G. Niu, M. Sugiyama, "Analysis of Learning from
       Positive and Unlabeled Data", NeurIPS 2014.
    .. [2] M. C. du Plessis, G. Niu, M. Sugiyama, "Convex Formulation for
       Learning from Positive and Unlabeled Data", ICML 2015 (the signed form).
    .. [3] C. Elkan, "The Foundations of Cost-Sensitive Learning", IJCAI 2001
       (the weights that move a decision threshold).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import UnbiasedPUClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> s = make_pu_labels(y_train, 0.5, random_state=0)
    >>> model = UnbiasedPUClassifier(class_prior=y_train.mean()).fit(X_train, s)
    >>> model.weighting_
    'signed'
    >>> print(f"{model.score(X_test, y_test):.2f}")
    0.9...
    """

    _parameter_constraints: dict = {
        **_BasePUClassifier._parameter_constraints,
        "weighting": [StrOptions({"auto", "signed", "symmetric"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        class_prior=None,
        prior_method="dedpul",
        weighting="auto",
        cv=5,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.weighting = weighting
        self.cv = cv
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Fit the base on the weighted form of the unbiased PU risk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives.
        pred_proba : array-like of shape (n_samples,) or (n_samples, 2), default=None
            Precomputed out-of-sample :math:`P(s = 1 \\mid x)` for a score-based
            ``prior_method``; no cross-fitting runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: they weigh the prior estimate and are multiplied into
            the risk weights the base gets (also when, under metadata routing,
            the base declines ``sample_weight``: the risk weights reach it
            anyway).
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : UnbiasedPUClassifier
            The fitted classifier.
        """
        base = self._weighted_base()
        weighting = self.weighting
        if weighting == "auto":
            weighting = "signed" if _takes_signed_weights(base) else "symmetric"
        if weighting == "signed" and _drops_negative_weights(_weighted_step(base)[0]):
            raise ValueError(
                "weighting='signed' needs a solver that honours negative sample "
                "weights; liblinear drops those rows and would fit another "
                "problem. Use another solver (lbfgs, newton-cholesky, saga) or "
                "weighting='symmetric'."
            )
        X, labeled, _, params, _, weight, _ = self._prepare(
            X, y, pred_proba, sample_weight, fit_params, need_scores=False
        )
        params = _with_user_weight(params, weight, base)
        c = self.label_frequency_
        n = labeled.shape[0]
        if weighting == "signed":
            # Every row once (labelled rows positive), then each labelled row
            # again as a negative of negative weight.
            positives = np.flatnonzero(labeled)
            rows = np.concatenate([np.arange(n), positives])
            labels = np.concatenate(
                [labeled.astype(np.int8), np.zeros(positives.shape[0], np.int8)]
            )
            row_weights = np.concatenate(
                [
                    np.where(labeled, 1.0 / c, 1.0),
                    np.full(positives.shape[0], -(1.0 - c) / c),
                ]
            )
        else:
            rows = np.arange(n)
            labels = labeled.astype(np.int8)
            row_weights = np.where(labeled, (2.0 - c) / c, 1.0)
        try:
            self.estimator_ = _stacked_fit(
                clone(base), X, rows, labels, row_weights, params
            )
        except Exception as exc:
            # add_note is Python 3.11's; on 3.10 the base's error stands alone.
            if (
                weighting == "signed"
                and not _takes_signed_weights(base)
                and hasattr(exc, "add_note")
            ):
                exc.add_note(
                    "UnbiasedPUClassifier: weighting='signed' gives the base "
                    "negative sample weights; for a base that cannot take them, "
                    "use weighting='symmetric'."
                )
            raise
        self.weighting_ = weighting
        return self

    def _positive_proba(self, X):
        weighted = _positive_column(self.estimator_, X)
        if self.weighting_ == "signed":
            return weighted
        c = self.label_frequency_
        return weighted / ((2.0 - c) - 2.0 * (1.0 - c) * weighted)


def _fit_bag_chunk(base, X, positives, unlabeled, seeds, n_draw, bootstrap, params):
    """Fit one chunk of bagged models; return them with their score sums over
    every training row and over the rows out of each model's bag."""
    n = X.shape[0]
    score_sum = np.zeros(n)
    oob_sum = np.zeros(n)
    oob_count = np.zeros(n, dtype=np.int64)
    models = []
    sample_weight = params.get("sample_weight")
    for seed in seeds:
        rng = np.random.RandomState(seed)
        drawn = rng.choice(unlabeled, size=n_draw, replace=bootstrap)
        rows = np.concatenate([positives, drawn])
        labels = np.concatenate(
            [np.ones(positives.shape[0], np.int8), np.zeros(n_draw, np.int8)]
        )
        weights = (
            np.ones(rows.shape[0])
            if sample_weight is None
            else np.asarray(sample_weight, dtype=np.float64)[rows]
        )
        rest = {k: v for k, v in params.items() if k != "sample_weight"}
        rest = _check_method_params(X, params=rest, indices=rows)
        model = clone(base)
        # Seeded per model, so results do not depend on n_jobs; nested seeds
        # too (a forest inside a pipeline), as scikit-learn's bagging does.
        nested = dict.fromkeys(_random_state_params(model), int(seed))
        if nested:
            model.set_params(**nested)
        if sample_weight is not None:
            rest["sample_weight"] = weights
        _fit_weighted(model, _safe_indexing(X, rows), labels, **rest)
        # Most rows are out of the bag (it holds the labelled rows and as many
        # unlabelled ones), so one pass over every row serves both sums.
        scores = _positive_column(model, X)
        score_sum += scores
        out = np.ones(n, dtype=bool)
        out[drawn] = False
        out[positives] = False
        oob_sum[out] += scores[out]
        oob_count[out] += 1
        models.append(model)
    return models, score_sum, oob_sum, oob_count


class BaggingPUClassifier(_MatchPriorMixin, _BasePUClassifier):
    r"""Bagging PU classifier: labelled rows against random unlabelled subsets.

    Each of ``n_estimators`` clones of the base learns the labelled rows
    (positive) against a random draw of unlabelled rows (negative) (Mordelet and
    Vert, 2014); their scores are averaged. Each such model estimates the density
    ratio of positives to unlabelled rows, which the class prior turns into a
    calibrated :math:`P(y = 1 \mid x)`.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``; ``None`` means
        ``LogisticRegression(max_iter=1000)``. Unstable learners (deep trees)
        gain most from bagging.
    n_estimators : int, default=50
        Number of bagged models.
    max_samples : int, float or None, default=None
        Unlabelled rows drawn per model: an int, a fraction of the unlabelled
        rows, or ``None`` for as many as there are labelled rows (balanced
        problems, as Mordelet and Vert recommend).
    bootstrap : bool, default=True
        Draw the unlabelled rows with replacement.
    class_prior : float in (0, 1), default=None
        Known :math:`\pi` among the training rows; ``None`` estimates it with
        ``prior_method``.
    prior_method : str, default="dedpul"
        The prior estimator when ``class_prior`` is None; see
        :class:`ElkanNotoClassifier`.
    match_prior : bool, default=True
        Shift the logits of the posteriors by one constant, chosen so that
        their mean over the training rows (weighted by ``sample_weight``) is
        the class prior, as :class:`ElkanNotoClassifier` does. ``False``
        keeps the posteriors the density ratio gives.
    cv : int, cross-validation generator, iterable or "oob", default=5
        Folds of the out-of-sample scores (score-based prior methods only).
        ``"oob"`` fits a bagged base (a random forest, extra trees with
        ``bootstrap=True``, ``BaggingClassifier``) once and scores each row by
        the members whose bootstrap left it out, as
        :class:`ClassPriorEstimator` does.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` marking labelled positives.
    n_jobs : int, default=None
        Models (and prior folds) fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws, the folds, the prior estimators and the base: every
        bagged model gets a seed of its own (as in scikit-learn's bagging), and
        the cross-fit behind an estimated prior seeds a base left unseeded.
        Results do not depend on ``n_jobs`` (beyond the last bit of the
        summed scores, which each job adds up over its own models).
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The fitted bagged models.
    classes_ : ndarray of shape (2,)
        The two values of ``y``.
    class_prior_ : float
        :math:`\pi`, given or estimated.
    label_frequency_ : float
        :math:`c`.
    prior_shift_ : float
        The shift added to the posteriors' logits (0 without ``match_prior``
        or with :math:`c = 1`).
    oob_scores_ : ndarray of shape (n_samples,)
        Mean out-of-bag score of each unlabelled training row (NaN for labelled
        rows and rows never out of bag): Mordelet and Vert's transductive output.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    ElkanNotoClassifier : One model of every row instead.

    Notes
    -----
    A model trained on :math:`n_L` labelled rows against :math:`K` unlabelled
    ones outputs :math:`r(x)` with :math:`p_+(x)/p_U(x) = (K/n_L)\,r/(1-r) =
    \rho(x)`; with :math:`p_L = n_L/N`, the posterior is
    :math:`P(y = 1 \mid x) = \pi / (p_L + (1 - p_L)/\rho(x))`, which reaches 1
    where only positives live.

    References
    ----------
    .. [1] F. Mordelet, J.-P. Vert, "A bagging SVM to learn from positive and
       unlabeled examples", Pattern Recognition Letters 37:201-209, 2014,
       arXiv:1010.0772.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import BaggingPUClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> s = make_pu_labels(y_train, 0.5, random_state=0)
    >>> model = BaggingPUClassifier(n_estimators=20, random_state=0)
    >>> print(f"{model.fit(X_train, s).score(X_test, y_test):.2f}")
    0.9...
    """

    _parameter_constraints: dict = {
        **_BasePUClassifier._parameter_constraints,
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="right"),
            None,
        ],
        "bootstrap": ["boolean"],
        "match_prior": ["boolean"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        max_samples=None,
        bootstrap=True,
        class_prior=None,
        prior_method="dedpul",
        match_prior=True,
        cv=5,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.bootstrap = bootstrap
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.match_prior = match_prior
        self.cv = cv
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _cross_fit_base(self, rng):
        # As each bagged model, the prior's cross-fit seeds the base's own
        # randomness (an unseeded forest, say), so that the estimate, and the
        # result, depend neither on n_jobs nor on the run. The seed is read off a
        # copy of ``rng``: the draws that follow, and so every result with a
        # deterministic or seeded base, stay as they were.
        base = self._base_estimator()
        unseeded = [k for k, v in _random_state_params(base).items() if v is None]
        if not unseeded:
            return base
        seed = int(copy.deepcopy(rng).randint(np.iinfo(np.int32).max))
        return clone(base).set_params(**dict.fromkeys(unseeded, seed))

    def _n_draw(self, n_labeled, n_unlabeled):
        if self.max_samples is None:
            n_draw = n_labeled
        elif isinstance(self.max_samples, Integral):
            n_draw = int(self.max_samples)
        else:
            n_draw = max(1, int(round(self.max_samples * n_unlabeled)))
        if not self.bootstrap and n_draw > n_unlabeled:
            if self.max_samples is None:
                return n_unlabeled
            raise ValueError(
                f"max_samples={self.max_samples!r} asks for {n_draw} unlabelled rows "
                f"without replacement, but y has {n_unlabeled}; lower max_samples or "
                "set bootstrap=True."
            )
        return n_draw

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, sample_weight=None, **fit_params):
        """Fit the bagged models and settle the class prior.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives.
        pred_proba : array-like of shape (n_samples,) or (n_samples, 2), default=None
            Precomputed out-of-sample :math:`P(s = 1 \\mid x)` for a score-based
            ``prior_method``; no cross-fitting runs when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights: they weigh the prior estimate and are passed to every
            bagged model. Under metadata routing a base that declines them
            (``set_fit_request(sample_weight=False)``) is fitted without them,
            while the prior still reads them.
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled), sliced to each model's rows.
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : BaggingPUClassifier
            The fitted classifier.
        """
        base = self._base_estimator()
        if sample_weight is not None:
            check_base_takes_weights(base)
        X, labeled, _, params, rng, row_weight, _ = self._prepare(
            X, y, pred_proba, sample_weight, fit_params, need_scores=False
        )
        start = time.perf_counter()
        positives = np.flatnonzero(labeled)
        unlabeled = np.flatnonzero(~labeled)
        n_draw = self._n_draw(positives.shape[0], unlabeled.shape[0])
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        n_chunks = min(self.n_estimators, _effective_jobs(self.n_jobs))
        chunks = np.array_split(seeds, n_chunks)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_bag_chunk)(
                base, X, positives, unlabeled, chunk, n_draw, self.bootstrap, params
            )
            for chunk in chunks
        )
        self.estimators_ = [model for models, *_ in results for model in models]
        score_sum = sum(r[1] for r in results)
        oob_sum = sum(r[2] for r in results)
        oob_count = sum(r[3] for r in results)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_scores_ = np.where(oob_count > 0, oob_sum / oob_count, np.nan)
        # The bagged models' odds are P(s=1|x) / P(s=0|x) under the bags' class
        # balance: the labelled rows' total weight against the expected weight
        # of a draw of unlabelled rows. That balance converts them back to the
        # density ratio.
        routed_weight = params.get(_weight_key(base))
        if routed_weight is None:
            self._ratio_scale = n_draw / positives.shape[0]
        else:
            weight = np.asarray(routed_weight, dtype=np.float64)
            self._ratio_scale = (
                n_draw * weight[unlabeled].mean() / weight[positives].sum()
            )
        # As in ElkanNotoClassifier: the posteriors the density ratio gives are
        # exact only for calibrated models.
        self._settle_prior_shift(
            lambda: self._from_mean_score(score_sum / self.n_estimators), row_weight
        )
        log_progress(
            self.verbose, f"{self.n_estimators} bagged models", start_time=start
        )
        return self

    def _from_mean_score(self, mean):
        r""":math:`P(y = 1 \mid x)` from the bagged models' mean score."""
        mean = np.minimum(mean, _MAX_SCORE)
        ratio = self._ratio_scale * mean / (1.0 - mean)
        labeled_fraction = self.class_prior_ * self.label_frequency_
        with np.errstate(divide="ignore"):
            return self.class_prior_ / (
                labeled_fraction + (1.0 - labeled_fraction) / ratio
            )

    def _positive_proba(self, X):
        mean = np.zeros(X.shape[0])
        for model in self.estimators_:
            mean += _positive_column(model, X)
        return self._shifted(self._from_mean_score(mean / len(self.estimators_)))


def _effective_jobs(n_jobs):
    from joblib import effective_n_jobs

    return max(1, effective_n_jobs(n_jobs))
