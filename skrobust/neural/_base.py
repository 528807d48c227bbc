"""What the three skorch estimators share: the thin fit, the data path, seeding,
sizing the module from the data, probabilities and labels."""

import inspect
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from skorch import NeuralNet, NeuralNetClassifier
from skorch.callbacks import EpochTimer, PassthroughScoring, PrintLog, ProgressBar
from skorch.utils import to_tensor
from torch.utils.data import DataLoader

from ..losses import available_losses, get_loss
from ..utils._sklearn_compat import validate_data
from ._data import (
    FEATURES,
    INDEX,
    SAMPLE_WEIGHT,
    TensorBatchIterator,
    tensor_rows,
    to_dataset,
)

# DataLoader arguments the tensor-slicing path honours itself; any other
# iterator_train__* / iterator_valid__* argument (num_workers, pin_memory, a
# sampler, ...) asks for skorch's DataLoader path.
_SLICING_ARGS = {"batch_size", "shuffle", "drop_last"}


@lru_cache(maxsize=64)
def _init_parameters(cls):
    """Names of the constructor parameters of a class."""
    try:
        return frozenset(inspect.signature(cls).parameters)
    except (TypeError, ValueError):  # builtins without a signature
        return frozenset()


@lru_cache(maxsize=64)
def _forward_parameters(cls):
    """Names of the parameters of a module class's ``forward``."""
    return frozenset(inspect.signature(cls.forward).parameters)


def _softmax(logits):
    return torch.softmax(logits, dim=-1)


