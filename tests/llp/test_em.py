"""Tests of ProportionEMClassifier (skrobust.llp._em)."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import bag_proportions, make_bags
from skrobust.llp import BagKFold
from skrobust.llp._em import ProportionEMClassifier


@pytest.fixture(scope="module")
def cancer_model(cancer, cancer_bags):
    X_train, _, _, _ = cancer
    bags, proportions = cancer_bags
    return ProportionEMClassifier(random_state=0).fit(X_train, proportions, bags=bags)


def test_binary_accuracy_with_bags_of_8(cancer, cancer_model):
    X_train, X_test, y_train, y_test = cancer
    prior_baseline = np.mean(y_test == np.bincount(y_train).argmax())
    # Measured: 0.965 on seeds 0-2 (supervised ceiling 0.958-0.972), against a
    # majority-class baseline of 0.63.
    assert cancer_model.score(X_test, y_test) > 0.93
    assert prior_baseline < 0.65
    assert_array_equal(cancer_model.classes_, [0, 1])


def test_pseudo_labels_meet_the_bag_counts(cancer_model, cancer_bags):
    bags, proportions = cancer_bags
    labels = cancer_model.pseudo_labels_
    assert_allclose(bag_proportions(labels, bags, classes=[0, 1]), proportions)
    assert 1 <= cancer_model.n_iter_ <= cancer_model.max_iter
    assert cancer_model.n_bags_ == len(np.unique(bags))


def test_multiclass_accuracy_with_bags_of_8(digits):
    X_train, X_test, y_train, y_test = digits
    bags = make_bags(len(y_train), 8, random_state=0)
    proportions = bag_proportions(y_train, bags)
    model = ProportionEMClassifier(random_state=0).fit(X_train, proportions, bags=bags)
    # Measured: 0.953-0.964 on seeds 0-2 (supervised ceiling 0.949-0.969);
    # always guessing one class scores 0.10.
    assert model.score(X_test, y_test) > 0.93
    assert_array_equal(model.classes_, np.arange(10))
    # Every bag gets exactly its counts of each digit.
    counts = np.zeros((bags.max() + 1, 10))
    np.add.at(counts, (bags, model.pseudo_labels_), 1)
    assert_allclose(counts[bags] / np.bincount(bags)[bags, None], proportions)


@pytest.mark.parametrize("dataset", ["cancer", "digits"])
def test_bags_of_one_equal_the_base_on_labels(dataset, request):
    X_train, X_test, y_train, _ = request.getfixturevalue(dataset)
    model = ProportionEMClassifier().fit(X_train, y_train)
    base = LogisticRegression(C=0.1, max_iter=1000).fit(X_train, y_train)
    assert_array_equal(model.predict(X_test), base.predict(X_test))
    assert_array_equal(model.predict_proba(X_test), base.predict_proba(X_test))
    assert_array_equal(model.decision_function(X_test), base.decision_function(X_test))
    assert_array_equal(model.pseudo_labels_, y_train)
    assert model.n_iter_ == 1


def test_explicit_bags_of_one_and_pure_bags_equal_the_base(cancer):
    X_train, X_test, y_train, _ = cancer
    base = LogisticRegression(C=0.1, max_iter=1000).fit(X_train, y_train)
    singletons = np.arange(len(y_train))
    # Pure bags: each bag holds one class only, so the counts fix every label.
    pure = y_train * 1000 + np.arange(len(y_train)) % 7
    for bags in (singletons, pure):
        model = ProportionEMClassifier().fit(
            X_train, bag_proportions(y_train, bags), bags=bags
        )
        assert_array_equal(model.predict_proba(X_test), base.predict_proba(X_test))


def test_string_labels_and_classes(cancer):
    X_train, X_test, y_train, _ = cancer
    names = np.array(["benign", "malignant"])[y_train]
    model = ProportionEMClassifier().fit(X_train, names)
    assert_array_equal(model.classes_, ["benign", "malignant"])
    base = LogisticRegression(C=0.1, max_iter=1000).fit(X_train, names)
    assert_array_equal(model.predict(X_test), base.predict(X_test))

    bags = make_bags(len(y_train), 8, random_state=0)
    named = ProportionEMClassifier(classes=["no", "yes"], random_state=0).fit(
        X_train, bag_proportions(y_train, bags), bags=bags
    )
    assert_array_equal(named.classes_, ["no", "yes"])
    assert set(named.predict(X_test)) == {"no", "yes"}


def test_convergence_warning_at_max_iter(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        model = ProportionEMClassifier(max_iter=1, tol=0.0).fit(
            X_train, proportions, bags=bags
        )
    assert model.n_iter_ == 1


def test_tol_one_stops_after_the_first_round_without_warning(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = ProportionEMClassifier(tol=1.0).fit(X_train, proportions, bags=bags)
    assert model.n_iter_ == 1


def test_a_label_cycle_stops_the_loop_without_warning(capsys):
    # Measured: on all 569 standardised rows in bags of 8 (seed 0), six rows
    # flip back and forth from round 4 on (1.05% of the labels each round).
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    bags = make_bags(len(y), 8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = ProportionEMClassifier(random_state=0, verbose=1).fit(
            X, bag_proportions(y, bags), bags=bags
        )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == model.n_iter_ < model.max_iter
    last_change = float(lines[-1].split(": ")[1].split("%")[0]) / 100
    assert last_change > model.tol


def test_init_random_is_reproducible(cancer, cancer_bags):
    X_train, X_test, _, y_test = cancer
    bags, proportions = cancer_bags
    fits = [
        ProportionEMClassifier(init="random", random_state=3).fit(
            X_train, proportions, bags=bags
        )
        for _ in range(2)
    ]
    assert_array_equal(fits[0].pseudo_labels_, fits[1].pseudo_labels_)
    assert_array_equal(fits[0].predict_proba(X_test), fits[1].predict_proba(X_test))
    # Measured 0.965 (seed 3); random starts are fine with small bags.
    assert fits[0].score(X_test, y_test) > 0.9


def test_integer_weights_equal_repeated_rows(cancer):
    X_train, X_test, y_train, _ = cancer
    weights = np.random.default_rng(0).integers(0, 3, len(y_train))
    weighted = ProportionEMClassifier().fit(X_train, y_train, sample_weight=weights)
    repeated_rows = np.repeat(np.arange(len(y_train)), weights)
    repeated = ProportionEMClassifier().fit(
        X_train[repeated_rows], y_train[repeated_rows]
    )
    assert_array_equal(weighted.predict(X_test), repeated.predict(X_test))
    # lbfgs stops at tol=1e-4 on two different objectives' scales.
    assert_allclose(
        weighted.predict_proba(X_test), repeated.predict_proba(X_test), atol=1e-3
    )


class _RecordingLR(LogisticRegression):
    """Logistic regression that records the row ids it was fitted on."""

    calls = []

    def fit(self, X, y, sample_weight=None, row_id=None):
        _RecordingLR.calls.append((X[:, -1].copy(), row_id, sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_params_and_weights_follow_the_rows():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(60, 2)), np.arange(60.0)])
    y = (X[:, 0] > 0).astype(int)
    bags = make_bags(60, 6, random_state=0)
    weights = rng.uniform(0.5, 2.0, 60)
    _RecordingLR.calls.clear()
    ProportionEMClassifier(_RecordingLR(), max_iter=2, cv=3).fit(
        X,
        bag_proportions(y, bags),
        bags=bags,
        sample_weight=weights,
        row_id=np.arange(60.0),
    )
    # 3 soft folds, 3 hard folds and the final fit, at least.
    assert len(_RecordingLR.calls) >= 7
    soft_rows = 0
    for seen_rows, row_id, sample_weight in _RecordingLR.calls:
        assert_array_equal(row_id, seen_rows)
        rows = seen_rows.astype(int)
        soft_rows += len(rows) > len(np.unique(rows))
        # Each row's weights across its copies sum to its user weight.
        assert_allclose(
            np.bincount(rows, weights=sample_weight, minlength=60)[np.unique(rows)],
            weights[np.unique(rows)],
        )
    # The soft round repeats the rows of mixed bags once per class.
    assert soft_rows >= 3
    # Fold fits leave rows out (scores are out of sample); the final fit has all.
    fitted_rows = [len(np.unique(call[0])) for call in _RecordingLR.calls]
    assert max(fitted_rows[:-1]) < 60
    assert fitted_rows[-1] == 60


def test_base_without_sample_weight(cancer, cancer_bags):
    X_train, X_test, y_train, _ = cancer
    bags, proportions = cancer_bags
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        ProportionEMClassifier(KNeighborsClassifier()).fit(
            X_train, proportions, bags=bags
        )
    with pytest.raises(ValueError, match="does not accept sample_weight"):
        ProportionEMClassifier(KNeighborsClassifier()).fit(
            X_train, y_train, sample_weight=np.ones(len(y_train))
        )
    # Without weights: labels (bags of one) and random starts need none.
    knn = KNeighborsClassifier().fit(X_train, y_train)
    model = ProportionEMClassifier(KNeighborsClassifier()).fit(X_train, y_train)
    assert_array_equal(model.predict(X_test), knn.predict(X_test))
    assert not hasattr(model, "decision_function")
    random_start = ProportionEMClassifier(
        KNeighborsClassifier(), init="random", random_state=0
    )
    random_start.fit(X_train, proportions, bags=bags)
    assert_allclose(
        bag_proportions(random_start.pseudo_labels_, bags, classes=[0, 1]),
        proportions,
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_group_splitter_gets_the_bags(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    seen = []

    class RecordingGroupKFold(GroupKFold):
        def split(self, X, y=None, groups=None):
            seen.append(np.asarray(groups))
            return super().split(X, y, groups)

    ProportionEMClassifier(cv=RecordingGroupKFold(3), max_iter=2).fit(
        X_train, proportions, bags=bags
    )
    codes = np.unique(bags, return_inverse=True)[1]
    assert len(seen) == 1
    assert_array_equal(seen[0], codes)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bag_splitter_gets_the_bags_by_name(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    seen = []

    class RecordingBagKFold(BagKFold):
        def split(self, X, y=None, groups=None, bags=None):
            seen.append(np.asarray(bags))
            return super().split(X, y, groups, bags)

    ProportionEMClassifier(cv=RecordingBagKFold(3), max_iter=3).fit(
        X_train, proportions, bags=bags
    )
    # The splitter asks for bags by name (not groups) and gets the bag codes.
    assert len(seen) == 1
    assert_array_equal(seen[0], np.unique(bags, return_inverse=True)[1])


def test_classes_of_the_wrong_length_name_classes(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    three = np.column_stack([1 - proportions, proportions / 2, proportions / 2])
    with pytest.raises(ValueError, match="classes has 2 entries but y has 3"):
        ProportionEMClassifier(classes=["a", "b"]).fit(X_train, three, bags=bags)
    with pytest.raises(ValueError, match="classes has 3 entries but y has 2"):
        ProportionEMClassifier(classes=["a", "b", "c"]).fit(
            X_train, proportions, bags=bags
        )


def test_decision_function_with_a_class_in_no_bag(cancer, cancer_bags):
    X_train, X_test, y_train, _ = cancer
    bags, _ = cancer_bags
    # Three classes, the middle one with zero share in every bag.
    onehot = np.eye(3)[np.where(y_train == 1, 2, 0)]
    counts = np.zeros((bags.max() + 1, 3))
    np.add.at(counts, bags, onehot)
    proportions = (counts / counts.sum(axis=1, keepdims=True))[bags]
    model = ProportionEMClassifier(classes=["neg", "unused", "pos"], random_state=0)
    model.fit(X_train, proportions, bags=bags)
    scores = model.decision_function(X_test)
    assert scores.shape == (len(X_test), 3)
    assert np.all(scores[:, 1] == -np.inf)
    assert_array_equal(model.classes_[np.argmax(scores, axis=1)], model.predict(X_test))
    assert np.all(model.predict_proba(X_test)[:, 1] == 0)


def test_parallel_folds_give_the_same_model(cancer, cancer_bags, cancer_model):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    parallel = ProportionEMClassifier(random_state=0, n_jobs=2)
    parallel.fit(X_train, proportions, bags=bags)
    assert_array_equal(parallel.pseudo_labels_, cancer_model.pseudo_labels_)
    assert_array_equal(
        parallel.predict_proba(X_test), cancer_model.predict_proba(X_test)
    )


def test_pickle_round_trip(cancer, cancer_model):
    X_test = cancer[1]
    restored = pickle.loads(pickle.dumps(cancer_model))
    assert_array_equal(
        restored.predict_proba(X_test), cancer_model.predict_proba(X_test)
    )
    assert_array_equal(restored.predict(X_test), cancer_model.predict(X_test))


def test_pipeline_with_and_without_routing(cancer, cancer_bags, cancer_model):
    X_train, X_test, _, y_test = cancer
    bags, proportions = cancer_bags
    # X_train is standardised already, so a second scaler changes nothing.
    pipe = make_pipeline(StandardScaler(), ProportionEMClassifier(random_state=0))
    pipe.fit(X_train, proportions, proportionemclassifier__bags=bags)
    assert_allclose(pipe.predict_proba(X_test), cancer_model.predict_proba(X_test))
    with sklearn.config_context(enable_metadata_routing=True):
        routed = make_pipeline(StandardScaler(), ProportionEMClassifier(random_state=0))
        routed.fit(X_train, proportions, bags=bags)
        assert routed.score(X_test, y_test) == pytest.approx(pipe.score(X_test, y_test))


def test_metadata_routing_requests_bags_and_routes_weights(cancer, cancer_bags):
    X_train, X_test, _, _ = cancer
    bags, proportions = cancer_bags
    model = ProportionEMClassifier()
    assert model.get_metadata_routing().consumes("fit", ["bags"]) == {"bags"}
    weights = np.random.default_rng(0).uniform(0.5, 2, len(bags))
    plain = ProportionEMClassifier(random_state=0).fit(
        X_train, proportions, bags=bags, sample_weight=weights
    )
    with sklearn.config_context(enable_metadata_routing=True):
        # The default base is built inside fit, so the error says how to pass one.
        with pytest.raises(UnsetMetadataPassedError, match="estimator=Logistic"):
            ProportionEMClassifier().fit(
                X_train, proportions, bags=bags, sample_weight=weights
            )
        unweighted = LogisticRegression(C=0.1, max_iter=1000)
        unweighted = unweighted.set_fit_request(sample_weight=False)
        declined = ProportionEMClassifier(unweighted, random_state=0).fit(
            X_train, proportions, bags=bags, sample_weight=weights
        )
        base = LogisticRegression(C=0.1, max_iter=1000)
        base = base.set_fit_request(sample_weight=True)
        routed = ProportionEMClassifier(base, random_state=0).fit(
            X_train, proportions, bags=bags, sample_weight=weights
        )
    assert_array_equal(routed.predict_proba(X_test), plain.predict_proba(X_test))
    # A base that declines the weights is fitted as if none were given.
    unweighted_fit = ProportionEMClassifier(random_state=0).fit(
        X_train, proportions, bags=bags
    )
    assert_array_equal(
        declined.predict_proba(X_test), unweighted_fit.predict_proba(X_test)
    )
    assert not np.allclose(declined.predict_proba(X_test), plain.predict_proba(X_test))


def _bad_inputs(X, proportions, bags):
    """(description, fit kwargs, error match) for malformed LLP inputs."""
    outside = proportions.copy()
    outside[bags == bags[0]] = 1.5
    differing = proportions.copy()
    differing[np.flatnonzero(bags == bags[0])[0]] = 0.99
    holed = proportions.copy()
    holed[3] = np.nan
    return [
        ("empty bag", {"y": proportions[:4], "bags": [[0, 1], [], [2, 3]]}, "empty"),
        ("outside [0, 1]", {"y": outside, "bags": bags}, r"in \[0, 1\]"),
        ("differ within a bag", {"y": differing, "bags": bags}, "equal within"),
        ("bags too short", {"y": proportions, "bags": bags[:-1]}, "bags"),
        ("NaN proportion", {"y": holed, "bags": bags}, "finite"),
        (
            "three columns, two classes",
            {
                "y": np.column_stack([proportions, 1 - proportions, 0 * proportions]),
                "bags": bags,
                "classes": ["a", "b"],
            },
            "classes",
        ),
    ]


def test_bad_inputs_raise_clear_errors(cancer, cancer_bags):
    X_train = cancer[0]
    bags, proportions = cancer_bags
    for _, kwargs, match in _bad_inputs(X_train, proportions, bags):
        kwargs = dict(kwargs)
        classes = kwargs.pop("classes", None)
        y = kwargs.pop("y")
        X = X_train[: len(y)]
        with pytest.raises(ValueError, match=match):
            ProportionEMClassifier(classes=classes).fit(X, y, **kwargs)
    # X one row short: the error names X and y, not the (correct) bags.
    with pytest.raises(ValueError, match="X has .* rows but y has"):
        ProportionEMClassifier().fit(X_train[:-1], proportions, bags=bags)
    with pytest.raises(ValueError, match="Unknown label type"):
        ProportionEMClassifier().fit(X_train, proportions)
    with pytest.raises(ValueError, match="one class"):
        ProportionEMClassifier().fit(X_train, np.zeros(len(bags)), bags=bags)
    with pytest.raises(ValueError, match="sample_weight"):
        ProportionEMClassifier().fit(
            X_train, proportions, bags=bags, sample_weight=-np.ones(len(bags))
        )


# --- found by a review helper -----------------------------------------------


def _small_bags():
    from sklearn.datasets import make_classification

    X, _ = make_classification(80, 4, random_state=0)
    bags = np.arange(80) // 4
    y = np.zeros(80, int)
    y[:2] = 1
    y[8:10] = 1
    y[40:44] = 1
    return X, bag_proportions(y, bags), bags


def test_soft_round_folds_see_the_classes_the_weights_leave():
    # Zero weights on every row of the bags with positives but one: a fold
    # without that row holds positive shares, all weighted 0, so its base sees
    # one class (it crashed in LogisticRegression).
    X, P, bags = _small_bags()
    sw = np.ones(80)
    sw[P > 0] = 0
    sw[0] = 1
    model = ProportionEMClassifier(max_iter=3, random_state=0)
    model.fit(X, P, bags=bags, sample_weight=sw)
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)


def test_all_zero_weights_are_refused_by_name():
    X, P, bags = _small_bags()
    with pytest.raises(ValueError, match="sample_weight is zero on every row"):
        ProportionEMClassifier().fit(X, P, bags=bags, sample_weight=np.zeros(80))


def test_more_folds_than_rows_names_cv():
    X = np.random.RandomState(0).randn(4, 2)
    with pytest.raises(ValueError, match="cv=5 needs at least 5 rows"):
        ProportionEMClassifier(cv=5).fit(
            X, np.full(4, 0.5), bags=np.array([0, 0, 1, 1])
        )
