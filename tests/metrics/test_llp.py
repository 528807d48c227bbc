"""Tests for the bag-proportion error and the bag-level scorer."""

import copy
import pickle

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp._split import BagKFold
from skrobust.metrics._llp import (
    bag_proportion_error,
    bag_proportion_scorer,
    make_bag_proportion_scorer,
)

# Two bags: bag 0 (rows 0, 1) is half positive, bag 1 (rows 2, 3) all positive.
PROPORTIONS = np.array([0.5, 0.5, 1.0, 1.0])
PROBA = np.array([0.2, 0.6, 0.9, 0.7])
BAGS = np.array([0, 0, 1, 1])
# Bag means 0.4 and 0.8: errors 0.1 and 0.2, mean 0.15.
EXPECTED = 0.15


def test_binary_hand_computed():
    assert bag_proportion_error(PROPORTIONS, PROBA, BAGS) == pytest.approx(EXPECTED)


def test_binary_forms_agree():
    two_column_proba = np.column_stack([1 - PROBA, PROBA])
    two_column_props = np.column_stack([1 - PROPORTIONS, PROPORTIONS])
    for props in (PROPORTIONS, two_column_props):
        for proba in (PROBA, two_column_proba):
            assert bag_proportion_error(props, proba, BAGS) == pytest.approx(EXPECTED)


def test_multiclass_hand_computed():
    # Bag "x" (3 rows) has proportions (1/3, 1/3, 1/3); bag "y" (1 row) (0, 0, 1).
    props = np.array([[1 / 3, 1 / 3, 1 / 3]] * 3 + [[0.0, 0.0, 1.0]])
    proba = np.array(
        [
            [0.6, 0.3, 0.1],
            [0.3, 0.3, 0.4],
            [0.0, 0.6, 0.4],
            [0.5, 0.25, 0.25],
        ]
    )
    bags = ["x", "x", "x", "y"]
    # Bag x's mean is (0.3, 0.4, 0.3): TV = (1/30 + 1/15 + 1/30) / 2 = 1/15.
    # Bag y: TV = (0.5 + 0.25 + 0.75) / 2 = 0.75. Bags count once each.
    expected = (1 / 15 + 0.75) / 2
    assert bag_proportion_error(props, proba, bags) == pytest.approx(expected)


def test_bags_count_equally_whatever_their_size():
    # A bag of 9 rows predicted exactly and a bag of 1 row wrong by 1: the mean
    # over bags is 0.5 (a mean over rows would give 0.1).
    props = np.r_[np.full(9, 0.0), 1.0]
    proba = np.r_[np.zeros(9), 0.0]
    bags = np.r_[np.zeros(9, dtype=int), 1]
    assert bag_proportion_error(props, proba, bags) == pytest.approx(0.5)


def test_range_is_zero_to_one():
    assert bag_proportion_error(PROPORTIONS, [0.0, 1.0, 1.0, 1.0], BAGS) == 0.0
    assert bag_proportion_error([0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0, 0, 1]) == 1.0
    props = np.eye(3)
    assert bag_proportion_error(props, np.roll(props, 1, axis=1), [0, 1, 2]) == 1.0


def test_sample_weight_weights_rows_in_the_bag_mean():
    weights = np.array([3.0, 1.0, 1.0, 0.0])
    # Bag 0: (3 * 0.2 + 0.6) / 4 = 0.3, error 0.2; bag 1: 0.9, error 0.1.
    got = bag_proportion_error(PROPORTIONS, PROBA, BAGS, sample_weight=weights)
    assert got == pytest.approx(0.15)
    weights = np.array([3.0, 1.0, 0.0, 1.0])
    # Bag 1 now means 0.7, error 0.3.
    got = bag_proportion_error(PROPORTIONS, PROBA, BAGS, sample_weight=weights)
    assert got == pytest.approx(0.25)


