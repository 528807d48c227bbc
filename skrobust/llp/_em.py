r"""ProportionEMClassifier: refit any classifier on count-respecting pseudo-labels.

The estimator alternates two steps, in the manner of alter-:math:`\propto`\ SVM
(Yu et al. 2013) but around any scikit-learn classifier with ``predict_proba``:

- *scoring*: every training row gets out-of-sample class probabilities from
  clones of the base fitted, fold by fold, on the other rows' current labels;
- *relabelling* (a hard E-step): the rows of each bag are relabelled so that
  its label counts match its proportions exactly, with
  :func:`~skrobust.llp.assign_bag_labels` on the log-probabilities.

In the first scoring round the labels are the proportions themselves, soft
labels written for the base as ``sample_weight``: each row appears once per
class, weighted by its bag's share of that class. The final model is the base
fitted on every row's last labels.
"""

import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import (
    _safe_indexing,
    check_array,
    check_random_state,
    get_tags,
)
from sklearn.utils.metadata_routing import (
    MethodMapping,
    get_routing_for_object,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed

from ..utils import check_bags, check_labels, check_proportions
from ..utils._routing import _fit_takes, _fit_weighted, _process_fit
from ..utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _routing_enabled,
    validate_data,
)
from ..utils._validation import (
    _for_base,
    check_base_takes_weights,
    check_row_weights,
)
from ..utils._verbose import log_progress
from ._assign import _METHODS, _assign, _bag_counts, _counts_fix_labels
from ._base import _BaseLLPClassifier, _check_same_rows
from ._clusters import _N_CLUSTERS_CONSTRAINT
from ._mixture import _start_labels


def _fit_labels(estimator, X, labels, sample_weight, params, rows=None):
    """Fit ``estimator`` on hard labels (of the rows ``rows``, default all)."""
    if sample_weight is not None:
        params = {**params, "sample_weight": sample_weight}
    if rows is not None:
        params = _check_method_params(X, params=params, indices=rows)
        X, labels = _safe_indexing(X, rows), labels[rows]
    return _fit_weighted(estimator, X, labels, **params)


def _fit_proportions(estimator, X, proportions, sample_weight, params, rows):
    """Fit on every (row, class) pair of ``rows`` with a positive share.

    Each row appears once per class its bag holds, with ``sample_weight`` equal
    to the bag's share of that class (times the user's weight): the soft labels
    of the first iteration.
    """
    weights = proportions[rows]
    if sample_weight is not None:
        weights = weights * sample_weight[rows, None]
    pairs, labels = np.nonzero(weights > 0)
    repeated = rows[pairs]
    params = _check_method_params(X, params=params, indices=repeated)
    return _fit_weighted(
        estimator,
        _safe_indexing(X, repeated),
        labels,
        weights_are_ours=True,
        sample_weight=weights[pairs, labels],
        **params,
    )


def _fit_predict_fold(estimator, X, targets, train, test, sample_weight, params):
    """Fit on the training rows, return the test rows' probabilities.

    ``targets`` holds hard labels (1-D) or proportions (2-D, the soft first
    iteration). A training part left with one class predicts it with certainty.
    """
    if targets.ndim == 2:
        # The classes the base will see: _fit_proportions drops the pairs whose
        # weighted share is 0.
        shares = targets[train]
        if sample_weight is not None:
            shares = shares * sample_weight[train, None]
        classes = np.flatnonzero(shares.sum(axis=0) > 0)
    else:
        classes = np.unique(targets[train])
    if classes.shape[0] < 2:
        return test, np.ones((test.shape[0], 1)), classes
    if targets.ndim == 2:
        _fit_proportions(estimator, X, targets, sample_weight, params, train)
    else:
        _fit_labels(estimator, X, targets, sample_weight, params, rows=train)
    proba = np.asarray(estimator.predict_proba(_safe_indexing(X, test)))
    return test, proba, np.asarray(estimator.classes_)


