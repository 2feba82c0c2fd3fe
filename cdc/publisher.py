"""The Kafka adapter of the CDC reader: topics, the schema registry topic, and change messages.

Every change message counts in :class:`cdc.acks.AckTracker` until its delivery report (served by ``poll``)
arrives, so the reader confirms to PostgreSQL only what Kafka has acknowledged. A broker outage just keeps
messages in flight: the producer retries forever (idempotent, so without duplicates in Kafka), the reader
stops reading the WAL once too much is in flight, and resumes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from cdc.acks import AckTracker, TxAcks
from cdc.config import CdcConfig
from cdc.errors import CdcError, KafkaDeliveryError
from cdc.metrics import CdcMetrics

__all__ = ["Publisher"]

log = logging.getLogger(__name__)

_BY_KEY = -1  # librdkafka's RD_KAFKA_PARTITION_UA, ``produce``'s default: the partitioner picks by key


class Publisher:
    def __init__(self, bootstrap: str, cdc: CdcConfig, metrics: CdcMetrics) -> None:
        self.cdc = cdc
        self.metrics = metrics
        self.producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "compression.type": cdc.compression,
                "linger.ms": cdc.linger_ms,
                "batch.num.messages": 10000,
                "batch.size": 1_000_000,
                "queue.buffering.max.messages": max(cdc.max_in_flight * 2, 100_000),
                "queue.buffering.max.kbytes": 1_048_576,
                "message.timeout.ms": 0,  # never give up on a message: an outage is waited out, not lost
                "socket.keepalive.enable": True,
            }
        )
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.tracker = AckTracker(metrics)
        self._topics: set[str] = set()
        self._bytes = 0

    def take_bytes(self) -> int:
        """Value bytes produced since the last call (for the metrics, updated in batches)."""
        taken, self._bytes = self._bytes, 0
        return taken

    def ensure_topics(self, topics: list[str], compacted: bool = False, partitions: int | None = None) -> None:
        missing = [t for t in topics if t not in self._topics]
        if not missing:
            return
        existing = set(self.admin.list_topics(timeout=30).topics)
        config = {"cleanup.policy": "compact"} if compacted else {}
        new = [
            NewTopic(t, num_partitions=partitions or self.cdc.partitions, replication_factor=-1, config=config)
            for t in missing
            if t not in existing
        ]
        if new:
            for topic, future in self.admin.create_topics(new, request_timeout=30).items():
                try:
                    future.result(timeout=60)
                    log.info("created topic %s", topic)
                except KafkaException as exc:
                    if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                        raise
            self._await_metadata([t.topic for t in new])
        self._topics.update(missing)

    def _await_metadata(self, topics: list[str], timeout_s: float = 60.0) -> None:
        """Until the broker's metadata shows each new topic with its partitions: CreateTopics answers once
        the controller has them, and a broker's metadata cache may still say nothing for a moment (seen as
        a topic with 0 partitions on a fast machine), which would mislead whoever counts partitions next."""
        deadline = time.monotonic() + timeout_s
        pending = set(topics)
        while pending:
            known = self.admin.list_topics(timeout=30).topics
            pending = {t for t in pending if t not in known or not known[t].partitions}
            if pending and time.monotonic() > deadline:
                raise CdcError(f"Kafka created {sorted(pending)}; its metadata still lacks them after {timeout_s} s")
            if pending:
                time.sleep(0.05)

    def partitions(self, topic: str) -> int:
        return len(self.admin.list_topics(topic=topic, timeout=30).topics[topic].partitions)

    def publish_schema(self, fingerprint: str, schema_json: str) -> None:
        """Put a schema on the registry topic and wait for its acknowledgement before any message uses it."""
        topic = self.cdc.schema_topic
        self.ensure_topics([topic], compacted=True, partitions=1)
        acked: list[KafkaError | None] = []
        self.producer.produce(
            topic, key=fingerprint.encode(), value=schema_json.encode(), on_delivery=lambda err, _m: acked.append(err)
        )
        while not acked:
            self.producer.poll(0.1)
        if acked[0] is not None:
            raise KafkaDeliveryError(f"schema {fingerprint} was refused by Kafka: {acked[0]}")

    def produce(
        self, topic: str, key: bytes | None, value: bytes | None, tx: TxAcks, partition: int | None = None
    ) -> None:
        self.tracker.sent(tx)
        while True:
            try:
                if partition is None:
                    self.producer.produce(topic, value, key, on_delivery=tx.callback)
                else:
                    self.producer.produce(topic, value, key, partition=partition, on_delivery=tx.callback)
                break
            except BufferError:
                self.producer.poll(0.05)  # the local queue is full: let deliveries drain it
        if value is not None:
            self._bytes += len(value)

    def produce_many(self, topic: str, messages: list[tuple[bytes, bytes]], tx: TxAcks) -> None:
        """Keyed messages of one transaction to one topic, in order: one Python call for a run of changes.

        They all count as sent before the first is produced (delivery reports are served only by ``poll``,
        and a full local queue is waited out with ``poll``), so ``tx`` cannot look acknowledged early."""
        count = len(messages)
        tx.pending += count
        self.tracker.in_flight += count
        produce = self.producer.produce
        callback = tx.callback
        size = 0
        for key, value in messages:
            size += len(value)
            try:
                produce(topic, value, key, _BY_KEY, callback)  # positional: no keyword dict per message
            except BufferError:
                self._produce_when_room(topic, key, value, callback)
        self._bytes += size

    def _produce_when_room(self, topic: str, key: bytes, value: bytes, callback: Callable[..., None]) -> None:
        while True:
            self.producer.poll(0.05)  # the local queue is full: let deliveries drain it
            try:
                self.producer.produce(topic, value, key, on_delivery=callback)
                return
            except BufferError:
                continue

    def poll(self, timeout: float = 0.0) -> None:
        self.producer.poll(timeout)
        err = self.tracker.error
        if err is not None:
            name, text = (err.name(), err.str()) if isinstance(err, KafkaError) else (type(err).__name__, str(err))
            raise KafkaDeliveryError(
                f"Kafka refused a message ({name}): {text}; nothing past it "
                "was confirmed to PostgreSQL, restart the reader once Kafka is fixed"
            )

    def drain(self, timeout: float) -> bool:
        """Wait until every message is acknowledged (or ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        while self.tracker.in_flight > 0 and time.monotonic() < deadline:
            self.poll(0.1)
        return self.tracker.in_flight == 0
