"""Prometheus metrics of the stream processor and its /metrics + /healthz endpoint (``streams.metrics_port``).

What is counted where, and why there: the worker's steps already take ports (a decoder, a sender, a sink,
a step function), so each metric is a thin wrapper around one of them (:meth:`StreamsMetrics.decoding`,
:meth:`~StreamsMetrics.sending`, :meth:`~StreamsMetrics.materializing`, :meth:`~StreamsMetrics.applying`)
instead of a counter call threaded through the domain code.

Commit -> statistics latency: a statistics record carries the ``commit_lsn`` of the newest change it
includes, not that change's commit time, and the wire schemas stay as they are. So the intake remembers the
commit time of each transaction it reads (``source.commit_lsn`` -> ``source.commit_ts_us``, a bounded
:class:`CommitClock`) and the materializer, once a batch's transaction has committed in PostgreSQL, looks
the records' ``commit_lsn`` up: the first record materialized for a commit observes ``now - commit time``.
A commit whose changes another worker's intake read, or that was folded into a newer record of the same key
before it was materialized, is not observed: the histogram samples commits, it does not count them.

Consumer lag is measured from Kafka, not from this process's consumers: each group's committed offsets
against the partitions' end offsets (as kafka-lag-exporter and Burrow do), every ``interval_s`` in a
thread. So it includes partitions assigned to other workers, and every worker reports the same numbers: a
dashboard takes ``max`` per (group, topic, partition) before summing (deploy/metrics/queries.json).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streams.agent_loop import Step
from streams.batching import Sends, Staged
from streams.materializer import Target
from streams.materializing import StatisticsSink

__all__ = ["CommitClock", "ConsumerLag", "StreamsMetrics"]

log = logging.getLogger(__name__)

#: commit -> statistics: from tens of ms (a quiet stack) to minutes (a worker catching up)
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class CommitClock:
    """Commit times of the transactions the intake read, by ``commit_lsn``, until their statistics are
    materialized; the oldest are forgotten beyond ``limit`` (commits never materialized here)."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._times: OrderedDict[int, int] = OrderedDict()
        self._lock = threading.Lock()  # the intake and the materializer are two threads

    def read(self, commit_lsn: int, commit_ts_us: int) -> None:
        with self._lock:
            if commit_lsn in self._times:
                return
            self._times[commit_lsn] = commit_ts_us
            while len(self._times) > self.limit:
                self._times.popitem(last=False)

    def materialized(self, commit_lsn: int) -> int | None:
        """The commit time of ``commit_lsn`` the first time its statistics are materialized, else None."""
        with self._lock:
            return self._times.pop(commit_lsn, None)

    def __len__(self) -> int:
        return len(self._times)


class _Kind(msgspec.Struct):
    kind: str = ""


class _CountingSends:
    """A :class:`Sends` that counts the notices going to ``notices_topic`` by kind (counted when handed to
    the producer: a notice Kafka refuses stops the worker, and the batch is sent again)."""

    def __init__(self, inner: Sends, notices_topic: str, counter: Counter) -> None:
        self.inner, self.notices_topic, self.counter = inner, notices_topic, counter
        self._kind = msgspec.json.Decoder(_Kind).decode

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        if topic == self.notices_topic:
            try:
                kind = self._kind(value).kind
            except msgspec.DecodeError:
                kind = ""
            self.counter.labels(kind or "unknown").inc()
        self.inner.send(topic, key, value, partition)

    def flush(self, timeout: float = 60) -> None:
        self.inner.flush(timeout)


class _TimedSink:
    """A :class:`StatisticsSink` that observes commit -> statistics for the commits of each written batch."""

    def __init__(self, inner: StatisticsSink, clock: CommitClock, histogram: Histogram) -> None:
        self.inner, self.clock, self.histogram = inner, clock, histogram

    def write(self, items: Sequence[tuple[Target, dict[str, Any]]]) -> int:
        written = self.inner.write(items)  # committed in PostgreSQL when it returns
        now_us = time.time() * 1e6
        for _target, record in items:
            commit_ts_us = self.clock.materialized(int(record.get("commit_lsn") or 0))
            if commit_ts_us is not None:
                self.histogram.observe(max(0.0, (now_us - commit_ts_us) / 1e6))
        return written


class ConsumerLag(Collector):
    """Lag of the worker's consumer groups, measured from Kafka every ``interval_s`` in a thread and
    served from the last measurement (a scrape never waits for Kafka)."""

    def __init__(self, bootstrap: str, groups: Sequence[str], interval_s: float = 5.0) -> None:
        self.bootstrap, self.groups, self.interval_s = bootstrap, list(groups), interval_s
        self.lags: dict[tuple[str, str, int], int] = {}
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "rstat_streams_consumer_lag_messages",
            "Messages in a partition after its group's committed offset (end offset - committed; the whole "
            "partition when nothing is committed), measured from Kafka every few seconds; every worker "
            "reports the whole group",
            labels=["group", "topic", "partition"],
        )
        for (group, topic, partition), lag in sorted(self.lags.items()):
            family.add_metric([group, topic, str(partition)], lag)
        yield family

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="rstat-streams-lag", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        while not self.stopping.is_set():
            try:
                self.lags = self.measure(admin)
            except (KafkaException, RuntimeError) as exc:
                log.warning("consumer lag not measured: %s", exc)
            self.stopping.wait(self.interval_s)

    def measure(self, admin: AdminClient) -> dict[tuple[str, str, int], int]:
        committed: dict[tuple[str, str, int], int] = {}
        for group in self.groups:
            found = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=10)
            for tp in found[group].result(timeout=15).topic_partitions or []:
                committed[(group, tp.topic, tp.partition)] = tp.offset
        parts = {(topic, partition) for _group, topic, partition in committed}
        if not parts:
            return {}
        ends = _offsets(admin, parts, OffsetSpec.latest())  # type: ignore[no-untyped-call]
        starts = _offsets(admin, parts, OffsetSpec.earliest())  # type: ignore[no-untyped-call]
        return lags(committed, starts, ends)


