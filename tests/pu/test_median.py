"""Tests of MedianPriorEstimator."""

import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skrobust.datasets import make_pu_labels
from skrobust.pu import (
    ClassPriorEstimator,
    ElkanNotoClassifier,
    MedianPriorEstimator,
    UnbiasedPUClassifier,
)
from skrobust.pu._median import _cross_fit_leaders
from skrobust.utils import SmallClassWarning


class _FixedPrior(BaseEstimator):
    """Reports a fixed prior; c follows from the labelled fraction."""

    def __init__(self, prior=0.5):
        self.prior = prior

    def fit(self, X, y, sample_weight=None):
        self.seen_weight_ = sample_weight
        self.class_prior_ = self.prior
        self.label_frequency_ = np.mean(np.asarray(y) == 1) / self.prior
        return self


def test_the_prior_is_the_median_and_c_keeps_the_labelled_fraction(cancer_pu):
    X, y, s = cancer_pu
    model = MedianPriorEstimator(
        [_FixedPrior(0.7), _FixedPrior(0.5), _FixedPrior(0.9)]
    ).fit(X, s)
    assert_array_equal(model.class_priors_, [0.7, 0.5, 0.9])
    assert model.class_prior_ == 0.7
    assert_allclose(model.class_prior_ * model.label_frequency_, np.mean(s == 1))
    even = MedianPriorEstimator([_FixedPrior(0.6), _FixedPrior(0.8)]).fit(X, s)
    assert_allclose(even.class_prior_, 0.7)


def test_label_frequency_is_at_most_one(cancer_pu):
    X, y, s = cancer_pu
    low = MedianPriorEstimator([_FixedPrior(0.05)] * 3).fit(X, s[:])
    # 0.05 is below the labelled fraction (0.19), so c would exceed 1.
    assert low.label_frequency_ == 1.0


def test_real_estimators_recover_the_prior_and_are_cloned(cancer_pu):
    X, y, s = cancer_pu
    members = [
        ClassPriorEstimator(random_state=0),
        ClassPriorEstimator("e1", random_state=0),
        ClassPriorEstimator("tice", random_state=0),
    ]
    model = MedianPriorEstimator(members, n_jobs=2).fit(X, s)
    assert all(not hasattr(member, "class_prior_") for member in members)
    # Measured 0.592 (the median of 0.592, 0.635 and 0.555) against 0.627.
    assert abs(model.class_prior_ - y.mean()) < 0.05
    sequential = MedianPriorEstimator(members).fit(X, s)
    assert_array_equal(model.class_priors_, sequential.class_priors_)
    reloaded = pickle.loads(pickle.dumps(model))
    assert reloaded.class_prior_ == model.class_prior_


def test_fit_params_reach_every_estimator_or_what_they_request(cancer_pu):
    X, y, s = cancer_pu
    weights = np.linspace(0.5, 1.5, len(s))
    model = MedianPriorEstimator([_FixedPrior(), _FixedPrior()])
    model.fit(X, s, sample_weight=weights)
    assert all(fitted.seen_weight_ is weights for fitted in model.estimators_)
    with sklearn.config_context(enable_metadata_routing=True):
        model = MedianPriorEstimator(
            [
                _FixedPrior().set_fit_request(sample_weight=True),
                _FixedPrior().set_fit_request(sample_weight=False),
            ]
        ).fit(X, s, sample_weight=weights)
    assert_array_equal(model.estimators_[0].seen_weight_, weights)
    assert model.estimators_[1].seen_weight_ is None


def test_bad_estimators_are_named(cancer_pu):
    X, y, s = cancer_pu
    with pytest.raises(ValueError, match="at least one prior estimator"):
        MedianPriorEstimator([]).fit(X, s)
    with pytest.raises(TypeError, match=r"estimators\[1\] must be a prior estimator"):
        MedianPriorEstimator([_FixedPrior(), "dedpul"]).fit(X, s)
    with pytest.raises(TypeError, match=r"estimators\[0\] \(StandardScaler\) set no"):
        MedianPriorEstimator([StandardScaler()]).fit(X, s)
    with pytest.raises(ValueError, match="estimators"):
        MedianPriorEstimator(_FixedPrior()).fit(X, s)


