"""Fixtures shared by the noise family's tests."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone


@pytest.fixture
def check_search_refits_the_best():
    """A check of a fitted ``GridSearchCV`` over ``pipe`` on ``X, y``.

    The searched values must score differently (a parameter that never reached
    the step would score the same everywhere), and the search's refit must
    predict as a clone of ``pipe`` set to the best values and fitted on the same
    rows (the step is seeded, so a refit that lost a parameter would differ).
    """

    def check(search, pipe, X, y, X_test):
        scores = search.cv_results_["mean_test_score"]
        assert np.ptp(scores) > 0, scores
        manual = clone(pipe).set_params(**search.best_params_).fit(X, y)
        assert_array_equal(search.predict(X_test), manual.predict(X_test))

    return check
