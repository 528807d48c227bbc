r"""A bag-level metric and scorer for learning from label proportions (LLP).

Notation: bag :math:`b` holds the rows :math:`I_b` and has the given class
proportions :math:`\pi_b \in \Delta^K` (every row of ``y`` carries its bag's
:math:`\pi_b`); :math:`p_i \in \Delta^K` is a model's predicted class
distribution for row :math:`i` and :math:`w_i \ge 0` a row weight (1 by
default). A model's predicted proportions for the bag are the weighted mean

.. math:: \hat\pi_b = \frac{\sum_{i \in I_b} w_i \, p_i}{\sum_{i \in I_b} w_i},

and its bag-proportion error is the mean, over the :math:`B` bags with positive
weight, of the total-variation distance between the given and the predicted
proportions:

.. math::

    E = \frac{1}{B} \sum_b \tfrac{1}{2} \lVert \pi_b - \hat\pi_b \rVert_1
      = \frac{1}{B} \sum_b \tfrac{1}{2} \sum_{k=1}^K
        \lvert \pi_{bk} - \hat\pi_{bk} \rvert .

With two classes the distance is :math:`\lvert \pi_{b1} - \hat\pi_{b1} \rvert`,
the absolute error on the positive share. :math:`E` lies in [0, 1] and needs
no instance label, so it can select LLP models on held-out bags.
"""

import numpy as np
from sklearn.utils.metadata_routing import UNCHANGED

from ..utils import check_bags, check_pred_proba, check_proportions
from ..utils._sklearn_compat import validate_params
from ..utils._validation import (
    _as_numeric_array,
    _check_finite,
    _show,
    check_row_weights,
)
from ._scorer import _SampleWeightScorer


def _check_proba(pred_proba, name):
    """Validate probabilities; a 1-D array is the positive class of two."""
    arr = _as_numeric_array(pred_proba, name)
    if arr.ndim == 1:
        _check_finite(arr, name)
        outside = (arr < 0) | (arr > 1)
        if outside.any():
            raise ValueError(
                f"{name} must hold probabilities in [0, 1]; rows "
                f"{_show(np.flatnonzero(outside))} do not."
            )
        arr = arr.astype(np.float64, copy=False)
        return np.column_stack([1.0 - arr, arr])
    return check_pred_proba(arr, name=name).astype(np.float64, copy=False)


def _check_bag_weights(sample_weight, bag_codes):
    """Validate row weights; return them and each bag's total weight."""
    n_samples = bag_codes.shape[0]
    n_bags = int(bag_codes.max()) + 1
    if sample_weight is None:
        weights = np.ones(n_samples)
        return weights, np.bincount(bag_codes, minlength=n_bags).astype(np.float64)
    weights = check_row_weights(sample_weight, n_samples)
    totals = np.bincount(bag_codes, weights=weights, minlength=n_bags)
    if not (totals > 0).any():
        raise ValueError(
            "sample_weight must give some bag a positive total weight (the "
            "predicted proportions of a bag are a weighted mean); every bag has 0."
        )
    return weights, totals


def _bag_errors(y_proportions, pred_proba, bags, sample_weight, names):
    """Total-variation error of every bag with positive weight (module notes).

    ``names`` are the names of the proportions and the probabilities in error
    messages.
    """
    props_name, proba_name = names
    proba = _check_proba(pred_proba, proba_name)
    n_samples, n_classes = proba.shape
    props = check_proportions(y_proportions, bags, n_classes=n_classes, name=props_name)
    if props.shape[0] != n_samples:
        raise ValueError(
            f"{props_name} and {proba_name} must have the same number of rows; "
            f"got {props.shape[0]} and {n_samples}."
        )
    if props.ndim == 1:
        props = np.column_stack([1.0 - props, props])
    bag_codes = check_bags(bags, n_samples=n_samples)
    weights, totals = _check_bag_weights(sample_weight, bag_codes)
    n_bags = totals.shape[0]
    weighted = proba * weights[:, None]
    # One bincount per class sums each bag's weighted probabilities; K is small,
    # and the loop avoids the slow unbuffered np.add.at.
    sums = np.column_stack(
        [
            np.bincount(bag_codes, weights=weighted[:, k], minlength=n_bags)
            for k in range(n_classes)
        ]
    )
    given = np.empty((n_bags, n_classes))
    # Every row of a bag carries the same proportions (checked above), so any
    # one copy per bag will do.
    given[bag_codes] = props
    kept = totals > 0
    predicted = sums[kept] / totals[kept, None]
    return 0.5 * np.abs(given[kept] - predicted).sum(axis=1)


