"""The readers of the real data files: what each file holds, mapped without losing or adding facts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from rstat.demo.data import nhl_rounds, nhl_season, nhl_teams, points_deductions, premier_league, world_cup

DATA = Path(__file__).resolve().parents[2] / "data"


def test_the_premier_league_file_is_380_matches_of_20_teams_in_38_rounds() -> None:
    fixtures = premier_league(DATA / "football" / "2023-24_en.1.json")
    assert len(fixtures) == 380
    assert len({f.home for f in fixtures}) == 20
    assert Counter(f.round for f in fixtures) == dict.fromkeys(range(1, 39), 10)
    first = fixtures[0]
    assert (first.home, first.away, first.home_score, first.away_score, first.half_time) == (
        "Burnley FC",
        "Manchester City FC",
        0,
        3,
        (0, 2),
    )
    # kick-off times are London's (summer time in August)
    assert first.kickoff.astimezone(dt.UTC) == dt.datetime(2023, 8, 11, 19, 0, tzinfo=dt.UTC)
    assert not any(f.goals_known for f in fixtures)  # the file has no goal minutes or scorers
    # the file leaves out the half-time score of goalless draws only
    assert all(f.half_time is not None or f.home_score + f.away_score == 0 for f in fixtures)


def test_the_world_cup_has_48_group_matches_and_a_16_match_knockout() -> None:
    fixtures = world_cup(DATA / "football" / "2018_worldcup.json")
    groups = [f for f in fixtures if f.group]
    knockout = [f for f in fixtures if not f.group]
    assert len(groups) == 48
    assert len({f.group for f in groups}) == 8
    assert Counter(f.round for f in knockout) == {1: 8, 2: 4, 3: 2, 4: 1, 5: 1}
    assert Counter(f.decided_in for f in knockout) == {"REG": 11, "SO": 4, "OT": 1}
    final = knockout[-1]
    assert (final.home, final.away, final.home_score, final.away_score, final.round) == ("France", "Croatia", 4, 2, 5)
    assert all(len(f.goals) == f.home_score + f.away_score for f in fixtures)
    opener = fixtures[0]
    assert opener.kickoff == dt.datetime(2018, 6, 14, 15, 0, tzinfo=dt.UTC)  # "18:00 UTC+3"


def test_the_nhl_season_is_1230_games_and_a_team_plays_once_per_round() -> None:
    teams = nhl_teams(DATA / "hockey" / "team_info.csv")
    assert teams["3"].name == "New York Rangers"
    assert teams["19"].name == "St. Louis Blues"
    games = nhl_season(DATA / "hockey" / "game.csv", teams, "20152016")
    assert len(games) == 1230
    assert Counter(t for g in games for t in (g.home, g.away)) == dict.fromkeys({g.home for g in games}, 82)
    assert Counter(g.decided_in for g in games) == {"REG": 955, "OT": 168, "SO": 107}
    rounds = nhl_rounds(games)
    slots = Counter((r, t) for g, r in zip(games, rounds, strict=True) for t in (g.home, g.away))
    assert max(slots.values()) == 1
    assert min(rounds) == 1


def test_the_published_table_names_two_points_deductions() -> None:
    found = points_deductions(DATA / "football" / "epl_2023-24_final_table.csv")
    assert {team: points for team, (points, _note) in found.items()} == {"Everton": 8, "Nottingham Forest": 4}
