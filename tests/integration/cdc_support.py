"""Helpers to run the real ``rstat cdc`` process against a private database and read what it publishes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.admin import AdminClient
from psycopg import sql

from rstat.ops.migrations import apply_migrations
from rstat.settings import Settings
from schemas.codec import SchemaRegistry
from tests.conftest import unique
from tests.waiting import DEFAULT_TIMEOUT_S, StopWaiting, eventually

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


def ensure_running(proc: subprocess.Popen[bytes], name: str, log: Path) -> None:
    """Stop a wait at once when ``proc`` has exited: what it was to do will not happen any more."""
    if proc.poll() is not None:
        raise StopWaiting(f"{name} exited with {proc.returncode}; see {log}")


@dataclass
class CdcEnv:
    """A database of its own, and the settings of a reader that captures it into topics of its own."""

    settings: Settings
    name: str
    prefix: str
    env: dict[str, str]
    log: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: the reader started last, and where its lines begin in the log (earlier readers wrote the same lines)
    reader: subprocess.Popen[bytes] | None = None
    reader_log_from: int = 0

    @property
    def dsn(self) -> str:
        return self.settings.postgres.admin_dsn(self.name)

    def connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.dsn, autocommit=True)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        self.reader_log_from = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            proc = subprocess.Popen([RSTAT, "cdc", *args], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.reader = proc
        return proc

    def run(self, *args: str, timeout: float = DEFAULT_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RSTAT, "cdc", *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def wait_streaming(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Until the reader started last says it streams (it has opened its slot and captures from there)."""
        reader = self.reader
        assert reader is not None, "no reader was started"

        def streaming() -> bool:
            with self.log.open("rb") as f:
                f.seek(self.reader_log_from)
                text = f.read().decode(errors="replace")
            if "streaming slot" in text:
                return True
            if reader.poll() is not None:
                raise StopWaiting(f"rstat cdc exited with {reader.returncode}:\n{text}")
            return False

        eventually(streaming, timeout=timeout, message=f"rstat cdc to start streaming (see {self.log})")

    def wait_slot_released(self, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Until no process holds the reader's slot (the walsender of a killed reader has gone)."""
        slot = self.env["RSTAT__CDC__SLOT"]
        with self.connect() as conn:

            def released() -> bool:
                row = conn.execute("SELECT active_pid FROM pg_replication_slots WHERE slot_name = %s", (slot,))
                return row.fetchone() == (None,)

            eventually(released, timeout=timeout, message=f"replication slot {slot} to be released")

    def tail(self, chars: int = 3000) -> str:
        """The end of what the reader started last has logged."""
        with self.log.open("rb") as f:
            f.seek(self.reader_log_from)
            return f.read().decode(errors="replace")[-chars:]

    def stop(self, proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
        proc.send_signal(sig)
        return proc.wait(timeout=DEFAULT_TIMEOUT_S)

    def topic(self, table: str) -> str:
        return f"{self.prefix}{table}"

    def changes(
        self, tables: list[str], until: Callable[[list[Change]], bool], timeout: float = DEFAULT_TIMEOUT_S
    ) -> list[Change]:
        """Everything published for ``tables`` from the start of the topics, once ``until`` holds."""
        registry = SchemaRegistry()
        seen: list[Change] = []
        reader = TopicReader(self.settings, [self.topic(t) for t in tables])
        cdc = self.reader

        def take(messages: list[Message]) -> None:
            for msg in messages:
                value = msg.value()
                if value is not None and value[2:10].hex() not in registry:
                    # the reader has the registry acknowledge a schema before any message uses it
                    schemas = TopicReader(self.settings, [self.env["RSTAT__CDC__SCHEMA_TOPIC"]])
                    try:
                        for schema in schemas.to_end():
                            registry.register(_value(schema).decode())
                    finally:
                        schemas.close()
                record = None if value is None else registry.decode(value)[1]
                seen.append(Change(_topic(msg), _partition(msg), msg.key(), record))

        def until_holds() -> bool:
            exited = cdc is not None and cdc.poll() is not None  # then all it published is in the topics
            take(reader.poll())
            if until(seen):
                return True
            if exited and cdc is not None:
                take(reader.to_end())
                if until(seen):
                    return True
                raise StopWaiting(f"rstat cdc exited with {cdc.returncode} after {len(seen)} changes:\n{self.tail()}")
            raise AssertionError(f"{len(seen)} changes so far")

        try:
            eventually(
                until_holds, timeout=timeout, interval=0, message=f"the changes of {tables} to satisfy the condition"
            )
        finally:
            reader.close()
        return seen


class TopicReader:
    """A consumer of every partition of ``topics`` from offset 0 (assigned, so it joins no group)."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.consumer = Consumer(
            {
                "bootstrap.servers": settings.kafka.bootstrap(),
                "group.id": unique("t"),
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "fetch.wait.max.ms": 50,
            }
        )
        self.partitions = [TopicPartition(t, p, 0) for t in topics for p in partitions(self.consumer, t)]
        self.consumer.assign(self.partitions)

    def poll(self, wait: float = 0.2) -> list[Message]:
        """What arrives within ``wait`` seconds (at most 10,000 messages)."""
        return [m for m in self.consumer.consume(10000, wait) if m.error() is None]

    def to_end(self) -> list[Message]:
        """Everything up to the end of each partition as it is now."""
        ends = [self.consumer.get_watermark_offsets(tp, timeout=30) for tp in self.partitions]
        got: list[Message] = []

        def at_end() -> bool:
            got.extend(self.poll())
            positions = self.consumer.position(self.partitions)
            return all(high <= low or p.offset >= high for (low, high), p in zip(ends, positions, strict=True))

        eventually(at_end, interval=0, message=f"the end of {sorted({tp.topic for tp in self.partitions})}")
        return got

    def close(self) -> None:
        self.consumer.close()


def partitions(consumer: Consumer, topic: str) -> list[int]:
    """The partitions of ``topic``, once it exists."""
    return eventually(
        lambda: sorted(consumer.list_topics(topic, timeout=30).topics[topic].partitions),
        message=f"topic {topic} to exist",
    )


def _value(msg: Message) -> bytes:
    value = msg.value()
    assert value is not None
    return value


def _topic(msg: Message) -> str:
    topic = msg.topic()
    assert topic is not None
    return topic


def _partition(msg: Message) -> int:
    partition = msg.partition()
    assert partition is not None
    return partition


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
        "RSTAT__STREAMS__METRICS_PORT": str(free_port()),
        "RSTAT__CDC__SPILL_DIR": str(tmp / "spill"),
        "RSTAT__CDC__HEARTBEAT_S": "1",
        **overrides,
    }
    db_settings = settings  # the admin DSN of another database comes from admin_dsn(name)
    return CdcEnv(settings=db_settings, name=name, prefix=prefix, env=env, log=tmp / "cdc.log")


def delete_topics(settings: Settings, prefixes: tuple[str, ...]) -> None:
    """Remove a test's topics: a broker with thousands of stale partitions gets slow for everyone after."""
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap()})
    doomed = [t for t in admin.list_topics(timeout=30).topics if t.startswith(prefixes)]
    for future in (admin.delete_topics(doomed, operation_timeout=60) if doomed else {}).values():
        future.result()


def drop_env(cdc: CdcEnv) -> None:
    for proc in cdc.procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with psycopg.connect(cdc.settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:

        def released() -> bool:
            """Ends the walsenders still holding a slot of the database; true once none does."""
            holding = conn.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = %s "
                "AND active_pid IS NOT NULL",
                (cdc.name,),
            ).fetchall()
            return not holding

        eventually(released, message=f"the replication slots of database {cdc.name} to be released")
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
