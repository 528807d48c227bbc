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


def _prediction_methods(estimator):
    return [
        m
        for m in ("predict", "predict_proba", "decision_function", "transform")
        if hasattr(estimator, m)
    ]


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return pickle.loads(pickle.dumps(value))


def _assert_same(before, after, what):
    if isinstance(before, np.ndarray):
        same = (
            before.shape == after.shape
            and before.dtype == after.dtype
            and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        )
    elif isinstance(before, dict):
        same = before.keys() == after.keys()
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
        If a prediction method of the reloaded estimator gives different output.

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
    for method in _prediction_methods(fitted):
        expected = np.asarray(getattr(fitted, method)(X))
        got = np.asarray(getattr(reloaded, method)(X))
        if not np.array_equal(expected, got):
            raise AssertionError(
                f"{type(estimator).__name__}.{method} differs after a pickle round "
                "trip."
            )


def check_random_state_reproducible(estimator, X, y, **fit_params):
    """Check that two fits with the same ``random_state`` agree exactly.

    Compares every fitted attribute (names ending in ``_``) that is an array or a
    number, and every prediction. Estimators without a ``random_state`` parameter
    are deterministic by contract and are checked the same way.

    Parameters
    ----------
    estimator : estimator object
        Unfitted; two clones are fitted with ``random_state=0`` when the estimator
        has that parameter.
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
    if "random_state" in base.get_params():
        base.set_params(random_state=0)
    first = clone(base).fit(X, y, **fit_params)
    second = clone(base).fit(X, y, **fit_params)
    name = type(estimator).__name__
    for attr, value in vars(first).items():
        if not attr.endswith("_") or attr.startswith("_"):
            continue
        other = getattr(second, attr)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufcUS":
            same = np.array_equal(value, other, equal_nan=value.dtype.kind in "fc")
        elif isinstance(value, int | float | np.number):
            same = value == other or (value != value and other != other)
        else:
            continue
        if not same:
            raise AssertionError(
                f"{name}.{attr} differs between two fits with the same random_state."
            )
    for method in _prediction_methods(first):
        if not np.array_equal(getattr(first, method)(X), getattr(second, method)(X)):
            raise AssertionError(
                f"{name}.{method} differs between two fits with the same random_state."
            )


def check_label_permutation_equivariance(
    estimator, X, y, *, min_agreement=1.0, atol=1e-6, label_param=None, **fit_params
):
    """Check that renaming the classes renames the predictions, nothing more.

    The classes are mapped through a permutation that reverses their order (so
    ``classes_`` is sorted differently), the estimator is refitted, and its
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
    mapping = dict(zip(classes, classes[::-1], strict=True))
    y_perm = np.array([mapping[v] for v in classes])[np.searchsorted(classes, y)]
    original = clone(estimator).fit(X, y, **fit_params)
    permuted = clone(estimator)
    if label_param is not None:
        label = estimator.get_params()[label_param]
        permuted.set_params(**{label_param: mapping[label]})
    permuted.fit(X, y_perm, **fit_params)
    name = type(estimator).__name__
    pred = np.asarray(original.predict(X))
    expected = np.array([mapping[v] for v in classes])[np.searchsorted(classes, pred)]
    agreement = float(np.mean(np.asarray(permuted.predict(X)) == expected))
    if agreement < min_agreement:
        raise AssertionError(
            f"{name}.predict is not equivariant to relabelling the classes: only "
            f"{agreement:.3f} of rows agree (needed {min_agreement})."
        )
    if hasattr(original, "predict_proba") and min_agreement == 1.0:
        proba = original.predict_proba(X)
        proba_perm = permuted.predict_proba(X)
        columns = np.searchsorted(permuted.classes_, [mapping[c] for c in classes])
        if not np.allclose(proba, proba_perm[:, columns], atol=atol):
            raise AssertionError(
                f"{name}.predict_proba is not equivariant to relabelling the classes."
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
