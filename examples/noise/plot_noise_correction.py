"""
===============================
Training on noisy labels
===============================

How do we train a classifier that predicts the clean class when 40 % of its
training labels are wrong, and how do we tune it without a single clean label?
On the digits with pair and with symmetric noise, we compare the four ways of
:mod:`skrobust.noise` (pruning the label issues, relabelling them round after
round, reweighting every row, correcting the predicted probabilities) with a
model trained on the noisy labels,
then select a class weight on an asymmetrically noisy binary problem with
:func:`~skrobust.metrics.make_noise_corrected_scorer` and with plain accuracy.
Relabelling is the best under both kinds of noise, correction helps only under
pair noise, and the corrected scorer picks the class weight that plain
accuracy gets wrong.
"""

# %%
# Noisy digits
# ------------
# We hold out a clean test set and corrupt only the training labels, in two
# ways at the same rate of 40 %. Pair noise moves each digit's label to the next
# digit (2 becomes 3, 9 becomes 0): structured, and close to the limit where the
# true class can still be told from the noise (60 % against 40 %). Symmetric
# noise moves a label to any of the nine other digits, uniformly. We draw each
# kind of noise five times and average the results, so that a difference
# between two methods is not one draw's luck.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrobust.datasets import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X = X / 16
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
noise = {
    "40 % pair noise": make_transition_matrix(10, 0.4, kind="pair"),
    "40 % symmetric noise": make_transition_matrix(10, 0.4, kind="symmetric"),
}
seeds = range(5)

# %%
# Six ways to train
# -----------------
# The base estimator is a logistic regression throughout. We compare:
#
# - the naive baseline, the base fitted on the noisy labels;
# - :class:`~skrobust.noise.ConfidentLearningClassifier`, which drops the rows
#   it flags as label issues, reweights the classes and refits the base;
# - :class:`~skrobust.noise.IterativeRelabelingClassifier`, which starts from
#   the same flags, then repeats a round: cross-fit the base on the rows believed
#   clean, give every row its most likely true class given its features and its
#   given label, re-estimate :math:`T`; it refits the base on every row,
#   relabelled;
# - :class:`~skrobust.noise.ImportanceReweightingClassifier`, which keeps every
#   row, weights it by the ratio of its clean to its noisy posterior of the given
#   label (Liu and Tao, 2016) and refits the base;
# - :class:`~skrobust.noise.TransitionCorrectedClassifier`, which fits the base
#   once on the noisy labels and corrects its predicted probabilities through the
#   transition matrix :math:`T`, estimated from the noisy labels;
# - the same with the true :math:`T` of the simulation, which a real problem
#   does not give us: it shows what is lost by estimating :math:`T`.
#
# Each skrobust estimator needs out-of-sample probabilities of the noisy labels
# (to flag issues, to estimate :math:`T`, to compute the weights), and by default
# cross-fits its base to get them. We compute them once per noise draw with
# :func:`~skrobust.utils.cross_val_predict_proba` and pass them to every estimator
# as ``pred_proba=``: one cross-fitting instead of five, and all five estimators
# start from the very same probabilities, so they differ only in what they do
# with them (relabelling then cross-fits once per round on the labels it
# cleaned). The base fitted on the clean labels is the ceiling.
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skrobust.noise import (
    ConfidentLearningClassifier,
    ImportanceReweightingClassifier,
    IterativeRelabelingClassifier,
    TransitionCorrectedClassifier,
)
from skrobust.utils import cross_val_predict_proba

base = LogisticRegression(max_iter=1000)
ceiling = clone(base).fit(X_train, y_train).score(X_test, y_test)
scores = {}
for setting, T in noise.items():
    robust = {
        "pruning": ConfidentLearningClassifier(base),
        "relabelling": IterativeRelabelingClassifier(base, random_state=0),
        "reweighting": ImportanceReweightingClassifier(base),
        "correction, estimated T": TransitionCorrectedClassifier(base),
        "correction, true T": TransitionCorrectedClassifier(base, transition_matrix=T),
    }
    draws = {"noisy labels": [], **{method: [] for method in robust}}
    for seed in seeds:
        y_noisy, _ = make_noisy_labels(y_train, T, random_state=seed)
        naive = clone(base).fit(X_train, y_noisy)
        draws["noisy labels"].append(naive.score(X_test, y_test))
        pred_proba = cross_val_predict_proba(base, X_train, y_noisy, random_state=seed)
        for method, estimator in robust.items():
            estimator.fit(X_train, y_noisy, pred_proba=pred_proba)
            draws[method].append(estimator.score(X_test, y_test))
    scores[setting] = {method: np.array(accuracy) for method, accuracy in draws.items()}
