"""Displays for the noise family: transition matrices and top-ranked label issues.

matplotlib is imported inside the plotting methods only, as scikit-learn's displays
do, so ``import skrobust.noise`` never needs it.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils import check_labels, check_pred_proba, check_transition_matrix
from ._issues import label_quality_scores


def _axes(ax, n_panels, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, n_panels, figsize=figsize, squeeze=False)
        return fig, axes.ravel()
    axes = np.atleast_1d(ax).ravel()
    if axes.shape[0] != n_panels:
        raise ValueError(
            f"ax must hold {n_panels} matplotlib axes for this display; got "
            f"{axes.shape[0]}."
        )
    return axes[0].figure, axes


def _check_n_issues(n_issues):
    """``n_issues`` as a positive int: a slice bound would take a negative one
    as "all but the last few" and draw rows silently."""
    if (
        isinstance(n_issues, bool)
        or not isinstance(n_issues, Integral)
        or (n_issues < 1)
    ):
        raise ValueError(f"n_issues must be a positive integer; got {n_issues!r}.")
    return int(n_issues)


class TransitionMatrixDisplay:
    r"""Heatmap of a noise-transition matrix, beside a reference one if given.

    Rows are true classes and columns noisy ones:
    :math:`T_{ij} = P(\tilde y = j \mid y = i)`. With ``reference_matrix`` (the
    true T of a simulation, say) the two are drawn side by side on one colour
    scale, so estimation errors show as colour differences.

    Parameters
    ----------
    transition_matrix : ndarray of shape (n_classes, n_classes)
        The matrix to show (usually an estimate).
    reference_matrix : ndarray of shape (n_classes, n_classes), default=None
        A second matrix to compare with, e.g. the true T.
    display_labels : array-like of shape (n_classes,), default=None
        Class names for the axes; ``None`` means ``0..n_classes-1``.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure holding the plot.
    ax_ : ndarray of matplotlib Axes
        One axis, or two with a reference matrix.
    images_ : list of matplotlib AxesImage
        The heatmaps.

    See Also
    --------
    skrobust.noise.estimate_transition_matrix : The estimate usually shown.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skrobust.datasets import make_transition_matrix
    >>> from skrobust.noise import TransitionMatrixDisplay
    >>> T = make_transition_matrix(3, 0.2, kind="pair")
    >>> display = TransitionMatrixDisplay(T).plot()
    >>> len(display.images_)
    1
    """

    def __init__(
        self, transition_matrix, *, reference_matrix=None, display_labels=None
    ):
        self.transition_matrix = transition_matrix
        self.reference_matrix = reference_matrix
        self.display_labels = display_labels

    def plot(
        self,
        *,
        ax=None,
        cmap="Blues",
        values_format=".2f",
        colorbar=True,
        titles=("estimated T", "reference T"),
    ):
        """Draw the heatmap(s).

        Parameters
        ----------
        ax : matplotlib Axes or sequence of 2 Axes, default=None
            Where to draw; ``None`` makes a new figure.
        cmap : str or matplotlib Colormap, default="Blues"
            Colour map.
        values_format : str, default=".2f"
            Format of the numbers written in the cells; ``""`` writes none.
        colorbar : bool, default=True
            Add a colour bar.
        titles : tuple of str, default=("estimated T", "reference T")
            Panel titles.

        Returns
        -------
        display : TransitionMatrixDisplay
            This display, with ``figure_``, ``ax_`` and ``images_`` set.
        """
        T = check_transition_matrix(self.transition_matrix)
        matrices = [T]
        if self.reference_matrix is not None:
            matrices.append(
                check_transition_matrix(
                    self.reference_matrix,
                    n_classes=T.shape[0],
                    name="reference_matrix",
                )
            )
        K = T.shape[0]
        labels = (
            np.arange(K)
            if self.display_labels is None
            else np.asarray(self.display_labels)
        )
        # Checked before a figure is made, so a bad call leaves none open.
        if labels.shape != (K,):
            raise ValueError(
                f"display_labels must name the {K} classes of the matrix; got "
                f"{labels.shape[0] if labels.ndim else 0} labels."
            )
        if len(titles) < len(matrices):
            raise ValueError(
                f"titles must give a title for each of the {len(matrices)} panels; "
                f"got {len(titles)}: {tuple(titles)!r}."
            )
        side = 4 if K <= 6 else 6
        fig, axes = _axes(ax, len(matrices), (side * 1.15 * len(matrices), side))
        self.images_ = []
        for axis, matrix, title in zip(axes, matrices, titles, strict=False):
            image = axis.imshow(matrix, cmap=cmap, vmin=0.0, vmax=1.0)
            self.images_.append(image)
            if values_format and K <= 20:
                for (i, j), value in np.ndenumerate(matrix):
                    axis.text(
                        j,
                        i,
                        format(value, values_format),
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if value > 0.5 else "black",
                    )
            axis.set(
                xticks=np.arange(K),
                yticks=np.arange(K),
                xlabel="noisy label",
                ylabel="true label",
                title=title,
            )
            axis.set_xticklabels(labels, rotation=90 if K > 10 else 0)
            axis.set_yticklabels(labels)
        if colorbar:
            fig.colorbar(self.images_[0], ax=list(axes))
        self.figure_, self.ax_ = fig, axes
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, reference_matrix=None, ax=None, **plot_kwargs
    ):
        """Plot the ``transition_matrix_`` of a fitted detector or classifier.

        Parameters
        ----------
        estimator : fitted estimator
            Has ``transition_matrix_`` and ``classes_`` (e.g.
            :class:`LabelIssueDetector`).
        reference_matrix : ndarray of shape (n_classes, n_classes), default=None
            A matrix to compare with.
        ax : matplotlib Axes or sequence of 2 Axes, default=None
            Where to draw.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TransitionMatrixDisplay
            The plotted display.
        """
        check_is_fitted(estimator, "transition_matrix_")
        return cls(
            estimator.transition_matrix_,
            reference_matrix=reference_matrix,
            display_labels=estimator.classes_,
        ).plot(ax=ax, **plot_kwargs)

    @classmethod
    def from_predictions(
        cls,
        y,
        pred_proba,
        *,
        classes=None,
        method="confident_joint",
        reference_matrix=None,
        ax=None,
        **plot_kwargs,
    ):
        """Estimate T from labels and out-of-sample probabilities, and plot it.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Given (noisy) labels.
        pred_proba : array-like of shape (n_samples, n_classes)
            Out-of-sample probabilities, columns in ``classes`` order.
        classes : array-like of shape (n_classes,), default=None
            The label of each column.
        method : {"confident_joint", "anchor", "dual_t", "em"}, \
                default="confident_joint"
            The estimator of T.
        reference_matrix : ndarray of shape (n_classes, n_classes), default=None
            A matrix to compare with.
        ax : matplotlib Axes or sequence of 2 Axes, default=None
            Where to draw.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TransitionMatrixDisplay
            The plotted display.
        """
        from ._transition import estimate_transition_matrix

        proba = check_pred_proba(pred_proba)
        _, classes = check_labels(y, classes, n_classes=proba.shape[1])
        T = estimate_transition_matrix(y, proba, classes=classes, method=method)
        return cls(T, reference_matrix=reference_matrix, display_labels=classes).plot(
            ax=ax, **plot_kwargs
        )


class LabelIssuesDisplay:
    """The top-ranked label issues: given label, suggested label and score.

    For image-like features (e.g. ``load_digits``, give ``image_shape=(8, 8)``)
    each issue is drawn as its image; otherwise as a horizontal bar of its
    label-quality score.

    Parameters
    ----------
    indices : array-like of shape (n_issues,)
        Row indices of the issues, most suspect first.
    given_labels : array-like of shape (n_issues,)
        Their given labels.
    suggested_labels : array-like of shape (n_issues,)
        The most probable label of each (the argmax of the out-of-sample
        probabilities).
    scores : array-like of shape (n_issues,)
        Their label-quality scores.
    images : ndarray of shape (n_issues, height, width), default=None
        Their images, if the features are images.

    Attributes
    ----------
    figure_ : matplotlib Figure
        The figure holding the plot.
    ax_ : ndarray of matplotlib Axes
        The axes drawn on.

    See Also
    --------
    TransitionMatrixDisplay : The estimated noise process.

    References
    ----------
    .. [1] C. G. Northcutt, A. Athalye, J. Mueller, "Pervasive Label Errors in
       Test Sets Destabilize Machine Learning Benchmarks", NeurIPS Datasets and
       Benchmarks 2021, arXiv:2103.14749.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skrobust.noise import LabelIssuesDisplay
    >>> y = np.array([0, 1, 1, 0])
    >>> pred_proba = np.array([[.9, .1], [.8, .2], [.3, .7], [.4, .6]])
    >>> display = LabelIssuesDisplay.from_predictions(y, pred_proba, n_issues=2)
    >>> display.indices.tolist()
    [1, 3]
    """

    def __init__(self, indices, given_labels, suggested_labels, scores, *, images=None):
        self.indices = np.asarray(indices)
        self.given_labels = np.asarray(given_labels)
        self.suggested_labels = np.asarray(suggested_labels)
        self.scores = np.asarray(scores)
        self.images = images

    def plot(self, *, ax=None, n_cols=6, cmap="gray_r"):
        """Draw the issues.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            For images, one axis per issue; otherwise one axis. ``None`` makes a
            new figure.
        n_cols : int, default=6
            Images per row of the grid.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colour map of the images.

        Returns
        -------
        display : LabelIssuesDisplay
            This display, with ``figure_`` and ``ax_`` set.
        """
        import matplotlib.pyplot as plt

        n = self.indices.shape[0]
        if self.images is None:
            fig, axes = _axes(ax, 1, (6, 0.35 * n + 1))
            names = [
                f"row {i}: {g} -> {s}"
                for i, g, s in zip(
                    self.indices, self.given_labels, self.suggested_labels, strict=True
                )
            ]
            axes[0].barh(np.arange(n), self.scores)
            axes[0].set(
                yticks=np.arange(n),
                xlabel="label quality score",
                title="most likely label issues (given -> suggested)",
            )
            axes[0].set_yticklabels(names)
            axes[0].invert_yaxis()
        else:
            rows = max(1, -(-n // n_cols))
            if ax is None:
                fig, grid = plt.subplots(
                    rows, n_cols, figsize=(1.6 * n_cols, 1.9 * rows), squeeze=False
                )
                axes = grid.ravel()
            else:
                axes = np.atleast_1d(ax).ravel()
                if axes.size < n:
                    raise ValueError(
                        f"ax holds {axes.size} axes for {n} issue images; pass at "
                        f"least {n} axes, or ax=None for a new figure."
                    )
                fig = axes[0].figure
            for axis in axes:
                axis.set_axis_off()
            for axis, image, g, s, score in zip(
                axes,
                self.images,
                self.given_labels,
                self.suggested_labels,
                self.scores,
                strict=False,
            ):
                axis.imshow(image, cmap=cmap)
                axis.set_title(f"given {g}\nsuggested {s}\n({score:.2f})", fontsize=8)
        self.figure_, self.ax_ = fig, axes
        return self

    @classmethod
    def from_predictions(
        cls,
        y,
        pred_proba,
        *,
        X=None,
        classes=None,
        n_issues=12,
        image_shape=None,
        method="blend",
        ax=None,
        **plot_kwargs,
    ):
        """Rank the label issues from probabilities and plot the top ones.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Given (noisy) labels.
        pred_proba : array-like of shape (n_samples, n_classes)
            Out-of-sample probabilities, columns in ``classes`` order.
        X : array-like of shape (n_samples, n_features), default=None
            Features, drawn as images when ``image_shape`` is given.
        classes : array-like of shape (n_classes,), default=None
            The label of each column.
        n_issues : int, default=12
            How many issues to show.
        image_shape : tuple of int, default=None
            Shape to which each row of ``X`` is reshaped, e.g. ``(8, 8)``.
        method : str, default="blend"
            The score to rank by; see :func:`label_quality_scores`.
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LabelIssuesDisplay
            The plotted display.
        """
        proba = check_pred_proba(pred_proba)
        y = np.asarray(y)
        y_codes, classes = check_labels(y, classes, n_classes=proba.shape[1])
        scores = label_quality_scores(y, proba, classes=classes, method=method)
        top = np.argsort(scores, kind="stable")[: _check_n_issues(n_issues)]
        images = None
        if image_shape is not None:
            if X is None:
                raise ValueError("image_shape needs X, the rows to draw.")
            images = np.asarray(X)[top].reshape((len(top), *image_shape))
        suggested = classes[proba[top].argmax(axis=1)]
        return cls(top, y[top], suggested, scores[top], images=images).plot(
            ax=ax, **plot_kwargs
        )

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, n_issues=12, image_shape=None, ax=None, **plot_kwargs
    ):
        """Plot the top issues found by a fitted :class:`LabelIssueDetector`.

        Parameters
        ----------
        estimator : LabelIssueDetector
            Fitted on ``(X, y)``.
        X : array-like of shape (n_samples, n_features)
            The features it was fitted on.
        y : array-like of shape (n_samples,)
            The labels it was fitted on.
        n_issues : int, default=12
            How many issues to show.
        image_shape : tuple of int, default=None
            Shape to which each row of ``X`` is reshaped, e.g. ``(8, 8)``.
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : LabelIssuesDisplay
            The plotted display.
        """
        check_is_fitted(estimator, "pred_proba_")
        y = np.asarray(y)
        scores = estimator.label_quality_scores_
        if scores.shape[0] != y.shape[0]:
            raise ValueError(
                f"y has {y.shape[0]} rows but the estimator was fitted on "
                f"{scores.shape[0]}; pass the data it was fitted on."
            )
        top = np.argsort(scores, kind="stable")[: _check_n_issues(n_issues)]
        images = None
        if image_shape is not None:
            images = np.asarray(X)[top].reshape((len(top), *image_shape))
        suggested = estimator.classes_[estimator.pred_proba_[top].argmax(axis=1)]
        return cls(top, y[top], suggested, scores[top], images=images).plot(
            ax=ax, **plot_kwargs
        )
