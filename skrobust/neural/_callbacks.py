"""Callbacks of the neural estimators."""

import numpy as np
import torch
from skorch.callbacks import Callback

from ..noise import estimate_transition_matrix


def _probabilities_and_targets(net, dataset):
    """Softmax outputs and targets of every row of ``dataset``, in eval mode."""
    probas, targets = [], []
    with torch.no_grad():
        for Xi, yi in net.get_iterator(dataset, training=False):
            logits = net.evaluation_step((Xi, yi), training=False)
            probas.append(torch.softmax(logits.float(), dim=-1).cpu())
            targets.append(torch.as_tensor(yi).cpu())
    return torch.cat(probas).numpy().astype(np.float64), torch.cat(targets).numpy()


class EstimateTransitionMatrix(Callback):
    """Estimate the noise-transition matrix after a warm-up, then correct with it.

    For the forward and backward corrected losses when no transition matrix is
    given. The network first trains with the identity matrix (plain
    cross-entropy); at the end of epoch ``warm_up_epochs`` it predicts every
    training row (or, with a validation split, every validation row), the noise
    family's :func:`~skrobust.noise.estimate_transition_matrix` reads T off those
    probabilities and the given labels, and the criterion is rebuilt with T for
    the remaining epochs. The estimate is the net's ``transition_matrix_``.

    The warm-up predictions are "out-of-sample-ish": a network a few epochs into
    training on noisy labels has fitted the clean pattern but not yet memorised
    the flipped labels (the early-learning phenomenon), so its probabilities on
    the training rows behave much like cross-fitted ones. Validation rows, when a
    ``train_split`` holds some out, are out of sample outright.

    Parameters
    ----------
    warm_up_epochs : int, default=5
        Epochs of uncorrected training before the estimate, counted over every
        training call (``partial_fit`` calls and warm starts add up); a ``fit``
        that ends sooner estimates T after its last epoch.
    method : {"confident_joint", "anchor", "dual_t", "em"}, default="confident_joint"
        Passed to :func:`~skrobust.noise.estimate_transition_matrix`.

    References
    ----------
    .. [1] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.
    .. [2] S. Liu, J. Niles-Weed, N. Razavian, C. Fernandez-Granda,
       "Early-Learning Regularization Prevents Memorization of Noisy Labels",
       NeurIPS 2020, arXiv:2007.00151.

    Examples
    --------
    >>> from skrobust.neural import EstimateTransitionMatrix
    >>> EstimateTransitionMatrix(warm_up_epochs=3).warm_up_epochs
    3
    """

    def __init__(self, warm_up_epochs=5, method="confident_joint"):
        self.warm_up_epochs = warm_up_epochs
        self.method = method

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        # The last epoch of this call when it is a fit, where a warm-up longer
        # than the fit ends; partial_fit calls count on (None).
        epochs = getattr(net, "_fit_call_epochs", None)
        self.fit_ends_at_ = None if epochs is None else len(net.history) + epochs

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        if getattr(net, "transition_matrix_", None) is not None:
            return
        # Epochs count over every call (history spans partial_fit calls and warm
        # starts), so T is estimated once, when the warm-up ends.
        epoch = len(net.history)
        due = max(1, int(self.warm_up_epochs))
        if epoch < due and epoch != getattr(self, "fit_ends_at_", None):
            return
        dataset = dataset_valid if dataset_valid is not None else dataset_train
        proba, y = _probabilities_and_targets(net, dataset)
        n_classes = proba.shape[1]
        matrix = estimate_transition_matrix(
            y, proba, classes=np.arange(n_classes), method=self.method
        )
        net.transition_matrix_ = matrix
        kwargs = net.get_params_for("criterion")
        kwargs["transition_matrix"] = matrix
        criterion = type(net.criterion_)(**kwargs)
        net.criterion_ = criterion.to(net.device)
