"""The writer's batches over fake ports: grouping by schema, offsets committed after the inserts, what
happens to input that is not a change, and to a schema nobody published."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from audit.config import AuditConfig
from audit.errors import ClickHouseError, SchemaMissingError
from audit.metrics import AuditMetrics
from audit.writer import Writer
from schemas.codec import SchemaRegistry
from schemas.envelope import envelope_schema
from tests.unit.audit.fakes import Envelopes, FakeMessage, FakeSource, FakeStore

TOPIC = "rstat.cdc.things"


class RegistryTopic(SchemaRegistry):
    """The schemas on the registry topic: whatever is registered here is published."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[str] = []

    def register(self, schema: Any) -> str:
        fingerprint = super().register(schema)
        self.published.append(self.schema_json(fingerprint))
        return fingerprint


class Rig:
    def __init__(self, batches: list[list[FakeMessage]]) -> None:
        self.published = RegistryTopic()
        self.things = Envelopes(self.published)
        self.known = SchemaRegistry()  # what the writer has read of the registry topic so far
        self.reloads = 0
        self.source = FakeSource(batches)
        self.store = FakeStore()
        self.metrics = AuditMetrics()
        self.writer = Writer(
            AuditConfig(ttl_days=30),
            database="audit",
            source=self.source,
            store=self.store,
            registry=self.known,
            reload_schemas=self.reload,
            schema_topic="rstat.schemas",
            metrics=self.metrics,
        )

    def reload(self) -> int:
        self.reloads += 1
        for schema in self.published.published:
            self.known.register(schema)
        return len(self.published.published)

    def metric(self, name: str, **labels: str) -> float:
        value = self.metrics.registry.get_sample_value(name, labels)
        return 0.0 if value is None else value


def records(
    values: Sequence[bytes | None], topic: str = TOPIC, partition: int = 0, start: int = 0
) -> list[FakeMessage]:
    return [FakeMessage(topic, partition, start + n, v) for n, v in enumerate(values)]


def test_a_batch_is_inserted_then_its_offsets_committed() -> None:
    rig = Rig([])
    things = rig.things
    batch = records([things.encode("c", None, {"id": 1, "name": "a", "score": 0}, actor="user:7", org=3)])
    batch += records([things.encode("u", None, {"id": 1, "name": "a", "score": 2})], partition=1, start=40)
    rig.source.batches = [batch]
    assert rig.writer.step() == 2
    assert [r["after"]["score"] for r in rig.store.rows] == [0, 2]
    assert rig.store.rows[0]["context"] == {"actor": "user:7", "request_id": None, "source": None, "org": 3}
    assert rig.source.committed == {(TOPIC, 0): 1, (TOPIC, 1): 41}
    assert rig.reloads == 1  # the schema was new to the writer: it read the registry topic again
    assert rig.metric("rstat_audit_rows_total", table="things") == 2
    assert rig.metric("rstat_audit_committed_offset", topic=TOPIC, partition="1") == 41
    assert rig.metric("rstat_audit_last_commit_lsn") == 100


def test_each_schema_of_a_batch_is_one_insert_and_a_replayed_batch_adds_nothing() -> None:
    rig = Rig([])
    other = Envelopes(rig.published, table="others")
    values = [rig.things.encode("c", None, {"id": n, "name": "x", "score": n}) for n in range(3)]
    values.insert(1, other.encode("c", None, {"id": 9, "name": "o", "score": 0}))
    rig.source.batches = [records(values), records(values)]  # the same offsets again: a replay
    rig.writer.step()
    assert sorted(len(rows) for _, rows in rig.store.inserts) == [1, 3]
    rig.writer.step()
    assert len(rig.store.rows) == 4  # same offsets, same tokens: ClickHouse deduplicates


