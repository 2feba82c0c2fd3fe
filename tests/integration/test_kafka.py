"""The local Kafka node speaks the real protocol to both client libraries the project uses."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.settings import Settings
from tests.conftest import unique
from tests.waiting import DEFAULT_TIMEOUT_S, eventually


def _create_topic(bootstrap: str, partitions: int = 1) -> str:
    topic = unique("rstat.test")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    futures[topic].result(timeout=60)
    # the controller has created it; the broker's metadata may not list it yet (it did not, on a busy broker)
    eventually(
        lambda: admin.list_topics(topic=topic, timeout=30).topics[topic].error is None,
        message=f"topic {topic} in the broker's metadata",
    )
    return topic


def test_create_topic_with_partitions(stack: Settings) -> None:
    bootstrap = stack.kafka.bootstrap()
    topic = _create_topic(bootstrap, partitions=3)
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic=topic, timeout=30)
    assert len(metadata.topics[topic].partitions) == 3


def test_confluent_kafka_round_trip(stack: Settings) -> None:
    bootstrap = stack.kafka.bootstrap()
    topic = _create_topic(bootstrap)
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(topic, key=b"match-1", value=b"goal")
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("g"), "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    try:

        def received() -> tuple[bytes | None, bytes | None] | None:  # the first polls wait for the group to form
            message = consumer.poll(1.0)
            return (message.key(), message.value()) if message is not None and message.error() is None else None

        assert eventually(received, interval=0, message=f"a message from {topic}") == (b"match-1", b"goal")
    finally:
        consumer.close()


def test_aiokafka_round_trip(stack: Settings) -> None:
    bootstrap = stack.kafka.bootstrap()
    topic = _create_topic(bootstrap)

    async def run() -> tuple[bytes | None, bytes | None]:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, key=b"match-2", value=b"card")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, group_id=unique("g"), auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            record = await asyncio.wait_for(consumer.getone(), timeout=DEFAULT_TIMEOUT_S)
        finally:
            await consumer.stop()
        return record.key, record.value

    assert asyncio.run(run()) == (b"match-2", b"card")
