"""``rstat streams``: the Faust worker that turns CDC changes into standings and statistics.

What flows where is in streams/topology.py. The stateless ends (intake, materializer) read with librdkafka
in threads (streams/consuming.py), the stateful agents in between are Faust's, with tables and changelogs.
Repartition topics carry batches: whatever one batch of an agent sends to a partition travels as one
message (streams/batching.py), so Faust's per-message cost is paid per batch, not per fact; everything is
sent with librdkafka (streams/sender.py) and acknowledged before a batch writes its tables. Agents that
mutate a table run with concurrency 1. Tables are written only while processing an event of their input
topic, so a table's changelog partition is the input's partition and a restarted (or another) worker
recovers exactly the state it takes over. Every step is idempotent: facts carry their positions,
protocols and lines their versions, and an older or repeated one changes nothing.

This module wires the steps together; the bootstrap (``rstat.boot.streams``) builds the adapters.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import faust
import mode
import msgspec

from schemas.codec import SchemaRegistry, UnknownSchemaError
from schemas.registry import load_schemas, publish_schema
from streams.agent_loop import BATCH, run_agent
from streams.batching import Outbox, Sends
from streams.config import StreamsConfig
from streams.consuming import BatchConsumer
from streams.facts import Fact
from streams.fold import StageFold
from streams.intake import Intake
from streams.lines import PlayerLineMessage
from streams.matches import MatchProtocols
from streams.materializer import LIVE_STANDINGS, PLAYER_STATS, STANDINGS, TEAM_RECORDS
from streams.materializing import Materializing, StatisticsSink
from streams.metrics import StreamsMetrics
from streams.players import PlayerSeasons
from streams.predictions import MATCH_PREDICTIONS, POSITION_ODDS, ForecastRequests
from streams.predictions_worker import Forecasts, ForecastsConsumer, ForecastSettings
from streams.protocol import Protocol, RowFact
from streams.topology import (
    MATCH_LINES,
    MATCH_STATE,
    PLAYER_STATE,
    STAGE_STATE,
    CdcTopics,
    Topology,
    ensure_topics,
)
from streams.wire import PLAYERS_SCHEMA, PREDICTIONS_SCHEMA, STANDINGS_SCHEMA, TEAMS_SCHEMA, player_key
from streams.worker import faust_app, raw_topic, state_table

__all__ = ["Adapters", "Senders", "create_app", "prepare"]

log = logging.getLogger(__name__)


class Senders(msgspec.Struct, frozen=True, kw_only=True):
    """One producer per sending step: each step flushes its own, so one's flush never waits for another's
    messages."""

    intake: Sends
    protocols: Sends
    fold: Sends
    players: Sends
    #: the forecasts' producer (None: forecasts are off)
    predictions: Sends | None = None


class Adapters(msgspec.Struct, frozen=True, kw_only=True):
    """What the bootstrap (``rstat.boot.streams``) builds for the worker; nothing in it has connected yet."""

    bootstrap: str
    cdc: CdcTopics
    #: folder of the worker's local state (the RocksDB tables)
    data_dir: Path
    #: where the statistics are materialized (PostgreSQL's ``stats`` schema)
    statistics: StatisticsSink
    senders: Senders


def prepare(config: StreamsConfig, bootstrap: str, cdc: CdcTopics) -> SchemaRegistry:
    """Before the worker starts: its topics exist, its output schema is published, known schemas are loaded."""
    ensure_topics(bootstrap, Topology(config, cdc).to_create(), config.replication_factor)
    registry = SchemaRegistry()
    for schema in (STANDINGS_SCHEMA, TEAMS_SCHEMA, PLAYERS_SCHEMA, PREDICTIONS_SCHEMA):
        fingerprint = registry.register(schema)
        publish_schema(bootstrap, cdc.schema_topic, fingerprint, registry.schema_json(fingerprint))
    found = load_schemas(bootstrap, cdc.schema_topic, registry)
    log.info("%d schemas loaded from %s", found, cdc.schema_topic)
    return registry


def create_app(config: StreamsConfig, adapters: Adapters, registry: SchemaRegistry) -> faust.App:
    """The worker's app; nothing connects until the worker starts it."""
    topology = Topology(config, adapters.cdc)
    partitions = config.partitions
    app = faust_app(config, topology, adapters.bootstrap, adapters.data_dir)
    stage_facts = raw_topic(app, topology.stage_facts, partitions)
    match_facts = raw_topic(app, topology.match_facts, partitions)
    player_lines = raw_topic(app, topology.player_lines, partitions)
    encoder = msgspec.msgpack.Encoder()

    def decode(value: bytes) -> dict[str, Any]:
        try:
            return dict(registry.decode(value)[1])
        except UnknownSchemaError:
            load_schemas(adapters.bootstrap, adapters.cdc.schema_topic, registry)  # a new table version: read again
            return dict(registry.decode(value)[1])

    outputs = topology.outputs
    # the worker's own metrics (streams/metrics.py): its ports wrapped to count, served while it runs
    metrics = StreamsMetrics()
    senders = Senders(
        intake=metrics.sending(adapters.senders.intake, outputs.notices),
        protocols=adapters.senders.protocols,
        fold=metrics.sending(adapters.senders.fold, outputs.notices),
        players=adapters.senders.players,
        predictions=adapters.senders.predictions,
    )
    forecasting = senders.predictions is not None and config.prediction_sims > 0
    threads: list[Intake | BatchConsumer] = [
        Intake(
            bootstrap=adapters.bootstrap,
            group=f"{topology.app_id}-intake",
            sources=topology.sources,
            stage_topic=topology.stage_facts,
            match_topic=topology.match_facts,
            notices_topic=outputs.notices,
            partitions=partitions,
            decode=metrics.decoding(decode),
            sender=senders.intake,
        ),
        BatchConsumer(
            name="materializer",
            bootstrap=adapters.bootstrap,
            group=f"{topology.app_id}-materializer",
            topics=list(topology.statistics),
            handle=Materializing(
                {
                    outputs.standings: STANDINGS,
                    outputs.teams: TEAM_RECORDS,
                    outputs.live_standings: LIVE_STANDINGS,
                    topology.players: PLAYER_STATS,
                    topology.predictions: (MATCH_PREDICTIONS, POSITION_ODDS),
                },
                decode,
                metrics.materializing(adapters.statistics),
            ),
            batch=BATCH,
            within_s=0.02,
        ),
    ]
    if forecasting and senders.predictions is not None:
        forecasts = Forecasts(
            ForecastSettings(
                topic=topology.predictions,
                sims=config.prediction_sims,
                clinch_budget_s=config.prediction_clinch_budget_s,
                processes=config.prediction_processes,
            ),
            registry,
            senders.predictions,
        )
        threads.append(
            ForecastsConsumer(
                bootstrap=adapters.bootstrap,
                group=f"{topology.app_id}-forecasts",
                topic=topology.forecast_inputs,
                forecasts=forecasts,
                quiet_s=config.prediction_quiet_s,
                max_wait_s=config.prediction_max_wait_s,
            )
        )

    @app.service
    class ConsumerThreads(mode.Service):
        """Runs the intake and the materializer while the worker runs; a failure of either stops the worker."""

        async def on_start(self) -> None:
            loop = asyncio.get_running_loop()

            def failed(exc: BaseException) -> None:
                asyncio.run_coroutine_threadsafe(self.crash(exc), loop)

            for thread in threads:
                thread.start(failed)
            if metrics.serve(config.metrics_host, config.metrics_port):
                steps = ("intake", "materializer", *(("forecasts",) if forecasting else ()))
                groups = (topology.app_id, *(f"{topology.app_id}-{step}" for step in steps))
                metrics.measure_lag(adapters.bootstrap, groups, config.lag_interval_s)
            metrics.healthy = True

        async def on_stop(self) -> None:
            metrics.close()
            for thread in threads:
                await asyncio.to_thread(thread.stop)

    to_stages = Outbox(topology.stage_facts, partitions, encoder.encode)
    to_players = Outbox(topology.player_lines, partitions, encoder.encode)
    match_protocols = MatchProtocols(state_table(app, MATCH_STATE, partitions), to_stages)
    stage_fold = StageFold(
        stage_states=state_table(app, STAGE_STATE, partitions),
        # b"stage:match" -> MatchLines, beside stage-state on its partitions
        match_lines=state_table(app, MATCH_LINES, partitions),
        registry=registry,
        topics=outputs,
        to_players=to_players,
        forecasts=ForecastRequests(topology.forecast_inputs) if forecasting else None,
    )
    player_seasons = PlayerSeasons(state_table(app, PLAYER_STATE, partitions), registry, topology.players)
    # a repartition message is the list of items one batch sent to that partition
    rows = msgspec.msgpack.Decoder(list[RowFact]).decode
    stage_items = msgspec.msgpack.Decoder(list[Fact | Protocol]).decode
    lines = msgspec.msgpack.Decoder(list[PlayerLineMessage]).decode

    @app.agent(match_facts, concurrency=1)
    async def protocols(stream: faust.StreamT[bytes]) -> None:
        await run_agent(
            stream,
            sender=senders.protocols,
            decode=rows,
            key=lambda row: row.match_id,
            step=metrics.applying("protocols", match_protocols),
            outbox=to_stages,
        )

    @app.agent(stage_facts, concurrency=1)
    async def fold(stream: faust.StreamT[bytes]) -> None:
        await run_agent(
            stream,
            sender=senders.fold,
            decode=stage_items,
            key=lambda message: message.stage_id,
            step=metrics.applying("fold", stage_fold),
            outbox=to_players,
        )

    @app.agent(player_lines, concurrency=1)
    async def players(stream: faust.StreamT[bytes]) -> None:
        await run_agent(
            stream,
            sender=senders.players,
            decode=lines,
            key=lambda line: player_key(line.season_id, line.player_id),
            step=metrics.applying("players", player_seasons),
        )

    return app
