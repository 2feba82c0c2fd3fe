"""A row's history for organizers: who changed what, when, from what, newest first.

The audit trail lives in ClickHouse, which only the audit writer may open (the embedded engine allows one
process), so the admin app asks the writer's endpoint over HTTP (``api.audit_url``) for a row's field-level
changes and adds what the audit does not know: the user's email for ``user:<id>`` actors. Like every route,
it is tenant-scoped: the row must belong to the organization in PostgreSQL, or, once deleted, its last
audit row must have been written for that organization; anything else is a 404, as for an id that does not
exist.

Routes: ``/v1/orgs/{org}/history?table=T&id=N``, and the shortcuts ``/matches/{id}/history`` (the match
with its events and line-ups) and ``/match_events/{id}/history``.

No ``from __future__ import annotations``: Litestar reads the handlers' annotations as objects.
"""

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
import msgspec
from litestar import get
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter, QueryParameter

from api.admin.deps import Caller, Db
from api.db import Database
from api.errors import InvalidError, NotFoundError, UnavailableError
from api.tenancy import OWNERS, org_of

__all__ = ["FieldChange", "HistoryEntry", "HistoryPage", "history_handlers", "shown_actor"]

#: who may read histories: the roles that write (a viewer reads the data, not who wrote it)
READERS = ("scorer", "editor", "owner")
MAX_PAGE = 500
Limit = Annotated[int, Parameter(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Parameter(ge=0)]


class FieldChange(msgspec.Struct, frozen=True, rename={"old": "from", "new": "to"}):
    field: str
    old: Any
    new: Any


class HistoryEntry(msgspec.Struct, frozen=True):
    table: str
    id: int | None
    #: c created, u updated, d deleted, r present when capture began (snapshot)
    op: str
    #: the commit time (UTC, ISO 8601)
    at: str
    #: who, for people: the user's email, "crawler: nhl", "by hand in SQL" (a change without attribution)
    actor: str
    #: who, as recorded (``user:7``, ``crawler:nhl``, empty)
    actor_id: str
    source: str
    request_id: str
    changes: list[FieldChange]


class HistoryPage(msgspec.Struct, frozen=True):
    items: list[HistoryEntry]
    total: int
    limit: int
    offset: int


class _AuditEntry(msgspec.Struct, frozen=True):
    """An entry as the audit endpoint sends it (audit/history.py)."""

    table: str
    key: dict[str, Any]
    op: str
    at: str
    org: int | None
    actor: str
    request_id: str
    source: str
    changes: list[FieldChange]


class _AuditPage(msgspec.Struct, frozen=True):
    items: list[_AuditEntry]
    total: int


def shown_actor(actor: str, source: str, emails: dict[int, str]) -> str:
    """Who, in words: a user's email, ``crawler: nhl`` (a crawler's writes name it in their source),
    ``command line (root)``, ``by hand in SQL`` for a change without attribution."""
    if not actor:
        return "by hand in SQL"
    kind, _, name = actor.partition(":")
    if kind == "user" and name.isdigit():
        return emails.get(int(name), actor)
    if source.startswith("crawler:"):
        return f"crawler: {source.partition(':')[2]}"
    if kind in ("crawler", "client"):
        return f"{kind}: {name}"
    if kind == "cli":
        return f"command line ({name})"
    return actor


async def _emails(db: Database, entries: Sequence[_AuditEntry]) -> dict[int, str]:
    ids = sorted({int(a[5:]) for a in (e.actor for e in entries) if a.startswith("user:") and a[5:].isdigit()})
    if not ids:
        return {}
    async with db.read() as conn:
        rows = await (await conn.execute("SELECT id, email FROM users WHERE id = ANY(%s)", (ids,))).fetchall()
    return {int(r["id"]): str(r["email"]) for r in rows}


async def _audit(audit_url: str, params: dict[str, str]) -> _AuditPage:
    # the endpoint's user and password come in the URL; they go in ClickHouse's headers, never in a message
    parts = urlsplit(audit_url)
    url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    headers = {}
    if parts.username is not None:
        headers = {"X-ClickHouse-User": unquote(parts.username), "X-ClickHouse-Key": unquote(parts.password or "")}
    try:
        async with httpx.AsyncClient(timeout=10.0, headers=headers) as client:
            response = await client.get(f"{url.rstrip('/')}/v1/history", params=params)
    except httpx.HTTPError as exc:
        raise UnavailableError(f"the audit (rstat audit, {url}) does not answer: {exc}") from exc
    if response.status_code != 200:
        raise UnavailableError(f"the audit (rstat audit, {url}) answered {response.status_code}: {response.text}")
    return msgspec.json.decode(response.content, type=_AuditPage)


async def _history(
    url: str, db: Database, org_id: int, table: str, item_id: int, *, limit: int, offset: int, match: bool = False
) -> HistoryPage:
    if table not in OWNERS:
        raise InvalidError(f"table must be one of {', '.join(sorted(OWNERS))}")
    async with db.read() as conn:
        owner = await org_of(conn, table, item_id)
    if owner is not None and owner != org_id:
        raise NotFoundError(f"{table} {item_id} not found")
    query = {"table": table, "id": str(item_id), **({"match": str(item_id)} if match else {})}
    if owner is None:  # not (or no longer) in PostgreSQL: its newest audit row, the delete, names the org
        newest = await _audit(url, {**query, "limit": "1", "offset": "0"})
        if not newest.items or newest.items[0].org != org_id:
            raise NotFoundError(f"{table} {item_id} not found")
    page = await _audit(url, {**query, "limit": str(limit), "offset": str(offset)})
    emails = await _emails(db, page.items)
    items = [
        HistoryEntry(
            table=e.table,
            id=e.key.get("id") if isinstance(e.key.get("id"), int) else None,
            op=e.op,
            at=e.at,
            actor=shown_actor(e.actor, e.source, emails),
            actor_id=e.actor,
            source=e.source,
            request_id=e.request_id,
            changes=e.changes,
        )
        for e in page.items
    ]
    return HistoryPage(items=items, total=page.total, limit=limit, offset=offset)


def history_handlers(audit_url: str) -> list[HTTPRouteHandler]:
    """The history routes, reading from the audit endpoint at ``audit_url``."""
    tag = ["history"]

    @get("/v1/orgs/{org_id:int}/history", tags=tag, summary="Who changed a row, when, from what (newest first)")
    async def row_history(
        org_id: int,
        *,
        table: str,
        item_id: Annotated[int, QueryParameter(name="id")],
        principal: Caller,
        db: Db,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> HistoryPage:
        principal.require(org_id, READERS)
        return await _history(audit_url, db, org_id, table, item_id, limit=limit, offset=offset)

    @get("/v1/orgs/{org_id:int}/matches/{item_id:int}/history", tags=tag, summary="A match's history")
    async def match_history(
        org_id: int, item_id: int, *, principal: Caller, db: Db, limit: Limit = 50, offset: Offset = 0
    ) -> HistoryPage:
        """The match's own changes and those of its events and line-ups, newest first."""
        principal.require(org_id, READERS)
        return await _history(audit_url, db, org_id, "matches", item_id, limit=limit, offset=offset, match=True)

    @get("/v1/orgs/{org_id:int}/match_events/{item_id:int}/history", tags=tag, summary="A match event's history")
    async def event_history(
        org_id: int, item_id: int, *, principal: Caller, db: Db, limit: Limit = 50, offset: Offset = 0
    ) -> HistoryPage:
        principal.require(org_id, READERS)
        return await _history(audit_url, db, org_id, "match_events", item_id, limit=limit, offset=offset)

    return [row_history, match_history, event_history]
