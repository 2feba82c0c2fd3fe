"""``rstat bench audit``: the audit writer measured on the local stack, a separate process as in production.

A private database with one table, its own CDC reader and, later, its own writer (slot, topics, consumer
group, engine folder and port of their own). Then:

- bulk: a 20,000-row warm-up transaction, then a 200,000-row one, committed while no writer runs;
  ``cdc_bulk_changes_per_s`` is 200,000 / (commit -> last Kafka acknowledgement) from the reader's own
  histogram, in the same run. The writer starts after them: ``audit_rows_per_s`` is its rows / (writer
  answering -> the last row queryable), i.e. Kafka to ClickHouse; ``ratio_to_cdc`` one over the other;
- lag: single-row transactions at a steady 1,000 per second for 10 s (four connections); a row's lag is its
  commit time -> the time ClickHouse took it in the writer's insert (the row's ``written_at``; it is
  queryable when that insert returns, milliseconds later), the whole chain through CDC and Kafka included;
- kill: a 50,000-row transaction; the writer is killed (SIGKILL) once part of it is written and started
  again; once every row is there, ``duplicates_after_kill`` counts changes a query shows more than once (0:
  reads are FINAL), ``stored_copies_after_kill`` the extra copies ClickHouse holds until it merges them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from rstat.bench.env import RSTAT, create_database, drop_private, stop_processes
from rstat.errors import RStatError
from rstat.ops.stack.process import free_port, wait_until
from rstat.settings import Settings

__all__ = ["bench_audit"]

TARGETS = {"audit_rows_per_s": 30_000, "ratio_to_cdc": 0.5, "lag_p99_ms": 2_000, "duplicates_after_kill": 0}
WARM_UP, BULK, KILL_ROWS, RATE, STEADY_S = 20_000, 200_000, 50_000, 1_000, 10.0
CONTEXT = '{"actor": "bench", "request_id": "bench", "source": "bench", "org": 1}'


def _progress(text: str) -> None:
    print(f"bench audit: {text}", file=sys.stderr, flush=True)


def _acked(port: int) -> tuple[float, float]:
    """(count, sum) of the CDC reader's commit -> acknowledgement histogram."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    found = dict(re.findall(r"^rstat_cdc_commit_to_ack_seconds_(count|sum) ([0-9.e+-]+)$", text, re.MULTILINE))
    return float(found.get("count", 0)), float(found.get("sum", 0))


