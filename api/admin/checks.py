"""Protocol rules the schema cannot express as constraints, checked in the write's own transaction.

- an event's players must be in the match's line-up (once any line-up has been entered for it);
- a suspended player cannot be put in a line-up of a match his ban covers;
- a finished match's score must agree with its goal events (when there are any): the shoot-out winner's
  extra goal and awarded results excepted;
- a scorer writes the protocol of a match in play: once it is finished, awarded, postponed or cancelled
  (by someone else, while the scorer's phone was offline), a scorer's event is refused (``match_closed``)
  so the conflict is shown to be resolved, not written behind the result; editors correct closed protocols.
Each failure is a 409 that says what contradicts what.
"""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection

from api.db import Row
from api.errors import ConflictError

__all__ = ["CLOSED", "check_protocol", "ensure_match_open"]

_GOALS = ("goal", "penalty_goal", "own_goal")
#: statuses after which a match's protocol is no longer the scorer's to write
CLOSED = ("finished", "awarded", "postponed", "cancelled")
# a match's place in a team's sequence: kick-off, then id (a match without a kick-off time comes last)
SUSPENDED = """
SELECT s.id, s.reason, s.matches FROM suspensions s
  JOIN matches m ON m.id = %(match)s
  JOIN stages ms ON ms.id = m.stage_id
  LEFT JOIN matches f ON f.id = s.from_match_id
 WHERE s.player_id = %(player)s AND s.season_id = ms.season_id
   AND (f.id IS NULL OR (coalesce(f.kickoff, 'infinity'), f.id) < (coalesce(m.kickoff, 'infinity'), m.id))
   AND (SELECT count(*) FROM matches x JOIN stages xs ON xs.id = x.stage_id
         WHERE xs.season_id = ms.season_id AND %(team)s IN (x.home_team_id, x.away_team_id)
           AND x.status NOT IN ('cancelled', 'postponed')
           AND (coalesce(x.kickoff, 'infinity'), x.id) < (coalesce(m.kickoff, 'infinity'), m.id)
           AND CASE WHEN f.id IS NULL THEN x.kickoff >= s.created_at
                    ELSE (coalesce(x.kickoff, 'infinity'), x.id) > (coalesce(f.kickoff, 'infinity'), f.id) END
       ) < s.matches
 LIMIT 1
"""


async def _event_players(conn: AsyncConnection[Row], event: dict[str, Any]) -> None:
    match = event.get("match_id")
    fields = ("player_id", "assist1_id", "assist2_id", "player_out_id", "goalie_id")
    players = [int(event[k]) for k in fields if event.get(k) is not None]
    if match is None or not players:
        return
    rows = await (await conn.execute("SELECT player_id FROM lineups WHERE match_id = %s", (match,))).fetchall()
    if not rows:
        return  # no line-up entered yet: events may come first (a live ticker)
    listed = {int(r["player_id"]) for r in rows}
    missing = sorted(p for p in players if p not in listed)
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
    goals = await (
        await conn.execute(
            "SELECT team_id, count(*) AS n FROM match_events WHERE match_id = %s AND kind = ANY(%s) GROUP BY team_id",
            (match["id"], list(_GOALS)),
        )
    ).fetchall()
    if not goals:
        return  # a result without a protocol
    by_team = {int(r["team_id"]): int(r["n"]) for r in goals}
    home, away = by_team.get(int(match["home_team_id"]), 0), by_team.get(int(match["away_team_id"]), 0)
    score = (int(match["home_score"]), int(match["away_score"]))
    allowed = {(home, away)}
    if match.get("decided_in") == "SO":
        allowed |= {(home + 1, away), (home, away + 1)}
    if score not in allowed:
        raise ConflictError(
            f"the final score {score[0]}-{score[1]} contradicts the goal events ({home}-{away})",
            extra={"rule": "score_matches_goals"},
        )


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
