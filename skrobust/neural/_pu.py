"""PUNeuralNetClassifier: nnPU / uPU training of a network on PU labels."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch.utils import to_tensor

from ..losses import NonNegativePULoss, UnbiasedPULoss
from ..pu import ClassPriorEstimator
from ..pu._prior import (
    _check_labelled_weight,
    _default_estimator,
    _labeled_fraction,
)
from ..utils import check_pu_labels
from ..utils._routing import _fit_takes
from ..utils._sklearn_compat import HasMethods, Interval, _routing_enabled
from ..utils._validation import _show, _show_one, equal_mask
from ..utils._warnings import SkrobustWarning, _user_stacklevel
from ._base import _NeuralNetBase
from ._data import FEATURES, SAMPLE_WEIGHT, TensorBatchIterator
from ._modules import MLP

PRIOR_METHODS = ("e1", "e2", "e3", "dedpul", "bbe", "km1", "km2", "tice")

# Batch extra marking labelled rows added to a batch for its positive risk only.
POSITIVE_ONLY = "positive_only"


class _PUBatchIterator(TensorBatchIterator):
    """Stratified training batches, each with at least ``min_labelled`` labelled
    rows in its positive part.

    A batch holding fewer labelled rows gets more, drawn in turn from a
    reshuffled list of the labelled rows of ``rows`` and marked
    ``POSITIVE_ONLY``: they enter :math:`R_p` only, so the unlabelled part
    stays the batch itself, a sample of :math:`p(x)`. Each risk is a mean over
    its own sample, so the extra rows change how many labelled rows estimate
    :math:`R_p` in a step, not what it estimates.
    """

    def __init__(self, dataset, rows, batch_size, shuffle, drop_last, min_labelled):
        super().__init__(
            dataset,
            rows,
            batch_size,
            shuffle,
            drop_last,
            strata=(dataset.y > 0).to(torch.int64),
        )
        self.min_labelled = min_labelled

    def _labelled_rows(self):
        device = self.dataset.y.device
        rows = (
            torch.arange(self.n_rows, device=device)
            if self.rows is None
            else self.rows.to(device)
        )
        return rows[self.dataset.y.index_select(0, rows) > 0]

    def __iter__(self):
        labelled = self._labelled_rows()
        n_labelled = int(labelled.shape[0])
        wanted = min(self.min_labelled, n_labelled)
        queue, used = labelled[:0], 0
        for xi, yi in super().__iter__():
            missing = wanted - int((yi > 0).sum())
            if missing <= 0:
                yield xi, yi
                continue
            extra = []
            while missing > 0:
                if used == queue.shape[0]:
                    # The same generator as the batch order (forked and seeded
                    # from random_state by the estimator).
                    order = torch.randperm(n_labelled).to(labelled.device)
                    queue, used = labelled.index_select(0, order), 0
                take = min(missing, queue.shape[0] - used)
                extra.append(queue[used : used + take])
                used, missing = used + take, missing - take
            xe, ye = self.dataset.take(torch.cat(extra))
            flag = torch.zeros(
                yi.shape[0] + ye.shape[0], dtype=torch.bool, device=yi.device
            )
            flag[yi.shape[0] :] = True
            xi = {key: torch.cat([value, xe[key]]) for key, value in xi.items()}
            xi[POSITIVE_ONLY] = flag
            yield xi, torch.cat([yi, ye])


def _pu_proba(scores):
    """Two columns ``[P(y = 0 | x), P(y = 1 | x)]`` from the network's score."""
    # float64: float32's sigmoid rounds scores below about 3e-8 to exactly 0.5,
    # a tie that predict (the score's sign) would break the other way.
    positive = torch.sigmoid(scores.reshape(-1).double())
    return torch.stack([1.0 - positive, positive], dim=1)


def _one_pass(criterion):
    """The criterion's one-pass objective and risk, for the library's own
    losses only: a subclass may redefine ``forward`` or ``risk``, which the
    one-pass method would then bypass."""
    if type(criterion) in (NonNegativePULoss, UnbiasedPULoss):
        return criterion._objective_and_risk
    return None


