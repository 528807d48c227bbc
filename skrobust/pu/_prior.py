r"""Class-prior and label-frequency estimation for positive-unlabeled data.

Notation: :math:`s` marks labelled positives, :math:`\pi = P(y = 1)` is the class
prior and :math:`c = P(s = 1 \mid y = 1)` the label frequency. Under SCAR the
labelled fraction ties them together: :math:`\pi c = P(s = 1) = n_L / N`, so every
estimator here returns both, consistent with the rows it was given.

Two kinds of estimator, as DESIGN.md fixes:

- :func:`estimate_label_frequency` reads out-of-sample scores
  :math:`g(x) \approx P(s = 1 \mid x)` of a classifier trained to tell labelled
  rows from the rest (Elkan and Noto's e1, e2, e3; DEDPUL; BBE);
- :func:`estimate_class_prior` needs the features (kernel mean embedding KM1/KM2;
  TIcE's tree search).

:class:`ClassPriorEstimator` wraps both behind ``fit(X, y)``.
"""

import warnings
from collections import namedtuple
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import _safe_indexing, check_array, check_random_state, get_tags

from ..utils import SmallClassWarning, check_pu_labels
from ..utils._crossfit import _cross_val_predict_proba
from ..utils._routing import (
    _route_fit_and_groups,
    _RouteFitToBase,
    _weight_alias,
    _weight_key,
)
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _routing_enabled,
    validate_data,
)
from ..utils._validation import (
    _as_1d,
    _as_numeric_array,
    _for_base,
    _show,
    check_base_takes_weights,
    check_row_weights,
)
from ..utils._verbose import log_progress
from ..utils._warnings import _user_stacklevel
from ._split import PUStratifiedKFold

SCORE_METHODS = ("e1", "e2", "e3", "dedpul", "bbe")
FEATURE_METHODS = ("km1", "km2", "tice")
PRIOR_METHODS = SCORE_METHODS + FEATURE_METHODS

PriorEstimate = namedtuple("PriorEstimate", ["class_prior", "label_frequency"])
PriorEstimate.__doc__ = r"""The class prior and label frequency of a PU sample.

Attributes
----------
class_prior : float
    :math:`\pi = P(y = 1)` among the rows the estimate was computed from.
label_frequency : float
    :math:`c = P(s = 1 \mid y = 1)`; ``class_prior * label_frequency`` equals the
    labelled fraction of the rows.
"""


def _random_state_params(estimator):
    """``{name: value}`` of every ``random_state`` parameter of ``estimator``,
    its own and its nested ones (``step__random_state``)."""
    return {
        name: value
        for name, value in estimator.get_params(deep=True).items()
        if name == "random_state" or name.endswith("__random_state")
    }


def _labeled_fraction(labeled, weight=None):
    """The (weighted) share of labelled rows, P(s = 1).

    Weighted, an integer weight counts as that many copies of the row, so the
    fraction and the weighted score means stay consistent.
    """
    if weight is None:
        return float(labeled.mean())
    weight = np.asarray(weight, dtype=np.float64)
    return float(weight[labeled].sum() / weight.sum())


def _from_label_frequency(c, labeled_fraction, n_samples):
    """Clip ``c`` so that the implied prior is a probability, and pair them.

    The prior is kept below 1 by half a row: an estimate saying that every
    unlabelled row is positive leaves nothing to classify and breaks the
    reweighting methods downstream.
    """
    max_prior = 1.0 - 0.5 / n_samples
    c = float(np.clip(c, labeled_fraction / max_prior, 1.0))
    return PriorEstimate(labeled_fraction / c, c)


def _from_class_prior(prior, labeled_fraction, n_samples):
    return _from_label_frequency(
        labeled_fraction / max(float(prior), labeled_fraction),
        labeled_fraction,
        n_samples,
    )


