"""``nhl``: NHL's JSON web API: a day's schedule, a team's season schedule or one game; each game that has
started is read from its play-by-play (its whole protocol so far), the others are written as calendar
entries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers.arguments import NhlArgs
from crawlers.items import MatchItem, Rejected
from crawlers.parsers.common import RecordError
from crawlers.parsers.nhl import SOURCE, parse_play_by_play, parse_schedule, play_by_play_url
from crawlers.spiders.base import SiteSpider

__all__ = ["NhlSpider"]


class NhlSpider(SiteSpider[NhlArgs]):
    name = SOURCE

    async def start(self) -> AsyncIterator[Any]:
        a = self.args
        if a.game is not None:
            yield self.request(play_by_play_url(self.base_url, a.game), self.parse_game)
        elif a.date is not None:
            yield self.request(f"{self.base_url}/v1/schedule/{a.date}", self.parse_schedule)
        else:
            yield self.request(f"{self.base_url}/v1/club-schedule-season/{a.team}/{a.season}", self.parse_schedule)

    def parse_schedule(self, response: Response) -> Iterator[Any]:
        try:
            games = parse_schedule(json.loads(response.body), response.url)
        except (ValueError, KeyError, TypeError) as exc:
            yield Rejected(source=self.name, url=response.url, where="schedule", reason="bad_schedule", detail=str(exc))
            return
        for game in games:
            if game.fixture is not None:
                yield game.fixture
            else:
                yield self.request(play_by_play_url(self.base_url, game.game_id), self.parse_game)

    def parse_game(self, response: Response) -> Iterator[MatchItem | Rejected]:
        try:
            yield parse_play_by_play(json.loads(response.body), response.url)
        except ValueError as exc:
            yield Rejected(source=self.name, url=response.url, where="game", reason="bad_json", detail=str(exc))
        except RecordError as exc:
            yield self.rejected(response.url, "game", exc)
