"""``rstat demo`` against the real chain: the apps on a fresh database with a CDC reader and a stream
worker. The demo builds its organization through the admin API; the public API, reading what the stream
computed, must show the Premier League table the data says; a second run reuses the organization; one
live round is played to the final whistle through the admin API."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from sports.model import Adjustment, Result
from sports.regulations import regulation
from sports.standings import compute_standings
from tests.integration.api_support import Apis
from tests.integration.cdc_support import RSTAT, CdcEnv, TopicReader
from tests.integration.live_support import start_product
from tests.waiting import eventually

DATA = Path(__file__).resolve().parents[1] / "data"
#: rounds 1-37 imported finished; round 38 is the one the player plays live
FINISHED = 37

Demo = tuple[CdcEnv, Apis, dict[str, str]]


@pytest.fixture(scope="module")
def demo(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("demo")
    site = tmp / "site"
    for chain, apis in start_product(stack, tmp, RSTAT__API__SITE_DIR=str(site)):
        env = {
            **apis.env,
            "RSTAT__STACK__HOME": str(tmp / "home"),
            "RSTAT__DEMO__PL_FINISHED_ROUNDS": str(FINISHED),
            "RSTAT__DEMO__WORLD_CUP_PROTOCOLS": "false",  # group results only: a faster build
            "RSTAT__DEMO__ROUND_PAUSE_S": "0",
            "RSTAT__DEMO__WAIT_APPS_S": "60",
        }
        yield chain, apis, env


def run_demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([RSTAT, "demo", *args], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def state(env: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((Path(env["RSTAT__STACK__HOME"]) / "demo.json").read_text())
    return found


def pl_rows(apis: Apis, key: str, stage: int) -> list[tuple[int, ...]]:
    """The public table: (played, won, drawn, lost, goals for, goals against, points) by position."""
    with httpx.Client(base_url=apis.urls["public"], headers={"X-API-Key": key}, timeout=30) as site:
        r = site.get(f"/v1/stages/{stage}/standings")
    assert r.status_code == 200, r.text
    rows = r.json()[0]["rows"]
    return [
        (x["played"], x["won"], x["drawn"], x["lost"], x["goals_for"], x["goals_against"], x["points"]) for x in rows
    ]


def expected_after(rounds: int) -> list[tuple[int, ...]]:
    """sports/ over the openfootball file's results of rounds 1..``rounds`` (read here, not by the demo)."""
    matches = json.loads((DATA / "football" / "2023-24_en.1.json").read_text())["matches"]
    results = [
        Result(
            id=str(n), home=m["team1"], away=m["team2"], home_score=m["score"]["ft"][0], away_score=m["score"]["ft"][1]
        )
        for n, m in enumerate(matches)
        if int(m["round"].split()[-1]) <= rounds
    ]
    with (DATA / "football" / "epl_2023-24_final_table.csv").open() as f:
        deducted = {row["team"]: int(row["points_deduction"]) for row in csv.DictReader(f)}
    # the file's names end in " FC" (Everton FC), the table's do not (Everton)
    adjustments = [
        Adjustment(team=m["team1"], points=-deducted[m["team1"].removesuffix(" FC")])
        for m in matches
        if m["round"] == "Matchday 1" and deducted.get(m["team1"].removesuffix(" FC"))
    ] + [
        Adjustment(team=m["team2"], points=-deducted[m["team2"].removesuffix(" FC")])
        for m in matches
        if m["round"] == "Matchday 1" and deducted.get(m["team2"].removesuffix(" FC"))
    ]
    assert len(adjustments) == 2  # Everton and Nottingham Forest
    table = compute_standings(results, regulation("premier-league"), adjustments)
    return [(r.played, r.won, r.drawn, r.lost, r.goals_for, r.goals_against, r.points) for r in table]


