"""Datasets, corruption settings and the problem every method of a run shares.

A *problem* is one (dataset, setting, seed): a stratified train/test split of a
dataset shipped with scikit-learn, features standardised on the training rows, and
training labels corrupted by a setting (label noise, PU labelling or bags). The test
labels are always clean, so every method is scored against the truth. The same seed
gives the same split and the same corruption, whichever method asks.
"""

from dataclasses import dataclass, field
from functools import partial
from time import perf_counter

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from ..datasets import (
    bag_proportions,
    make_bags,
    make_noisy_labels,
    make_pu_labels,
    make_transition_matrix,
)
from ..utils import cross_val_predict_proba


def _binary_digits(positive_digits):
    """``load_digits`` with the given digits as class 1 and the others as 0."""
    X, y = load_digits(return_X_y=True)
    return X, np.isin(y, positive_digits).astype(int)


# Synthetic presets keep the data fixed (random_state=0) and let the seed move only
# the split and the corruption, as for the real datasets. Sizes are chosen so that a
# logistic regression fits in about a second on one core.
DATASETS = {
    "digits": partial(load_digits, return_X_y=True),
    "wine": partial(load_wine, return_X_y=True),
    "breast_cancer": partial(load_breast_cancer, return_X_y=True),
    # Binary digits for PU settings: one digit against the rest (positives are
    # rare, pi ~ 0.1) and even against odd (pi ~ 0.5, each class a mixture of
    # five shapes).
    "digits_3_vs_rest": partial(_binary_digits, (3,)),
    "digits_even_odd": partial(_binary_digits, (0, 2, 4, 6, 8)),
    "synthetic_binary": partial(
        make_classification,
        n_samples=4000,
        n_features=20,
        n_informative=10,
        random_state=0,
    ),
    "synthetic10": partial(
        make_classification,
        n_samples=5000,
        n_features=20,
        n_informative=15,
        n_classes=10,
        n_clusters_per_class=1,
        random_state=0,
    ),
    # The noise-correction benchmark's sizes: 20k rows for the linear base, 5k rows
    # for gradient boosting (its 5-fold cross-fit on 20k x 10 classes costs ~18 s).
    "synthetic_binary_20k": partial(
        make_classification,
        n_samples=20000,
        n_features=20,
        n_informative=10,
        random_state=0,
    ),
    "synthetic10_20k": partial(
        make_classification,
        n_samples=20000,
        n_features=20,
        n_informative=15,
        n_classes=10,
        n_clusters_per_class=1,
        random_state=0,
    ),
    "synthetic10_5k": partial(
        make_classification,
        n_samples=5000,
        n_features=20,
        n_informative=15,
        n_classes=10,
        n_clusters_per_class=1,
        random_state=0,
    ),
    "synthetic50": partial(
        make_classification,
        n_samples=10000,
        n_features=50,
        n_informative=30,
        n_classes=50,
        n_clusters_per_class=1,
        random_state=0,
    ),
}


def load_dataset(name):
    """Features and clean labels of a named dataset.

    Parameters
    ----------
    name : str
        A key of ``DATASETS``: ``"digits"``, ``"wine"``, ``"breast_cancer"``
        (shipped with scikit-learn), the binary digits sets ``"digits_3_vs_rest"``
        (digit 3 is class 1) and ``"digits_even_odd"`` (even digits are class 1),
        or a ``make_classification`` preset (``"synthetic_binary"``,
        ``"synthetic10"``, ``"synthetic50"``, ...).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Raw features (standardisation happens after the split).
    y : ndarray of shape (n_samples,)
        Clean labels.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}; got {name!r}.")
    return DATASETS[name]()


def default_estimator():
    """The base estimator shared by every method unless a section names another.

    Returns
    -------
    estimator : LogisticRegression
        Unfitted. Its settings are spelled out so that tables do not move when
        scikit-learn changes a default; ``max_iter=1000`` leaves lbfgs room to
        converge on standardised features (digits needs about 30 iterations), and
        the seed is fixed although lbfgs does not use it, so swapping the solver
        keeps runs reproducible.
    """
    return LogisticRegression(C=1.0, tol=1e-4, max_iter=1000, random_state=0)


def _derived_seed(seed, stream):
    """An integer seed for one stream (split, corruption) of a run's seed.

    Feeding the split and the corruption the same integer would give both the
    same Mersenne Twister draws, tying which rows are trained on to which rows
    get flipped; distinct spawn keys give independent streams.
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(stream,))
    return int(sequence.generate_state(1)[0])


