"""The instances the common checks run on, and the checks each is expected to fail.

Two tables, both keyed by estimator class name, in the form of scikit-learn's
``sklearn/utils/_test_common/instance_generator.py``:

- ``INSTANCE_PARAMS``: the constructor arguments of each instance to check (a list
  of dicts: one instance per dict). Small settings keep the suite fast (few folds,
  few epochs, tiny modules). This table is also how estimators that need more than
  ``(X, y)`` at fit time are checked: a PU estimator gets its ``class_prior`` as a
  constructor argument here, and an LLP estimator is checked with ``bags=None``,
  where every row is its own bag and ``y`` holds ordinary labels (DESIGN.md).
  Their bag- and prior-specific behaviour is covered by ``skrobust.testing``'s own
  checks, which take the extra fit arguments explicitly.
- ``EXPECTED_FAILED_CHECKS``: ``{check_name: reason}`` for each estimator, each
  reason a sentence a reviewer can verify against the code.

An estimator missing from ``INSTANCE_PARAMS`` is checked once with its defaults.
"""

from sklearn import __version__ as sklearn_version

_NEURAL = {
    "lr": 0.05,
    "max_epochs": 20,
    "module__hidden_units": (16,),
    "random_state": 0,
}

# Class name -> list of constructor-argument dicts (one instance per dict).
INSTANCE_PARAMS = {
    # Three folds: the smallest common-check datasets (10 rows, 3 classes) have
    # classes of 3 rows, and cross-fitting needs a member of each class per fold.
    "LabelIssueDetector": [{"cv": 3, "random_state": 0}],
    "ConfidentLearningClassifier": [{"cv": 3, "random_state": 0}],
    "TransitionCorrectedClassifier": [{"cv": 3, "random_state": 0}],
    "ImportanceReweightingClassifier": [{"cv": 3, "random_state": 0}],
    "IterativeRelabelingClassifier": [{"cv": 3, "random_state": 0}],
    "ClassPriorEstimator": [{"cv": 3, "random_state": 0}],
    # A callable: its estimators are built when the instances are (skrobust.pu
    # is not imported with this module).
    "MedianPriorEstimator": lambda: [
        {"estimators": [_prior_estimator("dedpul"), _prior_estimator("e1")]},
        # The default six members (a logistic regression over 5 folds, two
        # ensembles of 100 trees scored out of bag).
        {"random_state": 0},
    ],
    "ElkanNotoClassifier": [{"cv": 3, "random_state": 0}],
    "PseudoLabelPUClassifier": lambda: [
        # The default PU step, seeded (its folds drew unseeded before).
        {"random_state": 0},
        {"pu_estimator": _pu_classifier()},
        {"pu_estimator": _pu_classifier(), "positives": "prior", "max_iter": 3},
    ],
    # A light first stage (the unbiased-risk classifier, no networks).
    "AdaptivePUClassifier": lambda: [
        {"estimator": _pseudo_label_classifier(), "random_state": 0},
        # Averaged copies on the mixture route, where a check's data takes it.
        {"estimator": _pseudo_label_classifier(), "n_estimators": 3, "random_state": 0},
    ],
    "WeightedElkanNotoClassifier": [{"cv": 3, "random_state": 0}],
    "UnbiasedPUClassifier": [{"cv": 3, "random_state": 0}],
    "BaggingPUClassifier": [{"n_estimators": 5, "cv": 3, "random_state": 0}],
    # Small, fast networks that still learn the checks' easy problems: a high
    # learning rate and 20 epochs of a 16-unit layer.
    "RobustNeuralNetClassifier": [_NEURAL],
    "PUNeuralNetClassifier": [{**_NEURAL, "cv": 3}],
    "LLPNeuralNetClassifier": [_NEURAL],
}

# Class name -> {check name: reason it is expected to fail}.
_PU_STRING_LABELS = (
    "PU labels must contain pos_label (1 by default) to mark the labelled "
    "positives; the check fits on the strings 'one'/'two' without setting it."
)
_PU_WEIGHT_FOLDS = (
    "The estimated prior comes from out-of-sample scores of K folds; repeating a "
    "row instead of weighting it moves rows between folds and changes the "
    "estimate. With a given class_prior weights and repeats agree "
    "(tests/pu/test_classifiers.py)."
)
_PU_CLASSIFIER_FAILURES = {
    "check_classifiers_classes": _PU_STRING_LABELS,
    "check_sample_weight_equivalence_on_dense_data": _PU_WEIGHT_FOLDS,
    "check_sample_weight_equivalence_on_sparse_data": _PU_WEIGHT_FOLDS,
}
if tuple(int(part) for part in sklearn_version.split(".")[:2]) < (1, 9):
    # Measured on 1.6.0 (the floor); 1.9.1 passes these. Listed up to 1.9 because
    # the versions between are not run, and an unexpected pass does not fail.
    _PU_OLD_LABELS = (
        "scikit-learn < 1.9 fits binary-only classifiers in these checks on the "
        "labels {2, 3}, which hold no labelled positive (pos_label=1)."
    )
    _PU_CLASSIFIER_FAILURES.update(
        dict.fromkeys(
            (
                "check_dtype_object",
                "check_estimator_sparse_array",
                "check_estimator_sparse_matrix",
            ),
            _PU_OLD_LABELS,
        )
    )
