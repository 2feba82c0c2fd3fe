"""The worker's intake: CDC changes read with librdkafka (streams/consuming.py says why not with Faust),
routed as batches onto the repartition topics: one message per partition and batch, which the stateful
agents consume.

At least once: a batch's messages are acknowledged by Kafka (``flush``) before its offsets are committed;
a crash in between replays the batch, which the agents ignore (every fact carries its position).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from schemas.codec import CodecError, UnknownSchemaError
from streams.batching import Outbox, Sends
from streams.consuming import BatchConsumer, Received
from streams.errors import StreamsInputError
from streams.facts import facts_from_change
from streams.notices import Notice, notice_key, suspension_notice
from streams.protocol import row_fact

__all__ = ["Intake", "Routed", "route_change"]

log = logging.getLogger(__name__)

STAGE_TABLES = ("matches", "stages", "point_adjustments")
PROTOCOL_TABLES = ("matches", "match_events", "lineups")
#: the most CDC messages routed as one batch, and how long the intake waits to fill one (added latency).
#: Large on purpose: downstream, a batch costs per match and per player it touches, so a burst routed in
#: few batches is recomputed few times (bench streams, five runs each: 2,000 -> 4,620-5,767 events/s,
#: 10,000 -> 5,956-11,491; latency unchanged, a quiet topic fills no batch and waits only BATCH_WITHIN_S)
BATCH = 10_000
BATCH_WITHIN_S = 0.02


class Routed:
    """What one batch of CDC changes sends on: facts per stage, protocol rows per match, notices."""

    def __init__(self, partitions: int, stage_topic: str, match_topic: str) -> None:
        encoder = msgspec.msgpack.Encoder()
        self.stages = Outbox(stage_topic, partitions, encoder.encode)
        self.matches = Outbox(match_topic, partitions, encoder.encode)
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
    """Routes the CDC topics onto ``stage_topic`` and ``match_topic`` (a :class:`BatchConsumer`): a batch
    is committed once Kafka has acknowledged everything it sent."""

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
        sender: Sends,
    ) -> None:
        self.sources = dict(sources)  # topic -> table
        self.stage_topic, self.match_topic, self.notices_topic = stage_topic, match_topic, notices_topic
        self.partitions = partitions
        self.decode = decode
        self.sender = sender
        self.notice_encoder = msgspec.json.Encoder()
        self.consumer = BatchConsumer(
            name="intake",
            bootstrap=bootstrap,
            group=group,
            topics=list(self.sources),
            handle=self.route,
            batch=BATCH,
            within_s=BATCH_WITHIN_S,
        )

    def start(self, on_error: Callable[[BaseException], None]) -> None:
        self.consumer.start(on_error)

    def stop(self) -> None:
        self.consumer.stop()

    def route(self, messages: Sequence[Received]) -> None:
        """Route one batch of CDC messages; returns once Kafka has acknowledged all of it."""
        routed = Routed(self.partitions, self.stage_topic, self.match_topic)
        for message in messages:
            self._route(message, routed)
        routed.stages.flush(self.sender)
        routed.matches.flush(self.sender)
        for notice in routed.notices:
            self.sender.send(self.notices_topic, notice_key(notice), self.notice_encoder.encode(notice))
        self.sender.flush()  # raises, and so nothing is committed, unless Kafka took all of it

    def _route(self, message: Received, routed: Routed) -> None:
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
