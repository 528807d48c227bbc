"""The invariant checks must pass on good estimators and fail on broken ones."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skrobust.testing import (
    check_bad_input_raises,
    check_inputs_unchanged,
    check_label_permutation_equivariance,
    check_pickle_roundtrip,
    check_random_state_reproducible,
)

X, y = make_classification(n_samples=80, n_classes=3, n_informative=4, random_state=0)


class _Majority(ClassifierMixin, BaseEstimator):
    """A correct toy classifier the broken ones below derive from."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


class _MutatesX(_Majority):
    def fit(self, X, y):
        X[0, 0] = 123.0
        return super().fit(X, y)


class _Unstable(_Majority):
    def fit(self, X, y):
        super().fit(X, y)
        self.noise_ = np.random.default_rng().normal(size=3)
        return self


class _PicklesBadly(_Majority):
    def __getstate__(self):
        state = dict(super().__getstate__())
        state["majority_"] = None
        return state


class _OrderSensitive(_Majority):
    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _VagueErrors(_Majority):
    """Names X for a NaN but nothing for a short y: "arrays" and "only" hold a
    "y" that a substring match would take for the parameter."""

    def fit(self, X, y):
        X = np.asarray(X)
        if X.ndim == 2 and np.isnan(X).any():
            raise ValueError("X holds a NaN")
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError("only valid arrays, please")
        return super().fit(X, y)


class _Lenient(_Majority):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.majority_ = self.classes_[0]
        return self


class _OrdinalRegression(_Majority):
    """Regresses the class codes and rounds: it treats labels as ordered
    numbers, which reversing three classes only mirrors."""

    def fit(self, X, y):
        from sklearn.linear_model import LinearRegression

        self.classes_ = np.unique(y)
        codes = np.searchsorted(self.classes_, y)
        self.model_ = LinearRegression().fit(X, codes)
        return self

    def predict(self, X):
        codes = np.clip(np.rint(self.model_.predict(X)), 0, len(self.classes_) - 1)
        return self.classes_[codes.astype(int)]


