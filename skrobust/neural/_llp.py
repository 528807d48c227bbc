"""LLPNeuralNetClassifier: DLLP, a network trained from bag proportions."""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils.multiclass import check_classification_targets
from skorch.utils import to_tensor
from torch.utils.data import DataLoader, Sampler

from ..llp._assign import _bag_counts, _counts_fix_labels
from ..llp._base import _check_same_rows, _ScoresInstanceLabels
from ..llp._mixture import _start_labels
from ..utils import check_bags, check_labels, check_proportions
from ..utils._sklearn_compat import Interval, StrOptions
from ._base import _NeuralNetBase
from ._data import (
    BAGS,
    FEATURES,
    SAMPLE_WEIGHT,
    BagBatchIterator,
    bag_batches,
    tensor_rows,
)
from ._modules import MLP


class _BagBatchSampler(Sampler):
    """Row indices of whole-bag batches, for skorch's DataLoader path."""

    def __init__(self, bag_codes, rows, batch_size, shuffle):
        self.bag_codes = bag_codes
        self.rows = rows
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __iter__(self):
        for rows in bag_batches(
            self.bag_codes, self.rows, self.batch_size, self.shuffle
        ):
            yield rows.tolist()

    def __len__(self):
        return len(bag_batches(self.bag_codes, self.rows, self.batch_size, False))


