"""A match's transaction: reads as they come, and the ``rstat.context`` message just before its first write.

Emitting the message lazily keeps an unchanged re-crawl free of WAL: a transaction that only read takes no
transaction id and writes nothing, while one that writes starts, as every attributed write does, with the
message naming who wrote (the CDC reader attaches it to each change of the transaction).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import DictRow

__all__ = ["Conn", "Query", "Tx"]

Conn = psycopg.Connection[DictRow]
Query = str | sql.SQL | sql.Composed


class Tx:
    def __init__(self, conn: Conn, context: str) -> None:
        self.conn = conn
        self.context = context
        #: statements that wrote (0: the transaction only read)
        self.writes = 0

    def read(self, query: Query, params: Any = None) -> psycopg.Cursor[DictRow]:
        return self.conn.execute(query, params)

    def write(self, query: Query, params: Any = None) -> psycopg.Cursor[DictRow]:
        if self.writes == 0:
            self.conn.execute("SELECT pg_logical_emit_message(true, 'rstat.context', %s)", (self.context,))
        self.writes += 1
        return self.conn.execute(query, params)
