"""A match's history in the admin API, on the real chain: admin API -> PostgreSQL -> CDC -> Kafka -> the audit
writer -> ClickHouse, read back by the admin app from the writer's endpoint: who changed the score (by
email), when, from what; changes by hand in SQL; a deleted event; tenant scoping and roles."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from tests.integration.api_support import PASSWORD, Apis, start_apis
from tests.integration.audit_support import AuditProcess, audit_process
from tests.integration.cdc_support import CdcEnv, drop_env, make_env
from tests.integration.live_support import League, build_league
from tests.waiting import eventually


@pytest.fixture
def product(stack: Settings, tmp_path: Path) -> Iterator[tuple[CdcEnv, Apis, AuditProcess]]:
    chain = make_env(stack, tmp_path)
    # the endpoint asks for a password, as in production: the admin app sends it (in ClickHouse's headers)
    audit = audit_process(chain.env, tmp_path, RSTAT__AUDIT__PASSWORD="history-reader-pw")
    reader = audit.url.replace("http://", "http://rstat:history-reader-pw@")
    try:
        chain.start()
        chain.wait_streaming()
        audit.start()
        for apis in start_apis(stack, tmp_path, database=chain.name, RSTAT__API__AUDIT_URL=reader):
            yield chain, apis, audit
    finally:
        audit.stop()
        drop_env(chain)


def history(league: League, path: str, **params: Any) -> dict[str, Any]:
    answer = league.admin.get(f"/v1/orgs/{league.org}/{path}", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    """The test's HTTP clients, closed at the end."""
    opened: list[httpx.Client] = []
    yield opened
    for client in opened:
        client.close()


def test_who_changed_the_score_when_and_from_what(
    product: tuple[CdcEnv, Apis, AuditProcess], clients: list[httpx.Client]
) -> None:
    chain, apis, audit = product
    league = build_league(apis, "histories")
    clients.append(league.admin)
    match = league.matches[0]
    goal = league.goal(match, 10)
    changed_at = time.monotonic()
    league.patch_match(match["id"], home_score=1, away_score=0)

    def score_shown() -> dict[str, Any]:
        audit.running()
        latest = history(league, f"matches/{match['id']}/history")["items"][0]
        assert (
            latest["changes"]
            == [
                {"field": "away_score", "from": None, "to": 0},
                {"field": "home_score", "from": None, "to": 1},
            ]
            or latest["table"] != "matches"
        ), latest
        return latest if latest["table"] == "matches" else {}

    entry = eventually(score_shown, message="the score change in the match's history")
    shown_after = time.monotonic() - changed_at
    assert shown_after < 30, shown_after  # "within seconds" on a slow machine too
    assert (entry["actor"], entry["source"], entry["op"]) == ("owner@histories.example", "admin-api", "u")
    assert entry["actor_id"].startswith("user:")
    assert entry["request_id"]

    with chain.connect() as conn:  # by hand in SQL: no attribution
        conn.execute("UPDATE matches SET attendance = 5000 WHERE id = %s", (match["id"],))
    removed = league.admin.delete(f"/v1/orgs/{league.org}/match_events/{goal}")
    assert removed.status_code == 204, removed.text

    def all_shown() -> list[dict[str, Any]]:
        items = history(league, f"matches/{match['id']}/history")["items"]
        assert [(e["table"], e["op"]) for e in items[:2]] == [("match_events", "d"), ("matches", "u")], items[:3]
        # the two changes come from two topics: the delete may be written before the change by hand
        assert any(c["field"] == "attendance" for c in items[1]["changes"]), items[:3]
        return list(items)

    items = eventually(all_shown, message="the change by hand and the deleted goal")
    deleted, by_hand = items[0], items[1]
    assert (by_hand["actor"], by_hand["actor_id"], by_hand["source"]) == ("by hand in SQL", "", "")
    assert by_hand["changes"] == [{"field": "attendance", "from": None, "to": 5000}]
    assert deleted["id"] == goal
    assert {"field": "minute", "from": 10, "to": None} in deleted["changes"]
    # the match row alone, and the deleted goal by itself (gone from PostgreSQL, still its organization's)
    alone = history(league, "history", table="matches", id=match["id"], limit=1)
    assert (alone["total"], len(alone["items"]), alone["items"][0]["actor"]) == (4, 1, "by hand in SQL")
    assert [e["op"] for e in history(league, f"match_events/{goal}/history")["items"]] == ["d", "c"]

    # another organization sees none of it, as if the ids did not exist; a viewer may not read histories
    other = build_league(apis, "strangers")
    clients.append(other.admin)
    for path in (f"matches/{match['id']}/history", f"match_events/{goal}/history"):
        assert other.admin.get(f"/v1/orgs/{other.org}/{path}").status_code == 404
    assert other.admin.get(f"/v1/orgs/{other.org}/history", params={"table": "users", "id": 1}).status_code == 422
    added = league.admin.post(
        f"/v1/orgs/{league.org}/members",
        json={"email": "viewer@histories.example", "role": "viewer", "password": PASSWORD},
    )
    assert added.status_code == 201, added.text
    viewer = apis.client("admin", apis.login("viewer@histories.example")["access_token"])
    clients.append(viewer)
    assert viewer.get(f"/v1/orgs/{league.org}/matches/{match['id']}/history").status_code == 403

    audit.stop()  # the audit away: said, not hidden
    unavailable = league.admin.get(f"/v1/orgs/{league.org}/matches/{match['id']}/history")
    assert unavailable.status_code == 503
    assert unavailable.json()["error"] == "unavailable"
