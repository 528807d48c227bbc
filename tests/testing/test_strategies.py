"""Properties of the hypothesis strategies that ship in skrobust.testing."""

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from skrobust.datasets import bag_proportions
from skrobust.testing.strategies import (
    bagged_problems,
    noisy_label_problems,
    pu_problems,
    transition_matrices,
)
from skrobust.utils import (
    check_bags,
    check_labels,
    check_pred_proba,
    check_proportions,
    check_pu_labels,
    check_transition_matrix,
)


@given(transition_matrices(max_noise_rate=0.49))
def test_transition_matrices_are_valid_and_invertible(T):
    check_transition_matrix(T, require_invertible=True)
    assert (np.diag(T) > 0.5).all()


@given(transition_matrices(n_classes=st.integers(3, 4), kinds=("pair",)))
def test_transition_matrices_respect_kind(T):
    K = T.shape[0]
    assert K in (3, 4)
    off = T - np.diag(np.diag(T))
    # Pair noise puts all off-diagonal mass on the next class.
    expected = np.diag(1 - np.diag(T)) @ np.roll(np.eye(K), 1, 1)
    np.testing.assert_allclose(off, expected, atol=1e-15)


@given(noisy_label_problems(label_type="str"))
def test_noisy_label_problems_are_consistent(p):
    n, K = p.pred_proba.shape
    assert p.X.shape[0] == n == len(p.y) == len(p.y_noisy)
    assert set(p.classes) == set(np.unique(p.y)), "every class appears"
    np.testing.assert_array_equal(p.flipped_mask, p.y != p.y_noisy)
    check_transition_matrix(p.transition_matrix, n_classes=K)
    check_pred_proba(p.pred_proba, n_samples=n, n_classes=K)


@pytest.mark.parametrize("pos_label", [1, 0, "pos"])
@given(data=st.data())
def test_pu_problems_are_well_posed(pos_label, data):
    p = data.draw(pu_problems(pos_label=pos_label))
    mask = check_pu_labels(p.s, pos_label=p.pos_label)
    assert (p.y[mask] == 1).all()
    assert 0 < p.class_prior < 1
    # The empirical shares of the drawn sample, as documented.
    assert p.class_prior == pytest.approx(np.mean(p.y == 1))
    assert 0 < p.label_frequency <= 1
    assert np.isclose(p.label_frequency, mask.sum() / (p.y == 1).sum())


@given(bagged_problems())
def test_bagged_problems_are_valid(p):
    codes = check_bags(p.bags, n_samples=len(p.y))
    check_proportions(p.proportions, codes, n_classes=len(p.classes))
    # The proportions describe the drawn labels, bag by bag.
    np.testing.assert_allclose(
        p.proportions, bag_proportions(p.y, p.bags, classes=p.classes)
    )


def test_noisy_label_problems_flip_labels_under_a_noisy_matrix():
    # Under T with a diagonal of 0.2 most rows flip; a strategy that ignored
    # T would never produce a flip.
    T = np.full((3, 3), 0.4) - 0.2 * np.eye(3)
    problem = find(
        noisy_label_problems(
            n_samples=st.just(60), n_classes=st.just(3), transition_matrix=st.just(T)
        ),
        lambda p: True,
    )
    assert problem.flipped_mask.mean() > 0.5


def test_strategies_shrink_to_small_examples():
    # Shrinking is what seeding from hypothesis buys: the minimal failing example
    # of "has more than 2 classes" must be exactly 3 classes.
    problem = find(noisy_label_problems(), lambda p: len(p.classes) > 2)
    assert len(problem.classes) == 3
    T = find(transition_matrices(), lambda T: T.shape[0] > 3)
    assert T.shape == (4, 4)


@settings(max_examples=5, deadline=None)
@given(noisy_label_problems(n_classes=12, label_type="str"))
def test_string_labels_beyond_ten_classes_keep_codes_and_labels_aligned(problem):
    # class_10 sorts before class_2 as a string; the noisy codes must still
    # index the right column.
    classes = list(problem.classes)
    assert problem.pred_proba.shape[1] == 12 == len(set(classes))
    position = {label: k for k, label in enumerate(classes)}
    codes = np.array([position[label] for label in problem.y])
    noisy_codes = np.array([position[label] for label in problem.y_noisy])
    assert np.array_equal(np.unique(codes), np.arange(12))
    np.testing.assert_array_equal(problem.flipped_mask, codes != noisy_codes)
    np.testing.assert_array_equal(check_labels(problem.y, problem.classes)[0], codes)
    np.testing.assert_allclose(problem.pred_proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("strategy", "match"),
    [
        (lambda: transition_matrices(n_classes=1), "n_classes must be at least 2"),
        (lambda: transition_matrices(max_noise_rate=1.5), "max_noise_rate"),
        (lambda: transition_matrices(kinds=("bogus",)), "kinds must be"),
        (lambda: transition_matrices(kinds=()), "kinds must be"),
        (lambda: noisy_label_problems(n_classes=1), "n_classes must be at least 2"),
        (lambda: pu_problems(class_prior=1.5), "class_prior must be in"),
        (lambda: pu_problems(label_frequency=0.0), "label_frequency must be in"),
        (lambda: bagged_problems(bag_size=0), "bag_size must be at least 1"),
        (lambda: bagged_problems(bag_size=st.just(-2)), "bag_size must be at least"),
    ],
    ids=[
        "one-class-T",
        "noise-rate-above-one",
        "unknown-kind",
        "no-kind",
        "one-class-problem",
        "prior-above-one",
        "zero-frequency",
        "bag-size-zero",
        "drawn-negative-bag-size",
    ],
)
def test_strategies_refuse_arguments_their_docstrings_rule_out(strategy, match):
    """Found in review: each used to generate data breaking its own docstring
    (a 1x1 "matrix" summing to 0.75, negative entries, priors above 1, bags of
    negative size)."""
    from hypothesis.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=match):
        find(strategy(), lambda _: True)
