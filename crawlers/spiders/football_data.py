"""``football-data``: a season's results CSV of one division, then the division's rows of the fixtures file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers.arguments import FootballDataArgs
from crawlers.items import MatchItem, Rejected
from crawlers.parsers.football_data import SOURCE, parse_csv
from crawlers.spiders.base import SiteSpider, decode

__all__ = ["FootballDataSpider"]


class FootballDataSpider(SiteSpider[FootballDataArgs]):
    name = SOURCE

    async def start(self) -> AsyncIterator[Any]:
        a = self.args
        yield self.request(f"{self.base_url}/mmz4281/{a.season}/{a.division}.csv", self.parse_results)

    def parse_results(self, response: Response) -> Iterator[Any]:
        a = self.args
        found = parse_csv(decode(response), division=a.division, season=a.season, url=response.url)
        yield from found
        if a.fixtures:
            played = [(m.home.key, m.away.key) for m in found if isinstance(m, MatchItem)]
            yield self.request(f"{self.base_url}/fixtures.csv", self.parse_fixtures, played=played)

    def parse_fixtures(self, response: Response, played: list[tuple[str, str]]) -> Iterator[MatchItem | Rejected]:
        a = self.args
        yield from parse_csv(
            decode(response), division=a.division, season=a.season, url=response.url, fixture=True, after=played
        )
