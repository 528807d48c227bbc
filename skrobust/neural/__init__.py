"""skorch estimators that train torch networks with skrobust's losses.

:class:`RobustNeuralNetClassifier` learns from noisy labels with a robust loss,
:class:`PUNeuralNetClassifier` from positive and unlabelled rows (nnPU / uPU), and
:class:`LLPNeuralNetClassifier` from bag proportions (DLLP), on CPU or GPU behind
scikit-learn's ``fit`` / ``predict``. The module needs torch and skorch:
``pip install skrobust[neural]``.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra only
    # The name lets all_estimators() skip this family when the extra is missing.
    raise ImportError(
        "skrobust.neural needs torch and skorch; install them with "
        "pip install skrobust[neural].",
        name=exc.name,
    ) from exc

from ._callbacks import EstimateTransitionMatrix
from ._factory import make_pu_classifier
from ._llp import LLPNeuralNetClassifier
from ._modules import MLP
from ._pu import PUNeuralNetClassifier
from ._robust import RobustNeuralNetClassifier

__all__ = [
    "EstimateTransitionMatrix",
    "LLPNeuralNetClassifier",
    "MLP",
    "PUNeuralNetClassifier",
    "RobustNeuralNetClassifier",
    "make_pu_classifier",
]
