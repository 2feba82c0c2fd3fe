"""Batched repartitioning: placement, packing, and the order a batch finishes in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest
from aiokafka.partitioner import DefaultPartitioner
from faust.streams import current_event
from hypothesis import given
from hypothesis import strategies as st

from streams.batching import Batches, Staged, keyed, partition_of
from streams.errors import DeliveryError


@given(st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=50), st.integers(1, 12))
def test_placement_is_the_default_partitioners(keys: list[bytes], partitions: int) -> None:
    """An entity's facts go where Kafka's default partitioner (and Faust's) would put its key."""
    every = list(range(partitions))
    for key in keys:
        assert partition_of(key, partitions) == DefaultPartitioner()(key, every, every)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.binary(max_size=300)), max_size=200),
    st.integers(1, 5),
    st.integers(64, 2048),
)
def test_each_partition_gets_its_items_once_in_order_in_messages_under_the_limit(
    items: list[tuple[int, bytes]], partitions: int, limit: int
) -> None:
    batches = Batches(partitions, msgspec.msgpack.encode, limit=limit)
    for n, (entity, payload) in enumerate(items):
        batches.add(str(entity).encode(), [n, entity, payload])
    got: dict[int, list[list[Any]]] = {}
    for partition, message in batches.drain():
        decoded = msgspec.msgpack.decode(message)
        # a message over the limit holds one item that is itself over it
        assert len(message) <= limit + 5 or len(decoded) == 1
        got.setdefault(partition, []).extend(decoded)
    for partition, received in got.items():
        assert [n for n, *_ in received] == sorted(n for n, *_ in received)
        assert all(partition_of(str(entity).encode(), partitions) == partition for _, entity, _ in received)
    assert sorted(n for received in got.values() for n, *_ in received) == list(range(len(items)))
    assert batches.drain() == []


@dataclass
class _Message:
    partition: int


@dataclass
class _Event:
    message: _Message


class _Sender:
    """Records what was sent and when it was flushed; a failing one refuses the flush."""

    def __init__(self, log: list[Any], fail: bool = False) -> None:
        self.log, self.fail = log, fail

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        self.log.append(("send", topic, key))

    def flush(self, timeout: float = 60) -> None:
        self.log.append(("flush",))
        if self.fail:
            raise DeliveryError("refused")


class _Table(dict[bytes, bytes]):
    """Records each write with the partition of the event current at the time (the changelog's)."""

    def __init__(self, log: list[Any]) -> None:
        super().__init__()
        self.log = log

    def __setitem__(self, key: bytes, value: bytes) -> None:
        event = current_event()
        self.log.append(("write", key, event.message.partition if event is not None else None))
        super().__setitem__(key, value)


def test_a_batch_writes_its_tables_only_after_kafka_took_its_messages() -> None:
    log: list[Any] = []
    table = _Table(log)
    table[b"old"] = b"0"
    log.clear()
    staged = Staged(_Sender(log))
    p0, p2 = [_Event(_Message(0))], [_Event(_Message(2))]
    staged.set(table, p0, b"a", b"1")
    staged.send("out", b"a", b"x")
    staged.set(table, p2, b"b", b"2")
    assert staged.get(table, b"a") == b"1"  # the batch reads its own writes
    assert staged.get(table, b"old") == b"0"
    assert b"a" not in table
    asyncio.run(staged.finish())
    assert log == [("send", "out", b"a"), ("flush",), ("write", b"a", 0), ("write", b"b", 2)]
    assert table == {b"old": b"0", b"a": b"1", b"b": b"2"}


def test_a_refused_batch_writes_nothing() -> None:
    log: list[Any] = []
    table = _Table(log)
    staged = Staged(_Sender(log, fail=True))
    staged.set(table, [_Event(_Message(1))], b"a", b"1")
    staged.send("out", b"a", b"x")
    with pytest.raises(DeliveryError):
        asyncio.run(staged.finish())
    assert table == {}
    assert [entry[0] for entry in log] == ["send", "flush"]


@dataclass
class _Valued:
    message: _Message
    value: bytes


def test_keyed_groups_each_partitions_items_and_makes_that_partition_current() -> None:
    encode = msgspec.msgpack.encode
    parts = [
        [_Valued(_Message(0), encode([["a", 1], ["b", 2]])), _Valued(_Message(0), encode([["a", 3]]))],
        [_Valued(_Message(2), encode([["c", 4]]))],
    ]
    seen = []
    for events, key, items in keyed(parts, msgspec.msgpack.decode, lambda item: item[0]):
        event = current_event()
        assert event is not None
        seen.append((event.message.partition, events[0].message.partition, key, [n for _, n in items]))
    assert seen == [(0, 0, "a", [1, 3]), (0, 0, "b", [2]), (2, 2, "c", [4])]
