"""``rstat streams``: the Faust worker that turns CDC changes into standings and statistics.

Topology (every arrow a Kafka topic, so a worker can die and another take over):

    rstat.cdc.matches, .stages, .point_adjustments, .match_events, .lineups, .suspensions
        -> intake    (a librdkafka consumer, streams/intake.py: decode the envelope; facts by stage ->
                      <app>-stage-facts, protocol rows by match -> <app>-match-facts; a new suspension
                      -> rstat.notices)
    <app>-match-facts
        -> protocols (table ``match-state``: a match's row, events, line-ups; every change sends the
                      match's protocol to its stage)                         -> <app>-stage-facts
    <app>-stage-facts
        -> fold      (table ``stage-state``: matches, adjustments, fair play; standings recomputed with
                      sports/; protocols become player lines, the stage knowing season and sport)
                      -> rstat.stats.standings, .live-standings, .teams, rstat.notices, <app>-player-lines
    <app>-player-lines
        -> players   (table ``player-state``: a player's lines per match in a season, summed)
                      -> rstat.stats.players
    rstat.stats.standings, .live-standings, .teams, .players
        -> materializer (a librdkafka consumer: batched upserts into PostgreSQL ``stats``; older
                      versions are not written)

The stateless ends (intake, materializer) read with librdkafka in threads (streams/consuming.py), the
stateful agents in between are Faust's, with tables and changelogs. Repartition topics carry batches:
whatever one batch of an agent sends to a partition travels as one message (streams/batching.py), so
Faust's per-message cost is paid per batch, not per fact; everything is sent with librdkafka
(streams/sender.py) and acknowledged before a batch writes its tables. Agents that mutate a table run
with concurrency 1. Tables are written only while processing an event of
their input topic, so a table's changelog partition is the input's partition and a restarted (or
another) worker recovers exactly the state it takes over. Every step is idempotent: facts carry their
positions, protocols and lines their versions, and an older or repeated one changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import faust
import mode
import msgspec
from confluent_kafka import KafkaError, KafkaException, Message
from confluent_kafka.admin import AdminClient, NewTopic

from schemas.codec import SchemaRegistry, UnknownSchemaError
from streams.batching import Outbox, Sends, Staged, batches_by_partition, keyed
from streams.config import StreamsConfig
from streams.consuming import BatchConsumer
from streams.errors import TopologyError
from streams.facts import Fact
from streams.fold import OutputTopics, StageBatch, StageFold
from streams.intake import Intake
from streams.materializer import LIVE_STANDINGS, PLAYER_STATS, STANDINGS, TEAM_RECORDS, Materializer
from streams.protocol import MatchState, PlayerLineMessage, PlayerState, Protocol, RowFact, season_stats
from streams.registry import load_schemas, publish_schema
from streams.transport import App
from streams.wire import (
    PLAYERS_SCHEMA,
    STANDINGS_SCHEMA,
    TEAMS_SCHEMA,
    player_key,
    player_row,
    players_record,
)

__all__ = ["STATE_VERSION", "Adapters", "CdcTopics", "Senders", "create_app", "prepare", "run_worker", "worker_id"]

log = logging.getLogger(__name__)

SOURCE_TABLES = ("matches", "stages", "point_adjustments", "match_events", "lineups", "suspensions")
REPARTITION_TOPICS = ("stage-facts", "match-facts", "player-lines")
#: the version of the worker's internal formats (repartition messages, table values). Faust suffixes the
#: consumer group, the changelog and repartition topics and the state folder with it, so a worker of a
#: new version starts apart from the old one's state and computes its own from the CDC topics.
#: 2: batched repartition messages, protocol rows kept as the fields the statistics read.
STATE_VERSION = 2


def worker_id(config: StreamsConfig) -> str:
    """The Faust app id with its version, as Faust names the group and the internal topics."""
    return f"{config.app_id}-v{STATE_VERSION}"


class CdcTopics(msgspec.Struct, frozen=True, kw_only=True):
    """What the worker reads of the CDC reader's output: values of the reader's section, handed over by the
    bootstrap so that the processor does not depend on the reader's configuration type."""

    #: ``<prefix><table>`` is a table's CDC topic
    prefix: str
    #: the compacted registry topic (fingerprint -> schema), read by everyone, written by the writers
    schema_topic: str
    #: partitions of the CDC topics (the worker creates them if the reader has not yet)
    partitions: int


class Senders(msgspec.Struct, frozen=True, kw_only=True):
    """One producer per sending step: each step flushes its own, so one's flush never waits for another's
    messages."""

    intake: Sends
    protocols: Sends
    fold: Sends
    players: Sends


