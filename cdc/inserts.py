"""The reader's hot path: an Insert's copy frame straight to its Kafka key and envelope bytes.

A bulk load is a long run of Insert messages of one table. Decoding each into a tuple, then walking a
per-column plan to write Avro (:class:`cdc.encoding.EnvelopeEncoder`) costs about a dozen Python calls
and several per-column branches per change, which kept the reader at a tenth of PostgreSQL's own decoding
rate. Here, once per table version, the column plan is turned into the source of one Python function,
unrolled over the columns, that reads the pgoutput tuple from the XLogData frame and binds the envelope's
parts to locals, joined once at the end: text goes over as it came (length and bytes), small integers are
looked up by their text, larger ones zigzag-encoded with precomputed varint tables, the high bytes of the
change's LSN are reused while they stay the same, and the parts shared by the transaction (``source``,
``context``) come from :class:`cdc.encoding.TxBytes`.

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
#: the canonical text of a small integer (as PostgreSQL writes it) -> present, then its varint: no parsing
SMALL_INTS = {str(v).encode(): PRESENT[(v << 1) ^ (v >> 63)] for v in range(-(_SMALL >> 1), _SMALL >> 1)}
#: a present value, then the low 14 bits of a larger zigzag value
PRESENT_LOW14 = [b"\x02" + v for v in LOW14]

_TEMPLATE = """\
def encode_insert(frame, tx, ordinal):
    if frame[{count_at}:{values_at}] != {count!r}:
        return None
    pos = {values_at}
{columns}
    (lsn,) = U64(frame, 1)
    if not lsn:
        lsn = tx.commit_lsn
    z = lsn << 1
    if z < {small}:
        l1 = VARINT[z]
        l2 = b""
    elif (z >> 14) == HIGH[0]:
        l1 = LOW14[z & {mask}]
        l2 = HIGH[1]
    elif lsn < {long_limit}:
        HIGH[0] = z >> 14
        HIGH[1] = l2 = varint(z >> 14)
        l1 = LOW14[z & {mask}]
    else:
        l1 = long_bytes(lsn)
        l2 = b""
    z = ordinal << 1
    if z < {small}:
        o1 = VARINT[z]
        o2 = b""
    elif z < {two_levels}:
        o1 = LOW14[z & {mask}]
        o2 = VARINT[z >> 14]
    else:
        o1 = long_bytes(ordinal)
        o2 = b""
    return {key}, b"".join((HEAD, {parts}MIDDLE, tx.txid, l1, l2, tx.commit, o1, o2, tx.context))
"""

# One published column at position {i}, written as two parts: a{i} (null, or present and maybe a length)
# and b{i}. A value is text ('t') or null ('n'); 'u' and 'b' take the general path.
_COLUMN = """\
    k = frame[pos]
    if k == 116:
        (n,) = I32(frame, pos + 1)
        pos += 5
        end = pos + n
{value}
    elif k == 110:
        a{i} = b"\\x00"
        b{i} = b""
        pos += 1{null_raw}
    else:
        return None
"""
_STRING = """\
        b{i} = frame[pos:end]{kept}
        pos = end
        if n < {half}:
            a{i} = PRESENT[n << 1]
        else:
            a{i} = b"\\x02" + long_bytes(n)"""
_INTEGER = """\
        r{i} = frame[pos:end]
        pos = end
        a{i} = SMALL_INTS.get(r{i})
        if a{i} is not None:
            b{i} = b""
        else:
            v = int(r{i})
            z = (v << 1) ^ (v >> 63)
            if z < {small}:
                a{i} = PRESENT[z]
                b{i} = b""
            elif z < {two_levels}:
                a{i} = PRESENT_LOW14[z & {mask}]
                b{i} = VARINT[z >> 14]
            else:
                a{i} = b"\\x02"
                b{i} = long_bytes(v)"""
_OTHER = """\
        r{i} = frame[pos:end]
        pos = end
        a{i} = b"\\x02"
        b{i} = bytearray()
        W{i}(b{i}, r{i})"""
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


def _long_bytes(value: int) -> bytes:
    out = bytearray()
    write_long(out, value)
    return bytes(out)


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
        "SMALL_INTS": SMALL_INTS,
        "varint": _varint,
        "long_bytes": _long_bytes,
        "KEY": key,
        "KEY_PREFIX": int_key_prefix,
    }
    kept = set(key_index)
    wanted_set = set(wanted)
    parts: list[str] = []
    columns_source: list[str] = []
    numbers = {"small": _SMALL, "two_levels": 1 << 28, "mask": _SMALL - 1, "half": _SMALL // 2}
    for i, (_, column) in enumerate(columns):
        if i not in wanted_set:
            columns_source.append(_SKIP)
            continue
        kind, writer = column_writer(column)
        if kind == RAW:
            value = _STRING.format(i=i, kept=f"\n        r{i} = b{i}" if i in kept else "", **numbers)
        elif kind == INTEGER:
            value = _INTEGER.format(i=i, **numbers)
        else:
            names[f"W{i}"] = writer
            value = _OTHER.format(i=i)
        null_raw = f"\n        r{i} = None" if i in kept else ""
        columns_source.append(_COLUMN.format(i=i, value=value, null_raw=null_raw))
        parts.append(f"a{i}, b{i}, ")
    row = "".join(f"r{i}, " if i in kept else "None, " for i in range(len(columns)))
    key_expr = f"KEY(({row}))"
    if int_key_prefix is not None:
        (single,) = key_index
        key_expr = f'(KEY_PREFIX + r{single} + b"}}" if r{single} is not None else {key_expr})'
    source = _TEMPLATE.format(
        count_at=FRAME_BODY + 5,
        values_at=_VALUES,
        count=b"N" + len(columns).to_bytes(2, "big"),  # a new tuple of that many columns
        columns="".join(columns_source).rstrip("\n"),
        parts="".join(parts),
        long_limit=1 << 63,
        key=key_expr,
        **numbers,
    )
    exec(compile(source, "<cdc.inserts>", "exec"), names)  # noqa: S102 - our template, numbers and positions only
    encoder: InsertEncoder = names["encode_insert"]  # type: ignore[assignment]
    return encoder
