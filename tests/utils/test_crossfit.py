"""Tests for skrobust.utils.cross_val_predict_proba."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit, cross_val_predict

from skrobust.utils import SmallClassWarning, cross_val_predict_proba


@pytest.fixture(scope="module")
def data():
    return make_classification(
        n_samples=150, n_classes=3, n_informative=4, random_state=0
    )


def test_matches_sklearn_cross_val_predict_with_same_folds(data):
    X, y = data
    cv = KFold(5, shuffle=True, random_state=1)
    ours = cross_val_predict_proba(LogisticRegression(), X, y, cv=cv)
    theirs = cross_val_predict(
        LogisticRegression(), X, y, cv=cv, method="predict_proba"
    )
    np.testing.assert_allclose(ours, theirs)


def test_rows_are_probabilities_and_out_of_sample(data):
    X, y = data
    proba = cross_val_predict_proba(LogisticRegression(), X, y, random_state=0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    in_sample = LogisticRegression().fit(X, y).predict_proba(X)
    # In-sample probabilities of the observed labels are systematically higher.
    idx = np.arange(len(y))
    assert in_sample[idx, y].mean() > proba[idx, y].mean()


def test_same_random_state_same_output(data):
    X, y = data
    a = cross_val_predict_proba(LogisticRegression(), X, y, random_state=3)
    b = cross_val_predict_proba(LogisticRegression(), X, y, random_state=3)
    c = cross_val_predict_proba(LogisticRegression(), X, y, random_state=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_string_labels_and_class_order(data):
    X, y = data
    names = np.array(["cat", "dog", "eel"])[y]
    order = ["eel", "cat", "dog"]
    proba = cross_val_predict_proba(
        LogisticRegression(), X, names, classes=order, random_state=0
    )
    default = cross_val_predict_proba(LogisticRegression(), X, names, random_state=0)
    np.testing.assert_allclose(proba, default[:, [2, 0, 1]])


def test_class_missing_from_a_fold_gets_zero_column():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.array([0] * 20 + [1] * 18 + [2] * 2)
    # KFold without shuffling puts both class-2 rows in the last test fold, so the
    # model trained for that fold never sees class 2.
    with pytest.warns(SmallClassWarning, match=r"class 2 is absent .* 1 of 4 folds"):
        proba = cross_val_predict_proba(DummyClassifier(), X, y, cv=KFold(4))
    assert proba.shape == (40, 3)
    np.testing.assert_array_equal(proba[30:, 2], 0.0)
    assert (proba[:30, 2] > 0).all()


@pytest.mark.parametrize("dtype", [object, str])
def test_small_class_messages_show_string_labels(dtype):
    # Labels of an object array are plain Python objects, without numpy's .item().
    X = np.arange(24.0).reshape(-1, 1)
    y = np.array(["a", "b", "c"], dtype=dtype)[np.repeat([0, 1, 2], 8)]
    with pytest.warns(SmallClassWarning, match=r"class 'a' is absent .* 1 of 3"):
        cross_val_predict_proba(LogisticRegression(), X, y, cv=KFold(3))
    with pytest.raises(ValueError, match=r"class 'c' has 2"):
        cross_val_predict_proba(LogisticRegression(), X[:18], y[:18], cv=3)


def test_small_class_warning_points_at_the_users_line():
    from skrobust.noise import LabelIssueDetector

    X = np.arange(30.0).reshape(-1, 1)
    y = np.repeat([0, 1, 2], 10)
    calls = [
        lambda: cross_val_predict_proba(LogisticRegression(), X, y, cv=KFold(3)),
        lambda: LabelIssueDetector(LogisticRegression(), cv=KFold(3)).fit(X, y),
    ]
    for call in calls:
        with pytest.warns(SmallClassWarning) as record:
            call()
        assert {w.filename for w in record} == {__file__}


def test_no_small_class_warning_when_every_fold_sees_every_class(data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallClassWarning)
        cross_val_predict_proba(LogisticRegression(), X, y, cv=KFold(3))


def test_int_cv_rejects_class_smaller_than_folds():
    X = np.zeros((12, 1))
    y = np.array(["a"] * 5 + ["b"] * 4 + ["c"] * 3)
    with pytest.raises(
        ValueError, match="cv=5 needs at least 5 samples per class; class 'b' has 4"
    ):
        cross_val_predict_proba(DummyClassifier(), X, y, cv=5)


def test_rejects_non_partition_cv(data):
    X, y = data
    with pytest.raises(ValueError, match="cv must partition the rows"):
        cross_val_predict_proba(
            LogisticRegression(), X, y, cv=ShuffleSplit(3, random_state=0)
        )


def test_rejects_estimator_without_predict_proba(data):
    X, y = data

    class NoProba(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            return self

    with pytest.raises(TypeError, match="estimator must implement fit and predict"):
        cross_val_predict_proba(NoProba(), X, y)


def test_groups_reach_the_splitter(data):
    X, y = data
    groups = np.arange(len(y)) % 5
    proba = cross_val_predict_proba(
        DummyClassifier(strategy="prior"), X, y, cv=GroupKFold(5), groups=groups
    )
    # With a prior-only model each group's rows get that fold's training class
    # frequencies: identical within a group.
    for g in range(5):
        rows = proba[groups == g]
        np.testing.assert_allclose(rows, rows[:1].repeat(len(rows), axis=0))


def test_groups_given_twice_under_routing_is_an_error(data):
    X, y = data
    groups = np.arange(len(y)) % 5
    with sklearn.config_context(enable_metadata_routing=True):
        splitter = GroupKFold(5)
        model = DummyClassifier(strategy="prior")
        with pytest.raises(ValueError, match="groups was given twice"):
            cross_val_predict_proba(
                model, X, y, cv=splitter, groups=groups, params={"groups": groups % 2}
            )
        # Once, either way, is fine, and both ways split alike.
        by_argument = cross_val_predict_proba(model, X, y, cv=splitter, groups=groups)
        in_params = cross_val_predict_proba(
            model, X, y, cv=splitter, params={"groups": groups}
        )
        np.testing.assert_array_equal(by_argument, in_params)


class _WeightRecorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.classes_ = np.unique(y)
        self.n_weights_ = None if sample_weight is None else len(sample_weight)
        self.weight_sum_ = None if sample_weight is None else float(sample_weight.sum())
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), 1 / len(self.classes_))


def _fit_weight_sums(X, y, sample_weight, *, request=False, **kwargs):
    """Fit the recorder through the helper and collect what each fold saw
    (``request``: set its routing request for the weights first)."""
    seen = []

    class Spy(_WeightRecorder):
        def fit(self, X, y, sample_weight=None):
            super().fit(X, y, sample_weight)
            seen.append((self.n_weights_, self.weight_sum_))
            return self

    spy = Spy().set_fit_request(sample_weight=True) if request else Spy()
    cross_val_predict_proba(
        spy, X, y, cv=KFold(3), params={"sample_weight": sample_weight}, **kwargs
    )
    return seen


def test_params_are_sliced_per_fold(data):
    X, y = data
    w = np.arange(len(y), dtype=float)
    seen = _fit_weight_sums(X, y, w)
    expected = [(len(train), w[train].sum()) for train, _ in KFold(3).split(X)]
    assert seen == expected


def test_params_routed_when_routing_enabled(data):
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        # Each fold's fit gets the weights of its own training rows.
        seen = _fit_weight_sums(X, y, w, request=True)
        expected = [(len(train), w[train].sum()) for train, _ in KFold(3).split(X)]
        assert [n for n, _ in seen] == [n for n, _ in expected]
        assert [t for _, t in seen] == pytest.approx([t for _, t in expected])
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            cross_val_predict_proba(
                LogisticRegression(), X, y, params={"sample_weight": w}
            )


def test_n_jobs_gives_identical_result(data):
    X, y = data
    serial = cross_val_predict_proba(LogisticRegression(), X, y, random_state=0)
    parallel = cross_val_predict_proba(
        LogisticRegression(), X, y, random_state=0, n_jobs=2
    )
    np.testing.assert_allclose(serial, parallel)


def test_estimator_is_not_fitted_in_place(data):
    X, y = data
    est = LogisticRegression()
    cross_val_predict_proba(est, X, y, random_state=0)
    assert not hasattr(est, "coef_")
