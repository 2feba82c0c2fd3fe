"""NHL play-by-play read into protocols: goals with assists and strength (power play, empty net), penalties
with infraction and minutes, shots with the goalie in net, goalie changes, overtime, shoot-outs, line-ups from
the roster spots and goalies' time in net; schedules; a live game's document as it grows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from crawlers.items import MatchItem
from crawlers.parsers.nhl import parse_play_by_play, parse_schedule
from crawlers.validate import validate
from rstat.bench.crawl_site import GrowingGame, nhl_schedule
from schemas.protocol_rules import score_contradiction
from tests.unit.crawlers import nhl_variants
from tests.unit.crawlers.sites import NHL_OT, NHL_REG, future_game, pbp


@pytest.fixture(scope="module")
def reg() -> dict[str, Any]:
    return pbp(NHL_REG)


@pytest.fixture(scope="module")
def ot() -> dict[str, Any]:
    return pbp(NHL_OT)


def _game(doc: dict[str, Any]) -> MatchItem:
    return validate(parse_play_by_play(doc, "u"))


def _score_agrees(game: MatchItem) -> bool:
    goals = Counter(game.home.key if e.side == "home" else game.away.key for e in game.events if e.kind == "goal")
    match = {"status": game.status, "home_score": game.home_score, "away_score": game.away_score,
             "decided_in": game.decided_in, "home_team_id": game.home.key, "away_team_id": game.away.key}  # fmt: skip
    return score_contradiction(match, {int(k): v for k, v in goals.items()}) is None


def test_a_regulation_game(reg: dict[str, Any]) -> None:
    game = _game(reg)
    assert (game.home.name, game.away.name, game.home.code) == ("Seattle Kraken", "St. Louis Blues", "SEA")
    assert (game.status, game.home_score, game.away_score, game.decided_in) == ("finished", 2, 3, "REG")
    assert game.period_scores == ((0, 0), (2, 3), (0, 0))
    kinds = Counter(e.kind for e in game.events)
    assert kinds == {"shot": 52, "penalty": 9, "goal": 5, "period_end": 3}
    goals = [e for e in game.events if e.kind == "goal"]
    assert [e.strength for e in goals] == ["EV", "EV", "PP", "EV", "EV"]
    assert goals[1].assist1 == "8482858"
    assert goals[1].assist2 == "8478840"
    assert goals[0].goalie == "8476412"  # Binnington in STL's net
    majors = [e for e in game.events if e.kind == "penalty" and e.penalty_minutes == 5]
    assert {e.infraction for e in majors} == {"fighting"}
    assert len(game.lineups) == len(reg["rosterSpots"]) == 40
    toi = {e.player: e.goalie_toi_seconds for e in game.lineups if e.position == "G"}
    assert toi == {"8476412": 3600, "8475831": 3506, "8478916": None, "8480981": None}  # Seattle's net empty 94 s
    assert _score_agrees(game)


def test_overtime_and_a_shoot_out(ot: dict[str, Any]) -> None:
    game = _game(ot)
    assert (game.decided_in, game.home_score, game.away_score) == ("OT", 2, 1)
    assert [e.period for e in game.events if e.kind == "goal"][-1] == 4
    assert len(game.period_scores) == 4
    shootout = _game(nhl_variants.shootout(ot))
    assert (shootout.decided_in, shootout.home_score, shootout.away_score) == ("SO", 2, 1)
    kicks = [e for e in shootout.events if e.kind == "shootout_attempt"]
    assert [(k.side, k.scored, k.period) for k in kicks] == [
        ("home", True, 5), ("away", False, 5), ("home", False, 5), ("away", False, 5), ("home", True, 5),
    ]  # fmt: skip
    assert shootout.period_scores[-1] == (1, 0)  # the winner's one goal, as the NHL counts it
    assert sum(h for h, _a in shootout.period_scores) == 2
    assert _score_agrees(shootout)


def test_empty_net_goals_and_goalie_changes(reg: dict[str, Any]) -> None:
    late = [e for e in _game(nhl_variants.empty_net(reg)).events if e.kind == "goal"][-1]
    assert (late.strength, late.clock_seconds, late.goalie) == ("EN", 1180, None)
    changed = _game(nhl_variants.goalie_change(reg))
    swaps = [e for e in changed.events if e.kind == "goalie_change"]
    assert [(e.side, e.goalie, e.period) for e in swaps] == [("home", str(nhl_variants.SEA_BACKUP), 3)]
    toi = {e.player: e.goalie_toi_seconds or 0 for e in changed.lineups if e.position == "G"}
    assert toi["8475831"] + toi[str(nhl_variants.SEA_BACKUP)] == 3506
    first_shot = min(e.clock_seconds or 0 for e in changed.events if e.kind == "goalie_change")
    assert toi["8475831"] == 2400 + first_shot  # in net until the backup faced his first shot


def test_a_growing_live_game_is_in_play_with_the_score_of_its_plays(reg: dict[str, Any]) -> None:
    live = GrowingGame(reg)
    before = _game(live.document())
    assert (before.status, before.events) == ("scheduled", ())
    live.reveal_through_next_goal()
    first = _game(live.document())
    assert (first.status, first.home_score, first.away_score) == ("live", 1, 0)
    assert [e.kind for e in first.events].count("goal") == 1
    while live.reveal_through_next_goal() is not None:
        pass
    assert _game(live.document()) == _game(reg)


def test_schedules_list_calendar_entries_and_the_games_to_read(reg: dict[str, Any], ot: dict[str, Any]) -> None:
    games = parse_schedule(nhl_schedule("2024-10-08", [reg, future_game(ot)]), "s")
    assert [(g.game_id, g.started) for g in games] == [(2024020003, True), (2024020087, False)]
    fixture = games[1].fixture
    assert isinstance(fixture, MatchItem)
    assert (fixture.status, fixture.home_score, fixture.round) == ("scheduled", None, 111)
    postponed = future_game(ot) | {"gameScheduleState": "PPD"}
    assert parse_schedule({"games": [postponed]}, "s")[0].fixture.status == "postponed"  # type: ignore[union-attr]
    playoff = future_game(ot) | {"gameType": 3}
    rejected = parse_schedule({"games": [playoff]}, "s")[0].fixture
    assert not isinstance(rejected, MatchItem)
    assert rejected is not None
    assert rejected.reason == "unsupported_game_type"
