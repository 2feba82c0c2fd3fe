"""The bootstrap of ``rstat streams``: from the settings to a running worker.

The processor takes its own section and what it needs of the others as values (the Kafka bootstrap, the
CDC reader's topics) and adapters built here (the producers it sends with, the materializer with its
PostgreSQL DSN), so ``streams/`` never reads the settings of another component.
"""

from __future__ import annotations

from pathlib import Path

from rstat.settings import Settings
from streams.app import Adapters, Senders, create_app, prepare
from streams.materializer import Materializer
from streams.sender import Sender
from streams.topology import CdcTopics
from streams.worker import run_worker

__all__ = ["build_adapters", "run_streams"]


def build_adapters(settings: Settings) -> Adapters:
    """The worker's adapters, built before it starts: the materializer connects on its first write, the
    producers in librdkafka's own threads."""
    bootstrap = settings.kafka.bootstrap()
    config = settings.streams
    return Adapters(
        bootstrap=bootstrap,
        cdc=CdcTopics(
            prefix=settings.cdc.topic_prefix,
            schema_topic=settings.cdc.schema_topic,
            partitions=settings.cdc.partitions,
        ),
        data_dir=Path(config.data_dir) if config.data_dir else settings.stack.home_path / "streams",
        statistics=Materializer(settings.postgres.app_dsn()),
        senders=Senders(
            intake=Sender(bootstrap),
            protocols=Sender(bootstrap),
            fold=Sender(bootstrap),
            players=Sender(bootstrap),
            predictions=Sender(bootstrap),
        ),
    )


def run_streams(settings: Settings) -> None:
    """Create the topics, publish the output schemas, then run the worker until SIGINT/SIGTERM."""
    adapters = build_adapters(settings)
    registry = prepare(settings.streams, adapters.bootstrap, adapters.cdc)
    run_worker(create_app(settings.streams, adapters, registry))
