"""Tests for the PU metrics and scorer."""

import pickle

import numpy as np
import pytest
import sklearn
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score
from sklearn.model_selection import (
    GridSearchCV,
    ParameterGrid,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import make_pu_labels
from skrobust.metrics import (
    lee_liu_score,
    make_pu_scorer,
    pu_accuracy_score,
    pu_f1_score,
    pu_precision_score,
    pu_recall_score,
)
from skrobust.testing.strategies import pu_problems
from skrobust.utils._sklearn_compat import InvalidParameterError

PRIOR_METRICS = {
    "precision": pu_precision_score,
    "f1": pu_f1_score,
    "accuracy": pu_accuracy_score,
}
METRICS = {"lee_liu": lee_liu_score, "recall": pu_recall_score, **PRIOR_METRICS}

# 10 rows, 3 labelled positives of which 2 are predicted positive (r = 2/3); 4 rows
# predicted positive (q = 0.4).
S = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
Y_PRED = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0])


def _score(metric, s, y_pred, class_prior=None, **kwargs):
    if metric in PRIOR_METRICS:
        kwargs["class_prior"] = class_prior
    return METRICS[metric](s, y_pred, **kwargs)


class _PriorLogistic(ClassifierMixin, BaseEstimator):
    """Logistic regression on s that reports a fixed class_prior_, as PU
    estimators do; ``positive_weight`` changes how many rows it predicts
    positive."""

    def __init__(self, class_prior=0.5, positive_weight=1.0):
        self.class_prior = class_prior
        self.positive_weight = positive_weight

    def fit(self, X, y):
        self.model_ = LogisticRegression(class_weight={1: self.positive_weight})
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        self.class_prior_ = self.class_prior
        return self

    def predict(self, X):
        return self.model_.predict(X)


@pytest.fixture(scope="module")
def pu_data():
    X, y = make_classification(n_samples=600, random_state=0)
    return X, y, make_pu_labels(y, 0.4, random_state=0)


# -- hand-computed values -----------------------------------------------------


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("lee_liu", (2 / 3) ** 2 / 0.4),
        ("recall", 2 / 3),
        ("precision", 0.5 * (2 / 3) / 0.4),
        ("f1", 2 * 0.5 * (2 / 3) / (0.5 + 0.4)),
        ("accuracy", 1 - 0.5 - 0.4 + 2 * 0.5 * (2 / 3)),
    ],
)
def test_metric_hand_computed(metric, expected):
    assert _score(metric, S, Y_PRED, class_prior=0.5) == pytest.approx(expected)


@pytest.mark.parametrize(
    "metric, expected",
    # pi * r / q = 0.9 * (2/3) / 0.4 = 1.5 exceeds 1; accuracy
    # 1 - 0.9 - 0.4 + 1.2 = 0.9; F1 from the clipped precision 2 r / (1 + r).
    [("precision", 1.0), ("f1", 0.8), ("accuracy", 0.9)],
)
def test_prior_metrics_clip_to_probabilities(metric, expected):
    assert _score(metric, S, Y_PRED, class_prior=0.9) == pytest.approx(expected)


@pytest.mark.parametrize("metric", ["lee_liu", "precision", "f1"])
def test_nothing_predicted_positive_scores_zero(metric):
    assert _score(metric, S, np.zeros(10, dtype=int), class_prior=0.5) == 0.0


def test_accuracy_with_nothing_predicted_positive_is_one_minus_prior():
    y_pred = np.zeros(10, dtype=int)
    assert pu_accuracy_score(S, y_pred, class_prior=0.3) == pytest.approx(0.7)


def test_lee_liu_is_precision_times_recall_over_prior():
    rng = np.random.default_rng(0)
    s = np.r_[np.ones(50, dtype=int), np.zeros(150, dtype=int)]
    y_pred = (rng.random(200) < np.where(s == 1, 0.8, 0.3)).astype(int)
    pi = 0.3
    precision = pu_precision_score(s, y_pred, class_prior=pi)
    assert precision < 1  # the identity holds for the unclipped precision
    assert lee_liu_score(s, y_pred) == pytest.approx(
        precision * pu_recall_score(s, y_pred) / pi
    )


