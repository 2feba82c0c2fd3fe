"""The fold agent's step on fakes (tables in memory, a recording sender): what one stage's batch sends and
writes, that a replayed batch sends and writes nothing, and that a protocol waits for its stage's row."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from schemas.codec import SchemaRegistry
from sports import DecidedIn, Result, compute_standings, regulation
from streams.batching import Outbox, Staged
from streams.facts import Fact, facts_from_change
from streams.fold import StageFold
from streams.lines import LineEntry, PlayerLineMessage
from streams.protocol import Protocol, ProtoLineup
from streams.topology import OutputTopics
from tests.unit.streams.fakes import FakeEvent, FakeSender, FakeTable

TOPICS = OutputTopics(standings="standings", live_standings="live", teams="teams", notices="notices")
STAGE = {"id": 1, "season_id": 9, "regulation": "premier-league", "regulation_params": "{}"}
SCORES = [(11, 1, 2, 2, 0), (12, 3, 4, 1, 1), (13, 2, 3, 0, 3)]


def envelope(op: str, after: dict[str, Any], lsn: int) -> dict[str, Any]:
    return {"op": op, "before": None, "after": after, "source": {"commit_lsn": lsn, "ordinal": 0}}


def match(match_id: int, home: int, away: int, hs: int, as_: int) -> dict[str, Any]:
    return {
        "id": match_id,
        "stage_id": 1,
        "group_id": None,
        "round": 1,
        "home_team_id": home,
        "away_team_id": away,
        "home_score": hs,
        "away_score": as_,
        "status": "finished",
        "decided_in": "REG",
    }


def facts() -> list[Fact | Protocol]:
    out: list[Fact | Protocol] = [*facts_from_change("stages", envelope("r", STAGE, 1))]
    for n, score in enumerate(SCORES):
        out += facts_from_change("matches", envelope("c", match(*score), 10 + n))
    return out


class Rig:
    """A StageFold on fake tables, run batch by batch as the agent loop runs it."""

    def __init__(self) -> None:
        self.registry = SchemaRegistry()
        self.sender = FakeSender()
        self.stage_states, self.match_lines = FakeTable(), FakeTable()
        self.to_players = Outbox("player-lines", 3, msgspec.msgpack.encode)
        self.fold = StageFold(
            stage_states=self.stage_states,
            match_lines=self.match_lines,
            registry=self.registry,
            topics=TOPICS,
            to_players=self.to_players,
        )

    def batch(self, messages: list[Fact | Protocol]) -> None:
        staged = Staged(self.sender)
        self.fold(staged, [FakeEvent(b"")], 1, messages)
        self.to_players.flush(staged)
        asyncio.run(staged.finish())

    def records(self, topic: str) -> list[dict[str, Any]]:
        return [dict(self.registry.decode(m.value)[1]) for m in self.sender.on(topic)]


def expected_table() -> list[tuple[int, int, int]]:
    results = [
        Result(id=str(m), home=str(h), away=str(a), home_score=hs, away_score=as_, decided_in=DecidedIn.REG)
        for m, h, a, hs, as_ in SCORES
    ]
    rows = compute_standings(results, regulation("premier-league"), [], {"1", "2", "3", "4"})
    return [(int(r.team), r.rank, r.points) for r in rows]


def test_a_stages_batch_publishes_its_standings_teams_and_notices_then_stores_its_state() -> None:
    rig = Rig()
    rig.batch(facts())
    (standings,) = rig.records("standings")
    assert [(r["team_id"], r["rank"], r["points"]) for r in standings["rows"]] == expected_table()
    assert (standings["stage_id"], standings["group_key"], standings["version"]) == (1, 0, 5)
    assert (standings["commit_lsn"], standings["ordinal"]) == (12, 0)
    assert rig.records("live") == [standings]  # nothing in play: the live table is the table
    (teams,) = rig.records("teams")
    assert [t["team_id"] for t in teams["teams"]] == [1, 2, 3, 4]
    notices = [msgspec.json.decode(m.value)["id"] for m in rig.sender.on("notices")]
    assert notices[:3] == ["match_finished:11", "match_finished:12", "match_finished:13"]
    assert [m.key for m in rig.sender.on("notices")][:3] == [b"match:11", b"match:12", b"match:13"]
    assert set(rig.stage_states) == {b"1"}
    assert rig.sender.flushes == 1


def test_a_replayed_batch_sends_nothing_and_leaves_the_state_as_it_was() -> None:
    rig = Rig()
    rig.batch(facts())
    stored, sent = dict(rig.stage_states), len(rig.sender.delivered)
    rig.batch(facts())
    assert len(rig.sender.delivered) == sent
    assert rig.stage_states == stored


def test_a_protocol_before_its_stages_row_waits_and_then_gives_player_lines() -> None:
    rig = Rig()
    protocol = Protocol(
        match_id=11,
        stage_id=1,
        version=1,
        position=(20, 0),
        home_team_id=1,
        away_team_id=2,
        status="finished",
        lineups=(ProtoLineup(1, 101, True, None), ProtoLineup(2, 201, True, None)),
    )
    rig.batch([protocol])
    assert rig.sender.on("player-lines") == []
    assert rig.match_lines == {}
    rig.batch(facts()[:1])  # the stage's row: its season and sport are known now
    decoder = msgspec.msgpack.Decoder(list[PlayerLineMessage])
    lines = [line for m in rig.sender.on("player-lines") for line in decoder.decode(m.value)]
    assert sorted((m.season_id, m.player_id, m.line_id) for m in lines) == [(9, 101, "1:11"), (9, 201, "1:11")]
    assert all(isinstance(m.entry, LineEntry) and m.entry.version == 1 for m in lines)
    assert set(rig.match_lines) == {b"1:11"}
