"""``sample_weight`` is checked against all the rows before any cross-fitting.

Handed on unchecked, a weight vector of the wrong length failed inside a fold,
quoting the fold's size, and negative weights were taken.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skrobust.datasets import make_pu_labels
from skrobust.noise import (
    ConfidentLearningClassifier,
    ImportanceReweightingClassifier,
    IterativeRelabelingClassifier,
    LabelIssueDetector,
    TransitionCorrectedClassifier,
)
from skrobust.pu import (
    BaggingPUClassifier,
    ElkanNotoClassifier,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)

ESTIMATORS = [
    LabelIssueDetector,
    ConfidentLearningClassifier,
    ImportanceReweightingClassifier,
    IterativeRelabelingClassifier,
    TransitionCorrectedClassifier,
    ElkanNotoClassifier,
    WeightedElkanNotoClassifier,
    UnbiasedPUClassifier,
    BaggingPUClassifier,
]


def _data(cls):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    if cls.__module__.startswith("skrobust.pu"):
        y = make_pu_labels(y, 0.5, random_state=0)
    return X, y


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(3), r"sample_weight must have one value per row \(200\); got shape"),
        (-np.ones(200), "sample_weight must be non-negative"),
        (np.r_[np.nan, np.ones(199)], "sample_weight must be finite; it has 1 NaN"),
    ],
    ids=["wrong-length", "negative", "nan"],
)
def test_bad_sample_weight_is_named_before_any_fit(cls, weights, message):
    X, y = _data(cls)
    with pytest.raises(ValueError, match=message):
        cls(LogisticRegression(), random_state=0).fit(X, y, sample_weight=weights)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_sample_weight_as_a_list_works_like_an_array(cls):
    X, y = _data(cls)
    weights = np.random.default_rng(0).uniform(0.5, 2.0, y.shape[0])
    a = cls(LogisticRegression(), random_state=0).fit(X, y, sample_weight=weights)
    b = cls(LogisticRegression(), random_state=0).fit(
        X, y, sample_weight=weights.tolist()
    )
    if hasattr(a, "predict_proba"):
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    else:
        np.testing.assert_allclose(a.label_quality_scores_, b.label_quality_scores_)
