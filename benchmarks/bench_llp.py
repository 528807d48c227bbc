"""Benchmark ``llp``: learning from label proportions, vs llp-learn.

Data: binary ``breast_cancer``, ``digits_even_odd`` (even digits are class 1)
and the 20k-row ``synthetic_binary_20k``; multiclass ``digits`` (10 classes).
Training rows are grouped in bags and only each bag's class proportions are
kept: random bags of 8, 32 and 128 rows (``LabelProportions``), and bags of 32
drawn within feature clusters (``ClusteredBags``: k-means with 10 clusters on
the standardised training features, then random bags of 32 inside each
cluster), whose proportions lie far from the global prior. Every method gets
the same standardised features, the same bags, the same proportions and the
same test split, and is scored by instance-level accuracy on the clean test
labels.

Rows:

- ``bag majority label (baseline)``: every training row gets its bag's most
  frequent class (ties to the first class), and the shared
  ``LogisticRegression`` is fitted on those labels;
- skrobust's ``ProportionEMClassifier`` with its default base
  (``LogisticRegression(C=0.1)``) and with scikit-learn's ``C=1``; started
  from labels solved for k-means clusters (``init="clusters"``), with the
  default base and EM rounds, and with ``HistGradientBoostingClassifier``
  fitted once on those labels (``max_iter=0``; on development seeds 100 to
  102 of ``digits_even_odd`` with bags of 32: 0.967, against 0.873 for the
  default base with EM rounds from the same start); started from a Gaussian
  mixture weighted by the bags (``init="mixture"``, default base fitted once;
  on development seeds 100 to 109 of ``breast_cancer`` with bags of 128:
  0.962, against 0.877 from the soft start); two stacks, each a soft
  ``VotingClassifier`` of a base and the DLLP network below fitted once on the
  labels another learner ranks under the bag counts (``init=`` an estimator):
  logistic regression after the mixture start (development seeds 100 to 109
  of ``breast_cancer`` with bags of 32: 0.966, against 0.964 for the mixture
  row) and gradient boosting after the DLLP network (development seeds 100 to
  102 of ``synthetic_binary_20k`` with bags of 32: 0.948, against 0.938 for
  the network alone);
  ``LLPNeuralNetClassifier(lr=3e-3)`` (DLLP, default MLP and 50 epochs)
  without and with ``module__dropout=0.5`` (the dropout of llp-learn's
  networks; on development seeds 100 to 102 of ``digits_even_odd`` it raised
  DLLP from 0.880 to 0.907 with bags of 32 and from 0.670 to 0.684 with bags of
  128), the latter also with ``init="clusters"`` (5 epochs on labels from
  k-means clusters' class shares first; on the same development seeds 0.684 to
  0.828 with bags of 128), and ``BeliefPropagationLLPClassifier`` when
  ``skrobust.llp`` exports it;
- llp-learn 1.6: ``EM`` around ``LogisticRegression`` (random start, binary
  only), ``alterSVM`` (linear alter-propto-SVM, binary only, 3 restarts instead
  of 10 to fit the time limit), and the networks ``DLLP``, ``LLPVAT`` and
  ``MixBag`` (``"simple-mlp"``: one hidden layer of 100 units with dropout 0.5,
  Adam at lr 1e-3, ``PEER_EPOCHS`` epochs of one bag per step; MixBag with
  ``choice="uniform"``, ``confidence_interval=0.005`` and no consistency
  loss; LLPVAT with ``xi=1e-6, eps=6.0, ip=1``) and ``LLPFC``;
- ``base on true labels (ceiling)``: the shared ``LogisticRegression`` fitted
  on the true training labels; on ``synthetic_binary_20k``, whose classes a
  linear model separates poorly, also ``LLPNeuralNetClassifier on true labels
  (network ceiling)``: the DLLP row's network fitted with ``bags=None`` on the
  true labels.

Cost: the whole run must fit in about 25 minutes on two cores, so the
``synthetic_binary_20k`` rows leave out llp-learn's three slowest methods,
measured there with bags of 8 on seed 0: ``alterSVM`` (112 s, accuracy 0.724
against 0.708 for the linear ceiling), ``LLPVAT`` (84 s, 0.936) and ``DLLP``
(38 s, 0.842); ``MixBag`` (51 s, 0.951) stays as llp-learn's strongest.

How llp-learn is called: ``fit(X, bags, proportions)`` with ``proportions``
one entry per bag (the positive share for binary problems, an (n_bags, K)
matrix otherwise) and ``X`` as float32 (its networks are float32). Its deep
modules import ``torchvision`` at import time; a stub ``torchvision.models``
(whose ``resnet18`` raises) stands in for it, since only ``"simple-mlp"`` is
used. Its data loaders get ``n_jobs=0`` (no worker processes; the harness gives
each run one thread). Its networks print every epoch; that output is
discarded. ``EM`` and ``alterSVM`` predict -1/+1, mapped to the two classes.

Every peer call is stopped after ``PEER_TIME_LIMIT`` seconds; its status then
reads "failed: TimeoutError: stopped after the ... limit". The clustered bags
are computed inside each run (k-means, well under a second), so their cost is
in every row's fit time alike.
"""

