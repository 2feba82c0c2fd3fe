"""The stateful agents on fakes: the shared loop (micro-batches grouped by entity, outbox flushed, tables
written after Kafka took the batch), the protocols step and the players step."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec

from schemas.codec import SchemaRegistry
from streams.agent_loop import run_agent
from streams.batching import Outbox
from streams.lines import LineEntry, PlayerLine, PlayerLineMessage
from streams.matches import MatchProtocols
from streams.players import PlayerSeasons
from streams.protocol import MatchRow, Protocol, RowFact
from tests.unit.streams.fakes import FakeEvent, FakePartition, FakeSender, FakeTable


class FakeStream:
    """A Faust stream as the loop reads it: ``take_events`` yields the given batches."""

    def __init__(self, batches: list[list[FakeEvent]]) -> None:
        self.batches = batches

    async def take_events(self, size: int, within: float) -> AsyncIterator[list[FakeEvent]]:
        for batch in self.batches:
            yield batch


def event(partition: int, items: list[Any]) -> FakeEvent:
    return FakeEvent(msgspec.msgpack.encode(items), FakePartition(partition))


def match_row(match_id: int, lsn: int, status: str = "finished") -> RowFact:
    return RowFact(
        kind="match", id=match_id, match_id=match_id, position=(lsn, 0), data=MatchRow(7, 1, 2, status, "REG")
    )


def run_protocols(batches: list[list[FakeEvent]]) -> tuple[FakeSender, FakeTable]:
    sender, states = FakeSender(), FakeTable()
    to_stages = Outbox("stage-facts", 3, msgspec.msgpack.encode)
    rows = msgspec.msgpack.Decoder(list[RowFact]).decode
    step = MatchProtocols(states, to_stages)
    stream = FakeStream(batches)
    asyncio.run(run_agent(stream, sender=sender, decode=rows, key=lambda r: r.match_id, step=step, outbox=to_stages))
    return sender, states


def protocols(sender: FakeSender) -> list[Protocol]:
    decoder = msgspec.msgpack.Decoder(list[Protocol])
    return [p for m in sender.on("stage-facts") for p in decoder.decode(m.value)]


def test_a_burst_on_one_match_sends_its_protocol_once_per_batch_and_a_replay_nothing() -> None:
    first = [event(0, [match_row(1, 10, "live"), match_row(1, 11)]), event(1, [match_row(2, 12)])]
    sender, states = run_protocols([first, [event(0, [match_row(1, 11)])]])
    sent = protocols(sender)
    assert [(p.match_id, p.version, p.status, p.was_live) for p in sent] == [
        (1, 2, "finished", True),
        (2, 1, "finished", False),
    ]
    assert set(states) == {b"1", b"2"}
    assert sender.flushes == 2  # one per batch, the replayed one included


def test_the_players_step_sums_a_players_lines_and_sends_his_season() -> None:
    registry, sender, states = SchemaRegistry(), FakeSender(), FakeTable()
    step = PlayerSeasons(states, registry, "players")
    football = {"appearances": 1, "goals": 1, "assists": 0, "minutes": 90}

    def line(match: int, version: int, goals: int) -> PlayerLineMessage:
        entry = LineEntry(version, (version, 0), PlayerLine(team_id=3, football={**football, "goals": goals}))
        return PlayerLineMessage(season_id=5, player_id=9, sport="football", line_id=f"7:{match}", entry=entry)

    lines = msgspec.msgpack.Decoder(list[PlayerLineMessage]).decode
    batches = [[event(0, [line(1, 1, 1), line(2, 1, 2)])], [event(0, [line(1, 2, 0), line(2, 1, 2)])]]
    asyncio.run(run_agent(FakeStream(batches), sender=sender, decode=lines, key=lambda m: b"5:9", step=step))
    seasons = [registry.decode(m.value)[1] for m in sender.on("players")]
    assert [(s["version"], s["players"][0]["goals"], s["players"][0]["games"]) for s in seasons] == [
        (2, 3, 2),
        (3, 2, 2),
    ]
    assert set(states) == {b"5:9"}
