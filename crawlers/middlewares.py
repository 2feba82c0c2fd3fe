"""Backing off a site that says it is overloaded, as the sites ask.

Scrapy's own retry sends a refused request again at the spider's pace; a site that answered 429 (too many
requests) or 5xx wants fewer. Here the site's download slot is slowed for the retry: by the response's
``Retry-After`` (seconds) when it gives one, else by a delay that doubles with each retry of the request
(from ``RSTAT_BACKOFF_S``); the slot's own pace comes back with the next good answer. While it backs off
the slot has no jitter (Scrapy's would send the retry up to half the asked time early) and the wait counts
from the answer, as ``Retry-After`` means, not from when the refused request left.
A request still refused after ``RSTAT_RETRIES`` tries, or asked to wait longer than
``RSTAT_MAX_RETRY_AFTER_S``, is given up: its errback counts it as a failed page.
"""

from __future__ import annotations

import logging
import time
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

__all__ = ["BACKOFF_CODES", "BackoffMiddleware", "retry_after"]

log = logging.getLogger(__name__)

BACKOFF_CODES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


def retry_after(response: Response) -> float | None:
    """The seconds of a ``Retry-After`` header (the date form is not used by the sites we read)."""
    value = response.headers.get(b"Retry-After")
    try:
        return max(0.0, float(value.decode())) if value else None
    except ValueError:
        return None


class BackoffMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.retries = crawler.settings.getint("RSTAT_RETRIES", 4)
        self.longest = crawler.settings.getfloat("RSTAT_MAX_RETRY_AFTER_S", 300.0)
        self.base = crawler.settings.getfloat("RSTAT_BACKOFF_S", 2.0)
        #: slot -> its delay and jitter before the site pushed back
        self.paces: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        assert self.crawler.engine is not None
        assert self.crawler.stats is not None
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if response.status not in BACKOFF_CODES:
            if slot is not None and key in self.paces:
                slot.delay, slot.jitter = self.paces.pop(key)
            return response
        tries = int(request.meta.get("rstat_retries", 0))
        wait = retry_after(response)
        if wait is None:
            wait = self.base * 2**tries
        if tries >= self.retries or wait > self.longest:
            log.warning(
                "%s answered %d %d times (wait asked: %.0f s): giving up", request.url, response.status, tries + 1, wait
            )
            return response
        if slot is not None:
            pace, _jitter = self.paces.setdefault(key, (slot.delay, slot.jitter))
            slot.delay, slot.jitter = max(pace, wait), 0.0
            slot.lastseen = time.monotonic()  # the downloader's clock
        self.crawler.stats.inc_value("rstat/retried")
        self.crawler.stats.inc_value(f"rstat/retried/{response.status}")
        log.info("%s answered %d: trying again in %.1f s (retry %d)", request.url, response.status, wait, tries + 1)
        return request.replace(dont_filter=True, meta={**request.meta, "rstat_retries": tries + 1})
