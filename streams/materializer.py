"""Writes the processor's outputs into the ``stats`` schema: a batch of records per transaction, each
replacing the rows of its key, and never older than what is there (each key's version is kept beside it).

Set-based on purpose: a batch costs three statements per table whatever its size (versions upserted where
newer, returning the keys that won; their old rows deleted; their new rows copied in), and bursts coalesce
(of many records of one key only the newest is written). One transaction per batch, so a reader never sees
a key's rows half replaced. Synchronous psycopg, called from a thread by the agent (concurrency 1, so the
order of writes is the order of the topic and the event loop keeps serving the other agents).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import sql

from streams.wire import PLAYER_FIELDS, ROW_FIELDS, TEAM_FIELDS

__all__ = [
    "LIVE_STANDINGS",
    "PLAYER_STATS",
    "STANDINGS",
    "TEAM_RECORDS",
    "Key",
    "Materializer",
    "Target",
    "copy_rows",
    "key_columns",
    "newest_by_key",
    "version_columns",
]

log = logging.getLogger(__name__)

Key = tuple[int, ...]


class Target:
    """A materialized table: its key columns (taken from the record) and row columns (taken from each row)."""

    def __init__(self, table: str, key: Sequence[str], fields: Sequence[str], rows: str) -> None:
        self.table = table
        self.key = list(key)
        self.fields = list(fields)
        self.rows = rows
        keys = sql.SQL(", ").join(map(sql.Identifier, self.key))
        versions = sql.Identifier(f"{table}_versions")
        arrays = sql.SQL(", ").join(sql.SQL("%s::bigint[]") for _ in range(len(self.key) + 3))
        self.upsert_versions = sql.SQL(
            "INSERT INTO stats.{versions} AS v ({keys}, version, commit_lsn, ordinal) "
            "SELECT * FROM unnest({arrays}) "
            "ON CONFLICT ({keys}) DO UPDATE SET version = EXCLUDED.version, commit_lsn = EXCLUDED.commit_lsn, "
            "ordinal = EXCLUDED.ordinal, updated_at = now() WHERE v.version < EXCLUDED.version "
            "RETURNING {keys}"
        ).format(versions=versions, keys=keys, arrays=arrays)
        self.delete = sql.SQL("DELETE FROM stats.{} WHERE ({}) IN (SELECT * FROM unnest({}))").format(
            sql.Identifier(table), keys, sql.SQL(", ").join(sql.SQL("%s::bigint[]") for _ in self.key)
        )
        self.copy = sql.SQL("COPY stats.{} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, [*self.key, *self.fields]))
        )

    def key_of(self, record: dict[str, Any]) -> Key:
        return tuple(int(record[k]) for k in self.key)


STANDINGS = Target("standings", ("stage_id", "group_key"), ROW_FIELDS, rows="rows")
LIVE_STANDINGS = Target("live_standings", ("stage_id", "group_key"), ROW_FIELDS, rows="rows")
TEAM_RECORDS = Target("team_records", ("stage_id",), TEAM_FIELDS, rows="teams")
PLAYER_STATS = Target("player_stats", ("season_id", "player_id"), PLAYER_FIELDS, rows="players")


def newest_by_key(items: Sequence[tuple[Target, dict[str, Any]]]) -> dict[Target, dict[Key, dict[str, Any]]]:
    """Of a batch's records, the newest of each key per target (bursts coalesce: only it is written)."""
    newest: dict[Target, dict[Key, dict[str, Any]]] = {}
    for target, record in items:
        per_key = newest.setdefault(target, {})
        key = target.key_of(record)
        known = per_key.get(key)
        if known is None or int(record["version"]) > int(known["version"]):
            per_key[key] = record
    return newest


def version_columns(target: Target, records: dict[Key, dict[str, Any]]) -> list[list[int]]:
    """The arrays of :attr:`Target.upsert_versions`: the key columns, then version, commit_lsn, ordinal."""
    columns: list[list[int]] = [[] for _ in range(len(target.key) + 3)]
    for key, record in records.items():
        for n, value in enumerate((*key, int(record["version"]), int(record["commit_lsn"]), int(record["ordinal"]))):
            columns[n].append(value)
    return columns


def key_columns(keys: list[Key]) -> list[list[int]]:
    """The arrays of :attr:`Target.delete`: one per key column."""
    return [list(c) for c in zip(*keys, strict=True)]


def copy_rows(target: Target, keys: list[Key], records: dict[Key, dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """The rows :attr:`Target.copy` writes for ``keys``: each row of a key's record, after the key."""
    for key in keys:
        for row in records[key][target.rows]:
            yield (*key, *(row[f] for f in target.fields))


class Materializer:
    """The :class:`~streams.materializing.StatisticsSink` of the worker: PostgreSQL's ``stats`` schema."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.dsn)
        return self.conn

    def write(self, items: Sequence[tuple[Target, dict[str, Any]]]) -> int:
        """Write a batch of records in one transaction, only the newest of each key; a record older than or
        as new as what is materialized is skipped. Returns how many keys were written."""
        conn = self._connection()
        written = 0
        try:
            with conn.transaction():
                for target, records in newest_by_key(items).items():
                    written += self._replace(conn, target, records)
        except psycopg.OperationalError:
            conn.close()
            raise
        log.debug("%d records, %d written", len(items), written)
        return written

    @staticmethod
    def _replace(conn: psycopg.Connection[tuple[Any, ...]], target: Target, records: dict[Key, dict[str, Any]]) -> int:
        """Replace the rows of every key whose record is newer than the materialized version."""
        won: list[Key] = [tuple(r) for r in conn.execute(target.upsert_versions, version_columns(target, records))]
        if not won:
            return 0  # replays or older records only: what is there is at least as new
        conn.execute(target.delete, key_columns(won))
        with conn.cursor() as cursor, cursor.copy(target.copy) as copy:
            for values in copy_rows(target, won, records):
                copy.write_row(values)
        return len(won)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