def test_weights_constant_within_bags_change_nothing():
    rng = np.random.default_rng(0)
    bags = make_bags(60, 6, random_state=0)
    props = bag_proportions(rng.integers(0, 2, 60), bags)
    proba = rng.uniform(size=60)
    per_bag = rng.uniform(0.5, 4.0, size=10)[bags]
    assert bag_proportion_error(
        props, proba, bags, sample_weight=per_bag
    ) == pytest.approx(bag_proportion_error(props, proba, bags))


def test_zero_weight_bags_are_left_out():
    weights = np.array([1.0, 1.0, 0.0, 0.0])
    got = bag_proportion_error(PROPORTIONS, PROBA, BAGS, sample_weight=weights)
    assert got == pytest.approx(0.1)


def test_invariant_to_row_order_bag_names_and_bag_form():
    rng = np.random.default_rng(1)
    bags = make_bags(50, 7, random_state=1)
    props = bag_proportions(rng.integers(0, 3, 50), bags, classes=[0, 1, 2])
    proba = rng.dirichlet(np.ones(3), size=50)
    expected = bag_proportion_error(props, proba, bags)
    order = rng.permutation(50)
    assert bag_proportion_error(
        props[order], proba[order], bags[order]
    ) == pytest.approx(expected)
    names = np.array([f"bag-{b:02d}" for b in range(8)])[bags]
    assert bag_proportion_error(props, proba, names) == pytest.approx(expected)
    index_form = [np.flatnonzero(bags == b) for b in range(8)]
    assert bag_proportion_error(props, proba, index_form) == pytest.approx(expected)


def test_true_proportions_beat_a_constant_on_small_bags():
    # A model whose bag means equal the proportions scores 0; predicting the
    # overall positive rate everywhere does not.
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 400)
    bags = make_bags(400, 8, random_state=2)
    props = bag_proportions(y, bags)
    assert bag_proportion_error(props, y.astype(float), bags) == pytest.approx(0.0)
    constant = np.full(400, y.mean())
    assert bag_proportion_error(props, constant, bags) > 0.1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pred_proba": [0.2, 0.6, 1.5, 0.7]}, ValueError, "pred_proba.*\\[0, 1\\]"),
        ({"pred_proba": [0.2, 0.6, np.nan, 0.7]}, ValueError, "pred_proba.*finite"),
        ({"pred_proba": [[0.2, 0.9]] * 4}, ValueError, "pred_proba.*sum to 1"),
        ({"pred_proba": [0.2, 0.6, 0.9]}, ValueError, "same number of rows"),
        ({"pred_proba": np.full((4, 3), 1 / 3)}, ValueError, "y_proportions"),
        ({"y_proportions": [0.5, 0.4, 1.0, 1.0]}, ValueError, "y_proportions.*bag"),
        ({"y_proportions": [0.5, 0.5, 1.0, 1.2]}, ValueError, "y_proportions.*0, 1"),
        ({"bags": [0, 0, 1]}, ValueError, "bags must hold one bag id per row"),
        ({"sample_weight": [1.0, -1.0, 1.0, 1.0]}, ValueError, "non-negative"),
        ({"sample_weight": [0.0, 0.0, 0.0, 0.0]}, ValueError, "positive total"),
        ({"sample_weight": [1.0, 1.0]}, ValueError, "sample_weight"),
        ({"pred_proba": ["a", "b", "c", "d"]}, TypeError, "pred_proba"),
    ],
)
def test_invalid_input_raises(kwargs, error, match):
    args = {
        "y_proportions": PROPORTIONS,
        "pred_proba": PROBA,
        "bags": BAGS,
        **kwargs,
    }
    with pytest.raises(error, match=match):
        bag_proportion_error(**args)


@pytest.mark.parametrize("name", ["y_proportions", "pred_proba", "bags"])
def test_parameter_types_are_validated(name):
    args = {"y_proportions": PROPORTIONS, "pred_proba": PROBA, "bags": BAGS}
    with pytest.raises(InvalidParameterError, match=name):
        bag_proportion_error(**{**args, name: object()})


# The scorer.


