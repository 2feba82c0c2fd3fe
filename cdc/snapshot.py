"""Snapshots: every row of a table published as op ``r``.

The initial snapshot reads in the snapshot exported when the slot was created, so nothing falls between the
rows read and the changes streamed after. A re-snapshot (``rstat cdc snapshot TABLE``) is a WAL message the
reader acts on when it reaches it, reading the table as it is then.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql

from cdc.catalog import Catalog
from cdc.envelopes import Envelopes, Tx
from cdc.errors import CdcConfigError
from cdc.pgoutput import LogicalMessage
from cdc.replication import format_lsn

__all__ = ["SESSION_OPTIONS", "Snapshots", "request_snapshot", "requested_table"]

log = logging.getLogger(__name__)

#: settings of every reader connection: values in UTC, ISO dates, floats that round-trip
SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3"
_BATCH = 5000


class Snapshots:
    """Reads tables on connections of their own and publishes their rows as op ``r`` changes."""

    def __init__(self, admin_dsn: str, catalog: Catalog, publication: str, envelopes: Envelopes) -> None:
        self.admin_dsn = admin_dsn
        self.catalog = catalog
        self.publication = publication
        self.envelopes = envelopes

    def read_table(
        self, conn: psycopg.Connection[tuple[Any, ...]], table: str, tx: Tx, progress: Callable[[], None]
    ) -> int:
        """Publish every row of ``table`` in ``tx``; ``progress`` runs every few thousand rows."""
        published = self.catalog.publication_columns(self.publication).get(table)
        if published is None:
            raise CdcConfigError(f"{table} is not captured (not in publication {self.publication})")
        oids = dict(self.catalog.columns(table))
        columns = [(c, oids[c]) for c in published]
        info = self.envelopes.relinfo("public", table, columns)
        select = sql.SQL("SELECT {} FROM public.{}").format(
            sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c, _ in columns),
            sql.Identifier(table),
        )
        count = 0
        emit = self.envelopes.emit
        with conn.cursor(name=f"snapshot_{table}") as cur:
            cur.itersize = _BATCH
            cur.execute(select)
            for row in cur:
                values = tuple(None if v is None else str(v).encode() for v in row)
                emit(info, "r", None, values, tx)
                count += 1
                if count % _BATCH == 0:
                    progress()
        return count

    def initial(self, snapshot: str | None, tables: list[str], tx: Tx, progress: Callable[[], None]) -> int:
        """Every row of ``tables`` as of the exported ``snapshot`` of a new slot; returns the row count."""
        with psycopg.connect(self.admin_dsn, options=SESSION_OPTIONS) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            total = 0
            for table in tables:
                rows = self.read_table(conn, table, tx, progress)
                total += rows
                log.info("snapshot of %s: %d rows", table, rows)
            conn.execute("COMMIT")
        return total

    def table(self, table: str, tx: Tx, progress: Callable[[], None]) -> int:
        """Every row of ``table`` as it is now (a requested re-snapshot)."""
        with psycopg.connect(self.admin_dsn, options=SESSION_OPTIONS) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            rows = self.read_table(conn, table, tx, progress)
            conn.execute("COMMIT")
        return rows


def requested_table(message: LogicalMessage, lsn: int, tables: list[str]) -> str | None:
    """The captured table an ``rstat.snapshot`` message asks for; None (logged) when it is not one."""
    try:
        table = json.loads(message.content)["table"]
    except (ValueError, KeyError, TypeError):
        log.error("ignored a malformed snapshot request at %s: %r", format_lsn(lsn), message.content[:200])
        return None
    if table not in tables:
        log.error("ignored a snapshot request for %r at %s: not a captured table", table, format_lsn(lsn))
        return None
    return str(table)


def request_snapshot(admin_dsn: str, table: str) -> str:
    """Ask the running reader to re-snapshot ``table``: a WAL message it acts on when it reaches it."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (f"public.{table}",)).fetchone()
        if exists is None or exists[0] is None:
            raise CdcConfigError(f"no table public.{table}")
        row = conn.execute(
            "SELECT pg_logical_emit_message(false, 'rstat.snapshot', %s)::text", (json.dumps({"table": table}),)
        ).fetchone()
    assert row is not None
    return str(row[0])
