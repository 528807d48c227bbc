"""Tests of PUNeuralNetClassifier (skrobust.neural)."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skrobust.datasets import make_pu_labels  # noqa: E402
from skrobust.losses import (  # noqa: E402
    NonNegativePULoss,
    UnbiasedPULoss,
    nnpu_loss,
    nnpu_risk,
    upu_loss,
)
from skrobust.metrics import make_pu_scorer  # noqa: E402
from skrobust.neural import (  # noqa: E402
    PUNeuralNetClassifier,
    RobustNeuralNetClassifier,
)
from skrobust.utils import SkrobustWarning  # noqa: E402


def _net(**params):
    if "module" not in params:
        params.setdefault("module__hidden_units", (16,))
    params = {
        "max_epochs": 3,
        "lr": 3e-3,
        "random_state": 0,
        **params,
    }
    return PUNeuralNetClassifier(**params)


class RecordingPULoss(torch.nn.Module):
    """The uPU risk, keeping the PU labels and weights of every training batch."""

    def __init__(self, prior):
        super().__init__()
        self.prior = prior
        self.calls = []

    def forward(self, scores, s, weight=None):
        # get_loss is called again under no_grad to report the risk; keep only
        # the call that trains.
        if torch.is_grad_enabled():
            kept = None if weight is None else weight.detach().clone()
            self.calls.append((s.detach().clone(), kept))
        return upu_loss(scores, s, self.prior, weight=weight)


class FixedScore(torch.nn.Module):
    """A linear score 8 * x_0, fixed by training at lr=0."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        with torch.no_grad():
            self.linear.weight.zero_()
            self.linear.weight[:, 0] = 8.0
            self.linear.bias.zero_()

    def forward(self, X):
        return self.linear(X)


def _numpy_global_state():
    """Key and position of numpy's global generator."""
    # The legacy global generator is the state under test: random_state=None
    # draws from it, and a fit with an int seed must leave it alone.
    state = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    return state["key"].copy(), state["pos"]


@pytest.fixture(scope="module")
def cancer():
    """Standardised breast-cancer data (pi = 0.63), PU labels with c = 0.5, and a
    clean test set."""
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    s = make_pu_labels(y_train, 0.5, random_state=0)
    return scaler.transform(X_train), y_train, s, scaler.transform(X_test), y_test


def test_batches_carry_row_aligned_weights_in_case_control_form(cancer):
    X, _, s, _, _ = cancer
    n = X.shape[0]
    # Each row's weight is its row number plus one, so a weight names its row.
    weight = np.arange(1, n + 1, dtype=np.float64)
    net = _net(
        criterion=RecordingPULoss, class_prior=0.63, batch_size=100, max_epochs=2
    ).fit(X, s, sample_weight=weight)
    calls = net.criterion_.calls
    assert len(calls) == 2 * 5
    for epoch in (calls[:5], calls[5:]):
        seen = []
        for s_batch, w_batch in epoch:
            n_labelled = int(s_batch.sum())
            # P (the batch's labelled rows) first, then U = every row of the batch.
            rows = w_batch[n_labelled:].long().numpy() - 1
            assert_array_equal(s_batch[:n_labelled].numpy(), 1)
            assert_array_equal(s_batch[n_labelled:].numpy(), 0)
            assert n_labelled == s[rows].sum()
            assert_array_equal(w_batch[:n_labelled].numpy(), rows[s[rows] == 1] + 1)
            seen.append(rows)
        seen = np.concatenate(seen)
        assert_array_equal(np.sort(seen), np.arange(n))
        assert not np.array_equal(seen, np.arange(n))


