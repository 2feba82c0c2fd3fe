"""Suspensions, fair play, and player statistics: hand-made cases and real protocols."""

from __future__ import annotations

import json

import pytest

from sports import RulesError
from sports.discipline import (
    NATIONS_LEAGUE,
    UEFA_CLUB,
    AccumulationRule,
    Card,
    CardKind,
    TeamMatch,
    compute_bans,
    fair_play_points,
    is_eligible,
)
from sports.football_stats import Goal, LineupEntry, MatchSheet, SendingOff, Substitution, football_player_stats
from sports.hockey_stats import GoalieAppearance, HockeyGame, HockeyGoal, HockeyShot, hockey_stats
from sports.regulations import FairPlayScale
from tests.unit.sports import loaders

CALENDAR = [TeamMatch(match_id=f"m{n}", team="T", order=f"{n:02d}", round=n) for n in range(1, 13)]


def yellows(player: str, *matches: int) -> list[Card]:
    return [Card(match_id=f"m{n}", player=player, team="T", kind=CardKind.YELLOW) for n in matches]


def test_uefa_ban_after_third_then_every_odd_yellow() -> None:
    bans = compute_bans(CALENDAR, yellows("P", 1, 2, 3, 4, 5, 6, 7), UEFA_CLUB)
    assert [(b.from_match, b.serves) for b in bans] == [("m3", ("m4",)), ("m5", ("m6",)), ("m7", ("m8",))]
    assert not is_eligible("P", "m4", bans)
    assert is_eligible("P", "m5", bans)
    assert is_eligible("Q", "m4", bans)


def test_nations_league_ban_after_second_then_every_even_yellow() -> None:
    bans = compute_bans(CALENDAR, yellows("P", 1, 3, 4, 6), NATIONS_LEAGUE)
    assert [b.from_match for b in bans] == ["m3", "m6"]


def test_counters_reset_after_configured_rounds() -> None:
    rule = AccumulationRule(first=3, every=2, reset_after_rounds=(5,))
    bans = compute_bans(CALENDAR, yellows("P", 1, 2, 6, 7, 8), rule)
    assert [b.from_match for b in bans] == ["m8"]


def test_red_cards_and_second_yellows() -> None:
    cards = [
        Card(match_id="m1", player="P", team="T", kind=CardKind.RED),
        Card(match_id="m2", player="Q", team="T", kind=CardKind.YELLOW),
        Card(match_id="m2", player="Q", team="T", kind=CardKind.SECOND_YELLOW),
        *yellows("Q", 3, 4),
    ]
    bans = compute_bans(CALENDAR, cards, AccumulationRule(first=3, every=2, red_ban=3))
    red = next(b for b in bans if b.player == "P")
    assert (red.reason, red.serves) == ("red", ("m2", "m3", "m4"))
    # the yellows of a sending-off do not count: Q has 2 accumulated yellows after m4, no accumulation ban
    assert [(b.reason, b.serves) for b in bans if b.player == "Q"] == [("second_yellow", ("m3",))]


def test_ban_at_the_end_of_the_calendar_covers_what_is_left() -> None:
    bans = compute_bans(CALENDAR, [Card(match_id="m12", player="P", team="T", kind=CardKind.RED)], UEFA_CLUB)
    assert bans[0].serves == ()
    assert bans[0].matches == 1


def test_card_in_an_unknown_match_is_refused() -> None:
    with pytest.raises(RulesError, match="not in the team's calendar"):
        compute_bans(CALENDAR, [Card(match_id="x", player="P", team="T", kind=CardKind.RED)], UEFA_CLUB)


def test_fair_play_scale() -> None:
    cards = [
        Card(match_id="1", player="a", team="T", kind=CardKind.YELLOW),
        Card(match_id="1", player="b", team="T", kind=CardKind.YELLOW),
        Card(match_id="1", player="b", team="T", kind=CardKind.SECOND_YELLOW),
        Card(match_id="1", player="c", team="T", kind=CardKind.RED),
        Card(match_id="1", player="d", team="T", kind=CardKind.YELLOW),
        Card(match_id="1", player="d", team="T", kind=CardKind.RED),
    ]
    assert fair_play_points(cards, FairPlayScale()) == {("1", "T"): -1 - 3 - 4 - 5}


