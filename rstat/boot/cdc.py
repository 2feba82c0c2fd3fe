"""Bootstrap of ``rstat cdc``: the reader's adapters built from the settings, then the reader run.

The reader gets its own configuration section, plain DSNs and a spill folder, and the adapters it talks
through (Kafka publisher, schema registry, metrics); it never sees the whole settings object.
"""

from __future__ import annotations

from pathlib import Path

from cdc.metrics import CdcMetrics
from cdc.publisher import Publisher
from cdc.reader import CdcReader
from cdc.snapshot import request_snapshot
from rstat.settings import Settings
from schemas.codec import SchemaRegistry

__all__ = ["request_cdc_snapshot", "run_cdc", "spill_dir"]


def spill_dir(settings: Settings) -> Path:
    """Where streamed transactions wait for their commit: the setting, or a folder of the slot in the stack home."""
    cdc = settings.cdc
    return Path(cdc.spill_dir) if cdc.spill_dir else settings.stack.home_path / "cdc-spill" / cdc.slot


def run_cdc(settings: Settings, *, recreate_slot: bool = False) -> None:
    """Stream until SIGINT/SIGTERM (see :meth:`cdc.reader.CdcReader.run`)."""
    metrics = CdcMetrics()
    reader = CdcReader(
        settings.cdc,
        admin_dsn=settings.postgres.admin_dsn(),
        repl_dsn=settings.postgres.repl_dsn(),
        database=settings.postgres.database,
        spill_dir=spill_dir(settings),
        publisher=Publisher(settings.kafka.bootstrap(), settings.cdc, metrics),
        registry=SchemaRegistry(),
        metrics=metrics,
    )
    reader.run(recreate_slot=recreate_slot)


def request_cdc_snapshot(settings: Settings, table: str) -> str:
    """Ask the running reader to re-snapshot ``table``; returns the LSN of the request."""
    return request_snapshot(settings.postgres.admin_dsn(), table)
