"""Tests of PseudoLabelPUClassifier and its labelling rule."""

import pickle

import numpy as np
import pytest
import sklearn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading

from skrobust.datasets import make_pu_labels
from skrobust.metrics import make_pu_scorer
from skrobust.pu import (
    ClassPriorEstimator,
    PseudoLabelPUClassifier,
    PUStratifiedKFold,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)
from skrobust.pu._pseudo import _confident_rows, _pseudo_positive_mask
from skrobust.utils import SkrobustWarning, SmallClassWarning


@pytest.fixture(scope="module")
def scar():
    """SCAR data with pi = 0.4 and c = 0.5, plus a clean test set."""
    X, y = make_classification(
        n_samples=1200,
        n_features=6,
        n_informative=4,
        weights=[0.6],
        class_sep=1.5,
        random_state=0,
    )
    s = make_pu_labels(y[:800], 0.5, random_state=0)
    return X[:800], y[:800], s, X[800:], y[800:]


def _unbiased(prior):
    return UnbiasedPUClassifier(class_prior=prior, random_state=0)


# --- the labelling rule --------------------------------------------------------


def test_mask_predicted_keeps_labelled_rows_and_takes_scores_above_half():
    scores = np.array([0.1, 0.9, 0.6, 0.5, 0.2])
    labeled = np.array([True, False, False, False, False])
    assert_array_equal(
        _pseudo_positive_mask(scores, labeled), [True, True, True, False, False]
    )


def test_mask_prior_takes_the_best_scored_unlabelled_rows_ties_in_row_order():
    scores = np.array([0.0, 0.7, 0.7, 0.9, 0.1])
    labeled = np.array([True, False, False, False, False])
    # Three positives in all: the labelled row, then 0.9, then the first 0.7.
    mask = _pseudo_positive_mask(scores, labeled, n_positive=3)
    assert_array_equal(mask, [True, True, False, True, False])
    # Fewer wanted than labelled: only the labelled rows.
    assert_array_equal(_pseudo_positive_mask(scores, labeled, n_positive=0.4), labeled)


def test_mask_prior_counts_weights():
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    labeled = np.array([True, False, False, False])
    weight = np.array([1.0, 2.0, 1.0, 1.0])
    # 1 (labelled) + 2 (the 0.8 row) = 3; the 0.7 row would reach 4.
    mask = _pseudo_positive_mask(scores, labeled, n_positive=3.4, sample_weight=weight)
    assert_array_equal(mask, [True, True, False, False])
    mask = _pseudo_positive_mask(scores, labeled, n_positive=3.6, sample_weight=weight)
    assert_array_equal(mask, [True, True, True, False])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 60),
    seed=st.integers(0, 2**31 - 1),
    share=st.floats(0.0, 1.0),
)
def test_mask_prior_rounds_to_the_nearest_count_and_ranks(n, seed, share):
    rng = np.random.RandomState(seed)
    scores = rng.uniform(size=n)
    labeled = rng.uniform(size=n) < 0.3
    wanted = share * n
    mask = _pseudo_positive_mask(scores, labeled, n_positive=wanted)
    assert np.all(mask[labeled])
    # The k-th unlabelled row joins while k - 1/2 < the count still wanted: the
    # nearest count, a half rounding down.
    still = wanted - labeled.sum()
    expected = int(np.clip(np.ceil(still + 0.5) - 1, 0, (~labeled).sum()))
    assert (mask & ~labeled).sum() == expected
    # Every unlabelled row taken scores at least as high as every one left.
    taken, left = scores[mask & ~labeled], scores[~mask]
    if taken.size and left.size:
        assert taken.min() >= left.max()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 60),
    seed=st.integers(0, 2**31 - 1),
    low=st.floats(0.5, 0.999),
    high=st.floats(0.5, 0.999),
)
def test_confident_rows_nest_and_mirror(n, seed, low, high):
    low, high = min(low, high), max(low, high)
    rng = np.random.RandomState(seed)
    scores = rng.uniform(size=n)
    labeled = rng.uniform(size=n) < 0.3
    loose = _confident_rows(scores, labeled, low)
    strict = _confident_rows(scores, labeled, high)
    # Labelled rows always stay; a stricter bar keeps a subset.
    assert loose[labeled].all() and strict[labeled].all()
    assert not (strict & ~loose).any()
    # Only how far a score is from 0.5 counts, not on which side.
    assert_array_equal(
        strict[~labeled], _confident_rows(1 - scores, labeled, high)[~labeled]
    )


