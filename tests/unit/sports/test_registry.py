"""The sport registry: every sport is found by its name, its kinds of figures are its own, and its
figures of a match are the batch functions' on that match."""

from __future__ import annotations

from dataclasses import dataclass

from sports.football_stats import football_player_stats
from sports.hockey_stats import hockey_stats
from sports.registry import REGULAR_PERIODS, SPORTS, sport_of_kind, sport_rules
from sports.sport import additive_counts


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    team_id: int
    player_id: int | None = None
    assist1_id: int | None = None
    assist2_id: int | None = None
    player_out_id: int | None = None
    goalie_id: int | None = None
    period: int = 1
    minute: int | None = None
    clock_seconds: int | None = None
    strength: str | None = None
    penalty_minutes: int | None = None


@dataclass(frozen=True)
class Lineup:
    team_id: int
    player_id: int
    starter: bool
    goalie_toi_seconds: int | None = None


@dataclass(frozen=True)
class Match:
    match_id: int
    home_team_id: int
    away_team_id: int
    decided_in: str | None
    events: tuple[Event, ...]
    lineups: tuple[Lineup, ...]


def test_each_sport_is_found_by_name_and_owns_its_kinds() -> None:
    assert sorted(SPORTS) == ["football", "ice-hockey"]
    assert REGULAR_PERIODS == {"football": 2, "ice-hockey": 3}
    for name, sport in SPORTS.items():
        assert sport_rules(name) is sport
        assert all(sport_of_kind(kind) is sport for kind in sport.kinds)
    assert sport_rules("bandy") is SPORTS["football"]  # no module: played as football, as always
    assert sport_of_kind("bandy") is None


def test_football_figures_of_a_match_are_the_batch_functions() -> None:
    match = Match(
        1,
        10,
        20,
        "REG",
        (Event(1, "goal", 10, 101, assist1_id=102, minute=30), Event(2, "yellow", 20, 201, minute=50)),
        (Lineup(10, 101, True), Lineup(10, 102, True), Lineup(20, 201, True)),
    )
    football = SPORTS["football"]
    figures = football.match_figures(match)
    from sports.football import match_sheet

    expected = football_player_stats([match_sheet(match)])
    assert figures == {p: {"football": additive_counts(s)} for p, s in expected.items()}
    scorer, assistant = football.season_stats(figures["101"], "101"), football.season_stats(figures["102"], "102")
    assert (scorer["football"]["goals"], assistant["football"]["assists"]) == (1, 1)
    assert football.leader_columns(scorer)["points"] == football.leader_columns(assistant)["points"] == 1


def test_hockey_figures_of_a_match_are_the_batch_functions() -> None:
    match = Match(
        2,
        10,
        20,
        "OT",
        (Event(1, "goal", 10, 101, assist1_id=102, goalie_id=201, period=4, clock_seconds=30, strength="EV"),),
        (Lineup(10, 101, True), Lineup(20, 201, True, goalie_toi_seconds=3630)),
    )
    hockey = SPORTS["ice-hockey"]
    figures = hockey.match_figures(match)
    from sports.hockey import hockey_game

    skaters, goalies = hockey_stats([hockey_game(match)])
    assert {p: f["skater"] for p, f in figures.items() if "skater" in f} == {
        p: additive_counts(s) for p, s in skaters.items()
    }
    assert {p: f["goalie"] for p, f in figures.items() if "goalie" in f} == {
        p: additive_counts(g) for p, g in goalies.items()
    }
    season = hockey.season_stats(figures["201"], "201")
    assert hockey.leader_columns(season)["games"] == 1
