"""Validators shared by every family.

Each ``check_*`` function takes a user-facing value, enforces one documented set of
rules, and returns the cleaned value. Every error names the parameter, states the
rule and shows what was received (at most the first few offending entries), so a user
can fix the call without reading our source. A family never re-implements one of
these rules: it calls the validator at its public boundary, once.
"""

import sys
from numbers import Integral, Real

import numpy as np

from ._routing import _takes_sample_weight, _weighted_step

_MAX_SHOWN = 5
_BLOCK_ROWS = 1 << 14


def _show_one(value):
    """``repr`` of one label for a message: numpy scalars as Python ones, and
    the objects of an object array (which have no ``.item()``) as they are."""
    return repr(value.item() if hasattr(value, "item") else value)


def _show(values):
    """Format at most ``_MAX_SHOWN`` offending values for an error message."""
    values = list(values)
    shown = ", ".join(_show_one(v) for v in values[:5])
    more = f", ... ({len(values)} in all)" if len(values) > _MAX_SHOWN else ""
    return f"[{shown}{more}]"


def _as_numeric_array(value, name):
    """Convert ``value`` to a float64 ndarray, raising TypeError if not numeric."""
    if hasattr(value, "toarray"):
        raise TypeError(f"{name} must be a dense array; got a sparse matrix.")
    arr = np.asarray(value)
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must hold numbers; got a boolean array.")
    if arr.dtype.kind == "O":
        # float() reads "1" and True as numbers; the same values as a str or
        # bool array are refused, so they are here too.
        odd = next(
            (v for v in arr.ravel() if isinstance(v, (str, bytes, bool, np.bool_))),
            None,
        )
        if odd is not None:
            raise TypeError(
                f"{name} must hold numbers; got an object array holding "
                f"{type(odd).__name__} values such as {odd!r}."
            )
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must hold numbers; got an object array that cannot be "
                "converted to float."
            ) from None
    elif arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers; got dtype {arr.dtype}.")
    return arr


def _check_finite(arr, name):
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[:_MAX_SHOWN]
        positions = ", ".join(str(tuple(int(i) for i in w)) for w in where)
        raise ValueError(
            f"{name} must be finite; it has {int(bad.sum())} NaN or infinite "
            f"entries, first at {positions}."
        )


def _is_nan_like(value):
    """NaN of any float type, NaT: the values unequal to themselves."""
    try:
        differs = value != value
    except Exception:  # an object whose comparison fails is not missing
        return False
    return isinstance(differs, bool | np.bool_) and bool(differs)


def _has_missing(arr):
    """True where a 1-D label array holds NaN, NaT, None or pandas' NA."""
    if arr.dtype.kind == "f":
        return np.isnan(arr)
    if arr.dtype.kind in "Mm":
        return np.isnat(arr)
    if arr.dtype.kind == "O":
        # pandas' NA can only be here if pandas was imported to make it.
        pandas = sys.modules.get("pandas")
        na = getattr(pandas, "NA", None) if pandas is not None else None
        return np.array(
            [v is None or (na is not None and v is na) or _is_nan_like(v) for v in arr],
            dtype=bool,
        )
    return np.zeros(arr.shape, dtype=bool)


def _sorted_labels(y, name, **kwargs):
    """``np.unique(y, **kwargs)``, naming ``name`` when its labels cannot be
    sorted together (strings beside numbers in an object array)."""
    try:
        return np.unique(y, **kwargs)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in y.ravel()})
        raise TypeError(
            f"{name} holds labels of types that cannot be sorted together "
            f"({', '.join(kinds)}); use labels of one type."
        ) from None


def _as_1d(value, name):
    if hasattr(value, "toarray"):
        raise TypeError(f"{name} must be a dense 1-D array; got a sparse matrix.")
    arr = np.asarray(value)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {arr.shape}.")
    missing = _has_missing(arr)
    if missing.any():
        raise ValueError(
            f"{name} must not contain missing values; found NaN/None at rows "
            f"{_show(np.flatnonzero(missing))}."
        )
    return arr