@dataclass(frozen=True)
class LabelNoise:
    """Class-conditional label noise on the training labels.

    Parameters
    ----------
    kind : {"symmetric", "pair", "random"}, default="symmetric"
        How flipped labels spread over the other classes, as in
        :func:`skrobust.datasets.make_transition_matrix`.
    noise_rate : float in [0, 1], default=0.2
        Probability that a training label is flipped.
    """

    kind: str = "symmetric"
    noise_rate: float = 0.2

    def __post_init__(self):
        if self.kind not in {"symmetric", "pair", "random"}:
            raise ValueError(
                f"kind must be 'symmetric', 'pair' or 'random'; got {self.kind!r}."
            )
        if not 0 <= self.noise_rate <= 1:
            raise ValueError(f"noise_rate must be in [0, 1]; got {self.noise_rate}.")

    @property
    def label(self):
        """Readable name of the setting, e.g. ``"symmetric 20%"``."""
        if self.noise_rate == 0:
            return "no noise"
        return f"{self.kind} {self.noise_rate:.0%}"

    def corrupt(self, y, classes, random_state):
        """Flip labels; ``extra`` holds the true transition matrix and flip mask.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Clean training labels.
        classes : ndarray of shape (n_classes,)
            Every class of the dataset, in transition-matrix order.
        random_state : int
            Seeds the matrix (for ``kind="random"``) and the flips.

        Returns
        -------
        y_corrupted : ndarray of shape (n_samples,)
            Noisy labels.
        extra : dict
            ``"transition_matrix"`` (n_classes, n_classes) and
            ``"flipped_mask"`` (n_samples,).
        """
        rng = check_random_state(random_state)
        T = make_transition_matrix(
            len(classes), self.noise_rate, kind=self.kind, random_state=rng
        )
        y_noisy, flipped_mask = make_noisy_labels(
            y, T, classes=classes, random_state=rng
        )
        return y_noisy, {"transition_matrix": T, "flipped_mask": flipped_mask}


@dataclass(frozen=True)
class PULabels:
    """Positive-unlabeled labelling (SCAR) of a binary dataset.

    Parameters
    ----------
    label_frequency : float in (0, 1]
        :math:`c = P(s = 1 \\mid y = 1)`, the share of positives left labelled.
    pos_label : int, default=1
        The positive class.
    """

    label_frequency: float
    pos_label: int = 1

    def __post_init__(self):
        if not 0 < self.label_frequency <= 1:
            raise ValueError(
                f"label_frequency must be in (0, 1]; got {self.label_frequency}."
            )

    @property
    def label(self):
        """Readable name of the setting, e.g. ``"PU c=0.5"``."""
        return f"PU c={self.label_frequency:g}"

    def corrupt(self, y, classes, random_state):
        """Hide labels; ``extra`` holds the true class prior and label frequency.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Clean binary training labels.
        classes : ndarray of shape (2,)
            The two classes; one must be ``pos_label``.
        random_state : int
            Seeds which positives stay labelled.

        Returns
        -------
        y_corrupted : ndarray of shape (n_samples,)
            ``pos_label`` on labelled positives, the other class elsewhere.
        extra : dict
            ``"class_prior"`` (share of positives among the training rows),
            ``"label_frequency"`` and ``"labeled_mask"`` (n_samples,).
        """
        if len(classes) != 2 or self.pos_label not in classes:
            raise ValueError(
                f"PU labelling needs a binary dataset holding pos_label="
                f"{self.pos_label!r} (e.g. 'breast_cancer' or 'synthetic_binary'); "
                f"got classes {classes.tolist()[:5]}."
            )
        s = make_pu_labels(
            y, self.label_frequency, pos_label=self.pos_label, random_state=random_state
        )
        extra = {
            "class_prior": float(np.mean(y == self.pos_label)),
            "label_frequency": self.label_frequency,
            "labeled_mask": s == self.pos_label,
        }
        return s, extra


