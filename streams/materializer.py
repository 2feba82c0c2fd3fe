"""Writes standings into the ``stats`` schema: one transaction per table, never older than what is there.

Synchronous psycopg on purpose: a write takes a few milliseconds, the agent runs with concurrency 1, and a
blocking write keeps the order of writes the order of the topic.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from psycopg import sql

from streams.wire import ROW_FIELDS

__all__ = ["StandingsMaterializer"]

log = logging.getLogger(__name__)

#: the row fields of the wire record, in the order of the table's columns after its key
COLUMNS = ("stage_id", "group_key", *ROW_FIELDS)
INSERT_ROW = sql.SQL("INSERT INTO stats.standings ({}) VALUES ({})").format(
    sql.SQL(", ").join(map(sql.Identifier, COLUMNS)), sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS))
)


class StandingsMaterializer:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn)
        return self.conn

    def write(self, record: dict[str, Any]) -> bool:
        """Replace the table of (stage, group) unless a newer or equal change is already materialized."""
        stage, group = int(record["stage_id"]), int(record["group_key"])
        position = (int(record["commit_lsn"]), int(record["ordinal"]))
        version = int(record["version"])
        conn = self._connection()
        try:
            with conn.transaction():
                cur = conn.execute(
                    "SELECT version FROM stats.standings_versions WHERE stage_id = %s AND group_key = %s FOR UPDATE",
                    (stage, group),
                )
                stored = cur.fetchone()
                if stored is not None and int(stored[0]) >= version:
                    return False  # a replay or an older table: what is there is at least as new
                conn.execute("DELETE FROM stats.standings WHERE stage_id = %s AND group_key = %s", (stage, group))
                with conn.cursor() as cursor:
                    cursor.executemany(
                        INSERT_ROW,
                        [(stage, group, *(r[f] for f in ROW_FIELDS)) for r in record["rows"]],
                    )
                conn.execute(
                    "INSERT INTO stats.standings_versions (stage_id, group_key, version, commit_lsn, ordinal) "
                    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (stage_id, group_key) DO UPDATE SET "
                    "version = EXCLUDED.version, commit_lsn = EXCLUDED.commit_lsn, ordinal = EXCLUDED.ordinal, "
                    "updated_at = now()",
                    (stage, group, version, *position),
                )
        except psycopg.OperationalError:
            conn.close()
            raise
        log.info(
            "standings of stage %s group %s materialized at %s/%s (%d rows)",
            stage,
            group,
            *position,
            len(record["rows"]),
        )
        return True

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
