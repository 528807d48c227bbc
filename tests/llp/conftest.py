"""Data shared by the llp estimator tests: standardised splits and random bags."""

import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import bag_proportions, make_bags


def _split(X, y, seed=0):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.fixture(scope="module")
def cancer():
    return _split(*load_breast_cancer(return_X_y=True))


@pytest.fixture(scope="module")
def digits():
    return _split(*load_digits(return_X_y=True))


@pytest.fixture(scope="module")
def cancer_bags(cancer):
    """Random bags of 8 over the breast-cancer training rows, with proportions."""
    bags = make_bags(len(cancer[2]), 8, random_state=0)
    return bags, bag_proportions(cancer[2], bags)
