"""Each spider's arguments, typed, with their help and their checks, apart from Scrapy: ``rstat crawl --help``,
the scheduler and the admin API's crawl jobs read them without loading a crawler.

``url`` is every spider's start URL (the site's own by default), so that it can be pointed at a mirror
or at the local fixture site of the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from crawlers.errors import CrawlSetupError
from crawlers.parsers import fbref, football_data, nhl, openfootball
from crawlers.parsers.common import RecordError
from sports.model import RulesError
from sports.regulations import regulation

__all__ = [
    "ARGUMENTS",
    "FbrefArgs",
    "FootballDataArgs",
    "NhlArgs",
    "OpenfootballArgs",
    "SpiderArguments",
    "default_url",
]


class NhlArgs(msgspec.Struct, frozen=True, kw_only=True):
    season: str
    date: str | None = None
    team: str | None = None
    game: int | None = None
    url: str = "https://api-web.nhle.com"


class FootballDataArgs(msgspec.Struct, frozen=True, kw_only=True):
    season: str
    division: str = "E0"
    fixtures: bool = True
    url: str = "https://www.football-data.co.uk"


class OpenfootballArgs(msgspec.Struct, frozen=True, kw_only=True):
    season: str
    league: str = "en.1"
    txt: str | None = None
    timezone: str = "UTC"
    regulation: str = "football"
    url: str = "https://raw.githubusercontent.com/openfootball/football.json/master"


class FbrefArgs(msgspec.Struct, frozen=True, kw_only=True):
    competition: str | None = None
    season: str | None = None
    pages: str | None = None
    url: str = "https://fbref.com"


def _check_nhl(args: Any) -> None:
    try:
        nhl.season_of(args.season)
    except RecordError as exc:
        raise CrawlSetupError(f"nhl: --season: {exc.detail}") from None
    if sum(x is not None for x in (args.date, args.team, args.game)) != 1:
        raise CrawlSetupError("nhl: give exactly one of --date, --team and --game")


def _check_football_data(args: Any) -> None:
    try:
        football_data.season_of(args.division, args.season)
    except RecordError as exc:
        raise CrawlSetupError(f"football-data: --season: {exc.detail}") from None


def _check_openfootball(args: Any) -> None:
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CrawlSetupError(f"openfootball: --timezone {args.timezone!r} is not a time zone") from None
    try:
        regulation(args.regulation)
    except RulesError as exc:
        raise CrawlSetupError(f"openfootball: --regulation: {exc}") from None


def _check_fbref(args: Any) -> None:
    if args.pages is None and (args.competition is None or args.season is None):
        raise CrawlSetupError("fbref: give --competition and --season, or --pages")


class SpiderArguments(msgspec.Struct, frozen=True, kw_only=True):
    args: type[msgspec.Struct]
    #: one line for ``rstat crawl --help``
    summary: str
    help: dict[str, str]
    #: refuses arguments that make no crawl (CrawlSetupError naming the option), before any request
    check: Callable[[Any], None]

    def parse(self, given: dict[str, Any]) -> msgspec.Struct:
        """The typed arguments from names and values (strings are converted); CrawlSetupError when bad."""
        try:
            found = msgspec.convert(given, self.args, strict=False)
        except msgspec.ValidationError as exc:
            raise CrawlSetupError(f"bad arguments: {exc}") from None
        self.check(found)
        return found


ARGUMENTS: dict[str, SpiderArguments] = {
    nhl.SOURCE: SpiderArguments(
        args=NhlArgs,
        summary="NHL web API: games of a date, a team's season or one game, protocols from the play-by-play",
        help={
            "season": "season: 20242025 for 2024-25",
            "date": "the games of this day (YYYY-MM-DD)",
            "team": "the games of this team's season (its abbreviation: SEA, STL, ...)",
            "game": "one game, by its NHL id (2024020003)",
            "url": "the API, or a mirror of it (default https://api-web.nhle.com)",
        },
        check=_check_nhl,
    ),
    football_data.SOURCE: SpiderArguments(
        args=FootballDataArgs,
        summary="football-data.co.uk: a division's season results (referee, cards) and its fixtures",
        help={
            "season": "season as the site names it: 2324 for 2023/24",
            "division": "division: E0 Premier League, E1 Championship, SP1 La Liga, D1, I1, F1, ... (default E0)",
            "fixtures": "also read the division's rows of fixtures.csv (default: yes)",
            "url": "the site, or a mirror of it (default https://www.football-data.co.uk)",
        },
        check=_check_football_data,
    ),
    openfootball.SOURCE: SpiderArguments(
        args=OpenfootballArgs,
        summary="openfootball (CC0): a football.json season, with Football.TXT full protocols (--txt)",
        help={
            "season": "season folder: 2023-24 (leagues) or 2018 (the World Cup in worldcup.json)",
            "league": "file of the season: en.1 Premier League, de.1, es.1, ... or worldcup (default en.1)",
            "txt": "URL of the competition's Football.TXT protocols (line-ups, substitutions, cards, shoot-outs)",
            "timezone": "zone of kick-off times written without one (default UTC; en.1: Europe/London)",
            "regulation": "regulation preset of the stages created (default football; the World Cup: fifa-2022)",
            "url": "the repository's raw files (default openfootball/football.json on GitHub)",
        },
        check=_check_openfootball,
    ),
    fbref.SOURCE: SpiderArguments(
        args=FbrefArgs,
        summary="FBref (throttled to its limit): a season's schedule and match reports, or saved report pages",
        help={
            "competition": "FBref's competition id: 9 Premier League, 12 La Liga, 11 Serie A, 13 Ligue 1",
            "season": "season as FBref writes it: 2023-2024",
            "pages": "saved match report pages to read instead (a folder or a glob of .html files)",
            "url": "the site, or a mirror of it (default https://fbref.com)",
        },
        check=_check_fbref,
    ),
}


def default_url(spider: str) -> str:
    """The site's own address (the ``url`` argument's default)."""
    return str(next(f.default for f in msgspec.structs.fields(ARGUMENTS[spider].args) if f.name == "url"))
