"""Tests of the T estimators, the clean prior and the bootstrap (METHODS.md A1, A4).

skrobust/noise/_transition.py: hand-computed tiny cases, properties under
hypothesis, then recovery on simulated data whose probabilities are exact noisy
posteriors, ``pred_proba = p_clean @ T``.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.metrics import precision_score, recall_score, roc_auc_score

from skrobust.datasets import make_noisy_labels, make_transition_matrix
from skrobust.noise import (
    bootstrap_transition_matrix,
    compute_confident_joint,
    estimate_clean_class_prior,
    estimate_transition_matrix,
    find_label_issues,
    label_quality_scores,
)
from skrobust.testing.strategies import noisy_label_problems


def _load_reference():
    path = Path(__file__).with_name("_reference.py")
    spec = importlib.util.spec_from_file_location("_skrobust_noise_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

T_METHODS = ["confident_joint", "anchor", "dual_t"]
PROBLEMS = noisy_label_problems(
    n_samples=st.integers(2, 120), n_classes=st.integers(2, 5)
)
DTYPES = st.sampled_from([np.float64, np.float32])


def _codes(problem):
    return np.searchsorted(problem.classes, problem.y_noisy)


def _dirichlet_rows(seed, n, K):
    """A second (n, K) probability matrix, e.g. for intermediate_proba."""
    return np.random.default_rng(seed).dirichlet(np.ones(K), size=n)


def _options(method, problem, seed, quantile):
    """Method options, with a drawn intermediate_proba for half of the dual_t runs."""
    options = {"method": method, "anchor_quantile": quantile}
    if method == "dual_t" and seed % 2:
        n, K = problem.pred_proba.shape
        options["intermediate_proba"] = _dirichlet_rows(seed, n, K)
    return options


# --- Hand-computed cases --------------------------------------------------------------

_Y = np.array([0, 1, 1, 0, 0])
_P = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7], [0.7, 0.3]])
_P_NAN = np.where(_P == 0.9, np.nan, _P)


def test_estimate_transition_matrix_confident_joint_hand_computed():
    # Thresholds (.6333, .6): rows 0 and 4 -> (0, 0), 2 -> (1, 1), 3 -> (0, 1),
    # row 1 none (.6 < .6333, .4 < .6). C = [[2, 1], [0, 1]], calibrated to the
    # label counts (3, 2): [[2, 1], [0, 2]]. T[j, i] = C[i, j] / column sum.
    np.testing.assert_array_equal(compute_confident_joint(_Y, _P), [[2, 1], [0, 2]])
    T = estimate_transition_matrix(_Y, _P)
    np.testing.assert_allclose(T, [[1, 0], [1 / 3, 2 / 3]], rtol=1e-12)


def test_estimate_transition_matrix_confident_joint_absent_class_is_identity_row():
    # Class "c" is never given, so never guessed: its column of C is zero and its
    # row of T falls back to the identity row.
    y = ["a", "a", "a", "b", "b"]
    P = np.array(
        [
            [0.7, 0.2, 0.1],
            [0.5, 0.2, 0.3],
            [0.2, 0.7, 0.1],
            [0.1, 0.8, 0.1],
            [0.3, 0.3, 0.4],
        ]
    )
    T = estimate_transition_matrix(y, P, classes=["a", "b", "c"])
    # C = [[2, 1, 0], [0, 2, 0], [0, 0, 0]] (see test_confident.py).
    np.testing.assert_allclose(T, [[1, 0, 0], [1 / 3, 2 / 3, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    "quantile, expected",
    [
        # The row with the largest P[:, i] for each class: rows 0 and 2.
        (1.0, [[0.9, 0.1], [0.2, 0.8]]),
        # floor(.5 * 4) = 2: the third smallest of each column, .6 and .4 (row 1).
        (0.5, [[0.6, 0.4], [0.6, 0.4]]),
    ],
)
def test_estimate_transition_matrix_anchor_hand_computed(quantile, expected):
    T = estimate_transition_matrix(_Y, _P, method="anchor", anchor_quantile=quantile)
    np.testing.assert_allclose(T, expected, rtol=1e-12)


def test_estimate_transition_matrix_dual_t_hand_computed():
    # y' = argmax = (0, 0, 1, 1, 0). Counting P(y~ | y'):
    # y' = 0 has y~ = (0, 1, 0), y' = 1 has y~ = (1, 0).
    T_club = np.array([[2 / 3, 1 / 3], [1 / 2, 1 / 2]])
    np.testing.assert_allclose(
        estimate_transition_matrix(_Y, _P, method="dual_t"), T_club, rtol=1e-12
    )
    # With intermediate_proba, T = T_spade @ T_club, T_spade its anchor rows.
    Q = np.array([[0.8, 0.2], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9], [0.5, 0.5]])
    T_spade = np.array([[0.8, 0.2], [0.1, 0.9]])
    T = estimate_transition_matrix(
        _Y, _P, method="dual_t", intermediate_proba=Q, anchor_quantile=1.0
    )
    np.testing.assert_allclose(T, T_spade @ T_club, rtol=1e-12)


@pytest.mark.parametrize(
    "options, expected",
    [
        # Column sums of C = [[2, 1], [0, 2]] over N = 5.
        ({"method": "confident_joint"}, [2 / 5, 3 / 5]),
        # T = [[.9, .1], [.2, .8]], noisy prior (.6, .4): .9 a + .2 (1 - a) = .6.
        ({"method": "anchor", "anchor_quantile": 1.0}, [4 / 7, 3 / 7]),
        # T = [[2/3, 1/3], [1/2, 1/2]]: 2/3 a + 1/2 (1 - a) = .6.
        ({"method": "dual_t"}, [0.6, 0.4]),
    ],
)
def test_estimate_clean_class_prior_hand_computed(options, expected):
    prior = estimate_clean_class_prior(_Y, _P, **options)
    # The EM stops at a 1e-10 change per update; 1e-8 leaves room for its rate.
    np.testing.assert_allclose(prior, expected, rtol=0, atol=1e-8)


# --- Properties ----------------------------------------------------------------------


@pytest.mark.parametrize("method", T_METHODS)
@given(
    problem=PROBLEMS,
    dtype=DTYPES,
    seed=st.integers(0, 2**16),
    quantile=st.floats(0.0, 1.0),
)
def test_estimate_transition_matrix_is_row_stochastic(
    method, problem, dtype, seed, quantile
):
    T = estimate_transition_matrix(
        problem.y_noisy,
        problem.pred_proba.astype(dtype),
        classes=problem.classes,
        **_options(method, problem, seed, quantile),
    )
    K = problem.pred_proba.shape[1]
    assert T.shape == (K, K)
    assert np.isfinite(T).all()
    assert (T >= 0).all()
    np.testing.assert_allclose(T.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", T_METHODS)
@given(
    problem=PROBLEMS,
    dtype=DTYPES,
    seed=st.integers(0, 2**16),
    quantile=st.floats(0.0, 1.0),
)
def test_estimate_clean_class_prior_is_a_distribution(
    method, problem, dtype, seed, quantile
):
    prior = estimate_clean_class_prior(
        problem.y_noisy,
        problem.pred_proba.astype(dtype),
        classes=problem.classes,
        **_options(method, problem, seed, quantile),
    )
    assert prior.shape == (problem.pred_proba.shape[1],)
    assert (prior >= 0).all()
    np.testing.assert_allclose(prior.sum(), 1.0, rtol=0, atol=1e-12)


@given(problem=PROBLEMS)
def test_confident_joint_estimates_are_normalised_joint(problem):
    y, P, classes = problem.y_noisy, problem.pred_proba, problem.classes
    joint = compute_confident_joint(y, P, classes=classes).astype(float)
    T = estimate_transition_matrix(y, P, classes=classes)
    prior = estimate_clean_class_prior(y, P, classes=classes)
    present = joint.sum(axis=0) > 0
    columns = joint[:, present]
    np.testing.assert_allclose(
        T[present], (columns / columns.sum(axis=0)).T, rtol=1e-12
    )
    np.testing.assert_allclose(prior, joint.sum(axis=0) / len(y), rtol=1e-12)


@pytest.mark.parametrize("method", T_METHODS)
@given(problem=PROBLEMS, data=st.data(), seed=st.integers(0, 2**16))
def test_estimates_permute_with_classes(method, problem, data, seed):
    y, P = _codes(problem), problem.pred_proba
    K = P.shape[1]
    if method == "confident_joint":
        # An exact rounding tie in the calibrated joint is broken by column order.
        assume(not ref.confident_joint(P, y, K, return_tied=True)[1].any())
    options = _options(method, problem, seed, 0.97)
    perm = np.array(data.draw(st.permutations(range(K))))
    inv = np.argsort(perm)
    options_perm = dict(options)
    if "intermediate_proba" in options:
        options_perm["intermediate_proba"] = options["intermediate_proba"][:, inv]
    classes = np.arange(K)
    T = estimate_transition_matrix(y, P, classes=classes, **options)
    T_perm = estimate_transition_matrix(
        perm[y], P[:, inv], classes=classes, **options_perm
    )
    np.testing.assert_allclose(T_perm, T[np.ix_(inv, inv)], rtol=0, atol=1e-12)
    prior = estimate_clean_class_prior(y, P, classes=classes, **options)
    prior_perm = estimate_clean_class_prior(
        perm[y], P[:, inv], classes=classes, **options_perm
    )
    # The prior EM stops at a 1e-10 change per update, in either class order.
    np.testing.assert_allclose(prior_perm, prior[inv], rtol=0, atol=1e-8)


@pytest.mark.parametrize("method", T_METHODS)
@given(problem=noisy_label_problems(n_samples=st.integers(2, 120), label_type="str"))
def test_string_labels_and_custom_classes_order_match_integer_codes(method, problem):
    classes = problem.classes[::-1]
    P = problem.pred_proba[:, ::-1]
    K = P.shape[1]
    codes = K - 1 - np.searchsorted(problem.classes, problem.y_noisy)
    for function in (estimate_transition_matrix, estimate_clean_class_prior):
        np.testing.assert_array_equal(
            function(list(problem.y_noisy), P, classes=list(classes), method=method),
            function(codes, P, classes=np.arange(K), method=method),
        )
    np.testing.assert_array_equal(
        bootstrap_transition_matrix(
            problem.y_noisy,
            P,
            classes=classes,
            method=method,
            n_bootstraps=5,
            random_state=0,
        ),
        bootstrap_transition_matrix(
            codes,
            P,
            classes=np.arange(K),
            method=method,
            n_bootstraps=5,
            random_state=0,
        ),
    )


@pytest.mark.parametrize("method", T_METHODS)
@given(problem=PROBLEMS, seed=st.integers(0, 2**16))
def test_transition_functions_do_not_mutate_inputs(method, problem, seed):
    y, P, classes = problem.y_noisy, problem.pred_proba, problem.classes
    options = _options(method, problem, seed, 0.97)
    inputs = [y, P, classes]
    if "intermediate_proba" in options:
        inputs.append(options["intermediate_proba"])
    copies = [a.copy() for a in inputs]
    estimate_transition_matrix(y, P, classes=classes, **options)
    estimate_clean_class_prior(y, P, classes=classes, **options)
    bootstrap_transition_matrix(
        y, P, classes=classes, n_bootstraps=3, random_state=0, **options
    )
    for original, copy in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(original, copy)


# --- Bootstrap -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    """Labels with 20% symmetric noise on 3 classes and exact noisy posteriors."""
    T = make_transition_matrix(3, 0.2)
    y_noisy, flipped, P = _simulate(600, T, separation=6.0, seed=0)
    return y_noisy, P, T


@pytest.mark.parametrize("method", T_METHODS)
def test_bootstrap_transition_matrix_interval_shape_and_order(simulated, method):
    y, P, _ = simulated
    lower, upper = interval = bootstrap_transition_matrix(
        y, P, method=method, n_bootstraps=30, random_state=0
    )
    assert interval.shape == (2, 3, 3)
    assert (lower <= upper).all()
    assert ((interval >= 0) & (interval <= 1)).all()
    # Sampling noise on 600 rows makes some intervals non-degenerate.
    assert (upper - lower).max() > 0


@pytest.mark.parametrize("method", T_METHODS)
def test_bootstrap_transition_matrix_reproducible(simulated, method):
    y, P, _ = simulated
    options = {"method": method, "n_bootstraps": 20}
    first = bootstrap_transition_matrix(y, P, random_state=3, **options)
    again = bootstrap_transition_matrix(y, P, random_state=3, **options)
    other = bootstrap_transition_matrix(y, P, random_state=4, **options)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("intermediate", [False, True])
def test_bootstrap_transition_matrix_independent_of_n_jobs(simulated, intermediate):
    y, P, _ = simulated
    options = {"method": "dual_t", "n_bootstraps": 20, "random_state": 0}
    if intermediate:
        options["intermediate_proba"] = _dirichlet_rows(0, *P.shape)
    np.testing.assert_array_equal(
        bootstrap_transition_matrix(y, P, n_jobs=1, **options),
        bootstrap_transition_matrix(y, P, n_jobs=2, **options),
    )


def test_bootstrap_transition_matrix_covers_point_estimate(simulated):
    y, P, _ = simulated
    lower, upper = bootstrap_transition_matrix(y, P, n_bootstraps=50, random_state=0)
    T = estimate_transition_matrix(y, P)
    assert ((lower <= T + 1e-12) & (T <= upper + 1e-12)).all()


def test_bootstrap_transition_matrix_narrower_at_lower_confidence(simulated):
    y, P, _ = simulated
    wide = bootstrap_transition_matrix(
        y, P, n_bootstraps=40, confidence_level=0.95, random_state=0
    )
    narrow = bootstrap_transition_matrix(
        y, P, n_bootstraps=40, confidence_level=0.5, random_state=0
    )
    assert (narrow[0] >= wide[0]).all() and (narrow[1] <= wide[1]).all()
    # Strictly narrower in all: an ignored confidence level gives equal ones.
    assert (narrow[1] - narrow[0]).sum() < 0.9 * (wide[1] - wide[0]).sum()


# --- Recovery on simulated data ------------------------------------------------------


def _simulate(n, T, *, separation, seed):
    """Noisy labels whose exact noisy posterior is ``p_clean @ T``.

    Clean posteriors are softmax(separation * e_c + N(0, I)) around a random class
    c, the clean label is drawn from them and flipped through T; so
    P(noisy = j | x) = (p_clean(x) @ T)_j exactly.
    """
    rng = np.random.default_rng(seed)
    K = T.shape[0]
    centre = rng.integers(K, size=n)
    logits = rng.normal(size=(n, K))
    logits[np.arange(n), centre] += separation
    p_clean = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > np.cumsum(p_clean, axis=1)).sum(axis=1)
    y = np.minimum(y, K - 1)  # guard against a cumulative sum of 1 - 1e-16
    y_noisy, flipped = make_noisy_labels(y, T, classes=np.arange(K), random_state=seed)
    return y_noisy, flipped, p_clean @ T


RECOVERY_CASES = [(3, "symmetric", 0.2), (4, "pair", 0.3), (5, "random", 0.3)]


@pytest.mark.parametrize("method", T_METHODS)
@pytest.mark.parametrize("K, kind, rate", RECOVERY_CASES)
def test_estimate_transition_matrix_recovers_T(method, K, kind, rate):
    n = 4000
    T = make_transition_matrix(K, rate, kind=kind, random_state=0)
    y, _, P = _simulate(n, T, separation=6.0, seed=0)
    T_hat = estimate_transition_matrix(y, P, classes=np.arange(K), method=method)
    # Counting methods: an entry is a proportion over ~n/K rows, standard error at
    # most 0.5 / sqrt(n/K) (0.018 for K=5); 4 standard errors bound the maximum
    # over K^2 entries. The anchor method reads one row of P, whose clean
    # posterior is within ~K e^-6 (0.01) of one-hot at separation 6.
    tolerance = 4 * 0.5 / np.sqrt(n / K)
    np.testing.assert_allclose(T_hat, T, rtol=0, atol=tolerance)


@pytest.mark.parametrize("K, kind, rate", RECOVERY_CASES)
def test_find_label_issues_transition_posterior_recovers_flips(K, kind, rate):
    T = make_transition_matrix(K, rate, kind=kind, random_state=0)
    y, flipped, P = _simulate(4000, T, separation=6.0, seed=1)
    mask = find_label_issues(
        y,
        P,
        classes=np.arange(K),
        filter_by="transition_posterior",
        transition_matrix=T,
    )
    # Clean labels drawn from posteriors within ~1% of one-hot: a flip is
    # identifiable unless the clean draw left the posterior's mode, so both stay
    # near 0.97-0.99 (seed 0 of this simulation); 0.9 leaves room.
    assert precision_score(flipped, mask) > 0.9
    assert recall_score(flipped, mask) > 0.95


def test_transition_posterior_ranking_beats_self_confidence_under_pair_noise():
    # Moderately separated clean posteriors: the self-confidence is ambiguous, but
    # the posterior knows that pair noise only moves i to i + 1. The gain is about
    # 0.1 AUROC per seed (0.86 vs 0.76 over seeds 0-4); the margin asks for half.
    T = make_transition_matrix(4, 0.3, kind="pair")
    gains = []
    for seed in range(5):
        y, flipped, P = _simulate(2000, T, separation=2.0, seed=seed)
        posterior = label_quality_scores(y, P, method="transition_posterior")
        self_confidence = label_quality_scores(y, P, method="self_confidence")
        gains.append(
            roc_auc_score(flipped, -posterior)
            - roc_auc_score(flipped, -self_confidence)
        )
    assert np.mean(gains) > 0.05


# --- Bad input -----------------------------------------------------------------------

_FUNCTIONS = [
    estimate_transition_matrix,
    estimate_clean_class_prior,
    bootstrap_transition_matrix,
]


@pytest.mark.parametrize("function", _FUNCTIONS)
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"pred_proba": _P * 0.9}, ValueError, "pred_proba rows must sum to 1"),
        ({"pred_proba": np.full((5, 3), 1 / 3)}, ValueError, "columns of pred_proba"),
        ({"classes": [0, 2]}, ValueError, "y holds labels that are not in classes"),
        ({"pred_proba": _P_NAN}, ValueError, "pred_proba must be finite"),
        ({"pred_proba": _P[:3]}, ValueError, "pred_proba must have one row per label"),
        ({"pred_proba": _P.astype(str)}, TypeError, "pred_proba must hold numbers"),
        ({"method": "nope"}, ValueError, "method"),
        ({"anchor_quantile": 1.5}, ValueError, "anchor_quantile"),
        ({"intermediate_proba": _P}, ValueError, "intermediate_proba"),
        (
            {"method": "anchor", "intermediate_proba": _P},
            ValueError,
            "intermediate_proba is used by method='dual_t' only",
        ),
        (
            {"method": "dual_t", "intermediate_proba": _P[:, :1]},
            ValueError,
            "intermediate_proba must have one column per class",
        ),
        (
            {"method": "dual_t", "intermediate_proba": _P[:4]},
            ValueError,
            "intermediate_proba must have one row per sample",
        ),
    ],
)
def test_transition_functions_reject_bad_input(function, kwargs, error, match):
    args = {"y": _Y, "pred_proba": _P, **kwargs}
    with pytest.raises(error, match=match):
        function(**args)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_bootstraps": 1}, "n_bootstraps"),
        ({"confidence_level": 1.0}, "confidence_level"),
        ({"n_jobs": "two"}, "n_jobs"),
        ({"random_state": "zero"}, "random_state"),
    ],
)
def test_bootstrap_transition_matrix_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_transition_matrix(_Y, _P, **kwargs)
