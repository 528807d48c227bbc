"""
==========================================
Simulating class-conditional label noise
==========================================

How much does label noise hurt an ordinary classifier, and does simulated noise
follow the transition matrix we ask for? We build symmetric and pair transition
matrices with :func:`~skrobust.datasets.make_transition_matrix`, corrupt the
training labels of the digits data with :func:`~skrobust.datasets.make_noisy_labels`
at 0, 20 and 40 % noise, check the empirical flip rates against the matrix, and
watch the test accuracy of a logistic regression trained on the noisy labels fall
below the clean-label baseline: the loss that :mod:`skrobust.noise` sets out to
recover.
"""

# %%
# Two transition matrices
# -----------------------
# A transition matrix holds :math:`T_{ij} = P(\tilde y = j \mid y = i)`: row ``i``
# is where the labels of true class ``i`` end up, so every row sums to 1.
# Symmetric noise spreads the flipped mass evenly over the other classes; pair
# noise moves all of it to the next class, the harder case since the wrong class
# is always the same one.
import matplotlib.pyplot as plt
import numpy as np

from skrobust.datasets import make_transition_matrix

n_classes = 10
T_symmetric = make_transition_matrix(n_classes, 0.4, kind="symmetric")
T_pair = make_transition_matrix(n_classes, 0.4, kind="pair")
print("Symmetric, rows 0-2:\n", T_symmetric[:3].round(3))
print("Pair, rows 0-2:\n", T_pair[:3].round(3))
print("Row sums:", T_symmetric.sum(axis=1).round(6)[:3], T_pair.sum(axis=1)[:3])

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for ax, T, title in zip(
    axes, [T_symmetric, T_pair], ["symmetric, 40 %", "pair, 40 %"], strict=True
):
    image = ax.imshow(T, cmap="Blues", vmin=0, vmax=1)
    ax.set(
        title=f"T ({title})",
        xlabel="noisy label j",
        ylabel="true label i",
        xticks=range(n_classes),
        yticks=range(n_classes),
    )
fig.colorbar(image, ax=axes, shrink=0.8, label="P(noisy = j | true = i)")

# %%
# Corrupting the digits training labels
# -------------------------------------
# We hold out a clean test set and corrupt only the training labels, which is
# the situation of a real noisy data set: the labels we learn from are wrong,
# the ones we are judged on are not.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrobust.datasets import make_noisy_labels

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

noise_rates = [0.0, 0.2, 0.4]
kinds = ["symmetric", "pair"]
noisy = {}
for kind in kinds:
    for rate in noise_rates:
        T = make_transition_matrix(n_classes, rate, kind=kind)
        y_noisy, flipped_mask = make_noisy_labels(y_train, T, random_state=0)
        noisy[kind, rate] = (T, y_noisy, flipped_mask)
        print(f"{kind:>9} {rate:.0%}: {flipped_mask.mean():.1%} of labels flipped")

# %%
# Does the simulated noise follow T?
# ----------------------------------
# The empirical flip matrix counts, for each true class, how often each noisy
# label appears: ``confusion_matrix(y_true, y_noisy, normalize="true")`` uses
# the same row convention as T. With about 126 training images per class, an
# entry :math:`T_{ij}` is estimated with a binomial standard error of
# :math:`\sqrt{T_{ij}(1 - T_{ij}) / 126}` (0.044 on a diagonal of 0.6), so we
# measure the gaps in standard errors: across 100 entries the largest should be
# about 2 to 3, and the average gap well under 1.
from sklearn.metrics import confusion_matrix

class_counts = np.bincount(y_train)[:, None]
for kind in kinds:
    T, y_noisy, _ = noisy[kind, 0.4]
    empirical = confusion_matrix(y_train, y_noisy, normalize="true")
    std_error = np.sqrt(T * (1 - T) / class_counts)
    # Entries where T is 0 have no noise to estimate: they are exactly 0.
    z = np.abs(empirical - T)[T > 0] / std_error[T > 0]
    print(
        f"{kind:>9} 40 %: largest |empirical - T| = {np.abs(empirical - T).max():.3f}"
        f" ({z.max():.1f} standard errors), mean {z.mean():.2f} standard errors"
    )

# %%
# On a large sample the empirical matrix converges to T itself.
y_large = np.repeat(np.arange(n_classes), 20_000)
y_large_noisy, _ = make_noisy_labels(y_large, T_pair, random_state=0)
empirical_large = confusion_matrix(y_large, y_large_noisy, normalize="true")
print(f"200 000 labels: largest gap {np.abs(empirical_large - T_pair).max():.4f}")

T, y_noisy, _ = noisy["pair", 0.4]
empirical = confusion_matrix(y_train, y_noisy, normalize="true")
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for ax, matrix, title in zip(
    axes, [T, empirical], ["T asked for", "empirical flips"], strict=True
):
    image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    ax.set(title=title, xlabel="noisy label j", ylabel="true label i")
fig.colorbar(image, ax=axes, shrink=0.8)
fig.suptitle("Pair noise, 40 %, on the digits training labels")

# %%
# Noisy labels cost accuracy
# --------------------------
# The baseline is the same pipeline trained on the clean labels (0 % noise).
# Trained on noisy labels, the logistic regression learns the noisy-label
# posterior instead of the clean one; the test accuracy falls, and falls
# faster under pair noise, whose errors all point to one confusable class.
# We average over three noise draws so the curve is not one draw's luck.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

seeds = [0, 1, 2]
accuracy = {}
for kind in kinds:
    for rate in noise_rates:
        scores = []
        # Without noise every seed gives the same labels: fit once.
        for seed in seeds if rate > 0 else seeds[:1]:
            T = make_transition_matrix(n_classes, rate, kind=kind)
            y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            model.fit(X_train, y_noisy)
            scores.append(model.score(X_test, y_test))
        accuracy[kind, rate] = np.mean(scores)

print("noise rate   symmetric   pair")
for rate in noise_rates:
    sym, pair = accuracy["symmetric", rate], accuracy["pair", rate]
    print(f"{rate:>10.0%}   {sym:>9.3f}   {pair:.3f}")

fig, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
for kind, marker in zip(kinds, ["o", "s"], strict=True):
    ax.plot(
        noise_rates,
        [accuracy[kind, rate] for rate in noise_rates],
        marker=marker,
        label=f"{kind} noise",
    )
ax.axhline(accuracy["symmetric", 0.0], color="gray", ls=":", label="clean labels")
ax.set(
    xlabel="noise rate",
    ylabel="test accuracy (clean test labels)",
    xticks=noise_rates,
    title="Logistic regression on noisy digits",
)
ax.legend()

# %%
# What flipped labels look like
# -----------------------------
# A few training images whose label was flipped by 40 % pair noise: the given
# (noisy) label is what the classifier is told, the true one is what the image
# shows. Finding these rows from the data alone is the job of
# :mod:`skrobust.noise`.
_, y_noisy, flipped_mask = noisy["pair", 0.4]
flipped_indices = np.flatnonzero(flipped_mask)[:8]

fig, axes = plt.subplots(1, 8, figsize=(10, 1.9), layout="constrained")
for ax, i in zip(axes, flipped_indices, strict=True):
    ax.imshow(X_train[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"given {y_noisy[i]}\ntrue {y_train[i]}", fontsize=9)
    ax.set_axis_off()
plt.show()
