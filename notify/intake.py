"""The notices topic into the delivery log: read a batch, record its notices and their deliveries in one
transaction, then commit the offsets (never before: a crash in between makes the batch read again, and
every notice of it is found recorded and skipped).

librdkafka's consumer blocks, so its calls run in a worker thread; the consumer group (one sender per
installation: the limits are counted in its memory) starts a new group at the earliest retained notice and
skips those older than ``max_notice_age_s``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import msgspec
from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

from notify.errors import NotifyError
from notify.notice import Context, Notice, decode_notice
from notify.scheduler import Entry

__all__ = ["NoticeIntake", "Recorder"]

log = logging.getLogger(__name__)


class Recorder(Protocol):
    async def take_in(self, notices: list[Notice]) -> list[tuple[Entry, Notice, Context]]: ...


class NoticeIntake:
    def __init__(
        self,
        *,
        bootstrap: str,
        topic: str,
        group: str,
        kinds: tuple[str, ...],
        max_age_s: float,
        recorder: Recorder,
        accept: Callable[[list[tuple[Entry, Notice, Context]]], None],
    ) -> None:
        self.topic, self.kinds, self.max_age_s = topic, frozenset(kinds), max_age_s
        self.recorder, self.accept = recorder, accept
        self.assigned = asyncio.Event()
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "fetch.wait.max.ms": 50,
                # a topic the stream processor has not created yet is looked for again every 2 s, not 5 min
                "topic.metadata.refresh.interval.ms": 2000,
                "client.id": "rstat-telegram",
            }
        )
        #: librdkafka's consumer is not to be closed while another thread polls it
        self._lock = threading.Lock()
        self.read = 0
        self._missing_since = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()

        def on_assign(_consumer: Consumer, partitions: list[TopicPartition]) -> None:
            log.info("telegram: reading %s, partitions %s", self.topic, sorted(p.partition for p in partitions))
            loop.call_soon_threadsafe(self.assigned.set)

        self.consumer.subscribe([self.topic], on_assign=on_assign)
        try:
            while True:
                batch = await asyncio.to_thread(self._poll)
                if batch:
                    await self._take(batch)
        finally:
            await asyncio.to_thread(self._close)

    def _poll(self) -> list[Message]:
        with self._lock:
            first = self.consumer.poll(0.5)
            if first is None:
                return []
            return [first, *self.consumer.consume(499, 0)]

    def _close(self) -> None:
        with self._lock:
            self.consumer.close()

    def _missing(self) -> None:
        """The topic does not exist yet (the stream processor creates it): wait, and say so now and then."""
        now = time.monotonic()
        if now - self._missing_since >= 30:
            self._missing_since = now
            log.warning("telegram: waiting for topic %s (is `rstat streams` running?)", self.topic)

    async def _take(self, batch: list[Message]) -> None:
        oldest_ms = (time.time() - self.max_age_s) * 1000
        notices: list[Notice] = []
        ends: dict[tuple[str, int], int] = {}
        stale = 0
        for message in batch:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                    self._missing()
                    continue
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise NotifyError(f"reading {self.topic}: {error}")
            ends[(message.topic() or "", message.partition() or 0)] = (message.offset() or 0) + 1
            self.read += 1
            value = message.value()
            if not value:
                continue
            try:
                notice = decode_notice(value)
            except msgspec.DecodeError as exc:
                where = f"{self.topic}[{message.partition()}]@{message.offset()}"
                log.error("telegram: %s is not a notice: %s", where, exc)
                continue
            if notice.kind not in self.kinds:
                continue
            if message.timestamp()[1] < oldest_ms:
                stale += 1
                continue
            notices.append(notice)
        if stale:
            log.info("telegram: %d notices older than %.0f s skipped", stale, self.max_age_s)
        taken = await self.recorder.take_in(notices) if notices else []
        offsets = [TopicPartition(t, p, o) for (t, p), o in ends.items()]
        if offsets:
            await asyncio.to_thread(self.consumer.commit, offsets=offsets, asynchronous=False)
        self.accept(taken)