@pytest.mark.parametrize("metric", list(METRICS))
def test_integer_weights_equal_repeated_rows(metric):
    weights = np.array([3, 0, 1, 2, 1, 0, 4, 1, 1, 2])
    weighted = _score(metric, S, Y_PRED, class_prior=0.4, sample_weight=weights)
    repeated = _score(
        metric, np.repeat(S, weights), np.repeat(Y_PRED, weights), class_prior=0.4
    )
    assert weighted == pytest.approx(repeated)
    assert weighted != pytest.approx(_score(metric, S, Y_PRED, class_prior=0.4))


@pytest.mark.parametrize("metric", list(METRICS))
def test_string_labels_and_pos_label(metric):
    s_str = np.where(S == 1, "pos", "unl")
    pred_str = np.where(Y_PRED == 1, "pos", "unl")
    expected = _score(metric, S, Y_PRED, class_prior=0.5)
    assert _score(
        metric, s_str, pred_str, class_prior=0.5, pos_label="pos"
    ) == pytest.approx(expected)
    # pos_label=0: the zeros mark labelled and predicted positives.
    assert _score(
        metric, 1 - S, 1 - Y_PRED, class_prior=0.5, pos_label=0
    ) == pytest.approx(expected)


def test_inputs_not_modified():
    s, y_pred, weights = S.copy(), Y_PRED.copy(), np.arange(1.0, 11.0)
    for metric in METRICS:
        _score(metric, s, y_pred, class_prior=0.5, sample_weight=weights)
    np.testing.assert_array_equal(s, S)
    np.testing.assert_array_equal(y_pred, Y_PRED)
    np.testing.assert_array_equal(weights, np.arange(1.0, 11.0))


@given(problem=pu_problems(), data=st.data())
def test_prior_metrics_stay_in_unit_interval(problem, data):
    y_pred = data.draw(
        arrays(np.int64, len(problem.s), elements=st.integers(0, 1)), label="y_pred"
    )
    class_prior = data.draw(st.floats(0.01, 0.99), label="class_prior")
    for metric in PRIOR_METRICS:
        value = _score(metric, problem.s, y_pred, class_prior=class_prior)
        assert 0.0 <= value <= 1.0, metric


@given(problem=pu_problems())
def test_perfect_predictions_score_one(problem):
    # y_pred = y finds every labelled positive (r = 1) and predicts the sample's
    # share of positives (q = pi), so each identity gives exactly 1.
    for metric in ["recall", *PRIOR_METRICS]:
        value = _score(metric, problem.s, problem.y, class_prior=problem.class_prior)
        assert value == pytest.approx(1.0), metric
    assert lee_liu_score(problem.s, problem.y) == pytest.approx(1 / problem.class_prior)


# -- identities on large SCAR samples ------------------------------------------


@pytest.mark.parametrize(
    "class_prior, label_frequency", [(0.3, 0.4), (0.5, 0.3), (0.7, 0.2)]
)
def test_estimates_match_true_metrics_under_scar(class_prior, label_frequency):
    # 200k rows give at least 200k * 0.3 * 0.2 = 12k labelled positives: the
    # recall estimate's standard error is below 0.005, so 0.01 is about 2-3
    # standard errors on the worst case, and much more on the others.
    rng = np.random.default_rng(0)
    n_samples = 200_000
    y = (rng.random(n_samples) < class_prior).astype(int)
    # A fixed rule on a noisy one-dimensional score: about 80 % recall, with
    # false positives.
    y_pred = (y + rng.normal(0, 0.6, n_samples) > 0.5).astype(int)
    s = make_pu_labels(y, label_frequency, random_state=1)
    pi = y.mean()
    assert pu_recall_score(s, y_pred) == pytest.approx(
        recall_score(y, y_pred), abs=0.01
    )
    assert pu_precision_score(s, y_pred, class_prior=pi) == pytest.approx(
        precision_score(y, y_pred), abs=0.01
    )
    assert pu_f1_score(s, y_pred, class_prior=pi) == pytest.approx(
        f1_score(y, y_pred), abs=0.01
    )
    assert pu_accuracy_score(s, y_pred, class_prior=pi) == pytest.approx(
        accuracy_score(y, y_pred), abs=0.01
    )


# -- bad input -----------------------------------------------------------------


