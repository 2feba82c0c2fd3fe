"""A decoder for PostgreSQL's ``pgoutput`` logical replication messages, protocol versions 1 and 2.

Pure: bytes in, structs out. Inside a streamed transaction (between Stream Start and Stream Stop, protocol
2) the data messages carry the (sub)transaction id first; the decoder tracks that state itself, so the
caller feeds every message in order. Column values stay as the server's text (or binary) bytes: turning
them into typed values needs the column types, which the envelope builder knows.
"""

from __future__ import annotations

import struct

import msgspec

__all__ = [
    "UNCHANGED_TOAST",
    "Begin",
    "Column",
    "Commit",
    "Delete",
    "Insert",
    "LogicalMessage",
    "Origin",
    "PgoutputDecoder",
    "PgoutputError",
    "Relation",
    "StreamAbort",
    "StreamCommit",
    "StreamStart",
    "StreamStop",
    "Truncate",
    "TupleValue",
    "TypeInfo",
    "Update",
    "decode_insert",
]

UNCHANGED_TOAST = object()  # marker of a TOASTed value the server did not send because it did not change
#: A column value: None (SQL NULL), bytes (text or binary representation), or UNCHANGED_TOAST.
TupleValue = object

_I16 = struct.Struct(">h")
_I32 = struct.Struct(">i")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_BEGIN = struct.Struct(">QqI")
_COMMIT = struct.Struct(">BQQq")
_STREAM_COMMIT = struct.Struct(">IBQQq")


class PgoutputError(ValueError):
    """Bytes that are not a valid pgoutput message (or a message type this decoder does not know)."""


class Begin(msgspec.Struct, frozen=True):
    final_lsn: int
    commit_ts: int  # microseconds since 2000-01-01 UTC (PostgreSQL epoch)
    xid: int


class Commit(msgspec.Struct, frozen=True):
    flags: int
    commit_lsn: int
    end_lsn: int
    commit_ts: int


class Origin(msgspec.Struct, frozen=True):
    origin_lsn: int
    name: str


class Column(msgspec.Struct, frozen=True):
    key: bool
    name: str
    type_oid: int
    typmod: int


class Relation(msgspec.Struct, frozen=True):
    xid: int | None
    relid: int
    namespace: str
    name: str
    replica_identity: str
    columns: tuple[Column, ...]


class TypeInfo(msgspec.Struct, frozen=True):
    xid: int | None
    oid: int
    namespace: str
    name: str


class Insert(msgspec.Struct, frozen=True):
    xid: int | None
    relid: int
    new: tuple[TupleValue, ...]


class Update(msgspec.Struct, frozen=True):
    xid: int | None
    relid: int
    old: tuple[TupleValue, ...] | None  # with REPLICA IDENTITY FULL or a changed key
    old_is_key: bool  # old holds only the replica identity key columns
    new: tuple[TupleValue, ...]


class Delete(msgspec.Struct, frozen=True):
    xid: int | None
    relid: int
    old: tuple[TupleValue, ...]
    old_is_key: bool


class Truncate(msgspec.Struct, frozen=True):
    xid: int | None
    cascade: bool
    restart_identity: bool
    relids: tuple[int, ...]


class LogicalMessage(msgspec.Struct, frozen=True):
    xid: int | None
    transactional: bool
    lsn: int
    prefix: str
    content: bytes


class StreamStart(msgspec.Struct, frozen=True):
    xid: int
    first_segment: bool


class StreamStop(msgspec.Struct, frozen=True):
    pass


class StreamCommit(msgspec.Struct, frozen=True):
    xid: int
    flags: int
    commit_lsn: int
    end_lsn: int
    commit_ts: int


class StreamAbort(msgspec.Struct, frozen=True):
    xid: int
    subxid: int


Message = (
    Begin
    | Commit
    | Origin
    | Relation
    | TypeInfo
    | Insert
    | Update
    | Delete
    | Truncate
    | LogicalMessage
    | StreamStart
    | StreamStop
    | StreamCommit
    | StreamAbort
)


def _cstring(buf: bytes, pos: int) -> tuple[str, int]:
    end = buf.index(b"\0", pos)
    return buf[pos:end].decode(), end + 1


def _tuple(buf: bytes, pos: int) -> tuple[tuple[TupleValue, ...], int]:
    (count,) = _I16.unpack_from(buf, pos)
    pos += 2
    values: list[TupleValue] = []
    append = values.append
    for _ in range(count):
        kind = buf[pos]
        pos += 1
        if kind == 0x74 or kind == 0x62:  # 't' text, 'b' binary  # noqa: PLR1714 - hot path, byte compare
            (length,) = _I32.unpack_from(buf, pos)
            pos += 4
            append(buf[pos : pos + length])
            pos += length
        elif kind == 0x6E:  # 'n' null
            append(None)
        elif kind == 0x75:  # 'u' unchanged TOAST
            append(UNCHANGED_TOAST)
        else:
            raise PgoutputError(f"unknown tuple value kind {chr(kind)!r}")
    return tuple(values), pos


def decode_insert(buf: bytes) -> tuple[int, tuple[TupleValue, ...]]:
    """(relid, new tuple) of an Insert outside a stream: the reader's hot path, without building a struct."""
    if buf[5] != 0x4E:
        raise PgoutputError("Insert without a new tuple")
    return _U32.unpack_from(buf, 1)[0], _tuple(buf, 6)[0]


