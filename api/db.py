"""PostgreSQL for the apps: one async pool per process, and write transactions that say who wrote.

Every write transaction begins with the ``rstat.context`` logical message (actor, request id, source and
the organization written for), so the CDC reader attaches the author to each change and the audit can show
it, and filter by organization without joins (DESIGN.md).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

__all__ = ["Database", "Row", "attribute"]

Row = dict[str, Any]


class Database:
    def __init__(self, dsn: str, size: int) -> None:
        self.pool: AsyncConnectionPool[AsyncConnection[Row]] = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=size,
            open=False,
            kwargs={"row_factory": dict_row, "autocommit": True},
            connection_class=AsyncConnection[Row],
        )

    async def open(self) -> None:
        await self.pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection[Row]]:
        async with self.pool.connection() as conn:
            yield conn

    @asynccontextmanager
    async def write(
        self, *, actor: str, request_id: str, source: str, org: int | None = None
    ) -> AsyncIterator[AsyncConnection[Row]]:
        """A transaction attributed to ``actor`` writing for organization ``org``; everything in it commits
        or nothing does."""
        async with self.pool.connection() as conn, conn.transaction():
            await attribute(conn, actor=actor, request_id=request_id, source=source, org=org)
            yield conn


async def attribute(
    conn: AsyncConnection[Row], *, actor: str, request_id: str, source: str, org: int | None = None
) -> None:
    """Say who writes: the changes that follow in the transaction carry this context (a second call names
    the organization once a transaction has created it)."""
    context = json.dumps({"actor": actor, "request_id": request_id, "source": source, "org": org})
    await conn.execute("SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (context,))
