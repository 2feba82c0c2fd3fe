"""``rstat bench cdc``: the CDC reader measured on the local stack, as a separate process like in production.

A private database with one table, a reader of its own (slot, topics, metrics port), and these runs:
- bulk: after a 100,000-row warm-up, a 200,000-row transaction three times (the median is reported);
  commit -> last Kafka acknowledgement, read from the reader's own histogram (it observes exactly that, once per
  transaction);
- raw decode: the same WAL through ``pg_logical_slot_peek_binary_changes`` on a second slot;
- small transactions: 20,000 single-row transactions committed (from a server-side procedure on four
  connections) while the reader is paused with SIGSTOP, then drained: resume -> last acknowledgement. The
  pause keeps PostgreSQL's own commit rate (fsync per commit) out of the figure; it is reported beside it;
- latency: single-row transactions at a steady 1,000/s for 10 s, each measured from its commit timestamp to
  its arrival at a consumer (an upper bound of commit -> acknowledgement);
- memory: the reader's peak resident memory (VmHWM) after a 1,000,000-row transaction.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Consumer, TopicPartition

from rstat.bench.env import RSTAT, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings
from schemas.codec import SchemaRegistry

__all__ = [
    "BULK_SQL",
    "MILLION_SQL",
    "WARM_UP_SQL",
    "bench_cdc",
    "commit_small_while_paused",
    "create_bench_table",
    "measure_latency",
]

#: The workloads, shared with ``rstat bench cdc --peer`` (rstat/bench/cdc_peer.py) so both systems get the same.
WARM_UP_SQL = "INSERT INTO bench_rows SELECT g, 0, 'warm-up', 0, 'x' FROM generate_series(-100000, -1) g"
#: One 200,000-row transaction; parameters: the first and the last id.
BULK_SQL = "INSERT INTO bench_rows SELECT g, g %% 380, 'goal', g %% 90, 'note ' || g FROM generate_series(%s, %s) g"
MILLION_SQL = (
    "INSERT INTO bench_rows SELECT g, g % 380, 'goal', g % 90, 'note ' || g FROM generate_series(1000001, 2000000) g"
)

TARGETS = {"bulk_changes_per_s": 50_000, "small_tx_per_s": 5_000, "latency_p99_ms": 100, "peak_rss_mb_1m_tx": 300}


def _progress(text: str) -> None:
    print(f"bench cdc: {text}", file=sys.stderr, flush=True)


class _Metrics:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/metrics"

    def read(self) -> dict[str, float]:
        with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310 - our own loopback endpoint
            text = response.read().decode()
        values: dict[str, float] = {}
        for line in text.splitlines():
            match = re.match(r"^(rstat_cdc_[a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$", line)
            if match:
                values[match.group(1) + (match.group(2) or "")] = float(match.group(3))
        return values

    def acked(self) -> tuple[float, float]:
        """(count, sum) of the commit -> ack histogram."""
        m = self.read()
        return m.get("rstat_cdc_commit_to_ack_seconds_count", 0.0), m.get("rstat_cdc_commit_to_ack_seconds_sum", 0.0)

    def settled(self, count: float) -> bool:
        m = self.read()
        return (
            m.get("rstat_cdc_commit_to_ack_seconds_count", 0.0) >= count
            and m.get("rstat_cdc_messages_in_flight", 1.0) == 0.0
        )


def bench_cdc(settings: Settings) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    db, slot, raw_slot, pub = f"bench_cdc_{tag}", f"bench_{tag}", f"bench_raw_{tag}", f"bench_pub_{tag}"
    prefix = f"bench.{tag}."
    port = free_port()
    dsn = create_database(settings, db, migrate=False)
    create_bench_table(dsn)
    env = {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": db,
        "RSTAT__CDC__SLOT": slot,
        "RSTAT__CDC__PUBLICATION": pub,
        "RSTAT__CDC__TOPIC_PREFIX": prefix,
        "RSTAT__CDC__SCHEMA_TOPIC": f"{prefix}schemas",
        "RSTAT__CDC__TABLES": "bench_rows",
        "RSTAT__CDC__METRICS_PORT": str(port),
        "RSTAT__CDC__SPILL_DIR": str(settings.stack.home_path / "bench-spill" / tag),
    }
    log = settings.stack.home_path / f"bench-cdc-{tag}.log"
    with log.open("wb") as out:
        reader = subprocess.Popen([RSTAT, "cdc"], env=env, stdout=out, stderr=subprocess.STDOUT)
    metrics = _Metrics(port)
    try:
        if not wait_until(lambda: reader.poll() is None and "streaming slot" in log.read_text(), 60):
            raise RStatError(f"the reader did not start; see {log}")
        return _measure(settings, dsn, raw_slot=raw_slot, pub=pub, prefix=prefix, pid=reader.pid, metrics=metrics)
    finally:
        stop_processes([reader])
        drop_private(settings, database=db, slots=(slot, raw_slot), topic_prefixes=(prefix,))
        log.unlink(missing_ok=True)


def create_bench_table(dsn: str) -> None:
    """The bench's table, and the server-side procedure of the small transactions."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, match_id int, kind text, minute int, note text)")
        conn.execute("CREATE SEQUENCE bench_ids START 10000000")
        conn.execute(
            "CREATE PROCEDURE bench_small(n int) LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..n LOOP "
            "INSERT INTO bench_rows VALUES (nextval('bench_ids'), i % 380, 'goal', i % 90, 'small'); COMMIT; "
            "END LOOP; END $$"
        )


