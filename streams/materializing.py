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
    """Hands each batch of statistics records to the sink; tombstones (none are sent today) are skipped."""

    def __init__(
        self, targets: Mapping[str, Target], decode: Callable[[bytes], dict[str, Any]], sink: StatisticsSink
    ) -> None:
        self.targets = dict(targets)  # topic -> table
        self.decode = decode
        self.sink = sink

    def __call__(self, messages: Sequence[Received]) -> None:
        batch = [(self.targets[str(m.topic())], self.decode(value)) for m in messages if (value := m.value())]
        if batch:
            self.sink.write(batch)  # one transaction; the batch is committed after it
