"""A client's conversation without a socket: SSE positions, and WebSocket messages handled by a
:class:`Session` over a live feed that reads no topics (only ``org`` needs no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.live.config import LiveConfig
from api.live.hub import Connection, Hub
from api.live.service import LiveFeed, Position
from api.live.session import Session, format_positions, parse_positions
from tests.unit.api.live.fakes import FakeClock, NoDatabase, connection, decoded, offline_feed, sample

# -- positions (SSE event ids)


@pytest.mark.parametrize(
    "positions",
    [
        {},
        {"match:7": ("1a2b3c4d-1", 41)},
        {"match:7": ("1a2b3c4d-1", 41), "season:3:leaders": ("1a2b3c4d-2", 0), "org": ("ffff0000-19", 123456789)},
        {"stage:1": ("", 5)},
    ],
)
def test_positions_round_trip(positions: dict[str, tuple[str, int]]) -> None:
    text = format_positions(positions)
    assert parse_positions(text) == {name: Position(epoch=e, seq=s) for name, (e, s) in positions.items()}


def test_positions_are_written_as_channel_at_epoch_at_seq() -> None:
    assert format_positions({"match:7": ("e-1", 4), "org": ("e-2", 0)}) == "match:7@e-1@4,org@e-2@0"
    assert parse_positions("match:7@e-1@4,,org@e-2@0,") == {
        "match:7": Position(epoch="e-1", seq=4),
        "org": Position(epoch="e-2", seq=0),
    }
    assert parse_positions("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "match:7",
        "match:7@41",
        "@e-1@41",
        "match:7@e-1@",
        "match:7@e-1@x",
        "match:7@e-1@-1",
        "match:7@e-1@4.5",
        "match:7@e-1@ 4",
        "match:7@e-1@4,org",
        "match:7@e-1@" + "9" * 5000,
    ],
)
def test_malformed_positions_are_value_errors(text: str) -> None:
    with pytest.raises(ValueError, match=r"channel@epoch@seq|digits"):
        parse_positions(text)


# -- a WebSocket client's messages


def _session(config: LiveConfig | None = None, org: int = 5) -> tuple[LiveFeed, Connection, Session]:
    live = offline_feed(config)
    live.hub = Hub(live.config, live.metrics, clock=FakeClock())
    client = connection(live.metrics, org=org)
    live.hub.attach(client)
    return live, client, Session(live, client)


def _sent(client: Connection) -> list[dict[str, Any]]:
    out = [decoded(item) for item in client.queue]
    client.queue.clear()
    return out


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{", "bad_json"),
        (b"\xff", "bad_json"),
        ("[1, 2]", "bad_message"),
        ('{"op": "subscribe", "channels": "match:1"}', "bad_message"),
        ('{"op": "subscribe", "extra": 1}', "bad_message"),
        ('{"channels": []}', "bad_message"),
        ('{"op": "dance"}', "unknown_op"),
        ('{"op": "auth", "token": "t"}', "already_authenticated"),
        ('{"op": "ping", "token": "' + "x" * 5000 + '"}', "frame_too_large"),
    ],
)
async def test_bad_messages_get_an_error_and_the_connection_stays_usable(raw: str | bytes, code: str) -> None:
    live, client, session = _session()
    await session.handle(raw)
    [error] = _sent(client)
    assert error["kind"] == "error"
    assert error["code"] == code
    assert error["message"]
    assert sample(live.metrics, "rstat_live_client_errors_total", code=code) == 1
    assert client.closing is None
    await session.handle('{"op": "ping"}')
    assert _sent(client) == [{"kind": "pong"}]


@pytest.mark.asyncio
async def test_bad_channels_are_refused_one_by_one_and_name_the_channel() -> None:
    _live, client, session = _session()
    await session.handle('{"op": "subscribe", "channels": ["team:1", "match:x", "org"]}')
    sent = _sent(client)
    assert [(m.get("code"), m.get("channel")) for m in sent[:2]] == [
        ("unknown_channel_kind", "team:1"),
        ("bad_channel", "match:x"),
    ]
    assert (sent[2]["kind"], sent[2]["channel"]) == ("state", "org")  # the good one is subscribed
    assert set(client.channels) == {"org:5"}


@pytest.mark.asyncio
async def test_subscribing_to_org_gives_its_state_and_then_its_messages() -> None:
    live, client, session = _session()
    await session.handle('{"op": "subscribe", "channels": ["org"]}')
    [state] = _sent(client)
    channel = live.hub.channels["org:5"]
    assert state == {
        "channel": "org",
        "epoch": channel.epoch,
        "seq": 0,
        "kind": "state",
        "recovered": False,
        "body": {"org": 5, "recent": []},
    }
    assert client in channel.listeners
    live.hub.publish("org:5", "org", "goal_scored", b'{"id":"g1"}', 9)
    live.hub.publish("org:6", "org", "goal_scored", b'{"id":"other"}', 9)  # another organization's
    assert [(m["channel"], m["seq"], m["body"]) for m in _sent(client)] == [("org", 1, {"id": "g1"})]
    assert isinstance(live.db, NoDatabase)
    assert live.db.reads == 0


@pytest.mark.asyncio
async def test_a_resuming_client_gets_exactly_what_it_missed() -> None:
    live, client, session = _session()
    for n in range(1, 5):
        live.hub.publish("org:5", "org", "goal_scored", b'{"n":%d}' % n, n)
    epoch = live.hub.channels["org:5"].epoch
    await session.handle(
        json.dumps({"op": "subscribe", "channels": ["org"], "since": {"org": {"epoch": epoch, "seq": 2}}})
    )
    sent = _sent(client)
    assert sent[0] == {"channel": "org", "epoch": epoch, "seq": 2, "kind": "recovered", "recovered": True}
    assert [(m["seq"], m["body"]) for m in sent[1:]] == [(3, {"n": 3}), (4, {"n": 4})]
    assert sample(live.metrics, "rstat_live_resumes_total", result="recovered") == 1


@pytest.mark.asyncio
async def test_a_client_of_another_epoch_gets_the_state_with_the_recent_messages() -> None:
    live, client, session = _session()
    for n in range(1, 4):
        live.hub.publish("org:5", "org", "goal_scored", b'{"n":%d}' % n, n)
    await session.handle('{"op": "subscribe", "channels": ["org"], "since": {"org": {"epoch": "gone-1", "seq": 2}}}')
    [state] = _sent(client)
    assert (state["kind"], state["recovered"], state["seq"]) == ("state", False, 3)
    assert [m["body"]["n"] for m in state["body"]["recent"]] == [1, 2, 3]
    assert sample(live.metrics, "rstat_live_resumes_total", result="reset") == 1


@pytest.mark.asyncio
async def test_since_may_only_name_channels_subscribed_in_the_same_message() -> None:
    _live, client, session = _session()
    await session.handle('{"op": "subscribe", "channels": ["org"], "since": {"match:1": {"epoch": "e", "seq": 1}}}')
    [error] = _sent(client)
    assert (error["kind"], error["code"]) == ("error", "bad_message")
    assert "match:1" in error["message"]
    assert not client.channels


@pytest.mark.asyncio
async def test_a_channel_is_subscribed_once_and_within_max_channels() -> None:
    _live, client, session = _session(LiveConfig(max_channels=1))
    await session.handle('{"op": "subscribe", "channels": ["org"]}')
    _sent(client)
    await session.handle('{"op": "subscribe", "channels": ["org"]}')
    assert [(m["code"], m["channel"]) for m in _sent(client)] == [("already_subscribed", "org")]
    await session.handle('{"op": "subscribe", "channels": ["match:1"]}')  # refused before any database read
    assert [(m["code"], m["channel"]) for m in _sent(client)] == [("too_many_channels", "match:1")]
    assert set(client.channels) == {"org:5"}


@pytest.mark.asyncio
async def test_unsubscribe_stops_the_messages() -> None:
    live, client, session = _session()
    await session.handle('{"op": "unsubscribe", "channels": ["org", "nope:1"]}')
    assert [(m["code"], m["channel"]) for m in _sent(client)] == [
        ("not_subscribed", "org"),
        ("unknown_channel_kind", "nope:1"),
    ]
    await session.handle('{"op": "subscribe", "channels": ["org"]}')
    _sent(client)
    await session.handle('{"op": "unsubscribe", "channels": ["org"]}')
    assert _sent(client) == [{"kind": "unsubscribed", "channel": "org"}]
    assert not client.channels
    assert not live.hub.channels["org:5"].listeners
    live.hub.publish("org:5", "org", "goal_scored", b"{}", 1)
    assert _sent(client) == []