def test_label_frequency_does_not_depend_on_member_order(cancer_pu):
    X, y, s = cancer_pu
    weights = np.where(s == 1, 3.0, 1.0)
    methods = ["dedpul", "tice", "e1"]
    fits = [
        MedianPriorEstimator(
            [ClassPriorEstimator(m, cv=3, random_state=0) for m in order]
        ).fit(X, s, sample_weight=weights)
        for order in (methods, methods[::-1])
    ]
    assert fits[0].class_prior_ == fits[1].class_prior_
    assert fits[0].label_frequency_ == fits[1].label_frequency_
    # Before, c pi came from the first member: weighted for DEDPUL, unweighted
    # for TIcE. It is now the weighted labelled fraction of y.
    weighted = weights[s == 1].sum() / weights.sum()
    assert_allclose(fits[0].class_prior_ * fits[0].label_frequency_, weighted)


def test_members_must_share_one_pos_label_and_a_valid_prior(cancer_pu):
    X, y, s = cancer_pu
    mixed = [ClassPriorEstimator("e1", pos_label=0), ClassPriorEstimator("e1")]
    with pytest.raises(
        ValueError, match=r"one pos_label; got pos_label values \[0, 1\]"
    ):
        MedianPriorEstimator(mixed).fit(X, s)
    with pytest.raises(ValueError, match=r"estimators\[1\] \(_FixedPrior\) estimated"):
        MedianPriorEstimator([_FixedPrior(), _FixedPrior(np.nan)]).fit(X, s)


class _CountingLogistic(LogisticRegression):
    """A logistic regression that counts its fits in a shared list."""

    calls = []

    def fit(self, X, y, sample_weight=None):
        _CountingLogistic.calls.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_score_methods_over_one_base_share_one_cross_fit(cancer_pu):
    X, _, s = cancer_pu
    weight = np.where(np.arange(len(s)) % 4 == 0, 2.0, 1.0)
    members = [
        ClassPriorEstimator(
            method, estimator=_CountingLogistic(random_state=0), random_state=0
        )
        for method in ("dedpul", "bbe", "e1")
    ]
    _CountingLogistic.calls.clear()
    shared = MedianPriorEstimator(members).fit(X, s, sample_weight=weight)
    n_shared = len(_CountingLogistic.calls)
    _CountingLogistic.calls.clear()
    alone = [clone(m).fit(X, s, sample_weight=weight) for m in members]
    # One cross-fit instead of three, and the very same estimates.
    assert n_shared * 3 == len(_CountingLogistic.calls)
    assert_array_equal(shared.class_priors_, [m.class_prior_ for m in alone])
    assert_array_equal(shared.estimators_[1].pred_proba_, alone[1].pred_proba_)