def check_labels(y, classes=None, *, n_classes=None, name="y"):
    """Validate labels of any type and encode them as codes ``0..n_classes-1``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of any hashable, sortable type (integers, strings, ...).
    classes : array-like of shape (n_classes,), default=None
        The label of each column of the probability matrices that go with ``y``.
        ``None`` means the sorted unique values of ``y``.
    n_classes : int, default=None
        The expected number of classes, usually ``pred_proba.shape[1]``. When
        ``classes`` is ``None`` and ``y`` shows a different number of classes, the
        error asks for ``classes``.
    name : str, default="y"
        Name of the parameter in error messages.

    Returns
    -------
    y_codes : ndarray of shape (n_samples,), dtype int64
        Position of each label in ``classes``.
    classes : ndarray of shape (n_classes,)
        The class labels, in column order.

    Raises
    ------
    ValueError
        If ``y`` is not 1-D, is empty, holds NaN/None, holds a label missing from
        ``classes``, or if the number of classes disagrees with ``n_classes``.

    See Also
    --------
    check_pred_proba : Validate the matching probability matrix.

    References
    ----------
    .. [1] F. Pedregosa et al., "Scikit-learn: Machine Learning in Python", JMLR
       12:2825-2830, 2011 (the ``classes_`` convention followed here).

    Examples
    --------
    >>> from skrobust.utils import check_labels
    >>> codes, classes = check_labels(["b", "a", "c", "a"])
    >>> codes.tolist(), classes.tolist()
    ([1, 0, 2, 0], ['a', 'b', 'c'])
    """
    y = _as_1d(y, name)
    if y.shape[0] == 0:
        raise ValueError(f"{name} must not be empty.")
    if classes is None:
        classes, y_codes = _sorted_labels(y, name, return_inverse=True)
        if n_classes is not None and len(classes) != n_classes:
            raise ValueError(
                f"{name} holds {len(classes)} distinct labels but {n_classes} "
                f"classes are expected (the columns of pred_proba). Pass classes= "
                "to name the label of every column, including unseen ones."
            )
        return y_codes.astype(np.int64, copy=False), classes
    classes = _as_1d(classes, "classes")
    if classes.shape[0] == 0:
        raise ValueError("classes must not be empty.")
    uniq_classes = np.unique(classes)
    if len(uniq_classes) != len(classes):
        raise ValueError(f"classes must not repeat a label; got {_show(classes)}.")
    if n_classes is not None and len(classes) != n_classes:
        raise ValueError(
            f"classes has {len(classes)} labels but {n_classes} are expected (the "
            "columns of pred_proba)."
        )
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    try:
        pos = np.searchsorted(sorted_classes, y)
    except TypeError:
        raise TypeError(
            f"{name} and classes hold labels of incomparable types "
            f"({y.dtype} and {classes.dtype})."
        ) from None
    pos = np.clip(pos, 0, len(classes) - 1)
    unknown = sorted_classes[pos] != y
    if np.any(unknown):
        raise ValueError(
            f"{name} holds labels that are not in classes: "
            f"{_show(np.unique(y[unknown]))}; classes is {_show(classes)}."
        )
    return order[pos].astype(np.int64, copy=False), classes


