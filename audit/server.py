"""A ClickHouse server as the audit store, over its HTTP interface (``RSTAT__CLICKHOUSE__URL``).

Kept thin on purpose: every call is one request (the query in the URL or the body, settings and
``param_`` values as URL parameters), ClickHouse's error text is passed on as it is. The same adapter reads
from the audit writer's own SQL endpoint, which speaks this interface for the embedded engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

import httpx

from audit.errors import ClickHouseError
from audit.store import read_settings
from audit.table import quote_name

__all__ = ["ServerStore"]


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class ServerStore:
    def __init__(self, url: str, database: str, *, query_timeout_s: int = 60) -> None:
        """``url``: ``http(s)://[user:password@]host:port``; the credentials go in ClickHouse's headers."""
        parts = urlsplit(url)
        headers = {}
        if parts.username:
            headers["X-ClickHouse-User"] = parts.username
            headers["X-ClickHouse-Key"] = parts.password or ""
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        self.base = urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))
        self.database = database
        self.query_timeout_s = query_timeout_s
        self.http = httpx.Client(headers=headers, timeout=httpx.Timeout(10.0, read=query_timeout_s + 30.0))

    def describe(self) -> str:
        return f"server, {self.base}"

    def _post(self, params: list[tuple[str, str]], body: bytes) -> bytes:
        try:
            response = self.http.post(self.base, params=tuple(params), content=body)
        except httpx.HTTPError as exc:
            raise ClickHouseError(f"ClickHouse at {self.base} did not answer: {exc}", code=210) from exc
        if response.status_code != 200:
            code = response.headers.get("X-ClickHouse-Exception-Code")
            raise ClickHouseError(response.text, code=int(code) if code and code.isdigit() else None)
        return response.content

    def prepare(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self._post([], statement.encode())

    def insert_avro(
        self, table: str, columns: Sequence[str], select: str, *, data: bytes, structure: str, token: str
    ) -> None:
        names = ", ".join(quote_name(c) for c in columns)
        # identifiers quoted, values escaped; nothing here comes from a request
        source = f"input({_quote(structure)}) FORMAT Avro"
        query = f"INSERT INTO {table} ({names}) SELECT {select} FROM {source}"  # noqa: S608
        params = [
            ("query", query),
            ("insert_deduplication_token", token),
            ("output_format_json_quote_64bit_integers", "0"),
            ("output_format_json_named_tuples_as_objects", "1"),
        ]
        self._post(params, data)

    def read(
        self,
        sql: str,
        *,
        fmt: str = "JSONEachRow",
        settings: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> bytes:
        query = [("database", database or self.database), ("default_format", fmt)]
        query += read_settings(settings, self.query_timeout_s)
        query += [(f"param_{name}", value) for name, value in (params or {}).items()]
        return self._post(query, sql.encode())

    def close(self) -> None:
        self.http.close()
