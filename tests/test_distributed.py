"""Work spread through joblib onto a cluster gives the sequential results.

The estimators parallelise with joblib only, so any joblib backend applies; this
runs the ones with ``n_jobs`` on a local Dask cluster and on a local Ray
instance, each of two worker processes, where every task and its data travel
pickled, as they would to a remote cluster.
"""

import contextlib
import importlib.util
import os
import signal

import numpy as np
import pytest
from joblib import parallel_config, register_parallel_backend
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skrobust.datasets import make_noisy_labels, make_pu_labels, make_transition_matrix
from skrobust.noise import ConfidentLearningClassifier, find_label_issues
from skrobust.pu import BaggingPUClassifier, ClassPriorEstimator, MedianPriorEstimator
from skrobust.utils import cross_val_predict_proba


@contextlib.contextmanager
def _dask_cluster():
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)

    def run(func):
        with distributed.get_task_stream(client) as stream, parallel_config("dask"):
            result = func()
        assert len(stream.data) > 0, "no task ran on the cluster"
        return result

    try:
        yield run
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def _ray_instance():
    import ray
    from joblib.parallel import BACKENDS
    from joblib.pool import PicklingPool
    from ray.util.joblib.ray_backend import RayBackend

    submitted = [0]

    class CountingRayBackend(RayBackend):
        """Ray's joblib backend, counting the batches it is handed."""

        def submit(self, func, callback=None):
            submitted[0] += 1
            return super().submit(func, callback=callback)

    # Ray changes process state that outlives ray.shutdown(): its backend
    # re-bases joblib's PicklingPool onto Ray's pool, and ray.init sets
    # environment variables and a SIGTERM handler. Put them back after, for the
    # tests that share this pytest worker.
    bases = PicklingPool.__bases__
    environ = dict(os.environ)
    sigterm = signal.getsignal(signal.SIGTERM)
    backend = BACKENDS.get("ray")
    # address="local": a fresh instance, never a cluster named in RAY_ADDRESS.
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    register_parallel_backend("ray", CountingRayBackend)

    def run(func):
        before = submitted[0]
        with parallel_config("ray"):
            result = func()
        assert submitted[0] > before, "no task ran on Ray"
        return result

    try:
        yield run
    finally:
        ray.shutdown()
        PicklingPool.__bases__ = bases
        os.environ.clear()
        os.environ.update(environ)
        signal.signal(signal.SIGTERM, sigterm)
        if backend is None:
            BACKENDS.pop("ray", None)
        else:
            BACKENDS["ray"] = backend


# Each kind of cluster: the module it needs, and the context that starts it.
_CLUSTERS = {"dask": ("distributed", _dask_cluster), "ray": ("ray", _ray_instance)}


@pytest.fixture(scope="module", params=sorted(_CLUSTERS))
def on_cluster(request):
    """Runs ``func()`` with joblib's work sent to a local cluster of the
    parametrised kind, checking that some of it got there."""
    module, factory = _CLUSTERS[request.param]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed")
    with factory() as run:
        yield run


@pytest.fixture(scope="module")
def digits_noisy():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16, y[:600]
    y_noisy, _ = make_noisy_labels(y, make_transition_matrix(10, 0.2), random_state=0)
    return X, y_noisy


def test_cross_fitting_on_a_cluster_matches_sequential(on_cluster, digits_noisy):
    X, y = digits_noisy
    model = LogisticRegression(max_iter=300)
    sequential = cross_val_predict_proba(model, X, y, random_state=0)
    spread = on_cluster(
        lambda: cross_val_predict_proba(model, X, y, random_state=0, n_jobs=2)
    )
    np.testing.assert_allclose(spread, sequential)
    issues = on_cluster(lambda: find_label_issues(y, spread, n_jobs=2))
    np.testing.assert_array_equal(issues, find_label_issues(y, sequential))


def test_grid_search_over_a_noise_classifier_on_a_cluster(on_cluster, digits_noisy):
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
    spread = on_cluster(lambda: search(2))
    np.testing.assert_allclose(
        spread.cv_results_["mean_test_score"],
        sequential.cv_results_["mean_test_score"],
    )
    np.testing.assert_array_equal(spread.predict(X), sequential.predict(X))


def test_pu_bagging_and_median_prior_on_a_cluster(on_cluster):
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
        on_cluster(lambda: bagging(2)).predict_proba(X),
        bagging(None).predict_proba(X),
    )
    np.testing.assert_allclose(
        on_cluster(lambda: median(2)).class_priors_,
        median(None).class_priors_,
    )
