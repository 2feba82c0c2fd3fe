"""The worker's topics in one place: their names (from its section and the CDC reader's topics),
partitions, cleanup policies and replication factor, and their creation before the worker starts.

Topology (every arrow a Kafka topic, so a worker can die and another take over):

    rstat.cdc.matches, .stages, .point_adjustments, .match_events, .lineups, .suspensions
        -> intake    (streams/intake.py: facts by stage -> <app>-stage-facts, protocol rows by match ->
                      <app>-match-facts, a new suspension -> rstat.notices)
    <app>-match-facts  -> protocols (streams/matches.py)               -> <app>-stage-facts
    <app>-stage-facts  -> fold      (streams/fold.py)                  -> rstat.stats.standings,
                      .live-standings, .teams, rstat.notices, <app>-player-lines
    <app>-player-lines -> players   (streams/players.py)               -> rstat.stats.players
    <app>-stage-facts  -> fold, when a stage's forecast inputs changed -> <app>-forecast-inputs (compacted)
    <app>-forecast-inputs -> forecasts (streams/predictions_worker.py,
                      debounced, in a process of its own)              -> rstat.stats.predictions
    rstat.stats.*      -> materializer (streams/materializing.py)      -> PostgreSQL ``stats``
"""

from __future__ import annotations

import logging

import msgspec
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from streams.config import StreamsConfig

__all__ = [
    "MATCH_LINES",
    "MATCH_STATE",
    "PLAYER_STATE",
    "SOURCE_TABLES",
    "STAGE_STATE",
    "STATE_TABLES",
    "STATE_VERSION",
    "CdcTopics",
    "OutputTopics",
    "Topology",
    "ensure_topics",
]

log = logging.getLogger(__name__)

SOURCE_TABLES = ("matches", "stages", "point_adjustments", "match_events", "lineups", "suspensions")
#: the agents' state tables; Faust keeps each in a compacted changelog topic ``<app id>-<name>-changelog``
MATCH_STATE, STAGE_STATE, MATCH_LINES, PLAYER_STATE = "match-state", "stage-state", "match-lines", "player-state"
STATE_TABLES = (MATCH_STATE, STAGE_STATE, MATCH_LINES, PLAYER_STATE)
#: the version of the worker's internal formats (repartition messages, table values). Faust suffixes the
#: consumer group, the changelog and repartition topics and the state folder with it, so a worker of a
#: new version starts apart from the old one's state and computes its own from the CDC topics.
#: 2: batched repartition messages, protocol rows kept as the fields the statistics read.
STATE_VERSION = 2

#: a topic's partitions and its topic-level configuration
TopicSpec = tuple[int, dict[str, str]]
COMPACT = {"cleanup.policy": "compact"}


class CdcTopics(msgspec.Struct, frozen=True, kw_only=True):
    """What the worker reads of the CDC reader's output: values of the reader's section, handed over by the
    bootstrap so that the processor does not depend on the reader's configuration type."""

    #: ``<prefix><table>`` is a table's CDC topic
    prefix: str
    #: the compacted registry topic (fingerprint -> schema), read by everyone, written by the writers
    schema_topic: str
    #: partitions of the CDC topics (the worker creates them if the reader has not yet)
    partitions: int


class OutputTopics(msgspec.Struct, frozen=True, kw_only=True):
    """Where the fold sends a stage's outputs."""

    standings: str
    live_standings: str
    teams: str
    notices: str


class Topology:
    """Every topic the worker reads or writes."""

    def __init__(self, config: StreamsConfig, cdc: CdcTopics) -> None:
        self.config, self.cdc = config, cdc
        #: the Faust app id with its version, as Faust names the group and the internal topics
        self.app_id = f"{config.app_id}-v{STATE_VERSION}"
        self.sources = {cdc.prefix + table: table for table in SOURCE_TABLES}  # topic -> table
        self.stage_facts = f"{self.app_id}-stage-facts"
        self.match_facts = f"{self.app_id}-match-facts"
        self.player_lines = f"{self.app_id}-player-lines"
        self.outputs = OutputTopics(
            standings=config.standings_topic,
            live_standings=config.live_standings_topic,
            teams=config.teams_topic,
            notices=config.notices_topic,
        )
        self.players = config.players_topic
        self.forecast_inputs = f"{self.app_id}-forecast-inputs"
        self.predictions = config.predictions_topic

    @property
    def changelogs(self) -> tuple[str, ...]:
        """The changelog topics of the state tables, named as Faust names them."""
        return tuple(f"{self.app_id}-{table}-changelog" for table in STATE_TABLES)

    @property
    def statistics(self) -> tuple[str, ...]:
        """The compacted statistics topics, which the materializer reads."""
        return (self.outputs.standings, self.outputs.teams, self.outputs.live_standings, self.players, self.predictions)

    def to_create(self) -> dict[str, TopicSpec]:
        partitions = self.config.partitions
        return {
            self.cdc.schema_topic: (1, COMPACT),
            **dict.fromkeys(self.statistics, (partitions, COMPACT)),
            self.outputs.notices: (partitions, {}),
            # the repartition topics too: a worker must never send to one before Faust got round to creating it
            **dict.fromkeys((self.stage_facts, self.match_facts, self.player_lines), (partitions, {})),
            # a stage's newest inputs are all a forecast needs
            self.forecast_inputs: (partitions, COMPACT),
            # and the changelogs: a new worker whose consumer joins before it can see the changelogs Faust has
            # just created ignores them, and its agents then fail with PartitionsMismatch
            **dict.fromkeys(self.changelogs, (partitions, COMPACT)),
            **dict.fromkeys(self.sources, (self.cdc.partitions, {})),
        }


def ensure_topics(bootstrap: str, topics: dict[str, TopicSpec], replication_factor: int) -> None:
    """Create those of ``topics`` that do not exist yet (another worker may be creating them too)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=30).topics)
    new = [
        NewTopic(t, num_partitions=p, replication_factor=replication_factor, config=c)
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
