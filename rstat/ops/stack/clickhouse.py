"""ClickHouse for the audit log: the embedded engine (chdb) under the stack home, or a server by URL.

The embedded engine runs inside whichever process opens it, so "starting" it means creating its folder
and the audit database; nothing keeps running after ``rstat stack up`` returns. Only one process may have
it open: while the audit writer (``rstat audit``) does, ``up`` leaves it to the writer and ``status`` asks
the writer's SQL endpoint, which answers for the engine.
"""

from __future__ import annotations

from typing import Any

import clickhouse_connect
import msgspec

from audit.embedded import held_by_another_process
from audit.errors import ClickHouseError
from audit.server import ServerStore
from audit.store import JSON_ROWS, decode_rows
from rstat.settings import Settings

__all__ = ["ClickHouseStatus", "check_clickhouse", "connect_clickhouse", "ensure_clickhouse"]


class ClickHouseStatus(msgspec.Struct, frozen=True):
    """What ``rstat stack status`` prints for ClickHouse."""

    healthy: bool
    mode: str
    version: str = ""
    detail: str = ""


def connect_clickhouse(settings: Settings) -> Any:
    """A clickhouse-connect client: on the configured server, else on the embedded engine."""
    if settings.clickhouse.external:
        return clickhouse_connect.get_client(dsn=settings.clickhouse.url.reveal())
    settings.chdb_path().mkdir(parents=True, exist_ok=True)
    return clickhouse_connect.get_client(dsn=settings.chdb_dsn())


def _held(settings: Settings) -> bool:
    """Whether the embedded engine is open in another process (the audit writer, normally)."""
    return not settings.clickhouse.external and held_by_another_process(settings.chdb_path())


def _mode(settings: Settings) -> str:
    if settings.clickhouse.external:
        return "server"
    return f"embedded (chdb), {settings.chdb_path()}"


def ensure_clickhouse(settings: Settings) -> str:
    """Create the audit database (the audit writer creates its tables); returns how ClickHouse is ready."""
    if _held(settings):
        return "embedded, open in the audit writer, which creates what it needs"
    client = connect_clickhouse(settings)
    try:
        client.command("CREATE DATABASE IF NOT EXISTS {db:Identifier}", parameters={"db": settings.clickhouse.database})
    finally:
        client.close()
    return "server" if settings.clickhouse.external else "embedded"


class _Answer(msgspec.Struct, frozen=True):
    version: str
    found: int


def _through_writer(settings: Settings) -> ClickHouseStatus:
    """The status of the engine the audit writer holds, from the writer's SQL endpoint."""
    url = settings.audit.endpoint()
    mode = f"{_mode(settings)}, open in the audit writer, read through {url}"
    store = ServerStore(url, "system", query_timeout_s=10)
    try:
        answer = store.read(
            "SELECT version() AS version, (SELECT count() FROM system.databases WHERE name = {db:String}) AS found",
            settings=JSON_ROWS,
            params={"db": settings.clickhouse.database},
        )
        row = decode_rows(answer, _Answer)[0]
    except (ClickHouseError, IndexError, msgspec.DecodeError) as exc:
        detail = f"another process holds the engine, and the audit endpoint at {url} does not answer: {exc}"
        return ClickHouseStatus(healthy=False, mode=mode, detail=detail.splitlines()[0])
    finally:
        store.close()
    return _with_database(settings, mode, row.version, bool(row.found))


def _with_database(settings: Settings, mode: str, version: str, found: bool) -> ClickHouseStatus:
    if not found:
        return ClickHouseStatus(
            healthy=False,
            mode=mode,
            version=version,
            detail=f"database {settings.clickhouse.database!r} is missing: run `rstat stack up`",
        )
    return ClickHouseStatus(healthy=True, mode=mode, version=version)


def check_clickhouse(settings: Settings) -> ClickHouseStatus:
    if _held(settings):
        return _through_writer(settings)
    try:
        client = connect_clickhouse(settings)
        try:
            version = str(client.query("SELECT version()").result_rows[0][0])
            found = client.query(
                "SELECT count() FROM system.databases WHERE name = {db:String}",
                parameters={"db": settings.clickhouse.database},
            ).result_rows[0][0]
        finally:
            client.close()
    except Exception as exc:
        return ClickHouseStatus(healthy=False, mode=_mode(settings), detail=str(exc).splitlines()[0])
    return _with_database(settings, _mode(settings), version, bool(found))