class LLPNeuralNetClassifier(_ScoresInstanceLabels, _NeuralNetBase):
    r"""A neural network trained from bag label proportions (DLLP).

    Only each bag's class proportions are known. The network is trained with
    the DLLP proportion loss (:class:`~skrobust.losses.ProportionLoss`): the
    cross-entropy between a bag's given proportions and the mean of its rows'
    predicted probabilities. Every mini-batch holds whole bags (several bags up
    to about ``batch_size`` rows, a bag never split), so each bag's mean is taken
    over all of its rows. ``predict`` labels single instances.

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLP
        The network; a class is built at fit time with ``module__*`` parameters
        (``n_features`` and ``n_outputs`` filled in).
    criterion : str or torch.nn.Module class, default="dllp"
        ``"dllp"`` or a loss class with ``forward(logits, bags, proportions,
        weight=None)``; ``criterion__bag_weighting="size"`` weighs bags by size.
    classes : array-like of shape (n_classes,), default=None
        The classes that the proportion columns refer to. ``None`` means
        ``[0, 1]`` for 1-D proportions, ``range(n_classes)`` for 2-D ones, and the
        sorted unique labels when ``bags`` is None.
    init : {"proportions", "clusters", "mixture"}, default="proportions"
        How :meth:`fit` starts: from the network's random weights, or from
        ``init_epochs`` epochs of ordinary training on labels drawn, under the
        bag counts, from class shares solved for k-means clusters of the
        features (:func:`~skrobust.llp.cluster_label_shares`, as
        ``ProportionEMClassifier(init="clusters")`` does) or from the shares of
        a Gaussian mixture weighted by the bags, started from those
        (:func:`~skrobust.llp.mixture_label_shares`; at most 2000 features),
        before the
        ``max_epochs`` epochs on the proportions. It helps with large bags,
        whose proportions all lie near the prior (see Notes). Ignored by
        :meth:`partial_fit`, by warm starts after the first fit, and without
        ``bags``. The two parts are two training runs for skorch, so callbacks
        see ``on_train_begin`` and ``on_train_end`` twice.
    init_epochs : int, default=5
        Epochs on the starting labels with ``init="clusters"`` or
        ``"mixture"``. A few epochs set
        the direction; more fit the cluster labels' errors too.
    optimizer : torch.optim.Optimizer class, default=torch.optim.Adam
        The optimizer.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=50
        Passes over the data.
    batch_size : int, default=128
        Target rows per batch; batches are whole bags, so a batch may hold a bag
        more than this, and a larger bag is a batch alone.
    train_split, callbacks, predict_nonlinearity, warm_start, verbose, device
        As in :class:`RobustNeuralNetClassifier`. skorch's ``ValidSplit`` holds
        out rows, not bags, and a partial bag's proportions are wrong, so keep
        ``train_split=None`` and validate with bag-level model selection.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the bag order, with torch's global
        generator forked for the fit.
    **kwargs
        Other skorch parameters (``module__*``, ``criterion__*``, ...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_bags_ : int
        Number of bags seen in fit.
    n_features_in_ : int
        Number of features seen in fit.
    module_, criterion_, optimizer_, history_ : skorch's fitted components.

    See Also
    --------
    skrobust.losses.ProportionLoss : The loss.
    skrobust.datasets.make_bags : Random bags for simulation.

    Notes
    -----
    With ``bags=None`` every row is its own bag and ``y`` holds ordinary labels;
    the proportion loss of a bag of one is the cross-entropy, so the fit is
    ordinary supervised training. Bags are encoded once at fit time and carried
    through the batches with their rows.

    ``init="clusters"`` trains the first ``init_epochs`` epochs on the cluster
    labels as bags of one, then ``max_epochs`` on the bags; ``history_`` holds
    both, in that order, and ``sample_weight`` weighs only the second part (a
    row's weight cancels in the mean of a bag of one). On development seeds 100
    to 102 (bags of 128 on digits, even against odd) it raised test accuracy
    from 0.684 to 0.828; with bags of 32 on the 20k-row synthetic set (seeds 100
    and 101), from 0.940 to 0.946.

    References
    ----------
    .. [1] E. M. Ardehaly, A. Culotta, "Co-training for Demographic Classification
       Using Deep Learning from Label Proportions", ICDM Workshops 2017,
       arXiv:1709.04108.
    .. [2] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import bag_proportions, make_bags
    >>> from skrobust.neural import LLPNeuralNetClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> bags = make_bags(len(y), bag_size=8, random_state=0)
    >>> proportions = bag_proportions(y, bags)
    >>> net = LLPNeuralNetClassifier(lr=3e-3, random_state=0)
    >>> net = net.fit(X, proportions, bags=bags)
    >>> print(f"instance accuracy: {net.score(X, y):.2f}")
    instance accuracy: 0.9...
    """

    __metadata_request__fit = {"bags": True}

    _CRITERIA = ("dllp",)

    _parameter_constraints: dict = {
        "classes": ["array-like", None],
        "init": [StrOptions({"proportions", "clusters", "mixture"})],
        "init_epochs": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        module=MLP,
        *,
        criterion="dllp",
        classes=None,
        init="proportions",
        init_epochs=5,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=50,
        batch_size=128,
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
        self.classes = classes
        self.init = init
        self.init_epochs = init_epochs

    def _n_outputs(self):
        return len(self.classes_)

    def _criterion_data_kwargs(self):
        # Every row its own bag: a row's weight cancels in its bag's mean, so it
        # has to weight the bag instead (weighted sizes), as in weighted
        # supervised training. Without weights "size" and "uniform" coincide.
        if getattr(self, "_rows_are_bags", False):
            return {"bag_weighting": "size"}
        return {}

    def _slicing_iterator(self, dataset, rows, batch_size, shuffle, kwargs):
        if BAGS in dataset.X:
            return BagBatchIterator(dataset, rows, batch_size, shuffle)
        return super()._slicing_iterator(dataset, rows, batch_size, shuffle, kwargs)

    def get_iterator(self, dataset, training=False):
        base, rows = tensor_rows(dataset)
        prefix = "iterator_train" if training else "iterator_valid"
        kwargs = self.get_params_for(prefix)
        if (
            base is not None
            and BAGS in base.X
            and (getattr(self, prefix) is not DataLoader or set(kwargs) - {"shuffle"})
        ):
            # skorch's DataLoader path, still with whole bags per batch.
            batch_size = kwargs.pop("batch_size", self.batch_size)
            if batch_size == -1:
                batch_size = len(dataset)
            shuffle = kwargs.pop("shuffle", training)
            kwargs.pop("drop_last", None)
            if rows is None:
                rows = torch.arange(len(base))
            sampler = _BagBatchSampler(
                base.X[BAGS].cpu(), rows.cpu(), batch_size, shuffle
            )
            return getattr(self, prefix)(base, batch_sampler=sampler, **kwargs)
        return super().get_iterator(dataset, training=training)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        proportions = to_tensor(y_true, device=self.device)
        codes = self._batch_extra(X, BAGS)
        # Number the batch's bags 0..m-1; every row of a bag carries the same
        # proportions, so writing them by bag keeps any one copy.
        present, local = torch.unique(codes, return_inverse=True)
        per_bag = proportions.new_zeros(present.shape[0], proportions.shape[1])
        per_bag = per_bag.index_copy(0, local, proportions)
        kwargs = {}
        weight = self._batch_extra(X, SAMPLE_WEIGHT)
        if weight is not None:
            kwargs["weight"] = weight
        return self.criterion_(y_pred, local, per_bag, **kwargs)

    def fit(self, X, y, bags=None, sample_weight=None):
        """Train the network from bag proportions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features, cast to float32.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            With ``bags``: each row's bag proportions, the positive-class
            proportion (binary, 1-D) or a row of class proportions, equal within
            a bag. Without: ordinary labels (each row is its own bag).
        bags : array-like of shape (n_samples,), default=None
            The bag id of each row; ``None`` makes every row its own bag.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights in each bag's mean probability. With ``bags=None``
            (every row its own bag) they weight each row's loss instead, as in
            ordinary weighted training.

        Returns
        -------
        self : LLPNeuralNetClassifier
            The fitted estimator.
        """
        self._check_fit_params({})
        first = self._first_fit(False)
        packed, target = self._prepare(X, y, bags, sample_weight, first)
        labels = None
        if first and self.init != "proportions" and bags is not None:
            labels = self._cluster_labels(packed, target)
        if labels is None:
            return self._fit_packed(packed, target)
        # Bags of one: the proportion loss is the cross-entropy on the labels.
        start = {
            FEATURES: packed[FEATURES],
            BAGS: np.arange(labels.shape[0], dtype=np.int64),
        }
        one_hot = np.eye(target.shape[1], dtype=np.float32)[labels]
        self._fit_packed(start, one_hot, epochs=self.init_epochs)
        return self._fit_packed(packed, target, partial=True)

    def _cluster_labels(self, packed, proportions):
        """Labels from cluster or mixture class shares; None if the bags fix them."""
        bag_codes = packed[BAGS]
        counts = _bag_counts(proportions, bag_codes)
        if _counts_fix_labels(counts, np.bincount(bag_codes)):
            return None
        return _start_labels(
            self.init,
            packed[FEATURES],
            proportions.astype(np.float64),
            bag_codes,
            counts,
            "auto",
            self.random_state,
        )

    def partial_fit(self, X, y, bags=None, classes=None, sample_weight=None):
        """Train ``max_epochs`` more epochs from bag proportions, keeping the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Bag proportions (or labels when ``bags`` is None), as in :meth:`fit`.
        bags : array-like of shape (n_samples,), default=None
            The bag id of each row.
        classes : array-like of shape (n_classes,), default=None
            The classes, on the first call (else the ``classes`` parameter);
            ignored later.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights.

        Returns
        -------
        self : LLPNeuralNetClassifier
            The estimator.
        """
        self._check_fit_params({})
        packed, target = self._prepare(
            X, y, bags, sample_weight, self._first_fit(True), classes=classes
        )
        return self._fit_packed(packed, target, partial=True)

    def _prepare(self, X, y, bags, sample_weight, first, classes=None):
        if not first:
            classes = self.classes_
        elif classes is None:
            classes = self.classes
        rows_are_bags = bags is None
        if first:
            self._rows_are_bags = rows_are_bags
        elif rows_are_bags != getattr(self, "_rows_are_bags", rows_are_bags):
            # A later call on labels after bags (or the reverse) weighs bags the
            # way a fresh fit on its data would (see _criterion_data_kwargs).
            self._rows_are_bags = rows_are_bags
            self.initialize_criterion()
        if bags is None:
            X, y = self._validate_X_y(X, y, reset=first)
            check_classification_targets(y)
            codes, classes = check_labels(y, classes)
            if len(classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; y holds one "
                    f"class ({np.asarray(classes)[0].tolist()!r})."
                )
            proportions = np.eye(len(classes), dtype=np.float32)[codes]
            bag_codes = np.arange(X.shape[0], dtype=np.int64)
        else:
            X = self._validate_X(X, reset=first)
            if first and classes is not None:
                _, classes = check_labels(classes, classes, name="classes")
            n_classes = None if classes is None else len(classes)
            _check_same_rows(X, y)
            proportions = check_proportions(y, bags, n_classes=n_classes)
            bag_codes = check_bags(bags, n_samples=X.shape[0])
            if proportions.ndim == 1:
                proportions = np.column_stack([1.0 - proportions, proportions])
            if classes is None:
                classes = np.arange(proportions.shape[1])
            proportions = proportions.astype(np.float32)
        if first:
            self.classes_inferred_ = np.asarray(classes)
        self.n_bags_ = int(bag_codes.max()) + 1
        packed = self._pack(X, sample_weight, **{BAGS: bag_codes})
        return packed, proportions
