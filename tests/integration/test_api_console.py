"""What the console needs from the servers, on the real stack: idempotent creates (a replayed offline entry
never writes twice), a scorer's events refused on a match closed meanwhile, calendar previews that write
nothing, the regulation presets in words, website clients listed and revoked, a member's public token, and
the console's page, worker and manifest served by the admin app."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis, start_apis


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory, stack: Settings) -> Iterator[Apis]:
    yield from start_apis(stack, tmp_path_factory.mktemp("console-apis"))


class League:
    def __init__(self, apis: Apis, slug: str) -> None:
        self.apis = apis
        apis.user(f"owner@{slug}.example", org=slug)
        self.tokens = {"owner": apis.login(f"owner@{slug}.example")["access_token"]}
        self.org = int(self.call("owner", "GET", "/v1/orgs").json()[0]["id"])
        for role in ("scorer", "editor"):
            email = f"{role}@{slug}.example"
            added = self.call("owner", "POST", "/members", json={"email": email, "role": role, "password": PASSWORD})
            assert added.status_code == 201, added.text
            self.tokens[role] = apis.login(email)["access_token"]
        comp = self.create("competitions", sport="football", slug="cup", name="Cup")
        season = self.create("seasons", competition_id=comp, name="2026")
        self.stage = self.create("stages", season_id=season, name="League", kind="league", regulation="football")
        self.teams = [self.create("teams", name=f"{slug} {n}") for n in range(4)]
        self.rounds = 0

    def call(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith("/v1/") else f"/v1/orgs/{self.org}{path}"
        with self.apis.client("admin", self.tokens[role]) as c:
            return c.request(method, url, **kwargs)

    def create(self, resource: str, role: str = "owner", **body: Any) -> int:
        r = self.call(role, "POST", f"/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def match(self, status: str = "live") -> int:
        self.rounds += 1
        match = self.create(
            "matches", stage_id=self.stage, round=self.rounds, home_team_id=self.teams[0], away_team_id=self.teams[1]
        )
        assert self.call("owner", "PATCH", f"/matches/{match}", json={"status": status}).status_code == 200
        return match

    def events(self, match: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.call("owner", "GET", f"/match_events?match_id={match}").json()["items"]
        return found


@pytest.fixture(scope="module")
def league(apis: Apis) -> League:
    return League(apis, "console")


def test_the_same_idempotency_key_twice_writes_once_and_answers_the_first_answer(league: League) -> None:
    match = league.match()
    goal = {"match_id": match, "team_id": league.teams[0], "kind": "goal", "period": 1, "minute": 12}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = league.call("scorer", "POST", "/match_events", json=goal, headers=key)
    again = league.call("scorer", "POST", "/match_events", json=goal, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert [e["id"] for e in league.events(match)] == [first.json()["id"]]
    # the same key for another request is refused in words, and writes nothing
    other = league.call("scorer", "POST", "/match_events", json={**goal, "minute": 13}, headers=key)
    assert other.status_code == 422, other.text
    assert other.json()["rule"] == "idempotency_key_reused"
    # another caller's key is its own (keys are per caller)
    editor = league.call("editor", "POST", "/match_events", json=goal, headers=key)
    assert editor.status_code == 201
    assert len(league.events(match)) == 2
    # a key too long is refused before anything is written
    long = league.call("scorer", "POST", "/match_events", json=goal, headers={"Idempotency-Key": "k" * 201})
    assert long.status_code == 422, long.text
    assert long.json()["fields"][0]["source"] == "header"
    assert len(league.events(match)) == 2


def test_concurrent_requests_with_one_key_create_one_row(league: League) -> None:
    match = league.match()
    goal = {"match_id": match, "team_id": league.teams[1], "kind": "goal", "period": 1, "minute": 30}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    answers: list[httpx.Response] = []
    start = threading.Barrier(6)

    def send() -> None:
        start.wait()
        answers.append(league.call("scorer", "POST", "/match_events", json=goal, headers=key))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(league.events(match)) == 1


def test_a_refused_request_keeps_no_key_so_its_retry_can_succeed(league: League) -> None:
    match = league.match()
    player = league.create("players", last_name="Late")
    other = league.create("players", last_name="Listed")
    league.create("lineups", "scorer", match_id=match, team_id=league.teams[0], player_id=other, starter=True)
    goal = {"match_id": match, "team_id": league.teams[0], "kind": "goal", "player_id": player, "period": 1}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    refused = league.call("scorer", "POST", "/match_events", json=goal, headers=key)
    assert refused.status_code == 409
    assert refused.json()["rule"] == "lineup"
    league.create("lineups", "scorer", match_id=match, team_id=league.teams[0], player_id=player, starter=False)
    assert league.call("scorer", "POST", "/match_events", json=goal, headers=key).status_code == 201


def test_a_scorer_cannot_change_the_events_of_a_closed_match_but_an_editor_corrects_them(league: League) -> None:
    match = league.match()
    goal = {"match_id": match, "team_id": league.teams[0], "kind": "goal", "period": 1, "minute": 5}
    event = league.create("match_events", "scorer", **goal)
    finished = league.call(
        "owner", "PATCH", f"/matches/{match}", json={"status": "finished", "home_score": 1, "away_score": 0}
    )
    assert finished.status_code == 200, finished.text
    late = league.call("scorer", "POST", "/match_events", json={**goal, "minute": 80})
    assert late.status_code == 409
    assert late.json()["rule"] == "match_closed"
    assert late.json()["match_status"] == "finished"
    assert "finished" in late.json()["detail"]
    assert league.call("scorer", "DELETE", f"/match_events/{event}").json()["rule"] == "match_closed"
    assert league.call("scorer", "PATCH", f"/match_events/{event}", json={"minute": 6}).status_code == 409
    assert [e["id"] for e in league.events(match)] == [event]
    # an editor corrects the closed protocol; the scorer may reopen the match and go on
    assert league.call("editor", "PATCH", f"/match_events/{event}", json={"minute": 6}).status_code == 200
    assert league.call("scorer", "PATCH", f"/matches/{match}", json={"status": "live"}).status_code == 200
    assert league.call("scorer", "POST", "/match_events", json={**goal, "minute": 81}).status_code == 201


def test_a_calendar_preview_shows_what_saving_creates_and_writes_nothing(league: League) -> None:
    stage = league.create("stages", season_id=_season(league), name="Preview", kind="league", regulation="football")
    body = {"team_ids": league.teams, "first_kickoff": "2026-09-05T14:00:00Z", "double": True, "seed": 7}
    preview = league.call("editor", "POST", f"/stages/{stage}/calendar", json={**body, "preview": True})
    assert preview.status_code == 200, preview.text
    assert preview.json()["preview"] is True
    assert league.call("owner", "GET", f"/matches?stage_id={stage}").json()["total"] == 0
    saved = league.call("editor", "POST", f"/stages/{stage}/calendar", json=body)
    assert saved.status_code == 201
    assert saved.json()["preview"] is False

    def fixtures(answer: httpx.Response) -> list[tuple[Any, ...]]:
        return [(m["round"], m["home_team_id"], m["away_team_id"], m["kickoff"]) for m in answer.json()["matches"]]

    assert fixtures(preview) == fixtures(saved)
    assert len(fixtures(saved)) == 12
    assert league.call("owner", "GET", f"/matches?stage_id={stage}").json()["total"] == 12
    # a preview is checked like a save: a calendar with results is refused either way
    first = saved.json()["matches"][0]["id"]
    league.call("owner", "PATCH", f"/matches/{first}", json={"status": "live"})
    refused = league.call("editor", "POST", f"/stages/{stage}/calendar", json={**body, "preview": True})
    assert refused.status_code == 409


def _season(league: League) -> int:
    return int(league.call("owner", "GET", "/seasons").json()["items"][0]["id"])


def test_regulation_presets_come_with_their_criteria_in_words(league: League) -> None:
    answer = league.call("scorer", "GET", "/v1/regulations").json()
    presets = {p["name"]: p for p in answer["presets"]}
    assert presets["premier-league"]["points"]["win"] == 3
    assert presets["premier-league"]["criteria"][:2] == ["goal_diff", "goals_for"]
    assert all(c in answer["criteria"] for p in presets.values() for c in p["criteria"])
    assert answer["criteria"]["h2h_points"] == "points in the matches among the tied teams"


def test_website_clients_are_listed_and_revoked_by_owners(league: League, apis: Apis) -> None:
    created = league.call("owner", "POST", "/api-clients", json={"name": "Club website"})
    assert created.status_code == 201
    client = created.json()
    listed = league.call("owner", "GET", "/api-clients").json()
    assert [c["name"] for c in listed if c["client_id"] == client["client_id"]] == ["Club website"]
    assert set(listed[0]) == {"client_id", "name", "created_at", "revoked_at"}
    assert league.call("editor", "GET", "/api-clients").status_code == 403
    assert league.call("editor", "DELETE", f"/api-clients/{client['client_id']}").status_code == 403
    credentials = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    with apis.client("identity") as c:
        assert c.post("/v1/client-token", json=credentials).status_code == 200
    assert league.call("owner", "DELETE", f"/api-clients/{client['client_id']}").status_code == 204
    with apis.client("identity") as c:
        assert c.post("/v1/client-token", json=credentials).status_code == 401
    revoked = [c for c in league.call("owner", "GET", "/api-clients").json() if c["client_id"] == client["client_id"]]
    assert revoked[0]["revoked_at"] is not None
    assert league.call("owner", "DELETE", "/api-clients/rs_nosuchclient").status_code == 404


def test_a_member_reads_the_public_api_with_a_member_token(league: League, apis: Apis) -> None:
    with apis.client("identity", league.tokens["scorer"]) as c:
        answer = c.post("/v1/member-token", json={"org_id": league.org})
        assert answer.status_code == 200, answer.text
        token = answer.json()["access_token"]
        # not a member: as if the organization did not exist; no token at all: 401
        assert c.post("/v1/member-token", json={"org_id": league.org + 1000}).status_code == 404
    with apis.client("identity") as c:
        assert c.post("/v1/member-token", json={"org_id": league.org}).status_code == 401
    with apis.client("identity", token) as c:  # a public token is not an admin token
        assert c.post("/v1/member-token", json={"org_id": league.org}).status_code == 401
    with apis.client("public", token) as c:
        stages = c.get(f"/v1/stages/{league.stage}")
        assert stages.status_code == 200, stages.text
    with apis.client("admin", token) as c:  # and it opens nothing in the admin API
        assert c.get(f"/v1/orgs/{league.org}/teams").status_code == 401


def test_the_console_page_worker_and_manifest_are_served(apis: Apis) -> None:
    with apis.client("admin") as c:
        moved = c.get("/console")
        assert moved.status_code == 308
        assert moved.headers["location"] == "/console/"
        page = c.get("/console/")
        assert page.status_code == 200
        assert f'identity="{apis.urls["identity"]}"' in page.text
        assert f'public="{apis.urls["public"]}"' in page.text
        loader = c.get("/console/rstat-console.js")
        assert loader.status_code == 200
        hashed = loader.text.split('"./')[1].split('"')[0]
        bundle = c.get(f"/console/{hashed}")
        assert bundle.status_code == 200
        assert "immutable" in bundle.headers["cache-control"]
        worker = c.get("/console/sw.js")
        assert worker.status_code == 200
        assert worker.headers["service-worker-allowed"] == "/console/"
        assert worker.headers["cache-control"] == "no-cache"
        manifest = c.get("/console/manifest.webmanifest")
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        assert manifest.json()["start_url"] == "/console/"
        assert c.get("/console/icon-192.png").headers["content-type"] == "image/png"
        assert c.get("/console/nothing.js").status_code == 404


def test_reopening_a_decided_match_is_refused_in_words(league: League) -> None:
    match = league.match()
    final = {"status": "finished", "home_score": 0, "away_score": 0, "decided_in": "REG"}
    assert league.call("owner", "PATCH", f"/matches/{match}", json=final).status_code == 200
    refused = league.call("scorer", "PATCH", f"/matches/{match}", json={"status": "live"})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("decided_in (REG, OT, SO, AWD) belongs to a finished or awarded match")
    reopened = league.call("scorer", "PATCH", f"/matches/{match}", json={"status": "live", "decided_in": None})
    assert reopened.status_code == 200
