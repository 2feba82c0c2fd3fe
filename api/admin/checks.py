"""Protocol rules the schema cannot express as constraints, checked in the write's own transaction.

The rules themselves (and the queries they need) live in :mod:`schemas.protocol_rules`, shared with the
crawlers' pipelines; here they run on the request's connection and a broken one becomes a 409 that says what
contradicts what. One rule is the API's alone: a scorer writes the protocol of a match in play; once it is
finished, awarded, postponed or cancelled (by someone else, while the scorer's phone was offline), a scorer's
event is refused (``match_closed``) so the conflict is shown to be resolved, not written behind the result;
editors correct closed protocols.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from api.db import Row
from api.errors import ConflictError
from schemas.protocol_rules import (
    CLOSED,
    GOAL_KINDS,
    GOALS_BY_TEAM,
    LINEUP_PLAYERS,
    SUSPENDED,
    missing_from_lineup,
    score_contradiction,
)

__all__ = ["CLOSED", "check_protocol", "ensure_match_open"]


async def _event_players(conn: AsyncConnection[Row], event: dict[str, Any]) -> None:
    match = event.get("match_id")
    if match is None:
        return
    rows = await (await conn.execute(LINEUP_PLAYERS, (match,))).fetchall()
    missing = missing_from_lineup(event, (r["player_id"] for r in rows))
    if missing:
        raise ConflictError(f"player {missing[0]} is not in the line-up of match {match}", extra={"rule": "lineup"})


async def _not_suspended(conn: AsyncConnection[Row], entry: dict[str, Any]) -> None:
    params = {"match": entry.get("match_id"), "player": entry.get("player_id"), "team": entry.get("team_id")}
    if None in params.values():
        return
    row = await (await conn.execute(SUSPENDED, params)).fetchone()
    if row is not None:
        raise ConflictError(
            f"player {params['player']} is suspended for match {params['match']} ({row['reason']}, "
            f"{row['matches']} match ban)",
            extra={"rule": "suspension"},
        )


async def _score_agrees(conn: AsyncConnection[Row], match: dict[str, Any]) -> None:
    if match.get("status") != "finished" or match.get("home_score") is None or match.get("decided_in") == "AWD":
        return
    goals = await (await conn.execute(GOALS_BY_TEAM, (match["id"], list(GOAL_KINDS)))).fetchall()
    reason = score_contradiction(match, {int(r["team_id"]): int(r["n"]) for r in goals})
    if reason is not None:
        raise ConflictError(reason, extra={"rule": "score_matches_goals"})


async def check_protocol(
    conn: AsyncConnection[Row], resource: str, values: dict[str, Any], *, existing: dict[str, Any] | None
) -> None:
    merged = {**(existing or {}), **values}
    if resource == "match_events":
        await _event_players(conn, merged)
    elif resource == "lineups":
        await _not_suspended(conn, merged)
    elif resource == "matches" and existing is not None:
        await _score_agrees(conn, merged)


async def ensure_match_open(conn: AsyncConnection[Row], match_id: int) -> None:
    """409 ``match_closed`` when the match is no longer in play (see the module's rules)."""
    row = await (
        await conn.execute("SELECT status::text AS status FROM matches WHERE id = %s FOR SHARE", (match_id,))
    ).fetchone()
    if row is not None and row["status"] in CLOSED:
        raise ConflictError(
            f"match {match_id} is {row['status']}: a scorer can no longer change its events "
            "(reopen it by setting it live, or ask an editor to correct the protocol)",
            extra={"rule": "match_closed", "match_status": row["status"]},
        )