@pytest.mark.parametrize("metric", list(METRICS))
@pytest.mark.parametrize(
    "s, y_pred, kwargs, match",
    [
        (np.zeros(10, dtype=int), Y_PRED, {}, "s has no labelled positive"),
        (np.ones(10, dtype=int), Y_PRED, {}, "s has no unlabelled row"),
        (np.r_[S[:-1], 2], Y_PRED, {}, "s must hold two values"),
        (S, Y_PRED[:-1], {}, "s and y_pred must have the same length"),
        (S, np.r_[Y_PRED[:-1], 2], {}, "y_pred must hold predicted classes"),
        (S, np.linspace(0, 1, 10), {}, "y_pred must hold predicted classes"),
        (S, np.where(Y_PRED == 1, "1", "0"), {}, "y_pred must hold predicted"),
        (S, Y_PRED, {"pos_label": "a"}, "s has no labelled positive"),
        (S, Y_PRED, {"sample_weight": np.ones(9)}, "sample_weight must have one"),
        (S, Y_PRED, {"sample_weight": -np.ones(10)}, "sample_weight must be non-"),
        (S, Y_PRED, {"sample_weight": 1.0 - S}, "sample_weight must give the"),
    ],
)
def test_bad_input_names_the_parameter(metric, s, y_pred, kwargs, match):
    with pytest.raises(ValueError, match=match):
        _score(metric, s, y_pred, class_prior=0.5, **kwargs)


@pytest.mark.parametrize("metric", list(PRIOR_METRICS))
@pytest.mark.parametrize("class_prior", [0.0, 1.0, 1.5, -0.2, np.nan])
def test_prior_outside_unit_interval_raises(metric, class_prior):
    with pytest.raises(ValueError, match="class_prior must be in the open interval"):
        _score(metric, S, Y_PRED, class_prior=class_prior)


def test_prior_of_wrong_type_raises():
    with pytest.raises(InvalidParameterError, match="'class_prior' parameter"):
        pu_f1_score(S, Y_PRED, class_prior="0.5")
    with pytest.raises(TypeError, match="class_prior must be a real number"):
        pu_f1_score(S, Y_PRED, class_prior=True)


def test_make_pu_scorer_validates_its_parameters():
    with pytest.raises(InvalidParameterError, match="'metric' parameter"):
        make_pu_scorer("roc_auc")
    with pytest.raises(ValueError, match="class_prior must be in the open interval"):
        make_pu_scorer("f1", class_prior=1.5)
    with pytest.raises(InvalidParameterError, match="'pos_label' parameter"):
        make_pu_scorer("f1", pos_label=[1])


# -- the scorer ------------------------------------------------------------------


def test_scorer_repr():
    assert repr(make_pu_scorer()) == (
        "make_pu_scorer(metric='f1', class_prior=None, pos_label=1)"
    )
    assert repr(make_pu_scorer("lee_liu", pos_label="pos")) == (
        "make_pu_scorer(metric='lee_liu', class_prior=None, pos_label='pos')"
    )


@pytest.mark.parametrize("metric", list(METRICS))
def test_scorer_equals_metric_on_predictions(pu_data, metric):
    X, _, s = pu_data
    model = LogisticRegression(class_weight={1: 4}).fit(X, s)
    scorer = make_pu_scorer(metric, class_prior=0.45)
    expected = _score(metric, s, model.predict(X), class_prior=0.45)
    assert scorer(model, X, s) == pytest.approx(expected)


@pytest.mark.parametrize("metric", list(PRIOR_METRICS))
def test_scorer_reads_class_prior_from_last_pipeline_step(pu_data, metric):
    X, _, s = pu_data
    pipe = make_pipeline(
        StandardScaler(), _PriorLogistic(class_prior=0.35, positive_weight=3)
    ).fit(X, s)
    expected = _score(metric, s, pipe.predict(X), class_prior=0.35)
    assert make_pu_scorer(metric)(pipe, X, s) == pytest.approx(expected)
    # The prior matters here, so reading a wrong one would fail the first check.
    assert expected != pytest.approx(
        _score(metric, s, pipe.predict(X), class_prior=0.6)
    )


def test_scorer_reads_class_prior_of_a_skrobust_pu_classifier(pu_data):
    from skrobust.pu import ElkanNotoClassifier

    X, _, s = pu_data
    pipe = make_pipeline(StandardScaler(), ElkanNotoClassifier(random_state=0))
    result = cross_validate(
        pipe,
        X,
        s,
        cv=3,
        scoring=make_pu_scorer("accuracy"),
        return_estimator=True,
        return_indices=True,
        error_score="raise",
    )
    for fold, test in enumerate(result["indices"]["test"]):
        fitted = result["estimator"][fold]
        assert result["test_score"][fold] == pytest.approx(
            pu_accuracy_score(
                s[test], fitted.predict(X[test]), class_prior=fitted[-1].class_prior_
            )
        )


