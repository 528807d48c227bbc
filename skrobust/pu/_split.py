r"""A K-fold splitter for positive-unlabelled (PU) labels.

Notation: :math:`s` is the PU label (``pos_label`` marks the labelled positives,
:math:`s = 1`; the other value the unlabelled rows, :math:`s = 0`).

Cross-validating a PU model on :math:`s` only means something if every test fold
holds labelled positives (the recall-based PU criteria, such as Lee and Liu's, are
undefined without them) and every training fold does too (a fold without them
cannot be fitted as a PU problem). A plain ``KFold`` on a few labelled positives
leaves some folds without any; stratifying on :math:`s` spreads them evenly.
"""

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state

from ..utils import check_pu_labels
from ..utils._validation import check_kfold_params


def _stratum_fold_counts(n_labeled, n_samples, n_splits):
    """Test-fold sizes of each stratum: labelled rows first, then unlabelled.

    Dealing the rows round-robin over the folds, labelled ones first, gives every
    fold ``n_samples // n_splits`` or one more rows in all, and likewise within each
    stratum, since each stratum is a contiguous run of the deal.
    """
    folds = np.arange(n_splits)
    total = n_samples // n_splits + (folds < n_samples % n_splits)
    labeled = n_labeled // n_splits + (folds < n_labeled % n_splits)
    return labeled, total - labeled


def _make_test_folds(labeled_mask, n_splits, shuffle, random_state):
    """The test fold of every row, stratified on the labelled-positive mask."""
    labeled_counts, unlabeled_counts = _stratum_fold_counts(
        int(labeled_mask.sum()), labeled_mask.shape[0], n_splits
    )
    rng = check_random_state(random_state) if shuffle else None
    test_folds = np.empty(labeled_mask.shape[0], dtype=np.intp)
    for mask, counts in (
        (labeled_mask, labeled_counts),
        (~labeled_mask, unlabeled_counts),
    ):
        # Without shuffling each stratum goes to the folds in contiguous blocks, so
        # rows that are close in the data stay together (as StratifiedKFold does).
        folds = np.repeat(np.arange(n_splits), counts)
        test_folds[mask] = rng.permutation(folds) if shuffle else folds
    return test_folds


class PUStratifiedKFold(BaseCrossValidator):
    """K-fold splitter for PU labels that keeps labelled positives in every fold.

    Stratifies on the PU label :math:`s`, labelled positives against unlabelled
    rows, so each test fold gets ``n_labeled // n_splits`` or one more labelled
    positives and each training fold the rest; fold sizes differ by at most one
    row in all and within each stratum. Use it as ``cv=`` wherever scikit-learn
    takes a splitter (``GridSearchCV``, ``cross_val_score``,
    ``cross_val_predict``) when the target is :math:`s`: the PU scorers and the
    PU estimators' own cross-fitting need labelled positives on both sides of
    every split.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2.
    shuffle : bool, default=False
        Whether to shuffle each stratum's rows before they are dealt into folds.
        Without shuffling each stratum goes to the folds in contiguous blocks, in
        the order of the data.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling when ``shuffle=True``; must be ``None`` otherwise. Pass
        an int for the same folds on every call of :meth:`split`.
    pos_label : int, float, bool or str, default=1
        The value of ``y`` that marks labelled positives; the other value marks
        unlabelled rows.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : The same idea for ordinary labels.
    skrobust.utils.check_pu_labels : The validation applied to ``y``.

    Notes
    -----
    The splits equal those of ``StratifiedKFold`` on the 0/1 indicator of
    labelled rows when the first row is labelled (scikit-learn deals the classes
    in order of first appearance; this splitter always deals labelled rows
    first), and differ from them only in which folds receive the leftover rows
    otherwise. Unlike ``StratifiedKFold``, which only warns, too few labelled
    positives (or unlabelled rows) for ``n_splits`` folds is an error: such a
    split cannot evaluate a PU model.

    References
    ----------
    .. [1] J. Bekker, J. Davis, "Learning from Positive and Unlabeled Data: a
       Survey", Machine Learning 109:719-760, 2020, arXiv:1811.04820 (Section 9,
       evaluation of PU models).
    .. [2] W. S. Lee, B. Liu, "Learning with Positive and Unlabeled Examples Using
       Weighted Logistic Regression", ICML 2003 (a model-selection criterion that
       needs labelled positives in the validation fold).

    Examples
    --------
    >>> import numpy as np
    >>> from skrobust.pu import PUStratifiedKFold
    >>> s = np.array(["u"] * 14 + ["p"] * 6)
    >>> X = np.zeros((20, 1))
    >>> cv = PUStratifiedKFold(n_splits=3, shuffle=True, random_state=0, pos_label="p")
    >>> [int((s[test] == "p").sum()) for _, test in cv.split(X, s)]
    [2, 2, 2]
    >>> [len(test) for _, test in cv.split(X, s)]
    [7, 7, 6]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None, pos_label=1):
        # Splitters are not estimators: like scikit-learn's, they validate their
        # parameters on construction, so a bad ``cv=`` fails before any fitting.
        self.n_splits, self.shuffle = check_kfold_params(
            n_splits, shuffle, random_state
        )
        self.random_state = random_state
        self.pos_label = pos_label

    def split(self, X, y, groups=None):
        """Generate the train and test indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; only its number of rows is used, so
            ``np.zeros((n_samples, 1))`` will do.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives, one other value on
            unlabelled rows. Stratification is on these.
        groups : array-like of shape (n_samples,), default=None
            Always ignored, exists for API compatibility.

        Yields
        ------
        train : ndarray of shape (n_train,)
            The training-set indices of the fold.
        test : ndarray of shape (n_test,)
            The test-set indices of the fold.

        Raises
        ------
        ValueError
            If ``y`` is missing or not valid PU labels (see
            :func:`skrobust.utils.check_pu_labels`), or holds fewer than
            ``n_splits`` labelled positives or unlabelled rows.
        """
        if y is None:
            raise ValueError(
                "y is required: PUStratifiedKFold stratifies on the PU labels "
                f"(pos_label={self.pos_label!r} for labelled positives); got None."
            )
        yield from super().split(X, y, groups)

    def _iter_test_masks(self, X=None, y=None, groups=None):
        labeled_mask = check_pu_labels(y, pos_label=self.pos_label, name="y")
        n_labeled = int(labeled_mask.sum())
        n_unlabeled = labeled_mask.shape[0] - n_labeled
        for count, what in (
            (n_labeled, "labelled positives"),
            (n_unlabeled, "unlabelled rows"),
        ):
            if count < self.n_splits:
                remedy = f"lower n_splits to {count} or " if count >= 2 else ""
                raise ValueError(
                    f"y has {count} {what} (pos_label={self.pos_label!r}) but "
                    f"n_splits={self.n_splits} needs at least {self.n_splits}, so "
                    f"that every test fold holds some; {remedy}supply more {what}."
                )
        test_folds = _make_test_folds(
            labeled_mask, self.n_splits, self.shuffle, self.random_state
        )
        for fold in range(self.n_splits):
            yield test_folds == fold

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds.

        Parameters
        ----------
        X : object, default=None
            Always ignored, exists for API compatibility.
        y : object, default=None
            Always ignored, exists for API compatibility.
        groups : object, default=None
            Always ignored, exists for API compatibility.

        Returns
        -------
        n_splits : int
            The number of folds, ``n_splits``.
        """
        return self.n_splits
