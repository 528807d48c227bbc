"""Discovery of every public estimator skrobust ships."""

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

# Packages that hold no user-facing estimator: the benchmark harness and the
# testing helpers themselves (whose toy estimators exist to test the checks).
_SKIPPED_PACKAGES = ("skrobust._bench", "skrobust.testing")
# Optional dependencies whose absence hides a family rather than breaking discovery.
_OPTIONAL_MODULES = ("torch", "skorch", "matplotlib", "hypothesis")

_TYPE_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def _iter_modules():
    import skrobust

    for info in pkgutil.walk_packages(skrobust.__path__, prefix="skrobust."):
        name = info.name
        if name.startswith(_SKIPPED_PACKAGES) or name == "skrobust.__main__":
            continue
        try:
            yield importlib.import_module(name)
        except ImportError as exc:
            if getattr(exc, "name", None) in _OPTIONAL_MODULES:
                continue
            raise


def all_estimators(type_filter=None):
    """List every public estimator class that skrobust defines.

    Walks the ``skrobust`` package (skipping families whose optional dependency,
    such as torch, is not installed) and collects the non-abstract
    :class:`~sklearn.base.BaseEstimator` subclasses whose name does not start
    with an underscore. ``tests/test_common.py`` runs scikit-learn's estimator
    checks over this list, so every estimator added to the library is checked
    without anyone registering it.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} or list of \
            such str, default=None
        Keep only estimators of these kinds; ``None`` keeps all.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name.

    See Also
    --------
    sklearn.utils.discovery.all_estimators : The scikit-learn equivalent.

    References
    ----------
    .. [1] L. Buitinck et al., "API design for machine learning software:
       experiences from the scikit-learn project", ECML-PKDD Workshop on
       Languages for Data Mining and Machine Learning, 2013, arXiv:1309.0238.

    Examples
    --------
    >>> from skrobust.testing import all_estimators
    >>> estimators = all_estimators()
    >>> all(isinstance(name, str) for name, _ in estimators)
    True
    """
    if type_filter is None:
        mixins = None
    else:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
        unknown = [k for k in kinds if k not in _TYPE_MIXINS]
        if unknown:
            raise ValueError(
                f"type_filter must be None or among {sorted(_TYPE_MIXINS)}; got "
                f"{unknown}."
            )
        mixins = tuple(_TYPE_MIXINS[k] for k in kinds)
    found = {}
    for module in _iter_modules():
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                name.startswith("_")
                or not cls.__module__.startswith("skrobust.")
                or not issubclass(cls, BaseEstimator)
                or inspect.isabstract(cls)
            ):
                continue
            if mixins is not None and not issubclass(cls, mixins):
                continue
            found[name] = cls
    return sorted(found.items(), key=itemgetter(0))