# Binary-only classifiers other than the PU ones (no pos_label).
_BINARY_ONLY_FAILURES = {}
if tuple(int(part) for part in sklearn_version.split(".")[:2]) < (1, 9):
    # Measured on 1.6.0; 1.9.1 passes.
    _BINARY_ONLY_FAILURES.update(
        dict.fromkeys(
            (
                "check_sample_weight_equivalence_on_dense_data",
                "check_sample_weight_equivalence_on_sparse_data",
            ),
            "scikit-learn < 1.9 makes y binary for binary-only classifiers by "
            "comparing it with its first element, separately for the shuffled "
            "weighted copy and the repeated copy, so the two fits see different "
            "labels.",
        )
    )

_PU_TARGET = (
    "y must be PU labels (pos_label on labelled positives, one other value); the "
    "checks fit an estimator that is not a classifier on a continuous target."
)
# Prior estimators fit on PU labels and predict nothing.
_PRIOR_ESTIMATOR_FAILURES = dict.fromkeys(
    (
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag",
        "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params",
        "check_f_contiguous_array_estimator",
        "check_fit2d_predict1d",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
    ),
    _PU_TARGET,
)
# skorch's own conventions, shared by the three networks.
_SKORCH_FAILURES = {
    "check_no_attributes_set_in_init": (
        "skorch's NeuralNet.__init__ sets history_, initialized_ and "
        "virtual_params_, and stores prefixed arguments such as "
        "module__hidden_units as attributes (STYLE.md section 5)."
    ),
    "check_do_not_raise_errors_in_init_or_set_params": (
        "skorch's set_params rebuilds the callbacks as soon as `callbacks` is "
        "set, so a value that is not a list raises there rather than in fit."
    ),
    **dict.fromkeys(
        (
            "check_sample_weight_equivalence_on_dense_data",
            "check_sample_weight_equivalence_on_sparse_data",
        ),
        "Trained in float32: on the check's data, one batch, the weighted and "
        "the repeated fit (with Adam, the default) agree to 1e-5 or better, "
        "float32 rounding of a weighted sum against a sum over repeated rows, "
        "not to the check's rtol of 1e-7; with more rows than a batch, a "
        "repeated row also lands in other batches than a weighted one. "
        "PUNeuralNetClassifier passes on the check's data with scikit-learn "
        "1.9.1.",
    ),
}

EXPECTED_FAILED_CHECKS = {
    "BeliefPropagationLLPClassifier": _BINARY_ONLY_FAILURES,
    "RobustNeuralNetClassifier": _SKORCH_FAILURES,
    "LLPNeuralNetClassifier": _SKORCH_FAILURES,
    "PUNeuralNetClassifier": {**_PU_CLASSIFIER_FAILURES, **_SKORCH_FAILURES},
    "ElkanNotoClassifier": _PU_CLASSIFIER_FAILURES,
    "WeightedElkanNotoClassifier": _PU_CLASSIFIER_FAILURES,
    "UnbiasedPUClassifier": _PU_CLASSIFIER_FAILURES,
    # The labels the refit learns are hard, so they absorb the small change in
    # the PU classifier's estimated prior between weighted and repeated rows:
    # scikit-learn 1.9.1 passes the weight checks. They stay listed for the
    # versions below it, where the other PU classifiers' binary-label handling
    # differs (see _PU_OLD_LABELS), and because a different prior estimate can
    # still flip a pseudo-label.
    "PseudoLabelPUClassifier": _PU_CLASSIFIER_FAILURES,
    "AdaptivePUClassifier": _PU_CLASSIFIER_FAILURES,
    "BaggingPUClassifier": {
        **_PU_CLASSIFIER_FAILURES,
        "check_sample_weight_equivalence_on_dense_data": (
            "Each bagged model draws unlabelled rows at random; a repeated row is "
            "drawn more often than a weighted one, so the models differ."
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "Each bagged model draws unlabelled rows at random; a repeated row is "
            "drawn more often than a weighted one, so the models differ."
        ),
    },
    "ClassPriorEstimator": _PRIOR_ESTIMATOR_FAILURES,
    "MedianPriorEstimator": _PRIOR_ESTIMATOR_FAILURES,
}

