"""
============================================
Simulating positive-unlabeled (PU) labels
============================================

In PU data only some positives carry a label; every other row, positive or
negative, is unlabelled. We hide labels in the breast cancer data with
:func:`~skrobust.datasets.make_pu_labels`, once completely at random (SCAR, label
frequency :math:`c = 0.3`) and once with a propensity that depends on the
features (SAR), check that the labelled fraction of the positives matches
:math:`c`, and see that a classifier trained to separate labelled from unlabelled
rows underestimates :math:`P(y = 1 \\mid x)` by the factor :math:`c`, the bias
that :mod:`skrobust.pu` corrects.
"""

# %%
# The data
# --------
# We call a malignant tumour the positive class (``y = 1``), so the class prior
# is :math:`\pi = P(y = 1) \approx 0.37`. A clean test set with the true labels
# stays aside for evaluation.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

data = load_breast_cancer()
X = data.data
y = (data.target == 0).astype(int)  # target 0 is "malignant"
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
print(f"class prior pi = {y.mean():.3f} ({y.sum()} positives of {len(y)})")

# %%
# Labels selected completely at random (SCAR)
# -------------------------------------------
# Under SCAR each positive keeps its label with the same probability, the label
# frequency :math:`c = P(s = 1 \mid y = 1)`; negatives are never labelled. The
# output ``s`` holds 1 on labelled positives and 0 on unlabelled rows.
from skrobust.datasets import make_pu_labels

label_frequency = 0.3
s_train = make_pu_labels(y_train, label_frequency, random_state=0)
print(f"labelled fraction among positives: {s_train[y_train == 1].mean():.3f}")
print(f"labelled negatives: {int(s_train[y_train == 0].sum())}")
expected_share = label_frequency * y_train.mean()
print(f"P(s = 1) = {s_train.mean():.3f}, c * pi = {expected_share:.3f}")

# %%
# One draw lands near :math:`c`; over many draws the labelled fraction is
# binomial with mean :math:`c` and standard deviation
# :math:`\sqrt{c(1 - c) / n_+}`, where :math:`n_+` is the number of positives.
n_positives = int(y_train.sum())
fractions = np.array(
    [
        make_pu_labels(y_train, label_frequency, random_state=seed)[y_train == 1].mean()
        for seed in range(500)
    ]
)
expected_std = np.sqrt(label_frequency * (1 - label_frequency) / n_positives)
print(
    f"500 draws: mean {fractions.mean():.4f} (c = {label_frequency}), "
    f"std {fractions.std():.4f} (binomial {expected_std:.4f})"
)

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.hist(fractions, bins=25, color="tab:blue", alpha=0.8)
ax.axvline(label_frequency, color="black", ls="--", label="c = 0.3")
ax.set(
    xlabel="labelled fraction among positives",
    ylabel="number of draws",
    title="SCAR: 500 draws of make_pu_labels",
)
ax.legend()

# %%
# Labels selected at random, depending on the features (SAR)
# -----------------------------------------------------------
# Under SAR the probability of being labelled, the propensity
# :math:`e(x) = P(s = 1 \mid y = 1, x)`, varies with :math:`x`. Here larger
# tumours are more often labelled: the propensity grows with the "mean radius"
# feature, from about 0.05 to 0.55. The labelled fraction among positives is
# then the average propensity over the positives, and the labelled positives
# are no longer a fair sample of all positives.
radius = X_train[:, list(data.feature_names).index("mean radius")]
z = (radius - radius.mean()) / radius.std()
propensity = 0.05 + 0.5 / (1 + np.exp(-2 * (z - 1)))
s_sar = make_pu_labels(y_train, None, propensity=propensity, random_state=0)
mean_propensity = propensity[y_train == 1].mean()
print(
    f"SAR labelled fraction among positives: {s_sar[y_train == 1].mean():.3f} "
    f"(mean propensity over positives {mean_propensity:.3f})"
)