@validate_params(
    {
        "y_proportions": ["array-like"],
        "pred_proba": ["array-like"],
        "bags": ["array-like", list],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def bag_proportion_error(y_proportions, pred_proba, bags, *, sample_weight=None):
    r"""Mean distance between given and predicted bag proportions.

    For every bag, the predicted proportions are the (weighted) mean of its
    rows' predicted probabilities; the error of the bag is the total-variation
    distance :math:`\tfrac12 \lVert \pi_b - \hat\pi_b \rVert_1` to the given
    proportions, and the result is its mean over bags, each bag counting once
    (module notes). Lower is better; no instance label is needed.

    Parameters
    ----------
    y_proportions : array-like of shape (n_samples,) or (n_samples, n_classes)
        Each row's bag proportions, equal within a bag: the positive-class
        proportion (binary, 1-D) or one column per class, rows summing to 1.
    pred_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted class probabilities, columns in the order of the proportions'
        classes (an LLP estimator's ``classes_``). A 1-D array is the
        probability of the positive class (the second of two).
    bags : array-like of shape (n_samples,) or list of array-like
        The bag of each row (one id per row), or one array of row indices per
        bag; see :func:`skrobust.utils.check_bags`.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights in each bag's mean; a bag whose weights sum to
        0 is left out. Bags still count once each, whatever their weight.

    Returns
    -------
    error : float
        The mean total-variation distance over bags, in [0, 1]; 0 when every
        bag's mean prediction equals its proportions.

    See Also
    --------
    bag_proportion_scorer : The scorer for ``GridSearchCV``.
    skrobust.llp.BagKFold : Cross-validation folds of whole bags.

    Notes
    -----
    The metric compares mean probabilities, not counts of predicted labels, so
    it responds smoothly to changes in the model and rewards calibrated bag
    means. It is blind to how the probability is shared out within a bag (any
    predictions with the right bag means score 0), so it ranks models well only
    when the proportions vary between bags (small or non-random bags): for
    large random bags, whose proportions all approach the class prior, a
    constant predictor scores nearly as well as a good one.

    References
    ----------
    .. [1] F. X. Yu, K. Choromanski, S. Kumar, T. Jebara, S.-F. Chang, "On
       Learning from Label Proportions", arXiv:1402.5902, 2014 (good bag
       proportion prediction implies good instance prediction, under
       assumptions on the bags).
    .. [2] G. Franco et al., "Dependence and Model Selection in LLP: The Problem
       of Variants", KDD 2023, doi:10.1145/3580305.3599307 (selecting LLP
       models by the absolute proportion error on held-out bags).

    Examples
    --------
    >>> from skrobust.metrics import bag_proportion_error
    >>> proportions = [0.5, 0.5, 1.0, 1.0]   # bag 0: half positive; bag 1: all
    >>> pred_proba  = [0.2, 0.6, 0.9, 0.7]   # P(positive) of each row
    >>> bags        = [0, 0, 1, 1]
    >>> round(bag_proportion_error(proportions, pred_proba, bags), 3)  # (0.1+0.2)/2
    0.15
    """
    errors = _bag_errors(
        y_proportions,
        pred_proba,
        bags,
        sample_weight,
        ("y_proportions", "pred_proba"),
    )
    return float(errors.mean())


class _BagProportionScorer(_SampleWeightScorer):
    """The scorer behind :data:`bag_proportion_scorer`; requests ``bags`` itself.

    A plain callable with ``get_metadata_routing`` rather than a scikit-learn
    ``make_scorer`` object: those request nothing until ``set_score_request``,
    which scikit-learn refuses while routing is disabled, so a module-level
    scorer could not request ``bags`` at import time.
    """

    def __init__(self, *, shared=False):
        super().__init__()
        self._shared = shared
        # bags are requested by default: the scorer is meaningless without them.
        self._bags_request = True

    def __repr__(self):
        return (
            "bag_proportion_scorer" if self._shared else "make_bag_proportion_scorer()"
        )

    def __call__(self, estimator, X, y_true, bags=None, sample_weight=None):
        """Score ``estimator`` by its negated bag-proportion error on ``X``.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier with ``predict_proba``, whose columns follow the
            proportions' classes (an LLP estimator's ``classes_``).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score, whole bags.
        y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
            Each row's bag proportions.
        bags : array-like of shape (n_samples,)
            The bag of each row. Required; ``GridSearchCV`` passes it only with
            metadata routing enabled.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights in each bag's mean.

        Returns
        -------
        score : float
            Minus :func:`bag_proportion_error`, in [-1, 0]; greater is better.
        """
        if bags is None:
            raise ValueError(
                f"{self!r} needs bags: call it as scorer(estimator, X, y, "
                "bags=bags). In GridSearchCV or cross_validate, enable metadata "
                "routing (sklearn.set_config(enable_metadata_routing=True)) and "
                "pass fit(X, y, bags=bags), with a splitter that keeps bags whole "
                "(skrobust.llp.BagKFold); without routing scikit-learn passes "
                "scorers no bags."
            )
        if not hasattr(estimator, "predict_proba"):
            raise TypeError(
                f"{self!r} needs an estimator with predict_proba; "
                f"{type(estimator).__name__} has none."
            )
        errors = _bag_errors(
            y_true,
            estimator.predict_proba(X),
            bags,
            sample_weight,
            ("y", f"{type(estimator).__name__}.predict_proba(X)"),
        )
        return -float(errors.mean())

    def set_score_request(self, *, bags=UNCHANGED, sample_weight=UNCHANGED):
        """Set how ``bags`` and ``sample_weight`` are requested for scoring.

        Only with metadata routing enabled, and only on a scorer of your own
        from :func:`make_bag_proportion_scorer`: the shared
        :data:`bag_proportion_scorer` is never modified.

        Parameters
        ----------
        bags : bool, str or None, default=UNCHANGED
            ``True`` (the default request) to receive ``bags``, a string to
            receive it under that alias, ``False`` or ``None`` to not receive
            it (the scorer then raises when called).
        sample_weight : bool, str or None, default=UNCHANGED
            ``True`` to receive ``sample_weight``, ``False`` not to, a string to
            receive it under that alias, ``None`` (the default request) to
            raise if it is passed.

        Returns
        -------
        self : object
            The scorer.
        """
        self._check_routing()
        if self._shared:
            raise RuntimeError(
                "bag_proportion_scorer is shared by every user of skrobust and is "
                "never modified; call make_bag_proportion_scorer() for a scorer of "
                "your own and set its requests, e.g. make_bag_proportion_scorer()"
                ".set_score_request(sample_weight=True)."
            )
        # Validate both before changing either, so a bad value changes nothing.
        request = self.get_metadata_routing()
        if bags is not UNCHANGED:
            request.score.add_request(param="bags", alias=bags)
        if sample_weight is not UNCHANGED:
            request.score.add_request(param="sample_weight", alias=sample_weight)
        if bags is not UNCHANGED:
            self._bags_request = bags
        if sample_weight is not UNCHANGED:
            self._sample_weight_request = sample_weight
        return self

    def _other_requests(self):
        return {"bags": self._bags_request}


def make_bag_proportion_scorer():
    r"""A new bag-proportion scorer, whose metadata requests can be changed.

    :data:`bag_proportion_scorer` is this scorer shared by everyone and never
    modified; make one of your own when it must request something else, such
    as ``sample_weight`` (with metadata routing enabled).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, bags=bags, sample_weight=None) -> float``:
        minus :func:`bag_proportion_error` of ``estimator.predict_proba(X)``,
        greater is better. It requests ``bags`` for scoring; change the
        requests with ``scorer.set_score_request(bags=..., sample_weight=...)``.

    See Also
    --------
    bag_proportion_scorer : The shared instance, for ``scoring=``.
    bag_proportion_error : The metric.

    Notes
    -----
    A scorer must receive the bags of the rows it scores, whole; in
    ``GridSearchCV`` that takes metadata routing and a splitter that keeps bags
    whole, such as :class:`skrobust.llp.BagKFold`.

    References
    ----------
    .. [1] F. X. Yu, K. Choromanski, S. Kumar, T. Jebara, S.-F. Chang, "On
       Learning from Label Proportions", arXiv:1402.5902, 2014.

    Examples
    --------
    >>> import numpy as np
    >>> import sklearn
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.datasets import bag_proportions, make_bags
    >>> from skrobust.metrics import make_bag_proportion_scorer
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> bags = make_bags(200, bag_size=10, random_state=0)
    >>> proportions = bag_proportions(y, bags)
    >>> model = LogisticRegression().fit(X, y)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scorer = make_bag_proportion_scorer().set_score_request(
    ...         sample_weight=True)
    >>> scorer.get_metadata_routing().score.requests
    {'bags': True, 'sample_weight': True}
    >>> round(scorer(model, X, proportions, bags=bags), 3)
    -0.042
    >>> weights = np.where(y == 1, 2.0, 1.0)  # counted twice in their bag's mean
    >>> round(scorer(model, X, proportions, bags=bags, sample_weight=weights), 3)
    -0.126
    """
    return _BagProportionScorer()


bag_proportion_scorer = _BagProportionScorer(shared=True)
bag_proportion_scorer.__doc__ = r"""Score a model by its error on bag proportions.

``bag_proportion_scorer(estimator, X, y, bags=bags)`` is minus
:func:`bag_proportion_error` of ``estimator.predict_proba(X)`` against the bag
proportions ``y``: greater is better, and no instance label is needed. It
requests ``bags`` for scoring by itself, so with metadata routing enabled::

    sklearn.set_config(enable_metadata_routing=True)
    search = GridSearchCV(est, param_grid, cv=BagKFold(5),
                          scoring=bag_proportion_scorer)
    search.fit(X, y, bags=b)

selects an LLP estimator ``est`` (which requests ``bags`` for ``fit``) on bags
it did not see in training. Without routing scikit-learn passes scorers no
bags, and the scorer raises. This instance is shared and never modified; use
:func:`make_bag_proportion_scorer` for one whose requests you can set.

Parameters
----------
estimator : estimator object
    A fitted classifier with ``predict_proba``, whose columns follow the
    proportions' classes (an LLP estimator's ``classes_``).
X : {array-like, sparse matrix} of shape (n_samples, n_features)
    The rows to score, whole bags.
y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
    Each row's bag proportions.
bags : array-like of shape (n_samples,)
    The bag of each row. Required; ``GridSearchCV`` passes it only with
    metadata routing enabled.
sample_weight : array-like of shape (n_samples,), default=None
    Non-negative row weights in each bag's mean; with routing enabled the
    shared scorer does not request them (see
    :func:`make_bag_proportion_scorer`).

Returns
-------
score : float
    Minus :func:`bag_proportion_error`, in [-1, 0].

See Also
--------
make_bag_proportion_scorer : A scorer of your own, to change its requests.
skrobust.llp.BagKFold : The splitter that keeps bags whole.

Notes
-----
Pass bags as one id per row: scikit-learn slices routed metadata by row, which
the list-of-indices form of bags does not survive.

References
----------
.. [1] F. X. Yu, K. Choromanski, S. Kumar, T. Jebara, S.-F. Chang, "On
   Learning from Label Proportions", arXiv:1402.5902, 2014 (good bag
   proportion prediction implies good instance prediction, under assumptions
   on the bags).
.. [2] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
   from Label Proportions", JMLR 10:2349-2374, 2009.

Examples
--------
Two models fitted on instance labels, ranked on bag proportions alone:

>>> from sklearn.datasets import make_classification
>>> from sklearn.linear_model import LogisticRegression
>>> from skrobust.datasets import bag_proportions, make_bags
>>> from skrobust.metrics import bag_proportion_scorer
>>> X, y = make_classification(n_samples=400, random_state=0)
>>> bags = make_bags(400, bag_size=8, shuffle=False)  # rows 0-7, 8-15, ...
>>> proportions = bag_proportions(y, bags)
>>> for C in (1e-4, 1.0):
...     model = LogisticRegression(C=C).fit(X[:200], y[:200])
...     score = bag_proportion_scorer(model, X[200:], proportions[200:],
...                                   bags=bags[200:])
...     print(f"C={C:g}: bag score {score:.3f}, "
...           f"accuracy {model.score(X[200:], y[200:]):.2f}")
C=0.0001: bag score -0.137, accuracy 0.49
C=1: bag score -0.091, accuracy 0.83
"""

# Doctest collects docstrings of functions and classes only; this runs the
# shared scorer's Examples as well.
__test__ = {"bag_proportion_scorer": bag_proportion_scorer.__doc__}