def check_pred_proba(
    pred_proba, *, n_samples=None, n_classes=None, tol=1e-3, name="pred_proba"
):
    """Validate a matrix of class probabilities, one row per sample.

    Parameters
    ----------
    pred_proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, columns in ``classes`` order.
    n_samples : int, default=None
        The expected number of rows, when known.
    n_classes : int, default=None
        The expected number of columns, when known.
    tol : float, default=1e-3
        Rows must sum to 1 within ``tol``; loose enough for float32 output.
    name : str, default="pred_proba"
        Name of the parameter in error messages.

    Returns
    -------
    pred_proba : ndarray of shape (n_samples, n_classes)
        The probabilities as float32 or float64 (float32 input stays float32).

    Raises
    ------
    TypeError
        If the entries are not numbers.
    ValueError
        If the shape is wrong, an entry is not finite, negative or above 1, or a
        row does not sum to 1.

    See Also
    --------
    check_labels : Validate the labels that go with the probabilities.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.

    Examples
    --------
    >>> from skrobust.utils import check_pred_proba
    >>> check_pred_proba([[0.9, 0.1], [0.2, 0.8]]).shape
    (2, 2)
    """
    arr = _as_numeric_array(pred_proba, name)
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_classes); got shape {arr.shape}."
        )
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(
            f"{name} must have one row per sample ({n_samples}); got {arr.shape[0]}."
        )
    if n_classes is not None and arr.shape[1] != n_classes:
        raise ValueError(
            f"{name} must have one column per class ({n_classes}); got {arr.shape[1]}."
        )
    if arr.shape[1] < 2:
        raise ValueError(f"{name} must have at least 2 columns; got {arr.shape[1]}.")
    # Blocks of rows keep the checks' temporaries small on (1e6, 100) inputs; the
    # cheap min/max test is followed by a detailed diagnosis only on failure.
    for start in range(0, arr.shape[0], _BLOCK_ROWS):
        block = arr[start : start + _BLOCK_ROWS]
        if block.size and not (block.min() >= 0 and block.max() <= 1):
            _diagnose_proba_block(block, start, name)
        row_sums = block.sum(axis=1, dtype=np.float64)
        bad = np.abs(row_sums - 1.0) > tol
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name} rows must sum to 1 (tolerance {tol:g}); row "
                f"{start + first} sums to {row_sums[first]:.6g}."
            )
    return arr


def _diagnose_proba_block(block, offset, name):
    bad = ~np.isfinite(block)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{name} must be finite; it has NaN or infinite entries, first at "
            f"({offset + int(row)}, {int(col)})."
        )
    rows = offset + np.flatnonzero(((block < 0) | (block > 1)).any(axis=1))
    raise ValueError(
        f"{name} must hold probabilities in [0, 1]; rows {_show(rows)} do not."
    )


def check_transition_matrix(
    transition_matrix,
    *,
    n_classes=None,
    tol=1e-6,
    require_invertible=False,
    max_condition_number=1e8,
    name="transition_matrix",
):
    r"""Validate a noise-transition matrix :math:`T_{ij} = P(\tilde y = j \mid y = i)`.

    Parameters
    ----------
    transition_matrix : array-like of shape (n_classes, n_classes)
        Row ``i`` is the distribution of the noisy label given true class ``i``.
    n_classes : int, default=None
        The expected number of classes, when known.
    tol : float, default=1e-6
        Rows must sum to 1 within ``tol``.
    require_invertible : bool, default=False
        Also require a condition number at most ``max_condition_number``: set it
        wherever the matrix is inverted (backward correction, posterior recovery).
    max_condition_number : float, default=1e8
        The largest accepted 2-norm condition number when ``require_invertible``.
    name : str, default="transition_matrix"
        Name of the parameter in error messages.

    Returns
    -------
    transition_matrix : ndarray of shape (n_classes, n_classes), dtype float64
        A validated copy.

    Raises
    ------
    TypeError
        If the entries are not numbers.
    ValueError
        If the matrix is not square, not finite, has negative entries, has a row
        not summing to 1, or is singular / ill-conditioned when inversion is asked.

    See Also
    --------
    skrobust.datasets.make_transition_matrix : Build a valid matrix.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> from skrobust.utils import check_transition_matrix
    >>> T = check_transition_matrix([[0.8, 0.2], [0.1, 0.9]], require_invertible=True)
    >>> T.sum(axis=1).tolist()
    [1.0, 1.0]
    """
    T = _as_numeric_array(transition_matrix, name).astype(np.float64)
    if T.ndim != 2 or T.shape[0] != T.shape[1]:
        raise ValueError(
            f"{name} must be a square 2-D matrix (n_classes, n_classes); got shape "
            f"{T.shape}."
        )
    if T.shape[0] < 2:
        raise ValueError(f"{name} must describe at least 2 classes; got {T.shape}.")
    if n_classes is not None and T.shape[0] != n_classes:
        raise ValueError(
            f"{name} must be {n_classes} x {n_classes} (one row per class); got "
            f"shape {T.shape}."
        )
    _check_finite(T, name)
    if (T < 0).any():
        where = [tuple(map(int, w)) for w in np.argwhere(T < 0)[:_MAX_SHOWN]]
        raise ValueError(
            f"{name} must be non-negative; entries {where} are negative (e.g. "
            f"{T[where[0]]:.6g})."
        )
    row_sums = T.sum(axis=1)
    bad = np.flatnonzero(np.abs(row_sums - 1.0) > tol)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"{name} must be row-stochastic (T[i, j] = P(noisy=j | true=i)): row {i} "
            f"sums to {row_sums[i]:.6g} (tolerance {tol:g}). If your matrix is "
            "column-stochastic (as cleanlab's noise_matrix), pass its transpose."
        )
    if require_invertible:
        cond = np.linalg.cond(T)
        if not np.isfinite(cond) or cond > max_condition_number:
            raise ValueError(
                f"{name} is singular or ill-conditioned (condition number {cond:.3g} "
                f"> {max_condition_number:g}), so it cannot be inverted. Lower the "
                "noise rate, or use a correction that does not invert it."
            )
    return T


