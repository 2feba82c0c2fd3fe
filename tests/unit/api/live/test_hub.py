"""Channels, connections and the hub without sockets: numbering, encoding, replay, heartbeats and expiry
(on a fake clock), eviction, and slow connections."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from api.live.config import LiveConfig
from api.live.hub import TOO_SLOW, Channel, Connection, Hub, encode_message
from api.live.metrics import LiveMetrics
from tests.unit.api.live.fakes import FakeClock, connection, decoded, messages

FIELDS = ["channel", "epoch", "seq", "kind", "ts", "body"]


def _hub(clock: FakeClock, config: LiveConfig | None = None) -> Hub:
    return Hub(config or LiveConfig(), LiveMetrics(), clock=clock)


# -- messages and numbering


def test_a_message_is_json_with_its_fields_in_order_and_the_body_as_published() -> None:
    text = encode_message(
        'match:"7"', "ab12cd34-3", 41, kind="goal_scored", ts_ms=1_700_000_000_123, body=b'{"a":[1,2]}'
    )
    found = json.loads(text)
    assert list(found) == FIELDS
    assert found == {
        "channel": 'match:"7"',  # the name is escaped
        "epoch": "ab12cd34-3",
        "seq": 41,
        "kind": "goal_scored",
        "ts": 1_700_000_000_123,
        "body": {"a": [1, 2]},
    }


def test_publish_numbers_messages_from_one_without_gaps_and_fans_the_same_item_out() -> None:
    metrics = LiveMetrics()
    channel = Channel("org:5", "org", "e-1", history=10, now=0.0)
    first, second = connection(metrics), connection(metrics)
    channel.listeners.update({first, second})
    sent = [channel.publish("goal_scored", b'{"n":%d}' % n, 1000 + n, now=float(n)) for n in range(1, 6)]
    assert sent == [2] * 5
    assert channel.seq == 5
    assert [m["seq"] for m in messages(channel)] == [1, 2, 3, 4, 5]
    assert [m["body"] for m in messages(channel)] == [{"n": n} for n in range(1, 6)]
    for message in messages(channel):
        assert list(message) == FIELDS
        assert message["channel"] == "org"  # the name the client knows, not the key
        assert message["epoch"] == "e-1"
        assert message["kind"] == "goal_scored"
        assert message["ts"] == 1000 + message["seq"]
    assert list(first.queue) == list(second.queue) == [item for _s, _at, item in channel.history]
    assert all(a is b for a, b in zip(first.queue, second.queue, strict=True))  # one encoding, shared


def test_history_keeps_the_newest_history_size_messages() -> None:
    channel = Channel("match:1", "match:1", "e-1", history=3, now=0.0)
    for n in range(1, 8):
        channel.publish("k", b"{}", 0, now=float(n))
    assert [s for s, _at, _item in channel.history] == [5, 6, 7]
    assert channel.seq == 7


# -- replay after a position


def _filled(count: int, history: int = 100) -> Channel:
    channel = Channel("match:1", "match:1", "e-1", history=history, now=0.0)
    for n in range(1, count + 1):
        channel.publish("k", b'{"n":%d}' % n, n, now=100.0 + n)
    return channel


def test_since_replays_exactly_the_messages_after_seq() -> None:
    channel = _filled(6)
    for seq in range(6):
        found = channel.since(seq, oldest=0.0)
        assert found is not None
        assert [decoded(item)["seq"] for item in found] == list(range(seq + 1, 7))
    assert channel.since(6, oldest=0.0) == []  # up to date


@pytest.mark.parametrize("seq", [7, 100, -1, -7])
def test_since_refuses_positions_the_channel_never_had(seq: int) -> None:
    assert _filled(6).since(seq, oldest=0.0) is None


def test_since_refuses_positions_older_than_the_history_kept() -> None:
    channel = _filled(10, history=4)  # keeps 7..10
    assert channel.since(5, oldest=0.0) is None  # 6 is gone
    assert channel.since(2, oldest=0.0) is None
    found = channel.since(6, oldest=0.0)
    assert found is not None
    assert [decoded(item)["seq"] for item in found] == [7, 8, 9, 10]


def test_since_refuses_positions_whose_next_message_is_older_than_oldest() -> None:
    channel = _filled(5)  # published at 101..105
    assert channel.since(1, oldest=102.0) is not None  # 2 was published at 102: still resumable
    assert channel.since(1, oldest=102.5) is None  # 2 is too old
    assert channel.since(3, oldest=103.5) is not None  # 4 was published at 104
    assert channel.since(5, oldest=1e12) == []  # nothing missed: nothing too old


def test_since_on_an_empty_channel() -> None:
    channel = Channel("match:1", "match:1", "e-1", history=10, now=0.0)
    assert channel.since(0, oldest=0.0) == []
    assert channel.since(1, oldest=0.0) is None


# -- the hub's channels and epochs


def test_the_same_key_is_the_same_channel_and_a_recreated_one_gets_a_new_epoch() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(history_ttl_s=60.0))
    made = hub.channel("match:1", "match:1")
    assert made.epoch == f"{hub.epoch}-1"
    assert hub.channel("match:1", "match:1") is made
    other = hub.channel("match:2", "match:2")
    assert other.epoch == f"{hub.epoch}-2"
    del hub.channels["match:1"]  # dropped (as tick or eviction does)
    again = hub.channel("match:1", "match:1")
    assert again is not made
    assert again.epoch not in {made.epoch, other.epoch}
    assert again.seq == 0


def test_two_processes_number_channels_under_different_epochs() -> None:
    first, second = _hub(FakeClock()), _hub(FakeClock())
    assert first.epoch != second.epoch
    assert first.channel("match:1", "match:1").epoch != second.channel("match:1", "match:1").epoch


def test_hub_publish_goes_to_the_channel_under_its_key_with_its_name() -> None:
    clock = FakeClock()
    hub = _hub(clock)
    hub.publish("org:5", "org", "goal_scored", b"{}", 7)
    hub.publish("org:5", "org", "card_shown", b"{}", 8)
    channel = hub.channels["org:5"]
    assert [(m["channel"], m["seq"], m["kind"]) for m in messages(channel)] == [
        ("org", 1, "goal_scored"),
        ("org", 2, "card_shown"),
    ]
    assert [at for _s, at, _item in channel.history] == [clock.now, clock.now]  # stamped by the hub's clock


def test_evict_drops_the_least_recently_used_idle_channels_and_keeps_listened_ones() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(max_channels_kept=3))
    listener = connection(hub.metrics)
    hub.attach(listener)
    hub.listen(listener, hub.channel("a", "a"))  # oldest, but listened to
    hub.channel("b", "b")
    hub.channel("c", "c")
    hub.channel("b", "b")  # b used again: c is now the least recently used idle channel
    hub.channel("d", "d")
    assert list(hub.channels) == ["a", "b", "d"]
    hub.channel("e", "e")
    assert list(hub.channels) == ["a", "d", "e"]
    assert hub.metrics.registry.get_sample_value("rstat_live_channels") == 3


# -- heartbeats and expiry


def test_tick_pings_every_connection() -> None:
    hub = _hub(FakeClock())
    first, second = connection(hub.metrics), connection(hub.metrics, transport="sse")
    hub.attach(first)
    hub.attach(second)
    before = int(time.time() * 1000)
    hub.tick()
    after = int(time.time() * 1000)
    for listener in (first, second):
        assert len(listener.queue) == 1
        ts, _text = listener.queue[0]
        assert ts == 0  # not a record: no latency sample
        ping = decoded(listener.queue[0])
        assert ping["kind"] == "ping"
        assert before <= ping["ts"] <= after


def test_tick_expires_history_older_than_history_ttl_s() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(history_ttl_s=60.0))
    hub.publish("match:1", "match:1", "k", b"{}", 0)
    clock.advance(30)
    hub.publish("match:1", "match:1", "k", b"{}", 0)
    channel = hub.channels["match:1"]
    clock.advance(30)
    hub.tick()
    assert [s for s, _at, _item in channel.history] == [1, 2]  # the first is exactly 60 s old: kept
    clock.advance(1)
    hub.tick()
    assert [s for s, _at, _item in channel.history] == [2]
    assert channel.since(0, oldest=clock.now - 60) is None  # 1 is gone
    assert channel.since(1, oldest=clock.now - 60) is not None
    clock.advance(30)
    hub.tick()
    assert not channel.history
    assert channel.seq == 2  # numbering goes on
    assert channel.since(1, oldest=clock.now - 60) is None


def test_tick_drops_idle_channels_without_listeners_or_history() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(history_ttl_s=60.0))
    hub.channel("match:1", "match:1")  # idle: dropped
    listened = hub.channel("match:2", "match:2")
    recent = hub.channel("match:3", "match:3")
    listener = connection(hub.metrics)
    hub.attach(listener)
    hub.listen(listener, listened)
    clock.advance(59)
    hub.publish("match:3", "match:3", "k", b"{}", 0)  # used again, and has history
    hub.tick()
    assert set(hub.channels) == {"match:1", "match:2", "match:3"}
    clock.advance(2)  # match:1 idle for 61 s
    hub.tick()
    assert set(hub.channels) == {"match:2", "match:3"}
    assert hub.metrics.registry.get_sample_value("rstat_live_channels") == 2
    clock.advance(60)  # match:3's message expired and it has been idle for 62 s
    hub.tick()
    assert set(hub.channels) == {"match:2"}  # a channel someone listens to stays
    recreated = hub.channel("match:3", "match:3")
    assert recreated is not recent
    assert recreated.epoch != recent.epoch


def test_a_channel_unlistened_recently_is_kept_until_idle_for_history_ttl_s() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(history_ttl_s=60.0))
    listener = connection(hub.metrics)
    hub.attach(listener)
    channel = hub.channel("stage:1", "stage:1")
    hub.listen(listener, channel)
    clock.advance(1000)
    hub.tick()
    hub.unlisten(listener, channel)  # stamps `used` with the hub's clock
    clock.advance(60)
    hub.tick()
    assert "stage:1" in hub.channels
    clock.advance(1)
    hub.tick()
    assert "stage:1" not in hub.channels


# -- connections


def test_push_over_the_limit_closes_as_too_slow_and_ignores_what_comes_after() -> None:
    metrics = LiveMetrics()
    slow = connection(metrics, limit=3)
    for n in range(3):
        slow.push((n, f"m{n}"))
    assert slow.closing is None
    assert len(slow.queue) == 3
    slow.push((3, "m3"))
    assert slow.closing is not None
    code, reason = slow.closing
    assert code == TOO_SLOW == 4008
    assert "too slow" in reason
    assert "since" in reason  # says how to resume
    assert not slow.queue
    assert slow.ready.is_set()  # the writer wakes up to close
    slow.push((4, "m4"))
    assert not slow.queue
    assert slow.closing == (code, reason)


def test_close_aborts_only_a_pending_send_and_tells_on_close_once() -> None:
    metrics = LiveMetrics()
    aborted: list[str] = []
    closed: list[Connection] = []
    idle, sending = connection(metrics), connection(metrics)
    idle.abort = lambda: aborted.append("idle")
    sending.abort = lambda: aborted.append("sending")
    for which in (idle, sending):
        which.on_close = closed.append
    sending.sending_since = 12.0
    idle.push((0, "queued"))
    idle.close(1001, "going away")
    sending.close(1001, "going away")
    assert aborted == ["sending"]
    assert closed == [idle, sending]
    assert idle.closing == (1001, "going away")
    assert not idle.queue
    sending.close(TOO_SLOW, "again")
    assert sending.closing == (1001, "going away")  # the first reason stands
    assert aborted == ["sending"]
    assert closed == [idle, sending]


def test_close_without_abort_or_on_close_set_is_fine() -> None:
    bare = connection(LiveMetrics())
    bare.sending_since = 1.0
    bare.close(1000, "bye")
    assert bare.closing == (1000, "bye")


def test_close_stuck_closes_connections_whose_send_waited_longer_than_send_timeout_s() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(send_timeout_s=10.0))
    stuck, at_limit, sending, idle = (connection(hub.metrics) for _ in range(4))
    for which in (stuck, at_limit, sending, idle):
        hub.attach(which)
    aborted: list[Connection] = []
    stuck.abort = lambda: aborted.append(stuck)
    stuck.sending_since = clock.now - 10.5
    at_limit.sending_since = clock.now - 10.0
    sending.sending_since = clock.now - 1.0
    hub.close_stuck(clock.now)
    assert stuck.closing is not None
    assert stuck.closing[0] == TOO_SLOW
    assert "10 s" in stuck.closing[1]
    assert aborted == [stuck]
    assert stuck not in hub.connections  # forgotten by the hub
    assert all(c.closing is None for c in (at_limit, sending, idle))
    assert hub.connections == {at_limit, sending, idle}


def test_tick_closes_stuck_connections_before_pinging() -> None:
    clock = FakeClock()
    hub = _hub(clock, LiveConfig(send_timeout_s=10.0))
    stuck, fine = connection(hub.metrics), connection(hub.metrics)
    hub.attach(stuck)
    hub.attach(fine)
    stuck.sending_since = clock.now
    clock.advance(11)
    hub.tick()
    assert stuck.closing is not None
    assert stuck.closing[0] == TOO_SLOW
    assert not stuck.queue
    assert [decoded(item)["kind"] for item in fine.queue] == ["ping"]


def test_a_closed_connection_is_detached_from_the_hub_and_its_channels() -> None:
    hub = _hub(FakeClock())
    listener = connection(hub.metrics)
    hub.attach(listener)
    first, second = hub.channel("match:1", "match:1"), hub.channel("org:1", "org")
    hub.listen(listener, first)
    hub.listen(listener, second)
    assert listener.channels == {"match:1": first, "org:1": second}
    listener.close(1001, "going away")
    assert listener not in hub.connections
    assert not first.listeners
    assert not second.listeners
    assert not listener.channels
    hub.detach(listener)  # the transport detaches again when it ends: harmless
    assert listener not in hub.connections


@pytest.mark.asyncio
async def test_take_returns_what_is_queued_and_waits_for_more() -> None:
    listener = connection(LiveMetrics())
    listener.push((1, "a"))
    listener.push((2, "b"))
    assert await listener.take() == [(1, "a"), (2, "b")]
    assert not listener.queue
    waiting = asyncio.create_task(listener.take())
    await asyncio.sleep(0)
    assert not waiting.done()  # nothing queued: it waits
    listener.push((3, "c"))
    assert await asyncio.wait_for(waiting, 5) == [(3, "c")]


@pytest.mark.asyncio
async def test_take_returns_nothing_once_closing() -> None:
    listener = connection(LiveMetrics())
    waiting = asyncio.create_task(listener.take())
    await asyncio.sleep(0)
    assert not waiting.done()
    listener.close(1001, "going away")
    assert await asyncio.wait_for(waiting, 5) == []
    listener.push((1, "late"))
    assert await listener.take() == []
    queued = connection(LiveMetrics())
    queued.push((1, "a"))
    queued.close(4008, "too slow")
    assert await queued.take() == []  # what was queued is dropped
