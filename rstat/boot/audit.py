"""Bootstrap of ``rstat audit``: the writer's adapters built from the settings, and the stores readers use.

The embedded ClickHouse can be open in one process only, so where a reader (``rstat audit query``,
``rstat stack status``) reads depends on who holds it: a configured server is read directly; the embedded
engine through the running writer's SQL endpoint when the writer holds it, directly when nobody does.
"""

from __future__ import annotations

import signal
import socket
from types import FrameType

from audit.embedded import EmbeddedStore, held_by_another_process
from audit.kafka import CdcConsumer, topic_pattern
from audit.server import ServerStore
from audit.service import Adapters, AuditService
from audit.store import AuditStore
from rstat.settings import Settings
from schemas.codec import SchemaRegistry
from schemas.registry import load_schemas

__all__ = ["reading_store", "run_audit", "writing_store"]


def writing_store(settings: Settings) -> AuditStore:
    """The store the writer owns: the configured server, else the embedded engine under the stack home."""
    database, timeout = settings.clickhouse.database, settings.audit.query_timeout_s
    if settings.clickhouse.external:
        return ServerStore(settings.clickhouse.url.reveal(), database, query_timeout_s=timeout)
    return EmbeddedStore(settings.chdb_path(), database, query_timeout_s=timeout)


def reading_store(settings: Settings) -> AuditStore:
    """Where a reader reads: the server; else the writer's endpoint while it holds the engine; else the
    engine itself."""
    if not settings.clickhouse.external and held_by_another_process(settings.chdb_path()):
        database, timeout = settings.clickhouse.database, settings.audit.query_timeout_s
        return ServerStore(settings.audit.credentialed_endpoint(), database, query_timeout_s=timeout)
    return writing_store(settings)


def run_audit(settings: Settings) -> None:
    """Write until SIGINT/SIGTERM (see :class:`audit.service.AuditService`)."""
    bootstrap = settings.kafka.bootstrap()
    cdc = settings.cdc
    registry = SchemaRegistry()

    def reload_schemas() -> int:
        return load_schemas(bootstrap, cdc.schema_topic, registry)

    reload_schemas()
    service = AuditService(
        settings.audit,
        settings.clickhouse.database,
        Adapters(
            store=writing_store(settings),
            source=CdcConsumer(
                bootstrap,
                settings.audit.group,
                settings.audit.instance or socket.gethostname(),
                topic_pattern(cdc.topic_prefix),
            ),
            registry=registry,
            reload_schemas=reload_schemas,
            schema_topic=cdc.schema_topic,
        ),
    )

    def stop(_signum: int, _frame: FrameType | None) -> None:
        service.writer.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    service.run()