def test_scorer_without_prior_or_class_prior_attribute_raises(pu_data):
    X, _, s = pu_data
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, s)
    with pytest.raises(ValueError, match="LogisticRegression has none. Pass class_"):
        make_pu_scorer("f1")(model, X, s)
    # lee_liu and recall need no prior.
    assert make_pu_scorer("lee_liu")(model, X, s) >= 0
    assert make_pu_scorer("recall")(model, X, s) >= 0


def test_scorer_rejects_invalid_fitted_prior(pu_data):
    X, _, s = pu_data
    model = _PriorLogistic(class_prior=1.2).fit(X, s)
    with pytest.raises(ValueError, match=r"_PriorLogistic.class_prior_ must be in"):
        make_pu_scorer("accuracy")(model, X, s)


def test_scorer_names_predict_in_prediction_errors(pu_data):
    X, _, s = pu_data
    model = LogisticRegression().fit(X, np.where(s == 1, 1, 2))
    with pytest.raises(ValueError, match=r"LogisticRegression.predict\(X\) must"):
        make_pu_scorer("lee_liu")(model, X, s)


def test_scorer_pickles(pu_data):
    X, _, s = pu_data
    model = _PriorLogistic(class_prior=0.4, positive_weight=3).fit(X, s)
    scorer = make_pu_scorer("accuracy")
    restored = pickle.loads(pickle.dumps(scorer))
    assert repr(restored) == repr(scorer)
    assert restored(model, X, s) == scorer(model, X, s)


def test_grid_search_with_scorer(pu_data):
    # Accuracy on s always prefers the unweighted model (it predicts almost no
    # positive); the PU scorers prefer a weighted one, which finds the hidden
    # positives.
    X, _, s = pu_data
    grid = {"class_weight": [None, {1: 4}, {1: 8}]}
    for scoring in [make_pu_scorer("lee_liu"), make_pu_scorer("f1", class_prior=0.5)]:
        search = GridSearchCV(
            LogisticRegression(), grid, scoring=scoring, cv=3, error_score="raise"
        ).fit(X, s)
        assert search.best_params_["class_weight"] is not None
        assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    plain = GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, s)
    assert plain.best_params_["class_weight"] is None


def test_cross_validate_with_pipeline_uses_each_fold_prior(pu_data):
    X, _, s = pu_data
    pipe = make_pipeline(
        StandardScaler(), _PriorLogistic(class_prior=0.45, positive_weight=4)
    )
    result = cross_validate(
        pipe,
        X,
        s,
        cv=3,
        scoring={"f1": make_pu_scorer("f1"), "lee_liu": make_pu_scorer("lee_liu")},
        return_estimator=True,
        return_indices=True,
        error_score="raise",
    )
    for fold, test in enumerate(result["indices"]["test"]):
        y_pred = result["estimator"][fold].predict(X[test])
        assert result["test_f1"][fold] == pytest.approx(
            pu_f1_score(s[test], y_pred, class_prior=0.45)
        )
        assert result["test_lee_liu"][fold] == pytest.approx(
            lee_liu_score(s[test], y_pred)
        )


def test_grid_search_forwards_sample_weight_without_routing(pu_data):
    # With routing off, GridSearchCV hands fit's sample_weight to scorers that
    # accept it, here through the multimetric path: the scores must be the
    # weighted ones.
    X, _, s = pu_data
    weights = np.random.default_rng(0).uniform(0.1, 3.0, size=len(s))
    train, test = np.arange(400), np.arange(400, 600)
    search = GridSearchCV(
        LogisticRegression(),
        {"class_weight": [{1: 4}]},
        cv=[(train, test)],
        scoring={"lee_liu": make_pu_scorer("lee_liu"), "acc": "accuracy"},
        refit=False,
        error_score="raise",
    ).fit(X, s, sample_weight=weights)
    model = LogisticRegression(class_weight={1: 4})
    model.fit(X[train], s[train], sample_weight=weights[train])
    y_pred = model.predict(X[test])
    expected = lee_liu_score(s[test], y_pred, sample_weight=weights[test])
    assert search.cv_results_["mean_test_lee_liu"][0] == pytest.approx(expected)
    assert expected != pytest.approx(lee_liu_score(s[test], y_pred))


