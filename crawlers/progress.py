"""Progress while a crawl runs: every ``RSTAT_PROGRESS_S`` seconds one line with the counts so far."""

from __future__ import annotations

import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawlers.summary import summarize

__all__ = ["Progress"]

log = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, every_s: float) -> None:
        self.crawler = crawler
        self.every_s = every_s
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        every = crawler.settings.getfloat("RSTAT_PROGRESS_S", 0.0)
        if every <= 0:
            raise NotConfigured  # no progress lines asked for
        found = cls(crawler, every)
        crawler.signals.connect(found.opened, signal=signals.spider_opened)
        crawler.signals.connect(found.closed, signal=signals.spider_closed)
        return found

    def opened(self) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.every_s, now=False)

    def closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def report(self) -> None:
        assert self.crawler.stats is not None
        assert self.crawler.spidercls is not None
        s = summarize(self.crawler.spidercls.name, self.crawler.stats.get_stats())
        log.info(
            "crawl %s: %d pages, %d items: %d written, %d unchanged, %d dropped, %d conflicts",
            s.spider, s.pages, s.items, s.written, s.unchanged, sum(s.dropped.values()), len(s.conflicts),
        )  # fmt: skip