# --- the classifier ------------------------------------------------------------


def test_predicted_labels_are_the_pu_classifiers_predictions(scar):
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    expected = np.where(s == 1, 1, model.pu_estimator_.predict(X))
    assert_array_equal(model.pseudo_labels_, expected)
    assert model.n_iter_ == 1
    assert model.class_prior_ == pytest.approx(expected.mean())
    # The refit is a logistic regression on exactly those labels.
    reference = LogisticRegression(max_iter=1000).fit(X, expected)
    assert_array_equal(model.predict(X), reference.predict(X))


def test_decision_function_is_the_refits_log_odds(scar):
    X, y, s, X_test, _ = scar
    model = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    scores = model.decision_function(X_test)
    # The refit is a logistic regression: its own decision function, up to
    # the rounding of going through probabilities.
    assert_allclose(scores, model.estimator_.decision_function(X_test), atol=1e-8)
    assert_array_equal(model.classes_[(scores > 0).astype(int)], model.predict(X_test))


def test_prior_labels_count_the_prior(scar):
    X, y, s, _, _ = scar
    prior = y.mean()
    model = PseudoLabelPUClassifier(
        _unbiased(0.3), positives="prior", class_prior=prior
    ).fit(X, s)
    # The given prior counts, not the PU classifier's 0.3.
    assert model.class_prior_ == pytest.approx(round(prior * len(y)) / len(y))
    assert np.all(model.pseudo_labels_[s == 1] == 1)
    # Without class_prior, the PU classifier's own prior counts.
    model = PseudoLabelPUClassifier(_unbiased(0.3), positives="prior").fit(X, s)
    assert model.class_prior_ == pytest.approx(round(0.3 * len(y)) / len(y))


def test_refit_learns_better_than_the_labels_of_s_on_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    train, test = np.arange(0, 569, 2), np.arange(1, 569, 2)
    s = make_pu_labels(y[train], 0.3, random_state=0)
    pu = WeightedElkanNotoClassifier(class_prior=y[train].mean(), random_state=0)
    model = PseudoLabelPUClassifier(pu).fit(X[train], s)
    naive = LogisticRegression(max_iter=1000).fit(X[train], s)
    # Measured: 0.954, against 0.933 for the PU classifier alone and 0.60 for
    # the logistic regression of s.
    assert model.score(X[test], y[test]) > 0.945
    assert model.pu_estimator_.score(X[test], y[test]) < 0.94
    assert naive.score(X[test], y[test]) < 0.7


def test_rounds_stop_when_the_labels_stop_changing(scar):
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(_unbiased(y.mean()), max_iter=20).fit(X, s)
    assert 1 <= model.n_iter_ < 20
    # The last labels are the last refit's predictions (labelled rows kept).
    relabelled = np.where(s == 1, 1, model.estimator_.predict(X))
    assert_array_equal(relabelled, model.pseudo_labels_)


def test_c_equal_one_is_supervised_learning():
    X, y = make_classification(n_samples=300, random_state=1)
    # Every positive labelled: the PU labels are the true labels.
    model = PseudoLabelPUClassifier(_unbiased(y.mean()), positives="prior").fit(X, y)
    assert_array_equal(model.pseudo_labels_, y)
    reference = LogisticRegression(max_iter=1000).fit(X, y)
    assert_array_equal(model.predict(X), reference.predict(X))


def test_string_labels_and_pos_label_reach_the_pu_classifier(scar):
    X, y, s, X_test, _ = scar
    s_text = np.where(s == 1, "pos", "unl")
    model = PseudoLabelPUClassifier(_unbiased(y.mean()), pos_label="pos").fit(X, s_text)
    assert model.pu_estimator_.pos_label == "pos"
    assert_array_equal(model.classes_, ["pos", "unl"])
    assert set(model.predict(X_test)) <= {"pos", "unl"}
    numeric = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    assert_array_equal(model.predict(X_test) == "pos", numeric.predict(X_test) == 1)
    proba = model.predict_proba(X_test)
    assert_array_equal(proba[:, 0] > 0.5, model.predict(X_test) == "pos")


