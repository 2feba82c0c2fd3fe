"""The generated Insert encoders (cdc/inserts.py) write exactly the key and envelope bytes of the general path,
and the envelope is exactly what fastavro writes for the record it decodes to, for random tables and rows."""

from __future__ import annotations

import io
import struct

import pytest
from fastavro import parse_schema, schemaless_writer
from hypothesis import given, settings
from hypothesis import strategies as st

from cdc.encoding import TxBytes, context_bytes
from cdc.pgoutput import TupleValue
from cdc.relations import RelInfo
from cdc.values import TEXT, ColumnType, builtin_type
from schemas.codec import SchemaRegistry
from tests.unit.cdc.fakes import xlogdata

LONG_MAX = 2**63 - 1


def _text(value: object) -> bytes:
    return str(value).encode()


def _ints(low: int, high: int) -> st.SearchStrategy[bytes]:
    edges = st.sampled_from([low, high, -1, 0, 63, 64, 8191, 8192, 16383, 16384, 2**28 - 1, 2**28])
    return (st.integers(low, high) | edges.filter(lambda v: low <= v <= high)).map(_text)


_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\0")  # text PostgreSQL can hold
_floats = st.floats(allow_nan=False).map(lambda v: repr(v).replace("inf", "Infinity").encode())
_dates = st.dates().map(lambda d: d.isoformat().encode())
_stamps = st.datetimes().map(lambda d: d.isoformat(" ").encode())
_texts = st.text(_CHARS, max_size=40).map(str.encode) | st.sampled_from(
    [b"", b"x" * 8191, b"y" * 8192, "é".encode() * 5000]
)
#: (type oid, strategy of its text values as PostgreSQL sends them)
TYPES: list[tuple[int, st.SearchStrategy[bytes]]] = [
    (21, _ints(-(2**15), 2**15 - 1)),
    (23, _ints(-(2**31), 2**31 - 1)),
    (20, _ints(-(2**63), LONG_MAX)),
    (26, _ints(0, 2**32 - 1)),
    (16, st.sampled_from([b"t", b"f"])),
    (700, st.floats(width=32, allow_nan=False).map(lambda v: repr(v).replace("inf", "Infinity").encode())),
    (701, _floats),
    (1700, st.decimals(allow_nan=False, allow_infinity=False).map(_text)),
    (25, _texts),
    (1043, _texts),
    (3802, st.sampled_from([b"{}", b'{"a": [1, 2]}', b"null"])),
    (1082, _dates),
    (1114, _stamps),
    (1184, _stamps.map(lambda b: b + b"+00")),
    (2950, st.uuids().map(_text)),
    (17, st.binary(max_size=20).map(lambda b: b"\\x" + b.hex().encode())),
    (
        1007,
        st.lists(st.none() | st.integers(-(2**31), 2**31 - 1), max_size=4).map(
            lambda xs: ("{" + ",".join("NULL" if x is None else str(x) for x in xs) + "}").encode()
        ),
    ),
    (1009, st.sampled_from([b"{}", b'{a,"b c",NULL}'])),
    (99999, _texts),  # a user-defined type: its text
]


def column_type(oid: int) -> ColumnType:
    return builtin_type(oid) or TEXT


@st.composite
def tables(draw: st.DrawFn) -> tuple[RelInfo, list[st.SearchStrategy[bytes]], list[int]]:
    """A table version: its RelInfo, a value strategy per column, and the key columns' positions."""
    count = draw(st.integers(1, 7))
    picked = [draw(st.sampled_from(TYPES)) for _ in range(count)]
    names = [f"c{i}" for i in range(count)]
    columns = [(name, column_type(oid)) for name, (oid, _) in zip(names, picked, strict=True)]
    key_positions = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=2, unique=True))
    excluded = frozenset(
        names[i] for i in draw(st.lists(st.integers(0, count - 1), unique=True)) if i not in key_positions
    )
    info = RelInfo(
        draw(st.sampled_from(["rstat", "db"])),
        "public",
        draw(st.sampled_from(["t", "bench_rows"])),
        columns,
        [names[i] for i in key_positions],
        topic="t",
        excluded=excluded,
        primary_key=[names[i] for i in key_positions],
    )
    return info, [values for _, values in picked], key_positions


def insert_frame(lsn: int, values: list[bytes | None], relid: int = 16390) -> bytes:
    """An XLogData frame of a pgoutput Insert (outside a stream) of text values and nulls."""
    body = bytearray(b"I" + struct.pack(">I", relid) + b"N" + struct.pack(">h", len(values)))
    for value in values:
        if value is None:
            body += b"n"
        else:
            body += b"t" + struct.pack(">i", len(value)) + value
    return xlogdata(lsn, bytes(body))


