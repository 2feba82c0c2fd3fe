"""The peer of ``rstat bench cdc --peer debezium`` works on the real stack: Kafka Connect standalone with
Debezium's PostgreSQL connector streams rows committed after it started to its topic, in Debezium's envelope
with the commit timestamp the latency figure reads.

The jars are resolved by Maven on the first run (cached under the stack home afterwards); starting the JVM
and the connector takes 10-30 s on a busy 2-core machine.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec
import psycopg
from confluent_kafka import Consumer, TopicPartition

from rstat.bench.debezium import DebeziumJars
from rstat.bench.debezium_measure import running_debezium
from rstat.settings import Settings


def test_debezium_streams_committed_rows_to_kafka(stack: Settings) -> None:
    jars = DebeziumJars(stack.stack.home_path)
    jars.resolve()
    keys: list[Any] = []
    values: list[Any] = []
    with running_debezium(stack, jars) as peer:
        with psycopg.connect(peer.dsn, autocommit=True) as conn:
            conn.execute("INSERT INTO bench_rows VALUES (1, 7, 'goal', 12, 'a'), (2, 7, 'goal', 30, 'b')")
            conn.execute("UPDATE bench_rows SET minute = 31 WHERE id = 2")
        consumer = Consumer({"bootstrap.servers": stack.kafka.bootstrap(), "group.id": uuid.uuid4().hex})
        try:
            partitions = consumer.list_topics(peer.topic, timeout=10).topics[peer.topic].partitions
            consumer.assign([TopicPartition(peer.topic, p, 0) for p in partitions])  # a fresh topic: from 0
            deadline = time.monotonic() + 60
            while len(values) < 3 and time.monotonic() < deadline and not peer.run.failed():
                for message in consumer.consume(10, 0.5):
                    if message.error() is not None or message.value() is None:
                        continue
                    value = msgspec.json.decode(message.value() or b"null")
                    if value["after"]["kind"] != "probe":  # the peer's own readiness probe
                        keys.append(msgspec.json.decode(message.key() or b"null"))
                        values.append(value)
        finally:
            consumer.close()
        log = peer.run.log_tail()
    assert len(values) == 3, log
    changes = sorted((v["op"], v["after"]["id"], v["after"]["minute"]) for v in values)
    assert changes == [("c", 1, 12), ("c", 2, 30), ("u", 2, 31)]
    assert all(v["source"]["table"] == "bench_rows" for v in values)
    assert all(v["source"]["ts_us"] > 1_700_000_000_000_000 for v in values)  # µs since the epoch
    assert sorted(k["id"] for k in keys) == [1, 2, 2]
