"""``fbref``: a competition season's schedule and its match reports, or saved match report pages.

FBref sits behind Cloudflare and answers about 10 requests a minute (more is blocked for a day): this spider
waits ``RSTAT__CRAWLERS__FBREF_DELAY_S`` (6 s) between requests, one at a time, obeys robots.txt and names
itself (``RSTAT__CRAWLERS__USER_AGENT``). Re-crawls can come from Scrapy's HTTP cache (``rstat crawl
--cache``) and from pages saved before (``--pages``), which need no request at all.
"""

from __future__ import annotations

import glob
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import msgspec
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawlers.arguments import FbrefArgs
from crawlers.errors import CrawlSetupError
from crawlers.items import MatchItem, Rejected
from crawlers.parsers.common import RecordError
from crawlers.parsers.fbref import SOURCE, parse_match_report, parse_schedule, season_from_link
from crawlers.spiders.base import SiteSpider, decode

__all__ = ["FbrefSpider"]


class FbrefSpider(SiteSpider[FbrefArgs]):
    name = SOURCE

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """One request at a time, ``RSTAT_FBREF_DELAY_S`` apart (the site's limit), whatever else is set."""
        super().update_settings(settings)
        settings.set("DOWNLOAD_DELAY", settings.getfloat("RSTAT_FBREF_DELAY_S", 6.0), priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 1, priority="spider")

    def saved_pages(self) -> list[Path]:
        assert self.args.pages is not None
        where = Path(self.args.pages)
        found = sorted(where.glob("*.html")) if where.is_dir() else sorted(Path(p) for p in glob.glob(self.args.pages))
        if not found:
            raise CrawlSetupError(f"{self.name}: --pages {self.args.pages!r} names no .html file")
        return found

    async def start(self) -> AsyncIterator[Any]:
        a = self.args
        if a.pages is not None:
            for page in self.saved_pages():
                yield self.request(page.resolve().as_uri(), self.parse_report)
            return
        schedule = f"{self.base_url}/en/comps/{a.competition}/{a.season}/schedule/{a.season}-Scores-and-Fixtures"
        yield self.request(schedule, self.parse_schedule)

    def parse_schedule(self, response: Response) -> Iterator[Any]:
        a = self.args
        season = season_from_link(f"/en/comps/{a.competition}/{a.season}/", "")
        title = response.css("h1::text").get() or ""
        name = title.replace(a.season or "", "").replace("Scores & Fixtures", "").strip() or season.competition
        season = msgspec.structs.replace(season, competition=name)
        for row in parse_schedule(decode(response), response.url, season):
            if row.report is not None:
                yield self.request(response.urljoin(row.report), self.parse_report)
            elif row.fixture is not None:
                yield row.fixture

    def parse_report(self, response: Response) -> Iterator[MatchItem | Rejected]:
        try:
            yield parse_match_report(decode(response), response.url)
        except RecordError as exc:
            yield self.rejected(response.url, "match report", exc)