class Adapters(msgspec.Struct, frozen=True, kw_only=True):
    """What the bootstrap (``rstat.boot.streams``) builds for the worker; nothing in it has connected yet."""

    bootstrap: str
    cdc: CdcTopics
    #: folder of the worker's local state (the RocksDB tables)
    data_dir: Path
    materializer: Materializer
    senders: Senders


#: the largest micro-batch an agent takes (messages: a repartition message holds a batch of facts), and how
#: long it waits to fill one (bounds the latency each hop adds)
BATCH = 2000
BATCH_WITHIN_S = 0.05


def _ensure_topics(bootstrap: str, topics: dict[str, tuple[int, dict[str, str]]]) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=30).topics)
    new = [
        NewTopic(t, num_partitions=p, replication_factor=-1, config=c)
        for t, (p, c) in topics.items()
        if t not in existing
    ]
    for topic, future in (admin.create_topics(new) if new else {}).items():
        try:
            future.result(timeout=60)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
        log.info("created topic %s", topic)


def prepare(config: StreamsConfig, bootstrap: str, cdc: CdcTopics) -> SchemaRegistry:
    """Before the worker starts: its topics exist, its output schema is published, known schemas are loaded."""
    s = config
    _ensure_topics(
        bootstrap,
        {
            cdc.schema_topic: (1, {"cleanup.policy": "compact"}),
            s.standings_topic: (s.partitions, {"cleanup.policy": "compact"}),
            s.notices_topic: (s.partitions, {}),
            s.teams_topic: (s.partitions, {"cleanup.policy": "compact"}),
            s.live_standings_topic: (s.partitions, {"cleanup.policy": "compact"}),
            s.players_topic: (s.partitions, {"cleanup.policy": "compact"}),
            # the repartition topics too: a worker must never send to one before Faust got round to creating it
            **{f"{worker_id(config)}-{name}": (s.partitions, {}) for name in REPARTITION_TOPICS},
            **{cdc.prefix + t: (cdc.partitions, {}) for t in SOURCE_TABLES},
        },
    )
    registry = SchemaRegistry()
    for schema in (STANDINGS_SCHEMA, TEAMS_SCHEMA, PLAYERS_SCHEMA):
        fingerprint = registry.register(schema)
        publish_schema(bootstrap, cdc.schema_topic, fingerprint, registry.schema_json(fingerprint))
    found = load_schemas(bootstrap, cdc.schema_topic, registry)
    log.info("%d schemas loaded from %s", found, cdc.schema_topic)
    return registry


def run_worker(app: faust.App) -> None:
    """Run the worker until SIGINT/SIGTERM (Faust stops its agents and flushes its tables)."""
    faust.Worker(app, loglevel="INFO").execute_from_commandline()


