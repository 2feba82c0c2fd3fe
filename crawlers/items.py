"""What the spiders yield: one typed item per match, carrying its whole protocol and everything it names.

A match item is self-contained (its competition, season and stage, both teams, every player its line-ups and
events name, with the source's ids), so a pipeline writes it in one transaction without looking anything up
in other items, and a re-crawl of one page changes one match. Field types carry the columns' rules
(:mod:`schemas.columns`); :func:`crawlers.validate.validate` checks them and the rules across fields, and the
pipelines drop an item that breaks one with a reason.

Keys (``key`` fields) are the source's own ids, or, where a source has none (a card in a CSV, a goal in a
text file), a key made of what identifies the thing there; they become ``external_ids`` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec

from schemas.columns import (
    Code,
    Count,
    DecidedIn,
    EventKind,
    MatchStatus,
    Number,
    PenaltyMinutes,
    Positive,
    Slug,
    SmallCount,
    StageKind,
    Strength,
    Text50,
    Text100,
    Text200,
)

__all__ = [
    "Event",
    "LineupEntry",
    "MatchItem",
    "Player",
    "Rejected",
    "Season",
    "Side",
    "Team",
]

Side = Literal["home", "away"]
Key = Text200


class Season(msgspec.Struct, frozen=True, kw_only=True):
    """The competition, season and stage a match belongs to."""

    #: the source's id of the competition (``E0``, ``en.1``, ``nhl``, FBref's ``12``)
    competition_key: Key
    competition: Text200
    sport: Text50
    #: our slug, used when the crawl creates the competition (an existing one with this slug is adopted)
    slug: Slug
    season: Text100
    stage: Text100 = "Regular season"
    stage_kind: StageKind = "league"
    #: regulation preset of the stage (``sports.regulations``)
    regulation: str = "football"


class Team(msgspec.Struct, frozen=True, kw_only=True):
    key: Key
    name: Text200
    short_name: Text200 | None = None
    code: Code | None = None


class Player(msgspec.Struct, frozen=True, kw_only=True):
    key: Key
    side: Side
    last_name: Text100
    first_name: str = ""
    number: Number | None = None
    position: Text50 | None = None


class LineupEntry(msgspec.Struct, frozen=True, kw_only=True):
    player: Key
    starter: bool
    number: Number | None = None
    position: Text50 | None = None
    goalie_toi_seconds: Count | None = None


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """A match event; player fields hold player keys of the item's ``players``."""

    key: Key
    side: Side
    kind: EventKind
    period: Positive
    player: Key | None = None
    assist1: Key | None = None
    assist2: Key | None = None
    player_out: Key | None = None
    goalie: Key | None = None
    minute: SmallCount | None = None
    stoppage: SmallCount | None = None
    clock_seconds: Count | None = None
    strength: Strength | None = None
    penalty_minutes: PenaltyMinutes | None = None
    infraction: Text100 | None = None
    scored: bool | None = None


class MatchItem(msgspec.Struct, frozen=True, kw_only=True):
    """A match as a source publishes it: calendar fields, result and (when ``protocol``) its protocol."""

    source: Text50
    key: Key
    url: str
    season: Season
    round: Positive
    home: Team
    away: Team
    group: Text50 | None = None
    kickoff: dt.datetime | None = None
    venue: Text200 | None = None
    referee: Text200 | None = None
    status: MatchStatus = "scheduled"
    home_score: SmallCount | None = None
    away_score: SmallCount | None = None
    period_scores: tuple[tuple[SmallCount, SmallCount], ...] = ()
    decided_in: DecidedIn | None = None
    attendance: Count | None = None
    players: tuple[Player, ...] = ()
    #: a line-up entry's side is its player's
    lineups: tuple[LineupEntry, ...] = ()
    events: tuple[Event, ...] = ()


class Rejected(msgspec.Struct, frozen=True, kw_only=True):
    """A record the parser could not read into an item (a score that is not a number, a line it does not
    know): yielded like an item so that the first pipeline drops it with its reason and the summary counts it."""

    source: str
    url: str
    #: where in the page (``line 12``, ``match 3``)
    where: str
    reason: str
    detail: str