import contextlib
import io
import sys
import types
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression

import skrobust.llp
from skrobust._bench import (
    LabelProportions,
    Method,
    Section,
    benchmark_main,
    fit_on_clean_labels,
    preimport,
    time_limited,
)
from skrobust.datasets import bag_proportions, make_bags

BINARY_DATASETS = ["breast_cancer", "digits_even_odd"]
LARGE_DATASETS = ["synthetic_binary_20k"]
MULTICLASS_DATASETS = ["digits"]
BAG_SIZES = [8, 32, 128]
PEER_TIME_LIMIT = 120
PEER_EPOCHS = 20
N_CLUSTERS = 10


@dataclass(frozen=True)
class ClusteredBags(LabelProportions):
    """Bags of ``bag_size`` rows drawn within k-means clusters of the features.

    The harness corrupts labels without seeing the features, so ``corrupt``
    only records the setting; :func:`_bags_and_proportions` forms the bags
    from ``problem.X_train`` (deterministically, from the problem's seed), the
    same for every method.
    """

    n_clusters: int = N_CLUSTERS

    @property
    def label(self):
        """Readable name of the setting, e.g. ``"clustered bags of 32"``."""
        return f"clustered bags of {self.bag_size}"

    def corrupt(self, y, classes, random_state):
        """Random bags as placeholders; the clustered ones replace them per run."""
        y_corrupted, extra = super().corrupt(y, classes, random_state)
        extra["clustered"] = True
        return y_corrupted, extra


def _bags_and_proportions(problem):
    """The bag of every training row and its per-row proportions."""
    if not problem.extra.get("clustered"):
        return problem.extra["bags"], problem.y_train_corrupted
    setting = problem.setting
    clusters = KMeans(
        n_clusters=setting.n_clusters, n_init=1, random_state=problem.seed
    ).fit_predict(problem.X_train)
    bags = np.empty(len(clusters), dtype=np.int64)
    offset = 0
    rng = np.random.RandomState(problem.seed)
    for cluster in range(setting.n_clusters):
        rows = np.flatnonzero(clusters == cluster)
        if len(rows) == 0:
            continue
        local = make_bags(len(rows), setting.bag_size, random_state=rng)
        bags[rows] = local + offset
        offset += local.max() + 1
    proportions = bag_proportions(problem.y_train_clean, bags, classes=problem.classes)
    return bags, proportions


def _accuracy(problem, y_pred):
    return {"accuracy": float(np.mean(np.asarray(y_pred) == problem.y_test))}


def _time_limited(func):
    return time_limited(func, PEER_TIME_LIMIT)


# --- baselines -----------------------------------------------------------------


def _bag_majority(problem):
    bags, proportions = _bags_and_proportions(problem)
    proportions = np.asarray(proportions)
    if proportions.ndim == 1:
        proportions = np.column_stack([1 - proportions, proportions])
    y_bag = problem.classes[np.argmax(proportions, axis=1)]
    if len(np.unique(y_bag)) == 1:
        return _accuracy(problem, np.full(len(problem.y_test), y_bag[0]))
    model = problem.clone_estimator().fit(problem.X_train, y_bag)
    return _accuracy(problem, model.predict(problem.X_test))


# --- skrobust ------------------------------------------------------------------


def _ours_em(problem, estimator=None, **params):
    bags, proportions = _bags_and_proportions(problem)
    model = skrobust.llp.ProportionEMClassifier(
        estimator, classes=problem.classes, random_state=0, **params
    )
    model.fit(problem.X_train, proportions, bags=bags)
    return _accuracy(problem, model.predict(problem.X_test))


def _ours_dllp(problem, **params):
    from skrobust.neural import LLPNeuralNetClassifier

    bags, proportions = _bags_and_proportions(problem)
    model = LLPNeuralNetClassifier(
        lr=3e-3, classes=problem.classes, random_state=0, **params
    )
    model.fit(problem.X_train, proportions, bags=bags)
    return _accuracy(problem, model.predict(problem.X_test))


def _dllp_network():
    """The DLLP row's network with dropout, as a start or a voter."""
    from skrobust.neural import LLPNeuralNetClassifier

    return LLPNeuralNetClassifier(lr=3e-3, module__dropout=0.5, random_state=0)


