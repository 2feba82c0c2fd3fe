"""The reader's frame dispatch on the pgoutput bytes captured from PostgreSQL 15 (see test_pgoutput.py),
with the ports faked: which envelopes reach the publisher, and which positions are confirmed back."""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdc.config import CdcConfig
from cdc.encoding import TxBytes
from cdc.envelopes import Envelopes, SchemaBook, Tx, context
from cdc.errors import KafkaDeliveryError
from cdc.metrics import CdcMetrics
from cdc.relations import RelInfo
from cdc.replication import parse_lsn
from cdc.session import Session, dispatch
from cdc.spill import SpillStore
from cdc.values import builtin_type
from schemas.codec import SchemaRegistry
from tests.conftest import DATA
from tests.unit.cdc.fakes import FakeCatalog, FakeChangeSource, FakePublisher, FakeWatch, keepalive, xlogdata

CAPTURE = json.loads((DATA / "pgoutput" / "capture_pg15.json").read_text())["messages"]
FRAMES = [xlogdata(parse_lsn(m["lsn"]), bytes.fromhex(m["hex"])) for m in CAPTURE]
#: end LSNs of the first three transactions (Commit messages 5, 8 and 11 of the capture)
TX1_END, TX2_END, TX3_END = 304705736, 304719040, 304732312
STREAMED_COMMIT_LSN = 305217080

Snapshot = Callable[[str, Tx, Callable[[], None]], int]


def no_snapshot(table: str, tx: Tx, progress: Callable[[], None]) -> int:
    raise AssertionError(f"unexpected snapshot of {table}")


class Rig:
    """A session over fakes: frames go in through ``dispatch``, envelopes come out of ``publisher``."""

    def __init__(self, tmp_path: Path, *, auto_ack: bool = True, snapshot: Snapshot = no_snapshot) -> None:
        self.config = CdcConfig(heartbeat_s=0, key_columns={}, exclude_columns={})
        self.source = FakeChangeSource()
        self.publisher = FakePublisher(auto_ack=auto_ack)
        self.registry = SchemaRegistry()
        counts: dict[tuple[str, str], int] = {}
        envelopes = Envelopes(
            self.config,
            database="rstat",
            catalog=FakeCatalog({"t": ["id"], "u": ["id"]}),
            publisher=self.publisher,
            schemas=SchemaBook(self.publisher, self.registry),
            counts=counts,
        )
        spill = SpillStore(tmp_path / "spill")
        spill.reset()
        self.session = Session(
            self.config,
            source=self.source,
            publisher=self.publisher,
            envelopes=envelopes,
            spill=spill,
            metrics=CdcMetrics(),
            watch=FakeWatch(),
            snapshot_table=snapshot,
            tables=["t", "u"],
            counts=counts,
            stop=threading.Event(),
        )

    def feed(self, frames: list[bytes], *, budget: int = 5000) -> None:
        """The frames through the reader's path: runs of Inserts by the generated encoders, the rest one by one."""
        self.source.frames.extend(frames)
        while self.source.frames:
            self.session.receive(0, budget)

    def records(self) -> list[dict[str, Any]]:
        return [self.registry.decode(m.value)[1] for m in self.publisher.sent if m.value is not None]

    def flushed_after_report(self) -> int:
        self.session.report()
        return self.source.flushed


def test_every_captured_change_becomes_one_envelope_in_source_order(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.feed(FRAMES)
    records = rig.records()
    assert [r["op"] for r in records] == ["c", "u", "u", "c", "d", "c", "d", "t", "t", "t"] + ["c"] * 24
    assert [r["source"]["table"] for r in records[:7]] == ["t", "t", "t", "u", "u", "u", "t"]
    positions = [(r["source"]["commit_lsn"], r["source"]["ordinal"]) for r in records]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions) - 2  # the truncate goes to each of 3 partitions as one change
    assert records[0]["context"]["actor"] == "alice"
    assert records[1]["context"]["actor"] is None  # attribution belongs to its own transaction only
    streamed = records[10:]
    assert {r["source"]["commit_lsn"] for r in streamed} == {STREAMED_COMMIT_LSN}
    assert [r["source"]["ordinal"] for r in streamed] == list(range(24))
    truncates = [m for m in rig.publisher.sent if m.value is not None and m.key is None]
    assert sorted(m.partition for m in truncates if m.partition is not None) == [0, 1, 2]


@pytest.mark.parametrize("budget", [1, 2, 5000])
def test_the_hot_path_publishes_what_the_general_path_publishes(tmp_path: Path, budget: int) -> None:
    hot = Rig(tmp_path / "hot")
    hot.feed(FRAMES, budget=budget)
    general = Rig(tmp_path / "general")
    for frame in FRAMES:
        dispatch(general.session, frame)
    assert hot.publisher.sent == general.publisher.sent
    assert hot.session.received_lsn == general.session.received_lsn
    assert hot.session.counts == general.session.counts
    assert hot.flushed_after_report() == general.flushed_after_report()


