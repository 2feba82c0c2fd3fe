"""The statistics topics' schemas, now read from ``schemas/avro/*.avsc``, are the ones the worker used to
define in Python: same fingerprints, same bytes on the wire, same schema text on the registry topic. The
dicts below are those definitions, kept as the reference."""

from __future__ import annotations

from typing import Any

from schemas.codec import SchemaRegistry, fingerprint_of
from streams.wire import PLAYERS_SCHEMA, STANDINGS_SCHEMA, TEAMS_SCHEMA


def _versioned(name: str, keys: list[str], rows: str, item: dict[str, Any]) -> dict[str, Any]:
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


_ROW_INTS = ("played", "won", "drawn", "lost", "ot_won", "ot_lost", "goals_for", "goals_against", "goal_diff", "points")
OLD_STANDINGS = _versioned(
    "Standings",
    ["stage_id", "group_key"],
    "rows",
    {
        "type": "record",
        "name": "StandingRow",
        "namespace": "rstat.stats",
        "fields": [
            {"name": "position", "type": "int"},
            {"name": "rank", "type": "int"},
            {"name": "team_id", "type": "long"},
            *({"name": n, "type": "int"} for n in _ROW_INTS),
            {"name": "points_pct", "type": "double"},
            {"name": "decided_by", "type": "string"},
            {"name": "unresolved", "type": "boolean"},
        ],
    },
)
_SIDES = ("played", "won", "drawn", "lost", "goals_for", "goals_against")
OLD_TEAMS = _versioned(
    "TeamRecords",
    ["stage_id"],
    "teams",
    {
        "type": "record",
        "name": "TeamRecord",
        "namespace": "rstat.stats",
        "fields": [
            {"name": "team_id", "type": "long"},
            *({"name": f"{side}_{n}", "type": "int"} for side in ("home", "away") for n in _SIDES),
            {"name": "form", "type": "string"},
        ],
    },
)
_PLAYER_INTS = (
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
OLD_PLAYERS = _versioned(
    "PlayerSeason",
    ["season_id", "player_id"],
    "players",
    {
        "type": "record",
        "name": "PlayerStats",
        "namespace": "rstat.stats",
        "fields": [
            {"name": "team_id", "type": "long"},
            {"name": "sport", "type": "string"},
            *({"name": n, "type": "int"} for n in _PLAYER_INTS),
            {"name": "save_pct", "type": "double"},
            {"name": "goals_against_average", "type": "double"},
            {"name": "stats", "type": "string"},
        ],
    },
)

STANDINGS_RECORD = {
    "stage_id": 7,
    "group_key": 2,
    "commit_lsn": 123456789,
    "ordinal": 3,
    "version": 41,
    "rows": [
        {
            "position": 1,
            "rank": 1,
            "team_id": 99,
            **{n: i for i, n in enumerate(_ROW_INTS)},
            "points_pct": 0.625,
            "decided_by": "goal_diff",
            "unresolved": False,
        }
    ],
}
TEAMS_RECORD = {
    "stage_id": 7,
    "commit_lsn": 1,
    "ordinal": 2,
    "version": 3,
    "teams": [{"team_id": 5, **{f"{s}_{n}": 1 for s in ("home", "away") for n in _SIDES}, "form": "WDL"}],
}
PLAYERS_RECORD = {
    "season_id": 1,
    "player_id": 2,
    "commit_lsn": 3,
    "ordinal": 4,
    "version": 5,
    "players": [
        {
            "team_id": 8,
            "sport": "ice-hockey",
            **dict.fromkeys(_PLAYER_INTS, 2),
            "save_pct": 0.915,
            "goals_against_average": 2.5,
            "stats": '{"goalie": {}}',
        }
    ],
}


def test_the_avsc_schemas_write_the_same_bytes_as_the_old_definitions() -> None:
    for old, new, record in (
        (OLD_STANDINGS, STANDINGS_SCHEMA, STANDINGS_RECORD),
        (OLD_TEAMS, TEAMS_SCHEMA, TEAMS_RECORD),
        (OLD_PLAYERS, PLAYERS_SCHEMA, PLAYERS_RECORD),
    ):
        before, after = SchemaRegistry(), SchemaRegistry()
        old_fp, new_fp = before.register(old), after.register(new)
        assert new_fp == old_fp == fingerprint_of(old)
        assert after.encode(new_fp, record) == before.encode(old_fp, record)
        # what the worker publishes on the registry topic for it
        assert after.schema_json(new_fp) == before.schema_json(old_fp)
