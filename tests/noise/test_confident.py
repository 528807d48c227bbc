"""Tests of the confident joint (skrobust/noise/_confident.py, METHODS.md A1).

Hand-computed tiny cases first, then hypothesis properties against the loop-based
reference in ``tests/noise/_reference.py``.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from skrobust.noise import compute_confident_joint
from skrobust.testing.strategies import noisy_label_problems


def _load_reference():
    path = Path(__file__).with_name("_reference.py")
    spec = importlib.util.spec_from_file_location("_skrobust_noise_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

# Small problems: up to 80 rows and 5 classes keep the loop-based reference fast.
PROBLEMS = noisy_label_problems(
    n_samples=st.integers(2, 80), n_classes=st.integers(2, 5)
)
DTYPES = st.sampled_from([np.float64, np.float32])


def _codes(problem):
    return np.searchsorted(problem.classes, problem.y_noisy)


# --- Hand-computed cases --------------------------------------------------------------

# Thresholds t = (0.5, 0.62, 0.7): t0 = (.9 + .6 + 0) / 3, t1 = (.8 + .44) / 2,
# t2 = (.8 + .4 + .9) / 3.
TABLE_Y = np.array([0, 0, 0, 1, 1, 2, 2, 2])
TABLE_P = np.array(
    [
        [0.90, 0.05, 0.05],  # only 0 >= t0                 -> (0, 0)
        [0.60, 0.30, 0.10],  # only 0                       -> (0, 0)
        [0.00, 0.70, 0.30],  # only 1: .70 >= .62           -> (0, 1)
        [0.10, 0.80, 0.10],  # only 1                       -> (1, 1)
        [0.46, 0.44, 0.10],  # none: .46 < .5, .44 < .62    -> not counted
        [0.10, 0.10, 0.80],  # only 2                       -> (2, 2)
        [0.60, 0.00, 0.40],  # only 0: .40 < .7             -> (2, 0)
        [0.05, 0.05, 0.90],  # only 2                       -> (2, 2)
    ]
)


def test_compute_confident_joint_hand_computed_uncalibrated():
    expected = np.array([[2, 1, 0], [0, 1, 0], [1, 0, 2]])
    joint = compute_confident_joint(TABLE_Y, TABLE_P, calibrate=False)
    np.testing.assert_array_equal(joint, expected)


def test_compute_confident_joint_hand_computed_calibrated():
    # Rows scaled to the label counts (3, 2, 3): only row 1, which lost the
    # uncounted row 4, changes: (0, 1, 0) -> (0, 2, 0).
    expected = np.array([[2, 1, 0], [0, 2, 0], [1, 0, 2]])
    joint = compute_confident_joint(TABLE_Y, TABLE_P)
    np.testing.assert_array_equal(joint, expected)
    assert joint.dtype == np.int64


def test_compute_confident_joint_several_confident_takes_row_argmax():
    # t = (0.2, 0.325, 1.0): class 2 can never be confident, yet row 0, confident
    # in classes 0 and 1, goes to its row argmax 2 (METHODS A1: the row argmax, not
    # the argmax over the confident set); row 2 (confident in 0 and 1) to 1.
    y = np.array([0, 0, 1, 1, 2, 2])
    P = np.array(
        [
            [0.30, 0.33, 0.37],  # {0, 1} -> argmax 2  -> (0, 2)
            [0.10, 0.10, 0.80],  # none
            [0.25, 0.45, 0.30],  # {0, 1} -> argmax 1  -> (1, 1)
            [0.10, 0.20, 0.70],  # none
            [0.00, 0.00, 1.00],  # {2}                 -> (2, 2)
            [0.00, 0.00, 1.00],  # {2}                 -> (2, 2)
        ]
    )
    # C[0, 0] is 0 before the diagonal is clipped to at least 1.
    expected = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 2]])
    joint = compute_confident_joint(y, P, calibrate=False)
    np.testing.assert_array_equal(joint, expected)


def test_compute_confident_joint_calibration_rounds_preserving_row_totals():
    # t = (0.2, 0.6, 0.7). Class 0 has no row guessed 0: its row (0, 1, 2) gets the
    # diagonal clipped to 1, (1, 1, 2), and is scaled to its 3 rows:
    # (.75, .75, 1.5) rounds to (1, 1, 2) = 4, one too many, taken from the entry
    # rounded up the most (1.5 -> 2): (1, 1, 1).
    y = np.array([0, 0, 0, 1, 1, 2, 2])
    P = np.array(
        [
            [0.3, 0.6, 0.1],  # {0, 1} -> argmax 1  -> (0, 1)
            [0.1, 0.1, 0.8],  # {2}                 -> (0, 2)
            [0.2, 0.1, 0.7],  # {0, 2} -> argmax 2  -> (0, 2)
            [0.1, 0.8, 0.1],  # {1}                 -> (1, 1)
            [0.3, 0.4, 0.3],  # {0}                 -> (1, 0)
            [0.1, 0.2, 0.7],  # {2}                 -> (2, 2)
            [0.2, 0.1, 0.7],  # {0, 2} -> argmax 2  -> (2, 2)
        ]
    )
    uncalibrated = compute_confident_joint(y, P, calibrate=False)
    np.testing.assert_array_equal(uncalibrated, [[1, 1, 2], [1, 1, 0], [0, 0, 2]])
    calibrated = compute_confident_joint(y, P)
    np.testing.assert_array_equal(calibrated, [[1, 1, 1], [1, 1, 0], [0, 0, 2]])
    np.testing.assert_array_equal(calibrated.sum(axis=1), np.bincount(y))


def test_compute_confident_joint_threshold_slack():
    # t1 = (.9 + .8 + .4) / 3 evaluates to 0.7000000000000002 > 0.7: row 2 counts
    # as confident in class 1 only thanks to the 1e-6 slack. Row 3 is not counted.
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    P = np.array(
        [
            [0.9, 0.1],
            [0.2, 0.8],
            [0.3, 0.7],
            [0.4, 0.6],
            [0.1, 0.9],
            [0.2, 0.8],
            [0.6, 0.4],
        ]
    )
    assert (0.9 + 0.8 + 0.4) / 3 > 0.7
    np.testing.assert_array_equal(
        compute_confident_joint(y, P, calibrate=False), [[1, 2], [1, 2]]
    )
    # Row 0 scaled to its 4 rows: (4/3, 8/3) -> (1, 3).
    np.testing.assert_array_equal(compute_confident_joint(y, P), [[1, 3], [1, 2]])


def test_compute_confident_joint_threshold_floor():
    # Class 1's rows give it probability 0, so t1 = 0 is floored at 2e-6: a zero
    # probability is never confident. Without the floor, rows 1 and 2 (confident
    # in no other class) would be guessed as class 1.
    y = np.array([0, 0, 1, 2])
    P = np.array([[0.9, 0.0, 0.1], [0.3, 0.0, 0.7], [0.5, 0.0, 0.5], [0.1, 0.0, 0.9]])
    np.testing.assert_array_equal(
        compute_confident_joint(y, P, calibrate=False), np.eye(3)
    )


def test_compute_confident_joint_class_absent_from_y():
    # classes lists "c", which no row carries: its threshold is 2 (unreachable), so
    # row 4, whose argmax is "c", is not counted. Thresholds (.4667, .55, 2).
    y = np.array(["a", "a", "a", "b", "b"])
    P = np.array(
        [
            [0.7, 0.2, 0.1],  # (a, a)
            [0.5, 0.2, 0.3],  # (a, a)
            [0.2, 0.7, 0.1],  # (a, b)
            [0.1, 0.8, 0.1],  # (b, b)
            [0.3, 0.3, 0.4],  # none
        ]
    )
    classes = ["a", "b", "c"]
    uncalibrated = compute_confident_joint(y, P, classes=classes, calibrate=False)
    # The absent class keeps only its clipped diagonal ...
    np.testing.assert_array_equal(uncalibrated, [[2, 1, 0], [0, 1, 0], [0, 0, 1]])
    # ... which calibration scales to its 0 rows.
    calibrated = compute_confident_joint(y, P, classes=classes)
    np.testing.assert_array_equal(calibrated, [[2, 1, 0], [0, 2, 0], [0, 0, 0]])
    assert calibrated.sum() == len(y)


# --- Properties ----------------------------------------------------------------------


@given(PROBLEMS, DTYPES, st.booleans())
def test_compute_confident_joint_matches_reference(problem, dtype, calibrate):
    P = problem.pred_proba.astype(dtype)
    y = _codes(problem)
    K = P.shape[1]
    expected = ref.confident_joint(P, y, K, calibrated=calibrate)
    joint = compute_confident_joint(y, P, classes=problem.classes, calibrate=calibrate)
    np.testing.assert_array_equal(joint, expected)


@given(PROBLEMS)
def test_compute_confident_joint_calibrated_margins(problem):
    y = problem.y_noisy
    joint = compute_confident_joint(y, problem.pred_proba, classes=problem.classes)
    counts = np.array([(y == c).sum() for c in problem.classes])
    assert (joint >= 0).all()
    np.testing.assert_array_equal(joint.sum(axis=1), counts)
    assert joint.sum() == len(y)


@given(PROBLEMS)
def test_compute_confident_joint_uncalibrated_counts_rows(problem):
    # Each counted row adds 1; clipping the diagonal adds at most 1 per class.
    y = _codes(problem)
    K = problem.pred_proba.shape[1]
    joint = compute_confident_joint(
        y, problem.pred_proba, classes=problem.classes, calibrate=False
    )
    guesses = np.array(ref.confident_guesses(problem.pred_proba, y, K))
    assert np.diagonal(joint).min() >= 1
    assert (guesses >= 0).sum() <= joint.sum() <= (guesses >= 0).sum() + K


@given(PROBLEMS, st.data())
def test_compute_confident_joint_permutation_equivariant(problem, data):
    y = _codes(problem)
    P = problem.pred_proba
    K = P.shape[1]
    perm = np.array(data.draw(st.permutations(range(K))))
    inv = np.argsort(perm)
    # Class c becomes perm[c]: relabel y and move column c to position perm[c].
    y_perm, P_perm = perm[y], P[:, inv]
    for calibrate in (False, True):
        joint = compute_confident_joint(y, P, classes=np.arange(K), calibrate=calibrate)
        joint_perm = compute_confident_joint(
            y_perm, P_perm, classes=np.arange(K), calibrate=calibrate
        )
        if calibrate:
            # Rounding an exact tie (e.g. a row scaled to 1.5, 1.5) is decided by
            # column order, so it cannot be equivariant; such rows are skipped.
            _, tied = ref.confident_joint(P, y, K, return_tied=True)
            assume(not tied.any())
        np.testing.assert_array_equal(joint_perm, joint[np.ix_(inv, inv)])


@given(noisy_label_problems(n_samples=st.integers(2, 80), label_type="str"), st.data())
def test_compute_confident_joint_string_labels_custom_order(problem, data):
    # classes= in any order names the columns; the result is the integer-code one
    # in that order.
    K = problem.pred_proba.shape[1]
    order = np.array(data.draw(st.permutations(range(K))))
    classes = problem.classes[order]
    P = problem.pred_proba[:, order]
    codes = np.array([np.flatnonzero(classes == label)[0] for label in problem.y_noisy])
    np.testing.assert_array_equal(
        compute_confident_joint(problem.y_noisy, P, classes=classes),
        compute_confident_joint(codes, P, classes=np.arange(K)),
    )
    np.testing.assert_array_equal(
        compute_confident_joint(
            list(problem.y_noisy), P.tolist(), classes=list(classes)
        ),
        compute_confident_joint(codes, P, classes=np.arange(K)),
    )


@given(PROBLEMS, st.booleans())
def test_compute_confident_joint_does_not_mutate_inputs(problem, calibrate):
    y, P, classes = problem.y_noisy, problem.pred_proba, problem.classes
    y0, P0, classes0 = y.copy(), P.copy(), classes.copy()
    compute_confident_joint(y, P, classes=classes, calibrate=calibrate)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(P, P0)
    np.testing.assert_array_equal(classes, classes0)


# --- Bad input -----------------------------------------------------------------------

_Y = np.array([0, 1, 1, 0])
_P = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]])
_P_NAN = np.where(_P == 0.9, np.nan, _P)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pred_proba": _P * 0.9}, ValueError, "pred_proba rows must sum to 1"),
        ({"pred_proba": np.full((4, 3), 1 / 3)}, ValueError, "columns of pred_proba"),
        ({"classes": [0, 2]}, ValueError, "y holds labels that are not in classes"),
        ({"pred_proba": _P_NAN}, ValueError, "pred_proba must be finite"),
        ({"pred_proba": _P[:3]}, ValueError, "pred_proba must have one row per label"),
        ({"pred_proba": _P.astype(str)}, TypeError, "pred_proba must hold numbers"),
        ({"calibrate": "yes"}, ValueError, "calibrate"),
    ],
)
def test_compute_confident_joint_rejects_bad_input(kwargs, error, match):
    args = {"y": _Y, "pred_proba": _P, **kwargs}
    with pytest.raises(error, match=match):
        compute_confident_joint(**args)


def test_confidence_weighted_entropy_scores_a_sure_correct_row_highest():
    from skrobust.noise import label_quality_scores

    y = np.array([0, 0, 0, 1])
    # Row 0 is one-hot on its label (zero entropy), row 2 leans to the other
    # class; log(1 + r) / r tends to 1 as r -> 0, so row 0 must score highest.
    pred_proba = np.array([[1.0, 0.0], [1 - 1e-9, 1e-9], [0.4, 0.6], [0.5, 0.5]])
    scores = label_quality_scores(y, pred_proba, method="confidence_weighted_entropy")
    # The entropy reads probabilities floored at 1e-6 (cleanlab's floor), so a
    # one-hot row scores 1 - 1e-5, not exactly 1.
    assert scores[0] == pytest.approx(1.0, abs=1e-4)
    assert scores[0] >= scores[1] > scores[2]


# --- found by a review helper -----------------------------------------------


def test_calibration_ties_go_to_the_diagonal_whatever_the_class_order():
    from skrobust.noise import estimate_transition_matrix, find_label_issues

    # Class "b" has one row, confidently predicted "c": its joint row [0, 1, 1]
    # calibrates to [0, .5, .5], an exact rounding tie.
    y = np.array(["a", "a", "a", "b", "c", "c", "c"])
    P = np.array(
        [
            [0.9, 0.05, 0.05],
            [0.85, 0.05, 0.1],
            [0.9, 0.02, 0.08],
            [0.02, 0.08, 0.9],
            [0.05, 0.05, 0.9],
            [0.1, 0.05, 0.85],
            [0.05, 0.03, 0.92],
        ]
    )
    results = []
    for order in (["a", "b", "c"], ["a", "c", "b"]):
        idx = [["a", "b", "c"].index(c) for c in order]
        back = np.argsort(idx)
        Pc = P[:, idx]
        joint = compute_confident_joint(y, Pc, classes=order)[np.ix_(back, back)]
        T = estimate_transition_matrix(y, Pc, classes=order)[np.ix_(back, back)]
        results.append((joint, T, find_label_issues(y, Pc, classes=order)))
    (joint1, T1, issues1), (joint2, T2, issues2) = results
    np.testing.assert_array_equal(joint1, joint2)
    np.testing.assert_array_equal(joint1[1], [0, 1, 0])
    np.testing.assert_allclose(T1, T2)
    np.testing.assert_array_equal(issues1, issues2)
