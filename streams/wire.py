"""The wire form of the processor's outputs: Avro like CDC, schemas on the registry topic."""

from __future__ import annotations

from typing import Any

from sports import StandingRow
from sports.team_records import TeamRecord

__all__ = [
    "ROW_FIELDS",
    "STANDINGS_SCHEMA",
    "TEAMS_SCHEMA",
    "TEAM_FIELDS",
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
