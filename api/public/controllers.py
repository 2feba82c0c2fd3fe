"""The public API's routes, grouped by what they describe. Each reads through :mod:`api.public.queries`
and answers through :func:`api.public.replies.reply`, so every answer is typed, cacheable and scoped to the
caller's organization (the ``c`` dependency)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter

from api.public import queries
from api.public.access import Ctx
from api.public.replies import reply, reply_json
from api.public.types import (
    Competition,
    ContentPage,
    Leader,
    MatchDetail,
    MatchPage,
    Ping,
    PlayerDetail,
    PlayerSeasonStats,
    Season,
    Stage,
    StageDetail,
    StandingsGroup,
    TeamDetail,
    TeamPage,
    TeamRecord,
)
from sports.regulations import CRITERIA

__all__ = ["CompetitionsController", "ContentController", "MatchesController", "PeopleController"]

MAX_PAGE = 500
#: a standings row's ``decided_by`` in words: the criterion that placed it below the row above
CRITERIA_TEXT = {
    **CRITERIA,
    "unresolved": "level on every criterion: the regulation settles it (a play-off match or drawing of lots)",
}
#: the same as an object type, one property per criterion, so the OpenAPI document lists them
Criteria = msgspec.defstruct("Criteria", [(name, str) for name in CRITERIA_TEXT], frozen=True)
AnyRequest = Request[Any, Any, Any]
#: the caller's organization and the response policy (``api.public.access``)
CtxDep = NamedDependency[Ctx]
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Parameter(ge=0)]


class CompetitionsController(Controller):
    """Competitions, their seasons and stages: how a website finds what to show."""

    path = "/v1"
    tags = ("competitions",)

    @get("/competitions", summary="Competitions of the organization")
    async def competitions(self, request: AnyRequest, c: CtxDep) -> Response[list[Competition]]:
        return reply(request, c.max_age, await queries.competitions(c.db, c.org))

    @get("/competitions/{competition_id:int}/seasons", summary="Seasons of a competition")
    async def seasons(self, competition_id: int, request: AnyRequest, c: CtxDep) -> Response[list[Season]]:
        return reply(request, c.max_age, await queries.seasons(c.db, c.org, competition_id))

    @get("/seasons/{season_id:int}/stages", summary="Stages of a season, with their groups")
    async def stages(self, season_id: int, request: AnyRequest, c: CtxDep) -> Response[list[Stage]]:
        return reply(request, c.max_age, await queries.stages(c.db, c.org, season_id))


class MatchesController(Controller):
    """Calendars, results, protocols and the standings they make."""

    path = "/v1"
    tags = ("matches",)

    @get("/stages/{stage_id:int}", summary="A stage with its season, competition, sport and groups")
    async def stage(self, stage_id: int, request: AnyRequest, c: CtxDep) -> Response[StageDetail]:
        return reply(request, c.max_age, await queries.stage(c.db, c.org, stage_id))

    @get("/criteria", summary="What each standings criterion (a row's decided_by) compares, in words")
    async def criteria(self, request: AnyRequest, c: CtxDep) -> Response[Criteria]:  # type: ignore[valid-type]
        return reply(request, c.max_age, Criteria(**CRITERIA_TEXT))

    @get("/stages/{stage_id:int}/matches", summary="Calendar and results of a stage")
    async def matches(
        self,
        stage_id: int,
        *,
        request: AnyRequest,
        c: CtxDep,
        date_from: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        date_to: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        team: int | None = None,
        round_no: Annotated[int | None, QueryParameter(name="round")] = None,
        status: str | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[MatchPage]:
        found = await queries.matches(
            c.db,
            c.org,
            stage_id,
            date_from=date_from,
            date_to=date_to,
            team=team,
            round_no=round_no,
            status=status,
            limit=limit,
            offset=offset,
        )
        return reply(request, c.max_age, MatchPage(items=found, limit=limit, offset=offset))

    @get("/matches/{match_id:int}", summary="A match with its protocol: events and line-ups")
    async def match(self, match_id: int, request: AnyRequest, c: CtxDep) -> Response[MatchDetail]:
        return reply(request, c.max_age, await queries.match(c.db, c.org, match_id))

    @get("/stages/{stage_id:int}/standings", summary="Standings per group (live: matches in play counted)")
    async def standings(
        self, stage_id: int, request: AnyRequest, c: CtxDep, live: bool = False
    ) -> Response[list[StandingsGroup]]:
        key = (c.org, stage_id, live)
        answers = c.answers
        body = answers.get(key)
        if body is None:
            body = await queries.standings_json(c.db, c.org, stage_id, live=live)
            answers.put(key, body)
        return reply_json(request, c.max_age, body)

    @get("/stages/{stage_id:int}/team-records", summary="Home/away splits and form per team")
    async def team_records(self, stage_id: int, request: AnyRequest, c: CtxDep) -> Response[list[TeamRecord]]:
        return reply(request, c.max_age, await queries.team_records(c.db, c.org, stage_id))


class PeopleController(Controller):
    """Teams and players, with their statistics."""

    path = "/v1"
    tags = ("teams and players",)

    @get("/seasons/{season_id:int}/leaders/{kind:str}", summary="Leaders: goals, assists, points, cards, goalies")
    async def leaders(
        self,
        season_id: int,
        kind: str,
        request: AnyRequest,
        c: CtxDep,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> Response[list[Leader]]:
        return reply(request, c.max_age, await queries.leaders(c.db, c.org, season_id, kind, limit))

    @get("/seasons/{season_id:int}/players/{player_id:int}/stats", summary="A player's season statistics")
    async def player_stats(
        self, season_id: int, player_id: int, request: AnyRequest, c: CtxDep
    ) -> Response[PlayerSeasonStats]:
        return reply(request, c.max_age, await queries.player_stats(c.db, c.org, season_id, player_id))

    @get("/teams", summary="Teams of the organization")
    async def teams(self, request: AnyRequest, c: CtxDep, limit: Limit = 100, offset: Offset = 0) -> Response[TeamPage]:
        found = await queries.teams(c.db, c.org, limit, offset)
        return reply(request, c.max_age, TeamPage(items=found, limit=limit, offset=offset))

    @get("/teams/{team_id:int}", summary="A team with its squad in a season")
    async def team(
        self, team_id: int, request: AnyRequest, c: CtxDep, season: int | None = None
    ) -> Response[TeamDetail]:
        return reply(request, c.max_age, await queries.team(c.db, c.org, team_id, season))

    @get("/players/{player_id:int}", summary="A player with his statistics per season")
    async def player(self, player_id: int, request: AnyRequest, c: CtxDep) -> Response[PlayerDetail]:
        return reply(request, c.max_age, await queries.player(c.db, c.org, player_id))


class ContentController(Controller):
    """News, video and photo links, and the benchmark's bare answer."""

    path = "/v1"
    tags = ("content",)

    @get("/content", summary="News, video and photo links")
    async def content(
        self,
        request: AnyRequest,
        c: CtxDep,
        *,
        kind: str | None = None,
        competition: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Offset = 0,
    ) -> Response[ContentPage]:
        found = await queries.content(c.db, c.org, kind=kind, competition=competition, limit=limit, offset=offset)
        return reply(request, c.max_age, ContentPage(items=found, limit=limit, offset=offset))

    @get("/ping", summary="A bare authorized answer (the benchmark's baseline)")
    async def ping(self, request: AnyRequest, c: CtxDep) -> Response[Ping]:
        return reply(request, c.max_age, Ping(org=c.org))