class ProportionEMClassifier(_BaseLLPClassifier):
    r"""Learn from label proportions by refitting on count-respecting pseudo-labels.

    Only each bag's class proportions are known. The training rows are scored
    out of sample: fold by fold, a clone of the base is fitted on the other
    rows, first with the proportions as soft labels (each row once per class,
    with ``sample_weight`` equal to its bag's share of the class), later with
    the current hard labels. The rows of each bag are then relabelled so that
    the bag's label counts match its proportions exactly, with the labels most
    likely under the scores, and the loop repeats until the labels settle. The
    base fitted on all rows' final labels predicts single instances.

    Use it to turn any scikit-learn classifier into a learner from label
    proportions. It works best with small bags, where the counts pin the labels
    down, and with a well regularised base.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``fit`` and ``predict_proba``, whose ``fit`` takes
        ``sample_weight`` (needed for the soft first round and for user
        weights); ``None`` means ``LogisticRegression(C=0.1, max_iter=1000)``,
        more strongly regularised than scikit-learn's default because the
        labels it is fitted on are partly wrong (see Notes). It is cloned, never
        fitted in place.
    max_iter : int, default=30
        Scoring-and-relabelling rounds at most. Bags of about 8 rows settle in
        5 to 10 rounds; bags of 32 or more keep improving for 20 or more. ``0``
        fits the base once on the starting labels (``init="clusters"``,
        ``"mixture"`` or ``"random"``; the soft start has no labels to fit
        on).
    tol : float in [0, 1], default=1e-3
        Stop when at most this fraction of the training labels changes from one
        relabelling to the next (or when the labels of an earlier round come
        back).
    init : str or estimator, default="proportions"
        One of ``"proportions"``, ``"clusters"``, ``"mixture"`` and
        ``"random"``, or a learner from proportions. The labels of the first
        scoring round: the proportions as soft labels; hard labels that meet
        the bag counts, drawn from class shares solved for k-means clusters of
        the standardised features (:func:`~skrobust.llp.cluster_label_shares`, seeded by
        ``random_state``); hard labels drawn in the same way from the shares of
        a Gaussian mixture with shared covariance whose mixing weights are the
        bag proportions, started from those cluster shares
        (:func:`~skrobust.llp.mixture_label_shares`); or random hard labels
        that meet the bag counts. Cluster and mixture starts help most with
        large bags, where the proportions say little about single rows (see
        Notes), and need numeric, finite ``X`` whatever the base accepts (the
        mixture also at most 2000 features); random starts match the soft
        start with bags of 8 but fall far behind it with bags of 32 or more.

        An estimator that learns from proportions (``fit(X, y, bags=...)``
        and ``predict_proba``), such as
        :class:`~skrobust.neural.LLPNeuralNetClassifier` or another
        ``ProportionEMClassifier``, starts from its ranking instead: a clone is
        fitted on the same proportions, bags (as codes ``0..n_bags-1``) and
        ``sample_weight`` (with metadata routing on, the fit parameters it
        requests), with its ``classes`` parameter, when it has one,
        set to this estimator's classes; the rows of each bag are then
        labelled from its probabilities under the bag counts. See Notes.
    n_clusters : "auto", int or array-like of int, default="auto"
        The k-means sizes of ``init="clusters"`` and ``"mixture"`` (ignored
        otherwise), nine
        clusterings per size: ``"auto"`` takes 0.75, 1 and 1.25 times the
        number of bags, between 2 and 256. See
        :func:`~skrobust.llp.cluster_label_shares`.
    assignment : {"auto", "exact", "greedy"}, default="auto"
        How rows are relabelled with more than two classes (two classes are
        always exact, by ranking within each bag): ``"exact"`` maximises the
        summed log-probabilities with one linear assignment per bag (a loop over
        bags, cubic in the bag size), ``"greedy"`` takes (row, class) pairs by
        decreasing probability under the bag quotas, vectorised over all bags;
        ``"auto"`` is exact unless a bag has more than 1024 rows. See
        :func:`~skrobust.llp.assign_bag_labels`.
    cv : int, cross-validation generator or iterable, default=5
        Folds of the out-of-sample scores, drawn once and kept for every round.
        An int gives a shuffled :class:`~sklearn.model_selection.KFold` seeded
        by ``random_state``; a splitter is called with the bags as ``groups``
        when it takes them (so :class:`~sklearn.model_selection.GroupKFold` keeps
        them whole) and as ``bags`` when it requests them (:class:`BagKFold`),
        and with ``y`` set to each row's bag's most frequent class.
    classes : array-like of shape (n_classes,), default=None
        The classes that the proportion columns refer to. ``None`` means
        ``[0, 1]`` for 1-D proportions, ``range(n_classes)`` for 2-D ones, and the
        sorted unique labels when ``bags`` is None.
    n_jobs : int, default=None
        Folds fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the ``"clusters"`` and ``"random"`` starts; the
        default base is deterministic.
    verbose : int, default=0
        Print the share of changed labels at each round when positive.

    Attributes
    ----------
    estimator_ : estimator object
        The base fitted on every row's final pseudo-labels, with the classes
        encoded as ``0..n_classes-1``.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    pseudo_labels_ : ndarray of shape (n_samples,)
        The labels (from ``classes_``) that ``estimator_`` was fitted on; they
        meet every bag's counts.
    n_iter_ : int
        Scoring-and-relabelling rounds run; 1 when the bag counts fix every
        label (bags of one, or every bag pure) and no round is needed, else 0
        with ``max_iter=0``.
    n_bags_ : int
        Number of bags seen in fit.
    init_estimator_ : estimator object
        The fitted clone of ``init`` when it is an estimator (absent otherwise,
        and when the bag counts fix every label).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    skrobust.llp.assign_bag_labels : The relabelling step.
    skrobust.neural.LLPNeuralNetClassifier : A network trained on the proportion
        loss instead.

    Notes
    -----
    The label counts of a bag are its proportions times its size, rounded by
    largest remainder (:func:`~skrobust.llp.compute_bag_counts`), so
    they are exact when the proportions come from counts. The rounds are a hard
    (classification) EM: each relabelling maximises the summed
    log-probabilities of the labels under the bag counts (exactly with two
    classes or ``assignment="exact"``). The loop also stops when a round
    repeats the labels of an earlier one, a cycle that more rounds would only
    repeat; a ``ConvergenceWarning`` says when ``max_iter`` ends it first. The
    scores are out of sample because a base scored on its own training rows
    mostly gives their current labels back, so the loop stops where it started
    (on digits with bags of 32, after ten rounds, test accuracy 0.62 scored in
    sample against 0.89 cross-fitted). Each round costs ``cv`` fits of the base
    and one assignment; the final model is one more fit.

    Early rounds fit the base to labels that are partly wrong, so a strongly
    regularised base helps as the bags grow, hence the default base's ``C=0.1``:
    on digits (10 classes) with bags of 128 it reached 0.74 mean test accuracy
    over three seeds against 0.42 with scikit-learn's ``C=1``; with bags of 8
    both are within a point of the supervised ceiling. Very large bags may want
    stronger still (``C=0.03`` reached 0.77 there); bag-level cross-validation
    (:class:`BagKFold` with :data:`~skrobust.metrics.bag_proportion_scorer`)
    chooses ``C`` without instance labels.

    ``init="clusters"`` replaces the soft start by labels drawn, under the bag
    counts, from class shares solved for k-means clusters of the features
    (:func:`~skrobust.llp.cluster_label_shares`). Where the classes form
    clusters and there are a dozen bags or more, these labels are far better
    than what the rounds reach from the proportions: on digits, even against
    odd, in bags of 32 (benchmark seeds 0 to 2), a
    ``HistGradientBoostingClassifier`` fitted once on them (``max_iter=0``)
    reached 0.964 test accuracy, against 0.857 from the soft start with the
    default base. With a handful of bags (breast cancer in bags of 128, four
    bags) the shares stay near the prior and the start gains little. A
    flexible base fitted once on these labels often does better than EM rounds,
    whose cross-fitted refits on partly wrong labels drift.

    ``init="mixture"`` goes one step further where each class is one roughly
    elliptical blob, as in linear discriminant analysis: the cluster shares
    start EM for a Gaussian mixture with one component per class, a shared
    covariance and each row's bag proportions as its mixing weights
    (:func:`~skrobust.llp.mixture_label_shares`, after Hernandez-Gonzalez et
    al. 2013). It uses where the rows lie, not only their bags, so it places
    the boundary even with a handful of bags: on breast cancer in bags of 128
    (development seeds 100 to 109), 0.962 test accuracy with the default base
    fitted once (``max_iter=0``), against 0.877 from the soft start. Classes
    made of several separate groups break the model (even against odd digits:
    0.81 in bags of 32, below the soft start's 0.85).

    An estimator as ``init`` stacks two learners from proportions: the first
    ranks the rows within their bags, the base learns from the labels that
    ranking gives under the bag counts. A network trained on the proportion
    loss (DLLP) often ranks well but predicts less well than a base fitted on
    its labels; on the 20k-row synthetic set with bags of 32 (development seeds
    100 to 102) the DLLP network alone reached 0.938 test accuracy, a
    ``HistGradientBoostingClassifier`` fitted once (``max_iter=0``) on its
    labels 0.944, and a soft ``VotingClassifier`` of that and a network fitted
    on the same labels 0.948. EM rounds from such a start (``max_iter=3``)
    lost ground there (0.937).

    With ``bags=None`` every row is its own bag and ``y`` holds ordinary labels:
    the counts fix every label, so the result is the base fitted on ``y``, with
    no cross-fitting. The same holds whenever every bag is pure (proportions of
    0 and 1 only).

    ``sample_weight`` weights rows in every fit of the base; the bag counts are
    counts of rows, whatever their weights.

    References
    ----------
    .. [1] F. X. Yu, D. Liu, S. Kumar, T. Jebara, S.-F. Chang, "∝SVM for Learning
       with Label Proportions", ICML 2013, arXiv:1306.0886 (alter-∝SVM: the
       alternation and the ranking step, Section 4.2).
    .. [2] N. Quadrianto, A. J. Smola, T. S. Caetano, Q. V. Le, "Estimating Labels
       from Label Proportions", JMLR 10:2349-2374, 2009.
    .. [3] D. R. Musicant, J. M. Christensen, J. F. Olson, "Supervised Learning by
       Training on Aggregate Outputs", ICDM 2007, doi:10.1109/ICDM.2007.50.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrobust.datasets import bag_proportions, make_bags
    >>> from skrobust.llp._em import ProportionEMClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> bags = make_bags(len(y), bag_size=8, random_state=0)
    >>> proportions = bag_proportions(y, bags)
    >>> model = ProportionEMClassifier().fit(X, proportions, bags=bags)
    >>> print(f"instance accuracy: {model.score(X, y):.2f}")
    instance accuracy: 0.9...
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, 1, closed="both")],
        "init": [
            StrOptions({"proportions", "clusters", "mixture", "random"}),
            HasMethods(["fit", "predict_proba"]),
        ],
        "n_clusters": _N_CLUSTERS_CONSTRAINT,
        "assignment": [StrOptions(set(_METHODS))],
        "cv": ["cv_object"],
        "classes": ["array-like", None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        max_iter=30,
        tol=1e-3,
        init="proportions",
        n_clusters="auto",
        assignment="auto",
        cv=5,
        classes=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.n_clusters = n_clusters
        self.assignment = assignment
        self.cv = cv
        self.classes = classes
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, bags=None, sample_weight=None, **fit_params):
        """Fit the base on pseudo-labels that meet every bag's label counts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            With ``bags``: each row's bag proportions, the positive-class
            proportion (binary, 1-D) or a row of class proportions, equal within
            a bag. Without: ordinary labels (each row is its own bag).
        bags : array-like of shape (n_samples,) or list of array-like, \
                default=None
            The bag id of each row (or a list of row-index arrays, one per bag);
            ``None`` makes every row its own bag.
        sample_weight : array-like of shape (n_samples,), default=None
            Row weights, passed to every fit of the base. With metadata routing
            enabled, only to a base that requests them
            (``set_fit_request(sample_weight=True)``).
        **fit_params : dict
            Passed to the base estimator's ``fit`` (routed when metadata routing
            is enabled); sample-aligned ones are sliced and repeated with the
            rows of each fit.

        Returns
        -------
        self : ProportionEMClassifier
            The fitted classifier.
        """
        X, proportions, bag_codes = self._validate_targets(X, y, bags)
        n_samples, n_classes = proportions.shape
        # Set again only when an estimator start is fitted.
        self.__dict__.pop("init_estimator_", None)
        if sample_weight is not None:
            sample_weight = check_row_weights(sample_weight, n_samples)
            if not np.any(sample_weight > 0):
                raise ValueError(
                    "sample_weight is zero on every row; at least one row must "
                    "weigh more than 0."
                )
        init_params = self._init_fit_params(fit_params, sample_weight)
        params, sample_weight = self._route(fit_params, sample_weight)
        rng = check_random_state(self.random_state)

        counts = _bag_counts(proportions, bag_codes)
        sizes = np.bincount(bag_codes)
        self.n_bags_ = int(sizes.shape[0])
        present = np.flatnonzero(counts.sum(axis=0) > 0)
        if present.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes; y's proportions put"
                f" every row in one class ({self.classes_[present[0]].tolist()!r})."
            )
        # A bag whose counts put all its rows in one class fixes their labels;
        # when every bag does (bags of one), there is nothing to iterate.
        if _counts_fix_labels(counts, sizes):
            labels = np.argmax(counts, axis=1)[bag_codes]
            base = self._checked_base(sample_weight is not None)
            self.n_iter_ = 1
        else:
            labels, base = self._iterate(
                X,
                proportions,
                bag_codes,
                counts,
                sample_weight,
                params,
                rng,
                init_params,
            )
        self.estimator_ = _fit_labels(clone(base), X, labels, sample_weight, params)
        self.pseudo_labels_ = self.classes_[labels]
        return self

    def _iterate(
        self,
        X,
        proportions,
        bag_codes,
        counts,
        sample_weight,
        params,
        rng,
        init_params=None,
    ):
        """Alternate cross-fitted scoring and relabelling; return labels, base."""
        n_samples, n_classes = proportions.shape
        # init may be an estimator, which must not be compared to a string.
        soft = isinstance(self.init, str) and self.init == "proportions"
        if soft and self.max_iter == 0:
            raise ValueError(
                "max_iter=0 fits the base once on the starting labels, and "
                "init='proportions' starts from soft labels, not labels; use "
                "init='clusters' (or 'mixture' or 'random') with max_iter=0, or "
                "max_iter >= 1."
            )
        base = self._checked_base(soft or sample_weight is not None)
        # The folds come first so that a seed gives the random start it gave
        # before the other starts existed.
        folds = None
        if self.max_iter > 0:
            folds = self._folds(X, proportions, bag_codes, rng)
        if soft:
            labels = None
        elif not isinstance(self.init, str):
            labels = self._estimator_start(
                X, proportions, bag_codes, counts, init_params or {}
            )
        elif self.init in ("clusters", "mixture"):
            labels = self._shares_start(X, proportions, bag_codes, counts, rng)
        else:
            noise = rng.random_sample((n_samples, n_classes))
            labels = _assign(noise, bag_codes, counts, self.assignment)
        if folds is None:
            self.n_iter_ = 0
            return labels, base
        parallel = Parallel(n_jobs=self.n_jobs)
        seen = set() if labels is None else {labels.tobytes()}
        start = time.perf_counter()
        for iteration in range(1, self.max_iter + 1):
            targets = proportions if labels is None else labels
            results = parallel(
                delayed(_fit_predict_fold)(
                    clone(base), X, targets, train, test, sample_weight, params
                )
                for train, test in folds
            )
            proba = np.zeros((n_samples, n_classes))
            for test, fold_proba, fold_classes in results:
                proba[np.ix_(test, fold_classes)] = fold_proba
            scores = np.log(np.maximum(proba, np.finfo(np.float64).tiny))
            new_labels = _assign(scores, bag_codes, counts, self.assignment)
            change = 1.0 if labels is None else float(np.mean(new_labels != labels))
            labels = new_labels
            self.n_iter_ = iteration
            log_progress(
                self.verbose,
                f"round {iteration}: {change:.2%} of the labels changed",
                start_time=start,
            )
            # The rounds are deterministic given the folds, so labels seen before
            # mean a cycle (typically a few rows flipping back and forth) that
            # more rounds would only repeat.
            key = labels.tobytes()
            if change <= self.tol or key in seen:
                break
            seen.add(key)
        else:
            warnings.warn(
                f"{type(self).__name__} stopped after max_iter={self.max_iter} "
                "rounds before the pseudo-labels settled (the last round changed "
                f"{change:.2%} of them, tol={self.tol}); raise max_iter or tol.",
                ConvergenceWarning,
                # Past _iterate, fit and the _fit_context wrapper: the caller.
                stacklevel=4,
            )
        return labels, base

    def _init_fit_params(self, fit_params, sample_weight):
        """The fit parameters of an estimator ``init``: the user's weights, or
        with metadata routing on, what ``init`` requests."""
        if isinstance(self.init, str):
            return {}
        if not _routing_enabled():
            return {} if sample_weight is None else {"sample_weight": sample_weight}
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        # _process_fit: the default base's unrequested weights get the same
        # clear error here as from _route, which runs after this.
        return dict(_process_fit(self, fit_params).init.fit)

    def _estimator_start(self, X, proportions, bag_codes, counts, init_params):
        """Labels meeting the bag counts, ranked by a fitted LLP learner."""
        init = clone(self.init)
        name = type(init).__name__
        if not _fit_takes(init, "bags"):
            raise ValueError(
                f"init={name} is not a learner from label proportions: its fit "
                "takes no 'bags'. Give a string start or an estimator such as "
                "ProportionEMClassifier or LLPNeuralNetClassifier."
            )
        if "classes" in init.get_params(deep=False):
            init.set_params(classes=self.classes_)
        try:
            init.fit(X, proportions, bags=bag_codes, **init_params)
        except ValueError as exc:
            raise ValueError(
                f"init={name} could not be fitted on these proportions (with "
                f"classes={list(self.classes_)!r} passed on): {exc}"
            ) from exc
        self.init_estimator_ = init
        known = getattr(init, "classes_", None)
        if known is None or not np.array_equal(np.asarray(known), self.classes_):
            raise ValueError(
                f"init={name} learnt the classes {known!r}, not "
                f"this estimator's {list(self.classes_)!r}; give it the same "
                "classes (its 'classes' parameter is set to them when it has one)."
            )
        proba = np.asarray(init.predict_proba(X), dtype=np.float64)
        n_classes = self.classes_.shape[0]
        if proba.shape != (X.shape[0], n_classes) or not np.all(np.isfinite(proba)):
            raise ValueError(
                f"init={name}.predict_proba must give finite probabilities of "
                f"shape ({X.shape[0]}, {n_classes}); got shape {proba.shape}"
                f"{'' if np.all(np.isfinite(proba)) else ' with NaN or inf'}."
            )
        scores = np.log(np.maximum(proba, np.finfo(np.float64).tiny))
        return _assign(scores, bag_codes, counts, self.assignment)

    def get_metadata_routing(self):
        """Route fit metadata to the base and to an estimator ``init``.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` holding
            this estimator's own request (``bags``) and mapping its ``fit`` to
            the base's ``fit`` and, when ``init`` is an estimator, to its
            ``fit`` (the bags it gets from this estimator, as codes).
        """
        router = super().get_metadata_routing()
        if not isinstance(self.init, str):
            router.add(
                init=self.init,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
        return router

    def _shares_start(self, X, proportions, bag_codes, counts, rng):
        """The starting labels of ``init="clusters"`` and ``"mixture"``."""
        # The base may take NaN or text columns; k-means needs finite numbers.
        try:
            X = check_array(
                X, accept_sparse="csr", dtype=[np.float64, np.float32], input_name="X"
            )
        except ValueError as exc:
            raise ValueError(
                f"init={self.init!r} runs k-means on X, so X must be numeric and "
                f"finite even when the base is not so strict ({exc}). Impute or "
                "encode X before the estimator, or use init='proportions'."
            ) from exc
        return _start_labels(
            self.init,
            X,
            proportions,
            bag_codes,
            counts,
            self.n_clusters,
            rng,
            self.assignment,
        )

    def _folds(self, X, proportions, bag_codes, rng):
        """The cross-fitting folds, drawn once for every iteration."""
        if isinstance(self.cv, Integral):
            if self.cv > bag_codes.shape[0]:
                raise ValueError(
                    f"cv={self.cv} needs at least {self.cv} rows to split; X has "
                    f"{bag_codes.shape[0]}."
                )
            splitter = KFold(self.cv, shuffle=True, random_state=rng)
        else:
            splitter = check_cv(self.cv)
        # Instance labels are unknown: a splitter that stratifies sees each row's
        # bag's most frequent class, one that groups sees the bags, and so does
        # one that asks for them by name (BagKFold).
        proxy = np.argmax(proportions, axis=1)
        split_params = {}
        routing = get_routing_for_object(splitter)
        for name in ("groups", "bags"):
            if routing.consumes("split", [name]):
                split_params[name] = bag_codes
        folds = list(splitter.split(X, proxy, **split_params))
        tested = np.zeros(bag_codes.shape[0], dtype=np.int64)
        for _, test in folds:
            np.add.at(tested, test, 1)
        if not np.all(tested == 1):
            raise ValueError(
                "cv must partition the rows (each row in exactly one test fold); "
                f"{int((tested != 1).sum())} rows are not tested exactly once."
            )
        return folds

    def _validate_targets(self, X, y, bags):
        """Validate X and y; set ``classes_``; return proportions (n, K), bags."""
        check = {
            "accept_sparse": ["csr", "csc"],
            "dtype": None,
            "ensure_all_finite": False,
        }
        if bags is None:
            checked, y = validate_data(self, X, y, **check)
            X = _for_base(X, checked)
            check_classification_targets(y)
            codes, classes = check_labels(y, self.classes)
            if len(classes) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; y holds one "
                    f"class ({np.asarray(classes)[0].tolist()!r})."
                )
            self.classes_ = np.asarray(classes)
            proportions = np.eye(len(classes))[codes]
            return X, proportions, np.arange(X.shape[0], dtype=np.int64)
        X = _for_base(X, validate_data(self, X, **check))
        classes = None
        if self.classes is not None:
            _, classes = check_labels(self.classes, self.classes, name="classes")
        if classes is not None:
            n_columns = 2 if np.ndim(y) == 1 else np.shape(y)[1]
            if n_columns != len(classes):
                raise ValueError(
                    f"classes has {len(classes)} entries but y has {n_columns} "
                    "proportion columns (1-D y means two classes); give one class "
                    "per column."
                )
        _check_same_rows(X, y)
        proportions = check_proportions(
            y, bags, n_classes=None if classes is None else len(classes)
        )
        bag_codes = check_bags(bags, n_samples=X.shape[0])
        if proportions.ndim == 1:
            proportions = np.column_stack([1.0 - proportions, proportions])
        self.classes_ = (
            np.arange(proportions.shape[1]) if classes is None else np.asarray(classes)
        )
        return X, proportions, bag_codes

    def _checked_base(self, needs_weights):
        base = self._base_estimator()
        if needs_weights:
            check_base_takes_weights(
                base,
                need=f"{type(self).__name__} needs for the soft first round on "
                "proportions and for user weights",
                remedy="use a base whose fit takes sample_weight, or init='clusters', "
                "'mixture' or 'random' without sample_weight",
            )
        return base

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # k-means reads X itself under init="clusters" and "mixture".
        base_nan = get_tags(self._base_estimator()).input_tags.allow_nan
        if isinstance(self.init, str):
            tags.input_tags.allow_nan = (
                self.init not in ("clusters", "mixture") and base_nan
            )
        else:
            tags.input_tags.allow_nan = (
                base_nan and get_tags(self.init).input_tags.allow_nan
            )
        return tags