class PUNeuralNetClassifier(_NeuralNetBase):
    r"""A neural network trained on positive and unlabelled rows (nnPU or uPU).

    ``y`` holds PU labels (``pos_label`` on labelled positives, one other value on
    unlabelled rows); the network outputs one score :math:`g(x)` and is trained
    with the non-negative (``"nnpu"``, default) or unbiased (``"upu"``) PU risk
    at the class prior, given or estimated by the PU family's
    :class:`~skrobust.pu.ClassPriorEstimator`. ``predict`` returns the true
    class and ``predict_proba`` :math:`\sigma(g(x))` for ``pos_label``.

    The risks are the case-control ones (Kiryo et al.), with the positive sample
    P the labelled rows and the unlabelled sample U *every* row of the batch,
    labelled ones included: under SCAR the rows are a sample of the marginal
    :math:`p(x)`, whose positive share is the class prior :math:`\pi`
    (METHODS.md section 0). So with every positive labelled (:math:`c = 1`) the
    uPU risk is exactly the ordinary sigmoid-loss risk on the true labels.

    nnPU's non-negative rule is applied per batch in ``train_step_single``:
    when the negative-class part of the risk, :math:`r = R_u^- - \pi R_p^-`,
    falls below :math:`-\beta`, the step is a gradient ascent on :math:`r`
    scaled by :math:`\gamma` instead of a descent on the risk
    (:func:`~skrobust.losses.nnpu_loss` builds that objective); the loss
    recorded in ``history_`` is the nnPU risk itself.

    Training batches spread the labelled rows evenly (a stratified shuffle), so
    every batch holds its share of them, about ``batch_size`` times the labelled
    fraction. With plainly shuffled batches and few labelled rows, many batches
    hold none; their steps see only the unlabelled part of the risk and pull
    every score towards the negative class (with 13 labelled positives among
    1347 rows of ``load_digits`` digit 3 against the rest, the F1 on clean test
    labels rose from 0.49 to 0.75 with the true prior, mean of 3 seeds). skorch's
    ``DataLoader`` path (any ``iterator_train__*`` argument other than
    ``batch_size``, ``shuffle`` and ``drop_last``) shuffles plainly,
    and ``iterator_train__shuffle=False`` keeps the rows in order; neither
    stratifies nor tops up (below). Validation batches are never topped up: one
    without a labelled row scores the unlabelled part of the risk alone.

    A share below one row still leaves some batches with none, so each batch's
    positive part is topped up to ``min_labelled_per_batch`` rows. The added rows
    enter :math:`R_p` only: each risk stays the mean over its own sample, and
    the unlabelled sample stays the batch, so the step still estimates the same
    risk. With 7 labelled positives (digit 3 against the rest at c = 0.1,
    development seed 106, true prior) the network without the top-up scored
    every row negative (test F1 0); with it, F1 was 0.78 (mean over seeds 100
    to 107: 0.73 without, 0.82 with 2 rows; 4 rows gave the same there and
    lowered accuracy on breast cancer at c = 0.1, 8 lowered F1 to 0.79).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=MLP
        The network, with one output; a class is built at fit time with
        ``module__*`` parameters (``n_features``, ``n_outputs=1`` filled in).
    criterion : str or torch.nn.Module class, default="nnpu"
        ``"nnpu"``, ``"upu"`` or a loss class taking ``prior`` in its constructor
        and ``forward(scores, s, weight=None)``; ``criterion__loss`` picks the
        margin loss (``"sigmoid"`` or ``"logistic"``), ``criterion__beta`` and
        ``criterion__gamma`` nnPU's constants.
    class_prior : float in (0, 1), default=None
        :math:`\pi = P(y = 1)`; ``None`` estimates it with ``prior_method``.
        Every ``fit``, warm-started ones too, settles the prior on its data;
        ``partial_fit`` settles it on the first call and keeps it.
    prior_method : str or estimator, default="dedpul"
        Estimator of the prior when ``class_prior`` is None, one of "dedpul",
        "bbe", "e1", "e2", "e3", "km1", "km2" and "tice" (see
        :class:`~skrobust.pu.ClassPriorEstimator`), or a prior estimator
        object, such as a :class:`~skrobust.pu.MedianPriorEstimator` or a
        ``ClassPriorEstimator`` over another classifier, cloned and fitted on
        ``X`` and the labelled indicator (1 for labelled rows, 0 otherwise);
        ``cv`` then applies only to the string methods. An estimated prior
        below the labelled fraction is raised to it, as for the string
        methods. ``prior_method__*`` parameters reach the object.
    cv : int, cross-validation generator or iterable, default=5
        Folds of the out-of-sample scores the score-based prior estimators read.
    pos_label : int, float, bool or str, default=1
        The label of labelled positives in ``y``.
    min_labelled_per_batch : int, default=2
        The fewest labelled rows behind each training batch's positive risk
        :math:`R_p`. A batch holding fewer gets more for :math:`R_p` only, taken
        in turn from a reshuffled list of all labelled rows (the unlabelled part
        stays the batch itself); never more than there are labelled rows. 0
        keeps the batches as they come. See Notes.
    optimizer : torch.optim.Optimizer class, default=torch.optim.Adam
        The optimizer.
    lr : float, default=1e-3
        Learning rate.
    max_epochs : int, default=50
        Passes over the data.
    batch_size : int, default=128
        Rows per batch (-1 for the whole data).
    train_split, callbacks, predict_nonlinearity, warm_start, verbose, device
        As in :class:`RobustNeuralNetClassifier`; ``predict_nonlinearity="auto"``
        maps the score to two columns through the sigmoid.
    random_state : int, RandomState instance or None, default=None
        Seeds the prior estimate's folds (of a string ``prior_method``; an
        estimator object keeps its own ``random_state``), the initial weights
        and the batch order, with torch's global generator forked for the
        fit.
    **kwargs
        Other skorch parameters (``module__*``, ``criterion__*``, ...).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two values of ``y``, sorted.
    class_prior_ : float
        The prior used (given or estimated).
    label_frequency_ : float
        :math:`c = P(s = 1 \mid y = 1)`, the labelled fraction over ``class_prior_``.
    positive_share_ : float
        The (weighted) share of ``fit``'s rows the trained network labels
        positive, to hold against ``class_prior_``. ``fit`` warns when it is
        below half the prior, or when the negatives' share is below half of
        :math:`1 - \pi`: the network has drifted towards one class.
        ``partial_fit`` removes it: its batches need not be the population,
        and the network it leaves is not the one measured.
    n_features_in_ : int
        Number of features seen in fit.
    module_, criterion_, optimizer_, history_ : skorch's fitted components.

    See Also
    --------
    skrobust.pu.UnbiasedPUClassifier : The unbiased risk around any classifier.
    skrobust.losses.NonNegativePULoss : The loss.

    References
    ----------
    .. [1] R. Kiryo, G. Niu, M. C. du Plessis, M. Sugiyama, "Positive-Unlabeled
       Learning with Non-Negative Risk Estimator", NeurIPS 2017,
       arXiv:1703.00593.
    .. [2] M. C. du Plessis, G. Niu, M. Sugiyama, "Analysis of Learning from
       Positive and Unlabeled Data", NeurIPS 2014.
    .. [3] D. Ivanov, "DEDPUL: Difference-of-Estimated-Densities-based
       Positive-Unlabeled Learning", ICMLA 2020, arXiv:1902.06965.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.neural import PUNeuralNetClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> s = make_pu_labels(y, 0.5, random_state=0)
    >>> net = PUNeuralNetClassifier(random_state=0).fit(X, s)
    >>> print(f"prior {net.class_prior_:.2f}, accuracy {net.score(X, y):.2f}")
    prior 0.6..., accuracy 0.9...
    """

    _CRITERIA = ("nnpu", "upu")

    _parameter_constraints: dict = {
        "class_prior": [Real, None],
        "prior_method": [str, HasMethods(["fit"])],
        "cv": ["cv_object"],
        "pos_label": [Integral, Real, str, "boolean"],
        "min_labelled_per_batch": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        module=MLP,
        *,
        criterion="nnpu",
        class_prior=None,
        prior_method="dedpul",
        cv=5,
        pos_label=1,
        min_labelled_per_batch=2,
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
        self.class_prior = class_prior
        self.prior_method = prior_method
        self.cv = cv
        self.pos_label = pos_label
        self.min_labelled_per_batch = min_labelled_per_batch

    def _n_outputs(self):
        return 1

    def _criterion_data_kwargs(self):
        if not hasattr(self, "class_prior_"):
            return {}
        return {"prior": float(self.class_prior_)}

    def _default_nonlinearity(self):
        return _pu_proba

    def _slicing_iterator(self, dataset, rows, batch_size, shuffle, kwargs):
        # With few labelled rows, a plainly shuffled batch often holds none, and
        # its step then sees only the unlabelled part of the risk, which pulls
        # every score negative; spreading the labelled rows evenly over the
        # batches gives each step its share of both parts, and topping up the
        # positive part keeps that share from being one or two rows.
        drop_last = kwargs.get("drop_last", False)
        if not shuffle or dataset.y is None:
            return TensorBatchIterator(dataset, rows, batch_size, shuffle, drop_last)
        return _PUBatchIterator(
            dataset,
            rows,
            batch_size,
            shuffle,
            drop_last,
            self.min_labelled_per_batch,
        )

    def _case_control(self, y_pred, y_true, X):
        """The batch in the case-control form the PU losses read: P = the
        labelled rows, U = all rows of the batch but those added for the
        positive part only; with their weights, if any."""
        scores = y_pred.reshape(-1)
        s = to_tensor(y_true, device=self.device).reshape(-1)
        labelled = s > 0
        weight = self._batch_extra(X, SAMPLE_WEIGHT)
        unlabelled = self._batch_rows(X)
        scores = torch.cat([scores[labelled], scores[unlabelled]])
        s = torch.cat([torch.ones_like(s[labelled]), torch.zeros_like(s[unlabelled])])
        kwargs = {}
        if weight is not None:
            kwargs["weight"] = torch.cat([weight[labelled], weight[unlabelled]])
        return scores, s, kwargs

    def get_loss(self, y_pred, y_true, X=None, training=False):
        scores, s, kwargs = self._case_control(y_pred, y_true, X)
        if training or not hasattr(self.criterion_, "risk"):
            return self.criterion_(scores, s, **kwargs)
        return self.criterion_.risk(scores, s, **kwargs)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        # The objective's gradient is nnPU's update (a descent on the risk, or an
        # ascent on its negative part when that part drops below -beta); the
        # value worth recording is the risk, evaluated on the same batch.
        both = _one_pass(self.criterion_)
        if both is not None:
            scores, s, kwargs = self._case_control(y_pred, yi, Xi)
            objective, reported = both(scores, s, **kwargs)
            objective.backward()
            reported = reported.detach()
        else:
            objective = self.get_loss(y_pred, yi, X=Xi, training=True)
            objective.backward()
            with torch.no_grad():
                reported = self.get_loss(y_pred, yi, X=Xi, training=False)
        # Callbacks that cache predictions align them with the dataset's rows.
        return {"loss": reported, "y_pred": y_pred[self._batch_rows(Xi)]}

    def _batch_rows(self, X):
        """The rows of the batch proper: all but those added for R_p only."""
        added = self._batch_extra(X, POSITIVE_ONLY)
        return slice(None) if added is None else ~added

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Estimate the prior if needed, then train the network on PU labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features, cast to float32.
        y : array-like of shape (n_samples,)
            PU labels: ``pos_label`` on labelled positives, one other value on
            unlabelled rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights of the risks, of the labelled fraction and, on the
            first fit when ``class_prior`` is None, of the prior estimate
            (given to the prior estimator's ``fit`` when it takes them).
        **fit_params : dict
            Not supported; an unexpected parameter gets a clear error.

        Returns
        -------
        self : PUNeuralNetClassifier
            The fitted estimator.
        """
        self._check_fit_params(fit_params)
        first = self._first_fit(False)
        # A warm-started fit keeps the network but not the prior: fit's data is
        # the whole training set, so its labels are checked and its prior
        # settled (given or estimated) again, as in a fresh fit.
        packed, s = self._prepare(X, y, sample_weight, first, settle=True)
        if not first:
            self.initialize_criterion()
        self._fit_packed(packed, s)
        self._check_positive_share(packed)
        return self

    def _check_positive_share(self, packed):
        """Set ``positive_share_`` and warn when it strays far from the prior.

        The risk is built around the prior, so a network that labels far fewer
        (or more) rows positive than the prior says has usually not found the
        risk's minimum: with few labelled rows the minibatch steps see two or
        three of them each, and the network can drift towards the negative
        class (digit 3 of ``load_digits`` with 10 labelled rows: 0 % labelled
        positive against a prior of 10 %).
        """
        positive = self._scored_positive(packed[FEATURES])
        share = float(np.average(positive, weights=packed.get(SAMPLE_WEIGHT)))
        self.positive_share_ = share
        prior = self.class_prior_
        if share < prior / 2 or 1 - share < (1 - prior) / 2:
            warnings.warn(
                f"{type(self).__name__} labels {share:.1%} of its training rows "
                f"positive against a class prior of {prior:.1%}: the network has "
                "drifted towards one class. With few labelled rows, training on "
                "all rows at once (batch_size=-1, lr=1e-2, max_epochs=500, "
                "module__dropout=0.5) keeps the share near the prior; check "
                "class_prior_ too.",
                SkrobustWarning,
                stacklevel=_user_stacklevel(),
            )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train ``max_epochs`` more epochs on PU data, keeping the network.

        The first call settles the prior (given or estimated on its data); later
        calls keep it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels.
        classes : array-like of shape (2,), default=None
            Both PU label values, on the first call; ignored later. The first
            batch must hold both values anyway (the prior is settled on it);
            later batches may hold only labelled positives or only unlabelled
            rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights.

        Returns
        -------
        self : PUNeuralNetClassifier
            The estimator.
        """
        self._check_fit_params({})
        packed, s = self._prepare(
            X, y, sample_weight, self._first_fit(True), classes=classes
        )
        # The share measured by an earlier fit no longer describes the network.
        self.__dict__.pop("positive_share_", None)
        return self._fit_packed(packed, s, partial=True)

    def _prepare(self, X, y, sample_weight, first, classes=None, settle=None):
        # first: a fresh start (features and classes set anew); settle: the
        # labels are checked and the prior settled on this data (every fit,
        # the first partial_fit).
        settle = first if settle is None else settle
        if self.class_prior is not None and not 0 < self.class_prior < 1:
            raise ValueError(
                f"class_prior must be in (0, 1); got {self.class_prior!r}."
            )
        named = isinstance(self.prior_method, str)
        if named and self.prior_method not in PRIOR_METHODS:
            raise ValueError(
                f"prior_method must be one of {list(PRIOR_METHODS)}; got "
                f"{self.prior_method!r}."
            )
        X, y = self._validate_X_y(X, y, reset=first)
        check_classification_targets(y)
        values = np.unique(y if classes is None or not first else classes)
        if classes is not None and first:
            seen = np.unique(y)
            outside = seen[~np.isin(seen, values)]
            if outside.size:
                raise ValueError(
                    f"y holds values {_show(outside)} outside classes={_show(values)}."
                )
            if not equal_mask(values, self.pos_label).any():
                raise ValueError(
                    f"pos_label={self.pos_label!r} is not among classes="
                    f"{_show(values)}."
                )
        if values.shape[0] > 2:
            raise ValueError(
                "Only binary classification is supported: PU labels y hold two "
                f"values (pos_label={self.pos_label!r} and one for unlabelled rows); "
                f"got {values.shape[0]}: {_show(values)}."
            )
        if values.shape[0] == 1 and settle:
            raise ValueError(
                f"y holds a single class ({_show_one(values[0])}); PU learning "
                f"needs labelled positives (pos_label={self.pos_label!r}) and "
                "unlabelled rows."
            )
        if settle:
            labelled = check_pu_labels(y, pos_label=self.pos_label)
        else:
            # The prior is settled; a later batch may hold one kind of row only.
            labelled = equal_mask(y, self.pos_label)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float32)
        if settle:
            self.classes_inferred_ = values
            if sample_weight is not None:
                _check_labelled_weight(sample_weight, labelled)
            self._settle_prior(X, labelled, sample_weight)
        elif not np.isin(values, self.classes_).all():
            raise ValueError(
                f"y holds values {_show(values)} outside the classes "
                f"{_show(self.classes_)} of the first fit."
            )
        return self._pack(X, sample_weight), labelled.astype(np.int64)

    def set_params(self, **params):
        """Set parameters; ``prior_method__*`` ones go to a prior estimator object.

        skorch keeps prefixed parameters it does not know as attributes of the
        network, so a search over ``prior_method__method`` (listed by
        ``get_params``) would change nothing; they are set on the object instead.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : PUNeuralNetClassifier
            This estimator.
        """
        prefix = "prior_method__"
        nested = {
            key[len(prefix) :]: value
            for key, value in params.items()
            if key.startswith(prefix)
        }
        rest = {k: v for k, v in params.items() if not k.startswith(prefix)}
        if rest:
            super().set_params(**rest)
        if nested:
            if isinstance(self.prior_method, str) or not hasattr(
                self.prior_method, "set_params"
            ):
                raise ValueError(
                    f"prior_method__* parameters need an estimator object as "
                    f"prior_method; got {self.prior_method!r}."
                )
            self.prior_method.set_params(**nested)
        return self

    def _settle_prior(self, X, labelled, sample_weight):
        fraction = _labeled_fraction(labelled, sample_weight)
        if self.class_prior is None:
            if isinstance(self.prior_method, str):
                base = None
                if sample_weight is not None and _routing_enabled():
                    # The network builds this base, so the network asks for the
                    # weights on its behalf; the user holds no object to ask.
                    base = _default_estimator().set_fit_request(sample_weight=True)
                estimator = ClassPriorEstimator(
                    method=self.prior_method,
                    estimator=base,
                    cv=self.cv,
                    random_state=self.random_state,
                )
            else:
                estimator = clone(self.prior_method)
            # The weights that weigh the risks and the labelled fraction weigh
            # the prior estimate too, so that c = fraction / prior holds one
            # weighting (an estimator whose fit takes no weights goes without).
            weights = {}
            if sample_weight is not None and _fit_takes(estimator, "sample_weight"):
                weights["sample_weight"] = np.asarray(sample_weight, dtype=np.float64)
            fitted = estimator.fit(X, labelled.astype(np.int64), **weights)
            prior = getattr(fitted, "class_prior_", None)
            if not isinstance(prior, Real) or not 0.0 < prior <= 1.0:
                raise ValueError(
                    f"prior_method={type(estimator).__name__} must set a "
                    f"class_prior_ in (0, 1] in fit; got {prior!r}."
                )
        else:
            prior = float(self.class_prior)
            if prior < fraction:
                raise ValueError(
                    f"class_prior={_show_one(prior)} is below the labelled fraction "
                    f"{fraction:.4g} of y: under SCAR every labelled row is "
                    "positive, so the prior is at least that fraction."
                )
        # A prior of 1 leaves no negatives for the risk; keep it just inside (0, 1).
        prior = float(np.clip(max(prior, fraction), 1e-6, 1 - 1e-6))
        own = getattr(self.criterion, "prior", None)
        if isinstance(self.criterion, torch.nn.Module) and own is not None:
            # An instance keeps the prior it was built with; training at one
            # prior while class_prior_ reports another would mislead.
            own = float(own)
            if not np.isclose(own, prior, rtol=0, atol=1e-6):
                raise ValueError(
                    f"criterion={type(self.criterion).__name__}(prior={own:.4g}) "
                    f"trains at its own prior, but the prior settled here is "
                    f"{prior:.4g}; pass the class (criterion="
                    f"{type(self.criterion).__name__}) to train at the settled "
                    f"prior, or class_prior={own:.4g}."
                )
        self.class_prior_ = prior
        self.label_frequency_ = fraction / prior

    def predict_proba(self, X):
        r"""Probabilities of the true classes, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            The column of ``pos_label`` is :math:`\sigma(g(x))` (with the default
            ``predict_nonlinearity``); rows sum to 1.
        """
        proba = super().predict_proba(X)
        if self.predict_nonlinearity == "auto" and self.classes_[0] == self.pos_label:
            proba = proba[:, ::-1].copy()
        return proba

    def predict(self, X):
        """The true class of each row: ``pos_label`` where the score is positive.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        positive = int(np.flatnonzero(equal_mask(self.classes_, self.pos_label))[0])
        return self.classes_[np.where(self._scored_positive(X), positive, 1 - positive)]

    def _scored_positive(self, X):
        """Rows whose raw score is above 0 (sigmoid 0.5), for validated ``X``.

        Thresholding the score does not depend on ``predict_nonlinearity``,
        which may return a single column or none.
        """
        return self.forward(X, training=False).reshape(-1).cpu().numpy() > 0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