class _ColumnProba(ClassifierMixin, BaseEstimator):
    """Predicts P(positive) = the first feature, shrunk towards 0.5 by ``shrink``.

    A stand-in LLP estimator with a known bag-proportion error: with the true
    label in the first column, a smaller ``shrink`` is always better.
    """

    __metadata_request__fit = {"bags": True}

    def __init__(self, shrink=0.0):
        self.shrink = shrink

    def fit(self, X, y, bags=None, sample_weight=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = (1 - self.shrink) * np.asarray(X)[:, 0] + self.shrink * 0.5
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


@pytest.fixture(scope="module")
def llp_data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 240)
    X = np.column_stack([y, rng.normal(size=240)]).astype(float)
    bags = make_bags(240, 8, random_state=0)
    return X, bags, bag_proportions(y, bags)


def test_scorer_is_the_negated_error(llp_data):
    X, bags, props = llp_data
    model = _ColumnProba(shrink=0.4).fit(X, props, bags=bags)
    expected = -bag_proportion_error(props, model.predict_proba(X), bags)
    assert bag_proportion_scorer(model, X, props, bags=bags) == pytest.approx(expected)
    assert expected < -0.01


def test_scorer_takes_sample_weight(llp_data):
    X, bags, props = llp_data
    model = _ColumnProba(shrink=0.4)
    weights = np.random.default_rng(3).uniform(0, 2, size=len(bags))
    got = bag_proportion_scorer(model, X, props, bags=bags, sample_weight=weights)
    expected = -bag_proportion_error(
        props, model.predict_proba(X), bags, sample_weight=weights
    )
    assert got == pytest.approx(expected)
    assert got != pytest.approx(bag_proportion_scorer(model, X, props, bags=bags))


def test_scorer_without_bags_raises_with_the_recipe(llp_data):
    X, _, props = llp_data
    with pytest.raises(ValueError, match="needs bags.*enable_metadata_routing"):
        bag_proportion_scorer(_ColumnProba(), X, props)


def test_scorer_needs_predict_proba(llp_data):
    X, bags, props = llp_data

    class NoProba(ClassifierMixin, BaseEstimator):
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    with pytest.raises(TypeError, match="predict_proba"):
        bag_proportion_scorer(NoProba(), X, props, bags=bags)


def test_scorer_rejects_mismatched_columns(llp_data):
    X, bags, props = llp_data
    model = LogisticRegression().fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="y describes 2 classes but 3"):
        bag_proportion_scorer(model, X, props, bags=bags)


def test_scorer_requests_bags_but_not_sample_weight():
    for scorer in (bag_proportion_scorer, make_bag_proportion_scorer()):
        requests = scorer.get_metadata_routing().score.requests
        assert requests == {"bags": True, "sample_weight": None}


def test_set_score_request_needs_routing():
    with pytest.raises(RuntimeError, match="enable_metadata_routing=True"):
        make_bag_proportion_scorer().set_score_request(sample_weight=True)


def test_shared_scorer_cannot_be_modified():
    with sklearn.config_context(enable_metadata_routing=True):
        with pytest.raises(RuntimeError, match="make_bag_proportion_scorer"):
            bag_proportion_scorer.set_score_request(sample_weight=True)
    requests = bag_proportion_scorer.get_metadata_routing().score.requests
    assert requests == {"bags": True, "sample_weight": None}


def test_own_scorer_requests_can_be_set():
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_bag_proportion_scorer()
        assert scorer.set_score_request(bags="groups", sample_weight=True) is scorer
        requests = scorer.get_metadata_routing().score.requests
        assert requests == {"bags": "groups", "sample_weight": True}
        with pytest.raises(ValueError, match="alias"):
            scorer.set_score_request(bags=True, sample_weight="not an identifier")
        # A bad value leaves every request as it was.
        requests = scorer.get_metadata_routing().score.requests
        assert requests == {"bags": "groups", "sample_weight": True}
    # Each call makes a new scorer; the shared one is untouched.
    assert make_bag_proportion_scorer().get_metadata_routing().score.requests == {
        "bags": True,
        "sample_weight": None,
    }


