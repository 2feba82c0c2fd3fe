"""Prometheus metrics of the CDC reader and its /metrics + /healthz endpoint."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CdcMetrics"]

log = logging.getLogger(__name__)


class CdcMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.changes = Counter(
            "rstat_cdc_changes_total", "Changes published, by table and op", ["table", "op"], registry=r
        )
        self.bytes = Counter("rstat_cdc_bytes_total", "Bytes of message values published", registry=r)
        self.slot_lag = Gauge("rstat_cdc_slot_lag_bytes", "pg_current_wal_lsn() - confirmed_flush_lsn", registry=r)
        self.ack_latency = Histogram(
            "rstat_cdc_commit_to_ack_seconds",
            "Commit in PostgreSQL to the last Kafka acknowledgement of it",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.in_flight = Gauge("rstat_cdc_messages_in_flight", "Produced, not yet acknowledged", registry=r)
        self.flushed_lsn = Gauge("rstat_cdc_last_flushed_lsn", "Last LSN confirmed to PostgreSQL", registry=r)
        self.slot_ok = Gauge("rstat_cdc_slot_ok", "1 while the slot is usable, 0 when lost or missing", registry=r)
        self.slot_lag_seconds: Gauge | None = None
        self.healthy = False
        self._server: ThreadingHTTPServer | None = None

    def watch_unconfirmed(self, oldest_commit_us: Callable[[], int | None]) -> None:
        """Serve ``rstat_cdc_slot_lag_seconds`` from ``oldest_commit_us`` (read at each scrape): the commit
        time, in µs since the epoch, of the oldest transaction the reader has received and not yet confirmed
        to PostgreSQL, or None when every received transaction is confirmed.

        Why that definition: the slot's confirmed position can pass a transaction only once Kafka has
        acknowledged all of it (cdc/acks.py), so the oldest unconfirmed commit is exactly how far behind the
        slot is in time; while the reader works through a backlog, the transactions it holds are the old ones.
        WAL the reader has not received yet is not counted (``rstat_cdc_slot_lag_bytes`` is)."""

        def seconds() -> float:
            try:
                commit_us = oldest_commit_us()
            except IndexError:  # the queue emptied between the check and the read (another thread)
                return 0.0
            return 0.0 if commit_us is None else max(0.0, time.time() - commit_us / 1e6)

        if self.slot_lag_seconds is None:
            self.slot_lag_seconds = Gauge(
                "rstat_cdc_slot_lag_seconds",
                "Now - commit time of the oldest transaction received and not yet confirmed to PostgreSQL "
                "(0 when all are confirmed)",
                registry=self.registry,
            )
        self.slot_lag_seconds.set_function(seconds)

    def serve(self, host: str, port: int) -> None:
        """Serve /metrics and /healthz on ``host``:``port`` from a daemon thread (port 0: not at all)."""
        if not port:
            return
        metrics = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    body, status, kind = generate_latest(metrics.registry), 200, CONTENT_TYPE_LATEST
                elif self.path == "/healthz":
                    ok = metrics.healthy
                    body, status, kind = (b"ok\n" if ok else b"not streaming\n"), (200 if ok else 503), "text/plain"
                else:
                    body, status, kind = b"not found\n", 404, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._server.serve_forever, name="cdc-metrics", daemon=True).start()
        log.info("metrics on http://%s:%d/metrics, health on /healthz", host, port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
