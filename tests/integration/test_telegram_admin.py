"""The management API's Telegram routes: an organization sees and removes the chats that follow it (and
nothing of what they follow elsewhere), sets its own bot's token (never answered back), and withdraws its
consent to the shared bot, which ends the shared bot's subscriptions to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest

from rstat.settings import Settings
from tests.integration.api_support import Apis, start_apis
from tests.integration.telegram_support import build_league, org_bot_token

_clients: list[httpx.Client] = []


@pytest.fixture(scope="module")
def apis(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apis]:
    yield from start_apis(stack, tmp_path_factory.mktemp("telegram-admin"))
    for client in _clients:
        client.close()


def owner(apis: Apis, slug: str) -> tuple[httpx.Client, int]:
    apis.user(f"owner@{slug}.example", org=slug)
    client = apis.client("admin", apis.login(f"owner@{slug}.example")["access_token"])
    _clients.append(client)
    org = next(o["id"] for o in client.get("/v1/orgs").json() if o["slug"] == slug)
    return client, org


def test_an_organization_sees_and_removes_only_its_own_followers(apis: Apis) -> None:
    ours, our_org = owner(apis, "tg-ours")
    theirs, their_org = owner(apis, "tg-theirs")
    with psycopg.connect(apis.dsn, autocommit=True) as conn:
        our = build_league(conn, "tg-ours", ["Otters", "Beavers"], shared_bot=True, org=our_org)
        their = build_league(conn, "tg-theirs", ["Moles", "Voles"], shared_bot=True, org=their_org)
        conn.execute(
            "INSERT INTO telegram_chats (bot, chat_id, title, username) VALUES ('shared', 42, 'Ann Fan', 'annfan')"
        )
        for org, team in ((our_org, our.teams["Otters"]), (their_org, their.teams["Moles"])):
            conn.execute(
                "INSERT INTO telegram_subscriptions (org_id, bot, chat_id, team_id) VALUES (%s, 'shared', 42, %s)",
                (org, team),
            )
    chats = ours.get(f"/v1/orgs/{our_org}/telegram/chats")
    assert chats.status_code == 200, chats.text
    (chat,) = chats.json()
    assert (chat["title"], chat["username"]) == ("Ann Fan", "annfan")
    assert [(s["kind"], s["label"]) for s in chat["subscriptions"]] == [("team", "Otters")]  # not the Moles
    overview = ours.get(f"/v1/orgs/{our_org}/telegram").json()
    assert (overview["shared_bot"], overview["chats"], overview["bot"]["configured"]) == (True, 1, False)
    assert ours.get(f"/v1/orgs/{their_org}/telegram/chats").status_code == 404  # another organization's
    assert ours.delete(f"/v1/orgs/{our_org}/telegram/chats/shared/42").status_code == 204
    assert ours.get(f"/v1/orgs/{our_org}/telegram/chats").json() == []
    (kept,) = theirs.get(f"/v1/orgs/{their_org}/telegram/chats").json()
    assert kept["subscriptions"][0]["label"] == "Moles"  # the chat's subscriptions elsewhere stay
    # withdrawing the consent ends the shared bot's subscriptions to that organization
    assert theirs.put(f"/v1/orgs/{their_org}/telegram", json={"shared_bot": False}).json()["chats"] == 0


def test_an_organizations_bot_token_is_written_and_never_answered(apis: Apis) -> None:
    client, org = owner(apis, "tg-bot")
    token = org_bot_token(org)
    assert client.put(f"/v1/orgs/{org}/telegram/bot", json={"token": "not a token"}).status_code == 422
    answer = client.put(f"/v1/orgs/{org}/telegram/bot", json={"token": token})
    assert answer.status_code == 200, answer.text
    assert token not in answer.text
    overview = client.get(f"/v1/orgs/{org}/telegram")
    assert overview.json()["bot"]["configured"] is True
    assert token not in overview.text
    assert token.split(":")[1] not in (apis.logs / "admin.log").read_text()
    assert client.delete(f"/v1/orgs/{org}/telegram/bot").status_code == 204
    assert client.get(f"/v1/orgs/{org}/telegram").json()["bot"]["configured"] is False


def test_a_viewer_sees_counts_but_not_the_chats(apis: Apis) -> None:
    client, org = owner(apis, "tg-viewer")
    added = client.post(
        f"/v1/orgs/{org}/members",
        json={"email": "viewer@tg-viewer.example", "role": "viewer", "password": "correct horse battery"},
    )
    assert added.status_code == 201, added.text
    viewer = apis.client("admin", apis.login("viewer@tg-viewer.example")["access_token"])
    _clients.append(viewer)
    assert viewer.get(f"/v1/orgs/{org}/telegram").status_code == 200
    assert viewer.get(f"/v1/orgs/{org}/telegram/chats").status_code == 403
    assert viewer.put(f"/v1/orgs/{org}/telegram", json={"shared_bot": True}).status_code == 403
