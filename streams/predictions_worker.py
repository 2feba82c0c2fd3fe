"""The forecast step: stages' inputs in, one forecast per stage out on ``rstat.stats.predictions``.

Off the hot path three ways. It reads its own topic (``<app>-forecast-inputs``, written by the fold only
when a stage's inputs changed) in a consumer thread of its own, like the intake and the materializer. It
debounces: after the first input it keeps reading until the topic has been quiet for ``quiet_s`` (at most
``max_wait_s``), and of a stage's inputs only the newest is forecast, so a burst of corrections costs one
forecast. And the fit and the simulations (seconds of CPU for a season) run in a separate process
(``processes``; 0 runs them in this thread), so they hold neither the event loop nor the GIL the fold
needs: the standings keep their latency while a forecast runs.

At least once, like everything else: the batch is committed after its forecasts are acknowledged; a
replayed input gives the same forecast (the seed comes from the inputs) with the same version, which the
materializer does not write twice.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import msgspec
from confluent_kafka import KafkaError, KafkaException, Message

from schemas.codec import SchemaRegistry
from streams.batching import Sends
from streams.consuming import BatchConsumer
from streams.predictions import ForecastInputs
from streams.predictions_compute import compute_forecast
from streams.wire import PREDICTIONS_SCHEMA

__all__ = ["ForecastSettings", "Forecasts", "ForecastsConsumer", "forecast_pool", "newest_inputs"]

log = logging.getLogger(__name__)

_head = msgspec.msgpack.Decoder(ForecastInputs)
#: a commit refused because the group is moving partitions: whoever gets them forecasts the batch again
_REBALANCING = (
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError._NO_OFFSET,
)


class ForecastSettings(msgspec.Struct, frozen=True, kw_only=True):
    """The values of the processor's section the forecast step uses."""

    topic: str
    sims: int
    clinch_budget_s: float
    processes: int


def newest_inputs(values: list[bytes]) -> dict[int, bytes]:
    """Of a batch's inputs, the newest per stage (by the stage state's version)."""
    newest: dict[int, tuple[int, bytes]] = {}
    for raw in values:
        inputs = _head.decode(raw)
        known = newest.get(inputs.stage_id)
        if known is None or inputs.version > known[0]:
            newest[inputs.stage_id] = (inputs.version, raw)
    return {stage: raw for stage, (_version, raw) in sorted(newest.items())}


#: how often a forecast process checks that the worker that started it is still there
PARENT_CHECK_S = 1.0


def _exit_with_parent(parent: int) -> None:
    """Run in each forecast process: end it when the worker that started it is gone.

    A worker killed with -9 cannot shut its pool down, and the pool's processes would wait on their task
    queue for ever (each holds both ends of it, so no end-of-file ever comes): orphans, one per kill.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def forecast_pool(processes: int) -> ProcessPoolExecutor:
    """The forecast processes: spawned, not forked (the worker has librdkafka and Faust threads a fork would
    copy half-way), and gone with the worker whatever way it ends."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_exit_with_parent, initargs=(os.getpid(),)
    )


class Forecasts:
    """The step: forecast each stage's newest inputs of a batch, send the records, wait for Kafka."""

    def __init__(self, settings: ForecastSettings, registry: SchemaRegistry, sender: Sends) -> None:
        self.settings = settings
        self.registry = registry
        self.fingerprint = registry.register(PREDICTIONS_SCHEMA)
        self.sender = sender
        self.executor: Executor | None = None

    def _run(self, raw: bytes) -> dict[str, Any]:
        settings = self.settings
        if settings.processes <= 0:
            return compute_forecast(raw, settings.sims, settings.clinch_budget_s)
        if self.executor is None:
            self.executor = forecast_pool(settings.processes)
        try:
            return self.executor.submit(compute_forecast, raw, settings.sims, settings.clinch_budget_s).result()
        except BrokenProcessPool:
            self.executor = None  # the process died (killed, out of memory): a new one takes the next stage
            raise

    def __call__(self, values: list[bytes]) -> None:
        for stage_id, raw in newest_inputs(values).items():
            started = time.monotonic()
            try:
                record = self._run(raw)
            except BrokenProcessPool:
                raise
            except Exception:
                # a model that cannot fit these data must not stop the statistics: the stage keeps its
                # previous forecast, and the next change of its inputs tries again
                log.exception("stage %d: the forecast failed; its previous one stays", stage_id)
                continue
            value = self.registry.encode(self.fingerprint, record)
            self.sender.send(self.settings.topic, str(stage_id).encode(), value)
            log.info(
                "stage %d: forecast of version %d (%d matches, %d teams, %d simulations) in %.2f s",
                stage_id,
                record["version"],
                len(record["matches"]),
                len(record["teams"]),
                record["sims"],
                time.monotonic() - started,
            )
        self.sender.flush()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


class ForecastsConsumer(BatchConsumer):
    """A :class:`~streams.consuming.BatchConsumer` that debounces: a batch goes on until its topic has been
    quiet for ``quiet_s`` (or ``max_wait_s`` have passed since its first message)."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group: str,
        topic: str,
        forecasts: Forecasts,
        quiet_s: float,
        max_wait_s: float,
        batch: int = 1000,
    ) -> None:
        super().__init__(
            name="forecasts",
            bootstrap=bootstrap,
            group=group,
            topics=[topic],
            handle=self._handle,
            batch=batch,
            within_s=0.2,
        )
        self.forecasts = forecasts
        self.quiet_s, self.max_wait_s = quiet_s, max_wait_s
        # a season's forecasts may take minutes when many stages changed at once
        self.config["max.poll.interval.ms"] = 900_000

    def _take(self, timeout: float) -> list[Message]:
        taken = []
        for message in self.consumer.consume(self.batch, timeout):
            error = message.error()
            if error is None:
                taken.append(message)
            elif error.code() != KafkaError._PARTITION_EOF:
                raise KafkaException(error)
        return taken

    def step(self) -> int:
        messages = self._take(self.within_s)
        if not messages:
            return 0
        deadline = time.monotonic() + self.max_wait_s
        while time.monotonic() < deadline and not self.stopping.is_set():
            more = self._take(min(self.quiet_s, max(0.0, deadline - time.monotonic())))
            if not more:
                break
            messages += more
        self.handle(messages)
        try:
            self.consumer.commit(asynchronous=False)
        except KafkaException as exc:
            if exc.args[0].code() not in _REBALANCING:
                raise
            log.warning("forecasts: commit skipped during a rebalance (%s); the batch will be read again", exc)
        return len(messages)

    def _handle(self, messages: list[Message]) -> None:
        self.forecasts([value for m in messages if (value := m.value())])

    def stop(self, timeout: float = 30) -> None:
        super().stop(timeout)
        self.forecasts.close()
