"""Stateless steps of the worker (the CDC intake, the materializer) as librdkafka consumers in threads.

Why not Faust agents: a Faust consumer costs ~150 µs of Python per message (the consumer thread, the
conductor, the stream's event and acknowledgement machinery). Measured here on a do-nothing agent:
~5,500 messages/s, against ~900,000/s for confluent-kafka's batched ``consume`` on the same topic. The
CDC topics carry one message per change and the output topics one per stage, group or player, so an
agent would cap the processor near that figure before doing any work. These steps keep no state, so they
need nothing of Faust's: each reads in a consumer group of its own (workers share its partitions and take
them over like any group) and commits a batch once its work is done — at least once, which is enough:
everything downstream ignores what it has already seen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from confluent_kafka import Consumer, KafkaError, KafkaException, Message

__all__ = ["BatchConsumer", "Received"]

log = logging.getLogger(__name__)

_REBALANCING = (
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError._NO_OFFSET,
)


class Received(Protocol):
    """A consumed message as the steps read it (a librdkafka ``Message``; a plain fake in unit tests)."""

    def topic(self) -> str | None: ...
    def value(self) -> bytes | None: ...
    def partition(self) -> int | None: ...
    def offset(self) -> int | None: ...


class BatchConsumer:
    """A thread that reads ``topics`` in batches and hands each to ``handle``; the batch is committed once
    ``handle`` returns, so whatever ``handle`` must make durable (a flush, a transaction) comes first."""

    def __init__(
        self,
        *,
        name: str,
        bootstrap: str,
        group: str,
        topics: list[str],
        handle: Callable[[list[Message]], None],
        batch: int,
        within_s: float,
    ) -> None:
        self.name, self.topics, self.handle = name, topics, handle
        self.batch, self.within_s = batch, within_s
        self.config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            # a worker killed without leaving the group is noticed within 10 s, like the Faust consumer
            "session.timeout.ms": 10_000,
            "heartbeat.interval.ms": 1_000,
        }
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rstat-{name}", daemon=True)

    def start(self, on_error: Callable[[BaseException], None]) -> None:
        """Connect and start in the background; ``on_error`` hears of a failure (from the thread)."""
        self.consumer = Consumer(self.config)
        self._on_error = on_error
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self.consumer.subscribe(self.topics)
            log.info("%s: reading %s", self.name, ", ".join(sorted(self.topics)))
            while not self.stopping.is_set():
                self.step()
        except BaseException as exc:
            log.exception("%s stopped: %s", self.name, exc)
            self._on_error(exc)
        finally:
            self.consumer.close()  # leaves the group: the partitions go to another worker at once

    def step(self) -> int:
        """Handle one batch and commit it; returns how many messages it read."""
        messages = []
        for message in self.consumer.consume(self.batch, self.within_s):
            error = message.error()
            if error is None:
                messages.append(message)
            elif error.code() != KafkaError._PARTITION_EOF:
                raise KafkaException(error)
        if not messages:
            return 0
        self.handle(messages)
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() not in _REBALANCING:
                raise
            # the group is moving partitions: whoever gets them reads again from the last commit, and
            # what follows ignores what it has already seen
            log.warning("%s: commit skipped during a rebalance (%s); the batch will be read again", self.name, exc)
        return len(messages)
