"""``rstat cdc``: the WAL-to-Kafka reader, the loop that hands replication frames to a session.

Start-up: make the publication match the configuration, find the slot. A missing slot on first start is
created with an exported snapshot that is read (op ``r``) before streaming begins, so nothing falls between
the snapshot and the stream (:mod:`cdc.slot`, :mod:`cdc.snapshot`). Then frames are read and dispatched to
the :class:`cdc.session.Session` of the connection. ``(commit_lsn, ordinal)`` numbers every change; a
re-sent transaction after a crash gets the same numbers, so consumers can tell a duplicate from a new change.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg

from cdc.catalog import Catalog
from cdc.config import CdcConfig
from cdc.envelopes import Counts, Envelopes, EventPublisher, SchemaBook, Tx
from cdc.metrics import CdcMetrics
from cdc.replication import ReplicationStream, format_lsn
from cdc.session import Session, dispatch
from cdc.slot import Slot, sync_publication
from cdc.snapshot import SESSION_OPTIONS, Snapshots
from cdc.spill import SpillStore
from schemas.codec import SchemaRegistry

__all__ = ["CdcReader", "dispatch"]

log = logging.getLogger(__name__)

_BUDGET = 5000  # frames handled before serving acknowledgements and reporting


class _Connected:
    """The connections of one session; exists only while they are open."""

    def __init__(
        self,
        admin: psycopg.Connection[tuple[Any, ...]],
        stream: ReplicationStream,
        session: Session,
        snapshots: Snapshots,
    ) -> None:
        self.admin = admin
        self.stream = stream
        self.session = session
        self.snapshots = snapshots

    def close(self) -> None:
        try:
            self.session.report()
        except (psycopg.Error, OSError):
            log.debug("could not send a last status update", exc_info=True)
        self.stream.close()
        self.admin.close()


class CdcReader:
    def __init__(
        self,
        config: CdcConfig,
        *,
        admin_dsn: str,
        repl_dsn: str,
        database: str,
        spill_dir: Path,
        publisher: EventPublisher,
        registry: SchemaRegistry,
        metrics: CdcMetrics,
    ) -> None:
        self.config = config
        self.admin_dsn = admin_dsn
        self.repl_dsn = repl_dsn
        self.database = database
        self.publisher = publisher
        self.metrics = metrics
        self.spill = SpillStore(spill_dir)
        self.schemas = SchemaBook(publisher, registry)
        self.counts: Counts = {}
        self.stop = threading.Event()
        self.received_lsn = 0
        self.connected: _Connected | None = None

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing in-flight messages and stopping", signal.Signals(signum).name)
        self.stop.set()

    def run(self, recreate_slot: bool = False) -> None:
        """Stream until SIGINT/SIGTERM; raises on a lost slot or a Kafka refusal.

        A lost connection to PostgreSQL (a restart, a network cut) is retried with backoff: PostgreSQL
        resends everything after the confirmed position, with the same ``(commit_lsn, ordinal)``.
        """
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.metrics.serve(self.config.metrics_host, self.config.metrics_port)
        delay = 0.5
        try:
            while not self.stop.is_set():
                try:
                    self._stream(recreate_slot)
                    return
                except psycopg.OperationalError as exc:
                    if self.stop.is_set():
                        return
                    self._check_slot_after(exc)
                    log.warning(
                        "PostgreSQL connection lost (%s); reconnecting in %.1f s",
                        str(exc).strip().splitlines()[0],
                        delay,
                    )
                    time.sleep(delay)
                    delay = min(delay * 2, 10.0)
                recreate_slot = False
        finally:
            self.metrics.healthy = False
            self.publisher.drain(timeout=30)
            self._disconnect()
            self.metrics.close()

    def _connect(self) -> _Connected:
        admin = psycopg.connect(self.admin_dsn, autocommit=True, options=SESSION_OPTIONS)
        try:
            catalog = Catalog(admin)
            tables = sync_publication(admin, catalog, self.config, self.publisher)
            self.spill.reset()
            stream = ReplicationStream(self.repl_dsn)
        except BaseException:
            admin.close()
            raise
        envelopes = Envelopes(
            self.config,
            database=self.database,
            catalog=catalog,
            publisher=self.publisher,
            schemas=self.schemas,
            counts=self.counts,
        )
        snapshots = Snapshots(self.admin_dsn, catalog, self.config.publication, envelopes)
        session = Session(
            self.config,
            source=stream,
            publisher=self.publisher,
            envelopes=envelopes,
            spill=self.spill,
            metrics=self.metrics,
            watch=Slot(admin, self.config.slot, self.metrics),
            snapshot_table=snapshots.table,
            tables=tables,
            counts=self.counts,
            stop=self.stop,
            received_lsn=self.received_lsn,
        )
        self.connected = _Connected(admin, stream, session, snapshots)
        return self.connected

    def _stream(self, recreate_slot: bool) -> None:
        """One connection's worth of streaming: connect, find the slot, stream until stopped."""
        connected = self._connect()
        session, stream, snapshots = connected.session, connected.stream, connected.snapshots

        def initial_snapshot(exported: str | None, consistent: int) -> None:
            log.info(
                "created slot %s at %s; snapshotting %d tables",
                self.config.slot,
                format_lsn(consistent),
                len(session.tables),
            )
            now = int(time.time() * 1e6)
            tx = Tx(None, consistent, now, self.publisher.tracker.begin(now))
            total = snapshots.initial(exported, session.tables, tx, session.pump)
            self.publisher.tracker.commit(tx.acks, consistent)
            self.publisher.drain(timeout=600)
            log.info("initial snapshot done: %d rows at %s", total, format_lsn(consistent))

        slot = Slot(connected.admin, self.config.slot, self.metrics, failover=self.config.slot_failover)
        start = slot.open(recreate_slot, stream, initial_snapshot)
        stream.start(self.config.slot, self.config.publication, start)
        self.metrics.healthy = True
        log.info("streaming slot %s of database %s", self.config.slot, self.database)
        self._loop(session)

    def _loop(self, session: Session) -> None:
        stop = self.stop
        while not stop.is_set():
            session.receive(0.1, _BUDGET)
            session.pump()
            session.maybe_report()

    def _check_slot_after(self, exc: Exception) -> None:
        """After a lost connection: a slot that is now gone (or lost) ends the reader with a clear error."""
        self._disconnect()
        try:
            with psycopg.connect(self.admin_dsn, autocommit=True, options=SESSION_OPTIONS) as admin:
                Slot(admin, self.config.slot, self.metrics).check_after(exc)
        except psycopg.Error:
            return  # PostgreSQL is not back yet: keep retrying

    def _disconnect(self) -> None:
        if self.connected is not None:
            self.received_lsn = self.connected.session.received_lsn
            self.connected.close()
            self.connected = None