def _offsets(admin: AdminClient, parts: Iterable[tuple[str, int]], spec: OffsetSpec) -> dict[tuple[str, int], int]:
    futures = admin.list_offsets({TopicPartition(t, p): spec for t, p in parts}, request_timeout=10)
    return {(tp.topic, tp.partition): int(f.result(timeout=15).offset) for tp, f in futures.items()}


def lags(
    committed: Mapping[tuple[str, str, int], int],
    starts: Mapping[tuple[str, int], int],
    ends: Mapping[tuple[str, int], int],
) -> dict[tuple[str, str, int], int]:
    """Per (group, topic, partition): end - committed, or end - start where the group committed nothing
    (a negative offset) or an offset the log no longer holds."""
    found: dict[tuple[str, str, int], int] = {}
    for (group, topic, partition), offset in committed.items():
        end = ends.get((topic, partition))
        if end is None:
            continue
        start = starts.get((topic, partition), 0)
        found[(group, topic, partition)] = max(0, end - max(offset, start))
    return found


class StreamsMetrics:
    """The worker's metrics in a registry of its own, and the wrappers that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.changes = Counter(
            "rstat_streams_changes_total",
            "CDC changes read by the intake, by table (source.table) and op",
            ["table", "op"],
            registry=r,
        )
        self.applied = Counter(
            "rstat_streams_events_applied_total",
            "Items each stateful agent's step took (protocols: protocol rows, fold: facts and protocols, "
            "players: player lines), replays the step ignores included",
            ["agent"],
            registry=r,
        )
        self.notices = Counter(
            "rstat_streams_notices_published_total", "Notices handed to Kafka, by kind", ["kind"], registry=r
        )
        self.commit_to_stats = Histogram(
            "rstat_streams_commit_to_stats_seconds",
            "A transaction's commit in PostgreSQL (source.commit_ts_us) to the commit of the first "
            "materializer transaction that wrote statistics carrying its commit_lsn; sampled (see streams/metrics.py)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.clock = CommitClock()
        self.healthy = False
        self.lag: ConsumerLag | None = None
        self._server: ThreadingHTTPServer | None = None

    # -- wrappers of the worker's ports -----------------------------------------------------------------

    def decoding(self, decode: Callable[[bytes], dict[str, Any]]) -> Callable[[bytes], dict[str, Any]]:
        """The intake's decoder, counting each change and remembering its transaction's commit time."""
        changes, clock = self.changes, self.clock

        def decoded(value: bytes) -> dict[str, Any]:
            record = decode(value)
            source = record.get("source") or {}
            changes.labels(str(source.get("table", "")), str(record.get("op", ""))).inc()
            commit_lsn, commit_ts_us = source.get("commit_lsn"), source.get("commit_ts_us")
            if commit_lsn is not None and commit_ts_us:
                clock.read(int(commit_lsn), int(commit_ts_us))
            return record

        return decoded

    def sending(self, sends: Sends, notices_topic: str) -> Sends:
        return _CountingSends(sends, notices_topic, self.notices)

    def materializing(self, sink: StatisticsSink) -> StatisticsSink:
        return _TimedSink(sink, self.clock, self.commit_to_stats)

    def applying(self, agent: str, step: Step) -> Step:
        counter = self.applied.labels(agent)

        def applied(staged: Staged, events: list[Any], entity: Any, items: list[Any]) -> None:
            step(staged, events, entity, items)
            counter.inc(len(items))

        return applied

    def measure_lag(self, bootstrap: str, groups: Sequence[str], interval_s: float) -> None:
        """Register and start the consumer lag collector."""
        self.lag = ConsumerLag(bootstrap, groups, interval_s)
        self.registry.register(self.lag)
        self.lag.start()

    # -- the endpoint -----------------------------------------------------------------------------------

    def serve(self, host: str, port: int) -> bool:
        """Serve /metrics and /healthz on ``host:port`` from a daemon thread (port 0: not at all); returns
        whether it serves."""
        if not port:
            return False
        metrics = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    body, status, kind = generate_latest(metrics.registry), 200, CONTENT_TYPE_LATEST
                elif self.path == "/healthz":
                    ok = metrics.healthy
                    body, status, kind = (b"ok\n" if ok else b"not running\n"), (200 if ok else 503), "text/plain"
                else:
                    body, status, kind = b"not found\n", 404, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        try:
            self._server = ThreadingHTTPServer((host, port), Handler)
        except OSError as exc:
            # the worker's work matters more than its metrics: a taken port (a second worker on one
            # machine with the same settings) is said loudly, and the worker runs on unobserved
            log.error("metrics not served on %s:%d: %s (set streams.metrics_port)", host, port, exc)
            return False
        threading.Thread(target=self._server.serve_forever, name="streams-metrics", daemon=True).start()
        log.info("metrics on http://%s:%d/metrics, health on /healthz", host, port)
        return True

    def close(self) -> None:
        self.healthy = False
        if self.lag is not None:
            self.lag.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
