"""Tests for the PU score-distribution display."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import cross_val_predict  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from skrobust.datasets import make_pu_labels  # noqa: E402
from skrobust.pu import (  # noqa: E402
    ElkanNotoClassifier,
    PUScoreDistributionDisplay,
    PUStratifiedKFold,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def pu_data():
    X, y = make_classification(
        n_samples=400, n_informative=4, weights=[0.6], random_state=0
    )
    s = make_pu_labels(y, 0.5, random_state=0)
    return X, y, s


@pytest.fixture(scope="module")
def model_on_s(pu_data):
    X, _, s = pu_data
    return LogisticRegression().fit(X, s)


def _heights(bars):
    return np.array([patch.get_height() for patch in bars])


def _legend_texts(display):
    return [text.get_text() for text in display.ax_.get_legend().get_texts()]


def test_histograms_are_densities_of_each_group_on_shared_edges():
    rng = np.random.default_rng(0)
    s = (rng.random(300) < 0.2).astype(int)
    scores = np.clip(0.3 + 0.4 * s + 0.2 * rng.standard_normal(300), 0, 1)
    display = PUScoreDistributionDisplay.from_predictions(s, scores, bins=10)
    edges = np.linspace(0, 1, 11)
    np.testing.assert_allclose(display.bin_edges_, edges)
    for bars, mask in (
        (display.hist_labeled_, s == 1),
        (display.hist_unlabeled_, s == 0),
    ):
        expected, _ = np.histogram(scores[mask], bins=edges, density=True)
        np.testing.assert_allclose(_heights(bars), expected)
        assert len(bars) == 10
    assert display.line_ is None and display.prior_threshold_ is None
    assert display.ax_.get_xlabel() == "score" and display.ax_.get_ylabel() == "density"
    assert display.figure_ is display.ax_.figure


def test_scores_outside_unit_interval_bin_over_their_range():
    s = np.array([1, 0, 0, 1, 0, 0])
    scores = np.array([2.0, -3.0, 0.5, 1.0, -1.0, 0.0])
    display = PUScoreDistributionDisplay.from_predictions(s, scores, bins=5)
    np.testing.assert_allclose(display.bin_edges_, np.linspace(-3, 2, 6))


def test_legend_shows_groups_prior_and_label_frequency():
    s = np.array([1] * 20 + [0] * 80)
    scores = np.linspace(0, 1, 100)
    display = PUScoreDistributionDisplay.from_predictions(
        s, scores, class_prior=0.4, label_frequency=0.5, name="model"
    )
    assert _legend_texts(display) == [
        "model: labelled (n=20)",
        "model: unlabelled (n=80)",
        "prior cut (pi=0.400, c=0.500)",
    ]
    assert display.line_.get_label() == "prior cut (pi=0.400, c=0.500)"


@pytest.mark.parametrize("class_prior", [0.1, 0.25, 0.6])
def test_prior_cut_leaves_a_share_pi_of_all_rows_above(class_prior):
    rng = np.random.default_rng(1)
    s = (rng.random(500) < 0.08).astype(int)
    scores = rng.random(500)
    display = PUScoreDistributionDisplay.from_predictions(
        s, scores, class_prior=class_prior
    )
    threshold = display.prior_threshold_
    assert display.line_.get_xdata()[0] == pytest.approx(threshold)
    # Linear interpolation between order statistics: off by at most one row.
    assert abs(np.mean(scores > threshold) - class_prior) <= 1 / 500


def test_prior_cut_is_invariant_to_an_increasing_transform():
    # P(s=1|x) = c P(y=1|x) ranks rows as P(y=1|x) does: the cut separates the
    # same rows whatever increasing transform the scores went through.
    rng = np.random.default_rng(2)
    s = (rng.random(200) < 0.15).astype(int)
    proba = rng.random(200)
    for transform in (lambda p: 0.4 * p, lambda p: p**3, np.sqrt):
        cut_y = PUScoreDistributionDisplay.from_predictions(
            s, proba, class_prior=0.3
        ).prior_threshold_
        scores = transform(proba)
        cut_s = PUScoreDistributionDisplay.from_predictions(
            s, scores, class_prior=0.3
        ).prior_threshold_
        np.testing.assert_array_equal(scores > cut_s, proba > cut_y)


def test_a_missing_prior_or_label_frequency_is_derived_from_the_labelled_share():
    s = np.array([1] * 20 + [0] * 80)
    scores = np.linspace(0, 1, 100)
    from_prior = PUScoreDistributionDisplay.from_predictions(s, scores, class_prior=0.4)
    assert from_prior.line_.get_label() == "prior cut (pi=0.400, c=0.500)"
    from_c = PUScoreDistributionDisplay.from_predictions(s, scores, label_frequency=0.8)
    assert from_c.line_.get_label() == "prior cut (pi=0.250, c=0.800)"
    full = PUScoreDistributionDisplay.from_predictions(s, scores, label_frequency=1.0)
    assert full.line_.get_label() == "prior cut (pi=0.200, c=1.000)"


def test_string_labels_with_pos_label():
    s = np.array(["pos", "unl", "unl", "pos", "unl", "unl"])
    scores = np.array([0.9, 0.1, 0.4, 0.8, 0.2, 0.7])
    display = PUScoreDistributionDisplay.from_predictions(
        s, scores, pos_label="pos", bins=2
    )
    np.testing.assert_allclose(_heights(display.hist_labeled_), [0.0, 2.0])
    np.testing.assert_allclose(_heights(display.hist_unlabeled_), [1.5, 0.5])


def test_from_estimator_equals_from_predictions_on_its_scores(pu_data, model_on_s):
    X, _, s = pu_data
    by_estimator = PUScoreDistributionDisplay.from_estimator(
        model_on_s, X, s, class_prior=0.4
    )
    by_predictions = PUScoreDistributionDisplay.from_predictions(
        s, model_on_s.predict_proba(X)[:, 1], class_prior=0.4
    )
    for attribute in ("hist_labeled_", "hist_unlabeled_"):
        np.testing.assert_allclose(
            _heights(getattr(by_estimator, attribute)),
            _heights(getattr(by_predictions, attribute)),
        )
    assert by_estimator.prior_threshold_ == by_predictions.prior_threshold_
    assert _legend_texts(by_estimator)[0].startswith("LogisticRegression: labelled")


def test_from_estimator_uses_the_column_of_pos_label(pu_data):
    X, _, s = pu_data
    s_text = np.where(s == 1, "a", "b")
    model = LogisticRegression().fit(X, s_text)
    display = PUScoreDistributionDisplay.from_estimator(
        model, X, s_text, pos_label="a", class_prior=0.4
    )
    np.testing.assert_allclose(display.scores, model.predict_proba(X)[:, 0])
    assert display.labeled_mask.sum() == (s == 1).sum()


@pytest.mark.parametrize("pos_label", [0, 1])
def test_from_estimator_falls_back_to_a_signed_decision_function(pu_data, pos_label):
    X, _, s = pu_data
    model = LinearSVC(random_state=0).fit(X, s)
    display = PUScoreDistributionDisplay.from_estimator(
        model, X, s, pos_label=pos_label, bins=15
    )
    margin = model.decision_function(X)
    np.testing.assert_allclose(display.scores, margin if pos_label == 1 else -margin)
    expected, _ = np.histogram(
        display.scores[s == pos_label], bins=display.bin_edges_, density=True
    )
    np.testing.assert_allclose(_heights(display.hist_labeled_), expected)


def test_from_estimator_reads_the_pu_classifiers_prior(pu_data):
    X, _, s = pu_data
    model = ElkanNotoClassifier(cv=3, random_state=0).fit(X, s)
    display = PUScoreDistributionDisplay.from_estimator(model, X, s)
    expected = (
        f"prior cut (pi={model.class_prior_:.3f}, c={model.label_frequency_:.3f})"
    )
    assert display.line_.get_label() == expected
    np.testing.assert_allclose(display.scores, model.predict_proba(X)[:, 1])
    # The cut is the (1 - pi) quantile of the classifier's P(y=1|x).
    assert np.mean(display.scores > display.prior_threshold_) == pytest.approx(
        model.class_prior_, abs=1 / len(s)
    )
    # A given prior replaces the fitted pair; c then follows from the rows.
    explicit = PUScoreDistributionDisplay.from_estimator(model, X, s, class_prior=0.5)
    c = np.mean(s == 1) / 0.5
    assert explicit.line_.get_label() == f"prior cut (pi=0.500, c={c:.3f})"


def test_from_estimator_ignores_a_vector_class_prior(pu_data):
    # GaussianNB's class_prior_ is a vector over classes, not the PU prior.
    X, _, s = pu_data
    display = PUScoreDistributionDisplay.from_estimator(GaussianNB().fit(X, s), X, s)
    assert display.line_ is None


def test_display_on_out_of_sample_scores_with_the_splitter(pu_data):
    X, y, s = pu_data
    cv = PUStratifiedKFold(5, shuffle=True, random_state=0)
    proba = cross_val_predict(
        LogisticRegression(), X, s, cv=cv, method="predict_proba"
    )[:, 1]
    display = PUScoreDistributionDisplay.from_predictions(
        s, proba, class_prior=float(np.mean(y))
    )
    # Labelled rows are positives, so they outscore the unlabelled mixture.
    centres = (display.bin_edges_[:-1] + display.bin_edges_[1:]) / 2
    widths = np.diff(display.bin_edges_)
    mean_labeled = np.sum(centres * _heights(display.hist_labeled_) * widths)
    mean_unlabeled = np.sum(centres * _heights(display.hist_unlabeled_) * widths)
    assert mean_labeled > mean_unlabeled + 0.1


def test_plot_draws_on_a_given_axis_with_options():
    s = np.array([1, 0, 0, 1, 0, 0, 0, 0])
    scores = np.linspace(0.05, 0.95, 8)
    fig, ax = plt.subplots()
    display = PUScoreDistributionDisplay(scores, s == 1, class_prior=0.5, name="m")
    display.plot(
        ax,
        name="other",
        bins=[0, 0.5, 1],
        hist_kwargs={"alpha": 0.2},
        line_kwargs={"color": "red"},
    )
    assert display.ax_ is ax and display.figure_ is fig
    assert len(display.hist_labeled_) == 2
    assert display.hist_labeled_[0].get_alpha() == 0.2
    assert display.line_.get_color() == "red"
    assert _legend_texts(display)[0] == "other: labelled (n=2)"


def test_inputs_are_not_modified():
    s = np.array([1, 0, 0, 1, 0, 0])
    scores = np.array([0.9, 0.1, 0.4, 0.8, 0.2, 0.7])
    s_before, scores_before = s.copy(), scores.copy()
    PUScoreDistributionDisplay.from_predictions(s, scores, class_prior=0.5)
    np.testing.assert_array_equal(s, s_before)
    np.testing.assert_array_equal(scores, scores_before)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"scores": [0.1, 0.2]}, ValueError, r"one value per row of s \(3 rows\)"),
        ({"s": [0, 0, 0]}, ValueError, r"s has no labelled positive \(value 1\)"),
        ({"s": [1, 1, 1]}, ValueError, "s has no unlabelled row"),
        ({"scores": [0.1, np.nan, 0.3]}, ValueError, "scores must be finite"),
        ({"scores": [[0.1, 0.9]] * 3}, ValueError, "scores must be 1-D"),
        ({"scores": ["a", "b", "c"]}, TypeError, "scores must hold numbers"),
        ({"class_prior": 1.5}, ValueError, "class_prior must be in"),
        ({"class_prior": 0.2}, ValueError, "class_prior=0.2 is below the share"),
        ({"label_frequency": 0.0}, ValueError, r"label_frequency must be in \(0, 1\]"),
        ({"label_frequency": 0.3}, ValueError, "label_frequency=0.3 implies class_"),
        ({"bins": 0}, ValueError, "bins must be >= 1; got 0"),
        ({"bins": 2.5}, TypeError, "bins must be an int"),
    ],
)
def test_from_predictions_rejects_bad_input(change, error, match):
    kwargs = {"s": [1, 0, 0], "scores": [0.1, 0.2, 0.3], **change}
    with pytest.raises(error, match=match):
        PUScoreDistributionDisplay.from_predictions(**kwargs)


def test_from_estimator_rejects_bad_input(pu_data, model_on_s):
    X, _, s = pu_data
    with pytest.raises(NotFittedError):
        PUScoreDistributionDisplay.from_estimator(LogisticRegression(), X, s)
    with pytest.raises(ValueError, match="X and s must have the same number of rows"):
        PUScoreDistributionDisplay.from_estimator(model_on_s, X[:10], s)
    with pytest.raises(ValueError, match=r"pos_label='p' is not one of the estim"):
        PUScoreDistributionDisplay.from_estimator(
            model_on_s, X, np.where(s == 1, "p", "u"), pos_label="p"
        )
    multiclass = LogisticRegression().fit(X, np.arange(len(s)) % 3)
    with pytest.raises(ValueError, match="estimator must be a fitted binary"):
        PUScoreDistributionDisplay.from_estimator(multiclass, X, s)


def test_from_estimator_needs_a_scoring_method(pu_data):
    class LabelsOnly(ClassifierMixin, BaseEstimator):
        """A fitted classifier with ``predict`` only."""

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    X, _, s = pu_data
    with pytest.raises(TypeError, match="predict_proba or decision_function"):
        PUScoreDistributionDisplay.from_estimator(LabelsOnly().fit(X, s), X, s)


def test_display_reads_the_prior_of_a_pipeline_final_step():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(400, random_state=0)
    s = make_pu_labels(y, 0.5, random_state=0)
    model = make_pipeline(
        StandardScaler(), ElkanNotoClassifier(LogisticRegression(), random_state=0)
    ).fit(X, s)
    display = PUScoreDistributionDisplay.from_estimator(model, X, s)
    assert display.line_ is not None
    assert display.class_prior == pytest.approx(model[-1].class_prior_)
