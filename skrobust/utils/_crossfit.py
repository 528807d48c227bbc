"""Out-of-sample class probabilities by cross-fitting.

Every family needs the probabilities a model gives to rows it was not trained on:
confident learning, transition-matrix estimation, Elkan-Noto label frequencies and
EM initialisation all go wrong on in-sample probabilities, which are overconfident
on exactly the rows whose labels are wrong.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import indexable

from ._routing import _fit_weighted
from ._sklearn_compat import _check_method_params, _routing_enabled
from ._validation import _show, _show_one, check_labels
from ._warnings import SmallClassWarning, _user_stacklevel


def _fit_and_predict_proba(estimator, X, y, train, test, fit_params):
    fit_params = _check_method_params(X, params=fit_params, indices=train)
    X_train = _safe_indexing(X, train)
    y_train = _safe_indexing(y, train)
    _fit_weighted(estimator, X_train, y_train, **fit_params)
    proba = estimator.predict_proba(_safe_indexing(X, test))
    return test, np.asarray(proba), np.asarray(estimator.classes_)


def _resolve_cv(cv, y_codes, classes, random_state):
    """Turn ``cv`` into a splitter; an int gives a shuffled StratifiedKFold."""
    if cv is None or isinstance(cv, int | np.integer):
        n_splits = 5 if cv is None else int(cv)
        if n_splits < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={n_splits}.")
        counts = np.bincount(y_codes, minlength=len(classes))
        small = np.flatnonzero((counts > 0) & (counts < n_splits))
        if small.size:
            k = int(small[0])
            raise ValueError(
                f"cv={n_splits} needs at least {n_splits} samples per class; class "
                f"{_show_one(classes[k])} has {int(counts[k])}. Lower cv or remove the "
                f"class (classes below that size: {_show(classes[small])})."
            )
        # A fixed integer seed is drawn from random_state so every call with the
        # same random_state yields the same folds, as scikit-learn's splitters do.
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return check_cv(cv, y_codes, classifier=True)


def _warn_classes_missing_from_folds(y_codes, classes, splits):
    """Warn when a class of ``y`` is absent from some training fold.

    Its column is then zero on that fold's test rows, whatever the rows are.
    """
    n_classes = len(classes)
    present = np.bincount(y_codes, minlength=n_classes) > 0
    missing = np.zeros(n_classes, dtype=bool)
    n_folds = np.zeros(n_classes, dtype=np.int64)
    for train, _ in splits:
        absent = present & (np.bincount(y_codes[train], minlength=n_classes) == 0)
        missing |= absent
        n_folds += absent
    if missing.any():
        k = int(np.flatnonzero(missing)[0])
        warnings.warn(
            f"class {_show_one(classes[k])} is absent from the training rows of "
            f"{int(n_folds[k])} of {len(splits)} folds, so its out-of-sample "
            "probability is 0 on those folds' test rows (classes affected: "
            f"{_show(classes[missing])}). Use fewer folds or a stratified splitter.",
            SmallClassWarning,
            stacklevel=_user_stacklevel(),
        )


def _route_params(estimator, splitter, params, groups):
    """Split ``params`` into the estimator's fit params and the splitter's."""
    if _routing_enabled():
        router = (
            MetadataRouter(owner="cross_val_predict_proba")
            .add(
                estimator=estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=splitter,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )
        if groups is not None:
            if params.get("groups") is not None and params["groups"] is not groups:
                raise ValueError(
                    "groups was given twice, as an argument and in params; pass "
                    "it once."
                )
            params = {**params, "groups": groups}
        routed = process_routing(router, "fit", **params)
        return routed.estimator.fit, routed.splitter.split
    return params, {"groups": groups}


def cross_val_predict_proba(
    estimator,
    X,
    y,
    *,
    cv=5,
    groups=None,
    classes=None,
    params=None,
    n_jobs=None,
    random_state=None,
):
    """Out-of-sample class probabilities for every row, by cross-fitting.

    Each fold's rows get the probabilities of a clone of ``estimator`` fitted on the
    other folds. Columns are aligned to ``classes`` even when a training fold
    misses a class (that column is then 0 on the fold's rows).

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``fit`` and ``predict_proba``; it is cloned, never fitted
        in place.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features.
    y : array-like of shape (n_samples,)
        The (possibly noisy) labels, of any type.
    cv : int, cross-validation generator or iterable, default=5
        An int gives a shuffled :class:`~sklearn.model_selection.StratifiedKFold`
        seeded by ``random_state``; anything else goes through
        :func:`~sklearn.model_selection.check_cv`. The splits must partition the
        rows.
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group-aware splitter. With metadata routing enabled
        they may come in ``params`` instead; not in both (a ``ValueError``).
    classes : array-like of shape (n_classes,), default=None
        The label of each output column; ``None`` means the sorted unique values
        of ``y``.
    params : dict, default=None
        Fit parameters (e.g. ``sample_weight``), sliced per fold. With metadata
        routing enabled they are routed to the estimator and the splitter as each
        requests them.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib (so a Dask or Ray backend spreads
        them over a cluster). ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling when ``cv`` is an int.

    Returns
    -------
    pred_proba : ndarray of shape (n_samples, n_classes)
        Out-of-sample probabilities, columns in ``classes`` order.

    Raises
    ------
    ValueError
        If a class has fewer members than ``cv`` folds, a label is not in
        ``classes``, or the splits do not partition the rows.

    Warns
    -----
    SmallClassWarning
        If a class of ``y`` is absent from the training rows of some fold (a
        ``cv`` splitter that does not stratify): its column is then 0 on that
        fold's test rows.

    See Also
    --------
    sklearn.model_selection.cross_val_predict : The scikit-learn function this
        extends with class alignment, routed parameters and seeding.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068
       (Sec. 2: out-of-sample probabilities by cross-validation).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.utils import cross_val_predict_proba
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> proba = cross_val_predict_proba(LogisticRegression(), X, y, random_state=0)
    >>> proba.shape
    (200, 2)
    >>> round(float((proba.argmax(axis=1) == y).mean()), 2)
    0.94
    """
    return _cross_val_predict_proba(
        estimator,
        X,
        y,
        cv=cv,
        groups=groups,
        classes=classes,
        params=params,
        n_jobs=n_jobs,
        random_state=random_state,
    )


def _cross_val_predict_proba(
    estimator,
    X,
    y,
    *,
    cv=5,
    groups=None,
    classes=None,
    params=None,
    n_jobs=None,
    random_state=None,
    prerouted=False,
):
    """:func:`cross_val_predict_proba`; ``prerouted`` params skip routing.

    A meta-estimator that has routed its fit parameters already passes
    ``prerouted=True``: routing them again would look up the base's request
    under the parameter's own name, which fails for an alias
    (``set_fit_request(sample_weight="sw")``).
    """
    if not hasattr(estimator, "fit") or not hasattr(estimator, "predict_proba"):
        raise TypeError(
            "estimator must implement fit and predict_proba; got "
            f"{type(estimator).__name__}."
        )
    params = {} if params is None else dict(params)
    X, y, groups = indexable(X, y, groups)
    y_arr = np.asarray(y)
    y_codes, classes = check_labels(y_arr, classes)
    splitter = _resolve_cv(cv, y_codes, classes, random_state)
    if prerouted:
        fit_params, split_params = params, {"groups": groups}
    else:
        fit_params, split_params = _route_params(estimator, splitter, params, groups)
    splits = list(splitter.split(X, y_codes, **split_params))

    seen = np.zeros(len(y_codes), dtype=np.int64)
    for _, test in splits:
        np.add.at(seen, test, 1)
    if not np.all(seen == 1):
        raise ValueError(
            "cv must partition the rows (each row in exactly one test fold); "
            f"{int((seen != 1).sum())} rows are not tested exactly once."
        )

    _warn_classes_missing_from_folds(y_codes, classes, splits)

    parallel = Parallel(n_jobs=n_jobs)
    results = parallel(
        delayed(_fit_and_predict_proba)(
            clone(estimator), X, y_arr, train, test, fit_params
        )
        for train, test in splits
    )
    dtype = np.result_type(*(r[1].dtype for r in results), np.float32)
    pred_proba = np.zeros((len(y_codes), len(classes)), dtype=dtype)
    for test, proba, fold_classes in results:
        columns, _ = check_labels(fold_classes, classes, name="estimator.classes_")
        pred_proba[np.ix_(test, columns)] = proba
    return pred_proba
