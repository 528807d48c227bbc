"""Tests for IterativeRelabelingClassifier and its functional pieces."""

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits, make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.noise import ConfidentLearningClassifier, IterativeRelabelingClassifier
from skrobust.noise._relabel import (
    _keep_classes_present,
    _transition_from_posterior,
    _true_class_posterior,
)
from skrobust.utils import cross_val_predict_proba


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, random_state=0)


# ----------------------------------------------------------- functional core


def test_true_class_posterior_hand_computed():
    p = np.array([[0.8, 0.2], [0.5, 0.5]])
    T = np.array([[0.7, 0.3], [0.4, 0.6]])
    given = np.array([1, 0])
    q = _true_class_posterior(p, given, T)
    # Row 0, given 1: (0.8 * 0.3, 0.2 * 0.6) = (0.24, 0.12) -> (2/3, 1/3).
    # Row 1, given 0: (0.5 * 0.7, 0.5 * 0.4) = (0.35, 0.20) -> (7/11, 4/11).
    np.testing.assert_allclose(q, [[2 / 3, 1 / 3], [7 / 11, 4 / 11]])


def test_true_class_posterior_without_mass_is_flat():
    q = _true_class_posterior(np.array([[1.0, 0.0]]), np.array([1]), np.eye(2))
    np.testing.assert_allclose(q, [[0.5, 0.5]])


def test_transition_from_posterior_counts_mass_per_given_label():
    q = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.0, 1.0]])
    given = np.array([0, 1, 1, 0])
    # True 0 carries mass 1 (given 0) + 0.5 (given 1); true 1 carries 1 (given 0)
    # + 1.5 (given 1).
    T = _transition_from_posterior(q, given, np.eye(2))
    np.testing.assert_allclose(T, [[1 / 1.5, 0.5 / 1.5], [1 / 2.5, 1.5 / 2.5]])
    np.testing.assert_allclose(T.sum(axis=1), 1.0)


def test_transition_row_without_mass_keeps_previous():
    q = np.array([[1.0, 0.0], [1.0, 0.0]])
    previous = np.array([[0.9, 0.1], [0.2, 0.8]])
    T = _transition_from_posterior(q, np.array([0, 1]), previous)
    np.testing.assert_allclose(T[1], previous[1])


def test_emptied_class_gets_its_best_rows_back():
    q = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.7, 0.3]])
    given = np.array([0, 1, 1, 1])
    labels = _keep_classes_present(q.argmax(axis=1), q, given, minimum=1)
    # Class 1 vanished; among the rows given 1, row 2 has the largest q_1.
    np.testing.assert_array_equal(labels, [0, 0, 1, 0])


# ----------------------------------------------------------------- estimator


def test_identity_t_reduces_to_the_base(digits_split):
    X_train, X_test, y_train, _ = digits_split
    y_noisy, _ = make_noisy_labels(
        y_train, make_transition_matrix(10, 0.2), random_state=0
    )
    model = IterativeRelabelingClassifier(
        transition_matrix=np.eye(10), cv=3, random_state=0
    ).fit(X_train, y_noisy)
    base = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
    # With T = I the posterior of the true class is the given label, so no row
    # is relabelled and the final fit is the base on the given labels.
    np.testing.assert_array_equal(model.corrected_labels_, y_noisy)
    assert not model.label_issue_mask_.any()
    np.testing.assert_array_equal(model.predict(X_test), base.predict(X_test))
    np.testing.assert_allclose(model.predict_proba(X_test), base.predict_proba(X_test))


def test_known_t_recovers_most_clean_labels():
    X, y = make_classification(
        n_samples=3000,
        n_features=10,
        n_informative=6,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=0,
    )
    T = make_transition_matrix(3, 0.4, kind="pair")
    y_noisy, flipped = make_noisy_labels(y, T, random_state=0)
    model = IterativeRelabelingClassifier(transition_matrix=T, random_state=0).fit(
        X, y_noisy
    )
    noisy_agreement = np.mean(y_noisy == y)
    corrected_agreement = np.mean(model.corrected_labels_ == y)
    assert noisy_agreement < 0.65
    # Tolerance: the base's own error on this data is about 5 %.
    assert corrected_agreement > 0.9
    # The flags are the flips, mostly.
    assert np.mean(model.label_issue_mask_ == flipped) > 0.9
    np.testing.assert_array_equal(model.transition_matrix_, T)


