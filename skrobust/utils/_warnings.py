"""Warning classes, so users can filter skrobust's warnings precisely."""

import os
import sys

import sklearn

# Frames in these folders are library code; a warning should point past them, at
# the user's line (Python 3.12's skip_file_prefixes does this, but 3.11 lacks it).
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (os.path.dirname(__file__), sklearn.__file__)
)


def _user_stacklevel():
    """The ``stacklevel`` that makes a warning raised by the caller of this
    function point at the first frame outside skrobust and scikit-learn."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and os.path.abspath(
        frame.f_code.co_filename
    ).startswith(_LIBRARY_DIRS):
        frame = frame.f_back
        level += 1
    return level


class SkrobustWarning(UserWarning):
    """Base class of every warning skrobust raises.

    Filter on it to silence or escalate all of skrobust's warnings at once, e.g.
    ``warnings.simplefilter("error", SkrobustWarning)``.

    References
    ----------
    .. [1] Python Software Foundation, "warnings -- Warning control",
       https://docs.python.org/3/library/warnings.html

    Examples
    --------
    >>> from skrobust.utils import SkrobustWarning
    >>> issubclass(SkrobustWarning, UserWarning)
    True
    """


class SmallClassWarning(SkrobustWarning):
    """A class has so few samples that an estimate for it is unreliable.

    Raised when cross-fitting leaves a class out of a training fold
    (:func:`~skrobust.utils.cross_val_predict_proba`), so its out-of-sample
    probability is zero on that fold's test rows.

    References
    ----------
    .. [1] C. G. Northcutt, L. Jiang, I. L. Chuang, "Confident Learning: Estimating
       Uncertainty in Dataset Labels", JAIR 70:1373-1411, 2021, arXiv:1911.00068.

    Examples
    --------
    >>> from skrobust.utils import SmallClassWarning, SkrobustWarning
    >>> issubclass(SmallClassWarning, SkrobustWarning)
    True
    """