def check_class_prior(class_prior, *, name="class_prior"):
    """Validate a class prior: a real scalar in the open interval (0, 1).

    Parameters
    ----------
    class_prior : float
        The prior probability :math:`\\pi = P(y = 1)` of the positive class. A
        label frequency :math:`c = P(s = 1 \\mid y = 1)` may check against it
        too, but may also be 1 (every positive labelled), which this rejects.
    name : str, default="class_prior"
        Name of the parameter in error messages.

    Returns
    -------
    class_prior : float
        The value as a Python float.

    Raises
    ------
    TypeError
        If the value is not a real number (booleans and arrays of size > 1 too).
    ValueError
        If the value is NaN or outside (0, 1).

    See Also
    --------
    check_pu_labels : Validate the PU labels the prior goes with.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and Unlabeled
       Data", KDD 2008, doi:10.1145/1401890.1401920.

    Examples
    --------
    >>> from skrobust.utils import check_class_prior
    >>> check_class_prior(0.3)
    0.3
    """
    value = class_prior
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a real number in (0, 1); got {type(class_prior).__name__}"
            f" {class_prior!r}."
        )
    value = float(value)
    if not (0.0 < value < 1.0):
        raise ValueError(f"{name} must be in the open interval (0, 1); got {value!r}.")
    return value


def check_pu_labels(y, *, pos_label=1, name="y"):
    """Validate positive-unlabeled labels and return the labelled-positive mask.

    ``y`` holds two values: ``pos_label`` marks the labelled positives, the other
    value marks unlabelled rows (which may be positive or negative).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The labelling indicator :math:`s`, in any label type.
    pos_label : int, float, bool or str, default=1
        The value marking labelled positives.
    name : str, default="y"
        Name of the parameter in error messages.

    Returns
    -------
    labeled_mask : ndarray of shape (n_samples,), dtype bool
        True where the row is a labelled positive (:math:`s = 1`).

    Raises
    ------
    ValueError
        If ``y`` is not 1-D, holds NaN/None, holds more than two values, has no row
        equal to ``pos_label``, or has no unlabelled row.

    See Also
    --------
    check_class_prior : Validate the class prior used with these labels.
    skrobust.datasets.make_pu_labels : Simulate such labels.

    References
    ----------
    .. [1] J. Bekker, J. Davis, "Learning from Positive and Unlabeled Data: a
       Survey", Machine Learning 109:719-760, 2020, arXiv:1811.04820.

    Examples
    --------
    >>> from skrobust.utils import check_pu_labels
    >>> check_pu_labels([1, 0, 0, 1]).tolist()
    [True, False, False, True]
    """
    if np.ndim(pos_label) != 0:
        raise TypeError(
            f"pos_label must be a single label; got {type(pos_label).__name__} "
            f"{pos_label!r}."
        )
    y = _as_1d(y, name)
    if y.shape[0] == 0:
        raise ValueError(f"{name} must not be empty.")
    values = _sorted_labels(y, name)
    if len(values) > 2:
        raise ValueError(
            f"{name} must hold two values (pos_label={pos_label!r} for labelled "
            f"positives, one other for unlabelled rows); got {len(values)}: "
            f"{_show(values)}."
        )
    labeled_mask = equal_mask(y, pos_label)
    if not labeled_mask.any():
        raise ValueError(
            f"{name} has no labelled positive (value {pos_label!r}); PU learning needs"
            f" at least one. Values found: {_show(values)}; set pos_label to the "
            "value that marks labelled positives."
        )
    if labeled_mask.all():
        raise ValueError(
            f"{name} has no unlabelled row: every row equals pos_label={pos_label!r}."
            " PU learning needs unlabelled data."
        )
    return labeled_mask