def _ours_stacked(problem, first):
    """A soft vote of a base and a network, fitted once on another learner's
    labels: the bag-weighted mixture (with logistic regression) or the DLLP
    network (with gradient boosting)."""
    if first == "mixture":
        init = skrobust.llp.ProportionEMClassifier(
            init="mixture", max_iter=0, random_state=0
        )
        other = ("lr", LogisticRegression(C=0.1, max_iter=1000))
    else:
        init = _dllp_network()
        other = ("hgb", HistGradientBoostingClassifier(random_state=0))
    base = VotingClassifier([other, ("net", _dllp_network())], voting="soft")
    return _ours_em(problem, estimator=base, init=init, max_iter=0)


def _network_ceiling(problem):
    from skrobust.neural import LLPNeuralNetClassifier

    # bags=None: every row its own bag, y the true labels -- the same network as
    # the DLLP row, trained with full supervision.
    model = LLPNeuralNetClassifier(lr=3e-3, random_state=0)
    model.fit(problem.X_train, problem.y_train_clean)
    return _accuracy(problem, model.predict(problem.X_test))


def _ours_bp(problem):
    bags, proportions = _bags_and_proportions(problem)
    model = skrobust.llp.BeliefPropagationLLPClassifier(classes=problem.classes)
    model.fit(problem.X_train, proportions, bags=bags)
    return _accuracy(problem, model.predict(problem.X_test))


# --- llp-learn -----------------------------------------------------------------


def _stub_torchvision():
    """Let llp-learn's deep modules import without torchvision.

    They import ``torchvision.models.resnet18`` at module level, for image
    bags only; the tabular ``"simple-mlp"`` model never calls it.
    """
    if "torchvision" in sys.modules:
        return

    def resnet18(*args, **kwargs):
        raise ImportError("torchvision is stubbed; only 'simple-mlp' is usable")

    package = types.ModuleType("torchvision")
    models = types.ModuleType("torchvision.models")
    models.resnet18 = resnet18
    package.models = models
    sys.modules["torchvision"] = package
    sys.modules["torchvision.models"] = models


# The libraries the rows call are imported here, in the parent, so that a forked
# run's time and memory measure the method and not the import (about 1 s and
# 180 MiB for skrobust.neural or llp-learn's networks, which load torch). LLPFC is
# left out: it fails on Python 3.11, and its row says so.
_stub_torchvision()
preimport(
    "skrobust.neural",
    "llp_learn.em",
    "llp_learn.alter",
    "llp_learn.dllp",
    "llp_learn.llpvat",
    "llp_learn.mixbag",
)


def _per_bag(problem):
    """Bag codes 0..m-1 and one proportion entry per bag, as llp-learn takes."""
    bags, proportions = _bags_and_proportions(problem)
    codes, first = np.unique(bags, return_index=True)[0:2]
    bags = np.searchsorted(codes, bags)
    return bags, np.asarray(proportions)[first]


def _llp_learn(make_model, problem, *, signed=False):
    """Fit an llp-learn model, its chatter discarded, and score its predictions."""
    _stub_torchvision()
    bags, proportions = _per_bag(problem)
    X_train = problem.X_train.astype(np.float32)
    X_test = problem.X_test.astype(np.float32)
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        model = make_model()
        model.fit(X_train, bags, proportions)
        y_pred = np.asarray(model.predict(X_test)).ravel()
    if signed:
        # EM and alterSVM train on -1/+1 labels.
        return _accuracy(problem, problem.classes[(y_pred == 1).astype(int)])
    return _accuracy(problem, problem.classes[y_pred.astype(int)])


def _peer_em():
    from llp_learn.em import EM

    return EM(LogisticRegression(max_iter=1000), init_y="random", random_state=0)


def _peer_alter_svm():
    from llp_learn.alter import alterSVM

    return alterSVM(num_exec=3, random_state=0)


_NET = {
    "lr": 1e-3,
    "n_epochs": PEER_EPOCHS,
    "model_type": "simple-mlp",
    "device": "cpu",
    "n_jobs": 0,
    "random_state": 0,
}


def _peer_dllp():
    from llp_learn.dllp import DLLP

    return DLLP(**_NET)


def _peer_llpvat():
    from llp_learn.llpvat import LLPVAT

    return LLPVAT(xi=1e-6, eps=6.0, ip=1, **_NET)


def _peer_mixbag():
    from llp_learn.mixbag import MixBag

    return MixBag(
        consistency="none", choice="uniform", confidence_interval=0.005, **_NET
    )


def _peer_llpfc():
    from llp_learn.llpfc import LLPFC

    return LLPFC(**_NET)