transactions = st.builds(
    TxBytes,
    st.none() | st.integers(0, 2**32 - 1),
    st.integers(0, LONG_MAX),
    st.integers(0, LONG_MAX),
    st.builds(
        context_bytes,
        st.none() | st.text(_CHARS, max_size=10),
        st.none() | st.text(_CHARS, max_size=10),
        st.none() | st.text(_CHARS, max_size=10),
        st.none() | st.integers(0, LONG_MAX),
    ),
)
positions = st.integers(0, LONG_MAX) | st.sampled_from([0, 1, 2**33 + 7, 2**33 + 2**13, 2**62 - 1, LONG_MAX])
ordinals = st.integers(0, 2**40) | st.sampled_from([0, 8191, 8192, 2**27 - 1, 2**27])


@settings(max_examples=400, deadline=None)
@given(st.data(), tables(), transactions)
def test_same_bytes_as_the_general_path_and_as_fastavro(
    data: st.DataObject, table: tuple[RelInfo, list[st.SearchStrategy[bytes]], list[int]], tx: TxBytes
) -> None:
    info, strategies, _ = table
    registry = SchemaRegistry()
    fingerprint = registry.register(info.schema_json)
    parsed = parse_schema(info.schema_json)
    for _ in range(3):  # a few rows through the same encoder: its cached LSN prefix must not leak
        values: list[bytes | None] = [data.draw(st.none() | values) for values in strategies]
        lsn, ordinal = data.draw(positions), data.draw(ordinals)
        encoded = info.insert(insert_frame(lsn, values), tx, ordinal)
        assert encoded is not None
        key, value = encoded
        assert key == info.key(values)
        assert value == info.encoder.encode("c", None, values, tx=tx, lsn=lsn or tx.commit_lsn, ordinal=ordinal)
        out = io.BytesIO()
        schemaless_writer(out, parsed, registry.decode(value)[1])
        assert value == b"\xc3\x01" + bytes.fromhex(fingerprint) + out.getvalue()


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**40), st.lists(st.integers(0, 2**17), min_size=2, max_size=30))
def test_the_cached_part_of_positions_follows_every_change_of_position(base: int, offsets: list[int]) -> None:
    lsns = [base + offset for offset in offsets]  # some share the bits above the low 14 with the one before
    long_type = builtin_type(20)
    assert long_type is not None
    info = RelInfo("db", "public", "t", [("id", long_type)], ["id"], topic="t")
    tx = TxBytes(7, 2**40, 0)
    for n, lsn in enumerate(sorted(lsns) + lsns):
        encoded = info.insert(insert_frame(lsn, [b"5"]), tx, n)
        assert encoded == (b'{"id":5}', info.encoder.encode("c", None, [b"5"], tx=tx, lsn=lsn or 2**40, ordinal=n))


def _table() -> RelInfo:
    long_type = builtin_type(20)
    assert long_type is not None
    return RelInfo("db", "public", "t", [("id", long_type), ("note", TEXT)], ["id"], topic="t")


def _replace(frame: bytes, old: bytes, new: bytes) -> bytes:
    assert frame.count(old) == 1
    return frame.replace(old, new)


@pytest.mark.parametrize(
    "frame",
    [
        _replace(insert_frame(100, [b"1", b"x"]), b"t\x00\x00\x00\x01x", b"u"),  # an unchanged TOAST value
        _replace(insert_frame(100, [b"1", b"x"]), b"t\x00\x00\x00\x01x", b"b\x00\x00\x00\x01x"),  # binary
        insert_frame(100, [b"1"]),  # a column count of another table version
        insert_frame(100, [b"1", b"x", b"y"]),
    ],
)
def test_what_bulk_inserts_do_not_carry_is_left_to_the_general_path(frame: bytes) -> None:
    assert _table().insert(frame, TxBytes(None, 100, 0), 0) is None


def test_a_value_its_converter_refuses_raises_for_the_general_path_to_report() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        _table().insert(insert_frame(100, [b"one", b"x"]), TxBytes(None, 100, 0), 0)


def test_a_null_single_integer_key_is_written_as_the_general_path_writes_it() -> None:
    values: list[TupleValue] = [None, b"x"]
    encoded = _table().insert(insert_frame(100, [None, b"x"]), TxBytes(None, 100, 0), 0)
    assert encoded is not None
    assert encoded[0] == _table().key(values) == b'{"id":null}'