class _NeuralNetBase(NeuralNetClassifier):
    """Shared machinery; subclasses define ``__init__``, ``fit`` and the loss call.

    ``fit`` of a subclass validates its inputs, sets the fitted data attributes
    (``n_features_in_``, ``classes_inferred_`` and the family's own), packs the
    per-row extras into a dict X and calls :meth:`_fit_packed`.
    """

    def _init_net(self, module, criterion, random_state, **kwargs):
        # NeuralNet's __init__, not NeuralNetClassifier's: its `classes` argument
        # belongs only to the estimators whose users name the classes.
        NeuralNet.__init__(self, module, criterion=criterion, **kwargs)
        self.random_state = random_state

    def _get_param_names(self):
        # skorch lists every attribute not ending in "_" as a parameter, so its
        # private bookkeeping set and our fit-time state (_seeds,
        # _fit_call_epochs) leaked into get_params and clone:
        # set_params(**get_params()) could replace the set with any value and
        # break the next prefixed parameter set. No parameter is private, and
        # __init__ rebuilds the set from the prefixed arguments.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    # ------------------------------------------------------------------ callbacks
    @property
    def _default_callbacks(self):
        # skorch's classifier adds a valid_acc scorer that compares predict() with
        # the dataset's y; here y holds encoded labels, PU labels or proportions,
        # so that score would be wrong. The loss is recorded instead.
        callbacks = [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            ("print_log", PrintLog()),
        ]
        if self.verbose:
            callbacks.insert(0, ("progress_bar", ProgressBar()))
        return callbacks

    # ------------------------------------------------------------- initialising
    def _data_sizes(self):
        """Constructor arguments the data decides: ``{"n_features": ...}``."""
        if not hasattr(self, "n_features_in_"):
            return {}
        return {"n_features": int(self.n_features_in_), "n_outputs": self._n_outputs()}

    def _criterion_data_kwargs(self):
        """Criterion arguments the data decides (e.g. ``n_samples``, ``prior``)."""
        return {}

    def _merge_data_kwargs(self, component, kwargs, data_kwargs):
        if isinstance(component, torch.nn.Module):
            return kwargs
        accepted = _init_parameters(component)
        merged = dict(kwargs)
        for name, value in data_kwargs.items():
            if name in accepted and name not in merged:
                merged[name] = value
        return merged

    def initialize_module(self):
        kwargs = self._merge_data_kwargs(
            self.module, self.get_params_for("module"), self._data_sizes()
        )
        self.module_ = self.initialized_instance(self.module, kwargs)
        return self

    # Registry names of the losses this estimator can train with; the registry
    # also holds the other families' losses (PU risks need a prior and PU
    # labels, the proportion loss bags), which would fail only mid-training.
    _CRITERIA = ()

    def _criterion_class(self):
        """The criterion's class, with a name resolved through the registry."""
        criterion = self.criterion
        if isinstance(criterion, torch.nn.Module):
            return type(criterion)
        names = list(self._CRITERIA)
        message = (
            f"criterion must be one of {names} or a torch.nn.Module class; got "
            f"{criterion!r}."
        )
        if isinstance(criterion, str):
            # get_loss reads names case-insensitively; so does the estimator.
            criterion = criterion.lower()
        if isinstance(criterion, str) and criterion not in names:
            if criterion in available_losses():
                message += (
                    f" {criterion!r} is a loss of another family; see "
                    "skrobust.neural for the estimator that trains with it."
                )
            raise ValueError(message)
        try:
            return get_loss(criterion)
        except (TypeError, ValueError) as exc:
            raise type(exc)(message) from exc

    def initialize_criterion(self):
        criterion = self.criterion
        if not isinstance(criterion, torch.nn.Module):
            criterion = self._criterion_class()
        kwargs = self._merge_data_kwargs(
            criterion, self.get_params_for("criterion"), self._criterion_data_kwargs()
        )
        self.criterion_ = self.initialized_instance(criterion, kwargs)
        return self

    def _set_training(self, training=True):
        # skorch switches every module's mode on every batch; the recursive
        # ``train()`` walk is a measurable share of a small network's step, so it
        # runs only when the mode actually changes.
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    # ---------------------------------------------------------------- data path
    def check_data(self, X, y=None):
        # The estimators' fit validated the data and set classes_inferred_ from
        # the original labels; skorch's version would overwrite it with codes.
        pass

    def get_dataset(self, X, y=None):
        if isinstance(X, (np.ndarray, torch.Tensor, Mapping)) or sp.issparse(X):
            return to_dataset(X, y, self.device)
        return super().get_dataset(X, y)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        iterator = getattr(self, prefix)
        kwargs = self.get_params_for(prefix)
        base, rows = tensor_rows(dataset)
        batch_size = kwargs.get("batch_size", self.batch_size)
        if batch_size == -1:
            batch_size = len(dataset)
        if base is not None and iterator is DataLoader and set(kwargs) <= _SLICING_ARGS:
            return self._slicing_iterator(
                base, rows, batch_size, kwargs.get("shuffle", training), kwargs
            )
        if training:
            kwargs.setdefault("shuffle", True)
        kwargs["batch_size"] = batch_size
        return iterator(dataset, **kwargs)

    def _slicing_iterator(self, dataset, rows, batch_size, shuffle, kwargs):
        return TensorBatchIterator(
            dataset, rows, batch_size, shuffle, kwargs.get("drop_last", False)
        )

    def infer(self, x, **fit_params):
        if isinstance(x, Mapping):
            x = x[FEATURES]
        return super().infer(x, **fit_params)

    def _batch_extra(self, X, key):
        """A per-row extra of the batch (``None`` when it was not packed)."""
        if not isinstance(X, Mapping) or key not in X:
            return None
        value = X[key]
        return value.to(self.device) if isinstance(value, torch.Tensor) else value

    def _criterion_call_kwargs(self, X):
        """``weight=`` and ``index=`` for the criterion, from the batch's extras."""
        kwargs = {}
        weight = self._batch_extra(X, SAMPLE_WEIGHT)
        if weight is not None:
            kwargs["weight"] = weight
        if INDEX in _forward_parameters(type(self.criterion_)):
            kwargs["index"] = self._batch_extra(X, INDEX)
        return kwargs

    # --------------------------------------------------------------------- fit
    def _validate_X(self, X, *, reset):
        return validate_data(
            self, X, dtype=np.float32, accept_sparse="csr", reset=reset
        )

    def _validate_X_y(self, X, y, **kwargs):
        return validate_data(
            self,
            X,
            y,
            dtype=np.float32,
            accept_sparse="csr",
            ensure_min_samples=2,
            **kwargs,
        )

    @staticmethod
    def _pack(X, sample_weight, **extras):
        """The dict X skorch slices per batch: features and row-aligned extras."""
        packed = {FEATURES: X}
        if sample_weight is not None:
            weight = _check_sample_weight(sample_weight, X, dtype=np.float32)
            if np.any(weight < 0):
                raise ValueError("sample_weight must be non-negative.")
            # Unit weights change nothing; dropping them keeps the fit identical to
            # an unweighted one, as scikit-learn's checks expect.
            if not np.all(weight == 1):
                packed[SAMPLE_WEIGHT] = weight
        packed.update(extras)
        return packed

    def _check_fit_params(self, fit_params):
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected parameters "
                f"{sorted(fit_params)}; skrobust's networks take per-row data only "
                "through their named fit arguments."
            )
        validate_parameter_constraints(
            self._parameter_constraints,
            {key: getattr(self, key) for key in self._parameter_constraints},
            caller_name=type(self).__name__,
        )

    def _fit_packed(self, X, y, partial=False, epochs=None):
        """Train on packed data with torch's generator forked and seeded.

        ``epochs`` overrides ``max_epochs`` for this call.
        """
        fresh = not partial and (not self.warm_start or not self.initialized_)
        # A fresh fit (or the first partial_fit) starts a stream of seeds from
        # random_state, so refitting repeats it; later partial_fit calls and warm
        # starts draw the next seed, so each one shuffles (and drops out) anew.
        # The first partial_fit starts from scratch as fit does.
        start = fresh or not self.initialized_
        if start or not hasattr(self, "_seeds"):
            self._seeds = check_random_state(self.random_state)
        seed = int(self._seeds.randint(np.iinfo(np.int32).max))
        devices = []
        if torch.cuda.is_available() and str(self.device).startswith("cuda"):
            devices = list(range(torch.cuda.device_count()))
        with torch.random.fork_rng(devices=devices):
            # Only the generators fork_rng restores are seeded: torch.manual_seed
            # would also reseed (and leave changed) the CUDA generators of a
            # CPU fit.
            torch.random.default_generator.manual_seed(seed)
            if devices:
                torch.cuda.manual_seed_all(seed)
            # NeuralNet.fit would call self.partial_fit, the estimators' own
            # (validating) one; this is its body on the packed data.
            if start:
                self.initialize()
                # A criterion given as an instance survives initialize() (and a
                # clone copies it); its per-row state (ELR targets, ALDR-KL
                # temperatures) must not carry over into a fresh fit. Later
                # partial_fit calls and warm starts keep it.
                reset = getattr(self.criterion_, "reset_state", None)
                if reset is not None:
                    reset()
                self._check_output_width(X)
            # EstimateTransitionMatrix caps its warm-up at a fit's last epoch,
            # not at a partial_fit's (more calls are to come).
            self._fit_call_epochs = None if partial else (epochs or self.max_epochs)
            NeuralNet.partial_fit(
                self,
                X,
                y,
                epochs=epochs,
                _routing_method="partial_fit" if partial else "fit",
            )
        return self

    def _check_output_width(self, X):
        """A module instance (or one with its own width) must output one column
        per output the estimator reads; otherwise the fit fails on an index deep
        in the loss, or predict_proba has more columns than ``classes_``."""
        features = X[FEATURES] if isinstance(X, Mapping) else X
        first = features[:2]
        rows = to_tensor(
            first.toarray() if sp.issparse(first) else first, device=self.device
        )
        module = self.module_
        training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = self.infer(rows)
        finally:
            module.train(training)
        if isinstance(out, (tuple, list)):
            out = out[0]
        width = 1 if out.ndim < 2 else int(out.shape[-1])
        expected = self._n_outputs()
        if width != expected:
            raise ValueError(
                f"The module outputs {width} column(s) per row; "
                f"{type(self).__name__} needs {expected} here ("
                + ("one per class" if expected > 1 else "one score")
                + "). Build it with n_outputs="
                f"{expected}, or pass the class to size it from the data."
            )

    def _first_fit(self, partial):
        """True when this call starts from scratch (fit, or the first partial_fit)."""
        if partial:
            return not (self.initialized_ and hasattr(self, "classes_inferred_"))
        return not (self.warm_start and self.initialized_)

    # ------------------------------------------------------------- prediction
    @property
    def classes_(self):
        try:
            return self.classes_inferred_
        except AttributeError as exc:
            raise AttributeError(
                f"{type(self).__name__} has no attribute 'classes_' before fit."
            ) from exc

    def _default_nonlinearity(self):
        return _softmax

    def _get_predict_nonlinearity(self):
        if self.predict_nonlinearity == "auto":
            self.check_is_fitted()
            return self._default_nonlinearity()
        return super()._get_predict_nonlinearity()

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows in [0, 1] summing to 1 (with the default ``predict_nonlinearity``).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return NeuralNet.predict_proba(self, X)

    def predict(self, X):
        """The most probable class of each row, a label from ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True
        return tags