positives = y_train == 1
print(
    "mean radius of all positives: "
    f"{radius[positives].mean():.1f}; labelled ones under SCAR: "
    f"{radius[s_train == 1].mean():.1f}, under SAR: {radius[s_sar == 1].mean():.1f}"
)

# %%
# Per quartile of tumour size, the labelled fraction of the positives, averaged
# over 200 draws so that the curves show the labelling mechanism rather than one
# draw's luck: flat at :math:`c` under SCAR, rising with the radius under SAR.
edges = np.quantile(radius[positives], [0, 0.25, 0.5, 0.75, 1])
bin_of = np.clip(np.searchsorted(edges, radius[positives], side="right") - 1, 0, 3)
centres = [radius[positives][bin_of == b].mean() for b in range(4)]
draws = {
    "SCAR, c = 0.3": [
        make_pu_labels(y_train, label_frequency, random_state=seed)
        for seed in range(200)
    ],
    "SAR": [
        make_pu_labels(y_train, None, propensity=propensity, random_state=seed)
        for seed in range(200)
    ],
}
fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
for name, labels in draws.items():
    labelled = np.mean([s[positives] for s in labels], axis=0)
    by_quartile = [labelled[bin_of == b].mean() for b in range(4)]
    print(f"{name:>14}: labelled fraction by radius quartile", np.round(by_quartile, 2))
    ax.plot(centres, by_quartile, marker="o", label=name)
ax.set(
    xlabel="mean radius (quartile bins of the positives)",
    ylabel="labelled fraction (200 draws)",
    ylim=(0, 0.6),
    title="Who gets labelled among the positives",
)
ax.legend()

# %%
# A naive classifier on labelled vs unlabelled
# --------------------------------------------
# The naive approach treats unlabelled rows as negatives and trains on ``s``.
# Under SCAR, :math:`P(s = 1 \mid x) = c \, P(y = 1 \mid x)` (Elkan and Noto,
# 2008), so its probabilities are too small by the factor :math:`c` and a 0.5
# threshold calls almost every row negative. The baseline is the same model
# trained on the true labels.
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

oracle = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
oracle.fit(X_train, y_train)
naive = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
naive.fit(X_train, s_train)

proba_oracle = oracle.predict_proba(X_test)[:, 1]
proba_naive = naive.predict_proba(X_test)[:, 1]
print(f"mean P(y = 1 | x) on the test set, trained on y: {proba_oracle.mean():.3f}")
print(f"mean P(s = 1 | x) on the test set, trained on s: {proba_naive.mean():.3f}")
print(f"ratio {proba_naive.mean() / proba_oracle.mean():.2f} (c = {label_frequency})")
print(f"test accuracy, trained on y: {accuracy_score(y_test, proba_oracle > 0.5):.3f}")
print(f"test accuracy, trained on s: {accuracy_score(y_test, proba_naive > 0.5):.3f}")
print(f"predicting 'negative' everywhere: {1 - y_test.mean():.3f}")

# %%
# Among the true positives of the test set, the naive probabilities cluster
# around :math:`c` instead of near 1, mostly below the 0.5 threshold.
positive_test = y_test == 1
print(
    "mean probability on true positives: "
    f"trained on y {proba_oracle[positive_test].mean():.3f}, "
    f"trained on s {proba_naive[positive_test].mean():.3f}"
)

bins = np.linspace(0, 1, 21)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True, layout="constrained")
for ax, proba, title in zip(
    axes,
    [proba_oracle, proba_naive],
    ["trained on true labels y", "trained on PU labels s (naive)"],
    strict=True,
):
    ax.hist(proba[positive_test], bins=bins, alpha=0.7, label="true positives")
    ax.hist(proba[~positive_test], bins=bins, alpha=0.7, label="true negatives")
    ax.axvline(0.5, color="gray", ls=":", label="threshold 0.5")
    ax.set(title=title, xlabel="predicted probability of the positive class")
axes[1].axvline(label_frequency, color="black", ls="--", label="c = 0.3")
axes[0].set_ylabel("test rows")
axes[1].legend()
plt.show()
