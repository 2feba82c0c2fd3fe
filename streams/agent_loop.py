"""The loop every stateful agent runs: micro-batches of its input, grouped by entity within each
partition, each group handed to the agent's step; then what the batch sent on is flushed and, once Kafka
has acknowledged it, the batch's table writes are made (:class:`~streams.batching.Staged` says why in
that order)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from streams.batching import Outbox, Sends, Staged, batches_by_partition, keyed

__all__ = ["BATCH", "BATCH_WITHIN_S", "Step", "run_agent"]

#: the largest micro-batch an agent takes (messages: a repartition message holds a batch of facts), and how
#: long it waits to fill one (bounds the latency each hop adds)
BATCH = 2000
BATCH_WITHIN_S = 0.05

#: an agent's work on one entity's items of a batch: (the batch's staged work, the events of the partition
#: they came in, the entity's key, its items in order)
Step = Callable[[Staged, list[Any], Any, list[Any]], None]


async def run_agent(
    stream: Any,
    *,
    sender: Sends,
    decode: Callable[[bytes], list[Any]],
    key: Callable[[Any], Hashable],
    step: Step,
    outbox: Outbox | None = None,
) -> None:
    """Run ``step`` over ``stream`` until it ends; ``outbox`` (a repartition topic) is flushed per batch."""
    async for parts in batches_by_partition(stream, BATCH, BATCH_WITHIN_S):
        staged = Staged(sender)
        for events, entity, items in keyed(parts, decode, key):
            step(staged, events, entity, items)
        if outbox is not None:
            outbox.flush(staged)
        await staged.finish()