def _peer(name, make_model, *, signed=False):
    return Method(
        name,
        "llp-learn",
        _time_limited(partial(_llp_learn, make_model, signed=signed)),
        requires="llp_learn",
    )


# --- the table -----------------------------------------------------------------


def _methods(binary, *, large=False):
    """The rows of a section; ``large`` drops the slowest peers (see the header)."""
    methods = [
        Method("bag majority label (baseline)", "scikit-learn", _bag_majority),
        Method("ProportionEMClassifier()", "skrobust", _ours_em),
        Method(
            "ProportionEMClassifier(LogisticRegression(C=1))",
            "skrobust",
            partial(_ours_em, estimator=LogisticRegression(C=1.0, max_iter=1000)),
        ),
        Method(
            "ProportionEMClassifier(init='clusters')",
            "skrobust",
            partial(_ours_em, init="clusters"),
        ),
        Method(
            "ProportionEMClassifier(HistGradientBoostingClassifier(), "
            "init='clusters', max_iter=0)",
            "skrobust",
            partial(
                _ours_em,
                estimator=HistGradientBoostingClassifier(random_state=0),
                init="clusters",
                max_iter=0,
            ),
        ),
        Method(
            "ProportionEMClassifier(init='mixture', max_iter=0)",
            "skrobust",
            partial(_ours_em, init="mixture", max_iter=0),
        ),
        Method(
            "ProportionEMClassifier(VotingClassifier([LogisticRegression(C=0.1), "
            "DLLP network]), init=ProportionEMClassifier(init='mixture', "
            "max_iter=0), max_iter=0)",
            "skrobust",
            _time_limited(partial(_ours_stacked, first="mixture")),
            requires="skorch",
        ),
        Method(
            "ProportionEMClassifier(VotingClassifier("
            "[HistGradientBoostingClassifier(), DLLP network]), "
            "init=DLLP network, max_iter=0)",
            "skrobust",
            _time_limited(partial(_ours_stacked, first="network")),
            requires="skorch",
        ),
        Method(
            "LLPNeuralNetClassifier(lr=3e-3) (DLLP)",
            "skrobust",
            _time_limited(_ours_dllp),
            requires="skorch",
        ),
        Method(
            "LLPNeuralNetClassifier(lr=3e-3, module__dropout=0.5) (DLLP)",
            "skrobust",
            _time_limited(partial(_ours_dllp, module__dropout=0.5)),
            requires="skorch",
        ),
        Method(
            "LLPNeuralNetClassifier(lr=3e-3, module__dropout=0.5, "
            "init='clusters') (DLLP)",
            "skrobust",
            _time_limited(partial(_ours_dllp, module__dropout=0.5, init="clusters")),
            requires="skorch",
        ),
    ]
    # Belief propagation is binary (its Gibbs field couples 0/1 labels).
    if binary and hasattr(skrobust.llp, "BeliefPropagationLLPClassifier"):
        methods.append(Method("BeliefPropagationLLPClassifier()", "skrobust", _ours_bp))
    if binary:
        methods.append(_peer("EM (LogisticRegression)", _peer_em, signed=True))
    if binary and not large:
        methods.append(_peer("alterSVM (3 restarts)", _peer_alter_svm, signed=True))
    if not large:
        methods += [
            _peer("DLLP (simple-mlp)", _peer_dllp),
            _peer("LLPVAT (simple-mlp)", _peer_llpvat),
        ]
    methods += [
        _peer("MixBag (simple-mlp)", _peer_mixbag),
        _peer("LLPFC (simple-mlp)", _peer_llpfc),
        Method("base on true labels (ceiling)", "scikit-learn", fit_on_clean_labels),
    ]
    if large:
        methods.append(
            Method(
                "LLPNeuralNetClassifier on true labels (network ceiling)",
                "skrobust",
                _network_ceiling,
                requires="skorch",
            )
        )
    return methods


SETTINGS = [*(LabelProportions(size) for size in BAG_SIZES), ClusteredBags(32)]


def sections(quick=False):
    """Every dataset and bag setting; quick: breast_cancer, bags of 8 and 32."""
    if quick:
        return [Section(_methods(True), ["breast_cancer"], SETTINGS[:2])]
    return [
        Section(_methods(True), BINARY_DATASETS, SETTINGS),
        Section(_methods(True, large=True), LARGE_DATASETS, SETTINGS),
        Section(_methods(False), MULTICLASS_DATASETS, SETTINGS),
    ]


def main(argv=None):
    """Run the benchmark; see ``--help`` for the options."""
    return benchmark_main(
        "llp",
        sections,
        argv,
        description=(
            "Instance-level test accuracy of classifiers learnt from bag "
            "proportions, against llp-learn."
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
