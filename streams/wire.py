"""The wire form of the processor's outputs: Avro like CDC, schemas on the registry topic."""

from __future__ import annotations

import json
from typing import Any

from sports import StandingRow
from sports.team_records import TeamRecord

__all__ = [
    "PLAYERS_SCHEMA",
    "PLAYER_FIELDS",
    "ROW_FIELDS",
    "STANDINGS_SCHEMA",
    "TEAMS_SCHEMA",
    "TEAM_FIELDS",
    "player_key",
    "player_row",
    "players_record",
    "standings_key",
    "standings_record",
    "teams_record",
]

_ROW = {
    "type": "record",
    "name": "StandingRow",
    "namespace": "rstat.stats",
    "fields": [
        {"name": "position", "type": "int"},
        {"name": "rank", "type": "int"},
        {"name": "team_id", "type": "long"},
        *(
            {"name": n, "type": "int"}
            for n in (
                "played",
                "won",
                "drawn",
                "lost",
                "ot_won",
                "ot_lost",
                "goals_for",
                "goals_against",
                "goal_diff",
                "points",
            )
        ),
        {"name": "points_pct", "type": "double"},
        {"name": "decided_by", "type": "string"},
        {"name": "unresolved", "type": "boolean"},
    ],
}
ROW_FIELDS: tuple[str, ...] = tuple(str(f["name"]) for f in _ROW["fields"])  # type: ignore[index]


def _versioned(name: str, keys: list[str], rows: str, item: dict[str, Any]) -> dict[str, Any]:
    """An output record: its key, the version and newest change it reflects, and its rows."""
    return {
        "type": "record",
        "name": name,
        "namespace": "rstat.stats",
        "fields": [
            *({"name": k, "type": "long"} for k in keys),
            *({"name": n, "type": "long"} for n in ("commit_lsn", "ordinal", "version")),
            {"name": rows, "type": {"type": "array", "items": item}},
        ],
    }


STANDINGS_SCHEMA = _versioned("Standings", ["stage_id", "group_key"], "rows", _ROW)


def standings_key(stage_id: int, group_key: int) -> bytes:
    return f"{stage_id}:{group_key}".encode()


def standings_record(
    stage_id: int, group: str, position: tuple[int, int], version: int, rows: list[StandingRow]
) -> dict[str, Any]:
    """``position``: the newest change in the stage; ``version``: the stage state's change count (the order)."""
    return {
        "stage_id": stage_id,
        "group_key": int(group or 0),
        "commit_lsn": position[0],
        "ordinal": position[1],
        "version": version,
        "rows": [
            {
                "position": n,
                "rank": r.rank,
                "team_id": int(r.team),
                "played": r.played,
                "won": r.won,
                "drawn": r.drawn,
                "lost": r.lost,
                "ot_won": r.ot_won,
                "ot_lost": r.ot_lost,
                "goals_for": r.goals_for,
                "goals_against": r.goals_against,
                "goal_diff": r.goal_diff,
                "points": r.points,
                "points_pct": r.points_pct,
                "decided_by": r.decided_by,
                "unresolved": r.unresolved,
            }
            for n, r in enumerate(rows, start=1)
        ],
    }


_TEAM = {
    "type": "record",
    "name": "TeamRecord",
    "namespace": "rstat.stats",
    "fields": [
        {"name": "team_id", "type": "long"},
        *(
            {"name": f"{side}_{n}", "type": "int"}
            for side in ("home", "away")
            for n in ("played", "won", "drawn", "lost", "goals_for", "goals_against")
        ),
        {"name": "form", "type": "string"},
    ],
}
TEAM_FIELDS: tuple[str, ...] = tuple(str(f["name"]) for f in _TEAM["fields"])  # type: ignore[index]
TEAMS_SCHEMA = _versioned("TeamRecords", ["stage_id"], "teams", _TEAM)


def teams_record(stage_id: int, position: tuple[int, int], version: int, records: list[TeamRecord]) -> dict[str, Any]:
    """Every team's splits and form in one stage, ordered by team id."""
    teams = []
    for rec in sorted(records, key=lambda r: int(r.team)):
        row: dict[str, Any] = {f: getattr(rec, f) for f in TEAM_FIELDS if f != "team_id"}
        row["team_id"] = int(rec.team)
        teams.append(row)
    return {"stage_id": stage_id, "commit_lsn": position[0], "ordinal": position[1], "version": version, "teams": teams}


_PLAYER = {
    "type": "record",
    "name": "PlayerStats",
    "namespace": "rstat.stats",
    "fields": [
        {"name": "team_id", "type": "long"},
        {"name": "sport", "type": "string"},
        *(
            {"name": n, "type": "int"}
            for n in (
                "games",
                "goals",
                "assists",
                "points",
                "minutes",
                "yellow_cards",
                "red_cards",
                "penalty_minutes",
                "shutouts",
            )
        ),
        {"name": "save_pct", "type": "double"},
        {"name": "goals_against_average", "type": "double"},
        #: every figure of the sport's statistics (football, skater, goalie), as JSON
        {"name": "stats", "type": "string"},
    ],
}
PLAYER_FIELDS: tuple[str, ...] = tuple(str(f["name"]) for f in _PLAYER["fields"])  # type: ignore[index]
PLAYERS_SCHEMA = _versioned("PlayerSeason", ["season_id", "player_id"], "players", _PLAYER)


def player_key(season_id: int, player_id: int) -> bytes:
    return f"{season_id}:{player_id}".encode()


def player_row(team_id: int, sport: str, stats: dict[str, Any]) -> dict[str, Any]:
    """The columns leaders are ranked by, beside the full figures; zero where the sport has no such figure."""
    football, skater, goalie = stats.get("football"), stats.get("skater"), stats.get("goalie")
    row: dict[str, Any] = dict.fromkeys(PLAYER_FIELDS[2:-3], 0)
    row |= {"team_id": team_id, "sport": sport, "save_pct": 0.0, "goals_against_average": 0.0}
    if football is not None:
        row |= {k: football[k] for k in ("goals", "assists", "minutes", "yellow_cards", "red_cards")}
        row |= {"games": football["appearances"], "points": football["goals"] + football["assists"]}
    if skater is not None:
        row |= {k: skater[k] for k in ("games", "goals", "assists", "points", "penalty_minutes")}
    if goalie is not None:
        row["games"] = max(row["games"], goalie["games"])
        row |= {k: goalie[k] for k in ("shutouts", "save_pct", "goals_against_average")}
    row["stats"] = json.dumps(stats, sort_keys=True)
    return row


def players_record(
    season_id: int, player_id: int, position: tuple[int, int], version: int, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """One player's season (``rows`` empty once no match of his counts: the materialized row goes)."""
    return {
        "season_id": season_id,
        "player_id": player_id,
        "commit_lsn": position[0],
        "ordinal": position[1],
        "version": version,
        "players": rows,
    }
