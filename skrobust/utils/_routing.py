"""Metadata routing shared by the meta-estimators of every family."""

import inspect

from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import has_fit_parameter

from ._sklearn_compat import _routing_enabled


class _RouteFitToBase:
    """Mixin: route ``fit`` metadata to ``self._base_estimator()``'s ``fit``,
    and to the ``split`` of a splitter given as ``cv``.

    A subclass that weighs its own estimates by ``sample_weight`` sets
    ``_consumes_sample_weight`` (with a class-level fit request for it): the
    router then lists it as a consumer too, so that a base declining the
    weights (``set_fit_request(sample_weight=False)``) keeps them from the base
    only, instead of leaving them "routed to no object".
    """

    _consumes_sample_weight = False

    def get_metadata_routing(self):
        """Route fit metadata to the base estimator and the splitter.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` mapping this
            estimator's ``fit`` to the base estimator's ``fit`` and, when ``cv``
            is a splitter object, to its ``split`` (so ``groups`` reaches a
            :class:`~sklearn.model_selection.GroupKFold`).
        """
        router = MetadataRouter(owner=self.__class__.__name__)
        if self._consumes_sample_weight:
            router.add_self_request(self)
        router.add(
            estimator=self._base_estimator(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )
        splitter = getattr(self, "cv", None)
        if hasattr(splitter, "split") and hasattr(splitter, "get_metadata_routing"):
            router.add(
                splitter=splitter,
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        return router


def _route_fit_and_groups(owner, fit_params):
    """The base's fit parameters and the ``groups`` of the cross-fitting splitter.

    Without metadata routing ``groups`` goes to the splitter, and stays among
    the base's fit parameters only when its ``fit`` can take it (a search over
    group folds, say), as it always did before the splitter got it. With
    routing it goes where the splitter (``cv``) and the base request it.
    """
    if not _routing_enabled():
        params = dict(fit_params)
        groups = params.get("groups")
        if groups is not None and not _fit_takes_groups(owner._base_estimator()):
            del params["groups"]
        return params, groups
    routed = _process_fit(owner, fit_params)
    # No ``in`` test: with no metadata, scikit-learn returns an object whose
    # every item exists, so ``in`` never ends; a router without a splitter
    # (an int cv) has no such attribute.
    splitter = getattr(routed, "splitter", None)
    groups = None if splitter is None else splitter.split.get("groups")
    return routed.estimator.fit, groups


def _route_fit(owner, fit_params):
    """``process_routing(owner, "fit", ...)``'s params for the base's ``fit``."""
    return _process_fit(owner, fit_params).estimator.fit


def _process_fit(owner, fit_params):
    """``process_routing(owner, "fit", ...)``, with a clearer unrequested error.

    When ``owner.estimator`` is None the base is built inside ``fit``, so
    scikit-learn's advice for an unrequested parameter (call
    ``set_fit_request`` on the base) names an object the user never holds; the
    error then says how to pass a base that requests it.
    """
    try:
        return process_routing(owner, "fit", **fit_params)
    except UnsetMetadataPassedError as exc:
        if getattr(owner, "estimator", None) is not None:
            raise
        names = sorted(exc.unrequested_params)
        base = owner._base_estimator()
        requests = ", ".join(f"{name}=True" for name in names)
        # Declining is a way out only for what the owner consumes itself:
        # anything else would then be "routed to no object".
        decline = (
            " (or False to keep them from the base)"
            if getattr(owner, "_consumes_sample_weight", False)
            and names == ["sample_weight"]
            else ""
        )
        raise UnsetMetadataPassedError(
            message=(
                f"{type(owner).__name__}.fit got {names} with metadata routing "
                "enabled, but its default base estimator, built inside fit, does "
                f"not request them; pass estimator={base!r}.set_fit_request("
                f"{requests}){decline}."
            ),
            unrequested_params=exc.unrequested_params,
            routed_params=exc.routed_params,
        ) from exc


def _fit_takes(estimator, name):
    """Whether ``estimator.fit`` has a parameter ``name`` or takes ``**kwargs``."""
    parameters = inspect.signature(estimator.fit).parameters.values()
    return any(
        p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
    )


def _fit_takes_groups(estimator):
    """Whether ``groups`` may go to ``estimator.fit`` without routing.

    A ``Pipeline``'s ``**params`` take only ``step__name`` keys without
    metadata routing, so a bare ``groups`` there is an error; other ``**kwargs``
    (a search's ``fit``) take it.
    """
    return not isinstance(estimator, Pipeline) and _fit_takes(estimator, "groups")


def _weighted_step(estimator):
    """The estimator whose ``fit`` a row weight is meant for.

    A :class:`~sklearn.pipeline.Pipeline`'s ``fit`` has no ``sample_weight``
    argument; the weight belongs to its final step (of a nested pipeline, the
    innermost final step). Returns ``(step, path)``: that step (None for
    "passthrough") and the step names leading to it.
    """
    path = []
    while isinstance(estimator, Pipeline):
        name, estimator = estimator.steps[-1]
        path.append(name)
        if estimator is None or estimator == "passthrough":
            return None, path
    return estimator, path


def _weight_key(estimator):
    """The name row weights carry in ``estimator``'s routed fit parameters.

    A consumer's routed parameters name them ``sample_weight`` whatever alias
    it requested them under; a Pipeline re-routes, so its parameters keep the
    caller's name: the alias its weighted step requests.
    """
    if isinstance(estimator, Pipeline) and _routing_enabled():
        step, _ = _weighted_step(estimator)
        if step is not None and hasattr(step, "get_metadata_routing"):
            alias = step.get_metadata_routing().fit.requests.get("sample_weight")
            if isinstance(alias, str):
                return alias
    return "sample_weight"


def _weight_alias(estimator, key):
    """The name the user gave the weights routed to ``estimator`` as ``key``: a
    consumer's routed parameters call them ``sample_weight`` whatever alias
    it requested them under, so an error about them names the alias."""
    if key != "sample_weight" or not _routing_enabled():
        return key
    try:
        alias = estimator.get_metadata_routing().fit.requests.get("sample_weight")
    except AttributeError:
        return key
    return alias if isinstance(alias, str) else key


def _takes_sample_weight(estimator):
    """Whether ``_fit_weighted`` can hand ``estimator`` a row weight."""
    step, _ = _weighted_step(estimator)
    return step is not None and has_fit_parameter(step, "sample_weight")


def _fit_weighted(estimator, X, y, *, weights_are_ours=False, **params):
    """``estimator.fit(X, y, **params)``, a ``sample_weight`` in ``params``
    reaching a Pipeline's final step.

    Without metadata routing a Pipeline takes step parameters as
    ``<step>__<name>``; the weight goes to the final step that way (nested
    pipelines through every level). With routing enabled a Pipeline hands
    ``sample_weight`` to the steps that request it. The user's own weights,
    routed already, follow those requests. Weights that are the
    meta-estimator's own (``weights_are_ours``: soft labels, importance or PU
    weights) must reach the base whatever the user requested, so the final step
    of ``estimator`` (a clone the caller owns) is set to request them; earlier
    steps that take a weight get it only where the user set them to request it,
    and unset ones are set not to.
    """
    weight = params.pop("sample_weight", None)
    if weight is None:
        return estimator.fit(X, y, **params)
    if not isinstance(estimator, Pipeline):
        return estimator.fit(X, y, sample_weight=weight, **params)
    if _routing_enabled():
        if weights_are_ours:
            _request_weights_at_final_step(estimator)
        return estimator.fit(X, y, sample_weight=weight, **params)
    _, path = _weighted_step(estimator)
    key = "__".join([*path, "sample_weight"])
    return estimator.fit(X, y, **{key: weight}, **params)


def _request_weights_at_final_step(pipeline):
    """Set the routing requests of a Pipeline the caller owns (a clone) so that
    ``fit(sample_weight=w)`` reaches its final step, and earlier steps only
    where the user asked for it (an unset request would raise)."""
    step, _ = _weighted_step(pipeline)
    for inner in _all_steps(pipeline):
        if inner is step or not has_fit_parameter(inner, "sample_weight"):
            continue
        if not hasattr(inner, "set_fit_request"):
            continue
        requests = inner.get_metadata_routing().fit.requests
        if requests.get("sample_weight") is None:
            inner.set_fit_request(sample_weight=False)
    step.set_fit_request(sample_weight=True)


def _all_steps(pipeline):
    """Every step of a Pipeline, nested pipelines flattened, "passthrough"
    and None left out."""
    for _, step in pipeline.steps:
        if isinstance(step, Pipeline):
            yield from _all_steps(step)
        elif step is not None and step != "passthrough":
            yield step
