"""The stream processor's exception root: the CLI reports any :class:`StreamsError` as a failure of
``rstat streams`` rather than a traceback, and tests can catch the package's errors as one."""

from __future__ import annotations

__all__ = ["DeliveryError", "StreamsError", "StreamsInputError", "TopologyError"]


class StreamsError(RuntimeError):
    """Something the stream processor cannot go on from."""


class StreamsInputError(StreamsError):
    """A CDC message the worker cannot read and must not skip."""


class DeliveryError(StreamsError):
    """Kafka did not take what the worker sent: nothing that depended on it was committed."""


class TopologyError(StreamsError):
    """Faust would name the worker's internal topics otherwise than the worker sends to them."""
