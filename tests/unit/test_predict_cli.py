"""``rstat predict`` end to end through the real command, on real files and on broken ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

RSTAT = str(Path(sys.executable).parent / "rstat")
E0 = str(DATA / "football" / "E0_2324.csv")


def predict(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RSTAT, "predict", *args], capture_output=True, text=True, timeout=120, check=False)


def test_premier_league_from_late_april_as_json() -> None:
    result = predict(
        E0, "--rules", "premier-league", "--as-of", "2024-04-27", "--sims", "400", "--clinch-budget", "0.3", "--json"
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"matches", "teams"}
    matches, teams = report["matches"], report["teams"]
    assert len(matches) == 44  # the season's matches dated on or after 27 April 2024 (lines 338-381)
    for m in matches:
        assert {"date", "home", "away", "p_home", "p_draw", "p_away"} <= set(m)
        assert m["date"] >= "2024-04-27"
        assert all(0.0 <= m[k] <= 1.0 for k in ("p_home", "p_draw", "p_away"))
        assert m["p_home"] + m["p_draw"] + m["p_away"] == pytest.approx(1.0, abs=1e-3)
    assert len(teams) == 20
    for t in teams:
        assert {"team", "position_probabilities", "best_possible", "worst_possible"} <= set(t)
        assert len(t["position_probabilities"]) == 20
        assert all(0.0 <= p <= 1.0 for p in t["position_probabilities"])
        assert sum(t["position_probabilities"]) == pytest.approx(1.0, abs=1e-3)
        for bound in (t["best_possible"], t["worst_possible"]):
            assert bound is None or 1 <= bound <= 20
    for position in range(20):
        assert sum(t["position_probabilities"][position] for t in teams) == pytest.approx(1.0, abs=1e-3)
    top = max(teams, key=lambda t: t["position_probabilities"][0])
    assert top["team"] in {"Man City", "Arsenal", "Liverpool"}


def test_text_output_names_the_zones_and_the_matches() -> None:
    result = predict(
        E0,
        "--rules",
        "premier-league",
        "--as-of",
        "2024-05-19",
        "--sims",
        "200",
        "--clinch-budget",
        "0.3",
        "--zone",
        "relegation=18-20",
    )
    assert result.returncode == 0, result.stderr
    assert "Man City v West Ham" in result.stdout.replace("  ", " ").replace("  ", " ")
    assert "relegatio" in result.stdout
    assert "simulating 200 seasons" in result.stderr


def test_openfootball_json_with_deductions() -> None:
    result = predict(
        str(DATA / "football" / "2023-24_en.1.json"),
        "--rules",
        "premier-league",
        "--as-of",
        "2024-05-01",
        "--adjust",
        "Everton FC=-8",
        "--sims",
        "200",
        "--clinch-budget",
        "0.3",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    teams = json.loads(result.stdout)["teams"]
    assert {t["team"] for t in teams} >= {"Everton FC", "Manchester City FC"}


def test_a_season_file_with_fixtures_forecasts_them(tmp_path: Path) -> None:
    path = tmp_path / "league.csv"
    path.write_text(
        "date,round,group,home,away,home_score,away_score,decided_in\n"
        "2024-01-01,1,,A,B,2,0,REG\n2024-01-01,1,,C,D,1,1,REG\n"
        "2024-01-08,2,,B,C,0,1,REG\n2024-01-08,2,,D,A,2,2,REG\n"
        "2024-01-15,3,,A,C,,,\n2024-01-15,3,,B,D,,,\n"
    )
    result = predict(str(path), "--sims", "100", "--clinch-budget", "0.3", "--json")
    assert result.returncode == 0, result.stderr
    matches = json.loads(result.stdout)["matches"]
    assert [(m["home"], m["away"], m["date"]) for m in matches] == [("A", "C", "2024-01-15"), ("B", "D", "2024-01-15")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("/nonexistent/file.csv",), "cannot read"),
        ((E0, "--rules", "no-such-rules"), "unknown regulation preset"),
        ((E0, "--as-of", "someday"), "unreadable date"),
        ((E0, "--as-of", "2023-08-01"), "no match was played before 2023-08-01"),
        ((E0,), "no match is left to play"),
        ((E0, "--as-of", "2024-05-01", "--sims", "0"), "--sims 0"),
        ((E0, "--as-of", "2024-05-01", "--zone", "top=0-4"), "--zone"),
        ((E0, "--as-of", "2024-05-01", "--adjust", "Nobody=-3"), "no team 'Nobody'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    result = predict(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("rstat: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_hockey_league_with_overtime_and_shoot_outs(tmp_path: Path) -> None:
    path = tmp_path / "hockey.csv"
    path.write_text(
        "date,round,group,home,away,home_score,away_score,decided_in\n"
        "2024-01-01,1,,A,B,3,2,OT\n2024-01-01,1,,C,D,4,1,REG\n"
        "2024-01-02,2,,B,C,2,3,SO\n2024-01-02,2,,D,A,0,2,REG\n"
        "2024-01-03,3,,A,C,,,\n2024-01-03,3,,B,D,,,\n"
    )
    result = predict(str(path), "--rules", "iihf", "--sims", "200", "--clinch-budget", "0.3", "--json")
    assert result.returncode == 0, result.stderr
    matches = json.loads(result.stdout)["matches"]
    assert len(matches) == 2
    for m in matches:
        split = m["hockey"]
        assert set(split) == {"p_home_reg", "p_home_ot", "p_home_so", "p_away_reg", "p_away_ot", "p_away_so"}
        assert sum(split.values()) == pytest.approx(1.0, abs=1e-3)
        assert split["p_home_reg"] == m["p_home"]