def read_notices(chain: CdcEnv, match: int, until: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The ``score_corrected`` notices of ``match`` on the stream's notices topic, once ``until`` holds."""
    reader = TopicReader(chain.settings, [chain.env["RSTAT__STREAMS__NOTICES_TOPIC"]])
    found: list[dict[str, Any]] = []

    def enough() -> bool:
        for m in reader.poll():
            notice = json.loads(m.value() or b"null")
            if notice and notice.get("kind") == "score_corrected" and notice.get("match_id") == match:
                found.append(notice)
        assert until(found), f"{len(found)} score_corrected notices so far"
        return True

    try:
        eventually(enough, interval=0, message=f"score_corrected notices of match {match}")
    finally:
        reader.close()
    return found


def published_final_table() -> list[tuple[int, ...]]:
    with (DATA / "football" / "epl_2023-24_final_table.csv").open() as f:
        return [
            tuple(int(row[k]) for k in ("played", "won", "drawn", "lost", "goals_for", "goals_against", "points"))
            for row in csv.DictReader(f)
        ]


def test_the_demo_builds_reuses_and_plays(demo: Demo) -> None:
    chain, apis, env = demo
    first = run_demo(env, "--no-play")
    saved = state(env)
    assert saved["complete"] is True
    assert saved["owner_password"] in first.stdout  # the credentials are printed the first time
    assert (Path(env["RSTAT__STACK__HOME"]) / "demo.json").stat().st_mode & 0o777 == 0o600
    for where in ("/site/", "/ops", "/schema"):
        assert where in first.stdout
    assert "imported 380 matches of Premier League 2023/24" in first.stderr

    # the Premier League table of the imported rounds, as the stream computed it, is the data's
    key = f"{saved['client_id']}:{saved['client_secret']}"
    stage = saved["stages"]["pl"]
    eventually(lambda: pl_rows(apis, key, stage) == expected_after(FINISHED), message="the table after 37 rounds")
    # and the World Cup groups and the NHL season have tables too
    with httpx.Client(base_url=apis.urls["public"], headers={"X-API-Key": key}, timeout=30) as site:
        groups = eventually(
            lambda: (
                (g := site.get(f"/v1/stages/{saved['stages']['wc_groups']}/standings").json())
                and len(g) == 8
                and all(r["played"] == 3 for grp in g for r in grp["rows"])
                and g
            ),
            message="the eight World Cup group tables",
        )
        wc = json.loads((DATA / "football" / "2018_worldcup.json").read_text())["matches"]
        points = sum(2 if m["score"]["ft"][0] == m["score"]["ft"][1] else 3 for m in wc if "group" in m)
        assert sum(r["points"] for grp in groups for r in grp["rows"]) == points
        page = site.get("/site/")
        assert page.status_code == 200
        assert f'content="{key}"' in page.text
        for widget in ("rstat-standings", "rstat-scoreboard", "rstat-match", "rstat-leaders", "rstat-calendar"):
            assert f"<{widget}" in page.text
        assert '<rstat-odds stage="' in page.text  # the Premier League's title, Europe and relegation chances

    # a second run finds the organization by logging in as its owner, builds nothing, prints no password
    second = run_demo(env, "--no-play")
    assert saved["owner_password"] not in second.stdout
    assert "reusing demo organization" in second.stderr
    with apis.connect() as conn:
        orgs = conn.execute("SELECT count(*) FROM organizations").fetchone()
        roles = conn.execute("SELECT role::text FROM memberships ORDER BY role").fetchall()
    assert orgs == (1,)
    assert roles == [("owner",), ("scorer",)]  # the scorer plays the live matches

    # one live round: Premier League round 38, the first World Cup round of 16 match, an NHL game
    played = run_demo(env, "--rounds", "1", "--match-seconds", "2")
    assert "correction after the final whistle" in played.stderr
    with httpx.Client(base_url=apis.urls["identity"], timeout=30) as identity:
        token = identity.post(
            "/v1/token", json={"email": saved["owner_email"], "password": saved["owner_password"]}
        ).json()["access_token"]
    org = saved["org_id"]
    with apis.client("admin", token) as admin:
        last_round = admin.get(f"/v1/orgs/{org}/matches?stage_id={stage}&round=38").json()["items"]
        assert [m["status"] for m in last_round] == ["finished"] * 10
        knockout = admin.get(f"/v1/orgs/{org}/matches?stage_id={saved['stages']['wc_knockout']}&round=1").json()
        france_argentina = next(m for m in knockout["items"] if m["status"] == "finished")
        assert (france_argentina["home_score"], france_argentina["away_score"]) == (4, 3)
        events = admin.get(f"/v1/orgs/{org}/match_events?match_id={france_argentina['id']}").json()["items"]
        assert sum(e["kind"] in ("goal", "penalty_goal", "own_goal") for e in events) == 7
        assert {e["period"] for e in events if e["kind"] == "period_end"} == {1, 2}
    # the correction after the final whistle (France's 4-3 has the most goals with named scorers): the goal
    # taken back and given again changed the finished match's score twice, and the stream said so twice
    corrected = read_notices(chain, france_argentina["id"], lambda found: len(found) >= 2)
    # (notices are keyed by their id, so two of one match may sit in different partitions: no order between them)
    assert sorted((n["home_score"], n["away_score"]) for n in corrected) == [(4, 2), (4, 3)]
    # the whole season is in the table now: the published final table
    eventually(lambda: pl_rows(apis, key, stage) == published_final_table(), message="the final table")