class _AllPositive(ClassifierMixin, BaseEstimator):
    """A PU classifier that calls every row positive."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile([0.0, 1.0], (len(X), 1))

    def predict(self, X):
        return np.full(len(X), self.classes_[1])


def test_every_row_positive_warns_and_the_pu_classifier_predicts(scar):
    X, _, s, X_test, _ = scar
    with pytest.warns(SkrobustWarning, match="Every row was labelled positive"):
        model = PseudoLabelPUClassifier(_AllPositive()).fit(X, s)
    assert model.estimator_ is None and model.n_iter_ == 0
    assert np.all(model.pseudo_labels_ == 1)
    assert_array_equal(model.predict(X_test), model.pu_estimator_.predict(X_test))


# --- min_confidence: the refit learns from the confident rows ------------------


def test_confident_rows_keep_labelled_rows_and_both_confident_tails():
    scores = np.array([0.5, 0.81, 0.79, 0.2, 0.21, 0.5, 0.0])
    labeled = np.array([True, False, False, False, False, False, False])
    assert_array_equal(
        _confident_rows(scores, labeled, 0.8),
        [True, True, False, True, False, False, True],
    )
    assert _confident_rows(scores, labeled, 0.5).all()


def test_min_confidence_refits_on_the_confident_rows_only(scar):
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(_unbiased(y.mean()), min_confidence=0.8).fit(X, s)
    p = model.pu_estimator_.predict_proba(X)[:, 1]
    keep = (s == 1) | (p >= 0.8) | (p <= 0.2)
    assert 0 < (~keep).sum() < 0.5 * len(s)
    assert_array_equal(model.refit_rows_, keep)
    # Every row keeps its pseudo-label; the prior counts them all.
    expected = np.where(s == 1, 1, p > 0.5)
    assert_array_equal(model.pseudo_labels_, expected)
    assert model.class_prior_ == pytest.approx(expected.mean())
    reference = LogisticRegression(max_iter=1000).fit(X[keep], expected[keep])
    np.testing.assert_allclose(model.estimator_.coef_, reference.coef_)
    # The default keeps every row, and fits on all of them.
    default = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    assert default.refit_rows_.all()
    everything = LogisticRegression(max_iter=1000).fit(X, expected)
    np.testing.assert_allclose(default.estimator_.coef_, everything.coef_)
    assert not np.allclose(model.estimator_.coef_, everything.coef_)


def test_min_confidence_subsets_the_weights_with_the_rows(scar):
    X, y, s, _, _ = scar
    weight = np.random.RandomState(3).uniform(0.5, 2.0, size=s.shape[0])
    model = PseudoLabelPUClassifier(_unbiased(y.mean()), min_confidence=0.7).fit(
        X, s, sample_weight=weight
    )
    keep = model.refit_rows_
    assert not keep.all()
    reference = LogisticRegression(max_iter=1000).fit(
        X[keep], model.pseudo_labels_[keep], sample_weight=weight[keep]
    )
    np.testing.assert_allclose(model.estimator_.coef_, reference.coef_, rtol=1e-6)


class _Timid(_AllPositive):
    """A PU classifier that scores every other row 0.4, the rest 0.6."""

    def predict_proba(self, X):
        p = np.where(np.arange(len(X)) % 2, 0.6, 0.4)
        return np.column_stack([1 - p, p])


def test_min_confidence_that_leaves_only_positives_warns(scar):
    X, _, s, X_test, _ = scar
    # No unlabelled row is scored 0.7 either way: only the labelled positives
    # would be refitted on.
    with pytest.warns(SkrobustWarning, match=r"min_confidence=0\.7\).*positive"):
        model = PseudoLabelPUClassifier(_Timid(), min_confidence=0.7).fit(X, s)
    assert model.estimator_ is None and model.n_iter_ == 0
    assert_array_equal(model.refit_rows_, s == 1)
    # The PU classifier predicts: positive where it scores 0.6.
    assert_array_equal(model.predict(X_test), np.arange(len(X_test)) % 2)


def test_confident_negatives_of_zero_weight_leave_only_positives(scar):
    X, y, s, _, _ = scar
    pu = _unbiased(y.mean())
    p = pu.fit(X, s).predict_proba(X)[:, 1]
    weight = np.where((s == 0) & (p <= 0.2), 0.0, 1.0)
    assert 0 < (weight == 0).sum() and (p[s == 0] > 0.8).any()
    # Some kept rows are negative, but all of them weigh nothing: the refit
    # would learn from positives only.
    with pytest.warns(SkrobustWarning, match="non-zero weight.*positive"):
        model = PseudoLabelPUClassifier(pu, min_confidence=0.8).fit(
            X, s, sample_weight=weight
        )
    assert model.estimator_ is None and model.n_iter_ == 0
    assert not model.pseudo_labels_[model.refit_rows_].all()


def test_min_confidence_later_rounds_read_the_previous_refit(scar):
    X, y, s, _, _ = scar
    first = PseudoLabelPUClassifier(_unbiased(y.mean()), min_confidence=0.7).fit(X, s)
    second = PseudoLabelPUClassifier(
        _unbiased(y.mean()), min_confidence=0.7, max_iter=2
    ).fit(X, s)
    assert second.n_iter_ == 2
    p = first.estimator_.predict_proba(X)[:, 1]
    keep = (s == 1) | (p >= 0.7) | (p <= 0.3)
    assert not np.array_equal(keep, first.refit_rows_)
    assert_array_equal(second.refit_rows_, keep)
    assert_array_equal(second.pseudo_labels_, np.where(s == 1, 1, p > 0.5))


# --- uncertain_rows="unlabelled": a semi-supervised refit labels them -----------


def test_unlabelled_uncertain_rows_reach_label_spreading_as_minus_one(scar):
    X, y, s, X_test, _ = scar
    spread = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2)
    model = PseudoLabelPUClassifier(
        _unbiased(y.mean()), spread, min_confidence=0.8, uncertain_rows="unlabelled"
    ).fit(X, s)
    dropped = PseudoLabelPUClassifier(
        _unbiased(y.mean()), spread, min_confidence=0.8
    ).fit(X, s)
    # The same rows are confident either way, and keep the same pseudo-labels.
    assert_array_equal(model.refit_rows_, dropped.refit_rows_)
    assert_array_equal(model.pseudo_labels_, dropped.pseudo_labels_)
    keep = model.refit_rows_
    assert 0 < (~keep).sum() < 0.5 * len(s)
    labels = np.where(keep, model.pseudo_labels_, -1)
    reference = LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2).fit(X, labels)
    # Every training row reached the refit, the uncertain ones unlabelled.
    assert model.estimator_.X_.shape == X.shape
    assert_array_equal(model.estimator_.transduction_, reference.transduction_)
    # (The refit's labels are int8, the reference's int64: the iterations
    # differ in the last bits.)
    np.testing.assert_allclose(
        model.predict_proba(X_test), reference.predict_proba(X_test), atol=1e-9
    )
    # Dropping the rows instead builds the graph from the confident ones only.
    assert dropped.estimator_.X_.shape[0] == keep.sum()


def test_unlabelled_uncertain_rows_without_any_is_the_plain_refit(scar):
    X, y, s, X_test, _ = scar
    # At min_confidence 0.5 no row is uncertain, so the option changes nothing.
    models = [
        PseudoLabelPUClassifier(
            _unbiased(y.mean()), LogisticRegression(), uncertain_rows=option
        ).fit(X, s)
        for option in ("drop", "unlabelled")
    ]
    assert_array_equal(models[0].predict_proba(X_test), models[1].predict_proba(X_test))


def test_rows_the_graph_cannot_reach_take_the_pu_classifiers_score():
    # A tight cluster on the PU classifier's boundary: every row of it is
    # uncertain, and no confident row is among its neighbours, so label
    # spreading scores it NaN.
    rng = np.random.RandomState(0)
    positives = rng.normal([3, 0], 0.5, (100, 2))
    negatives = rng.normal([-3, 0], 0.5, (100, 2))
    s_outer = np.r_[np.ones(50, int), np.zeros(150, int)]
    # The symmetric weighting's flatter scores leave the whole cluster uncertain.
    pu = UnbiasedPUClassifier(class_prior=0.5, weighting="symmetric")
    pu.fit(np.vstack([positives, negatives]), s_outer)
    line = np.linspace(-3, 3, 601)
    edge = line[np.argmin(np.abs(pu.predict_proba(np.c_[line, 0 * line])[:, 1] - 0.5))]
    middle = rng.normal([edge, 0], 0.05, (20, 2))
    X = np.vstack([positives, negatives, middle])
    s = np.r_[s_outer, np.zeros(20, int)]
    model = PseudoLabelPUClassifier(
        clone(pu),
        LabelSpreading(kernel="knn", n_neighbors=7),
        min_confidence=0.9,
        uncertain_rows="unlabelled",
    )
    with pytest.warns(SkrobustWarning, match=r"no score \(NaN\) to 20 of 220"):
        model.fit(X, s)
    raw = model.estimator_.predict_proba(middle)
    assert np.isnan(raw).all()
    proba = model.predict_proba(middle)
    np.testing.assert_allclose(proba, model.pu_estimator_.predict_proba(middle))
    assert not np.isnan(model.predict_proba(X)).any()
    # A second round reads the same stand-in scores instead of NaN.
    again = clone(model).set_params(max_iter=3)
    with pytest.warns(SkrobustWarning, match="no score"):
        again.fit(X, s)
    assert not np.isnan(again.predict_proba(X)).any()


def test_unlabelled_uncertain_rows_need_a_semi_supervised_refit(scar):
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(
        _unbiased(y.mean()),
        LogisticRegression(),
        min_confidence=0.8,
        uncertain_rows="unlabelled",
    )
    with pytest.raises(ValueError, match=r"LogisticRegression learnt the label -1"):
        model.fit(X, s)


class _Plain(ClassifierMixin, BaseEstimator):
    """A logistic regression whose fit takes no sample_weight; as a PU
    classifier it sets no class_prior_ (it predicts the labels of s)."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"class_prior": 0.01, "positives": "prior"},
            "class_prior=0.01 is below the labelled fraction",
        ),
        ({"class_prior": 1.5}, "class_prior"),
        ({"positives": "all"}, "positives"),
        ({"max_iter": 0}, "max_iter"),
        ({"min_confidence": 0.4}, "min_confidence"),
        ({"min_confidence": 1.0}, "min_confidence"),
        ({"uncertain_rows": "negative"}, "uncertain_rows"),
        ({"pu_estimator": _Plain(), "positives": "prior"}, "needs a class prior"),
        ({"pu_estimator": "nnpu"}, "pu_estimator"),
    ],
)
def test_bad_parameters_are_named(scar, params, match):
    X, _, s, _, _ = scar
    params.setdefault("pu_estimator", _unbiased(0.4))
    with pytest.raises((ValueError, TypeError), match=match):
        PseudoLabelPUClassifier(**params).fit(X, s)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(10), "single class"),
        (np.arange(10) % 3, "binary"),
        (np.r_[np.full(5, 2), np.zeros(5)], "pos_label"),
    ],
)
def test_bad_labels_are_refused(y, match):
    X = np.random.RandomState(0).normal(size=(10, 2))
    with pytest.raises(ValueError, match=match):
        PseudoLabelPUClassifier().fit(X, y)


