"""The median of several class-prior estimators."""

import time
from numbers import Integral

import joblib
import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples, check_consistent_length

from ..utils import check_pu_labels
from ..utils._sklearn_compat import _fit_context, _routing_enabled, validate_data
from ..utils._validation import check_row_weights
from ..utils._verbose import log_progress
from ._prior import (
    SCORE_METHODS,
    ClassPriorEstimator,
    _folds_for_few_labelled,
    _labeled_fraction,
    _random_state_params,
)

# The most rows a default forest's tree is grown on, and the default members'
# folds.
_FOREST_ROWS = 4000
_MEMBER_FOLDS = 5


class MedianPriorEstimator(MetaEstimatorMixin, BaseEstimator):
    r"""The median class prior of several prior estimators.

    Each estimator is cloned and fitted on the same PU data; the class prior is
    the median of their estimates. Score-based estimates such as DEDPUL's
    inherit the bias of the classifier behind their scores (on breast cancer
    with 10% of the positives labelled, development seeds 100 to 109, DEDPUL
    over a logistic regression underestimated the prior by 0.12 on average),
    and classifiers of different kinds err in different directions, so the
    median of a few is usually steadier than any one of them.

    Parameters
    ----------
    estimators : list of estimator objects, default=None
        Prior estimators, each with ``fit(X, y)`` setting ``class_prior_``,
        such as :class:`ClassPriorEstimator` with different classifiers or
        methods, all with the same ``pos_label`` (the value of ``y`` marking
        labelled positives; 1 for members without that parameter). An odd
        number gives a median that is one of the estimates. A plain list, so a
        search swaps whole lists rather than tuning a member's parameters.
        Score-based :class:`ClassPriorEstimator` members that differ only in
        ``method`` (DEDPUL and BBE over one classifier, say), seeded
        throughout (an int ``random_state`` for the member, for a splitter
        ``cv`` that shuffles, and for the classifier wherever it has one) and
        given the same fit parameters, would cross-fit the same scores; they
        share one cross-fit instead, with the estimates that separate fits
        give. ``None`` means the six members the PU benchmark recommends
        (see Notes): DEDPUL and BBE, each over a logistic regression
        cross-fitted over 5 folds, and a random forest and extra trees (100
        trees on bootstraps, leaves of at least 3 rows) each fitted once and
        scoring the rows out of bag (``cv="oob"`` of
        :class:`ClassPriorEstimator`): three fits of scores in all. Above 4000
        rows the random forest grows each tree on a bootstrap of 4000 rows
        (see Notes). With only 2 to 4 labelled positives (or unlabelled rows)
        the logistic regression cross-fits over that many folds and warns
        (:class:`~skrobust.utils.SmallClassWarning`); with fewer, ``fit``
        raises a ``ValueError``.
    pos_label : int, float, bool or str, default=None
        The value of ``y`` marking labelled positives. ``None`` means the
        members' own (1 for the default members); given with ``estimators``,
        it must be theirs.
    n_jobs : int, default=None
        Estimators fitted in parallel through joblib; the default members'
        forests also grow their trees in parallel with it.
    random_state : int, RandomState instance or None, default=None
        Seeds the default members (their folds and ensembles); an int gives the
        same prior on every fit. Unused when ``estimators`` is given: each
        member keeps its own.
    verbose : int, default=0
        Print the median and the fit's time when positive; from 2, each
        estimate as well.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The fitted clones, in the order given (of the default members:
        DEDPUL over the logistic regression, the forest and extra trees, then
        BBE over the same).
    class_priors_ : ndarray of shape (n_estimators,)
        Each estimator's class prior.
    class_prior_ : float
        Their median, :math:`\pi = P(y = 1)`.
    label_frequency_ : float
        :math:`c = P(s = 1 \mid y = 1)`, the labelled fraction of ``y`` (weighted
        by a ``sample_weight`` among the fit parameters) divided by
        ``class_prior_``, at most 1.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    ClassPriorEstimator : The estimators to combine.

    Notes
    -----
    On ``load_breast_cancer`` (label frequencies 0.1, 0.3 and 0.7) and
    ``load_digits`` (3 against the rest with c = 0.1, even against odd with
    c = 0.1 and 0.5), four to eight development seeds each, the median of
    DEDPUL over a logistic regression, a random forest and extra trees (100
    trees, leaves of at least 3 rows) had a mean absolute error of 0.013 to
    0.055 per setting, where DEDPUL over the logistic regression alone had
    0.020 to 0.117 (even against odd digits with c = 0.1: 0.026 against 0.117;
    breast cancer with c = 0.3 the one setting where it lost, 0.033 against
    0.028). On the benchmark's seeds 0 to 2 it averaged 0.022 over the 16
    settings against 0.036, but lost in some: breast cancer with c = 0.1
    (0.056 against 0.026) and digits 3 against the rest with c = 0.1 (0.022
    against 0.013).

    With BBE beside DEDPUL over the same three classifiers (six members,
    three cross-fits), the error averaged 0.0167 over the 16 settings on
    development seeds 100 to 105, against 0.0180 for DEDPUL alone, and 0.019
    against 0.022 on the benchmark's seeds, closer in 11 settings and further
    in 5 (breast cancer with c = 0.1: 0.073 against 0.056).

    A random forest grown on all rows costs :math:`O(n \log n)` per tree and
    was most of the default's time on large data; its trees now grow on
    bootstraps of at most 4000 rows. On the PU benchmark's 20k-row set (15 000
    training rows; c = 0.1, seed 0) that cut the forest's 5-fold cross-fit
    from 15.8 to 6.4 s, and on development seeds 100 to 102 the median's mean
    absolute error was 0.0270, 0.0083, 0.0030 and 0.0023 at c = 0.1, 0.3, 0.5
    and 0.7, against 0.0277, 0.0125, 0.0042 and 0.0017 with every tree grown
    on all rows.

    The two ensembles then stopped being cross-fitted: each is fitted once
    and scores every row by the trees whose bootstrap left it out, out of
    sample as a fold's score, for one fit instead of five. On development
    seeds 100 to 111 of the benchmark's three small sets the median's mean
    absolute error averaged 0.0219 over the 12 settings either way, and on
    seeds 100 to 105 of the 20k set 0.0114 against 0.0104 over its 4; the
    estimate took 0.2 to 0.3 s instead of 0.7 to 1.2 s on the small sets, and
    2.0 s instead of 9.3 s on the 20k set.

    References
    ----------
    .. [1] D. Ivanov, "DEDPUL: Difference-of-Estimated-Densities-based
       Positive-Unlabeled Learning", ICMLA 2020, arXiv:1902.06965.
    .. [2] J. Bekker, J. Davis, "Learning from Positive and Unlabeled Data: a
       Survey", Machine Learning 109:719-760, 2020, arXiv:1811.04820 (class
       prior estimators and their biases).
    .. [3] S. Garg, Y. Wu, A. Smola, S. Balakrishnan, Z. C. Lipton, "Mixture
       Proportion Estimation and PU Learning: A Modern Approach", NeurIPS 2021,
       arXiv:2111.00980 (BBE).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import make_pu_labels
    >>> from skrobust.pu import ClassPriorEstimator, MedianPriorEstimator
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> s = make_pu_labels(y, 0.3, random_state=0)
    >>> forest = RandomForestClassifier(50, min_samples_leaf=3, random_state=0)
    >>> median = MedianPriorEstimator([
    ...     ClassPriorEstimator(random_state=0),
    ...     ClassPriorEstimator(estimator=forest, random_state=0),
    ...     ClassPriorEstimator("tice", random_state=0),
    ... ]).fit(X, s)
    >>> median.class_priors_.shape
    (3,)
    >>> print(f"pi = {median.class_prior_:.2f} (true {y.mean():.2f})")
    pi = 0.6... (true 0.63)

    Without ``estimators``, the six recommended members:

    >>> default = MedianPriorEstimator(random_state=0).fit(X, s)
    >>> default.class_priors_.shape
    (6,)
    >>> print(f"pi = {default.class_prior_:.2f} (true {y.mean():.2f})")
    pi = 0.5... (true 0.63)
    """

    _parameter_constraints: dict = {
        "estimators": [list, None],
        "pos_label": [Integral, float, str, "boolean", None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimators=None,
        *,
        pos_label=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimators = estimators
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit every estimator and take the median of their priors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,)
            PU labels, as the estimators read them.
        **fit_params : dict
            Passed to every estimator's ``fit`` (with metadata routing enabled,
            what each requests).

        Returns
        -------
        self : MedianPriorEstimator
            The fitted estimator.
        """
        start = time.perf_counter()
        if self.estimators is None:
            # The shape of X, and its length against y's, before what y holds
            # decides the folds.
            self._check_features(X)
            check_consistent_length(X, y)
            folds = self._default_folds(y)
            # Only default members draw a seed: given ones keep their own, and
            # the global generator is left alone for them.
            members = self._members(
                _member_seed(self.random_state), n_samples=_num_samples(X), folds=folds
            )
        else:
            members = self.estimators
        if not members:
            raise ValueError("estimators must hold at least one prior estimator.")
        for index, estimator in enumerate(members):
            if not hasattr(estimator, "fit"):
                raise TypeError(
                    f"estimators[{index}] must be a prior estimator with fit; got "
                    f"{type(estimator).__name__}."
                )
        pos_label = _shared_pos_label(members)
        if self.pos_label is not None and self.pos_label != pos_label:
            raise ValueError(
                f"pos_label={self.pos_label!r} differs from the estimators' "
                f"pos_label {pos_label!r}; they must read y the same way."
            )
        if self.estimators is not None:
            self._check_features(X)
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
            params = [routed[f"estimator{i}"].fit for i in range(len(members))]
        else:
            params = [fit_params] * len(members)
        leaders = _cross_fit_leaders(members, params)
        unique = sorted(set(leaders))
        by_index = dict(
            zip(
                unique,
                Parallel(n_jobs=self.n_jobs)(
                    delayed(_fit_one)(clone(members[i]), X, y, params[i])
                    for i in unique
                ),
                strict=True,
            )
        )
        for i, leader in enumerate(leaders):
            if i not in by_index:
                by_index[i] = clone(members[i]).fit(
                    X, y, pred_proba=by_index[leader].pred_proba_, **params[i]
                )
        self.estimators_ = [by_index[i] for i in range(len(members))]
        priors = []
        for index, fitted in enumerate(self.estimators_):
            prior = getattr(fitted, "class_prior_", None)
            if prior is None:
                raise TypeError(
                    f"estimators[{index}] ({type(fitted).__name__}) set no "
                    "class_prior_ in fit; give prior estimators."
                )
            prior = float(prior)
            if not 0.0 < prior <= 1.0:
                raise ValueError(
                    f"estimators[{index}] ({type(fitted).__name__}) estimated "
                    f"class_prior_={prior!r}, outside (0, 1]."
                )
            priors.append(prior)
        self.class_priors_ = np.array(priors)
        self.class_prior_ = float(np.median(self.class_priors_))
        for fitted, prior in zip(self.estimators_, priors, strict=True):
            log_progress(
                self.verbose, f"  {_describe(fitted)}: pi = {prior:.4f}", level=2
            )
        log_progress(
            self.verbose,
            f"MedianPriorEstimator: median of {len(priors)} estimates, "
            f"pi = {self.class_prior_:.4f}",
            start_time=start,
        )
        # c pi is the labelled fraction, read once from y (weighted as the
        # score methods weigh it) so that it does not depend on which member
        # comes first: feature methods keep it unweighted.
        labeled = check_pu_labels(y, pos_label=pos_label)
        weight = fit_params.get("sample_weight")
        if weight is not None:
            weight = check_row_weights(weight, labeled.shape[0])
            fraction = _labeled_fraction(labeled, weight)
        else:
            # Under routing, weights may reach the members' bases under an
            # alias only; a score member then weighed its fraction with them.
            fraction = next(
                (
                    member._labelled_fraction
                    for member in self.estimators_
                    if getattr(member, "_labelled_fraction", None) is not None
                ),
                _labeled_fraction(labeled, None),
            )
        self.label_frequency_ = float(min(1.0, fraction / self.class_prior_))
        return self

    def get_metadata_routing(self):
        """Route fit metadata to every estimator's ``fit``.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` mapping
            this estimator's ``fit`` to each estimator's, named ``estimator0``,
            ``estimator1`` and so on.
        """
        router = MetadataRouter(owner=self.__class__.__name__)
        for index, estimator in enumerate(self._members()):
            router.add(
                **{f"estimator{index}": estimator},
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        return router

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        # X reaches every estimator, so it takes what all of them take.
        members = [get_tags(estimator).input_tags for estimator in self._members()]
        tags.input_tags.sparse = all(member.sparse for member in members)
        tags.input_tags.allow_nan = all(member.allow_nan for member in members)
        return tags

    def _check_features(self, X):
        """Only the feature count and names: each estimator validates values."""
        validate_data(
            self,
            X,
            accept_sparse=True,
            dtype=None,
            ensure_all_finite=False,
            ensure_min_samples=2,
        )

    def _default_folds(self, y):
        """The default members' folds: 5, fewer for 2 to 4 labelled rows."""
        pos_label = 1 if self.pos_label is None else self.pos_label
        return _folds_for_few_labelled(
            y, pos_label, _MEMBER_FOLDS, "the default members"
        )

    def _members(self, seed=0, n_samples=None, folds=_MEMBER_FOLDS):
        """The estimators to fit: those given, or the default six seeded ``seed``.

        ``n_samples``, the rows to fit on, caps the default random forest's
        bootstrap; ``folds`` are the logistic regression's cross-fit folds
        (the ensembles score out of bag). The default members' routing and
        tags depend on neither.
        """
        if self.estimators is not None:
            return self.estimators
        pos_label = 1 if self.pos_label is None else self.pos_label
        trees = {
            "n_estimators": 100,
            "min_samples_leaf": 3,
            # Bootstraps, so that each tree's left-out rows score out of sample.
            "bootstrap": True,
            "n_jobs": self.n_jobs,
            "random_state": seed,
        }
        forest = dict(trees)
        if n_samples is not None and n_samples > _FOREST_ROWS:
            # Each tree grows on a bootstrap of at most _FOREST_ROWS rows: the
            # forest's cost stops growing as n log n, and past a few thousand
            # rows the scores DEDPUL and BBE read barely change (the 20k
            # benchmark set, development seeds 100 to 102, 5-fold cross-fits:
            # the median's mean absolute error 0.0270, 0.0083, 0.0030, 0.0023
            # at c = 0.1, 0.3, 0.5, 0.7 against 0.0277, 0.0125, 0.0042, 0.0017
            # grown on all). Extra trees cost little per row: their bootstraps
            # stay as large as the data.
            forest["max_samples"] = _FOREST_ROWS
        bases = (
            # lbfgs reads no random_state; the seed only lets the two methods
            # share this classifier's cross-fit.
            (LogisticRegression(max_iter=1000, random_state=seed), folds),
            # The ensembles score each row by the trees that left it out: one
            # fit each instead of one per fold.
            (RandomForestClassifier(**forest), "oob"),
            (ExtraTreesClassifier(**trees), "oob"),
        )
        if _routing_enabled():
            # The members are built here, so the user holds no base to ask for
            # the weights; they are asked on the user's behalf.
            bases = [
                (base.set_fit_request(sample_weight=True), cv) for base, cv in bases
            ]
        return [
            ClassPriorEstimator(
                method,
                estimator=base,
                pos_label=pos_label,
                cv=cv,
                random_state=seed,
            )
            for method in ("dedpul", "bbe")
            for base, cv in bases
        ]


