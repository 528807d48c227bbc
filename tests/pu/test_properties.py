"""Hypothesis properties of the PU classifiers and prior estimators."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from skrobust.pu import (
    BaggingPUClassifier,
    ElkanNotoClassifier,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
    estimate_label_frequency,
)
from skrobust.testing.strategies import pu_problems

CLASSIFIERS = [
    ElkanNotoClassifier,
    WeightedElkanNotoClassifier,
    UnbiasedPUClassifier,
    BaggingPUClassifier,
]
_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("cls", CLASSIFIERS, ids=lambda c: c.__name__)
@_SETTINGS
@given(problem=pu_problems(n_samples=60))
def test_predict_proba_is_a_distribution_and_inputs_stay_unchanged(cls, problem):
    # Two folds need two labelled positives; fewer gets a clear error (tested in
    # test_classifiers.py).
    assume(np.sum(problem.s == problem.pos_label) >= 2)
    X, s = problem.X.copy(), problem.s.copy()
    params = {"n_estimators": 3} if cls is BaggingPUClassifier else {}
    # cv=2: small draws may hold only a few labelled positives.
    model = cls(cv=2, random_state=0, **params).fit(problem.X, problem.s)
    proba = model.predict_proba(problem.X)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(problem.X)) <= set(model.classes_)
    # The estimate is consistent with the labelled fraction, whatever it is.
    fraction = np.mean(problem.s == problem.pos_label)
    assert model.class_prior_ * model.label_frequency_ == pytest.approx(fraction)
    assert fraction <= model.class_prior_ < 1
    np.testing.assert_array_equal(problem.X, X)
    np.testing.assert_array_equal(problem.s, s)


@pytest.mark.parametrize("method", ["e1", "e2", "e3", "dedpul", "bbe"])
@_SETTINGS
@given(problem=pu_problems())
def test_score_estimates_pair_prior_and_frequency(method, problem):
    rng = np.random.RandomState(0)
    scores = rng.uniform(size=problem.s.shape[0])
    estimate = estimate_label_frequency(problem.s, scores, method=method)
    fraction = np.mean(problem.s == problem.pos_label)
    assert 0 < estimate.label_frequency <= 1
    assert estimate.class_prior * estimate.label_frequency == pytest.approx(fraction)
    assert fraction <= estimate.class_prior < 1


@_SETTINGS
@given(problem=pu_problems())
def test_e1_and_e2_read_the_label_frequency_off_exact_scores(problem):
    # Scores equal to the true P(s = 1 | x) = c [y = 1]: e1 (the labelled rows'
    # mean score) and e2 (their share of all score mass) give c and the prior
    # back, which no clipping of a wrong estimate would.
    positive = problem.y == problem.pos_label
    labelled = problem.s == problem.pos_label
    c = labelled.sum() / positive.sum()
    scores = np.where(positive, c, 0.0)
    for method in ("e1", "e2"):
        estimate = estimate_label_frequency(
            problem.s, scores, method=method, pos_label=problem.pos_label
        )
        assert estimate.label_frequency == pytest.approx(c), method
        assert estimate.class_prior == pytest.approx(positive.mean()), method


@pytest.mark.parametrize(
    "cls", [ElkanNotoClassifier, BaggingPUClassifier], ids=lambda c: c.__name__
)
@_SETTINGS
@given(problem=pu_problems(n_samples=60))
def test_matched_posteriors_average_to_the_prior(cls, problem):
    # match_prior: whatever the base's calibration, the posteriors' mean over
    # the training rows is the prior in use (here the true share of positives,
    # given, so the property does not hang on an estimate).
    params = {"n_estimators": 3} if cls is BaggingPUClassifier else {}
    prior = float(np.mean(problem.y == 1))
    fraction = np.mean(problem.s == problem.pos_label)
    assume(prior > fraction + 0.02)  # c < 1: there is something to match
    model = cls(class_prior=prior, random_state=0, **params).fit(problem.X, problem.s)
    column = list(model.classes_).index(problem.pos_label)
    mean = model.predict_proba(problem.X)[:, column].mean()
    # Posteriors at the clip (1 - 1e-9 in logit space) can hold the mean a
    # hair off when the base is extremely confident.
    assert mean == pytest.approx(prior, abs=1e-6)
