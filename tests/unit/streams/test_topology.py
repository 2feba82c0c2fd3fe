"""The worker creates every topic it or Faust will use before it starts, with the partitioning they need."""

from __future__ import annotations

from streams.config import StreamsConfig
from streams.topology import STATE_TABLES, STATE_VERSION, CdcTopics, Topology


def test_every_topic_the_worker_touches_is_created_up_front_changelogs_included() -> None:
    topology = Topology(
        StreamsConfig(app_id="league", partitions=5),
        CdcTopics(prefix="rstat.cdc.", schema_topic="rstat.schemas", partitions=3),
    )
    created = topology.to_create()
    # Faust names a table's changelog <app id>-v<version>-<table>-changelog; a worker whose consumer joined
    # before Faust created them ignored them and its agents failed with PartitionsMismatch
    for table in STATE_TABLES:
        assert created[f"league-v{STATE_VERSION}-{table}-changelog"] == (5, {"cleanup.policy": "compact"})
    for internal in (topology.stage_facts, topology.match_facts, topology.player_lines):
        assert created[internal] == (5, {})
    assert created["rstat.cdc.matches"] == (3, {})
    assert created["rstat.schemas"] == (1, {"cleanup.policy": "compact"})
    assert all(created[t] == (5, {"cleanup.policy": "compact"}) for t in topology.statistics)