def test_shared_cross_fit_reads_weights_routed_under_an_alias(cancer_pu):
    """The members reading a shared cross-fit weigh their means as its leader."""
    X, _, s = cancer_pu
    weight = np.where(np.arange(len(s)) % 4 == 0, 3.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        members = [
            ClassPriorEstimator(
                method,
                estimator=LogisticRegression(
                    max_iter=1000, random_state=0
                ).set_fit_request(sample_weight="w"),
                random_state=0,
            )
            for method in ("dedpul", "bbe", "e1")
        ]
        shared = MedianPriorEstimator(members).fit(X, s, w=weight)
        alone = [clone(m).fit(X, s, w=weight) for m in members]
        plain = [clone(m).fit(X, s) for m in members]
    assert_allclose(shared.class_priors_, [m.class_prior_ for m in alone])
    assert not np.allclose(shared.class_priors_, [m.class_prior_ for m in plain])
    # c pi is the weighted labelled fraction, as with weights given by name.
    fraction = np.sum(weight * (s == 1)) / np.sum(weight)
    assert shared.label_frequency_ * shared.class_prior_ == pytest.approx(fraction)


def test_only_seeded_score_members_with_equal_fit_params_share():
    leaders = _cross_fit_leaders(
        [
            ClassPriorEstimator("dedpul", random_state=0),
            ClassPriorEstimator("bbe", random_state=0),
            ClassPriorEstimator("bbe"),  # unseeded folds differ per fit
            ClassPriorEstimator("bbe", random_state=1),  # other folds
            ClassPriorEstimator("tice", random_state=0),  # reads the features
            ClassPriorEstimator("e1", random_state=0),
        ],
        [{}, {}, {}, {}, {}, {"sample_weight": np.ones(3)}],
    )
    assert leaders == [0, 0, 2, 3, 4, 5]
    # A classifier or splitter drawing from an unseeded generator would give
    # each separate fit other scores: no sharing.
    for options in (
        {"estimator": RandomForestClassifier(10)},
        {"cv": KFold(3, shuffle=True)},
        {"cv": list(KFold(3).split(np.zeros((9, 1))))},
    ):
        members = [
            ClassPriorEstimator(m, random_state=0, **options) for m in ("e1", "bbe")
        ]
        assert _cross_fit_leaders(members, [{}, {}]) == [0, 1], options
    forest = RandomForestClassifier(10, random_state=0)
    members = [
        ClassPriorEstimator(m, estimator=forest, cv=KFold(3), random_state=0)
        for m in ("e1", "bbe")
    ]
    assert _cross_fit_leaders(members, [{}, {}]) == [0, 0]


def test_members_that_cannot_be_hashed_are_fitted_alone(cancer_pu):
    X, _, s = cancer_pu
    # A lambda cannot be pickled, so it cannot be hashed either.
    base = make_pipeline(FunctionTransformer(lambda z: z), LogisticRegression())
    members = [
        ClassPriorEstimator(m, estimator=base, random_state=0) for m in ("dedpul", "e1")
    ]
    model = MedianPriorEstimator(members).fit(X, s)
    alone = [clone(m).fit(X, s).class_prior_ for m in members]
    assert_array_equal(model.class_priors_, alone)


def _six_members(seed, pos_label=1, n_jobs=None):
    """The default members, written out: DEDPUL, then BBE, each over a
    logistic regression cross-fitted over 5 folds, and a random forest and
    extra trees scored out of bag."""
    from sklearn.ensemble import ExtraTreesClassifier

    trees = {
        "n_estimators": 100,
        "min_samples_leaf": 3,
        "bootstrap": True,
        "random_state": seed,
        "n_jobs": n_jobs,
    }
    return [
        ClassPriorEstimator(
            method, estimator=base, pos_label=pos_label, cv=cv, random_state=seed
        )
        for method in ("dedpul", "bbe")
        for base, cv in (
            (LogisticRegression(max_iter=1000, random_state=seed), 5),
            (RandomForestClassifier(**trees), "oob"),
            (ExtraTreesClassifier(**trees), "oob"),
        )
    ]


def test_default_members_are_the_six_written_out(cancer_pu):
    X, y, s = cancer_pu
    model = MedianPriorEstimator(random_state=3).fit(X, s)
    explicit = MedianPriorEstimator(_six_members(3)).fit(X, s)
    assert_array_equal(model.class_priors_, explicit.class_priors_)
    assert model.class_prior_ == explicit.class_prior_
    assert [m.method for m in model.estimators_] == ["dedpul"] * 3 + ["bbe"] * 3
    # Three cross-fits, each shared by DEDPUL and BBE over one classifier.
    assert _cross_fit_leaders(model._members(3), [{}] * 6) == [0, 1, 2, 0, 1, 2]
    for dedpul, bbe in zip(model.estimators_[:3], model.estimators_[3:], strict=True):
        assert dedpul.pred_proba_ is bbe.pred_proba_ or np.array_equal(
            dedpul.pred_proba_, bbe.pred_proba_
        )
    # Measured 0.592 against 0.627 with random_state=0; any seed lands near.
    assert abs(model.class_prior_ - y.mean()) < 0.08
    assert model.estimators is None  # fit leaves the parameter alone


def test_default_members_follow_random_state_and_n_jobs(cancer_pu):
    X, y, s = cancer_pu
    first = MedianPriorEstimator(random_state=0).fit(X, s)
    again = MedianPriorEstimator(random_state=0, n_jobs=2).fit(X, s)
    # The trees, and so the prior, do not depend on the jobs that grow them
    # (the forests' votes are summed in another order: 1e-15 apart).
    assert_allclose(first.class_priors_, again.class_priors_, rtol=1e-12)
    assert all(
        m.estimator.n_jobs == 2
        for m in again.estimators_
        if not isinstance(m.estimator, LogisticRegression)
    )
    # A generator is drawn from at each fit; the same draw gives the same prior.
    rng = np.random.RandomState(7)
    one = MedianPriorEstimator(random_state=rng).fit(X, s).class_priors_
    two = MedianPriorEstimator(random_state=rng).fit(X, s).class_priors_
    assert not np.array_equal(one, two)
    seed = np.random.RandomState(7).randint(np.iinfo(np.int32).max)
    assert_array_equal(
        one, MedianPriorEstimator(random_state=seed).fit(X, s).class_priors_
    )


def test_default_members_read_pos_label_and_given_ones_must_agree(cancer_pu):
    X, y, s = cancer_pu
    words = np.where(s == 1, "yes", "no")
    model = MedianPriorEstimator(pos_label="yes", random_state=0).fit(X, words)
    numbers = MedianPriorEstimator(random_state=0).fit(X, s)
    assert_array_equal(model.class_priors_, numbers.class_priors_)
    assert all(m.pos_label == "yes" for m in model.estimators_)
    members = [ClassPriorEstimator(pos_label="yes", random_state=0)]
    same = MedianPriorEstimator(members, pos_label="yes").fit(X, words)
    assert same.class_prior_ == numbers.estimators_[0].class_prior_
    with pytest.raises(ValueError, match=r"pos_label=1 differs from the estimators' "):
        MedianPriorEstimator(members, pos_label=1).fit(X, words)


def test_default_members_route_weights(cancer_pu):
    X, y, s = cancer_pu
    weights = np.linspace(0.5, 1.5, len(s))
    plain = MedianPriorEstimator(random_state=0).fit(X, s)
    weighted = MedianPriorEstimator(random_state=0).fit(X, s, sample_weight=weights)
    # Every member's fit took the weights (its classifier and its means).
    assert not np.array_equal(plain.class_priors_, weighted.class_priors_)
    assert_allclose(
        weighted.class_prior_ * weighted.label_frequency_,
        np.sum(weights[s == 1]) / np.sum(weights),
    )
    with sklearn.config_context(enable_metadata_routing=True):
        # The user holds no member to ask for the weights, so the members ask.
        routed = MedianPriorEstimator(random_state=0).fit(X, s, sample_weight=weights)
    assert_array_equal(routed.class_priors_, weighted.class_priors_)


def test_given_members_leave_the_global_generator_alone(cancer_pu):
    X, y, s = cancer_pu
    # random_state=None would draw the default members' seed from numpy's
    # global generator; given members are seeded, so nothing may draw from it.
    before = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    MedianPriorEstimator([ClassPriorEstimator(random_state=0)]).fit(X, s)
    after = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    assert after["pos"] == before["pos"]
    assert_array_equal(after["key"], before["key"])


def test_default_forest_grows_each_tree_on_at_most_4000_rows():
    model = MedianPriorEstimator()
    small, large = model._members(0, n_samples=4000), model._members(0, n_samples=4001)
    # The forest is fitted once on every row (its scores are out of bag), so
    # the cap applies from 4001 rows on; below, it keeps its whole bootstrap.
    assert small[1].estimator.max_samples is None
    assert large[1].estimator.max_samples == 4000
    assert large[4].estimator.max_samples == 4000  # BBE's forest, the same one
    # Extra trees, cheap per row, keep a bootstrap as large as the data.
    assert large[2].estimator.max_samples is None
    assert large[2].estimator.bootstrap
    assert [m.cv for m in large] == [5, "oob", "oob"] * 2
    # Routing and tags, read without a row count, see the uncapped members.
    assert model._members()[1].estimator.max_samples is None


def test_default_members_fit_with_the_forest_capped():
    rng = np.random.RandomState(0)
    y = (rng.rand(4001) < 0.4).astype(int)
    X = rng.randn(4001, 4) + y[:, None]
    s = make_pu_labels(y, 0.5, random_state=0)
    model = MedianPriorEstimator(random_state=0).fit(X, s)
    assert model.estimators_[1].estimator.max_samples == 4000
    # Every row was left out of some of the capped forest's bootstraps.
    assert np.isfinite(model.estimators_[1].pred_proba_).all()
    # Two overlapping Gaussians (means one apart in each of 4 features):
    # measured 0.445 against 0.409.
    assert abs(model.class_prior_ - y.mean()) < 0.05


def test_verbose_reports_the_median_and_each_estimate(cancer_pu, capsys):
    X, y, s = cancer_pu
    members = [_FixedPrior(0.4), _FixedPrior(0.6), ClassPriorEstimator(random_state=0)]
    MedianPriorEstimator(members).fit(X, s)
    assert capsys.readouterr().out == ""
    model = MedianPriorEstimator(members, verbose=1).fit(X, s)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"MedianPriorEstimator: median of 3 estimates, pi = {model.class_prior_:.4f} ["
    )
    MedianPriorEstimator(members, verbose=2).fit(X, s)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "  _FixedPrior: pi = 0.4000",
        "  _FixedPrior: pi = 0.6000",
        f"  dedpul: pi = {model.class_priors_[2]:.4f}",
    ]
    assert len(lines) == 4
    # The default members name their classifier.
    default = MedianPriorEstimator(random_state=0, verbose=2).fit(X, s)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == (
        f"  dedpul over RandomForestClassifier: pi = {default.class_priors_[1]:.4f}"
    )
    assert lines[5] == (
        f"  bbe over ExtraTreesClassifier: pi = {default.class_priors_[5]:.4f}"
    )
    assert len(lines) == 7


