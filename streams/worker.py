"""The Faust side of the worker in one place: the app with every Faust setting, its internal topics and
tables of raw bytes, and running it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faust

from streams.config import StreamsConfig
from streams.errors import TopologyError
from streams.topology import STATE_VERSION, Topology
from streams.transport import App

__all__ = ["faust_app", "raw_topic", "run_worker", "state_table"]


def faust_app(config: StreamsConfig, topology: Topology, bootstrap: str, data_dir: Path) -> App:
    """The worker's Faust app; nothing connects until the worker starts it."""
    app = App(
        config.app_id,
        version=STATE_VERSION,
        broker=f"kafka://{bootstrap}",
        store=config.store,
        datadir=str(data_dir),
        value_serializer="raw",
        key_serializer="raw",
        topic_partitions=config.partitions,
        topic_replication_factor=config.replication_factor,
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
    if app.conf.id != topology.app_id:
        raise TopologyError(
            f"Faust names this app {app.conf.id}, not {topology.app_id}: the internal topics would not match"
        )
    return app


def raw_topic(app: faust.App, name: str, partitions: int) -> Any:
    """An internal topic of bytes keys and values: every payload here is encoded by us (msgpack)."""
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
        internal=True,
    )


def state_table(app: faust.App, name: str, partitions: int) -> Any:
    """A table of bytes keys and values (msgpack), its changelog partitioned like the agent's input."""
    return app.Table(name, default=None, partitions=partitions, key_type=bytes, value_type=bytes)


def run_worker(app: faust.App) -> None:
    """Run the worker until SIGINT/SIGTERM (Faust stops its agents and flushes its tables)."""
    faust.Worker(app, loglevel="INFO").execute_from_commandline()