def _member_seed(random_state):
    """One int seed for the default members, so that they share cross-fits."""
    if isinstance(random_state, Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _shared_pos_label(estimators):
    """The one ``pos_label`` of the members (1 for members without one)."""
    labels = []
    for estimator in estimators:
        label = estimator.get_params(deep=False).get("pos_label", 1)
        if label not in labels:
            labels.append(label)
    if len(labels) > 1:
        raise ValueError(
            "estimators must read y the same way, with one pos_label; got "
            f"pos_label values {labels!r}."
        )
    return labels[0]


def _describe(estimator):
    """A member's name for the progress log: its method and its classifier."""
    method = getattr(estimator, "method", None)
    base = getattr(estimator, "estimator", None)
    if method is None:
        return type(estimator).__name__
    if base is None:
        return str(method)
    return f"{method} over {type(base).__name__}"


def _fit_one(estimator, X, y, params):
    return estimator.fit(X, y, **params)


def _seeded(estimator):
    """Whether every ``random_state`` among the parameters is an int.

    Scores cross-fitted twice agree only when nothing in the classifier draws
    from an unseeded generator; a classifier without such a parameter counts
    as seeded.
    """
    return all(
        isinstance(value, Integral)
        for value in _random_state_params(estimator).values()
    )


def _seeded_folds(cv):
    """Whether ``cv`` splits the same way each time, given a seeded estimator."""
    if isinstance(cv, Integral) or (isinstance(cv, str) and cv == "oob"):
        # ClassPriorEstimator seeds the shuffled K-fold with its random_state;
        # out-of-bag scores come from one fit of the (seeded) estimator.
        return True
    if hasattr(cv, "split"):
        return not getattr(cv, "shuffle", False) or isinstance(
            getattr(cv, "random_state", None), Integral
        )
    # An iterable of splits may be a generator, spent by the first fit.
    return False


def _cross_fit_leaders(estimators, params):
    """For each member, the first member whose out-of-sample scores it can reuse.

    Score-based :class:`ClassPriorEstimator` members that differ only in
    ``method`` (and ``verbose``), seeded throughout (an int ``random_state``,
    seeded folds, and an int ``random_state`` wherever the classifier has one)
    and with the same fit parameters, would cross-fit the very same scores;
    the later ones read the first one's ``pred_proba_`` instead of refitting.
    Every other member leads itself, as does one that cannot be hashed (a
    lambda in a pipeline, say).
    """
    leaders, seen = [], {}
    for index, (estimator, kwargs) in enumerate(zip(estimators, params, strict=True)):
        key = None
        if (
            type(estimator) is ClassPriorEstimator
            and estimator.method in SCORE_METHODS
            and isinstance(estimator.random_state, Integral)
            and _seeded_folds(estimator.cv)
            and "pred_proba" not in kwargs
            and (estimator.estimator is None or _seeded(estimator.estimator))
        ):
            try:
                key = joblib.hash(
                    (clone(estimator).set_params(method="e1", verbose=0), kwargs)
                )
            except Exception:  # noqa: BLE001 - unpicklable: fit it on its own
                key = None
        leaders.append(seen.setdefault(key, index) if key is not None else index)
    return leaders
