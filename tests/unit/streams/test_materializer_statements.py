"""The materializer's batch statements without PostgreSQL: which record of a key a batch writes, the
arrays its three statements take, the rows it copies, and the one condition that keeps older versions out
(the same statements run against the real database in tests/integration/test_streams_ports.py)."""

from __future__ import annotations

from typing import Any

from streams.materializer import (
    PLAYER_STATS,
    STANDINGS,
    TEAM_RECORDS,
    Key,
    copy_rows,
    key_columns,
    newest_by_key,
    version_columns,
)
from streams.wire import ROW_FIELDS


def standings(stage: int, group: int, version: int, lsn: int, teams: list[int]) -> dict[str, Any]:
    rows = [dict.fromkeys(ROW_FIELDS, 0) | {"position": n, "team_id": t} for n, t in enumerate(teams, start=1)]
    return {"stage_id": stage, "group_key": group, "version": version, "commit_lsn": lsn, "ordinal": 1, "rows": rows}


def test_a_batch_keeps_the_newest_record_of_each_key_whatever_the_order() -> None:
    old, new, other = standings(1, 0, 4, 40, [1]), standings(1, 0, 5, 50, [2]), standings(2, 3, 1, 10, [3])
    teams = {"stage_id": 1, "version": 2, "commit_lsn": 9, "ordinal": 0, "teams": []}
    newest = newest_by_key([(STANDINGS, new), (STANDINGS, other), (TEAM_RECORDS, teams), (STANDINGS, old)])
    assert newest == {STANDINGS: {(1, 0): new, (2, 3): other}, TEAM_RECORDS: {(1,): teams}}
    # the same version twice: the first stays (a replay is not newer)
    again = standings(1, 0, 5, 50, [9])
    assert newest_by_key([(STANDINGS, new), (STANDINGS, again)])[STANDINGS][(1, 0)] is new


def test_the_statements_take_one_array_per_column_and_copy_each_row_after_its_key() -> None:
    records: dict[Key, dict[str, Any]] = {(1, 0): standings(1, 0, 5, 50, [7, 8]), (2, 3): standings(2, 3, 1, 10, [9])}
    assert version_columns(STANDINGS, records) == [[1, 2], [0, 3], [5, 1], [50, 10], [1, 1]]
    assert key_columns([(1, 0), (2, 3)]) == [[1, 2], [0, 3]]
    rows = list(copy_rows(STANDINGS, [(2, 3), (1, 0)], records))
    assert [r[:4] for r in rows] == [(2, 3, 1, 0), (1, 0, 1, 0), (1, 0, 2, 0)]  # key, position, rank
    assert [r[2 + ROW_FIELDS.index("team_id")] for r in rows] == [9, 7, 8]
    assert all(len(r) == 2 + len(ROW_FIELDS) for r in rows)


def test_a_version_is_replaced_only_by_a_newer_one_and_the_statements_name_the_targets_columns() -> None:
    upsert = PLAYER_STATS.upsert_versions.as_string(None)
    assert 'INSERT INTO stats."player_stats_versions"' in upsert
    assert 'ON CONFLICT ("season_id", "player_id")' in upsert
    assert "WHERE v.version < EXCLUDED.version" in upsert
    assert upsert.count("::bigint[]") == 5
    delete = PLAYER_STATS.delete.as_string(None)
    assert delete == (
        'DELETE FROM stats."player_stats" WHERE ("season_id", "player_id") IN '
        "(SELECT * FROM unnest(%s::bigint[], %s::bigint[]))"
    )
    assert PLAYER_STATS.copy.as_string(None).startswith(
        'COPY stats."player_stats" ("season_id", "player_id", "team_id"'
    )
