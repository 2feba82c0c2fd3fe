"""Capture real pgoutput bytes into tests/data/pgoutput for the decoder's unit tests.

Run by hand against the local stack (``.venv/bin/python tools/capture_pgoutput.py``); the output is a test
fixture, committed with its provenance.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from psycopg import sql

from rstat.settings import load_settings

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pgoutput" / "capture_pg15.json"
TEMP_DB = "pgoutput_capture"

WORKLOAD = [
    "CREATE TYPE mood AS ENUM ('sad', 'happy')",
    "CREATE TABLE t (id int PRIMARY KEY, n numeric, ts timestamptz, d date, j jsonb, m mood, a int[], big text, "
    "b boolean)",
    "ALTER TABLE t REPLICA IDENTITY FULL",
    "CREATE TABLE u (id bigint PRIMARY KEY, v text)",
    "CREATE PUBLICATION p FOR TABLE t, u",
    "SELECT pg_create_logical_replication_slot('s', 'pgoutput')",
    "BEGIN",
    "SELECT pg_logical_emit_message(true, 'rstat.context', '{\"actor\":\"alice\"}')",
    "INSERT INTO t VALUES (1, 12345678901234567890.123456789, '2024-03-01 12:00:00+03', '2024-02-29', "
    "'{\"a\": [1, 2]}', 'happy', '{1,NULL,3}', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g), "
    "true)",
    "COMMIT",
    "UPDATE t SET b = false WHERE id = 1",  # the TOASTed text stays unchanged
    "UPDATE t SET n = NULL WHERE id = 1",
    "INSERT INTO u VALUES (1, 'a')",
    "UPDATE u SET id = 2 WHERE id = 1",  # a key change: the old key tuple is sent
    "DELETE FROM t WHERE id = 1",
    "TRUNCATE u",
    "SELECT pg_logical_emit_message(false, 'rstat.heartbeat', 'hb')",
    "SET logical_decoding_work_mem = '64kB'",  # small enough to stream the next transaction
    "BEGIN",
    "INSERT INTO u SELECT g, repeat('y', 100) FROM generate_series(10, 2000) g",
    "SAVEPOINT sp",
    "INSERT INTO u VALUES (5000, 'aborted')",
    "ROLLBACK TO SAVEPOINT sp",
    "COMMIT",
]
PEEK = (
    "SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL, 'proto_version', '2', "
    "'publication_names', 'p', 'messages', 'true', 'streaming', 'on')"
)


def main() -> None:
    settings = load_settings()
    with psycopg.connect(settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMP_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMP_DB)))
    with psycopg.connect(settings.postgres.admin_dsn(TEMP_DB), autocommit=True) as conn:
        for statement in WORKLOAD:
            conn.execute(statement.encode())
        rows = conn.execute(PEEK).fetchall()
        conn.execute("SELECT pg_drop_replication_slot('s')")
    with psycopg.connect(settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(TEMP_DB)))
    messages: list[dict[str, str]] = []
    run = 0
    for lsn, data in rows:
        raw = bytes(data)
        run = run + 1 if raw[:1] == b"I" and messages and messages[-1]["hex"].startswith("49") else 0
        if run < 3:  # inside streamed segments keep three inserts in a row: enough to test, small to commit
            messages.append({"lsn": str(lsn), "hex": raw.hex()})
    OUT.write_text(
        json.dumps(
            {
                "source": "PostgreSQL 15 pgoutput, proto_version 2, streaming on, captured by "
                "pg_logical_slot_peek_binary_changes; at most three consecutive inserts kept",
                "messages": messages,
            },
            indent=0,
        )
    )
    print(f"{len(messages)} messages written to {OUT}")


if __name__ == "__main__":
    main()
