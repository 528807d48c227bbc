r"""A K-fold splitter that keeps every bag whole.

Notation: a bag :math:`b` is a set of rows :math:`I_b` that share one vector of
class proportions :math:`\pi_b`; every row of ``y`` carries its bag's
:math:`\pi_b` (DESIGN's "LLP targets" convention).

Cross-validating an LLP model on bag proportions only means something if no bag
is cut in two: a training fold holding part of a bag would fit that part to the
whole bag's proportions, which are wrong for it, and a test fold holding part of
a bag would compare the part's predictions with proportions it need not have.
:class:`BagKFold` therefore assigns whole bags to folds, balancing the folds by
row count.
"""

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state

from ..utils import check_bags
from ..utils._validation import check_kfold_params


def _n_rows(X):
    """The number of rows of ``X``, for any array-like scikit-learn accepts."""
    if X is None:
        raise ValueError(
            "X is required: BagKFold needs its number of rows; "
            "np.zeros((n_samples, 1)) will do."
        )
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(X)


def _bag_test_folds(bag_codes, n_splits, shuffle, random_state):
    """The test fold of every bag, filled greedily from the lightest fold.

    Without shuffling the bags go out largest first, ties in reverse id order
    (``GroupKFold``'s deal; scikit-learn releases differ in how GroupKFold breaks
    ties, so its folds equal these whenever no two bags have the same size). With
    shuffling they go out in a random order, so bags of any sizes can
    land in any fold. In either order, giving each bag to the fold with the fewest
    rows keeps the fold sizes within the largest bag's size of each other: the
    fold that receives a bag was the lightest, so it can end at most that bag's
    size above the others' minimum.
    """
    sizes = np.bincount(bag_codes)
    if shuffle:
        order = check_random_state(random_state).permutation(sizes.shape[0])
    else:
        order = np.argsort(sizes, kind="stable")[::-1]
    loads = [0] * n_splits
    bag_fold = np.empty(sizes.shape[0], dtype=np.intp)
    # A loop over bags, not rows; n_splits is small, so min() over a list beats
    # numpy call overhead.
    for bag in order.tolist():
        fold = loads.index(min(loads))
        bag_fold[bag] = fold
        loads[fold] += int(sizes[bag])
    return bag_fold


