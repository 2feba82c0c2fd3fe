"""The Kafka side of the writer: the CDC topics read in batches by a consumer group, offsets committed by hand.

confluent-kafka (librdkafka) fetches in its own threads; ``consume`` hands over up to a batch of messages at
once. The topics are a subscription by pattern, so a table captured later is read without a restart.
Offsets are committed only after the batch's rows are in ClickHouse: a crash replays the batch, and the
table's design makes the replay invisible.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Protocol

from confluent_kafka import OFFSET_INVALID, Consumer, KafkaError, KafkaException, TopicPartition

__all__ = ["CdcConsumer", "Record", "topic_pattern"]

log = logging.getLogger(__name__)

#: seconds between metadata requests while Kafka is down and nothing arrives
_PROBE_S = 2.0


class Record(Protocol):
    """A consumed message, as confluent-kafka's ``Message`` is one: the writer reads them as they come,
    without copying a few hundred thousand of them into objects of its own."""

    def topic(self) -> str | None: ...

    def partition(self) -> int | None: ...

    def offset(self) -> int | None: ...

    def value(self) -> bytes | None: ...


def topic_pattern(prefix: str) -> str:
    """The subscription of every table topic: the prefix and one table name (no further dots, so topics
    that merely share the prefix, as a test's statistics topics do, stay out)."""
    return "^" + re.escape(prefix) + "[A-Za-z_][A-Za-z0-9_]*$"


class CdcConsumer:
    def __init__(self, bootstrap: str, group: str, instance: str, pattern: str) -> None:
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "group.instance.id": instance,
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "topic.metadata.refresh.interval.ms": 5000,  # a new table's topic joins within seconds
                "fetch.wait.max.ms": 50,
                "queued.max.messages.kbytes": 65536,  # fetched ahead: enough for the largest batches
                "error_cb": self._on_error,
                # errors reach error_cb, which says once that Kafka is away and once that it is back;
                # librdkafka's own log would repeat every failed connection, every second
                "log_level": 2,
                "reconnect.backoff.max.ms": 2000,  # back within 2 s of the brokers, not librdkafka's 10
            }
        )
        self.consumer.subscribe([pattern])
        self._last_error = ""
        self._probed_at = 0.0
        #: monotonic time since which no broker answers, None while they do
        self.down_since: float | None = None

    def _on_error(self, error: KafkaError) -> None:
        """librdkafka's client-level errors (brokers down, name resolution): retried by librdkafka itself."""
        if error.code() in (KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT):
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.warning("Kafka unreachable (%s); the writer waits and resumes from its last commit", error.str())
        elif error.str() != self._last_error:
            log.warning("Kafka: %s", error.str())
        self._last_error = error.str()

    def poll(self, max_messages: int, wait_s: float) -> list[Record]:
        """Up to ``max_messages`` messages, waiting at most ``wait_s`` seconds for the first ones."""
        messages = self.consumer.consume(max_messages, wait_s)
        got: list[Record] = [m for m in messages if m.error() is None]
        if len(got) < len(messages):
            for message in messages:
                error = message.error()
                if error is not None and error.code() != KafkaError._PARTITION_EOF:
                    log.warning("%s [%s]: %s", message.topic(), message.partition(), error.str())
        if got:
            self._answered()
        elif self.down_since is not None and time.monotonic() - self._probed_at >= _PROBE_S:
            self._probe()  # back, with nothing new to read: a metadata answer says so
        return got

    def _probe(self) -> None:
        self._probed_at = time.monotonic()
        try:
            self.consumer.list_topics(timeout=1.0)
        except KafkaException:
            return
        self._answered()

    def _answered(self) -> None:
        if self.down_since is not None:
            log.info("Kafka answers again after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """Commit ``offsets`` (the next offset to read, per topic and partition); raises KafkaException."""
        self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=False)

    def lag(self) -> dict[str, int]:
        """Messages not yet consumed per topic, from the high watermarks of the last fetches (no request)."""
        lag: dict[str, int] = {}
        try:
            assigned = self.consumer.assignment()
            positions = self.consumer.position(assigned) if assigned else []
        except KafkaException:
            return lag
        for tp in positions:
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if high >= 0 and tp.offset != OFFSET_INVALID:
                lag[tp.topic] = lag.get(tp.topic, 0) + max(0, high - tp.offset)
        return lag

    def close(self) -> None:
        self.consumer.close()
