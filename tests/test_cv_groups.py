"""``groups`` reaches the cross-fitting splitter of every cross-fitting estimator.

As in scikit-learn's searches: without metadata routing ``fit(..., groups=g)``
hands ``g`` to ``cv.split`` (never to the base); with routing it goes where the
splitter requests it. A grouped splitter must then give exactly the results of
the same folds passed as a list.
"""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

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
    ClassPriorEstimator,
    ElkanNotoClassifier,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CASES = [
    ("LabelIssueDetector", "noise", LabelIssueDetector),
    ("ConfidentLearning", "noise", ConfidentLearningClassifier),
    ("ImportanceReweighting", "noise", ImportanceReweightingClassifier),
    ("IterativeRelabeling", "noise", IterativeRelabelingClassifier),
    ("TransitionCorrected", "noise", TransitionCorrectedClassifier),
    ("ElkanNoto", "pu", ElkanNotoClassifier),
    ("WeightedElkanNoto", "pu", WeightedElkanNotoClassifier),
    ("UnbiasedPU", "pu", UnbiasedPUClassifier),
    ("BaggingPU", "pu", BaggingPUClassifier),
    ("ClassPriorEstimator", "pu", ClassPriorEstimator),
]
PARAMS = pytest.mark.parametrize(
    ("kind", "cls"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)


def _data(kind):
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    # Rows of a group share a shift: leaking a group across folds would show.
    groups = np.repeat(np.arange(30), 10)
    X = X + np.random.default_rng(0).normal(size=(30, 6))[groups]
    if kind == "noise":
        flip = np.random.default_rng(1).random(y.shape[0]) < 0.2
        return X, np.where(flip, 1 - y, y), groups
    return X, make_pu_labels(y, 0.5, random_state=0), groups


def _make(cls, cv):
    if cls is ClassPriorEstimator:
        return cls(estimator=LogisticRegression(), cv=cv, random_state=0)
    return cls(LogisticRegression(), cv=cv, random_state=0)


def _output(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    if hasattr(model, "label_quality_scores_"):
        return model.label_quality_scores_
    return model.pred_proba_


@pytest.mark.parametrize("routing", [False, True], ids=["routing-off", "routing-on"])
@PARAMS
def test_groups_reach_the_splitter(kind, cls, routing):
    X, y, groups = _data(kind)
    folds = list(GroupKFold(5).split(X, y, groups))
    expected = _output(_make(cls, folds).fit(X, y), X)
    with sklearn.config_context(enable_metadata_routing=routing):
        grouped = _make(cls, GroupKFold(5)).fit(X, y, groups=groups)
    np.testing.assert_allclose(_output(grouped, X), expected, rtol=1e-7, atol=1e-9)


@PARAMS
def test_grouped_splitter_without_groups_fails_clearly(kind, cls):
    X, y, _ = _data(kind)
    with pytest.raises(ValueError, match="groups"):
        _make(cls, GroupKFold(5)).fit(X, y)


def test_unrequested_groups_with_routing_on_are_refused():
    """An int cv builds a StratifiedKFold, which takes no groups."""
    X, y, groups = _data("noise")
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(TypeError, match="groups"):
            LabelIssueDetector(LogisticRegression(), cv=5).fit(X, y, groups=groups)


def test_groups_change_the_out_of_sample_probabilities():
    """Grouped folds differ from shuffled ones here, so the groups are used."""
    X, y, groups = _data("noise")
    grouped = LabelIssueDetector(LogisticRegression(), cv=GroupKFold(5))
    plain = LabelIssueDetector(LogisticRegression(), cv=5, random_state=0)
    grouped.fit(X, y, groups=groups)
    plain.fit(X, y)
    assert not np.allclose(grouped.pred_proba_, plain.pred_proba_)


def test_groups_still_reach_a_base_whose_fit_takes_them():
    """A search over group folds as the base keeps getting ``groups`` (found in
    review: the splitter took them away from it)."""
    from sklearn.model_selection import GridSearchCV

    X, y, groups = _data("noise")
    base = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=GroupKFold(3))
    detector = ConfidentLearningClassifier(
        base, cv=GroupKFold(3), reweight_classes=False
    )
    assert detector.fit(X, y, groups=groups).estimator_.best_params_["C"] in (0.1, 1)
    X, s, groups = _data("pu")
    pu = ElkanNotoClassifier(base, class_prior=0.6).fit(X, s, groups=groups)
    assert pu.estimator_.best_params_["C"] in (0.1, 1.0)


@PARAMS
def test_groups_stay_out_of_a_pipeline_base_without_routing(kind, cls):
    """A Pipeline's fit takes only step__name keys without routing; its
    ``**params`` must not count as taking ``groups`` (found in review)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, groups = _data(kind)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    if cls is ClassPriorEstimator:
        model = cls(estimator=pipe, cv=GroupKFold(5), random_state=0)
    else:
        model = cls(pipe, cv=GroupKFold(5), random_state=0)
    folds = list(GroupKFold(5).split(X, y, groups))
    expected = _output(clone(model).set_params(cv=folds).fit(X, y), X)
    np.testing.assert_allclose(
        _output(model.fit(X, y, groups=groups), X), expected, rtol=1e-7, atol=1e-9
    )
