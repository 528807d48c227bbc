"""Tests for the noise displays."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from sklearn.datasets import load_digits  # noqa: E402

from skrobust.datasets import make_noisy_labels, make_transition_matrix  # noqa: E402
from skrobust.noise import (  # noqa: E402
    LabelIssueDetector,
    LabelIssuesDisplay,
    TransitionMatrixDisplay,
    label_quality_scores,
)


@pytest.fixture(scope="module")
def detector_and_data():
    X, y = load_digits(return_X_y=True)
    X, y = X[:500] / 16, y[:500]
    y_noisy, _ = make_noisy_labels(y, make_transition_matrix(10, 0.2), random_state=0)
    return LabelIssueDetector(cv=3, random_state=0).fit(X, y_noisy), X, y_noisy


def test_transition_display_with_reference(detector_and_data):
    import matplotlib.pyplot as plt

    detector, _, _ = detector_and_data
    T = make_transition_matrix(10, 0.2)
    display = TransitionMatrixDisplay.from_estimator(detector, reference_matrix=T)
    assert len(display.images_) == 2 and len(display.ax_) == 2
    np.testing.assert_allclose(
        display.images_[0].get_array(), detector.transition_matrix_
    )
    np.testing.assert_allclose(display.images_[1].get_array(), T)
    plt.close(display.figure_)


def test_transition_display_from_predictions_labels_axes():
    import matplotlib.pyplot as plt

    y = np.array(["a", "b", "c"] * 10)
    proba = np.tile(np.eye(3) * 0.8 + 0.1 * (1 - np.eye(3)), (10, 1))
    display = TransitionMatrixDisplay.from_predictions(y, proba)
    ticks = [t.get_text() for t in display.ax_[0].get_xticklabels()]
    assert ticks == ["a", "b", "c"]
    plt.close(display.figure_)


def test_transition_display_rejects_bad_matrix_and_axes():
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="transition_matrix must be row-stoch"):
        TransitionMatrixDisplay(np.ones((2, 2))).plot()
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="ax must hold 2 matplotlib axes"):
        TransitionMatrixDisplay(np.eye(2), reference_matrix=np.eye(2)).plot(ax=ax)
    plt.close(fig)


def test_issues_display_images_follow_ranking(detector_and_data):
    import matplotlib.pyplot as plt

    detector, X, y_noisy = detector_and_data
    display = LabelIssuesDisplay.from_estimator(
        detector, X, y_noisy, n_issues=6, image_shape=(8, 8)
    )
    expected = np.argsort(detector.label_quality_scores_, kind="stable")[:6]
    np.testing.assert_array_equal(display.indices, expected)
    np.testing.assert_array_equal(display.given_labels, y_noisy[expected])
    # The flagged rows' own pixels, in ranking order.
    np.testing.assert_array_equal(display.images, X[expected].reshape(6, 8, 8))
    assert "given" in display.ax_[0].get_title()
    plt.close(display.figure_)


def test_issues_display_without_images_is_a_bar_chart():
    import matplotlib.pyplot as plt

    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
    display = LabelIssuesDisplay.from_predictions(y, proba, n_issues=3)
    scores = label_quality_scores(y, proba)
    np.testing.assert_allclose(display.scores, np.sort(scores)[:3])
    assert len(display.ax_[0].patches) == 3
    expected_suggestions = proba[display.indices].argmax(axis=1)
    np.testing.assert_array_equal(display.suggested_labels, expected_suggestions)
    plt.close(display.figure_)


def test_issues_display_needs_x_for_images():
    with pytest.raises(ValueError, match="image_shape needs X"):
        LabelIssuesDisplay.from_predictions(
            [0, 1], [[0.5, 0.5], [0.5, 0.5]], image_shape=(1, 1)
        )


def test_issues_display_rejects_wrong_data(detector_and_data):
    detector, X, y_noisy = detector_and_data
    with pytest.raises(ValueError, match="pass the data it was fitted on"):
        LabelIssuesDisplay.from_estimator(detector, X[:10], y_noisy[:10])


def test_transition_display_checks_labels_and_titles_before_drawing():
    """A wrong count used to raise matplotlib's error with a figure left open, or
    to leave the reference panel blank."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    with pytest.raises(ValueError, match="display_labels must name the 3 classes"):
        TransitionMatrixDisplay(np.eye(3), display_labels=["a", "b"]).plot()
    with pytest.raises(ValueError, match="titles must give a title for each of"):
        TransitionMatrixDisplay(np.eye(3), reference_matrix=np.eye(3)).plot(
            titles=("estimated",)
        )
    assert plt.get_fignums() == before


@pytest.mark.parametrize("n_issues", [0, -1, 2.5, True])
def test_issues_display_rejects_a_non_positive_n_issues(n_issues):
    """n_issues=-1 used to slice [:-1] and draw all rows but one."""
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6]])
    with pytest.raises(ValueError, match="n_issues must be a positive integer"):
        LabelIssuesDisplay.from_predictions(y, proba, n_issues=n_issues)


def test_issues_display_refuses_fewer_axes_than_images(detector_and_data):
    """Five of eight images used to be dropped silently on three axes."""
    import matplotlib.pyplot as plt

    detector, X, y_noisy = detector_and_data
    fig, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="ax holds 3 axes for 8 issue images"):
        LabelIssuesDisplay.from_estimator(
            detector, X, y_noisy, n_issues=8, image_shape=(8, 8), ax=axes
        )
    plt.close(fig)
