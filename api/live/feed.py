"""The topics a public app process reads for its live feed, in a thread of their own.

Every process reads every partition (assigned, not subscribed: no consumer group, no committed offsets),
starting ``backfill_s`` before it started, so a new or restarted process fills its channels' history and
snapshots from the topics. librdkafka's ``consume`` blocks, so it runs in a daemon thread that hands each
batch, decoded, to the event loop in the order read.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from importlib import resources
from typing import Any

import msgspec
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from api.live.metrics import LiveMetrics
from schemas.codec import CodecError, SchemaRegistry

__all__ = ["Record", "TopicFeed", "Topics"]

log = logging.getLogger(__name__)

#: seconds between looks for an optional topic that did not exist when the feed started
OPTIONAL_LOOK_S = 5.0


class Topics(msgspec.Struct, frozen=True, kw_only=True):
    """What the stream processor writes (its section's topic names, handed over by the bootstrap)."""

    notices: str
    standings: str
    live_standings: str
    players: str
    #: stage forecasts; optional: the other channels do not wait for it (a stream processor from before
    #: forecasts never creates it), and the feed starts reading it once it exists
    predictions: str = ""


class Record(msgspec.Struct, frozen=True):
    """One record read: which of :class:`Topics` it came from, its Kafka timestamp (ms) and its value
    (the notice's JSON bytes, or the decoded Avro record of a statistics topic)."""

    role: str
    ts_ms: int
    value: Any


def _registry() -> SchemaRegistry:
    """The statistics topics' schemas as this code knows them (``schemas/avro/stats.*.avsc``)."""
    registry = SchemaRegistry()
    for name in ("stats.standings", "stats.players", "stats.teams", "stats.predictions"):
        registry.register(json.loads((resources.files("schemas") / "avro" / f"{name}.avsc").read_text("utf-8")))
    return registry


class TopicFeed:
    """Reads the topics in a thread; ``current`` says whether it has caught up with where they stood when
    it started (``/healthz``), ``lag`` how many messages it has yet to read."""

    def __init__(self, bootstrap: str, topics: Topics, backfill_s: float, metrics: LiveMetrics) -> None:
        self.bootstrap = bootstrap
        self.roles = {
            topics.notices: "notices",
            topics.standings: "standings",
            topics.live_standings: "live_standings",
            topics.players: "players",
        }
        self.optional = {topics.predictions: "predictions"} if topics.predictions else {}
        self.backfill_s = backfill_s
        self.metrics = metrics
        self.registry = _registry()
        self.current = False
        self.lag = 0
        self.error = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[list[Record]], None]) -> None:
        self._thread = threading.Thread(target=self._run, args=(loop, deliver), name="live-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[list[Record]], None]) -> None:
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": f"rstat-live-{uuid.uuid4().hex}",  # never joined: partitions are assigned
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "fetch.wait.max.ms": 10,
                "client.id": "rstat-live",
            }
        )
        try:
            bounds = self._assign(consumer)
            last_lag = last_look = time.monotonic()
            while not self._stop.is_set():
                # poll waits for the first record only; consume(timeout=0) takes what else is there.
                # (consume(n, 0.1) would wait the whole 0.1 s unless n records came: +100 ms a notice.)
                first = consumer.poll(0.1)
                batch = [] if first is None else [first, *consumer.consume(1999, 0)]
                records = [r for r in (self._decode(m) for m in batch) if r is not None]
                if records:
                    loop.call_soon_threadsafe(deliver, records)
                now = time.monotonic()
                if now - last_lag >= 1.0 or (not self.current and not batch):
                    last_lag = now
                    self._measure(consumer, bounds)
                if now - last_look >= OPTIONAL_LOOK_S and any(t not in self.roles for t in self.optional):
                    last_look = now
                    self._take_optional(consumer, bounds)
        except Exception as exc:  # the feed is down: /healthz says so, the REST routes go on
            self.error = f"{exc.__class__.__name__}: {exc}"
            self.current = False
            log.exception("live feed: reading the topics failed; restart the public app once Kafka is back")
        finally:
            consumer.close()

    def _assign(self, consumer: Consumer) -> dict[tuple[str, int], tuple[int, int]]:
        """Every partition of the topics, from ``backfill_s`` ago; waits for topics that do not exist yet.
        Returns (first offset read, end offset at the start) per partition: the backfill is done at the ends."""
        since_ms = int((time.time() - self.backfill_s) * 1000)
        for attempt in itertools.count():
            listing = consumer.list_topics(timeout=10).topics
            missing = [t for t in self.roles if t not in listing or not listing[t].partitions]
            if not missing:
                break
            if attempt % 15 == 0:  # at once, then every 30 s
                log.warning("live feed: waiting for topics %s (is `rstat streams` running?)", ", ".join(missing))
            if self._stop.wait(2.0):
                return {}
        for topic, role in self.optional.items():
            if topic in listing and listing[topic].partitions:
                self.roles[topic] = role
            else:
                log.warning("live feed: no topic %s yet; its %s channels stay quiet until it exists", topic, role)
        wanted = [TopicPartition(t, p, since_ms) for t in self.roles for p in sorted(listing[t].partitions)]
        starts = consumer.offsets_for_times(wanted, timeout=30)
        bounds = {}
        for tp in starts:
            _low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=30)
            if tp.offset < 0:  # nothing that recent: start at the end
                tp.offset = high
            bounds[(tp.topic, tp.partition)] = (tp.offset, high)
        consumer.assign(starts)
        log.info(
            "live feed: reading %d partitions of %s from %.0f s ago",
            len(starts),
            ", ".join(self.roles),
            self.backfill_s,
        )
        return bounds

    def _take_optional(self, consumer: Consumer, bounds: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Start reading an optional topic created since the feed started (a stream processor that came up
        after the public app), from its beginning: all it holds is new."""
        listing = consumer.list_topics(timeout=10).topics
        for topic, role in self.optional.items():
            if topic in self.roles or topic not in listing or not listing[topic].partitions:
                continue
            partitions = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(listing[topic].partitions)]
            consumer.incremental_assign(partitions)
            self.roles[topic] = role
            bounds.update({(topic, tp.partition): (0, 0) for tp in partitions})
            log.info("live feed: reading %s from its beginning", topic)

    def _measure(self, consumer: Consumer, bounds: dict[tuple[str, int], tuple[int, int]]) -> None:
        """The lag now (from cached watermarks), and whether the backfill is done."""
        lag, done = 0, True
        for tp in consumer.position([TopicPartition(t, p) for t, p in bounds]):
            first, end = bounds[(tp.topic, tp.partition)]
            at = tp.offset if tp.offset >= 0 else first
            _low, high = consumer.get_watermark_offsets(tp, cached=True)
            lag += max(0, high - at) if high is not None and high >= 0 else 0
            done = done and at >= end
        self.lag = lag
        self.metrics.lag.set(lag)
        if done and not self.current:
            self.current = True
            log.info("live feed: caught up with the topics")

    def _decode(self, message: Message) -> Record | None:
        error = message.error()
        if error is not None:
            if error.code() != KafkaError._PARTITION_EOF:
                log.warning("live feed: %s", error)
            return None
        topic = message.topic() or ""
        role = self.roles.get(topic, "")
        value = message.value()
        self.metrics.records.labels(role).inc()
        if value is None:
            return None  # a tombstone of a compacted topic: nothing to tell anyone
        _kind, ts_ms = message.timestamp()
        if role == "notices":
            return Record(role, ts_ms, value)
        try:
            return Record(role, ts_ms, self.registry.decode(value)[1])
        except CodecError as exc:
            self.metrics.bad_records.labels(role).inc()
            log.error(
                "live feed: %s[%s]@%s cannot be read (%s); a newer stream processor than this app? upgrade the app",
                topic,
                message.partition(),
                message.offset(),
                exc,
            )
            return None
        except (KafkaException, ValueError) as exc:
            self.metrics.bad_records.labels(role).inc()
            log.error("live feed: %s[%s]@%s: %s", topic, message.partition(), message.offset(), exc)
            return None
