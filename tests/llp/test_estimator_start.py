"""Tests of ProportionEMClassifier(init=<estimator>): starting from another
LLP learner's ranking."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp import (
    ProportionEMClassifier,
    assign_bag_labels,
    compute_bag_counts,
)


@pytest.fixture(scope="module")
def cancer_bags():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    bags = make_bags(len(y), 32, random_state=0)
    return X, y, bags, bag_proportions(y, bags)


class _RecordingLLP(ClassifierMixin, BaseEstimator):
    """An LLP learner that scores rows by the first feature and records its fit."""

    def fit(self, X, y, bags=None, sample_weight=None):
        self.fit_args_ = {"y": np.array(y), "bags": bags, "weights": sample_weight}
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        positive = 1.0 / (1.0 + np.exp(-np.asarray(X)[:, 0]))
        return np.column_stack([1.0 - positive, positive])


def test_the_start_is_the_init_ranking_under_the_bag_counts(cancer_bags):
    X, y, bags, proportions = cancer_bags
    init = ProportionEMClassifier(init="mixture", max_iter=0, random_state=0)
    model = ProportionEMClassifier(
        HistGradientBoostingClassifier(random_state=0), init=init, max_iter=0
    )
    model.fit(X, proportions, bags=bags)
    assert not hasattr(init, "classes_")  # cloned, never fitted in place
    by_hand = init.fit(X, proportions, bags=bags).predict_proba(X)
    counts = compute_bag_counts(np.column_stack([1 - proportions, proportions]), bags)
    expected = assign_bag_labels(np.log(by_hand), bags, counts)
    assert_array_equal(model.pseudo_labels_, expected)
    assert_array_equal(model.init_estimator_.predict_proba(X), by_hand)
    refit = HistGradientBoostingClassifier(random_state=0).fit(X, expected)
    assert_array_equal(model.predict(X), refit.predict(X))


def test_the_init_gets_the_classes_bags_and_weights(cancer_bags):
    X, y, bags, proportions = cancer_bags
    weights = np.linspace(0.5, 1.5, len(y))
    named = ProportionEMClassifier(
        init=ProportionEMClassifier(init="clusters", max_iter=0),
        max_iter=0,
        classes=["benign", "malignant"],
        random_state=0,
    ).fit(X, proportions, bags=bags, sample_weight=weights)
    assert_array_equal(named.init_estimator_.classes_, ["benign", "malignant"])
    recorder = ProportionEMClassifier(init=_RecordingLLP(), max_iter=0)
    recorder.fit(X, proportions, bags=bags, sample_weight=weights)
    seen = recorder.init_estimator_.fit_args_
    assert_array_equal(seen["weights"], weights)
    assert_array_equal(seen["y"][:, 1], proportions)
    # The bags arrive as codes 0..m-1, one per row.
    assert_array_equal(np.unique(seen["bags"]), np.arange(bags.max() + 1))


def test_other_classes_from_the_init_are_refused(cancer_bags):
    X, y, bags, proportions = cancer_bags
    model = ProportionEMClassifier(
        init=_RecordingLLP(), max_iter=0, classes=["benign", "malignant"]
    )
    with pytest.raises(ValueError, match="init=_RecordingLLP learnt the classes"):
        model.fit(X, proportions, bags=bags)


def test_a_later_fit_with_a_named_start_drops_the_init_estimator(cancer_bags):
    X, y, bags, proportions = cancer_bags
    model = ProportionEMClassifier(init=_RecordingLLP(), max_iter=0)
    model.fit(X, proportions, bags=bags)
    assert hasattr(model, "init_estimator_")
    model.set_params(init="clusters", random_state=0).fit(X, proportions, bags=bags)
    assert not hasattr(model, "init_estimator_")


def test_an_init_without_predict_proba_is_named(cancer_bags):
    X, y, bags, proportions = cancer_bags
    with pytest.raises(ValueError, match="'init' parameter"):
        ProportionEMClassifier(init=StandardScaler()).fit(X, proportions, bags=bags)


def test_nan_tag_follows_the_init_estimator():
    base = HistGradientBoostingClassifier()
    tolerant = ProportionEMClassifier(
        base, init=ProportionEMClassifier(base, init="random")
    )
    strict = ProportionEMClassifier(
        base, init=ProportionEMClassifier(base, init="clusters")
    )
    assert get_tags(tolerant).input_tags.allow_nan
    assert not get_tags(strict).input_tags.allow_nan


class _WrongShapeLLP(_RecordingLLP):
    """Gives a probability column too few, or NaN."""

    def __init__(self, nan=False):
        self.nan = nan

    def predict_proba(self, X):
        proba = super().predict_proba(X)
        if self.nan:
            proba[0, 0] = np.nan
            return proba
        return proba[:, :1]


@pytest.mark.parametrize(
    ("init", "match"),
    [
        (_WrongShapeLLP(), r"shape \(569, 2\); got shape \(569, 1\)"),
        (_WrongShapeLLP(nan=True), "with NaN or inf"),
    ],
)
def test_bad_probabilities_from_the_init_are_named(cancer_bags, init, match):
    X, y, bags, proportions = cancer_bags
    model = ProportionEMClassifier(init=init, max_iter=0)
    with pytest.raises(ValueError, match=f"init=_WrongShapeLLP.predict_proba.*{match}"):
        model.fit(X, proportions, bags=bags)


def test_an_init_that_takes_no_bags_is_named(cancer_bags):
    X, y, bags, proportions = cancer_bags
    from sklearn.linear_model import LogisticRegression

    model = ProportionEMClassifier(init=LogisticRegression(), max_iter=0)
    with pytest.raises(ValueError, match="init=LogisticRegression is not a learner"):
        model.fit(X, proportions, bags=bags)


def test_errors_of_the_init_fit_name_the_init():
    from skrobust.llp import BeliefPropagationLLPClassifier

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    X = rng.normal(size=(90, 2)) + np.eye(3)[y][:, :2]
    bags = make_bags(90, 10, random_state=0)
    model = ProportionEMClassifier(init=BeliefPropagationLLPClassifier(), max_iter=0)
    with pytest.raises(ValueError, match="init=BeliefPropagationLLPClassifier could"):
        model.fit(X, bag_proportions(y, bags), bags=bags)


def test_routing_sends_the_init_what_it_requests(cancer_bags):
    import sklearn
    from sklearn.linear_model import LogisticRegression

    X, y, bags, proportions = cancer_bags
    weights = np.linspace(0.5, 1.5, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        for base_wants, init_wants in [(True, False), (False, True)]:
            model = ProportionEMClassifier(
                LogisticRegression().set_fit_request(sample_weight=base_wants),
                init=_RecordingLLP().set_fit_request(sample_weight=init_wants),
                max_iter=0,
            )
            model.fit(X, proportions, bags=bags, sample_weight=weights)
            seen = model.init_estimator_.fit_args_["weights"]
            if init_wants:
                assert_array_equal(seen, weights)
            else:
                assert seen is None


def test_unrequested_weights_of_the_default_base_get_the_clear_error(cancer_bags):
    import sklearn
    from sklearn.exceptions import UnsetMetadataPassedError

    X, y, bags, proportions = cancer_bags
    model = ProportionEMClassifier(
        init=ProportionEMClassifier(init="clusters", max_iter=0), max_iter=0
    )
    # The routing for init used to raise scikit-learn's advice to call
    # set_fit_request on a LogisticRegression the user never holds.
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError, match="default base estimator"):
            model.fit(X, proportions, bags=bags, sample_weight=np.ones(len(y)))
