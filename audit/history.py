"""A row's history as field-level changes, newest first: what the admin app shows organizers.

The audit keeps whole rows; who changed which field from what to what is worked out here by replaying a
row's changes in order. A change's own ``before`` is the state it started from when PostgreSQL sent it
(tables with REPLICA IDENTITY FULL: matches, their events and line-ups); otherwise the previous audit row's
``after`` is. Columns PostgreSQL left out as unchanged TOAST keep their previous value.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from audit.store import JSON_ROWS, AuditStore, decode_rows
from audit.table import quote_name

__all__ = ["Change", "Entry", "History", "entity_key", "read_history"]

#: the tables whose rows belong to a match (their ``match_id``), in a match's history
MATCH_PARTS = ("match_events", "lineups")

_COLUMNS = (
    "SELECT `table`, key, op, commit_lsn, ordinal, toString(commit_time) AS commit_time, before, after, "
    "unchanged_toast, org, actor, request_id, source FROM {target} WHERE {where} "
    "ORDER BY `table`, key, commit_lsn, ordinal"
)
_ENTITY = "`table` = {table:String} AND key = {key:String}"
_MATCH = (
    "(`table` = 'matches' AND key = {key:String}) OR (`table` IN ('match_events', 'lineups') "
    "AND JSONExtractInt(if(after = '', before, after), 'match_id') = {match:Int64})"
)


class Change(msgspec.Struct, frozen=True, rename={"old": "from", "new": "to"}):
    field: str
    old: Any
    new: Any


class Entry(msgspec.Struct, frozen=True):
    table: str
    #: the row's primary key, e.g. ``{"id": 12}``
    key: dict[str, Any]
    op: str
    #: the commit time in UTC, ISO 8601
    at: str
    commit_lsn: int
    ordinal: int
    org: int | None
    actor: str
    request_id: str
    source: str
    changes: list[Change]


class History(msgspec.Struct, frozen=True):
    items: list[Entry]
    total: int
    limit: int
    offset: int


class _Row(msgspec.Struct, frozen=True):
    table: str
    key: str
    op: str
    commit_lsn: int
    ordinal: int
    commit_time: str
    before: str
    after: str
    unchanged_toast: list[str]
    org: int | None
    actor: str
    request_id: str
    source: str


def entity_key(item_id: int) -> str:
    """The audit key of a row whose primary key is ``id``, as the writer stores it."""
    return json.dumps({"id": item_id}, separators=(",", ":"))


def _state(text: str) -> dict[str, Any]:
    return dict(json.loads(text)) if text else {}


def _replay(rows: list[_Row]) -> list[Entry]:
    """The entries of one row's changes (``rows`` in commit order)."""
    entries = []
    state: dict[str, Any] = {}
    for row in rows:
        start = _state(row.before) or state
        end = _state(row.after)
        for column in row.unchanged_toast:
            end[column] = start.get(column)
        changes = [
            Change(field, start.get(field), end.get(field))
            for field in sorted(start.keys() | end.keys())
            if start.get(field) != end.get(field)
        ]
        entries.append(
            Entry(
                table=row.table,
                key=dict(json.loads(row.key)),
                op=row.op,
                at=row.commit_time.replace(" ", "T") + "Z",
                commit_lsn=row.commit_lsn,
                ordinal=row.ordinal,
                org=row.org,
                actor=row.actor,
                request_id=row.request_id,
                source=row.source,
                changes=changes,
            )
        )
        state = end
    return entries


def read_history(
    store: AuditStore, table_name: str, *, table: str, key: str, match: int | None, limit: int, offset: int
) -> History:
    """The history of the row ``key`` of ``table``, newest first; with ``match``, the match's own row and
    the rows of its events and line-ups."""
    where, params = _ENTITY, {"table": table, "key": key}
    if match is not None:
        where, params = _MATCH, {"key": key, "match": str(match)}
    answer = store.read(_COLUMNS.format(target=quote_name(table_name), where=where), settings=JSON_ROWS, params=params)
    rows = decode_rows(answer, _Row)
    by_row: dict[tuple[str, str], list[_Row]] = {}
    for row in rows:
        by_row.setdefault((row.table, row.key), []).append(row)
    entries = [entry for changes in by_row.values() for entry in _replay(changes)]
    entries.sort(key=lambda e: (e.commit_lsn, e.ordinal), reverse=True)
    return History(items=entries[offset : offset + limit], total=len(entries), limit=limit, offset=offset)
