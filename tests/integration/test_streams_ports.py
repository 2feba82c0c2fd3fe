"""The stream processor's ports: one contract, run against the fake the unit tests use and against the real
adapter on the local stack, so the fakes cannot drift from what the worker really gets.

- StatisticsSink (streams/materializing.py): ``Materializer`` on a fresh migrated database;
- Sends (streams/batching.py): ``Sender`` on a new topic of three partitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.settings import Settings
from streams.batching import Sends, partition_of
from streams.materializer import STANDINGS, Key, Materializer, Target
from streams.materializing import StatisticsSink
from streams.sender import Sender
from tests.conftest import unique
from tests.unit.streams.fakes import FakeSender, FakeStatisticsSink
from tests.waiting import eventually

Rows = Callable[[Target, Key], list[dict[str, Any]]]
Delivered = Callable[[str, int], list[tuple[int, bytes, bytes]]]


@pytest.fixture(params=["fake", "real"])
def sink(request: pytest.FixtureRequest) -> Iterator[tuple[StatisticsSink, Rows]]:
    if request.param == "fake":
        fake = FakeStatisticsSink()
        yield fake, fake.rows
        return
    dsn: str = request.getfixturevalue("database")
    materializer = Materializer(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:

        def rows(target: Target, key: Key) -> list[dict[str, Any]]:
            where = " AND ".join(f"{k} = %s" for k in target.key)
            query = f"SELECT {', '.join(target.fields)} FROM stats.{target.table} WHERE {where} ORDER BY position"
            cursor = conn.execute(query.encode(), key)
            names = [c.name for c in cursor.description or []]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

        yield materializer, rows
    materializer.close()


def row(position: int, team: int, points: int) -> dict[str, Any]:
    return {
        "position": position,
        "rank": position,
        "team_id": team,
        **dict.fromkeys(("played", "won", "drawn", "lost", "ot_won", "ot_lost"), 1),
        **dict.fromkeys(("goals_for", "goals_against", "goal_diff"), 0),
        "points": points,
        "points_pct": 0.5,
        "decided_by": "points",
        "unresolved": False,
    }


def standings(stage: int, version: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "stage_id": stage,
        "group_key": 0,
        "commit_lsn": 100 + version,
        "ordinal": 0,
        "version": version,
        "rows": rows,
    }


def test_the_statistics_sink_keeps_the_newest_version_of_each_key(sink: tuple[StatisticsSink, Rows]) -> None:
    target, (statistics, rows) = STANDINGS, sink
    newest = [row(1, 20, 3), row(2, 10, 0)]
    written = statistics.write(
        [
            (target, standings(1, 3, newest)),
            (target, standings(1, 1, [row(1, 10, 3), row(2, 20, 0)])),  # older, later in the batch
            (target, standings(2, 2, [row(1, 30, 1)])),
        ]
    )
    assert written == 2
    assert rows(target, (1, 0)) == newest
    assert rows(target, (2, 0)) == [row(1, 30, 1)]
    # as new as what is there, or older: nothing is written
    assert statistics.write([(target, standings(1, 3, [])), (target, standings(2, 1, []))]) == 0
    assert rows(target, (1, 0)) == newest
    # a newer record replaces every row of its key, here with none
    assert statistics.write([(target, standings(1, 4, []))]) == 1
    assert rows(target, (1, 0)) == []
    assert rows(target, (2, 0)) == [row(1, 30, 1)]


@pytest.fixture(params=["fake", "real"])
def publisher(request: pytest.FixtureRequest) -> tuple[Sends, str, Delivered]:
    topic = unique("rstat.test.ports")
    if request.param == "fake":
        fake = FakeSender(partitions=3)
        return fake, topic, lambda name, _count: [(m.partition, m.key, m.value) for m in fake.on(name)]
    stack: Settings = request.getfixturevalue("stack")
    bootstrap = stack.kafka.bootstrap()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])[topic].result(timeout=60)

    def delivered(name: str, count: int) -> list[tuple[int, bytes, bytes]]:
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("g"), "enable.auto.commit": False})
        consumer.assign([TopicPartition(name, p, 0) for p in range(3)])
        got: list[tuple[int, bytes, bytes]] = []

        def all_read() -> bool:
            for m in consumer.consume(100, 0.2):
                if m.error() is None:
                    got.append((int(m.partition() or 0), m.key() or b"", m.value() or b""))
            assert len(got) >= count, f"{len(got)} of {count} messages"
            return True

        try:
            eventually(all_read, interval=0, message=f"{count} messages in {name}")
        finally:
            consumer.close()
        return got

    return Sender(bootstrap), topic, delivered


def test_the_publisher_delivers_by_key_or_partition_in_order_once_flushed(
    publisher: tuple[Sends, str, Delivered],
) -> None:
    sends, topic, delivered = publisher
    elsewhere = (partition_of(b"0", 3) + 1) % 3  # not where the key alone would go
    sent = [(b"stage:1", b"a", None), (b"stage:2", b"b", None), (b"stage:1", b"c", None), (b"0", b"d", elsewhere)]
    for key, value, partition in sent:
        sends.send(topic, key, value, partition)
    sends.flush()
    got = delivered(topic, len(sent))
    expected = [(p if p is not None else partition_of(k, 3), k, v) for k, v, p in sent]
    assert sorted(got) == sorted(expected)
    for partition in range(3):  # each partition in the order sent
        assert [g for g in got if g[0] == partition] == [e for e in expected if e[0] == partition]
