"""Kafka down for 20 s under a running writer: it waits, says so, and catches up once the broker is back.

The broker is a KRaft node of the test's own (the jars of the local stack, a folder and ports of its own):
stopping the shared one would break the tests that other people run beside this one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.ops.stack.kafka import LocalKafka
from rstat.ops.stack.process import free_port
from rstat.settings import KafkaSettings, Settings, StackSettings
from schemas.codec import SchemaRegistry
from schemas.registry import publish_schema
from tests.integration.audit_support import AuditProcess, running_audit
from tests.unit.audit.fakes import Envelopes
from tests.waiting import eventually

OUTAGE_S = 20.0


@pytest.fixture
def kafka(stack: Settings, tmp_path: Path) -> Iterator[LocalKafka]:
    home = tmp_path / "stack"
    (home / "kafka").mkdir(parents=True)
    (home / "kafka" / "libs").symlink_to(stack.stack.home_path / "kafka" / "libs")  # resolved already
    node = LocalKafka(StackSettings(home=str(home)), KafkaSettings(port=free_port(), controller_port=free_port()))
    node.start()
    yield node
    node.stop()


@pytest.fixture
def audit(kafka: LocalKafka, tmp_path: Path) -> Iterator[AuditProcess]:
    yield from running_audit({**os.environ, "RSTAT__KAFKA__PORT": str(kafka.settings.port)}, tmp_path)


def test_kafka_down_for_20_s_the_writer_waits_and_catches_up(kafka: LocalKafka, audit: AuditProcess) -> None:
    bootstrap = kafka.settings.bootstrap()
    topic, schemas = "rstat.cdc.things", "rstat.schemas"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, 3, 1), NewTopic(schemas, 1, 1)]).values():
        future.result()
    registry = SchemaRegistry()
    things = Envelopes(registry)
    publish_schema(bootstrap, schemas, things.fingerprint, registry.schema_json(things.fingerprint))

    def produce(ids: range) -> None:
        producer = Producer({"bootstrap.servers": bootstrap})
        for n in ids:
            value = things.encode("c", None, {"id": n, "name": "x", "score": n})
            producer.produce(topic, key=str(n).encode(), value=value)
        assert producer.flush(30) == 0

    produce(range(50))
    audit.wait_rows(50)  # the writer found the table's topic (created after it started) and wrote it
    kafka.stop()
    down_at = time.monotonic()
    seen: set[str] = set()

    def outage_over() -> bool:
        """The writer lives through the whole outage and says what it waits for."""
        audit.running()
        seen.add(httpx.get(f"{audit.url}/healthz", timeout=5).json()["status"])
        return time.monotonic() - down_at >= OUTAGE_S

    eventually(outage_over, interval=0.5, timeout=OUTAGE_S + 60, message=f"{OUTAGE_S:.0f} s without Kafka")
    assert "waiting for kafka" in seen
    kafka.start()
    produce(range(50, 100))
    audit.wait_rows(100)
    assert audit.scalar("SELECT uniqExact(key) FROM changes") == 100

    def healthy() -> bool:
        return bool(httpx.get(f"{audit.url}/healthz", timeout=5).json()["status"] == "ok")

    eventually(healthy, message="the writer to say Kafka is back")
    log = audit.log.read_text()
    assert "Kafka unreachable" in log
    assert "Kafka answers again after" in log
