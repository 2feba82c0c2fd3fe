"""The live feed's Prometheus metrics move with what happens: connections, subscriptions, channels,
messages, slow clients."""

from __future__ import annotations

from prometheus_client import generate_latest

from api.live.config import LiveConfig
from api.live.hub import TOO_SLOW, Hub
from api.live.metrics import LiveMetrics
from tests.unit.api.live.fakes import FakeClock, connection, sample


def _hub(config: LiveConfig | None = None) -> Hub:
    return Hub(config or LiveConfig(), LiveMetrics(), clock=FakeClock())


def test_the_connections_gauge_follows_attach_and_detach_per_transport() -> None:
    hub = _hub()
    ws = [connection(hub.metrics) for _ in range(3)]
    sse = connection(hub.metrics, transport="sse")
    for each in [*ws, sse]:
        hub.attach(each)
    assert sample(hub.metrics, "rstat_live_connections", transport="ws") == 3
    assert sample(hub.metrics, "rstat_live_connections", transport="sse") == 1
    hub.detach(ws[0])
    hub.detach(ws[0])  # twice: counted once
    ws[1].close(1001, "going away")  # a close detaches too
    hub.detach(ws[1])
    assert sample(hub.metrics, "rstat_live_connections", transport="ws") == 1
    hub.detach(sse)
    assert sample(hub.metrics, "rstat_live_connections", transport="sse") == 0


def test_too_slow_counts_4008_closes_only() -> None:
    hub = _hub(LiveConfig(send_timeout_s=10.0))
    overflowing = connection(hub.metrics, limit=1)
    stuck = connection(hub.metrics, transport="sse")
    polite = connection(hub.metrics)
    for each in (overflowing, stuck, polite):
        hub.attach(each)
    overflowing.push((0, "a"))
    overflowing.push((0, "b"))  # over the limit
    overflowing.push((0, "c"))  # closed already: not counted again
    stuck.sending_since = hub.clock() - 11
    hub.close_stuck(hub.clock())
    polite.close(1001, "going away")
    assert overflowing.closing is not None
    assert overflowing.closing[0] == TOO_SLOW
    assert sample(hub.metrics, "rstat_live_too_slow_total", transport="ws") == 1
    assert sample(hub.metrics, "rstat_live_too_slow_total", transport="sse") == 1
    assert sample(hub.metrics, "rstat_live_connections", transport="ws") == 0


def test_subscriptions_channels_and_messages_are_counted_by_kind() -> None:
    hub = _hub()
    first, second = connection(hub.metrics), connection(hub.metrics)
    for each in (first, second):
        hub.attach(each)
    match, org = hub.channel("match:1", "match:1"), hub.channel("org:5", "org")
    hub.listen(first, match)
    hub.listen(second, match)
    hub.listen(first, org)
    assert sample(hub.metrics, "rstat_live_subscriptions", kind="match") == 2
    assert sample(hub.metrics, "rstat_live_subscriptions", kind="org") == 1
    assert sample(hub.metrics, "rstat_live_channels") == 2
    hub.publish("match:1", "match:1", "goal_scored", b"{}", 1)  # to two listeners
    hub.publish("org:5", "org", "goal_scored", b"{}", 1)
    hub.publish("stage:3", "stage:3", "standings", b"{}", 1)  # nobody listens: a new channel, nothing sent
    assert sample(hub.metrics, "rstat_live_messages_sent_total", kind="match") == 2
    assert sample(hub.metrics, "rstat_live_messages_sent_total", kind="org") == 1
    assert sample(hub.metrics, "rstat_live_messages_sent_total", kind="stage") == 0
    assert sample(hub.metrics, "rstat_live_channels") == 3
    hub.unlisten(first, match)
    hub.unlisten(first, match)  # not listening any more: not counted twice
    second.close(1000, "bye")
    assert sample(hub.metrics, "rstat_live_subscriptions", kind="match") == 0
    assert sample(hub.metrics, "rstat_live_subscriptions", kind="org") == 1


def test_each_feed_has_its_own_registry_with_every_metric() -> None:
    first, second = LiveMetrics(), LiveMetrics()  # two apps in one process do not collide
    first.errors.labels("bad_json").inc()
    assert sample(first, "rstat_live_client_errors_total", code="bad_json") == 1
    assert sample(second, "rstat_live_client_errors_total", code="bad_json") == 0
    text = generate_latest(first.registry).decode()
    for name in (
        "rstat_live_connections",
        "rstat_live_subscriptions",
        "rstat_live_channels",
        "rstat_live_messages_sent_total",
        "rstat_live_too_slow_total",
        "rstat_live_resumes_total",
        "rstat_live_client_errors_total",
        "rstat_live_records_total",
        "rstat_live_bad_records_total",
        "rstat_live_consumer_lag_messages",
        "rstat_live_notice_to_socket_seconds",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text
