"""Envelope bytes straight from pgoutput tuples, without building Python rows first.

The reader's hot path: a change arrives as a tuple of the server's text values and leaves as an Avro
single-object message. Strings (text, numeric, jsonb, enums, uuids) are already UTF-8 bytes and are copied
as they are; integers, booleans, floats, dates and timestamps are converted and written in Avro's binary
form. The layout is the one ``schemas.envelope.envelope_schema`` declares; tests decode every message with
fastavro to prove it.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from cdc.pgoutput import UNCHANGED_TOAST, TupleValue
from cdc.values import ColumnType, ColumnValueError
from schemas.avro_writer import compile_encoder, write_long
from schemas.codec import MAGIC
from schemas.envelope import OPS

__all__ = [
    "EMPTY_CONTEXT",
    "INTEGER",
    "OP_INDEX",
    "OTHER",
    "RAW",
    "EnvelopeEncoder",
    "RawWrite",
    "TxBytes",
    "column_writer",
    "context_bytes",
]

RawWrite = Callable[[bytearray, bytes], object]
OP_INDEX = {op: n for n, op in enumerate(OPS)}
_DOUBLE = struct.Struct("<d").pack
_FLOAT = struct.Struct("<f").pack


def _string_raw(out: bytearray, raw: bytes) -> None:
    write_long(out, len(raw))
    out += raw


def _raw_writer(column: ColumnType) -> RawWrite:
    """How a non-null text value of this type is written in Avro binary."""
    avro = column.avro
    kind = avro if isinstance(avro, str) else avro["type"]
    convert = column.convert
    if kind == "string":
        return _string_raw
    if kind in ("int", "long"):
        if convert is int:
            return lambda out, raw: write_long(out, int(raw))
        return lambda out, raw: write_long(out, convert(raw))
    if kind == "boolean":
        return lambda out, raw: out.append(1 if raw == b"t" else 0)
    if kind == "double":
        return lambda out, raw: out.__iadd__(_DOUBLE(float(raw)))
    if kind == "float":
        return lambda out, raw: out.__iadd__(_FLOAT(float(raw)))
    if kind == "bytes":

        def write_bytes(out: bytearray, raw: bytes) -> None:
            value = convert(raw)
            write_long(out, len(value))
            out += value

        return write_bytes
    encode = compile_encoder(avro)  # arrays: convert to a list, then encode
    return lambda out, raw: out.__iadd__(encode(convert(raw)))


def _is_plain_int(column: ColumnType) -> bool:
    kind = column.avro if isinstance(column.avro, str) else column.avro["type"]
    return kind in ("int", "long") and column.convert is int


#: how a column's text value is written: as it came (strings), parsed as an integer, or by its writer
RAW, INTEGER, OTHER = 0, 1, 2


def column_writer(column: ColumnType) -> tuple[int, RawWrite]:
    """(RAW, INTEGER or OTHER; the writer of a non-null text value) of a column type."""
    writer = _raw_writer(column)
    return (RAW if writer is _string_raw else INTEGER if _is_plain_int(column) else OTHER), writer


def _string(out: bytearray, text: str) -> None:
    data = text.encode()
    write_long(out, len(data))
    out += data


def context_bytes(actor: str | None, request_id: str | None, source: str | None, org: int | None = None) -> bytes:
    """The encoded ``context`` record; computed once per transaction."""
    out = bytearray()
    for value in (actor, request_id, source):
        if value is None:
            out.append(0)
        else:
            out.append(2)
            _string(out, value)
    if org is None:
        out.append(0)
    else:
        out.append(2)
        write_long(out, org)
    return bytes(out)


EMPTY_CONTEXT = context_bytes(None, None, None)


class TxBytes:
    """The parts of ``source`` and ``context`` shared by every change of a transaction, encoded once."""

    __slots__ = ("commit", "commit_lsn", "context", "txid")

    def __init__(self, txid: int | None, commit_lsn: int, commit_ts_us: int, context: bytes = EMPTY_CONTEXT) -> None:
        self.commit_lsn = commit_lsn
        head = bytearray()
        if txid is None:
            head.append(0)
        else:
            head.append(2)
            write_long(head, txid)
        self.txid = bytes(head)
        commit = bytearray()
        write_long(commit, commit_lsn)
        write_long(commit, commit_ts_us)
        self.commit = bytes(commit)
        self.context = context


class EnvelopeEncoder:
    """Writes the envelopes of one table version (fingerprint ``fingerprint``)."""

    __slots__ = ("header", "plan", "source_head")

    def __init__(
        self,
        fingerprint: str,
        *,
        db: str,
        schema: str,
        table: str,
        columns: Sequence[tuple[str, ColumnType]],
        wanted: Sequence[int],
    ) -> None:
        self.header = MAGIC + bytes.fromhex(fingerprint)
        #: per published column: tuple position, name, how to write it (0 raw string, 1 integer, 2 other)
        self.plan: list[tuple[int, str, int, RawWrite]] = []
        for i in wanted:
            name, column = columns[i]
            kind, writer = column_writer(column)
            self.plan.append((i, name, kind, writer))
        head = bytearray()
        for text in (db, schema, table):
            _string(head, text)
        self.source_head = bytes(head)

    def _row(self, out: bytearray, values: Sequence[TupleValue], unchanged: list[str] | None) -> None:
        append = out.append
        for i, name, kind, writer in self.plan:
            value = values[i]
            if value is None:
                append(0)
            elif value is UNCHANGED_TOAST:
                append(0)
                if unchanged is not None:
                    unchanged.append(name)
            else:
                append(2)
                try:
                    raw: bytes = value  # type: ignore[assignment]
                    if kind == 0:  # text as it came: length and bytes
                        size = len(raw)
                        if size < 64:
                            append(size << 1)
                        else:
                            write_long(out, size)
                        out += raw
                    elif kind == 1:
                        write_long(out, int(raw))
                    else:
                        writer(out, raw)
                except (ValueError, UnicodeDecodeError, OverflowError) as exc:
                    raise ColumnValueError(f"column {name}: {exc}") from exc

    def encode(
        self,
        op: str,
        before: Sequence[TupleValue] | None,
        after: Sequence[TupleValue] | None,
        *,
        tx: TxBytes,
        lsn: int,
        ordinal: int,
    ) -> bytes:
        out = bytearray(self.header)
        write_long(out, OP_INDEX[op])
        if before is None:
            out.append(0)
        else:
            out.append(2)
            self._row(out, before, None)
        unchanged: list[str] = []
        if after is None:
            out.append(0)
        else:
            out.append(2)
            self._row(out, after, unchanged)
        if unchanged:
            write_long(out, len(unchanged))
            for name in unchanged:
                _string(out, name)
        out.append(0)
        out += self.source_head
        out += tx.txid
        write_long(out, lsn)
        out += tx.commit
        write_long(out, ordinal)
        out += tx.context
        return bytes(out)
