"""The public API's reads, one function per answer, each returning its response type.

Every query is scoped to the caller's organization: lists filter on ``org_id``, and answers under an id
first check the id's parent chain (:func:`api.tenancy.ensure_in_org`). Statistics come from the ``stats``
schema the stream processor materializes, one indexed query each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

import msgspec
from psycopg import sql

from api.db import Database, Row
from api.errors import NotFoundError
from api.public.types import (
    Competition,
    ContentItem,
    Event,
    Leader,
    Lineup,
    MatchDetail,
    MatchSummary,
    PlayerDetail,
    PlayerName,
    PlayerSeason,
    PlayerSeasonStats,
    Season,
    SquadEntry,
    Stage,
    StageDetail,
    Team,
    TeamDetail,
    TeamRecord,
)
from api.tenancy import ensure_in_org

__all__ = [
    "LEADER_ORDER",
    "competitions",
    "content",
    "in_org",
    "leaders",
    "match",
    "matches",
    "player",
    "player_stats",
    "seasons",
    "stage",
    "stages",
    "standings_json",
    "team",
    "team_records",
    "teams",
]

T = TypeVar("T")

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


async def _rows(db: Database, query: str | sql.Composed, params: tuple[Any, ...]) -> list[Row]:
    async with db.read() as conn:
        return await (await conn.execute(query.encode() if isinstance(query, str) else query, params)).fetchall()


async def _all(db: Database, kind: type[T], query: str | sql.Composed, params: tuple[Any, ...]) -> list[T]:
    return msgspec.convert(await _rows(db, query, params), list[kind])  # type: ignore[valid-type]


async def _one(db: Database, what: str, query: str, params: tuple[Any, ...]) -> Row:
    found = await _rows(db, query, params)
    if not found:
        raise NotFoundError(f"{what} not found")
    return found[0]


async def in_org(db: Database, org: int, table: str, item_id: int) -> None:
    """404 unless the row is the organization's: the same parent-chain check as the admin app's."""
    async with db.read() as conn:
        await ensure_in_org(conn, org, table, item_id)


async def competitions(db: Database, org: int) -> list[Competition]:
    return await _all(
        db, Competition, "SELECT id, sport, slug, name FROM competitions WHERE org_id = %s ORDER BY id", (org,)
    )


async def seasons(db: Database, org: int, competition_id: int) -> list[Season]:
    await in_org(db, org, "competitions", competition_id)
    return await _all(
        db,
        Season,
        "SELECT id, name, starts_on, ends_on FROM seasons WHERE competition_id = %s ORDER BY starts_on, id",
        (competition_id,),
    )


async def stage(db: Database, org: int, stage_id: int) -> StageDetail:
    await in_org(db, org, "stages", stage_id)
    row = await _one(
        db,
        "stage",
        "SELECT st.id, st.name, st.kind::text AS kind, st.ordinal, st.regulation, c.sport, st.season_id, "
        "se.name AS season_name, c.id AS competition_id, c.name AS competition_name, "
        "coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name) "
        "FROM groups g WHERE g.stage_id = st.id), '[]') AS groups "
        "FROM stages st JOIN seasons se ON se.id = st.season_id JOIN competitions c ON c.id = se.competition_id "
        "WHERE st.id = %s",
        (stage_id,),
    )
    return msgspec.convert(row, StageDetail)


async def stages(db: Database, org: int, season_id: int) -> list[Stage]:
    await in_org(db, org, "seasons", season_id)
    return await _all(
        db,
        Stage,
        "SELECT st.id, st.name, st.kind::text AS kind, st.ordinal, st.regulation, "
        "coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name) "
        "FROM groups g WHERE g.stage_id = st.id), '[]') AS groups "
        "FROM stages st WHERE st.season_id = %s ORDER BY st.ordinal, st.id",
        (season_id,),
    )


async def matches(
    db: Database,
    org: int,
    stage_id: int,
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    team: int | None,
    round_no: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[MatchSummary]:
    await in_org(db, org, "stages", stage_id)
    return await _all(
        db,
        MatchSummary,
        "SELECT m.id, m.round, m.group_id, m.home_team_id, m.away_team_id, h.name AS home_team_name, "
        "a.name AS away_team_name, m.kickoff, m.status::text AS status, "
        "m.home_score, m.away_score, m.decided_in::text AS decided_in, m.venue_id FROM matches m "
        "JOIN teams h ON h.id = m.home_team_id JOIN teams a ON a.id = m.away_team_id "
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


async def match(db: Database, org: int, match_id: int) -> MatchDetail:
    await in_org(db, org, "matches", match_id)
    head = await _one(
        db,
        "match",
        "SELECT m.id, m.stage_id, c.sport, m.round, m.home_team_id, m.away_team_id, h.name AS home_team_name, "
        "a.name AS away_team_name, m.kickoff, m.status::text AS status, "
        "m.home_score, m.away_score, m.period_scores, m.decided_in::text AS decided_in, m.attendance, m.venue_id "
        "FROM matches m JOIN teams h ON h.id = m.home_team_id JOIN teams a ON a.id = m.away_team_id "
        "JOIN stages st ON st.id = m.stage_id JOIN seasons se ON se.id = st.season_id "
        "JOIN competitions c ON c.id = se.competition_id WHERE m.id = %s",
        (match_id,),
    )
    events = await _all(
        db,
        Event,
        "SELECT id, team_id, kind::text AS kind, player_id, assist1_id, assist2_id, player_out_id, goalie_id, "
        "period, minute, stoppage, clock_seconds, strength::text AS strength, penalty_minutes, scored "
        "FROM match_events WHERE match_id = %s ORDER BY period, minute NULLS LAST, clock_seconds NULLS LAST, id",
        (match_id,),
    )
    lineups = await _all(
        db,
        Lineup,
        "SELECT team_id, player_id, number, starter, position FROM lineups WHERE match_id = %s "
        "ORDER BY team_id, NOT starter, number NULLS LAST",
        (match_id,),
    )
    players = await _all(
        db,
        PlayerName,
        "SELECT p.id, p.first_name, p.last_name FROM players p WHERE p.id IN ("
        "SELECT unnest(ARRAY[player_id, assist1_id, assist2_id, player_out_id, goalie_id]) FROM match_events "
        "WHERE match_id = %s UNION SELECT player_id FROM lineups WHERE match_id = %s) ORDER BY p.id",
        (match_id, match_id),
    )
    return msgspec.convert({**head, "events": events, "lineups": lineups, "players": players}, MatchDetail)


async def standings_json(db: Database, org: int, stage_id: int, *, live: bool) -> bytes:
    """The standings as JSON text (a list of :class:`api.public.types.StandingsGroup`)."""
    async with db.read() as conn:
        row = await (await conn.execute(STANDINGS[live], {"stage": stage_id, "org": org})).fetchone()
    if row is None or row["body"] is None:
        raise NotFoundError("stage not found")
    body: str = row["body"]
    return body.encode()


async def team_records(db: Database, org: int, stage_id: int) -> list[TeamRecord]:
    await in_org(db, org, "stages", stage_id)
    return await _all(
        db,
        TeamRecord,
        "SELECT stage_id, team_id, home_played, home_won, home_drawn, home_lost, home_goals_for, "
        "home_goals_against, away_played, away_won, away_drawn, away_lost, away_goals_for, away_goals_against, "
        "form FROM stats.team_records WHERE stage_id = %s ORDER BY team_id",
        (stage_id,),
    )


async def leaders(db: Database, org: int, season_id: int, kind: str, limit: int) -> list[Leader]:
    if kind not in LEADER_ORDER:
        raise NotFoundError(f"no leaderboard {kind!r}; there are: {', '.join(LEADER_ORDER)}")
    await in_org(db, org, "seasons", season_id)
    query = sql.SQL(
        "SELECT s.player_id, s.team_id, p.first_name, p.last_name, s.games, s.goals, s.assists, s.points, "
        "s.yellow_cards, s.red_cards, s.penalty_minutes, s.shutouts, s.save_pct, s.goals_against_average "
        "FROM stats.player_stats s JOIN players p ON p.id = s.player_id WHERE s.season_id = %s {} "
        "ORDER BY {} LIMIT %s"
    ).format(sql.SQL("AND s.stats ? 'goalie'" if kind == "goalies" else ""), sql.SQL(LEADER_ORDER[kind]))
    return await _all(db, Leader, query, (season_id, limit))


async def player_stats(db: Database, org: int, season_id: int, player_id: int) -> PlayerSeasonStats:
    await in_org(db, org, "seasons", season_id)
    row = await _one(
        db,
        "player statistics",
        "SELECT player_id, team_id, sport, stats FROM stats.player_stats WHERE season_id = %s AND player_id = %s",
        (season_id, player_id),
    )
    return msgspec.convert(row, PlayerSeasonStats)


async def teams(db: Database, org: int, limit: int, offset: int) -> list[Team]:
    return await _all(
        db,
        Team,
        "SELECT id, name, short_name, code FROM teams WHERE org_id = %s ORDER BY name LIMIT %s OFFSET %s",
        (org, limit, offset),
    )


async def team(db: Database, org: int, team_id: int, season: int | None) -> TeamDetail:
    head = await _one(
        db, "team", "SELECT id, name, short_name, code FROM teams WHERE id = %s AND org_id = %s", (team_id, org)
    )
    squad = await _all(
        db,
        SquadEntry,
        "SELECT p.id, p.first_name, p.last_name, r.number, r.position, ps.games, ps.goals, ps.assists, ps.points "
        "FROM roster_entries r JOIN players p ON p.id = r.player_id "
        "LEFT JOIN stats.player_stats ps ON ps.season_id = r.season_id AND ps.player_id = p.id "
        "WHERE r.team_id = %s AND r.season_id = %s ORDER BY r.number NULLS LAST, p.last_name",
        (team_id, season),
    )
    return msgspec.convert({**head, "squad": squad}, TeamDetail)


async def player(db: Database, org: int, player_id: int) -> PlayerDetail:
    head = await _one(
        db,
        "player",
        "SELECT id, first_name, last_name, birth_date, nationality FROM players WHERE id = %s AND org_id = %s",
        (player_id, org),
    )
    seasons_ = await _all(
        db,
        PlayerSeason,
        "SELECT season_id, team_id, games, goals, assists, points, stats FROM stats.player_stats "
        "WHERE player_id = %s ORDER BY season_id",
        (player_id,),
    )
    return msgspec.convert({**head, "seasons": seasons_}, PlayerDetail)


async def content(
    db: Database, org: int, *, kind: str | None, competition: int | None, limit: int, offset: int
) -> list[ContentItem]:
    return await _all(
        db,
        ContentItem,
        "SELECT id, kind::text AS kind, title, body, url, competition_id, match_id, team_id, published_at "
        "FROM content_items WHERE org_id = %s AND published_at <= now() "
        "AND (%s::text IS NULL OR kind::text = %s) AND (%s::bigint IS NULL OR competition_id = %s) "
        "ORDER BY published_at DESC LIMIT %s OFFSET %s",
        (org, kind, kind, competition, competition, limit, offset),
    )
