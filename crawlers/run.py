"""Running a spider: Scrapy's settings for our crawls, and a crawl in this process (``rstat crawl``; the
scheduler runs each job as such a process of its own).

The settings carry the site manners (robots.txt, the User-Agent naming the bot, a delay between requests,
FBref's stricter one, backing off on 429 and 5xx), the pipelines and the outputs; Scrapy's HTTP cache is on
when a cache folder is given, so a re-crawl can be served from it without asking the site again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import msgspec
from scrapy.crawler import Crawler, CrawlerProcess

from crawlers.adapter import register
from crawlers.config import CrawlersConfig
from crawlers.middlewares import BACKOFF_CODES
from crawlers.outputs import Outputs
from crawlers.spiders import SPIDERS
from crawlers.spiders.base import SAVED_PAGES
from crawlers.summary import CrawlSummary, summarize

__all__ = ["REACTOR", "run_crawl", "scrapy_settings", "summary_of"]

#: the crawls need no asyncio: Twisted's plain reactor, which also runs in a thread of a test process
REACTOR = "twisted.internet.epollreactor.EPollReactor"


def scrapy_settings(
    config: CrawlersConfig, outputs: Outputs, *, cache_dir: Path | None = None, progress_s: float = 0.0
) -> dict[str, Any]:
    register()
    return {
        "BOT_NAME": "rstat",
        "USER_AGENT": config.user_agent,
        "ROBOTSTXT_OBEY": config.obey_robots,
        "DOWNLOAD_DELAY": config.delay_s,
        "RSTAT_FBREF_DELAY_S": config.fbref_delay_s,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        # 429 and 5xx are backed off by our middleware; Scrapy's retry keeps the network errors
        "RETRY_HTTP_CODES": [],
        "RETRY_TIMES": config.retries,
        "RSTAT_RETRIES": config.retries,
        "RSTAT_BACKOFF_S": config.backoff_s,
        "RSTAT_MAX_RETRY_AFTER_S": config.max_retry_after_s,
        "DOWNLOADER_MIDDLEWARES": {"crawlers.middlewares.BackoffMiddleware": 560},
        "ITEM_PIPELINES": {
            "crawlers.pipelines.CheckPipeline": 100,
            "crawlers.pipelines.JsonLinesPipeline": 300,
            "crawlers.pipelines.ResultsCsvPipeline": 310,
            "crawlers.pipelines.DatabasePipeline": 400,
        },
        "EXTENSIONS": {"crawlers.progress.Progress": 500},
        "RSTAT_PROGRESS_S": progress_s,
        "RSTAT_OUTPUTS": outputs,
        "HTTPCACHE_ENABLED": cache_dir is not None,
        "HTTPCACHE_DIR": str(cache_dir or "httpcache"),
        "HTTPCACHE_IGNORE_HTTP_CODES": sorted(BACKOFF_CODES),
        "TELNETCONSOLE_ENABLED": False,
        "STATS_DUMP": False,  # the summary says what counts
        "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_REACTOR": REACTOR,
        "LOG_LEVEL": "INFO",
        "LOG_FORMATTER": "crawlers.logformat.ItemsByKey",
        "LOG_INSTALL_ROOT_HANDLER": False,  # the process's own logging set-up stays
        # saved pages (file://, see the fbref spider) are read at once, whatever the sites' pace
        "DOWNLOAD_SLOTS": {SAVED_PAGES: {"delay": 0.0, "concurrency": 8}},
    }


def summary_of(crawler: Crawler) -> CrawlSummary:
    assert crawler.stats is not None
    assert crawler.spidercls is not None
    return summarize(crawler.spidercls.name, crawler.stats.get_stats())


def run_crawl(spider: str, args: msgspec.Struct, settings: dict[str, Any]) -> CrawlSummary:
    """Crawl with ``spider`` until it is done (Ctrl-C stops it cleanly); once per process (Twisted's reactor
    does not start twice)."""
    spider_cls = SPIDERS[spider]
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(settings["LOG_LEVEL"])  # Scrapy sets its loggers to DEBUG
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, args=args)
    process.start()
    return summary_of(crawler)
