"""What every service benchmark sets up and leaves behind: a private database, the ``rstat`` processes it
measures, and their slots and topics — all removed afterwards, whatever happened, so that a bench leaves
the local stack as it found it (stale partitions and slots slow the broker and hold WAL)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import psycopg
from confluent_kafka.admin import AdminClient
from psycopg import sql

from rstat.ops.migrations import apply_migrations
from rstat.settings import Settings

__all__ = ["RSTAT", "create_database", "drop_private", "stop_processes"]

RSTAT = str(Path(sys.executable).parent / "rstat")


def create_database(settings: Settings, name: str, *, migrate: bool) -> str:
    """Create database ``name`` (with the project's schema when ``migrate``); returns its superuser DSN."""
    pg = settings.postgres
    with psycopg.connect(pg.admin_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    if migrate:
        apply_migrations(pg, dsn=pg.admin_dsn(name), progress=lambda _line: None)
    return pg.admin_dsn(name)


def stop_processes(procs: Iterable[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    """SIGTERM (after SIGCONT, should a bench have paused one), then SIGKILL if it does not exit in time."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def drop_private(
    settings: Settings, *, database: str, slots: Sequence[str] = (), topic_prefixes: tuple[str, ...] = ()
) -> None:
    """Drop the bench's replication slots, its database and every topic starting with one of the prefixes."""
    with psycopg.connect(settings.postgres.admin_dsn("postgres"), autocommit=True) as conn:
        for slot in slots:
            conn.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s", (slot,)
            )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    if not topic_prefixes:
        return
    admin = AdminClient({"bootstrap.servers": settings.kafka.bootstrap()})
    topics = [t for t in admin.list_topics(timeout=10).topics if t.startswith(topic_prefixes)]
    for future in (admin.delete_topics(topics, operation_timeout=60) if topics else {}).values():
        future.result()
