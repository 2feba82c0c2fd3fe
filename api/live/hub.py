"""Channels with gap-free sequence numbers and a bounded history, and the connections they fan out to.

Each message is encoded once, when it is published, and the same bytes go to every listener and into the
channel's history. A channel's ``epoch`` names one run of its numbering: this process's random id and the
channel's generation here, so a client that resumes against another process, or after a restart or after
the channel was dropped, is told it cannot replay (``recovered: false``) instead of getting a silent gap.

A connection's queue is bounded: a client that stops reading (its socket buffer full, a send pending longer
than ``send_timeout_s``) or falls ``queue_size`` messages behind is closed with code 4008, so it never slows
the others down or grows the process's memory. The messages are shared bytes: a queue holds references.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable

import msgspec

from api.live.config import LiveConfig
from api.live.metrics import LiveMetrics

__all__ = ["TOO_SLOW", "Channel", "Connection", "Hub", "Item", "encode_message"]

log = logging.getLogger(__name__)

#: close code of a connection that could not keep up (the 4000-4999 range is the application's)
TOO_SLOW = 4008

_json = msgspec.json.Encoder()

#: what a connection's queue holds: (the source record's Kafka timestamp in ms, 0 for a ping; the message).
#: One tuple per message, shared by every connection it goes to.
Item = tuple[int, str]


def encode_message(name: str, epoch: str, seq: int, *, kind: str, ts_ms: int, body: bytes) -> str:
    """One channel message (text: WebSocket frames and SSE data are text); ``body`` is JSON already.
    Built by hand: it is the hottest line of the feed."""
    return (
        b'{"channel":%s,"epoch":"%s","seq":%d,"kind":"%s","ts":%d,"body":%s}'
        % (_json.encode(name), epoch.encode(), seq, kind.encode(), ts_ms, body)
    ).decode()


class Connection:
    """One client's queue of outgoing messages, whatever its transport (WebSocket or SSE)."""

    def __init__(self, org: int, limit: int, metrics: LiveMetrics, transport: str) -> None:
        self.org = org
        self.limit = limit
        self.metrics = metrics
        self.transport = transport
        self.queue: deque[Item] = deque()
        self.ready = asyncio.Event()
        #: channel key -> channel, of the channels this connection listens to
        self.channels: dict[str, Channel] = {}
        #: why the connection must end (close code, reason); set once
        self.closing: tuple[int, str] | None = None
        #: when the send in progress started (None: no send pending)
        self.sending_since: float | None = None
        #: ends the transport's pending send at once (set by the transport): a client stuck in a send is
        #: not waited for
        self.abort: Callable[[], object] | None = None
        #: told when the connection closes (the hub forgets it)
        self.on_close: Callable[[Connection], None] | None = None

    def push(self, item: Item) -> None:
        if self.closing is not None:
            return
        self.queue.append(item)
        if len(self.queue) > self.limit:
            self.close(TOO_SLOW, f"too slow: more than {self.limit} messages queued; reconnect with since to resume")
            return
        self.ready.set()

    def close(self, code: int, reason: str) -> None:
        """Ask the transport to end the connection (it drops what is queued and says why)."""
        if self.closing is None:
            self.closing = (code, reason)
            self.queue.clear()
            if code == TOO_SLOW:
                self.metrics.too_slow.labels(self.transport).inc()
            self.ready.set()
            if self.sending_since is not None and self.abort is not None:
                self.abort()
            if self.on_close is not None:
                self.on_close(self)

    async def take(self) -> list[Item]:
        """What is queued, once there is something (empty once the connection is closing)."""
        while not self.queue and self.closing is None:
            self.ready.clear()
            await self.ready.wait()
        if self.closing is not None:
            return []
        out = list(self.queue)
        self.queue.clear()
        return out


class Channel:
    """One channel in this process: its numbering, recent history and listeners."""

    __slots__ = ("epoch", "history", "key", "listeners", "name", "seq", "snapshots", "state", "used")

    def __init__(self, key: str, name: str, epoch: str, history: int, now: float) -> None:
        self.key = key
        self.name = name
        self.epoch = epoch
        self.seq = 0
        #: (seq, monotonic time published, message)
        self.history: deque[tuple[int, float, Item]] = deque(maxlen=history)
        self.listeners: set[Connection] = set()
        #: the newest snapshot of each part of the channel (a stage's standings per group): part ->
        #: (version, body), so a state read from lagging tables can be brought up to what was published
        self.snapshots: dict[str, tuple[int, bytes]] = {}
        #: the state read last: (seq it was read at, monotonic time, body)
        self.state: tuple[int, float, bytes] | None = None
        self.used = now

    def publish(self, kind: str, body: bytes, ts_ms: int, now: float) -> int:
        """Number, encode, remember and fan out one message; the number of listeners it went to."""
        self.seq += 1
        item = (ts_ms, encode_message(self.name, self.epoch, self.seq, kind=kind, ts_ms=ts_ms, body=body))
        self.history.append((self.seq, now, item))
        listeners = tuple(self.listeners)  # a push may close a slow listener, which leaves the set
        for connection in listeners:
            connection.push(item)
        return len(listeners)

    def since(self, seq: int, oldest: float) -> list[Item] | None:
        """The messages after ``seq``, or None when some of them are gone (or ``seq`` was never sent)."""
        if seq > self.seq or seq < 0:
            return None
        if seq == self.seq:
            return []
        missed = [(s, at, data) for s, at, data in self.history if s > seq]
        if not missed or missed[0][0] != seq + 1 or missed[0][1] < oldest:
            return None
        return [item for _s, _at, item in missed]