methods = list(draws)

print(f"clean-test accuracy, mean ± std over {len(seeds)} noise draws")
print(f"{'':<25}" + "".join(f"{setting:>24}" for setting in noise))
for method in methods:
    print(
        f"{method:<25}"
        + "".join(
            f"{scores[setting][method].mean():>17.3f} ± "
            f"{scores[setting][method].std():.3f}"
            for setting in noise
        )
    )
print(f"{'clean labels (ceiling)':<25}{ceiling:>17.3f}")

# %%
# The bars are the mean clean-test accuracy over the five noise draws, the
# black ticks one standard deviation either side; the dashed line is the model
# trained on the clean labels.
import matplotlib.pyplot as plt

colors = {
    "noisy labels": "lightgray",
    "pruning": "C0",
    "relabelling": "C3",
    "reweighting": "C1",
    "correction, estimated T": "C2",
    "correction, true T": "C2",
}
fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
width = 0.135
positions = np.arange(len(noise))
for i, method in enumerate(methods):
    means = np.array([scores[setting][method].mean() for setting in noise])
    stds = np.array([scores[setting][method].std() for setting in noise])
    offsets = positions + (i - (len(methods) - 1) / 2) * width
    ax.bar(
        offsets,
        means,
        width,
        yerr=stds,
        capsize=3,
        label=method,
        color=colors[method],
        edgecolor="dimgray",
        # The true T is an oracle a real problem lacks: hatch it.
        hatch="//" if method.endswith("true T") else None,
    )
    for x, mean, std in zip(offsets, means, stds, strict=True):
        ax.text(x, mean + std + 0.005, f"{mean:.2f}", ha="center", fontsize=8)
ax.axhline(ceiling, color="black", ls="--", lw=1)
ax.text(
    positions[-1] + 0.48,
    ceiling + 0.005,
    f"clean labels {ceiling:.2f}",
    ha="right",
    fontsize=9,
)
ax.set(
    xticks=positions,
    xticklabels=list(noise),
    xlim=(-0.5, len(noise) - 0.5),
    ylim=(0.5, 1.0),
    ylabel="accuracy on clean test labels",
    title="Logistic regression on digits with 40 % noisy training labels",
)
fig.legend(loc="outside lower center", ncols=len(methods), fontsize=9)

# %%
# Under **pair noise** the naive model learns the noise: for each digit, 40 % of
# its training rows say it is the next digit, and the model often believes them.
# Every method does better. Relabelling does best, closing most of the gap to the
# clean-label model: each round's probabilities come from models trained on the
# labels the previous round cleaned, so it finds the flips better round after
# round, and it gives the flagged rows their likely true digit instead of dropping
# them. Reweighting comes next: it keeps every row and only discounts those whose
# label the noise probably produced. Pruning throws those rows away, and with them
# much of the evidence about the classes. Correction with the true :math:`T` is
# close to reweighting, but with the estimated :math:`T` it falls behind: it puts
# :math:`T` into every prediction, and at 40 % pair noise the noise is hard to
# tell from the truth.
#
# Under **symmetric noise** the naive model is already fairly good, and
# correction with the true :math:`T` changes no prediction at all (with the
# estimated :math:`T`, which is not exactly symmetric, next to none): symmetric
# noise shrinks every class's probability towards the uniform,
# :math:`\tilde p = a\,p + b` with :math:`a > 0`, which keeps the order of the
# classes, so undoing it cannot change the predicted class (it does improve the
# probabilities). Pruning and reweighting refit the base and gain a few points;
# relabelling gains the most again.
#
# In short: relabelling when the base is cheap enough to cross-fit once per round
# (``max_iter`` rounds, 4 by default); reweighting at the cost of a single refit
# when the base's ``fit`` takes ``sample_weight``; correction for a base that
# cannot be refitted (a :class:`~sklearn.frozen.FrozenEstimator`) or takes no
# weights, under structured noise; pruning when :math:`T` is poorly estimated (few
# rows per class), since it uses :math:`T` only to decide which rows to drop.

