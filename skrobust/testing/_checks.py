"""Invariant checks every skrobust estimator must pass, beyond scikit-learn's.

Each check takes an (unfitted) estimator, data, and the extra fit arguments the
estimator needs (``bags=...``, ``pred_proba=...``), works on clones, and raises
``AssertionError`` with an explanation when the invariant is broken.
``tests/test_invariants.py`` runs them over every instance of
``all_estimators()``; users can run them on their own estimators too.
"""

import pickle
import re

import numpy as np
from sklearn.base import clone

__all__ = [
    "check_bad_input_raises",
    "check_inputs_unchanged",
    "check_label_permutation_equivariance",
    "check_pickle_roundtrip",
    "check_random_state_reproducible",
]


_OUTPUT_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score_samples",
    "transform",
)


def _prediction_methods(estimator):
    return [m for m in _OUTPUT_METHODS if hasattr(estimator, m)]


def _comparable(value):
    """``value`` as plain data to compare, or ``_SKIP`` for an object.

    Arrays, numbers, strings and exact lists, tuples (named ones too) and dicts
    of them compare; fitted models and subclasses of list (skorch's history,
    which records wall times) do not.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            items = [_comparable(v) for v in value.ravel()]
            if any(i is _SKIP for i in items):
                return _SKIP
            return [list(value.shape), items]
        return value
    if value is None or isinstance(value, bool | int | float | str | np.generic):
        return value
    if type(value) in (list, tuple) or (
        isinstance(value, tuple) and hasattr(value, "_fields")
    ):
        items = [_comparable(v) for v in value]
        return _SKIP if any(i is _SKIP for i in items) else items
    if type(value) is dict:
        items = {k: _comparable(v) for k, v in value.items()}
        return _SKIP if any(i is _SKIP for i in items.values()) else items
    return _SKIP


_SKIP = object()


def _equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == object:
            # Elements may be arrays themselves, whose == is not one truth value.
            return all(map(_equal, a.ravel().tolist(), b.ravel().tolist()))
        return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, float | np.floating) and isinstance(b, float | np.floating):
        if a != a and b != b:
            return True
    return type(a) is type(b) and a == b


def _differing_attributes(first, second):
    """Public fitted attributes (``name_``) of plain data that differ."""
    differing = []
    for attr, value in vars(first).items():
        if not attr.endswith("_") or attr.startswith("_"):
            continue
        mine = _comparable(value)
        if mine is _SKIP:
            continue
        theirs = _comparable(getattr(second, attr, _SKIP))
        if theirs is _SKIP or not _equal(mine, theirs):
            differing.append(attr)
    return differing


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return pickle.loads(pickle.dumps(value))


def _assert_same(before, after, what):
    if isinstance(before, np.ndarray):
        same = isinstance(after, np.ndarray) and _equal(before, after)
    elif isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            raise AssertionError(f"{what} was modified in place (its keys changed).")
        for key in before:
            _assert_same(before[key], after[key], f"{what}[{key!r}]")
        return
    else:
        same = pickle.dumps(before) == pickle.dumps(after)
    if not same:
        raise AssertionError(f"{what} was modified in place.")


def check_inputs_unchanged(estimator, X, y, **fit_params):
    """Check that fit and every prediction method leave their inputs unchanged.

    Parameters
    ----------
    estimator : estimator object
        Unfitted; a clone is fitted.
    X : array-like of shape (n_samples, n_features)
        Training features.
    y : array-like of shape (n_samples,)
        Training targets.
    **fit_params : dict
        Extra fit arguments (``sample_weight``, ``bags``, ``pred_proba``, ...),
        checked for mutation too.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If an argument differs, in value, dtype or shape, after the calls.

    See Also
    --------
    check_pickle_roundtrip : Another invariant check.

    References
    ----------
    .. [1] scikit-learn developers, "Developing scikit-learn estimators",
       https://scikit-learn.org/stable/developers/develop.html (estimators must
       not modify their inputs).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.testing import check_inputs_unchanged
    >>> X, y = make_classification(n_samples=50, random_state=0)
    >>> check_inputs_unchanged(LogisticRegression(), X, y)
    """
    inputs = {"X": X, "y": y, **fit_params}
    before = {k: _snapshot(v) for k, v in inputs.items()}
    fitted = clone(estimator).fit(X, y, **fit_params)
    for method in _prediction_methods(fitted):
        getattr(fitted, method)(X)
    for key, value in inputs.items():
        _assert_same(before[key], value, key)


def check_pickle_roundtrip(estimator, X, y, **fit_params):
    """Check that a fitted estimator pickles and reloads with identical outputs.

    Parameters
    ----------
    estimator : estimator object
        Unfitted; a clone is fitted.
    X : array-like of shape (n_samples, n_features)
        Training features, also used to compare predictions.
    y : array-like of shape (n_samples,)
        Training targets.
    **fit_params : dict
        Extra fit arguments.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If a fitted attribute of plain data (an array, a number, a string, or a
        list, tuple or dict of them) or a prediction method's output differs on
        the reloaded estimator.

    See Also
    --------
    check_inputs_unchanged : Another invariant check.

    References
    ----------
    .. [1] scikit-learn developers, "Model persistence",
       https://scikit-learn.org/stable/model_persistence.html

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.testing import check_pickle_roundtrip
    >>> X, y = make_classification(n_samples=50, random_state=0)
    >>> check_pickle_roundtrip(LogisticRegression(), X, y)
    """
    fitted = clone(estimator).fit(X, y, **fit_params)
    reloaded = pickle.loads(pickle.dumps(fitted))
    differing = _differing_attributes(fitted, reloaded)
    if differing:
        raise AssertionError(
            f"{type(estimator).__name__} fitted attributes {differing} differ "
            "after a pickle round trip."
        )
    for method in _prediction_methods(fitted):
        expected = np.asarray(getattr(fitted, method)(X))
        got = np.asarray(getattr(reloaded, method)(X))
        if not _equal(expected, got):
            raise AssertionError(
                f"{type(estimator).__name__}.{method} differs after a pickle round "
                "trip."
            )


def check_random_state_reproducible(estimator, X, y, **fit_params):
    """Check that two fits with the same ``random_state`` agree exactly.

    Compares every fitted attribute (names ending in ``_``) of plain data (an
    array, a number, a string, or a list, tuple or dict of them), and every
    prediction. Estimators without a ``random_state`` parameter
    are deterministic by contract and are checked the same way.

    Parameters
    ----------
    estimator : estimator object
        Unfitted; two clones are fitted with ``random_state=0`` when the estimator
        has that parameter, else with every nested ``*__random_state`` at 0 (a
        pipeline's steps).
    X : array-like of shape (n_samples, n_features)
        Training features.
    y : array-like of shape (n_samples,)
        Training targets.
    **fit_params : dict
        Extra fit arguments.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If a fitted attribute or a prediction differs between the two fits.

    See Also
    --------
    check_pickle_roundtrip : Another invariant check.

    References
    ----------
    .. [1] scikit-learn developers, "Controlling randomness",
       https://scikit-learn.org/stable/common_pitfalls.html#randomness

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skrobust.testing import check_random_state_reproducible
    >>> X, y = make_classification(n_samples=50, random_state=0)
    >>> check_random_state_reproducible(RandomForestClassifier(n_estimators=3), X, y)
    """
    base = clone(estimator)
    params = base.get_params()
    if "random_state" in params:
        base.set_params(random_state=0)
    else:
        # A pipeline has no seed of its own: its steps' are set. An estimator
        # with one must pass it on itself, which is what the check tests.
        nested = {key: 0 for key in params if key.endswith("__random_state")}
        if nested:
            base.set_params(**nested)
    first = clone(base).fit(X, y, **fit_params)
    second = clone(base).fit(X, y, **fit_params)
    name = type(estimator).__name__
    differing = _differing_attributes(first, second)
    if differing:
        raise AssertionError(
            f"{name}.{differing[0]} differs between two fits with the same "
            "random_state."
        )
    for method in _prediction_methods(first):
        if not _equal(
            np.asarray(getattr(first, method)(X)),
            np.asarray(getattr(second, method)(X)),
        ):
            raise AssertionError(
                f"{name}.{method} differs between two fits with the same random_state."
            )


def check_label_permutation_equivariance(
    estimator, X, y, *, min_agreement=1.0, atol=1e-6, label_param=None, **fit_params
):
    """Check that renaming the classes renames the predictions, nothing more.

    The classes are mapped through a permutation that reverses their order (so
    ``classes_`` is sorted differently) and, with three or more classes, through
    a cyclic shift (which an estimator treating labels as ordered numbers
    fails); after each the estimator is refitted, and its
    predictions must be the permuted predictions of the original fit and its
    probabilities the same numbers in the permuted columns. Estimators without
    ``predict`` pass trivially.

    Parameters
    ----------
    estimator : estimator object
        Unfitted classifier; clones are fitted.
    X : array-like of shape (n_samples, n_features)
        Training features.
    y : array-like of shape (n_samples,)
        Training labels (at least two classes).
    min_agreement : float in [0, 1], default=1.0
        The fraction of rows whose predictions must agree; lower it for
        estimators whose optimiser is only equivariant up to rounding.
    atol : float, default=1e-6
        Absolute tolerance on the probabilities.
    label_param : str, default=None
        A constructor parameter holding a class label (``"pos_label"`` of a PU
        estimator), renamed along with the classes for the permuted fit.
    **fit_params : dict
        Extra fit arguments (row-aligned, so they need no relabelling).

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If the predictions do not follow the permutation.

    See Also
    --------
    check_random_state_reproducible : Another invariant check.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068
       (class-label equivariance of the confident joint).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from skrobust.testing import check_label_permutation_equivariance
    >>> X, y = make_classification(n_samples=60, n_classes=3, n_informative=3,
    ...                            random_state=0)
    >>> check_label_permutation_equivariance(
    ...     DecisionTreeClassifier(random_state=0), X, y)
    """
    if not hasattr(estimator, "predict"):
        # A detector has no predictions to compare; families test the
        # equivariance of its fitted attributes with their own data.
        return
    y = np.asarray(y)
    classes = np.unique(y)
    original = clone(estimator).fit(X, y, **fit_params)
    # Reversal re-sorts classes_; a cyclic shift (three or more classes) also
    # breaks their order, which reversal only mirrors, so an estimator that
    # treats labels as ordered numbers is caught.
    orders = [classes[::-1]]
    if classes.shape[0] >= 3:
        orders.append(np.roll(classes, 1))
    for order in orders:
        _check_one_permutation(
            estimator,
            original,
            X,
            y,
            dict(zip(classes, order, strict=True)),
            min_agreement=min_agreement,
            atol=atol,
            label_param=label_param,
            fit_params=fit_params,
        )


def _check_one_permutation(
    estimator, original, X, y, mapping, *, min_agreement, atol, label_param, fit_params
):
    classes = np.unique(y)
    renamed = np.array([mapping[v] for v in classes])
    y_perm = renamed[np.searchsorted(classes, y)]
    permuted = clone(estimator)
    if label_param is not None:
        label = estimator.get_params()[label_param]
        permuted.set_params(**{label_param: mapping[label]})
    permuted.fit(X, y_perm, **fit_params)
    name = type(estimator).__name__
    pred = np.asarray(original.predict(X))
    expected = renamed[np.searchsorted(classes, pred)]
    agreement = float(np.mean(np.asarray(permuted.predict(X)) == expected))
    if agreement < min_agreement:
        raise AssertionError(
            f"{name}.predict is not equivariant to relabelling the classes "
            f"{classes.tolist()} as {renamed.tolist()}: only {agreement:.3f} of "
            f"rows agree (needed {min_agreement})."
        )
    if hasattr(original, "predict_proba") and min_agreement == 1.0:
        proba = original.predict_proba(X)
        proba_perm = permuted.predict_proba(X)
        columns = np.searchsorted(permuted.classes_, renamed)
        if not np.allclose(proba, proba_perm[:, columns], atol=atol):
            raise AssertionError(
                f"{name}.predict_proba is not equivariant to relabelling the "
                f"classes {classes.tolist()} as {renamed.tolist()}."
            )


def _names(message, word):
    """Whether ``message`` names ``word``: as a whole word when it is one letter
    (``"y"`` would otherwise match "array" or "only"), else as a substring."""
    if len(word) == 1:
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])"
        return re.search(pattern, message) is not None
    return word in message


def check_bad_input_raises(estimator, X, y, **fit_params):
    """Check that malformed input gets a ``ValueError``/``TypeError``, not a crash.

    Tries a NaN in ``X`` (unless the estimator's tags say it handles missing
    values), a ``y`` of the wrong length, and a 3-D ``X``; each must raise
    ``ValueError`` or ``TypeError`` (never another exception, never silence), and
    the NaN and length errors must name ``X`` or ``y``.

    Parameters
    ----------
    estimator : estimator object
        Unfitted; clones are fitted.
    X : ndarray of shape (n_samples, n_features)
        Valid training features, corrupted by the check.
    y : array-like of shape (n_samples,)
        Valid training targets.
    **fit_params : dict
        Extra fit arguments, passed unchanged.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        If a malformed input is accepted or raises the wrong kind of error.

    See Also
    --------
    check_inputs_unchanged : Another invariant check.

    References
    ----------
    .. [1] scikit-learn developers, "Developing scikit-learn estimators",
       https://scikit-learn.org/stable/developers/develop.html (input validation).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.testing import check_bad_input_raises
    >>> X, y = make_classification(n_samples=50, random_state=0)
    >>> check_bad_input_raises(LogisticRegression(), X, y)
    """
    X = np.asarray(X, dtype=np.float64)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    cases = [
        ("a NaN in X", X_nan, y, ("X", "NaN")),
        ("y one row short", X, np.asarray(y)[:-1], ("y", "sample", "length")),
        ("a 3-D X", X[:, :, None], y, None),
    ]
    if estimator.__sklearn_tags__().input_tags.allow_nan:
        cases = cases[1:]
    name = type(estimator).__name__
    for what, X_bad, y_bad, words in cases:
        try:
            clone(estimator).fit(X_bad, y_bad, **fit_params)
        except (ValueError, TypeError) as exc:
            if words is not None and not any(_names(str(exc), w) for w in words):
                raise AssertionError(
                    f"{name}.fit raised for {what}, but its message names none of "
                    f"{words}: {exc}"
                ) from exc
        except Exception as exc:
            raise AssertionError(
                f"{name}.fit raised {type(exc).__name__} for {what}; expected "
                "ValueError or TypeError."
            ) from exc
        else:
            raise AssertionError(f"{name}.fit accepted {what} without an error.")
