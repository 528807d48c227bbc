"""What skrobust's scorer objects share: a ``sample_weight`` request."""

from sklearn.utils.metadata_routing import UNCHANGED, MetadataRequest

from ..utils._sklearn_compat import _routing_enabled


class _SampleWeightScorer:
    """A plain callable scorer that can request ``sample_weight``.

    Subclasses define ``__call__(estimator, X, y_true, sample_weight=None)``.
    """

    def __init__(self):
        # None is scikit-learn's default request: with routing on, a sample_weight
        # passed but not requested is an error rather than silently dropped.
        self._sample_weight_request = None

    def _accept_sample_weight(self):
        # scikit-learn's multimetric scorer asks each scorer this before it
        # forwards sample_weight with metadata routing off.
        return True

    def set_score_request(self, *, sample_weight=UNCHANGED):
        """Request ``sample_weight`` for scoring under metadata routing.

        Parameters
        ----------
        sample_weight : bool, str or None, default=UNCHANGED
            ``True`` to receive ``sample_weight``, ``False`` not to, a string to
            receive it under that alias, ``None`` to raise if it is passed.

        Returns
        -------
        self : object
            The scorer.
        """
        self._check_routing()
        if sample_weight is not UNCHANGED:
            self._sample_weight_request = sample_weight
        return self

    @staticmethod
    def _check_routing():
        if not _routing_enabled():
            raise RuntimeError(
                "set_score_request is only available when metadata routing is "
                "enabled: sklearn.set_config(enable_metadata_routing=True)."
            )

    def get_metadata_routing(self):
        """Metadata this scorer requests (``sample_weight`` as set by the user).

        Returns
        -------
        routing : MetadataRequest
            The scorer's request for its ``score`` method.
        """
        request = MetadataRequest(owner=repr(self))
        requests = {
            **self._other_requests(),
            "sample_weight": self._sample_weight_request,
        }
        for param, alias in requests.items():
            request.score.add_request(param=param, alias=alias)
        return request

    def _other_requests(self):
        """Requests besides ``sample_weight``, listed first: ``{param: alias}``."""
        return {}
