"""Debezium's figures on the workloads of ``rstat bench cdc`` (rstat/bench/cdc.py), on a private database of
its own with the same table, on the same PostgreSQL and broker.

Our reader reports commit -> acknowledgement itself (a histogram); Debezium has no such figure, so here each
workload is timed from the end of the committing statement to the arrival of its last message at a consumer
of Debezium's topic. A consumer's arrival is later than the producer's acknowledgement by one fetch (a few
milliseconds, against seconds per bulk transaction), so the method errs, if at all, against Debezium by that.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec
import psycopg
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from rstat.bench.cdc import (
    BULK_SQL,
    MILLION_SQL,
    WARM_UP_SQL,
    commit_small_while_paused,
    create_bench_table,
    measure_latency,
)
from rstat.bench.debezium import ConnectRun, DebeziumJars, connector_config, worker_config
from rstat.bench.env import create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings

__all__ = ["WARM_UP_CHANGES", "DebeziumPeer", "bench_debezium", "running_debezium"]


#: Changes committed before the first measured one (ours: 100,000).
WARM_UP_CHANGES = 300_000


def _progress(text: str) -> None:
    print(f"bench cdc --peer debezium: {text}", file=sys.stderr, flush=True)


class _Arrivals:
    """Messages on a topic from its end at creation: counts them and times the last one's arrival."""

    def __init__(self, bootstrap: str, topic: str, failed: Callable[[], bool]) -> None:
        self.failed = failed
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"bench-{uuid.uuid4().hex}",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 5,
            }
        )
        partitions = self.consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = [self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in partitions]
        self.consumer.assign([TopicPartition(topic, p, end) for p, end in zip(partitions, ends, strict=True)])

    def wait(self, count: int, timeout: float, what: str) -> float:
        """The ``perf_counter`` at which the ``count``-th message arrived."""
        seen, last = 0, time.perf_counter()
        deadline = time.monotonic() + timeout
        while seen < count:
            if time.monotonic() > deadline:
                raise RStatError(f"{what}: {seen} of {count} Debezium messages arrived within {timeout:.0f} s")
            # Never more than what is missing: a batch call waits for its batch to fill or for its timeout.
            messages = self.consumer.consume(min(10_000, count - seen), 0.05)
            arrived = time.perf_counter()
            fresh = sum(1 for m in messages if m.error() is None and m.value() is not None)
            if fresh:
                seen, last = seen + fresh, arrived
            elif self.failed():  # only while nothing arrives: a failed task stops the flow
                raise RStatError(f"{what}: Kafka Connect or its Debezium task failed after {seen} of {count}")
        return last

    def close(self) -> None:
        self.consumer.close()


def _commit_us(value: bytes) -> int:
    """The commit timestamp in Debezium's envelope (``source.ts_us``, µs since the epoch)."""
    return int(msgspec.json.decode(value)["source"]["ts_us"])


def _create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=-1)]).values():
        future.result(timeout=60)
    if not wait_until(lambda: topic in admin.list_topics(timeout=10).topics, 60):
        raise RStatError(f"topic {topic} was created but the broker's metadata does not show it")


def _release_slot(settings: Settings, slot: str) -> None:
    """Ends a walsender still holding the slot after Connect stopped, so that ``drop_private`` can drop it."""
    with psycopg.connect(settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = %s AND active",
            (slot,),
        )

        def inactive() -> bool:
            row = conn.execute("SELECT bool_or(active) FROM pg_replication_slots WHERE slot_name = %s", (slot,))
            found = row.fetchone()
            return found is None or not found[0]

        wait_until(inactive, 10, 0.1)


def _await_first_change(bootstrap: str, dsn: str, topic: str, run: ConnectRun) -> None:
    """Until a probe row committed now arrives on the topic.

    An active slot is not enough: the slot is active from its creation, and Debezium then streams from the
    server's current WAL position read a moment later, so a commit in between is skipped (a bench waited for a
    warm-up that had been committed 1 s too early). Debezium logs "Processing messages" once it streams; a probe
    is committed after that, again every 10 s until one arrives, and stragglers are drained before a workload."""
    wait_until(lambda: run.failed() or "Processing messages" in run.log_text(), 60, 0.2)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex}"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])  # the topic is the peer's own
        deadline = time.monotonic() + 120
        probe = 0
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.monotonic() < deadline and not run.failed():
                probe += 1
                conn.execute("INSERT INTO bench_rows VALUES (%s, 0, 'probe', 0, 'probe')", (-1_000_000_000 - probe,))
                retry_at = time.monotonic() + 10
                while time.monotonic() < retry_at:
                    if any(m.error() is None and m.value() is not None for m in consumer.consume(100, 0.2)):
                        time.sleep(1.0)  # a probe committed earlier may still be on its way
                        return
        raise RStatError(f"Debezium streamed no probe row within 120 s:\n{run.log_tail()}")
    finally:
        consumer.close()


def _slot_active(dsn: str, slot: str) -> bool:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT active FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone()
    return bool(row and row[0])


class DebeziumPeer(NamedTuple):
    """A running peer: the DSN of its private database, its topic, and the Connect JVM."""

    dsn: str
    topic: str
    run: ConnectRun
    pid: int


