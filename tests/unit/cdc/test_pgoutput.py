"""The pgoutput decoder on bytes captured from a real PostgreSQL 15 (tests/data/pgoutput/capture_pg15.json).

The capture (tools/capture_pgoutput.py): a transaction with an ``rstat.context`` message and an insert into
a table with numeric, timestamptz, date, jsonb, enum, int[], a 12.8 kB text (md5 digests, too random to be
compressed inline, so it is TOASTed) and a boolean; updates that leave the TOASTed text
unchanged and set a NULL; a primary-key change; a delete; a truncate; a non-transactional message; and a
transaction large enough to be streamed in eight segments (with an aborted subtransaction) and committed.
"""

from __future__ import annotations

import json
import struct

import pytest

from cdc.pgoutput import (
    UNCHANGED_TOAST,
    Begin,
    Commit,
    Delete,
    Insert,
    LogicalMessage,
    PgoutputDecoder,
    PgoutputError,
    Relation,
    StreamAbort,
    StreamCommit,
    StreamStart,
    StreamStop,
    Truncate,
    TypeInfo,
    Update,
)
from cdc.values import builtin_type, parse_array
from tests.conftest import DATA


def raw(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


CAPTURE = json.loads((DATA / "pgoutput" / "capture_pg15.json").read_text())["messages"]


@pytest.fixture(scope="module")
def decoded() -> list[object]:
    decoder = PgoutputDecoder()
    return [decoder.decode(bytes.fromhex(m["hex"])) for m in CAPTURE]


def test_every_message_decodes(decoded: list[object]) -> None:
    kinds = {type(m).__name__ for m in decoded}
    assert kinds == {
        "Begin",
        "LogicalMessage",
        "TypeInfo",
        "Relation",
        "Insert",
        "Commit",
        "Update",
        "Delete",
        "Truncate",
        "StreamStart",
        "StreamStop",
        "StreamCommit",
    }


def test_transaction_with_context_relation_and_typed_insert(decoded: list[object]) -> None:
    begin, message, mood, relation, insert, commit = decoded[:6]
    assert isinstance(begin, Begin)
    assert isinstance(commit, Commit)
    assert commit.commit_lsn == begin.final_lsn
    assert commit.end_lsn > commit.commit_lsn
    assert isinstance(message, LogicalMessage)
    assert message.transactional
    assert message.prefix == "rstat.context"
    assert json.loads(message.content) == {"actor": "alice"}
    assert isinstance(mood, TypeInfo)
    assert mood.name == "mood"
    assert isinstance(relation, Relation)
    assert (relation.namespace, relation.name, relation.replica_identity) == ("public", "t", "f")
    assert [c.name for c in relation.columns] == ["id", "n", "ts", "d", "j", "m", "a", "big", "b"]
    assert relation.columns[5].type_oid == mood.oid
    assert isinstance(insert, Insert)
    values = dict(zip([c.name for c in relation.columns], insert.new, strict=True))
    assert values["n"] == b"12345678901234567890.123456789"
    ts = builtin_type(1184)
    assert ts is not None
    assert ts.convert(raw(values["ts"])) == 1709283600 * 1_000_000  # 2024-03-01 12:00+03 = 09:00 UTC
    date = builtin_type(1082)
    assert date is not None
    assert date.convert(raw(values["d"])) == 19782  # 2024-02-29
    assert json.loads(raw(values["j"])) == {"a": [1, 2]}
    assert values["m"] == b"happy"
    int_array = builtin_type(1007)
    assert int_array is not None
    assert int_array.convert(raw(values["a"])) == [1, None, 3]
    assert len(raw(values["big"])) == 400 * 32
    assert values["b"] == b"t"


def test_unchanged_toast_is_not_null_and_full_before_image(decoded: list[object]) -> None:
    updates = [m for m in decoded if isinstance(m, Update)]
    toast, to_null, key_change = updates
    assert toast.old is not None
    assert not toast.old_is_key  # REPLICA IDENTITY FULL sends the whole old row
    assert toast.new[7] is UNCHANGED_TOAST
    assert toast.new[8] == b"f"
    assert to_null.new[1] is None
    assert to_null.new[7] is UNCHANGED_TOAST
    assert key_change.old_is_key
    assert key_change.old == (b"1", None)
    assert key_change.new == (b"2", b"a")


def test_delete_truncate_and_non_transactional_message(decoded: list[object]) -> None:
    (delete,) = [m for m in decoded if isinstance(m, Delete)]
    assert not delete.old_is_key
    assert delete.old[0] == b"1"
    (truncate,) = [m for m in decoded if isinstance(m, Truncate)]
    assert len(truncate.relids) == 1
    assert not truncate.cascade
    heartbeat = [m for m in decoded if isinstance(m, LogicalMessage) and not m.transactional]
    assert [(m.prefix, m.content) for m in heartbeat] == [("rstat.heartbeat", b"hb")]


def test_streamed_transaction_carries_xids_inside_segments(decoded: list[object]) -> None:
    starts = [m for m in decoded if isinstance(m, StreamStart)]
    stops = [m for m in decoded if isinstance(m, StreamStop)]
    (commit,) = [m for m in decoded if isinstance(m, StreamCommit)]
    assert len(starts) == len(stops) == 8
    assert starts[0].first_segment
    assert not any(s.first_segment for s in starts[1:])
    assert {s.xid for s in starts} == {commit.xid}
    streamed = [m for m in decoded if isinstance(m, Insert) and m.xid is not None]
    assert streamed
    assert all(m.xid == commit.xid for m in streamed)
    assert commit.end_lsn > commit.commit_lsn


def test_stream_abort_and_errors() -> None:
    decoder = PgoutputDecoder()
    assert decoder.decode(b"A" + struct.pack(">II", 7, 9)) == StreamAbort(7, 9)
    with pytest.raises(PgoutputError, match="unknown message type"):
        decoder.decode(b"Z")
    with pytest.raises(PgoutputError, match="malformed"):
        decoder.decode(b"B\x00\x01")
    with pytest.raises(PgoutputError, match="empty"):
        decoder.decode(b"")


@pytest.mark.parametrize(
    ("literal", "expected"),
    [(b"{}", []), (b"{1,2,3}", [b"1", b"2", b"3"]), (b'{"a b","c\\"d",NULL}', [b"a b", b'c"d', None])],
)
def test_array_literals(literal: bytes, expected: list[bytes | None]) -> None:
    assert parse_array(literal) == expected
