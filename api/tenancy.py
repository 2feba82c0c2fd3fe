"""Which organization a row belongs to, for both apps: tenant scoping written once.

A row's organization is found by following its parent chain up to a table with ``org_id`` (a match -> its
stage -> season -> competition). The admin app scopes every generated query with :func:`scope` and checks
every id a request names with :func:`ensure_in_org`; the public app checks the ids in its paths the same way,
so an id of another organization answers 404 in both, like an id that does not exist.
"""

from __future__ import annotations

from psycopg import AsyncConnection, sql

from api.db import Row
from api.errors import NotFoundError

__all__ = ["OWNERS", "ensure_in_org", "org_column", "org_of", "scope"]

#: table -> the column naming its organization, or (the column naming its parent row, the parent's table)
OWNERS: dict[str, str | tuple[str, str]] = {
    "competitions": "org_id",
    "teams": "org_id",
    "players": "org_id",
    "venues": "org_id",
    "officials": "org_id",
    "content_items": "org_id",
    "crawl_jobs": "org_id",
    "seasons": ("competition_id", "competitions"),
    "stages": ("season_id", "seasons"),
    "groups": ("stage_id", "stages"),
    "roster_entries": ("season_id", "seasons"),
    "suspensions": ("season_id", "seasons"),
    "matches": ("stage_id", "stages"),
    "point_adjustments": ("stage_id", "stages"),
    "match_events": ("match_id", "matches"),
    "lineups": ("match_id", "matches"),
}


def org_column(table: str) -> str | None:
    """The column naming the organization when ``table`` has one (set from the caller's, never sent)."""
    owner = OWNERS[table]
    return owner if isinstance(owner, str) else None


def scope(table: str) -> tuple[sql.Composable, sql.Composable]:
    """(``table AS t0`` with the joins up to the organization, the expression naming the organization)."""
    joins: list[sql.Composable] = [sql.SQL("{} AS t0").format(sql.Identifier(table))]
    owner, alias, n = OWNERS[table], "t0", 0
    while not isinstance(owner, str):
        column, parent = owner
        n += 1
        joins.append(
            sql.SQL("JOIN {} AS {} ON {}.id = {}.{}").format(
                sql.Identifier(parent),
                sql.Identifier(f"t{n}"),
                sql.Identifier(f"t{n}"),
                sql.Identifier(alias),
                sql.Identifier(column),
            )
        )
        owner, alias = OWNERS[parent], f"t{n}"
    return sql.SQL(" ").join(joins), sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(owner))


def _org_of(table: str) -> sql.Composed:
    source, org = scope(table)
    return sql.SQL("SELECT {} AS org_id FROM {} WHERE t0.id = %s").format(org, source)


_ORG_OF = {table: _org_of(table) for table in OWNERS}


async def org_of(conn: AsyncConnection[Row], table: str, item_id: int) -> int | None:
    """The organization of row ``item_id`` of ``table``; None when there is no such row."""
    row = await (await conn.execute(_ORG_OF[table], (item_id,))).fetchone()
    return None if row is None else int(row["org_id"])


async def ensure_in_org(conn: AsyncConnection[Row], org_id: int, table: str, item_id: int) -> None:
    """404 unless ``item_id`` is a row of ``table`` of ``org_id`` (another organization's id does not exist here)."""
    if await org_of(conn, table, item_id) != org_id:
        raise NotFoundError(f"{item_id} is not one of this organization's {table.replace('_', ' ')}")
