"""Tests of RobustNeuralNetClassifier (skrobust.neural)."""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_digits,
    make_classification,
)
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from skrobust.datasets import (  # noqa: E402
    make_noisy_labels,
    make_transition_matrix,
)
from skrobust.losses import cross_entropy  # noqa: E402
from skrobust.neural import RobustNeuralNetClassifier  # noqa: E402
from skrobust.neural._data import TensorBatchIterator  # noqa: E402

needs_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device"
)
# Three classes with labels that are not their codes, so a test can tell the two
# apart.
LABELS = np.array([10, 20, 30])


def _net(**params):
    params = {
        "module__hidden_units": (16,),
        "max_epochs": 3,
        "lr": 3e-3,
        "random_state": 0,
        **params,
    }
    return RobustNeuralNetClassifier(**params)


class RecordingLoss(torch.nn.Module):
    """Cross-entropy that keeps the rows, targets and weights of every training
    batch it is called on."""

    def __init__(self):
        super().__init__()
        self.batches = []

    def forward(self, logits, target, index, weight=None):
        if torch.is_grad_enabled():
            self.batches.append(
                (
                    index.detach().clone(),
                    target.detach().clone(),
                    None if weight is None else weight.detach().clone(),
                )
            )
        return cross_entropy(logits, target, weight=weight)


def _epochs(batches, n_rows):
    """Split recorded batches into epochs of ``n_rows`` rows."""
    epochs, current, seen = [], [], 0
    for batch in batches:
        current.append(batch)
        seen += len(batch[0])
        if seen == n_rows:
            epochs.append(current)
            current, seen = [], 0
    assert not current, "the recorded batches do not add up to whole epochs"
    return epochs


def _numpy_global_state():
    """Key and position of numpy's global generator."""
    # The legacy global generator is the state under test: random_state=None
    # draws from it, and a fit with an int seed must leave it alone.
    state = np.random.get_state(legacy=False)["state"]  # noqa: NPY002
    return state["key"].copy(), state["pos"]


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=300,
        n_features=8,
        n_informative=5,
        n_classes=3,
        random_state=0,
    )
    return StandardScaler().fit_transform(X), LABELS[y], y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.mark.parametrize("shuffle", [True, False], ids=["shuffle", "ordered"])
@pytest.mark.parametrize(
    "path", [{}, {"iterator_train__num_workers": 0}], ids=["slicing", "dataloader"]
)
def test_batches_carry_row_aligned_index_weight_and_target(
    three_classes, shuffle, path
):
    X, y, codes = three_classes
    n = X.shape[0]
    # Each row's weight is its row number plus one, so a weight names its row.
    weight = np.arange(1, n + 1, dtype=np.float64)
    net = _net(
        criterion=RecordingLoss,
        batch_size=64,
        iterator_train__shuffle=shuffle,
        **path,
    ).fit(X, y, sample_weight=weight)
    epochs = _epochs(net.criterion_.batches, n)
    assert len(epochs) == net.max_epochs
    orders = []
    for epoch in epochs:
        assert [len(b[0]) for b in epoch] == [64, 64, 64, 64, 44]
        for index, target, w in epoch:
            assert_array_equal(w.numpy(), index.numpy() + 1)
            assert_array_equal(target.numpy(), codes[index.numpy()])
        order = np.concatenate([b[0].numpy() for b in epoch])
        # Every row exactly once per epoch.
        assert_array_equal(np.sort(order), np.arange(n))
        orders.append(order)
    if shuffle:
        assert not np.array_equal(orders[0], np.arange(n))
        assert not np.array_equal(orders[0], orders[1])
    else:
        assert all(np.array_equal(order, np.arange(n)) for order in orders)