class Hub:
    """Every channel of the process and every connection; publishing, heartbeats and housekeeping."""

    def __init__(self, config: LiveConfig, metrics: LiveMetrics, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.metrics = metrics
        self.clock = clock
        self.epoch = secrets.token_hex(4)
        self.generation = 0
        self.channels: OrderedDict[str, Channel] = OrderedDict()
        self.connections: set[Connection] = set()

    def channel(self, key: str, name: str) -> Channel:
        """The channel under ``key``, created (with a new epoch) when the process does not keep it."""
        found = self.channels.get(key)
        if found is not None:
            self.channels.move_to_end(key)
            found.used = self.clock()
            return found
        self.generation += 1
        made = Channel(key, name, f"{self.epoch}-{self.generation}", self.config.history_size, self.clock())
        if len(self.channels) >= self.config.max_channels_kept:
            self._evict(len(self.channels) + 1 - self.config.max_channels_kept)
        self.channels[key] = made
        self.metrics.channels.set(len(self.channels))
        return made

    def _evict(self, excess: int) -> None:
        """Drop up to ``excess`` of the least recently used channels nobody listens to (channels with
        listeners stay, above the limit if need be)."""
        for key in [k for k, ch in self.channels.items() if not ch.listeners][:excess]:
            del self.channels[key]

    def publish(self, key: str, name: str, kind: str, body: bytes, ts_ms: int) -> None:
        now = self.clock()
        sent = self.channel(key, name).publish(kind, body, ts_ms, now)
        self.metrics.messages.labels(key.split(":", 1)[0]).inc(sent)

    def attach(self, connection: Connection) -> None:
        connection.on_close = self.detach
        self.connections.add(connection)
        self.metrics.connections.labels(connection.transport).inc()

    def detach(self, connection: Connection) -> None:
        """Forget a connection that ended, and its subscriptions."""
        if connection in self.connections:
            self.connections.discard(connection)
            self.metrics.connections.labels(connection.transport).dec()
        for channel in list(connection.channels.values()):
            self.unlisten(connection, channel)

    def listen(self, connection: Connection, channel: Channel) -> None:
        channel.listeners.add(connection)
        connection.channels[channel.key] = channel
        self.metrics.subscriptions.labels(channel.key.split(":", 1)[0]).inc()

    def unlisten(self, connection: Connection, channel: Channel) -> None:
        if connection.channels.pop(channel.key, None) is not None:
            channel.listeners.discard(connection)
            channel.used = self.clock()
            self.metrics.subscriptions.labels(channel.key.split(":", 1)[0]).dec()

    def tick(self) -> None:
        """Once a heartbeat: a ping to every connection, expired history dropped, idle channels forgotten."""
        now = self.clock()
        self.close_stuck(now)
        ping = (0, f'{{"kind":"ping","ts":{int(time.time() * 1000)}}}')
        for connection in list(self.connections):  # a push may close a full connection, which leaves the set
            connection.push(ping)
        oldest = now - self.config.history_ttl_s
        for key in list(self.channels):
            channel = self.channels[key]
            while channel.history and channel.history[0][1] < oldest:
                channel.history.popleft()
            if not channel.history and not channel.listeners and now - channel.used > self.config.history_ttl_s:
                del self.channels[key]
        self.metrics.channels.set(len(self.channels))

    def close_stuck(self, now: float) -> None:
        """Close the connections whose pending send has waited longer than ``send_timeout_s``."""
        limit = self.config.send_timeout_s
        for connection in list(self.connections):
            since = connection.sending_since
            if since is not None and now - since > limit:
                connection.close(TOO_SLOW, f"too slow: a send waited more than {limit:g} s; reconnect with since")

    async def run_heartbeats(self) -> None:
        """Tick every ``heartbeat_s`` for as long as the app runs; check for stuck sends every second."""
        last_ping = self.clock()
        while True:
            await asyncio.sleep(min(self.config.heartbeat_s, 1.0))
            now = self.clock()
            if now - last_ping >= self.config.heartbeat_s:
                last_ping = now
                self.tick()
            else:
                self.close_stuck(now)
