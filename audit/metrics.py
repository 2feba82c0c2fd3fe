"""The writer's Prometheus metrics: rows written, batch latency, consumer lag, the last committed position."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["AuditMetrics"]


class AuditMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.rows = Counter("rstat_audit_rows_total", "Audit rows written, by captured table", ["table"], registry=r)
        self.skipped = Counter(
            "rstat_audit_skipped_total",
            "Messages that are not change envelopes (not_avro, corrupt, other_schema)",
            ["reason"],
            registry=r,
        )
        self.batch = Histogram(
            "rstat_audit_batch_seconds",
            "One batch: its inserts into ClickHouse and the commit of its offsets",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.freshness = Histogram(
            "rstat_audit_commit_to_row_seconds",
            "Commit in PostgreSQL of a batch's newest change to its audit row being queryable",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
            registry=r,
        )
        self.lag = Gauge(
            "rstat_audit_consumer_lag", "Messages on the topic not yet written (all partitions)", ["topic"], registry=r
        )
        self.committed = Gauge(
            "rstat_audit_committed_offset",
            "Next offset of each partition, committed after its rows were inserted",
            ["topic", "partition"],
            registry=r,
        )
        self.commit_lsn = Gauge("rstat_audit_last_commit_lsn", "commit_lsn of the newest change written", registry=r)
        self.kafka_up = Gauge("rstat_audit_kafka_up", "1 while the brokers answer, 0 while they do not", registry=r)
