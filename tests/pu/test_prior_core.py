"""Tests for the private prior-estimation cores: KM1/KM2, TIcE, DEDPUL and BBE.

Recovery tests run on SCAR data with known pi and c: two Gaussians in 8 dimensions
whose means differ by 1.25 in each of 4 coordinates (distance 2.5). Each tolerance
is the worst absolute error seen over 8 seeds per setting when the test was
written, rounded up; the fixed seed used here sits inside it.
"""

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from sklearn.linear_model import LogisticRegression

from skrobust.datasets import make_pu_labels
from skrobust.pu._bbe import bbe_positive_share
from skrobust.pu._dedpul import (
    _centred_median,
    _density_ratio,
    _mean_posterior,
    _negative_share,
    dedpul_positive_share,
)
from skrobust.pu._kernel_mean import (
    _DistanceCurve,
    _project_on_hull,
    kernel_mean_proportion,
)
from skrobust.pu._tice import _bin_codes, _lower_bound, tice_label_frequency
from skrobust.utils import cross_val_predict_proba

SETTINGS = [(0.3, 0.3), (0.3, 0.7), (0.5, 0.3), (0.5, 0.7)]


def _gaussians(n, positive, rng, n_features=8):
    X = rng.normal(size=(n, n_features))
    if positive:
        X[:, :4] += 1.25
    return X


def _scar(n, pi, c, seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < pi).astype(int)
    X = rng.normal(size=(n, 8))
    X[:, :4] += 1.25 * y[:, None]
    return X, y, make_pu_labels(y, c, random_state=seed)


@pytest.fixture(scope="module")
def scar_problems():
    """SCAR data and out-of-sample P(s = 1 | x) for each (pi, c) setting."""
    problems = {}
    for pi, c in SETTINGS:
        X, y, s = _scar(3000, pi, c, seed=1)
        proba = cross_val_predict_proba(
            LogisticRegression(), X, s, cv=5, random_state=0
        )[:, 1]
        problems[pi, c] = (X, y, s, proba)
    return problems


# --------------------------------------------------------------------- KM1 / KM2


def test_project_on_hull_two_points_by_hand():
    # Target 1.5 phi_1 - 0.5 phi_2 lies on the line through the two points,
    # beyond phi_1: the nearest hull point is phi_1, at squared distance
    # (0.5, -0.5) K (0.5, -0.5) = 0.5 (1 - k).
    k = np.exp(-1.0)
    gram = np.array([[1.0, k], [k, 1.0]])
    weights = np.array([0.5, 0.5])
    distance = _project_on_hull(gram, np.ones(2), np.array([1.5, -0.5]), weights)
    np.testing.assert_allclose(weights, [1.0, 0.0], atol=1e-12)
    assert distance == pytest.approx(np.sqrt(0.5 * (1.0 - k)), rel=1e-9)


def test_project_on_hull_inside_is_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    gram = np.exp(-0.5 * ((X[:, None] - X[None]) ** 2).sum(-1))
    target = rng.dirichlet(np.ones(30))
    weights = np.full(30, 1 / 30)
    assert _project_on_hull(gram, np.ones(30), target, weights) < 2e-3


def test_distance_curve_slope_matches_finite_difference():
    # The envelope-theorem slope equals the derivative of d(lambda).
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(40, 2)), rng.normal(1.5, 1.0, size=(30, 2))])
    gram = np.exp(-0.5 * ((X[:, None] - X[None]) ** 2).sum(-1) / 2.0)
    direction = np.r_[np.full(40, 1 / 40), np.full(30, -1 / 30)]
    curve = _DistanceCurve(gram, 40, direction)
    h = 1e-3
    numeric = (curve.distance(2.0 + h) - curve.distance(2.0 - h)) / (2 * h)
    assert curve.slope(2.0) == pytest.approx(numeric, rel=1e-3)