@dataclass(frozen=True)
class LabelProportions:
    """Learning from label proportions: rows grouped in random bags.

    Parameters
    ----------
    bag_size : int
        Rows per bag (the last bag may be smaller).
    """

    bag_size: int

    def __post_init__(self):
        if self.bag_size < 1:
            raise ValueError(f"bag_size must be at least 1; got {self.bag_size}.")

    @property
    def label(self):
        """Readable name of the setting, e.g. ``"bags of 16"``."""
        return f"bags of {self.bag_size}"

    def corrupt(self, y, classes, random_state):
        """Replace labels by bag proportions; ``extra`` holds the bags.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            Clean training labels.
        classes : ndarray of shape (n_classes,)
            Every class of the dataset, in proportion-column order.
        random_state : int
            Seeds the assignment of rows to bags.

        Returns
        -------
        y_corrupted : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Each row's bag proportions (:func:`skrobust.datasets.bag_proportions`).
        extra : dict
            ``"bags"``, the bag id of each row.
        """
        bags = make_bags(len(y), self.bag_size, random_state=random_state)
        return bag_proportions(y, bags, classes=classes), {"bags": bags}


@dataclass(eq=False)
class Problem:
    """One (dataset, setting, seed): the data every method of a run receives.

    Attributes
    ----------
    dataset : str
        Name of the dataset.
    setting : LabelNoise, PULabels or LabelProportions
        The corruption applied to the training labels.
    seed : int
        Seeds the split and the corruption.
    X_train, X_test : ndarray of shape (n_train, n_features), (n_test, n_features)
        Features standardised with the training rows' mean and scale.
    y_train_clean : ndarray of shape (n_train,)
        The true training labels, for evaluating detection or estimation; a
        method must not train on them.
    y_train_corrupted : ndarray
        What a method learns from: noisy labels, PU labels ``s``, or each row's bag
        proportions (with the bags in ``extra["bags"]``).
    y_test : ndarray of shape (n_test,)
        Clean test labels.
    classes : ndarray of shape (n_classes,)
        Every class of the dataset, sorted.
    extra : dict
        What the setting knows and a method may be scored against (true transition
        matrix, flip mask, class prior, bags).
    estimator : estimator object
        The unfitted base estimator shared by every method; use
        :meth:`clone_estimator`.
    cv : int
        Folds of the out-of-sample probabilities.
    pred_proba_seconds : float or None
        Wall time of computing :meth:`pred_proba`, once it has run.
    """

    dataset: str
    setting: object
    seed: int
    X_train: np.ndarray
    y_train_clean: np.ndarray
    y_train_corrupted: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: np.ndarray
    extra: dict
    estimator: object
    cv: int = 5
    pred_proba_seconds: float | None = None
    _pred_proba: np.ndarray | None = field(default=None, init=False, repr=False)

    def clone_estimator(self):
        """An unfitted clone of the shared base estimator."""
        return clone(self.estimator)

    def pred_proba(self):
        """Out-of-sample probabilities of the corrupted training labels.

        Computed once by :func:`skrobust.utils.cross_val_predict_proba` (base
        estimator, ``cv`` folds, seeded by ``seed``) and cached, so every method
        compared on this problem gets the same matrix. The harness computes it
        before starting the methods' child processes when a method declares
        ``needs_pred_proba``; otherwise each child would compute its own copy.

        Returns
        -------
        pred_proba : ndarray of shape (n_train, n_classes), read-only
            Columns in ``classes`` order; for PU settings, probabilities of ``s``.
        """
        if self._pred_proba is None:
            if isinstance(self.setting, LabelProportions):
                raise ValueError(
                    "pred_proba needs one label per training row; a label-proportion "
                    f"setting ({self.setting.label}) only has bag proportions."
                )
            start = perf_counter()
            proba = cross_val_predict_proba(
                self.estimator,
                self.X_train,
                self.y_train_corrupted,
                cv=self.cv,
                classes=self.classes,
                random_state=self.seed,
            )
            self.pred_proba_seconds = perf_counter() - start
            # Shared by every method: a method writing into it would change the
            # input of the methods after it.
            proba.flags.writeable = False
            self._pred_proba = proba
        return self._pred_proba


