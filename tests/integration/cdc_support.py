"""Helpers to run the real ``rstat cdc`` process against a private database and read what it publishes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient
from psycopg import sql

from rstat.ops.migrations import apply_migrations
from rstat.settings import Settings
from schemas.codec import SchemaRegistry
from tests.conftest import unique

RSTAT = str(Path(sys.executable).parent / "rstat")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Change:
    topic: str
    partition: int
    key: bytes | None
    record: dict[str, Any] | None  # None for a tombstone

    @property
    def position(self) -> tuple[int, int]:
        assert self.record is not None
        return self.record["source"]["commit_lsn"], self.record["source"]["ordinal"]


@dataclass
class CdcEnv:
    """A database of its own, and the settings of a reader that captures it into topics of its own."""

    settings: Settings
    name: str
    prefix: str
    env: dict[str, str]
    log: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return self.settings.postgres.admin_dsn(self.name)

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.dsn, autocommit=True)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as out:
            proc = subprocess.Popen([RSTAT, "cdc", *args], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RSTAT, "cdc", *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def wait_streaming(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "streaming slot" in self.log.read_text(errors="replace"):
                return
            for proc in self.procs:
                if proc.poll() is not None:
                    raise AssertionError(f"rstat cdc exited with {proc.returncode}:\n{self.log.read_text()}")
            time.sleep(0.1)
        raise AssertionError(f"rstat cdc did not start streaming:\n{self.log.read_text()}")

    def stop(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
        proc.send_signal(sig)
        return proc.wait(timeout=60)

    def topic(self, table: str) -> str:
        return f"{self.prefix}{table}"

    def changes(self, tables: list[str], until: Callable[[list[Change]], bool], timeout: float = 60) -> list[Change]:
        """Everything published for ``tables`` from the start of the topics, once ``until`` holds."""
        registry = SchemaRegistry()
        deadline = time.monotonic() + timeout
        seen: list[Change] = []
        for batch in _read(self.settings, [self.env["RSTAT__CDC__SCHEMA_TOPIC"]], deadline, idle=2.0):
            for msg in batch:
                registry.register(msg.value().decode())
        topics = [self.topic(t) for t in tables]
        pending: list[Any] = []
        for batch in _read(self.settings, topics, deadline, idle=None):
            pending.extend(batch)
            for msg in batch:
                value = msg.value()
                if value is not None and value[2:10].hex() not in registry:
                    for more in _read(self.settings, [self.env["RSTAT__CDC__SCHEMA_TOPIC"]], deadline, idle=1.0):
                        for schema in more:
                            registry.register(schema.value().decode())
                record = None if value is None else registry.decode(value)[1]
                seen.append(Change(msg.topic(), msg.partition(), msg.key(), record))
            if until(seen):
                return seen
        raise AssertionError(f"condition not met within {timeout} s; got {len(seen)} changes")


def _read(settings: Settings, topics: list[str], deadline: float, idle: float | None) -> Iterator[list[Any]]:
    """Batches of messages of ``topics`` from offset 0; stops after ``idle`` seconds without one, or the deadline."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka.bootstrap(),
            "group.id": unique("t"),
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 50,
        }
    )
    try:
        assignment = []
        for topic in topics:
            meta = consumer.list_topics(topic, timeout=10).topics[topic]
            assignment += [TopicPartition(topic, p, 0) for p in meta.partitions]
        consumer.assign(assignment)
        last = time.monotonic()
        while time.monotonic() < deadline:
            batch = [m for m in consumer.consume(10000, 0.2) if m.error() is None]
            if batch:
                last = time.monotonic()
                yield batch
            elif idle is not None and time.monotonic() - last > idle:
                return
            else:
                yield []
    finally:
        consumer.close()


def make_env(settings: Settings, tmp: Path, **overrides: str) -> CdcEnv:
    name = unique("cdc")
    with psycopg.connect(settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    apply_migrations(settings.postgres, dsn=settings.postgres.admin_dsn(name), progress=lambda _l: None)
    prefix = f"{unique('cdc')}."
    env = {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": name,
        "RSTAT__CDC__SLOT": unique("slot"),
        "RSTAT__CDC__PUBLICATION": unique("pub"),
        "RSTAT__CDC__TOPIC_PREFIX": prefix,
        "RSTAT__CDC__SCHEMA_TOPIC": f"{prefix}schemas",
        "RSTAT__CDC__METRICS_PORT": str(free_port()),
        "RSTAT__CDC__SPILL_DIR": str(tmp / "spill"),
        "RSTAT__CDC__HEARTBEAT_S": "1",
        **overrides,
    }
    db_settings = settings  # the admin DSN of another database comes from admin_dsn(name)
    return CdcEnv(settings=db_settings, name=name, prefix=prefix, env=env, log=tmp / "cdc.log")


def delete_topics(settings: Settings, prefixes: tuple[str, ...]) -> None:
    """Remove a test's topics: a broker with thousands of stale partitions gets slow for everyone after."""
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap()})
    doomed = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefixes)]
    for future in (admin.delete_topics(doomed, operation_timeout=60) if doomed else {}).values():
        future.result()


def drop_env(cdc: CdcEnv) -> None:
    for proc in cdc.procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with psycopg.connect(cdc.settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = %s "
            "AND active_pid IS NOT NULL",
            (cdc.name,),
        )
        time.sleep(0.2)
        conn.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = %s", (cdc.name,)
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(cdc.name)))
    app_id = cdc.env.get("RSTAT__STREAMS__APP_ID")
    delete_topics(cdc.settings, (cdc.prefix, app_id) if app_id else (cdc.prefix,))


def start_streams(env: CdcEnv, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen([RSTAT, "streams"], env=env.env, stdout=out, stderr=subprocess.STDOUT)
    env.procs.append(proc)
    return proc
