"""Season files read whole for ``rstat predict``: results as ``rstat table`` reads them, and the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.fixtures_io import read_season
from crawlers.results_io import ResultsFileError, read_results
from tests.conftest import DATA


def test_a_finished_season_has_the_same_results_and_no_fixtures() -> None:
    for name in ("E0_2324.csv", "2023-24_en.1.json"):
        path = DATA / "football" / name
        season = read_season(path)
        assert season.results == read_results(path)
        assert season.upcoming == []


def test_football_data_rows_without_a_score_are_fixtures_and_keep_the_line_ids(tmp_path: Path) -> None:
    lines = (DATA / "football" / "E0_2324.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    home_col, away_col = header.index("FTHG"), header.index("FTAG")
    cut = lines[:3]
    unplayed = lines[3].split(",")
    unplayed[home_col] = unplayed[away_col] = ""
    path = tmp_path / "E0.csv"
    path.write_text("\n".join([*cut, ",".join(unplayed), lines[4]]) + "\n")
    season = read_season(path)
    assert [r.id for r in season.results] == ["2", "3", "5"]
    assert [(u.id, u.home, u.away, u.date) for u in season.upcoming] == [("4", "Bournemouth", "West Ham", "12/08/2023")]


def test_openfootball_matches_without_a_full_time_score_are_fixtures(tmp_path: Path) -> None:
    data = {
        "name": "test",
        "matches": [
            {"round": "Matchday 1", "date": "2024-08-16", "team1": "A", "team2": "B", "score": {"ft": [1, 0]}},
            {"round": "Matchday 2", "date": "2024-08-23", "team1": "B", "team2": "A"},
        ],
    }
    path = tmp_path / "league.json"
    path.write_text(json.dumps(data))
    season = read_season(path)
    assert [(r.home, r.away) for r in season.results] == [("A", "B")]
    assert [(u.id, u.home, u.away, u.date, u.round) for u in season.upcoming] == [("2", "B", "A", "2024-08-23", 2)]


def test_a_bad_round_in_a_fixture_row_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "league.csv"
    path.write_text("date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,one,,A,B,,,\n")
    with pytest.raises(ResultsFileError, match=r"league.csv:2: column round"):
        read_season(path)