def equal_mask(values, label):
    """Elementwise ``values == label`` that is all False across str/number types.

    Comparing a string array with a number (or the reverse) returns a scalar and
    warns in numpy < 2; a label of the other kind simply matches nothing.
    """
    kind = values.dtype.kind
    if kind == "U":
        comparable = isinstance(label, str)
    elif kind == "S":
        comparable = isinstance(label, bytes)
    else:
        comparable = kind == "O" or not isinstance(label, str | bytes)
    if not comparable:
        return np.zeros(values.shape, dtype=bool)
    return np.asarray(values == label, dtype=bool)


def _is_index_form(bags):
    """True when ``bags`` is a sequence of per-bag row-index arrays."""
    if not isinstance(bags, list | tuple) or len(bags) == 0:
        return False
    return any(np.ndim(b) != 0 for b in bags)


def _bags_from_indices(bags, n_samples, name):
    sizes = np.array([np.size(b) for b in bags])
    empty = np.flatnonzero(sizes == 0)
    if empty.size:
        raise ValueError(
            f"{name}[{int(empty[0])}] is empty; every bag needs at least one row "
            f"(empty bags: {_show(empty)})."
        )
    flat = [np.asarray(b).ravel() for b in bags]
    rows = np.concatenate(flat)
    if rows.dtype.kind not in "iu":
        raise TypeError(
            f"{name} given as a list of bags must hold integer row indices; got "
            f"dtype {rows.dtype}."
        )
    if n_samples is None:
        n_samples = int(rows.max()) + 1
    if rows.min() < 0 or rows.max() >= n_samples:
        bad = rows[(rows < 0) | (rows >= n_samples)]
        raise ValueError(
            f"{name} holds row indices outside [0, {n_samples}): {_show(bad)}."
        )
    counts = np.bincount(rows, minlength=n_samples)
    if (counts > 1).any():
        raise ValueError(
            f"{name} puts rows {_show(np.flatnonzero(counts > 1))} in more than one "
            "bag; each row belongs to exactly one bag."
        )
    if (counts == 0).any():
        raise ValueError(
            f"{name} leaves rows {_show(np.flatnonzero(counts == 0))} out of every "
            "bag; each row belongs to exactly one bag."
        )
    codes = np.empty(n_samples, dtype=np.int64)
    codes[rows] = np.repeat(np.arange(len(bags), dtype=np.int64), sizes)
    return codes


