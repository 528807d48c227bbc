"""Tests of AdaptivePUClassifier: the route its first stage's scores choose."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading

from skrobust.pu import (
    AdaptivePUClassifier,
    PseudoLabelPUClassifier,
    WeightedElkanNotoClassifier,
)
from skrobust.pu._adaptive import _reseeded, _score_mixture


def _first(**params):
    # A first stage without networks whose scores are not saturated: on
    # cancer_pu its log-odds fall into two groups, the labelled rows 0.26
    # standard deviations above the upper one's mean.
    return PseudoLabelPUClassifier(
        WeightedElkanNotoClassifier(
            LogisticRegression(C=0.1), cv=3, random_state=0, **params
        )
    )


@pytest.fixture(scope="module")
def fitted(cancer_pu):
    X, _, s = cancer_pu
    return AdaptivePUClassifier(_first(), random_state=0).fit(X, s)


def test_the_offset_and_the_mixture_prior_follow_the_first_stage(cancer_pu, fitted):
    X, y, s = cancer_pu
    first = _first().fit(X, s)
    scores = np.clip(first._pu_scores(X), 1e-6, 1 - 1e-6)
    share, offset, scale = _score_mixture(scores, s == 1, 0)
    logits = np.log(scores / (1 - scores))
    upper_mean = logits[s == 1].mean() - offset * scale
    # The upper component's mean lies among the unlabelled rows' scores.
    assert np.percentile(logits[s != 1], 10) < upper_mean < logits.max()
    assert fitted.score_offset_ == pytest.approx(offset)
    assert fitted.mixture_prior_ == pytest.approx(share.mean())
    assert (share[s == 1] == 1).all()
    # Breast cancer's two classes: the upper group is the benign one (62.7 %;
    # measured 0.583).
    assert abs(fitted.mixture_prior_ - y.mean()) < 0.1
    assert fitted.route_ == "mixture"


def test_mixture_route_refits_with_the_mixtures_prior(cancer_pu):
    X, y, s = cancer_pu
    model = AdaptivePUClassifier(_first(), max_offset=50.0, random_state=0).fit(X, s)
    assert model.route_ == "mixture"
    by_hand = clone(_first()).set_params(pu_estimator__class_prior=model.mixture_prior_)
    by_hand.fit(X, s)
    assert_allclose(model.predict_proba(X), by_hand.predict_proba(X))
    assert model.class_prior_ == by_hand.class_prior_
    assert model.score(X, y) > 0.85


def test_graph_route_spreads_labels_over_the_first_stage(cancer_pu):
    X, y, s = cancer_pu
    # The labelled rows sit 0.26 standard deviations above the upper group:
    # above a smaller max_offset.
    model = AdaptivePUClassifier(_first(), max_offset=0.1, random_state=0).fit(X, s)
    assert model.score_offset_ > 0.1
    assert model.route_ == "graph"
    assert isinstance(model.estimator_.estimator_, LabelSpreading)
    assert model.estimator_.min_confidence == 0.9
    assert model.score(X, y) > 0.8


def test_saturated_scores_keep_the_first_fit(cancer_pu):
    X, _, s = cancer_pu
    model = AdaptivePUClassifier(_first(), min_scale=1e6, random_state=0).fit(X, s)
    assert model.route_ == "network"
    alone = _first().fit(X, s)
    assert_allclose(model.predict_proba(X), alone.predict_proba(X))


def test_a_given_prior_stands(cancer_pu):
    X, y, s = cancer_pu
    model = AdaptivePUClassifier(
        _first(class_prior=float(y.mean())), max_offset=50.0, random_state=0
    ).fit(X, s)
    assert model.route_ == "network"
    assert model.estimator_.pu_estimator_.class_prior_ == pytest.approx(y.mean())


def test_weights_never_take_the_graph_route_and_reach_the_prior(cancer_pu, fitted):
    X, _, s = cancer_pu
    weights = np.linspace(0.5, 1.5, len(s))
    model = AdaptivePUClassifier(_first(), max_offset=0.1, random_state=0)
    model.fit(X, s, sample_weight=weights)
    assert model.route_ == "network"
    weighted = AdaptivePUClassifier(_first(), random_state=0)
    weighted.fit(X, s, sample_weight=weights)
    assert weighted.mixture_prior_ != fitted.mixture_prior_


def test_string_labels_and_pickle(cancer_pu, fitted):
    X, _, s = cancer_pu
    words = np.where(s == 1, "yes", "no")
    model = AdaptivePUClassifier(_first(), pos_label="yes", random_state=0)
    model.fit(X, words)
    assert set(model.predict(X)) <= {"yes", "no"}
    assert model.route_ == fitted.route_
    assert_array_equal(model.predict(X) == "yes", fitted.predict(X) == 1)
    again = pickle.loads(pickle.dumps(model))
    assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_bad_input_is_refused(cancer_pu):
    X, _, s = cancer_pu
    with pytest.raises(TypeError, match="must be a PseudoLabelPUClassifier"):
        AdaptivePUClassifier(LogisticRegression()).fit(X, s)
    with pytest.raises(ValueError, match="max_offset"):
        AdaptivePUClassifier(_first(), max_offset=0.0).fit(X, s)
    with pytest.raises(ValueError, match="n_estimators"):
        AdaptivePUClassifier(_first(), n_estimators=0).fit(X, s)
    with pytest.raises(ValueError, match="labelled|pos_label"):
        AdaptivePUClassifier(_first()).fit(X, np.zeros_like(s))


def test_inputs_are_left_alone(cancer_pu):
    X, _, s = cancer_pu
    X0, s0 = X.copy(), s.copy()
    first = _first()
    AdaptivePUClassifier(first, random_state=0).fit(X, s)
    assert_array_equal(X, X0)
    assert_array_equal(s, s0)
    assert not hasattr(first, "estimator_")


def _piped(**params):
    return PseudoLabelPUClassifier(
        make_pipeline(
            StandardScaler(),
            WeightedElkanNotoClassifier(
                LogisticRegression(C=0.1), cv=3, random_state=0, **params
            ),
        )
    )


def test_a_pipelines_final_step_gets_the_mixtures_prior(cancer_pu):
    X, y, s = cancer_pu
    model = AdaptivePUClassifier(_piped(), max_offset=50.0, random_state=0).fit(X, s)
    assert model.route_ == "mixture"
    step = model.estimator_.pu_estimator_[-1]
    assert step.class_prior == pytest.approx(model.mixture_prior_)
    given = AdaptivePUClassifier(
        _piped(class_prior=float(y.mean())), max_offset=50.0, random_state=0
    ).fit(X, s)
    assert given.route_ == "network"


def test_a_frozen_pu_classifier_keeps_its_prior(cancer_pu):
    X, _, s = cancer_pu
    fitted = _first().pu_estimator.fit(X, s)
    model = AdaptivePUClassifier(
        PseudoLabelPUClassifier(FrozenEstimator(fitted)),
        max_offset=50.0,
        random_state=0,
    ).fit(X, s)
    assert model.route_ == "network"
    assert np.isfinite(model.score_offset_)


def test_rows_of_zero_weight_count_as_absent(cancer_pu):
    X, _, s = cancer_pu
    keep = np.arange(len(s)) % 7 != 0
    weights = keep.astype(float)
    weighted = AdaptivePUClassifier(_first(), random_state=0)
    weighted.fit(X, s, sample_weight=weights)
    dropped = AdaptivePUClassifier(_first(), random_state=0)
    dropped.fit(X[keep], s[keep], sample_weight=weights[keep])
    # The first stage sees the zero-weight rows (its folds move), so the two
    # are close, not equal; the zero-weight rows themselves change nothing.
    assert weighted.route_ == dropped.route_ == "mixture"
    assert weighted.mixture_prior_ == pytest.approx(dropped.mixture_prior_, abs=0.02)
    assert weighted.score_offset_ == pytest.approx(dropped.score_offset_, abs=0.2)


def test_an_ignored_class_prior_does_not_block_the_mixture(cancer_pu):
    X, _, s = cancer_pu
    # With its own PU classifier and positives="predicted",
    # PseudoLabelPUClassifier ignores its class_prior.
    model = AdaptivePUClassifier(
        _first().set_params(class_prior=0.6), max_offset=50.0, random_state=0
    ).fit(X, s)
    assert model.route_ == "mixture"


def test_fit_parameters_reach_the_first_stage(cancer_pu):
    X, _, s = cancer_pu
    groups = np.arange(len(s)) % 5
    first = PseudoLabelPUClassifier(
        WeightedElkanNotoClassifier(
            LogisticRegression(C=0.1), cv=GroupKFold(3), random_state=0
        )
    )
    # Passed on, not refused here: the first stage hands them to both its
    # estimators, and its refit (a LogisticRegression) takes no groups, as it
    # would fitted alone.
    with pytest.raises(TypeError, match="LogisticRegression.fit"):
        AdaptivePUClassifier(first, random_state=0).fit(X, s, groups=groups)
    with pytest.raises(TypeError, match="LogisticRegression.fit"):
        clone(first).fit(X, s, groups=groups)


def _logit_of(stage, X):
    scores = np.clip(stage._pu_scores(X), 1e-6, 1 - 1e-6)
    return np.log(scores / (1 - scores))


def test_copies_join_the_mixture_and_the_refits_are_averaged(cancer_pu, fitted):
    X, y, s = cancer_pu
    model = AdaptivePUClassifier(_first(), n_estimators=3, random_state=0).fit(X, s)
    assert model.route_ == "mixture"
    assert len(model.estimators_) == 3
    assert model.estimator_ is model.estimators_[0]
    # The route is the single fit's: the copies only come after it.
    assert model.score_offset_ == pytest.approx(fitted.score_offset_)
    seeds = np.random.RandomState(0).randint(np.iinfo(np.int32).max, size=2)
    first = _first().fit(X, s)
    given = {"pu_estimator__class_prior": first.pu_estimator_.class_prior_}
    logits = [_logit_of(first, X)] + [
        _logit_of(_reseeded(first, seed).set_params(**given).fit(X, s), X)
        for seed in seeds
    ]
    mean_scores = 1 / (1 + np.exp(-np.mean(logits, axis=0)))
    share, _, _ = _score_mixture(mean_scores, s == 1, 0)
    assert model.mixture_prior_ == pytest.approx(share.mean())
    assert model.mixture_prior_ != pytest.approx(fitted.mixture_prior_)
    prior = {"pu_estimator__class_prior": model.mixture_prior_}
    refits = [_first().set_params(**prior)] + [
        _reseeded(_first(), seed).set_params(**prior) for seed in seeds
    ]
    probas = [refit.fit(X, s).predict_proba(X) for refit in refits]
    # Reseeding moved the copies' folds, so they differ.
    assert not np.allclose(probas[0], probas[1])
    assert_allclose(model.predict_proba(X), np.mean(probas, axis=0), atol=1e-9)
    assert model.class_prior_ == pytest.approx(
        np.mean([refit.class_prior_ for refit in refits])
    )
    assert model.score(X, y) > 0.85
    again = AdaptivePUClassifier(_first(), n_estimators=3, random_state=0).fit(X, s)
    assert_array_equal(again.predict_proba(X), model.predict_proba(X))


def test_the_other_routes_fit_once(cancer_pu):
    X, _, s = cancer_pu
    graph = AdaptivePUClassifier(
        _first(), max_offset=0.1, n_estimators=3, random_state=0
    ).fit(X, s)
    network = AdaptivePUClassifier(
        _first(), min_scale=1e6, n_estimators=3, random_state=0
    ).fit(X, s)
    assert (graph.route_, network.route_) == ("graph", "network")
    assert len(graph.estimators_) == len(network.estimators_) == 1


def test_reseeding_reaches_nested_seeds_and_leaves_the_original():
    piped = _piped()
    copy = _reseeded(piped, 7)
    seeds = {
        name: value
        for name, value in copy.get_params(deep=True).items()
        if name.endswith("random_state")
    }
    assert "pu_estimator__weightedelkannotoclassifier__random_state" in seeds
    assert set(seeds.values()) == {7}
    assert piped.pu_estimator[-1].random_state == 0


def test_unseeded_copies_fit(cancer_pu):
    X, _, s = cancer_pu
    model = AdaptivePUClassifier(_first(), n_estimators=2).fit(X, s)
    assert len(model.estimators_) == (2 if model.route_ == "mixture" else 1)
    assert np.isfinite(model.predict_proba(X)).all()


def test_copies_fit_in_parallel_alike(cancer_pu):
    X, _, s = cancer_pu
    serial = AdaptivePUClassifier(_first(), n_estimators=3, random_state=0)
    parallel = clone(serial).set_params(n_jobs=2)
    serial.fit(X, s)
    parallel.fit(X, s)
    assert parallel.mixture_prior_ == pytest.approx(serial.mixture_prior_)
    assert_allclose(parallel.predict_proba(X), serial.predict_proba(X))


def test_a_joblib_context_reaches_the_copies(cancer_pu, monkeypatch):
    from joblib import parallel_backend

    import skrobust.pu._adaptive as adaptive

    built = []

    class Recording(adaptive.Parallel):
        def __init__(self, *args, **kwargs):
            built.append(kwargs.get("n_jobs"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(adaptive, "Parallel", Recording)
    X, _, s = cancer_pu
    with parallel_backend("threading", n_jobs=2):
        model = AdaptivePUClassifier(_first(), n_estimators=3, random_state=0)
        model.fit(X, s)
    # n_jobs=None leaves the choice to the context: the two copies and the
    # three refits each went through joblib.
    assert model.route_ == "mixture"
    assert built == [None, None]
    built.clear()
    model.set_params(n_jobs=1).fit(X, s)
    assert built == []
