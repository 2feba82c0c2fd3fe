"""``rstat cdc``: the WAL-to-Kafka reader.

Start-up: make the publication match the settings, find the slot. A missing slot on first start is created
with an exported snapshot that is read (op ``r``) before streaming begins, so nothing falls between the
snapshot and the stream. A slot that existed before (recorded in ``rstat_cdc.slot_state``) and is now gone
or invalidated stops the reader with an error: silently recreating it would lose the changes in between.

Streaming: ordinary transactions are published as they are decoded (their commit LSN is known from Begin);
streamed in-progress transactions are spilled to disk and published at their Stream Commit, or dropped at
Stream Abort. ``(commit_lsn, ordinal)`` numbers every change; a re-sent transaction after a crash gets the
same numbers, so consumers can tell a duplicate from a new change.
"""

from __future__ import annotations

import json
import logging
import signal
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from psycopg import sql

from cdc.catalog import Catalog
from cdc.config import CdcConfig
from cdc.encoding import EMPTY_CONTEXT, TxBytes, context_bytes
from cdc.errors import CdcConfigError, SlotLostError
from cdc.metrics import CdcMetrics
from cdc.pgoutput import (
    Begin,
    Commit,
    Delete,
    Insert,
    LogicalMessage,
    PgoutputDecoder,
    Relation,
    StreamAbort,
    StreamCommit,
    StreamStart,
    StreamStop,
    Truncate,
    TupleValue,
    Update,
    decode_insert,
    parse_keepalive,
)
from cdc.publisher import Publisher, TxAcks
from cdc.relations import RelInfo
from cdc.replication import PG_EPOCH_US, ReplicationStream, format_lsn
from cdc.spill import SpillStore
from schemas.codec import SchemaRegistry

__all__ = ["CdcReader", "request_snapshot"]

log = logging.getLogger(__name__)

STATE_DDL = (
    "CREATE SCHEMA IF NOT EXISTS rstat_cdc",
    "CREATE TABLE IF NOT EXISTS rstat_cdc.slot_state (slot_name text PRIMARY KEY, "
    "created_at timestamptz NOT NULL DEFAULT now(), consistent_lsn pg_lsn NOT NULL)",
)
STREAM_CONTROL = frozenset(b"SEcA")
_XLOG_HEADER = struct.Struct(">QQq")  # Stream Start, Stop, Commit, Abort: never spilled


class _Tx:
    """The transaction being published: its position, numbering and attribution."""

    __slots__ = ("acks", "commit_lsn", "encoded", "ordinal")

    def __init__(self, xid: int | None, commit_lsn: int, commit_ts_us: int, acks: TxAcks) -> None:
        self.commit_lsn = commit_lsn
        self.acks = acks
        self.ordinal = 0
        self.encoded = TxBytes(xid, commit_lsn, commit_ts_us)