def test_beats_pruning_and_the_noisy_base_on_average(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    T = make_transition_matrix(10, 0.4, kind="pair")
    gains_base, gains_cl = [], []
    for seed in range(3):
        y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
        proba = cross_val_predict_proba(
            LogisticRegression(max_iter=1000), X_train, y_noisy, random_state=seed
        )
        base = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
        cl = ConfidentLearningClassifier(random_state=seed)
        cl.fit(X_train, y_noisy, pred_proba=proba)
        model = IterativeRelabelingClassifier(random_state=seed)
        model.fit(X_train, y_noisy, pred_proba=proba)
        score = model.score(X_test, y_test)
        gains_base.append(score - base.score(X_test, y_test))
        gains_cl.append(score - cl.score(X_test, y_test))
    # Measured: about +0.3 over the base and +0.2 over pruning.
    assert np.mean(gains_base) > 0.15
    assert np.mean(gains_cl) > 0.05


def test_rounds_and_early_stopping(digits_split):
    X_train, _, y_train, _ = digits_split
    y_noisy, _ = make_noisy_labels(
        y_train, make_transition_matrix(10, 0.3), random_state=0
    )
    one = IterativeRelabelingClassifier(max_iter=1, cv=3, random_state=0)
    assert one.fit(X_train, y_noisy).n_iter_ == 1
    # tol=1 accepts any change: stop after the second round.
    loose = IterativeRelabelingClassifier(max_iter=5, tol=1.0, cv=3, random_state=0)
    assert loose.fit(X_train, y_noisy).n_iter_ == 2
    full = IterativeRelabelingClassifier(max_iter=3, tol=0.0, cv=3, random_state=0)
    full.fit(X_train, y_noisy)
    assert full.n_iter_ == 3
    np.testing.assert_allclose(full.true_label_proba_.sum(axis=1), 1.0)
    np.testing.assert_allclose(full.transition_matrix_.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        full.label_quality_scores_,
        full.true_label_proba_[np.arange(len(y_noisy)), y_noisy],
    )
    assert np.isin(full.corrected_labels_, full.classes_).all()


def test_given_pred_proba_is_the_starting_point(digits_split):
    X_train, _, y_train, _ = digits_split
    proba = cross_val_predict_proba(
        LogisticRegression(max_iter=1000), X_train, y_train, cv=3, random_state=0
    )
    model = IterativeRelabelingClassifier(cv=3, max_iter=1, random_state=0)
    model.fit(X_train, y_train, pred_proba=proba)
    np.testing.assert_array_equal(model.pred_proba_, proba)


def test_string_labels(digits_split):
    X_train, X_test, y_train, _ = digits_split
    names = np.array([f"digit {k}" for k in range(10)])
    model = IterativeRelabelingClassifier(cv=3, max_iter=2, random_state=0)
    model.fit(X_train, names[y_train])
    assert set(model.predict(X_test)) <= set(names)
    assert model.corrected_labels_.dtype == names.dtype


def test_frozen_base_and_invalid_t_rejected(digits_split):
    X_train, _, y_train, _ = digits_split
    frozen = FrozenEstimator(LogisticRegression().fit(X_train, y_train))
    with pytest.raises(TypeError, match="FrozenEstimator"):
        IterativeRelabelingClassifier(frozen).fit(X_train, y_train)
    with pytest.raises(ValueError, match="transition_matrix"):
        IterativeRelabelingClassifier(transition_matrix=np.ones((10, 10))).fit(
            X_train, y_train
        )
    with pytest.raises(ValueError, match="transition_matrix"):
        IterativeRelabelingClassifier(transition_matrix=np.eye(3)).fit(X_train, y_train)


def test_unit_sample_weight_changes_nothing(digits_split):
    X_train, X_test, y_train, _ = digits_split
    y_noisy, _ = make_noisy_labels(
        y_train, make_transition_matrix(10, 0.3), random_state=0
    )
    kwargs = {"cv": 3, "max_iter": 2, "random_state": 0}
    plain = IterativeRelabelingClassifier(**kwargs).fit(X_train, y_noisy)
    weighted = IterativeRelabelingClassifier(**kwargs).fit(
        X_train, y_noisy, sample_weight=np.ones(len(y_noisy))
    )
    np.testing.assert_array_equal(plain.corrected_labels_, weighted.corrected_labels_)
    np.testing.assert_allclose(
        plain.predict_proba(X_test), weighted.predict_proba(X_test), atol=1e-6
    )


def test_uneven_sample_weight_reaches_the_final_fit(digits_split):
    # Unit weights cannot show that weights arrive: class 3 weighted 20 must
    # move the final model's probabilities.
    X_train, X_test, y_train, _ = digits_split
    weights = np.where(y_train == 3, 20.0, 1.0)
    kwargs = {"cv": 3, "max_iter": 1, "random_state": 0}
    plain = IterativeRelabelingClassifier(**kwargs).fit(X_train, y_train)
    weighted = IterativeRelabelingClassifier(**kwargs).fit(
        X_train, y_train, sample_weight=weights
    )
    gap = np.abs(plain.predict_proba(X_test) - weighted.predict_proba(X_test)).max()
    assert gap > 0.1
    assert weighted.predict_proba(X_test)[:, 3].mean() > (
        plain.predict_proba(X_test)[:, 3].mean()
    )


def test_sample_weight_routed_with_metadata_routing(digits_split):
    X_train, _, y_train, _ = digits_split
    weights = np.where(y_train == 3, 20.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        base = LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True)
        model = IterativeRelabelingClassifier(base, cv=3, max_iter=1, random_state=0)
        model.fit(X_train, y_train, sample_weight=weights)
        assert model.score(X_train, y_train) > 0.9
        unweighted = IterativeRelabelingClassifier(
            LogisticRegression(max_iter=1000), cv=3, max_iter=1, random_state=0
        ).fit(X_train, y_train)
        # The routed weights reached the fits: class 3 gains probability.
        assert model.predict_proba(X_train)[:, 3].mean() > (
            unweighted.predict_proba(X_train)[:, 3].mean()
        )
        unrequested = IterativeRelabelingClassifier(LogisticRegression(), cv=3)
        with pytest.raises(Exception, match="sample_weight"):
            unrequested.fit(X_train, y_train, sample_weight=weights)


def test_pipeline_and_grid_search(digits_split, check_search_refits_the_best):
    X_train, X_test, y_train, _ = digits_split
    y_noisy, _ = make_noisy_labels(
        y_train, make_transition_matrix(10, 0.2), random_state=0
    )
    pipe = make_pipeline(
        StandardScaler(),
        IterativeRelabelingClassifier(
            LogisticRegression(max_iter=500), cv=3, random_state=0
        ),
    )
    search = GridSearchCV(
        pipe,
        {"iterativerelabelingclassifier__transition_method": ["confident_joint", "em"]},
        cv=3,
        error_score="raise",
    ).fit(X_train[:600], y_noisy[:600])
    check_search_refits_the_best(search, pipe, X_train[:600], y_noisy[:600], X_test)


# --- found by a review helper -----------------------------------------------


def _relabel_problem():
    X, y = make_classification(n_samples=90, n_classes=2, random_state=0)
    y_noisy, _ = make_noisy_labels(y, make_transition_matrix(2, 0.2), random_state=0)
    return X, y_noisy


def test_relabeling_reads_an_iterable_of_splits_once_and_reuses_it():
    from sklearn.model_selection import StratifiedKFold

    X, y = _relabel_problem()
    splits = list(StratifiedKFold(3).split(X, y))
    from_list = IterativeRelabelingClassifier(cv=splits, random_state=0).fit(X, y)
    from_generator = IterativeRelabelingClassifier(
        cv=StratifiedKFold(3).split(X, y), random_state=0
    ).fit(X, y)
    assert from_generator.n_iter_ == from_list.n_iter_
    np.testing.assert_array_equal(
        from_generator.label_issue_mask_, from_list.label_issue_mask_
    )
    np.testing.assert_array_equal(from_generator.predict(X), from_list.predict(X))


def test_relabeling_takes_splitters_that_need_data_or_groups():
    from sklearn.model_selection import LeaveOneGroupOut, LeaveOneOut

    X, y = _relabel_problem()
    groups = np.arange(X.shape[0]) % 3
    grouped = IterativeRelabelingClassifier(cv=LeaveOneGroupOut(), max_iter=2)
    grouped.fit(X, y, groups=groups)
    one_out = IterativeRelabelingClassifier(cv=LeaveOneOut(), max_iter=1)
    one_out.fit(X[:30], y[:30])
    for model in (grouped, one_out):
        assert model.true_label_proba_.shape[1] == 2
        assert set(model.predict(X)) <= {0, 1}
