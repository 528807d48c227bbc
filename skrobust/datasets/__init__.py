"""Simulators of imperfect labels: class-conditional noise, PU labelling and bags.

Each simulator is vectorised and seeded through ``random_state``, so a benchmark or a
test corrupts the same data the same way every time.
"""

from ._bags import bag_proportions, make_bags
from ._noise import make_noisy_labels, make_transition_matrix
from ._pu import make_pu_labels

__all__ = [
    "bag_proportions",
    "make_bags",
    "make_noisy_labels",
    "make_pu_labels",
    "make_transition_matrix",
]
