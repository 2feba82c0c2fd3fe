"""The rules reproduce real published tables: EPL 2023/24, the 2018 World Cup groups, IIHF Women's 2024 Group A.

And they compute three NHL seasons consistently from two independently shaped source files.
"""

from __future__ import annotations

import csv
import json

import pytest

from sports import Adjustment, compute_standings, regulation, standings_by_group
from tests.unit.sports import loaders


def test_epl_2023_24_reproduces_the_published_table() -> None:
    from crawlers.results_io import read_results

    results = read_results(loaders.EPL_JSON)
    assert len(results) == 380
    table = compute_standings(
        results,
        regulation("premier-league"),
        [Adjustment(team="Everton FC", points=-8), Adjustment(team="Nottingham Forest FC", points=-4)],
    )
    published = loaders.published_epl_table()
    assert len(table) == len(published) == 20
    for row, pub in zip(table, published, strict=True):
        assert loaders.short_epl_name(row.team) == pub["team"]
        assert row.rank == int(pub["pos"])
        assert (row.played, row.won, row.drawn, row.lost) == (
            int(pub["played"]),
            int(pub["won"]),
            int(pub["drawn"]),
            int(pub["lost"]),
        )
        assert (row.goals_for, row.goals_against, row.goal_diff) == (
            int(pub["goals_for"]),
            int(pub["goals_against"]),
            int(pub["goal_difference"]),
        )
        assert row.points == int(pub["points"])
        assert not row.unresolved
    by_team = {loaders.short_epl_name(r.team): r for r in table}
    # goal-difference ties in the published table, decided by goals scored
    assert by_team["Manchester United"].decided_by == "goal_diff"
    assert by_team["AFC Bournemouth"].decided_by == "goal_diff"


def test_epl_from_football_data_csv_agrees_with_openfootball() -> None:
    from crawlers.results_io import read_results

    a = compute_standings(read_results(loaders.EPL_JSON), regulation("premier-league"))
    b = compute_standings(read_results(loaders.EPL_CSV), regulation("premier-league"))
    assert [(r.points, r.goal_diff, r.goals_for, r.won) for r in a] == [
        (r.points, r.goal_diff, r.goals_for, r.won) for r in b
    ]


def test_world_cup_2018_groups_reproduce_the_published_tables() -> None:
    tables = standings_by_group(loaders.world_cup_group_results(), regulation("fifa-2022"))
    published = json.loads(loaders.WC_STANDINGS.read_text())["groups"]
    assert len(tables) == len(published) == 8
    for group in published:
        rows = tables[group["name"]]
        assert [r.team for r in rows] == [s["team"]["name"] for s in group["standings"]], group["name"]
        for row, pub in zip(rows, group["standings"], strict=True):
            assert row.rank == pub["pos"]
            assert (row.played, row.won, row.drawn, row.lost, row.goals_for, row.goals_against, row.points) == (
                pub["played"],
                pub["won"],
                pub["drawn"],
                pub["lost"],
                pub["goals_for"],
                pub["goals_against"],
                pub["pts"],
            )
            assert not row.unresolved


def test_world_cup_2018_japan_above_senegal_on_fair_play() -> None:
    group_h = standings_by_group(loaders.world_cup_group_results(), regulation("fifa-2022"))["Group H"]
    japan, senegal = group_h[1], group_h[2]
    assert (japan.team, senegal.team) == ("Japan", "Senegal")
    assert senegal.decided_by == "fair_play"
    results = [r for r in loaders.world_cup_group_results() if r.group == "Group H"]
    fair = {
        t: sum(r.home_fair_play for r in results if r.home == t) + sum(r.away_fair_play for r in results if r.away == t)
        for t in ("Japan", "Senegal")
    }
    assert fair == {"Japan": -4, "Senegal": -6}


def test_iihf_womens_2024_group_a_reproduces_the_published_standing() -> None:
    table = compute_standings(loaders.iihf_results(), regulation("iihf"))
    with loaders.IIHF_STANDINGS.open() as f:
        published = list(csv.DictReader(f))
    assert [r.team for r in table] == [p["team"] for p in published]
    for row, pub in zip(table, published, strict=True):
        assert row.points == int(pub["pts"])
        assert row.won == int(pub["w_total"])
        assert row.ot_won == int(pub["of_which_otw"])
        assert row.lost + row.ot_lost == int(pub["l_total"])
        assert row.ot_lost == int(pub["of_which_otl"])
        assert (row.goals_for, row.goals_against) == (int(pub["gf"]), int(pub["ga"]))
        assert row.drawn == 0


@pytest.mark.parametrize("season", list(loaders.nhl_seasons()))
def test_nhl_season_consistent_with_the_rules_and_both_sources(season: str) -> None:
    from_games = loaders.nhl_results_from_games(season)
    from_stats = loaders.nhl_results_from_team_stats(season)
    assert len(from_games) == len(from_stats) == 1230
    reg = regulation("nhl-2010")
    a = compute_standings(from_games, reg)
    b = compute_standings(from_stats, reg)
    record = [(r.team, r.played, r.won, r.lost, r.ot_won, r.ot_lost, r.points) for r in a]
    assert record == [(r.team, r.played, r.won, r.lost, r.ot_won, r.ot_lost, r.points) for r in b]
    # game.csv counts the deciding shoot-out goal, as the NHL does; game_teams_stats.csv does not
    so_wins = dict.fromkeys((r.team for r in a), 0)
    for r in from_games:
        if r.decided_in == "SO" and r.home_score != r.away_score:
            so_wins[r.home if r.winner == "home" else r.away] += 1
    b_goals = {r.team: r.goals_for for r in b}
    assert {r.team: r.goals_for - b_goals[r.team] for r in a} == so_wins
    assert len(a) == 30
    for row in a:
        assert row.played == 82
        assert row.won + row.lost + row.ot_lost == 82
        assert row.drawn == 0
        assert row.points == 2 * row.won + row.ot_lost
    # every game hands out 2 points, plus 1 more when it went past regulation
    extra = sum(1 for r in from_games if r.decided_in in ("OT", "SO"))
    assert sum(r.points for r in a) == 2 * 1230 + extra
