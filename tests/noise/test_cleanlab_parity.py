"""Parity of skrobust.noise with cleanlab 2.9, the reference METHODS.md A1-A3 cite.

Exact agreement is not expected everywhere, for reasons that are cleanlab's:

- Calibration rounds each row of the confident joint and hands the remainder to the
  entries with the largest residuals. Entries with equal raw counts in a row have
  equal residuals (frequent with 10 classes); cleanlab orders them with numpy's
  default (unstable) argsort, we with a stable one, so such a row may differ by a
  unit moved between tied entries.
- Every unit moved changes one prune count by 1, hence one flagged row in the
  ``prune_*`` rules; given the same confident joint, the masks agree exactly.

cleanlab's ``noise_matrix`` is ``P(given = i | true = j)`` (columns sum to 1): the
transpose of our ``T``.
"""

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from skrobust.noise import (
    compute_confident_joint,
    estimate_clean_class_prior,
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
)

cleanlab = pytest.importorskip("cleanlab")
from cleanlab.count import compute_confident_joint as cl_confident_joint  # noqa: E402
from cleanlab.count import estimate_latent as cl_estimate_latent  # noqa: E402
from cleanlab.filter import find_label_issues as cl_find_label_issues  # noqa: E402
from cleanlab.rank import get_label_quality_scores as cl_quality_scores  # noqa: E402


def _load_reference():
    path = Path(__file__).with_name("_reference.py")
    spec = importlib.util.spec_from_file_location("_skrobust_noise_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

CL_FILTERS = [
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
]
# Disagreement allowed with cleanlab's own confident joint: a few units moved by
# ties (observed 0-3 rows in 3000 for K=10), i.e. 0.2 % of the rows at most.
MAX_DISAGREEMENT = 0.002


@pytest.fixture(scope="module", params=[(3, 0), (3, 1), (10, 0), (10, 1)])
def problem(request):
    """3000 rows, well separated (true-class logit +3), 20 % uniform label noise."""
    K, seed = request.param
    n = 3000
    rng = np.random.default_rng(seed)
    y_true = rng.integers(K, size=n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), y_true] += 3.0
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.where(rng.random(n) < 0.2, rng.integers(K, size=n), y_true)
    return y, P


def _cleanlab_mask(y, P, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab warns about small classes
        return cl_find_label_issues(y, P, n_jobs=1, **kwargs)


def test_uncalibrated_confident_joint_matches_cleanlab(problem):
    y, P = problem
    np.testing.assert_array_equal(
        compute_confident_joint(y, P, calibrate=False),
        cl_confident_joint(y, P, calibrate=False),
    )


def test_confident_joint_matches_cleanlab_up_to_rounding_ties(problem):
    y, P = problem
    ours = compute_confident_joint(y, P)
    theirs = cl_confident_joint(y, P)
    _, tied = ref.confident_joint(P, y, P.shape[1], return_tied=True)
    # Rows without a rounding tie agree exactly ...
    np.testing.assert_array_equal(ours[~tied], theirs[~tied])
    # ... tied rows only move units between entries: same row totals.
    np.testing.assert_array_equal(ours.sum(axis=1), theirs.sum(axis=1))
    assert np.abs(ours - theirs).max() <= 1


@pytest.mark.parametrize("filter_by", CL_FILTERS)
def test_find_label_issues_matches_cleanlab(problem, filter_by):
    y, P = problem
    ours = find_label_issues(y, P, filter_by=filter_by)
    theirs = _cleanlab_mask(y, P, filter_by=filter_by)
    assert np.mean(ours != theirs) <= MAX_DISAGREEMENT
    assert ours.sum() > 0.05 * len(y)  # the rules do flag the noisy rows


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "prune_by_class", "both"])
def test_find_label_issues_matches_cleanlab_given_same_joint(problem, filter_by):
    y, P = problem
    joint = compute_confident_joint(y, P)
    ours = find_label_issues(y, P, filter_by=filter_by)
    theirs = _cleanlab_mask(y, P, filter_by=filter_by, confident_joint=joint)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "method, adjust",
    [
        ("self_confidence", False),
        ("self_confidence", True),
        ("normalized_margin", False),
        ("normalized_margin", True),
        ("confidence_weighted_entropy", False),
    ],
)
def test_label_quality_scores_match_cleanlab(problem, method, adjust):
    y, P = problem
    ours = label_quality_scores(y, P, method=method, adjust_pred_proba=adjust)
    theirs = cl_quality_scores(y, P, method=method, adjust_pred_probs=adjust)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_transition_matrix_and_prior_match_cleanlab_latent(problem):
    y, P = problem
    prior, noise_matrix, _ = cl_estimate_latent(compute_confident_joint(y, P), y)
    np.testing.assert_allclose(
        estimate_transition_matrix(y, P), noise_matrix.T, rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(estimate_clean_class_prior(y, P), prior, atol=1e-12)
