"""Tests of find_label_issues, label_quality_scores and rank_label_issues.

skrobust/noise/_issues.py (public functions), with the filters and scores of
_confident.py and the transition posterior of _posterior.py (METHODS.md A2, A3).
Hand-computed cases first, then exact agreement with the loop-based reference in
``tests/noise/_reference.py`` and properties under hypothesis.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from skrobust.noise import (
    compute_confident_joint,
    find_label_issues,
    label_quality_scores,
    rank_label_issues,
)
from skrobust.testing.strategies import noisy_label_problems, transition_matrices


def _load_reference():
    path = Path(__file__).with_name("_reference.py")
    spec = importlib.util.spec_from_file_location("_skrobust_noise_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

FILTERS = [
    "auto",
    "transition_posterior",
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
]
# cleanlab's five rules, which end with the unflag step of METHODS.md A2.
CL_FILTERS = FILTERS[2:]
# Filters whose result goes through the calibrated (rounded) confident joint.
JOINT_FILTERS = {
    "auto",
    "transition_posterior",
    "prune_by_noise_rate",
    "prune_by_class",
}
JOINT_FILTERS.add("both")
METHODS = [
    "self_confidence",
    "normalized_margin",
    "confidence_weighted_entropy",
    "transition_posterior",
    "blend",
]
# Small problems: up to 80 rows and 5 classes keep the loop-based reference fast.
PROBLEMS = noisy_label_problems(
    n_samples=st.integers(2, 80), n_classes=st.integers(2, 5)
)
DTYPES = st.sampled_from([np.float64, np.float32])


def _codes(problem):
    return np.searchsorted(problem.classes, problem.y_noisy)


def _has_joint_tie(P, y):
    """True when the calibrated joint rounds an exact tie (decided by column order)."""
    _, tied = ref.confident_joint(P, y, P.shape[1], return_tied=True)
    return bool(tied.any())


# --- Hand-computed cases --------------------------------------------------------------

# The 8-row table of test_confident.py: calibrated joint [[2, 1, 0], [0, 2, 0],
# [1, 0, 2]], so the prune matrix (its transpose) asks for one row given 0 that is
# truly 1, one row given 2 that is truly 0, and n_k - M[k, k] = (1, 0, 1) per class.
TABLE_Y = np.array([0, 0, 0, 1, 1, 2, 2, 2])
TABLE_P = np.array(
    [
        [0.90, 0.05, 0.05],
        [0.60, 0.30, 0.10],
        [0.00, 0.70, 0.30],  # largest P1 - P0 and lowest P0 of class 0; guessed 1
        [0.10, 0.80, 0.10],
        [0.46, 0.44, 0.10],  # argmax 0 != 1 but confident in nothing
        [0.10, 0.10, 0.80],
        [0.60, 0.00, 0.40],  # largest P0 - P2 and lowest P2 of class 2; guessed 0
        [0.05, 0.05, 0.90],
    ]
)


@pytest.mark.parametrize(
    "filter_by, expected",
    [
        ("prune_by_noise_rate", [2, 6]),
        ("prune_by_class", [2, 6]),
        ("both", [2, 6]),
        ("confident_learning", [2, 6]),
        ("predicted_neq_given", [2, 4, 6]),
    ],
)
def test_find_label_issues_hand_computed(filter_by, expected):
    mask = find_label_issues(TABLE_Y, TABLE_P, filter_by=filter_by)
    np.testing.assert_array_equal(np.flatnonzero(mask), expected)


def test_find_label_issues_prune_by_noise_rate_takes_largest_margins():
    # Class 0 has 4 rows, two of them truly 1 per the joint: the two with the
    # largest P1 - P0 are flagged (rows 2 and 3, margins .6 and .56), not row 1
    # (margin -.2) nor row 0 (-.9).
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    P = np.array(
        [
            [0.95, 0.05],  # t = (.4925, .75)
            [0.60, 0.40],
            [0.20, 0.80],  # guessed 1
            [0.22, 0.78],  # guessed 1
            [0.30, 0.70],  # not counted
            [0.20, 0.80],
            [0.25, 0.75],
            [0.25, 0.75],
        ]
    )
    # Rows given 1 have the diagonal only (3 counted), scaled to their 4 rows.
    np.testing.assert_array_equal(compute_confident_joint(y, P), [[2, 2], [0, 4]])
    mask = find_label_issues(y, P, filter_by="prune_by_noise_rate")
    np.testing.assert_array_equal(np.flatnonzero(mask), [2, 3])


@pytest.mark.parametrize("filter_by", FILTERS)
def test_find_label_issues_unflags_rows_agreeing_within_slack(filter_by):
    # Row 0's given label is within 1e-6 of its argmax: never an issue. Row 1's is
    # 2e-4 below: predicted_neq_given flags it.
    y = np.array([0, 0, 0, 1, 1, 1])
    P = np.array(
        [
            [0.4999996, 0.5000004],
            [0.4999, 0.5001],
            [0.9, 0.1],
            [0.1, 0.9],
            [0.2, 0.8],
            [0.95, 0.05],
        ]
    )
    mask = find_label_issues(y, P, filter_by=filter_by)
    assert not mask[0]
    if filter_by == "predicted_neq_given":
        np.testing.assert_array_equal(np.flatnonzero(mask), [1, 5])


@pytest.mark.parametrize("filter_by", CL_FILTERS)
@given(problem=PROBLEMS, dtype=DTYPES)
def test_find_label_issues_never_flags_rows_whose_label_is_argmax(
    filter_by, problem, dtype
):
    P = problem.pred_proba.astype(dtype)
    y = _codes(problem)
    mask = find_label_issues(y, P, classes=problem.classes, filter_by=filter_by)
    agrees = P[np.arange(len(y)), y] + 1e-6 > P.max(axis=1)
    assert not mask[agrees].any()


@pytest.mark.parametrize("filter_by", ["transition_posterior", "auto"])
def test_find_label_issues_posterior_never_flags_rows_whose_label_is_argmax(
    filter_by,
):
    # Row 0 is given 1, its most probable class (.6). Under T, whose class 0 flips
    # to 1 at rate .45, the clean posterior is (.727, .273), so P(true = 1) =
    # .273 / .6 = .455 < 1/2.
    T = np.array([[0.55, 0.45], [0.0, 1.0]])
    y = np.array([1, 0, 1, 0])
    P = np.array([[0.4, 0.6], [0.9, 0.1], [0.1, 0.9], [0.8, 0.2]])
    mask = find_label_issues(y, P, filter_by=filter_by, transition_matrix=T)
    assert not mask[0]


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "prune_by_class", "both"])
def test_find_label_issues_frac_noise_zero_flags_nothing(filter_by):
    mask = find_label_issues(TABLE_Y, TABLE_P, filter_by=filter_by, frac_noise=0.0)
    assert not mask.any()


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "prune_by_class", "both"])
def test_find_label_issues_small_classes_never_pruned(filter_by):
    # With min_examples_per_class=3 every class (3, 2 and 3 rows) is left alone;
    # with 2, only class 1 is, and classes 0 and 2 give the hand-computed rows.
    mask = find_label_issues(
        TABLE_Y, TABLE_P, filter_by=filter_by, min_examples_per_class=3
    )
    assert not mask.any()
    mask = find_label_issues(
        TABLE_Y, TABLE_P, filter_by=filter_by, min_examples_per_class=2
    )
    np.testing.assert_array_equal(np.flatnonzero(mask), [2, 6])


@pytest.mark.parametrize(
    "method, expected",
    [
        ("self_confidence", [0.6, 0.9, 0.3, 0.8]),
        # (P[y] - max other + 1) / 2
        ("normalized_margin", [0.6, 0.925, 0.3, 0.85]),
    ],
)
def test_label_quality_scores_hand_computed(method, expected):
    y = np.array([0, 1, 1, 2])
    P = np.array([[0.6, 0.4, 0.0], [0.05, 0.9, 0.05], [0.7, 0.3, 0.0], [0.1, 0.1, 0.8]])
    np.testing.assert_allclose(label_quality_scores(y, P, method=method), expected)


def test_label_quality_scores_confidence_weighted_entropy_hand_computed():
    y = np.array([0, 1])
    P = np.array([[0.5, 0.5], [0.8, 0.2]])
    # Row 0: H = 1 (log 2 / log 2), r = 1 / .5 = 2, score log(3) / 2.
    # Row 1: H = -(.8 log .8 + .2 log .2) / log 2, r = H / .2.
    H = -(0.8 * np.log(0.8) + 0.2 * np.log(0.2)) / np.log(2)
    expected = [np.log(3) / 2, np.log(H / 0.2 + 1) / (H / 0.2)]
    scores = label_quality_scores(y, P, method="confidence_weighted_entropy")
    np.testing.assert_allclose(scores, expected, rtol=1e-12)


def test_label_quality_scores_transition_posterior_hand_computed():
    # Two classes, T = [[.8, .2], [.2, .8]], noisy posterior (.5, .5): the clean
    # posterior (.5, .5) is a fixed point of the EM, so the probability that label
    # 0 is right is .5 * .8 / (.5 * .8 + .5 * .2) = 0.8.
    T = np.array([[0.8, 0.2], [0.2, 0.8]])
    scores = label_quality_scores(
        [0, 1],
        [[0.5, 0.5], [0.5, 0.5]],
        method="transition_posterior",
        transition_matrix=T,
    )
    np.testing.assert_allclose(scores, [0.8, 0.8], rtol=1e-12)


def test_rank_label_issues_ties_keep_row_order():
    y = np.array([0, 0, 1, 1, 1])
    P = np.array([[0.6, 0.4], [0.9, 0.1], [0.4, 0.6], [0.4, 0.6], [0.7, 0.3]])
    order = rank_label_issues(y, P, method="self_confidence")
    # Scores .6 .9 .6 .6 .3: row 4 first, then the three .6 in row order.
    np.testing.assert_array_equal(order, [4, 0, 2, 3, 1])
    assert order.dtype == np.int64


# --- Agreement with the reference ----------------------------------------------------


@pytest.mark.parametrize("filter_by", FILTERS)
@given(problem=PROBLEMS, dtype=DTYPES, min_examples=st.integers(0, 4))
def test_find_label_issues_matches_reference(filter_by, problem, dtype, min_examples):
    P = problem.pred_proba.astype(dtype)
    y = _codes(problem)
    mask = find_label_issues(
        y,
        P,
        classes=problem.classes,
        filter_by=filter_by,
        min_examples_per_class=min_examples,
    )
    expected = ref.find_label_issues(
        P, y, P.shape[1], filter_by, min_examples_per_class=min_examples
    )
    if dtype == np.float32 and filter_by in ("auto", "transition_posterior"):
        # The library runs the EM in float32, the reference in float64: they agree
        # to ~1e-6, so rows whose score is that close to the 1/2 cut may differ.
        T = ref.default_transition_matrix(P, y, P.shape[1])
        scores = ref.transition_posterior_scores(P, y, T)
        clear = np.abs(scores - 0.5) > 1e-4
        np.testing.assert_array_equal(mask[clear], expected[clear])
    else:
        np.testing.assert_array_equal(mask, expected)


@pytest.mark.parametrize("filter_by", ["prune_by_noise_rate", "prune_by_class", "both"])
@given(problem=PROBLEMS, dtype=DTYPES, frac_noise=st.floats(0.0, 1.0))
def test_find_label_issues_frac_noise_matches_reference(
    filter_by, problem, dtype, frac_noise
):
    P = problem.pred_proba.astype(dtype)
    y = _codes(problem)
    mask = find_label_issues(
        y,
        P,
        classes=problem.classes,
        filter_by=filter_by,
        frac_noise=frac_noise,
    )
    expected = ref.find_label_issues(P, y, P.shape[1], filter_by, frac_noise=frac_noise)
    np.testing.assert_array_equal(mask, expected)


def _frac_noise_problem():
    rng = np.random.default_rng(0)
    n, K = 300, 3
    y_true = rng.integers(K, size=n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), y_true] += 2.0
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.where(rng.random(n) < 0.2, rng.integers(K, size=n), y_true)
    return y, P


@pytest.mark.parametrize("filter_by", ["prune_by_class", "both"])
def test_find_label_issues_prune_by_class_frac_noise_keeps_column_totals(filter_by):
    # Regression: the diagonal of the prune matrix once also received
    # (1 - frac_noise) * M[k, k], so prune_by_class flagged nothing at 0.5.
    y, P = _frac_noise_problem()
    mask = find_label_issues(y, P, filter_by=filter_by, frac_noise=0.5)
    expected = ref.find_label_issues(P, y, 3, filter_by, frac_noise=0.5)
    assert expected.sum() > 10
    np.testing.assert_array_equal(mask, expected)


@given(problem=PROBLEMS, data=st.data())
def test_label_quality_scores_transition_posterior_matches_reference_em(problem, data):
    P = problem.pred_proba
    y = _codes(problem)
    T = data.draw(transition_matrices(P.shape[1], max_noise_rate=0.6))
    scores = label_quality_scores(
        y,
        P,
        classes=problem.classes,
        method="transition_posterior",
        transition_matrix=T,
    )
    np.testing.assert_allclose(
        scores, ref.transition_posterior_scores(P, y, T), rtol=0, atol=1e-8
    )
    mask = find_label_issues(
        y,
        P,
        classes=problem.classes,
        filter_by="transition_posterior",
        transition_matrix=T,
    )
    expected = ref.find_label_issues(P, y, P.shape[1], "transition_posterior", T=T)
    np.testing.assert_array_equal(mask, expected)


def test_label_quality_scores_transition_posterior_is_row_wise():
    # Regression: the EM once stopped when the whole block of rows converged, so
    # a row's score depended on the rows passed with it (by up to 5e-5).
    rng = np.random.default_rng(0)
    n, K = 200, 4
    T = np.eye(K) * 0.7 + np.roll(np.eye(K), 1, axis=1) * 0.3
    y = rng.integers(K, size=n)
    logits = 2 * rng.normal(size=(n, K))
    logits[np.arange(n), y] += 1.0
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    options = {
        "classes": np.arange(K),
        "method": "transition_posterior",
        "transition_matrix": T,
    }
    together = label_quality_scores(y, P, **options)
    alone = [
        label_quality_scores(y[i : i + 1], P[i : i + 1], **options)[0] for i in range(n)
    ]
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-8)


@pytest.mark.parametrize("method", METHODS[:3])
@given(problem=PROBLEMS)
def test_label_quality_scores_match_formulas(method, problem):
    P = problem.pred_proba
    y = _codes(problem)
    scores = label_quality_scores(y, P, classes=problem.classes, method=method)
    expected = []
    K = P.shape[1]
    for i in range(len(y)):
        own = P[i, y[i]]
        if method == "self_confidence":
            expected.append(own)
        elif method == "normalized_margin":
            other = max(P[i, j] for j in range(K) if j != y[i])
            expected.append((own - other + 1) / 2)
        else:
            H = -sum(p * np.log(p) for p in P[i] if p > 0) / np.log(K)
            r = H / max(own, 1e-6)
            expected.append(np.log(r + 1) / max(r, 1e-6))
    np.testing.assert_allclose(scores, expected, rtol=1e-10, atol=1e-12)


# --- Permutations of the classes, label types ----------------------------------------


def _permuted(problem, data):
    K = problem.pred_proba.shape[1]
    perm = np.array(data.draw(st.permutations(range(K))))
    inv = np.argsort(perm)
    # Class c becomes perm[c]: relabel y, move column c to position perm[c].
    return perm[_codes(problem)], problem.pred_proba[:, inv], inv


@pytest.mark.parametrize("filter_by", FILTERS)
@given(problem=PROBLEMS, data=st.data())
def test_find_label_issues_permutation_invariant(filter_by, problem, data):
    y, P = _codes(problem), problem.pred_proba
    K = P.shape[1]
    if filter_by in JOINT_FILTERS:
        # An exact rounding tie in the joint is broken by column order.
        assume(not _has_joint_tie(P, y))
    y_perm, P_perm, _ = _permuted(problem, data)
    classes = np.arange(K)
    np.testing.assert_array_equal(
        find_label_issues(y_perm, P_perm, classes=classes, filter_by=filter_by),
        find_label_issues(y, P, classes=classes, filter_by=filter_by),
    )


@given(problem=PROBLEMS, data=st.data())
def test_find_label_issues_permutation_invariant_given_transition_matrix(problem, data):
    y, P = _codes(problem), problem.pred_proba
    K = P.shape[1]
    T = data.draw(transition_matrices(K))
    y_perm, P_perm, inv = _permuted(problem, data)
    options = {"classes": np.arange(K), "filter_by": "transition_posterior"}
    np.testing.assert_array_equal(
        find_label_issues(
            y_perm, P_perm, transition_matrix=T[np.ix_(inv, inv)], **options
        ),
        find_label_issues(y, P, transition_matrix=T, **options),
    )


@pytest.mark.parametrize("method", METHODS)
@given(problem=PROBLEMS, data=st.data())
def test_label_quality_scores_permutation_invariant(method, problem, data):
    y, P = _codes(problem), problem.pred_proba
    if method in ("transition_posterior", "blend"):
        assume(not _has_joint_tie(P, y))  # T is estimated from the joint
    y_perm, P_perm, _ = _permuted(problem, data)
    classes = np.arange(P.shape[1])
    np.testing.assert_allclose(
        label_quality_scores(y_perm, P_perm, classes=classes, method=method),
        label_quality_scores(y, P, classes=classes, method=method),
        rtol=0,
        atol=1e-12,
    )


def test_label_quality_scores_blend_permutation_invariant_exactly():
    # Regression: posteriors saturated at 1 came out as 1.0 in one class order and
    # 1 - 1e-16 in the other, and their ranks (hence "blend") followed the noise.
    rng = np.random.default_rng(27)
    n, K = 40, 2
    y_true = rng.integers(K, size=n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), y_true] += 2.0
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.where(rng.random(n) < 0.2, rng.integers(K, size=n), y_true)
    assert not _has_joint_tie(P, y)
    np.testing.assert_array_equal(
        label_quality_scores(1 - y, P[:, ::-1], method="blend"),
        label_quality_scores(y, P, method="blend"),
    )


@pytest.mark.parametrize("method", METHODS)
@given(problem=noisy_label_problems(n_samples=st.integers(2, 80), label_type="str"))
def test_string_labels_and_custom_classes_order_match_integer_codes(method, problem):
    # Reverse the class order: "class_4", ..., "class_0" name the columns.
    classes = problem.classes[::-1]
    P = problem.pred_proba[:, ::-1]
    K = P.shape[1]
    codes = K - 1 - np.searchsorted(problem.classes, problem.y_noisy)
    int_classes = np.arange(K)
    for filter_by in FILTERS:
        np.testing.assert_array_equal(
            find_label_issues(problem.y_noisy, P, classes=classes, filter_by=filter_by),
            find_label_issues(codes, P, classes=int_classes, filter_by=filter_by),
        )
    np.testing.assert_array_equal(
        label_quality_scores(problem.y_noisy, P, classes=classes, method=method),
        label_quality_scores(codes, P, classes=int_classes, method=method),
    )
    np.testing.assert_array_equal(
        rank_label_issues(
            list(problem.y_noisy), P, classes=list(classes), method=method
        ),
        rank_label_issues(codes, P, classes=int_classes, method=method),
    )


# --- Multi-label ---------------------------------------------------------------------


def _multi_label_problem(seed, n=120, K=4):
    rng = np.random.default_rng(seed)
    truth = (rng.random((n, K)) < 0.35).astype(int)
    logits = 2.5 * (2 * truth - 1) + rng.normal(size=(n, K))
    P = 1 / (1 + np.exp(-logits))
    flips = rng.random((n, K)) < 0.1
    Y = np.where(flips, 1 - truth, truth)
    return Y, P


def _binary(P, k):
    return np.column_stack([1 - P[:, k], P[:, k]])


@pytest.mark.parametrize("filter_by", FILTERS)
@pytest.mark.parametrize("seed", [0, 1])
def test_find_label_issues_multi_label_is_or_of_binary_problems(filter_by, seed):
    Y, P = _multi_label_problem(seed)
    mask = find_label_issues(Y, P, filter_by=filter_by)
    per_class = [
        find_label_issues(Y[:, k], _binary(P, k), classes=[0, 1], filter_by=filter_by)
        for k in range(Y.shape[1])
    ]
    assert mask.dtype == bool and mask.shape == (Y.shape[0],)
    np.testing.assert_array_equal(mask, np.logical_or.reduce(per_class))
    assert mask.any()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1])
def test_label_quality_scores_multi_label_is_min_over_classes(method, seed):
    Y, P = _multi_label_problem(seed)
    scores = label_quality_scores(Y, P, method=method)
    per_class = [
        label_quality_scores(Y[:, k], _binary(P, k), classes=[0, 1], method=method)
        for k in range(Y.shape[1])
    ]
    np.testing.assert_array_equal(scores, np.min(per_class, axis=0))
    np.testing.assert_array_equal(
        rank_label_issues(Y, P, method=method), np.argsort(scores, kind="stable")
    )


@pytest.mark.parametrize("function", [find_label_issues, label_quality_scores])
def test_multi_label_integer_pred_proba_treated_as_float(function):
    # Regression: integer multi-label pred_proba reached np.finfo in the EM.
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0], [1, 0], [0, 1]])
    P = np.array([[1, 0], [0, 1], [1, 0], [0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(function(Y, P), function(Y, P.astype(float)))


# --- Invariants ----------------------------------------------------------------------


@pytest.mark.parametrize("filter_by", FILTERS)
@given(problem=PROBLEMS, dtype=DTYPES)
def test_find_label_issues_returns_bool_mask(filter_by, problem, dtype):
    P = problem.pred_proba.astype(dtype)
    mask = find_label_issues(
        problem.y_noisy, P, classes=problem.classes, filter_by=filter_by
    )
    assert mask.dtype == bool
    assert mask.shape == problem.y_noisy.shape


@pytest.mark.parametrize("method", METHODS)
@given(problem=PROBLEMS, dtype=DTYPES, adjust=st.booleans())
def test_label_quality_scores_in_unit_interval(method, problem, dtype, adjust):
    adjust = adjust and method in ("self_confidence", "normalized_margin")
    scores = label_quality_scores(
        problem.y_noisy,
        problem.pred_proba.astype(dtype),
        classes=problem.classes,
        method=method,
        adjust_pred_proba=adjust,
    )
    assert scores.shape == problem.y_noisy.shape
    assert np.isfinite(scores).all()
    assert ((scores >= 0) & (scores <= 1)).all()


@pytest.mark.parametrize("method", METHODS)
@given(problem=PROBLEMS)
def test_rank_label_issues_sorts_by_scores(method, problem):
    y, P, classes = problem.y_noisy, problem.pred_proba, problem.classes
    order = rank_label_issues(y, P, classes=classes, method=method)
    scores = label_quality_scores(y, P, classes=classes, method=method)
    np.testing.assert_array_equal(np.sort(order), np.arange(len(y)))
    first, second = order[:-1], order[1:]
    in_order = (scores[first] < scores[second]) | (
        (scores[first] == scores[second]) & (first < second)
    )
    assert in_order.all()


@pytest.fixture(scope="module")
def two_blocks():
    """20000 rows: more than one block of the row-wise passes (16384 rows)."""
    rng = np.random.default_rng(0)
    n, K = 20000, 4
    y_true = rng.integers(K, size=n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), y_true] += 2.0
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.where(rng.random(n) < 0.2, rng.integers(K, size=n), y_true)
    return y, P


@pytest.mark.parametrize("filter_by", FILTERS)
def test_find_label_issues_independent_of_n_jobs(two_blocks, filter_by):
    y, P = two_blocks
    serial = find_label_issues(y, P, filter_by=filter_by, n_jobs=1)
    np.testing.assert_array_equal(
        find_label_issues(y, P, filter_by=filter_by, n_jobs=2), serial
    )
    assert serial.any()


@given(problem=PROBLEMS, data=st.data())
def test_issue_functions_do_not_mutate_inputs(problem, data):
    y, P, classes = problem.y_noisy, problem.pred_proba, problem.classes
    T = data.draw(transition_matrices(P.shape[1]))
    copies = [a.copy() for a in (y, P, classes, T)]
    for filter_by in FILTERS:
        find_label_issues(
            y, P, classes=classes, filter_by=filter_by, transition_matrix=T
        )
    for method in METHODS:
        label_quality_scores(y, P, classes=classes, method=method, transition_matrix=T)
        rank_label_issues(y, P, classes=classes, method=method, transition_matrix=T)
    for method in ("self_confidence", "normalized_margin"):
        label_quality_scores(
            y, P, classes=classes, method=method, adjust_pred_proba=True
        )
    for original, copy in zip((y, P, classes, T), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


def test_multi_label_functions_do_not_mutate_inputs():
    Y, P = _multi_label_problem(0)
    Y0, P0 = Y.copy(), P.copy()
    find_label_issues(Y, P)
    label_quality_scores(Y, P)
    rank_label_issues(Y, P)
    np.testing.assert_array_equal(Y, Y0)
    np.testing.assert_array_equal(P, P0)


# --- Bad input -----------------------------------------------------------------------

_Y = np.array([0, 1, 1, 0])
_P = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
_P_NAN = np.where(_P == 0.9, np.nan, _P)
_T = np.array([[0.8, 0.2], [0.1, 0.9]])
_FUNCTIONS = [find_label_issues, label_quality_scores, rank_label_issues]


@pytest.mark.parametrize("function", _FUNCTIONS)
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pred_proba": _P * 0.9}, ValueError, "pred_proba rows must sum to 1"),
        ({"pred_proba": np.full((4, 3), 1 / 3)}, ValueError, "columns of pred_proba"),
        ({"classes": [0, 1, 2]}, ValueError, "classes has 3 labels"),
        ({"classes": [0, 2]}, ValueError, "y holds labels that are not in classes"),
        ({"pred_proba": _P_NAN}, ValueError, "pred_proba must be finite"),
        ({"pred_proba": _P[:3]}, ValueError, "pred_proba must have one row per label"),
        ({"y": _Y[:3]}, ValueError, "pred_proba must have one row per label"),
        ({"pred_proba": _P.astype(str)}, TypeError, "pred_proba must hold numbers"),
        ({"transition_matrix": _T.T}, ValueError, "transition_matrix must be row-"),
        ({"transition_matrix": np.eye(3)}, ValueError, "transition_matrix must be 2"),
        ({"y": np.array([[0, 1], [2, 0], [1, 1], [0, 0]])}, ValueError, "y given as"),
        (
            {"y": np.eye(4, 2, dtype=int), "transition_matrix": _T},
            ValueError,
            "transition_m",
        ),
        ({"y": np.eye(4, 3, dtype=int)}, ValueError, "pred_proba must have the shape"),
        ({"y": np.eye(4, 2, dtype=int), "pred_proba": _P + 0.5}, ValueError, "pred_p"),
    ],
)
def test_issue_functions_reject_bad_input(function, kwargs, error, match):
    args = {"y": _Y, "pred_proba": _P, **kwargs}
    with pytest.raises(error, match=match):
        function(**args)


@pytest.mark.parametrize(
    "function, kwargs, match",
    [
        (find_label_issues, {"filter_by": "nope"}, "filter_by"),
        (find_label_issues, {"frac_noise": 1.5}, "frac_noise"),
        (find_label_issues, {"min_examples_per_class": -1}, "min_examples_per_class"),
        (find_label_issues, {"n_jobs": "two"}, "n_jobs"),
        (label_quality_scores, {"method": "nope"}, "method"),
        (rank_label_issues, {"method": "nope"}, "method"),
        (label_quality_scores, {"adjust_pred_proba": 1.0}, "adjust_pred_proba"),
        (
            label_quality_scores,
            {"method": "blend", "adjust_pred_proba": True},
            "adjust_pred_proba",
        ),
        (
            label_quality_scores,
            {"method": "transition_posterior", "adjust_pred_proba": True},
            "adjust_pred_proba",
        ),
        (
            label_quality_scores,
            {"method": "confidence_weighted_entropy", "adjust_pred_proba": True},
            "adjust_pred_proba",
        ),
    ],
)
def test_issue_functions_reject_bad_options(function, kwargs, match):
    # sklearn's InvalidParameterError subclasses ValueError.
    with pytest.raises(ValueError, match=match):
        function(_Y, _P, **kwargs)


def test_confidence_weighted_entropy_ranks_a_confidently_wrong_row_first():
    """Found in review: the entropy read unfloored probabilities, so a row
    ([0, 1] given 0) had entropy 0 and the best score, 1."""
    y = np.array([0, 0, 0, 1])
    P = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.4], [0.3, 0.7]])
    scores = label_quality_scores(y, P, method="confidence_weighted_entropy")
    # Floored at 1e-6, the wrong row's entropy over its self-confidence is about
    # 20: score log(21) / 20; a sure, correct row still scores about 1.
    assert scores[0] == pytest.approx(np.log1p(20.0) / 20.0, rel=0.05)
    assert scores[1] == pytest.approx(1.0, abs=1e-4)
    ranked = rank_label_issues(y, P, method="confidence_weighted_entropy")
    assert ranked[0] == 0