def test_football_minutes_goals_assists_cards_clean_sheets() -> None:
    sheet = MatchSheet(
        match_id="1",
        home="H",
        away="A",
        lineups=(
            LineupEntry(player="gk", team="H", starter=True),
            LineupEntry(player="st", team="H", starter=True),
            LineupEntry(player="sub", team="H", starter=False),
            LineupEntry(player="agk", team="A", starter=True),
            LineupEntry(player="def", team="A", starter=True),
        ),
        goals=(
            Goal(team="H", scorer="st", minute=30, assist="sub"),
            Goal(team="H", scorer="def", minute=50, kind="own_goal"),
            Goal(team="H", scorer="sub", minute=80, kind="penalty_goal"),
        ),
        substitutions=(Substitution(team="H", player_in="sub", player_out="st", minute=20),),
        yellows=("def",),
        sendings_off=(SendingOff(player="def", minute=70),),
    )
    stats = football_player_stats([sheet])
    assert (stats["st"].minutes, stats["st"].goals, stats["st"].starts) == (20, 1, 1)
    assert (stats["sub"].minutes, stats["sub"].goals, stats["sub"].penalty_goals, stats["sub"].assists) == (
        70,
        2 - 1,
        1,
        1,
    )
    assert stats["def"].own_goals == 1
    assert stats["def"].goals == 0
    assert (stats["def"].yellow_cards, stats["def"].red_cards, stats["def"].minutes) == (1, 1, 70)
    assert stats["gk"].clean_sheets == 1  # H conceded nothing
    assert stats["agk"].clean_sheets == 0
    assert stats["st"].clean_sheets == 0  # played 20 minutes


def test_world_cup_2018_top_scorers_from_real_goal_events() -> None:
    doc = json.loads(loaders.WC_JSON.read_text())
    sheets = []
    for n, match in enumerate(doc["matches"]):
        goals = []
        for side, team in (("goals1", match["team1"]), ("goals2", match["team2"])):
            for g in match.get(side, []):
                kind = "own_goal" if g.get("owngoal") else ("penalty_goal" if g.get("penalty") else "goal")
                # the source spells one of Kane's goals "Harry Kane" and every other one "Kane"
                scorer = "Kane" if g["name"] == "Harry Kane" else g["name"]
                goals.append(Goal(team=team, scorer=scorer, minute=g["minute"], kind=kind))
        sheets.append(MatchSheet(match_id=str(n), home=match["team1"], away=match["team2"], goals=tuple(goals)))
    stats = football_player_stats(sheets)
    top = sorted(stats.values(), key=lambda s: (-s.goals, s.player))[:3]
    assert (top[0].player, top[0].goals) == ("Kane", 6)
    assert stats["Kane"].penalty_goals == 3
    total_events = sum(len(m.get("goals1", [])) + len(m.get("goals2", [])) for m in doc["matches"])
    assert total_events == 169
    assert sum(s.goals + s.own_goals for s in stats.values()) == 169


def test_hockey_plus_minus_gwg_and_goalies() -> None:
    game = HockeyGame(
        match_id="1",
        home="H",
        away="A",
        goals=(
            HockeyGoal(
                team="H",
                scorer="h1",
                period=1,
                clock_seconds=100,
                assists=("h2",),
                goalie="ag",
                on_ice_for=("h1", "h2", "h3"),
                on_ice_against=("a1", "a2"),
            ),
            HockeyGoal(
                team="A",
                scorer="a1",
                period=2,
                clock_seconds=5,
                strength="PP",
                goalie="hg",
                on_ice_for=("a1", "a2"),
                on_ice_against=("h1",),
            ),
            HockeyGoal(
                team="H",
                scorer="h3",
                period=3,
                clock_seconds=10,
                strength="SH",
                goalie="ag",
                on_ice_for=("h3",),
                on_ice_against=("a1",),
            ),
            HockeyGoal(
                team="H",
                scorer="h2",
                period=3,
                clock_seconds=1190,
                strength="EN",
                on_ice_for=("h2", "h3"),
                on_ice_against=("a1", "a2"),
            ),
        ),
        shots=(HockeyShot(team="H", shooter="h1", goalie="ag"), HockeyShot(team="A", shooter="a2", goalie="hg")),
        penalties=(("h1", 2), ("h1", 10)),
        goalies=(
            GoalieAppearance(team="H", goalie="hg", seconds=3600),
            GoalieAppearance(team="A", goalie="ag", seconds=3540),
        ),
    )
    skaters, goalies = hockey_stats([game])
    assert skaters["h3"].game_winning_goals == 1  # H's second goal put it one ahead of A's final 1
    assert skaters["h1"].game_winning_goals == 0
    assert (skaters["h1"].goals, skaters["h1"].points, skaters["h1"].penalty_minutes) == (1, 1, 12)
    assert skaters["h1"].plus_minus == 1  # the PP goal against does not count
    assert skaters["h3"].plus_minus == 3
    assert skaters["a1"].plus_minus == -3
    assert skaters["a1"].power_play_goals == 1
    assert skaters["h3"].short_handed_goals == 1
    assert (skaters["h1"].shots, skaters["h1"].shooting_pct) == (2, 50.0)
    ag = goalies["ag"]
    assert (ag.shots_against, ag.goals_against, ag.saves) == (3, 2, 1)  # the empty-net goal is not against him
    assert ag.goals_against_average == round(2 * 3600 / 3540, 2)
    hg = goalies["hg"]
    assert (hg.shots_against, hg.goals_against, hg.save_pct, hg.shutouts) == (2, 1, 0.5, 0)


