"""What the LLP meta-estimators share: the base, routing and prediction."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

from ..utils._routing import _route_fit
from ..utils._sklearn_compat import _routing_enabled, validate_data
from ..utils._validation import _for_base


def _default_estimator():
    # The pseudo-labels the base is fitted on are partly wrong, increasingly so
    # as bags grow; a stronger L2 penalty than scikit-learn's C=1 keeps it from
    # fitting those errors. On development seeds (100 to 102, not the
    # benchmark's) C=0.1 matched C=1 with bags of 8 and gained up to 0.32
    # accuracy with bags of 128 (digits, 10 classes: 0.42 -> 0.74).
    return LogisticRegression(C=0.1, max_iter=1000)


def _estimator_has(attr):
    def check(self):
        base = getattr(self, "estimator_", None)
        if base is None:
            base = self._base_estimator()
        return hasattr(base, attr)

    return check


def _check_instance_labels(y, classes):
    """Refuse bag proportions where ``score`` needs instance labels.

    ``score(X, y)`` is accuracy against instance labels (DESIGN.md); handed the
    proportions ``fit`` takes, scikit-learn's accuracy fails with "can't handle a
    mix of continuous and binary targets", which says nothing of the remedy.
    """
    y = np.asarray(y)
    if y.ndim == 2 or (y.dtype.kind == "f" and not np.isin(y, classes).all()):
        raise ValueError(
            "score(X, y) is accuracy against instance labels, but y holds bag "
            "proportions (2-D, or values outside the classes "
            f"{np.asarray(classes).tolist()!r}). Without instance labels, score "
            "the predicted bag proportions: skrobust.metrics.bag_proportion_scorer"
            "(estimator, X, y, bags=bags), or GridSearchCV(..., cv=BagKFold(5), "
            "scoring=bag_proportion_scorer) with metadata routing enabled."
        )


def _check_same_rows(X, y):
    """Name X and y, not bags, when y's proportions miss rows of X or add some.

    The proportions are checked against the bags first, so without this a
    length mismatch would be reported as bags not matching the rows.
    """
    n_rows, n_targets = _num_samples(X), _num_samples(y)
    if n_rows != n_targets:
        raise ValueError(
            f"X has {n_rows} rows but y has {n_targets}; y must hold the bag "
            "proportions of every row of X."
        )


class _ScoresInstanceLabels:
    """Mixin: ``score`` is accuracy against instance labels, and says so when
    handed bag proportions (the LLP estimators and the DLLP network)."""

    def score(self, X, y, sample_weight=None):
        """Accuracy against instance labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            True instance labels, from ``classes_`` (not bag proportions: a clear
            error names the bag-level scorer to use instead).
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights.

        Returns
        -------
        score : float
            Mean accuracy of ``predict(X)`` against ``y``.
        """
        check_is_fitted(self)
        _check_instance_labels(y, self.classes_)
        return super().score(X, y, sample_weight=sample_weight)


class _BaseLLPClassifier(
    _ScoresInstanceLabels, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """A classifier fitted on pseudo-labels from bags; predicts with its base.

    Subclasses set ``estimator_`` (a fitted classifier on class codes
    ``0..K-1``) and ``classes_`` in ``fit``.
    """

    # Requested by default, so that fit(X, y, bags=b) works with routing off and
    # GridSearchCV routes bags to fit with routing on (DESIGN.md, LLP targets).
    __metadata_request__fit = {"bags": True}
    # fit lists sample_weight among its own requests, so under routing a base
    # may decline the weights without leaving them "routed to no object"; the
    # routing error offers that (see _process_fit).
    _consumes_sample_weight = True

    def _base_estimator(self):
        return _default_estimator() if self.estimator is None else self.estimator

    def _route(self, fit_params, sample_weight):
        """The base's fit parameters and the user weights its fits get.

        Returns ``(params, sample_weight)``: ``params`` without
        ``sample_weight``, which the estimator passes itself (sliced and
        combined with its own weights). With metadata routing on, the user's
        weights reach the base only if it requests them: a base with
        ``set_fit_request(sample_weight=False)`` gets ``None``.
        """
        if not _routing_enabled():
            return dict(fit_params), sample_weight
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        routed = _route_fit(self, fit_params)
        params = {k: v for k, v in routed.items() if k != "sample_weight"}
        return params, routed.get("sample_weight")

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        # The base validates values itself (NaN is fine for a base that takes it).
        checked = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            reset=False,
        )
        return _for_base(X, checked)

    def predict(self, X):
        """Predict the class of each instance.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        X = self._validate_X_predict(X)
        return self.classes_[np.asarray(self.estimator_.predict(X))]

    def predict_proba(self, X):
        """Class probabilities of each instance, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The base's probabilities; a class absent from every pseudo-label
            (a zero proportion in every bag) gets 0.
        """
        X = self._validate_X_predict(X)
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        seen = np.asarray(self.estimator_.classes_)
        if seen.shape[0] == self.classes_.shape[0]:
            return proba
        full = np.zeros((proba.shape[0], self.classes_.shape[0]))
        full[:, seen] = proba
        return full

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        r"""The base's decision function.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The base's decision values, columns in ``classes_`` order; with two
            classes, one column, positive favouring ``classes_[1]``. A class
            absent from every pseudo-label (a zero proportion in every bag) gets
            ``-inf``; if the base saw only two of several classes, its single
            score :math:`d` becomes :math:`\pm d / 2` in their two columns, so
            the arg-max is still the prediction.
        """
        X = self._validate_X_predict(X)
        scores = np.asarray(self.estimator_.decision_function(X))
        seen = np.asarray(self.estimator_.classes_)
        if seen.shape[0] == self.classes_.shape[0]:
            return scores
        full = np.full((scores.shape[0], self.classes_.shape[0]), -np.inf)
        if scores.ndim == 1:
            full[:, seen[0]] = -scores / 2
            full[:, seen[1]] = scores / 2
        else:
            full[:, seen] = scores
        return full

    def get_metadata_routing(self):
        """Route fit metadata to the base; request ``bags`` for this estimator.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` holding this
            estimator's own request (``bags``) and mapping its ``fit`` to the
            base's ``fit``.
        """
        return (
            MetadataRouter(owner=self.__class__.__name__)
            .add_self_request(self)
            .add(
                estimator=self._base_estimator(),
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base_tags = get_tags(self._base_estimator())
        tags.input_tags.sparse = base_tags.input_tags.sparse
        tags.target_tags.required = True
        return tags
