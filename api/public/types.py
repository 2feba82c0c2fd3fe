"""The public API's response bodies: what websites may rely on, and what the OpenAPI document shows.

Read types only (the public API writes nothing). Each mirrors the columns its query selects; the handlers
convert the rows into them, so a column added to a query does not reach clients until it is added here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

__all__ = [
    "Competition",
    "ContentItem",
    "ContentPage",
    "Event",
    "GroupRef",
    "Leader",
    "Lineup",
    "MatchDetail",
    "MatchPage",
    "MatchSummary",
    "Ping",
    "PlayerDetail",
    "PlayerSeason",
    "PlayerSeasonStats",
    "Season",
    "SquadEntry",
    "Stage",
    "StandingsGroup",
    "StandingsRow",
    "Team",
    "TeamDetail",
    "TeamPage",
    "TeamRecord",
]


class Ping(msgspec.Struct, frozen=True):
    org: int


class Competition(msgspec.Struct, frozen=True):
    id: int
    sport: str
    slug: str
    name: str


class Season(msgspec.Struct, frozen=True):
    id: int
    name: str
    starts_on: dt.date | None
    ends_on: dt.date | None


class GroupRef(msgspec.Struct, frozen=True):
    id: int
    name: str


class Stage(msgspec.Struct, frozen=True):
    id: int
    name: str
    kind: str
    ordinal: int
    regulation: str
    groups: list[GroupRef]


class StageDetail(msgspec.Struct, frozen=True):
    """A stage with what a page needs to title it: its season, competition and sport."""

    id: int
    name: str
    kind: str
    ordinal: int
    regulation: str
    sport: str
    season_id: int
    season_name: str
    competition_id: int
    competition_name: str
    groups: list[GroupRef]


class MatchSummary(msgspec.Struct, frozen=True):
    id: int
    round: int
    group_id: int | None
    home_team_id: int
    away_team_id: int
    home_team_name: str
    away_team_name: str
    kickoff: dt.datetime | None
    status: str
    home_score: int | None
    away_score: int | None
    decided_in: str | None
    venue_id: int | None


class MatchPage(msgspec.Struct, frozen=True):
    items: list[MatchSummary]
    limit: int
    offset: int


class Event(msgspec.Struct, frozen=True):
    id: int
    team_id: int
    kind: str
    player_id: int | None
    assist1_id: int | None
    assist2_id: int | None
    player_out_id: int | None
    goalie_id: int | None
    period: int
    minute: int | None
    stoppage: int | None
    clock_seconds: int | None
    strength: str | None
    penalty_minutes: int | None
    scored: bool | None


class Lineup(msgspec.Struct, frozen=True):
    team_id: int
    player_id: int
    number: int | None
    starter: bool
    position: str | None


class PlayerName(msgspec.Struct, frozen=True):
    id: int
    first_name: str
    last_name: str


class MatchDetail(msgspec.Struct, frozen=True):
    id: int
    stage_id: int
    sport: str
    round: int
    home_team_id: int
    away_team_id: int
    home_team_name: str
    away_team_name: str
    kickoff: dt.datetime | None
    status: str
    home_score: int | None
    away_score: int | None
    #: [[home, away], ...] per period, in order
    period_scores: list[list[int]]
    decided_in: str | None
    attendance: int | None
    venue_id: int | None
    events: list[Event]
    lineups: list[Lineup]
    #: every player the events and line-ups name
    players: list[PlayerName]


class StandingsRow(msgspec.Struct, frozen=True):
    position: int
    rank: int
    team_id: int
    played: int
    won: int
    drawn: int
    lost: int
    ot_won: int
    ot_lost: int
    goals_for: int
    goals_against: int
    goal_diff: int
    points: int
    points_pct: float
    decided_by: str
    unresolved: bool


class StandingsGroup(msgspec.Struct, frozen=True):
    #: null for a stage without groups
    group_id: int | None
    rows: list[StandingsRow]


class TeamRecord(msgspec.Struct, frozen=True):
    stage_id: int
    team_id: int
    home_played: int
    home_won: int
    home_drawn: int
    home_lost: int
    home_goals_for: int
    home_goals_against: int
    away_played: int
    away_won: int
    away_drawn: int
    away_lost: int
    away_goals_for: int
    away_goals_against: int
    form: str


class Leader(msgspec.Struct, frozen=True):
    player_id: int
    team_id: int
    first_name: str
    last_name: str
    games: int
    goals: int
    assists: int
    points: int
    yellow_cards: int
    red_cards: int
    penalty_minutes: int
    shutouts: int
    save_pct: float
    goals_against_average: float


class PlayerSeasonStats(msgspec.Struct, frozen=True):
    player_id: int
    team_id: int
    sport: str
    #: the sport's statistics by name (``sports`` defines them)
    stats: dict[str, Any]


class Team(msgspec.Struct, frozen=True):
    id: int
    name: str
    short_name: str | None
    code: str | None


class TeamPage(msgspec.Struct, frozen=True):
    items: list[Team]
    limit: int
    offset: int


class SquadEntry(msgspec.Struct, frozen=True):
    id: int
    first_name: str
    last_name: str
    number: int | None
    position: str | None
    #: null until the player's statistics have been computed
    games: int | None
    goals: int | None
    assists: int | None
    points: int | None


class TeamDetail(msgspec.Struct, frozen=True):
    id: int
    name: str
    short_name: str | None
    code: str | None
    squad: list[SquadEntry]


class PlayerSeason(msgspec.Struct, frozen=True):
    season_id: int
    team_id: int
    games: int
    goals: int
    assists: int
    points: int
    stats: dict[str, Any]


class PlayerDetail(msgspec.Struct, frozen=True):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date | None
    nationality: str | None
    seasons: list[PlayerSeason]


class ContentItem(msgspec.Struct, frozen=True):
    id: int
    kind: str
    title: str
    body: str
    url: str | None
    competition_id: int | None
    match_id: int | None
    team_id: int | None
    published_at: dt.datetime


class ContentPage(msgspec.Struct, frozen=True):
    items: list[ContentItem]
    limit: int
    offset: int