class BagKFold(BaseCrossValidator):
    """K-fold splitter for bag proportions that never splits a bag.

    Every bag goes whole to one test fold, as ``GroupKFold`` does with groups,
    and the folds are balanced by row count. Use it as ``cv=`` in
    :class:`~sklearn.model_selection.GridSearchCV` (or ``cross_validate``,
    ``cross_val_score``) on LLP data ``(X, y, bags)``, where ``y`` holds each
    row's bag proportions; together with
    :data:`skrobust.metrics.bag_proportion_scorer` it selects models without
    instance labels.

    It requests ``bags`` for :meth:`split` by default, so with metadata routing
    enabled (``sklearn.set_config(enable_metadata_routing=True)``) a search
    fitted with ``fit(X, y, bags=bags)`` hands the bags to the splitter as well
    as to the estimator. Without routing scikit-learn passes a splitter only
    ``groups``, and :meth:`split` raises.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2, and at most the number of bags.
    shuffle : bool, default=False
        Whether to deal the bags to the folds in a random order. Without
        shuffling, bags are dealt largest first (ties in reverse order of the
        bag ids), as ``GroupKFold`` deals groups.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling when ``shuffle=True``; must be ``None`` otherwise.
        Pass an int for the same folds on every call of :meth:`split`.

    See Also
    --------
    sklearn.model_selection.GroupKFold : The same idea for groups, without the
        metadata request.
    skrobust.metrics.bag_proportion_scorer : The bag-level scorer to select with.
    skrobust.utils.check_bags : The validation applied to ``bags``.

    Notes
    -----
    Each bag goes to the fold with the fewest rows so far, so the folds' row
    counts differ by at most the size of the largest bag (by at most one bag
    when all bags have the same size), with or without shuffling. Cost:
    :math:`O(n + m \\log m)` for :math:`n` rows and :math:`m` bags, plus a
    Python loop over the bags.

    In a search, pass the bags as one id per row: scikit-learn slices routed
    metadata by row, which the list-of-indices form does not survive. The
    scores in ``cv_results_`` come from bags the scored model did not see;
    ``best_estimator_`` is then refitted on all bags.

    References
    ----------
    .. [1] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009 (the LLP setting).
    .. [2] G. Franco et al., "Dependence and Model Selection in LLP: The Problem
       of Variants", KDD 2023, doi:10.1145/3580305.3599307 (model selection for
       LLP: K-fold over whole bags, and splitting bags instead).
    .. [3] F. X. Yu, K. Choromanski, S. Kumar, T. Jebara, S.-F. Chang, "On
       Learning from Label Proportions", arXiv:1402.5902, 2014 (good bag
       proportion prediction implies good instance prediction, under
       assumptions on the bags).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.llp import BagKFold
    >>> bags = np.repeat(np.arange(6), [4, 4, 4, 4, 2, 2])
    >>> X = np.zeros((len(bags), 1))
    >>> cv = BagKFold(n_splits=3)
    >>> [sorted(set(bags[test].tolist())) for _, test in cv.split(X, bags=bags)]
    [[0, 3], [2, 5], [1, 4]]
    >>> [len(test) for _, test in cv.split(X, bags=bags)]
    [8, 6, 6]
    """

    # Requested by default so that GridSearchCV, with routing enabled, routes the
    # bags given to fit here; groups play no part in the split.
    __metadata_request__split = {"bags": True}

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        # Splitters are not estimators: like scikit-learn's, they validate their
        # parameters on construction, so a bad ``cv=`` fails before any fitting.
        self.n_splits, self.shuffle = check_kfold_params(
            n_splits, shuffle, random_state
        )
        self.random_state = random_state

    def split(self, X, y=None, groups=None, bags=None):
        """Generate the train and test indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; only its number of rows is used, so
            ``np.zeros((n_samples, 1))`` will do.
        y : array-like of shape (n_samples,) or (n_samples, n_classes), \
default=None
            Ignored by the split; checked for length against ``X`` when given.
        groups : object, default=None
            Always ignored, exists for API compatibility; the bags take the
            place of groups.
        bags : array-like of shape (n_samples,) or list of array-like
            The bag of each row (one id per row), or one array of row indices
            per bag; see :func:`skrobust.utils.check_bags`. Required despite the
            default, which only keeps scikit-learn's argument order.

        Yields
        ------
        train : ndarray of shape (n_train,)
            The training-set indices of the fold.
        test : ndarray of shape (n_test,)
            The test-set indices of the fold.

        Raises
        ------
        ValueError
            If ``bags`` is missing or invalid, or there are fewer bags than
            ``n_splits``.
        """
        if bags is None:
            raise ValueError(
                "bags is required: BagKFold assigns whole bags to folds and needs "
                "split(X, y, bags=bags). In GridSearchCV or cross_validate, enable "
                "metadata routing (sklearn.set_config(enable_metadata_routing=True)"
                ") and pass fit(X, y, bags=bags); without routing scikit-learn "
                "passes a splitter only groups."
            )
        bag_codes = check_bags(bags, n_samples=_n_rows(X))
        n_bags = int(bag_codes.max()) + 1
        if n_bags < self.n_splits:
            raise ValueError(
                f"bags holds {n_bags} bags but n_splits={self.n_splits} needs at "
                f"least {self.n_splits}, one whole bag per test fold; lower "
                "n_splits or supply more bags."
            )
        # The bag codes travel in the groups slot of scikit-learn's split, which
        # checks lengths and builds the index arrays.
        yield from super().split(X, y, groups=bag_codes)

    def _iter_test_masks(self, X=None, y=None, groups=None):
        bag_fold = _bag_test_folds(
            groups, self.n_splits, self.shuffle, self.random_state
        )
        row_fold = bag_fold[groups]
        for fold in range(self.n_splits):
            yield row_fold == fold

    def get_n_splits(self, X=None, y=None, groups=None, bags=None):
        """Return the number of folds.

        Parameters
        ----------
        X : object, default=None
            Always ignored, exists for API compatibility.
        y : object, default=None
            Always ignored, exists for API compatibility.
        groups : object, default=None
            Always ignored, exists for API compatibility.
        bags : object, default=None
            Always ignored; the number of folds does not depend on the bags.

        Returns
        -------
        n_splits : int
            The number of folds, ``n_splits``.
        """
        return self.n_splits