def test_training_batches_share_out_the_few_labelled_rows(cancer):
    X, y, _, _, _ = cancer
    n = X.shape[0]
    # Ten labelled positives among 426 rows, batches of 100 (the fifth one 26
    # rows): a full batch's share is 2.35, so a stratified shuffle gives each
    # one 2 or 3, where a plain shuffle gives some 0, 1 or 4 and more.
    s = np.zeros(n, dtype=np.int64)
    s[np.flatnonzero(y == 1)[:10]] = 1
    net = _net(
        criterion=RecordingPULoss,
        class_prior=0.63,
        batch_size=100,
        max_epochs=6,
        min_labelled_per_batch=0,
    ).fit(X, s)
    counts = np.array([int(s_batch.sum()) for s_batch, _ in net.criterion_.calls])
    counts = counts.reshape(6, 5)
    assert np.all(counts.sum(axis=1) == 10)
    assert np.all((counts[:, :4] >= 2) & (counts[:, :4] <= 3))


@pytest.mark.parametrize("minimum", [5, 10, 25])
def test_batches_top_up_the_positive_part_only(cancer, minimum):
    X, y, _, _, _ = cancer
    n = X.shape[0]
    s = np.zeros(n, dtype=np.int64)
    s[np.flatnonzero(y == 1)[:10]] = 1
    # Each row's weight is its row number plus one, so a weight names its row.
    weight = np.arange(1, n + 1, dtype=np.float64)
    net = _net(
        criterion=RecordingPULoss,
        class_prior=0.63,
        batch_size=100,
        max_epochs=3,
        min_labelled_per_batch=minimum,
    ).fit(X, s, sample_weight=weight)
    wanted = min(minimum, 10)
    for epoch in range(3):
        unlabelled_part = []
        for s_batch, w_batch in net.criterion_.calls[5 * epoch : 5 * epoch + 5]:
            n_positive = int(s_batch.sum())
            positive = w_batch[:n_positive].long().numpy() - 1
            batch = w_batch[n_positive:].long().numpy() - 1
            # P: the batch's own labelled rows, then labelled rows added up to
            # the minimum (never more than there are labelled rows).
            assert n_positive == max(wanted, s[batch].sum())
            assert np.all(s[positive] == 1)
            assert_array_equal(positive[: s[batch].sum()], batch[s[batch] == 1])
            unlabelled_part.append(batch)
        # U is still each row exactly once per epoch: the added rows are not in it.
        assert_array_equal(np.sort(np.concatenate(unlabelled_part)), np.arange(n))


def test_topped_up_batches_keep_cached_train_predictions_aligned(cancer):
    from skorch.callbacks import EpochScoring

    X, y, _, _, _ = cancer
    s = np.zeros(X.shape[0], dtype=np.int64)
    s[np.flatnonzero(y == 1)[:10]] = 1
    # A train-set scorer reads the predictions cached during the epoch; the rows
    # added to the positive part must not be among them.
    # skorch replays the cached batch outputs through ``infer``, so ``forward``
    # returns them concatenated: one per row, with the added rows left out.
    scoring = EpochScoring(
        lambda net, X, y: float(net.forward(X).shape[0]),
        on_train=True,
        name="rows_predicted",
        use_caching=True,
    )
    net = _net(class_prior=0.63, batch_size=100, callbacks=[scoring]).fit(X, s)
    assert net.history[-1, "rows_predicted"] == X.shape[0]


def test_upu_with_every_positive_labelled_is_the_supervised_sigmoid_risk(cancer):
    X, y, _, _, _ = cancer
    net = _net(criterion="upu", class_prior=y.mean(), batch_size=-1).fit(X, y)
    assert net.label_frequency_ == pytest.approx(1.0)
    features = torch.as_tensor(X, dtype=torch.float32)
    with torch.no_grad():
        scores = net.infer(features).reshape(-1)
        risk = net.get_loss(
            scores, torch.as_tensor(y), X={"X": features}, training=True
        )
    margin = torch.where(torch.as_tensor(y) == 1, scores, -scores)
    # The sigmoid loss of the true labels, sigma(-y g(x)) with y in {-1, +1}.
    expected = torch.sigmoid(-margin).mean()
    torch.testing.assert_close(risk, expected, rtol=1e-5, atol=1e-6)


