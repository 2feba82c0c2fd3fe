"""The CDC reader's configuration section (``RSTAT__CDC__*``), owned here and composed by ``rstat.settings``.

List and mapping settings are written in small mini-languages in the environment (``a,b``, ``table.column``,
``table:col+col``); :data:`CdcConfig.env_parsers` turns them into tuples and mappings when the settings are
loaded, so a malformed value stops the process at start with the variable's name, not at first use.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["CdcConfig", "parse_csv", "parse_key_columns", "parse_table_columns"]


def parse_csv(value: str) -> tuple[str, ...]:
    """``a, b,,c`` -> ``("a", "b", "c")``."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def parse_table_columns(value: str) -> dict[str, tuple[str, ...]]:
    """``users.password_hash,users.x`` -> ``{"users": ("password_hash", "x")}``."""
    found: dict[str, list[str]] = {}
    for spec in parse_csv(value):
        table, _, column = spec.partition(".")
        if not table or not column or "." in column:
            raise ValueError(f"{spec!r} should read table.column")
        found.setdefault(table, []).append(column)
    return {table: tuple(columns) for table, columns in found.items()}


def parse_key_columns(value: str) -> dict[str, tuple[str, ...]]:
    """``match_events:match_id,t:a+b`` -> ``{"match_events": ("match_id",), "t": ("a", "b")}``."""
    found: dict[str, tuple[str, ...]] = {}
    for spec in parse_csv(value):
        table, _, columns = spec.partition(":")
        parts = tuple(c.strip() for c in columns.split("+"))
        if not table or not columns or not all(parts):
            raise ValueError(f"{spec!r} should read table:column[+column]")
        if table in found:
            raise ValueError(f"table {table!r} is named twice")
        found[table] = parts
    return found


class CdcConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The CDC reader (``rstat cdc``): what it captures and how it publishes."""

    env_parsers: ClassVar[dict[str, Any]] = {
        "tables": parse_csv,
        "exclude_tables": parse_csv,
        "exclude_columns": parse_table_columns,
        "key_columns": parse_key_columns,
    }

    #: Logical replication slot of the reader.
    slot: str = "rstat_cdc"
    #: Publication the slot reads; the reader creates it and keeps its table list in line with settings.
    publication: str = "rstat_pub"
    #: Tables to capture (``a,b``); empty: every table of the public schema (never ``stats``).
    tables: tuple[str, ...] = ()
    #: Tables never captured (``a,b``).
    exclude_tables: tuple[str, ...] = ("schema_migrations",)
    #: Columns never captured (``table.column,...``; a publication column list keeps them in the database).
    exclude_columns: dict[str, tuple[str, ...]] = msgspec.field(
        default_factory=lambda: {
            "users": ("password_hash",),
            "api_clients": ("secret_hash",),
            "refresh_tokens": ("token_hash",),
        }
    )
    #: Kafka key columns per table (``table:col+col,...``); other tables are keyed by primary key.
    key_columns: dict[str, tuple[str, ...]] = msgspec.field(
        default_factory=lambda: {"match_events": ("match_id",), "lineups": ("match_id",)}
    )
    #: Prefix of the per-table topics (``<prefix><table>``).
    topic_prefix: str = "rstat.cdc."
    #: Compacted topic of the Avro schemas (key: fingerprint hex, value: schema JSON).
    schema_topic: str = "rstat.schemas"
    #: Partitions of the per-table topics.
    partitions: int = 3
    #: Follow each delete by a tombstone (null value) with the same key, for compacted consumers.
    tombstones: bool = False
    #: Seconds between heartbeat messages written to the WAL, so the slot advances while tables are quiet.
    heartbeat_s: float = 10.0
    #: Seconds between standby status updates sent to PostgreSQL.
    status_interval_s: float = 1.0
    #: Port of the Prometheus metrics and /healthz endpoint (0 disables it).
    metrics_port: int = 9401
    #: Address that endpoint listens on (``0.0.0.0`` in a pod, so Prometheus and the probes reach it).
    metrics_host: str = "127.0.0.1"
    #: Create the slot with ``FAILOVER`` on PostgreSQL 17 and later, so that standbys keep a synchronized copy
    #: and the reader resumes on the promoted one after a failover (earlier versions have no such option).
    slot_failover: bool = True
    #: Folder for streamed (in-progress) transactions; empty: ``<stack home>/cdc-spill``.
    spill_dir: str = ""
    #: Messages produced but not yet acknowledged by Kafka before the reader stops reading the WAL.
    max_in_flight: int = 100_000
    #: Producer batching delay in milliseconds.
    linger_ms: int = 5
    #: Producer compression codec.
    compression: str = "lz4"