@pytest.mark.parametrize(("pi", "c"), SETTINGS)
@pytest.mark.parametrize("variant", ["km1", "km2"])
def test_kernel_mean_recovers_class_prior(scar_problems, pi, c, variant):
    # Case-control use under SCAR: component = labelled rows, mixture = all rows,
    # 500 of each. Worst error over 8 seeds was 0.109 (KM1) and 0.102 (KM2);
    # both lean high (mean +0.03 to +0.07), as the slope thresholds do on
    # overlapping classes.
    X, y, s, _ = scar_problems[pi, c]
    rng = np.random.default_rng(0)
    labeled = np.flatnonzero(s == 1)
    component = X[rng.choice(labeled, min(500, labeled.size), replace=False)]
    mixture = X[rng.choice(X.shape[0], 500, replace=False)]
    kappa = kernel_mean_proportion(component, mixture, variant=variant, random_state=0)
    assert abs(kappa - y.mean()) <= 0.12


def test_kernel_mean_identical_samples_give_one():
    X = np.random.default_rng(0).normal(size=(50, 3))
    assert kernel_mean_proportion(X, X.copy()) == 1.0


def test_kernel_mean_km2_mixture_of_component_only_is_near_one():
    # Over 4 seeds KM2 gave 0.84 to 0.93. KM1 is not tested here: with samples
    # that cannot be told apart, the authors' max-MMD width picks the narrowest
    # kernel, whose MMD is sampling noise above KM1's threshold.
    rng = np.random.default_rng(0)
    component = _gaussians(400, True, rng)
    mixture = _gaussians(400, True, rng)
    assert kernel_mean_proportion(component, mixture, random_state=0) >= 0.8


@pytest.mark.parametrize("variant", ["km1", "km2"])
def test_kernel_mean_mixture_without_component_is_near_zero(variant):
    # Over 4 seeds: KM1 0.035 to 0.057, KM2 0.098 to 0.117.
    rng = np.random.default_rng(0)
    component = _gaussians(400, True, rng)
    mixture = _gaussians(400, False, rng)
    kappa = kernel_mean_proportion(component, mixture, variant=variant, random_state=0)
    assert kappa <= 0.13


def test_kernel_mean_floor_is_the_bisection_resolution():
    # Samples 10 standard deviations apart share nothing, yet the bisection on
    # [1, 100] stops on an interval of width 99 / 4096 and returns its middle:
    # lambda = 1 + 99 / 8192, kappa = 1 - 1 / lambda, as documented.
    rng = np.random.default_rng(0)
    component = rng.normal(5.0, 1.0, size=(200, 2))
    mixture = rng.normal(-5.0, 1.0, size=(300, 2))
    kappa = kernel_mean_proportion(component, mixture, variant="km1", random_state=0)
    assert kappa == pytest.approx(1.0 - 1.0 / (1.0 + 99.0 / 8192.0))
    assert round(kappa, 4) == 0.0119


def test_kernel_mean_deterministic_and_inputs_unchanged():
    # 700 pooled rows: more than the 512 whose distances give the median width,
    # so random_state is used.
    rng = np.random.default_rng(0)
    component = _gaussians(300, True, rng)
    mixture = np.vstack([_gaussians(200, True, rng), _gaussians(200, False, rng)])
    copies = component.copy(), mixture.copy()
    first = kernel_mean_proportion(component, mixture, random_state=3)
    assert kernel_mean_proportion(component, mixture, random_state=3) == first
    np.testing.assert_array_equal(component, copies[0])
    np.testing.assert_array_equal(mixture, copies[1])


def test_kernel_mean_errors_name_the_parameter():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="variant"):
        kernel_mean_proportion(X, X, variant="km3")
    with pytest.raises(ValueError, match="same number of features"):
        kernel_mean_proportion(X, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="X_mixture"):
        kernel_mean_proportion(X, np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="X_component"):
        kernel_mean_proportion(np.zeros(5), X)


# --------------------------------------------------------------------------- TIcE


def test_lower_bound_by_hand():
    # 30 labelled of 40, c_prior 0.5, delta 0.1:
    # 0.75 - sqrt(0.25 * 0.9 / (0.1 * 40)) = 0.75 - 0.2371708.
    assert _lower_bound(30, 40, 0.5, 0.1, 10) == pytest.approx(0.5128292, abs=1e-7)
    assert _lower_bound(9, 9, 0.5, 0.1, 10) == 0.0


