"""The one place that imports private scikit-learn names.

scikit-learn moves its private helpers between releases; keeping every such import
here means a release that moves one costs a change to this file only. The supported
floor is scikit-learn 1.6, the first release with the public ``validate_data``,
``__sklearn_tags__`` and ``parametrize_with_checks(expected_failed_checks=...)``.
"""

from sklearn.base import _fit_context
from sklearn.utils._metadata_requests import _routing_enabled
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_method_params, validate_data

__all__ = [
    "HasMethods",
    "Hidden",
    "Interval",
    "InvalidParameterError",
    "RealNotInt",
    "StrOptions",
    "_check_method_params",
    "_fit_context",
    "_routing_enabled",
    "validate_data",
    "validate_params",
]