def test_sample_weight_with_metadata_routing(pu_data):
    X, _, s = pu_data
    weights = np.random.default_rng(1).uniform(0.1, 3.0, size=len(s))
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_pu_scorer("accuracy", class_prior=0.5).set_score_request(
            sample_weight=True
        )
        model = LogisticRegression(class_weight={1: 4}).set_fit_request(
            sample_weight=False
        )
        result = cross_validate(
            model,
            X,
            s,
            cv=3,
            scoring=scorer,
            params={"sample_weight": weights},
            return_estimator=True,
            return_indices=True,
            error_score="raise",
        )
        # Unrequested weights are an error, as for scikit-learn's own scorers.
        with pytest.raises(ValueError, match="sample_weight"):
            cross_validate(
                model,
                X,
                s,
                cv=3,
                scoring=make_pu_scorer("accuracy", class_prior=0.5),
                params={"sample_weight": weights},
            )
    for fold, test in enumerate(result["indices"]["test"]):
        y_pred = result["estimator"][fold].predict(X[test])
        assert result["test_score"][fold] == pytest.approx(
            pu_accuracy_score(
                s[test], y_pred, class_prior=0.5, sample_weight=weights[test]
            )
        )


def test_set_score_request_needs_routing():
    with pytest.raises(RuntimeError, match="enable_metadata_routing=True"):
        make_pu_scorer().set_score_request(sample_weight=True)


# -- model selection -------------------------------------------------------------


@pytest.mark.slow
def test_pu_scorers_select_better_models_than_accuracy_on_s():
    # SCAR labels with c = 0.3 and pi ~ 0.5: accuracy on s counts every hidden
    # positive as an error of a model that finds it, so it picks the unweighted
    # model, which predicts almost nothing positive (clean accuracy ~0.51, F1
    # ~0.03). The PU scorers pick a heavily weighted one. Measured over seeds
    # 0-4, gains in clean accuracy +0.30 and in clean F1 +0.80 for both scorers,
    # each seed positive, and 0.02 below the best model of the grid on clean
    # accuracy. Margins: +0.15 accuracy, +0.5 F1, 0.06 from the grid's best.
    grid = {"class_weight": [None] + [{1: w} for w in (2, 3, 4, 6, 8, 12, 16)]}
    scorings = {
        "f1": lambda pi: make_pu_scorer("f1", class_prior=pi),
        "lee_liu": lambda pi: make_pu_scorer("lee_liu"),
        "accuracy_on_s": lambda pi: "accuracy",
    }
    acc = {name: [] for name in [*scorings, "best_in_grid"]}
    f1 = {name: [] for name in scorings}
    for seed in range(5):
        X, y = make_classification(
            n_samples=3000, n_features=10, n_informative=5, random_state=seed
        )
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=seed)
        s_tr = make_pu_labels(y_tr, 0.3, random_state=seed)
        for name, scoring in scorings.items():
            search = GridSearchCV(
                LogisticRegression(),
                grid,
                cv=5,
                scoring=scoring(y_tr.mean()),
                error_score="raise",
            ).fit(X_tr, s_tr)
            y_pred = search.predict(X_te)
            acc[name].append(accuracy_score(y_te, y_pred))
            f1[name].append(f1_score(y_te, y_pred))
        acc["best_in_grid"].append(
            max(
                LogisticRegression(**params).fit(X_tr, s_tr).score(X_te, y_te)
                for params in ParameterGrid(grid)
            )
        )
    acc = {name: np.array(values) for name, values in acc.items()}
    f1 = {name: np.array(values) for name, values in f1.items()}
    for name in ["f1", "lee_liu"]:
        acc_gain = acc[name] - acc["accuracy_on_s"]
        f1_gain = f1[name] - f1["accuracy_on_s"]
        assert acc_gain.mean() > 0.15, (name, acc_gain)
        assert f1_gain.mean() > 0.5, (name, f1_gain)
        assert acc_gain.min() > 0 and f1_gain.min() > 0, (name, acc_gain, f1_gain)
        assert (acc["best_in_grid"] - acc[name]).mean() < 0.06, name


def test_pu_scorer_names_a_per_class_prior_attribute():
    """Naive Bayes has a class_prior_ with one share per class, not a PU prior
    (found in review: the error said only 'must be a real number')."""
    from sklearn.naive_bayes import GaussianNB

    rng = np.random.RandomState(0)
    X, s = rng.randn(60, 2), (rng.rand(60) < 0.4).astype(int)
    with pytest.raises(ValueError, match="holds 2 values \\(one per class\\)"):
        make_pu_scorer("f1")(GaussianNB().fit(X, s), X, s)