def test_upu_with_every_positive_labelled_matches_supervised_accuracy(cancer):
    X, y, _, X_test, y_test = cancer
    params = {"lr": 1e-2, "max_epochs": 100, "batch_size": -1}
    supervised = RobustNeuralNetClassifier(
        criterion="ce", module__hidden_units=(16,), random_state=0, **params
    ).fit(X, y)
    pu = _net(criterion="upu", class_prior=y.mean(), **params).fit(X, y)
    # Measured 0.951 for both.
    assert pu.score(X_test, y_test) > supervised.score(X_test, y_test) - 0.02


def test_recorded_loss_is_the_nnpu_risk_not_the_training_objective(cancer):
    X, _, s, _, _ = cancer
    X = X.copy()
    # x_0 separates the labelled rows from the unlabelled ones, so with the fixed
    # score 8 x_0 the negative part of the risk is well below zero and nnPU's
    # objective (its negative) differs from the risk.
    X[:, 0] = np.where(s == 1, 1.0, -1.0)
    net = _net(
        module=FixedScore,
        optimizer=torch.optim.SGD,
        lr=0.0,
        class_prior=0.63,
        batch_size=-1,
        max_epochs=2,
    ).fit(X, s)
    scores = torch.as_tensor(8.0 * X[:, 0], dtype=torch.float32)
    s_t = torch.as_tensor(s)
    case_control = (
        torch.cat([scores[s_t == 1], scores]),
        torch.cat([torch.ones(int(s.sum()), dtype=torch.int64), torch.zeros_like(s_t)]),
    )
    risk = nnpu_risk(*case_control, 0.63).item()
    objective = nnpu_loss(*case_control, 0.63).item()
    assert abs(objective - risk) > 0.1
    assert_allclose(net.history[:, "train_loss"], [risk, risk], rtol=1e-5)


def test_nnpu_risk_stays_non_negative_where_upu_goes_negative(cancer):
    X, y, s, X_test, y_test = cancer
    params = {
        "class_prior": y.mean(),
        "lr": 1e-2,
        "max_epochs": 60,
        "batch_size": 64,
        "module__hidden_units": (100,),
    }
    upu = _net(criterion="upu", **params).fit(X, s)
    nnpu = _net(criterion="nnpu", **params).fit(X, s)
    upu_losses = np.asarray(upu.history[:, "train_loss"])
    nnpu_losses = np.asarray(nnpu.history[:, "train_loss"])
    assert len(nnpu_losses) == 60
    # A flexible network over-fits the unbiased risk below zero (measured -0.10
    # after 100 epochs); the non-negative risk cannot go there.
    assert upu_losses.min() < 0
    assert nnpu_losses.min() >= 0
    assert nnpu.score(X_test, y_test) > upu.score(X_test, y_test)


def test_estimated_prior_is_near_the_true_one(cancer):
    X, y, s, _, _ = cancer
    net = _net(max_epochs=1).fit(X, s)
    # DEDPUL measured 0.606 against the true 0.627 on 426 rows.
    assert net.class_prior_ == pytest.approx(y.mean(), abs=0.08)
    assert net.class_prior_ * net.label_frequency_ == pytest.approx(s.mean())


def test_a_prior_estimator_object_sets_the_prior(cancer):
    from skrobust.pu import ClassPriorEstimator, MedianPriorEstimator

    X, y, s, _, _ = cancer
    median = MedianPriorEstimator(
        [
            ClassPriorEstimator(random_state=0),
            ClassPriorEstimator("e1", random_state=0),
            ClassPriorEstimator("tice", random_state=0),
        ]
    )
    net = _net(max_epochs=1, prior_method=median).fit(X, s)
    by_hand = median.fit(X, (s == 1).astype(int)).class_prior_
    # The network hands the estimators its float32 copy of X.
    assert net.class_prior_ == pytest.approx(by_hand, abs=1e-4)
    assert net.class_prior_ * net.label_frequency_ == pytest.approx(s.mean())
    with pytest.raises(ValueError, match="prior_method"):
        _net(prior_method=3).fit(X, s)