def test_inputs_unchanged_and_pickle_round_trip(scar):
    X, y, s, X_test, _ = scar
    X_copy, s_copy = X.copy(), s.copy()
    model = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    assert_array_equal(X, X_copy)
    assert_array_equal(s, s_copy)
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict_proba(X_test), model.predict_proba(X_test))


def test_the_default_pu_step_keeps_the_symmetric_weighting(scar):
    # The signed weighting's scores are overconfident (on breast cancer at
    # c = 0.1 it scores 99 % of rows at 0.9 or more either way), which would
    # leave min_confidence little to filter.
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(class_prior=y.mean(), min_confidence=0.8)
    model.fit(X, s)
    assert model.pu_estimator_.weighting_ == "symmetric"


@pytest.mark.parametrize(
    "weighting, positives",
    # With the signed weighting the prior's cut falls on a row of weight 2 here,
    # which the repeated data split (one copy each way), so that pair counts by
    # the 0.5 threshold instead.
    [("symmetric", "prior"), ("signed", "predicted")],
)
def test_integer_weights_act_as_repeated_rows(scar, weighting, positives):
    X, y, s, X_test, _ = scar
    weight = np.random.RandomState(0).randint(1, 3, size=s.shape[0])
    rows = np.repeat(np.arange(s.shape[0]), weight)
    prior = y.mean()

    def model():
        return PseudoLabelPUClassifier(
            _unbiased(prior).set_params(weighting=weighting),
            positives=positives,
            class_prior=prior,
        )

    weighted = model().fit(X, s, sample_weight=weight)
    repeated = model().fit(X[rows], s[rows])
    assert weighted.class_prior_ == pytest.approx(repeated.class_prior_, abs=2e-3)
    agree = np.mean(weighted.predict(X_test) == repeated.predict(X_test))
    assert agree > 0.99
    # Weights ignored would still agree on 99.5% and 97.8% of the predictions
    # (measured); the probabilities tell them apart: 0.03 and 0.12 apart then.
    np.testing.assert_allclose(
        weighted.predict_proba(X_test), repeated.predict_proba(X_test), atol=1e-6
    )


