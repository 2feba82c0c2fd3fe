"""The processes ``rstat up`` runs: one entry per long-running R-Stat component that exists so far."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from rstat.ops.supervisor import ProcessSpec
from rstat.settings import Settings

__all__ = ["main_processes"]

log = logging.getLogger(__name__)


def main_processes(settings: Settings) -> list[ProcessSpec]:
    """Every long-running process of the project, in start order. Grows as components are built."""
    rstat = str(Path(sys.executable).parent / "rstat")  # each process reads the same environment itself
    if not settings.telegram.runs:
        log.info(settings.telegram.off_reason())
    return [
        ProcessSpec(name="cdc", argv=[rstat, "cdc"]),
        ProcessSpec(name="streams", argv=[rstat, "streams"]),
        *(ProcessSpec(name=app, argv=[rstat, "api", app]) for app in ("identity", "admin", "public")),
        # the audit writer: it owns the embedded ClickHouse and answers the admin app's history reads
        ProcessSpec(name="audit", argv=[rstat, "audit"]),
        # crawl jobs and live windows (rows managed through the admin API; none: it waits for one)
        ProcessSpec(name="scheduler", argv=[rstat, "scheduler"]),
        # the Telegram bots and sender (a shared token set, or RSTAT__TELEGRAM__ENABLED for organizations' bots)
        *([ProcessSpec(name="telegram", argv=[rstat, "telegram"])] if settings.telegram.runs else []),
        # the demo organization, built through the apps and played live (RSTAT__DEMO__ENABLED=false: none)
        *([ProcessSpec(name="demo", argv=[rstat, "demo"])] if settings.demo.enabled else []),
    ]