def make_problem(dataset, setting, seed, *, estimator=None, cv=5, test_size=0.25):
    """Split, standardise and corrupt a dataset, reproducibly.

    Parameters
    ----------
    dataset : str
        A name accepted by :func:`load_dataset`.
    setting : LabelNoise, PULabels or LabelProportions
        The corruption of the training labels.
    seed : int
        Seeds the stratified split and (through an independent stream) the
        corruption; the same seed gives identical arrays.
    estimator : estimator object, default=None
        Base estimator for the methods and the out-of-sample probabilities;
        ``None`` means :func:`default_estimator`.
    cv : int, default=5
        Folds of the out-of-sample probabilities.
    test_size : float, default=0.25
        Share of rows held out, with clean labels, for scoring.

    Returns
    -------
    problem : Problem
    """
    X, y = load_dataset(dataset)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=_derived_seed(seed, 0)
    )
    scaler = StandardScaler().fit(X_train)
    classes = np.unique(y)
    y_corrupted, extra = setting.corrupt(y_train, classes, _derived_seed(seed, 1))
    return Problem(
        dataset=dataset,
        setting=setting,
        seed=seed,
        X_train=scaler.transform(X_train),
        y_train_clean=y_train,
        y_train_corrupted=y_corrupted,
        X_test=scaler.transform(X_test),
        y_test=y_test,
        classes=classes,
        extra=extra,
        estimator=default_estimator() if estimator is None else estimator,
        cv=cv,
    )


def score_on_test(problem, estimator):
    """Test accuracy of a fitted estimator against the clean test labels.

    Parameters
    ----------
    problem : Problem
    estimator : fitted estimator

    Returns
    -------
    metrics : dict
        ``{"accuracy": float}``.
    """
    y_pred = estimator.predict(problem.X_test)
    return {"accuracy": float(accuracy_score(problem.y_test, y_pred))}


def score_binary_on_test(problem, y_pred, *, pos_label=1):
    """Test accuracy and positive-class F1 of binary predictions.

    PU methods are judged on both: with a rare positive class, predicting
    "negative" everywhere scores a high accuracy and an F1 of zero.

    Parameters
    ----------
    problem : Problem
    y_pred : array-like of shape (n_test,)
        Predicted labels of ``problem.X_test``, in the dataset's classes.
    pos_label : int, default=1
        The class whose F1 is reported.

    Returns
    -------
    metrics : dict
        ``{"accuracy": float, "f1": float}`` on the clean test labels; F1 is 0
        when nothing is predicted positive.
    """
    y_pred = np.asarray(y_pred)
    return {
        "accuracy": float(accuracy_score(problem.y_test, y_pred)),
        "f1": float(
            f1_score(problem.y_test, y_pred, pos_label=pos_label, zero_division=0)
        ),
    }


