"""
=====================================
Simulating bags and label proportions
=====================================

In learning from label proportions (LLP) the rows come in bags, and for each bag
we know only the fraction of each class. We draw random bags of 8, 32 and 128
rows over the breast cancer data with :func:`~skrobust.datasets.make_bags`,
compute each row's bag proportions with
:func:`~skrobust.datasets.bag_proportions`, and validate them with
:func:`~skrobust.utils.check_proportions`. The larger the bags, the closer every
bag's proportion is to the class prior, and the less a naive baseline that
trains on the proportions as soft labels can learn.
"""

# %%
# Bags and row-aligned proportions
# --------------------------------
# A bag assignment is one bag id per row. The proportions are row-aligned too:
# every row carries the proportions of its own bag, so they can be sliced with
# the rows (by a cross-validation splitter, say). With two classes they are 1-D,
# the fraction of the positive class (here malignant tumours, ``y = 1``).
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer

from skrobust.datasets import bag_proportions, make_bags

data = load_breast_cancer()
X = data.data
y = (data.target == 0).astype(int)  # target 0 is "malignant"
n_samples = len(y)
class_prior = y.mean()

bags = make_bags(n_samples, 8, random_state=0)
proportions = bag_proportions(y, bags)
print(f"{n_samples} rows in {bags.max() + 1} bags, class prior {class_prior:.3f}")
rows_of_bag_0 = np.flatnonzero(bags == 0)
print("rows of bag 0:", rows_of_bag_0.tolist())
print("their labels:", y[rows_of_bag_0].tolist())
print("their proportions:", proportions[rows_of_bag_0].tolist())

# %%
# The distribution of bag proportions
# -----------------------------------
# For random bags of size :math:`B` drawn without replacement from :math:`N`
# rows, a bag's proportion is hypergeometric with mean :math:`\pi` and standard
# deviation :math:`\sqrt{\pi (1 - \pi) / B \cdot (N - B) / (N - 1)}`. We pool
# 50 random bag assignments per size, keeping one value per bag, and compare
# the spread with that formula.
bag_sizes = [8, 32, 128]
per_bag = {}
for bag_size in bag_sizes:
    values = []
    for seed in range(50):
        bags = make_bags(n_samples, bag_size, random_state=seed)
        proportions = bag_proportions(y, bags)
        # One value per full bag; the last bag is smaller when B does not divide N.
        first_rows = np.unique(bags, return_index=True)[1]
        full = np.bincount(bags) == bag_size
        values.append(proportions[first_rows][full])
    per_bag[bag_size] = np.concatenate(values)

print(" bag size   mean   std   hypergeometric std")
for bag_size in bag_sizes:
    expected = np.sqrt(
        class_prior
        * (1 - class_prior)
        / bag_size
        * (n_samples - bag_size)
        / (n_samples - 1)
    )
    values = per_bag[bag_size]
    print(f"{bag_size:>9} {values.mean():>6.3f} {values.std():>5.3f} {expected:>10.3f}")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=False, layout="constrained")
for ax, bag_size in zip(axes, bag_sizes, strict=True):
    ax.hist(per_bag[bag_size], bins=np.linspace(0, 1, 33), color="tab:green")
    ax.axvline(class_prior, color="black", ls="--", label="class prior")
    ax.set(title=f"bags of {bag_size}", xlabel="proportion of malignant rows")
axes[0].set_ylabel("number of bags")
axes[0].legend()

# %%
# Validating proportions
# ----------------------
# :func:`~skrobust.utils.check_proportions` enforces the rules every LLP
# estimator relies on: values in [0, 1], rows summing to 1 in the multiclass
# form, and the same proportions on every row of a bag. It returns the cleaned
# array; a violation raises a ``ValueError`` that names the bag and its rows.
from skrobust.utils import check_proportions

bags = make_bags(n_samples, 32, random_state=0)
proportions = bag_proportions(y, bags)
checked = check_proportions(proportions, bags)
print("binary proportions valid:", checked.shape, checked.dtype)

broken = proportions.copy()
broken[0] = 1 - broken[0]  # row 0 now disagrees with the rest of its bag
try:
    check_proportions(broken, bags)
except ValueError as error:
    print("ValueError:", error)

# %%
# With more than two classes the proportions form an (n_samples, n_classes)
# array, one column per class; the wine data has three.
from sklearn.datasets import load_wine

X_wine, y_wine = load_wine(return_X_y=True)
wine_bags = make_bags(len(y_wine), 16, random_state=0)
wine_proportions = bag_proportions(y_wine, wine_bags)
print("wine proportions:", check_proportions(wine_proportions, wine_bags).shape)
print("first rows:\n", wine_proportions[:3].round(3))

# %%
# What the proportions teach a naive learner
# ------------------------------------------
# A naive baseline treats each row's bag proportion as a soft label: every
# training row appears twice, as a positive with weight :math:`p` and as a
# negative with weight :math:`1 - p`, and an ordinary logistic regression is
# fitted. Bags of one row are ordinary supervised learning (a hard label is the
# proportion vector of a bag of one), the reference here. As bags grow, every
# row's soft label tends to the class prior, and the baseline falls to the
# majority-class rule after only a few rows per bag; the LLP methods of
# :mod:`skrobust.llp` exploit the differences between bags instead.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
X_twice = np.vstack([X_train, X_train])
y_twice = np.r_[np.ones(len(y_train)), np.zeros(len(y_train))]

baseline_sizes = [1, 2, 4, 8, 32, 128]
test_accuracy = {}
for bag_size in baseline_sizes:
    scores = []
    for seed in range(5):
        train_bags = make_bags(len(y_train), bag_size, random_state=seed)
        p = bag_proportions(y_train, train_bags, classes=[0, 1])
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        model.fit(X_twice, y_twice, logisticregression__sample_weight=np.r_[p, 1 - p])
        scores.append(model.score(X_test, y_test))
    test_accuracy[bag_size] = np.mean(scores)

majority_rule = max(y_test.mean(), 1 - y_test.mean())
print(" bag size   test accuracy (mean of 5 bag draws)")
for bag_size in baseline_sizes:
    print(f"{bag_size:>9} {test_accuracy[bag_size]:>15.3f}")
print(f"majority-class rule: {majority_rule:.3f}")

fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
ax.semilogx(
    baseline_sizes,
    [test_accuracy[b] for b in baseline_sizes],
    marker="o",
    base=2,
    label="soft-label baseline",
)
ax.axhline(majority_rule, color="gray", ls=":", label="majority-class rule")
ax.set(
    xlabel="bag size",
    ylabel="test accuracy",
    xticks=baseline_sizes,
    xticklabels=baseline_sizes,
    title="Training on bag proportions as soft labels",
)
ax.legend()
plt.show()
