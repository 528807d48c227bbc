"""The default network: a multilayer perceptron sized from the data at fit time."""

import numbers
from collections.abc import Iterable

from torch import nn

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}


class MLP(nn.Module):
    """A fully connected network: ``n_features`` -> hidden layers -> ``n_outputs``.

    The estimators of :mod:`skrobust.neural` build it at fit time with
    ``n_features`` and ``n_outputs`` taken from the data; its other arguments are
    reached as ``module__hidden_units`` and so on.

    Parameters
    ----------
    n_features : int
        Width of the input.
    n_outputs : int
        Width of the output: the logits (one per class, or one score for PU).
    hidden_units : int or tuple of int, default=(100,)
        Width of each hidden layer; an int is one layer, ``()`` a linear model.
    activation : {"relu", "tanh", "gelu"}, default="relu"
        Nonlinearity after each hidden layer.
    dropout : float in [0, 1), default=0.0
        Dropout probability after each hidden layer.

    References
    ----------
    .. [1] D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning
       representations by back-propagating errors", Nature 323:533-536, 1986.

    Examples
    --------
    >>> import torch
    >>> from skrobust.neural import MLP
    >>> net = MLP(n_features=4, n_outputs=3, hidden_units=(8, 8))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    """

    def __init__(
        self, n_features, n_outputs, hidden_units=(100,), activation="relu", dropout=0.0
    ):
        super().__init__()
        if isinstance(hidden_units, numbers.Integral):
            hidden_units = (hidden_units,)
        for name, value in (("n_features", n_features), ("n_outputs", n_outputs)):
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}.")
        if isinstance(hidden_units, Iterable) and not isinstance(hidden_units, str):
            hidden_units = tuple(hidden_units)
        if not isinstance(hidden_units, tuple) or any(
            not isinstance(h, numbers.Integral) or isinstance(h, bool) or h < 1
            for h in hidden_units
        ):
            raise ValueError(
                "hidden_units must be a positive int or a tuple of them; got "
                f"{hidden_units!r}."
            )
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}."
            )
        if (
            not isinstance(dropout, numbers.Real)
            or isinstance(dropout, bool)
            or not 0.0 <= dropout < 1.0
        ):
            raise ValueError(f"dropout must be in [0, 1); got {dropout!r}.")
        layers = []
        width = int(n_features)
        for units in hidden_units:
            layers += [nn.Linear(width, int(units)), _ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = int(units)
        layers.append(nn.Linear(width, int(n_outputs)))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        """Return the logits of a batch, shape (n_samples, n_outputs)."""
        return self.layers(X)