def _positive_scores(pred_proba_s, labeled, s, name="pred_proba_s"):
    """The score column of the labelled class, as float64 in [0, 1]."""
    scores = _as_numeric_array(pred_proba_s, name).astype(np.float64)
    n = labeled.shape[0]
    if scores.ndim == 2 and scores.shape[1] == 2:
        # Columns follow the sorted values of s, as predict_proba of a classifier
        # fitted on s orders them.
        values = np.unique(s)
        column = int(np.flatnonzero(values == s[labeled][0])[0])
        scores = scores[:, column]
    elif scores.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (P(s=1|x) per row) or of shape (n_samples, 2);"
            f" got shape {scores.shape}."
        )
    if scores.shape[0] != n:
        raise ValueError(
            f"{name} must have one row per label ({n}); got {scores.shape[0]}."
        )
    finite = np.isfinite(scores)
    if not np.all(finite) or scores.min() < 0 or scores.max() > 1:
        got = (
            f"values in [{scores[finite].min():.3g}, {scores[finite].max():.3g}]"
            if finite.any()
            else "no finite value"
        )
        raise ValueError(
            f"{name} must hold finite probabilities in [0, 1]; got {got}"
            + (" and non-finite values." if finite.any() and not finite.all() else ".")
        )
    return scores


def _label_frequency_from_scores(scores, labeled, method, weight=None):
    """The score-based estimate of c (before clipping).

    ``weight`` (row weights) makes every mean and count a weighted one, so that
    an integer weight acts as that many copies of the row; DEDPUL's density
    ratio itself stays unweighted.
    """
    w = np.ones(scores.shape[0]) if weight is None else np.asarray(weight, float)
    if method == "e1":
        mass = w[labeled].sum()
        return float(np.dot(w[labeled], scores[labeled]) / mass) if mass > 0 else 1.0
    if method == "e2":
        total = np.dot(w, scores)
        return float(np.dot(w[labeled], scores[labeled]) / total) if total > 0 else 1.0
    if method == "e3":
        return float(scores[w > 0].max())
    labeled_mass, total_mass = w[labeled].sum(), w.sum()
    if method == "bbe":
        from ._bbe import bbe_positive_share

        share = bbe_positive_share(
            scores[labeled],
            scores[~labeled],
            weight_labeled=None if weight is None else w[labeled],
            weight_unlabeled=None if weight is None else w[~labeled],
        )
    else:
        from ._dedpul import dedpul_positive_share

        share = dedpul_positive_share(scores[labeled], scores[~labeled])
    prior = (labeled_mass + share * (total_mass - labeled_mass)) / total_mass
    return labeled_mass / (total_mass * prior) if prior > 0 else 1.0


def _check_method(method, allowed, name="method"):
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(
            f"{name} must be one of {_show(np.array(allowed))}; got {method!r}."
        )


