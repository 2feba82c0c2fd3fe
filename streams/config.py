"""The stream processor's configuration section (``RSTAT__STREAMS__*``), composed by ``rstat.settings``."""

from __future__ import annotations

import msgspec

__all__ = ["StreamsConfig"]


class StreamsConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The stream processor (``rstat streams``, a Faust worker)."""

    #: Faust application id: the consumer group, and the prefix of its changelog and repartition topics.
    app_id: str = "rstat-streams"
    #: Table store: ``rocksdb://`` (durable, local state under the stack home) or ``memory://``.
    store: str = "rocksdb://"
    #: Compacted topic of the materialized standings (key: stage id and group key).
    standings_topic: str = "rstat.stats.standings"
    #: Compacted topic of live standings (matches in play counted at their current score).
    live_standings_topic: str = "rstat.stats.live-standings"
    #: Compacted topic of team records per stage: home/away splits and form (key: stage id).
    teams_topic: str = "rstat.stats.teams"
    #: Compacted topic of player statistics per season (key: season id and player id).
    players_topic: str = "rstat.stats.players"
    #: Topic of notices (JSON with a stable id; key: the match, else the stage or season, so one match's
    #: notices stay in order) for the Telegram and WebSocket senders.
    notices_topic: str = "rstat.notices"
    #: Compacted topic of stage forecasts: match probabilities and position odds (key: stage id).
    predictions_topic: str = "rstat.stats.predictions"
    #: Simulated seasons per forecast (0 turns forecasts off).
    prediction_sims: int = 10_000
    #: Seconds the exact clinch search may take per stage before it says "undecided".
    prediction_clinch_budget_s: float = 2.0
    #: Processes that compute forecasts (0: in the forecast thread itself, holding the worker's GIL).
    prediction_processes: int = 1
    #: A burst of changes is forecast once: after the first, the topic must be quiet this long...
    prediction_quiet_s: float = 0.5
    #: ... or this long must have passed.
    prediction_max_wait_s: float = 5.0
    #: Partitions of the topics the processor creates.
    partitions: int = 3
    #: Replication factor of the topics the processor creates, its changelogs and repartition topics included
    #: (1 suits the local single-node broker; 3 a production cluster).
    replication_factor: int = 1
    #: Folder of the worker's local state; empty: ``<stack home>/streams``.
    data_dir: str = ""
    #: Port of the worker's Prometheus metrics and /healthz endpoint (0 disables it).
    metrics_port: int = 9402
    #: Address the metrics endpoint listens on (``0.0.0.0`` in a pod, so Prometheus can scrape it).
    metrics_host: str = "127.0.0.1"
    #: Seconds between measurements of the consumer groups' lag (read from Kafka by the metrics thread).
    lag_interval_s: float = 5.0