def _measure(
    settings: Settings, dsn: str, *, raw_slot: str, pub: str, prefix: str, pid: int, metrics: _Metrics
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (raw_slot,))
        _progress("warm-up: a 100,000-row transaction (a freshly started broker JVM is not yet compiled)")
        count0, _ = metrics.acked()
        conn.execute(WARM_UP_SQL)
        if not wait_until(functools.partial(metrics.settled, count0 + 1), 300, 0.05):
            raise RStatError("the warm-up transaction was not acknowledged within 300 s")
        rates = []
        for run in range(3):  # the median of three: one run on a shared 2-core machine is noise-prone
            _progress(f"bulk: a 200,000-row transaction ({run + 1} of 3)")
            count0, sum0 = metrics.acked()
            conn.execute(BULK_SQL, (run * 200_000 + 1, (run + 1) * 200_000))
            if not wait_until(functools.partial(metrics.settled, count0 + 1), 300, 0.05):
                raise RStatError("the bulk transaction was not acknowledged within 300 s")
            count1, sum1 = metrics.acked()
            rates.append(200_000 / ((sum1 - sum0) / max(count1 - count0, 1)))
        result["bulk_changes_per_s"] = round(statistics.median(rates))
        result["bulk_runs_per_s"] = [round(r) for r in rates]
        _progress("raw decode of the same WAL (600,000 rows) on a second slot")
        start = time.perf_counter()
        row = conn.execute(
            "SELECT count(*) FROM pg_logical_slot_peek_binary_changes(%s, NULL, NULL, 'proto_version', '1', "
            "'publication_names', %s)",
            (raw_slot, pub),
        ).fetchone()
        raw_seconds = time.perf_counter() - start
        conn.execute("SELECT pg_drop_replication_slot(%s)", (raw_slot,))
        assert row is not None
        result["raw_decode_changes_per_s"] = round(int(row[0]) / raw_seconds)
        result["bulk_share_of_raw"] = round(result["bulk_changes_per_s"] / result["raw_decode_changes_per_s"], 3)

        _progress("small: 20,000 single-row transactions, committed while the reader is paused, then drained")
        count0, _ = metrics.acked()
        result["small_tx_committed_per_s"] = commit_small_while_paused(pid, dsn)
        start = time.perf_counter()
        if not wait_until(lambda: metrics.settled(count0 + 20_000), 300, 0.02):
            raise RStatError("the small transactions were not acknowledged within 300 s")
        result["small_tx_per_s"] = round(20_000 / (time.perf_counter() - start))

    _progress("latency: 1,000 single-row transactions per second for 10 s")
    registry = _registry(settings, f"{prefix}schemas")
    result.update(
        measure_latency(
            settings, dsn, f"{prefix}bench_rows", lambda value: int(registry.decode(value)[1]["source"]["commit_ts_us"])
        )
    )

    _progress("memory: one 1,000,000-row transaction")
    count0, _ = metrics.acked()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(MILLION_SQL)
    if not wait_until(lambda: metrics.settled(count0 + 1), 600, 0.2):
        raise RStatError("the 1M-row transaction was not acknowledged within 600 s")
    status = Path(f"/proc/{pid}/status").read_text()
    peak = re.search(r"VmHWM:\s+(\d+) kB", status)
    result["peak_rss_mb_1m_tx"] = round(int(peak.group(1)) / 1024) if peak else None
    result["targets"] = TARGETS
    return result


