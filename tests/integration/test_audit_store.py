"""The audit store's contract, on ClickHouse itself: the embedded adapter on chdb, the server adapter on a
ClickHouse HTTP interface over chdb (tests/integration/audit_support.py), the fake where it stands in.

What the writer relies on: an insert repeated with its token adds nothing; a replay under another token is
invisible to reads (FINAL); data ClickHouse cannot read is refused with its code. What readers rely on:
reads are read-only (no writes, no table functions), ClickHouse's errors come back as they are, and the
audit rows hold what the projection promises."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audit.container import container
from audit.embedded import EmbeddedStore
from audit.errors import ClickHouseError
from audit.projection import plan_for
from audit.server import ServerStore
from audit.store import JSON_ROWS, AuditStore, decode_rows
from audit.table import COLUMNS, create_statements
from schemas.codec import SchemaRegistry
from tests.integration.audit_support import ClickHouseHttp
from tests.unit.audit.fakes import Envelopes, FakeStore

TARGET = "`audit`.`changes`"
COLUMN_NAMES = [name for name, _ in COLUMNS]


def _open(kind: str, path: Path) -> Iterator[AuditStore]:
    if kind == "fake":
        yield FakeStore()
        return
    shim = ClickHouseHttp(path) if kind == "server" else None
    found: AuditStore = (
        ServerStore(shim.url, "audit", query_timeout_s=30)
        if shim is not None
        else EmbeddedStore(path, "audit", query_timeout_s=30)
    )
    found.prepare(create_statements("audit", "changes", 0))  # the envelopes are from 2023: no TTL
    yield found
    found.close()
    if shim is not None:
        shim.close()


@pytest.fixture(params=["embedded", "server", "fake"])
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    """Every store, the fake included: what the writer relies on."""
    yield from _open(request.param, tmp_path / "chdb")


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    """The stores that run SQL."""
    yield from _open(request.param, tmp_path / "chdb")


class Batch:
    """Envelopes of one table and the insert the writer makes of them."""

    def __init__(self) -> None:
        self.registry = SchemaRegistry()
        self.things = Envelopes(self.registry)
        schema_json = self.registry.schema_json(self.things.fingerprint)
        plan = plan_for(json.loads(schema_json))
        assert plan is not None
        self.plan = plan
        self.schema_json = schema_json

    def insert(self, store: AuditStore, messages: list[bytes], token: str) -> None:
        data = container(self.schema_json, [m[10:] for m in messages])
        store.insert_avro(TARGET, COLUMN_NAMES, self.plan.select, data=data, structure=self.plan.structure, token=token)


def count(store: AuditStore, *, final: bool = True) -> int:
    if isinstance(store, FakeStore):
        return len(store.rows)
    return int(store.read("SELECT count() FROM changes", fmt="TabSeparated", settings={"final": str(int(final))}))


def test_an_insert_repeated_with_its_token_adds_nothing_and_a_replay_stays_invisible(writable: AuditStore) -> None:
    store = writable
    batch = Batch()
    things = batch.things
    messages = [things.encode("c", None, {"id": n, "name": f"t{n}", "score": 0}) for n in range(5)]
    batch.insert(store, messages, "batch-1")
    batch.insert(store, messages, "batch-1")  # an insert retried after an error that hid its success
    assert count(store) == 5
    if isinstance(store, FakeStore):
        return
    batch.insert(store, messages, "batch-2")  # the same changes replayed after a crash, in another batch
    assert count(store, final=False) == 10
    assert count(store) == 5


def test_data_clickhouse_cannot_read_is_refused_with_its_code(writable: AuditStore) -> None:
    store = writable
    batch = Batch()
    good = batch.things.encode("c", None, {"id": 1, "name": "a", "score": 0})
    with pytest.raises(ClickHouseError) as refused:
        batch.insert(store, [good, good[:12]], "broken")
    assert refused.value.code in (117, 748)
    assert count(store) == 0


def test_audit_rows_hold_what_the_projection_promises(store: AuditStore) -> None:
    batch = Batch()
    things = batch.things
    first = {"id": 7, "name": "Lions", "score": 1}
    changed = {**first, "score": 2}
    messages = [
        things.encode("c", None, first, actor="user:3", request_id="r-1", source="admin-api", org=12),
        things.encode("u", first, changed, actor="crawler:nhl", source="crawler"),
        things.encode("u", None, {**changed, "name": "Tigers"}),  # by hand in SQL, no before image
        things.encode("d", {**changed, "name": "Tigers"}, None),
        things.encode("t", None, None),
    ]
    batch.insert(store, messages, "rows")
    answer = store.read(
        "SELECT `table`, key, op, ordinal, toString(commit_time) AS at, before, after, changed, org, actor, "
        "request_id, source, db, schema FROM changes ORDER BY ordinal",
        settings=JSON_ROWS,
    )
    found = decode_rows(answer, dict[str, Any])
    assert [(r["key"], r["op"], r["changed"]) for r in found] == [
        ('{"id":7}', "c", ["id", "name", "score"]),
        ('{"id":7}', "u", ["score"]),
        ('{"id":7}', "u", ["id", "name", "score"]),  # without a before image: every column of after
        ('{"id":7}', "d", ["id", "name", "score"]),
        ("", "t", []),
    ]
    created, crawled, by_hand, _deleted, _truncated = found
    assert json.loads(created["after"]) == first
    assert created["before"] == ""
    assert json.loads(crawled["before"]) == first
    assert (created["org"], created["actor"], created["request_id"], created["source"]) == (
        12,
        "user:3",
        "r-1",
        "admin-api",
    )
    assert (crawled["org"], crawled["actor"], crawled["source"]) == (None, "crawler:nhl", "crawler")
    assert (by_hand["actor"], by_hand["source"], by_hand["request_id"]) == ("", "", "")
    assert (created["table"], created["db"], created["schema"]) == ("things", "rstat", "public")
    assert created["at"] == "2023-11-14 22:13:20.000000"


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO changes (key) VALUES ('x')",
        "SELECT * FROM file('/etc/hostname', 'LineAsString')",  # table functions read the machine
        "SELECT 1 SETTINGS readonly = 0",
        "DROP TABLE changes",
    ],
)
def test_reads_cannot_write_or_reach_outside(store: AuditStore, sql: str) -> None:
    with pytest.raises(ClickHouseError) as refused:
        store.read(sql)
    assert refused.value.code == 164, refused.value.message
    assert "readonly" in refused.value.message.lower()


def test_reads_answer_like_clickhouse(store: AuditStore) -> None:
    assert store.read("SELECT {n:UInt32} + 1 AS n", params={"n": "41"}) == b'{"n":42}\n'
    assert store.read("SELECT 1 AS n FORMAT CSVWithNames", fmt="JSONEachRow") == b'"n"\n1\n'
    with pytest.raises(ClickHouseError) as malformed:
        store.read("SELEC 1")
    assert malformed.value.code == 62
    assert malformed.value.message.startswith("Code: 62. DB::Exception: Syntax error")
    with pytest.raises(ClickHouseError) as unknown:
        store.read("SELECT * FROM nowhere")
    assert unknown.value.code == 60