class PgoutputDecoder:
    """Decodes one message at a time; remembers whether it is inside a streamed transaction."""

    def __init__(self) -> None:
        self.in_stream = False

    def _xid(self, buf: bytes, pos: int) -> tuple[int | None, int]:
        if self.in_stream:
            return _U32.unpack_from(buf, pos)[0], pos + 4
        return None, pos

    def decode(self, data: bytes | memoryview) -> Message:
        buf = bytes(data)
        if not buf:
            raise PgoutputError("empty message")
        kind = buf[0]
        try:
            return self._decode(kind, buf)
        except (struct.error, IndexError, ValueError, UnicodeDecodeError) as exc:
            if isinstance(exc, PgoutputError):
                raise
            raise PgoutputError(f"malformed {chr(kind)!r} message: {exc}") from exc

    def _decode(self, kind: int, buf: bytes) -> Message:
        if kind == 0x49:  # 'I'
            xid, pos = self._xid(buf, 1)
            (relid,) = _U32.unpack_from(buf, pos)
            if buf[pos + 4] != 0x4E:
                raise PgoutputError("Insert without a new tuple")
            new, _ = _tuple(buf, pos + 5)
            return Insert(xid, relid, new)
        if kind == 0x55:  # 'U'
            xid, pos = self._xid(buf, 1)
            (relid,) = _U32.unpack_from(buf, pos)
            pos += 4
            old = None
            old_is_key = False
            marker = buf[pos]
            if marker in (0x4B, 0x4F):  # 'K' key, 'O' old
                old_is_key = marker == 0x4B
                old, pos = _tuple(buf, pos + 1)
                marker = buf[pos]
            if marker != 0x4E:
                raise PgoutputError("Update without a new tuple")
            new, _ = _tuple(buf, pos + 1)
            return Update(xid, relid, old, old_is_key, new)
        if kind == 0x44:  # 'D'
            xid, pos = self._xid(buf, 1)
            (relid,) = _U32.unpack_from(buf, pos)
            marker = buf[pos + 4]
            if marker not in (0x4B, 0x4F):
                raise PgoutputError("Delete without an old tuple")
            old, _ = _tuple(buf, pos + 5)
            return Delete(xid, relid, old, marker == 0x4B)
        if kind == 0x42:  # 'B'
            lsn, ts, xid = _BEGIN.unpack_from(buf, 1)
            return Begin(lsn, ts, xid)
        if kind == 0x43:  # 'C'
            flags, lsn, end, ts = _COMMIT.unpack_from(buf, 1)
            return Commit(flags, lsn, end, ts)
        if kind == 0x52:  # 'R'
            xid, pos = self._xid(buf, 1)
            (relid,) = _U32.unpack_from(buf, pos)
            namespace, pos = _cstring(buf, pos + 4)
            name, pos = _cstring(buf, pos)
            identity = chr(buf[pos])
            (ncols,) = _I16.unpack_from(buf, pos + 1)
            pos += 3
            columns = []
            for _ in range(ncols):
                flags = buf[pos]
                col, pos = _cstring(buf, pos + 1)
                (oid,) = _U32.unpack_from(buf, pos)
                (typmod,) = _I32.unpack_from(buf, pos + 4)
                pos += 8
                columns.append(Column(bool(flags & 1), col, oid, typmod))
            return Relation(xid, relid, namespace, name, identity, tuple(columns))
        if kind == 0x59:  # 'Y'
            xid, pos = self._xid(buf, 1)
            (oid,) = _U32.unpack_from(buf, pos)
            namespace, pos = _cstring(buf, pos + 4)
            name, pos = _cstring(buf, pos)
            return TypeInfo(xid, oid, namespace, name)
        if kind == 0x4D:  # 'M'
            xid, pos = self._xid(buf, 1)
            flags = buf[pos]
            (lsn,) = _U64.unpack_from(buf, pos + 1)
            prefix, pos = _cstring(buf, pos + 9)
            (length,) = _I32.unpack_from(buf, pos)
            return LogicalMessage(xid, bool(flags & 1), lsn, prefix, buf[pos + 4 : pos + 4 + length])
        if kind == 0x54:  # 'T'
            xid, pos = self._xid(buf, 1)
            (count,) = _I32.unpack_from(buf, pos)
            options = buf[pos + 4]
            relids = struct.unpack_from(f">{count}I", buf, pos + 5)
            return Truncate(xid, bool(options & 1), bool(options & 2), tuple(relids))
        if kind == 0x4F:  # 'O'
            (lsn,) = _U64.unpack_from(buf, 1)
            name, _ = _cstring(buf, 9)
            return Origin(lsn, name)
        if kind == 0x53:  # 'S'
            (xid,) = _U32.unpack_from(buf, 1)
            self.in_stream = True
            return StreamStart(xid, bool(buf[5]))
        if kind == 0x45:  # 'E'
            self.in_stream = False
            return StreamStop()
        if kind == 0x63:  # 'c'
            xid, flags, lsn, end, ts = _STREAM_COMMIT.unpack_from(buf, 1)
            return StreamCommit(xid, flags, lsn, end, ts)
        if kind == 0x41:  # 'A'
            xid, subxid = struct.unpack_from(">II", buf, 1)
            return StreamAbort(xid, subxid)
        raise PgoutputError(f"unknown message type {chr(kind)!r}")
