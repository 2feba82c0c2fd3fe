"""Spiders run in the test process: Twisted's reactor in a thread of its own, started once (it cannot start
twice in a process), each crawl handed to it and waited for. A real ``rstat crawl`` process costs seconds to
start; this costs nothing after the first."""

from __future__ import annotations

import functools
import sys
import threading
from pathlib import Path
from typing import Any

import msgspec
from scrapy.crawler import CrawlerRunner

from crawlers.arguments import ARGUMENTS
from crawlers.config import CrawlersConfig
from crawlers.outputs import Outputs
from crawlers.run import REACTOR, scrapy_settings, summary_of
from crawlers.spiders import SPIDERS
from crawlers.summary import CrawlSummary

#: the test site answers at once: no pause between requests, short backoffs
FAST = CrawlersConfig(delay_s=0.0, fbref_delay_s=0.0, retries=2, backoff_s=0.2, max_retry_after_s=5.0)


@functools.cache
def reactor() -> Any:
    """The reactor, running in its thread (started at the first call)."""
    if "twisted.internet.reactor" not in sys.modules:
        from scrapy.utils.reactor import install_reactor

        install_reactor(REACTOR)
    from twisted.internet import reactor as installed

    running: Any = installed
    threading.Thread(target=running.run, kwargs={"installSignalHandlers": False}, name="reactor", daemon=True).start()
    return running


def crawl(
    spider: str,
    *,
    config: CrawlersConfig = FAST,
    outputs: Outputs | None = None,
    cache: Path | None = None,
    **args: Any,
) -> CrawlSummary:
    """Run ``spider`` with ``args`` (its typed arguments' fields) to the end; its summary."""
    from twisted.internet import threads

    typed: msgspec.Struct = ARGUMENTS[spider].parse(args)
    settings = scrapy_settings(config, outputs or Outputs(), cache_dir=cache)
    settings["LOG_LEVEL"] = "WARNING"
    running = reactor()

    def start() -> Any:
        runner = CrawlerRunner(settings)
        crawler = runner.create_crawler(SPIDERS[spider])
        done = crawler.crawl(args=typed)
        done.addCallback(lambda _: crawler)
        return done

    crawler = threads.blockingCallFromThread(running, start)
    return summary_of(crawler)
