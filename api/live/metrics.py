"""Prometheus metrics of one process's live feed (``/metrics`` of the public app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["LiveMetrics"]


class LiveMetrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.connections = Gauge("rstat_live_connections", "Open live connections", ["transport"], registry=r)
        self.subscriptions = Gauge(
            "rstat_live_subscriptions", "Subscriptions held, by channel kind", ["kind"], registry=r
        )
        self.channels = Gauge("rstat_live_channels", "Channels kept (with their history)", registry=r)
        self.messages = Counter(
            "rstat_live_messages_sent_total", "Messages queued to connections, by channel kind", ["kind"], registry=r
        )
        self.too_slow = Counter(
            "rstat_live_too_slow_total",
            "Connections closed because they could not keep up (4008)",
            ["transport"],
            registry=r,
        )
        self.resumes = Counter(
            "rstat_live_resumes_total",
            "Subscriptions that asked to resume: replayed (recovered) or answered with the state (reset)",
            ["result"],
            registry=r,
        )
        self.errors = Counter(
            "rstat_live_client_errors_total", "Client messages refused, by error code", ["code"], registry=r
        )
        self.records = Counter(
            "rstat_live_records_total", "Records read from the topics, by topic", ["topic"], registry=r
        )
        self.bad_records = Counter(
            "rstat_live_bad_records_total", "Records that could not be read (logged), by topic", ["topic"], registry=r
        )
        self.lag = Gauge(
            "rstat_live_consumer_lag_messages", "Messages in the topics not yet read by this process", registry=r
        )
        self.gc_full = Gauge(
            "rstat_live_gc_full_seconds", "How long the last full garbage collection paused the process", registry=r
        )
        self.latency = Histogram(
            "rstat_live_notice_to_socket_seconds",
            "A record's Kafka timestamp to its write to a client's socket (one sample per write)",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
