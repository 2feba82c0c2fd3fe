"""The league the live and web benches play in: one football stage of 20 teams (3 players each), one
matchday of 10 matches in play, a website's API client, and goals committed one transaction each, with the
scorer's running score, as a scorer's app would enter them. Seeded in SQL: the benches measure the way out
(CDC, streams, the public app, the page), not the management API."""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

from rstat.errors import RStatError

__all__ = ["Conn", "League", "commit_goal", "seed_league"]

TEAMS, MATCHES, SQUAD = 20, 10, 3
INSERT_GOAL = (
    "INSERT INTO match_events (match_id, team_id, kind, player_id, period, minute) "
    "VALUES (%s, %s, 'goal', %s, %s, %s) RETURNING id"
)
#: the scorer's running score, in the goal's transaction: live standings follow it, so stage channels
#: carry a live standings message per goal too
UPDATE_SCORE = (
    "UPDATE matches m SET "
    "home_score = (SELECT count(*) FROM match_events e WHERE e.match_id = m.id AND e.kind = 'goal' "
    "AND e.team_id = m.home_team_id), "
    "away_score = (SELECT count(*) FROM match_events e WHERE e.match_id = m.id AND e.kind = 'goal' "
    "AND e.team_id = m.away_team_id) WHERE m.id = %s"
)
Conn = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class League:
    stage: int
    #: (match id, home team, away team)
    matches: list[tuple[int, int, int]]
    players: dict[int, list[int]]
    client_id: str
    secret: str

    def channels(self) -> list[str]:
        return [f"stage:{self.stage}"] + [f"match:{m}" for m, _, _ in self.matches]

    def goal(self, n: int) -> tuple[int, int, int, int, int]:
        """The n-th goal: rotating over the matches, home and away in turn, minutes going on."""
        match, home, away = self.matches[n % len(self.matches)]
        team = home if (n // len(self.matches)) % 2 == 0 else away
        minute = min(90, 1 + n // len(self.matches))
        player = self.players[team][n % SQUAD]
        return match, team, player, 1 if minute <= 45 else 2, minute


def _one(conn: Conn, query: str, params: tuple[Any, ...] = ()) -> int:
    row = conn.execute(query.encode(), params).fetchone()
    if row is None:
        raise RStatError(f"no row from {query}")
    return int(row[0])


def seed_league(dsn: str) -> League:
    from api.passwords import hash_secret  # noqa: PLC0415 - keeps the API out of `rstat --help`

    client_id, secret = f"bench_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        org = _one(conn, "INSERT INTO organizations (slug, name) VALUES ('bench', 'Bench') RETURNING id")
        comp = _one(
            conn,
            "INSERT INTO competitions (org_id, sport, slug, name) VALUES (%s, 'football', 'l', 'L') RETURNING id",
            (org,),
        )
        season = _one(conn, "INSERT INTO seasons (competition_id, name) VALUES (%s, '2026') RETURNING id", (comp,))
        stage = _one(
            conn,
            "INSERT INTO stages (season_id, name, kind, regulation) VALUES (%s, 'L', 'league', 'premier-league') "
            "RETURNING id",
            (season,),
        )
        teams = [
            _one(conn, "INSERT INTO teams (org_id, name) VALUES (%s, %s) RETURNING id", (org, f"Team {n}"))
            for n in range(TEAMS)
        ]
        players = {
            team: [
                _one(
                    conn, "INSERT INTO players (org_id, last_name) VALUES (%s, %s) RETURNING id", (org, f"P{team}-{n}")
                )
                for n in range(SQUAD)
            ]
            for team in teams
        }
        matches = []
        for n in range(MATCHES):
            home, away = teams[2 * n], teams[2 * n + 1]
            match = _one(
                conn,
                "INSERT INTO matches (stage_id, round, home_team_id, away_team_id, kickoff, status, home_score, "
                "away_score) VALUES (%s, 1, %s, %s, now(), 'live', 0, 0) RETURNING id",
                (stage, home, away),
            )
            matches.append((match, home, away))
        conn.execute(
            "INSERT INTO api_clients (org_id, client_id, secret_hash, name) VALUES (%s, %s, %s, 'bench')",
            (org, client_id, hash_secret(secret)),
        )
    return League(stage, matches, players, client_id, secret)


def commit_goal(conn: Conn, league: League, n: int) -> tuple[str, float]:
    """Goal ``n`` and the match's new score in their own transaction; the goal's notice id and the time
    COMMIT returned."""
    goal = league.goal(n)
    with conn.transaction():
        event = _one(conn, INSERT_GOAL, goal)
        conn.execute(UPDATE_SCORE, (goal[0],))
    return f"goal_scored:{event}", time.time()