@pytest.mark.parametrize("n_labeled", [2, 4])
def test_default_members_fold_as_few_labelled_rows_as_there_are(cancer_pu, n_labeled):
    X, y, _ = cancer_pu
    s = np.zeros_like(y)
    picked = np.random.RandomState(0).choice(np.flatnonzero(y == 1), n_labeled, False)
    s[picked] = 1
    with pytest.warns(SmallClassWarning, match=f"cross-fit over {n_labeled} folds"):
        model = MedianPriorEstimator(random_state=0).fit(X, s)
    # The logistic regression's folds; the ensembles score out of bag.
    assert [m.cv for m in model.estimators_] == [n_labeled, "oob", "oob"] * 2
    assert 0.0 < model.class_prior_ <= 1.0
    assert model.estimators is None


def test_default_members_refuse_one_labelled_row_and_keep_five_folds(cancer_pu):
    X, y, s = cancer_pu
    one = np.zeros_like(y)
    one[np.flatnonzero(y == 1)[0]] = 1
    with pytest.raises(
        ValueError, match="for the default members needs at least 2 .* y has 1 and"
    ):
        MedianPriorEstimator(random_state=0).fit(X, one)
    # Given members are left to their own folds, and five labelled rows need
    # no fewer.
    five = np.zeros_like(y)
    five[np.flatnonzero(y == 1)[:5]] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallClassWarning)
        model = MedianPriorEstimator(random_state=0).fit(X, five)
    assert [m.cv for m in model.estimators_] == [5, "oob", "oob"] * 2
    with pytest.raises(ValueError, match="y has a single labelled positive, and no cv"):
        MedianPriorEstimator([ClassPriorEstimator(random_state=0)]).fit(X, one)


