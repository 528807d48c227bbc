r"""Display of a PU model's score distributions, labelled against unlabelled rows.

Notation: :math:`s` marks labelled positives, :math:`\pi = P(y = 1)` is the class
prior and :math:`c = P(s = 1 \mid y = 1)` the label frequency; under SCAR they are
tied by :math:`\pi c = P(s = 1)`, and the labelled rows are a random sample of the
positives, so their score distribution is the positive component of the unlabelled
rows' mixture.

matplotlib is imported inside the plotting methods only, as scikit-learn's displays
do, so ``import skrobust.pu`` never needs it.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..metrics._pu import _final_step
from ..utils import check_class_prior, check_pu_labels
from ..utils._validation import _as_numeric_array, _check_finite


def _check_scores(scores, n_samples, labels_name):
    """One finite real score per row of the labels, as a float64 1-D array."""
    scores = _as_numeric_array(scores, "scores").astype(np.float64)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores.ravel()
    if scores.ndim != 1:
        raise ValueError(
            "scores must be 1-D, one score per row (e.g. predict_proba(X)[:, 1]); "
            f"got an array of shape {scores.shape}."
        )
    if scores.shape[0] != n_samples:
        raise ValueError(
            f"scores must hold one value per row of {labels_name} ({n_samples} "
            f"rows); got {scores.shape[0]}."
        )
    _check_finite(scores, "scores")
    return scores


def _check_label_frequency(label_frequency):
    # c = 1 (every positive labelled) is a legitimate estimate, unlike pi = 1.
    try:
        return check_class_prior(label_frequency, name="label_frequency")
    except ValueError:
        if label_frequency == 1:
            return 1.0
        raise ValueError(
            f"label_frequency must be in (0, 1]; got {label_frequency!r}."
        ) from None


def _resolve_prior(labeled_mask, class_prior, label_frequency):
    r"""Validate pi and c, deriving a missing one from :math:`\pi c = P(s = 1)`."""
    if class_prior is not None:
        class_prior = check_class_prior(class_prior)
    if label_frequency is not None:
        label_frequency = _check_label_frequency(label_frequency)
    labeled_share = float(labeled_mask.mean())
    if class_prior is not None and label_frequency is None:
        # Every labelled row is positive, so pi >= P(s = 1) whatever the model.
        if class_prior < labeled_share:
            raise ValueError(
                f"class_prior={class_prior:.4g} is below the share of labelled rows "
                f"({labeled_share:.4g}); every labelled row is positive, so the "
                "class prior must be at least that. Pass label_frequency too to "
                "show a prior estimated on other rows."
            )
        label_frequency = labeled_share / class_prior
    elif label_frequency is not None and class_prior is None:
        class_prior = labeled_share / label_frequency
        if class_prior >= 1.0:
            raise ValueError(
                f"label_frequency={label_frequency:.4g} implies class_prior = "
                f"P(s=1) / c = {labeled_share:.4g} / {label_frequency:.4g} >= 1; "
                "the label frequency must exceed the share of labelled rows."
            )
    return class_prior, label_frequency


def _bin_edges(scores, bins):
    """Bin edges shared by both histograms, on [0, 1] when the scores fit in it."""
    if isinstance(bins, bool) or not isinstance(bins, Integral | str):
        bins_array = np.asarray(bins)
        if bins_array.ndim != 1 or bins_array.dtype.kind not in "iuf":
            raise TypeError(
                "bins must be an int, a numpy binning rule (str) or a 1-D sequence "
                f"of edges; got {type(bins).__name__} {bins!r}."
            )
    elif isinstance(bins, Integral) and bins < 1:
        raise ValueError(f"bins must be >= 1; got {bins}.")
    # Probabilities keep the natural [0, 1] axis; decision values use their range.
    in_unit = scores.min() >= 0.0 and scores.max() <= 1.0
    return np.histogram_bin_edges(
        scores, bins=bins, range=(0.0, 1.0) if in_unit else None
    )


def _pos_label_column(estimator, pos_label):
    classes = getattr(estimator, "classes_", None)
    if classes is None or len(classes) != 2:
        raise ValueError(
            "estimator must be a fitted binary classifier with two classes_; got "
            f"classes_={classes!r}."
        )
    # A comparison per class is type-safe across string and numeric labels.
    matches = [bool(label == pos_label) for label in classes]
    if not any(matches):
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the estimator's classes_ "
            f"{list(classes)!r}."
        )
    return matches.index(True)


def _estimator_scores(estimator, X, pos_label):
    """Scores that grow with the pos_label class: its probability, else a margin."""
    column = _pos_label_column(estimator, pos_label)
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)[:, column]
    if hasattr(estimator, "decision_function"):
        # A binary decision function is positive towards classes_[1].
        margin = np.asarray(estimator.decision_function(X), dtype=np.float64)
        return margin if column == 1 else -margin
    raise TypeError(
        "estimator must have predict_proba or decision_function; got "
        f"{type(estimator).__name__}, which has neither."
    )


def _fitted_scalar(estimator, attribute):
    """The estimator's fitted prior attribute, if it is a scalar.

    Naive Bayes classifiers have a ``class_prior_`` too, but it is a vector over
    classes, not the PU prior, so only scalars are taken. A pipeline's are its
    final step's, as the PU scorers read them.
    """
    value = getattr(_final_step(estimator), attribute, None)
    return value if value is not None and np.ndim(value) == 0 else None


class PUScoreDistributionDisplay:
    r"""Histograms of a model's scores on labelled and unlabelled rows.

    Under SCAR the labelled rows are a random sample of the positives, so their
    score histogram is the positive component of the unlabelled rows' mixture: a
    good PU model pushes the labelled histogram right and splits the unlabelled
    one into a positive bump over it and a negative bump on the left. With a class
    prior :math:`\pi`, a vertical line marks the *prior cut*, the score above
    which a share :math:`\pi` of all rows lie (the :math:`1 - \pi` quantile of the
    scores): the threshold at which the model predicts as many positives as the
    prior says there are. The cut depends only on the ranking, so it is the same
    for :math:`P(y = 1 \mid x)`, for :math:`P(s = 1 \mid x) = c P(y = 1 \mid x)`
    and for any other increasing score.

    Both histograms are density-normalised (each has area 1), because unlabelled
    rows usually outnumber labelled ones many times over and raw counts would
    flatten the labelled histogram; the legend gives each group's row count. The
    two share their bin edges, on [0, 1] when every score lies there.

    Use :meth:`from_estimator` or :meth:`from_predictions` to create one; the
    constructor stores the values and :meth:`plot` draws them.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Model scores, increasing with the positive class: usually
        :math:`P(y = 1 \mid x)`, but any finite real values work.
    labeled_mask : array-like of shape (n_samples,), dtype bool
        True on labelled positives (:math:`s = 1`), False on unlabelled rows.
    class_prior : float in (0, 1), default=None
        :math:`\pi = P(y = 1)`; draws the prior cut. If ``None`` and
        ``label_frequency`` is given, it is :math:`P(s = 1) / c`.
    label_frequency : float in (0, 1], default=None
        :math:`c = P(s = 1 \mid y = 1)`, shown in the legend. If ``None`` and
        ``class_prior`` is given, it is :math:`P(s = 1) / \pi`.
    name : str, default=None
        Name of the model, prefixed to the legend entries.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure holding the plot.
    ax_ : matplotlib Axes
        The axes drawn on.
    hist_labeled_ : matplotlib BarContainer
        The bars of the labelled rows' histogram.
    hist_unlabeled_ : matplotlib BarContainer
        The bars of the unlabelled rows' histogram.
    bin_edges_ : ndarray of shape (n_bins + 1,)
        The bin edges both histograms share.
    line_ : matplotlib Line2D or None
        The prior cut, or ``None`` without a class prior.
    prior_threshold_ : float or None
        The score of the prior cut, or ``None`` without a class prior.

    See Also
    --------
    skrobust.pu.PUStratifiedKFold : Out-of-sample scores keep labelled rows in
        every fold.

    Notes
    -----
    Plot out-of-sample scores (``cross_val_predict`` or a held-out set): scores
    on rows a model was fitted on overstate the separation of the labelled rows.

    References
    ----------
    .. [1] C. Elkan, K. Noto, "Learning Classifiers from Only Positive and Unlabeled
       Data", KDD 2008, doi:10.1145/1401890.1401920 (Lemma 1: under SCAR,
       :math:`P(s = 1 \mid x) = c P(y = 1 \mid x)`).
    .. [2] J. Bekker, J. Davis, "Learning from Positive and Unlabeled Data: a
       Survey", Machine Learning 109:719-760, 2020, arXiv:1811.04820 (Section 3,
       the SCAR assumption; Section 9, evaluation).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import PUScoreDistributionDisplay
    >>> X, y = make_classification(n_samples=400, weights=[0.7], random_state=0)
    >>> s = make_pu_labels(y, 0.5, random_state=0)
    >>> model = LogisticRegression().fit(X[:200], s[:200])
    >>> display = PUScoreDistributionDisplay.from_estimator(
    ...     model, X[200:], s[200:], class_prior=0.3
    ... )
    >>> display.line_.get_label()
    'prior cut (pi=0.300, c=0.583)'
    >>> round(float(np.mean(display.scores > display.prior_threshold_)), 2)
    0.3
    """

    def __init__(
        self, scores, labeled_mask, *, class_prior=None, label_frequency=None, name=None
    ):
        self.scores = scores
        self.labeled_mask = labeled_mask
        self.class_prior = class_prior
        self.label_frequency = label_frequency
        self.name = name

    def plot(self, ax=None, *, name=None, bins=30, hist_kwargs=None, line_kwargs=None):
        """Draw the two histograms and, with a class prior, the prior cut.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Name of the model in the legend; ``None`` keeps the display's.
        bins : int, str or array-like, default=30
            Number of bins, a numpy binning rule (``"auto"``) or the bin edges.
        hist_kwargs : dict, default=None
            Passed to ``Axes.hist`` for both histograms, over the defaults
            (``density=True``, ``alpha=0.5`` and a legend label per group).
        line_kwargs : dict, default=None
            Passed to ``Axes.axvline`` for the prior cut, over the defaults
            (black, dashed, labelled with :math:`\\pi` and :math:`c`).

        Returns
        -------
        display : PUScoreDistributionDisplay
            This display, with ``figure_``, ``ax_``, ``hist_labeled_``,
            ``hist_unlabeled_``, ``bin_edges_``, ``line_`` and
            ``prior_threshold_`` set.
        """
        import matplotlib.pyplot as plt

        labeled_mask = check_pu_labels(
            self.labeled_mask, pos_label=True, name="labeled_mask"
        )
        scores = _check_scores(self.scores, labeled_mask.shape[0], "labeled_mask")
        class_prior, label_frequency = _resolve_prior(
            labeled_mask, self.class_prior, self.label_frequency
        )
        edges = _bin_edges(scores, bins)
        if ax is None:
            fig, ax = plt.subplots()
        else:
            fig = ax.figure
        name = self.name if name is None else name
        prefix = f"{name}: " if name else ""
        groups = {"labelled": labeled_mask, "unlabelled": ~labeled_mask}
        bars = {}
        for group, mask in groups.items():
            label = f"{prefix}{group} (n={int(mask.sum())})"
            kwargs = {"density": True, "alpha": 0.5, "label": label}
            _, _, bars[group] = ax.hist(
                scores[mask], bins=edges, **{**kwargs, **(hist_kwargs or {})}
            )
        self.line_ = self.prior_threshold_ = None
        if class_prior is not None:
            # The (1 - pi) quantile leaves a share pi of all rows above it.
            self.prior_threshold_ = float(np.quantile(scores, 1.0 - class_prior))
            label = f"prior cut (pi={class_prior:.3f}, c={label_frequency:.3f})"
            kwargs = {"color": "black", "linestyle": "--", "label": label}
            self.line_ = ax.axvline(
                self.prior_threshold_, **{**kwargs, **(line_kwargs or {})}
            )
        ax.set(xlabel="score", ylabel="density")
        ax.legend(loc="best")
        self.hist_labeled_ = bars["labelled"]
        self.hist_unlabeled_ = bars["unlabelled"]
        self.bin_edges_ = edges
        self.figure_, self.ax_ = fig, ax
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        s,
        *,
        pos_label=1,
        class_prior=None,
        label_frequency=None,
        bins=30,
        ax=None,
        name=None,
    ):
        """Plot a fitted classifier's score distributions on PU data.

        The scores are the column of ``pos_label`` in ``predict_proba(X)``, or,
        for an estimator without ``predict_proba``, its ``decision_function``
        (negated when ``pos_label`` is ``classes_[0]``).

        Parameters
        ----------
        estimator : fitted classifier
            A binary classifier whose ``classes_`` hold ``pos_label``: a PU
            classifier (scores :math:`P(y = 1 \\mid x)`), or any classifier fitted
            on ``s`` (scores :math:`P(s = 1 \\mid x)`, same ranking under SCAR).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The rows to score, ideally not those it was fitted on.
        s : array-like of shape (n_samples,)
            PU labels of those rows: ``pos_label`` on labelled positives.
        pos_label : int, float, bool or str, default=1
            The value of ``s`` (and the class of ``estimator``) marking positives.
        class_prior : float in (0, 1), default=None
            Draws the prior cut. When both ``class_prior`` and
            ``label_frequency`` are ``None``, the estimator's fitted
            ``class_prior_`` and ``label_frequency_`` are used (each when it has a
            scalar one); when only one is given, the other is derived from
            :math:`\\pi c = P(s = 1)` on these rows.
        label_frequency : float in (0, 1], default=None
            Shown in the legend; defaults as ``class_prior`` does.
        bins : int, str or array-like, default=30
            Number of bins, a numpy binning rule or the bin edges.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Name in the legend; ``None`` uses the estimator's class name.

        Returns
        -------
        display : PUScoreDistributionDisplay
            The plotted display.
        """
        check_is_fitted(estimator)
        labeled_mask = check_pu_labels(s, pos_label=pos_label, name="s")
        scores = _estimator_scores(estimator, X, pos_label)
        if np.shape(scores)[0] != labeled_mask.shape[0]:
            raise ValueError(
                f"X and s must have the same number of rows; got {np.shape(scores)[0]}"
                f" and {labeled_mask.shape[0]}."
            )
        # The fitted pair is taken together: mixing a given pi with the fitted c
        # would label the cut with two estimates that disagree on pi * c = P(s=1).
        if class_prior is None and label_frequency is None:
            class_prior = _fitted_scalar(estimator, "class_prior_")
            label_frequency = _fitted_scalar(estimator, "label_frequency_")
        return cls(
            scores,
            labeled_mask,
            class_prior=class_prior,
            label_frequency=label_frequency,
            name=type(estimator).__name__ if name is None else name,
        ).plot(ax=ax, bins=bins)

    @classmethod
    def from_predictions(
        cls,
        s,
        scores,
        *,
        pos_label=1,
        class_prior=None,
        label_frequency=None,
        bins=30,
        ax=None,
        name=None,
    ):
        """Plot the score distributions of given scores on PU data.

        Parameters
        ----------
        s : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives, one other value on
            unlabelled rows.
        scores : array-like of shape (n_samples,)
            Model scores, increasing with the positive class, e.g. out-of-sample
            :math:`P(y = 1 \\mid x)`; any finite real values work.
        pos_label : int, float, bool or str, default=1
            The value of ``s`` marking labelled positives.
        class_prior : float in (0, 1), default=None
            Draws the prior cut; derived from ``label_frequency`` when only that
            is given.
        label_frequency : float in (0, 1], default=None
            Shown in the legend; derived from ``class_prior`` when only that is
            given.
        bins : int, str or array-like, default=30
            Number of bins, a numpy binning rule or the bin edges.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Name of the model in the legend.

        Returns
        -------
        display : PUScoreDistributionDisplay
            The plotted display.
        """
        labeled_mask = check_pu_labels(s, pos_label=pos_label, name="s")
        scores = _check_scores(scores, labeled_mask.shape[0], "s")
        return cls(
            scores,
            labeled_mask,
            class_prior=class_prior,
            label_frequency=label_frequency,
            name=name,
        ).plot(ax=ax, bins=bins)