class CdcReader:
    def __init__(
        self,
        config: CdcConfig,
        *,
        admin_dsn: str,
        repl_dsn: str,
        database: str,
        spill_dir: Path,
        publisher: Publisher,
        registry: SchemaRegistry,
        metrics: CdcMetrics,
    ) -> None:
        self.cdc = config
        self.admin_dsn = admin_dsn
        self.repl_dsn = repl_dsn
        self.metrics = metrics
        self.registry = registry
        self.publisher = publisher
        self.spill = SpillStore(spill_dir)
        self.relations: dict[int, RelInfo] = {}
        self.by_table: dict[str, RelInfo] = {}
        self.key_columns: dict[str, list[str]] = {}
        self.excluded: dict[str, frozenset[str]] = {}
        self.tables: list[str] = []
        self.admin: psycopg.Connection[tuple[Any, ...]] | None = None
        self.catalog: Catalog | None = None
        self.stream: ReplicationStream | None = None
        self.decoder = PgoutputDecoder()
        self.tx: _Tx | None = None
        self.stream_xid: int | None = None
        self.db = database
        self.received_lsn = 0
        self.stopping = False
        self._partitions: dict[str, int] = {}
        self._published_schemas: set[str] = set()
        #: changes published since the last status report, by (table, op): metrics are updated in batches
        self._counts: dict[tuple[str, str], int] = {}
        self._last_report = self._last_heartbeat = self._last_lag = 0.0

    # -- configuration ---------------------------------------------------------------------------------------

    def _parse_settings(self) -> None:
        self.key_columns = {table: list(columns) for table, columns in self.cdc.key_columns.items()}
        self.excluded = {table: frozenset(columns) for table, columns in self.cdc.exclude_columns.items()}

    def _connect_admin(self) -> None:
        self.admin = psycopg.connect(
            self.admin_dsn,
            autocommit=True,
            options="-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3",
        )
        self.catalog = Catalog(self.admin)

    def _prepare_publication(self) -> None:
        assert self.catalog is not None
        assert self.admin is not None
        for ddl in STATE_DDL:
            self.admin.execute(ddl.encode())
        self.tables = self.catalog.tables(list(self.cdc.tables), list(self.cdc.exclude_tables))
        if not self.tables:
            raise CdcConfigError("no table to capture: check RSTAT__CDC__TABLES and RSTAT__CDC__EXCLUDE_TABLES")
        specs: dict[str, list[str] | None] = {}
        for table in self.tables:
            excluded = self.excluded.get(table, frozenset())
            columns = [c for c, _ in self.catalog.columns(table)]
            specs[table] = [c for c in columns if c not in excluded] if excluded else None
        self.catalog.sync_publication(self.cdc.publication, specs)
        topics = [self.cdc.topic_prefix + t for t in self.tables]
        self.publisher.ensure_topics(topics)
        log.info(
            "capturing %d tables into %s<table> (publication %s)",
            len(self.tables),
            self.cdc.topic_prefix,
            self.cdc.publication,
        )

    def _topic_partitions(self, topic: str) -> int:
        if topic not in self._partitions:
            self._partitions[topic] = self.publisher.partitions(topic)
        return self._partitions[topic]

    def _relinfo(self, schema: str, table: str, columns: list[tuple[str, int]]) -> RelInfo:
        assert self.catalog is not None
        key = self.key_columns.get(table) or self.catalog.primary_key(table) or [c for c, _ in columns]
        info = RelInfo(
            self.db,
            schema,
            table,
            [(name, self.catalog.column_type(oid)) for name, oid in columns],
            key,
            topic=self.cdc.topic_prefix + table,
            excluded=self.excluded.get(table, frozenset()),
        )
        fingerprint = info.fingerprint
        if fingerprint not in self._published_schemas:
            self.registry.register(info.schema_json)
            self.publisher.publish_schema(fingerprint, self.registry.schema_json(fingerprint))
            self._published_schemas.add(fingerprint)
            log.info("schema %s of %s published", fingerprint, table)
        self.publisher.ensure_topics([info.topic])
        return info

    # -- slot ------------------------------------------------------------------------------------------------

    def _slot_row(self) -> tuple[str | None, str | None] | None:
        assert self.admin is not None
        row = self.admin.execute(
            "SELECT confirmed_flush_lsn::text, wal_status FROM pg_replication_slots "
            "WHERE slot_name = %s AND database = current_database()",
            (self.cdc.slot,),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def _recorded(self) -> bool:
        assert self.admin is not None
        found = self.admin.execute(
            "SELECT 1 FROM rstat_cdc.slot_state WHERE slot_name = %s", (self.cdc.slot,)
        ).fetchone()
        return found is not None

    def _open_slot(self, recreate: bool) -> int:
        """Find or create the slot; returns the LSN to start streaming from (0: the slot's own position)."""
        assert self.admin is not None
        slot = self._slot_row()
        if recreate:
            if slot is not None:
                self.admin.execute("SELECT pg_drop_replication_slot(%s)", (self.cdc.slot,))
                log.warning("dropped slot %s as asked (--recreate-slot); a new snapshot follows", self.cdc.slot)
            self.admin.execute("DELETE FROM rstat_cdc.slot_state WHERE slot_name = %s", (self.cdc.slot,))
            slot = None
        elif slot is None and self._recorded():
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.cdc.slot} existed and is gone: changes since it was dropped may be lost. "
                "Run `rstat cdc --recreate-slot` to create it again and re-snapshot every table"
            )
        elif slot is not None and slot[1] == "lost":
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.cdc.slot} was invalidated (wal_status = lost): PostgreSQL removed WAL it "
                "still needed. Run `rstat cdc --recreate-slot` to create it again and re-snapshot every table"
            )
        self.metrics.slot_ok.set(1)
        if slot is not None:
            log.info("resuming slot %s from %s", self.cdc.slot, slot[0])
            return 0
        assert self.stream is not None
        consistent, snapshot = self.stream.create_slot(self.cdc.slot, export_snapshot=True)
        log.info(
            "created slot %s at %s; snapshotting %d tables", self.cdc.slot, format_lsn(consistent), len(self.tables)
        )
        self._initial_snapshot(snapshot, consistent)
        self.admin.execute(
            "INSERT INTO rstat_cdc.slot_state (slot_name, consistent_lsn) VALUES (%s, %s)",
            (self.cdc.slot, format_lsn(consistent)),
        )
        return consistent

    # -- snapshots -------------------------------------------------------------------------------------------

    def _snapshot_table(self, conn: psycopg.Connection[tuple[Any, ...]], table: str, tx: _Tx) -> int:
        assert self.catalog is not None
        published = self.catalog.publication_columns(self.cdc.publication).get(table)
        if published is None:
            raise CdcConfigError(f"{table} is not captured (not in publication {self.cdc.publication})")
        oids = dict(self.catalog.columns(table))
        columns = [(c, oids[c]) for c in published]
        info = self._relinfo("public", table, columns)
        self.by_table[table] = info
        select = sql.SQL("SELECT {} FROM public.{}").format(
            sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c, _ in columns),
            sql.Identifier(table),
        )
        count = 0
        with conn.cursor(name=f"snapshot_{table}") as cur:
            cur.itersize = 5000
            cur.execute(select)
            for row in cur:
                values = tuple(None if v is None else str(v).encode() for v in row)
                self._emit(info, "r", None, values, tx)
                count += 1
                if count % 5000 == 0:
                    self._pump()
                    if self.stream is not None and self.received_lsn:
                        self._maybe_report()
        return count

    def _initial_snapshot(self, snapshot: str | None, consistent: int) -> None:
        with psycopg.connect(
            self.admin_dsn, options="-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3"
        ) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            tx = _Tx(None, consistent, int(time.time() * 1e6), self.publisher.tracker.begin(int(time.time() * 1e6)))
            total = 0
            for table in self.tables:
                rows = self._snapshot_table(conn, table, tx)
                total += rows
                log.info("snapshot of %s: %d rows", table, rows)
            conn.execute("COMMIT")
        self.publisher.tracker.commit(tx.acks, consistent)
        self.publisher.drain(timeout=600)
        log.info("initial snapshot done: %d rows at %s", total, format_lsn(consistent))

    def _requested_snapshot(self, message: LogicalMessage, lsn: int) -> None:
        """A re-snapshot asked for by ``rstat cdc snapshot TABLE``, read now, at the position of the request."""
        try:
            table = json.loads(message.content)["table"]
        except (ValueError, KeyError, TypeError):
            log.error("ignored a malformed snapshot request at %s: %r", format_lsn(lsn), message.content[:200])
            return
        if table not in self.tables:
            log.error("ignored a snapshot request for %r at %s: not a captured table", table, format_lsn(lsn))
            return
        now = int(time.time() * 1e6)
        tx = _Tx(None, message.lsn, now, self.publisher.tracker.begin(now))
        self.tx = tx  # nothing past the request is confirmed before its rows are published
        with psycopg.connect(
            self.admin_dsn, options="-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3"
        ) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            rows = self._snapshot_table(conn, table, tx)
            conn.execute("COMMIT")
        self.publisher.tracker.commit(tx.acks, lsn)
        self.tx = None
        log.info("re-snapshot of %s at %s: %d rows", table, format_lsn(lsn), rows)

    # -- envelopes -------------------------------------------------------------------------------------------

    def _emit(
        self,
        info: RelInfo,
        op: str,
        before: Sequence[TupleValue] | None,
        after: Sequence[TupleValue] | None,
        tx: _Tx,
        *,
        lsn: int = 0,
    ) -> None:
        value = info.encoder.encode(op, before, after, tx=tx.encoded, lsn=lsn or tx.commit_lsn, ordinal=tx.ordinal)
        tx.ordinal += 1
        key_values = after if after is not None else before
        assert key_values is not None
        key = info.key(key_values)
        self.publisher.produce(info.topic, key, value, tx.acks)
        counts = self._counts
        counts[(info.name, op)] = counts.get((info.name, op), 0) + 1
        if op == "d" and self.cdc.tombstones:
            self.publisher.produce(info.topic, key, None, tx.acks)

    def _change(self, message: object, lsn: int, tx: _Tx) -> None:
        if isinstance(message, Insert):
            self._emit(self.relations[message.relid], "c", None, message.new, tx, lsn=lsn)
        elif isinstance(message, Update):
            info = self.relations[message.relid]
            old = message.old
            if old is not None and message.old_is_key and info.key(old) != info.key(message.new):
                # the key changed: a delete under the old key, then a create under the new one
                self._emit(info, "d", old, None, tx, lsn=lsn)
                self._emit(info, "c", None, message.new, tx, lsn=lsn)
                return
            self._emit(info, "u", old, message.new, tx, lsn=lsn)
        elif isinstance(message, Delete):
            self._emit(self.relations[message.relid], "d", message.old, None, tx, lsn=lsn)
        elif isinstance(message, Truncate):
            for relid in message.relids:
                info = self.relations[relid]
                value = info.encoder.encode("t", None, None, tx=tx.encoded, lsn=lsn, ordinal=tx.ordinal)
                tx.ordinal += 1
                for partition in range(self._topic_partitions(info.topic)):  # every consumer must see it
                    self.publisher.produce(info.topic, None, value, tx.acks, partition=partition)
                self._counts[(info.name, "t")] = self._counts.get((info.name, "t"), 0) + 1
        elif isinstance(message, Relation):
            self._on_relation(message)
        elif isinstance(message, LogicalMessage) and message.prefix == "rstat.context":
            tx.encoded.context = self._context(message.content)

    def _on_relation(self, message: Relation) -> None:
        """A table's (new) shape: a new schema version when columns were added or dropped."""
        self.relations[message.relid] = self._relinfo(
            message.namespace, message.name, [(c.name, c.type_oid) for c in message.columns]
        )

    @staticmethod
    def _context(content: bytes) -> bytes:
        """The encoded attribution of a transaction from its ``rstat.context`` message."""
        try:
            data = json.loads(content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("ignored a malformed rstat.context message: %r", content[:200])
            return EMPTY_CONTEXT
        actor, request_id, source = (
            None if data.get(k) is None else str(data[k]) for k in ("actor", "request_id", "source")
        )
        return context_bytes(actor, request_id, source)

    # -- the stream ------------------------------------------------------------------------------------------

    def _handle(self, frame: bytes) -> None:
        kind = frame[0]
        if kind == 0x6B:  # 'k' keepalive
            wal_end, _, reply = parse_keepalive(frame)
            self.received_lsn = max(self.received_lsn, wal_end)
            if reply:
                self._report()
            return
        if kind != 0x77:  # 'w'
            return
        start, wal_end, _ = _XLOG_HEADER.unpack_from(frame, 1)
        self.received_lsn = max(self.received_lsn, wal_end)
        body = frame[25:]
        first = body[0]
        if self.decoder.in_stream:
            if first not in STREAM_CONTROL:
                assert self.stream_xid is not None
                self.spill.append(self.stream_xid, start, body)
                return
        elif first == 0x49 and self.tx is not None:  # Insert: the hot path
            relid, values = decode_insert(body)
            self._emit(self.relations[relid], "c", None, values, self.tx, lsn=start)
            return
        message = self.decoder.decode(body)
        if isinstance(message, Begin):
            now_us = message.commit_ts + PG_EPOCH_US
            self.tx = _Tx(message.xid, message.final_lsn, now_us, self.publisher.tracker.begin(now_us))
        elif isinstance(message, Commit):
            assert self.tx is not None
            self.publisher.tracker.commit(self.tx.acks, message.end_lsn)
            self.tx = None
        elif isinstance(message, StreamStart):
            self.stream_xid = message.xid
        elif isinstance(message, StreamStop):
            self.stream_xid = None
        elif isinstance(message, StreamAbort):
            self.spill.abort(message.xid, message.subxid)
        elif isinstance(message, StreamCommit):
            self._replay(message)
        elif isinstance(message, LogicalMessage) and not message.transactional:
            if message.prefix == "rstat.snapshot":
                self._requested_snapshot(message, start)
        elif isinstance(message, Relation):
            self._on_relation(message)
        elif self.tx is not None:
            self._change(message, start, self.tx)

    def _replay(self, commit: StreamCommit) -> None:
        aborted = self.spill.aborted_subxacts.get(commit.xid, set())
        now_us = commit.commit_ts + PG_EPOCH_US
        tx = _Tx(commit.xid, commit.commit_lsn, now_us, self.publisher.tracker.begin(now_us))
        self.tx = tx  # while it replays, nothing past it may be confirmed
        decoder = PgoutputDecoder()
        decoder.in_stream = True
        count = 0
        for lsn, raw in self.spill.replay(commit.xid):
            message = decoder.decode(raw)
            if getattr(message, "xid", None) in aborted:
                continue
            self._change(message, lsn, tx)
            count += 1
            if count % 2000 == 0:
                self._pump()
                self._maybe_report()  # a long replay must keep the walsender from timing out
        self.spill.discard(commit.xid)
        self.publisher.tracker.commit(tx.acks, commit.end_lsn)
        self.tx = None
        log.info(
            "streamed transaction %d committed at %s: %d messages", commit.xid, format_lsn(commit.commit_lsn), count
        )

    def _pump(self) -> None:
        """Serve delivery reports; while too much is in flight, wait (and keep PostgreSQL informed)."""
        self.publisher.poll(0)
        while self.publisher.tracker.in_flight >= self.cdc.max_in_flight and not self.stopping:
            self.publisher.poll(0.05)
            self._maybe_report()

    def _report(self) -> None:
        assert self.stream is not None
        tracker = self.publisher.tracker
        flushed = tracker.advance()
        if tracker.idle and self.tx is None:
            # nothing of ours is pending: WAL up to what the server has sent is done with
            flushed = max(flushed, self.received_lsn)
            tracker.confirmed_lsn = flushed
        self.stream.send_status(self.received_lsn, flushed, reply=False)
        self.metrics.flushed_lsn.set(flushed)
        self.metrics.in_flight.set(tracker.in_flight)
        self.metrics.bytes.inc(self.publisher.take_bytes())
        for (table, op), count in self._counts.items():
            self.metrics.changes.labels(table, op).inc(count)
        self._counts.clear()
        self._last_report = time.monotonic()

    def _maybe_report(self) -> None:
        now = time.monotonic()
        if now - self._last_report >= self.cdc.status_interval_s:
            self._report()
        if self.cdc.heartbeat_s and now - self._last_heartbeat >= self.cdc.heartbeat_s:
            self._heartbeat()
        if now - self._last_lag >= 5:
            self._measure_lag()

    def _heartbeat(self) -> None:
        assert self.admin is not None
        self.admin.execute("SELECT pg_logical_emit_message(false, 'rstat.heartbeat', now()::text)")
        self._last_heartbeat = time.monotonic()

    def _measure_lag(self) -> None:
        assert self.admin is not None
        row = self.admin.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), wal_status FROM pg_replication_slots "
            "WHERE slot_name = %s",
            (self.cdc.slot,),
        ).fetchone()
        self._last_lag = time.monotonic()
        if row is None or row[1] == "lost":
            self.metrics.slot_ok.set(0)
            return
        self.metrics.slot_lag.set(float(row[0] or 0))

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing in-flight messages and stopping", signal.Signals(signum).name)
        self.stopping = True

    def run(self, recreate_slot: bool = False) -> None:
        """Stream until SIGINT/SIGTERM; raises on a lost slot or a Kafka refusal.

        A lost connection to PostgreSQL (a restart, a network cut) is retried with backoff: PostgreSQL
        resends everything after the confirmed position, with the same ``(commit_lsn, ordinal)``.
        """
        self._parse_settings()
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.metrics.serve(self.cdc.metrics_port)
        delay = 0.5
        try:
            while not self.stopping:
                try:
                    self._session(recreate_slot)
                    return
                except psycopg.OperationalError as exc:
                    if self.stopping:
                        return
                    self._check_slot_after(exc)
                    log.warning(
                        "PostgreSQL connection lost (%s); reconnecting in %.1f s",
                        str(exc).strip().splitlines()[0],
                        delay,
                    )
                    self._close_connections()
                    time.sleep(delay)
                    delay = min(delay * 2, 10.0)
                recreate_slot = False
        finally:
            self.metrics.healthy = False
            self.publisher.drain(timeout=30)
            self._close_connections()
            self.metrics.close()

    def _session(self, recreate_slot: bool) -> None:
        """One connection's worth of streaming: connect, find the slot, stream until stopped."""
        self._connect_admin()
        self._prepare_publication()
        self.spill.reset()
        self.tx = None
        self.stream_xid = None
        self.decoder = PgoutputDecoder()
        self.stream = ReplicationStream(self.repl_dsn)
        start = self._open_slot(recreate_slot)
        self.stream.start(self.cdc.slot, self.cdc.publication, start)
        self.metrics.healthy = True
        log.info("streaming slot %s of database %s", self.cdc.slot, self.db)
        self._loop()

    def _check_slot_after(self, exc: Exception) -> None:
        """After a lost connection: a slot that is now gone (or lost) ends the reader with a clear error."""
        try:
            self._close_connections()
            self._connect_admin()
            slot = self._slot_row()
            recorded = self._recorded()
        except psycopg.Error:
            return  # PostgreSQL is not back yet: keep retrying
        if (slot is None and recorded) or (slot is not None and slot[1] == "lost"):
            self.metrics.slot_ok.set(0)
            raise SlotLostError(
                f"replication slot {self.cdc.slot} was dropped or invalidated while streaming "
                f"({str(exc).strip().splitlines()[0]}); run `rstat cdc --recreate-slot` to create it again and "
                "re-snapshot every table"
            ) from exc

    def _close_connections(self) -> None:
        if self.stream is not None:
            try:
                self._report()
            except (psycopg.Error, OSError, AssertionError):
                log.debug("could not send a last status update", exc_info=True)
            self.stream.close()
            self.stream = None
        if self.admin is not None:
            self.admin.close()
            self.admin = None

    def _loop(self) -> None:
        assert self.stream is not None
        stream = self.stream
        handle = self._handle
        while not self.stopping:
            frame = stream.read(0.1)
            budget = 5000
            while frame is not None:
                handle(frame)
                budget -= 1
                if budget == 0:
                    break
                frame = stream.read(0)
            self._pump()
            self._maybe_report()


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
