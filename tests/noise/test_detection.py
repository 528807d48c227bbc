"""Tests for LabelIssueDetector and ConfidentLearningClassifier."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_digits, make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.noise import (
    ConfidentLearningClassifier,
    LabelIssueDetector,
    bootstrap_transition_matrix,
    estimate_transition_matrix,
    find_label_issues,
)
from skrobust.utils import cross_val_predict_proba


@pytest.fixture(scope="module")
def digits_noisy():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    T = make_transition_matrix(10, 0.3, kind="pair")
    y_noisy, flipped = make_noisy_labels(y, T, random_state=0)
    return X, y, y_noisy, flipped, T


@pytest.fixture(scope="module")
def fitted_detector(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    return LabelIssueDetector(random_state=0).fit(X, y_noisy)


def test_detector_finds_flips_on_digits(digits_noisy, fitted_detector):
    _, _, _, flipped, T = digits_noisy
    mask = fitted_detector.label_issue_mask_
    precision, recall = flipped[mask].mean(), mask[flipped].mean()
    # 30 % pair noise on digits with logistic regression: the benchmark measures
    # ~0.9 precision and ~0.8 recall; 0.8 / 0.7 leaves room for fold variation.
    assert precision > 0.8 and recall > 0.7
    assert np.abs(fitted_detector.transition_matrix_ - T).mean() < 0.05
    assert fitted_detector.transition_matrix_.shape == (10, 10)
    np.testing.assert_allclose(fitted_detector.clean_class_prior_.sum(), 1.0)


def test_detector_matches_functional_core(digits_noisy, fitted_detector):
    X, _, y_noisy, _, _ = digits_noisy
    proba = fitted_detector.pred_proba_
    np.testing.assert_array_equal(
        fitted_detector.label_issue_mask_, find_label_issues(y_noisy, proba)
    )
    np.testing.assert_allclose(
        fitted_detector.transition_matrix_,
        estimate_transition_matrix(y_noisy, proba),
    )


def test_detector_precomputed_proba_skips_crossfitting(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    proba = cross_val_predict_proba(
        LogisticRegression(max_iter=1000), X, y_noisy, random_state=0
    )

    class Exploding(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            raise AssertionError("must not be fitted when pred_proba is given")

        def predict_proba(self, X):
            raise AssertionError("must not be called")

    detector = LabelIssueDetector(Exploding()).fit(X, y_noisy, pred_proba=proba)
    np.testing.assert_array_equal(
        detector.label_issue_mask_, find_label_issues(y_noisy, proba)
    )


def test_detector_accepts_frozen_estimator(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    X_a, X_b, y_a, y_b = train_test_split(X, y_noisy, random_state=0)
    frozen = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X_a, y_a))
    detector = LabelIssueDetector(frozen).fit(X_b, y_b)
    np.testing.assert_allclose(detector.pred_proba_, frozen.predict_proba(X_b))


def test_detector_interval_brackets_estimate(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    proba = cross_val_predict_proba(
        LogisticRegression(max_iter=1000), X, y_noisy, random_state=0
    )
    detector = LabelIssueDetector(interval=True, n_bootstraps=30, random_state=0)
    detector.fit(X, y_noisy, pred_proba=proba)
    lower, upper = detector.transition_matrix_interval_
    T = detector.transition_matrix_
    assert detector.transition_matrix_interval_.shape == (2, 10, 10)
    assert (lower <= upper + 1e-12).all()
    # The point estimate lies inside its percentile interval for almost every
    # entry (not all: percentile intervals need not contain the estimate).
    assert ((lower - 1e-9 <= T) & (T <= upper + 1e-9)).mean() > 0.9
    # It is the bootstrap's interval, not a degenerate [T, T].
    expected = bootstrap_transition_matrix(
        y_noisy, proba, n_bootstraps=30, random_state=0
    )
    np.testing.assert_allclose(detector.transition_matrix_interval_, expected)
    assert (upper - lower).max() > 0


def test_detector_string_labels(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    names = np.array([f"digit {d}" for d in range(10)])[y_noisy]
    a = LabelIssueDetector(cv=3, random_state=0).fit(X[:600], y_noisy[:600])
    b = LabelIssueDetector(cv=3, random_state=0).fit(X[:600], names[:600])
    np.testing.assert_array_equal(a.label_issue_mask_, b.label_issue_mask_)
    assert b.classes_[0] == "digit 0"


def test_detector_rank_label_issues_sorted(fitted_detector):
    order = fitted_detector.rank_label_issues()
    scores = fitted_detector.label_quality_scores_[order]
    assert (np.diff(scores) >= 0).all()
    assert sorted(order.tolist()) == list(range(len(order)))


def test_detector_rejects_bad_pred_proba(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    with pytest.raises(ValueError, match="pred_proba must have one column per class"):
        LabelIssueDetector().fit(X, y_noisy, pred_proba=np.full((len(X), 3), 1 / 3))
    bad = np.full((len(X), 10), 0.2)
    with pytest.raises(ValueError, match="pred_proba rows must sum to 1"):
        LabelIssueDetector().fit(X, y_noisy, pred_proba=bad)


def test_detector_rejects_single_class():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="at least 2 classes"):
        LabelIssueDetector().fit(X, np.zeros(20))


def test_detector_pickle_round_trip(fitted_detector):
    again = pickle.loads(pickle.dumps(fitted_detector))
    np.testing.assert_array_equal(
        again.label_issue_mask_, fitted_detector.label_issue_mask_
    )


# ------------------------------------------------------------ the classifier


def test_classifier_beats_plain_training_on_average():
    # Over five seeds, pruning and refitting must beat training on the noisy
    # labels; the demo measures +3 to +9 points on digits, so a 1-point margin is
    # conservative.
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    gains = []
    for seed in range(5):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=seed)
        T = make_transition_matrix(10, 0.3, kind="pair")
        y_noisy, _ = make_noisy_labels(y_tr, T, random_state=seed)
        plain = LogisticRegression(max_iter=1000).fit(X_tr, y_noisy)
        cl = ConfidentLearningClassifier(random_state=seed).fit(X_tr, y_noisy)
        gains.append(cl.score(X_te, y_te) - plain.score(X_te, y_te))
    assert np.mean(gains) > 0.01


def test_classifier_refits_clone_on_kept_rows(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    base = LogisticRegression(max_iter=1000)
    clf = ConfidentLearningClassifier(base, random_state=0).fit(X, y_noisy)
    assert not hasattr(base, "coef_"), "the user's estimator must stay unfitted"
    kept = ~clf.label_issue_mask_
    manual_weights = np.bincount(y_noisy, minlength=10) / np.bincount(
        y_noisy[kept], minlength=10
    )
    manual = clone(base).fit(
        X[kept], y_noisy[kept], sample_weight=manual_weights[y_noisy[kept]]
    )
    np.testing.assert_allclose(clf.predict_proba(X), manual.predict_proba(X))
    np.testing.assert_array_equal(clf.classes_, np.arange(10))


def test_classifier_rejects_frozen_estimator(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    frozen = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X, y_noisy))
    with pytest.raises(TypeError, match="must not be a FrozenEstimator"):
        ConfidentLearningClassifier(frozen).fit(X, y_noisy)


def test_classifier_needs_sample_weight_support_to_reweight(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        ConfidentLearningClassifier(KNeighborsClassifier()).fit(X, y_noisy)
    clf = ConfidentLearningClassifier(
        KNeighborsClassifier(), reweight_classes=False, cv=3, random_state=0
    ).fit(X, y_noisy)
    assert clf.predict(X).shape == (len(X),)


def test_classifier_keeps_every_class():
    # Class 2 is given to five class-0 rows only, so every one of them looks
    # mislabelled; min_examples_per_class rows must still be kept.
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=4, random_state=0
    )
    y_bad = y.copy()
    y_bad[y == 2] = 0
    y_bad[np.flatnonzero(y == 0)[:5]] = 2

    class Counting(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            self.rows_per_class_ = np.bincount(np.asarray(y), minlength=3)
            return super().fit(X, y, sample_weight=sample_weight)

    clf = ConfidentLearningClassifier(
        Counting(max_iter=1000), min_examples_per_class=3, cv=3, random_state=0
    ).fit(X, y_bad)
    assert clf.label_issue_mask_[y_bad == 2].sum() >= 3, "the test needs flags"
    assert set(clf.estimator_.classes_) == {0, 1, 2}
    # At most two class-2 rows are unflagged, so the refit gets exactly the
    # three that min_examples_per_class keeps.
    assert clf.estimator_.rows_per_class_[2] == 3
    assert clf.predict_proba(X).shape == (300, 3)


def test_classifier_sample_weight_reaches_final_fit(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    proba = cross_val_predict_proba(
        LogisticRegression(max_iter=1000), X, y_noisy, random_state=0
    )
    w = np.ones(len(y_noisy))
    w[y_noisy == 3] = 5.0
    a = ConfidentLearningClassifier().fit(X, y_noisy, pred_proba=proba)
    b = ConfidentLearningClassifier().fit(X, y_noisy, pred_proba=proba, sample_weight=w)
    assert not np.allclose(a.predict_proba(X), b.predict_proba(X))


def test_classifier_metadata_routing(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    w = np.ones(len(y_noisy))
    with sklearn.config_context(enable_metadata_routing=True):
        base = LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True)
        clf = ConfidentLearningClassifier(base, cv=3, random_state=0)
        clf.fit(X, y_noisy, sample_weight=w)
        assert clf.score(X, y_noisy) > 0.5
        unrequested = ConfidentLearningClassifier(LogisticRegression(), cv=3)
        with pytest.raises(Exception, match="sample_weight"):
            unrequested.fit(X, y_noisy, sample_weight=w)


def test_classifier_in_pipeline_and_grid_search(
    digits_noisy, check_search_refits_the_best
):
    X, _, y_noisy, _, _ = digits_noisy
    pipe = make_pipeline(
        StandardScaler(),
        ConfidentLearningClassifier(
            LogisticRegression(max_iter=500), cv=3, random_state=0
        ),
    )
    search = GridSearchCV(
        pipe,
        {"confidentlearningclassifier__filter_by": ["auto", "prune_by_noise_rate"]},
        cv=3,
    ).fit(X[:900], y_noisy[:900])
    check_search_refits_the_best(search, pipe, X[:900], y_noisy[:900], X[900:])


def test_classifier_decision_function_follows_base(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    clf = ConfidentLearningClassifier(cv=3, random_state=0).fit(X, y_noisy)
    np.testing.assert_allclose(
        clf.decision_function(X), clf.estimator_.decision_function(X)
    )
    knn = ConfidentLearningClassifier(KNeighborsClassifier(), reweight_classes=False)
    assert not hasattr(knn, "decision_function")


def test_classifier_pickle_round_trip(digits_noisy):
    X, _, y_noisy, _, _ = digits_noisy
    clf = ConfidentLearningClassifier(cv=3, random_state=0).fit(X, y_noisy)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))


def test_a_data_frame_reaches_a_column_selecting_base_as_it_is():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=120), "colour": rng.choice(["red", "green"], 120)}
    )
    y = (frame["x"] > 0).astype(int).to_numpy()
    # The pipeline picks a column by name, which only a data frame allows.
    base = make_pipeline(
        ColumnTransformer(
            [("onehot", OneHotEncoder(), ["colour"])], remainder="passthrough"
        ),
        LogisticRegression(),
    )
    detector = LabelIssueDetector(base, random_state=0).fit(frame, y)
    assert detector.pred_proba_.shape == (120, 2)
    assert list(detector.feature_names_in_) == ["x", "colour"]
    model = ConfidentLearningClassifier(
        base, reweight_classes=False, random_state=0
    ).fit(frame, y)
    assert model.score(frame, y) > 0.9


def test_refit_without_interval_drops_the_earlier_interval():
    X, y = make_classification(
        n_samples=120, n_classes=3, n_informative=4, random_state=0
    )
    detector = LabelIssueDetector(interval=True, n_bootstraps=20, random_state=0)
    detector.fit(X, y)
    assert detector.transition_matrix_interval_.shape == (2, 3, 3)
    detector.set_params(interval=False).fit(X[:, :3], y % 2)
    assert not hasattr(detector, "transition_matrix_interval_")
    assert detector.transition_matrix_.shape == (2, 2)
