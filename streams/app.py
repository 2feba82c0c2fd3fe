"""``rstat streams``: the Faust worker that turns CDC changes into standings.

Topology (every arrow a Kafka topic, so a worker can die and another take over):

    rstat.cdc.matches, .stages, .point_adjustments
        -> route   (decode the envelope, emit facts keyed by stage id)     -> <app>-stage-facts
        -> fold    (the table ``stage-state``: facts by id with positions;  -> rstat.stats.standings
                    standings recomputed with sports/ on every real change)
        -> materialize (upsert into PostgreSQL ``stats``; older replays are not written)

``fold`` mutates its table, so it runs with concurrency 1; its table is keyed like its input topic, so
the changelog partitions equal the source partitions and a restarted worker recovers the same state.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import faust
import msgspec
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from rstat.settings import Settings
from schemas.codec import SchemaRegistry, UnknownSchemaError
from sports import StandingRow
from sports.team_records import team_records
from streams.facts import Fact, StageState, facts_from_change, leaders, notices_for
from streams.materializer import LIVE_STANDINGS, STANDINGS, TEAM_RECORDS, Materializer
from streams.registry import load_schemas, publish_schema
from streams.wire import STANDINGS_SCHEMA, TEAMS_SCHEMA, standings_key, standings_record, teams_record

__all__ = ["create_app", "prepare", "run_worker"]

log = logging.getLogger(__name__)

SOURCE_TABLES = ("matches", "stages", "point_adjustments")


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


def prepare(settings: Settings) -> SchemaRegistry:
    """Before the worker starts: its topics exist, its output schema is published, known schemas are loaded."""
    s = settings.streams
    bootstrap = settings.kafka.bootstrap()
    prefix = settings.cdc.topic_prefix
    _ensure_topics(
        bootstrap,
        {
            settings.cdc.schema_topic: (1, {"cleanup.policy": "compact"}),
            s.standings_topic: (s.partitions, {"cleanup.policy": "compact"}),
            s.notices_topic: (s.partitions, {}),
            s.teams_topic: (s.partitions, {"cleanup.policy": "compact"}),
            s.live_standings_topic: (s.partitions, {"cleanup.policy": "compact"}),
            # the repartition topic too: a worker must never send to it before Faust got round to creating it
            f"{s.app_id}-stage-facts": (s.partitions, {}),
            **{prefix + t: (settings.cdc.partitions, {}) for t in SOURCE_TABLES},
        },
    )
    registry = SchemaRegistry()
    for schema in (STANDINGS_SCHEMA, TEAMS_SCHEMA):
        fingerprint = registry.register(schema)
        publish_schema(bootstrap, settings.cdc.schema_topic, fingerprint, registry.schema_json(fingerprint))
    found = load_schemas(bootstrap, settings.cdc.schema_topic, registry)
    log.info("%d schemas loaded from %s", found, settings.cdc.schema_topic)
    return registry


def run_worker(settings: Settings) -> None:
    """Run the worker until SIGINT/SIGTERM (Faust stops its agents and flushes its tables)."""
    app = create_app(settings, prepare(settings))
    faust.Worker(app, loglevel="INFO").execute_from_commandline()


def create_app(settings: Settings, registry: SchemaRegistry) -> faust.App:
    """The worker's app; nothing connects until the worker starts it."""
    s = settings.streams
    bootstrap = settings.kafka.bootstrap()
    prefix = settings.cdc.topic_prefix
    data_dir = Path(s.data_dir) if s.data_dir else settings.stack.home_path / "streams"
    app = faust.App(
        s.app_id,
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
    )
    standings_fp = registry.register(STANDINGS_SCHEMA)
    teams_fp = registry.register(TEAMS_SCHEMA)
    materializer = Materializer(settings.postgres.app_dsn())

    def raw_topic(*names: str, **options: Any) -> Any:
        """A topic of bytes keys and values: every payload here is encoded by us (Avro, msgpack or JSON)."""
        return app.topic(
            *names, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw", **options
        )

    sources = raw_topic(*(prefix + t for t in SOURCE_TABLES))
    facts_topic = raw_topic(f"{s.app_id}-stage-facts", partitions=s.partitions, internal=True)
    standings_topic = raw_topic(s.standings_topic, partitions=s.partitions)
    teams_topic = raw_topic(s.teams_topic, partitions=s.partitions)
    live_topic = raw_topic(s.live_standings_topic, partitions=s.partitions)
    targets = {s.standings_topic: STANDINGS, s.teams_topic: TEAM_RECORDS, s.live_standings_topic: LIVE_STANDINGS}
    outputs = raw_topic(*targets)
    notices_topic = raw_topic(s.notices_topic, partitions=s.partitions)
    notice_encoder = msgspec.json.Encoder()
    states = app.Table("stage-state", default=None, partitions=s.partitions, key_type=bytes, value_type=bytes)
    fact_encoder = msgspec.msgpack.Encoder()
    fact_decoder = msgspec.msgpack.Decoder(Fact)
    state_decoder = msgspec.msgpack.Decoder(StageState)

    def decode(value: bytes) -> dict[str, Any]:
        try:
            return dict(registry.decode(value)[1])
        except UnknownSchemaError:
            load_schemas(bootstrap, settings.cdc.schema_topic, registry)  # a new table version: read again
            return dict(registry.decode(value)[1])

    @app.agent(sources)
    async def route(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            value = event.value
            if not value:
                continue  # a tombstone: the delete before it carried the facts
            table = event.message.topic.removeprefix(prefix)
            record = decode(value)
            for fact in facts_from_change(table, record):
                await facts_topic.send(key=str(fact.stage_id).encode(), value=fact_encoder.encode(fact))

    async def send_tables(
        topic: Any, state: StageState, position: tuple[int, int], tables: dict[str, list[StandingRow]]
    ) -> None:
        for group, rows in tables.items():
            record = standings_record(state.stage_id, group, position, state.version, rows)
            await topic.send(
                key=standings_key(state.stage_id, record["group_key"]), value=registry.encode(standings_fp, record)
            )

    @app.agent(facts_topic, concurrency=1)
    async def fold(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            fact = fact_decoder.decode(event.value)
            key = event.key
            raw = states.get(key)
            state = state_decoder.decode(raw) if raw else StageState(stage_id=fact.stage_id)
            previous = state.matches.get(fact.id) if fact.kind == "match" else None
            if not state.apply(fact):
                continue  # a replay or an older change: nothing to do
            tables = state.standings()
            leaders_now = leaders(tables)
            for notice in notices_for(fact, previous, state.leaders, leaders_now):
                await notices_topic.send(key=notice.id.encode(), value=notice_encoder.encode(notice))
            state.leaders = leaders_now
            states[key] = fact_encoder.encode(state)  # reassigned, so the changelog records it
            position = state.position
            await send_tables(standings_topic, state, position, tables)
            # the table "if it ended now": the same while nothing is in play, so a finished match clears it
            await send_tables(live_topic, state, position, state.standings(live=True) if state.has_live else tables)
            if tables:
                teams = teams_record(
                    state.stage_id, position, state.version, list(team_records(state.results()).values())
                )
                await teams_topic.send(key=str(state.stage_id).encode(), value=registry.encode(teams_fp, teams))

    @app.agent(outputs, concurrency=1)
    async def materialize(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            if event.value:
                materializer.write(targets[event.message.topic], decode(event.value))

    return app
