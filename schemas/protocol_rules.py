"""Protocol rules the schema cannot express as constraints, shared by every writer of protocols (the admin
API, the crawlers' pipelines): the queries that fetch what a rule needs, and the pure decisions on it.

- an event's players must be in the match's line-up (once any line-up has been entered for it);
- a suspended player cannot be put in a line-up of a match his ban covers;
- a finished match's score must agree with its goal events (when there are any): the shoot-out winner's
  extra goal and awarded results excepted.

Each writer runs the queries on its own connection, in the write's own transaction, and turns a broken rule
into its own error (a 409 in the API, a dropped item in a crawl).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "CLOSED",
    "EVENT_PLAYER_FIELDS",
    "GOALS_BY_TEAM",
    "GOAL_KINDS",
    "LINEUP_PLAYERS",
    "SUSPENDED",
    "missing_from_lineup",
    "score_contradiction",
]

GOAL_KINDS = ("goal", "penalty_goal", "own_goal")
#: statuses after which a match's protocol is no longer the scorer's to write
CLOSED = ("finished", "awarded", "postponed", "cancelled")
#: the columns of an event that name players
EVENT_PLAYER_FIELDS = ("player_id", "assist1_id", "assist2_id", "player_out_id", "goalie_id")

#: the players of a match's line-ups (parameter: the match id)
LINEUP_PLAYERS = "SELECT player_id FROM lineups WHERE match_id = %s"
#: goal events per team of a match (parameters: the match id, the goal kinds)
GOALS_BY_TEAM = (
    "SELECT team_id, count(*) AS n FROM match_events WHERE match_id = %s AND kind = ANY(%s) GROUP BY team_id"
)
# a match's place in a team's sequence: kick-off, then id (a match without a kick-off time comes last)
#: a suspension of the player covering the match (named parameters: match, player, team)
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


def missing_from_lineup(event: Mapping[str, Any], listed: Iterable[int]) -> list[int]:
    """The players ``event`` names that are not in the line-up ``listed`` (none while no line-up is entered:
    events may come first, as a live ticker sends them)."""
    players = {int(p) for p in listed}
    if not players:
        return []
    named = [int(event[k]) for k in EVENT_PLAYER_FIELDS if event.get(k) is not None]
    return sorted(p for p in named if p not in players)


def score_contradiction(match: Mapping[str, Any], goals_by_team: Mapping[int, int]) -> str | None:
    """Why the final score of ``match`` contradicts its goal events (``team id -> goals``), or None."""
    if match.get("status") != "finished" or match.get("home_score") is None or match.get("decided_in") == "AWD":
        return None
    if not goals_by_team:
        return None  # a result without a protocol
    home = goals_by_team.get(int(match["home_team_id"]), 0)
    away = goals_by_team.get(int(match["away_team_id"]), 0)
    score = (int(match["home_score"]), int(match["away_score"]))
    allowed = {(home, away)}
    if match.get("decided_in") == "SO":
        allowed |= {(home + 1, away), (home, away + 1)}
    if score in allowed:
        return None
    return f"the final score {score[0]}-{score[1]} contradicts the goal events ({home}-{away})"