def test_a_streamed_transaction_waits_on_disk_until_its_commit(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.feed(FRAMES[:-1])  # everything but the Stream Commit
    assert len(rig.records()) == 10
    assert list((tmp_path / "spill").iterdir())
    rig.feed(FRAMES[-1:])
    assert len(rig.records()) == 34
    assert not list((tmp_path / "spill").iterdir())


def test_a_position_is_confirmed_only_after_kafka_acknowledged_everything_before_it(tmp_path: Path) -> None:
    rig = Rig(tmp_path, auto_ack=False)
    rig.feed(FRAMES[:12])  # three transactions, one message each
    assert rig.publisher.unacked == [0, 1, 2]
    assert rig.flushed_after_report() == 0
    rig.publisher.acknowledge(1, 2)  # the later two first: Kafka acknowledges across partitions in any order
    assert rig.flushed_after_report() == 0
    rig.publisher.acknowledge(0)
    assert rig.flushed_after_report() == TX3_END


def test_a_refused_message_stops_the_reader_and_holds_the_position_before_it(tmp_path: Path) -> None:
    rig = Rig(tmp_path, auto_ack=False)
    rig.feed(FRAMES[:12])
    rig.publisher.acknowledge(0)
    rig.publisher.refuse(1)
    rig.publisher.acknowledge(2)
    with pytest.raises(KafkaDeliveryError):
        rig.session.pump()
    assert rig.flushed_after_report() == TX1_END


def test_nothing_past_a_transaction_still_being_published_is_confirmed(tmp_path: Path) -> None:
    rig = Rig(tmp_path, auto_ack=False)
    rig.feed(FRAMES[:6])
    rig.publisher.acknowledge()
    assert rig.flushed_after_report() == TX1_END
    rig.feed(FRAMES[6:8])  # Begin and Update of the second transaction, no Commit yet
    rig.publisher.acknowledge()
    assert rig.session.received_lsn > TX1_END
    assert rig.flushed_after_report() == TX1_END
    rig.feed(FRAMES[8:9])
    assert rig.flushed_after_report() == TX2_END


def test_keepalives_move_the_received_position_and_a_requested_reply_is_sent_at_once(tmp_path: Path) -> None:
    rig = Rig(tmp_path)
    rig.feed([keepalive(5000)])
    assert rig.source.statuses == []
    rig.feed([keepalive(7000, reply=True)])
    assert rig.source.statuses == [(7000, 7000, False)]  # idle: everything the server sent is done with


def snapshot_request(lsn: int, content: bytes) -> bytes:
    """A non-transactional ``rstat.snapshot`` logical message as pgoutput sends it."""
    return xlogdata(
        lsn, b"M\x00" + struct.pack(">Q", lsn) + b"rstat.snapshot\x00" + struct.pack(">I", len(content)) + content
    )


def test_a_snapshot_request_is_read_at_its_position_and_holds_back_later_positions(tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []

    def snapshot(table: str, tx: Tx, progress: Callable[[], None]) -> int:
        assert rig.session.tx is tx  # while it is read, nothing past the request is confirmed
        seen.append((table, tx.commit_lsn))
        return 0

    rig = Rig(tmp_path, snapshot=snapshot)
    rig.feed([snapshot_request(9000, b'{"table": "t"}'), snapshot_request(9100, b'{"table": "nope"}')])
    rig.feed([snapshot_request(9200, b"not json")])
    assert seen == [("t", 9000)]
    assert rig.session.tx is None
    assert rig.flushed_after_report() == 9200


@pytest.mark.parametrize("prefix", [b"rstat.heartbeat", b"other"])
def test_other_non_transactional_messages_are_ignored(tmp_path: Path, prefix: bytes) -> None:
    rig = Rig(tmp_path)
    rig.feed([xlogdata(9000, b"M\x00" + struct.pack(">Q", 9000) + prefix + b"\x00" + struct.pack(">I", 2) + b"hb")])
    assert rig.publisher.sent == []
    assert rig.session.received_lsn == 9000


@pytest.mark.parametrize(
    ("message", "org"),
    [
        ({"actor": "user:1", "org": 12}, 12),
        ({"actor": "user:1"}, None),  # an organization-less write (a user signing up)
        ({"actor": "user:1", "org": "12"}, None),  # not an id: dropped, the rest of the attribution kept
        ({"actor": "user:1", "org": True}, None),
    ],
)
def test_the_organization_of_a_context_message(message: dict[str, Any], org: int | None) -> None:
    long_type = builtin_type(20)
    assert long_type is not None
    info = RelInfo("db", "public", "t", [("id", long_type)], ["id"], topic="t", primary_key=["id"])
    registry = SchemaRegistry()
    registry.register(info.schema_json)
    tx = TxBytes(1, 100, 0, context(json.dumps(message).encode()))
    record = registry.decode(info.encoder.encode("c", None, [b"5"], tx=tx, lsn=100, ordinal=0))[1]
    assert record["context"] == {"actor": "user:1", "request_id": None, "source": None, "org": org}
    assert info.schema_json["primary_key"] == ["id"]
