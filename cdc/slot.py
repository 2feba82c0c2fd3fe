"""The replication slot and the publication: created, checked, recorded, watched.

A slot that existed before (recorded in ``rstat_cdc.slot_state``) and is now gone or invalidated stops the
reader with an error: silently recreating it would lose the changes in between. The publication is kept in
line with the configured tables and excluded columns at every start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg

from cdc.catalog import Catalog
from cdc.config import CdcConfig
from cdc.envelopes import EventPublisher
from cdc.errors import CdcConfigError, SlotLostError
from cdc.metrics import CdcMetrics
from cdc.replication import ReplicationStream, format_lsn

__all__ = ["STATE_DDL", "Slot", "sync_publication"]

log = logging.getLogger(__name__)

STATE_DDL = (
    "CREATE SCHEMA IF NOT EXISTS rstat_cdc",
    "CREATE TABLE IF NOT EXISTS rstat_cdc.slot_state (slot_name text PRIMARY KEY, "
    "created_at timestamptz NOT NULL DEFAULT now(), consistent_lsn pg_lsn NOT NULL)",
)
_RECREATE = "Run `rstat cdc --recreate-slot` to create it again and re-snapshot every table"
#: (snapshot name, consistent LSN) of a new slot -> publish its rows
InitialSnapshot = Callable[[str | None, int], None]


def sync_publication(
    admin: psycopg.Connection[tuple[Any, ...]], catalog: Catalog, config: CdcConfig, publisher: EventPublisher
) -> list[str]:
    """Make the publication match the configuration; returns the captured tables."""
    for ddl in STATE_DDL:
        admin.execute(ddl.encode())
    tables = catalog.tables(list(config.tables), list(config.exclude_tables))
    if not tables:
        raise CdcConfigError("no table to capture: check RSTAT__CDC__TABLES and RSTAT__CDC__EXCLUDE_TABLES")
    specs: dict[str, list[str] | None] = {}
    for table in tables:
        excluded = frozenset(config.exclude_columns.get(table, ()))
        columns = [c for c, _ in catalog.columns(table)]
        specs[table] = [c for c in columns if c not in excluded] if excluded else None
    catalog.sync_publication(config.publication, specs)
    publisher.ensure_topics([config.topic_prefix + t for t in tables])
    log.info(
        "capturing %d tables into %s<table> (publication %s)", len(tables), config.topic_prefix, config.publication
    )
    return tables


class Slot:
    """The reader's slot, looked at and written through an ordinary (admin) connection."""

    def __init__(
        self, admin: psycopg.Connection[tuple[Any, ...]], name: str, metrics: CdcMetrics, failover: bool = False
    ) -> None:
        """``failover``: a slot created here is synchronized to standbys where the server can (17+)."""
        self.admin = admin
        self.name = name
        self.metrics = metrics
        self.failover = failover

    def row(self) -> tuple[str | None, str | None] | None:
        """(confirmed_flush_lsn, wal_status) of the slot, None when there is none."""
        row = self.admin.execute(
            "SELECT confirmed_flush_lsn::text, wal_status FROM pg_replication_slots "
            "WHERE slot_name = %s AND database = current_database()",
            (self.name,),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def recorded(self) -> bool:
        """Whether the slot was created by the reader before (and so must not silently reappear)."""
        found = self.admin.execute("SELECT 1 FROM rstat_cdc.slot_state WHERE slot_name = %s", (self.name,)).fetchone()
        return found is not None

    def open(self, recreate: bool, stream: ReplicationStream, snapshot: InitialSnapshot) -> int:
        """Find or create the slot; returns the LSN to start streaming from (0: the slot's own position)."""
        slot = self.row()
        if recreate:
            if slot is not None:
                self.admin.execute("SELECT pg_drop_replication_slot(%s)", (self.name,))
                log.warning("dropped slot %s as asked (--recreate-slot); a new snapshot follows", self.name)
            self.admin.execute("DELETE FROM rstat_cdc.slot_state WHERE slot_name = %s", (self.name,))
            slot = None
        elif slot is None and self.recorded():
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.name} existed and is gone: changes since it was dropped may be lost. "
                + _RECREATE
            )
        elif slot is not None and slot[1] == "lost":
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.name} was invalidated (wal_status = lost): PostgreSQL removed WAL it "
                "still needed. " + _RECREATE
            )
        self.metrics.slot_ok.set(1)
        if slot is not None:
            log.info("resuming slot %s from %s", self.name, slot[0])
            return 0
        consistent, exported = stream.create_slot(self.name, export_snapshot=True, failover=self.failover)
        snapshot(exported, consistent)
        self.admin.execute(
            "INSERT INTO rstat_cdc.slot_state (slot_name, consistent_lsn) VALUES (%s, %s)",
            (self.name, format_lsn(consistent)),
        )
        return consistent

    def check_after(self, exc: Exception) -> None:
        """After a lost connection: a slot that is now gone (or lost) ends the reader with a clear error."""
        slot = self.row()
        if (slot is None and self.recorded()) or (slot is not None and slot[1] == "lost"):
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.name} was dropped or invalidated while streaming "
                f"({str(exc).strip().splitlines()[0]}); run `rstat cdc --recreate-slot` to create it again and "
                "re-snapshot every table"
            ) from exc

    def heartbeat(self) -> None:
        """A WAL message, so the slot advances while the captured tables are quiet."""
        self.admin.execute("SELECT pg_logical_emit_message(false, 'rstat.heartbeat', now()::text)")

    def measure_lag(self) -> None:
        row = self.admin.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), wal_status FROM pg_replication_slots "
            "WHERE slot_name = %s",
            (self.name,),
        ).fetchone()
        if row is None or row[1] == "lost":
            self.metrics.slot_ok.set(0)
            return
        self.metrics.slot_lag.set(float(row[0] or 0))