def test_elr_targets_follow_their_rows_under_shuffling(digits):
    X_train, _, y_train, _ = digits
    net = _net(
        criterion="elr", max_epochs=15, batch_size=64, module__hidden_units=(64,)
    ).fit(X_train, y_train)
    targets = net.criterion_.targets.numpy()
    assert targets.shape == (X_train.shape[0], 10)
    # Row i of the buffer averages the predictions made for row i; had the batches
    # been given the wrong indices, it would hold another row's predictions and
    # agree with row i's class only by chance (about 1 in 10).
    agreement = np.mean(np.argmax(targets, axis=1) == net.predict(X_train))
    assert agreement > 0.9


def test_grid_search_reaches_loss_module_and_optimizer(three_classes):
    X, y, _ = three_classes
    grid = {
        "criterion__q": [0.3, 0.9],
        "lr": [1e-4, 1e-2],
        "module__hidden_units": [(4,), (12,)],
    }
    search = GridSearchCV(_net(max_epochs=5), grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    best = search.best_estimator_
    assert best.criterion_.q == search.best_params_["criterion__q"]
    assert best.optimizer_.param_groups[0]["lr"] == search.best_params_["lr"]
    hidden = best.module_.layers[0].out_features
    assert (hidden,) == search.best_params_["module__hidden_units"]
    # Five epochs at lr=1e-4 barely move the weights; the search must see that.
    scores = search.cv_results_["mean_test_score"]
    slow = np.array([p["lr"] == 1e-4 for p in search.cv_results_["params"]])
    assert scores[~slow].mean() > scores[slow].mean() + 0.1


def test_params_round_trip_then_prefixed_params_still_set_and_validated(
    three_classes,
):
    """skorch listed its private _params_to_validate set among the parameters,
    so set_params(**get_params()) with any value in it broke the next prefixed
    parameter set (an AttributeError in scikit-learn's check_set_params); a
    fitted net also listed its fit-time state."""
    X, y, _ = three_classes
    net = _net(max_epochs=2)
    assert not [name for name in net.get_params() if name.startswith("_")]
    fitted = _net(max_epochs=2).fit(X, y)
    assert not [name for name in fitted.get_params() if name.startswith("_")]
    params = net.get_params(deep=False)
    net.set_params(**params).set_params(module__hidden_units=(4,))
    assert net.fit(X, y).module_.layers[0].out_features == 4
    # skorch still checks the prefixed names, on a clone too: __init__ rebuilds
    # the set it checks from the arguments clone passes.
    typo = clone(_net(max_epochs=2).set_params(modul__hidden_units=(4,)))
    with pytest.raises(ValueError, match="modul__hidden_units"):
        typo.fit(X, y)


@pytest.mark.parametrize("criterion", ["ce", "gce"])
def test_integer_weights_match_repeated_rows_to_float32_precision(
    three_classes, criterion
):
    """What the expected failure of scikit-learn's weight-equivalence check
    says: in one batch, with Adam (the default optimizer), a weighted fit is a
    fit on repeated rows up to float32 rounding (the check asks for 1e-7).
    The weighted losses divide by the number of rows, not by the weights' sum,
    which Adam's steps do not see; plain SGD would."""
    X, y, _ = three_classes
    X, y = X[:40], y[:40]
    weights = np.random.default_rng(0).integers(0, 4, size=40)
    params = {"criterion": criterion, "batch_size": -1, "max_epochs": 20}
    weighted = _net(**params).fit(X, y, sample_weight=weights)
    rows = np.repeat(np.arange(40), weights)
    repeated = _net(**params).fit(X[rows], y[rows])
    before = _net(**params).fit(X, y)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-5)
    # The weights moved the fit, so agreeing is not agreeing on nothing.
    assert np.abs(weighted.predict_proba(X) - before.predict_proba(X)).max() > 0.01


def test_pipeline_with_scaler_matches_net_on_scaled_data():
    X, y = load_breast_cancer(return_X_y=True)
    params = {"max_epochs": 10, "criterion": "gce"}
    pipe = make_pipeline(StandardScaler(), _net(**params)).fit(X, y)
    net = _net(**params).fit(StandardScaler().fit_transform(X), y)
    assert_allclose(
        pipe.predict_proba(X),
        net.predict_proba(StandardScaler().fit_transform(X)),
        atol=1e-6,
    )
    assert pipe.score(X, y) > 0.95


