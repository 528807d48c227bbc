"""Model selection without instance labels: DESIGN.md's LLP recipe end to end.

``GridSearchCV(est, param_grid, cv=BagKFold(5), scoring=bag_proportion_scorer)``
fitted with ``fit(X, y, bags=b)`` under metadata routing must hand every fit,
and every scoring call, whole bags, and pick a setting whose accuracy on
instance labels is close to the best in the grid.
"""

import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp._split import BagKFold
from skrobust.metrics._llp import bag_proportion_error, bag_proportion_scorer

# Calls seen by _RecordingLLP, in order: ("fit" | "predict_proba", rows, bags, y).
_CALLS = []


class _RecordingLLP(ClassifierMixin, BaseEstimator):
    """An LLP estimator that records the rows, bags and targets it receives.

    Column 0 of ``X`` holds the row number, so each call can be traced back to
    the original rows. It predicts ``prior`` for the positive class everywhere,
    so each setting has a known bag-proportion error.
    """

    __metadata_request__fit = {"bags": True}

    def __init__(self, prior=0.5):
        self.prior = prior

    def fit(self, X, y, bags=None, sample_weight=None):
        rows = np.asarray(X)[:, 0].astype(int)
        _CALLS.append(("fit", rows, None if bags is None else np.asarray(bags), y))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        rows = np.asarray(X)[:, 0].astype(int)
        _CALLS.append(("predict_proba", rows, None, None))
        p = np.full(rows.shape[0], float(self.prior))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


@pytest.fixture
def recorded_search():
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    # Unequal bags (4 to 20 rows), ids that are neither sorted nor contiguous.
    sizes = rng.integers(4, 21, size=40)
    sizes = sizes[np.cumsum(sizes) <= n]
    sizes[-1] += n - sizes.sum()
    ids = rng.permutation(1000)[: sizes.shape[0]] * 7
    b = np.repeat(ids, sizes)[rng.permutation(n)]
    props = bag_proportions(y, b)
    X = np.column_stack([np.arange(n), rng.normal(size=n)])
    _CALLS.clear()
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(
            _RecordingLLP(),
            {"prior": [0.2, 0.5, 0.8]},
            cv=BagKFold(5),
            scoring=bag_proportion_scorer,
        ).fit(X, props, bags=b)
    calls = list(_CALLS)
    _CALLS.clear()
    return search, calls, X, props, b


def test_every_fit_gets_whole_bags_aligned_with_its_rows(recorded_search):
    search, calls, X, props, b = recorded_search
    fits = [call for call in calls if call[0] == "fit"]
    # 3 settings x 5 folds, then the refit on everything.
    assert len(fits) == 3 * 5 + 1
    full_counts = dict(zip(*np.unique(b, return_counts=True), strict=True))
    for _, rows, bags, y in fits:
        assert bags is not None
        np.testing.assert_array_equal(bags, b[rows])
        np.testing.assert_array_equal(y, props[rows])
        ids, counts = np.unique(bags, return_counts=True)
        assert all(full_counts[i] == c for i, c in zip(ids, counts, strict=True))
    np.testing.assert_array_equal(np.sort(fits[-1][1]), np.arange(len(b)))


def test_every_score_sees_the_held_out_whole_bags(recorded_search):
    search, calls, X, props, b = recorded_search
    # With n_jobs=1 the search runs the folds of each setting in turn, and each
    # fold's fit is followed by the scorer's predict_proba on its test fold.
    folds = list(BagKFold(5).split(X, bags=b))
    scored = [rows for kind, rows, _, _ in calls if kind == "predict_proba"]
    assert len(scored) == 3 * 5
    for k, rows in enumerate(scored):
        _, test = folds[k % 5]
        np.testing.assert_array_equal(np.sort(rows), test)


def test_search_scores_equal_the_bag_error_on_each_fold(recorded_search):
    search, _, X, props, b = recorded_search
    folds = list(BagKFold(5).split(X, bags=b))
    for i, params in enumerate(search.cv_results_["params"]):
        model = _RecordingLLP(**params)
        expected = [
            -bag_proportion_error(props[t], model.predict_proba(X[t]), b[t])
            for _, t in folds
        ]
        for k in range(5):
            assert search.cv_results_[f"split{k}_test_score"][i] == pytest.approx(
                expected[k]
            )
    # The overall positive rate of these bags is near 0.5.
    assert search.best_params_ == {"prior": 0.5}


def test_without_routing_the_splitter_asks_for_it():
    X = np.column_stack([np.arange(40), np.zeros(40)])
    b = np.repeat(np.arange(10), 4)
    search = GridSearchCV(
        _RecordingLLP(), {"prior": [0.5]}, cv=BagKFold(5), scoring=bag_proportion_scorer
    )
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        search.fit(X, np.full(40, 0.5), bags=b)


# DESIGN.md's recipe with a real LLP estimator. Selecting on held-out bag
# proportions should cost little instance accuracy against an oracle that picks
# the grid's best setting by instance labels on a test set.
SEEDS = range(5)
BAG_SIZE = 16
PARAM_GRID = {"lr": [1e-4, 3e-3, 1e-1], "max_epochs": [10, 40]}
# Measured with torch 2.13 / skorch 1.4 on CPU: mean regret 0.006 over seeds 0-4
# (per seed 0.023, 0, 0.006, 0, 0; 0.008 over seeds 5-9). The grid spans 0.35 of
# accuracy on average (lr=1e-4 underfits, lr=1e-1 sometimes diverges) and a
# blind pick (the grid's mean accuracy) loses 0.11 on average, so a margin of
# 0.02 separates selection by bags from guessing while leaving room for
# numerical differences across platforms.
MARGIN = 0.02


@pytest.mark.slow
def test_recipe_selects_nearly_the_best_setting_by_instance_labels():
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skrobust.neural import LLPNeuralNetClassifier

    X_all, y_all = load_breast_cancer(return_X_y=True)
    regrets, blind_regrets = [], []
    for seed in SEEDS:
        X_train, X_test, y_train, y_test = train_test_split(
            X_all, y_all, test_size=0.3, stratify=y_all, random_state=seed
        )
        scaler = StandardScaler().fit(X_train)
        X = scaler.transform(X_train).astype(np.float32)
        X_test = scaler.transform(X_test).astype(np.float32)
        b = make_bags(len(y_train), BAG_SIZE, random_state=seed)
        y = bag_proportions(y_train, b)  # the search sees bag proportions only
        est = LLPNeuralNetClassifier(random_state=seed)
        param_grid = PARAM_GRID

        # The recipe, verbatim (config_context keeps the setting local).
        with sklearn.config_context(enable_metadata_routing=True):
            search = GridSearchCV(
                est, param_grid, cv=BagKFold(5), scoring=bag_proportion_scorer
            ).fit(X, y, bags=b)

        # The oracle: every setting fitted on all training bags, judged on
        # instance labels of the test rows.
        accuracies = np.array(
            [
                clone(est).set_params(**params).fit(X, y, bags=b).score(X_test, y_test)
                for params in search.cv_results_["params"]
            ]
        )
        assert search.best_estimator_.score(X_test, y_test) == pytest.approx(
            accuracies[search.best_index_]
        )
        regrets.append(accuracies.max() - accuracies[search.best_index_])
        blind_regrets.append(accuracies.max() - accuracies.mean())

    assert np.mean(regrets) <= MARGIN, regrets
    # The grid offers a real choice: picking blindly would lose far more.
    assert np.mean(blind_regrets) > 3 * MARGIN, blind_regrets