def test_input_that_is_not_a_change_is_logged_with_its_position_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig([])
    stats = rig.published.register({"type": "record", "name": "Standings", "fields": [{"name": "x", "type": "long"}]})
    good = rig.things.encode("c", None, {"id": 1, "name": "a", "score": 0})
    foreign = rig.published.encode(stats, {"x": 1})
    rig.source.batches = [records([b'{"json": true}', None, good, foreign, b"\xc3\x01short"])]
    with caplog.at_level(logging.INFO):
        assert rig.writer.step() == 1
    assert f"{TOPIC} [0] offset 0: not an Avro single-object message" in caplog.text
    assert f"{TOPIC} [0] offset 4: not an Avro single-object message" in caplog.text
    assert f"{TOPIC} carries messages that are not change envelopes" in caplog.text
    assert rig.source.committed == {(TOPIC, 0): 5}
    assert rig.metric("rstat_audit_skipped_total", reason="not_avro") == 2
    assert rig.metric("rstat_audit_skipped_total", reason="other_schema") == 1


def test_a_datum_clickhouse_cannot_read_is_found_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig([])
    good = rig.things.encode("c", None, {"id": 1, "name": "a", "score": 0})
    broken = good[:12]  # header and a truncated datum
    rig.source.batches = [records([good, broken, good])]
    with caplog.at_level(logging.WARNING):
        assert rig.writer.step() == 2
    assert f"{TOPIC} [0] offset 1: an Avro datum that does not decode" in caplog.text
    assert rig.metric("rstat_audit_skipped_total", reason="corrupt") == 1


def test_an_unknown_schema_stops_the_writer_with_what_to_do_and_commits_nothing() -> None:
    rig = Rig([])
    unpublished = SchemaRegistry()
    ghost = Envelopes(unpublished, table="ghosts")
    rig.source.batches = [records([rig.things.encode("c", None, {"id": 1, "name": "a", "score": 0})], start=10)]
    rig.source.batches.append(records([ghost.encode("c", None, {"id": 1, "name": "g", "score": 0})], start=11))
    rig.writer.step()
    with pytest.raises(SchemaMissingError) as stopped:
        rig.writer.step()
    message = str(stopped.value)
    assert f"{TOPIC} [0] offset 11: schema {ghost.fingerprint} is not on rstat.schemas" in message
    assert "restarting the reader" in message
    assert "start `rstat audit` again" in message
    assert rig.source.committed == {(TOPIC, 0): 11}  # the first batch only
    assert len(rig.store.rows) == 1


def test_a_failed_insert_is_retried_with_the_same_token(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = Rig([])
    rig.store.fail = [ClickHouseError("Code: 210. DB::NetException: Connection refused. (NETWORK_ERROR)")]
    monkeypatch.setattr(rig.writer.stop, "wait", lambda timeout=None: False)  # no real backoff
    rig.source.batches = [records([rig.things.encode("c", None, {"id": 1, "name": "a", "score": 0})])]
    with caplog.at_level(logging.WARNING):
        assert rig.writer.step() == 1
    assert "retrying in 0.5 s: Code: 210" in caplog.text
    assert len(rig.store.rows) == 1


def test_a_refused_commit_is_made_with_the_next_one() -> None:
    rig = Rig([])
    things = rig.things
    rig.source.refuse_commits = 1  # Kafka went away between the insert and the commit
    rig.source.batches = [
        records([things.encode("c", None, {"id": 1, "name": "a", "score": 0})]),
        records([things.encode("c", None, {"id": 2, "name": "b", "score": 0})], partition=2),
    ]
    rig.writer.step()
    assert rig.source.committed == {}
    rig.writer.step()
    assert rig.source.committed == {(TOPIC, 0): 1, (TOPIC, 2): 1}


def test_prepare_creates_the_table_and_sets_a_changed_ttl() -> None:
    rig = Rig([])
    rig.store.answer = lambda _sql: b"ReplacingMergeTree ... TTL toDateTime(commit_time) + toIntervalDay(90)\n"
    rig.writer.prepare()
    assert rig.store.statements[0] == "CREATE DATABASE IF NOT EXISTS `audit`"
    assert "ENGINE = ReplacingMergeTree" in rig.store.statements[1]
    assert rig.store.statements[2].endswith("MODIFY TTL toDateTime(commit_time) + toIntervalDay(30)")


def test_the_envelope_schema_names_the_primary_key() -> None:
    schema = envelope_schema("public", "memberships", [("org_id", "long"), ("user_id", "long")], ["org_id", "user_id"])
    assert schema["primary_key"] == ["org_id", "user_id"]
