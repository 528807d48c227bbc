"""Shared fixtures of the PU tests."""

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import make_pu_labels


@pytest.fixture(scope="module")
def cancer_pu():
    """Standardised breast cancer features, the true labels and PU labels with
    30 % of the positives labelled."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, y, make_pu_labels(y, 0.3, random_state=0)
