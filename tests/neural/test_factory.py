"""Tests of make_pu_classifier (skrobust.neural)."""

import pickle

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("skorch")

from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skrobust.datasets import make_pu_labels  # noqa: E402
from skrobust.neural import (  # noqa: E402
    PUNeuralNetClassifier,
    RobustNeuralNetClassifier,
    make_pu_classifier,
)
from skrobust.pu import (  # noqa: E402
    AdaptivePUClassifier,
    ClassPriorEstimator,
    MedianPriorEstimator,
    PseudoLabelPUClassifier,
)
from skrobust.pu._adaptive import _reseeded, _score_mixture  # noqa: E402


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    return (
        X_train,
        X_test,
        y_train,
        y_test,
        make_pu_labels(y_train, 0.3, random_state=0),
    )


@pytest.fixture(scope="module")
def fitted(cancer):
    X_train, _, _, _, s = cancer
    return make_pu_classifier(random_state=0).fit(X_train, s)


def _written_out(seed):
    """The benchmark's seventh default, composed by hand (benchmarks/bench_pu.py).

    The fourth with its prior's forest and extra trees scored out of bag (and
    the forest's trees grown on at most 4000 rows, which breast cancer does not
    reach).
    """
    trees = {
        "n_estimators": 100,
        "min_samples_leaf": 3,
        "bootstrap": True,
        "random_state": seed,
    }
    median = MedianPriorEstimator(
        [
            ClassPriorEstimator(method, estimator=base, cv=cv, random_state=seed)
            for method in ("dedpul", "bbe")
            for base, cv in (
                (LogisticRegression(max_iter=1000, random_state=seed), 5),
                (RandomForestClassifier(**trees), "oob"),
                (ExtraTreesClassifier(**trees), "oob"),
            )
        ]
    )
    return PseudoLabelPUClassifier(
        PUNeuralNetClassifier(
            prior_method=median, module__dropout=0.5, random_state=seed
        ),
        RobustNeuralNetClassifier(
            criterion="ce", module__dropout=0.5, max_epochs=50, random_state=seed
        ),
    )


def test_it_is_the_benchmarks_recommended_default(cancer, fitted):
    X_train, X_test, _, y_test, s = cancer
    assert isinstance(fitted, AdaptivePUClassifier)
    assert fitted.n_estimators == 5
    # The seventh default by hand; its network's scores fall into two groups
    # here, and the labelled rows look like the upper one.
    seventh = _written_out(0).fit(X_train, s)
    _, offset, _ = _score_mixture(_clipped(seventh._pu_scores(X_train)), s == 1, 0)
    assert fitted.route_ == "mixture"
    assert fitted.score_offset_ == pytest.approx(offset)
    assert abs(fitted.score_offset_) <= 1.0
    # Four copies of it, reseeded and given its prior, add their log-odds to
    # the mixture; five refits with the mixture's prior average their
    # probabilities.
    seeds = np.random.RandomState(0).randint(np.iinfo(np.int32).max, size=4)
    given = {"pu_estimator__class_prior": seventh.pu_estimator_.class_prior_}
    logits = [_logit(seventh._pu_scores(X_train))] + [
        _logit(
            _reseeded(seventh, seed)
            .set_params(**given)
            .fit(X_train, s)
            ._pu_scores(X_train)
        )
        for seed in seeds
    ]
    mean_scores = 1 / (1 + np.exp(-np.mean(logits, axis=0)))
    share, _, _ = _score_mixture(mean_scores, s == 1, 0)
    assert fitted.mixture_prior_ == pytest.approx(share.mean())
    prior = {"pu_estimator__class_prior": fitted.mixture_prior_}
    refits = [_written_out(0).set_params(**prior)] + [
        _reseeded(_written_out(0), seed).set_params(**prior) for seed in seeds
    ]
    by_hand = np.mean(
        [refit.fit(X_train, s).predict_proba(X_test) for refit in refits], axis=0
    )
    assert_allclose(fitted.predict_proba(X_test), by_hand, rtol=1e-6)
    assert len(fitted.estimators_) == 5
    # Measured 0.923 (0.916 with n_estimators=1) against 0.371 for
    # predicting the majority of s (0).
    assert fitted.score(X_test, y_test) > 0.9


def _clipped(scores):
    return np.clip(scores, 1e-6, 1 - 1e-6)


def _logit(scores):
    scores = _clipped(scores)
    return np.log(scores / (1 - scores))


def test_parameters_reach_both_networks_and_the_prior():
    model = make_pu_classifier(
        class_prior=0.4, pos_label="yes", device="meta", n_jobs=2, random_state=5
    )
    first = model.estimator
    net, refit = first.pu_estimator, first.estimator
    assert model.pos_label == first.pos_label == "yes"
    assert model.random_state == 5
    assert (model.n_estimators, model.n_jobs) == (5, 2)
    assert net.class_prior == 0.4
    assert net.device == refit.device == "meta"
    assert net.random_state == refit.random_state == 5
    assert (
        net.prior_method.get_params()
        == MedianPriorEstimator(n_jobs=2, random_state=5).get_params()
    )
    # The nested names a search tunes exist.
    model.set_params(
        estimator__estimator__max_epochs=7,
        estimator__pu_estimator__module__dropout=0.2,
        max_offset=0.5,
    )
    assert clone(model).estimator.estimator.max_epochs == 7


def test_given_prior_and_string_labels(cancer):
    X_train, X_test, y_train, y_test, s = cancer
    words = np.where(s == 1, "yes", "no")
    model = make_pu_classifier(
        class_prior=float(y_train.mean()), pos_label="yes", random_state=0
    ).fit(X_train, words)
    # The given prior stands: no mixture replaces it, and no estimate ran.
    assert model.route_ in ("network", "graph")
    network = model.estimator_.pu_estimator_
    assert network.class_prior_ == pytest.approx(y_train.mean())
    assert not hasattr(network.prior_method, "class_prior_")
    predicted = model.predict(X_test)
    assert set(predicted) <= {"yes", "no"}
    assert np.mean((predicted == "yes") == (y_test == 1)) > 0.9


def test_same_seed_same_model_and_pickle_round_trip(cancer, fitted):
    X_train, X_test, _, _, s = cancer
    reloaded = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(reloaded.predict_proba(X_test), fitted.predict_proba(X_test))
    # random_state=None seeds nothing: still a working model.
    other = make_pu_classifier(n_jobs=2).fit(X_train, s)
    assert 0.0 < other.class_prior_ < 1.0


def test_weights_reach_every_part_with_or_without_routing(cancer, fitted):
    import sklearn

    X_train, X_test, _, _, s = cancer
    weights = np.linspace(0.5, 1.5, len(s))
    plain = make_pu_classifier(random_state=0).fit(X_train, s, sample_weight=weights)
    # The weights moved the mixture's prior (and so the model).
    assert plain.mixture_prior_ != fitted.mixture_prior_
    with sklearn.config_context(enable_metadata_routing=True):
        model = make_pu_classifier(random_state=0)
        model.estimator.pu_estimator.set_fit_request(sample_weight=True)
        model.estimator.estimator.set_fit_request(sample_weight=True)
        # The median's members are built inside it and ask for the weights
        # themselves: the user holds none of them.
        model.fit(X_train, s, sample_weight=weights)
    assert model.mixture_prior_ == plain.mixture_prior_
    assert_allclose(model.predict_proba(X_test), plain.predict_proba(X_test))