# %%
# Model selection without clean labels
# ------------------------------------
# Tuning a hyperparameter needs a validation score, and on noisy data the
# validation labels are noisy too. We take a binary problem where 40 % of the 0s
# are labelled 1 and 10 % of the 1s are labelled 0. A model fitted on these
# labels predicts 1 too often, and weighting class 0 more (``class_weight``)
# undoes that. Which weight do we pick?
#
# Plain accuracy on the noisy validation folds measures agreement with the
# noisy labels, and the noise has added 1s: it rewards the models that predict
# too many 1s. :func:`~skrobust.metrics.make_noise_corrected_scorer` scores each
# fold with the backward correction of Patrini et al. (2017), an unbiased
# estimate of the accuracy on the clean labels. It needs :math:`T`, which we
# estimate from out-of-sample probabilities of the noisy training labels with
# :func:`~skrobust.noise.estimate_transition_matrix`.
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skrobust.metrics import make_noise_corrected_scorer
from skrobust.noise import estimate_transition_matrix

X, y = make_classification(
    n_samples=2000, n_features=20, n_informative=5, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)
T = np.array([[0.6, 0.4], [0.1, 0.9]])
y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
pred_proba = cross_val_predict_proba(
    LogisticRegression(), X_train, y_noisy, random_state=0
)
T_hat = estimate_transition_matrix(y_noisy, pred_proba, method="em")
print(f"true T {T.tolist()}, estimated T {T_hat.round(2).tolist()}")

weights = [0.5, 0.75, 1, 1.5, 2, 3, 4]
search = GridSearchCV(
    LogisticRegression(),
    {"class_weight": [{0: weight, 1: 1} for weight in weights]},
    scoring={
        "accuracy": "accuracy",
        "corrected": make_noise_corrected_scorer(T_hat),
    },
    refit=False,
).fit(X_train, y_noisy)
clean_test = [
    LogisticRegression(class_weight={0: weight, 1: 1})
    .fit(X_train, y_noisy)
    .score(X_test, y_test)
    for weight in weights
]
plain = search.cv_results_["mean_test_accuracy"]
corrected = search.cv_results_["mean_test_corrected"]
columns = ["weight of class 0", "plain accuracy", "corrected", "clean test"]
print("".join(f"{column:>18}" for column in columns))
for weight, *row in zip(weights, plain, corrected, clean_test, strict=True):
    print(f"{weight:>18}" + "".join(f"{value:>18.3f}" for value in row))
for name, curve in [("plain accuracy", plain), ("corrected scorer", corrected)]:
    chosen = int(np.argmax(curve))
    print(
        f"{name:<16} selects weight {weights[chosen]}: "
        f"clean-test accuracy {clean_test[chosen]:.3f}"
    )

# %%
# Along the grid, the corrected cross-validation score follows the accuracy on
# the clean test labels; plain accuracy on the noisy folds peaks at a smaller
# weight for class 0, the model that best reproduces the noise.
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for curve, label, style in [
    (plain, "plain accuracy, noisy folds", "o--"),
    (corrected, "corrected scorer, noisy folds", "s-"),
]:
    ax.plot(weights, curve, style, label=label)
    ax.plot(weights[np.argmax(curve)], curve.max(), "k*", ms=14)
ax.plot(weights, clean_test, "^:", color="black", label="accuracy on clean test labels")
ax.set(
    xscale="log",
    xticks=weights,
    xticklabels=[str(weight) for weight in weights],
    xlabel="weight of class 0 (class_weight={0: w, 1: 1})",
    ylabel="accuracy",
    title="Selecting class_weight on noisy labels (stars: the selections)",
)
# A class weight multiplies the odds at which the model switches class: a log
# axis, without its minor tick labels.
ax.minorticks_off()
ax.legend(loc="lower center")

# %%
# The scorer removes the bias of the *score*, not of the *models*: it picks the
# best of the candidates, all trained on noisy labels, and the estimators above
# can be tuned with it the same way. Its estimates are unbiased but not bounded:
# on small folds they may leave [0, 1], so use them to compare models, not to
# report a number. Under symmetric noise plain accuracy would pick the same
# model, since its expectation is then an increasing function of the clean
# accuracy; it is asymmetric noise that misleads it.
plt.show()
