"""A Pipeline as the base estimator of every meta-estimator that weights its base.

``Pipeline.fit`` has no ``sample_weight`` argument, so the weights these
estimators give their base (importance weights, soft labels, duplicated PU rows,
the user's own) must reach the pipeline's final step: as ``<step>__sample_weight``
without metadata routing, by a request on the final step with it. A one-step
pipeline must then behave exactly like its step.
"""

import numpy as np
import pytest
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skrobust.datasets import make_pu_labels
from skrobust.llp import BeliefPropagationLLPClassifier, ProportionEMClassifier
from skrobust.noise import (
    ConfidentLearningClassifier,
    ImportanceReweightingClassifier,
    IterativeRelabelingClassifier,
    LabelIssueDetector,
    TransitionCorrectedClassifier,
)
from skrobust.pu import (
    BaggingPUClassifier,
    ClassPriorEstimator,
    ElkanNotoClassifier,
    UnbiasedPUClassifier,
    WeightedElkanNotoClassifier,
)

# Small data and default iteration budgets: convergence is not what is tested.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(kind):
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, random_state=0
    )
    rng = np.random.default_rng(0)
    if kind == "noise":
        flip = rng.random(y.shape[0]) < 0.2
        return X, np.where(flip, 1 - y, y), {}
    if kind == "pu":
        return X, make_pu_labels(y, 0.5, random_state=0), {}
    bags = rng.permutation(y.shape[0]) // 8
    share = (np.bincount(bags, y) / np.bincount(bags))[bags]
    return X, np.column_stack([1.0 - share, share]), {"bags": bags}


def _seeded(cls, **params):
    return lambda base: cls(base, random_state=0, **params)


# (id, kind of data, factory of the estimator around a base)
CASES = [
    ("ImportanceReweighting", "noise", _seeded(ImportanceReweightingClassifier)),
    ("ConfidentLearning", "noise", _seeded(ConfidentLearningClassifier)),
    ("IterativeRelabeling", "noise", _seeded(IterativeRelabelingClassifier)),
    ("LabelIssueDetector", "noise", _seeded(LabelIssueDetector)),
    ("TransitionCorrected", "noise", _seeded(TransitionCorrectedClassifier)),
    ("ElkanNoto", "pu", _seeded(ElkanNotoClassifier)),
    ("WeightedElkanNoto", "pu", _seeded(WeightedElkanNotoClassifier)),
    ("BaggingPU", "pu", _seeded(BaggingPUClassifier, n_estimators=5)),
    ("UnbiasedPU", "pu", _seeded(UnbiasedPUClassifier)),
    (
        "ClassPriorEstimator",
        "pu",
        lambda base: ClassPriorEstimator(estimator=base, random_state=0),
    ),
    ("ProportionEM", "llp", _seeded(ProportionEMClassifier)),
    ("BeliefPropagation", "llp", BeliefPropagationLLPClassifier),
]
PARAMS = pytest.mark.parametrize(
    ("kind", "factory"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)


def _output(model, X):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    if hasattr(model, "label_quality_scores_"):
        return model.label_quality_scores_
    return np.array([model.class_prior_])


def _fit(model, X, y, extra, weights):
    params = dict(extra)
    if weights is not None:
        params["sample_weight"] = weights
    return model.fit(X, y, **params)


def _weights(n):
    return np.random.default_rng(1).uniform(0.5, 1.5, n)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
@pytest.mark.parametrize(
    ("kind", "factory"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_step_pipeline_matches_its_step(kind, factory, nested, weighted):
    X, y, extra = _data(kind)
    weights = _weights(X.shape[0]) if weighted else None
    step = LogisticRegression(max_iter=1000)
    pipe = Pipeline([("clf", step)])
    if nested:
        pipe = Pipeline([("inner", pipe)])
    plain = _fit(factory(step), X, y, extra, weights)
    piped = _fit(factory(pipe), X, y, extra, weights)
    np.testing.assert_allclose(
        _output(piped, X), _output(plain, X), rtol=1e-7, atol=1e-9
    )


@pytest.mark.parametrize(
    ("kind", "factory"), [c[1:3] for c in CASES], ids=[c[0] for c in CASES]
)
def test_pipeline_under_metadata_routing(kind, factory):
    """Same fit with routing on; the user's pipeline keeps its requests."""
    X, y, extra = _data(kind)
    weights = _weights(X.shape[0])
    off = _fit(
        factory(make_pipeline(StandardScaler(), LogisticRegression())),
        X,
        y,
        extra,
        weights,
    )
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            LogisticRegression().set_fit_request(sample_weight=True),
        )
        on = _fit(factory(pipe), X, y, extra, weights)
        # The unweighted call must work too: the estimator's own weights reach
        # the final step though nobody set the scaler's request.
        bare = make_pipeline(StandardScaler(), LogisticRegression())
        _fit(factory(bare), X, y, extra, None)
        requests = bare.steps[0][1].get_metadata_routing().fit.requests
    np.testing.assert_allclose(_output(on, X), _output(off, X), rtol=1e-7, atol=1e-9)
    assert requests["sample_weight"] is None
    with pytest.raises(NotFittedError):
        check_is_fitted(bare)


@pytest.mark.parametrize(
    "factory",
    [
        lambda b: WeightedElkanNotoClassifier(b),
        lambda b: ImportanceReweightingClassifier(b),
    ],
    ids=["WeightedElkanNoto", "ImportanceReweighting"],
)
def test_pipeline_whose_final_step_takes_no_weights_is_named(factory):
    X, y, _ = _data("pu")
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier())
    with pytest.raises(
        ValueError, match=r"final step 'kneighborsclassifier': KNeighbors"
    ):
        factory(pipe).fit(X, y)


@PARAMS
def test_data_frame_reaches_a_base_that_selects_columns_by_name(kind, factory):
    """Columns picked by name from a frame, or by position from the array: same fit."""
    pd = pytest.importorskip("pandas")
    X, y, extra = _data(kind)
    names = [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)

    def base(columns):
        return make_pipeline(
            ColumnTransformer([("keep", "passthrough", columns)]), LogisticRegression()
        )

    by_name = _fit(factory(base(["f0", "f2", "f3"])), frame, y, extra, None)
    by_position = _fit(factory(base([0, 2, 3])), X, y, extra, None)
    np.testing.assert_allclose(
        _output(by_name, frame), _output(by_position, X), rtol=1e-7, atol=1e-9
    )
    assert list(by_name.feature_names_in_) == names


_CALLS = []


class _RecordsWeights(LogisticRegression):
    """Records whether each fit got weights (clones are made inside the folds)."""

    def fit(self, X, y, sample_weight=None):
        _CALLS.append(sample_weight is not None)
        return super().fit(X, y, sample_weight=sample_weight)


def test_routing_keeps_the_users_request_for_the_users_own_weights():
    """Cross-fitting hands on the user's weights as routed; only the
    estimator's own weights may override a step's request (found in review)."""
    X, y, _ = _data("noise")
    weights = _weights(X.shape[0])
    _CALLS.clear()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=True),
            _RecordsWeights().set_fit_request(sample_weight=False),
        )
        LabelIssueDetector(pipe, cv=2).fit(X, y, sample_weight=weights)
        assert _CALLS == [False, False]
        _CALLS.clear()
        # Importance weights are the estimator's own: they reach the final step.
        ImportanceReweightingClassifier(pipe, cv=2).fit(X, y)
    assert _CALLS[-1] is True