@pytest.mark.parametrize(
    ("estimator", "instead", "cure"),
    [
        (
            ClassPriorEstimator(random_state=0),
            "pred_proba, or method='km1', 'km2' or 'tice'",
            {"method": "km1"},
        ),
        (
            ElkanNotoClassifier(),
            "class_prior, pred_proba, or prior_method='km1', 'km2' or 'tice'",
            {"class_prior": 0.6},
        ),
        (
            UnbiasedPUClassifier(),
            "class_prior, pred_proba, or prior_method='km1', 'km2' or 'tice'",
            {"prior_method": "tice"},
        ),
    ],
    ids=lambda value: type(value).__name__,
)
def test_too_few_labelled_rows_for_the_folds_name_them(
    cancer_pu, estimator, instead, cure
):
    X, y, _ = cancer_pu
    s = np.zeros_like(y)
    s[np.flatnonzero(y == 1)[:3]] = 1
    message = (
        "cv=5 stratified folds need at least 5 labelled positives to score each "
        "row out of sample; y has 3. Lower cv, e.g. cv=3."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clone(estimator).fit(X, s)
    # The cure it names works.
    clone(estimator).set_params(cv=3).fit(X, s)
    # No cv can score a single labelled row; the message names what the
    # estimator takes instead, and that fits.
    s[np.flatnonzero(s)[1:]] = 0
    message = (
        "y has a single labelled positive, and no cv scores it out of sample; "
        f"give {instead} instead."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        clone(estimator).set_params(cv=2).fit(X, s)
    clone(estimator).set_params(**cure).fit(X, s)


def test_default_members_report_a_bad_x_before_counting_labelled_rows():
    # One labelled row would be refused, but X's shape and length come first.
    X = np.random.RandomState(0).randn(50, 3)
    s = np.zeros(50, dtype=int)
    s[0] = 1
    with pytest.raises(ValueError, match="Expected 2D array"):
        MedianPriorEstimator().fit(X[:, 0], s)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MedianPriorEstimator().fit(X, s[:40])
    with pytest.raises(ValueError, match="at least 2 labelled positives"):
        MedianPriorEstimator().fit(X, s)
