"""``rstat api public``: the website gateway, read-only and scoped to one organization: the caller's
token (audience ``public``, from client credentials) or API key (``X-API-Key: <client id>:<secret>``).

Every query joins up to its organization and filters on the token's ``org`` claim, so an id of another
organization answers 404 like an id that does not exist. Statistics come from the ``stats`` schema the
stream processor materializes (one indexed query each). Answers carry a strong ``ETag`` (a digest of the
body) and ``Cache-Control``; ``If-None-Match`` gets a 304. Each client is rate-limited per minute.
"""

import asyncio
import datetime as dt
import hashlib
import time
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.di import Provide
from litestar.params import Parameter
from psycopg import sql

from api.admin.rows import ensure_in_org
from api.auth import authenticate
from api.config import ApiConfig
from api.db import Database, Row
from api.errors import NotFoundError, TooManyRequestsError, UnauthorizedError, handlers
from api.openapi import openapi_config
from api.passwords import verify_secret
from api.ratelimit import SlidingWindow
from api.tokens import JwksCache

__all__ = ["create_public_app"]

MAX_PAGE = 500
API_KEY_RECHECK_S = 60.0
_encoder = msgspec.json.Encoder()

# One round trip: the organization check and the whole answer, built as JSON text by PostgreSQL (no row
# objects in Python on the hottest endpoint). NULL when the stage is not the organization's.
_STANDINGS_JSON = """
SELECT CASE WHEN NOT EXISTS (
         SELECT 1 FROM stages st JOIN seasons s ON s.id = st.season_id JOIN competitions c ON c.id = s.competition_id
          WHERE st.id = %(stage)s AND c.org_id = %(org)s) THEN NULL
       ELSE coalesce((
         SELECT json_agg(json_build_object('group_id', nullif(g.group_key, 0), 'rows', g.rows) ORDER BY g.group_key)
           FROM (SELECT group_key, json_agg(json_build_object(
                        'position', position, 'rank', rank, 'team_id', team_id, 'played', played, 'won', won,
                        'drawn', drawn, 'lost', lost, 'ot_won', ot_won, 'ot_lost', ot_lost,
                        'goals_for', goals_for, 'goals_against', goals_against, 'goal_diff', goal_diff,
                        'points', points, 'points_pct', points_pct, 'decided_by', decided_by,
                        'unresolved', unresolved) ORDER BY position) AS rows
                   FROM {table} WHERE stage_id = %(stage)s GROUP BY group_key) g), '[]'::json)::text
       END AS body
"""
STANDINGS = {
    False: _STANDINGS_JSON.replace("{table}", "stats.standings"),
    True: _STANDINGS_JSON.replace("{table}", "stats.live_standings"),
}

LEADER_ORDER = {
    "goals": "goals DESC, games ASC, player_id",
    "assists": "assists DESC, games ASC, player_id",
    "points": "points DESC, goals DESC, player_id",
    "cards": "red_cards DESC, yellow_cards DESC, player_id",
    "goalies": "save_pct DESC, goals_against_average ASC, player_id",
}


class Ctx(msgspec.Struct, frozen=True):
    """What a handler needs: the organization it is scoped to, the database, the response policy."""

    org: int
    db: Database
    max_age: int


