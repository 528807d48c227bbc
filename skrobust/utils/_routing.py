"""Metadata routing shared by the meta-estimators of every family."""

from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping


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