def test_weights_reach_both_fits_under_metadata_routing(scar):
    X, y, s, _, _ = scar
    weight = np.random.RandomState(1).uniform(0.5, 2.0, size=s.shape[0])
    with sklearn.config_context(enable_metadata_routing=True):
        pu = UnbiasedPUClassifier(
            LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True),
            class_prior=y.mean(),
            random_state=0,
        )
        model = PseudoLabelPUClassifier(
            pu,
            LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True),
        ).fit(X, s, sample_weight=weight)
    reference = LogisticRegression(max_iter=1000).fit(
        X, model.pseudo_labels_, sample_weight=weight
    )
    np.testing.assert_allclose(
        model.estimator_.coef_, reference.coef_, rtol=1e-6, atol=1e-8
    )
    unweighted = UnbiasedPUClassifier(class_prior=y.mean(), random_state=0).fit(X, s)
    assert not np.allclose(
        model.pu_estimator_.estimator_.coef_, unweighted.estimator_.coef_
    )


def test_grid_search_with_a_pu_scorer(scar):
    X, y, s, X_test, y_test = scar
    scorer = make_pu_scorer("lee_liu")
    search = GridSearchCV(
        PseudoLabelPUClassifier(_unbiased(y.mean()), LogisticRegression()),
        {"estimator__C": [1e-5, 1.0]},
        scoring=scorer,
        cv=PUStratifiedKFold(3, shuffle=True, random_state=0),
    ).fit(X, s)
    # A tiny C shrinks the refit to one class for every row; the criterion
    # recall^2 / P(yhat = 1) must prefer the real classifier.
    assert search.best_params_["estimator__C"] == 1.0
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0] + 0.5
    s_test = make_pu_labels(y_test, 0.5, random_state=1)
    assert search.score(X_test, s_test) == pytest.approx(
        scorer(search.best_estimator_, X_test, s_test)
    )