def fit_on_corrupted_labels(problem):
    """The naive baseline: the base estimator trained on the corrupted labels.

    With noisy labels it learns the noise; with PU labels it treats every
    unlabelled row as negative. Every family's benchmark lists it first.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    metrics : dict
        ``{"accuracy": float}`` on the clean test labels.
    """
    return _fit_and_score(problem, problem.y_train_corrupted)


def fit_on_clean_labels(problem):
    """The ceiling: the base estimator trained on the true training labels.

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    metrics : dict
        ``{"accuracy": float}`` on the clean test labels.
    """
    return _fit_and_score(problem, problem.y_train_clean)


def _fit_and_score(problem, y_train):
    """The base estimator fitted on ``y_train``, scored on the clean test labels."""
    estimator = problem.clone_estimator()
    estimator.fit(problem.X_train, y_train)
    return score_on_test(problem, estimator)


def labelled_indicator(problem):
    """A PU problem's labels as 0/1 (1 = labelled positive), which every PU
    peer library accepts whatever the dataset's own labels are.

    Parameters
    ----------
    problem : Problem
        With a :class:`PULabels` setting.

    Returns
    -------
    s : ndarray of shape (n_train,), dtype int
    """
    return (problem.y_train_corrupted == problem.setting.pos_label).astype(int)


def case_control(problem):
    """The case-control form of a PU problem, for uPU/nnPU-type peers.

    Their ``fit(X, y)`` averages the unlabelled risk over the ``y = 0`` rows
    and weighs it with the prior of the population that sample comes from;
    appending the labelled rows again, as ``y = 1``, to every training row as
    ``y = 0`` makes that sample the whole training set, whose prior is the true
    one.

    Parameters
    ----------
    problem : Problem
        With a :class:`PULabels` setting.

    Returns
    -------
    X : ndarray of shape (n_train + n_labelled, n_features)
    y : ndarray of shape (n_train + n_labelled,), dtype int
    """
    s = labelled_indicator(problem)
    X = np.vstack([problem.X_train, problem.X_train[s == 1]])
    y = np.concatenate([np.zeros(len(s), dtype=int), np.ones(s.sum(), dtype=int)])
    return X, y


def fit_with_shared_proba(estimator_class):
    """A method fitting a skrobust noise estimator on the shared probabilities.

    Parameters
    ----------
    estimator_class : type
        A skrobust meta-estimator taking ``estimator`` and ``pred_proba=``.

    Returns
    -------
    method : callable
        ``method(problem) -> {"accuracy": float}``. The problem's out-of-sample
        probabilities stand in for cross-fitting, so the timed part is the
        estimator's own work (detection, weighting or correction, and the refit).
    """

    def run(problem):
        model = estimator_class(problem.clone_estimator(), random_state=0)
        model.fit(
            problem.X_train, problem.y_train_corrupted, pred_proba=problem.pred_proba()
        )
        return score_on_test(problem, model)

    return run


def clean_learning(problem):
    """cleanlab's ``CleanLearning`` on the problem's shared probabilities.

    Its label-issue search runs on one process (``n_jobs=1``; by default it
    uses every core), as ours does and as the ``noise_detect`` speed rows call
    it. ``fit`` imports torch on its first call when torch is installed, so the
    scripts import torch in the parent (see ``preimport``).

    Parameters
    ----------
    problem : Problem

    Returns
    -------
    metrics : dict
        ``{"accuracy": float}`` on the clean test labels.
    """
    from cleanlab.classification import CleanLearning

    model = CleanLearning(
        problem.clone_estimator(), seed=0, find_label_issues_kwargs={"n_jobs": 1}
    )
    codes = np.searchsorted(problem.classes, problem.y_train_corrupted)
    model.fit(problem.X_train, codes, pred_probs=problem.pred_proba())
    y_pred = problem.classes[model.predict(problem.X_test)]
    return {"accuracy": float(np.mean(y_pred == problem.y_test))}
