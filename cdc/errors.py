"""Errors of the CDC reader; each message says what happened and what to do next."""

from __future__ import annotations

__all__ = ["CdcConfigError", "CdcError", "KafkaDeliveryError", "SlotLostError"]


class CdcError(Exception):
    """Root of the CDC reader's errors."""


class CdcConfigError(CdcError):
    """Settings that do not match the database (an unknown table, a key column that does not exist)."""


class SlotLostError(CdcError):
    """The replication slot disappeared or was invalidated: changes may have been lost in between."""


class KafkaDeliveryError(CdcError):
    """Kafka refused a message for good (not a transient outage, which is retried)."""
