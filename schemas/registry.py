"""The schema registry topic as every consumer reads it: the stream worker and the audit writer load every
schema published on it at start, and read it again when a message names a schema they have not seen.

Here rather than in one consumer's package because both need it; it is the one module of ``schemas/`` that
talks to Kafka (confluent-kafka).
"""

from __future__ import annotations

import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from schemas.codec import SchemaRegistry

__all__ = ["load_schemas", "publish_schema"]


def load_schemas(bootstrap: str, topic: str, registry: SchemaRegistry, idle_s: float = 0.5) -> int:
    """Read the whole registry topic into ``registry``; returns how many schemas it holds now."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": f"rstat-registry-{uuid.uuid4().hex}", "enable.auto.commit": False}
    )
    try:
        try:
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        except (KafkaException, KeyError):
            return 0
        if not partitions:
            return 0
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        last = time.monotonic()
        count = 0
        while time.monotonic() - last < idle_s:
            for message in consumer.consume(500, 0.1):
                value = message.value()
                if message.error() is None and value:
                    registry.register(value.decode())
                    count += 1
                    last = time.monotonic()
        return count
    finally:
        consumer.close()


def publish_schema(bootstrap: str, topic: str, fingerprint: str, schema_json: str) -> None:
    """Put one schema on the registry topic; returns once the broker has acknowledged it."""
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(topic, key=fingerprint.encode(), value=schema_json.encode())
    if producer.flush(30) != 0:
        raise KafkaException(f"schema {fingerprint} was not acknowledged within 30 s")
