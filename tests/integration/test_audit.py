"""``rstat audit`` as a process behind a private CDC reader: every change with who made it, never a secret
column; the SQL endpoint as ClickHouse clients use it; a writer killed mid-batch and a full replay leave each
change once; bad messages are logged with their position; an unknown schema stops the writer."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import clickhouse_connect
import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.settings import Settings
from schemas.codec import SchemaRegistry
from schemas.registry import publish_schema
from tests.conftest import unique
from tests.integration.audit_support import AuditProcess, audit_process, rows, running_audit
from tests.integration.cdc_support import CdcEnv, drop_env, make_env
from tests.unit.audit.fakes import Envelopes
from tests.waiting import eventually

SECRETS = ("SECRET-PASSWORD-HASH", "SECRET-CLIENT-HASH", "SECRET-TOKEN-HASH")


@pytest.fixture
def cdc(stack: Settings, tmp_path: Path) -> Iterator[CdcEnv]:
    env = make_env(stack, tmp_path)
    env.start()
    env.wait_streaming()
    yield env
    drop_env(env)


@pytest.fixture
def audit(cdc: CdcEnv, tmp_path: Path) -> Iterator[AuditProcess]:
    yield from running_audit(cdc.env, tmp_path)


def say(conn: object, **context: object) -> None:
    """The attribution message a write transaction starts with (api/db.py)."""
    conn.execute(  # type: ignore[attr-defined]
        "SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (json.dumps(context),)
    )


def test_every_change_with_who_made_it_and_never_a_secret(cdc: CdcEnv, audit: AuditProcess) -> None:
    with cdc.connect() as conn:
        with conn.transaction():
            say(conn, actor="user:1", request_id="req-1", source="admin-api", org=None)
            org = conn.execute("INSERT INTO organizations (slug, name) VALUES ('lions', 'Lions') RETURNING id")
            org_id = org.fetchone()[0]  # type: ignore[index]
            say(conn, actor="user:1", request_id="req-1", source="admin-api", org=org_id)
            conn.execute("INSERT INTO users (email, password_hash) VALUES ('a@b.c', %s)", (SECRETS[0],))
            conn.execute(
                "INSERT INTO api_clients (org_id, client_id, secret_hash, name) VALUES (%s, 'site', %s, 'Site')",
                (org_id, SECRETS[1]),
            )
            conn.execute(
                "INSERT INTO refresh_tokens (user_id, token_hash, expires_at) "
                "SELECT id, %s, now() + interval '1 day' FROM users",
                (SECRETS[2],),
            )
        with conn.transaction():
            say(conn, actor="crawler:nhl", request_id="run-9", source="crawler", org=org_id)
            conn.execute("UPDATE organizations SET name = 'Lions FC' WHERE id = %s", (org_id,))
        conn.execute("UPDATE organizations SET name = 'Lions by hand' WHERE id = %s", (org_id,))
        conn.execute("DELETE FROM refresh_tokens")
    # the two sports of the migrations (snapshot), then the 7 changes above
    audit.wait_rows(9)

    answer = audit.sql(
        "SELECT `table`, op, changed, org, actor, request_id, source FROM changes "
        "WHERE `table` != 'sports' ORDER BY commit_lsn, ordinal FORMAT JSONEachRow"
    )
    assert [(r["table"], r["op"], r["org"], r["actor"], r["source"]) for r in rows(answer)] == [
        ("organizations", "c", None, "user:1", "admin-api"),
        ("users", "c", org_id, "user:1", "admin-api"),
        ("api_clients", "c", org_id, "user:1", "admin-api"),
        ("refresh_tokens", "c", org_id, "user:1", "admin-api"),
        ("organizations", "u", org_id, "crawler:nhl", "crawler"),
        ("organizations", "u", None, "", ""),  # by hand in SQL: no attribution
        ("refresh_tokens", "d", None, "", ""),
    ]
    # secret columns stay in PostgreSQL: the CDC column lists keep them out of every envelope
    leaked = "SELECT count() FROM changes WHERE position(before, 'SECRET') > 0 OR position(after, 'SECRET') > 0"
    assert audit.scalar(leaked) == 0
    keys = rows(audit.sql("SELECT DISTINCT `table`, JSONExtractKeys(after) AS columns FROM changes FORMAT JSONEachRow"))
    columns = {r["table"]: set(r["columns"]) for r in keys if r["columns"]}
    assert "password_hash" not in columns["users"]
    assert "secret_hash" not in columns["api_clients"]
    assert "token_hash" not in columns["refresh_tokens"]
    assert "email" in columns["users"]


def test_the_sql_endpoint_speaks_clickhouse_http_for_reads(cdc: CdcEnv, audit: AuditProcess, stack: Settings) -> None:
    audit.wait_rows(2)  # the snapshot of the sports
    # curl 'http://127.0.0.1:8404/?query=SELECT+count()+FROM+changes'
    assert httpx.get(audit.url, params={"query": "SELECT count() FROM changes"}).text == "2\n"
    assert httpx.get(audit.url).text == "Ok.\n"
    posted = httpx.post(
        audit.url, params={"default_format": "JSONCompact"}, content=b"SELECT count() AS n FROM changes"
    )
    assert posted.json()["data"] == [[2]]
    assert posted.headers["X-ClickHouse-Format"] == "JSONCompact"
    bound = httpx.get(audit.url, params={"query": "SELECT {n:UInt8} * 2", "param_n": "21"})
    assert bound.text == "42\n"

    malformed = httpx.get(audit.url, params={"query": "SELEC count() FROM changes"})
    assert malformed.status_code == 400
    assert malformed.headers["X-ClickHouse-Exception-Code"] == "62"
    assert malformed.text.startswith("Code: 62. DB::Exception: Syntax error")
    refused = httpx.post(audit.url, content=b"DROP TABLE changes")
    assert refused.status_code == 403
    assert "read-only: it runs SELECT, WITH, SHOW, DESCRIBE, DESC, EXPLAIN, EXISTS queries, not DROP" in refused.text
    assert audit.scalar("SELECT count() FROM changes") == 2  # still there, still answering

    client = clickhouse_connect.get_client(host="127.0.0.1", port=int(audit.url.rsplit(":", 1)[1]))
    try:
        assert client.query("SELECT count() FROM changes").result_rows == [(2,)]
        assert client.query("SELECT key FROM changes ORDER BY key").result_rows == [
            ('{"code":"football"}',),
            ('{"code":"ice-hockey"}',),
        ]
    finally:
        client.close()

    query = audit.rstat("audit", "query", "SELECT op, count() AS n FROM changes GROUP BY op", "--format", "TSV")
    assert (query.returncode, query.stdout) == (0, "r\t2\n"), query.stderr
    report = audit.rstat("audit", "report", "activity", "--format", "TSVWithNames")
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[1].startswith("by hand in SQL\t\t2\t")
    status = audit.rstat("stack", "status", "--json")  # the writer holds the engine: status asks it
    clickhouse = json.loads(status.stdout)["clickhouse"]
    assert clickhouse["healthy"] is True, clickhouse
    assert f"open in the audit writer, read through {audit.url}" in clickhouse["mode"]
    assert audit.metric('rstat_audit_rows_total{table="sports"}') == 2
    health = httpx.get(f"{audit.url}/healthz").json()
    assert (health["status"], health["rows_written"]) == ("ok", 2)


def test_a_writer_killed_mid_batch_and_a_full_replay_leave_each_change_once(cdc: CdcEnv, tmp_path: Path) -> None:
    with cdc.connect() as conn:
        conn.execute(
            "INSERT INTO organizations (slug, name) SELECT 'org-' || g, 'Org ' || g FROM generate_series(1, 10000) g"
        )
    audit = audit_process(cdc.env, tmp_path, RSTAT__AUDIT__BATCH_MAX="500")
    total = 10002  # and the two sports
    try:
        audit.start()

        def writing() -> bool:
            audit.running()
            return audit.metric('rstat_audit_rows_total{table="organizations"}') > 0

        eventually(writing, interval=0.01, ignore=(httpx.TransportError,), message="the first batches")
        audit.proc.send_signal(signal.SIGKILL)  # while it writes the next ones
        audit.proc.wait()
        audit.start()
        audit.wait_rows(total)
        twice = "SELECT count() FROM (SELECT `table`, key, commit_lsn, ordinal FROM changes "
        twice += " GROUP BY ALL HAVING count() > 1)"
        assert audit.scalar(twice) == 0
        audit.stop()
        # a replay of everything (a new consumer group): the rows double in storage, never in results
        audit.start(RSTAT__AUDIT__GROUP=unique("replay"))
        eventually(
            lambda: audit.metric_sum("rstat_audit_rows_total") == total,
            ignore=(httpx.TransportError,),
            message="the replay",
        )
        assert audit.scalar("SELECT count() FROM changes") == total
        assert audit.scalar("SELECT count() FROM changes", final="0") >= total
    finally:
        audit.stop()


def test_bad_messages_are_logged_with_their_position_and_an_unknown_schema_stops_the_writer(
    stack: Settings, tmp_path: Path
) -> None:
    prefix = f"{unique('audit')}."
    topic, schemas = f"{prefix}things", f"{prefix}schemas"
    bootstrap = stack.kafka.bootstrap()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(t, 1, 1) for t in (topic, schemas)]).values():
        future.result()
    try:
        published, unpublished = SchemaRegistry(), SchemaRegistry()
        things, ghosts = Envelopes(published), Envelopes(unpublished, table="ghosts")
        publish_schema(bootstrap, schemas, things.fingerprint, published.schema_json(things.fingerprint))
        producer = Producer({"bootstrap.servers": bootstrap})
        for value in (
            b'{"not": "avro"}',
            things.encode("c", None, {"id": 1, "name": "kept", "score": 0}),
            ghosts.encode("c", None, {"id": 2, "name": "lost?", "score": 0}),
        ):
            producer.produce(topic, value=value)
        assert producer.flush(30) == 0
        topics = {"RSTAT__CDC__TOPIC_PREFIX": prefix, "RSTAT__CDC__SCHEMA_TOPIC": schemas}
        audit = audit_process({**os.environ, **topics}, tmp_path)
        proc = audit.start()
        assert proc.wait(timeout=120) == 2
        log = audit.tail()
        assert f"{topic} [0] offset 0: not an Avro single-object message" in log
        assert (
            f"{topic} [0] offset 2: schema {ghosts.fingerprint} is not on {schemas}, even after reading it again" in log
        )
        assert "start `rstat audit` again" in log
    finally:
        for future in admin.delete_topics([topic, schemas]).values():
            future.result()