class _Writer:
    """The audit writer process and what the bench asks its endpoint."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.url = f"http://127.0.0.1:{env['RSTAT__AUDIT__PORT']}"
        self.http = httpx.Client(timeout=30)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start it; returns the monotonic time it answered."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([RSTAT, "audit"], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        if not wait_until(self._answers, 120, 0.02):
            raise RStatError(f"the audit writer did not start; see {self.log}")
        return time.monotonic()

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RStatError(f"the audit writer exited with {self.proc.returncode}; see {self.log}")
        try:
            return self.http.get(f"{self.url}/ping").status_code == 200
        except httpx.TransportError:
            return False

    def scalar(self, sql: str, *, final: bool = True) -> int:
        answer = self.http.post(self.url, params={"final": str(int(final))}, content=sql.encode())
        if answer.status_code != 200:
            raise RStatError(f"the audit answered {answer.status_code}: {answer.text}")
        return int(answer.text)

    def count(self, *, final: bool = False) -> int:
        """Rows written (without FINAL while measuring: cheaper, and there are no copies then)."""
        return self.scalar("SELECT count() FROM changes", final=final)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def peak_rss_mb(self) -> int | None:
        assert self.proc is not None
        found = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{self.proc.pid}/status").read_text())
        return round(int(found.group(1)) / 1024) if found else None

    def close(self) -> None:
        if self.proc is not None:
            stop_processes([self.proc])
        self.http.close()


def bench_audit(settings: Settings) -> dict[str, Any]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the polls would bury the progress lines
    tag = uuid.uuid4().hex[:8]
    db, slot, pub, prefix = f"bench_audit_{tag}", f"bench_{tag}", f"bench_pub_{tag}", f"bench.{tag}."
    home = settings.stack.home_path / f"bench-audit-{tag}"
    dsn = create_database(settings, db, migrate=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, match_id int, kind text, minute int, note text)")
    cdc_port = free_port()
    env = {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": db,
        "RSTAT__CDC__SLOT": slot,
        "RSTAT__CDC__PUBLICATION": pub,
        "RSTAT__CDC__TOPIC_PREFIX": prefix,
        "RSTAT__CDC__SCHEMA_TOPIC": f"{prefix}schemas",
        "RSTAT__CDC__TABLES": "bench_rows",
        "RSTAT__CDC__METRICS_PORT": str(cdc_port),
        "RSTAT__CDC__SPILL_DIR": str(home / "spill"),
        "RSTAT__CLICKHOUSE__PATH": str(home / "clickhouse"),
        "RSTAT__AUDIT__GROUP": f"bench-audit-{tag}",
        "RSTAT__AUDIT__PORT": str(free_port()),
    }
    home.mkdir(parents=True)
    with (home / "cdc.log").open("wb") as out:
        reader = subprocess.Popen([RSTAT, "cdc"], env=env, stdout=out, stderr=subprocess.STDOUT)
    writer = _Writer(env, home / "audit.log")
    try:
        if not wait_until(lambda: reader.poll() is None and "streaming slot" in (home / "cdc.log").read_text(), 60):
            raise RStatError(f"the CDC reader did not start; see {home / 'cdc.log'}")
        return _measure(dsn, cdc_port, writer)
    finally:
        writer.close()
        stop_processes([reader])
        drop_private(settings, database=db, slots=(slot,), topic_prefixes=(prefix,))
        shutil.rmtree(home, ignore_errors=True)


def _commit(dsn: str, first: int, rows: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        conn.execute("SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (CONTEXT,))
        conn.execute(
            "INSERT INTO bench_rows SELECT g, g %% 380, 'goal', g %% 90, 'note ' || g "
            "FROM generate_series(%s::bigint, %s::bigint) g",
            (first, first + rows - 1),
        )


def _acked_after(port: int, count: float, what: str) -> tuple[float, float]:
    if not wait_until(lambda: _acked(port)[0] >= count, 300, 0.05):
        raise RStatError(f"{what} was not acknowledged by Kafka within 300 s")
    return _acked(port)


def _measure(dsn: str, cdc_port: int, writer: _Writer) -> dict[str, Any]:
    result: dict[str, Any] = {}
    _progress(f"a {WARM_UP:,}-row warm-up transaction, then {BULK:,} rows in one, with no writer running")
    count0, _ = _acked(cdc_port)
    _commit(dsn, 1, WARM_UP)
    count1, sum1 = _acked_after(cdc_port, count0 + 1, "the warm-up")
    _commit(dsn, WARM_UP + 1, BULK)
    count2, sum2 = _acked_after(cdc_port, count1 + 1, "the bulk transaction")
    result["cdc_bulk_changes_per_s"] = round(BULK / ((sum2 - sum1) / (count2 - count1)))

    _progress("the writer starts: Kafka -> queryable audit rows")
    expected = WARM_UP + BULK
    started = writer.start()
    if not wait_until(lambda: writer.count() >= expected, 600, 0.02):
        raise RStatError(f"the writer did not write {expected} rows within 600 s")
    result["audit_rows_per_s"] = round(expected / (time.monotonic() - started))
    result["ratio_to_cdc"] = round(result["audit_rows_per_s"] / result["cdc_bulk_changes_per_s"], 3)

    _progress(f"lag: {RATE:,} single-row transactions per second for {STEADY_S:.0f} s")
    samples = _lag(dsn, writer, first=expected + 1)
    expected += len(samples)
    result["lag_p50_ms"] = round(statistics.median(samples), 1)
    result["lag_p99_ms"] = round(samples[int(len(samples) * 0.99) - 1], 1)
    result["lag_samples"] = len(samples)

    _progress(f"kill: a {KILL_ROWS:,}-row transaction, the writer killed while it writes it, then started again")
    before = writer.count()
    _commit(dsn, 10_000_000, KILL_ROWS)
    if not wait_until(lambda: writer.count() > before, 300, 0.005):
        raise RStatError("the writer wrote nothing of the last transaction within 300 s")
    writer.kill()
    writer.start()
    expected += KILL_ROWS
    if not wait_until(lambda: writer.count(final=True) >= expected, 300, 0.1):
        raise RStatError(f"the restarted writer did not show {expected} rows within 300 s")
    shown = writer.count(final=True)
    distinct = writer.scalar("SELECT uniqExact(`table`, key, commit_lsn, ordinal) FROM changes")
    result["duplicates_after_kill"] = shown - distinct
    result["stored_copies_after_kill"] = writer.count(final=False) - expected
    result["writer_peak_rss_mb"] = writer.peak_rss_mb()
    result["targets"] = TARGETS
    return result


def _lag(dsn: str, writer: _Writer, *, first: int, writers: int = 4) -> list[float]:
    """Commit -> audit row of every row committed at the steady rate, in ms, sorted."""
    total = int(RATE * STEADY_S)

    def write(offset: int) -> None:
        interval = writers / RATE
        with psycopg.connect(dsn, autocommit=True) as conn:
            next_at = time.monotonic()
            for n in range(offset, total, writers):
                conn.execute("INSERT INTO bench_rows VALUES (%s, 1, 'goal', 1, 'lag')", (first + n,))
                next_at += interval
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = "SELECT count() FROM changes WHERE `table` = 'bench_rows' AND JSONExtractString(after, 'note') = 'lag'"
    if not wait_until(lambda: writer.scalar(counted) >= total, 120, 0.1):
        raise RStatError(f"the {total} rows of the steady rate did not all reach the audit within 120 s")
    # written_at is ClickHouse's clock when the insert took the row (it is queryable once that insert
    # returns, milliseconds later); the commit time is PostgreSQL's, on the same machine
    answer = writer.http.post(
        writer.url,
        content=b"SELECT toUnixTimestamp64Micro(written_at) / 1000 - toUnixTimestamp64Micro(commit_time) / 1000 "
        b"FROM changes WHERE `table` = 'bench_rows' AND JSONExtractString(after, 'note') = 'lag' FORMAT TabSeparated",
    )
    return sorted(float(line) for line in answer.text.split())
