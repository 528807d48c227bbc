"""Work spread through joblib onto a Dask cluster gives the sequential results.

The estimators parallelise with joblib only, so any joblib backend applies; this
runs the ones with ``n_jobs`` on a local Dask cluster of two worker processes,
where every task and its data travel pickled, as they would to a remote cluster.
"""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

from skrobust.datasets import (  # noqa: E402
    make_noisy_labels,
    make_pu_labels,
    make_transition_matrix,
)
from skrobust.noise import ConfidentLearningClassifier, find_label_issues  # noqa: E402
from skrobust.pu import (  # noqa: E402
    BaggingPUClassifier,
    ClassPriorEstimator,
    MedianPriorEstimator,
)
from skrobust.utils import cross_val_predict_proba  # noqa: E402


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _on_dask(client, func):
    """``func()`` with joblib's work sent to the cluster; checks it got there."""
    with distributed.get_task_stream(client) as stream, parallel_config("dask"):
        result = func()
    assert len(stream.data) > 0, "no task ran on the cluster"
    return result


@pytest.fixture(scope="module")
def digits_noisy():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16, y[:600]
    y_noisy, _ = make_noisy_labels(y, make_transition_matrix(10, 0.2), random_state=0)
    return X, y_noisy


def test_cross_fitting_on_dask_matches_sequential(dask_client, digits_noisy):
    X, y = digits_noisy
    model = LogisticRegression(max_iter=300)
    sequential = cross_val_predict_proba(model, X, y, random_state=0)
    spread = _on_dask(
        dask_client,
        lambda: cross_val_predict_proba(model, X, y, random_state=0, n_jobs=2),
    )
    np.testing.assert_allclose(spread, sequential)
    issues = _on_dask(dask_client, lambda: find_label_issues(y, spread, n_jobs=2))
    np.testing.assert_array_equal(issues, find_label_issues(y, sequential))


def test_grid_search_over_a_noise_classifier_on_dask(dask_client, digits_noisy):
    X, y = digits_noisy

    def search(n_jobs):
        return GridSearchCV(
            ConfidentLearningClassifier(
                LogisticRegression(max_iter=300), cv=3, random_state=0
            ),
            {"filter_by": ["prune_by_noise_rate", "prune_by_class"]},
            cv=3,
            n_jobs=n_jobs,
        ).fit(X, y)

    sequential = search(None)
    spread = _on_dask(dask_client, lambda: search(2))
    np.testing.assert_allclose(
        spread.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )
    np.testing.assert_array_equal(spread.predict(X), sequential.predict(X))


def test_pu_bagging_and_median_prior_on_dask(dask_client):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    s = make_pu_labels(y, 0.3, random_state=0)

    def bagging(n_jobs):
        return BaggingPUClassifier(
            DecisionTreeClassifier(max_depth=4),
            n_estimators=16,
            n_jobs=n_jobs,
            random_state=0,
        ).fit(X, s)

    def median(n_jobs):
        members = [
            ClassPriorEstimator(method, cv=3, random_state=0)
            for method in ("dedpul", "bbe", "e1")
        ]
        return MedianPriorEstimator(members, n_jobs=n_jobs).fit(X, s)

    np.testing.assert_allclose(
        _on_dask(dask_client, lambda: bagging(2)).predict_proba(X),
        bagging(None).predict_proba(X),
    )
    np.testing.assert_allclose(
        _on_dask(dask_client, lambda: median(2)).class_priors_,
        median(None).class_priors_,
    )