def create_app(config: StreamsConfig, adapters: Adapters, registry: SchemaRegistry) -> faust.App:
    """The worker's app; nothing connects until the worker starts it."""
    s = config
    bootstrap = adapters.bootstrap
    prefix = adapters.cdc.prefix
    data_dir = adapters.data_dir
    app = App(
        s.app_id,
        version=STATE_VERSION,
        broker=f"kafka://{bootstrap}",
        store=s.store,
        datadir=str(data_dir),
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=s.partitions,
        topic_replication_factor=1,
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # a worker killed without leaving the group is noticed within 10 s and its partitions reassigned
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
        # Faust's producer now carries only the table changelogs (streams/sender.py sends the rest): a few
        # ms of linger batches a micro-batch's writes, and bigger polls feed the micro-batches
        producer_linger=0.005,
        broker_max_poll_records=2000,
    )
    app_id = worker_id(config)
    if app.conf.id != app_id:
        raise TopologyError(f"Faust names this app {app.conf.id}, not {app_id}: the internal topics would not match")
    players_fp = registry.register(PLAYERS_SCHEMA)
    materializer = adapters.materializer

    def raw_topic(*names: str, **options: Any) -> Any:
        """A topic of bytes keys and values: every payload here is encoded by us (Avro, msgpack or JSON)."""
        return app.topic(
            *names, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw", **options
        )

    def table(name: str) -> Any:
        return app.Table(name, default=None, partitions=s.partitions, key_type=bytes, value_type=bytes)

    stage_facts = raw_topic(f"{app_id}-stage-facts", partitions=s.partitions, internal=True)
    match_facts = raw_topic(f"{app_id}-match-facts", partitions=s.partitions, internal=True)
    player_lines_topic = raw_topic(f"{app_id}-player-lines", partitions=s.partitions, internal=True)
    targets = {
        s.standings_topic: STANDINGS,
        s.teams_topic: TEAM_RECORDS,
        s.live_standings_topic: LIVE_STANDINGS,
        s.players_topic: PLAYER_STATS,
    }
    stage_states = table("stage-state")
    match_states = table("match-state")
    match_lines = table("match-lines")  # b"stage:match" -> MatchLines, beside stage-state on its partitions
    player_states = table("player-state")
    encoder = msgspec.msgpack.Encoder()
    # a repartition message is the list of items one batch sent to that partition
    stage_items = msgspec.msgpack.Decoder(list[Fact | Protocol])
    row_items = msgspec.msgpack.Decoder(list[RowFact])
    line_items = msgspec.msgpack.Decoder(list[PlayerLineMessage])
    match_decoder = msgspec.msgpack.Decoder(MatchState)
    player_decoder = msgspec.msgpack.Decoder(PlayerState)

    def decode(value: bytes) -> dict[str, Any]:
        try:
            return dict(registry.decode(value)[1])
        except UnknownSchemaError:
            load_schemas(bootstrap, adapters.cdc.schema_topic, registry)  # a new table version: read again
            return dict(registry.decode(value)[1])

    intake = Intake(
        bootstrap=bootstrap,
        group=f"{app_id}-intake",
        sources={prefix + t: t for t in SOURCE_TABLES},
        stage_topic=stage_facts.get_topic_name(),
        match_topic=match_facts.get_topic_name(),
        notices_topic=s.notices_topic,
        partitions=s.partitions,
        decode=decode,
        sender=adapters.senders.intake,
    )

    def materialize(messages: list[Message]) -> None:
        batch = [(targets[str(m.topic())], decode(value)) for m in messages if (value := m.value())]
        if batch:
            materializer.write(batch)  # one transaction; the batch is committed after it

    threads = (
        intake,
        BatchConsumer(
            name="materializer",
            bootstrap=bootstrap,
            group=f"{app_id}-materializer",
            topics=list(targets),
            handle=materialize,
            batch=BATCH,
            within_s=0.02,
        ),
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

        async def on_stop(self) -> None:
            for thread in threads:
                await asyncio.to_thread(thread.stop)

    @app.agent(match_facts, concurrency=1)
    async def protocols(stream: faust.StreamT[bytes]) -> None:
        to_stages = Outbox(stage_facts.get_topic_name(), s.partitions, encoder.encode)
        sender = adapters.senders.protocols
        async for parts in batches_by_partition(stream, BATCH, BATCH_WITHIN_S):
            staged = Staged(sender)
            for events, match_id, rows in keyed(parts, row_items.decode, lambda row: row.match_id):
                key = str(match_id).encode()
                raw = staged.get(match_states, key)
                state = match_decoder.decode(raw) if raw else MatchState(match_id=match_id)
                if not sum(state.apply(row) for row in rows):
                    continue  # replays or older changes only
                # one protocol per match per batch: a burst of events on one match is computed once
                for protocol in state.protocols():
                    to_stages.add(str(protocol.stage_id).encode(), protocol)
                staged.set(match_states, events, key, encoder.encode(state))
            to_stages.flush(staged)
            await staged.finish()

    stage_fold = StageFold(
        stage_states=stage_states,
        match_lines=match_lines,
        registry=registry,
        topics=OutputTopics(
            standings=s.standings_topic,
            live_standings=s.live_standings_topic,
            teams=s.teams_topic,
            notices=s.notices_topic,
        ),
    )

    @app.agent(stage_facts, concurrency=1)
    async def fold(stream: faust.StreamT[bytes]) -> None:
        to_players = Outbox(player_lines_topic.get_topic_name(), s.partitions, encoder.encode)
        sender = adapters.senders.fold
        async for parts in batches_by_partition(stream, BATCH, BATCH_WITHIN_S):
            staged = Staged(sender)
            for events, stage_id, messages in keyed(parts, stage_items.decode, lambda m: m.stage_id):
                stage_fold.fold(StageBatch(staged, events, to_players), stage_id, messages)
            to_players.flush(staged)
            await staged.finish()

    @app.agent(player_lines_topic, concurrency=1)
    async def players(stream: faust.StreamT[bytes]) -> None:
        sender = adapters.senders.players
        async for parts in batches_by_partition(stream, BATCH, BATCH_WITHIN_S):
            staged = Staged(sender)
            for events, key, messages in keyed(
                parts, line_items.decode, lambda m: player_key(m.season_id, m.player_id)
            ):
                raw = staged.get(player_states, key)
                first = messages[0]
                state = (
                    player_decoder.decode(raw)
                    if raw
                    else PlayerState(season_id=first.season_id, player_id=first.player_id, sport=first.sport)
                )
                if not sum(state.apply(m.line_id, m.entry) for m in messages):
                    continue
                staged.set(player_states, events, key, encoder.encode(state))
                lines = state.current()
                rows = (
                    [player_row(lines[-1].team_id, state.sport, season_stats(lines, str(state.player_id)))]
                    if lines
                    else []
                )
                record = players_record(state.season_id, state.player_id, state.position, state.version, rows)
                staged.send(s.players_topic, key, registry.encode(players_fp, record))
            await staged.finish()

    return app
