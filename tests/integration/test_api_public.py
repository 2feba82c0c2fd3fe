"""The whole product path: an organizer builds a league through the management API, a scorer enters
results and goals, the CDC reader and the stream processor compute, and a website reads standings,
leaders and protocols from the public API, with ETag/304, Cache-Control, pagination, filters and a rate
limit per client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from sports import DecidedIn, Result, compute_standings, regulation
from tests.integration.api_support import Apis, start_apis
from tests.integration.cdc_support import CdcEnv, start_streams
from tests.waiting import eventually

T = TypeVar("T")

SCORES = [(2, 0), (1, 1), (0, 3), (2, 2), (1, 0), (4, 1)]


@pytest.fixture
def product(chain: CdcEnv, tmp_path: Path) -> Iterator[tuple[CdcEnv, Apis]]:
    chain.start()
    chain.wait_streaming()
    start_streams(chain, tmp_path / "streams.log")
    yield from (
        (chain, apis)
        for apis in start_apis(
            chain.settings, tmp_path, database=chain.name, RSTAT__API__PUBLIC_REQUESTS_PER_MINUTE="60"
        )
    )


def _wait(read: Callable[[], T], expected: T) -> T:
    """What ``read`` returns once it equals ``expected`` (which must not be empty: an empty answer is no news)."""
    assert expected, "nothing to wait for"

    def answered() -> T:
        got = read()
        assert got == expected
        return got

    return eventually(answered, interval=0.5, message=f"the public API to answer {expected!r}")


def test_league_built_in_admin_computed_by_the_stream_and_read_by_a_website(product: tuple[CdcEnv, Apis]) -> None:
    _chain, apis = product
    apis.user("organizer@league.example", org="league")
    owner = apis.login("organizer@league.example")["access_token"]
    admin = apis.client("admin", owner)
    org = admin.get("/v1/orgs").json()[0]["id"]
    base = f"/v1/orgs/{org}"

    def create(resource: str, **body: Any) -> int:
        r = admin.post(f"{base}/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    comp = create("competitions", sport="football", slug="city-league", name="City League")
    season = create("seasons", competition_id=comp, name="2026")
    stage = create("stages", season_id=season, name="Regular season", kind="league", regulation="premier-league")
    teams = [create("teams", name=name) for name in ("Lions", "Tigers", "Bears", "Wolves")]
    scorer = create("players", last_name="Striker")
    calendar = admin.post(
        f"{base}/stages/{stage}/calendar",
        json={"team_ids": teams, "first_kickoff": "2026-09-05T14:00:00Z", "double": False, "seed": 3},
    )
    assert calendar.status_code == 201, calendar.text
    matches = calendar.json()["matches"]
    results = []
    for m, (home, away) in zip(matches, SCORES, strict=True):
        for _ in range(home):  # the home side's goals, all by one striker of the home team
            create(
                "match_events",
                match_id=m["id"],
                team_id=m["home_team_id"],
                kind="goal",
                player_id=scorer,
                period=1,
                minute=30,
            )
        r = admin.patch(
            f"{base}/matches/{m['id']}",
            json={"status": "finished", "home_score": home, "away_score": away, "decided_in": "REG"},
        )
        if away and home:  # goal events that do not add up to the score: refused until they do
            assert r.status_code == 409, r.text
        if away:  # (without any goal events a result alone is accepted; these get their away goals too)
            for _ in range(away):
                create("match_events", match_id=m["id"], team_id=m["away_team_id"], kind="goal", period=2, minute=60)
            r = admin.patch(
                f"{base}/matches/{m['id']}",
                json={"status": "finished", "home_score": home, "away_score": away, "decided_in": "REG"},
            )
        assert r.status_code == 200, r.text
        results.append(
            Result(
                id=str(m["id"]),
                home=str(m["home_team_id"]),
                away=str(m["away_team_id"]),
                home_score=home,
                away_score=away,
                decided_in=DecidedIn.REG,
            )
        )
    client = admin.post(f"{base}/api-clients", json={"name": "league website"}).json()
    admin.close()
    with apis.client("identity") as c:
        token = c.post(
            "/v1/client-token", json={"client_id": client["client_id"], "client_secret": client["client_secret"]}
        ).json()["access_token"]
    site = apis.client("public", token)

    expected = [
        {"team_id": int(r.team), "points": r.points, "played": r.played, "goal_diff": r.goal_diff}
        for r in compute_standings(results, regulation("premier-league"))
    ]

    def standings() -> list[dict[str, Any]]:
        body = site.get(f"/v1/stages/{stage}/standings").json()
        rows = body[0]["rows"] if body else []
        return [{k: r[k] for k in ("team_id", "points", "played", "goal_diff")} for r in rows]

    assert _wait(standings, expected) == expected
    home_goals = sum(h for h, _ in SCORES)
    leaders = _wait(
        lambda: [(r["player_id"], r["goals"]) for r in site.get(f"/v1/seasons/{season}/leaders/goals").json()],
        [(scorer, home_goals)],
    )
    assert leaders == [(scorer, home_goals)]
    board = site.get(f"/v1/seasons/{season}/leaders/goals").json()
    assert (board[0]["first_name"], board[0]["last_name"]) == ("", "Striker")

    # what a page needs to title a stage and explain a row's place
    assert site.get(f"/v1/stages/{stage}").json() | {"groups": []} == {
        "id": stage,
        "name": "Regular season",
        "kind": "league",
        "ordinal": 1,
        "regulation": "premier-league",
        "sport": "football",
        "season_id": season,
        "season_name": "2026",
        "competition_id": comp,
        "competition_name": "City League",
        "groups": [],
    }
    criteria = site.get("/v1/criteria").json()
    assert criteria["h2h_points"] == "points in the matches among the tied teams"
    assert "unresolved" in criteria

    # caching: a strong ETag, 304 on If-None-Match, Cache-Control for CDNs and browsers
    first = site.get(f"/v1/stages/{stage}/standings")
    assert first.headers["Cache-Control"] == "public, max-age=10"
    again = site.get(f"/v1/stages/{stage}/standings", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""

    # the calendar: pagination and filters
    page = site.get(f"/v1/stages/{stage}/matches", params={"limit": 2, "offset": 2}).json()
    assert len(page["items"]) == 2
    assert page["offset"] == 2
    lions = site.get(f"/v1/stages/{stage}/matches", params={"team": teams[0]}).json()["items"]
    assert len(lions) == 3
    assert all(teams[0] in (m["home_team_id"], m["away_team_id"]) for m in lions)
    first_round = site.get(f"/v1/stages/{stage}/matches", params={"round": 1, "status": "finished"}).json()["items"]
    assert {m["round"] for m in first_round} == {1}
    assert len(first_round) == 2
    window = site.get(f"/v1/stages/{stage}/matches", params={"from": "2026-09-05", "to": "2026-09-05"}).json()
    assert [m["round"] for m in window["items"]] == [1, 1]
    protocol = site.get(f"/v1/matches/{matches[0]['id']}").json()
    assert protocol["home_score"] == SCORES[0][0]
    assert [e["kind"] for e in protocol["events"]] == ["goal"] * SCORES[0][0]
    names = {t["id"]: t["name"] for t in site.get("/v1/teams").json()["items"]}
    assert (protocol["sport"], protocol["home_team_name"], protocol["away_team_name"]) == (
        "football",
        names[matches[0]["home_team_id"]],
        names[matches[0]["away_team_id"]],
    )
    assert protocol["players"] == ([{"id": scorer, "first_name": "", "last_name": "Striker"}] if SCORES[0][0] else [])
    assert all(m["home_team_name"] == names[m["home_team_id"]] for m in page["items"])
    assert site.get("/v1/matches/999999").status_code == 404
    assert site.get(f"/v1/seasons/{season}/leaders/nonsense").status_code == 404
    with httpx.Client(base_url=apis.urls["public"]) as anonymous:
        assert anonymous.get(f"/v1/stages/{stage}/standings").status_code == 401

    # the rate limit: 60 requests per minute for this client, then 429 with Retry-After
    codes = [site.get("/v1/ping").status_code for _ in range(60)]
    assert codes[-1] == 429
    limited = site.get("/v1/ping")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    site.close()