def test_grid_search_with_pu_scorer_picks_the_trained_model(cancer):
    X, y, s, X_test, y_test = cancer
    search = GridSearchCV(
        _net(class_prior=y.mean(), max_epochs=10),
        {"lr": [1e-5, 1e-2]},
        cv=2,
        scoring=make_pu_scorer("f1"),
    ).fit(X, s)
    # The PU F1 reads the net's class_prior_ and sees, from PU labels alone, that
    # ten epochs at lr=1e-5 learn nothing.
    assert search.best_params_ == {"lr": 1e-2}
    assert search.best_estimator_.score(X_test, y_test) > 0.9


def test_pos_label_column_is_the_sigmoid_of_the_score(cancer):
    X, _, s, _, _ = cancer
    numeric = _net().fit(X, s)
    # "a" sorts first, so the positive class is column 0 here.
    named = _net(pos_label="a").fit(X, np.where(s == 1, "a", "u"))
    assert_array_equal(named.classes_, ["a", "u"])
    assert_allclose(named.predict_proba(X), numeric.predict_proba(X)[:, ::-1])
    scores = numeric.infer(torch.as_tensor(X, dtype=torch.float32)).detach()
    assert_allclose(
        numeric.predict_proba(X)[:, 1],
        torch.sigmoid(scores.reshape(-1)).numpy(),
        rtol=1e-6,
    )
    assert set(named.predict(X)) <= {"a", "u"}


def test_fit_leaves_global_generators_alone(cancer):
    X, _, s, _, _ = cancer
    torch_state = torch.get_rng_state()
    key, pos = _numpy_global_state()
    # The prior estimate's folds and the network both draw from random_state.
    first = _net(random_state=1).fit(X, s)
    assert torch.equal(torch.get_rng_state(), torch_state)
    key_after, pos_after = _numpy_global_state()
    assert_array_equal(key_after, key)
    assert pos_after == pos
    second = _net(random_state=1).fit(X, s)
    assert first.class_prior_ == second.class_prior_
    assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_later_partial_fit_batches_may_hold_one_kind_of_row(cancer):
    X, _, s, X_test, _ = cancer
    net = _net(class_prior=0.63)
    net.partial_fit(X, s)
    before = net.predict_proba(X_test)
    # The prior is settled by the first call; later batches need not hold both.
    net.partial_fit(X[s == 0], s[s == 0])
    net.partial_fit(X[s == 1], s[s == 1])
    assert not np.allclose(net.predict_proba(X_test), before)
    assert net.class_prior_ == 0.63


def test_predict_does_not_depend_on_predict_nonlinearity(cancer):
    X, _, s, X_test, _ = cancer
    default = _net().fit(X, s)
    raw = _net(predict_nonlinearity=None).fit(X, s)
    # With no nonlinearity predict_proba returns the raw score column, whose
    # arg-max is always the first class; predict thresholds the score at 0.
    assert raw.predict_proba(X_test).shape[1] == 1
    assert_array_equal(raw.predict(X_test), default.predict(X_test))
    assert len(np.unique(raw.predict(X_test))) == 2
    assert_array_equal(
        default.predict(X_test),
        default.classes_[np.argmax(default.predict_proba(X_test), axis=1)],
    )


