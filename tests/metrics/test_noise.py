"""Tests for the noise-corrected metrics and scorer."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import GridSearchCV, train_test_split

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.metrics import (
    make_noise_corrected_scorer,
    noise_corrected_accuracy_score,
    noise_corrected_log_loss,
)
from skrobust.noise import LabelIssueDetector


def test_identity_reduces_to_plain_metrics():
    rng = np.random.default_rng(0)
    y = rng.integers(3, size=200)
    pred = rng.integers(3, size=200)
    proba = rng.dirichlet(np.ones(3), size=200)
    assert noise_corrected_accuracy_score(
        y, pred, transition_matrix=np.eye(3)
    ) == pytest.approx(accuracy_score(y, pred))
    assert noise_corrected_log_loss(
        y, proba, transition_matrix=np.eye(3)
    ) == pytest.approx(log_loss(y, proba))


@pytest.mark.parametrize("kind", ["symmetric", "pair"])
def test_corrected_accuracy_is_unbiased(kind):
    # Averaged over 400 noise draws of 500 rows the estimate's standard error is
    # about 0.002; it must match the clean accuracy within 0.01.
    rng = np.random.default_rng(0)
    y = rng.integers(4, size=500)
    pred = np.where(rng.random(500) < 0.7, y, rng.integers(4, size=500))
    T = make_transition_matrix(4, 0.3, kind=kind)
    estimates = [
        noise_corrected_accuracy_score(
            make_noisy_labels(y, T, random_state=seed)[0],
            pred,
            transition_matrix=T,
            classes=np.arange(4),
        )
        for seed in range(400)
    ]
    assert np.mean(estimates) == pytest.approx(accuracy_score(y, pred), abs=0.01)


def test_corrected_log_loss_is_unbiased():
    rng = np.random.default_rng(1)
    y = rng.integers(3, size=300)
    proba = rng.dirichlet(np.ones(3), size=300)
    T = make_transition_matrix(3, 0.25, kind="pair")
    estimates = [
        noise_corrected_log_loss(
            make_noisy_labels(y, T, random_state=seed)[0],
            proba,
            transition_matrix=T,
            classes=np.arange(3),
        )
        for seed in range(400)
    ]
    assert np.mean(estimates) == pytest.approx(log_loss(y, proba), rel=0.02)


def test_rejects_singular_transition_and_bad_lengths():
    with pytest.raises(ValueError, match="transition_matrix is singular"):
        noise_corrected_accuracy_score(
            [0, 1], [0, 1], transition_matrix=np.full((2, 2), 0.5)
        )
    with pytest.raises(ValueError, match="same length"):
        noise_corrected_accuracy_score([0, 1, 1], [0, 1], transition_matrix=np.eye(2))
    with pytest.raises(ValueError, match="metric must be"):
        make_noise_corrected_scorer(np.eye(2), metric="f1")


@pytest.mark.slow
def test_grid_search_selects_better_models_than_noisy_accuracy():
    # Asymmetric binary noise (40 % of negatives flipped to positive): accuracy
    # on noisy labels prefers models biased towards the positive class. Over five
    # seeds, the scorer built on an *estimated* T must select models whose clean
    # test accuracy is higher on average; measured +0.08, the margin is 0.03.
    T = np.array([[0.6, 0.4], [0.1, 0.9]])
    grid = {"class_weight": [{0: w, 1: 1.0} for w in (0.5, 1, 2, 3, 4, 6)]}
    gains = []
    for seed in range(5):
        X, y = make_classification(
            n_samples=3000,
            n_features=10,
            n_informative=5,
            class_sep=0.8,
            random_state=seed,
        )
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=seed)
        y_noisy, _ = make_noisy_labels(y_tr, T, random_state=seed)
        T_hat = (
            LabelIssueDetector(transition_method="em", random_state=seed)
            .fit(X_tr, y_noisy)
            .transition_matrix_
        )
        plain = GridSearchCV(LogisticRegression(), grid, cv=5).fit(X_tr, y_noisy)
        corrected = GridSearchCV(
            LogisticRegression(),
            grid,
            cv=5,
            scoring=make_noise_corrected_scorer(T_hat),
        ).fit(X_tr, y_noisy)
        gains.append(
            accuracy_score(y_te, corrected.predict(X_te))
            - accuracy_score(y_te, plain.predict(X_te))
        )
    assert np.mean(gains) > 0.03
    assert min(gains) > -0.01


def test_log_loss_scorer_on_a_binary_classifier():
    X, y = make_classification(n_samples=300, random_state=0)
    T = np.array([[0.9, 0.1], [0.2, 0.8]])
    model = LogisticRegression().fit(X, y)
    score = make_noise_corrected_scorer(T, metric="log_loss")(model, X, y)
    expected = noise_corrected_log_loss(y, model.predict_proba(X), transition_matrix=T)
    assert score == pytest.approx(-expected)
    # A 1-D column (what scikit-learn's scorers pass for two classes) is the
    # probability of the second class.
    one_column = noise_corrected_log_loss(
        y, model.predict_proba(X)[:, 1], transition_matrix=T
    )
    assert one_column == pytest.approx(expected)


@pytest.mark.parametrize("metric", ["accuracy", "log_loss"])
def test_scorer_follows_the_estimator_classes_on_a_fold_missing_one(metric):
    X, y = make_classification(
        n_samples=300, n_classes=3, n_informative=4, random_state=0
    )
    T = make_transition_matrix(3, 0.2)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    # Class 2 is absent from the scored rows' labels and predictions alike, so
    # only the estimator's classes_ can tell the scorer there are three.
    kept = (y != 2) & (model.predict(X) != 2)
    scorer = make_noise_corrected_scorer(T, metric=metric)
    given = make_noise_corrected_scorer(T, metric=metric, classes=[0, 1, 2])
    # Class 2 is absent from the scored rows: T's rows still follow classes_.
    assert scorer(model, X[kept], y[kept]) == pytest.approx(
        given(model, X[kept], y[kept])
    )


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([np.nan, 1, 1, 1, 1], "sample_weight must be finite"),
        ([-1, 1, 1, 1, 1], "sample_weight must be non-negative"),
        ([0, 0, 0, 0, 0], "sample_weight must have a positive total"),
        ([1, 1], r"sample_weight must have one value per row \(5\)"),
    ],
)
def test_bad_sample_weight_is_named(weights, match):
    T = np.array([[0.8, 0.2], [0.2, 0.8]])
    y, pred = [0, 0, 0, 1, 1], [0, 0, 0, 0, 0]
    proba = np.tile([0.7, 0.3], (5, 1))
    with pytest.raises(ValueError, match=match):
        noise_corrected_accuracy_score(
            y, pred, transition_matrix=T, sample_weight=weights
        )
    with pytest.raises(ValueError, match=match):
        noise_corrected_log_loss(y, proba, transition_matrix=T, sample_weight=weights)


def test_a_label_outside_t_is_blamed_on_the_labels_not_on_t():
    T = np.array([[0.8, 0.2], [0.2, 0.8]])
    with pytest.raises(
        ValueError, match="hold 3 labels .* transition_matrix has 2 rows"
    ):
        noise_corrected_accuracy_score([0, 1, 0, 1], [0, 1, 2, 1], transition_matrix=T)
    with pytest.raises(ValueError, match=r"labels that are not in classes: \[2\]"):
        noise_corrected_accuracy_score(
            [0, 1, 0, 1], [0, 1, 2, 1], transition_matrix=T, classes=[0, 1]
        )


def test_noise_corrected_accuracy_reads_column_vectors_with_or_without_classes():
    T = np.array([[0.8, 0.2], [0.3, 0.7]])
    y_true = np.array([[0], [1], [1]])
    flat = noise_corrected_accuracy_score([0, 1, 1], [0, 1, 0], transition_matrix=T)
    assert noise_corrected_accuracy_score(
        y_true, [0, 1, 0], transition_matrix=T
    ) == pytest.approx(flat)
    assert noise_corrected_accuracy_score(
        y_true, np.array([[0], [1], [0]]), transition_matrix=T, classes=[0, 1]
    ) == pytest.approx(flat)
    with pytest.raises(ValueError, match="y_pred must be 1-D"):
        noise_corrected_accuracy_score(y_true, np.zeros((3, 2)), transition_matrix=T)
