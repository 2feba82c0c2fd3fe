"""``rstat audit`` put together: the writer's loop in the main thread, its HTTP endpoint beside it.

The bootstrap (``rstat.boot.audit``) builds the adapters; nothing here reads settings or connects before
:meth:`AuditService.run`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from audit.config import AuditConfig
from audit.http import Endpoint
from audit.metrics import AuditMetrics
from audit.store import AuditStore
from audit.writer import ChangeSource, Writer
from schemas.codec import SchemaRegistry

__all__ = ["Adapters", "AuditService"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Adapters:
    store: AuditStore
    source: ChangeSource
    registry: SchemaRegistry
    #: reads the whole registry topic into ``registry`` again; returns how many schemas it holds
    reload_schemas: Callable[[], int]
    schema_topic: str


class AuditService:
    def __init__(self, config: AuditConfig, database: str, adapters: Adapters) -> None:
        self.config = config
        self.adapters = adapters
        self.metrics = AuditMetrics()
        self.writer = Writer(
            config,
            database=database,
            source=adapters.source,
            store=adapters.store,
            registry=adapters.registry,
            reload_schemas=adapters.reload_schemas,
            schema_topic=adapters.schema_topic,
            metrics=self.metrics,
        )
        self.endpoint = Endpoint(
            adapters.store,
            config.table,
            metrics=self.metrics.registry,
            health=self.health,
            credentials=(config.user, config.password) if config.password else None,
        )
        self.started = time.monotonic()

    def health(self) -> dict[str, Any]:
        down = self.adapters.source.down_since
        return {
            "status": "ok" if down is None else "waiting for kafka",
            "clickhouse": self.adapters.store.describe(),
            "kafka_down_s": None if down is None else round(time.monotonic() - down, 1),
            "rows_written": self.writer.rows_written,
            "uptime_s": round(time.monotonic() - self.started, 1),
        }

    def run(self) -> None:
        """Prepare the table, serve the endpoint, write until ``writer.stop`` is set; close everything."""
        try:
            self.writer.prepare()
            if self.config.port:
                self.endpoint.start(self.config.host, self.config.port)
            log.info("writing changes into %s (%s)", self.writer.target, self.adapters.store.describe())
            self.writer.run()
        finally:
            self.endpoint.close()
            self.adapters.source.close()
            self.adapters.store.close()