@pytest.mark.parametrize(
    "params, y_of, match",
    [
        ({"class_prior": 0.5}, lambda s: np.arange(len(s)) % 3, "binary"),
        ({"class_prior": 0.5}, lambda s: np.where(s == 1, 2, 0), "labelled positive"),
        ({"class_prior": 0.5}, lambda s: np.zeros(len(s)), "single class"),
        ({"class_prior": 1.5}, lambda s: s, "class_prior"),
        ({"class_prior": 0.0}, lambda s: s, "class_prior"),
        ({"class_prior": 0.1}, lambda s: s, "below the labelled fraction"),
        ({"prior_method": "median"}, lambda s: s, "prior_method"),
        ({"class_prior": 0.5, "criterion": "gce"}, lambda s: s, "another family"),
    ],
    ids=[
        "three-values",
        "no-labelled-positive",
        "one-value",
        "prior-above-one",
        "prior-zero",
        "prior-below-fraction",
        "prior-method",
        "multiclass-loss",
    ],
)
def test_bad_input_raises_clear_error(cancer, params, y_of, match):
    X, _, s, _, _ = cancer
    with pytest.raises(ValueError, match=match):
        _net(max_epochs=1, **params).fit(X, y_of(s))


class _SetsPrior(BaseEstimator):
    """A prior estimator that reports whatever prior it is given."""

    def __init__(self, prior=None):
        self.prior = prior

    def fit(self, X, y):
        if self.prior is not None:
            self.class_prior_ = self.prior
        return self


@pytest.mark.parametrize("prior", [None, 1.5, 0.0, float("nan"), "high"])
def test_a_bad_prior_from_the_prior_estimator_names_prior_method(cancer, prior):
    X, y, s, _, _ = cancer
    with pytest.raises(ValueError, match=r"prior_method=_SetsPrior must set a class_"):
        _net(prior_method=_SetsPrior(prior)).fit(X, s)


def test_prior_method_parameters_reach_the_object_in_a_search(cancer):
    from sklearn.base import clone

    from skrobust.pu import ClassPriorEstimator

    X, y, s, _, _ = cancer
    net = _net(max_epochs=1, prior_method=ClassPriorEstimator("e1", random_state=0))
    net.set_params(prior_method__method="tice", lr=1e-2)
    # skorch alone kept the prefixed key as an attribute, and fit then failed.
    assert net.prior_method.method == "tice"
    assert net.get_params()["prior_method__method"] == "tice"
    assert clone(net).prior_method.method == "tice"
    fitted = net.fit(X, s)
    by_hand = ClassPriorEstimator("tice", random_state=0)
    assert fitted.class_prior_ == pytest.approx(
        by_hand.fit(X.astype(np.float32), (s == 1).astype(int)).class_prior_
    )
    with pytest.raises(ValueError, match="prior_method__\\* parameters need"):
        _net().set_params(prior_method__method="tice")


def test_sample_weight_weighs_the_prior_estimate_too(cancer):
    from skrobust.pu import ClassPriorEstimator

    X, y, s, _, _ = cancer
    weights = np.where(X[:, 0] > 0, 3.0, 1.0)
    net = _net(max_epochs=1).fit(X, s, sample_weight=weights)
    by_hand = ClassPriorEstimator(random_state=0).fit(
        X.astype(np.float32), (s == 1).astype(int), sample_weight=weights
    )
    unweighted = _net(max_epochs=1).fit(X, s)
    # The prior used to ignore the weights while the labelled fraction
    # counted them, so c = fraction / prior mixed two weightings.
    assert net.class_prior_ == pytest.approx(by_hand.class_prior_, abs=1e-4)
    assert net.class_prior_ != pytest.approx(unweighted.class_prior_, abs=1e-3)
    weighted_fraction = weights[s == 1].sum() / weights.sum()
    assert net.class_prior_ * net.label_frequency_ == pytest.approx(weighted_fraction)


@pytest.mark.parametrize("method", ["dedpul", "bbe"])
def test_weights_reach_the_named_prior_under_metadata_routing(cancer, method):
    import sklearn

    X, y, s, _, _ = cancer
    weights = np.where(X[:, 0] > 0, 3.0, 1.0)
    plain = _net(max_epochs=1, prior_method=method).fit(X, s, sample_weight=weights)
    # The network builds the prior's base itself, so the user could not make it
    # request the weights: routing used to fail here.
    with sklearn.config_context(enable_metadata_routing=True):
        routed = _net(max_epochs=1, prior_method=method).fit(
            X, s, sample_weight=weights
        )
    assert routed.class_prior_ == plain.class_prior_


