"""The port to ClickHouse: what the writer, the history, the reports and the SQL endpoint need of it.

Two adapters: ``audit.embedded`` (chdb in this process, the default) and ``audit.server`` (a ClickHouse
server over its HTTP interface, when ``RSTAT__CLICKHOUSE__URL`` is set). Reads are read-only whichever the
adapter: ClickHouse's ``readonly=1`` refuses writes, setting changes inside the query and table functions
(``file``, ``url``), and ``final=1`` shows each change once even before copies are merged away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

import msgspec

__all__ = ["JSON_ROWS", "AuditStore", "decode_rows", "read_settings"]

T = TypeVar("T")

#: settings of the audit's own reads in JSONEachRow: 64-bit integers as JSON numbers
JSON_ROWS = {"output_format_json_quote_64bit_integers": "0"}


class AuditStore(Protocol):
    def describe(self) -> str:
        """Where the data is (for logs and ``rstat stack status``), without credentials."""

    def prepare(self, statements: Sequence[str]) -> None:
        """Run DDL (the database and table, a TTL change); only the writer calls it."""

    def insert_avro(
        self, table: str, columns: Sequence[str], select: str, *, data: bytes, structure: str, token: str
    ) -> None:
        """``INSERT INTO table (columns) SELECT <select> FROM`` the Avro container ``data`` read with
        ``structure``; an insert repeated with the same ``token`` adds nothing."""

    def read(
        self,
        sql: str,
        *,
        fmt: str = "JSONEachRow",
        settings: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> bytes:
        """The result of one read-only query as ClickHouse writes it in ``fmt`` (a ``FORMAT`` clause of the
        query wins); ``params`` fill ``{name:Type}`` placeholders. Raises ``ClickHouseError``."""

    def close(self) -> None: ...


def read_settings(user: Mapping[str, str] | None, timeout_s: int) -> list[tuple[str, str]]:
    """The settings of a read, in the order they must be applied: every change shown once (the caller may
    turn that off), the caller's own settings, then the limits the caller may not lift, ``readonly`` last
    because nothing can be changed after it."""
    ordered = [("final", "1"), ("do_not_merge_across_partitions_select_final", "1")]
    ordered += [(k, v) for k, v in (user or {}).items() if k not in ("readonly", "max_execution_time")]
    ordered += [("max_execution_time", str(timeout_s)), ("readonly", "1")]
    return ordered


def decode_rows(answer: bytes, kind: type[T]) -> list[T]:
    """The rows of a ``JSONEachRow`` answer."""
    decoder = msgspec.json.Decoder(kind)
    return [decoder.decode(line) for line in answer.splitlines() if line]
