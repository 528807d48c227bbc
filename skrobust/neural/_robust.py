"""RobustNeuralNetClassifier: a network trained with a noise-robust loss."""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from skorch.utils import to_tensor

from ..losses import BackwardCorrectedLoss, available_losses
from ..utils import check_labels, check_transition_matrix
from ._base import _forward_parameters, _init_parameters, _NeuralNetBase
from ._callbacks import EstimateTransitionMatrix
from ._data import INDEX
from ._modules import MLP


class RobustNeuralNetClassifier(_NeuralNetBase):
    """A neural network classifier trained with a loss robust to label noise.

    A skorch :class:`~skorch.classifier.NeuralNetClassifier` whose ``criterion``
    is a loss of :mod:`skrobust.losses`, named (``"gce"``, ``"sce"``,
    ``"ldr_kl"``, ``"aldr_kl"``, ``"elr"``, ``"forward"``, ...; see
    :func:`~skrobust.losses.available_losses`) or given as a class, with its
    hyperparameters as ``criterion__q`` and so on. The default module is an
    :class:`MLP` sized from the data at fit time (``module__hidden_units``).
    What the loss needs from the data is supplied at fit time without touching
    the parameters: the number of rows and classes for ELR and ALDR-KL, whose
    per-sample state is indexed by each row's position, carried through the
    batches with the row; the transition matrix for ``"forward"`` and
    ``"backward"``, given or estimated after a warm-up
    (:class:`EstimateTransitionMatrix`).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLP
        The network. A class is built at fit time with ``module__*`` parameters;
        ``n_features`` and ``n_outputs`` are filled from the data when it takes
        them and they are not given.
    criterion : str or torch.nn.Module class, default="gce"
        A name from :func:`~skrobust.losses.available_losses`, except the PU and
        LLP losses (``"nnpu"``, ``"upu"``, ``"pu_mlc"``, ``"dllp"``), which the
        PU and LLP networks train with, or a loss class whose
        ``forward(logits, target, weight=None)`` returns the batch loss. An
        instance with per-row state (ELR, ALDR-KL) must be sized for the data.
    optimizer : torch.optim.Optimizer class, default=torch.optim.Adam
        The optimizer; its parameters as ``optimizer__*``.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=30
        Passes over the training data.
    batch_size : int, default=128
        Rows per batch (-1 for the whole data).
    transition_matrix : array-like of shape (n_classes, n_classes), default=None
        T[i, j] = P(noisy = j | true = i), rows in ``classes_`` order, for the
        ``"forward"`` and ``"backward"`` losses; ``None`` estimates it after
        ``warm_up_epochs``. Ignored by the other losses.
    warm_up_epochs : int, default=5
        Uncorrected epochs before T is estimated (forward/backward without a
        given T only).
    classes : array-like of shape (n_classes,), default=None
        The classes; ``None`` takes the sorted unique values of ``y``. Give them
        when a class may be missing from ``y``.
    train_split : callable or None, default=None
        skorch's validation split (e.g. ``skorch.dataset.ValidSplit(5)``); none by
        default, so every row trains.
    callbacks : list of (name, callback) or None, default=None
        Extra skorch callbacks (early stopping, schedulers, checkpoints).
    predict_nonlinearity : callable, None or "auto", default="auto"
        Applied to the logits in ``predict_proba``; ``"auto"`` is the softmax.
    warm_start : bool, default=False
        Keep training the fitted network on the next ``fit``.
    verbose : int, default=0
        0 is silent; above 0 a progress bar and a table of epochs.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the batch order. torch's global generator
        is forked for the fit, so the caller's random state is left as it was.
    **kwargs
        Other skorch parameters: ``module__*``, ``criterion__*``,
        ``optimizer__*``, ``iterator_train__*``, ``callbacks__*``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` had string column names.
    transition_matrix_ : ndarray of shape (n_classes, n_classes)
        The T used by the forward/backward losses (given or estimated); only set
        for those losses.
    module_, criterion_, optimizer_, history_ : skorch's fitted components.

    See Also
    --------
    skrobust.losses.available_losses : The loss names.
    skrobust.noise.TransitionCorrectedClassifier : Correction around any
        scikit-learn classifier.
    PUNeuralNetClassifier, LLPNeuralNetClassifier : The PU and LLP networks.

    Notes
    -----
    Batches are sliced from tensors made once at fit time (one ``index_select``
    per batch), which is close to a hand-written torch loop; giving any
    ``iterator_train__*`` argument besides ``batch_size``, ``shuffle`` and
    ``drop_last`` (or another ``iterator_train``) switches to skorch's
    ``DataLoader`` path. ``sample_weight`` multiplies each row's loss. ``y`` is
    encoded to int64 codes in ``classes_`` order and ``X`` cast to float32.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018, arXiv:1805.07836.
    .. [2] S. Liu, J. Niles-Weed, N. Razavian, C. Fernandez-Granda,
       "Early-Learning Regularization Prevents Memorization of Noisy Labels",
       NeurIPS 2020, arXiv:2007.00151.
    .. [3] D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for
       Multi-class Classification: Consistency, Robustness and Adaptivity",
       ICML 2023, arXiv:2112.14869.
    .. [4] G. Patrini, A. Rozza, A. K. Menon, R. Nock, L. Qu, "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach", CVPR 2017,
       arXiv:1609.03683.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skrobust.datasets import make_noisy_labels, make_transition_matrix
    >>> from skrobust.neural import RobustNeuralNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> T = make_transition_matrix(10, 0.4)
    >>> y_noisy, _ = make_noisy_labels(y_train, T, random_state=0)
    >>> net = RobustNeuralNetClassifier(criterion="gce", lr=3e-3, random_state=0)
    >>> net = net.fit(X_train, y_noisy)
    >>> print(f"clean test accuracy: {net.score(X_test, y_test):.2f}")
    clean test accuracy: 0.9...
    """

    _CRITERIA = tuple(
        name
        for name in available_losses()
        if name not in ("upu", "nnpu", "pu_mlc", "dllp")
    )

    _parameter_constraints: dict = {
        "transition_matrix": ["array-like", None],
        "warm_up_epochs": [Interval(Integral, 0, None, closed="left")],
        "classes": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        module=MLP,
        *,
        criterion="gce",
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=30,
        batch_size=128,
        transition_matrix=None,
        warm_up_epochs=5,
        classes=None,
        train_split=None,
        callbacks=None,
        predict_nonlinearity="auto",
        warm_start=False,
        verbose=0,
        device="cpu",
        random_state=None,
        **kwargs,
    ):
        self._init_net(
            module,
            criterion,
            random_state,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            predict_nonlinearity=predict_nonlinearity,
            warm_start=warm_start,
            verbose=verbose,
            device=device,
            **kwargs,
        )
        self.transition_matrix = transition_matrix
        self.warm_up_epochs = warm_up_epochs
        self.classes = classes

    def _n_outputs(self):
        return len(self.classes_)

    def _estimates_transition(self):
        takes_matrix = "transition_matrix" in _init_parameters(self._criterion_class())
        return (
            takes_matrix
            and self.transition_matrix is None
            and "criterion__transition_matrix" not in self.__dict__
            and not isinstance(self.criterion, torch.nn.Module)
        )

    @property
    def _default_callbacks(self):
        callbacks = super()._default_callbacks
        if self._estimates_transition():
            callbacks.append(
                (
                    "transition_matrix",
                    EstimateTransitionMatrix(warm_up_epochs=self.warm_up_epochs),
                )
            )
        return callbacks

    def _check_invertible_estimate(self, codes, classes):
        """The backward correction inverts the T it estimates from y; a class
        that y never holds leaves T a zero column, found only after the warm-up."""
        if not self._estimates_transition() or not issubclass(
            self._criterion_class(), BackwardCorrectedLoss
        ):
            return
        absent = np.flatnonzero(np.bincount(codes, minlength=len(classes)) == 0)
        if absent.size:
            missing = np.asarray(classes)[absent[0]].tolist()
            raise ValueError(
                f"criterion={self.criterion!r} estimates T from y and inverts it, "
                f"but y holds no row of class {missing!r}, so T's column for it "
                "would be zero and T singular; pass transition_matrix=, or use the "
                "forward correction."
            )

    def _check_state_sizes(self, n_rows):
        """Per-row state sized by the user (a criterion *instance*, or
        ``criterion__n_samples`` / ``criterion__n_classes`` with a class), not
        from the data: check its sizes before training indexes past them."""
        expected = {"n_samples": n_rows, "n_classes": len(self.classes_inferred_)}
        instance = isinstance(self.criterion, torch.nn.Module)
        params = {} if instance else self.get_params_for("criterion")
        for name, value in expected.items():
            given = (
                getattr(self.criterion, name, None) if instance else params.get(name)
            )
            if given is None or given == value:
                continue
            if instance:
                cls = type(self.criterion).__name__
                raise ValueError(
                    f"criterion={cls}({name}={given}) keeps a state per row and "
                    f"class, but the data has {name}={value}; pass the class "
                    f"(criterion={cls}) to size it from the data, or build it "
                    f"with {name}={value}."
                )
            raise ValueError(
                f"criterion__{name}={given} sizes the criterion's per-row state, "
                f"but the data has {name}={value}; leave criterion__{name} out "
                "to size it from the data."
            )

    def _criterion_data_kwargs(self):
        if not hasattr(self, "n_samples_fit_"):
            return {}
        n_classes = len(self.classes_)
        kwargs = {"n_samples": int(self.n_samples_fit_), "n_classes": n_classes}
        if hasattr(self, "transition_matrix_"):
            # The given matrix, or the estimate once EstimateTransitionMatrix has
            # made it (so a criterion rebuilt by set_params keeps it).
            kwargs["transition_matrix"] = self.transition_matrix_
        else:
            # The warm-up trains with the identity (plain cross-entropy) until
            # EstimateTransitionMatrix swaps in the estimate.
            kwargs["transition_matrix"] = np.eye(n_classes)
        return kwargs

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        return self.criterion_(y_pred, y_true, **self._criterion_call_kwargs(X))

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features, cast to float32.
        y : array-like of shape (n_samples,)
            Given (possibly noisy) labels, in ``classes`` when given.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights; each batch's loss weighs its rows by them.
        **fit_params : dict
            Not supported; an unexpected parameter gets a clear error rather than
            reaching the module.

        Returns
        -------
        self : RobustNeuralNetClassifier
            The fitted estimator.
        """
        self._check_fit_params(fit_params)
        first = self._first_fit(False)
        packed, codes = self._prepare(X, y, sample_weight, first)
        if first:
            # Not in partial_fit: a later batch may bring the class.
            self._check_invertible_estimate(codes, self.classes_)
        return self._fit_packed(packed, codes)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train ``max_epochs`` more epochs on ``(X, y)``, keeping the network.

        The first call sets the classes (give ``classes`` when a batch of data
        may miss some); later calls must use the same features and classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            Labels from ``classes_``.
        classes : array-like of shape (n_classes,), default=None
            The classes, on the first call (else the ``classes`` parameter or the
            labels of ``y``); ignored later.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights.

        Returns
        -------
        self : RobustNeuralNetClassifier
            The estimator.
        """
        self._check_fit_params({})
        packed, codes = self._prepare(
            X, y, sample_weight, self._first_fit(True), classes=classes
        )
        return self._fit_packed(packed, codes, partial=True)

    def _prepare(self, X, y, sample_weight, first, classes=None):
        X, y = self._validate_X_y(X, y, reset=first)
        check_classification_targets(y)
        if first:
            given = self.classes if classes is None else classes
            codes, classes = check_labels(y, given)
            if len(classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; y holds one "
                    f"class ({np.asarray(classes)[0].tolist()!r})."
                )
            self.classes_inferred_ = classes
            self.n_samples_fit_ = X.shape[0]
            if self.transition_matrix is not None:
                self.transition_matrix_ = check_transition_matrix(
                    self.transition_matrix, n_classes=len(classes)
                )
            elif hasattr(self, "transition_matrix_"):
                # An estimate from an earlier fit must not seed this one's
                # criterion; EstimateTransitionMatrix sets it again.
                del self.transition_matrix_
        else:
            codes, _ = check_labels(y, self.classes_)
        criterion = self._criterion_class()
        if sample_weight is not None and "weight" not in _forward_parameters(criterion):
            raise ValueError(
                "sample_weight needs a criterion whose forward takes weight=; "
                f"{criterion.__name__}.forward does not."
            )
        extras = {}
        if INDEX in _forward_parameters(criterion):
            if X.shape[0] != self.n_samples_fit_:
                raise ValueError(
                    f"{criterion.__name__} keeps a state per training row, so "
                    f"training must continue on the same {self.n_samples_fit_} rows; "
                    f"got {X.shape[0]}."
                )
            self._check_state_sizes(X.shape[0])
            extras[INDEX] = np.arange(X.shape[0], dtype=np.int64)
        return self._pack(X, sample_weight, **extras), codes.astype(np.int64)
