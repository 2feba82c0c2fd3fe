"""``external_ids`` of one organization and one source: the site's id of a row -> ours, and what the crawl
wrote to that row last (``crawled``, see :mod:`crawlers.store.merge`).

Kinds: ``competition``, ``season``, ``stage``, ``group``, ``team``, ``player``, ``venue``, ``official``,
``match``; a match's line-up entries and events are ``lineup`` and ``event`` under ``<match key>/<key>``, so
that one query finds all of a match's."""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg.types.json import Jsonb

from crawlers.store.session import Tx

__all__ = ["Mapped", "Mappings"]


class Mapped(msgspec.Struct, frozen=True):
    internal_id: int
    crawled: dict[str, Any]


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Mappings:
    def __init__(self, tx: Tx, org_id: int, source: str) -> None:
        self.tx = tx
        self.org_id = org_id
        self.source = source

    def get(self, kind: str, key: str) -> Mapped | None:
        row = self.tx.read(
            "SELECT internal_id, crawled FROM external_ids WHERE org_id = %s AND source = %s AND kind = %s "
            "AND external_id = %s",
            (self.org_id, self.source, kind, key),
        ).fetchone()
        return None if row is None else Mapped(int(row["internal_id"]), dict(row["crawled"]))

    def under(self, kind: str, prefix: str) -> dict[str, Mapped]:
        """Every mapping of ``kind`` whose key starts with ``prefix``, by the rest of the key."""
        rows = self.tx.read(
            "SELECT external_id, internal_id, crawled FROM external_ids WHERE org_id = %s AND source = %s "
            "AND kind = %s AND external_id LIKE %s",
            (self.org_id, self.source, kind, _like(prefix)),
        ).fetchall()
        return {str(r["external_id"])[len(prefix) :]: Mapped(int(r["internal_id"]), dict(r["crawled"])) for r in rows}

    def put(self, kind: str, key: str, internal_id: int, crawled: dict[str, Any] | None = None) -> None:
        """Map ``key`` to ``internal_id`` (replacing a mapping to a row that is gone)."""
        self.tx.write(
            "INSERT INTO external_ids (org_id, source, kind, external_id, internal_id, crawled) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (org_id, source, kind, external_id) "
            "DO UPDATE SET internal_id = excluded.internal_id, crawled = excluded.crawled",
            (self.org_id, self.source, kind, key, internal_id, Jsonb(crawled or {})),
        )

    def set_crawled(self, kind: str, key: str, crawled: dict[str, Any]) -> None:
        self.tx.write(
            "UPDATE external_ids SET crawled = %s WHERE org_id = %s AND source = %s AND kind = %s AND external_id = %s",
            (Jsonb(crawled), self.org_id, self.source, kind, key),
        )

    def delete(self, kind: str, key: str) -> None:
        self.tx.write(
            "DELETE FROM external_ids WHERE org_id = %s AND source = %s AND kind = %s AND external_id = %s",
            (self.org_id, self.source, kind, key),
        )
