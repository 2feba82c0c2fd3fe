"""The live feed on the real stack: a goal entered through the management API travels through PostgreSQL,
the CDC reader, Kafka and the stream processor to WebSocket and SSE clients of the public app, in order,
with gap-free sequence numbers, resumable after a dropped connection or a restart, and scoped to the
caller's organization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from tests.conftest import unique
from tests.integration.api_support import Apis, start_apis
from tests.integration.cdc_support import CdcEnv, drop_env, make_env, start_streams
from tests.integration.live_support import League, LiveClient, SseClient, build_league

Product = tuple[CdcEnv, Apis, League, League]


@pytest.fixture(scope="module")
def product(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """One chain for the module: a CDC reader, a stream worker, the three apps, and two organizations."""
    tmp = tmp_path_factory.mktemp("live")
    chain = make_env(stack, tmp)
    chain.env.update(
        {
            "RSTAT__STREAMS__APP_ID": unique("streams"),
            "RSTAT__STREAMS__STANDINGS_TOPIC": f"{chain.prefix}stats.standings",
            "RSTAT__STREAMS__NOTICES_TOPIC": f"{chain.prefix}notices",
            "RSTAT__STREAMS__TEAMS_TOPIC": f"{chain.prefix}stats.teams",
            "RSTAT__STREAMS__LIVE_STANDINGS_TOPIC": f"{chain.prefix}stats.live-standings",
            "RSTAT__STREAMS__PLAYERS_TOPIC": f"{chain.prefix}stats.players",
            "RSTAT__STREAMS__DATA_DIR": str(tmp / "streams"),
            "RSTAT__LIVE__HEARTBEAT_S": "1",
            "RSTAT__LIVE__MAX_CHANNELS": "6",
        }
    )
    try:
        chain.start()
        chain.wait_streaming()
        start_streams(chain, tmp / "streams.log")
        for apis in start_apis(
            stack,
            tmp,
            database=chain.name,
            **{k: v for k, v in chain.env.items() if k.startswith(("RSTAT__STREAMS__", "RSTAT__LIVE__"))},
        ):
            yield chain, apis, build_league(apis, "north"), build_league(apis, "south")
    finally:
        drop_env(chain)


def ws_url(apis: Apis, query: str = "") -> str:
    return apis.urls["public"].replace("http://", "ws://") + "/v1/live" + (f"?{query}" if query else "")


def subscribe(client: LiveClient, *channels: str, since: dict[str, Any] | None = None) -> None:
    client.send({"op": "subscribe", "channels": list(channels), **({"since": since} if since else {})})
    for channel in channels:
        client.wait_for(
            lambda m, c=channel: m.get("channel") == c and m["kind"] in ("state", "recovered"), f"{channel}'s state"
        )


def test_a_goal_reaches_websocket_and_sse_clients_in_order(product: Product) -> None:
    _chain, apis, north, _south = product
    match = north.matches[0]
    ch_match, ch_stage = f"match:{match['id']}", f"stage:{north.stage}"
    ws = LiveClient.open(ws_url(apis, f"token={north.token}"))
    connected = ws.wait_for(lambda m: m["kind"] == "connected", "the welcome")
    assert connected["org"] == north.org
    subscribe(ws, ch_match, ch_stage, "org", f"season:{north.season}:leaders")
    sse = SseClient.open(
        f"{apis.urls['public']}/v1/live/sse?channels={ch_match},{ch_stage},org", {"X-API-Key": north.api_key}
    )
    sse.wait_for(lambda m: m.get("channel") == "org" and m["kind"] == "state", "the org state")

    state = ws.on(ch_match, "state")[0]
    with httpx.Client(base_url=apis.urls["public"], headers={"Authorization": f"Bearer {north.token}"}) as site:
        assert state["body"] == site.get(f"/v1/matches/{match['id']}").json()  # the REST route's body
        assert state["recovered"] is False

    event = north.goal(match, 12)
    north.patch_match(match["id"], home_score=1, away_score=0)  # the scorer's running score: live standings
    goal = ws.wait_for(lambda m: m.get("kind") == "goal_scored" and m["channel"] == ch_match, "the goal")
    assert goal["body"]["id"] == f"goal_scored:{event}"
    assert (goal["body"]["home_score"], goal["body"]["away_score"], goal["body"]["minute"]) == (1, 0, 12)
    assert goal["seq"] == state["seq"] + 1
    assert goal["epoch"] == state["epoch"]
    assert goal["ts"] > 0
    _id, sse_goal = sse.wait_for(lambda m: m.get("kind") == "goal_scored" and m["channel"] == ch_match, "the goal")
    assert sse_goal["body"] == goal["body"]
    assert sse_goal["seq"] == goal["seq"]
    org_goal = ws.wait_for(lambda m: m.get("kind") == "goal_scored" and m["channel"] == "org", "the goal on org")
    assert org_goal["body"] == goal["body"]
    live = ws.wait_for(
        lambda m: (
            m.get("channel") == ch_stage
            and m["kind"] == "live_standings"
            and any(r["goals_for"] == 1 for r in m["body"]["rows"])
        ),
        "the live standings with the goal",
    )
    assert {r["team_id"] for r in live["body"]["rows"]} == set(north.teams)
    ws.close()
