"""
======================================
Finding mislabelled digits
======================================

Can we tell which training labels are wrong without ever seeing the right ones?
We flip 30 % of the digits training labels with pair noise, let
:class:`~skrobust.noise.LabelIssueDetector` flag the suspect rows, and score the
flags against the true flip mask, beside cleanlab's rule and the naive "predicted
class differs from the label" baseline. The transition-posterior filter finds as
many flips as either at a far higher precision, and
:class:`~skrobust.noise.ConfidentLearningClassifier`, which drops the flagged rows
before training, beats a classifier trained on all the noisy labels.
"""

# %%
# Noisy digits
# ------------
# We hold out a clean test set and corrupt only the training labels. Pair noise
# moves each digit's label to the next digit (2 becomes 3, 9 becomes 0) with
# probability 0.3: the hardest class-conditional noise, because the wrong label
# is always the same one. :func:`~skrobust.datasets.make_noisy_labels` returns
# the mask of the flipped rows, the ground truth we judge the detectors by.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrobust.datasets import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
T = make_transition_matrix(10, 0.3, kind="pair")
y_noisy, flipped_mask = make_noisy_labels(y_train, T, random_state=0)
print(f"{flipped_mask.sum()} of {len(y_noisy)} training labels flipped")

# %%
# Flagging the label issues
# -------------------------
# :class:`~skrobust.noise.LabelIssueDetector` cross-fits a logistic regression
# (5 folds) to get out-of-sample probabilities of the noisy labels, then flags
# the rows whose label is likely wrong. Its default filter, ``"auto"``, is the
# transition posterior on a data set of this size: the probability that a row's
# given label is its true one under the estimated noise process.
from sklearn.metrics import f1_score, precision_score, recall_score

from skrobust.noise import LabelIssueDetector

detector = LabelIssueDetector(random_state=0).fit(X_train, y_noisy)


def detection_scores(mask):
    return (
        precision_score(flipped_mask, mask),
        recall_score(flipped_mask, mask),
        f1_score(flipped_mask, mask),
    )


precision, recall, f1 = detection_scores(detector.label_issue_mask_)
print(
    f"LabelIssueDetector flagged {detector.label_issue_mask_.sum()} rows: "
    f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"
)

# %%
# Against cleanlab's rule and the naive baseline
# ----------------------------------------------
# On the detector's own out-of-sample probabilities, ``pred_proba_``, we apply
# two other rules with :func:`~skrobust.noise.find_label_issues`:
# ``"prune_by_noise_rate"``, the confident-learning rule that is cleanlab's
# default, and the naive baseline that flags every row whose most probable class
# is not its label. All three read the same probabilities; only the rule
# differs.
import matplotlib.pyplot as plt
import numpy as np

from skrobust.noise import find_label_issues

proba = detector.pred_proba_
masks = {
    "transition posterior (detector)": detector.label_issue_mask_,
    "prune_by_noise_rate (cleanlab)": find_label_issues(
        y_noisy, proba, filter_by="prune_by_noise_rate"
    ),
    "predicted != given (naive)": proba.argmax(axis=1) != y_noisy,
}
results = {name: detection_scores(mask) for name, mask in masks.items()}

print(f"{'rule':<32} flagged  precision  recall     F1")
for name, mask in masks.items():
    precision, recall, f1 = results[name]
    print(f"{name:<32} {mask.sum():>7} {precision:>10.3f} {recall:>7.3f} {f1:>6.3f}")

fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
metric_names = ["precision", "recall", "F1"]
width = 0.26
for k, (name, scores) in enumerate(results.items()):
    label = name.replace(" (", "\n(")
    bars = ax.bar(np.arange(3) + (k - 1) * width, scores, width, label=label)
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
ax.set(
    xticks=np.arange(3),
    xticklabels=metric_names,
    ylim=(0, 1.1),
    ylabel="against the true flips",
    title="Finding 30 % pair-noise flips in the digits",
)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3, fontsize=8)

# %%
# The three rules find about the same share of the flips; they differ in what
# else they flag. The naive rule flags every digit the model gets wrong, and
# cleanlab's rule takes, for each pair of classes, the rows leaning furthest
# towards the other class. The transition posterior also asks *where* the rest
# of a row's probability sits: a row labelled 3 that looks like a 2 is a likely
# flip (2s become 3s), one that looks like a 5 is only a hard 3 (5s never become
# 3s).
#
# The estimated noise process
# ---------------------------
# The detector also estimates the transition matrix :math:`T` (rows: true
# digit, columns: given label). :class:`~skrobust.noise.TransitionMatrixDisplay`
# draws it beside the true one: the 0.3 band of the pair noise is found, with a
# little spurious mass elsewhere, mostly just below the diagonal.
from skrobust.noise import TransitionMatrixDisplay

print(f"mean absolute error of T: {np.abs(detector.transition_matrix_ - T).mean():.3f}")
fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="compressed")
display = TransitionMatrixDisplay.from_estimator(
    detector, reference_matrix=T, ax=axes, titles=("estimated T", "true T")
)

# %%
# The most suspect rows
# ---------------------
# :class:`~skrobust.noise.LabelIssuesDisplay` shows the rows with the lowest
# label-quality scores, as images, with the given label and the model's
# suggestion. These are the rows to look at first: nearly all of them are true
# flips, and for most the suggested label is the digit the image really shows.
from skrobust.noise import LabelIssuesDisplay

# sphinx_gallery_thumbnail_number = 3
fig, axes = plt.subplots(2, 6, figsize=(9, 4.6), layout="constrained")
display = LabelIssuesDisplay.from_estimator(
    detector, X_train, y_noisy, image_shape=(8, 8), ax=axes
)
shown = display.indices
n_flips = flipped_mask[shown].sum()
fig.suptitle(f"The 12 most suspect training labels ({n_flips} are true flips)")
print(f"true flips among the {len(shown)} shown: {n_flips}")
n_right = (display.suggested_labels == y_train[shown]).sum()
print(f"suggested label is the true one: {n_right} of {len(shown)}")

# %%
# Training without the issues
# ---------------------------
# :class:`~skrobust.noise.ConfidentLearningClassifier` finds the issues as the
# detector does, drops them, reweights the classes to their original sizes and
# refits the logistic regression on the rest. The naive baseline trains the same
# model on all the noisy labels; both are scored on the clean test labels, and a
# model trained on the clean labels gives the ceiling.
from sklearn.linear_model import LogisticRegression

from skrobust.noise import ConfidentLearningClassifier

naive = LogisticRegression(max_iter=1000).fit(X_train, y_noisy)
cleaned = ConfidentLearningClassifier(random_state=0).fit(X_train, y_noisy)
ceiling = LogisticRegression(max_iter=1000).fit(X_train, y_train)
accuracies = {
    "noisy labels (LogisticRegression)": naive.score(X_test, y_test),
    "issues pruned (ConfidentLearningClassifier)": cleaned.score(X_test, y_test),
    "clean labels (ceiling)": ceiling.score(X_test, y_test),
}
for name, accuracy in accuracies.items():
    print(f"{name:<44} test accuracy {accuracy:.3f}")

fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
labels = [name.replace(" (", "\n(") for name in accuracies]
bars = ax.barh(labels, list(accuracies.values()), color="C0")
bars[-1].set_color("gray")
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.invert_yaxis()
ax.set(xlim=(0, 1.1), xlabel="accuracy on the clean test labels")
ax.set_title("Logistic regression trained with 30 % pair noise")
plt.show()
