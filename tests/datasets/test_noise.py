"""Tests for the label-noise simulators."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.testing.strategies import transition_matrices


@given(
    n_classes=st.integers(2, 12),
    noise_rate=st.floats(0, 1),
    kind=st.sampled_from(["symmetric", "pair", "random"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_transition_matrix_is_row_stochastic_with_given_rate(
    n_classes, noise_rate, kind, seed
):
    T = make_transition_matrix(n_classes, noise_rate, kind=kind, random_state=seed)
    assert T.shape == (n_classes, n_classes)
    assert (T >= 0).all()
    np.testing.assert_allclose(T.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(T), 1.0 - noise_rate)


def test_transition_matrix_symmetric_values():
    T = make_transition_matrix(4, 0.3)
    off = T[~np.eye(4, dtype=bool)]
    np.testing.assert_allclose(off, 0.1)


def test_transition_matrix_pair_moves_mass_to_next_class():
    T = make_transition_matrix(4, 0.3, kind="pair")
    expected = 0.7 * np.eye(4) + 0.3 * np.roll(np.eye(4), 1, axis=1)
    np.testing.assert_allclose(T, expected)


def test_transition_matrix_random_is_seeded():
    a = make_transition_matrix(5, 0.4, kind="random", random_state=0)
    b = make_transition_matrix(5, 0.4, kind="random", random_state=0)
    c = make_transition_matrix(5, 0.4, kind="random", random_state=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_classes": 1, "noise_rate": 0.1}, "n_classes"),
        ({"n_classes": 3, "noise_rate": 1.5}, "noise_rate"),
        ({"n_classes": 3, "noise_rate": -0.1}, "noise_rate"),
        ({"n_classes": 3, "noise_rate": 0.1, "kind": "bogus"}, "kind"),
    ],
)
def test_transition_matrix_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_transition_matrix(**kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["symmetric", "pair", "random"])
def test_noisy_labels_follow_transition_matrix(kind):
    # 200k draws per class: the standard error of each empirical entry is at most
    # sqrt(0.25 / 200000) ~ 0.0011, so 0.01 is a ~9-sigma bound.
    K = 4
    T = make_transition_matrix(K, 0.4, kind=kind, random_state=0)
    y = np.repeat(np.arange(K), 200_000)
    y_noisy, _ = make_noisy_labels(y, T, random_state=0)
    counts = np.bincount(y * K + y_noisy, minlength=K * K).reshape(K, K)
    empirical = counts / counts.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(empirical, T, atol=0.01)


@given(transition_matrices(), st.integers(0, 2**31 - 1))
def test_flipped_mask_marks_exactly_the_changed_labels(T, seed):
    K = T.shape[0]
    y = np.random.default_rng(seed).integers(K, size=300)
    y_before = y.copy()
    y_noisy, flipped = make_noisy_labels(y, T, classes=np.arange(K), random_state=seed)
    np.testing.assert_array_equal(flipped, y_noisy != y)
    np.testing.assert_array_equal(y, y_before)
    assert set(np.unique(y_noisy)) <= set(range(K))


def test_noisy_labels_identity_never_flips():
    y = np.arange(100) % 3
    y_noisy, flipped = make_noisy_labels(y, np.eye(3), random_state=0)
    np.testing.assert_array_equal(y_noisy, y)
    assert not flipped.any()


def test_noisy_labels_only_reach_allowed_classes():
    # Pair noise may only move class i to class i + 1.
    T = make_transition_matrix(5, 0.5, kind="pair")
    y = np.repeat(np.arange(5), 1000)
    y_noisy, flipped = make_noisy_labels(y, T, random_state=1)
    np.testing.assert_array_equal(y_noisy[flipped], (y[flipped] + 1) % 5)


def test_noisy_labels_keep_label_type():
    y = np.array(["cat", "dog", "eel"] * 50)
    T = make_transition_matrix(3, 0.5)
    y_noisy, _ = make_noisy_labels(y, T, random_state=0)
    assert y_noisy.dtype.kind == "U"
    assert set(y_noisy) <= {"cat", "dog", "eel"}


def test_noisy_labels_seeded():
    y = np.arange(500) % 4
    T = make_transition_matrix(4, 0.3)
    a, _ = make_noisy_labels(y, T, random_state=7)
    b, _ = make_noisy_labels(y, T, random_state=7)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "T, match",
    [
        (np.full((3, 3), 0.5), "transition_matrix must be row-stochastic"),
        (np.eye(2), "transition_matrix must be 3 x 3"),
    ],
)
def test_noisy_labels_rejects_bad_matrix(T, match):
    with pytest.raises(ValueError, match=match):
        make_noisy_labels(np.arange(9) % 3, T)


def test_noisy_labels_rejects_label_outside_classes():
    with pytest.raises(ValueError, match="y holds labels that are not in classes"):
        make_noisy_labels([0, 1, 7], np.eye(3), classes=[0, 1, 2])
