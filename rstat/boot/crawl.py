"""Bootstrap of ``rstat crawl`` and ``rstat scheduler``: the crawlers' section of the settings, the database
of the organization a crawl writes to, the HTTP client and the command of a crawl process, handed to the
crawlers' components."""

from __future__ import annotations

import signal
import sys
import threading
import uuid
from pathlib import Path
from types import FrameType

import msgspec
import psycopg
from psycopg.rows import dict_row

from crawlers.outputs import Outputs
from crawlers.run import run_crawl, scrapy_settings
from crawlers.scheduler.live import HttpxGet
from crawlers.scheduler.loop import Scheduler
from crawlers.summary import CrawlSummary
from rstat.errors import RStatError
from rstat.settings import Settings

__all__ = ["CrawlOptions", "crawl", "find_org", "run_scheduler"]


class CrawlOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Where a crawl writes, and how it runs (the spider's own arguments aside)."""

    org: str | None = None
    output: Path | None = None
    results_csv: Path | None = None
    #: Scrapy's HTTP cache folder ("": the setting's, or ``<stack home>/crawl-cache``); None: no cache
    cache: str | None = None
    actor: str = "crawler"
    request_id: str = ""
    progress_s: float = 5.0


def find_org(settings: Settings, org: str) -> int:
    """The id of the organization named by its slug (or id)."""
    try:
        with psycopg.connect(settings.postgres.app_dsn(), row_factory=dict_row) as conn:
            row = conn.execute(
                "SELECT id FROM organizations WHERE slug = %s OR id::text = %s ORDER BY id LIMIT 1", (org, org)
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise RStatError(f"cannot connect to PostgreSQL: {str(exc).strip()}; is `rstat stack up` done?") from exc
    if row is None:
        raise RStatError(f"no organization {org!r}: create it first (`rstat users create EMAIL --org {org}`)")
    return int(row["id"])


def crawl(settings: Settings, spider: str, args: msgspec.Struct, options: CrawlOptions) -> CrawlSummary:
    if options.org is None and options.output is None and options.results_csv is None:
        raise RStatError("say where the items go: --org ORG (the database), --output FILE.jsonl or --results-csv FILE")
    org_id = find_org(settings, options.org) if options.org is not None else None
    outputs = Outputs(
        dsn=settings.postgres.app_dsn() if org_id is not None else None,
        org_id=org_id,
        actor=options.actor,
        request_id=options.request_id or f"crawl:{uuid.uuid4().hex[:12]}",
        jsonl=options.output,
        results_csv=options.results_csv,
    )
    cache: Path | None = None
    if options.cache is not None:
        folder = options.cache or settings.crawlers.cache_dir
        cache = Path(folder) if folder else settings.stack.home_path / "crawl-cache"
    scrapy = scrapy_settings(settings.crawlers, outputs, cache_dir=cache, progress_s=options.progress_s)
    return run_crawl(spider, args, scrapy)


def run_scheduler(settings: Settings) -> None:
    """Until SIGINT or SIGTERM."""
    stop = threading.Event()

    def stopping(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, stopping)
    signal.signal(signal.SIGTERM, stopping)
    get = HttpxGet(settings.crawlers.user_agent)
    rstat = str(Path(sys.executable).parent / "rstat")  # each crawl reads the same environment itself
    try:
        with psycopg.connect(settings.postgres.app_dsn(), autocommit=True, row_factory=dict_row) as conn:
            Scheduler(settings.crawlers, conn, crawl_argv=[rstat, "crawl"], get=get).run(stop)
    except psycopg.OperationalError as exc:
        raise RStatError(f"cannot connect to PostgreSQL: {str(exc).strip()}; is `rstat stack up` done?") from exc
    finally:
        get.close()
