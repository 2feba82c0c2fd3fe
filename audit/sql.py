"""The analysts' SQL as ClickHouse's HTTP interface takes it: one request becomes one read-only query.

What a ClickHouse server accepts, so ``curl``, clickhouse-connect and Grafana's ClickHouse data source work
unchanged: the query in ``?query=``, in the POST body, or both (joined); ``database``, ``default_format``
and a ``FORMAT`` clause; ``param_<name>`` for ``{name:Type}`` placeholders; any other URL parameter is a
setting. Transport parameters of clients (session, compression, credentials) are accepted and ignored.
Errors come back as ClickHouse sends them: its text, ``X-ClickHouse-Exception-Code`` and its HTTP status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec

from audit.errors import ClickHouseError

__all__ = [
    "READ_STATEMENTS",
    "WRITE_STATEMENTS",
    "SqlRequest",
    "content_type",
    "http_status",
    "parse_request",
    "require_read",
]

#: what the endpoint runs
READ_STATEMENTS = ("SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "EXISTS")
#: statements refused before ClickHouse sees them, with a message saying what is allowed; anything else
#: goes to ClickHouse, which answers malformed SQL with its own error and still refuses writes (readonly)
WRITE_STATEMENTS = frozenset(
    [
        "INSERT",
        "CREATE",
        "ALTER",
        "DROP",
        "TRUNCATE",
        "RENAME",
        "EXCHANGE",
        "DELETE",
        "UPDATE",
        "OPTIMIZE",
        "ATTACH",
        "DETACH",
        "UNDROP",
        "GRANT",
        "REVOKE",
        "KILL",
        "SYSTEM",
        "SET",
        "USE",
        "BACKUP",
        "RESTORE",
        "MOVE",
        "CHECK",
    ]
)

#: URL parameters of the HTTP interface that are not settings (clients send some of them unasked)
TRANSPORT = frozenset(
    {
        "query",
        "database",
        "default_format",
        "user",
        "password",
        "quota_key",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "buffer_size",
        "wait_end_of_query",
        "role",
        "client_protocol_version",
        "enable_http_compression",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "http_wait_end_of_query",
        "add_http_cors_header",
    }
)

_COMMENT = re.compile(r"\s+|--[^\n]*|#[^\n]*|/\*.*?\*/|\(", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")
_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)", re.IGNORECASE)

#: ClickHouse's HTTP status of an error, by its code (HTTPHandler's exceptionCodeToHTTPStatus)
_STATUS = {
    **dict.fromkeys((6, 15, 25, 26, 27, 38, 41, 44, 53, 62, 72, 117, 321, 457), 400),
    **dict.fromkeys((46, 47, 50, 56, 60, 63, 73, 81, 115, 456), 404),
    **dict.fromkeys((164, 497), 403),
    48: 501,
    159: 408,
    210: 503,
}


class SqlRequest(msgspec.Struct, frozen=True):
    sql: str
    #: the output format unless the query has a FORMAT clause
    default_format: str
    database: str | None
    settings: dict[str, str]
    params: dict[str, str]
    query_id: str


def parse_request(query: Mapping[str, list[str]], body: bytes) -> SqlRequest:
    """A request of the HTTP interface (its parsed URL query and body)."""

    def one(name: str) -> str:
        values = query.get(name)
        return values[-1] if values else ""

    sql = "\n".join(part for part in (one("query"), body.decode(errors="replace")) if part.strip())
    params = {name[6:]: values[-1] for name, values in query.items() if name.startswith("param_") and values}
    settings = {
        name: values[-1]
        for name, values in query.items()
        if values and name not in TRANSPORT and not name.startswith("param_")
    }
    return SqlRequest(
        sql=sql,
        default_format=one("default_format") or "TabSeparated",
        database=one("database") or None,
        settings=settings,
        params=params,
        query_id=one("query_id"),
    )


def first_keyword(sql: str) -> str:
    """The statement's first word, past whitespace, comments and opening parentheses."""
    position = 0
    while match := _COMMENT.match(sql, position):
        position = match.end()
    word = _WORD.match(sql, position)
    return word.group(0).upper() if word else ""


def require_read(sql: str) -> None:
    """Refuse, in ClickHouse's words, a statement that writes or changes the session (ClickHouse's
    ``readonly`` would refuse it too, but its message does not say what the endpoint allows)."""
    keyword = first_keyword(sql)
    if not keyword:
        raise ClickHouseError("Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)", code=62)
    if keyword in WRITE_STATEMENTS:
        allowed = ", ".join(READ_STATEMENTS)
        raise ClickHouseError(
            f"Code: 164. DB::Exception: The audit trail is read-only: it runs {allowed} queries, "
            f"not {keyword}. (READONLY)",
            code=164,
        )


def output_format(sql: str, default: str) -> str:
    """The format the answer is in: the query's FORMAT clause, else the request's default."""
    found = _FORMAT.findall(sql)
    return found[-1] if found else default


def content_type(fmt: str) -> str:
    """The Content-Type ClickHouse sends with an answer in ``fmt``."""
    name = fmt.lower()
    if name.startswith(("tabseparated", "tsv")):
        return "text/tab-separated-values; charset=UTF-8"
    if name.startswith("csv"):
        return "text/csv; charset=UTF-8; header=absent"
    if name.startswith("json"):
        return "application/json; charset=UTF-8"
    if name.startswith(("pretty", "vertical", "markdown", "values")):
        return "text/plain; charset=UTF-8"
    return "application/octet-stream"


def http_status(error: ClickHouseError) -> int:
    return _STATUS.get(error.code, 500)
