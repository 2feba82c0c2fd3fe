"""The live feed on the real stack: a goal entered through the management API travels through PostgreSQL,
the CDC reader, Kafka and the stream processor to WebSocket and SSE clients of the public app, in order,
with gap-free sequence numbers, resumable after a dropped connection or a restart, and scoped to the
caller's organization."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from rstat.settings import Settings
from tests.integration.api_support import Apis
from tests.integration.cdc_support import CdcEnv
from tests.integration.live_support import League, LiveClient, Message, SseClient, build_league, start_product
from tests.waiting import eventually

Product = tuple[CdcEnv, Apis, League, League]


@pytest.fixture(scope="module")
def product(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """One chain for the module: a CDC reader, a stream worker, the three apps, and two organizations."""
    tmp = tmp_path_factory.mktemp("live")
    settings = {"RSTAT__LIVE__HEARTBEAT_S": "1", "RSTAT__LIVE__MAX_CHANNELS": "6", "RSTAT__LIVE__SEND_TIMEOUT_S": "2"}
    for chain, apis in start_product(stack, tmp, **settings):
        leagues = [build_league(apis, "north"), build_league(apis, "south")]
        try:
            yield chain, apis, leagues[0], leagues[1]
        finally:
            for league in leagues:
                league.admin.close()


def ws_url(apis: Apis, query: str = "") -> str:
    return apis.urls["public"].replace("http://", "ws://") + "/v1/live" + (f"?{query}" if query else "")


def answered(channel: str) -> Callable[[Message], bool]:
    """Whether a message answers a subscription to ``channel`` (its state, or the start of its replay)."""
    return lambda m: m.get("channel") == channel and m["kind"] in ("state", "recovered")


def subscribe(client: LiveClient, *channels: str, since: dict[str, Any] | None = None) -> None:
    client.send({"op": "subscribe", "channels": list(channels), **({"since": since} if since else {})})
    for channel in channels:
        client.wait_for(answered(channel), f"{channel}'s state")


def error_on(channel: str) -> Callable[[Message], bool]:
    return lambda m: m.get("kind") == "error" and m.get("channel") == channel


def goals_on(client: LiveClient, channel: str) -> list[Message]:
    return client.on(channel, "goal_scored")


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
    after = ws.on(ch_match)[1:]  # (the kick-off may come before the goal, when it was not in the state yet)
    assert [m["seq"] for m in after] == list(range(state["seq"] + 1, state["seq"] + 1 + len(after)))
    assert {m["epoch"] for m in after} == {state["epoch"]}
    assert goal in after
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

    # the scorer is the season's top scorer now: the leaderboards follow once the statistics are materialized
    leaders = ws.wait_for(
        lambda m: m.get("kind") == "leaders" and m["body"]["goals"][:1] != [] and m["body"]["goals"][0]["goals"] == 1,
        "the leaderboards with the goal",
    )
    assert leaders["body"]["goals"][0]["player_id"] == north.player
    assert set(leaders["body"]) == {"goals", "assists", "points", "cards", "goalies"}
    ws.close()
    sse.stop()


def test_a_dropped_client_resumes_with_exactly_what_it_missed(product: Product) -> None:
    _chain, apis, north, _south = product
    match = north.matches[1]
    channel = f"match:{match['id']}"
    observer = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(observer, channel)
    north.patch_match(match["id"], status="live")
    kickoff = observer.wait_for(lambda m: m.get("kind") == "match_started", "the kick-off")
    assert kickoff["body"]["status"] == "live"
    dropped = LiveClient.open(ws_url(apis, f"api_key={north.api_key}"))
    subscribe(dropped, channel)
    sse_url = f"{apis.urls['public']}/v1/live/sse?channels={channel}&token={north.token}"
    sse = SseClient.open(sse_url)
    sse.wait_for(answered(channel), "the state")
    north.goal(match, 3)
    dropped.wait_for(lambda m: m.get("kind") == "goal_scored", "the first goal")
    last_id, _first = sse.wait_for(lambda m: m.get("kind") == "goal_scored", "the first goal")
    position = dropped.position(channel)
    dropped.close()
    sse.stop()

    missed = [north.goal(match, 30), north.goal(match, 60, home=False)]
    observer.wait_for(lambda m: m.get("body", {}).get("id") == f"goal_scored:{missed[1]}", "the missed goals")
    expected = [m for m in observer.on(channel) if m["seq"] > position["seq"]]
    assert [m["body"]["id"] for m in expected if m["kind"] == "goal_scored"] == [f"goal_scored:{e}" for e in missed]

    back = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(back, channel, since={channel: position})
    back.wait_for(lambda m: m.get("seq") == expected[-1]["seq"], "the missed messages")
    replay = back.on(channel)
    assert replay[0] == {
        "channel": channel,
        "epoch": position["epoch"],
        "seq": position["seq"],
        "kind": "recovered",
        "recovered": True,
    }
    assert replay[1:] == expected  # exactly the missed messages, in order, nothing twice

    resumed = SseClient.open(sse_url, {"Last-Event-ID": last_id or ""})
    resumed.wait_for(lambda m: m.get("seq") == expected[-1]["seq"], "the missed messages over SSE")
    assert resumed.messages()[1]["kind"] == "recovered"
    assert resumed.messages()[2:] == expected
    # and the stream goes on from there on both
    after = north.goal(match, 80)
    for client in (back, observer):
        goal = client.wait_for(lambda m: m.get("body", {}).get("id") == f"goal_scored:{after}", "the next goal")
        assert goal["seq"] == expected[-1]["seq"] + 1
    resumed.wait_for(lambda m: m.get("body", {}).get("id") == f"goal_scored:{after}", "the next goal over SSE")
    for client in (observer, back):
        client.close()
    resumed.stop()


def test_organizations_do_not_hear_each_other(product: Product) -> None:
    _chain, apis, north, south = product
    ws = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(ws, "org")
    foreign = [f"match:{south.matches[0]['id']}", f"stage:{south.stage}", f"season:{south.season}:leaders"]
    missing = ["match:987654321", "stage:987654321", "season:987654321:leaders"]
    ws.send({"op": "subscribe", "channels": foreign + missing})
    errors = {c: ws.wait_for(error_on(c), f"the error for {c}") for c in foreign + missing}
    for theirs, absent in zip(foreign, missing, strict=True):
        assert errors[theirs]["code"] == errors[absent]["code"] == "not_found"
        # the same words as for an id that does not exist: another organization's id is not revealed
        assert errors[theirs]["message"].replace(theirs, "X") == errors[absent]["message"].replace(absent, "X")
    with httpx.Client(base_url=apis.urls["public"], headers={"Authorization": f"Bearer {north.token}"}) as site:
        assert site.get(f"/v1/matches/{south.matches[0]['id']}").status_code == 404
        for channel in foreign:
            r = site.get("/v1/live/sse", params={"channels": channel})
            assert r.status_code == 404, r.text
    # south's goal is not north's news: north's org channel hears its own goal first
    south_goal = south.goal(south.matches[0], 5)
    south_ws = LiveClient.open(ws_url(apis, f"token={south.token}"))
    subscribe(south_ws, "org")
    north_goal = north.goal(north.matches[0], 88)
    first = ws.wait_for(lambda m: m.get("kind") == "goal_scored", "north's goal")
    assert first["body"]["id"] == f"goal_scored:{north_goal}"
    assert all(m["body"]["id"] != f"goal_scored:{south_goal}" for m in ws.on("org") if m["kind"] == "goal_scored")
    assert all(
        m["body"]["match_id"] != north.matches[0]["id"]
        for m in south_ws.on("org")
        if "body" in m and m["kind"] != "state"
    )
    ws.close()
    south_ws.close()


def test_bad_messages_get_clear_errors_and_the_connection_stays_usable(product: Product) -> None:
    _chain, apis, north, _south = product
    ws = LiveClient.open(ws_url(apis, f"token={north.token}"))
    ws.wait_for(lambda m: m["kind"] == "connected", "the welcome")

    def error_after(sent: Any, code: str) -> Message:
        before = len(ws.received)
        ws.send(sent)
        found = ws.wait_for(
            lambda m: m in ws.received[before:] and m.get("kind") == "error", f"an error for {sent!r:.60}"
        )
        assert found["code"] == code, found
        return found

    error_after("{not json", "bad_json")
    error_after({"op": "dance"}, "unknown_op")
    error_after({"op": "subscribe", "channels": "org"}, "bad_message")
    error_after({"op": "subscribe", "channels": ["org"], "colour": "red"}, "bad_message")
    assert (
        "no channel kind 'team'"
        in error_after({"op": "subscribe", "channels": ["team:1"]}, "unknown_channel_kind")["message"]
    )
    error_after({"op": "subscribe", "channels": ["match:one"]}, "bad_channel")
    error_after({"op": "unsubscribe", "channels": ["org"]}, "not_subscribed")
    error_after("x" * 5000, "frame_too_large")
    channels = [f"match:{m['id']}" for m in north.matches] + [f"stage:{north.stage}"]  # 7, one over the limit
    ws.send({"op": "subscribe", "channels": channels})
    refused = ws.wait_for(lambda m: m.get("code") == "too_many_channels", "the seventh channel refused")
    assert refused["channel"] == channels[-1]
    assert len([m for m in ws.received if m.get("kind") == "state"]) == 6
    before = len(ws.received)
    ws.send({"op": "ping"})
    ws.wait_for(lambda m: m in ws.received[before:] and m["kind"] == "pong", "a pong: the connection still works")
    ws.send({"op": "unsubscribe", "channels": channels[:1]})
    ws.wait_for(lambda m: m.get("kind") == "unsubscribed" and m["channel"] == channels[0], "the unsubscription")
    ws.wait_for(lambda m: m["kind"] == "ping", "a heartbeat")
    ws.send("y" * 200_000)  # far over what the server reads at all: the socket is closed (1009)
    eventually(lambda: ws.closed, message="the connection to close")
    assert ws.closed[0][0] == 1009
    ws.close()


def test_credentials_are_checked_and_never_logged(product: Product) -> None:
    _chain, apis, north, _south = product
    late = LiveClient.open(ws_url(apis))  # a browser that sends its token in the first message
    late.send({"op": "auth", "token": north.token})
    assert late.wait_for(lambda m: m["kind"] == "connected", "the welcome")["org"] == north.org
    late.close()
    for url, first in ((ws_url(apis, "token=forged"), None), (ws_url(apis), {"op": "subscribe", "channels": ["org"]})):
        refused = LiveClient.open(url)
        if first is not None:
            refused.send(first)
        eventually(refused.closed.copy, message="the connection to be refused")
        assert refused.closed[0][0] == 4401, refused.closed
        refused.close()
    with httpx.Client(base_url=apis.urls["public"]) as anonymous:
        assert anonymous.get("/v1/live/sse", params={"channels": "org"}).status_code == 401
        assert anonymous.get("/v1/live/sse", params={"channels": "org", "token": "forged"}).status_code == 401
    log = (apis.logs / "public.log").read_text(errors="replace")
    assert "WebSocket /v1/live?token=***" in log
    assert north.token not in log
    assert north.api_key.split(":")[1] not in log


def test_a_slow_client_is_closed_and_the_others_get_everything(product: Product) -> None:
    chain, apis, north, _south = product
    match = north.matches[2]
    north.patch_match(match["id"], status="live")
    channel = f"match:{match['id']}"
    fast = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(fast, channel, "org")
    slow = RawSocketClient(apis.urls["public"], f"/v1/live?token={north.token}")
    slow.send_text(json.dumps({"op": "subscribe", "channels": [channel, "org"]}))
    inserted: list[int] = []

    def too_slow_after_another_batch() -> bool:
        with chain.connect() as conn:
            rows = conn.execute(
                "INSERT INTO match_events (match_id, team_id, kind, period, minute) "
                "SELECT %s, %s, 'goal', 1, n %% 90 FROM generate_series(1, 100) n RETURNING id",
                (match["id"], match["home_team_id"]),
            ).fetchall()
        inserted.extend(r[0] for r in rows)
        return metric(apis, 'rstat_live_too_slow_total{transport="ws"}') >= 1

    eventually(too_slow_after_another_batch, interval=0.5, message="the client that does not read to be closed")
    code, text = slow.read_to_close()
    slow.close()
    assert code == 4008, text
    assert "too slow" in text
    # the client that reads got every goal, in order, without a gap
    fast.wait_for(lambda m: len(goals_on(fast, channel)) == len(inserted), f"all {len(inserted)} goals")
    seqs = [m["seq"] for m in fast.on(channel) if m["kind"] != "state"]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert sorted(int(m["body"]["id"].split(":")[1]) for m in goals_on(fast, channel)) == sorted(inserted)
    fast.close()


def test_health_and_metrics_say_how_the_feed_is(product: Product) -> None:
    _chain, apis, north, _south = product
    health = httpx.get(f"{apis.urls['public']}/healthz", timeout=30).json()
    assert health["live"]["state"] == "current"
    ws = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(ws, "org")
    assert metric(apis, 'rstat_live_connections{transport="ws"}') >= 1
    assert metric(apis, 'rstat_live_subscriptions{kind="org"}') >= 1
    assert metric(apis, "rstat_live_notice_to_socket_seconds_count") >= 1
    ws.close()


def test_a_restarted_process_gives_resuming_clients_the_state(product: Product) -> None:
    _chain, apis, north, _south = product
    match = north.matches[3]
    north.patch_match(match["id"], status="live")
    channel = f"match:{match['id']}"
    ws = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(ws, channel)
    scored = north.goal(match, 10)
    ws.wait_for(lambda m: m.get("kind") == "goal_scored", "the goal")
    position = ws.position(channel)
    ws.close()
    apis.restart("public")
    missed = north.goal(match, 20)
    back = LiveClient.open(ws_url(apis, f"token={north.token}"))
    subscribe(back, channel, since={channel: position})
    state = back.on(channel)[0]
    assert state["kind"] == "state"
    assert state["recovered"] is False
    assert state["epoch"] != position["epoch"]
    # the state holds what was missed: the client is never left with a silent gap
    events = {e["id"] for e in back.wait_for(lambda m: m["kind"] == "state", "state")["body"]["events"]}
    assert {scored, missed} <= events
    back.close()


def metric(apis: Apis, name: str) -> float:
    """A sample of the public app's /metrics (0 when absent)."""
    text = httpx.get(f"{apis.urls['public']}/metrics", timeout=30).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.split(" ", 1)[0] == name)


class RawSocketClient:
    """A WebSocket client that reads nothing until asked: a small receive buffer, and a socket nobody
    drains, so the server's sends to it block (a phone on a dead network, a frozen tab)."""

    def __init__(self, base: str, path: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window
        self.sock.settimeout(30)
        self.sock.connect((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_text(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        header = (
            bytes([0x81, 0x80 | 126]) + struct.pack("!H", len(data))
            if len(data) > 125
            else bytes([0x81, 0x80 | len(data)])
        )
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def read_to_close(self) -> tuple[int, str]:
        """Read everything the server sent, frame by frame, up to its close frame: (code, reason)."""
        while True:
            frame = self._frame()
            if frame is None:
                return 1006, "the connection ended without a close frame"
            opcode, payload = frame
            if opcode == 0x8:
                return struct.unpack("!H", payload[:2])[0], payload[2:].decode()

    def _frame(self) -> tuple[int, bytes] | None:
        head = self._read(2)
        if head is None:
            return None
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2) or b"\0\0")[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8) or b"\0" * 8)[0]
        payload = self._read(length)
        return None if payload is None else (head[0] & 0x0F, payload)

    def _read(self, n: int) -> bytes | None:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out
