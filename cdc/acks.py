"""Which WAL position may be confirmed to PostgreSQL: exact acknowledgement tracking of published messages.

The position reported to PostgreSQL may pass a transaction only when Kafka has acknowledged every message
of it and of every transaction before it. :class:`AckTracker` keeps the committed transactions in commit
order with their count of unacknowledged messages; delivery reports count them down. Pure bookkeeping: the
publisher adapter calls :meth:`TxAcks.delivered` from its delivery reports.
"""

from __future__ import annotations

import time
from collections import deque

from cdc.metrics import CdcMetrics

__all__ = ["AckTracker", "TxAcks"]


class TxAcks:
    """Acknowledgement state of one transaction (or of one snapshot)."""

    __slots__ = ("callback", "commit_ts_us", "committed", "end_lsn", "pending", "tracker")

    def __init__(self, tracker: AckTracker, commit_ts_us: int) -> None:
        self.callback = self.delivered  # bound once: one per transaction, not one per message
        self.tracker = tracker
        self.commit_ts_us = commit_ts_us
        self.pending = 0
        self.committed = False
        self.end_lsn = 0

    def delivered(self, err: object | None, _msg: object) -> None:
        """A delivery report of one message: ``err`` is None when the broker acknowledged it."""
        if err is not None:
            self.tracker.fail(err)
            return
        self.pending -= 1
        self.tracker.in_flight -= 1
        if self.pending == 0 and self.committed:
            self.tracker.metrics.ack_latency.observe(max(0.0, time.time() - self.commit_ts_us / 1e6))


class AckTracker:
    def __init__(self, metrics: CdcMetrics) -> None:
        self.metrics = metrics
        self.queue: deque[TxAcks] = deque()
        self.in_flight = 0
        self.confirmed_lsn = 0
        self.error: object | None = None

    def begin(self, commit_ts_us: int) -> TxAcks:
        return TxAcks(self, commit_ts_us)

    def sent(self, tx: TxAcks) -> None:
        """One more message of ``tx`` is on its way to the broker."""
        tx.pending += 1
        self.in_flight += 1

    def commit(self, tx: TxAcks, end_lsn: int) -> None:
        tx.committed = True
        tx.end_lsn = end_lsn
        if tx.pending == 0:
            self.metrics.ack_latency.observe(max(0.0, time.time() - tx.commit_ts_us / 1e6))
        self.queue.append(tx)

    def fail(self, err: object) -> None:
        if self.error is None:
            self.error = err

    def advance(self) -> int:
        """The LSN up to which every transaction is committed and acknowledged."""
        queue = self.queue
        while queue and queue[0].pending == 0:
            self.confirmed_lsn = max(self.confirmed_lsn, queue.popleft().end_lsn)
        return self.confirmed_lsn

    @property
    def idle(self) -> bool:
        return not self.queue and self.in_flight == 0