def test_a_prior_estimator_inside_the_pu_classifier(scar):
    X, y, s, _, _ = scar
    pu = UnbiasedPUClassifier(random_state=0)
    model = PseudoLabelPUClassifier(pu, positives="prior").fit(X, s)
    estimate = ClassPriorEstimator(random_state=0).fit(X, s)
    # The counted prior is the PU classifier's estimate, within a row.
    assert model.class_prior_ == pytest.approx(estimate.class_prior_, abs=2 / len(s))


def test_the_network_pair_runs_end_to_end(scar):
    pytest.importorskip("skorch")
    from skrobust.neural import PUNeuralNetClassifier, RobustNeuralNetClassifier

    X, y, s, X_test, y_test = scar
    model = PseudoLabelPUClassifier(
        PUNeuralNetClassifier(class_prior=y.mean(), max_epochs=30, random_state=0),
        RobustNeuralNetClassifier(criterion="ce", max_epochs=30, random_state=0),
    ).fit(X.astype(np.float32), s)
    # Measured: 0.913 (the PU network alone 0.923; a logistic regression of the
    # true labels 0.778).
    assert model.score(X_test.astype(np.float32), y_test) > 0.88


def test_mask_prior_half_a_row_over_is_left_out():
    scores = np.array([0.9, 0.8, 0.7])
    labeled = np.array([True, False, False])
    # 2.5 wanted: the second unlabelled row would overshoot by exactly half.
    mask = _pseudo_positive_mask(scores, labeled, n_positive=2.5)
    assert_array_equal(mask, [True, True, False])


