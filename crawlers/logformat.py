"""Scrapy logs each item it scrapes or drops with the whole item: a match with its protocol is pages long. Here
an item is named by its key instead (a dropped one with the reason it was dropped)."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

from crawlers.items import MatchItem, Rejected

__all__ = ["ItemsByKey"]


def _label(item: Any) -> str:
    if isinstance(item, MatchItem):
        return f"match {item.key} ({item.home.name} v {item.away.name})"
    if isinstance(item, Rejected):
        return f"a record at {item.where} of {item.url}"
    return type(item).__name__


class ItemsByKey(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        found = super().scraped(item, response, spider)
        return {**found, "args": {**found["args"], "item": _label(item)}}  # type: ignore[dict-item]

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        found = super().dropped(item, exception, response, spider)
        return {**found, "args": {**found["args"], "item": _label(item)}}  # type: ignore[dict-item]