def check_bags(bags, *, n_samples=None, name="bags"):
    """Validate a bag assignment and encode it as bag codes ``0..n_bags-1``.

    Parameters
    ----------
    bags : array-like of shape (n_samples,) or list of array-like
        Either one bag id per row (any hashable, sortable type), or a list with one
        array of row indices per bag.
    n_samples : int, default=None
        The number of rows the bags must cover, when known.
    name : str, default="bags"
        Name of the parameter in error messages.

    Returns
    -------
    bag_codes : ndarray of shape (n_samples,), dtype int64
        The bag of each row, numbered ``0..n_bags-1`` in sorted order of the ids
        (in list order for the index form).

    Raises
    ------
    ValueError
        If the ids are not one per row, hold NaN/None, or (index form) a bag is
        empty, an index is out of range, or a row is in no bag or in two bags.

    See Also
    --------
    check_proportions : Validate the bag proportions that go with the bags.
    skrobust.datasets.make_bags : Draw a random bag assignment.

    References
    ----------
    .. [1] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.

    Examples
    --------
    >>> from skrobust.utils import check_bags
    >>> check_bags(["b", "a", "b"]).tolist()
    [1, 0, 1]
    >>> check_bags([[0, 2], [1]]).tolist()
    [0, 1, 0]
    """
    if _is_index_form(bags):
        return _bags_from_indices(bags, n_samples, name)
    arr = _as_1d(bags, name)
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(
            f"{name} must hold one bag id per row ({n_samples} rows); got "
            f"{arr.shape[0]}."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty.")
    _, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64, copy=False)


def check_proportions(y, bags, *, n_classes=None, tol=1e-6, name="y"):
    """Validate row-aligned bag proportions.

    Every row carries the class proportions of its bag: a 1-D array with the
    proportion of the positive class in binary problems, or an (n_samples,
    n_classes) array whose rows sum to 1. Rows of one bag must agree.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        The proportions of each row's bag.
    bags : array-like of shape (n_samples,) or list of array-like
        The bag of each row, in any form :func:`check_bags` accepts.
    n_classes : int, default=None
        The expected number of classes, when known (a 1-D ``y`` means 2).
    tol : float, default=1e-6
        Tolerance for the [0, 1] range, the row sums and agreement within a bag.
    name : str, default="y"
        Name of the parameter in error messages.

    Returns
    -------
    proportions : ndarray of shape (n_samples,) or (n_samples, n_classes)
        The proportions as float64, clipped into [0, 1].

    Raises
    ------
    TypeError
        If the proportions are not numbers.
    ValueError
        If they are not finite, lie outside [0, 1], do not sum to 1 per row
        (multiclass form), differ within a bag, or have the wrong shape.

    See Also
    --------
    check_bags : Validate the bags alone.
    skrobust.datasets.bag_proportions : Compute proportions from labels.

    References
    ----------
    .. [1] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.

    Examples
    --------
    >>> from skrobust.utils import check_proportions
    >>> check_proportions([0.5, 0.5, 1.0], bags=[0, 0, 1]).tolist()
    [0.5, 0.5, 1.0]
    """
    props = _as_numeric_array(y, name).astype(np.float64)
    if props.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (binary) or 2-D (n_samples, n_classes); got shape "
            f"{props.shape}."
        )
    if props.ndim == 2 and props.shape[1] < 2:
        raise ValueError(f"{name} must have at least 2 columns; got {props.shape}.")
    k = 2 if props.ndim == 1 else props.shape[1]
    if n_classes is not None and k != n_classes:
        raise ValueError(
            f"{name} describes {k} classes but {n_classes} are expected; pass an "
            "(n_samples, n_classes) array for more than two classes."
        )
    bag_codes = check_bags(bags, n_samples=props.shape[0], name="bags")
    _check_finite(props, name)
    outside = (props < -tol) | (props > 1 + tol)
    if outside.any():
        rows = np.flatnonzero(outside if props.ndim == 1 else outside.any(axis=1))
        raise ValueError(
            f"{name} must hold proportions in [0, 1]; rows {_show(rows)} do not "
            f"(e.g. {props[rows[0]]!r})."
        )
    if props.ndim == 2:
        sums = props.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1) > tol)
        if bad.size:
            raise ValueError(
                f"{name} rows must sum to 1 (tolerance {tol:g}); row {int(bad[0])} "
                f"sums to {sums[bad[0]]:.6g}."
            )
    _check_constant_within_bags(props, bag_codes, tol, name, bags)
    return np.clip(props, 0.0, 1.0)


def _bag_label(bags, code):
    """The user's id of bag ``code``: its id, or its list position (index form)."""
    if _is_index_form(bags):
        return f"#{int(code)} (position in {type(bags).__name__})"
    return _show_one(np.unique(_as_1d(bags, "bags"))[code])


