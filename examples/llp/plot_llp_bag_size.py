"""
============================================
Learning from label proportions vs. bag size
============================================

How much accuracy is lost when the digits data only comes with the class
proportions of random bags, and how fast does the loss grow with the bag size?
We train on bags of 4 to 128 rows with
:class:`~skrobust.llp.ProportionEMClassifier` (started from the proportions,
and from labels solved for k-means clusters) and
:class:`~skrobust.neural.LLPNeuralNetClassifier`, against a baseline that gives
every row its bag's most frequent class, and against the same logistic
regression trained on the true labels. All three LLP learners stay within a
few points of the supervised model up to bags of 32, while the baseline stays
below 0.5 at every bag size; with bags of 128 only the cluster start does.
"""

# %%
# Bags over the digits data
# -------------------------
# The ten digit classes are split into training and test rows; the training
# rows are grouped in random bags with :func:`~skrobust.datasets.make_bags` and
# each row gets its bag's class proportions, an ``(n_samples, 10)`` array, with
# :func:`~skrobust.datasets.bag_proportions`. The test rows keep their labels,
# for evaluation only.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skrobust.datasets import bag_proportions, make_bags

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

bag_sizes = [4, 8, 16, 32, 64, 128]
bags_of = {size: make_bags(len(y_train), size, random_state=0) for size in bag_sizes}
proportions_of = {size: bag_proportions(y_train, bags_of[size]) for size in bag_sizes}
print("proportions of the first row's bag of 16:", proportions_of[16][0].round(3))

# %%
# The reference points
# --------------------
# The supervised ceiling is a logistic regression on the true labels. The
# naive baseline labels every row with its bag's most frequent class and fits
# the same model. Ties go to the lowest digit, so small bags give class 0 far
# too many rows; the majority label is right for 38 % of the training rows with
# bags of 4 and for 17 % with bags of 64.
supervised = LogisticRegression(max_iter=1000).fit(X_train, y_train)
ceiling = supervised.score(X_test, y_test)
print(f"supervised ceiling: {ceiling:.3f}")

baseline = {}
for size in bag_sizes:
    majority = np.argmax(proportions_of[size], axis=1)
    model = LogisticRegression(max_iter=1000).fit(X_train, majority)
    baseline[size] = model.score(X_test, y_test)

# %%
# Training from proportions
# -------------------------
# :class:`~skrobust.llp.ProportionEMClassifier` starts from the proportions as
# soft labels and alternates between refitting its base and relabelling each
# bag so that its label counts match the proportions exactly; its default base,
# a strongly regularised ``LogisticRegression(C=0.1)``, copes with the wrong
# labels of the first rounds. :class:`~skrobust.neural.LLPNeuralNetClassifier`
# trains a small network on whole bags, matching each bag's mean predicted
# probabilities to its proportions (DLLP). Both take
# ``fit(X, proportions, bags=bags)``. With ``init="clusters"`` the EM rounds
# start instead from labels solved for k-means clusters of the features
# (:func:`~skrobust.llp.cluster_label_shares`), which large bags need: their
# proportions all lie close to the class prior.
from skrobust.llp import ProportionEMClassifier
from skrobust.neural import LLPNeuralNetClassifier

learners = {
    "ProportionEMClassifier": lambda: ProportionEMClassifier(random_state=0),
    "ProportionEM (cluster start)": lambda: ProportionEMClassifier(
        init="clusters", random_state=0
    ),
    "LLPNeuralNetClassifier": lambda: LLPNeuralNetClassifier(
        lr=3e-3, max_epochs=30, random_state=0
    ),
}
accuracy = {name: {} for name in learners}
for name, make_learner in learners.items():
    for size in bag_sizes:
        model = make_learner().fit(X_train, proportions_of[size], bags=bags_of[size])
        accuracy[name][size] = model.score(X_test, y_test)

print(" bag size   baseline   ProportionEM   EM clusters   LLPNeuralNet")
for size in bag_sizes:
    print(
        f"{size:>9} {baseline[size]:>10.3f} "
        f"{accuracy['ProportionEMClassifier'][size]:>14.3f} "
        f"{accuracy['ProportionEM (cluster start)'][size]:>13.3f} "
        f"{accuracy['LLPNeuralNetClassifier'][size]:>14.3f}"
    )

# %%
# Accuracy against bag size
# -------------------------
# Larger bags carry less information per row: a bag of 128 digits says little
# more than the class prior. ``ProportionEMClassifier`` loses about two points
# from bags of 4 to bags of 64 and then 15 more with bags of 128 (eleven bags);
# started from the clusters it keeps 0.92 there, since eleven bags still pin down
# the class shares of clusters of similar digits. The network holds up to bags
# of 16 and then drops, as each epoch sees fewer, larger bags. The
# majority-label baseline, below 0.5 already with bags of 4, falls towards the
# 0.1 of chance.
fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
for name, scores in accuracy.items():
    ax.semilogx(
        bag_sizes, [scores[s] for s in bag_sizes], marker="o", base=2, label=name
    )
ax.semilogx(
    bag_sizes,
    [baseline[s] for s in bag_sizes],
    marker="s",
    base=2,
    color="gray",
    label="bag majority label",
)
ax.axhline(ceiling, color="black", ls="--", label="supervised ceiling")
ax.set(
    xlabel="bag size",
    ylabel="test accuracy",
    xticks=bag_sizes,
    xticklabels=bag_sizes,
    ylim=(0, 1.02),
    title="Digits (10 classes) from bag proportions",
)
ax.legend(loc="lower left")
plt.show()