def estimate_label_frequency(s, pred_proba_s, *, method="e1", pos_label=1):
    r"""Estimate the label frequency and class prior from scores of :math:`P(s=1|x)`.

    ``pred_proba_s`` must be *out-of-sample* probabilities of a classifier trained
    to tell labelled positives from the other rows (cross-fitted, e.g. with
    :func:`skrobust.utils.cross_val_predict_proba`): in-sample scores of the
    labelled rows are inflated, which biases every method here.

    Parameters
    ----------
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value elsewhere.
    pred_proba_s : array-like of shape (n_samples,) or (n_samples, 2)
        Out-of-sample :math:`g(x) \approx P(s = 1 \mid x)`; with two columns they
        follow the sorted values of ``s`` (``predict_proba``'s order).
    method : {"e1", "e2", "e3", "dedpul", "bbe"}, default="e1"
        - ``"e1"``: :math:`c = \operatorname{mean}_{s=1} g(x)`, Elkan and Noto's
          recommended estimator; exact when positives and negatives do not
          overlap, biased low (prior too high) when they do.
        - ``"e2"``: :math:`c = \sum_{s=1} g / \sum_{\text{all}} g`.
        - ``"e3"``: :math:`c = \max g`, driven by outliers.
        - ``"dedpul"``: DEDPUL (Ivanov, 2020): the density ratio of the scores of
          labelled and unlabelled rows gives each unlabelled row's posterior, and
          the prior is the fixed point where the posteriors average to it. Does
          not assume that the classes are separable.
        - ``"bbe"``: Best Bin Estimation (Garg et al., 2021): the share of
          positives among unlabelled rows is the ratio of the unlabelled to the
          labelled fraction above the score threshold whose upper confidence
          bound of that ratio is lowest. It is exact in the limit when some
          positives score above every negative (a pure top bin) and errs high
          otherwise, where DEDPUL's density-ratio minimum tends to err low
          with few labelled rows; neither wins everywhere (see the PU
          benchmark). Weighted, the bound counts summed weights as rows, so
          weights scaled down (normalised to sum to 1, say) widen it and raise
          the estimate.
    pos_label : int, float, bool or str, default=1
        The value of ``s`` marking labelled positives.

    Returns
    -------
    estimate : PriorEstimate
        ``(class_prior, label_frequency)`` with ``class_prior * label_frequency``
        equal to the labelled fraction of ``s``; ``label_frequency`` is clipped to
        ``[labelled fraction / (1 - 0.5 / n_samples), 1]``, so that the prior
        stays below 1 by half a row.

    See Also
    --------
    estimate_class_prior : The estimators that need the features.
    ClassPriorEstimator : Both kinds behind ``fit``.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920 (e1, e2, e3).
    .. [2] D. Ivanov, "DEDPUL: Difference-of-Estimated-Densities-based
       Positive-Unlabeled Learning", ICMLA 2020, arXiv:1902.06965.
    .. [3] S. Garg, Y. Wu, A. Smola, S. Balakrishnan, Z. C. Lipton, "Mixture
       Proportion Estimation and PU Learning: A Modern Approach", NeurIPS 2021,
       arXiv:2111.00980 (BBE).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import estimate_label_frequency
    >>> from skrobust.utils import cross_val_predict_proba
    >>> X, y = make_classification(4000, class_sep=3, random_state=0)
    >>> s = make_pu_labels(y, 0.4, random_state=0)
    >>> g = cross_val_predict_proba(LogisticRegression(), X, s, random_state=0)
    >>> est = estimate_label_frequency(s, g, method="e1")
    >>> print(f"c = {est.label_frequency:.2f}, pi = {est.class_prior:.2f}")
    c = 0.3..., pi = 0.5...
    """
    _check_method(method, SCORE_METHODS)
    s = _as_1d(s, "s")
    labeled = check_pu_labels(s, pos_label=pos_label, name="s")
    scores = _positive_scores(pred_proba_s, labeled, s)
    c = _label_frequency_from_scores(scores, labeled, method)
    return _from_label_frequency(c, float(labeled.mean()), labeled.shape[0])


def _dense_rows(X, rows):
    block = X[rows]
    if sp.issparse(block):
        block = block.toarray()
    return np.asarray(block, dtype=np.float64)


def _subsample(indices, max_samples, rng):
    if indices.shape[0] <= max_samples:
        return indices
    return np.sort(rng.choice(indices, size=max_samples, replace=False))


