"""The reader's hot path: an Insert's copy frame straight to its Kafka key and envelope bytes.

A bulk load is a long run of Insert messages of one table. Decoding each into a tuple, then walking a
per-column plan to write Avro (:class:`cdc.encoding.EnvelopeEncoder`) costs about a dozen Python calls
and several per-column branches per change, which kept the reader at a tenth of PostgreSQL's own decoding
rate. Here, once per table version, the column plan is turned into the source of one Python function,
unrolled over the columns, that reads the pgoutput tuple from the XLogData frame and writes the envelope
as it goes: text goes over as it came (length and bytes), integers are parsed and zigzag-encoded with
precomputed tables for the small values, the parts shared by the transaction (``source``, ``context``)
are copied from :class:`cdc.encoding.TxBytes`.

The generated function handles what bulk inserts carry: text and null values. Anything else (a binary
value, an unchanged TOAST marker, an unexpected column count, a value its converter refuses) makes it
return None, and the caller takes the general path, which writes the same bytes or raises the proper
error. ``tests/unit/cdc/test_inserts.py`` checks both paths agree byte for byte, and with fastavro.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from cdc.encoding import INTEGER, OP_INDEX, RAW, TxBytes, column_writer
from cdc.values import ColumnType
from schemas.avro_writer import write_long

__all__ = ["FRAME_BODY", "InsertEncoder", "compile_insert"]

#: where the pgoutput message starts in an XLogData copy frame ('w', start, wal end, send time)
FRAME_BODY = 25
#: an Insert outside a stream: 'I', relid (4), 'N' (a new tuple), column count (2), then the values
_VALUES = FRAME_BODY + 8

#: (frame, transaction bytes, ordinal) -> (Kafka key, envelope), or None for the general path
InsertEncoder = Callable[[bytes, TxBytes, int], tuple[bytes, bytes] | None]

_SMALL = 1 << 14


def _varint(z: int) -> bytes:
    """The Avro varint of an already zigzag-encoded ``z`` >= 0."""
    out = bytearray()
    while z > 0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


#: varints of zigzag values below 2**14 (one or two bytes)
VARINT = [_varint(z) for z in range(_SMALL)]
#: the low 14 bits of a larger zigzag value: two bytes, both with the continuation bit
LOW14 = [bytes(((z & 0x7F) | 0x80, (z >> 7) | 0x80)) for z in range(_SMALL)]
#: a present value of a nullable field (union branch 1), then the varint of a small zigzag value
PRESENT = [b"\x02" + v for v in VARINT]
#: a present value, then the low 14 bits of a larger zigzag value
PRESENT_LOW14 = [b"\x02" + v for v in LOW14]

_TEMPLATE = """\
def encode_insert(frame, tx, ordinal):
    if frame[{count_at}:{values_at}] != {count!r}:
        return None
    pos = {values_at}
    out = bytearray(HEAD)
{columns}
    out += MIDDLE
    out += tx.txid
    (lsn,) = U64(frame, 1)
    if not lsn:
        lsn = tx.commit_lsn
    z = lsn << 1
    if z < {small}:
        out += VARINT[z]
    elif (z >> 14) == HIGH[0]:
        out += LOW14[z & {mask}]
        out += HIGH[1]
    elif lsn < {long_limit}:
        HIGH[0] = z >> 14
        HIGH[1] = varint(z >> 14)
        out += LOW14[z & {mask}]
        out += HIGH[1]
    else:
        write_long(out, lsn)
    out += tx.commit
    z = ordinal << 1
    if z < {small}:
        out += VARINT[z]
    elif z < {two_levels}:
        out += LOW14[z & {mask}]
        out += VARINT[z >> 14]
    else:
        write_long(out, ordinal)
    out += tx.context
    return {key}, bytes(out)
"""

# One published column at position {i}: a text value ('t') or a null ('n'); 'u' and 'b' take the general path.
_COLUMN = """\
    k = frame[pos]
    if k == 116:
        (n,) = I32(frame, pos + 1)
        pos += 5
{value}
    elif k == 110:
        out.append(0)
        pos += 1{null_raw}
    else:
        return None
