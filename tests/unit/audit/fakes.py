"""Fakes of the audit writer's ports and envelopes to feed it, for unit tests without Kafka or ClickHouse.

:class:`FakeStore` behaves as the contract test (tests/integration/test_audit_store.py) checks the real
stores do, as far as the writer relies on it: an insert repeated with its token adds nothing, and a batch
holding a datum that does not decode is refused with ClickHouse's INCORRECT_DATA. :class:`FakeSource`
stands for :class:`audit.kafka.CdcConsumer`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import fastavro

from audit.errors import ClickHouseError
from schemas.codec import SchemaRegistry
from schemas.envelope import envelope_schema

__all__ = ["THINGS", "Envelopes", "FakeMessage", "FakeSource", "FakeStore"]

THINGS = [("id", "long"), ("name", "string"), ("score", "int")]


class Envelopes:
    """Change envelopes of a table ``things`` (id, name, score), encoded as the CDC reader encodes them."""

    def __init__(self, registry: SchemaRegistry, table: str = "things") -> None:
        self.registry = registry
        self.table = table
        self.fingerprint = registry.register(envelope_schema("public", table, THINGS, ["id"]))
        self.ordinal = 0

    def encode(self, op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, **context: Any) -> bytes:
        self.ordinal += 1
        record: dict[str, Any] = {
            "op": op,
            "before": before,
            "after": after,
            "unchanged_toast": [],
            "source": {
                "db": "rstat",
                "schema": "public",
                "table": self.table,
                "txid": 1,
                "lsn": 100 + self.ordinal,
                "commit_lsn": 100,
                "commit_ts_us": 1_700_000_000_000_000,
                "ordinal": self.ordinal,
            },
            "context": {"actor": None, "request_id": None, "source": None, "org": None, **context},
        }
        return self.registry.encode(self.fingerprint, record)


@dataclass(frozen=True)
class FakeMessage:
    """A consumed message, with the methods of confluent-kafka's ``Message`` the writer calls."""

    _topic: str
    _partition: int
    _offset: int
    _value: bytes | None

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def value(self) -> bytes | None:
        return self._value


@dataclass
class FakeSource:
    """Hands out ``batches`` one per poll; records commits (``refuse_commits`` makes the next ones fail)."""

    batches: list[list[FakeMessage]] = field(default_factory=list)
    committed: dict[tuple[str, int], int] = field(default_factory=dict)
    refuse_commits: int = 0
    down_since: float | None = None
    closed: bool = False

    def poll(self, max_messages: int, wait_s: float) -> list[FakeMessage]:
        return self.batches.pop(0) if self.batches else []

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        if self.refuse_commits:
            self.refuse_commits -= 1
            raise RuntimeError("KafkaError{code=_TRANSPORT}")
        self.committed.update(offsets)

    def lag(self) -> dict[str, int]:
        return {}

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeStore:
    """Keeps inserted rows (the decoded envelopes) per token; ``fail`` makes the next inserts raise it."""

    inserts: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    fail: list[ClickHouseError] = field(default_factory=list)
    answer: Callable[[str], bytes] = lambda _sql: b""
    closed: bool = False

    def describe(self) -> str:
        return "fake"

    def prepare(self, statements: Sequence[str]) -> None:
        self.statements += statements

    def insert_avro(
        self, table: str, columns: Sequence[str], select: str, *, data: bytes, structure: str, token: str
    ) -> None:
        if self.fail:
            raise self.fail.pop(0)
        try:
            rows = list(fastavro.reader(io.BytesIO(data)))
        except Exception as exc:
            raise ClickHouseError(f"Code: 117. DB::Exception: Cannot read Avro: {exc}. (INCORRECT_DATA)") from exc
        if token not in {t for t, _ in self.inserts}:  # ClickHouse's insert deduplication
            self.inserts.append((token, [dict(r) for r in rows if isinstance(r, dict)]))

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for _, rows in self.inserts for row in rows]

    def read(
        self,
        sql: str,
        *,
        fmt: str = "JSONEachRow",
        settings: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        database: str | None = None,
    ) -> bytes:
        return self.answer(sql)

    def close(self) -> None:
        self.closed = True
