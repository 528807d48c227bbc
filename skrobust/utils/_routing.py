"""Metadata routing shared by the meta-estimators of every family."""

from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)


class _RouteFitToBase:
    """Mixin: route ``fit`` metadata to ``self._base_estimator()``'s ``fit``."""

    def get_metadata_routing(self):
        """Route fit metadata to the base estimator's ``fit``.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter` mapping this
            estimator's ``fit`` to the base estimator's ``fit``.
        """
        return MetadataRouter(owner=self.__class__.__name__).add(
            estimator=self._base_estimator(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )


def _route_fit(owner, fit_params):
    """``process_routing(owner, "fit", ...)``'s params for the base's ``fit``.

    When ``owner.estimator`` is None the base is built inside ``fit``, so
    scikit-learn's advice for an unrequested parameter (call
    ``set_fit_request`` on the base) names an object the user never holds; the
    error then says how to pass a base that requests it.
    """
    try:
        return process_routing(owner, "fit", **fit_params).estimator.fit
    except UnsetMetadataPassedError as exc:
        if getattr(owner, "estimator", None) is not None:
            raise
        names = sorted(exc.unrequested_params)
        base = owner._base_estimator()
        requests = ", ".join(f"{name}=True" for name in names)
        raise UnsetMetadataPassedError(
            message=(
                f"{type(owner).__name__}.fit got {names} with metadata routing "
                "enabled, but its default base estimator, built inside fit, does "
                f"not request them; pass estimator={base!r}.set_fit_request("
                f"{requests}) (or False to keep them from the base)."
            ),
            unrequested_params=exc.unrequested_params,
            routed_params=exc.routed_params,
        ) from exc
