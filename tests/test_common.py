"""scikit-learn's estimator checks over every public skrobust estimator.

Instances and expected failures come from the tables in
``skrobust/testing/_instances.py``; an estimator added to the library is picked up
by ``all_estimators()`` without registration.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skrobust.testing._instances import (
    all_estimator_instances,
    expected_failed_checks,
)


@parametrize_with_checks(
    all_estimator_instances(), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
