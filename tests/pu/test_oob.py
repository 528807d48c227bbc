"""Tests of out-of-bag scores for the score-based prior estimates (cv="oob")."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from skrobust.pu import (
    BaggingPUClassifier,
    ClassPriorEstimator,
    ElkanNotoClassifier,
    MedianPriorEstimator,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)


def _forest(**params):
    return RandomForestClassifier(
        n_estimators=50, min_samples_leaf=3, random_state=0, **params
    )


class _CountingForest(RandomForestClassifier):
    calls = []

    def fit(self, X, y, sample_weight=None):
        _CountingForest.calls.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize(
    "base",
    [
        _forest(),
        ExtraTreesClassifier(n_estimators=50, bootstrap=True, random_state=0),
        BaggingClassifier(DecisionTreeClassifier(), n_estimators=50, random_state=0),
    ],
    ids=["forest", "extra-trees", "bagging"],
)
def test_oob_scores_are_the_ensembles_own(cancer_pu, base):
    X, _, s = cancer_pu
    model = ClassPriorEstimator("dedpul", estimator=base, cv="oob").fit(X, s)
    by_hand = clone(base).set_params(oob_score=True).fit(X, s)
    assert_allclose(model.pred_proba_, by_hand.oob_decision_function_[:, 1])
    # Out of sample: the labelled rows are not all scored near 1, as in-sample
    # scores of a forest would be.
    in_sample = by_hand.predict_proba(X)[:, 1]
    assert model.pred_proba_[s == 1].mean() < in_sample[s == 1].mean() - 0.1


def test_oob_prior_recovers_the_prior_with_one_fit(cancer_pu):
    X, y, s = cancer_pu
    _CountingForest.calls.clear()
    oob = ClassPriorEstimator(
        "dedpul",
        estimator=_CountingForest(n_estimators=100, min_samples_leaf=3, random_state=0),
        cv="oob",
    ).fit(X, s)
    assert len(_CountingForest.calls) == 1
    # Measured 0.586 against the true 0.627 (a 5-fold cross-fit of the same
    # forest: 0.498).
    assert abs(oob.class_prior_ - y.mean()) < 0.05
    assert oob.label_frequency_ == pytest.approx(s.mean() / oob.class_prior_)


def test_oob_weights_reach_the_ensemble(cancer_pu):
    X, _, s = cancer_pu
    weight = np.where(np.arange(len(s)) % 3 == 0, 2.0, 1.0)
    model = ClassPriorEstimator("bbe", estimator=_forest(), cv="oob")
    model.fit(X, s, sample_weight=weight)
    by_hand = _forest(oob_score=True).fit(X, s, sample_weight=weight)
    assert_allclose(model.pred_proba_, by_hand.oob_decision_function_[:, 1])
    unweighted = ClassPriorEstimator("bbe", estimator=_forest(), cv="oob").fit(X, s)
    assert not np.allclose(model.pred_proba_, unweighted.pred_proba_)


def test_oob_reads_the_labelled_column_whatever_pos_label(cancer_pu):
    X, _, s = cancer_pu
    text = np.where(s == 1, "labelled", "unlabelled")
    as_text = ClassPriorEstimator(
        estimator=_forest(), cv="oob", pos_label="labelled"
    ).fit(X, text)
    as_int = ClassPriorEstimator(estimator=_forest(), cv="oob").fit(X, s)
    assert_array_equal(as_text.pred_proba_, as_int.pred_proba_)
    assert as_text.class_prior_ == as_int.class_prior_


def test_oob_members_over_one_forest_share_one_fit(cancer_pu):
    X, _, s = cancer_pu
    members = [
        ClassPriorEstimator(
            method,
            estimator=_CountingForest(n_estimators=30, random_state=0),
            cv="oob",
            random_state=0,
        )
        for method in ("dedpul", "bbe")
    ]
    _CountingForest.calls.clear()
    shared = MedianPriorEstimator(members).fit(X, s)
    assert len(_CountingForest.calls) == 1
    alone = [clone(m).fit(X, s) for m in members]
    assert_array_equal(shared.class_priors_, [m.class_prior_ for m in alone])


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (LogisticRegression(), "needs a bagged ensemble.*got LogisticRegression"),
        (ExtraTreesClassifier(n_estimators=5), "needs bootstrap=True"),
    ],
    ids=["not-bagged", "no-bootstrap"],
)
def test_oob_errors_say_what_is_missing(cancer_pu, base, message):
    X, _, s = cancer_pu
    with pytest.raises(ValueError, match=f"cv='oob'.*{message}|{message}"):
        ClassPriorEstimator(estimator=base, cv="oob").fit(X, s)


def test_oob_is_refused_for_other_strings(cancer_pu):
    X, _, s = cancer_pu
    with pytest.raises(ValueError, match="cv"):
        ClassPriorEstimator(estimator=_forest(), cv="bootstrap").fit(X, s)


def test_oob_leaves_the_inputs_and_the_estimator_alone(cancer_pu):
    X, _, s = cancer_pu
    X0, s0, base = X.copy(), s.copy(), _forest()
    ClassPriorEstimator(estimator=base, cv="oob").fit(X, s)
    assert_array_equal(X, X0)
    assert_array_equal(s, s0)
    assert base.get_params()["oob_score"] is False
    assert not hasattr(base, "estimators_")


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
def test_rows_in_every_bootstrap_are_scored_by_a_fit_on_the_others(cancer_pu):
    X, _, s = cancer_pu
    few = _forest().set_params(n_estimators=2)
    model = ClassPriorEstimator(estimator=few, cv="oob").fit(X, s)
    fitted = clone(few).fit(X, s)
    in_bag = np.ones(len(s), dtype=bool)
    for rows in fitted.estimators_samples_:
        in_this = np.zeros(len(s), dtype=bool)
        in_this[rows] = True
        in_bag &= in_this
    assert 0.2 < in_bag.mean() < 0.6  # two bootstraps: about 40 % in both
    others = clone(few).fit(X[~in_bag], s[~in_bag])
    assert_allclose(model.pred_proba_[in_bag], others.predict_proba(X[in_bag])[:, 1])
    by_hand = clone(few).set_params(oob_score=True).fit(X, s)
    assert_allclose(
        model.pred_proba_[~in_bag], by_hand.oob_decision_function_[~in_bag, 1]
    )


def test_heavily_weighted_rows_still_get_a_score(cancer_pu):
    # From scikit-learn 1.9 forests draw bootstraps in proportion to the
    # weights, so a row of weight 50 is in every bootstrap; before, the draws
    # ignore the weights. Either way every row gets a score and the prior fits.
    X, y, s = cancer_pu
    weight = np.ones(len(s))
    weight[np.flatnonzero(s == 1)[:5]] = 50.0
    model = MedianPriorEstimator(random_state=0).fit(X, s, sample_weight=weight)
    for member in model.estimators_:
        assert np.isfinite(member.pred_proba_).all()
        assert ((member.pred_proba_ >= 0) & (member.pred_proba_ <= 1)).all()
    assert 0 < model.class_prior_ <= 1


def test_a_single_labelled_row_is_refused_out_of_bag_too(cancer_pu):
    X, _, s = cancer_pu
    one = np.zeros_like(s)
    one[np.flatnonzero(s == 1)[0]] = 1
    with pytest.raises(ValueError, match="single labelled positive, and no cv"):
        ClassPriorEstimator(estimator=_forest(), cv="oob").fit(X, one)


def test_no_fit_on_the_other_rows_without_a_labelled_one(cancer_pu):
    X, _, s = cancer_pu
    two = np.zeros_like(s)
    two[np.flatnonzero(s == 1)[:2]] = 1
    # One tree: find a seed whose bootstrap draws both labelled rows.
    for seed in range(200):
        tree = RandomForestClassifier(n_estimators=1, random_state=seed)
        if np.isin(
            np.flatnonzero(two), clone(tree).fit(X, two).estimators_samples_[0]
        ).all():
            break
    else:
        pytest.fail("no seed drew both labelled rows")
    with pytest.raises(ValueError, match="hold no labelled positive to score them"):
        ClassPriorEstimator(estimator=tree, cv="oob").fit(X, two)


def test_oob_scores_need_no_warning_filter(cancer_pu):
    # Two trees leave some rows in both bootstraps: scikit-learn's own
    # oob_score warns about them; reading the members directly needs neither
    # the warning nor a filter for it (filters are process-wide, so a filter
    # set inside a thread would leak into the user's code).
    X, _, s = cancer_pu
    filters = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ClassPriorEstimator(
            estimator=_forest().set_params(n_estimators=2), cv="oob"
        ).fit(X, s)
    assert np.isfinite(model.pred_proba_).all()
    assert warnings.filters == filters


def test_oob_keeps_the_users_settings_on_the_fit(cancer_pu):
    X, _, s = cancer_pu
    model = ElkanNotoClassifier(_forest(), cv="oob").fit(X, s)
    # The scores are read off the members, so oob_score stays as given.
    assert model.estimator_.get_params()["oob_score"] is False


def test_elkan_noto_out_of_bag_is_one_fit_and_keeps_it(cancer_pu):
    X, y, s = cancer_pu
    base = _CountingForest(n_estimators=100, min_samples_leaf=3, random_state=0)
    _CountingForest.calls.clear()
    model = ElkanNotoClassifier(base, cv="oob").fit(X, s)
    assert _CountingForest.calls == [len(s)]
    prior = ClassPriorEstimator("dedpul", estimator=clone(base), cv="oob").fit(X, s)
    assert model.class_prior_ == pytest.approx(prior.class_prior_)
    # The kept fit is the forest on every row, as a separate final fit would be.
    refit = clone(base).fit(X, s)
    assert_allclose(model.estimator_.predict_proba(X), refit.predict_proba(X))
    # Measured 0.949 (a 5-fold cross-fit of the same forest: 0.947).
    assert model.score(X, y) > 0.9


def test_elkan_noto_given_the_prior_fits_once_without_scores(cancer_pu):
    X, y, s = cancer_pu
    _CountingForest.calls.clear()
    ElkanNotoClassifier(
        _CountingForest(n_estimators=20, random_state=0), class_prior=y.mean(), cv="oob"
    ).fit(X, s)
    assert _CountingForest.calls == [len(s)]


@pytest.mark.parametrize(
    "make",
    [
        lambda base: WeightedElkanNotoClassifier(base, max_iter=1, cv="oob"),
        lambda base: UnbiasedPUClassifier(base, cv="oob"),
        lambda base: BaggingPUClassifier(
            base, n_estimators=3, cv="oob", random_state=0
        ),
    ],
    ids=["weighted", "unbiased", "bagging"],
)
def test_pu_classifiers_read_their_prior_out_of_bag(cancer_pu, make):
    X, y, s = cancer_pu
    base = _forest()
    model = make(base).fit(X, s)
    prior = ClassPriorEstimator("dedpul", estimator=base, cv="oob").fit(X, s)
    assert model.class_prior_ == pytest.approx(prior.class_prior_)
    # The forest fitted on s (unlabelled = negative) scores 0.55 here; the
    # forest under the unbiased risk, the weakest of the three, 0.67.
    assert model.score(X, y) > 0.6
    again = pickle.loads(pickle.dumps(model))
    assert_array_equal(again.predict(X), model.predict(X))


def test_pu_classifiers_refuse_oob_over_a_plain_base(cancer_pu):
    X, _, s = cancer_pu
    with pytest.raises(ValueError, match="needs a bagged ensemble.*LogisticRegression"):
        ElkanNotoClassifier(cv="oob").fit(X, s)
    with pytest.raises(ValueError, match="cv"):
        ElkanNotoClassifier(_forest(), cv="bag").fit(X, s)


def test_oob_counts_votes_of_members_without_probabilities(cancer_pu):
    # A bagged Perceptron has no predict_proba: each member votes, as in
    # scikit-learn's own out-of-bag scores.
    X, _, s = cancer_pu
    bag = BaggingClassifier(Perceptron(random_state=0), n_estimators=20, random_state=0)
    model = ClassPriorEstimator(estimator=bag, cv="oob").fit(X, s)
    by_hand = clone(bag).set_params(oob_score=True).fit(X, s)
    assert_allclose(model.pred_proba_, by_hand.oob_decision_function_[:, 1])


def test_oob_over_a_dataframe_matches_the_array_without_warnings(cancer_pu):
    pd = pytest.importorskip("pandas")
    X, _, s = cancer_pu
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    # The trees learnt from arrays: asked about a DataFrame's slices, each
    # would warn that it was fitted without feature names.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        named = ClassPriorEstimator(estimator=_forest(), cv="oob").fit(frame, s)
    plain = ClassPriorEstimator(estimator=_forest(), cv="oob").fit(X, s)
    assert_array_equal(named.pred_proba_, plain.pred_proba_)


def test_a_member_that_saw_one_class_scores_the_other_zero(cancer_pu):
    # Two-row draws: most members see one class only. Each row's score is the
    # mean over the members that left it out of P(label 1), 0 from a member
    # that never saw a labelled row.
    X, _, s = cancer_pu
    bag = BaggingClassifier(
        KNeighborsClassifier(1), n_estimators=30, max_samples=2, random_state=0
    )
    model = ClassPriorEstimator(estimator=bag, cv="oob").fit(X, s)
    fitted = clone(bag).fit(X, s)
    one_class = [len(member.classes_) == 1 for member in fitted.estimators_]
    assert any(one_class) and not all(one_class)
    expected = np.zeros(len(s))
    counts = np.zeros(len(s))
    for member, drawn in zip(
        fitted.estimators_, fitted.estimators_samples_, strict=True
    ):
        out = np.setdiff1d(np.arange(len(s)), drawn)
        if 1 in member.classes_:
            expected[out] += member.predict_proba(X[out])[
                :, list(member.classes_).index(1)
            ]
        counts[out] += 1
    assert_allclose(model.pred_proba_, expected / counts)
