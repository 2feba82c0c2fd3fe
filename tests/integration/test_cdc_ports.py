"""Contract tests of the CDC reader's ports, each run against the fake the unit tests use and against the real
adapter on the local stack: what the unit tests assume of a fake, the real thing does too."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import msgspec
import psycopg
import pytest
from confluent_kafka.admin import AdminClient
from psycopg import sql

from cdc.config import CdcConfig
from cdc.envelopes import EventPublisher
from cdc.metrics import CdcMetrics
from cdc.pgoutput import Begin, Commit, Insert, PgoutputDecoder
from cdc.publisher import Publisher
from cdc.replication import ReplicationStream, parse_lsn, parse_xlogdata
from cdc.session import ChangeSource
from rstat.settings import Settings
from tests.conftest import DATA, unique
from tests.unit.cdc.fakes import FakeChangeSource, FakePublisher, xlogdata
from tests.waiting import StopWaiting, eventually

PARTITIONS = 2


# -- the event publisher ---------------------------------------------------------------------------------


@pytest.fixture(params=["fake", "kafka"])
def publisher(request: pytest.FixtureRequest) -> Iterator[tuple[EventPublisher, str]]:
    """(publisher, a topic of this test only)."""
    prefix = unique("ports")
    topic = f"{prefix}.changes"
    if request.param == "fake":
        yield FakePublisher(partitions=PARTITIONS), topic
        return
    settings: Settings = request.getfixturevalue("stack")
    config = CdcConfig(partitions=PARTITIONS, schema_topic=f"{prefix}.schemas")
    yield Publisher(settings.kafka.bootstrap(), config, CdcMetrics()), topic
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap()})
    doomed = [t for t in admin.list_topics(timeout=30).topics if t.startswith(prefix)]
    for future in admin.delete_topics(doomed, operation_timeout=60).values() if doomed else ():
        future.result()


def test_publisher_confirms_a_transaction_once_every_message_is_acknowledged(
    publisher: tuple[EventPublisher, str],
) -> None:
    events, topic = publisher
    events.ensure_topics([topic])
    assert events.partitions(topic) == PARTITIONS
    events.publish_schema("8a8f25cce724dd63", '"null"')  # returns once the registry topic has it
    tracker = events.tracker
    now_us = int(time.time() * 1e6)
    tx = tracker.begin(now_us)
    events.produce(topic, b'{"id":1}', b"one", tx)
    events.produce(topic, b'{"id":2}', b"two", tx)
    events.produce(topic, None, b"every partition", tx, partition=1)
    events.produce(topic, b'{"id":1}', None, tx)  # a tombstone
    tracker.commit(tx, 100)
    assert tracker.in_flight == 4
    assert tracker.advance() == 0  # delivery reports arrive only through poll
    still_open = tracker.begin(now_us)
    events.produce(topic, b'{"id":3}', b"three", still_open)
    assert events.drain(timeout=60)
    assert tracker.in_flight == 0
    assert tracker.advance() == 100  # acknowledged, but not committed: not confirmed
    tracker.commit(still_open, 200)
    assert tracker.advance() == 200
    assert events.take_bytes() == len(b"one" + b"two" + b"every partition" + b"three")
    assert events.take_bytes() == 0


# -- the change source -----------------------------------------------------------------------------------


@dataclass
class SourceRig:
    source: ChangeSource
    write: Callable[[], None]  # commit one transaction that inserts a row
    confirmed: Callable[[], int]  # the position the server was told it may forget WAL up to


def fake_source() -> SourceRig:
    capture = json.loads((DATA / "pgoutput" / "capture_pg15.json").read_text())["messages"]
    first_tx = [xlogdata(parse_lsn(m["lsn"]), bytes.fromhex(m["hex"])) for m in capture[:6]]
    source = FakeChangeSource()
    return SourceRig(source, lambda: source.frames.extend(first_tx), lambda: source.flushed)


@pytest.fixture(params=["fake", "postgres"])
def change_source(request: pytest.FixtureRequest) -> Iterator[SourceRig]:
    if request.param == "fake":
        yield fake_source()
        return
    settings: Settings = request.getfixturevalue("stack")
    pg = settings.postgres
    name, slot = unique("ports"), unique("slot")
    with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin = psycopg.connect(pg.admin_dsn(name), autocommit=True)
    admin.execute("CREATE TABLE t (id int PRIMARY KEY)")
    admin.execute("CREATE PUBLICATION pub FOR TABLE t")
    stream = ReplicationStream(msgspec.structs.replace(pg, database=name).repl_dsn())
    try:
        stream.create_slot(slot, export_snapshot=False)
        stream.start(slot, "pub", 0)
        rows = iter(range(1, 1000))

        def confirmed() -> int:
            row = admin.execute(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = %s", (slot,)
            ).fetchone()
            assert row is not None
            return parse_lsn(str(row[0]))

        def write() -> None:
            admin.execute("INSERT INTO t VALUES (%s)", (next(rows),))

        yield SourceRig(stream, write, confirmed)
    finally:
        stream.close()

        def released() -> bool:
            row = admin.execute("SELECT active_pid FROM pg_replication_slots WHERE slot_name = %s", (slot,))
            return row.fetchone() == (None,)

        eventually(released, message=f"replication slot {slot} to be released")
        admin.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
        admin.close()
        with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_change_source_sends_a_transaction_and_takes_back_the_flushed_position(change_source: SourceRig) -> None:
    rig = change_source
    rig.write()
    decoder = PgoutputDecoder()
    messages: list[object] = []

    def committed() -> bool:
        frame = rig.source.read(0.2)
        if frame is not None and frame[0] == ord("w"):  # keepalives ('k') may come in between
            start, wal_end, body = parse_xlogdata(frame)
            if wal_end < start:
                raise StopWaiting(f"XLogData ends at {wal_end}, before its start {start}")
            messages.append(decoder.decode(body))
        if not messages or not isinstance(messages[-1], Commit):
            raise AssertionError(f"no whole transaction yet: {messages}")
        return True

    eventually(committed, interval=0, message="a whole transaction from the change source")
    assert isinstance(messages[0], Begin)
    assert any(isinstance(m, Insert) for m in messages)
    commit = messages[-1]
    assert isinstance(commit, Commit)
    before = rig.confirmed()
    assert before < commit.end_lsn
    rig.source.send_status(commit.end_lsn, commit.end_lsn)

    def taken_back() -> bool:
        assert rig.confirmed() == commit.end_lsn
        return True

    eventually(taken_back, interval=0.05, message=f"the slot to confirm {commit.end_lsn}")
