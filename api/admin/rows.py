"""Writing a row of a resource for an organization: its references checked to be the organization's, the
protocol rules applied, the insert. One path for the generated create route, bulk import and calendar."""

from __future__ import annotations

from typing import Any

import msgspec
from psycopg import AsyncConnection

from api.admin.checks import check_protocol
from api.admin.queries import QUERIES
from api.admin.resources import Resource
from api.db import Row
from api.tenancy import ensure_in_org, org_column

__all__ = ["check_refs", "insert_row"]


async def check_refs(conn: AsyncConnection[Row], org_id: int, resource: Resource, values: dict[str, Any]) -> None:
    for field in resource.fields:
        value = values.get(field.name)
        if field.ref is not None and value is not None:
            await ensure_in_org(conn, org_id, field.ref, int(value))


async def insert_row(conn: AsyncConnection[Row], org_id: int, resource: Resource, item: msgspec.Struct) -> Row:
    """Insert ``item`` (a Create DTO) as a row of ``org_id``; absent fields take the table's defaults."""
    values = {k: v for k, v in msgspec.structs.asdict(item).items() if v is not None}
    column = org_column(resource.table)
    if column is not None:
        values[column] = org_id
    await check_refs(conn, org_id, resource, values)
    await check_protocol(conn, resource.name, values, existing=None)
    query, params = QUERIES[resource.name].insert(values)
    row = await (await conn.execute(query, params)).fetchone()
    assert row is not None
    return row