def _check_constant_within_bags(props, bag_codes, tol, name, bags=None):
    # Sorting by bag once and reducing over contiguous runs keeps this O(n log n)
    # and vectorised over all classes at once.
    order = np.argsort(bag_codes, kind="stable")
    sorted_codes = bag_codes[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(sorted_codes)) + 1))
    flat = props.reshape(props.shape[0], -1)[order]
    spread = np.maximum.reduceat(flat, starts, axis=0) - np.minimum.reduceat(
        flat, starts, axis=0
    )
    spread = spread.max(axis=1)
    bad = np.flatnonzero(spread > tol)
    if bad.size:
        bag = sorted_codes[starts[bad[0]]]
        rows = np.flatnonzero(bag_codes == bag)
        label = f"#{int(bag)}" if bags is None else _bag_label(bags, bag)
        raise ValueError(
            f"{name} must be equal within each bag (every row carries its bag's "
            f"proportions); bag {label} (rows {_show(rows)}) has values "
            f"differing by {spread[bad[0]]:.6g}."
        )


def _check_integral(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int; got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def check_kfold_params(n_splits, shuffle, random_state):
    """Validate a k-fold splitter's parameters; return ``(n_splits, shuffle)``.

    Shared by the families' splitters, which validate on construction as
    scikit-learn's do.
    """
    if isinstance(n_splits, bool) or not isinstance(n_splits, Integral):
        raise TypeError(
            f"n_splits must be an int >= 2; got {type(n_splits).__name__} {n_splits!r}."
        )
    if n_splits < 2:
        raise ValueError(
            "n_splits must be >= 2 (k-fold cross-validation needs at least one "
            f"train/test split); got {n_splits}."
        )
    if not isinstance(shuffle, bool | np.bool_):
        raise TypeError(
            f"shuffle must be True or False; got {type(shuffle).__name__} {shuffle!r}."
        )
    if not shuffle and random_state is not None:
        raise ValueError(
            "random_state must be None when shuffle=False (it would have no "
            f"effect); got random_state={random_state!r}. Set shuffle=True or "
            "leave random_state at None."
        )
    return int(n_splits), bool(shuffle)


def check_row_weights(sample_weight, n_samples, *, name="sample_weight"):
    """Validate per-row weights: numbers, one per row, finite, non-negative.

    The families' functions and estimators that take ``sample_weight`` and do not
    hand it to scikit-learn validate it here, so the rules and messages agree.

    Returns
    -------
    weights : ndarray of shape (n_samples,), dtype float64
    """
    weights = _as_numeric_array(sample_weight, name).astype(np.float64)
    if weights.shape != (n_samples,):
        raise ValueError(
            f"{name} must have one value per row ({n_samples}); got shape "
            f"{weights.shape}."
        )
    _check_finite(weights, name)
    negative = weights < 0
    if negative.any():
        raise ValueError(
            f"{name} must be non-negative; got negative weights at rows "
            f"{_show(np.flatnonzero(negative))}."
        )
    return weights


def _for_base(X, checked):
    """What a meta-estimator hands its base: a data frame as given, so that a
    base pipeline can select columns by name (rows are taken with
    ``_safe_indexing``); anything else as validated."""
    return X if hasattr(X, "columns") else checked


def check_base_takes_weights(
    base,
    *,
    need="was given",
    remedy="use a base whose fit takes sample_weight, or fit without it",
):
    """Raise a clear error when ``base.fit`` cannot take ``sample_weight``.

    Checked before any work, not when the fit fails. A Pipeline takes it when
    its final step does. The message reads "estimator <name> does not accept
    sample_weight, which <need>; <remedy>."
    """
    if not _takes_sample_weight(base):
        name = type(base).__name__
        step, path = _weighted_step(base)
        if path:
            name += f" (final step {path[-1]!r}: {type(step).__name__})"
        raise ValueError(
            f"estimator {name} does not accept sample_weight, which {need}; {remedy}."
        )
