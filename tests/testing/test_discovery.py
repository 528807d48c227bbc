"""Tests for estimator discovery and the instance tables."""

import importlib.util

import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from skrobust.testing import all_estimators
from skrobust.testing._instances import (
    EXPECTED_FAILED_CHECKS,
    INSTANCE_PARAMS,
    _construct_instances,
    all_estimator_instances,
    expected_failed_checks,
)


def test_all_estimators_returns_sorted_public_estimator_classes():
    found = all_estimators()
    names = [name for name, _ in found]
    assert names == sorted(names)
    for name, cls in found:
        assert not name.startswith("_")
        assert issubclass(cls, BaseEstimator)
        assert cls.__module__.startswith("skrobust.")


def test_all_estimators_type_filter_validates():
    with pytest.raises(ValueError, match="type_filter must be None or among"):
        all_estimators(type_filter="bogus")
    classifiers = all_estimators(type_filter="classifier")
    assert set(classifiers) < set(all_estimators())
    assert all(issubclass(cls, ClassifierMixin) for _, cls in classifiers)
    # The prior and label-issue estimators are estimators, not classifiers.
    names = {name for name, _ in classifiers}
    assert not names & {"ClassPriorEstimator", "LabelIssueDetector"}


# Estimators of families with optional dependencies: the tables name them even
# where their family is not importable (the floor environment has no torch).
_NEURAL_ESTIMATORS = {
    "RobustNeuralNetClassifier",
    "PUNeuralNetClassifier",
    "LLPNeuralNetClassifier",
}


def _table_names():
    """Names the tables may list: discovered estimators, plus the neural ones
    when skorch or torch is missing."""
    names = {name for name, _ in all_estimators()}
    if not all(importlib.util.find_spec(m) for m in ("torch", "skorch")):
        names |= _NEURAL_ESTIMATORS
    return names


def test_tables_name_existing_estimators_and_give_reasons():
    names = _table_names()
    assert set(INSTANCE_PARAMS) <= names
    assert set(EXPECTED_FAILED_CHECKS) <= names
    for checks in EXPECTED_FAILED_CHECKS.values():
        for check, reason in checks.items():
            assert check.startswith("check_")
            # A reason is a sentence a reviewer can verify, not a placeholder.
            assert len(reason.split()) >= 5 and reason.endswith(".")


def test_instances_follow_the_table(monkeypatch):
    class Toy(BaseEstimator):
        def __init__(self, alpha=1.0):
            self.alpha = alpha

    monkeypatch.setitem(INSTANCE_PARAMS, "Toy", [{"alpha": 2.0}, {"alpha": 3.0}])
    monkeypatch.setitem(
        EXPECTED_FAILED_CHECKS, "Toy", {"check_fit2d_1sample": "Toy needs two rows."}
    )
    instances = list(_construct_instances(Toy))
    assert [est.alpha for est in instances] == [2.0, 3.0]
    assert expected_failed_checks(instances[0]) == {
        "check_fit2d_1sample": "Toy needs two rows."
    }


def test_estimator_without_table_entry_uses_defaults():
    class Plain(BaseEstimator):
        def __init__(self, alpha=1.0):
            self.alpha = alpha

    (instance,) = _construct_instances(Plain)
    assert instance.alpha == 1.0
    assert expected_failed_checks(instance) == {}


def test_all_estimator_instances_covers_every_estimator():
    instances = all_estimator_instances()
    assert {type(e) for e in instances} == {cls for _, cls in all_estimators()}


def test_invariant_options_give_reasons():
    from skrobust.testing._instances import INVARIANT_OPTIONS

    names = _table_names()
    for name, checks in INVARIANT_OPTIONS.items():
        assert name in names
        for check, (kwargs, reason) in checks.items():
            assert check.startswith("check_") and isinstance(kwargs, dict)
            assert len(reason.split()) >= 5 and reason.endswith(".")
