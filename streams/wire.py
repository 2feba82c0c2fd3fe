"""The wire form of the processor's outputs: Avro like CDC, the schemas in ``schemas/avro/stats.*.avsc``,
published on the registry topic."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sports import StandingRow
from sports.registry import sport_rules
from sports.team_records import TeamRecord

__all__ = [
    "PLAYERS_SCHEMA",
    "PLAYER_FIELDS",
    "PREDICTIONS_SCHEMA",
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


def _schema(name: str) -> dict[str, Any]:
    """A statistics topic's schema as ``schemas/avro/<name>.avsc`` defines it: the one contract of the
    worker that writes the topic, the materializer and every other reader."""
    loaded = json.loads((resources.files("schemas") / "avro" / f"{name}.avsc").read_text(encoding="utf-8"))
    return dict(loaded)


def _row_fields(schema: dict[str, Any]) -> tuple[str, ...]:
    """The fields of a record's rows (its last field, an array of records): the materialized columns."""
    return tuple(str(f["name"]) for f in schema["fields"][-1]["type"]["items"]["fields"])


STANDINGS_SCHEMA = _schema("stats.standings")
ROW_FIELDS = _row_fields(STANDINGS_SCHEMA)


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


TEAMS_SCHEMA = _schema("stats.teams")
TEAM_FIELDS = _row_fields(TEAMS_SCHEMA)


def teams_record(stage_id: int, position: tuple[int, int], version: int, records: list[TeamRecord]) -> dict[str, Any]:
    """Every team's splits and form in one stage, ordered by team id."""
    teams = []
    for rec in sorted(records, key=lambda r: int(r.team)):
        row: dict[str, Any] = {f: getattr(rec, f) for f in TEAM_FIELDS if f != "team_id"}
        row["team_id"] = int(rec.team)
        teams.append(row)
    return {"stage_id": stage_id, "commit_lsn": position[0], "ordinal": position[1], "version": version, "teams": teams}


#: the players' rows end with ``stats``: every figure of the sport's statistics (football, skater, goalie),
#: as JSON
PLAYERS_SCHEMA = _schema("stats.players")
PLAYER_FIELDS = _row_fields(PLAYERS_SCHEMA)


def player_key(season_id: int, player_id: int) -> bytes:
    return f"{season_id}:{player_id}".encode()


def player_row(team_id: int, sport: str, stats: dict[str, Any]) -> dict[str, Any]:
    """The columns leaders are ranked by, beside the full figures; zero where the sport has no such figure."""
    row: dict[str, Any] = dict.fromkeys(PLAYER_FIELDS[2:-3], 0)
    row |= {"team_id": team_id, "sport": sport, "save_pct": 0.0, "goals_against_average": 0.0}
    row |= sport_rules(sport).leader_columns(stats)
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


#: a stage's forecast: match probabilities and position odds (streams/predictions_compute.py)
PREDICTIONS_SCHEMA = _schema("stats.predictions")
