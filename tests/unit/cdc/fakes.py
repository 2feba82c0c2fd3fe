"""Fakes of the CDC reader's ports: the change source (replication stream), the event publisher (Kafka),
the table catalog and the slot chores. They keep what they were given so tests can look at it."""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from cdc.acks import AckTracker, TxAcks
from cdc.errors import KafkaDeliveryError
from cdc.metrics import CdcMetrics
from cdc.values import TEXT, ColumnType, builtin_type

__all__ = [
    "FakeCatalog",
    "FakeChangeSource",
    "FakePublisher",
    "FakeWatch",
    "Sent",
    "keepalive",
    "xlogdata",
]

_XLOG = struct.Struct(">cQQq")
_KEEPALIVE = struct.Struct(">cQq?")


def xlogdata(lsn: int, body: bytes, wal_end: int | None = None) -> bytes:
    """An XLogData ('w') copy frame carrying the pgoutput message ``body`` at ``lsn``."""
    return _XLOG.pack(b"w", lsn, lsn if wal_end is None else wal_end, 0) + body


def keepalive(wal_end: int, reply: bool = False) -> bytes:
    """A primary keepalive ('k') copy frame."""
    return _KEEPALIVE.pack(b"k", wal_end, 0, reply)


class FakeChangeSource:
    """Frames queued by the test come out of ``read``; status updates are kept in ``statuses``."""

    def __init__(self, frames: Iterable[bytes] = ()) -> None:
        self.frames: deque[bytes] = deque(frames)
        #: (written, flushed, reply) of every status update, in order
        self.statuses: list[tuple[int, int, bool]] = []

    def read(self, timeout: float) -> bytes | None:
        return self.frames.popleft() if self.frames else None

    def send_status(self, written: int, flushed: int, reply: bool = False) -> None:
        self.statuses.append((written, flushed, reply))

    @property
    def flushed(self) -> int:
        """The position the server may forget WAL up to (the last one reported)."""
        return self.statuses[-1][1] if self.statuses else 0


@dataclass(frozen=True)
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None
    partition: int | None


class FakePublisher:
    """An in-memory broker. With ``auto_ack`` every message is acknowledged at the next ``poll``, like a
    healthy Kafka; without it the test acknowledges (or refuses) messages one by one, in any order."""

    def __init__(self, partitions: int = 3, *, auto_ack: bool = True) -> None:
        self.tracker = AckTracker(CdcMetrics())
        self.default_partitions = partitions
        self.auto_ack = auto_ack
        self.topics: dict[str, int] = {}
        self.schemas: dict[str, str] = {}
        self.sent: list[Sent] = []
        self._unacked: dict[int, TxAcks] = {}  # index in ``sent`` -> its transaction
        self._bytes = 0

    def ensure_topics(self, topics: list[str]) -> None:
        for topic in topics:
            self.topics.setdefault(topic, self.default_partitions)

    def partitions(self, topic: str) -> int:
        return self.topics[topic]

    def publish_schema(self, fingerprint: str, schema_json: str) -> None:
        self.schemas[fingerprint] = schema_json

    def produce(
        self, topic: str, key: bytes | None, value: bytes | None, tx: TxAcks, partition: int | None = None
    ) -> None:
        self.tracker.sent(tx)
        self._unacked[len(self.sent)] = tx
        self.sent.append(Sent(topic, key, value, partition))
        if value is not None:
            self._bytes += len(value)

    def produce_many(self, topic: str, messages: list[tuple[bytes, bytes]], tx: TxAcks) -> None:
        for key, value in messages:
            self.produce(topic, key, value, tx)

    def acknowledge(self, *indexes: int) -> None:
        """Delivery reports of the messages ``sent[i]`` (all unacknowledged ones when none is named)."""
        for index in indexes or tuple(self._unacked):
            self._unacked.pop(index).delivered(None, None)

    def refuse(self, index: int, error: str = "MSG_SIZE_TOO_LARGE") -> None:
        self._unacked.pop(index).delivered(error, None)

    @property
    def unacked(self) -> list[int]:
        return sorted(self._unacked)

    def poll(self, timeout: float = 0.0) -> None:
        if self.auto_ack:
            self.acknowledge()
        if self.tracker.error is not None:
            raise KafkaDeliveryError(f"Kafka refused a message: {self.tracker.error}")

    def drain(self, timeout: float) -> bool:
        self.poll(timeout)
        return self.tracker.in_flight == 0

    def take_bytes(self) -> int:
        taken, self._bytes = self._bytes, 0
        return taken


class FakeCatalog:
    """Built-in types as PostgreSQL has them, other types as text; primary keys as given."""

    def __init__(self, primary_keys: dict[str, list[str]] | None = None) -> None:
        self.primary_keys = primary_keys or {}

    def column_type(self, oid: int) -> ColumnType:
        return builtin_type(oid) or TEXT

    def primary_key(self, table: str) -> list[str]:
        return self.primary_keys.get(table, [])


class FakeWatch:
    """Counts the slot chores instead of writing heartbeats and reading the lag."""

    def __init__(self) -> None:
        self.heartbeats = 0
        self.lag_checks = 0

    def heartbeat(self) -> None:
        self.heartbeats += 1

    def measure_lag(self) -> None:
        self.lag_checks += 1
