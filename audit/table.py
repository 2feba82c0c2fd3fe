"""The ClickHouse table of audit rows: one row per change, designed after PeerDB's and Altinity's CDC sinks.

- ``ReplacingMergeTree`` ordered by (table, key, commit_lsn, ordinal): ``(commit_lsn, ordinal)`` names one
  change uniquely, so the only rows that ever collapse are copies of the same change (a batch replayed after
  a crash). There is no version column: a version decides which of two *different* rows survives, and a
  wrong one (Altinity's "version poisoning") would hide every later change of the row. Here no change can
  hide another.
- Queries read ``FINAL`` (the SQL endpoint sets ClickHouse's ``final`` setting), so a copy not merged away
  yet is never seen twice. Copies share their commit time, hence their monthly partition, which lets
  ``do_not_merge_across_partitions_select_final`` keep ``FINAL`` cheap.
- Inserts carry an ``insert_deduplication_token``; ``non_replicated_deduplication_window`` makes ClickHouse
  remember recent tokens, so an insert retried after an error that hid its success adds nothing.
- Partitioned by month of the commit; the TTL drops rows older than the configured days.
"""

from __future__ import annotations

import re

__all__ = ["COLUMNS", "create_statements", "quote_name", "ttl_days_of", "ttl_statement"]

#: the columns the writer fills, in insert order, with their ClickHouse types
COLUMNS: tuple[tuple[str, str], ...] = (
    ("table", "LowCardinality(String)"),
    #: the primary key as a JSON object, ``{"id":12}``; empty for a truncate
    ("key", "String"),
    #: c (insert), u (update), d (delete), t (truncate), r (snapshot read)
    ("op", "LowCardinality(String)"),
    ("commit_lsn", "UInt64"),
    ("ordinal", "UInt32"),
    ("lsn", "UInt64"),
    ("txid", "Nullable(Int64)"),
    ("commit_time", "DateTime64(6, 'UTC')"),
    #: the row before and after the change as JSON objects; empty when there is none
    ("before", "String"),
    ("after", "String"),
    #: columns whose value differs between before and after (a missing side counts as all nulls)
    ("changed", "Array(LowCardinality(String))"),
    #: columns left out of ``after`` because PostgreSQL did not send an unchanged TOASTed value
    ("unchanged_toast", "Array(String)"),
    #: attribution: the organization written for, the actor, request id and source ('' when not said:
    #: a change made by hand in SQL)
    ("org", "Nullable(Int64)"),
    ("actor", "String"),
    ("request_id", "String"),
    ("source", "String"),
    ("db", "LowCardinality(String)"),
    ("schema", "LowCardinality(String)"),
)

DEDUPLICATION_WINDOW = 10_000
_TTL = re.compile(r"toIntervalDay\((\d+)\)")


def quote_name(name: str) -> str:
    """A ClickHouse identifier in backquotes, whatever characters it holds."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _ttl(ttl_days: int) -> str:
    return f"toDateTime(commit_time) + toIntervalDay({ttl_days})"


def create_statements(database: str, table: str, ttl_days: int) -> list[str]:
    """The database and the table, created when missing."""
    columns = ",\n    ".join(f"{quote_name(name)} {kind}" for name, kind in COLUMNS)
    ttl = f"\nTTL {_ttl(ttl_days)}" if ttl_days > 0 else ""
    return [
        f"CREATE DATABASE IF NOT EXISTS {quote_name(database)}",
        f"CREATE TABLE IF NOT EXISTS {quote_name(database)}.{quote_name(table)} (\n    {columns},\n"
        "    `written_at` DateTime64(3, 'UTC') DEFAULT now64(3)\n)\n"
        "ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM(commit_time)\n"
        f"ORDER BY (`table`, key, commit_lsn, ordinal){ttl}\n"
        f"SETTINGS non_replicated_deduplication_window = {DEDUPLICATION_WINDOW}",
    ]


def ttl_days_of(engine_full: str) -> int:
    """The TTL in days of a table as ``system.tables.engine_full`` shows it (0: none)."""
    found = _TTL.search(engine_full)
    return int(found.group(1)) if found else 0


def ttl_statement(database: str, table: str, ttl_days: int) -> str:
    """The ALTER that gives an existing table the configured TTL."""
    target = f"{quote_name(database)}.{quote_name(table)}"
    return f"ALTER TABLE {target} MODIFY TTL {_ttl(ttl_days)}" if ttl_days > 0 else f"ALTER TABLE {target} REMOVE TTL"