def create_public_app(api: ApiConfig, *, db: Database, jwks: JwksCache) -> Litestar:
    limiter = SlidingWindow(api.public_requests_per_minute, 60.0)
    #: standings answers by (organization, stage, live), with when they were built (see public_cache_s)
    answers: dict[tuple[int, int, bool], tuple[float, bytes]] = {}

    #: API keys already checked: sha256(key) -> (organization, client, when checked). Re-checked against
    #: the database every API_KEY_RECHECK_S, so a revoked client stops working within that time.
    api_keys: dict[str, tuple[int, str, float]] = {}

    async def by_api_key(key: str) -> tuple[str, int]:
        digest = hashlib.sha256(key.encode()).hexdigest()
        known = api_keys.get(digest)
        if known is not None and time.monotonic() - known[2] < API_KEY_RECHECK_S:
            return f"client:{known[1]}", known[0]
        client_id, _, secret = key.partition(":")
        async with db.read() as conn:
            row = await (
                await conn.execute(
                    "SELECT org_id, secret_hash FROM api_clients WHERE client_id = %s AND revoked_at IS NULL",
                    (client_id,),
                )
            ).fetchone()
        # scrypt off the event loop: it is meant to be slow
        if row is None or not await asyncio.to_thread(verify_secret, secret, row["secret_hash"]):
            api_keys.pop(digest, None)
            raise UnauthorizedError("the API key is not valid (X-API-Key: <client id>:<client secret>)")
        if len(api_keys) >= 10_000:
            api_keys.clear()
        api_keys[digest] = (int(row["org_id"]), client_id, time.monotonic())
        return f"client:{client_id}", int(row["org_id"])

    async def ctx(request: Request[Any, Any, Any]) -> Ctx:
        key = request.headers.get("x-api-key")
        if key:
            subject, org = await by_api_key(key)
        else:
            principal, claims = await authenticate(request, jwks, audience="public", issuer=api.issuer, db=None)
            if not isinstance(claims.get("org"), int):
                raise NotFoundError("the token is not bound to an organization")
            subject, org = principal.subject, int(claims["org"])
        wait = limiter.retry_after(subject)
        if wait:
            raise TooManyRequestsError("this client made too many requests; slow down", retry_after=wait)
        limiter.hit(subject)
        return Ctx(org=org, db=db, max_age=api.public_max_age_s)

    def reply(request: Request[Any, Any, Any], c: Ctx, payload: Any) -> Response[Any]:
        return reply_json(request, c, _encoder.encode(payload))

    def reply_json(request: Request[Any, Any, Any], c: Ctx, body: bytes) -> Response[Any]:
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={c.max_age}", "Vary": "Authorization"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(b"", status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    async def rows(c: Ctx, query: str | sql.Composed, params: tuple[Any, ...]) -> list[Row]:
        async with c.db.read() as conn:
            return await (await conn.execute(query.encode() if isinstance(query, str) else query, params)).fetchall()

    async def one(c: Ctx, what: str, query: str, params: tuple[Any, ...]) -> Row:
        found = await rows(c, query, params)
        if not found:
            raise NotFoundError(f"{what} not found")
        return found[0]

    async def in_org(c: Ctx, resource: str, item_id: int) -> None:
        """404 unless the row is the organization's: the same parent-chain check as the admin app's."""
        async with c.db.read() as conn:
            await ensure_in_org(conn, c.org, resource, item_id)

    def page(items: list[Row], limit: int, offset: int) -> dict[str, Any]:
        return {"items": items, "limit": limit, "offset": offset}

    @get("/v1/competitions", summary="Competitions of the organization")
    async def competitions(request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        found = await rows(c, "SELECT id, sport, slug, name FROM competitions WHERE org_id = %s ORDER BY id", (c.org,))
        return reply(request, c, found)

    @get("/v1/competitions/{competition_id:int}/seasons", summary="Seasons of a competition")
    async def seasons(competition_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        await in_org(c, "competitions", competition_id)
        found = await rows(
            c,
            "SELECT id, name, starts_on, ends_on FROM seasons WHERE competition_id = %s ORDER BY starts_on, id",
            (competition_id,),
        )
        return reply(request, c, found)

    @get("/v1/seasons/{season_id:int}/stages", summary="Stages of a season, with their groups")
    async def stages(season_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        await in_org(c, "seasons", season_id)
        found = await rows(
            c,
            "SELECT st.id, st.name, st.kind::text AS kind, st.ordinal, st.regulation, "
            "coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name) "
            "FROM groups g WHERE g.stage_id = st.id), '[]') AS groups "
            "FROM stages st WHERE st.season_id = %s ORDER BY st.ordinal, st.id",
            (season_id,),
        )
        return reply(request, c, found)

    @get("/v1/stages/{stage_id:int}/matches", summary="Calendar and results of a stage")
    async def matches(
        stage_id: int,
        *,
        request: Request[Any, Any, Any],
        c: Ctx,
        date_from: Annotated[dt.date | None, Parameter(query="from")] = None,
        date_to: Annotated[dt.date | None, Parameter(query="to")] = None,
        team: int | None = None,
        round_no: Annotated[int | None, Parameter(query="round")] = None,
        status: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Response[Any]:
        await in_org(c, "stages", stage_id)
        found = await rows(
            c,
            "SELECT m.id, m.round, m.group_id, m.home_team_id, m.away_team_id, m.kickoff, m.status::text AS status, "
            "m.home_score, m.away_score, m.decided_in::text AS decided_in, m.venue_id FROM matches m "
            "WHERE m.stage_id = %s "
            "AND (%s::date IS NULL OR m.kickoff >= %s::date) AND (%s::date IS NULL OR m.kickoff < %s::date + 1) "
            "AND (%s::bigint IS NULL OR %s IN (m.home_team_id, m.away_team_id)) "
            "AND (%s::int IS NULL OR m.round = %s) AND (%s::text IS NULL OR m.status::text = %s) "
            "ORDER BY m.kickoff NULLS LAST, m.round, m.id LIMIT %s OFFSET %s",
            (
                stage_id,
                date_from,
                date_from,
                date_to,
                date_to,
                team,
                team,
                round_no,
                round_no,
                status,
                status,
                limit,
                offset,
            ),
        )
        return reply(request, c, page(found, limit, offset))

    @get("/v1/matches/{match_id:int}", summary="A match with its protocol: events and line-ups")
    async def match(match_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        await in_org(c, "matches", match_id)
        head = await one(
            c,
            "match",
            "SELECT m.id, m.stage_id, m.round, m.home_team_id, m.away_team_id, m.kickoff, m.status::text AS status, "
            "m.home_score, m.away_score, m.period_scores, m.decided_in::text AS decided_in, m.attendance, m.venue_id "
            "FROM matches m WHERE m.id = %s",
            (match_id,),
        )
        events = await rows(
            c,
            "SELECT id, team_id, kind::text AS kind, player_id, assist1_id, assist2_id, player_out_id, goalie_id, "
            "period, minute, stoppage, clock_seconds, strength::text AS strength, penalty_minutes, scored "
            "FROM match_events WHERE match_id = %s ORDER BY period, minute NULLS LAST, clock_seconds NULLS LAST, id",
            (match_id,),
        )
        lineups = await rows(
            c,
            "SELECT team_id, player_id, number, starter, position FROM lineups WHERE match_id = %s "
            "ORDER BY team_id, NOT starter, number NULLS LAST",
            (match_id,),
        )
        return reply(request, c, {**head, "events": events, "lineups": lineups})

    @get("/v1/stages/{stage_id:int}/standings", summary="Standings per group (live: matches in play counted)")
    async def standings(stage_id: int, request: Request[Any, Any, Any], c: Ctx, live: bool = False) -> Response[Any]:
        key = (c.org, stage_id, live)
        cached = answers.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < api.public_cache_s:
            return reply_json(request, c, cached[1])
        async with c.db.read() as conn:
            row = await (await conn.execute(STANDINGS[live], {"stage": stage_id, "org": c.org})).fetchone()
        if row is None or row["body"] is None:
            raise NotFoundError("stage not found")
        body = row["body"].encode()
        if len(answers) >= 10_000:
            answers.clear()
        answers[key] = (now, body)
        return reply_json(request, c, body)

    @get("/v1/stages/{stage_id:int}/team-records", summary="Home/away splits and form per team")
    async def team_records(stage_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        await in_org(c, "stages", stage_id)
        found = await rows(c, "SELECT * FROM stats.team_records WHERE stage_id = %s ORDER BY team_id", (stage_id,))
        return reply(request, c, found)

    @get("/v1/seasons/{season_id:int}/leaders/{kind:str}", summary="Leaders: goals, assists, points, cards, goalies")
    async def leaders(
        season_id: int,
        kind: str,
        request: Request[Any, Any, Any],
        c: Ctx,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> Response[Any]:
        if kind not in LEADER_ORDER:
            raise NotFoundError(f"no leaderboard {kind!r}; there are: {', '.join(LEADER_ORDER)}")
        await in_org(c, "seasons", season_id)
        query = sql.SQL(
            "SELECT player_id, team_id, games, goals, assists, points, yellow_cards, red_cards, penalty_minutes, "
            "shutouts, save_pct, goals_against_average FROM stats.player_stats WHERE season_id = %s {} "
            "ORDER BY {} LIMIT %s"
        ).format(sql.SQL("AND stats ? 'goalie'" if kind == "goalies" else ""), sql.SQL(LEADER_ORDER[kind]))
        found = await rows(c, query, (season_id, limit))
        return reply(request, c, found)

    @get("/v1/seasons/{season_id:int}/players/{player_id:int}/stats", summary="A player's season statistics")
    async def player_stats(season_id: int, player_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        await in_org(c, "seasons", season_id)
        row = await one(
            c,
            "player statistics",
            "SELECT player_id, team_id, sport, stats FROM stats.player_stats WHERE season_id = %s AND player_id = %s",
            (season_id, player_id),
        )
        return reply(request, c, row)

    @get("/v1/teams", summary="Teams of the organization")
    async def teams(
        request: Request[Any, Any, Any],
        c: Ctx,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Response[Any]:
        found = await rows(
            c,
            "SELECT id, name, short_name, code FROM teams WHERE org_id = %s ORDER BY name LIMIT %s OFFSET %s",
            (c.org, limit, offset),
        )
        return reply(request, c, page(found, limit, offset))

    @get("/v1/teams/{team_id:int}", summary="A team with its squad in a season")
    async def team(team_id: int, request: Request[Any, Any, Any], c: Ctx, season: int | None = None) -> Response[Any]:
        head = await one(
            c, "team", "SELECT id, name, short_name, code FROM teams WHERE id = %s AND org_id = %s", (team_id, c.org)
        )
        squad = await rows(
            c,
            "SELECT p.id, p.first_name, p.last_name, r.number, r.position, ps.games, ps.goals, ps.assists, ps.points "
            "FROM roster_entries r JOIN players p ON p.id = r.player_id "
            "LEFT JOIN stats.player_stats ps ON ps.season_id = r.season_id AND ps.player_id = p.id "
            "WHERE r.team_id = %s AND r.season_id = %s ORDER BY r.number NULLS LAST, p.last_name",
            (team_id, season),
        )
        return reply(request, c, {**head, "squad": squad})

    @get("/v1/players/{player_id:int}", summary="A player with his statistics per season")
    async def player(player_id: int, request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        head = await one(
            c,
            "player",
            "SELECT id, first_name, last_name, birth_date, nationality FROM players WHERE id = %s AND org_id = %s",
            (player_id, c.org),
        )
        seasons_ = await rows(
            c,
            "SELECT season_id, team_id, games, goals, assists, points, stats FROM stats.player_stats "
            "WHERE player_id = %s ORDER BY season_id",
            (player_id,),
        )
        return reply(request, c, {**head, "seasons": seasons_})

    @get("/v1/content", summary="News, video and photo links")
    async def content(
        request: Request[Any, Any, Any],
        c: Ctx,
        *,
        kind: str | None = None,
        competition: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Response[Any]:
        found = await rows(
            c,
            "SELECT id, kind::text AS kind, title, body, url, competition_id, match_id, team_id, published_at "
            "FROM content_items WHERE org_id = %s AND published_at <= now() "
            "AND (%s::text IS NULL OR kind::text = %s) AND (%s::bigint IS NULL OR competition_id = %s) "
            "ORDER BY published_at DESC LIMIT %s OFFSET %s",
            (c.org, kind, kind, competition, competition, limit, offset),
        )
        return reply(request, c, page(found, limit, offset))

    @get("/v1/ping", summary="A bare authorized answer (the benchmark's baseline)")
    async def ping(request: Request[Any, Any, Any], c: Ctx) -> Response[Any]:
        return reply(request, c, {"org": c.org})

    @get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[
            competitions,
            seasons,
            stages,
            matches,
            match,
            standings,
            team_records,
            leaders,
            player_stats,
            teams,
            team,
            player,
            content,
            ping,
            healthz,
        ],
        dependencies={"c": Provide(ctx)},
        on_startup=[db.open],
        on_shutdown=[db.close],
        exception_handlers=handlers,
        request_max_body_size=api.max_body_bytes,
        openapi_config=openapi_config("R-Stat public API", api_key=True),
    )
