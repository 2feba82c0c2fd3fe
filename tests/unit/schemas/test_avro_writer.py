"""Our compiled Avro encoder writes exactly the bytes fastavro writes, for random data of every type used."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.avro_writer import AvroEncodeError, compile_encoder
from schemas.codec import CodecError, SchemaRegistry, UnknownSchemaError, fingerprint_of
from schemas.envelope import envelope_schema

COLUMNS: list[tuple[str, Any]] = [
    ("id", "long"),
    ("i", "int"),
    ("f", "double"),
    ("r", "float"),
    ("ok", "boolean"),
    ("t", "string"),
    ("raw", "bytes"),
    ("n", {"type": "string", "pgtype": "numeric"}),
    ("ts", {"type": "long", "logicalType": "timestamp-micros"}),
    ("d", {"type": "int", "logicalType": "date"}),
    ("arr", {"type": "array", "items": ["null", "int"]}),
]
SCHEMA = envelope_schema("public", "things", COLUMNS)

ints = st.integers(-(2**31), 2**31 - 1)
longs = st.integers(-(2**63), 2**63 - 1)
rows = st.fixed_dictionaries(
    {
        "id": longs,
        "i": st.none() | ints,
        "f": st.none() | st.floats(allow_nan=False),
        "r": st.none() | st.floats(width=32, allow_nan=False),
        "ok": st.none() | st.booleans(),
        "t": st.none() | st.text(),
        "raw": st.none() | st.binary(),
        "n": st.none() | st.text("0123456789.-"),
        "ts": st.none() | longs,
        "d": st.none() | ints,
        "arr": st.none() | st.lists(st.none() | ints),
    }
)
envelopes = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["c", "u", "d", "t", "r"]),
        "before": st.none() | rows,
        "after": st.none() | rows,
        "unchanged_toast": st.lists(st.text()),
        "source": st.fixed_dictionaries(
            {
                "db": st.text(),
                "schema": st.text(),
                "table": st.text(),
                "txid": st.none() | longs,
                "lsn": longs,
                "commit_lsn": longs,
                "commit_ts_us": longs,
                "ordinal": longs,
            }
        ),
        "context": st.fixed_dictionaries(
            {"actor": st.none() | st.text(), "request_id": st.none() | st.text(), "source": st.none() | st.text()}
        ),
    }
)


def fastavro_bytes(schema: Any, datum: Any) -> bytes:
    out = io.BytesIO()
    schemaless_writer(out, parse_schema(schema), datum)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(envelopes)
def test_same_bytes_as_fastavro(envelope: dict[str, Any]) -> None:
    assert compile_encoder(SCHEMA)(envelope) == fastavro_bytes(SCHEMA, envelope)


def test_general_unions_maps_and_recursion() -> None:
    schema = {
        "type": "record",
        "name": "Node",
        "fields": [
            {"name": "value", "type": ["null", "long", "string", "boolean"]},
            {"name": "tags", "type": {"type": "map", "values": "int"}},
            {"name": "next", "type": ["null", "Node"], "default": None},
        ],
    }
    datum = {"value": "x", "tags": {"a": 1}, "next": {"value": True, "tags": {}, "next": {"value": 7, "tags": {}}}}
    encoded = compile_encoder(schema)(datum)
    assert encoded == fastavro_bytes(schema, datum)
    decoded: Any = schemaless_reader(io.BytesIO(encoded), parse_schema(schema), None)
    assert decoded["next"]["value"] is True


@pytest.mark.parametrize(
    ("datum", "message"),
    [({"op": "x"}, "is not one of"), ({"op": "c", "source": {}}, "is missing")],
)
def test_bad_data_is_refused(datum: dict[str, Any], message: str) -> None:
    with pytest.raises(AvroEncodeError, match=message):
        compile_encoder(SCHEMA)(datum)


def test_int_range_is_checked() -> None:
    with pytest.raises(AvroEncodeError, match="does not fit an Avro int"):
        compile_encoder({"type": "int"})(2**31)


def test_single_object_encoding_and_registry() -> None:
    registry = SchemaRegistry()
    fp = registry.register(SCHEMA)
    assert fp == fingerprint_of(SCHEMA)
    assert fingerprint_of("null") == "8a8f25cce724dd63"  # the Avro specification's 0x63dd24e7cc258f8a
    datum: dict[str, Any] = {
        "op": "c",
        "before": None,
        "after": None,
        "unchanged_toast": [],
        "context": {},
        "source": {
            "db": "d",
            "schema": "s",
            "table": "t",
            "txid": None,
            "lsn": 1,
            "commit_lsn": 2,
            "commit_ts_us": 3,
            "ordinal": 0,
        },
    }
    message = registry.encode(fp, datum)
    assert message[:2] == b"\xc3\x01"
    assert message[2:10] == bytes.fromhex(fp)
    assert registry.decode(message)[1]["source"]["commit_lsn"] == 2
    with pytest.raises(UnknownSchemaError):
        SchemaRegistry().decode(message)
    with pytest.raises(CodecError, match="missing C3 01"):
        registry.decode(b"\x00" * 12)
