"""Repartitioning in batches: the facts bound for one partition of an internal topic travel as one message.

Why: per Kafka message, Faust, aiokafka and asyncio cost ~100 µs of Python (futures, the conductor, commit
tracking, socket writes), several times what folding one fact costs. One CDC change used to fan out into a
dozen such messages (a protocol row, a protocol, each player's line), which capped the worker at ~500
match events per second. Now each agent takes a micro-batch from its input, and everything it sends to a
repartition topic is gathered per destination partition and sent as one message: a batch of thousands
of changes crosses each hop as about ``partitions`` messages.

Placement is the one Kafka's default partitioner gives the entity's key (murmur2, as the Java client and
aiokafka compute it), so an entity's facts always reach the same partition, in order, and its table rows
live in that partition's changelog (a table is written while an event of that partition is current): a
restarted or another worker that takes the partition over recovers exactly that entity's state.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from typing import Any, Protocol

from aiokafka.partitioner import murmur2
from faust.streams import _current_event

__all__ = [
    "MESSAGE_BYTES",
    "Batches",
    "Outbox",
    "Sends",
    "Sink",
    "Staged",
    "StateTable",
    "batches_by_partition",
    "in_partition",
    "keyed",
    "partition_of",
]


@functools.lru_cache(maxsize=65536)
def _murmur(key: bytes) -> int:
    """Keys repeat (a match's events, a player's lines): the pure-Python hash is computed once per key."""
    return int(murmur2(key)) & 0x7FFFFFFF


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner gives ``key``."""
    return _murmur(key) % partitions


#: a repartition message stays well under Kafka's default 1 MB message limit (a football protocol is ~3 kB)
MESSAGE_BYTES = 256 * 1024


class Batches:
    """Items for one repartition topic, gathered per destination partition; :meth:`drain` packs each
    partition's items, in the order they were added, into messages (msgpack arrays) of at most about
    ``limit`` bytes."""

    def __init__(self, partitions: int, encode: Callable[[Any], bytes], limit: int = MESSAGE_BYTES) -> None:
        self.partitions = partitions
        self.encode = encode
        self.limit = limit
        self.parts: dict[int, list[bytes]] = {}

    def add(self, key: bytes, item: Any) -> None:
        self.parts.setdefault(partition_of(key, self.partitions), []).append(self.encode(item))

    def drain(self) -> list[tuple[int, bytes]]:
        parts, self.parts = self.parts, {}
        out = []
        for partition in sorted(parts):
            chunk: list[bytes] = []
            size = 0
            for encoded in parts[partition]:
                if chunk and size + len(encoded) > self.limit:
                    out.append((partition, _array(chunk)))
                    chunk, size = [], 0
                chunk.append(encoded)
                size += len(encoded)
            out.append((partition, _array(chunk)))
        return out


def _array(encoded: list[bytes]) -> bytes:
    """A msgpack array of already encoded items (array 32 header: type byte, big-endian length)."""
    return b"\xdd" + len(encoded).to_bytes(4, "big") + b"".join(encoded)


class Sink(Protocol):
    """Where an :class:`Outbox` sends: a batch's :class:`Staged` work, or a :class:`Sends` itself."""

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None: ...


class Sends(Sink, Protocol):
    """The port :class:`Staged` sends through (:class:`streams.sender.Sender` in the worker)."""

    def flush(self, timeout: float = 60) -> None: ...


class Outbox(Batches):
    """:class:`Batches` for one topic."""

    def __init__(self, topic: str, partitions: int, encode: Callable[[Any], bytes]) -> None:
        super().__init__(partitions, encode)
        self.topic = topic

    def flush(self, sink: Sink) -> None:
        """Send what was gathered, one message per partition (or more, past the size limit)."""
        for partition, value in self.drain():
            sink.send(self.topic, b"%d" % partition, value, partition)


class StateTable(Protocol):
    """A table of the agent's state (a Faust table in the worker): bytes keys and values."""

    def get(self, key: bytes) -> bytes | None: ...
    def __setitem__(self, key: bytes, value: bytes) -> None: ...


class Staged:
    """What a batch sends and what it writes to its tables, finished in the one order that loses nothing
    when the worker dies part-way: every message it sent acknowledged by Kafka first, then the table
    writes. Had the state been written first, a worker killed before its messages left would leave a
    state that already holds the batch: the batch, replayed, would change nothing and send nothing, and
    its outputs would be lost for good. This way a replay finds the state as it was before the batch and
    sends the same outputs again, which the next agent ignores (they carry the same versions).
    Reads go through :meth:`get`, so a key written earlier in the batch reads as written."""

    def __init__(self, sender: Sends) -> None:
        self.sender = sender
        self._writes: dict[tuple[int, bytes], tuple[StateTable, list[Any], bytes]] = {}

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        self.sender.send(topic, key, value, partition)

    def get(self, table: StateTable, key: bytes) -> bytes | None:
        staged = self._writes.get((id(table), key))
        return staged[2] if staged is not None else table.get(key)

    def set(self, table: StateTable, events: list[Any], key: bytes, value: bytes) -> None:
        """Write ``table[key]`` once the batch's messages are acknowledged, into the changelog partition
        of ``events`` (the events of one partition that the write comes from)."""
        self._writes[(id(table), key)] = (table, events, value)

    async def finish(self) -> None:
        # in a thread, so the event loop goes on serving the other agents meanwhile; raises if Kafka
        # refused a message, and the worker stops before anything is written
        await asyncio.to_thread(self.sender.flush)
        writes, self._writes = self._writes, {}
        for (_, key), (table, events, value) in writes.items():
            in_partition(events)
            table[key] = value


async def batches_by_partition(stream: Any, size: int, within: float) -> AsyncIterator[list[list[Any]]]:
    """The stream's events in micro-batches (up to ``size`` messages, waiting at most ``within`` seconds to
    fill one), each batch split into its partitions' events in their order. The caller takes one
    partition's events after another, each after :func:`in_partition`, and its table writes name the
    events they come from (:meth:`Staged.set`). A batch is
    acknowledged once the caller asks for the next one (``take_events``), so a crash replays it."""
    async for events in stream.take_events(size, within=within):
        parts: dict[int, list[Any]] = {}
        for event in events:
            if event.value:
                parts.setdefault(event.message.partition, []).append(event)
        if parts:
            yield [parts[p] for p in sorted(parts)]


def keyed(
    parts: list[list[Any]], decoder: Callable[[bytes], list[Any]], key: Callable[[Any], Hashable]
) -> Iterator[tuple[list[Any], Any, list[Any]]]:
    """A batch's items grouped by ``key`` within each partition, as (that partition's events, key, its items
    in order). The partition's events are made current first (:func:`in_partition`), so the caller reads
    and writes the tables of that partition while it handles the group."""
    for events in parts:
        in_partition(events)
        groups: dict[Any, list[Any]] = {}
        for event in events:
            for item in decoder(event.value):
                groups.setdefault(key(item), []).append(item)
        for group_key, group in groups.items():
            yield events, group_key, group


def in_partition(events: list[Any]) -> None:
    """Make the last of these events (all of one partition) the current one of this task, before the
    task reads or writes a table for them: Faust's RocksDB store reads a key from the database of the
    current event's partition, and sends a write to that partition's changelog. Only this task's context
    variable is set: the stream's own ``current_event`` attribute is what take_events' background reader
    uses to collect the next batch, and must stay its own."""
    _current_event.set(weakref.ref(events[-1]))
