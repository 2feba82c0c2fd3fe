"""``rstat table`` end to end through the real command, on real files and on broken ones."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

RSTAT = str(Path(sys.executable).parent / "rstat")


def table(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RSTAT, "table", *args], capture_output=True, text=True, timeout=60, check=False)


def rows(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_epl_with_deductions_matches_the_published_table() -> None:
    result = table(
        "--rules",
        "premier-league",
        "--adjust",
        "Everton FC=-8",
        "--adjust",
        "Nottingham Forest FC=-4",
        str(DATA / "football" / "2023-24_en.1.json"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "rank,team,played,won,drawn,lost,ot_won,ot_lost,goals_for,goals_against,goal_diff,points,decided_by"
    )
    with (DATA / "football" / "epl_2023-24_final_table.csv").open() as f:
        published = list(csv.DictReader(f))
    got = rows(result.stdout)
    assert [(r["rank"], r["team"].removesuffix(" FC"), r["points"]) for r in got] == [
        (p["pos"], p["team"], p["points"]) for p in published
    ]


def test_football_data_csv_keeps_its_team_names() -> None:
    result = table(str(DATA / "football" / "E0_2324.csv"))
    assert result.returncode == 0, result.stderr
    got = rows(result.stdout)
    assert got[0]["team"] == "Man City"
    assert any(r["team"] == "Nott'm Forest" for r in got)


def test_groups_get_a_group_column_and_restart_ranks(tmp_path: Path) -> None:
    result = table("--rules", "fifa-2022", str(DATA / "football" / "2018_worldcup.json"))
    assert result.returncode == 0, result.stderr
    assert "left out 16 matches that belong to no group" in result.stderr
    got = rows(result.stdout)
    assert next(iter(got[0])) == "group"
    assert len(got) == 32
    assert [r["rank"] for r in got if r["group"] == "Group C"] == ["1", "2", "3", "4"]
    one = rows(
        table("--rules", "fifa-2022", "--group", "Group H", str(DATA / "football" / "2018_worldcup.json")).stdout
    )
    assert {r["group"] for r in one} == {"Group H"}


def test_rstat_csv_with_fair_play_and_hockey_overtime(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "date,round,group,home,away,home_score,away_score,decided_in,home_fair_play,away_fair_play\n"
        "2024-01-01,1,A,Ice,Fire,3,2,OT,0,-1\n"
        "2024-01-02,2,A,Fire,Ice,4,1,REG,,\n"
    )
    result = table("--rules", "iihf", str(path))
    assert result.returncode == 0, result.stderr
    got = {r["team"]: r for r in rows(result.stdout)}
    assert (got["Ice"]["points"], got["Ice"]["ot_won"], got["Ice"]["ot_lost"]) == ("2", "1", "0")
    assert (got["Fire"]["points"], got["Fire"]["ot_lost"]) == ("4", "1")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,x,0,REG\n",
            [],
            ":2: column home_score must be a whole number",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,REG\n"
            "2024-01-02,1,,C,C,1,0,REG\n",
            [],
            ":3: C cannot play itself",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,XX\n",
            [],
            ":2: decided_in must be REG, OT, SO or AWD",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1\n",
            [],
            ":2: expected 8 columns",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,REG\n",
            ["--rules", "curling"],
            "unknown regulation preset 'curling'",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,REG\n",
            ["--adjust", "Z=-3"],
            "no team 'Z' in the results",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,REG\n",
            ["--adjust", "A:-3"],
            "expected TEAM=POINTS",
        ),
        (
            "date,round,group,home,away,home_score,away_score,decided_in\n2024-01-01,1,,A,B,1,0,REG\n",
            ["--group", "X"],
            "the results have no groups",
        ),
        ("team,score\nA,1\n", [], ":1: unknown format"),
        ('{"matches": [{"team1": "A", "team2": "B", "score": {"ft": [1]}}]}', [], "match 1 (A v B)"),
    ],
)
def test_bad_input_names_the_line(tmp_path: Path, content: str, args: list[str], message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = table(*args, str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_help() -> None:
    result = subprocess.run([RSTAT, "table", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--adjust" in result.stdout