def test_topping_up_the_positive_part_keeps_few_positives_from_collapsing():
    """Seven labelled positives: batches without one scored every row negative."""
    from skrobust._bench import PULabels, make_problem

    problem = make_problem("digits_3_vs_rest", PULabels(0.1), 106)
    s = problem.y_train_corrupted
    assert (s == 1).sum() == 7
    prior = problem.extra["class_prior"]
    positive = {}
    for minimum in (0, 2):
        net = PUNeuralNetClassifier(
            class_prior=prior,
            module__dropout=0.5,
            min_labelled_per_batch=minimum,
            random_state=0,
        )
        if minimum == 0:
            # The collapse is reported, not only measured.
            with pytest.warns(SkrobustWarning, match=r"labels 0\.0% .* prior of 10"):
                net.fit(problem.X_train, s)
            assert net.positive_share_ == 0.0
        else:
            net.fit(problem.X_train, s)
        positive[minimum] = net.predict(problem.X_test) == 1
    truth = problem.y_test == 1
    assert not positive[0].any()
    # Most threes found, few false alarms (F1 0.78 when measured).
    assert truth[positive[2]].mean() > 0.6 and positive[2][truth].mean() > 0.6


def test_full_batch_training_labels_the_priors_share_without_a_warning():
    """The user guide's advice: on all rows at once the network labels its
    prior's share (digit 3, 10 labelled rows, where minibatches drift to 0 %)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    y = (y == 3).astype(int)
    s = make_pu_labels(y, 0.05, random_state=0)
    params = {"class_prior": y.mean(), "random_state": 0}
    with pytest.warns(SkrobustWarning, match="drifted towards one class"):
        drifted = PUNeuralNetClassifier(min_labelled_per_batch=0, **params).fit(X, s)
    assert drifted.positive_share_ < y.mean() / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = PUNeuralNetClassifier(
            batch_size=-1, lr=1e-2, max_epochs=500, **params
        ).fit(X, s)
    assert abs(net.positive_share_ - y.mean()) < 0.005
    assert net.positive_share_ == pytest.approx(np.mean(net.predict(X) == 1))


def test_positive_share_is_weighted_and_left_alone_by_partial_fit(cancer):
    X, _, s, _, _ = cancer
    weight = np.where(np.arange(len(s)) % 3 == 0, 4.0, 1.0)
    net = _net(max_epochs=5).fit(X, s, sample_weight=weight)
    positive = net.predict(X) == 1
    assert net.positive_share_ == pytest.approx(np.average(positive, weights=weight))
    assert net.positive_share_ != pytest.approx(positive.mean())
    fresh = _net(max_epochs=2, class_prior=0.6).partial_fit(X, s)
    assert not hasattr(fresh, "positive_share_")
    # A later partial_fit moves the network, so the fit's share goes.
    net.partial_fit(X, s)
    assert not hasattr(net, "positive_share_")


class _AlwaysPositive(torch.nn.Module):
    """Scores every row +10, whatever the training (its weights start at 0 and
    the learning rate is 0)."""

    def __init__(self, n_features, n_outputs):
        super().__init__()
        self.linear = torch.nn.Linear(n_features, n_outputs)
        torch.nn.init.zeros_(self.linear.weight)
        torch.nn.init.constant_(self.linear.bias, 10.0)

    def forward(self, X):
        return self.linear(X)


def test_a_network_labelling_nearly_every_row_positive_warns_too(cancer):
    X, _, s, _, _ = cancer
    net = PUNeuralNetClassifier(
        module=_AlwaysPositive, class_prior=0.6, lr=0.0, max_epochs=1
    )
    with pytest.warns(SkrobustWarning, match=r"labels 100\.0% .* prior of 60"):
        net.fit(X, s)
    assert net.positive_share_ == 1.0


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 120),
    n_labelled=st.integers(0, 120),
    batch_size=st.integers(1, 50),
    minimum=st.integers(0, 12),
    subset=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**31 - 1),
)
def test_pu_batch_iterator_properties(
    n, n_labelled, batch_size, minimum, subset, drop_last, seed
):
    """Every epoch: the batches proper are the rows once each (as the plain
    iterator gives them), and each positive part holds
    max(min(minimum, labelled rows), the batch's own labelled rows) labelled
    rows, the added ones labelled rows of the iterated subset."""
    from skrobust.neural._data import to_dataset
    from skrobust.neural._pu import POSITIVE_ONLY, _PUBatchIterator

    rng = np.random.default_rng(seed)
    s = np.zeros(n, dtype=np.int64)
    s[rng.permutation(n)[: min(n_labelled, n)]] = 1
    dataset = to_dataset(
        np.arange(n, dtype=np.float32)[:, None], s, torch.device("cpu")
    )
    rows = (
        torch.as_tensor(np.sort(rng.permutation(n)[: max(1, n // 2)]))
        if subset
        else None
    )
    pool = np.arange(n) if rows is None else rows.numpy()
    pool_labelled = pool[s[pool] == 1]
    iterator = _PUBatchIterator(dataset, rows, batch_size, True, drop_last, minimum)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        for _ in range(2):
            proper = []
            for X, y in iterator:
                ids = X["X"][:, 0].long().numpy()
                added = (
                    np.zeros(len(ids), dtype=bool)
                    if POSITIVE_ONLY not in X
                    else X[POSITIVE_ONLY].numpy()
                )
                own = ids[~added]
                proper.append(own)
                assert np.all(y.numpy() == s[ids])
                assert np.all(s[ids[added]] == 1)
                assert np.isin(ids[added], pool_labelled).all()
                wanted = min(minimum, len(pool_labelled))
                assert (y.numpy() == 1).sum() == max(wanted, s[own].sum())
            proper = np.concatenate(proper) if proper else np.array([], int)
            expected = len(pool) - (len(pool) % batch_size if drop_last else 0)
            assert len(proper) == expected == len(np.unique(proper))
            assert np.isin(proper, pool).all()


# --- found by a review helper -----------------------------------------------


def _small_pu(seed=0, n=80):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3).astype(np.float32)
    s = (rng.rand(n) < 0.3).astype(int)
    return X, s


def test_first_partial_fit_checks_y_and_pos_label_against_classes():
    X, s = _small_pu()
    with pytest.raises(ValueError, match=r"y holds values \[1\] outside classes"):
        _net(class_prior=0.5).partial_fit(X, s, classes=[0, 2])
    with pytest.raises(ValueError, match="pos_label=2 is not among classes"):
        _net(class_prior=0.5, pos_label=2).partial_fit(X, s, classes=[0, 1])
    with pytest.raises(ValueError, match="outside classes"):
        _net(class_prior=0.5).partial_fit(X, s, classes=["a", "b"])


def test_warm_started_fit_settles_the_prior_again():
    X, s = _small_pu()
    net = _net(class_prior=0.5, warm_start=True).fit(X, s)
    net.set_params(class_prior=0.6).fit(X, s)
    assert net.class_prior_ == 0.6
    assert float(net.criterion_.prior) == pytest.approx(0.6)
    assert net.label_frequency_ == pytest.approx(s.mean() / 0.6)
    # The labelled-fraction check runs on a warm refit too.
    mostly_labelled = np.where(np.arange(X.shape[0]) < 70, 1, 0)
    with pytest.raises(ValueError, match="below the labelled fraction"):
        net.fit(X, mostly_labelled)


def test_predict_and_predict_proba_agree_on_tiny_scores():
    X, s = _small_pu()
    net = _net(class_prior=0.5, max_epochs=1).fit(X, s)
    with torch.no_grad():
        last = net.module_.layers[-1]
        last.weight.zero_()
        last.bias.fill_(1e-8)
    proba = net.predict_proba(X[:3])
    assert_array_equal(net.classes_[proba.argmax(axis=1)], net.predict(X[:3]))
    assert_array_equal(net.predict(X[:3]), [1, 1, 1])


def test_criterion_instance_must_train_at_the_settled_prior():
    from skrobust.losses import NonNegativePULoss

    X, s = _small_pu()
    net = _net(criterion=NonNegativePULoss(prior=0.5), class_prior=0.6)
    with pytest.raises(ValueError, match=r"prior=0.5\) trains at its own prior"):
        net.fit(X, s)
    fitted = _net(criterion=NonNegativePULoss(prior=0.5), class_prior=0.5).fit(X, s)
    assert fitted.class_prior_ == 0.5


def test_label_spreading_refit_of_the_uncertain_rows_helps_on_the_digits():
    """Why PseudoLabelPUClassifier has uncertain_rows="unlabelled": from the
    nnPU network's labels, label spreading that also sees the uncertain rows
    (unlabelled) beats one built on the confident rows alone, on digit 3
    against the rest with 10% of the threes labelled."""
    from sklearn.datasets import load_digits
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import f1_score
    from sklearn.semi_supervised import LabelSpreading

    from skrobust.pu import PseudoLabelPUClassifier

    X, y = load_digits(return_X_y=True)
    y = (y == 3).astype(int)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=0, stratify=y
    )
    gains = []
    for seed in range(3):
        s = make_pu_labels(y_train, 0.1, random_state=seed)
        network = PUNeuralNetClassifier(
            class_prior=y_train.mean(), module__dropout=0.5, random_state=0
        ).fit(X_train, s)
        f1 = {
            option: f1_score(
                y_test,
                PseudoLabelPUClassifier(
                    FrozenEstimator(network),
                    LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2),
                    min_confidence=0.9,
                    uncertain_rows=option,
                )
                .fit(X_train, s)
                .predict(X_test),
            )
            for option in ("drop", "unlabelled")
        }
        gains.append(f1["unlabelled"] - f1["drop"])
    # Measured: +0.048, +0.026, +0.058 (F1 0.895 against 0.851 on average).
    assert min(gains) > 0 and np.mean(gains) > 0.02


class _ConstantRisk(NonNegativePULoss):
    """Reports a constant risk; a subclass's own ``risk`` must be the one
    recorded."""

    def risk(self, scores, s, weight=None):
        return torch.tensor(7.0)


@pytest.mark.parametrize("criterion", ["nnpu", "upu"])
def test_one_pass_step_trains_and_reports_as_two_calls(cancer, criterion):
    X, _, s, X_test, _ = cancer
    weight = np.linspace(0.5, 1.5, X.shape[0])
    one = _net(criterion=criterion, class_prior=0.6).fit(X, s, sample_weight=weight)
    own = NonNegativePULoss if criterion == "nnpu" else UnbiasedPULoss
    # A subclass that changes nothing takes the two-call path.
    two_loss = type("Two", (own,), {})
    two = _net(criterion=two_loss, class_prior=0.6).fit(X, s, sample_weight=weight)
    assert_array_equal(one.predict_proba(X_test), two.predict_proba(X_test))
    assert one.history[:, "train_loss"] == two.history[:, "train_loss"]


def test_a_subclass_risk_is_what_the_step_reports(cancer):
    X, _, s, _, _ = cancer
    net = _net(criterion=_ConstantRisk, class_prior=0.6, max_epochs=2).fit(X, s)
    assert net.history[:, "train_loss"] == [7.0, 7.0]
