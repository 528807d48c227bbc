r"""Simulators of positive-unlabeled labelling.

Notation: :math:`s` is the labelling indicator (1 for a labelled positive), :math:`y`
the true class, :math:`c = P(s = 1 \mid y = 1)` the label frequency and
:math:`e(x) = P(s = 1 \mid y = 1, x)` the propensity. Under SCAR ("selected
completely at random") :math:`e(x) = c` for every :math:`x`; under SAR it varies.
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._sklearn_compat import Interval, validate_params
from ..utils._validation import _as_1d, _as_numeric_array, _show, equal_mask


def _unlabeled_value(values, pos_label, unlabeled_value):
    if unlabeled_value is not None:
        return unlabeled_value
    others = values[~equal_mask(values, pos_label)]
    if len(values) == 2 and len(others) == 1:
        return others[0]
    if isinstance(pos_label, str):
        raise ValueError(
            "unlabeled_value must be given when y is not binary and pos_label is a "
            f"string; y holds {_show(values)}."
        )
    return -1 if pos_label == 0 else 0


@validate_params(
    {
        "y": ["array-like"],
        "label_frequency": [Interval(Real, 0, 1, closed="right"), None],
        "pos_label": [Real, str, "boolean"],
        "propensity": ["array-like", None],
        "unlabeled_value": [Real, str, "boolean", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_pu_labels(
    y,
    label_frequency,
    *,
    pos_label=1,
    propensity=None,
    unlabeled_value=None,
    random_state=None,
):
    r"""Hide labels: keep a random subset of the positives labelled, unlabel the rest.

    Under SCAR each positive stays labelled with probability ``label_frequency``;
    with ``propensity`` each positive row ``i`` stays labelled with probability
    ``propensity[i]`` (SAR). Negatives are always unlabelled.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        True labels; ``pos_label`` marks the positive class.
    label_frequency : float in (0, 1] or None
        :math:`c = P(s = 1 \mid y = 1)` under SCAR. Must be ``None`` when
        ``propensity`` is given.
    pos_label : int, float, bool or str, default=1
        The positive class.
    propensity : array-like of shape (n_samples,), default=None
        Per-row labelling probability of positives, in [0, 1] (SAR); every
        value must be a finite probability, though those on negative rows are
        not used.
    unlabeled_value : int, float, bool, str or None, default=None
        The value marking unlabelled rows. ``None`` means the other class when
        ``y`` is binary, else 0 (or -1 when ``pos_label`` is 0).
    random_state : int, RandomState instance or None, default=None
        Seeds the draws.

    Returns
    -------
    s : ndarray of shape (n_samples,)
        ``pos_label`` on labelled positives, ``unlabeled_value`` elsewhere.

    See Also
    --------
    skrobust.utils.check_pu_labels : Validate such labels.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and Unlabeled
       Data", KDD 2008, doi:10.1145/1401890.1401920 (SCAR).
    .. [2] J. Bekker, P. Robberechts, J. Davis, "Beyond the Selected Completely At
       Random Assumption for Learning from Positive and Unlabeled Data", ECML-PKDD
       2019, arXiv:1809.03207 (SAR).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.datasets import make_pu_labels
    >>> y = np.repeat([0, 1], 5000)
    >>> s = make_pu_labels(y, 0.4, random_state=0)
    >>> round(float(s[y == 1].mean()), 2), int(s[y == 0].sum())
    (0.4, 0)
    """
    y = _as_1d(y, "y")
    if (label_frequency is None) == (propensity is None):
        raise ValueError(
            "Give exactly one of label_frequency (SCAR) and propensity (SAR); got "
            f"label_frequency={label_frequency!r} and propensity="
            f"{'None' if propensity is None else 'an array'}."
        )
    positive = equal_mask(y, pos_label)
    if not positive.any():
        raise ValueError(
            f"y has no row equal to pos_label={pos_label!r}; values found: "
            f"{_show(np.unique(y))}."
        )
    if propensity is None:
        prob = np.full(y.shape[0], float(label_frequency))
    else:
        prob = _as_numeric_array(propensity, "propensity").astype(np.float64)
        if prob.shape != y.shape:
            raise ValueError(
                f"propensity must have one value per row ({y.shape[0]}); got shape "
                f"{prob.shape}."
            )
        if not np.all(np.isfinite(prob)) or (prob < 0).any() or (prob > 1).any():
            raise ValueError("propensity must hold finite probabilities in [0, 1].")
    rng = check_random_state(random_state)
    labeled = positive & (rng.random_sample(y.shape[0]) < prob)
    fill = _unlabeled_value(np.unique(y), pos_label, unlabeled_value)
    if fill == pos_label:
        raise ValueError(
            f"unlabeled_value must differ from pos_label; both are {pos_label!r}."
        )
    if isinstance(fill, str) != isinstance(pos_label, str):
        # numpy cannot hold a string and a number in one array of either type.
        raise TypeError(
            f"unlabeled_value={fill!r} and pos_label={pos_label!r} must both be "
            "strings or both be numbers, to share one array of PU labels."
        )
    return np.where(labeled, pos_label, fill)
