"""openfootball's football.json with the Football.TXT protocols: the 2018 World Cup's 64 matches with their
line-ups, substitutions, goals (own goals, penalties, stoppage time, extra time) and shoot-outs, and the
Premier League season file."""

from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from crawlers.items import MatchItem
from crawlers.parsers.openfootball import parse_football_json
from crawlers.parsers.txt_protocols import parse_protocols
from crawlers.validate import validate
from tests.conftest import DATA

WC = DATA / "football" / "2018_worldcup.json"
TXT = DATA / "football" / "2018_full.txt"
EPL = DATA / "football" / "2023-24_en.1.json"
GOALS = ("goal", "penalty_goal", "own_goal")


@pytest.fixture(scope="module")
def world_cup() -> list[MatchItem]:
    found = parse_football_json(
        WC.read_text(), league="worldcup", season="2018", url="u", zone=ZoneInfo("UTC"),
        regulation="fifa-2022", protocols=parse_protocols(TXT.read_text()),
    )  # fmt: skip
    assert all(isinstance(m, MatchItem) for m in found)
    return [validate(m) for m in found if isinstance(m, MatchItem)]


def test_groups_then_knockout_with_real_kick_off_times(world_cup: list[MatchItem]) -> None:
    assert len(world_cup) == 64
    stages = Counter((m.season.stage, m.season.stage_kind) for m in world_cup)
    assert stages == {("Group stage", "groups"): 48, ("Knockout stage", "knockout"): 16}
    assert len({m.group for m in world_cup if m.group}) == 8
    final = world_cup[-1]
    assert (final.home.name, final.away.name, final.home_score, final.away_score) == ("France", "Croatia", 4, 2)
    assert final.kickoff is not None
    assert final.kickoff.isoformat() == "2018-07-15T15:00:00+00:00"


def test_every_protocol_adds_up_and_names_only_its_line_ups(world_cup: list[MatchItem]) -> None:
    for m in world_cup:
        goals = Counter(e.side for e in m.events if e.kind in GOALS)
        assert (goals["home"], goals["away"]) == (m.home_score, m.away_score), m.key
        listed = {e.player for e in m.lineups}
        assert sum(e.starter for e in m.lineups) == 22
        named = {p for e in m.events for p in (e.player, e.player_out) if p is not None}
        assert named <= listed, (m.key, named - listed)
    kinds = Counter(e.kind for m in world_cup for e in m.events)
    assert kinds["own_goal"] == 12  # the JSON's flags, also where the text does not mark them
    assert kinds["penalty_goal"] == 22
    assert kinds["second_yellow"] == 2


def test_own_goals_stoppage_time_extra_time_and_shoot_outs(world_cup: list[MatchItem]) -> None:
    russia = world_cup[0]
    late = [e for e in russia.events if e.kind == "goal" and e.stoppage]
    assert [(e.minute, e.stoppage, e.period) for e in late] == [(90, 1, 2), (90, 4, 2)]
    spain = next(m for m in world_cup if (m.home.name, m.away.name) == ("Spain", "Russia"))
    own = next(e for e in spain.events if e.kind == "own_goal")
    scorer = next(p for p in spain.players if p.key == own.player)
    assert (own.side, scorer.side, scorer.last_name) == ("home", "away", "Ignashevich")  # counts for Spain
    assert (spain.decided_in, spain.home_score, spain.away_score) == ("SO", 1, 1)
    kicks = [e for e in spain.events if e.kind == "shootout_attempt"]
    assert [(k.side, k.scored) for k in kicks][:5] == [("home", True), ("away", True), ("home", True), ("away", True),
                                                        ("home", False)]  # fmt: skip
    assert {k.period for k in kicks} == {5}
    assert sum(bool(k.scored) for k in kicks if k.side == "away") == 4
    extra = [m for m in world_cup if m.decided_in in ("OT", "SO")]
    assert len(extra) == 5
    croatia_england = next(m for m in world_cup if (m.home.name, m.away.name) == ("Croatia", "England"))
    assert croatia_england.decided_in == "OT"
    assert croatia_england.period_scores[-1] == (1, 0)  # the winner in extra time
    assert any(e.period == 4 and e.kind == "goal" for e in croatia_england.events)


def test_a_league_season_file_has_matchday_rounds_and_local_kick_off_times() -> None:
    found = parse_football_json(
        EPL.read_text(), league="en.1", season="2023-24", url="u", zone=ZoneInfo("Europe/London")
    )
    matches = [validate(m) for m in found if isinstance(m, MatchItem)]
    assert len(matches) == 380
    assert {m.round for m in matches} == set(range(1, 39))
    assert {m.season.stage_kind for m in matches} == {"league"}
    first = matches[0]
    assert first.kickoff is not None
    assert first.kickoff.isoformat() == "2023-08-11T19:00:00+00:00"
    assert (first.status, first.events) == ("finished", ())


def test_a_match_without_a_score_is_a_calendar_entry_and_a_bad_one_is_rejected() -> None:
    text = (
        '{"name": "Cup", "matches": [{"round": "Matchday 1", "date": "2026-08-01", "team1": "A", "team2": "B"},'
        '{"round": "Playoff round", "date": "2026-08-02", "team1": "A", "team2": "C"}]}'
    )
    found = parse_football_json(text, league="cup", season="2026", url="u", zone=ZoneInfo("UTC"))
    assert isinstance(found[0], MatchItem)
    assert found[0].status == "scheduled"
    assert not isinstance(found[1], MatchItem)
    assert found[1].reason == "unknown_round"
