"""The management API on the real stack: a competition built through it, roles, the protocol rules and the
error mapping, calendar generation, bulk import, attribution of every write, and tenant isolation walked
over every route of both OpenAPI documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis, start_apis


class Org:
    """An organization built through the API: its id, one token per role, the ids of what it holds."""

    def __init__(self, apis: Apis, slug: str) -> None:
        self.apis = apis
        apis.user(f"owner@{slug}.example", org=slug)
        self.tokens = {"owner": apis.login(f"owner@{slug}.example")["access_token"]}
        self.id = int(self.get("owner", "/v1/orgs").json()[0]["id"])
        for role in ("editor", "scorer", "viewer"):
            email = f"{role}@{slug}.example"
            r = self.call("owner", "POST", "/members", json={"email": email, "role": role, "password": PASSWORD})
            assert r.status_code == 201, r.text
            self.tokens[role] = apis.login(email)["access_token"]
        self.ids: dict[str, int] = {}

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith("/v1/") else f"/v1/orgs/{self.id}{path}"
        with self.apis.client("admin", self.tokens[role]) as c:
            return c.request(method, url, **kwargs)

    def get(self, role: str, path: str) -> httpx.Response:
        return self.call(role, "GET", path)

    def create(self, resource: str, role: str = "editor", **body: Any) -> int:
        r = self.call(role, "POST", f"/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def build_league(self) -> None:
        """A football league: competition, season, stage, two groups' worth of teams, players, a match."""
        ids = self.ids
        ids["competitions"] = self.create("competitions", sport="football", slug="league", name="League")
        ids["seasons"] = self.create("seasons", competition_id=ids["competitions"], name="2026")
        ids["stages"] = self.create(
            "stages", season_id=ids["seasons"], name="Regular", kind="league", regulation="premier-league"
        )
        ids["groups"] = self.create("groups", stage_id=ids["stages"], name="A")
        teams = [self.create("teams", name=f"Team {n}") for n in range(4)]
        ids["teams"], ids["away"] = teams[0], teams[1]
        ids["venues"] = self.create("venues", name="Stadium", city="Town")
        ids["officials"] = self.create("officials", name="Referee")
        ids["players"] = self.create("players", last_name="Scorer")
        ids["bench"] = self.create("players", last_name="Bench")
        ids["roster_entries"] = self.create(
            "roster_entries", season_id=ids["seasons"], team_id=teams[0], player_id=ids["players"], number=9
        )
        ids["matches"] = self.create(
            "matches", stage_id=ids["stages"], round=1, home_team_id=teams[0], away_team_id=teams[1]
        )
        ids["lineups"] = self.create(
            "lineups", "scorer", match_id=ids["matches"], team_id=teams[0], player_id=ids["players"], starter=True
        )
        ids["match_events"] = self.create(
            "match_events",
            "scorer",
            match_id=ids["matches"],
            team_id=teams[0],
            kind="goal",
            player_id=ids["players"],
            period=1,
            minute=10,
        )
        ids["suspensions"] = self.create(
            "suspensions", season_id=ids["seasons"], player_id=ids["bench"], reason="red card", matches=1
        )
        ids["point_adjustments"] = self.create(
            "point_adjustments", stage_id=ids["stages"], team_id=teams[2], points=-3, reason="fine"
        )
        ids["content_items"] = self.create("content_items", kind="news", title="Kick-off", body="Season starts")


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory, stack: Settings) -> Iterator[Apis]:
    yield from start_apis(stack, tmp_path_factory.mktemp("apis"), RSTAT__API__MAX_BODY_BYTES="20000")


@pytest.fixture(scope="module")
def orgs(apis: Apis) -> tuple[Org, Org]:
    a, b = Org(apis, "alpha"), Org(apis, "beta")
    a.build_league()
    b.build_league()
    return a, b


