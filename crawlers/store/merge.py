"""Three-way merge of a crawled row: what the crawl wrote last (the base, kept in ``external_ids.crawled``),
what the row holds now (ours) and what the site says now (theirs).

- theirs equals ours: nothing to write (the base follows, quietly, when it differs);
- ours equals the base (nobody touched the field since the crawl wrote it): take theirs;
- otherwise an organizer edited the field and the site changed it as well: keep ours and report the
  conflict (field, ours, theirs); the base stays, so every later crawl reports it again until someone
  settles it (setting the field to the site's value ends it).

A field the site leaves unchanged (theirs equals the base) never overwrites a hand edit, so a value an
organizer added where the site has none stays, without a conflict. Values are compared in their JSON form
(:func:`plain`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec

__all__ = ["Conflict", "Merge", "merge", "plain"]


class Conflict(msgspec.Struct, frozen=True, kw_only=True):
    """A field an organizer edited by hand that the site now says otherwise."""

    match: str
    table: str
    key: str
    field: str
    ours: Any
    theirs: Any


class Merge(msgspec.Struct, frozen=True, kw_only=True):
    #: column -> the site's value (as given), to write
    updates: dict[str, Any]
    #: what ``external_ids.crawled`` must hold afterwards
    base: dict[str, Any]
    #: (field, ours, theirs) of each hand edit the site contradicts
    conflicts: list[tuple[str, Any, Any]]


def plain(value: Any) -> Any:
    """A column's value in its JSON form: timestamps in UTC ISO text, dates ISO, sequences as lists."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def merge(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> Merge:
    """The merge of each field of ``theirs`` (``base`` in JSON form, the others as read and as parsed)."""
    updates: dict[str, Any] = {}
    new_base = dict(base)
    conflicts: list[tuple[str, Any, Any]] = []
    for field, value in theirs.items():
        mine, their_value = plain(ours.get(field)), plain(value)
        if mine == their_value:
            new_base[field] = their_value
        elif field not in base or base[field] == mine:
            updates[field] = value
            new_base[field] = their_value
        elif base[field] != their_value:
            conflicts.append((field, mine, their_value))
    return Merge(updates=updates, base=new_base, conflicts=conflicts)
