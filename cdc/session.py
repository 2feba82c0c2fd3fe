"""One connection's worth of streaming: the transaction being published and the positions reported back.

Ordinary transactions are published as they are decoded (their commit LSN is known from Begin); streamed
in-progress transactions are spilled to disk and published at their Stream Commit, or dropped at Stream
Abort. The position confirmed to PostgreSQL is the one :class:`cdc.acks.AckTracker` allows: nothing past a
message Kafka has not acknowledged, nothing past a transaction still being published.

A :class:`Session` exists only while the reader is connected; a reconnect starts a new one (PostgreSQL
resends everything after the confirmed position).
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable
from typing import Protocol

from cdc.config import CdcConfig
from cdc.envelopes import Counts, Envelopes, EventPublisher, Tx
from cdc.inserts import FRAME_BODY, InsertEncoder
from cdc.metrics import CdcMetrics
from cdc.pgoutput import (
    Begin,
    Commit,
    LogicalMessage,
    PgoutputDecoder,
    Relation,
    StreamAbort,
    StreamCommit,
    StreamStart,
    StreamStop,
    decode_insert,
)
from cdc.relations import RelInfo
from cdc.replication import PG_EPOCH_US, format_lsn, parse_keepalive, parse_xlogdata
from cdc.snapshot import requested_table
from cdc.spill import SpillStore

__all__ = ["ChangeSource", "Session", "SlotWatch", "TableSnapshot", "dispatch"]

log = logging.getLogger(__name__)

STREAM_CONTROL = frozenset(b"SEcA")  # Stream Start, Stop, Commit, Abort: never spilled
#: (table, transaction, progress callback) -> rows published
TableSnapshot = Callable[[str, Tx, Callable[[], None]], int]
_U32 = struct.Struct(">I").unpack_from
_U64 = struct.Struct(">Q").unpack_from
_RELID = slice(FRAME_BODY + 1, FRAME_BODY + 5)  # an Insert's relation id, outside a stream


class ChangeSource(Protocol):
    """The replication stream: copy frames in, standby status (written/flushed positions) out."""

    def read(self, timeout: float) -> bytes | None:
        """The next copy frame, or None when none arrives within ``timeout`` seconds."""

    def send_status(self, written: int, flushed: int, reply: bool = False) -> None:
        """Tell the server what was received (``written``) and what it may forget (``flushed``)."""


class SlotWatch(Protocol):
    """Periodic chores on the slot, through an ordinary connection."""

    def heartbeat(self) -> None: ...

    def measure_lag(self) -> None: ...


class Session:
    """The decoding, publishing and position state of one replication connection."""

    def __init__(
        self,
        config: CdcConfig,
        *,
        source: ChangeSource,
        publisher: EventPublisher,
        envelopes: Envelopes,
        spill: SpillStore,
        metrics: CdcMetrics,
        watch: SlotWatch,
        snapshot_table: TableSnapshot,
        tables: list[str],
        counts: Counts,
        stop: threading.Event,
        received_lsn: int = 0,
    ) -> None:
        self.config = config
        self.source = source
        self.publisher = publisher
        self.tracker = publisher.tracker
        self.envelopes = envelopes
        self.spill = spill
        self.metrics = metrics
        self.watch = watch
        self.snapshot_table = snapshot_table
        self.tables = tables
        self.counts = counts
        self.stop = stop
        #: the highest WAL position the server has sent
        self.received_lsn = received_lsn
        self.decoder = PgoutputDecoder()
        #: the transaction being published: no position past it is confirmed while it is set
        self.tx: Tx | None = None
        metrics.watch_unconfirmed(self._oldest_unconfirmed_us)
        self.stream_xid: int | None = None
        self._last_report = self._last_heartbeat = self._last_lag = 0.0

    # -- frames ----------------------------------------------------------------------------------------------

    def _oldest_unconfirmed_us(self) -> int | None:
        """The commit time of the oldest transaction received and not yet confirmed (read by the metrics
        server's thread: the queue may empty between the check and the read)."""
        try:
            return self.tracker.queue[0].commit_ts_us
        except IndexError:
            tx = self.tx
            return tx.acks.commit_ts_us if tx is not None else None

    def receive(self, timeout: float, budget: int) -> int:
        """Handle the frames that are ready (waiting up to ``timeout`` s for the first), at most ``budget``;
        returns how many.

        The hot path: a run of Inserts in an ordinary transaction goes through :meth:`_inserts`; every
        other frame (and an Insert the table's encoder leaves to the general path) through
        :func:`dispatch`, after the run before it was handed to the publisher, so messages keep the
        order of the WAL."""
        read = self.source.read
        frame = read(timeout)
        handled = 0
        while frame is not None:
            tx = self.tx
            if frame[0] == 0x77 and frame[FRAME_BODY] == 0x49 and tx is not None and not self.decoder.in_stream:
                count, frame = self._inserts(frame, tx, budget - handled)
                handled += count
                if count:
                    continue  # ``frame`` is the first one the run did not take (None: nothing ready, or no budget)
                assert frame is not None  # the run took nothing: its first frame is handed back
            dispatch(self, frame)
            handled += 1
            frame = read(0) if handled < budget else None
        return handled

    def _inserts(self, frame: bytes, tx: Tx, budget: int) -> tuple[int, bytes | None]:
        """Encode the run of Insert frames starting at ``frame`` (at most ``budget``) with their tables'
        generated encoders (:mod:`cdc.inserts`) and publish it, one batch per table in order; returns
        (how many, the next frame not taken).

        ``tx``, its ordinal and the decoder's stream state change only through :func:`dispatch`, so
        they hold for the whole run; ``tx.ordinal`` is written back before anything else reads it."""
        read = self.source.read
        relations = self.envelopes.relations
        encoded_tx = tx.encoded
        ordinal = tx.ordinal
        batch: list[tuple[bytes, bytes]] = []
        info: RelInfo | None = None
        encode: InsertEncoder | None = None
        relid = b""  # of ``info``: a frame of the same table needs no look-up
        last = frame
        count = 0
        next_frame: bytes | None = frame
        while next_frame is not None:
            if next_frame[_RELID] != relid:
                target = relations.get(_U32(next_frame, FRAME_BODY + 1)[0])
                if target is None:
                    break
                if batch:
                    self._send(info, batch, tx)
                    batch = []
                info, encode, relid = target, target.insert, next_frame[_RELID]
            assert encode is not None
            try:
                encoded = encode(next_frame, encoded_tx, ordinal)
            except (ValueError, IndexError, OverflowError, struct.error):
                encoded = None  # the general path writes the same bytes or raises the proper error
            if encoded is None:
                break
            batch.append(encoded)
            ordinal += 1
            count += 1
            last = next_frame
            if count == budget:
                next_frame = None
                break
            next_frame = read(0)
            if next_frame is not None and (next_frame[0] != 0x77 or next_frame[FRAME_BODY] != 0x49):
                break
        tx.ordinal = ordinal
        if batch:
            self._send(info, batch, tx)
        if count:
            # an XLogData's WAL end only grows along the stream: the run's last one is its highest
            self.received_lsn = max(self.received_lsn, _U64(last, 9)[0])
        return count, next_frame

    def _send(self, info: RelInfo | None, batch: list[tuple[bytes, bytes]], tx: Tx) -> None:
        """Publish a batch of encoded Inserts of ``info``."""
        assert info is not None
        self.publisher.produce_many(info.topic, batch, tx.acks)
        key = (info.name, "c")
        self.counts[key] = self.counts.get(key, 0) + len(batch)

    def on_keepalive(self, wal_end: int, reply: bool) -> None:
        self.received_lsn = max(self.received_lsn, wal_end)
        if reply:
            self.report()

    def on_data(self, start: int, wal_end: int, body: bytes) -> None:
        """One pgoutput message at WAL position ``start``."""
        self.received_lsn = max(self.received_lsn, wal_end)
        first = body[0]
        if self.decoder.in_stream:
            if first not in STREAM_CONTROL:
                assert self.stream_xid is not None  # pgoutput sends data in a stream only after Stream Start
                self.spill.append(self.stream_xid, start, body)
                return
        elif first == 0x49 and self.tx is not None:  # Insert: the hot path
            relid, values = decode_insert(body)
            self.envelopes.emit(self.envelopes.relations[relid], "c", None, values, self.tx, lsn=start)
            return
        message = self.decoder.decode(body)
        if isinstance(message, Begin):
            now_us = message.commit_ts + PG_EPOCH_US
            self.tx = Tx(message.xid, message.final_lsn, now_us, self.tracker.begin(now_us))
        elif isinstance(message, Commit):
            assert self.tx is not None  # pgoutput sends Commit only after Begin
            self.tracker.commit(self.tx.acks, message.end_lsn)
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
            self.envelopes.on_relation(message)
        elif self.tx is not None:
            self.envelopes.change(message, start, self.tx)

    def _replay(self, commit: StreamCommit) -> None:
        aborted = self.spill.aborted_subxacts.get(commit.xid, set())
        now_us = commit.commit_ts + PG_EPOCH_US
        tx = Tx(commit.xid, commit.commit_lsn, now_us, self.tracker.begin(now_us))
        self.tx = tx  # while it replays, nothing past it may be confirmed
        decoder = PgoutputDecoder()
        decoder.in_stream = True
        count = 0
        for lsn, raw in self.spill.replay(commit.xid):
            message = decoder.decode(raw)
            if getattr(message, "xid", None) in aborted:
                continue
            self.envelopes.change(message, lsn, tx)
            count += 1
            if count % 2000 == 0:
                self.pump()
                self.maybe_report()  # a long replay must keep the walsender from timing out
        self.spill.discard(commit.xid)
        self.tracker.commit(tx.acks, commit.end_lsn)
        self.tx = None
        log.info(
            "streamed transaction %d committed at %s: %d messages", commit.xid, format_lsn(commit.commit_lsn), count
        )

    def _requested_snapshot(self, message: LogicalMessage, lsn: int) -> None:
        """A re-snapshot asked for by ``rstat cdc snapshot TABLE``, read now, at the position of the request."""
        table = requested_table(message, lsn, self.tables)
        if table is None:
            return
        now = int(time.time() * 1e6)
        tx = Tx(None, message.lsn, now, self.tracker.begin(now))
        self.tx = tx  # nothing past the request is confirmed before its rows are published
        rows = self.snapshot_table(table, tx, self.progress)
        self.tracker.commit(tx.acks, lsn)
        self.tx = None
        log.info("re-snapshot of %s at %s: %d rows", table, format_lsn(lsn), rows)

    # -- flow control and positions --------------------------------------------------------------------------

    def pump(self) -> None:
        """Serve delivery reports; while too much is in flight, wait (and keep PostgreSQL informed)."""
        self.publisher.poll(0)
        while self.tracker.in_flight >= self.config.max_in_flight and not self.stop.is_set():
            self.publisher.poll(0.05)
            self.maybe_report()

    def progress(self) -> None:
        """Between batches of a snapshot: serve acknowledgements, and report once streaming has begun."""
        self.pump()
        if self.received_lsn:
            self.maybe_report()

    def report(self) -> None:
        """Send the standby status: received up to ``received_lsn``, flushed up to what Kafka acknowledged."""
        tracker = self.tracker
        flushed = tracker.advance()
        if tracker.idle and self.tx is None:
            # nothing of ours is pending: WAL up to what the server has sent is done with
            flushed = max(flushed, self.received_lsn)
            tracker.confirmed_lsn = flushed
        self.source.send_status(self.received_lsn, flushed, reply=False)
        metrics = self.metrics
        metrics.flushed_lsn.set(flushed)
        metrics.in_flight.set(tracker.in_flight)
        metrics.bytes.inc(self.publisher.take_bytes())
        for (table, op), count in self.counts.items():
            metrics.changes.labels(table, op).inc(count)
        self.counts.clear()
        self._last_report = time.monotonic()

    def maybe_report(self) -> None:
        now = time.monotonic()
        if now - self._last_report >= self.config.status_interval_s:
            self.report()
        if self.config.heartbeat_s and now - self._last_heartbeat >= self.config.heartbeat_s:
            self.watch.heartbeat()
            self._last_heartbeat = time.monotonic()
        if now - self._last_lag >= 5:
            self.watch.measure_lag()
            self._last_lag = time.monotonic()


def dispatch(session: Session, frame: bytes) -> None:
    """One copy frame of the replication stream: a keepalive or a pgoutput message (XLogData)."""
    kind = frame[0]
    if kind == 0x77:  # 'w'
        start, wal_end, body = parse_xlogdata(frame)
        session.on_data(start, wal_end, body)
    elif kind == 0x6B:  # 'k' keepalive
        wal_end, _, reply = parse_keepalive(frame)
        session.on_keepalive(wal_end, reply)