def test_roles(orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    assert a.get("viewer", "/teams").status_code == 200
    denied = a.call("viewer", "POST", "/teams", json={"name": "Viewer FC"})
    assert denied.status_code == 403
    assert denied.json()["error"] == "forbidden"
    assert a.call("scorer", "POST", "/teams", json={"name": "Scorer FC"}).status_code == 403
    # a scorer enters the protocol, but may not move the match in the calendar
    match = a.ids["matches"]
    assert a.call("scorer", "PATCH", f"/matches/{match}", json={"round": 2}).status_code == 403
    assert a.call("scorer", "PATCH", f"/matches/{match}", json={"status": "live"}).status_code == 200
    assert a.call("editor", "GET", "/members").status_code == 403
    assert a.call("owner", "GET", "/members").status_code == 200
    assert a.call("editor", "POST", "/api-clients", json={"name": "x"}).status_code == 403
    assert a.call("editor", "PATCH", f"/v1/orgs/{a.id}", json={"name": "Renamed"}).status_code == 403
    renamed = a.call("owner", "PATCH", f"/v1/orgs/{a.id}", json={"name": "Alpha League"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Alpha League"
    last_owner = a.call("owner", "GET", "/members").json()[0]["user_id"]
    assert a.call("owner", "DELETE", f"/members/{last_owner}").status_code == 409


def test_errors_are_specific_and_leave_nothing_written(orgs: tuple[Org, Org], apis: Apis) -> None:
    a, _ = orgs
    ids = a.ids
    before = len(a.get("viewer", "/teams?limit=500").json()["items"])
    invalid = a.call("editor", "POST", "/teams", json={"name": 42})
    assert invalid.status_code == 422
    assert invalid.json()["error"] == "invalid"
    assert "name" in str(invalid.json()["fields"])
    assert a.call("editor", "POST", "/teams", json={"name": "X", "colour": "red"}).status_code == 422
    assert a.call("editor", "GET", "/teams/999999").status_code == 404
    dup = a.call("editor", "POST", "/teams", json={"name": "Team 0"})
    assert dup.status_code == 409
    assert dup.json()["rule"] == "teams_org_id_name_key"
    taken = a.call(
        "editor",
        "POST",
        "/roster_entries",
        json={"season_id": ids["seasons"], "team_id": ids["teams"], "player_id": ids["bench"], "number": 9},
    )
    assert taken.status_code == 409  # squad number 9 is the scorer's
    itself = a.call(
        "editor",
        "POST",
        "/matches",
        json={"stage_id": ids["stages"], "round": 5, "home_team_id": ids["teams"], "away_team_id": ids["teams"]},
    )
    assert itself.status_code == 422
    assert itself.json()["rule"] == "matches_check"
    stranger = a.call(
        "scorer",
        "POST",
        "/match_events",
        json={
            "match_id": ids["matches"],
            "team_id": ids["teams"],
            "kind": "yellow",
            "player_id": ids["bench"],
            "period": 1,
            "minute": 20,
        },
    )
    assert stranger.status_code == 409
    assert "not in the line-up" in stranger.json()["detail"]
    suspended = a.call(
        "scorer",
        "POST",
        "/lineups",
        json={"match_id": ids["matches"], "team_id": ids["teams"], "player_id": ids["bench"], "starter": False},
    )
    assert suspended.status_code == 409
    assert "suspended" in suspended.json()["detail"]
    contradicts = a.call(
        "scorer",
        "PATCH",
        f"/matches/{ids['matches']}",
        json={"status": "finished", "home_score": 2, "away_score": 0, "decided_in": "REG"},
    )
    assert contradicts.status_code == 409
    assert "contradicts the goal events (1-0)" in contradicts.json()["detail"]
    too_late = a.call(
        "scorer",
        "POST",
        "/match_events",
        json={"match_id": ids["matches"], "team_id": ids["teams"], "kind": "goal", "period": 2, "minute": 200},
    )
    assert too_late.status_code == 422
    assert too_late.json()["rule"] == "match_events_minute_limit"
    big = a.call("editor", "POST", "/teams", content=b'{"name": "' + b"x" * 30000 + b'"}')
    assert big.status_code == 413
    assert len(a.get("viewer", "/teams?limit=500").json()["items"]) == before
    # the right score is accepted
    ok = a.call(
        "scorer",
        "PATCH",
        f"/matches/{ids['matches']}",
        json={"status": "finished", "home_score": 1, "away_score": 0, "decided_in": "REG"},
    )
    assert ok.status_code == 200, ok.text


def test_every_write_is_attributed(orgs: tuple[Org, Org], apis: Apis) -> None:
    a, _ = orgs
    with apis.connect() as conn:
        conn.execute("CREATE PUBLICATION api_attr FOR TABLE teams")
        conn.execute("SELECT pg_create_logical_replication_slot('api_attr', 'pgoutput')")
        try:
            a.create("teams", name="Attributed FC")
            rows = conn.execute(
                "SELECT data FROM pg_logical_slot_peek_binary_changes('api_attr', NULL, NULL, "
                "'proto_version', '1', 'publication_names', 'api_attr', 'messages', 'true')"
            ).fetchall()
        finally:
            conn.execute("SELECT pg_drop_replication_slot('api_attr')")
            conn.execute("DROP PUBLICATION api_attr")
    messages = b"".join(bytes(r[0]) for r in rows)
    assert b"rstat.context" in messages
    assert b'"source": "admin-api"' in messages
    assert re.search(rb'"actor": "user:\d+"', messages)


def test_calendar_generation_and_its_refusal_once_results_exist(orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    stage = a.create("stages", season_id=a.ids["seasons"], name="Cup", kind="league", regulation="football")
    teams = [a.create("teams", name=f"Cup {n}") for n in range(6)]
    body = {"team_ids": teams, "first_kickoff": "2026-08-01T15:00:00Z", "days_between_rounds": 7, "double": True}
    r = a.call("editor", "POST", f"/stages/{stage}/calendar", json=body)
    assert r.status_code == 201, r.text
    matches = r.json()["matches"]
    assert len(matches) == 30
    assert r.json()["rounds"] == 10
    assert {(m["home_team_id"], m["away_team_id"]) for m in matches} == {(h, w) for h in teams for w in teams if h != w}
    again = a.call("editor", "POST", f"/stages/{stage}/calendar", json=body | {"double": False})
    assert again.status_code == 201
    assert len(again.json()["matches"]) == 15
    first = again.json()["matches"][0]["id"]
    a.call(
        "scorer",
        "PATCH",
        f"/matches/{first}",
        json={"status": "finished", "home_score": 1, "away_score": 1, "decided_in": "REG"},
    )
    refused = a.call("editor", "POST", f"/stages/{stage}/calendar", json=body)
    assert refused.status_code == 409
    assert len(a.get("viewer", f"/matches?stage_id={stage}&limit=100").json()["items"]) == 15
    foreign = a.call("editor", "POST", f"/stages/{stage}/calendar", json=body | {"team_ids": [*teams[:5], 10**9]})
    assert foreign.status_code == 404

    cup = a.create("stages", season_id=a.ids["seasons"], name="Knockout", kind="knockout", regulation="football")
    knockout = a.call("editor", "POST", f"/stages/{cup}/calendar", json=body | {"format": "knockout", "legs": 2})
    assert knockout.status_code == 201, knockout.text
    # six teams in a bracket of eight: seeds 1 and 2 have byes; 3-6 and 4-5 play two legs, the higher seed
    # at home in the second; the semi-finals and the final wait for their teams
    assert knockout.json()["ties"] == 5
    legs = {(m["leg"], m["home_team_id"], m["away_team_id"]) for m in knockout.json()["matches"]}
    assert legs == {(1, teams[5], teams[2]), (2, teams[2], teams[5]), (1, teams[4], teams[3]), (2, teams[3], teams[4])}
    playoff = a.create("stages", season_id=a.ids["seasons"], name="Playoff", kind="playoff", regulation="nhl")
    series = a.call(
        "editor", "POST", f"/stages/{playoff}/calendar", json=body | {"team_ids": teams[:4], "format": "series"}
    )
    assert series.status_code == 201, series.text
    games = sorted(
        (m["tie_id"], m["game_no"], m["home_team_id"]) for m in series.json()["matches"] if m["game_no"] is not None
    )
    assert len(games) == 14  # two best-of-seven series
    first = [home for tie, _n, home in games if tie == games[0][0]]
    top = teams[0]
    assert [home == top for home in first] == [True, True, False, False, True, False, True]  # 2-2-1-1-1
    even = a.call("editor", "POST", f"/stages/{playoff}/calendar", json=body | {"format": "series", "best_of": 4})
    assert even.status_code == 422


def test_bulk_import_is_all_or_nothing_with_a_report(orgs: tuple[Org, Org]) -> None:
    a, _ = orgs

    def count() -> int:
        return int(a.get("viewer", "/players?limit=1").json()["total"])

    before = count()
    csv_body = (
        "last_name,first_name,birth_date,nationality\nOne,A,2000-01-01,ENG\nTwo,B,not-a-date,ENG\n,C,,\nFour,D,,xx\n"
    )
    r = a.call("editor", "POST", "/import/players", content=csv_body, headers={"Content-Type": "text/csv"})
    assert r.status_code == 422
    report = {row["row"]: row["detail"] for row in r.json()["rows"]}
    assert sorted(report) == [2, 3, 4]
    assert count() == before
    good = "last_name,first_name,birth_date,nationality\nOne,A,2000-01-01,ENG\nTwo,B,1999-05-05,FRA\n"
    ok = a.call("editor", "POST", "/import/players", content=good, headers={"Content-Type": "text/csv"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["imported"] == 2
    assert count() == before + 2
    teams = a.call("editor", "POST", "/import/teams", json=[{"name": "Imported"}, {"name": "Team 0"}])
    assert teams.status_code == 422
    assert teams.json()["rows"][0]["row"] == 2  # the name is taken


def _routes(apis: Apis, app: str) -> list[tuple[str, str]]:
    with apis.client(app) as c:
        doc = c.get("/schema/openapi.json").json()
    return [(method.upper(), path) for path, item in doc["paths"].items() for method in item]


def test_no_route_lets_one_organization_touch_another(orgs: tuple[Org, Org], apis: Apis) -> None:
    """Org A's owner (the strongest role) against every admin route with org B's ids, and org A's website
    token against every public route with B's ids: never a 2xx, and B's data unchanged."""
    a, b = orgs
    snapshot = {r: b.get("owner", f"/{r}?limit=500").json() for r in ("teams", "players", "matches", "match_events")}
    b_owner = b.get("owner", "/members").json()[0]["user_id"]
    routes = _routes(apis, "admin")
    assert len(routes) > 70
    checked = 0
    for method, path in routes:
        if "{org_id}" not in path:
            continue
        url = path.replace("{org_id}", str(b.id))
        resource = path.split("/")[4] if len(path.split("/")) > 4 else ""
        values = {
            "item_id": b.ids.get(resource),
            "user_id": b_owner,
            "stage_id": b.ids["stages"],
            "kind": "teams",
            "client_id": "rs_0123456789abcdef",
            "bot": "shared",
            "chat_id": 1,
        }
        for name in re.findall(r"\{(\w+)\}", url):
            url = url.replace("{" + name + "}", str(values[name]))
        body: dict[str, Any] | None = {} if method in ("POST", "PATCH") else None
        with apis.client("admin", a.tokens["owner"]) as c:
            r = c.request(method, url, json=body) if body is not None else c.request(method, url)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
        # and with B's ids under A's own organization path: the ids do not exist there
        own = url.replace(f"/v1/orgs/{b.id}", f"/v1/orgs/{a.id}")
        if re.search(r"/\d+$", own) and method in ("GET", "DELETE"):
            with apis.client("admin", a.tokens["owner"]) as c:
                r = c.request(method, own)
            assert r.status_code == 404, (method, own, r.status_code, r.text)
        checked += 1
    assert checked > 70
    # valid changes naming B's rows under A's own path: B's rows do not exist there
    for resource, body in {"teams": {"name": "Hijacked"}, "players": {"last_name": "Hijacked"}}.items():
        r = a.call("owner", "PATCH", f"/{resource}/{b.ids[resource]}", json=body)
        assert r.status_code == 404, (resource, r.text)
    after = {r: b.get("owner", f"/{r}?limit=500").json() for r in ("teams", "players", "matches", "match_events")}
    assert after == snapshot
    # a reference to B's team from A's own match is refused as unknown
    cross = a.call(
        "editor",
        "POST",
        "/matches",
        json={"stage_id": a.ids["stages"], "round": 9, "home_team_id": a.ids["teams"], "away_team_id": b.ids["teams"]},
    )
    assert cross.status_code == 404

    with apis.client("admin", a.tokens["owner"]) as c:
        secret = c.post(f"/v1/orgs/{a.id}/api-clients", json={"name": "site"}).json()
    with apis.client("identity") as c:
        token = c.post(
            "/v1/client-token", json={"client_id": secret["client_id"], "client_secret": secret["client_secret"]}
        ).json()["access_token"]
    public_ids = {
        "competition_id": b.ids["competitions"],
        "season_id": b.ids["seasons"],
        "stage_id": b.ids["stages"],
        "match_id": b.ids["matches"],
        "team_id": b.ids["teams"],
        "player_id": b.ids["players"],
        "kind": "goals",
    }
    public_checked = 0
    for method, path in _routes(apis, "public"):
        names = re.findall(r"\{(\w+)\}", path)
        if not names:
            continue
        url = path
        for name in names:
            url = url.replace("{" + name + "}", str(public_ids[name]))
        with apis.client("public", token) as c:
            r = c.request(method, url)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
        public_checked += 1
    assert public_checked >= 10