def test_class_prior_is_ignored_when_counting_by_predictions(scar):
    X, y, s, _, _ = scar
    given = PseudoLabelPUClassifier(_unbiased(y.mean()), class_prior=0.01).fit(X, s)
    plain = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    assert_array_equal(given.pseudo_labels_, plain.pseudo_labels_)


@pytest.mark.parametrize("pos_label", [0, "pos"])
def test_a_pipeline_pu_estimator_reads_pos_label_at_its_final_step(scar, pos_label):
    X, y, s, X_test, _ = scar
    other = 1 if pos_label == 0 else "unl"
    s_renamed = np.where(s == 1, pos_label, other)
    pipe = make_pipeline(StandardScaler(), _unbiased(y.mean()))
    model = PseudoLabelPUClassifier(pipe, positives="prior", pos_label=pos_label)
    model.fit(X, s_renamed)
    assert model.pu_estimator_[-1].pos_label == pos_label
    # The prior comes from the final step too.
    assert model.class_prior_ == pytest.approx(y.mean(), abs=1 / len(y))
    bare = PseudoLabelPUClassifier(_unbiased(y.mean()), positives="prior").fit(X, s)
    assert (
        np.mean((model.predict(X_test) == pos_label) == (bare.predict(X_test) == 1))
        > 0.99
    )


def test_a_frozen_estimator_is_refused_and_a_frozen_pu_classifier_is_used(scar):
    X, y, s, X_test, _ = scar
    fitted = LogisticRegression().fit(X, y)
    with pytest.raises(TypeError, match="estimator must not be a FrozenEstimator"):
        PseudoLabelPUClassifier(_unbiased(0.4), FrozenEstimator(fitted)).fit(X, s)
    pu = _unbiased(y.mean()).fit(X, s)
    model = PseudoLabelPUClassifier(FrozenEstimator(pu)).fit(X, s)
    assert_array_equal(model.pseudo_labels_, np.where(s == 1, 1, pu.predict(X)))


def test_a_frozen_pu_classifier_must_mark_positives_as_the_wrapper_does(scar):
    X, y, s, _, _ = scar
    # Fitted with 0 marking the labelled rows: its column for class 1 is the
    # negative class, which the wrapper (pos_label=1) would read as positive.
    flipped = _unbiased(y.mean()).set_params(pos_label=0).fit(X, 1 - s)
    with pytest.raises(ValueError, match="fitted with pos_label=0, but pos_label=1"):
        PseudoLabelPUClassifier(FrozenEstimator(flipped)).fit(X, s)
    # The same model is accepted where the labels agree with it.
    model = PseudoLabelPUClassifier(FrozenEstimator(flipped), pos_label=0)
    expected = (s == 1) | (flipped.predict(X) == 0)
    assert_array_equal(model.fit(X, 1 - s).pseudo_labels_ == 0, expected)
    # A frozen model without a pos_label, fitted on other label values than y.
    strings = LogisticRegression().fit(X, np.where(s == 1, "p", "u"))
    with pytest.raises(ValueError, match=r"lack pos_label=1; it was fitted on other"):
        PseudoLabelPUClassifier(FrozenEstimator(strings)).fit(X, s)


def test_weights_for_a_member_that_cannot_take_them_fail_before_fitting(scar):
    X, y, s, _, _ = scar
    weight = np.ones(s.shape[0])
    with pytest.raises(ValueError, match="_Plain does not accept sample_weight"):
        PseudoLabelPUClassifier(_unbiased(y.mean()), _Plain()).fit(
            X, s, sample_weight=weight
        )