# Class name -> {invariant check name: (keyword arguments, reason)} for skrobust's
# own checks (tests/test_invariants.py).
_FOLDS_FOLLOW_CLASS_ORDER = {
    "check_label_permutation_equivariance": (
        {"min_agreement": 0.9},
        "StratifiedKFold assigns rows to folds by class order, so relabelling "
        "the classes changes the folds and a few out-of-sample probabilities.",
    ),
}
_PU_LABEL_FOLLOWS = {
    "check_label_permutation_equivariance": (
        {"label_param": "pos_label", "min_agreement": 0.9},
        "Renaming the classes renames the labelled-positive value too, so "
        "pos_label follows; the stratified folds of the prior estimate follow "
        "class order, which moves a few scores.",
    ),
}
_OUTPUT_UNITS_FOLLOW_CLASS_ORDER = (
    "Each class owns an output unit in classes_ order, so reordering the classes "
    "gives each class other initial weights; the fit is equivariant in "
    "distribution only and a few borderline rows flip."
)
INVARIANT_OPTIONS = {
    "RobustNeuralNetClassifier": {
        "check_label_permutation_equivariance": (
            {"min_agreement": 0.9},
            _OUTPUT_UNITS_FOLLOW_CLASS_ORDER,
        ),
    },
    "LLPNeuralNetClassifier": {
        "check_label_permutation_equivariance": (
            {"min_agreement": 0.9},
            _OUTPUT_UNITS_FOLLOW_CLASS_ORDER,
        ),
    },
    "PUNeuralNetClassifier": {
        "check_label_permutation_equivariance": (
            {"label_param": "pos_label", "min_agreement": 0.9},
            "Renaming the classes renames the labelled-positive value too, so "
            "pos_label follows; the prior estimate's stratified folds follow "
            "class order, which moves the prior and a few borderline rows.",
        ),
    },
    "ElkanNotoClassifier": _PU_LABEL_FOLLOWS,
    "WeightedElkanNotoClassifier": _PU_LABEL_FOLLOWS,
    "UnbiasedPUClassifier": _PU_LABEL_FOLLOWS,
    "PseudoLabelPUClassifier": _PU_LABEL_FOLLOWS,
    "AdaptivePUClassifier": _PU_LABEL_FOLLOWS,
    "BaggingPUClassifier": _PU_LABEL_FOLLOWS,
    "ConfidentLearningClassifier": _FOLDS_FOLLOW_CLASS_ORDER,
    "TransitionCorrectedClassifier": _FOLDS_FOLLOW_CLASS_ORDER,
    "ImportanceReweightingClassifier": _FOLDS_FOLLOW_CLASS_ORDER,
    "IterativeRelabelingClassifier": _FOLDS_FOLLOW_CLASS_ORDER,
}


def _prior_estimator(method):
    from ..pu import ClassPriorEstimator

    return ClassPriorEstimator(method, cv=3, random_state=0)


def _pu_classifier():
    from ..pu import UnbiasedPUClassifier

    return UnbiasedPUClassifier(cv=3, random_state=0)


def _construct_instances(estimator_class):
    """Yield the instances of ``estimator_class`` that the common checks run on."""
    table = INSTANCE_PARAMS.get(estimator_class.__name__, [{}])
    for params in table() if callable(table) else table:
        yield estimator_class(**params)


def all_estimator_instances():
    """Every instance from ``all_estimators()`` built from ``INSTANCE_PARAMS``."""
    from ._discovery import all_estimators

    return [
        instance
        for _, cls in all_estimators()
        for instance in _construct_instances(cls)
    ]


def invariant_options(estimator, check_name):
    """Keyword arguments of an invariant check for ``estimator`` (may be empty)."""
    entry = INVARIANT_OPTIONS.get(type(estimator).__name__, {}).get(check_name)
    return {} if entry is None else dict(entry[0])


def expected_failed_checks(estimator):
    """The ``{check_name: reason}`` dict for ``estimator``, for
    ``parametrize_with_checks(expected_failed_checks=...)``."""
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))


def _pseudo_label_classifier():
    from ..pu import PseudoLabelPUClassifier

    return PseudoLabelPUClassifier(_pu_classifier())
