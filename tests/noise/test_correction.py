"""Tests for TransitionCorrectedClassifier and ImportanceReweightingClassifier."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.noise import (
    ImportanceReweightingClassifier,
    TransitionCorrectedClassifier,
)
from skrobust.noise._correction import _correct_posterior, _project_rows_to_simplex
from skrobust.utils import cross_val_predict_proba


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, random_state=0)


# ----------------------------------------------------------- functional core


def test_projection_onto_simplex_matches_definition():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(200, 5))
    projected = _project_rows_to_simplex(values)
    np.testing.assert_allclose(projected.sum(axis=1), 1.0)
    assert (projected >= 0).all()
    # Points already on the simplex are fixed points.
    simplex = rng.dirichlet(np.ones(5), size=50)
    np.testing.assert_allclose(_project_rows_to_simplex(simplex), simplex, atol=1e-12)
    # Optimality: no random simplex point is closer to the input.
    candidates = rng.dirichlet(np.ones(5), size=500)
    best = np.linalg.norm(values[:, None, :] - candidates[None], axis=2).min(axis=1)
    assert (np.linalg.norm(values - projected, axis=1) <= best + 1e-12).all()


@pytest.mark.parametrize("method", ["em", "projection"])
def test_correction_recovers_known_clean_posterior(method):
    # Noisy posteriors built exactly as T^T p from interior clean posteriors: both
    # recoveries must return p. EM converges linearly (500 updates), so 1e-3.
    rng = np.random.default_rng(0)
    T = make_transition_matrix(4, 0.3, kind="pair")
    clean = rng.dirichlet(np.full(4, 3.0), size=300)
    recovered = _correct_posterior(clean @ T, T, method)
    atol = 1e-3 if method == "em" else 1e-10
    np.testing.assert_allclose(recovered, clean, atol=atol)


@pytest.mark.parametrize("method", ["em", "projection"])
def test_identity_transition_changes_nothing(method):
    rng = np.random.default_rng(1)
    proba = rng.dirichlet(np.ones(3), size=100)
    np.testing.assert_allclose(
        _correct_posterior(proba, np.eye(3), method), proba, atol=1e-12
    )


# ------------------------------------------------ TransitionCorrectedClassifier


def test_identity_t_reduces_to_the_base(digits_split):
    X_train, X_test, y_train, _ = digits_split
    base = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    model = TransitionCorrectedClassifier(
        LogisticRegression(max_iter=1000), transition_matrix=np.eye(10), cv=3
    ).fit(X_train, y_train)
    np.testing.assert_allclose(
        model.predict_proba(X_test), base.predict_proba(X_test), atol=1e-10
    )
    np.testing.assert_array_equal(model.predict(X_test), base.predict(X_test))


def test_known_t_improves_accuracy_under_pair_noise(digits_split):
    # Averaged over 5 noise draws with the true T: correction lifts test accuracy
    # (measured: ~0.60 -> ~0.85 at 40 % pair noise); the margin is 0.1.
    X_train, X_test, y_train, y_test = digits_split
    T = make_transition_matrix(10, 0.4, kind="pair")
    gains = []
    for seed in range(5):
        y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
        plain = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
        model = TransitionCorrectedClassifier(transition_matrix=T, cv=3)
        model.fit(X_train, y_noisy)
        gains.append(model.score(X_test, y_test) - plain.score(X_test, y_test))
    assert np.mean(gains) > 0.1


def test_estimated_t_is_close_and_helps(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    T = make_transition_matrix(10, 0.3, kind="pair")
    y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    model = TransitionCorrectedClassifier(random_state=0).fit(X_train, y_noisy)
    plain = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
    assert np.abs(model.transition_matrix_ - T).mean() < 0.03
    assert model.score(X_test, y_test) > plain.score(X_test, y_test) + 0.05


def test_frozen_base_is_used_as_is(digits_split):
    X_train, X_test, y_train, _ = digits_split
    fitted = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    model = TransitionCorrectedClassifier(
        FrozenEstimator(fitted), transition_matrix=np.eye(10)
    ).fit(X_train, y_train)
    assert model.estimator_.estimator is fitted
    np.testing.assert_allclose(
        model.predict_proba(X_test), fitted.predict_proba(X_test), atol=1e-10
    )


@pytest.mark.parametrize(
    "T, match",
    [
        (np.full((10, 10), 0.2), "row-stochastic"),
        (np.eye(4)[:, :3], "square"),
        (np.eye(3), "must be 10 x 10"),
    ],
)
def test_invalid_transition_matrix_rejected(digits_split, T, match):
    X_train, _, y_train, _ = digits_split
    with pytest.raises(ValueError, match=f"transition_matrix.*{match}"):
        TransitionCorrectedClassifier(transition_matrix=T).fit(X_train, y_train)


def test_singular_t_rejected_only_where_inverted(digits_split):
    X_train, _, y_train, _ = digits_split
    singular = np.full((10, 10), 0.1)
    with pytest.raises(ValueError, match="transition_matrix is singular"):
        TransitionCorrectedClassifier(
            transition_matrix=singular, method="projection", cv=3
        ).fit(X_train, y_train)
    TransitionCorrectedClassifier(transition_matrix=singular, method="em", cv=3).fit(
        X_train, y_train
    )


def test_base_without_predict_proba_rejected(digits_split):
    X_train, _, y_train, _ = digits_split
    with pytest.raises(ValueError, match="estimator"):
        TransitionCorrectedClassifier(LinearSVC()).fit(X_train, y_train)
    with pytest.raises(ValueError, match="estimator"):
        ImportanceReweightingClassifier(LinearSVC()).fit(X_train, y_train)


# --------------------------------------------- ImportanceReweightingClassifier


def test_weights_follow_the_formula(digits_split):
    X_train, _, y_train, _ = digits_split
    T = make_transition_matrix(10, 0.3, kind="pair")
    y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    proba = cross_val_predict_proba(
        LogisticRegression(max_iter=1000), X_train, y_noisy, random_state=0
    )
    model = ImportanceReweightingClassifier(transition_matrix=T, max_weight=50.0)
    model.fit(X_train, y_noisy, pred_proba=proba)
    clean = _correct_posterior(proba, T, "em")
    rows = np.arange(len(y_noisy))
    expected = np.clip(clean[rows, y_noisy] / proba[rows, y_noisy], 0, 50.0)
    np.testing.assert_allclose(model.importance_weights_, expected)
    # Rows whose given label is a flip get lower weights on average.
    flipped = y_noisy != y_train
    assert expected[flipped].mean() < expected[~flipped].mean()


def test_identity_t_gives_unit_weights(digits_split):
    X_train, X_test, y_train, _ = digits_split
    model = ImportanceReweightingClassifier(transition_matrix=np.eye(10), cv=3)
    model.fit(X_train, y_train)
    np.testing.assert_allclose(model.importance_weights_, 1.0, atol=1e-9)
    base = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    np.testing.assert_allclose(
        model.predict_proba(X_test), base.predict_proba(X_test), atol=1e-6
    )


def test_reweighting_improves_accuracy_on_average(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    T = make_transition_matrix(10, 0.3, kind="pair")
    gains = []
    for seed in range(3):
        y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
        plain = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
        model = ImportanceReweightingClassifier(random_state=seed)
        model.fit(X_train, y_noisy)
        gains.append(model.score(X_test, y_test) - plain.score(X_test, y_test))
    # Measured gains are ~+0.15 at 30 % pair noise; the margin is 0.05.
    assert np.mean(gains) > 0.05


def test_reweighting_rejects_frozen_and_unweighted_bases(digits_split):
    X_train, _, y_train, _ = digits_split
    frozen = FrozenEstimator(LogisticRegression(max_iter=1000).fit(X_train, y_train))
    with pytest.raises(TypeError, match="must not be a FrozenEstimator"):
        ImportanceReweightingClassifier(frozen).fit(X_train, y_train)
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        ImportanceReweightingClassifier(KNeighborsClassifier()).fit(X_train, y_train)


def test_user_sample_weight_multiplies_importance(digits_split):
    X_train, X_test, y_train, _ = digits_split

    class Recorder(ClassifierMixin, BaseEstimator):
        def fit(self, X, y, sample_weight=None):
            self.classes_ = np.unique(y)
            self.weights_ = sample_weight
            return self

        def predict_proba(self, X):
            return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))

    # A noisy T and uneven probabilities, so that the importance weights are
    # not all 1 (with T = I, "times the user's" could not be told apart).
    proba = np.random.default_rng(0).dirichlet(np.ones(10), size=len(y_train))
    T = 0.8 * np.eye(10) + 0.2 / 9 * (1 - np.eye(10))
    user = np.arange(len(y_train), dtype=float)
    model = ImportanceReweightingClassifier(Recorder(), transition_matrix=T)
    model.fit(X_train, y_train, pred_proba=proba, sample_weight=user)
    assert np.ptp(model.importance_weights_) > 0.1
    np.testing.assert_allclose(
        model.estimator_.weights_, model.importance_weights_ * user
    )


@pytest.mark.parametrize(
    "estimator_class", [TransitionCorrectedClassifier, ImportanceReweightingClassifier]
)
def test_pipeline_and_grid_search(
    digits_split, estimator_class, check_search_refits_the_best
):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, _ = digits_split
    y_noisy, _ = make_noisy_labels(
        y_train, make_transition_matrix(10, 0.2), random_state=0
    )
    step = estimator_class.__name__.lower()
    pipe = make_pipeline(
        StandardScaler(),
        estimator_class(LogisticRegression(max_iter=500), cv=3, random_state=0),
    )
    search = GridSearchCV(
        pipe,
        {f"{step}__transition_method": ["confident_joint", "em"]},
        cv=3,
        error_score="raise",
    ).fit(X_train[:600], y_noisy[:600])
    check_search_refits_the_best(search, pipe, X_train[:600], y_noisy[:600], X_test)


def test_sample_weight_routed_with_metadata_routing(digits_split):
    import sklearn

    X_train, _, y_train, _ = digits_split
    weights = np.ones(len(y_train))
    with sklearn.config_context(enable_metadata_routing=True):
        base = LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True)
        model = ImportanceReweightingClassifier(base, cv=3, random_state=0)
        model.fit(X_train, y_train, sample_weight=weights)
        assert model.score(X_train, y_train) > 0.9
        unrequested = TransitionCorrectedClassifier(LogisticRegression(), cv=3)
        with pytest.raises(Exception, match="sample_weight"):
            unrequested.fit(X_train, y_train, sample_weight=weights)


# --- review fixes --------------------------------------------------------------


@pytest.mark.parametrize("T", [[[0.0, 1.0], [1.0, 0.0]], [[0.1, 0.9], [0.9, 0.1]]])
def test_em_correction_moves_one_hot_posteriors(T):
    # A tree's one-hot noisy posterior: the multiplicative update cannot move a
    # zero entry, so EM must start from the uniform vector (METHODS A7).
    noisy = np.array([[0.0, 1.0], [1.0, 0.0], [0.3, 0.7]])
    T = np.asarray(T)
    em = _correct_posterior(noisy, T, "em")
    projection = _correct_posterior(noisy, T, "projection")
    assert np.all(np.isfinite(em))
    assert_allclose(em[:2], projection[:2], atol=1e-6)


def test_projection_rejects_a_singular_estimated_matrix():
    X, y = load_digits(return_X_y=True)
    # Identical features for every row: every anchor row looks alike, so the
    # anchor estimate of T has identical rows, which projection cannot invert.
    X = np.zeros((300, 2))
    y = y[:300]
    model = TransitionCorrectedClassifier(
        method="projection", transition_method="anchor", random_state=0
    )
    with pytest.raises(ValueError, match="method='projection' cannot invert"):
        model.fit(X, y)


def test_default_base_with_routing_says_how_to_request_weights():
    import sklearn
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match="estimator=Logistic"):
            TransitionCorrectedClassifier(random_state=0).fit(
                X, y, sample_weight=np.ones(len(y))
            )


def test_em_correction_follows_the_stopping_rule_row_by_row():
    # Binary T with rho_-1 = 0.3, rho_+1 = 0.2: the clean P(y = 1 | x) is
    # (p~ - 0.3) / 0.5, which is 0 (the simplex's boundary) at p~ = 0.3.
    T = np.array([[0.7, 0.3], [0.2, 0.8]])
    noisy = np.linspace(0.3, 0.8, 11)
    proba = np.column_stack([1 - noisy, noisy])
    em = _correct_posterior(proba, T, "em")
    exact = _correct_posterior(proba, T, "projection")
    assert_allclose(exact[:, 1], (noisy - 0.3) / 0.5, atol=1e-12)
    # Interior rows converge; the two rows whose clean posterior is 0 or 1
    # creep towards it (measured 8.4e-4 and 6.4e-4 off with 1000 updates, 1.7e-3
    # and 1.3e-3 with the 500 the correction had before).
    assert_allclose(em[1:-1], exact[1:-1], atol=1e-6)
    assert_allclose(em[[0, -1]], exact[[0, -1]], atol=1e-3)
    # Each row stops on its own, so a row's result does not depend on the rows
    # corrected with it.
    for rows in ([0], [5], [0, 10], [3, 4, 5]):
        assert_allclose(_correct_posterior(proba[rows], T, "em"), em[rows], atol=0)
