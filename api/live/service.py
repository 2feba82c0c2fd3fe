"""The live feed of one public app process: the topics read, routed into channels, and subscriptions served.

Built by the bootstrap (``rstat.boot.api``) and started with the app: its reader thread and the tasks that
route records, refresh leaderboards and send heartbeats live as long as the app does.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time

import msgspec

from api.db import Database
from api.live.channels import ChannelRef, authorize
from api.live.config import LiveConfig
from api.live.feed import TopicFeed, Topics
from api.live.hub import Channel, Connection, Hub, Item
from api.live.metrics import LiveMetrics
from api.live.router import Leaders, Router
from api.live.state import state_body

__all__ = ["LiveFeed", "Position", "control"]

log = logging.getLogger(__name__)

_json = msgspec.json.Encoder()
#: times a state is read again because its channel moved on too far meanwhile
STATE_ATTEMPTS = 5


class Position(msgspec.Struct, frozen=True):
    """Where a client stands in one channel: what it received last."""

    epoch: str
    seq: int


def control(**fields: object) -> Item:
    """A message of the feed itself (not of a channel): connected, error, pong, unsubscribed."""
    return (0, _json.encode(fields).decode())


class LiveFeed:
    def __init__(self, config: LiveConfig, db: Database, bootstrap: str, topics: Topics) -> None:
        self.config = config
        self.db = db
        self.metrics = LiveMetrics()
        self.hub = Hub(config, self.metrics)
        self.feed = TopicFeed(bootstrap, topics, config.backfill_s, self.metrics)
        self.leaders = Leaders(self.hub, db, config)
        self.router = Router(self.hub, db, self.leaders)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [
            asyncio.create_task(self.router.run(), name="live-router"),
            asyncio.create_task(self.leaders.run(), name="live-leaders"),
            asyncio.create_task(self.hub.run_heartbeats(), name="live-heartbeats"),
        ]
        if self.config.gc_freeze_s > 0:
            self._tasks.append(asyncio.create_task(self._calm_collections(), name="live-gc"))
        self.feed.start(loop, self.router.deliver)

    async def stop(self) -> None:
        for connection in list(self.hub.connections):
            connection.close(1001, "the server is going away; reconnect with since to resume")
        await asyncio.to_thread(self.feed.stop)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _calm_collections(self) -> None:
        """Keep CPython's full collections short: long-lived objects (connections, history) are frozen out
        of them every ``gc_freeze_s``, and everything is collected once every ``gc_full_s``."""
        last_full = time.monotonic()
        while True:
            await asyncio.sleep(self.config.gc_freeze_s)
            if time.monotonic() - last_full >= self.config.gc_full_s:
                last_full = time.monotonic()
                gc.unfreeze()
                gc.collect()
                self.metrics.gc_full.set(time.monotonic() - last_full)
            gc.freeze()

    def health(self) -> dict[str, object]:
        """What ``/healthz`` says of the feed: whether it has read the topics up to where they were at start
        and keeps up, and its lag."""
        state = "down" if self.feed.error else ("current" if self.feed.current else "catching up")
        return {"state": state, "lag_messages": self.feed.lag, "error": self.feed.error}

    async def _state(self, org: int, ref: ChannelRef, channel: Channel) -> bytes:
        """The channel's state, read again unless it was read within ``state_cache_s`` at the same seq."""
        cached, now = channel.state, self.hub.clock()
        if cached is not None and cached[0] == channel.seq and now - cached[1] < self.config.state_cache_s:
            return cached[2]
        seq = channel.seq
        body = await state_body(self.db, org, ref, channel, self.config.leaders_limit)
        channel.state = (seq, now, body)
        return body

    async def subscribe(self, connection: Connection, ref: ChannelRef, since: Position | None) -> None:
        """Listen to a channel: the missed messages after ``since`` when this process still has them all,
        otherwise the channel's state (``recovered: false``) and every message after it, in order.
        Raises :class:`api.errors.NotFoundError` for a channel the caller's organization does not have."""
        await authorize(self.db, connection.org, ref)
        hub = self.hub
        channel = hub.channel(ref.key, ref.name)
        if since is not None:
            oldest = hub.clock() - self.config.history_ttl_s
            missed = channel.since(since.seq, oldest) if since.epoch == channel.epoch else None
            self.metrics.resumes.labels("recovered" if missed is not None else "reset").inc()
            if missed is not None:
                connection.push(
                    control(channel=ref.name, epoch=channel.epoch, seq=since.seq, kind="recovered", recovered=True)
                )
                for item in missed:
                    connection.push(item)
                hub.listen(connection, channel)
                return
        for _attempt in range(STATE_ATTEMPTS):
            seq = channel.seq
            body = await self._state(connection.org, ref, channel)
            if connection.closing is not None:
                return
            current = hub.channel(ref.key, ref.name)
            after = channel.since(seq, -math.inf) if current is channel else None
            channel = current
            if after is None:
                continue  # the channel was dropped, or moved on past its history, while the state was read
            name = _json.encode(ref.name).decode()
            connection.push(
                (
                    0,
                    f'{{"channel":{name},"epoch":"{channel.epoch}","seq":{seq},"kind":"state",'
                    f'"recovered":false,"body":{body.decode()}}}',
                )
            )
            for item in after:
                connection.push(item)
            hub.listen(connection, channel)
            return
        raise RuntimeError(f"channel {ref.name} changed faster than its state could be read")