"""
_STRING = """\
        if n < {half}:
            out += PRESENT[n << 1]
        else:
            out.append(2)
            write_long(out, n)
{copy}
        pos += n"""
_COPY = "        out += frame[pos:pos + n]"
_COPY_KEPT = "        r{i} = frame[pos:pos + n]\n        out += r{i}"
_INTEGER = """\
        r{i} = frame[pos:pos + n]
        pos += n
        v = int(r{i})
        z = (v << 1) ^ (v >> 63)
        if z < {small}:
            out += PRESENT[z]
        elif z < {two_levels}:
            out += PRESENT_LOW14[z & {mask}]
            out += VARINT[z >> 14]
        else:
            out.append(2)
            write_long(out, v)"""
_OTHER = """\
        r{i} = frame[pos:pos + n]
        pos += n
        out.append(2)
        W{i}(out, r{i})"""
# A column that is not published (excluded by settings) is read past.
_SKIP = """\
    k = frame[pos]
    if k == 116:
        (n,) = I32(frame, pos + 1)
        pos += 5 + n
    elif k == 110:
        pos += 1
    else:
        return None
"""


def compile_insert(
    *,
    header: bytes,
    source_head: bytes,
    columns: Sequence[tuple[str, ColumnType]],
    wanted: Sequence[int],
    key_index: Sequence[int],
    int_key_prefix: bytes | None,
    key: Callable[[Sequence[object]], bytes],
) -> InsertEncoder:
    """The Insert encoder of one table version.

    ``header`` is the single-object header (magic and fingerprint), ``source_head`` the encoded db, schema
    and table names, ``wanted`` the positions of the published columns. The Kafka key is the one
    :meth:`cdc.relations.RelInfo.key` (``key``) builds: inline for a single integer key column
    (``int_key_prefix``), else by calling ``key`` with the key columns' values in their positions.
    """
    names: dict[str, object] = {
        "HEAD": header + VARINT[OP_INDEX["c"] << 1] + b"\x00\x02",  # op c, no before, an after
        "MIDDLE": b"\x00" + source_head,  # no unchanged TOAST columns, then db, schema and table
        "HIGH": [-1, b""],  # the varint of an LSN above its low 14 bits, as last computed
        "I32": struct.Struct(">i").unpack_from,
        "U64": struct.Struct(">Q").unpack_from,
        "VARINT": VARINT,
        "LOW14": LOW14,
        "PRESENT": PRESENT,
        "PRESENT_LOW14": PRESENT_LOW14,
        "varint": _varint,
        "write_long": write_long,
        "KEY": key,
        "KEY_PREFIX": int_key_prefix,
    }
    kept = set(key_index)
    wanted_set = set(wanted)
    parts: list[str] = []
    for i, (_, column) in enumerate(columns):
        if i not in wanted_set:
            parts.append(_SKIP)
            continue
        kind, writer = column_writer(column)
        if kind == RAW:
            copy = _COPY_KEPT.format(i=i) if i in kept else _COPY
            value = _STRING.format(half=_SMALL // 2, copy=copy)
        elif kind == INTEGER:
            value = _INTEGER.format(i=i, small=_SMALL, two_levels=1 << 28, mask=_SMALL - 1)
        else:
            names[f"W{i}"] = writer
            value = _OTHER.format(i=i)
        null_raw = f"\n        r{i} = None" if i in kept else ""
        parts.append(_COLUMN.format(value=value, null_raw=null_raw))
    row = "".join(f"r{i}, " if i in kept else "None, " for i in range(len(columns)))
    key_expr = f"KEY(({row}))"
    if int_key_prefix is not None:
        (single,) = key_index
        key_expr = f'(KEY_PREFIX + r{single} + b"}}" if r{single} is not None else {key_expr})'
    source = _TEMPLATE.format(
        count_at=FRAME_BODY + 5,
        values_at=_VALUES,
        count=b"N" + len(columns).to_bytes(2, "big"),  # a new tuple of that many columns
        columns="".join(parts).rstrip("\n"),
        small=_SMALL,
        mask=_SMALL - 1,
        two_levels=1 << 28,
        long_limit=1 << 63,
        key=key_expr,
    )
    exec(compile(source, "<cdc.inserts>", "exec"), names)  # noqa: S102 - our template, numbers and positions only
    encoder: InsertEncoder = names["encode_insert"]  # type: ignore[assignment]
    return encoder