def test_pickle_round_trip_keeps_predictions_state_and_device(three_classes):
    X, y, _ = three_classes
    net = _net(criterion="elr").fit(X, y)
    loaded = pickle.loads(pickle.dumps(net))
    assert loaded.device == "cpu"
    assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    # ELR's per-row targets travel with the pickle.
    assert_array_equal(loaded.criterion_.targets, net.criterion_.targets)
    # The loaded net keeps training.
    loaded.partial_fit(X, y)
    assert len(loaded.history) == 2 * net.max_epochs


@needs_cuda
def test_fit_and_predict_on_cuda(three_classes):
    X, y, _ = three_classes
    net = _net(device="cuda", criterion="elr").fit(X, y)
    assert next(net.module_.parameters()).is_cuda
    assert net.criterion_.targets.is_cuda
    proba = net.predict_proba(X)
    assert isinstance(proba, np.ndarray)
    assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    cpu = _net(criterion="elr").fit(X, y)
    # Same seed, same batches; only the floating-point kernels differ.
    assert np.mean(net.predict(X) == cpu.predict(X)) > 0.95


@needs_cuda
def test_net_trained_on_cuda_loads_where_cuda_is_hidden(three_classes, tmp_path):
    X, y, _ = three_classes
    net = _net(device="cuda").fit(X, y)
    path = tmp_path / "net.pkl"
    path.write_bytes(pickle.dumps(net))
    np.save(tmp_path / "X.npy", X)
    # CUDA can be hidden only before torch first touches it, so the load runs in
    # a fresh interpreter.
    script = (
        "import pickle, sys, warnings, numpy as np\n"
        "import torch\n"
        "assert not torch.cuda.is_available()\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    net = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "assert any('CUDA' in str(w.message) for w in caught)\n"
        "assert net.device == 'cpu', net.device\n"
        "assert not next(net.module_.parameters()).is_cuda\n"
        "np.save(sys.argv[3], net.predict_proba(np.load(sys.argv[2])))\n"
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(path),
            str(tmp_path / "X.npy"),
            str(tmp_path / "proba.npy"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert_allclose(np.load(tmp_path / "proba.npy"), net.predict_proba(X), atol=1e-5)


def test_random_state_leaves_global_generators_and_fixes_the_fit(three_classes):
    X, y, _ = three_classes
    torch_state = torch.get_rng_state()
    key, pos = _numpy_global_state()
    first = _net(random_state=3).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    key_after, pos_after = _numpy_global_state()
    assert_array_equal(key_after, key)
    assert pos_after == pos

    again = _net(random_state=3).fit(X, y)
    assert_array_equal(again.predict_proba(X), first.predict_proba(X))
    other = _net(random_state=4).fit(X, y)
    w_first = first.module_.layers[0].weight.detach()
    w_other = other.module_.layers[0].weight.detach()
    assert not torch.allclose(w_first, w_other)

    # random_state=None draws from numpy's generator, but torch's stays as it was.
    _net(random_state=None).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_a_cpu_fit_leaves_the_cuda_generators_alone(three_classes, monkeypatch):
    X, y, _ = three_classes
    calls = []
    monkeypatch.setattr(torch.cuda, "manual_seed_all", calls.append)
    monkeypatch.setattr(torch.cuda, "manual_seed", calls.append)
    _net(random_state=0, device="cpu").fit(X, y)
    # fork_rng restores only the CPU generator on this path, so only it is seeded.
    assert calls == []


class _FirstRows(Callback):
    """The first feature of every training batch, per partial_fit call."""

    def __init__(self):
        self.calls = []

    def on_train_begin(self, net, **kwargs):
        self.calls.append([])

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.calls[-1].append(float(batch[0]["X"][0, 0]))


def test_partial_fit_calls_reshuffle_and_refits_repeat(three_classes):
    X, y, _ = three_classes

    def three_calls():
        recorder = _FirstRows()
        net = _net(random_state=0, max_epochs=1, batch_size=16, callbacks=[recorder])
        for _ in range(3):
            net.partial_fit(X, y, classes=LABELS)
        return recorder.calls

    calls = three_calls()
    # Each call draws a new seed from the stream random_state starts...
    assert calls[0] != calls[1] and calls[1] != calls[2]
    # ...and the same random_state gives the same stream.
    assert three_calls() == calls


def test_estimated_transition_matrix_survives_a_rebuilt_criterion(three_classes):
    X, y, _ = three_classes
    net = _net(criterion="forward", warm_up_epochs=1, max_epochs=2).fit(X, y)
    estimate = net.transition_matrix_
    assert not np.allclose(estimate, np.eye(3))
    net.set_params(criterion__reduction="mean")
    assert_allclose(net.criterion_.transition_matrix.numpy(), estimate, atol=1e-6)
    # A fresh fit starts from the identity again, not from the old estimate.
    seen = []

    class Spy(Callback):
        def on_train_begin(self, net, **kwargs):
            seen.append(net.criterion_.transition_matrix.numpy().copy())

    net.set_params(callbacks=[Spy()]).fit(X, y)
    assert_allclose(seen[0], np.eye(3))


@pytest.mark.parametrize("criterion", ["forward", "backward"])
def test_given_transition_matrix_is_used_as_is(three_classes, criterion):
    X, y, _ = three_classes
    T = make_transition_matrix(3, 0.3, kind="pair")
    net = _net(criterion=criterion, transition_matrix=T).fit(X, y)
    assert_array_equal(net.transition_matrix_, T)
    assert_allclose(net.criterion_.transition_matrix.numpy(), T, atol=1e-7)
    # A given matrix needs no estimate.
    assert "transition_matrix" not in dict(net.callbacks_)


@pytest.mark.parametrize("criterion", ["forward", "backward"])
def test_transition_matrix_is_estimated_after_warm_up(criterion):
    X, y = load_digits(return_X_y=True)
    T = make_transition_matrix(10, 0.35)
    y_noisy, _ = make_noisy_labels(y, T, random_state=0)
    net = _net(
        criterion=criterion,
        warm_up_epochs=10,
        max_epochs=12,
        module__hidden_units=(64,),
    ).fit(X / 16.0, y_noisy)
    estimate = net.transition_matrix_
    assert estimate.shape == (10, 10)
    assert np.all(estimate >= 0)
    assert_allclose(estimate.sum(axis=1), 1.0)
    # Ten epochs fit the clean pattern; measured max error 0.06-0.10 over three
    # noise draws, so 0.15 leaves room for a different platform's float path.
    assert np.abs(estimate - T).max() < 0.15
    assert_allclose(net.criterion_.transition_matrix.numpy(), estimate, atol=1e-6)


def test_warm_up_longer_than_training_still_sets_transition_matrix(three_classes):
    X, y, _ = three_classes
    net = _net(criterion="forward", warm_up_epochs=50, max_epochs=2).fit(X, y)
    assert net.transition_matrix_.shape == (3, 3)
    assert_allclose(net.transition_matrix_.sum(axis=1), 1.0)
    # Estimated from the data, so not the identity the warm-up trained with.
    assert not np.allclose(net.transition_matrix_, np.eye(3))
    assert_allclose(
        net.criterion_.transition_matrix.numpy(), net.transition_matrix_, atol=1e-6
    )


def test_gce_beats_cross_entropy_under_symmetric_noise(digits):
    X_train, X_test, y_train, y_test = digits
    T = make_transition_matrix(10, 0.4)
    gaps = []
    for seed in range(3):
        y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
        scores = {}
        for criterion in ("ce", "gce"):
            net = _net(
                criterion=criterion,
                max_epochs=40,
                module__hidden_units=(64,),
                random_state=seed,
            ).fit(X_train, y_noisy)
            scores[criterion] = net.score(X_test, y_test)
        gaps.append(scores["gce"] - scores["ce"])
    # Measured gaps 0.016-0.043 (mean 0.035) at these settings: cross-entropy
    # starts memorising the flipped labels within 40 epochs, GCE less so.
    assert np.mean(gaps) > 0.015
    assert min(gaps) > 0


def _nan_X(X):
    X = X.copy()
    X[3, 1] = np.nan
    return X


@pytest.mark.parametrize(
    "params, call, error, match",
    [
        ({}, lambda net, X, y: net.fit(_nan_X(X), y), ValueError, "NaN"),
        (
            {},
            lambda net, X, y: net.fit(X, y).predict(X[:, :5]),
            ValueError,
            "5 features",
        ),
        (
            {},
            lambda net, X, y: net.fit(X, y, sample_weight=np.ones(7)),
            ValueError,
            "sample_weight",
        ),
        (
            {},
            lambda net, X, y: net.fit(X, y, sample_weight=-np.ones(len(y))),
            ValueError,
            "sample_weight must be non-negative",
        ),
        ({}, lambda net, X, y: net.fit(X, y, groups=y), TypeError, "groups"),
        (
            {},
            lambda net, X, y: net.fit(X, np.full(len(y), 10)),
            ValueError,
            "at least 2 classes",
        ),
        (
            {"classes": [10, 20]},
            lambda net, X, y: net.fit(X, y),
            ValueError,
            "not in classes",
        ),
        (
            {"criterion": "nope"},
            lambda net, X, y: net.fit(X, y),
            ValueError,
            "must be one of .*'gce'.*got 'nope'",
        ),
        (
            {"criterion": "forward", "warm_up_epochs": -1},
            lambda net, X, y: net.fit(X, y),
            ValueError,
            "warm_up_epochs",
        ),
        (
            {"criterion": torch.nn.CrossEntropyLoss},
            lambda net, X, y: net.fit(X, y, sample_weight=np.arange(len(y)) + 1.0),
            ValueError,
            "weight=",
        ),
    ],
    ids=[
        "nan",
        "predict-shape",
        "weight-length",
        "weight-negative",
        "fit-kwarg",
        "one-class",
        "outside-classes",
        "criterion-name",
        "negative-warm-up",
        "criterion-without-weight",
    ],
)
def test_bad_input_raises_clear_error(three_classes, params, call, error, match):
    X, y, _ = three_classes
    with pytest.raises(error, match=match):
        call(_net(max_epochs=1, **params), X, y)


def test_unknown_criterion_error_names_the_parameter(three_classes):
    X, y, _ = three_classes
    with pytest.raises(ValueError, match="criterion"):
        _net(criterion="nope", max_epochs=1).fit(X, y)


@pytest.mark.parametrize("name", ["nnpu", "upu", "pu_mlc", "dllp"])
def test_other_families_losses_are_refused_before_training(three_classes, name):
    """Registry names of the PU and LLP losses failed mid-training before."""
    X, y, _ = three_classes
    with pytest.raises(ValueError, match=f"got '{name}'.*another family"):
        _net(criterion=name, max_epochs=1).fit(X, y)


def test_stateful_criterion_instance_must_fit_the_data(three_classes):
    """An ELR instance sized for 10 rows raised a bare IndexError on 300."""
    from skrobust.losses import ELRLoss

    X, y, _ = three_classes
    with pytest.raises(ValueError, match=r"ELRLoss\(n_samples=10\).*n_samples=300"):
        _net(criterion=ELRLoss(n_samples=10, n_classes=3), max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match=r"n_classes=2\).*n_classes=3"):
        _net(criterion=ELRLoss(n_samples=300, n_classes=2), max_epochs=1).fit(X, y)
    fitted = _net(criterion=ELRLoss(n_samples=300, n_classes=3), max_epochs=1)
    assert fitted.fit(X, y).predict(X).shape == (300,)


def test_partial_fit_continues_training(three_classes):
    X, y, _ = three_classes
    net = _net()
    net.partial_fit(X, y)
    module = net.module_
    weights = module.layers[0].weight.detach().clone()
    first_losses = net.history[:, "train_loss"]
    net.partial_fit(X, y)
    assert len(net.history) == 2 * net.max_epochs
    # Same network, trained further from where it stood.
    assert net.module_ is module
    assert not torch.equal(net.module_.layers[0].weight, weights)
    assert net.history[net.max_epochs]["train_loss"] < first_losses[0]
    with pytest.raises(ValueError, match="features"):
        net.partial_fit(X[:, :-1], y)


def test_partial_fit_takes_classes_missing_from_a_batch(three_classes):
    X, y, _ = three_classes
    first = y != 30
    net = _net().partial_fit(X[first], y[first], classes=LABELS)
    assert_array_equal(net.classes_, LABELS)
    assert net.predict_proba(X).shape == (len(y), 3)
    net.partial_fit(X, y)
    assert set(net.predict(X)) <= set(LABELS)


def test_warm_start_keeps_training_the_fitted_network(three_classes):
    X, y, _ = three_classes
    warm = _net(warm_start=True).fit(X, y)
    module = warm.module_
    end_of_first = warm.history[-1]["train_loss"]
    warm.fit(X, y)
    assert warm.module_ is module
    assert len(warm.history) == 2 * warm.max_epochs
    assert warm.history[warm.max_epochs]["train_loss"] < end_of_first + 1e-3

    cold = _net().fit(X, y)
    proba = cold.predict_proba(X)
    cold.fit(X, y)
    # Without warm_start a refit starts over, from the same seed.
    assert len(cold.history) == cold.max_epochs
    assert_array_equal(cold.predict_proba(X), proba)


def test_verbose_prints_an_epoch_table_and_silence_prints_nothing(
    three_classes, capsys
):
    X, y, _ = three_classes
    _net(verbose=0).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""
    _net(verbose=1).fit(X, y)
    captured = capsys.readouterr()
    assert "train_loss" in captured.out
    assert "epoch" in captured.out
    # One row per epoch in the table.
    for epoch in range(1, 4):
        assert f"\n{epoch:>7}" in captured.out


def test_get_iterator_slices_unless_dataloader_arguments_are_given(digits):
    X_train, X_test, y_train, y_test = digits
    fast = _net(max_epochs=15, module__hidden_units=(64,)).fit(X_train, y_train)
    loader = _net(
        max_epochs=15, module__hidden_units=(64,), iterator_train__num_workers=0
    ).fit(X_train, y_train)
    dataset = fast.get_dataset(
        {"X": X_train.astype(np.float32)}, y_train.astype(np.int64)
    )
    assert type(fast.get_iterator(dataset, training=True)) is TensorBatchIterator
    assert type(fast.get_iterator(dataset, training=False)) is TensorBatchIterator
    assert type(loader.get_iterator(dataset, training=True)) is DataLoader
    # The two paths draw different batch orders, so the nets differ, but both
    # learn the task equally well (measured 0.96-0.97 each).
    fast_score = fast.score(X_test, y_test)
    loader_score = loader.score(X_test, y_test)
    assert min(fast_score, loader_score) > 0.93
    assert abs(fast_score - loader_score) < 0.03


def test_history_records_train_loss_every_epoch(three_classes):
    X, y, _ = three_classes
    net = _net(max_epochs=6).fit(X, y)
    losses = net.history[:, "train_loss"]
    assert len(losses) == 6
    assert np.all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    assert [row["epoch"] for row in net.history] == list(range(1, 7))


# --- found by a review helper -----------------------------------------------


def test_partial_fit_warm_up_counts_epochs_over_calls(three_classes):
    # One epoch per call: the warm-up of 3 ends with the third call, not the
    # first (a fit's max_epochs cap must not apply to partial_fit).
    X, y, _ = three_classes
    net = _net(criterion="forward", warm_up_epochs=3, max_epochs=1)
    seen = []
    for _ in range(4):
        net.partial_fit(X, y, classes=LABELS)
        seen.append(hasattr(net, "transition_matrix_"))
    assert seen == [False, False, True, True]
    assert_allclose(net.transition_matrix_.sum(axis=1), 1.0)


def test_module_width_must_match_classes(three_classes):
    from skrobust.neural import MLP

    X, y, _ = three_classes
    for width in (2, 4):
        net = RobustNeuralNetClassifier(
            module=MLP(X.shape[1], width), max_epochs=1, random_state=0
        )
        with pytest.raises(ValueError, match=f"outputs {width} column.*needs 3"):
            net.fit(X, y)


def test_first_partial_fit_resets_a_cloned_criterion_state(three_classes):
    from sklearn.base import clone

    from skrobust.losses import ELRLoss

    X, y, _ = three_classes
    trained = _net(criterion=ELRLoss(n_samples=X.shape[0], n_classes=3)).fit(X, y)
    assert float(trained.criterion_.targets.sum()) > 0
    copy = clone(trained)
    fresh = _net(criterion=ELRLoss(n_samples=X.shape[0], n_classes=3))
    copy.partial_fit(X, y, classes=LABELS)
    fresh.partial_fit(X, y, classes=LABELS)
    assert_allclose(copy.predict_proba(X), fresh.predict_proba(X), atol=0)


@pytest.mark.parametrize("criterion", ["elr", "aldr_kl"])
def test_stateful_losses_score_an_external_validation_set(three_classes, criterion):
    from skorch.dataset import Dataset
    from skorch.helper import predefined_split

    X, y, codes = three_classes
    Xv, yv = X[:20] + 0.1, codes[:20]
    net = _net(
        criterion=criterion,
        train_split=predefined_split(Dataset(Xv.astype(np.float32), yv)),
    ).fit(X, y)
    valid = net.history[-1, "valid_loss"]
    assert np.isfinite(valid)
    if criterion == "elr":
        # No stored target for unseen rows: the zero target, plain cross-entropy.
        logits = torch.log(torch.as_tensor(net.predict_proba(Xv)))
        expected = float(cross_entropy(logits, torch.as_tensor(yv)))
        assert valid == pytest.approx(expected, rel=1e-4)


def test_state_size_given_through_criterion_params_is_checked(three_classes):
    X, y, _ = three_classes
    net = _net(criterion="elr", criterion__n_samples=X.shape[0] - 10)
    with pytest.raises(ValueError, match="criterion__n_samples=.*leave"):
        net.fit(X, y)


def test_criterion_names_are_case_insensitive(three_classes):
    X, y, _ = three_classes
    upper = _net(criterion="GCE", max_epochs=1).fit(X, y)
    lower = _net(criterion="gce", max_epochs=1).fit(X, y)
    assert_allclose(upper.predict_proba(X), lower.predict_proba(X), atol=0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_units": 8.0}, "hidden_units"),
        ({"hidden_units": (8, 2.5)}, "hidden_units"),
        ({"hidden_units": (True,)}, "hidden_units"),
        ({"dropout": "0.1"}, "dropout"),
        ({"dropout": True}, "dropout"),
    ],
)
def test_mlp_names_bad_argument_types(params, match):
    from skrobust.neural import MLP

    with pytest.raises(ValueError, match=match):
        MLP(4, 2, **params)


def test_backward_estimate_refuses_a_class_y_never_holds(three_classes):
    X, y, _ = three_classes
    net = _net(criterion="backward", classes=[10, 20, 30, 40], warm_up_epochs=1)
    with pytest.raises(ValueError, match="no row of class 40.*transition_matrix="):
        net.fit(X, y)
    # The forward correction has no inverse to take, and partial_fit may see the
    # class later.
    _net(criterion="forward", classes=[10, 20, 30, 40], warm_up_epochs=1).fit(X, y)
    _net(criterion="backward", classes=[10, 20, 30, 40], max_epochs=1).partial_fit(X, y)
