"""The CDC reader end to end on the real stack: PostgreSQL WAL -> ``rstat cdc`` -> Kafka -> decoded envelopes."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from rstat.ops.stack.kafka import LocalKafka
from rstat.ops.stack.postgres import LocalPostgres
from rstat.settings import Settings
from tests.integration.cdc_support import CdcEnv, Change, drop_env, make_env
from tests.waiting import eventually

TYPES_DDL = """
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE kinds (
    id bigint PRIMARY KEY, i int, n numeric, f double precision, t text, b boolean,
    tz timestamptz, ts timestamp, d date, j jsonb, m mood, arr int[], big text
);
ALTER TABLE kinds REPLICA IDENTITY FULL;
"""


@pytest.fixture
def cdc(stack: Settings, tmp_path: Path) -> Iterator[CdcEnv]:
    env = make_env(stack, tmp_path)
    yield env
    drop_env(env)


def in_order(changes: list[Change]) -> list[dict[str, Any]]:
    """The records in source order: partitions interleave arbitrarily, ``(commit_lsn, ordinal)`` does not."""
    records = [c.record for c in changes if c.record is not None]
    return sorted(records, key=lambda r: (r["source"]["commit_lsn"], r["source"]["ordinal"]))


def ops(changes: list[Change], table: str | None = None) -> list[str]:
    return [
        c.record["op"]
        for c in changes
        if c.record is not None and (table is None or c.record["source"]["table"] == table)
    ]


def test_every_op_with_typed_values_toast_and_time_zones(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute(TYPES_DDL.encode())
    cdc.start()
    cdc.wait_streaming()
    big = "".join(f"{n:08x}" for n in range(3000))  # 24 kB, TOASTed
    with cdc.connect() as conn:
        conn.execute("SET TimeZone = 'Asia/Tokyo'")  # the writer's zone must not change what is published
        conn.execute(
            "INSERT INTO kinds VALUES (1, 7, 12345678901234567890.123456789012, 0.1, 'héllo', true, "
            "'2024-03-01 12:00:00+09', '2024-03-01 12:00:00', '2024-02-29', '{\"k\": [1, null]}', 'happy', "
            "'{1,NULL,3}', %s)",
            (big,),
        )
        conn.execute("UPDATE kinds SET b = false WHERE id = 1")  # big unchanged: TOAST not re-sent
        conn.execute("UPDATE kinds SET t = NULL, big = 'small' WHERE id = 1")
        conn.execute("INSERT INTO kinds (id) VALUES (2)")
        conn.execute("DELETE FROM kinds WHERE id = 2")
        conn.execute("TRUNCATE kinds")
    changes = cdc.changes(["kinds"], lambda seen: ops(seen).count("t") >= 3)  # one truncate per partition
    records: list[dict[str, Any]] = in_order(changes)
    assert [r["op"] for r in records if r["op"] != "t"] == ["c", "u", "u", "c", "d"]
    insert = records[0]["after"]
    assert Decimal(insert["n"]) == Decimal("12345678901234567890.123456789012")
    assert insert["i"] == 7
    assert insert["f"] == 0.1
    assert insert["t"] == "héllo"
    assert insert["b"] is True
    assert insert["tz"].isoformat() == "2024-03-01T03:00:00+00:00"
    assert insert["ts"].isoformat() == "2024-03-01T12:00:00"
    assert insert["d"].isoformat() == "2024-02-29"
    assert json.loads(insert["j"]) == {"k": [1, None]}
    assert insert["m"] == "happy"
    assert insert["arr"] == [1, None, 3]
    assert insert["big"] == big
    toast_update = records[1]
    assert toast_update["unchanged_toast"] == ["big"]
    assert toast_update["after"]["big"] is None
    assert toast_update["before"]["b"] is True  # REPLICA IDENTITY FULL: the whole old row
    assert toast_update["after"]["b"] is False
    null_update = records[2]
    assert null_update["unchanged_toast"] == []
    assert null_update["after"]["t"] is None  # a real NULL, not an unchanged column
    assert null_update["after"]["big"] == "small"
    delete = records[4]
    assert delete["after"] is None
    assert delete["before"]["id"] == 2
    deletes = [c for c in changes if c.record is not None and c.record["op"] == "d"]
    assert deletes[0].key == b'{"id":2}'
    truncates = [c for c in changes if c.record is not None and c.record["op"] == "t"]
    assert sorted(c.partition for c in truncates) == [0, 1, 2]
    positions = [c.position for c in changes if c.record is not None]
    assert len(set(positions)) == len(positions) - 2  # the truncate repeats on each partition, same position
    cdc.stop(cdc.procs[0])


def test_snapshot_then_stream_without_gap_or_overlap(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE feed (id bigint PRIMARY KEY, v text)")
        conn.execute("INSERT INTO feed SELECT g, 'before' FROM generate_series(1, 3000) g")
    stop = threading.Event()
    written = [3000]

    def writer() -> None:
        with cdc.connect() as conn:
            while not stop.is_set():
                written[0] += 1
                conn.execute("INSERT INTO feed VALUES (%s, 'during')", (written[0],))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        cdc.start()
        cdc.wait_streaming()
        # the writer goes on until the stream has carried some of its rows (after the snapshot's)
        cdc.changes(["feed"], lambda seen: any(c.record and c.record["op"] == "c" for c in seen))
    finally:
        stop.set()
        thread.join()
    total = written[0]
    changes = cdc.changes(["feed"], lambda seen: len({c.record["after"]["id"] for c in seen if c.record}) >= total)
    ids = Counter(c.record["after"]["id"] for c in changes if c.record is not None)
    assert set(ids) == set(range(1, total + 1))  # no gap
    assert max(ids.values()) == 1  # no overlap
    snapshot = [c for c in changes if c.record is not None and c.record["op"] == "r"]
    assert len(snapshot) >= 3000
    assert {c.record["source"]["commit_lsn"] for c in snapshot if c.record} == {snapshot[0].position[0]}
    streamed = [c for c in changes if c.record is not None and c.record["op"] == "c"]
    assert all(c.position[0] > snapshot[0].position[0] for c in streamed)


def test_context_on_every_change_of_its_transaction_only(cdc: CdcEnv) -> None:
    cdc.start()
    cdc.wait_streaming()
    with cdc.connect() as conn:
        with conn.transaction():
            conn.execute(
                "SELECT pg_logical_emit_message(true, 'rstat.context', "
                '\'{"actor": "user:7", "request_id": "req-1", "source": "admin-api", "org": 3}\')'
            )
            conn.execute("INSERT INTO organizations (slug, name) VALUES ('one', 'One'), ('two', 'Two')")
            conn.execute("UPDATE organizations SET name = 'Uno' WHERE slug = 'one'")
        conn.execute("INSERT INTO organizations (slug, name) VALUES ('three', 'Three')")
    changes = cdc.changes(["organizations"], lambda seen: len(seen) >= 4)
    contexts = [(c.record["after"]["slug"], c.record["context"]) for c in changes if c.record is not None]
    attributed = {"actor": "user:7", "request_id": "req-1", "source": "admin-api", "org": 3}
    assert sorted(contexts, key=lambda x: x[0]) == sorted(
        [
            ("one", attributed),
            ("two", attributed),
            ("one", attributed),
            ("three", {"actor": None, "request_id": None, "source": None, "org": None}),
        ],
        key=lambda x: x[0],
    )


def test_column_added_and_dropped_while_streaming(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE shape (id int PRIMARY KEY, a text)")
    proc = cdc.start()
    cdc.wait_streaming()
    with cdc.connect() as conn:
        conn.execute("INSERT INTO shape VALUES (1, 'x')")
        conn.execute("ALTER TABLE shape ADD COLUMN b int")
        conn.execute("INSERT INTO shape VALUES (2, 'y', 42)")
        conn.execute("ALTER TABLE shape DROP COLUMN a")
        conn.execute("INSERT INTO shape VALUES (3, 7)")
    changes = cdc.changes(["shape"], lambda seen: len(seen) >= 3)
    rows = [r["after"] for r in in_order(changes)]
    assert rows == [{"id": 1, "a": "x"}, {"id": 2, "a": "y", "b": 42}, {"id": 3, "b": 7}]
    assert proc.poll() is None  # no restart was needed


def test_excluded_columns_never_leave_the_database(cdc: CdcEnv) -> None:
    cdc.start()
    cdc.wait_streaming()
    with cdc.connect() as conn:
        conn.execute("INSERT INTO users (email, password_hash) VALUES ('a@b.c', 'scrypt$secret-hash')")
    changes = cdc.changes(["users"], lambda seen: len(seen) >= 1)
    record = changes[0].record
    assert record is not None
    assert "password_hash" not in record["after"]
    assert record["after"]["email"] == "a@b.c"
    with cdc.connect() as conn:
        published = conn.execute(
            "SELECT attnames FROM pg_publication_tables WHERE pubname = %s AND tablename = 'users'",
            (cdc.env["RSTAT__CDC__PUBLICATION"],),
        ).fetchone()
    assert published is not None
    assert "password_hash" not in published[0]


def _work_mem(cdc: CdcEnv) -> str:
    """logical_decoding_work_mem as a new backend (a new walsender too) gets it."""
    with cdc.connect() as conn:
        row = conn.execute("SHOW logical_decoding_work_mem").fetchone()
    assert row is not None
    return str(row[0])


def test_streamed_transactions_commit_or_vanish(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE bulk (id bigint PRIMARY KEY, v text)")
        conn.execute("ALTER SYSTEM SET logical_decoding_work_mem = '64kB'")
        conn.execute("SELECT pg_reload_conf()")
    try:
        # the reader's walsender is started once the server has read the setting, so it decodes with it
        eventually(lambda: _work_mem(cdc) == "64kB", message="logical_decoding_work_mem = 64kB for new backends")
        cdc.start()
        cdc.wait_streaming()
        with cdc.connect() as conn:
            with conn.transaction():
                conn.execute("INSERT INTO bulk SELECT g, repeat('a', 200) FROM generate_series(1, 5000) g")
                conn.execute("SAVEPOINT s")
                conn.execute("INSERT INTO bulk SELECT g, repeat('b', 200) FROM generate_series(100001, 103000) g")
                conn.execute("ROLLBACK TO SAVEPOINT s")
                conn.execute("INSERT INTO bulk VALUES (200000, 'last')")
            conn.execute("BEGIN")
            conn.execute("INSERT INTO bulk SELECT g, repeat('c', 200) FROM generate_series(300001, 306000) g")
            conn.execute("ROLLBACK")
            conn.execute("INSERT INTO bulk VALUES (400000, 'after')")
        changes = cdc.changes(["bulk"], lambda seen: any(c.record and c.record["after"]["id"] == 400000 for c in seen))
    finally:
        with cdc.connect() as conn:
            conn.execute("ALTER SYSTEM RESET logical_decoding_work_mem")
            conn.execute("SELECT pg_reload_conf()")
    ids = sorted(c.record["after"]["id"] for c in changes if c.record is not None)
    assert ids == [*range(1, 5001), 200000, 400000]
    assert "streamed transaction" in cdc.log.read_text()
    first = [c for c in changes if c.record is not None and c.record["after"]["id"] <= 200000]
    assert sorted(c.record["source"]["ordinal"] for c in first if c.record) == list(range(len(first)))
    assert len({c.record["source"]["commit_lsn"] for c in first if c.record}) == 1


def test_kill_9_and_restart_loses_nothing_and_duplicates_keep_their_position(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, v int)")
    proc = cdc.start()
    cdc.wait_streaming()
    stop = threading.Event()
    count = [0]

    def writer() -> None:
        with cdc.connect() as conn:
            while not stop.is_set() or count[0] < 2000:
                count[0] += 1
                conn.execute("INSERT INTO ledger VALUES (%s, 1)", (count[0],))
                if count[0] >= 4000:
                    return

    thread = threading.Thread(target=writer)
    thread.start()
    cdc.changes(["ledger"], lambda seen: len(seen) >= 200)  # killed while it is publishing the writer's rows
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cdc.wait_slot_released()
    cdc.start()
    stop.set()
    thread.join()
    total = count[0]
    changes = cdc.changes(["ledger"], lambda seen: len({c.record["after"]["id"] for c in seen if c.record}) >= total)
    by_id: dict[int, set[tuple[int, int]]] = {}
    for c in changes:
        assert c.record is not None
        by_id.setdefault(c.record["after"]["id"], set()).add(c.position)
    assert set(by_id) == set(range(1, total + 1))
    assert all(len(positions) == 1 for positions in by_id.values())  # a duplicate has the same position


def test_slot_dropped_behind_its_back_is_a_clear_error(cdc: CdcEnv) -> None:
    proc = cdc.start()
    cdc.wait_streaming()
    slot = cdc.env["RSTAT__CDC__SLOT"]
    with cdc.connect() as conn:

        def dropped() -> bool:
            conn.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s "
                "AND active_pid IS NOT NULL",
                (slot,),
            )
            conn.execute("SELECT pg_drop_replication_slot(%s)", (slot,))
            return True

        # the slot stays active until its walsender has gone, and the reader may reconnect in between
        eventually(dropped, interval=0.05, ignore=(psycopg.errors.ObjectInUse,), message=f"slot {slot} to be dropped")
    assert proc.wait(timeout=120) == 2
    log = cdc.log.read_text()
    assert "was dropped or invalidated" in log or "existed and is gone" in log
    assert "rstat cdc --recreate-slot" in log
    # starting again without --recreate-slot refuses too
    again = cdc.run()
    assert again.returncode == 2
    assert "existed and is gone" in again.stderr
    # --recreate-slot creates it and snapshots again
    with cdc.connect() as conn:
        conn.execute("INSERT INTO organizations (slug, name) VALUES ('after-loss', 'After')")
    cdc.start("--recreate-slot")
    cdc.wait_streaming()
    changes = cdc.changes(["organizations"], lambda seen: any(c.record and c.record["op"] == "r" for c in seen))
    assert any(c.record and c.record["after"]["slug"] == "after-loss" for c in changes)


def test_requested_snapshot_while_streaming(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("INSERT INTO organizations (slug, name) VALUES ('a1', 'A'), ('b2', 'B')")
    cdc.start()
    cdc.wait_streaming()
    result = cdc.run("snapshot", "organizations")
    assert result.returncode == 0, result.stderr
    assert "snapshot of organizations requested" in result.stdout
    cdc.changes(["organizations"], lambda seen: sum(1 for c in seen if c.record and c.record["op"] == "r") >= 4)
    with cdc.connect() as conn:
        conn.execute("INSERT INTO organizations (slug, name) VALUES ('c3', 'C')")
    changes = cdc.changes(["organizations"], lambda seen: any(c.record and c.record["op"] == "c" for c in seen))
    snapshots = [c for c in changes if c.record is not None and c.record["op"] == "r"]
    assert len(snapshots) == 4  # the initial snapshot (2 rows) and the requested one (2 rows)
    assert len({c.position for c in snapshots}) == 4
    bad = cdc.run("snapshot", "no_such_table")
    assert bad.returncode == 2
    assert "no table public.no_such_table" in bad.stderr


def test_postgres_restart_reader_reconnects_and_resumes(cdc: CdcEnv, stack: Settings) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE steady (id bigint PRIMARY KEY)")
        conn.execute("INSERT INTO steady VALUES (1)")
    proc = cdc.start()
    cdc.wait_streaming()
    postgres = LocalPostgres(stack.stack, stack.postgres)
    postgres.stop()
    eventually(  # the reader notices while the server is down, and retries
        lambda: "PostgreSQL connection lost" in cdc.log.read_text(), message="the reader to notice the lost server"
    )
    postgres.start()
    with cdc.connect() as conn:
        conn.execute("INSERT INTO steady VALUES (2)")
    changes = cdc.changes(["steady"], lambda seen: any(c.record and c.record["after"]["id"] == 2 for c in seen))
    assert {c.record["after"]["id"] for c in changes if c.record} == {1, 2}
    assert proc.poll() is None
    assert re.search(r"PostgreSQL connection lost .* reconnecting", cdc.log.read_text())


def test_kafka_down_for_20_seconds_loses_nothing_and_confirms_nothing_ahead(cdc: CdcEnv, stack: Settings) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE outage (id bigint PRIMARY KEY)")
    proc = cdc.start()
    cdc.wait_streaming()
    kafka = LocalKafka(stack.stack, stack.kafka)
    slot = cdc.env["RSTAT__CDC__SLOT"]
    with cdc.connect() as conn:
        conn.execute("INSERT INTO outage SELECT generate_series(1, 1000)")
        cdc.changes(["outage"], lambda seen: len(seen) >= 1000)
        kafka.stop()
        try:
            first_outage_lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
            for n in range(1001, 1201):
                conn.execute("INSERT INTO outage VALUES (%s)", (n,))
                time.sleep(0.1)  # paces the writes, it waits for nothing: the broker stays down through 20 s of them
            behind = conn.execute(
                "SELECT confirmed_flush_lsn <= %s FROM pg_replication_slots WHERE slot_name = %s",
                (first_outage_lsn[0] if first_outage_lsn else None, slot),
            ).fetchone()
            restarted = kafka.pid()  # the stack fixture of another test session on this stack starts it again
        finally:
            kafka.start()
        conn.execute("INSERT INTO outage SELECT generate_series(1201, 1500)")
    assert restarted is None, "something started the broker again during the outage (another test session?)"
    assert behind == (True,)  # nothing written during the outage was confirmed to PostgreSQL
    changes = cdc.changes(
        ["outage"], lambda seen: len({c.record["after"]["id"] for c in seen if c.record}) >= 1500, timeout=120
    )
    assert {c.record["after"]["id"] for c in changes if c.record} == set(range(1, 1501))
    assert proc.poll() is None


def test_a_million_row_transaction_streams_in_bounded_memory(cdc: CdcEnv) -> None:
    with cdc.connect() as conn:
        conn.execute("CREATE TABLE million (id bigint PRIMARY KEY, v int, note text)")
    proc = cdc.start()
    cdc.wait_streaming()
    with cdc.connect() as conn:
        conn.execute("INSERT INTO million SELECT g, g % 97, 'row ' || g FROM generate_series(1, 1000000) g")
    seen: set[int] = set()

    def complete(changes: list[Change]) -> bool:
        seen.update(c.record["after"]["id"] for c in changes[len(seen) :] if c.record)
        return len(seen) >= 1_000_000

    changes = cdc.changes(["million"], complete, timeout=300)
    assert len(seen) == 1_000_000
    assert len({c.position for c in changes}) == 1_000_000
    status = Path(f"/proc/{proc.pid}/status").read_text()
    peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    assert peak_kb < 300 * 1024, f"the reader's peak memory was {peak_kb // 1024} MB"
    assert "streamed transaction" in cdc.log.read_text()  # it went through the spill, not memory


def test_quiet_tables_do_not_hold_back_the_slot_and_metrics_tell_it(stack: Settings, tmp_path: Path) -> None:
    cdc = make_env(stack, tmp_path, RSTAT__CDC__TABLES="teams", RSTAT__CDC__TOMBSTONES="true")
    try:
        proc = cdc.start()
        cdc.wait_streaming()
        with cdc.connect() as conn:
            conn.execute("CREATE TABLE noise (id bigint, pad text)")  # busy, but not captured
            conn.execute("INSERT INTO noise SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g")
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
            slot = cdc.env["RSTAT__CDC__SLOT"]
            eventually(
                lambda: (
                    conn.execute(
                        "SELECT confirmed_flush_lsn >= %s FROM pg_replication_slots WHERE slot_name = %s",
                        (target[0] if target else None, slot),
                    ).fetchone()
                    == (True,)
                ),
                message="the slot to move past WAL of tables it does not capture",
            )
            org = conn.execute("INSERT INTO organizations (slug, name) VALUES ('quiet', 'Q') RETURNING id").fetchone()
            assert org is not None
            conn.execute("INSERT INTO teams (org_id, name) VALUES (%s, 'Quiet FC')", (org[0],))
            conn.execute("DELETE FROM teams WHERE name = 'Quiet FC'")
        changes = cdc.changes(["teams"], lambda seen: len(seen) >= 3)
        assert [c.record["op"] if c.record else None for c in changes] == ["c", "d", None]  # tombstone last
        assert changes[2].key == changes[1].key
        port = cdc.env["RSTAT__CDC__METRICS_PORT"]
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30)
        assert health.status == 200

        def counted() -> str | None:
            """/metrics once it counts the delete (the counters are updated with each status report)."""
            text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
            return str(text) if 'rstat_cdc_changes_total{op="d",table="teams"}' in text else None

        text = eventually(counted, message="the delete from teams to be counted in /metrics")
        assert 'rstat_cdc_changes_total{op="c",table="teams"} 1.0' in text
        assert 'rstat_cdc_changes_total{op="d",table="teams"} 1.0' in text
        for name in (
            "rstat_cdc_slot_lag_bytes",
            "rstat_cdc_commit_to_ack_seconds_count",
            "rstat_cdc_messages_in_flight",
            "rstat_cdc_last_flushed_lsn",
            "rstat_cdc_slot_ok 1.0",
            "rstat_cdc_bytes_total",
        ):
            assert name in text, name
        assert proc.poll() is None
    finally:
        drop_env(cdc)