def call_small(dsn: str, count: int) -> None:
    """Single-row transactions from one connection (a server-side loop: the client is not the bottleneck)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CALL bench_small(%s)", (count,))


def commit_small_while_paused(pid: int, dsn: str) -> int:
    """Commit 20,000 single-row transactions from 4 connections while the CDC process ``pid`` is stopped
    (SIGSTOP), so that PostgreSQL's commit rate is not what the drain afterwards measures; their rate."""
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.perf_counter()
        callers = [threading.Thread(target=call_small, args=(dsn, 5000)) for _ in range(4)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        return round(20_000 / (time.perf_counter() - start))
    finally:
        os.kill(pid, signal.SIGCONT)


def _registry(settings: Settings, topic: str) -> SchemaRegistry:
    """Every schema published so far on the reader's schema topic."""
    registry = SchemaRegistry()
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka.bootstrap(),
            "group.id": f"bench-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 1.0:
        for message in consumer.consume(100, 0.2):
            value = message.value()
            if message.error() is None and value:
                registry.register(value.decode())
                idle_since = time.monotonic()
    consumer.close()
    return registry


def measure_latency(
    settings: Settings,
    dsn: str,
    topic: str,
    commit_us: Callable[[bytes], int],
    *,
    rate: int = 1000,
    seconds: float = 10.0,
    writers: int = 4,
) -> dict[str, float]:
    """Single-row transactions at a steady ``rate``: commit -> arrival at a consumer of ``topic``, each one
    timed from its commit timestamp (``commit_us`` reads it from a message value)."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka.bootstrap(),
            "group.id": f"bench-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 5,
            "fetch.min.bytes": 1,
        }
    )
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -1) for p in partitions])  # from the end: only new messages
    samples: list[float] = []
    expected = int(rate * seconds)

    def write(offset: int) -> None:
        interval = writers / rate
        with psycopg.connect(dsn, autocommit=True) as conn:
            next_at = time.monotonic()
            for n in range(offset, expected, writers):
                conn.execute("INSERT INTO bench_rows VALUES (%s, 1, 'goal', 1, 'latency')", (50_000_000 + n,))
                next_at += interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    consumer.consume(1, 1.0)  # join the partitions before the writes start
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds + 60
    try:
        while len(samples) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.05)  # one at a time: a batch call would wait to fill its batch
            if message is not None:
                value = message.value()
                if message.error() is None and value:
                    now_us = time.time() * 1e6
                    samples.append((now_us - commit_us(value)) / 1000)
    finally:
        for thread in threads:
            thread.join()
        consumer.close()
    samples.sort()
    return {
        "latency_p50_ms": round(statistics.median(samples), 2),
        "latency_p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
        "latency_samples": len(samples),
    }
