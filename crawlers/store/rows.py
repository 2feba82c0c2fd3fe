"""Crawled rows that follow the site (a match, its line-up entries, its events): inserted with their mapping,
merged field by field afterwards (:mod:`crawlers.store.merge`), deleted when the site drops them, and left
alone once an organizer deleted or changed them by hand (the conflict is reported instead).

A row deleted by hand stays deleted (a conflict once the site changes it); a line-up entry or event the site
drops is deleted only when nobody edited it since the crawl wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from crawlers.store.mappings import Mapped, Mappings
from crawlers.store.merge import Conflict, merge, plain
from crawlers.store.session import Tx

__all__ = ["CrawledRows", "Written"]

JSON_COLUMNS = frozenset({"period_scores"})


class Written:
    """What one match's transaction wrote: rows inserted, updated or deleted, and the conflicts found."""

    def __init__(self, match: str) -> None:
        self.match = match
        self.rows = 0
        self.conflicts: list[Conflict] = []
        #: ids of the events inserted or changed, for the line-up rule
        self.events: list[int] = []
        #: (player, team) of the line-up entries inserted, for the suspension rule
        self.lineups: list[tuple[int, int]] = []

    def conflict(self, table: str, key: str, field: str, ours: Any, theirs: Any) -> None:
        self.conflicts.append(Conflict(match=self.match, table=table, key=key, field=field, ours=ours, theirs=theirs))


def _param(column: str, value: Any) -> Any:
    return Jsonb(plain(value)) if column in JSON_COLUMNS else value


class CrawledRows:
    """Rows of one table that the crawl keeps in line with the site."""

    def __init__(self, tx: Tx, mappings: Mappings, table: str, kind: str, written: Written) -> None:
        self.tx = tx
        self.mappings = mappings
        self.table = table
        self.kind = kind
        self.written = written

    def read(self, row_id: int) -> dict[str, Any] | None:
        return self.tx.read(
            sql.SQL("SELECT * FROM {} WHERE id = %s").format(sql.Identifier(self.table)), (row_id,)
        ).fetchone()

    def insert(self, key: str, values: Mapping[str, Any]) -> int:
        given = {k: v for k, v in values.items() if v is not None}
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
            sql.Identifier(self.table),
            sql.SQL(", ").join(map(sql.Identifier, given)),
            sql.SQL(", ").join(sql.Placeholder() * len(given)),
        )
        row = self.tx.write(query, [_param(k, v) for k, v in given.items()]).fetchone()
        assert row is not None
        self.mappings.put(self.kind, key, int(row["id"]), {k: plain(v) for k, v in values.items()})
        self.written.rows += 1
        return int(row["id"])

    def sync(self, key: str, mapped: Mapped, values: Mapping[str, Any], label: str) -> tuple[int | None, bool]:
        """Merge the site's ``values`` into the mapped row: (its id, whether it changed). No id when the row
        was deleted by hand: it stays deleted, and once the site changes it, that is reported as a conflict on
        ``row``."""
        ours = self.read(mapped.internal_id)
        if ours is None:
            if any(mapped.crawled.get(k) != plain(v) for k, v in values.items()):
                self.written.conflict(self.table, label, "row", "deleted", "changed")
            return None, False
        merged = merge(mapped.crawled, ours, values)
        for field, mine, theirs in merged.conflicts:
            self.written.conflict(self.table, label, field, mine, theirs)
        if merged.updates:
            sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in merged.updates)
            self.tx.write(
                sql.SQL("UPDATE {} SET {} WHERE id = %s").format(sql.Identifier(self.table), sets),
                [*(_param(c, v) for c, v in merged.updates.items()), mapped.internal_id],
            )
            self.written.rows += 1
        if merged.base != mapped.crawled:
            self.mappings.set_crawled(self.kind, key, merged.base)
        return mapped.internal_id, bool(merged.updates)

    def drop(self, key: str, mapped: Mapped, label: str) -> None:
        """The site no longer has the row: delete it, unless an organizer edited it since the crawl wrote it."""
        ours = self.read(mapped.internal_id)
        if ours is not None:
            edited = sorted(f for f, v in mapped.crawled.items() if plain(ours.get(f)) != v)
            if edited:
                self.written.conflict(self.table, label, edited[0], plain(ours.get(edited[0])), None)
                return
            self.tx.write(
                sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(self.table)), (mapped.internal_id,)
            )
            self.written.rows += 1
        self.mappings.delete(self.kind, key)
