"""The embedded ClickHouse (chdb) as the audit store, and the lock that makes its owner the only reader.

chdb runs ClickHouse inside this process on a data folder that one process at a time may open (ClickHouse's
``status`` file lock): the writer owns it, and everyone else reads through the writer's SQL endpoint.
Each call takes its own connection handle: handles share the engine, keep their own settings, and run
concurrently, so an analyst's long query never holds up an insert.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import chdb

from audit.errors import ClickHouseError
from audit.store import read_settings
from audit.table import quote_name

__all__ = ["EmbeddedStore", "held_by_another_process"]


def held_by_another_process(path: Path) -> bool:
    """Whether another process has the embedded engine at ``path`` open (it holds ``status`` locked).

    The probe takes a shared lock and drops it at once: it fails while the owner holds its exclusive lock.
    An engine opening in that very instant would fail to lock, which is why opening is retried."""
    try:
        fd = os.open(path / "status", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return True
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


_OPEN_ATTEMPTS = 5
#: chdb has no type hints
_connect: Callable[[str], Any] = chdb.connect


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class EmbeddedStore:
    def __init__(self, path: Path, database: str, *, query_timeout_s: int = 60) -> None:
        self.path = path
        self.database = database
        self.query_timeout_s = query_timeout_s
        self._lock = threading.Lock()
        self._writer: Any = None  # the handle of DDL and inserts, opened on first use

    def describe(self) -> str:
        return f"embedded (chdb), {self.path}"

    def _open(self) -> Any:
        self.path.mkdir(parents=True, exist_ok=True)
        for _ in range(_OPEN_ATTEMPTS - 1):
            with contextlib.suppress(Exception):
                return _connect(str(self.path))
            time.sleep(0.1)  # a status probe (held_by_another_process) may hold the lock for an instant
        try:
            return _connect(str(self.path))
        except Exception as exc:  # chdb raises bare RuntimeErrors with ClickHouse's text
            held = " (another process holds it)" if held_by_another_process(self.path) else ""
            raise ClickHouseError(f"cannot open the embedded ClickHouse at {self.path}{held}: {exc}") from exc

    @contextlib.contextmanager
    def _handle(self) -> Iterator[Any]:
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    @staticmethod
    def _run(conn: Any, sql: str, fmt: str = "TabSeparated", params: Mapping[str, str] | None = None) -> bytes:
        try:
            result = conn.query(sql, fmt, params=dict(params or {}))
        except Exception as exc:
            raise ClickHouseError(str(exc)) from exc
        return bytes(result.bytes() or b"")

    def prepare(self, statements: Sequence[str]) -> None:
        with self._lock:
            if self._writer is None:
                self._writer = self._open()
            for statement in statements:
                self._run(self._writer, statement)

    def insert_avro(
        self, table: str, columns: Sequence[str], select: str, *, data: bytes, structure: str, token: str
    ) -> None:
        # chdb reads a file, not a request body: the container waits in the engine's folder for the insert
        with tempfile.NamedTemporaryFile(dir=self.path, prefix=".batch-", suffix=".avro") as batch:
            batch.write(data)
            batch.flush()
            names = ", ".join(quote_name(c) for c in columns)
            # identifiers quoted, values escaped; nothing here comes from a request
            settings = (
                f"insert_deduplication_token = {_quote(token)}, output_format_json_quote_64bit_integers = 0, "
                "output_format_json_named_tuples_as_objects = 1"
            )
            source = f"file({_quote(batch.name)}, 'Avro', {_quote(structure)})"
            sql = f"INSERT INTO {table} ({names}) SETTINGS {settings} SELECT {select} FROM {source}"  # noqa: S608
            with self._lock:
                if self._writer is None:
                    self._writer = self._open()
                self._run(self._writer, sql)

    def read(
        self,
        sql: str,
        *,
        fmt: str = "JSONEachRow",
        settings: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> bytes:
        with self._handle() as conn:
            self._run(conn, f"USE {quote_name(database or self.database)}")
            for name, value in read_settings(settings, self.query_timeout_s):
                self._run(conn, f"SET {quote_name(name)} = {_quote(value)}")
            return self._run(conn, sql, fmt, params)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
