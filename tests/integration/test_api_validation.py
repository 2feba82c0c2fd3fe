"""The management API refuses what the database would refuse, before it reaches the database: each request
field carries its column's rules (lengths, patterns, ranges, the sport and the other enumerations), so a
violation is a 422 naming the field in words, the OpenAPI document shows the rules, and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from psycopg import sql

from rstat.settings import Settings
from tests.integration.api_support import Apis, start_apis


@pytest.fixture(scope="module")
def apis(tmp_path_factory: pytest.TempPathFactory, stack: Settings) -> Iterator[Apis]:
    yield from start_apis(stack, tmp_path_factory.mktemp("apis"))


class Editor:
    """An organization's owner calling the admin app under the organization's path."""

    def __init__(self, apis: Apis) -> None:
        apis.user("owner@valid.example", org="valid")
        self.apis = apis
        self.token = apis.login("owner@valid.example")["access_token"]
        self.org = int(self.call("GET", "/v1/orgs").json()[0]["id"])

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith("/v1/") else f"/v1/orgs/{self.org}{path}"
        with self.apis.client("admin", self.token) as c:
            return c.request(method, url, **kwargs)

    def create(self, resource: str, **body: Any) -> int:
        r = self.call("POST", f"/{resource}", json=body)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def rows(self, table: str) -> int:
        with self.apis.connect() as conn:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()
        assert row is not None
        return int(row[0])


@pytest.fixture(scope="module")
def editor(apis: Apis) -> Editor:
    return Editor(apis)


def _refused(r: httpx.Response, field: str) -> str:
    """The words the 422 gives for ``field`` (and that it names no database constraint)."""
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid"
    assert "rule" not in body, body  # refused by the API, not by a constraint of the database
    messages = [f["message"] for f in body["fields"] if f.get("key") == field]
    assert messages, body
    return str(messages[0])


def test_a_name_longer_than_its_column_allows_is_refused_in_words(editor: Editor) -> None:
    before = editor.rows("competitions")
    r = editor.call("POST", "/competitions", json={"sport": "football", "slug": "long", "name": "x" * 100_000})
    assert "length <= 200" in _refused(r, "name")
    assert "check constraint" not in r.text
    assert editor.rows("competitions") == before


def test_an_unknown_sport_is_refused_with_the_known_ones(editor: Editor) -> None:
    before = editor.rows("competitions")
    r = editor.call("POST", "/competitions", json={"sport": "curling", "slug": "curl", "name": "Curling"})
    assert "curling" in _refused(r, "sport")
    assert "foreign key" not in r.text
    assert editor.rows("competitions") == before


@pytest.mark.parametrize(
    ("resource", "body", "field"),
    [
        ("competitions", {"sport": "football", "slug": "Not A Slug", "name": "League"}, "slug"),
        ("competitions", {"sport": "football", "slug": "ok", "name": ""}, "name"),
        ("teams", {"name": "Coded", "code": "toolong"}, "code"),
        ("players", {"last_name": "Nobody", "nationality": "england"}, "nationality"),
        ("venues", {"name": "Negative", "capacity": -1}, "capacity"),
        ("content_items", {"kind": "podcast", "title": "Listen"}, "kind"),
        ("content_items", {"kind": "video", "title": "Watch", "url": "ftp://example.org/v"}, "url"),
    ],
)
def test_each_column_rule_is_a_field_error_and_writes_nothing(
    editor: Editor, resource: str, body: dict[str, Any], field: str
) -> None:
    before = editor.rows(resource)
    _refused(editor.call("POST", f"/{resource}", json=body), field)
    assert editor.rows(resource) == before


def test_protocol_fields_keep_their_ranges_on_create_and_update(editor: Editor) -> None:
    comp = editor.create("competitions", sport="ice-hockey", slug="hockey", name="Hockey")
    season = editor.create("seasons", competition_id=comp, name="2026")
    stage = editor.create("stages", season_id=season, name="Regular", kind="league", regulation="nhl")
    home, away = editor.create("teams", name="Home"), editor.create("teams", name="Away")
    match = editor.create("matches", stage_id=stage, round=1, home_team_id=home, away_team_id=away)
    before = editor.rows("match_events")
    event = {"match_id": match, "team_id": home, "kind": "penalty", "period": 1, "penalty_minutes": 3}
    _refused(editor.call("POST", "/match_events", json=event), "penalty_minutes")
    _refused(editor.call("POST", "/match_events", json=event | {"penalty_minutes": 2, "period": 0}), "period")
    assert editor.rows("match_events") == before
    _refused(
        editor.call(
            "POST", "/matches", json={"stage_id": stage, "round": 0, "home_team_id": home, "away_team_id": away}
        ),
        "round",
    )
    # an update is held to the same rules, and leaves the row as it was
    _refused(editor.call("PATCH", f"/matches/{match}", json={"status": "abandoned"}), "status")
    _refused(editor.call("PATCH", f"/matches/{match}", json={"home_score": -1, "away_score": 0}), "home_score")
    assert editor.call("GET", f"/matches/{match}").json()["status"] == "scheduled"
    _refused(editor.call("PATCH", f"/competitions/{comp}", json={"name": "y" * 201}), "name")
    assert editor.call("GET", f"/competitions/{comp}").json()["name"] == "Hockey"


def test_the_openapi_document_shows_the_rules(apis: Apis) -> None:
    with apis.client("admin") as c:
        doc = c.get("/schema/openapi.json").json()
    create = doc["components"]["schemas"]["CompetitionsCreate"]["properties"]
    assert create["name"]["maxLength"] == 200
    assert create["name"]["minLength"] == 1
    assert create["slug"]["pattern"] == "^[a-z0-9][a-z0-9-]{0,62}$"
    assert set(create["sport"]["enum"]) == {"football", "ice-hockey"}
