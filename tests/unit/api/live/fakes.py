"""Fakes for the live feed's unit tests: a clock the test moves, a database nothing may touch, and a
:class:`api.live.service.LiveFeed` built without Kafka (its reader thread is never started)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection

from api.db import Database, Row
from api.live.config import LiveConfig
from api.live.feed import Topics
from api.live.hub import Channel, Connection, Item
from api.live.metrics import LiveMetrics
from api.live.service import LiveFeed

__all__ = ["FakeClock", "NoDatabase", "connection", "decoded", "messages", "offline_feed", "sample"]


class FakeClock:
    """A monotonic clock that only moves when the test says so (far from the real one on purpose)."""

    def __init__(self, start: float = 1_000_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class NoDatabase(Database):
    """A :class:`Database` without a pool: the code under test must not read anything."""

    def __init__(self) -> None:
        self.reads = 0

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection[Row]]:
        self.reads += 1
        raise AssertionError("a unit test of the live feed touched the database")
        yield  # pragma: no cover  (makes this a generator)


def offline_feed(config: LiveConfig | None = None) -> LiveFeed:
    """A live feed whose topics are never read and whose database is :class:`NoDatabase`."""
    topics = Topics(notices="t.notices", standings="t.standings", live_standings="t.live", players="t.players")
    return LiveFeed(config or LiveConfig(), NoDatabase(), "127.0.0.1:9", topics)


def decoded(item: Item) -> dict[str, Any]:
    """The JSON object of a queued message."""
    found = json.loads(item[1])
    assert isinstance(found, dict)
    return found


def messages(channel: Channel) -> list[dict[str, Any]]:
    """Every message a channel still holds in its history, decoded, oldest first."""
    return [decoded(item) for _seq, _at, item in channel.history]


def sample(metrics: LiveMetrics, name: str, **labels: str) -> float:
    """A metric's current value (0 when it has no sample yet)."""
    return metrics.registry.get_sample_value(name, labels) or 0.0


def connection(metrics: LiveMetrics, *, org: int = 1, limit: int = 100, transport: str = "ws") -> Connection:
    return Connection(org, limit, metrics, transport)
