"""The worker's intake: CDC changes read with librdkafka, routed as batches onto the repartition topics.

Why not a Faust agent: a Faust consumer costs ~150 µs of Python per message (the consumer thread, the
conductor, the stream's event and acknowledgement machinery). Measured here on a do-nothing agent:
~5,500 messages/s, against ~900,000/s for confluent-kafka's batched ``consume`` on the same topic. Every
CDC change is one message, so an agent caps the whole processor below that figure before it does any
work. The intake is stateless (decode the envelope, route its facts by match and by stage), so it needs
nothing of Faust's: it reads the CDC topics in its own consumer group, so workers share the CDC partitions
and take them over from each other like any group, and the stateful agents downstream consume batches.

At least once: a batch's messages are acknowledged by Kafka (``flush``) before its offsets are committed;
a crash in between replays the batch, which the agents ignore (every fact carries its position).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from confluent_kafka import Consumer, KafkaError, KafkaException, Message

from schemas.codec import CodecError, UnknownSchemaError
from streams.batching import Batches
from streams.facts import Notice, facts_from_change, suspension_notice
from streams.protocol import row_fact
from streams.sender import Sender

__all__ = ["Intake", "Routed", "StreamsInputError", "route_change"]

log = logging.getLogger(__name__)

STAGE_TABLES = ("matches", "stages", "point_adjustments")
PROTOCOL_TABLES = ("matches", "match_events", "lineups")
#: the most CDC messages routed as one batch, and how long the intake waits to fill one (added latency)
BATCH = 2000
BATCH_WITHIN_S = 0.02


class StreamsInputError(RuntimeError):
    """A CDC message the worker cannot read and must not skip."""


_REBALANCING = (
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError._NO_OFFSET,
)


class Routed:
    """What one batch of CDC changes sends on: facts per stage, protocol rows per match, notices."""

    def __init__(self, partitions: int) -> None:
        encoder = msgspec.msgpack.Encoder()
        self.stages = Batches(partitions, encoder.encode)
        self.matches = Batches(partitions, encoder.encode)
        self.notices: list[Notice] = []


def route_change(source: str, record: Mapping[str, Any], routed: Routed) -> None:
    """Route one decoded CDC envelope of table ``source``."""
    if source in STAGE_TABLES:
        for fact in facts_from_change(source, record):
            routed.stages.add(str(fact.stage_id).encode(), fact)
    if source in PROTOCOL_TABLES:
        for row in row_fact(source, record):
            routed.matches.add(str(row.match_id).encode(), row)
    if source == "suspensions" and (notice := suspension_notice(record)) is not None:
        routed.notices.append(notice)


class Intake:
    """A thread that routes the CDC topics onto ``stage_topic`` and ``match_topic`` until stopped."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        sources: Mapping[str, str],
        stage_topic: str,
        match_topic: str,
        notices_topic: str,
        partitions: int,
        decode: Callable[[bytes], dict[str, Any]],
    ) -> None:
        self.sources = dict(sources)  # topic -> table
        self.stage_topic, self.match_topic, self.notices_topic = stage_topic, match_topic, notices_topic
        self.partitions = partitions
        self.decode = decode
        self.consumer_config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            # a worker killed without leaving the group is noticed within 10 s, like the Faust consumer
            "session.timeout.ms": 10_000,
            "heartbeat.interval.ms": 1_000,
        }
        self.bootstrap = bootstrap
        self.notice_encoder = msgspec.json.Encoder()
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rstat-intake", daemon=True)

    def start(self, on_error: Callable[[BaseException], None]) -> None:
        """Connect and start routing in the background; ``on_error`` hears of a failure (from the thread)."""
        self.consumer = Consumer(self.consumer_config)
        self.sender = Sender(self.bootstrap)
        self._on_error = on_error
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self.consumer.subscribe(list(self.sources))
            log.info("intake: routing %s", ", ".join(sorted(self.sources)))
            while not self.stopping.is_set():
                self.step()
        except BaseException as exc:
            log.exception("intake stopped: %s", exc)
            self._on_error(exc)
        finally:
            self.consumer.close()  # leaves the group: the partitions go to another worker at once

    def step(self) -> int:
        """Route one batch (up to BATCH changes) and commit it once Kafka has acknowledged what it sent;
        returns how many messages it read."""
        messages = self.consumer.consume(BATCH, BATCH_WITHIN_S)
        if not messages:
            return 0
        routed = Routed(self.partitions)
        for message in messages:
            self._route(message, routed)
        for topic, batches in ((self.stage_topic, routed.stages), (self.match_topic, routed.matches)):
            for partition, value in batches.drain():
                self.sender.send(topic, b"%d" % partition, value, partition)
        for notice in routed.notices:
            self.sender.send(self.notices_topic, notice.id.encode(), self.notice_encoder.encode(notice))
        self.sender.flush()  # raises, and so commits nothing, unless Kafka took all of it
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() not in _REBALANCING:
                raise
            # the group is moving partitions: whoever gets them reads again from the last commit, and
            # the agents ignore what they have already seen
            log.warning("intake: commit skipped during a rebalance (%s); the batch will be routed again", exc)
        return len(messages)

    def _route(self, message: Message, routed: Routed) -> None:
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                return
            raise KafkaException(error)
        value = message.value()
        if not value:
            return  # a tombstone: the delete before it carried the facts
        topic = str(message.topic())
        try:
            record = self.decode(value)
        except UnknownSchemaError as exc:
            # read again from the registry topic and still missing: the reader publishes every schema
            # before its first use, so the topic lost it. Going on would drop the change; stop and say so.
            raise StreamsInputError(
                f"{topic}[{message.partition()}]@{message.offset()}: {exc}; the schema registry topic has lost it: "
                "publish it there again (a restarted rstat cdc publishes each table's current schema before its "
                "next change), then restart rstat streams"
            ) from exc
        except CodecError as exc:
            # not an Avro message at all (someone else wrote it): it will never decode, so the only way on
            # is past it, and the log says where it is
            log.error("%s[%s]@%s: not a CDC envelope (%s); skipped", topic, message.partition(), message.offset(), exc)
            return
        route_change(self.sources[topic], record, routed)