class _Detector(BaseEstimator):
    """No predict method: only its fitted attributes show what it learnt."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.issue_indices_ = sorted(
            np.random.default_rng().choice(len(y), 5, replace=False).tolist()
        )
        return self


class _DetectorPicklesBadly(BaseEstimator):
    def fit(self, X, y):
        self.label_issue_mask_ = np.asarray(y) == np.asarray(y)[0]
        return self

    def __getstate__(self):
        state = dict(super().__getstate__())
        state["label_issue_mask_"] = ~state["label_issue_mask_"]
        return state


@pytest.mark.parametrize(
    "check",
    [
        check_inputs_unchanged,
        check_pickle_roundtrip,
        check_random_state_reproducible,
        check_label_permutation_equivariance,
        check_bad_input_raises,
    ],
)
@pytest.mark.parametrize(
    "estimator", [LogisticRegression(), DecisionTreeClassifier(random_state=0)]
)
def test_checks_pass_on_sklearn_estimators(check, estimator):
    check(estimator, X.copy(), y.copy())


@pytest.mark.parametrize(
    "check, estimator, match",
    [
        (check_inputs_unchanged, _MutatesX(), "X was modified"),
        (check_random_state_reproducible, _Unstable(), "noise_ differs"),
        (check_pickle_roundtrip, _PicklesBadly(), "pickle round trip"),
        (check_label_permutation_equivariance, _OrderSensitive(), "not equivariant"),
        (check_bad_input_raises, _Lenient(), "accepted a NaN in X"),
        (check_bad_input_raises, _VagueErrors(), "y one row short"),
        # Found in review: each of these passed before.
        (
            check_label_permutation_equivariance,
            _OrdinalRegression(),
            r"as \[2, 0, 1\]",
        ),
        (check_random_state_reproducible, _Detector(), "issue_indices_ differs"),
        (check_pickle_roundtrip, _DetectorPicklesBadly(), "label_issue_mask_"),
    ],
)
def test_checks_fail_on_broken_estimators(check, estimator, match):
    with pytest.raises(AssertionError, match=match):
        check(estimator, X.copy(), y.copy())


class _MutatesXInPredict(_Majority):
    def predict(self, X):
        X[0, 0] = 1.0
        return super().predict(X)


class _Scaled(_Majority):
    """A correct estimator with a private attribute and a decision function."""

    def fit(self, X, y):
        super().fit(X, y)
        self._scale = 2.0
        return self

    def decision_function(self, X):
        return self._scale * np.asarray(X)[:, 0]


class _ScalePicklesBadly(_Scaled):
    def __setstate__(self, state):
        super().__setstate__(state)
        self._scale = -self._scale


class _NoisyDecision(_Scaled):
    def decision_function(self, X):
        return super().decision_function(X) + np.random.default_rng().normal()


class _FixedProba(_Majority):
    """Predicts the majority but gives every row the same probabilities, in
    class order, so they do not follow a relabelling."""

    def predict_proba(self, X):
        return np.tile([0.5, 0.3, 0.2], (len(X), 1))


class _RejectsNaN(_Majority):
    def fit(self, X, y):
        if np.isnan(np.asarray(X, dtype=float)).any():
            raise ValueError("X holds a NaN")
        return super().fit(X, y)


class _FlattensX(_RejectsNaN):
    """Rejects a NaN and a short y, but flattens a 3-D X silently."""

    def fit(self, X, y):
        X = np.asarray(X)
        if len(X) != len(y):
            raise ValueError(f"y has {len(y)} samples, X has {len(X)}")
        return super().fit(X.reshape(len(X), -1), y)


class _IndexesByX(_RejectsNaN):
    """Rejects a NaN, but reads y by the rows of X (IndexError when short)."""

    def fit(self, X, y):
        y = np.asarray(y)
        _ = [y[i] for i in range(len(X))]
        return super().fit(X, y)


# Labels with one clear majority, so that a broken predict_proba, not predict,
# is what an equivariance check meets first.
_y_majority = np.where(np.arange(len(y)) < 40, 0, y)


@pytest.mark.parametrize(
    "check, estimator, labels, match",
    [
        (check_inputs_unchanged, _MutatesXInPredict(), y, "X was modified"),
        (check_pickle_roundtrip, _ScalePicklesBadly(), y, "decision_function"),
        (check_random_state_reproducible, _NoisyDecision(), y, "decision_function"),
        (
            check_label_permutation_equivariance,
            _FixedProba(),
            _y_majority,
            "predict_proba is not equivariant",
        ),
        (check_bad_input_raises, _FlattensX(), y, "3-D X"),
        (check_bad_input_raises, _IndexesByX(), y, "IndexError"),
    ],
)
def test_each_branch_of_the_checks_fails_on_its_own_bug(
    check, estimator, labels, match
):
    # Each broken estimator passes every branch of its check but one.
    with pytest.raises(AssertionError, match=match):
        check(estimator, X.copy(), labels.copy())


def test_inputs_unchanged_covers_fit_params():
    class MutatesWeights(_Majority):
        def fit(self, X, y, sample_weight=None):
            sample_weight *= 2
            return super().fit(X, y)

    with pytest.raises(AssertionError, match="sample_weight was modified"):
        check_inputs_unchanged(MutatesWeights(), X, y, sample_weight=np.ones(len(y)))


class _HoldsNaNAndRaggedArrays(_Majority):
    def fit(self, X, y):
        super().fit(X, y)
        self.tol_ = np.float32("nan")
        self.categories_ = np.array(
            [np.array([1.0, 2.0]), np.array([3.0])], dtype=object
        )
        return self


@pytest.mark.parametrize(
    "check", [check_pickle_roundtrip, check_random_state_reproducible]
)
def test_checks_accept_float32_nan_and_ragged_object_arrays(check):
    """Found in review: a float32 NaN compared unequal to itself, and an object
    array of arrays raised numpy's "truth value is ambiguous"."""
    check(_HoldsNaNAndRaggedArrays(), X.copy(), y.copy())


# --- found by a review helper -----------------------------------------------


class _MutatesDictParam(ClassifierMixin, BaseEstimator):
    def __init__(self, mode="add"):
        self.mode = mode

    def fit(self, X, y, config=None):
        if self.mode == "add":
            config["added"] = 1
        else:
            config.pop("a")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


class _ObjectBagsNaNScores(ClassifierMixin, BaseEstimator):
    """Deterministic and correct: takes an object array of index arrays, and its
    decision function is NaN on half the rows."""

    def fit(self, X, y, bags=None):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)

    def decision_function(self, X):
        return np.where(X[:, 0] > 0, np.nan, X[:, 0])


@pytest.mark.parametrize("mode", ["add", "remove"])
def test_inputs_unchanged_catches_a_dict_whose_keys_change(mode):
    X, y = make_classification(60, random_state=0)
    with pytest.raises(AssertionError, match="keys changed"):
        check_inputs_unchanged(_MutatesDictParam(mode), X, y, config={"a": np.ones(3)})


def test_checks_pass_object_arrays_and_nan_outputs():
    X, y = make_classification(60, random_state=0)
    bags = np.empty(2, dtype=object)
    bags[0], bags[1] = np.arange(25), np.arange(25, 60)
    check_inputs_unchanged(_ObjectBagsNaNScores(), X, y, bags=bags)
    check_random_state_reproducible(_ObjectBagsNaNScores(), X, y)
    check_pickle_roundtrip(_ObjectBagsNaNScores(), X, y)


def test_random_state_check_seeds_a_pipeline_steps():
    """A pipeline has no random_state of its own; its steps' are set (found in
    review: a correct pipeline around a forest failed the check)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(60, random_state=0)
    pipe = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=3))
    check_random_state_reproducible(pipe, X, y)