def test_shutout_needs_one_goalie_all_game() -> None:
    solo = HockeyGame(
        match_id="1",
        home="H",
        away="A",
        goals=(HockeyGoal(team="H", scorer="x", period=1, clock_seconds=1, goalie="ag"),),
        goalies=(GoalieAppearance(team="H", goalie="hg", seconds=3600),),
    )
    shared = HockeyGame(
        match_id="2",
        home="H",
        away="A",
        goals=(),
        goalies=(
            GoalieAppearance(team="H", goalie="hg", seconds=1800),
            GoalieAppearance(team="H", goalie="hg2", seconds=1800),
        ),
    )
    _, goalies = hockey_stats([solo, shared])
    assert goalies["hg"].shutouts == 1
    assert goalies["hg2"].shutouts == 0


def test_no_game_winning_goal_in_a_shootout() -> None:
    game = HockeyGame(
        match_id="1",
        home="H",
        away="A",
        decided_in="SO",
        goals=(
            HockeyGoal(team="H", scorer="x", period=1, clock_seconds=1),
            HockeyGoal(team="A", scorer="y", period=2, clock_seconds=1),
        ),
    )
    skaters, _ = hockey_stats([game])
    assert skaters["x"].game_winning_goals == skaters["y"].game_winning_goals == 0


@pytest.mark.parametrize("path", [loaders.NHL_PBP_REG, loaders.NHL_PBP_OT])
def test_nhl_play_by_play_statistics_match_the_box_score(path: object) -> None:
    game, doc = loaders.nhl_play_by_play(path)  # type: ignore[arg-type]
    skaters, goalies = hockey_stats([game])
    home, away = doc["homeTeam"], doc["awayTeam"]
    for team in (home, away):
        scored = [g for g in game.goals if g.team == team["abbrev"]]
        assert len(scored) == team["score"]
        shooters = {g.scorer for g in scored} | {s.shooter for s in game.shots if s.team == team["abbrev"]}
        assert sum(skaters[p].shots for p in shooters) == team["sog"]
    # each goalie saw the other team's shots on goal and conceded its goals
    for team, other in ((home, away), (away, home)):
        (goalie,) = {a.goalie for a in game.goalies if a.team == team["abbrev"]}
        assert goalies[goalie].shots_against == other["sog"]
        assert goalies[goalie].goals_against == other["score"]
        assert goalies[goalie].saves == other["sog"] - other["score"]
    winner = home if home["score"] > away["score"] else away
    loser = away if winner is home else home
    ordered = sorted((g for g in game.goals if g.team == winner["abbrev"]), key=lambda g: (g.period, g.clock_seconds))
    gwg = ordered[loser["score"]]
    assert skaters[gwg.scorer].game_winning_goals >= 1
    assert sum(s.game_winning_goals for s in skaters.values()) == 1
    pim = sum(int(p["details"]["duration"]) for p in doc["plays"] if p["typeDescKey"] == "penalty")
    assert sum(s.penalty_minutes for s in skaters.values()) == pim