def test_routing_with_the_default_estimator_says_how_to_request(scar):
    X, y, s, _, _ = scar
    with sklearn.config_context(enable_metadata_routing=True):
        pu = UnbiasedPUClassifier(
            LogisticRegression().set_fit_request(sample_weight=True),
            class_prior=y.mean(),
        )
        with pytest.raises(UnsetMetadataPassedError, match="default base estimator"):
            PseudoLabelPUClassifier(pu).fit(X, s, sample_weight=np.ones(len(s)))


def test_rounds_that_run_out_warn(scar):
    X, y, s, _, _ = scar
    settled = PseudoLabelPUClassifier(
        _unbiased(y.mean()), KNeighborsClassifier(15), max_iter=50
    ).fit(X, s)
    assert 2 < settled.n_iter_ < 50
    with pytest.warns(ConvergenceWarning, match="still changing after max_iter=2"):
        PseudoLabelPUClassifier(
            _unbiased(y.mean()), KNeighborsClassifier(15), max_iter=2
        ).fit(X, s)


def test_routing_without_metadata_fits_as_without_routing(scar):
    X, y, s, X_test, _ = scar
    plain = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = PseudoLabelPUClassifier(_unbiased(y.mean())).fit(X, s)
    assert_array_equal(routed.predict_proba(X_test), plain.predict_proba(X_test))


def test_random_state_seeds_the_default_pu_estimator(scar):
    X, _, s, X_test, _ = scar
    first = PseudoLabelPUClassifier(random_state=0).fit(X, s)
    again = PseudoLabelPUClassifier(random_state=0).fit(X, s)
    assert first.pu_estimator_.random_state == 0
    assert first.pu_estimator_.class_prior_ == again.pu_estimator_.class_prior_
    assert_array_equal(first.predict_proba(X_test), again.predict_proba(X_test))
    # A generator is drawn from once per fit; the same draw, the same model.
    rng = np.random.RandomState(3)
    drawn = PseudoLabelPUClassifier(random_state=rng).fit(X, s)
    seed = np.random.RandomState(3).randint(np.iinfo(np.int32).max)
    assert drawn.pu_estimator_.random_state == seed
    assert PseudoLabelPUClassifier().fit(X, s).pu_estimator_.random_state is None
    # A given PU classifier keeps its own seed.
    given = PseudoLabelPUClassifier(_unbiased(None), random_state=7).fit(X, s)
    assert given.pu_estimator_.random_state == 0


def test_default_pu_estimator_folds_as_few_labelled_rows_as_there_are(scar):
    X, y, _, X_test, y_test = scar
    s = np.zeros_like(y)
    s[np.random.RandomState(0).choice(np.flatnonzero(y == 1), 3, False)] = 1
    with pytest.warns(SmallClassWarning, match="the default pu_estimator: they cross"):
        model = PseudoLabelPUClassifier(random_state=0).fit(X, s)
    assert model.pu_estimator_.cv == 3
    # A given one keeps its folds, and its error names them.
    with pytest.raises(ValueError, match="cv=5 stratified folds need at least 5"):
        PseudoLabelPUClassifier(_unbiased(None)).fit(X, s)


def test_a_given_class_prior_reaches_the_default_pu_estimator_only(scar):
    X, y, s, _, _ = scar
    model = PseudoLabelPUClassifier(class_prior=0.4, random_state=0).fit(X, s)
    assert model.pu_estimator_.class_prior == 0.4
    assert model.pu_estimator_.class_prior_ == 0.4
    # Known, it needs no cross-fit: one labelled row is enough to fit.
    one = np.zeros_like(y)
    one[np.flatnonzero(y == 1)[0]] = 1
    PseudoLabelPUClassifier(class_prior=0.4).fit(X, one)
    with pytest.raises(ValueError, match="y has 1 and 799. Give class_prior, or a"):
        PseudoLabelPUClassifier().fit(X, one)
    # A given PU classifier keeps its own prior.
    given = PseudoLabelPUClassifier(_unbiased(0.3), class_prior=0.4).fit(X, s)
    assert given.pu_estimator_.class_prior_ == 0.3