def test_repr_pickle_and_copy(llp_data):
    X, bags, props = llp_data
    assert repr(bag_proportion_scorer) == "bag_proportion_scorer"
    assert repr(make_bag_proportion_scorer()) == "make_bag_proportion_scorer()"
    model = _ColumnProba(shrink=0.2)
    expected = bag_proportion_scorer(model, X, props, bags=bags)
    for other in (
        pickle.loads(pickle.dumps(bag_proportion_scorer)),
        copy.deepcopy(bag_proportion_scorer),
    ):
        assert repr(other) == "bag_proportion_scorer"
        assert other(model, X, props, bags=bags) == expected


def test_cross_validate_routes_bags_to_the_scorer(llp_data):
    X, bags, props = llp_data
    model = _ColumnProba(shrink=0.3)
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            model,
            X,
            props,
            cv=BagKFold(4),
            scoring=bag_proportion_scorer,
            params={"bags": bags},
        )
    expected = [
        -bag_proportion_error(props[test], model.predict_proba(X[test]), bags[test])
        for _, test in BagKFold(4).split(X, bags=bags)
    ]
    assert_allclose(result["test_score"], expected)


def test_sample_weight_reaches_a_scorer_that_requests_it(llp_data):
    X, bags, props = llp_data
    weights = np.random.default_rng(4).uniform(0, 2, size=len(bags))
    model = _ColumnProba(shrink=0.3)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_bag_proportion_scorer().set_score_request(sample_weight=True)
        estimator = _ColumnProba(shrink=0.3).set_fit_request(sample_weight=False)
        result = cross_validate(
            estimator,
            X,
            props,
            cv=BagKFold(4),
            scoring=scorer,
            params={"bags": bags, "sample_weight": weights},
        )
        # The shared scorer does not request sample_weight, so passing it is an
        # error rather than silently unweighted scores.
        with pytest.raises(Exception, match="sample_weight"):
            cross_validate(
                estimator,
                X,
                props,
                cv=BagKFold(4),
                scoring=bag_proportion_scorer,
                params={"bags": bags, "sample_weight": weights},
                error_score="raise",
            )
    expected = [
        -bag_proportion_error(
            props[test],
            model.predict_proba(X[test]),
            bags[test],
            sample_weight=weights[test],
        )
        for _, test in BagKFold(4).split(X, bags=bags)
    ]
    assert_allclose(result["test_score"], expected)


def test_grid_search_picks_the_lowest_bag_error(llp_data):
    # Greater is better: the search must pick shrink=0, the exact predictor.
    X, bags, props = llp_data
    grid = {"shrink": [0.8, 0.0, 0.4]}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            _ColumnProba(), grid, cv=BagKFold(3), scoring=bag_proportion_scorer
        ).fit(X, props, bags=bags)
    assert search.best_params_ == {"shrink": 0.0}
    assert search.best_score_ == pytest.approx(0.0)
    means = search.cv_results_["mean_test_score"]
    assert means[0] < means[2] < means[1]


def test_multimetric_scoring_with_routing(llp_data):
    X, bags, props = llp_data
    scoring = {"bag": bag_proportion_scorer, "own": make_bag_proportion_scorer()}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            _ColumnProba(),
            {"shrink": [0.5, 0.1]},
            cv=BagKFold(3),
            scoring=scoring,
            refit="bag",
        ).fit(X, props, bags=bags)
    assert search.best_params_ == {"shrink": 0.1}
    assert_allclose(
        search.cv_results_["mean_test_bag"], search.cv_results_["mean_test_own"]
    )


def test_without_routing_the_scorer_gets_no_bags(llp_data):
    # Precomputed folds get past the splitter; the scorer must then refuse to
    # score rather than return a number computed without bags.
    X, bags, props = llp_data
    folds = list(BagKFold(3).split(X, bags=bags))
    search = GridSearchCV(
        _ColumnProba(),
        {"shrink": [0.0]},
        cv=folds,
        scoring=bag_proportion_scorer,
        error_score="raise",
    )
    with pytest.raises(ValueError, match="needs bags"):
        search.fit(X, props, bags=bags)