def estimate_class_prior(
    X, s, *, method="km2", pos_label=1, max_samples=1000, random_state=None
):
    r"""Estimate the class prior and label frequency from the features.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Features (standardise them first: the kernel and the tree bins are
        scale-sensitive).
    s : array-like of shape (n_samples,)
        PU labels: ``pos_label`` on labelled positives, one other value elsewhere.
    method : {"km1", "km2", "tice"}, default="km2"
        - ``"km1"``, ``"km2"``: mixture-proportion estimation by kernel mean
          embedding (Ramaswamy et al., 2016). All rows form the mixture and the
          labelled rows the component (valid under SCAR), so the mixture
          proportion is :math:`\pi`. Costs one Gram matrix over at most
          ``2 * max_samples`` rows.
        - ``"tice"``: tree induction for :math:`c` (Bekker and Davis, 2018): the
          labelled share of a subset bounds :math:`c` from below, and a decision
          tree searches for subsets where that bound is highest.
    pos_label : int, float, bool or str, default=1
        The value of ``s`` marking labelled positives.
    max_samples : int, default=1000
        KM1/KM2 subsample each of the two groups to at most this many rows, which
        bounds their :math:`O(n^2)` kernel memory. TIcE uses every row.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsampling and TIcE's folds.

    Returns
    -------
    estimate : PriorEstimate
        ``(class_prior, label_frequency)``, consistent with the labelled fraction.

    See Also
    --------
    estimate_label_frequency : The score-based estimators.
    ClassPriorEstimator : Both kinds behind ``fit``.

    References
    ----------
    .. [1] H. G. Ramaswamy, C. Scott, A. Tewari, "Mixture Proportion Estimation
       via Kernel Embeddings of Distributions", ICML 2016, arXiv:1603.02501.
    .. [2] J. Bekker, J. Davis, "Estimating the Class Prior in Positive and
       Unlabeled Data through Decision Tree Induction", AAAI 2018.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import estimate_class_prior
    >>> X, y = make_classification(3000, class_sep=2, random_state=0)
    >>> s = make_pu_labels(y, 0.5, random_state=0)
    >>> est = estimate_class_prior(X, s, method="tice", random_state=0)
    >>> print(f"pi = {est.class_prior:.1f} (true {y.mean():.1f})")
    pi = 0.5 (true 0.5)
    """
    _check_method(method, FEATURE_METHODS)
    if not isinstance(max_samples, Integral) or isinstance(max_samples, bool):
        raise TypeError(f"max_samples must be an int; got {max_samples!r}.")
    if max_samples < 2:
        raise ValueError(f"max_samples must be at least 2; got {max_samples}.")
    s = _as_1d(s, "s")
    labeled = check_pu_labels(s, pos_label=pos_label, name="s")
    X = _check_features(X, labeled.shape[0])
    rng = check_random_state(random_state)
    fraction = float(labeled.mean())
    n = labeled.shape[0]
    if method == "tice":
        from ._tice import tice_label_frequency

        c = tice_label_frequency(X, labeled, random_state=rng)
        return _from_label_frequency(c, fraction, n)
    from ._kernel_mean import kernel_mean_proportion

    component = _subsample(np.flatnonzero(labeled), max_samples, rng)
    mixture = _subsample(np.arange(n), max_samples, rng)
    prior = kernel_mean_proportion(
        _dense_rows(X, component),
        _dense_rows(X, mixture),
        variant=method,
        random_state=rng,
    )
    return _from_class_prior(prior, fraction, n)


