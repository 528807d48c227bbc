"""Warning classes, so users can filter skrobust's warnings precisely."""


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
