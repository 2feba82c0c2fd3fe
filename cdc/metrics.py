"""Prometheus metrics of the CDC reader and its /metrics + /healthz endpoint."""

from __future__ import annotations

import logging
import threading
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
        self.healthy = False
        self._server: ThreadingHTTPServer | None = None

    def serve(self, port: int) -> None:
        """Serve /metrics and /healthz on 127.0.0.1:``port`` from a daemon thread (port 0: not at all)."""
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

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, name="cdc-metrics", daemon=True).start()
        log.info("metrics on http://127.0.0.1:%d/metrics, health on /healthz", port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
