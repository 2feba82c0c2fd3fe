"""What the worker sends (routed facts, outputs, notices) goes through librdkafka, acknowledged in bulk.

Why not Faust's ``topic.send``: each costs ~80 µs of Python (futures, the conductor, aiokafka's
accumulator), and a batch sends thousands (a goal notice per goal, a season record per player touched);
in ``rstat bench streams`` the fold spent ~1 s per 20,000 events on sending notices alone.
``Producer.produce`` is a few µs, and one :meth:`Sender.flush` waits for all of a batch's messages.
Only the table changelogs stay with Faust, which owns them.

Keys are placed by murmur2 like Kafka's default partitioner (and Faust's), so a compacted output topic
keeps each key in one partition whoever wrote it.
"""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from streams.errors import DeliveryError

__all__ = ["Sender"]


class Sender:
    """An idempotent producer (acks=all) that remembers whether any message failed."""

    def __init__(self, bootstrap: str, *, linger_ms: int = 2) -> None:
        self.producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": linger_ms,
                "compression.type": "lz4",
                "partitioner": "murmur2_random",
            }
        )
        self._failed: list[KafkaError] = []

    def _delivered(self, err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            self._failed.append(err)

    def send(self, topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        kwargs: dict[str, Any] = {"partition": partition} if partition is not None else {}
        while True:
            try:
                self.producer.produce(topic, key=key, value=value, on_delivery=self._delivered, **kwargs)
                return
            except BufferError:
                self.producer.poll(0.1)  # the local queue is full: wait for deliveries to make room

    def flush(self, timeout: float = 60) -> None:
        """Wait until Kafka acknowledged everything sent so far; raise if anything was refused."""
        if self.producer.flush(timeout) != 0:
            raise DeliveryError(f"Kafka did not acknowledge the worker's messages within {timeout:.0f} s")
        if self._failed:
            raise DeliveryError(f"Kafka refused a message of the worker: {self._failed[0]}")
