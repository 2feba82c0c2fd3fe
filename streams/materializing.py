"""The materializer step: the statistics topics, read in batches (streams/consuming.py), decoded and
handed to a :class:`StatisticsSink` (PostgreSQL's ``stats`` schema in the worker,
streams/materializer.py), which writes each batch in one transaction before the batch is committed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from streams.consuming import Received
from streams.materializer import Target

__all__ = ["Materializing", "StatisticsSink"]


class StatisticsSink(Protocol):
    """Where the materialized statistics go: a batch of decoded records in one transaction, each replacing
    its key's rows unless what is there is at least as new; returns how many keys were written."""

    def write(self, items: Sequence[tuple[Target, dict[str, Any]]]) -> int: ...


class Materializing:
    """Hands each batch of statistics records to the sink; tombstones (none are sent today) are skipped.
    A topic's record may fill several tables (a forecast: match predictions and position odds)."""

    def __init__(
        self,
        targets: Mapping[str, Target | tuple[Target, ...]],
        decode: Callable[[bytes], dict[str, Any]],
        sink: StatisticsSink,
    ) -> None:
        # topic -> tables
        self.targets = {topic: t if isinstance(t, tuple) else (t,) for topic, t in targets.items()}
        self.decode = decode
        self.sink = sink

    def __call__(self, messages: Sequence[Received]) -> None:
        batch = [
            (target, record)
            for m in messages
            if (value := m.value())
            for record in (self.decode(value),)
            for target in self.targets[str(m.topic())]
        ]
        if batch:
            self.sink.write(batch)  # one transaction; the batch is committed after it
