"""Writes the processor's outputs into the ``stats`` schema: one transaction per output record, replacing
the rows of its key, and never older than what is there (each key's version is kept beside it).

Synchronous psycopg on purpose: a write takes a few milliseconds, the agent runs with concurrency 1, and a
blocking write keeps the order of writes the order of the topic.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from streams.wire import ROW_FIELDS, TEAM_FIELDS

__all__ = ["LIVE_STANDINGS", "STANDINGS", "TEAM_RECORDS", "Materializer", "Target"]

log = logging.getLogger(__name__)


class Target:
    """A materialized table: its key columns (taken from the record) and row columns (taken from each row)."""

    def __init__(self, table: str, key: Sequence[str], fields: Sequence[str], rows: str) -> None:
        self.table = table
        self.key = list(key)
        self.fields = list(fields)
        self.rows = rows
        columns = [*self.key, *self.fields]
        where = sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in self.key)
        self.select_version = sql.SQL("SELECT version FROM stats.{} WHERE {} FOR UPDATE").format(
            sql.Identifier(f"{table}_versions"), where
        )
        self.delete = sql.SQL("DELETE FROM stats.{} WHERE {}").format(sql.Identifier(table), where)
        self.insert = sql.SQL("INSERT INTO stats.{} ({}) VALUES ({})").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        )
        version_columns = [*self.key, "version", "commit_lsn", "ordinal"]
        self.upsert_version = sql.SQL(
            "INSERT INTO stats.{} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET version = EXCLUDED.version, "
            "commit_lsn = EXCLUDED.commit_lsn, ordinal = EXCLUDED.ordinal, updated_at = now()"
        ).format(
            sql.Identifier(f"{table}_versions"),
            sql.SQL(", ").join(map(sql.Identifier, version_columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(version_columns)),
            sql.SQL(", ").join(map(sql.Identifier, self.key)),
        )


STANDINGS = Target("standings", ("stage_id", "group_key"), ROW_FIELDS, rows="rows")
LIVE_STANDINGS = Target("live_standings", ("stage_id", "group_key"), ROW_FIELDS, rows="rows")
TEAM_RECORDS = Target("team_records", ("stage_id",), TEAM_FIELDS, rows="teams")


class Materializer:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn)
        return self.conn

    def write(self, target: Target, record: dict[str, Any]) -> bool:
        """Replace the rows of the record's key unless a newer or equal version is already materialized."""
        key = tuple(int(record[k]) for k in target.key)
        version = int(record["version"])
        conn = self._connection()
        try:
            with conn.transaction():
                stored = conn.execute(target.select_version, key).fetchone()
                if stored is not None and int(stored[0]) >= version:
                    return False  # a replay or an older record: what is there is at least as new
                conn.execute(target.delete, key)
                with conn.cursor() as cursor:
                    cursor.executemany(
                        target.insert, [(*key, *(row[f] for f in target.fields)) for row in record[target.rows]]
                    )
                conn.execute(target.upsert_version, (*key, version, int(record["commit_lsn"]), int(record["ordinal"])))
        except psycopg.OperationalError:
            conn.close()
            raise
        log.info("%s %s materialized at version %d (%d rows)", target.table, key, version, len(record[target.rows]))
        return True

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
