"""``openfootball``: a football.json season file, with the competition's Football.TXT full protocols when
``--txt`` names one (the World Cup's ``more/2018_full.txt``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.http import Response

from crawlers.arguments import OpenfootballArgs
from crawlers.items import MatchItem, Rejected
from crawlers.parsers.openfootball import SOURCE, parse_football_json
from crawlers.parsers.txt_protocols import Protocol, parse_protocols
from crawlers.spiders.base import SiteSpider, decode

__all__ = ["OpenfootballSpider"]


class OpenfootballSpider(SiteSpider[OpenfootballArgs]):
    name = SOURCE

    async def start(self) -> AsyncIterator[Any]:
        if self.args.txt:
            yield self.request(self.args.txt, self.parse_protocols)
        else:
            yield self._season_file(())

    def _season_file(self, protocols: Sequence[Protocol]) -> Any:
        a = self.args
        return self.request(f"{self.base_url}/{a.season}/{a.league}.json", self.parse_season, protocols=protocols)

    def parse_protocols(self, response: Response) -> Iterator[Any]:
        try:
            protocols = parse_protocols(decode(response))
        except ValueError as exc:
            yield Rejected(source=self.name, url=response.url, where="file", reason="bad_txt", detail=str(exc))
            protocols = []
        yield self._season_file(protocols)

    def parse_season(self, response: Response, protocols: Sequence[Protocol]) -> Iterator[MatchItem | Rejected]:
        a = self.args
        yield from parse_football_json(
            decode(response),
            league=a.league,
            season=a.season,
            url=response.url,
            zone=ZoneInfo(a.timezone),
            regulation=a.regulation,
            protocols=protocols,
        )