def test_bin_codes_follow_the_authors_borders():
    X = np.array([[0.0, 7.0], [0.25, 7.0], [0.5, 7.0], [0.74, 7.0], [1.0, 7.0]])
    # x < 0.25 -> 0, [0.25, 0.5) -> 1, [0.5, 0.75) -> 2, >= 0.75 -> 3; a constant
    # feature lands in bin 0.
    codes, varies = _bin_codes(X)
    np.testing.assert_array_equal(codes, [[0, 0], [1, 0], [2, 0], [2, 0], [3, 0]])
    np.testing.assert_array_equal(varies, [True, False])


@pytest.mark.parametrize("n_features", [5, 300], ids=["one-block", "two-blocks"])
def test_tice_on_sparse_x_equals_dense(n_features):
    """CSR and CSC input give the dense estimate (300 columns: two bin blocks)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, n_features)) * (rng.random((600, n_features)) < 0.5)
    y = X[:, 0] + X[:, 1] > 0
    labeled = y & (rng.random(600) < 0.4)
    dense = tice_label_frequency(X, labeled, random_state=0)
    for sparse in (sp.csr_matrix(X), sp.csc_matrix(X)):
        assert tice_label_frequency(sparse, labeled, random_state=0) == dense
    codes, _ = _bin_codes(sp.csr_matrix(X))
    np.testing.assert_array_equal(codes, _bin_codes(X)[0])


def test_tice_rejects_non_finite_sparse_values():
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[0.0, 1.0], [np.nan, 0.0], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="finite"):
        tice_label_frequency(X, np.array([True, False, False]))


@pytest.mark.parametrize(("pi", "c"), SETTINGS)
def test_tice_is_a_tight_lower_bound_on_separable_data(pi, c):
    # TIcE bounds c from below; on 10 000 rows with classes 3 apart in 2 of 4
    # features, the shortfall over 8 seeds was 0.05 to 0.10.
    rng = np.random.default_rng(2)
    y = (rng.random(10000) < pi).astype(int)
    X = rng.normal(size=(10000, 4))
    X[:, :2] += 3.0 * y[:, None]
    labeled = make_pu_labels(y, c, random_state=2) == 1
    estimate = tice_label_frequency(X, labeled, random_state=0)
    assert c - 0.11 <= estimate <= c + 0.02


def test_tice_all_positives_labelled_is_near_one():
    # c = 1; over 4 seeds 0.94 to 0.97 (the bound's penalty keeps it below 1).
    rng = np.random.default_rng(0)
    y = rng.random(10000) < 0.4
    X = rng.normal(size=(10000, 4))
    X[:, :2] += 3.0 * y[:, None]
    assert 0.9 <= tice_label_frequency(X, y, random_state=0) <= 1.0


def test_tice_ignores_constant_features(scar_problems):
    X, _, s, _ = scar_problems[0.5, 0.7]
    padded = np.column_stack([np.full(X.shape[0], 3.0), X])
    assert tice_label_frequency(padded, s == 1, random_state=0) == pytest.approx(
        tice_label_frequency(X, s == 1, random_state=0)
    )


def test_tice_deterministic_and_inputs_unchanged(scar_problems):
    X, _, s, _ = scar_problems[0.5, 0.7]
    labeled = s == 1
    copies = X.copy(), labeled.copy()
    first = tice_label_frequency(X, labeled, random_state=5)
    assert tice_label_frequency(X, labeled, random_state=5) == first
    assert 0.0 < first <= 1.0
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(labeled, copies[1])


def test_tice_errors_name_the_parameter():
    X = np.zeros((6, 2))
    with pytest.raises(ValueError, match="labeled_mask"):
        tice_label_frequency(X, np.zeros(6, dtype=bool))
    with pytest.raises(ValueError, match="labeled_mask"):
        tice_label_frequency(X, np.ones(5, dtype=bool))
    with pytest.raises(ValueError, match="finite"):
        tice_label_frequency(np.full((6, 2), np.inf), np.ones(6, dtype=bool))


# ------------------------------------------------------------------------- DEDPUL


def test_centred_median_shrinks_symmetrically_at_the_ends():
    values = np.random.default_rng(0).random(41)
    for half_width in (1, 3, 8, 30):
        n = values.size
        expected = [
            np.median(values[i - r : i + r + 1])
            for i in range(n)
            for r in [min(half_width, i, n - 1 - i)]
        ]
        np.testing.assert_allclose(_centred_median(values, half_width), expected)


def test_mean_posterior_matches_direct_formula():
    ratio = np.sort(np.random.default_rng(0).gamma(2.0, 0.6, size=500))
    prefix = np.concatenate(([0.0], np.cumsum(ratio)))
    alphas = np.array([0.0, 0.2, 0.55, 0.9, 0.999])
    direct = [np.maximum(0.0, 1 - (1 - a) * ratio).mean() for a in alphas]
    np.testing.assert_allclose(_mean_posterior(ratio, prefix, alphas), direct)


def test_negative_share_of_an_exact_ratio():
    # A share 1 - alpha of U sits where only positives live (f_P / f_U =
    # 1 / (1 - alpha)), the rest where only negatives live (ratio 0): the mean
    # posterior equals alpha exactly from alpha = 0.37 on.
    alpha = 0.37
    ratio = np.sort(np.r_[np.zeros(370), np.full(630, 1 / (1 - alpha))])
    assert _negative_share(ratio) == pytest.approx(alpha, abs=1e-3)


def test_density_ratio_matches_scipy_kde():
    # The binned FFT KDE against scipy's exact gaussian_kde with the author's
    # bandwidth factors (0.1 labelled, 0.05 unlabelled) in logit space.
    rng = np.random.default_rng(0)
    y_labeled = 1 / (1 + np.exp(-rng.normal(-1.0, 1.0, 300)))
    y_unlabeled = np.sort(1 / (1 + np.exp(-rng.normal(0.5, 1.5, 700))))

    def logit(p):
        return np.log(p / (1 - p))

    jacobian = y_unlabeled * (1 - y_unlabeled) + 1e-5
    f_labeled = gaussian_kde(logit(y_labeled), 0.1)(logit(y_unlabeled)) / jacobian
    f_unlabeled = gaussian_kde(logit(y_unlabeled), 0.05)(logit(y_unlabeled)) / jacobian
    exact = np.minimum(f_labeled / (f_unlabeled + 1e-5), 50.0)
    np.testing.assert_allclose(
        _density_ratio(y_labeled, y_unlabeled), exact, rtol=2e-3, atol=1e-4
    )


@pytest.mark.parametrize(("pi", "c"), SETTINGS)
def test_dedpul_recovers_positive_share(scar_problems, pi, c):
    # Out-of-sample logistic-regression scores, 3000 rows. Worst error over 8
    # seeds: 0.059 on the share, 0.051 on pi (mean bias +0.00 to +0.03).
    _, y, s, proba = scar_problems[pi, c]
    labeled = s == 1
    share = dedpul_positive_share(proba[labeled], proba[~labeled])
    assert abs(share - y[~labeled].mean()) <= 0.07
    prior = (labeled.sum() + share * (~labeled).sum()) / s.size
    assert abs(prior - y.mean()) <= 0.06


@pytest.fixture(scope="module")
def extreme_scores():
    """Scores when U holds only negatives, and when U holds only positives."""
    rng = np.random.default_rng(0)
    s = np.r_[np.ones(1000), np.zeros(2000)].astype(int)
    out = {}
    for name, negatives in (("negatives", True), ("positives", False)):
        X = np.vstack(
            [_gaussians(1000, True, rng), _gaussians(2000, not negatives, rng)]
        )
        proba = cross_val_predict_proba(
            LogisticRegression(), X, s, cv=5, random_state=0
        )[:, 1]
        out[name] = (proba[s == 1], proba[s == 0])
    return out


def test_dedpul_unlabelled_all_negative_is_near_zero(extreme_scores):
    # Over 4 seeds: 0.020 to 0.032.
    assert dedpul_positive_share(*extreme_scores["negatives"]) <= 0.05


def test_dedpul_unlabelled_all_positive_is_near_one(extreme_scores):
    # U drawn like the labelled rows; over 4 seeds 0.89 to 0.98.
    assert dedpul_positive_share(*extreme_scores["positives"]) >= 0.85


def test_dedpul_separable_negative_unlabelled_is_near_zero():
    # No ratio exceeds 1 here; the author's loop order would stop at alpha = 0
    # and call every unlabelled row positive. Measured: 0.041.
    rng = np.random.default_rng(0)
    share = dedpul_positive_share(
        rng.uniform(0.9, 0.99, 300), rng.uniform(0.001, 0.05, 1000)
    )
    assert share <= 0.06


def test_dedpul_constant_scores_give_one():
    # A classifier that cannot tell U from P: the density ratio is 1 and every
    # unlabelled row may be positive.
    share = dedpul_positive_share(np.full(50, 0.2), np.full(200, 0.2))
    assert share == pytest.approx(1.0, abs=1e-3)


def test_dedpul_deterministic_and_inputs_unchanged(scar_problems):
    _, _, s, proba = scar_problems[0.3, 0.3]
    labeled, unlabeled = proba[s == 1], proba[s == 0]
    copies = labeled.copy(), unlabeled.copy()
    assert dedpul_positive_share(labeled, unlabeled) == dedpul_positive_share(
        labeled, unlabeled
    )
    np.testing.assert_array_equal(labeled, copies[0])
    np.testing.assert_array_equal(unlabeled, copies[1])


def test_dedpul_errors_name_the_parameter():
    with pytest.raises(ValueError, match="proba_labeled"):
        dedpul_positive_share([], [0.5])
    with pytest.raises(ValueError, match="proba_unlabeled"):
        dedpul_positive_share([0.5], [0.2, 1.5])
    with pytest.raises(ValueError, match="proba_unlabeled must be finite"):
        dedpul_positive_share([0.5], [np.nan])


# --------------------------------------------------------------------------- BBE


def test_bbe_picks_the_lowest_bound_by_hand():
    labeled = [0.9, 0.7, 0.5, 0.3]
    unlabeled = [0.95, 0.6, 0.4, 0.2, 0.1, 0.05]
    # Fractions above the thresholds 0.3, 0.5, 0.7, 0.9: labelled 1, 3/4, 1/2,
    # 1/4; unlabelled 3/6, 2/6, 1/6, 1/6. Ratios 0.5, 0.444, 0.333, 0.667.
    # With a vanishing confidence width the plain minimum wins (threshold 0.7).
    assert bbe_positive_share(labeled, unlabeled, delta=1 - 1e-12) == pytest.approx(
        1 / 3
    )
    # At delta = 0.1 the width is 0.975: the bounds (q_U + 1.01 * 0.975) / q_L
    # are 1.484, 1.757, 2.302, 4.604, so the widest bin wins and gives 0.5.
    assert bbe_positive_share(labeled, unlabeled) == pytest.approx(0.5)


@pytest.mark.parametrize(("pi", "c"), SETTINGS)
def test_bbe_recovers_positive_share(scar_problems, pi, c):
    # Out-of-sample logistic-regression scores, 3000 rows, overlapping classes
    # (no pure top bin, so BBE leans high). Worst error over 8 seeds: 0.083 on the
    # share, 0.076 on pi (mean bias +0.015 to +0.040).
    _, y, s, proba = scar_problems[pi, c]
    labeled = s == 1
    share = bbe_positive_share(proba[labeled], proba[~labeled])
    assert abs(share - y[~labeled].mean()) <= 0.09
    prior = (labeled.sum() + share * (~labeled).sum()) / s.size
    assert abs(prior - y.mean()) <= 0.08


def test_bbe_extremes(extreme_scores):
    # Over 4 seeds: 0.024 to 0.030 when U holds only negatives, 0.937 to 0.989
    # when it holds only positives.
    assert bbe_positive_share(*extreme_scores["negatives"]) <= 0.05
    assert bbe_positive_share(*extreme_scores["positives"]) >= 0.9
    rng = np.random.default_rng(0)
    separable = rng.uniform(0.9, 0.99, 300), rng.uniform(0.001, 0.05, 1000)
    assert bbe_positive_share(*separable) == 0.0
    assert bbe_positive_share(np.full(50, 0.2), np.full(200, 0.2)) == 1.0


def test_bbe_integer_weights_are_repeated_rows(scar_problems):
    _, _, s, proba = scar_problems[0.5, 0.3]
    labeled, unlabeled = proba[s == 1], proba[s == 0]
    w_l = np.arange(labeled.size) % 3 + 1.0
    w_u = np.arange(unlabeled.size) % 2 + 1.0
    weighted = bbe_positive_share(
        labeled, unlabeled, weight_labeled=w_l, weight_unlabeled=w_u
    )
    repeated = bbe_positive_share(
        np.repeat(labeled, w_l.astype(int)), np.repeat(unlabeled, w_u.astype(int))
    )
    assert weighted == pytest.approx(repeated, rel=1e-12)
    # Zero weights drop rows: from the thresholds as well as the fractions.
    w_l[::2] = 0.0
    assert bbe_positive_share(
        labeled, unlabeled, weight_labeled=w_l
    ) == bbe_positive_share(np.repeat(labeled, w_l.astype(int)), unlabeled)
    assert bbe_positive_share([0.5], [0.2], weight_unlabeled=[0.0]) == 0.0


def test_bbe_deterministic_and_inputs_unchanged(scar_problems):
    _, _, s, proba = scar_problems[0.3, 0.3]
    labeled, unlabeled = proba[s == 1], proba[s == 0]
    copies = labeled.copy(), unlabeled.copy()
    assert bbe_positive_share(labeled, unlabeled) == bbe_positive_share(
        labeled, unlabeled
    )
    np.testing.assert_array_equal(labeled, copies[0])
    np.testing.assert_array_equal(unlabeled, copies[1])


def test_bbe_errors_name_the_parameter():
    with pytest.raises(ValueError, match="proba_labeled"):
        bbe_positive_share([], [0.5])
    with pytest.raises(ValueError, match="proba_unlabeled"):
        bbe_positive_share([0.5], [0.2, 1.5])
    with pytest.raises(ValueError, match="proba_unlabeled must be finite"):
        bbe_positive_share([0.5], [np.nan])
    with pytest.raises(ValueError, match="weight_labeled"):
        bbe_positive_share([0.5], [0.2], weight_labeled=[0.0])
    with pytest.raises(ValueError, match="weight_labeled must have one value per row"):
        bbe_positive_share([0.5], [0.2], weight_labeled=[1.0, 2.0])
    with pytest.raises(ValueError, match="weight_unlabeled must be non-negative"):
        bbe_positive_share([0.5], [0.2], weight_unlabeled=[-1.0])
    with pytest.raises(ValueError, match="weight_unlabeled must be finite"):
        bbe_positive_share([0.5], [0.2], weight_unlabeled=[np.nan])
    with pytest.raises(ValueError, match="delta"):
        bbe_positive_share([0.5], [0.2], delta=1.5)
    with pytest.raises(ValueError, match="gamma"):
        bbe_positive_share([0.5], [0.2], gamma=-0.1)


# --- found by a review helper -----------------------------------------------


def test_tice_falls_back_to_the_labelled_fraction_when_no_fold_scores():
    import warnings

    X = np.array([[0.0], [1.0], [2.0]])
    labeled = np.array([True, False, False])
    # Seed 16 puts all three rows in one of the 5 folds, so no fold can score.
    assert len(set(np.random.RandomState(16).randint(5, size=3))) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = tice_label_frequency(X, labeled, random_state=16)
    assert c == pytest.approx(1 / 3)


def test_kernel_mean_does_not_depend_on_where_the_features_sit():
    from skrobust.pu import estimate_class_prior

    rng = np.random.default_rng(0)
    y = (rng.random(1500) < 0.4).astype(int)
    X = rng.normal(size=(1500, 2)) + 4.0 * y[:, None]
    s = make_pu_labels(y, 0.5, random_state=0)
    here = estimate_class_prior(X, s, method="km1", random_state=0).class_prior
    # Before centring, an offset of 1e7 moved KM1 from 0.399 to 0.44, 1e8 to 0.59.
    for offset in (1e7, 1e8):
        there = estimate_class_prior(X + offset, s, method="km1", random_state=0)
        assert there.class_prior == pytest.approx(here, abs=1e-6)
