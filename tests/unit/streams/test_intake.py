"""The intake's routing on fakes (no Kafka): which fact goes to which repartition topic and partition, what
becomes a notice, what is skipped, what stops the worker, and that a batch is flushed before it returns."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from schemas.codec import CodecError, UnknownSchemaError
from streams.batching import partition_of
from streams.errors import StreamsInputError
from streams.facts import Fact
from streams.intake import Intake
from streams.protocol import Protocol, RowFact
from tests.unit.streams.fakes import FakeMessage, FakeSender

PARTITIONS = 3
SOURCES = {f"cdc.{t}": t for t in ("matches", "stages", "point_adjustments", "match_events", "lineups", "suspensions")}


def envelope(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None, lsn: int) -> dict[str, Any]:
    return {"op": op, "before": before, "after": after, "source": {"commit_lsn": lsn, "ordinal": 0}}


MATCH = {"id": 41, "stage_id": 7, "home_team_id": 1, "away_team_id": 2, "status": "finished", "decided_in": "REG"}
EVENT = {"id": 9, "match_id": 41, "kind": "goal", "team_id": 1, "player_id": 5, "period": 1, "minute": 3}
SUSPENSION = {"id": 3, "season_id": 2, "player_id": 5, "team_id": 1, "from_match_id": 42, "matches": 1, "reason": "red"}


def intake(records: dict[bytes, Any], sender: FakeSender) -> Intake:
    """An intake whose decoder looks the message's value up in ``records`` (an exception is raised)."""

    def decode(value: bytes) -> dict[str, Any]:
        found = records[value]
        if isinstance(found, Exception):
            raise found
        return dict(found)

    return Intake(
        bootstrap="unused:9092",
        group="g",
        sources=SOURCES,
        stage_topic="stage-facts",
        match_topic="match-facts",
        notices_topic="notices",
        partitions=PARTITIONS,
        decode=decode,
        sender=sender,
    )


def items(sender: FakeSender, topic: str, kind: Any) -> list[tuple[int, Any]]:
    decoder = msgspec.msgpack.Decoder(list[kind])
    return [(m.partition, item) for m in sender.on(topic) for item in decoder.decode(m.value)]


def test_a_batch_goes_by_stage_by_match_and_as_notices_and_is_flushed_before_route_returns() -> None:
    sender = FakeSender(PARTITIONS)
    records = {
        b"m": envelope("c", None, MATCH, 100),
        b"e": envelope("c", None, EVENT, 101),
        b"s": envelope("c", None, SUSPENSION, 102),
        b"s-snapshot": envelope("r", None, {**SUSPENSION, "id": 4}, 103),
    }
    intake(records, sender).route(
        [
            FakeMessage("cdc.matches", b"m"),
            FakeMessage("cdc.match_events", b"e"),
            FakeMessage("cdc.suspensions", b"s"),
            FakeMessage("cdc.suspensions", b"s-snapshot"),
            FakeMessage("cdc.matches", None),  # a tombstone
        ]
    )
    assert sender.flushes == 1
    assert sender.pending == []
    stage_part, match_part = partition_of(b"7", PARTITIONS), partition_of(b"41", PARTITIONS)
    ((partition, fact),) = items(sender, "stage-facts", Fact | Protocol)
    assert partition == stage_part
    assert fact == Fact(kind="match", id=41, stage_id=7, position=(100, 0), data=MATCH)
    rows = items(sender, "match-facts", RowFact)
    assert [(p, r.kind, r.id, r.match_id, r.position) for p, r in rows] == [
        (match_part, "match", 41, 41, (100, 0)),
        (match_part, "event", 9, 41, (101, 0)),
    ]
    # one repartition message per partition and batch
    assert [m.partition for m in sender.on("match-facts")] == [match_part]
    (notice,) = sender.on("notices")
    assert notice.key == b"match:42"  # the match that caused it: in order with that match's notices
    assert msgspec.json.decode(notice.value)["matches"] == 1


def test_a_message_that_is_not_a_cdc_envelope_is_skipped_and_the_rest_routed() -> None:
    sender = FakeSender(PARTITIONS)
    records = {b"junk": CodecError("not Avro"), b"m": envelope("c", None, MATCH, 100)}
    intake(records, sender).route([FakeMessage("cdc.matches", b"junk"), FakeMessage("cdc.matches", b"m")])
    assert len(items(sender, "stage-facts", Fact | Protocol)) == 1


def test_a_change_whose_schema_is_lost_stops_the_batch_saying_where_it_is() -> None:
    sender = FakeSender(PARTITIONS)
    records = {b"m": envelope("c", None, MATCH, 100), b"lost": UnknownSchemaError("00" * 8)}
    with pytest.raises(StreamsInputError, match=r"cdc\.matches\[2\]@17"):
        intake(records, sender).route([FakeMessage("cdc.matches", b"m"), FakeMessage("cdc.matches", b"lost", 2, 17)])
    assert sender.delivered == []  # nothing of the batch went out: it is read again after the restart
