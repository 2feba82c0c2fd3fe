"""What every service benchmark sets up and leaves behind: a private database, the ``rstat`` processes it
measures, and their slots and topics — all removed afterwards, whatever happened, so that a bench leaves
the local stack as it found it (stale partitions and slots slow the broker and hold WAL)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import psycopg
from confluent_kafka.admin import AdminClient
from psycopg import sql

from rstat.errors import RStatError
from rstat.ops.migrations import apply_migrations
from rstat.ops.stack.process import free_port
from rstat.settings import Settings

__all__ = ["RSTAT", "build_loadgen", "chain_env", "create_database", "drop_private", "stop_processes"]

RSTAT = str(Path(sys.executable).parent / "rstat")
ROOT = Path(__file__).resolve().parents[2]


def chain_env(*, database: str, tag: str, prefix: str, app_id: str, home: Path) -> dict[str, str]:
    """The environment of a private CDC reader and stream worker: their own database, slot, publication,
    topics, consumer group and state folder, so a bench measures on the local stack without touching it."""
    return {
        **os.environ,
        "RSTAT__POSTGRES__DATABASE": database,
        "RSTAT__CDC__SLOT": f"bench_{tag}",
        "RSTAT__CDC__PUBLICATION": f"bench_pub_{tag}",
        "RSTAT__CDC__TOPIC_PREFIX": f"{prefix}cdc.",
        "RSTAT__CDC__SCHEMA_TOPIC": f"{prefix}schemas",
        "RSTAT__CDC__METRICS_PORT": str(free_port()),
        "RSTAT__STREAMS__METRICS_PORT": str(free_port()),
        "RSTAT__CDC__SPILL_DIR": str(home / "spill"),
        "RSTAT__STREAMS__APP_ID": app_id,
        "RSTAT__STREAMS__DATA_DIR": str(home / "state"),
        **{
            f"RSTAT__STREAMS__{name.upper()}_TOPIC": f"{prefix}{name}"
            for name in ("standings", "live_standings", "teams", "players", "notices", "predictions")
        },
    }


def build_loadgen(settings: Settings, progress: Callable[[str], None]) -> Path:
    """The Go load generator (``tools/loadgen``), built when missing or older than any of its sources."""
    binary = settings.stack.home_path / "bin" / "loadgen"
    source = ROOT / "tools" / "loadgen"
    newest = max(p.stat().st_mtime for p in source.iterdir() if p.suffix in (".go", ".mod", ".sum"))
    if binary.exists() and binary.stat().st_mtime >= newest:
        return binary
    go = shutil.which("go")
    if go is None:
        raise RStatError("the load generator needs Go to build (tools/loadgen); install golang")
    progress("building the load generator (tools/loadgen)")
    binary.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [go, "build", "-o", str(binary), "."], cwd=source, check=True, env={**os.environ, "CGO_ENABLED": "0"}
    )
    return binary


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
