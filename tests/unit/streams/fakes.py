"""Fakes of the stream processor's ports, for unit tests without Kafka or PostgreSQL.

Each behaves as the contract test (tests/integration/test_streams_ports.py) checks the real adapter does:
:class:`FakeSender` like :class:`streams.sender.Sender`, :class:`FakeStatisticsSink` like
:class:`streams.materializer.Materializer`. :class:`FakeTable` stands for a Faust table as
:class:`streams.batching.Staged` uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.batching import partition_of
from streams.errors import DeliveryError
from streams.materializer import Key, Target

__all__ = [
    "FakeEvent",
    "FakeMessage",
    "FakeSender",
    "FakeStatisticsSink",
    "FakeTable",
    "Sent",
]


@dataclass(frozen=True)
class Sent:
    topic: str
    key: bytes
    value: bytes
    partition: int


class FakeSender:
    """Keeps what was sent, visible once flushed (as a consumer sees acknowledged messages); a key without a
    partition goes where Kafka's default partitioner puts it. ``refuse`` makes the next flush fail."""

    def __init__(self, partitions: int = 3) -> None:
        self.partitions = partitions
        self.pending: list[Sent] = []
        self.delivered: list[Sent] = []
        self.flushes = 0
        self.refuse = False

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        placed = partition if partition is not None else partition_of(key, self.partitions)
        self.pending.append(Sent(topic, key, value, placed))

    def flush(self, timeout: float = 60) -> None:
        self.flushes += 1
        if self.refuse:
            self.pending.clear()
            raise DeliveryError("refused by the fake")
        self.delivered += self.pending
        self.pending = []

    def on(self, topic: str) -> list[Sent]:
        """The delivered messages of ``topic``, in the order they were sent."""
        return [m for m in self.delivered if m.topic == topic]


class FakeTable(dict[bytes, bytes]):
    """A Faust table as the agents use it: ``get`` and item assignment."""


@dataclass
class FakePartition:
    partition: int


@dataclass
class FakeEvent:
    """A Faust event as :mod:`streams.batching` reads it (its message's partition, its value)."""

    value: bytes
    message: FakePartition = field(default_factory=lambda: FakePartition(0))


@dataclass
class FakeMessage:
    """A librdkafka message as the intake and the materializer read it."""

    _topic: str
    _value: bytes | None
    _partition: int = 0
    _offset: int = 0

    def topic(self) -> str:
        return self._topic

    def value(self) -> bytes | None:
        return self._value

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset


class FakeStatisticsSink:
    """The materialized statistics in memory: per target and key, the version written and the rows."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Key, tuple[int, list[dict[str, Any]]]]] = {}
        self.batches = 0

    def write(self, items: Sequence[tuple[Target, dict[str, Any]]]) -> int:
        self.batches += 1
        written: set[tuple[str, Key]] = set()
        for target, record in items:
            table = self.tables.setdefault(target.table, {})
            key = target.key_of(record)
            known = table.get(key)
            if known is not None and known[0] >= int(record["version"]):
                continue
            table[key] = (int(record["version"]), [dict(row) for row in record[target.rows]])
            written.add((target.table, key))
        return len(written)

    def rows(self, target: Target, key: Key) -> list[dict[str, Any]]:
        known = self.tables.get(target.table, {}).get(key)
        return [{f: row[f] for f in target.fields} for row in known[1]] if known else []
