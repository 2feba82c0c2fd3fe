"""What ClickHouse is asked to read and compute for a batch of envelopes (checked against ClickHouse itself
in tests/integration/test_audit_store.py), and the Avro container the batch travels in."""

from __future__ import annotations

import io

import fastavro

from audit.container import container
from audit.projection import plan_for
from audit.table import COLUMNS
from schemas.codec import SchemaRegistry
from schemas.envelope import envelope_schema
from streams.wire import STANDINGS_SCHEMA
from tests.unit.audit.fakes import Envelopes

COLUMN_TYPES = [
    ("id", "long"),
    ("tags", {"type": "array", "items": ["null", "string"]}),
    ("kickoff", {"type": "long", "logicalType": "timestamp-micros"}),
    ("day", {"type": "int", "logicalType": "date"}),
    ("score", {"type": "string", "pgtype": "numeric"}),
]


def test_the_structure_clickhouse_reads_envelopes_with() -> None:
    plan = plan_for(envelope_schema("public", "matches", COLUMN_TYPES, ["id"]))
    assert plan is not None
    assert plan.table == "matches"
    row = (
        "Tuple(`id` Nullable(Int64), `tags` Array(Nullable(String)), `kickoff` Nullable(DateTime64(6, 'UTC')), "
        "`day` Nullable(Date32), `score` Nullable(String))"
    )
    assert plan.structure.startswith(
        f"`op` Enum8('c' = 0, 'u' = 1, 'd' = 2, 't' = 3, 'r' = 4), `before` Nullable({row}), `after` Nullable({row}), "
        "`unchanged_toast` Array(String), `source` Tuple(`db` String, "
    )
    assert plan.structure.endswith(
        "`context` Tuple(`actor` Nullable(String), `request_id` Nullable(String), `source` Nullable(String), "
        "`org` Nullable(Int64))"
    )


def test_one_expression_per_audit_column_and_the_key_from_the_declared_primary_key() -> None:
    plan = plan_for(
        envelope_schema("public", "memberships", [("org_id", "long"), ("user_id", "long")], ["org_id", "user_id"])
    )
    assert plan is not None
    assert len(plan.select.split(",\n")) == len(COLUMNS)
    key = plan.select.split(",\n")[1]
    assert """'"org_id":', toJSONString(tupleElement(ifNull(after, before), 'org_id'))""" in key
    assert """'"user_id":', toJSONString(tupleElement(ifNull(after, before), 'user_id'))""" in key


def test_envelopes_older_than_the_primary_key_attribute_and_the_organization() -> None:
    schema = envelope_schema("public", "teams", [("id", "long"), ("name", "string")])
    del schema["primary_key"]
    context = next(f for f in schema["fields"] if f["name"] == "context")
    context["type"]["fields"] = context["type"]["fields"][:3]  # actor, request id, source: no org yet
    plan = plan_for(schema)
    assert plan is not None
    expressions = plan.select.split(",\n")
    assert "toJSONString(tupleElement(ifNull(after, before), 'id'))" in expressions[1]  # "id" by convention
    assert expressions[12] == "CAST(NULL, 'Nullable(Int64)')"


def test_schemas_that_are_not_envelopes_have_no_plan() -> None:
    assert plan_for(STANDINGS_SCHEMA) is None
    assert plan_for({"type": "record", "name": "Envelope", "fields": []}) is None


def test_a_container_holds_the_messages_datums_as_they_are() -> None:
    registry = SchemaRegistry()
    things = Envelopes(registry)
    messages = [things.encode("c", None, {"id": n, "name": f"n{n}", "score": n}) for n in range(3)]
    data = container(registry.schema_json(things.fingerprint), [m[10:] for m in messages])
    read = list(fastavro.reader(io.BytesIO(data)))
    assert read == [registry.decode(m)[1] for m in messages]