@contextlib.contextmanager
def running_debezium(settings: Settings, jars: DebeziumJars) -> Iterator[DebeziumPeer]:
    """A private database with the bench's table and a publication of it, the topic, and Connect with Debezium
    streaming from a slot of its own; everything is removed afterwards, whatever happened."""
    tag = uuid.uuid4().hex[:8]
    db, slot, pub = f"bench_dbz_{tag}", f"bench_dbz_{tag}", f"bench_dbz_pub_{tag}"
    prefix = f"bench.{tag}."
    topic = f"{prefix}dbz.public.bench_rows"
    bootstrap = settings.kafka.bootstrap()
    dsn = create_database(settings, db, migrate=False)
    folder = Path(tempfile.mkdtemp(prefix=f"bench-dbz-{tag}-", dir=settings.stack.home_path))
    run = ConnectRun(
        jars,
        folder,
        worker_config(bootstrap=bootstrap, offsets_file=folder / "offsets", rest_port=free_port()),
        connector_config(
            name=f"bench-dbz-{tag}",
            conninfo={k: str(v) for k, v in conninfo_to_dict(dsn).items()},
            topic_prefix=f"{prefix}dbz",
            slot=slot,
            publication=pub,
            tables=("bench_rows",),
        ),
    )
    ok = False
    try:
        create_bench_table(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE PUBLICATION {} FOR TABLE bench_rows").format(sql.Identifier(pub)))
        _create_topic(bootstrap, topic, settings.cdc.partitions)
        _progress("starting Kafka Connect standalone with Debezium's PostgreSQL connector")
        proc = run.start()
        if not wait_until(lambda: run.failed() or _slot_active(dsn, slot), 180, 0.5) or run.failed():
            raise RStatError(f"Kafka Connect with Debezium did not start streaming:\n{run.log_tail()}")
        _await_first_change(bootstrap, dsn, topic, run)
        yield DebeziumPeer(dsn, topic, run, proc.pid)
        ok = True
    except RStatError as exc:
        raise RStatError(f"{exc}\n(Connect's files are kept in {folder})") from exc
    finally:
        if run.proc is not None:
            stop_processes([run.proc])
        _release_slot(settings, slot)
        drop_private(settings, database=db, slots=(slot,), topic_prefixes=(prefix,))
        if ok:
            shutil.rmtree(folder, ignore_errors=True)


def bench_debezium(settings: Settings, jars: DebeziumJars) -> dict[str, Any]:
    """Debezium on the workloads of ``rstat bench cdc``."""
    with running_debezium(settings, jars) as peer:
        return _measure(settings, peer.dsn, peer.topic, peer.pid, peer.run)


def _measure(settings: Settings, dsn: str, topic: str, pid: int, run: ConnectRun) -> dict[str, Any]:
    bootstrap = settings.kafka.bootstrap()
    result: dict[str, Any] = {}

    def timed(statement: str, params: tuple[int, ...] | None, count: int, timeout: float, what: str) -> float:
        """Seconds from the end of the committing statement to the arrival of the ``count``-th message."""
        arrivals = _Arrivals(bootstrap, topic, run.failed)
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(statement, params)
            committed = time.perf_counter()
            return arrivals.wait(count, timeout, what) - committed
        finally:
            arrivals.close()

    # Our reader's warm-up (100,000 rows), then two more of 100,000: the JVM's bulk rate still rose from one
    # 200,000-row run to the next after the first alone (JIT compilation, G1 growing the heap from 256 MB),
    # and the comparison is meant against Connect in its steady state. The extra warm-up only helps Debezium.
    _progress(f"warm-up: {WARM_UP_CHANGES:,} rows in three transactions (a freshly started JVM is not yet compiled)")
    timed(WARM_UP_SQL, None, 100_000, 300, "the warm-up transaction")
    for first in (-300_000, -200_000):
        timed(BULK_SQL, (first, first + 99_999), 100_000, 300, "a warm-up transaction")  # below WARM_UP_SQL
    rates = []
    for n in range(3):
        _progress(f"bulk: a 200,000-row transaction ({n + 1} of 3)")
        seconds = timed(BULK_SQL, (n * 200_000 + 1, (n + 1) * 200_000), 200_000, 300, "a bulk transaction")
        rates.append(200_000 / seconds)
    result["bulk_changes_per_s"] = round(statistics.median(rates))
    result["bulk_runs_per_s"] = [round(r) for r in rates]

    _progress("small: 20,000 single-row transactions, committed while Connect is paused, then drained")
    arrivals = _Arrivals(bootstrap, topic, run.failed)
    try:
        result["small_tx_committed_per_s"] = commit_small_while_paused(pid, dsn)  # Connect paused, as our reader
        start = time.perf_counter()
        result["small_tx_per_s"] = round(20_000 / (arrivals.wait(20_000, 300, "the small transactions") - start))
    finally:
        arrivals.close()

    _progress("latency: 1,000 single-row transactions per second for 10 s")
    result.update(measure_latency(settings, dsn, topic, _commit_us))

    _progress("memory: one 1,000,000-row transaction")
    # The peak before it as well: a JVM's resident memory follows its heap ceiling more than the workload.
    result["peak_rss_mb_before_1m_tx"] = _peak_rss_mb(pid)
    timed(MILLION_SQL, None, 1_000_000, 900, "the 1M-row transaction")
    result["peak_rss_mb_1m_tx"] = _peak_rss_mb(pid)
    return result


def _peak_rss_mb(pid: int) -> int | None:
    """VmHWM, as ``rstat bench cdc`` reads it for our reader."""
    peak = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return round(int(peak.group(1)) / 1024) if peak else None
