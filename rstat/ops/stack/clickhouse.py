"""ClickHouse for the audit log: the embedded engine (chdb) under the stack home, or a server by URL.

The embedded engine runs inside whichever process opens it, so "starting" it means creating its folder
and the audit database; nothing keeps running after ``rstat stack up`` returns.
"""

from __future__ import annotations

from typing import Any

import clickhouse_connect
import msgspec

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
    (settings.stack.home_path / "clickhouse").mkdir(parents=True, exist_ok=True)
    return clickhouse_connect.get_client(dsn=settings.chdb_dsn())


def _mode(settings: Settings) -> str:
    if settings.clickhouse.external:
        return "server"
    return f"embedded (chdb), {settings.stack.home_path / 'clickhouse'}"


def ensure_clickhouse(settings: Settings) -> None:
    """Create the audit database; the audit writer creates its tables."""
    client = connect_clickhouse(settings)
    try:
        client.command("CREATE DATABASE IF NOT EXISTS {db:Identifier}", parameters={"db": settings.clickhouse.database})
    finally:
        client.close()


def check_clickhouse(settings: Settings) -> ClickHouseStatus:
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
    if not found:
        return ClickHouseStatus(
            healthy=False,
            mode=_mode(settings),
            version=version,
            detail=f"database {settings.clickhouse.database!r} is missing: run `rstat stack up`",
        )
    return ClickHouseStatus(healthy=True, mode=_mode(settings), version=version)
