"""PostgreSQL column types to Avro types, and the server's text output to typed values.

The replication session runs with ``TimeZone=UTC`` and ISO dates, so the text forms are fixed. Numeric
stays a decimal string (no precision is ever lost); timestamps become microseconds since the Unix epoch
(``timestamp-micros`` with a time zone, ``local-timestamp-micros`` without); dates days since the epoch;
json and jsonb their text; enums their label; one-dimensional arrays Avro arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ["ColumnType", "ColumnValueError", "builtin_type", "parse_array"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_NAIVE = dt.datetime(1970, 1, 1)
EPOCH_DATE = dt.date(1970, 1, 1)
LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
ONE_US = dt.timedelta(microseconds=1)

Converter = Callable[[bytes], Any]


class ColumnValueError(ValueError):
    """A column value the converter cannot read."""


class ColumnType(msgspec.Struct, frozen=True):
    """How one PostgreSQL type travels: its Avro type and the converter of its text form."""

    pg_name: str
    avro: Any
    convert: Converter


def _bool(b: bytes) -> bool:
    return b == b"t"


def _text(b: bytes) -> str:
    return b.decode()


def _bytea(b: bytes) -> bytes:
    if not b.startswith(b"\\x"):
        raise ColumnValueError("bytea must use bytea_output = hex")
    return bytes.fromhex(b[2:].decode())


def _timestamptz(b: bytes) -> int:
    text = b.decode()
    if text == "infinity":
        return LONG_MAX
    if text == "-infinity":
        return LONG_MIN
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ColumnValueError(f"timestamp {text!r}: {exc}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - EPOCH) // ONE_US


def _timestamp(b: bytes) -> int:
    text = b.decode()
    if text == "infinity":
        return LONG_MAX
    if text == "-infinity":
        return LONG_MIN
    try:
        return (dt.datetime.fromisoformat(text) - EPOCH_NAIVE) // ONE_US
    except ValueError as exc:
        raise ColumnValueError(f"timestamp {text!r}: {exc}") from exc


def _date(b: bytes) -> int:
    text = b.decode()
    if text == "infinity":
        return 2**31 - 1
    if text == "-infinity":
        return -(2**31)
    try:
        return (dt.date.fromisoformat(text) - EPOCH_DATE).days
    except ValueError as exc:
        raise ColumnValueError(f"date {text!r}: {exc}") from exc


def _annotated(avro: str, pg: str) -> dict[str, str]:
    return {"type": avro, "pgtype": pg}


_BUILTIN: dict[int, ColumnType] = {}


def _register(oids: tuple[int, ...], name: str, avro: Any, convert: Converter) -> None:
    for oid in oids:
        _BUILTIN[oid] = ColumnType(name, avro, convert)


_register((16,), "bool", "boolean", _bool)
_register((17,), "bytea", "bytes", _bytea)
_register((21, 23), "int4", "int", int)
_register((20, 26, 28), "int8", "long", int)
_register((700,), "float4", "float", float)
_register((701,), "float8", "double", float)
_register((1700,), "numeric", _annotated("string", "numeric"), _text)
_register((114, 3802), "jsonb", _annotated("string", "jsonb"), _text)
_register((1082,), "date", {"type": "int", "logicalType": "date"}, _date)
_register((1114,), "timestamp", {"type": "long", "logicalType": "local-timestamp-micros"}, _timestamp)
_register((1184,), "timestamptz", {"type": "long", "logicalType": "timestamp-micros"}, _timestamptz)
_register((2950,), "uuid", _annotated("string", "uuid"), _text)
for _oid in (18, 19, 25, 1042, 1043, 1083, 1186, 1266, 869, 650, 774, 829, 790, 142):
    _register((_oid,), "text", "string", _text)

#: array type oid -> element type oid, for the built-in arrays
BUILTIN_ARRAYS: dict[int, int] = {
    1000: 16,
    1001: 17,
    1005: 21,
    1007: 23,
    1016: 20,
    1009: 25,
    1015: 1043,
    1014: 1042,
    1021: 700,
    1022: 701,
    1231: 1700,
    1182: 1082,
    1115: 1114,
    1185: 1184,
    2951: 2950,
    3807: 3802,
    199: 114,
}

TEXT = ColumnType("text", "string", _text)


def builtin_type(oid: int) -> ColumnType | None:
    """The type of a built-in oid (arrays of built-ins included), or None for user-defined types."""
    found = _BUILTIN.get(oid)
    if found is not None:
        return found
    element = BUILTIN_ARRAYS.get(oid)
    if element is not None:
        return array_of(_BUILTIN[element])
    return None


def array_of(element: ColumnType) -> ColumnType:
    convert = element.convert

    def convert_array(b: bytes) -> list[Any]:
        return [None if item is None else convert(item) for item in parse_array(b)]

    return ColumnType(f"{element.pg_name}[]", {"type": "array", "items": ["null", element.avro]}, convert_array)


def parse_array(b: bytes) -> list[bytes | None]:
    """Elements of a one-dimensional array literal (``{1,2,"a b",NULL}``), as text bytes or None."""
    text = b.decode()
    if not (text.startswith("{") and text.endswith("}")):
        raise ColumnValueError(f"array {text!r}: expected {{...}}")
    body = text[1:-1]
    if body.startswith("{"):
        raise ColumnValueError("multi-dimensional arrays are not supported")
    items: list[bytes | None] = []
    i, n = 0, len(body)
    while i < n:
        if body[i] == '"':
            i += 1
            chars = []
            while i < n and body[i] != '"':
                if body[i] == "\\":
                    i += 1
                chars.append(body[i])
                i += 1
            items.append("".join(chars).encode())
            i += 1  # closing quote
        else:
            j = body.find(",", i)
            j = n if j < 0 else j
            word = body[i:j]
            items.append(None if word == "NULL" else word.encode())
            i = j
        if i < n and body[i] == ",":
            i += 1
    return items
