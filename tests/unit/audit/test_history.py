"""Field-level history from whole audit rows: the replay that says who changed what from what."""

from __future__ import annotations

import json
from typing import Any

from audit.history import entity_key, read_history
from tests.unit.audit.fakes import FakeStore


def row(table: str, key: int, op: str, position: int, before: Any, after: Any, **extra: Any) -> dict[str, Any]:
    return {
        "table": table,
        "key": entity_key(key),
        "op": op,
        "commit_lsn": position,
        "ordinal": 0,
        "commit_time": f"2026-05-0{position} 10:00:00.000000",
        "before": json.dumps(before) if before else "",
        "after": json.dumps(after) if after else "",
        "unchanged_toast": [],
        "org": 3,
        "actor": "user:7",
        "request_id": f"req-{position}",
        "source": "admin-api",
        **extra,
    }


def store_of(rows: list[dict[str, Any]]) -> FakeStore:
    answer = "\n".join(json.dumps(r) for r in rows).encode()
    return FakeStore(answer=lambda _sql: answer)


def changes(entry: Any) -> list[tuple[str, Any, Any]]:
    return [(c.field, c.old, c.new) for c in entry.changes]


def test_a_rows_changes_newest_first_from_its_own_before_or_the_previous_state() -> None:
    match = {"id": 5, "home_score": None, "away_score": None, "status": "scheduled"}
    live = {**match, "status": "live"}
    scored = {**live, "home_score": 1, "away_score": 0}
    rows = [
        row("matches", 5, "c", 1, None, match),
        row("matches", 5, "u", 2, None, live),  # no before image: diffed against the previous row
        row("matches", 5, "u", 3, live, scored, actor="", request_id="", source=""),  # by hand in SQL
        row("matches", 5, "d", 4, scored, None),
    ]
    history = read_history(
        store_of(rows), "changes", table="matches", key=entity_key(5), match=None, limit=10, offset=0
    )
    assert history.total == 4
    deleted, corrected, started, created = history.items
    assert [e.op for e in history.items] == ["d", "u", "u", "c"]
    assert changes(corrected) == [("away_score", None, 0), ("home_score", None, 1)]
    assert (corrected.actor, corrected.source) == ("", "")
    assert changes(started) == [("status", "scheduled", "live")]
    assert ("status", None, "scheduled") in changes(created)
    assert ("home_score", 1, None) in changes(deleted)
    assert created.at == "2026-05-01T10:00:00.000000Z"
    assert created.key == {"id": 5}
    assert (created.org, created.actor, created.request_id) == (3, "user:7", "req-1")


def test_an_unchanged_toast_column_keeps_its_value() -> None:
    before = {"id": 1, "body": "a long text", "title": "old"}
    after = {"id": 1, "body": None, "title": "new"}
    rows = [
        row("content_items", 1, "c", 1, None, before),
        row("content_items", 1, "u", 2, None, after, unchanged_toast=["body"]),
    ]
    history = read_history(
        store_of(rows), "changes", table="content_items", key=entity_key(1), match=None, limit=10, offset=0
    )
    assert changes(history.items[0]) == [("title", "old", "new")]


def test_a_match_with_its_events_interleaved_and_paginated() -> None:
    event, moved = {"id": 40, "match_id": 5, "minute": 10}, {"id": 40, "match_id": 5, "minute": 12}
    rows = [  # as the query orders them: by table, key, then position
        row("match_events", 40, "c", 2, None, event),
        row("match_events", 40, "u", 4, event, moved),
        row("matches", 5, "c", 1, None, {"id": 5, "home_score": 0}),
        row("matches", 5, "u", 3, {"id": 5, "home_score": 0}, {"id": 5, "home_score": 1}),
    ]
    store = store_of(rows)
    first = read_history(store, "changes", table="matches", key=entity_key(5), match=5, limit=2, offset=0)
    assert [(e.table, e.op) for e in first.items] == [("match_events", "u"), ("matches", "u")]
    assert changes(first.items[0]) == [("minute", 10, 12)]
    rest = read_history(store, "changes", table="matches", key=entity_key(5), match=5, limit=2, offset=2)
    assert [(e.table, e.op) for e in rest.items] == [("match_events", "c"), ("matches", "c")]
    assert (rest.total, rest.offset) == (4, 2)