def _check_features(X, n_samples):
    if sp.issparse(X):
        X = X.tocsr()
    else:
        X = _as_numeric_array(X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D; got shape {X.shape}.")
    if X.shape[0] != n_samples:
        raise ValueError(
            f"X and s must have the same number of rows; got {X.shape[0]} and "
            f"{n_samples}."
        )
    data = X.data if sp.issparse(X) else X
    if not np.all(np.isfinite(data)):
        raise ValueError("X must not hold NaN or infinite values.")
    return X


def _default_estimator():
    return LogisticRegression(max_iter=1000)


def _folds_for_few_labelled(y, pos_label, folds, owner, remedy=""):
    """``folds``, or fewer where ``y`` has fewer labelled positives (or
    unlabelled rows), with a warning; for members built by ``owner``, whose
    user cannot set their ``cv``.

    A labelled row is scored out of sample only if the other folds hold one,
    so with 2 to ``folds - 1`` such rows each gets a fold of its own; fewer
    than 2 is an error, ending in ``remedy``. For ``y`` that is not PU labels
    it returns ``folds`` and leaves the error to the members, which check X's
    values before ``y``.
    """
    try:
        labeled = check_pu_labels(y, pos_label=pos_label)
    except (TypeError, ValueError):
        return folds
    n_labeled = int(labeled.sum())
    n_unlabeled = labeled.shape[0] - n_labeled
    fewest = min(n_labeled, n_unlabeled)
    if fewest < 2:
        raise ValueError(
            f"Cross-fitting the scores of y for {owner} needs at least 2 labelled "
            "positives (y == pos_label) and 2 unlabelled rows; y has "
            f"{n_labeled} and {n_unlabeled}.{remedy}"
        )
    if fewest < folds:
        warnings.warn(
            f"y holds {n_labeled} labelled positives and {n_unlabeled} "
            f"unlabelled rows, fewer than the {folds} folds of {owner}: they "
            f"cross-fit over {fewest} folds, and the prior rests on very few "
            "rows.",
            SmallClassWarning,
            stacklevel=_user_stacklevel(),
        )
        return fewest
    return folds


def _cross_fit_scores(
    estimator,
    X,
    labeled,
    *,
    cv,
    params,
    n_jobs,
    random_state,
    groups=None,
    instead="class_prior, pred_proba, or prior_method='km1', 'km2' or 'tice'",
    return_fit=False,
):
    """Out-of-sample :math:`P(s = 1 \\mid x)` of every row.

    ``params`` are routed already (by the calling meta-estimator). ``instead``
    names, for the error on a single labelled row, the caller's parameters
    that need no cross-fit. ``cv="oob"`` reads the out-of-bag scores of one
    fit instead (:func:`_oob_fit`); with ``return_fit`` that fit (a clone of
    ``estimator`` fitted on every row, ``None`` after a cross-fit) comes back
    beside the scores.
    """
    oob = isinstance(cv, str) and cv == "oob"
    int_folds = isinstance(cv, Integral) and not isinstance(cv, bool)
    if oob or int_folds:
        # The generic message speaks of "class 1"; here the short class is the
        # labelled positives (or, rarely, the unlabelled rows). Out of bag, a
        # single labelled row would be scored only by members that never saw
        # a labelled row.
        n_labeled = int(labeled.sum())
        fewest = min(n_labeled, labeled.shape[0] - n_labeled)
        kind = "labelled positives" if fewest == n_labeled else "unlabelled rows"
        if fewest == 1:
            raise ValueError(
                f"y has a single {kind[:-1]}, and no cv scores it out of sample; "
                f"give {instead} instead."
            )
    if oob:
        model, scores = _oob_fit(estimator, X, labeled, params)
        return (scores, model) if return_fit else scores
    if int_folds:
        if 1 < fewest < cv:
            raise ValueError(
                f"cv={int(cv)} stratified folds need at least {int(cv)} {kind} to "
                f"score each row out of sample; y has {fewest}. Lower cv, e.g. "
                f"cv={fewest}."
            )
    if isinstance(cv, PUStratifiedKFold):
        # The folds are drawn on the 0/1 labelling indicator, not the user's
        # labels, so the splitter must look for 1 whatever its pos_label.
        cv = PUStratifiedKFold(
            cv.n_splits, shuffle=cv.shuffle, random_state=cv.random_state, pos_label=1
        )
    proba = _cross_val_predict_proba(
        estimator,
        X,
        labeled.astype(np.int8),
        cv=cv,
        groups=groups,
        classes=np.array([0, 1], dtype=np.int8),
        params=params,
        n_jobs=n_jobs,
        random_state=random_state,
        prerouted=True,
    )
    scores = np.clip(proba[:, 1], 0.0, 1.0)
    return (scores, None) if return_fit else scores


def _oob_fit(estimator, X, labeled, params):
    """A clone of ``estimator`` fitted on the labelling, and its out-of-bag scores.

    A bagged ensemble scores each row with the members whose bootstrap left it
    out, so one fit gives out-of-sample scores that a k-fold cross-fit needs k
    fits for. The estimator must draw bootstraps (``bootstrap=True``) and say
    which rows each member drew (``estimators_samples_``, as scikit-learn's
    forests and ``BaggingClassifier`` do). The scores are read off the members
    here rather than through ``oob_score=True``, so the fitted model is the
    one the user asked for (a classifier can keep it as its final fit) and no
    warning has to be silenced (``warnings.catch_warnings`` is not
    thread-safe).

    A row that every bootstrap drew has no out-of-bag score. With
    scikit-learn's weighted bootstraps (1.9 on: a row is drawn in proportion to
    its ``sample_weight``) a heavily weighted row can be one, so such rows are
    scored by one more fit of the estimator on the other rows.
    """
    parameters = estimator.get_params(deep=False)
    if "bootstrap" not in parameters or not hasattr(
        type(estimator), "estimators_samples_"
    ):
        raise ValueError(
            "cv='oob' reads out-of-bag scores, which needs a bagged ensemble with "
            "a 'bootstrap' parameter and an 'estimators_samples_' attribute "
            "(RandomForestClassifier, ExtraTreesClassifier, BaggingClassifier); "
            f"got {type(estimator).__name__}. Use an int cv for other classifiers."
        )
    if not parameters["bootstrap"]:
        raise ValueError(
            "cv='oob' needs bootstrap=True on the estimator: without bootstraps "
            f"no row is out of bag; got {type(estimator).__name__} with "
            "bootstrap=False."
        )
    model = clone(estimator).fit(X, labeled.astype(np.int8), **params)
    scores, counts = _out_of_bag_proba(model, X)
    missing = np.flatnonzero(counts == 0)
    if missing.shape[0]:
        rest = np.flatnonzero(counts > 0)
        if labeled[rest].all() or not labeled[rest].any():
            raise ValueError(
                f"cv='oob': {missing.shape[0]} of {counts.shape[0]} rows were in "
                "every bootstrap, and the other rows hold no "
                f"{'unlabelled row' if labeled[rest].all() else 'labelled positive'}"
                " to score them by; use more estimators (n_estimators), milder "
                "sample_weight or an int cv."
            )
        others = clone(estimator).fit(
            _safe_indexing(X, rest),
            labeled[rest].astype(np.int8),
            **_check_method_params(X, params=params, indices=rest),
        )
        column = int(np.flatnonzero(others.classes_ == 1)[0])
        scores[missing] = others.predict_proba(_safe_indexing(X, missing))[:, column]
    return model, np.clip(scores, 0.0, 1.0)


def _out_of_bag_proba(model, X):
    """Each row's mean probability of label 1 over the members that left it out.

    Returns the means (0 where no member left the row out) and the number of
    members behind each. The members learnt the ensemble's encoded labels
    (indices into ``classes_``) from arrays, so they are asked about arrays
    too (a DataFrame's column names would make each of them warn). A member
    without ``predict_proba`` (a bagged SVC, say) casts its prediction as a
    vote, as scikit-learn's bagging does. A bagging member whose draw held
    one class only scores the other 0 (scikit-learn's ``oob_score`` spreads
    such a member's single column over both classes instead).
    """
    X = check_array(X, accept_sparse="csr", dtype=None, ensure_all_finite=False)
    n_samples = X.shape[0]
    column = int(np.flatnonzero(model.classes_ == 1)[0])
    features = getattr(model, "estimators_features_", None)
    total = np.zeros(n_samples)
    counts = np.zeros(n_samples, dtype=np.int64)
    for index, (member, drawn) in enumerate(
        zip(model.estimators_, model.estimators_samples_, strict=True)
    ):
        left_out = np.ones(n_samples, dtype=bool)
        left_out[drawn] = False
        rows = np.flatnonzero(left_out)
        if not rows.shape[0]:
            continue
        X_out = X[rows]
        if features is not None:
            X_out = X_out[:, features[index]]
        if hasattr(member, "predict_proba"):
            position = np.flatnonzero(np.asarray(member.classes_) == column)
            if position.shape[0]:
                total[rows] += member.predict_proba(X_out)[:, position[0]]
        else:
            total[rows] += member.predict(X_out) == column
        counts[rows] += 1
    return total / np.maximum(counts, 1), counts


def _check_labelled_weight(weight, labeled):
    """A weighting must leave some labelled positive to estimate from."""
    if not np.any(np.asarray(weight)[labeled] > 0):
        raise ValueError(
            "sample_weight is zero on every labelled positive; PU learning "
            "estimates from the labelled rows, so one needs a weight above 0."
        )


def _estimate_prior(
    method, X, labeled, scores, *, max_samples, random_state, weight=None
):
    """Dispatch one method of either kind; ``scores`` is used by score methods.

    ``weight`` weights the score methods' means and the labelled fraction; the
    feature methods (KM, TIcE) ignore it.
    """
    if method in SCORE_METHODS:
        c = _label_frequency_from_scores(scores, labeled, method, weight)
        fraction = _labeled_fraction(labeled, weight)
        return _from_label_frequency(c, fraction, labeled.shape[0])
    return estimate_class_prior(
        X,
        labeled.astype(np.int8),
        method=method,
        pos_label=1,
        max_samples=max_samples,
        random_state=random_state,
    )


class ClassPriorEstimator(_RouteFitToBase, MetaEstimatorMixin, BaseEstimator):
    r"""Estimate the class prior of positive-unlabeled data behind ``fit``.

    Score-based methods cross-fit ``estimator`` on the PU labels (or take the
    out-of-sample probabilities as ``pred_proba=``) and read
    :func:`estimate_label_frequency`; feature-based methods call
    :func:`estimate_class_prior` on ``X``.

    Parameters
    ----------
    method : str, default="dedpul"
        The estimator, one of "e1", "e2", "e3", "dedpul", "bbe", "km1", "km2"
        and "tice"; see :func:`estimate_label_frequency` and
        :func:`estimate_class_prior`.
    estimator : estimator object, default=None
        The classifier of labelled vs unlabelled rows for the score-based
        methods; ``None`` means ``LogisticRegression(max_iter=1000)``.
    cv : int, cross-validation generator, iterable or "oob", default=5
        Folds of the out-of-sample probabilities; an int gives a shuffled
        stratified K-fold on the PU labels, so every fold holds labelled rows.
        ``"oob"`` fits ``estimator`` once and reads its out-of-bag
        probabilities instead: each row is scored by the members whose
        bootstrap left it out, as out of sample as a fold's score, for one fit
        instead of one per fold. It needs a bagged ensemble with
        ``bootstrap=True`` (:class:`~sklearn.ensemble.RandomForestClassifier`,
        :class:`~sklearn.ensemble.ExtraTreesClassifier` with
        ``bootstrap=True``, :class:`~sklearn.ensemble.BaggingClassifier`);
        rows that every bootstrap drew (heavily weighted ones, where the
        bootstraps follow ``sample_weight``) are scored by one more fit on
        the other rows. ``groups`` and ``n_jobs`` are not used then: the
        ensemble's own ``n_jobs`` grows its members in parallel.
    max_samples : int, default=1000
        Row bound of each group for KM1/KM2.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` marking labelled positives.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (not used with ``cv="oob"``).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the subsampling and TIcE.
    verbose : int, default=0
        Print progress when positive.

    Attributes
    ----------
    class_prior_ : float
        Estimated :math:`\pi = P(y = 1)`.
    label_frequency_ : float
        Estimated :math:`c = P(s = 1 \mid y = 1)`.
    pred_proba_ : ndarray of shape (n_samples,)
        Out-of-sample :math:`P(s = 1 \mid x)` (score-based methods only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    estimate_label_frequency, estimate_class_prior : The functional forms.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and
       Unlabeled Data", KDD 2008, doi:10.1145/1401890.1401920.
    .. [2] D. Ivanov, "DEDPUL: Difference-of-Estimated-Densities-based
       Positive-Unlabeled Learning", ICMLA 2020, arXiv:1902.06965.
    .. [3] J. Bekker, J. Davis, "Learning from Positive and Unlabeled Data: a
       Survey", Machine Learning 109:719-760, 2020, arXiv:1811.04820.
    .. [4] S. Garg, Y. Wu, A. Smola, S. Balakrishnan, Z. C. Lipton, "Mixture
       Proportion Estimation and PU Learning: A Modern Approach", NeurIPS 2021,
       arXiv:2111.00980 (BBE).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import ClassPriorEstimator
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> s = make_pu_labels(y, 0.5, random_state=0)
    >>> X = StandardScaler().fit_transform(X)
    >>> est = ClassPriorEstimator(random_state=0).fit(X, s)
    >>> print(f"pi = {est.class_prior_:.2f} (true {y.mean():.2f})")
    pi = 0.6... (true 0.63)
    """

    # The weights weigh the score means and the labelled fraction here, whether
    # the base takes them or not (see _RouteFitToBase).
    _consumes_sample_weight = True
    __metadata_request__fit = {"sample_weight": True}

    _parameter_constraints: dict = {
        "method": [StrOptions(set(PRIOR_METHODS))],
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object", StrOptions({"oob"})],
        "max_samples": [Interval(Integral, 2, None, closed="left")],
        "pos_label": [Integral, float, str, "boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        method="dedpul",
        *,
        estimator=None,
        cv=5,
        max_samples=1000,
        pos_label=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.method = method
        self.estimator = estimator
        self.cv = cv
        self.max_samples = max_samples
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, pred_proba=None, **fit_params):
        """Estimate the class prior and label frequency of ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives.
        pred_proba : array-like of shape (n_samples,) or (n_samples, 2), default=None
            Precomputed out-of-sample :math:`P(s = 1 \\mid x)` for the
            score-based methods; no cross-fitting runs when given.
        **fit_params : dict
            Passed to ``estimator.fit`` in each fold (routed when metadata
            routing is enabled). A ``sample_weight`` among them also weights
            the score methods' means and the labelled fraction (so do weights
            that reach the base under an alias, with metadata routing), so
            that an integer weight acts as that many copies of the row (DEDPUL's
            density estimate and the feature methods stay unweighted; BBE's
            bound counts summed weights as rows, so their scale matters).
            ``groups`` goes to the ``split`` of the splitter ``cv`` (a
            GroupKFold, say), as in scikit-learn's searches, and to the base
            only if its ``fit`` takes it.

        Returns
        -------
        self : ClassPriorEstimator
            The fitted estimator.
        """
        # The base validates values for the score methods (a base may take
        # NaN); the feature methods check that X is finite themselves.
        checked, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_min_samples=2,
            ensure_all_finite=self.method not in SCORE_METHODS,
        )
        labeled = check_pu_labels(y, pos_label=self.pos_label)
        rng = check_random_state(self.random_state)
        # Row weights given for the base also weight the score means and the
        # labelled fraction, so that a weight acts as repeated rows throughout.
        weight = fit_params.get("sample_weight")
        if weight is not None:
            weight = check_row_weights(weight, labeled.shape[0])
        scores = None
        if self.method in SCORE_METHODS:
            if weight is not None and pred_proba is None and not _routing_enabled():
                # Under routing the base requests or declines them itself.
                check_base_takes_weights(self._base_estimator())
            if pred_proba is None:
                fit_params, groups = _route_fit_and_groups(self, fit_params)
                alias_weight = fit_params.get(_weight_key(self._base_estimator()))
            else:
                alias_weight = self._alias_weight(fit_params)
            if weight is None and alias_weight is not None:
                # Weights the base takes under an alias weigh the means too,
                # as in the PU classifiers: one weighting throughout, whether
                # the scores are cross-fitted here or given (a
                # MedianPriorEstimator hands one member's to the next).
                base = self._base_estimator()
                weight = check_row_weights(
                    alias_weight,
                    labeled.shape[0],
                    name=_weight_alias(base, _weight_key(base)),
                )
            if pred_proba is not None:
                scores = _positive_scores(pred_proba, labeled, y, "pred_proba")
            else:
                scores = _cross_fit_scores(
                    self._base_estimator(),
                    _for_base(X, checked),
                    labeled,
                    cv=self.cv,
                    groups=groups,
                    params=fit_params,
                    n_jobs=self.n_jobs,
                    random_state=rng,
                    instead="pred_proba, or method='km1', 'km2' or 'tice'",
                )
            self.pred_proba_ = scores
        elif hasattr(self, "pred_proba_"):
            # A refit with a feature method leaves no scores of an earlier fit.
            del self.pred_proba_
        if weight is not None and self.method in SCORE_METHODS:
            _check_labelled_weight(weight, labeled)
        # The weighted labelled fraction, for a MedianPriorEstimator holding
        # this estimator when the weights came under an alias (feature methods
        # weigh nothing).
        self._labelled_fraction = (
            _labeled_fraction(labeled, weight) if self.method in SCORE_METHODS else None
        )
        estimate = _estimate_prior(
            self.method,
            checked,
            labeled,
            scores,
            max_samples=self.max_samples,
            random_state=rng,
            weight=weight,
        )
        self.class_prior_, self.label_frequency_ = estimate
        log_progress(self.verbose, f"{self.method}: pi = {self.class_prior_:.4f}")
        return self

    def _alias_weight(self, fit_params):
        """Weights that would reach the base under an alias, with scores given.

        No base is fitted then, so a request it lacks is no error: routing here
        only finds the weights a MedianPriorEstimator member receives under the
        base's alias.
        """
        if not fit_params or not _routing_enabled() or "sample_weight" in fit_params:
            return None
        try:
            routed, _ = _route_fit_and_groups(self, fit_params)
        except (ValueError, TypeError):
            return None
        return routed.get(_weight_key(self._base_estimator()))

    def _base_estimator(self):
        return _default_estimator() if self.estimator is None else self.estimator

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        if self.method in SCORE_METHODS:
            # The base reads X; KM and TIcE take sparse X and refuse NaN.
            base_tags = get_tags(self._base_estimator())
            tags.input_tags.sparse = base_tags.input_tags.sparse
            tags.input_tags.allow_nan = base_tags.input_tags.allow_nan
        else:
            tags.input_tags.sparse = True
        return tags
