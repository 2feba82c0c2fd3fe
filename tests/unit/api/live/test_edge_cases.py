"""Edge cases a review of the live feed found broken, each fixed: newline and leading-zero channel names,
the hub's clock for new channels, eviction that dropped the channel just made, a slow listener closed in the
middle of a fan-out or a heartbeat, and a frame limit counted in characters instead of bytes."""

from __future__ import annotations

import pytest

from api.live.channels import ChannelError, parse_channel
from api.live.config import LiveConfig
from api.live.hub import TOO_SLOW, Hub
from api.live.metrics import LiveMetrics
from tests.unit.api.live.fakes import FakeClock, connection, decoded, offline_feed


@pytest.mark.parametrize("name", ["match:7\n", "stage:3\n", "season:4:leaders\n", "org\n"])
def test_a_trailing_newline_is_not_a_channel(name: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(name, 1)
    assert caught.value.code == "bad_channel"


@pytest.mark.parametrize("name", ["match:007", "stage:03", "season:04:leaders", "match:00"])
def test_an_id_with_leading_zeros_does_not_make_a_channel_nothing_is_published_to(name: str) -> None:
    with pytest.raises(ChannelError) as caught:  # refused: the routes never print an id that way
        parse_channel(name, 1)
    assert caught.value.code == "bad_channel"


def test_a_new_channel_is_stamped_by_the_hubs_clock() -> None:
    clock = FakeClock()
    hub = Hub(LiveConfig(history_ttl_s=60.0), LiveMetrics(), clock=clock)
    made = hub.channel("match:1", "match:1")
    assert made.used == clock.now
    clock.advance(1)
    hub.tick()
    assert "match:1" in hub.channels  # idle for 1 s of 60


def test_the_channel_just_made_is_not_evicted_when_every_other_channel_has_listeners() -> None:
    hub = Hub(LiveConfig(max_channels_kept=2), LiveMetrics(), clock=FakeClock())
    listener = connection(hub.metrics)
    hub.attach(listener)
    for key in ("a", "b"):
        hub.listen(listener, hub.channel(key, key))
    made = hub.channel("c", "c")
    assert hub.channels.get("c") is made
    assert hub.channel("c", "c") is made


@pytest.mark.asyncio
async def test_subscribing_when_every_kept_channel_has_listeners_succeeds() -> None:
    live = offline_feed(LiveConfig(max_channels_kept=1))
    other = connection(live.metrics, org=5)
    live.hub.attach(other)
    live.hub.listen(other, live.hub.channel("match:1", "match:1"))
    client = connection(live.metrics, org=5)
    live.hub.attach(client)
    await live.subscribe(client, parse_channel("org", 5), None)
    assert decoded(client.queue[0])["kind"] == "state"


def test_a_listener_closed_as_too_slow_by_a_publish_does_not_stop_the_others_getting_it() -> None:
    hub = Hub(LiveConfig(), LiveMetrics(), clock=FakeClock())
    channel = hub.channel("match:1", "match:1")
    listeners = [connection(hub.metrics, limit=1) for _ in range(4)]
    for each in listeners:
        hub.attach(each)
        hub.listen(each, channel)
    slow = listeners[1]
    slow.push((0, "queued"))  # at its limit: the next message closes it
    hub.publish("match:1", "match:1", "goal_scored", b"{}", 1)  # raised: RuntimeError: Set changed size
    assert slow.closing is not None
    assert slow.closing[0] == TOO_SLOW
    for each in listeners:
        if each is not slow:
            assert [decoded(i)["seq"] for i in each.queue] == [1]


def test_a_ping_that_closes_a_full_connection_does_not_break_the_tick() -> None:
    hub = Hub(LiveConfig(), LiveMetrics(), clock=FakeClock())
    listeners = [connection(hub.metrics, limit=1) for _ in range(3)]
    for each in listeners:
        hub.attach(each)
    listeners[0].push((0, "queued"))
    hub.tick()  # raised: RuntimeError: Set changed size during iteration
    assert listeners[0].closing is not None
    assert listeners[0] not in hub.connections
    assert all(len(each.queue) == 1 for each in listeners[1:])


@pytest.mark.asyncio
async def test_max_frame_bytes_counts_bytes_of_a_text_frame() -> None:
    from api.live.session import Session

    live = offline_feed(LiveConfig(max_frame_bytes=100))
    client = connection(live.metrics, org=5)
    raw = '{"op": "ping", "token": "' + "é" * 60 + '"}'  # 86 characters, 146 bytes
    assert len(raw.encode()) > 100 >= len(raw)
    await Session(live, client).handle(raw)
    assert decoded(client.queue[0]).get("code") == "frame_too_large"
